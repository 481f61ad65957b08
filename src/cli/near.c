/*
 * near.c - `eventmap near`: events within a radius of a point or a place,
 * nearest first, by geodesic distance on the WGS 84 ellipsoid (PROJ's
 * geod_inverse).  The store answers with store_near (its R*Tree); a file
 * (--in) is read through the boxes that hold the whole circle (split at the
 * antimeridian, widened to every longitude when the circle reaches a pole).
 * Either way ev_near keeps the events the distance admits, and sorts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli/source.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const struct cli_usage near_usage = {
    "near",
    "usage: eventmap near LAT,LON|PLACE --radius KM [--db PATH|URL | --in FILE] [filters]\n"
    "                     [--format table|csv|geojson] [--limit N]\n",
    "Events within KM kilometres of a point or of a place the gazetteer resolves,\n"
    "nearest first, each with its geodesic distance.\n",
    NULL
};

static void print_table(const ev_near *hits, size_t n)
{
    printf("%9s  %-10s  %-26s  %-24s  %9s %10s  %4s  %s\n", "km", "date", "type", "location", "lat", "lon", "dead",
           "id");
    for (size_t i = 0; i < n; i++) {
        double km;
        const ev_event *e = ev_near_event(hits, i, &km);
        printf("%9.3f  %-10s  %-26.26s  %-24.24s  %9.5f %10.5f  %4d  %s\n", km, e->event_date,
               *e->sub_event_type ? e->sub_event_type : e->event_type, e->location, e->lat, e->lon, e->fatalities,
               e->id);
    }
}

/* "-33.9,151.2": a centre that getopt_long would take for options. */
static int looks_like_negative_point(const char *s)
{
    if (s[0] != '-' || !(s[1] == '.' || (s[1] >= '0' && s[1] <= '9'))) return 0;
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789.,-+", *p)) return 0;
    return strchr(s, ',') != NULL;
}

int cmd_near(int argc, char **argv)
{
    cli_source src;
    cli_source_init(&src);
    const char *radius = NULL, *format = "table";
    long limit = 0;
    int status = EXIT_OK;
    double radius_km = 0;
    ev_near *hits = NULL;
    struct cli_option options[] = {
        OPT_STRING(0, "radius", &radius, "KM", "the radius in kilometres (0 < KM <= 20000)"),
        OPT_STRING(0, "format", &format, "F", "table (default), csv or geojson"),
        OPT_INTEGER(0, "limit", &limit, "N", 1, 100000000, "at most N events"),
        OPT_SOURCE(&src),
        OPT_END()
    };

    /* take a negative LAT,LON out of the options' way */
    char **args = xcalloc((size_t)argc + 1, sizeof(char *));
    const char *neg_centre = NULL;
    int n_args = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !neg_centre && looks_like_negative_point(argv[i])) neg_centre = argv[i];
        else args[n_args++] = argv[i];
    }
    argv = args;
    argc = parse_options(n_args, argv, options, &near_usage, 0);
    if (argc < 0) {
        status = parse_options_exit(argc);
        goto done;
    }
    if (neg_centre) {
        if (argc > 0) {
            cli_error("near", "one centre only: '%s' and '%s'", neg_centre, argv[0]);
            status = EXIT_USAGE;
            goto done;
        }
        argv[argc++] = (char *)neg_centre;
    }
    if (argc != 1) {
        if (!argc) cli_error("near", "give a centre: LAT,LON or a place name");
        else cli_error("near", "one centre only; quote a place name with spaces (\"%s %s\")", argv[0], argv[1]);
        usage_with_options(stderr, &near_usage, options);
        status = EXIT_USAGE;
        goto done;
    }
    if (!radius) {
        cli_error("near", "--radius KM is required");
        status = EXIT_USAGE;
        goto done;
    }
    char *end;
    radius_km = strtod(radius, &end);
    if (*end || end == radius || strpbrk(radius, "xX") || !(radius_km > 0 && radius_km <= 20000)) {
        cli_error("near", "--radius \"%s\" is not a distance in km (0 < KM <= 20000)", radius);
        status = EXIT_USAGE;
        goto done;
    }
    if (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "geojson")) {
        cli_error("near", "--format \"%s\" is not table, csv or geojson", format);
        status = EXIT_USAGE;
        goto done;
    }
    status = cli_source_prepare(&src, "near");
    if (status) goto done;

    const char *where = argv[0];
    geo_point centre;
    char label[256];
    /* LAT,LON when it reads as one, else a place name */
    char *comma = strchr(where, ',');
    char *e1, *e2;
    int is_point = 0;
    if (comma) {
        (void)strtod(where, &e1);
        (void)strtod(comma + 1, &e2);
        is_point = e1 == comma && e1 != where && *e2 == '\0' && e2 != comma + 1;
    }
    /* only numbers and commas ("33", "33,36,1"): meant as LAT,LON, never a place */
    if (strpbrk(where, "0123456789") && !where[strspn(where, "0123456789+-.,eE ")]) is_point = 1;
    if (is_point) {
        if (cli_parse_latlon("near", "the centre", where, &centre) < 0) {
            status = EXIT_USAGE;
            goto done;
        }
        snprintf(label, sizeof(label), "%.5f,%.5f", centre.lat_deg, centre.lon_deg);
    } else {
        gaz *g = cli_source_gazetteer(&src, "near");
        if (!g) {
            status = EXIT_FAIL;
            goto done;
        }
        gaz_result r;
        char *err = NULL;
        int n = gaz_resolve(g, where, NULL, &r, 1, &err);
        if (n < 0) {
            cli_error("near", "\"%s\": %s", where, err);
            free(err);
            status = EXIT_USAGE;
            goto done;
        }
        if (n == 0 || r.score < 0.5) {
            cli_error("near", "no place \"%s\" in the gazetteer; give LAT,LON", where);
            status = EXIT_FAIL;
            goto done;
        }
        centre.lat_deg = r.lat_deg;
        centre.lon_deg = r.lon_deg;
        snprintf(label, sizeof(label), "%s (%s, %s %.2f) at %.5f,%.5f", r.name, r.id, gaz_match_name(r.match),
                 r.score, r.lat_deg, r.lon_deg);
    }
    hits = ev_near_new(centre, radius_km);
    if (src.in) {
        geo_bbox boxes[2];
        size_t n_boxes = geo_circle_boxes(centre, radius_km, boxes);
        status = cli_source_each(&src, "near", boxes, n_boxes, ev_near_add, hits);
    } else {
        char *err = NULL;
        if (store_near(src.st, centre, radius_km, &src.filter, ev_near_add, hits, &err) < 0) {
            cli_error("near", "%s", err ? err : "cannot read the store");
            status = EXIT_FAIL;
        }
        free(err);
    }
    if (status) goto done;
    ev_near_sort(hits);
    size_t n_hits = ev_near_count(hits), n = limit && (size_t)limit < n_hits ? (size_t)limit : n_hits;
    fprintf(stderr, "eventmap near: %zu event%s within %g km of %s%s\n", n_hits, n_hits == 1 ? "" : "s", radius_km,
            label, n < n_hits ? " (limited)" : "");
    if (!strcmp(format, "table")) {
        print_table(hits, n);
    } else if (!strcmp(format, "csv")) {
        ev_csv_writer *w = ev_csv_open(stdout, "distance_km");
        for (size_t i = 0; i < n; i++) {
            double km;
            const ev_event *e = ev_near_event(hits, i, &km);
            ev_csv_write(w, e, km);
        }
        if (ev_csv_close(w) < 0) status = EXIT_FAIL;
    } else {
        ev_geojson_writer *w = ev_geojson_open(stdout);
        for (size_t i = 0; i < n; i++) {
            double km;
            const ev_event *e = ev_near_event(hits, i, &km);
            ev_geojson_write(w, e, "distance_km", km);
        }
        if (ev_geojson_close(w) < 0) status = EXIT_FAIL;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("near", "cannot write the output");
        status = EXIT_FAIL;
    }
done:
    ev_near_free(hits);
    cli_source_free(&src);
    free(args);
    return status;
}
