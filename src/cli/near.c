/*
 * near.c - `eventmap near`: events within a radius of a point or a place,
 * nearest first, by geodesic distance on the WGS 84 ellipsoid (PROJ's
 * geod_inverse).  The store's R*Tree narrows the search to boxes that hold
 * the whole circle (split at the antimeridian, widened to every longitude
 * when the circle reaches a pole); the distance decides.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli/source.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char near_usage[] =
    "usage: eventmap near LAT,LON|PLACE --radius KM [--db PATH | --in FILE] [filters]\n"
    "                     [--format table|csv|geojson] [--limit N]\n\n"
    "Events within KM kilometres of a point or of a place the gazetteer resolves,\n"
    "nearest first, each with its geodesic distance.\n\n"
    "  --radius KM       the radius in kilometres (0 < KM <= 20000)\n"
    "  --format F        table (default), csv or geojson\n"
    "  --limit N         at most N events\n" CLI_SOURCE_USAGE;

/* One event kept for sorting: its strings copied into one block. */
typedef struct {
    ev_event e;
    double km;
    char *block;
} hit;

typedef struct {
    geo_point centre;
    double radius_km;
    hit *hits;
    size_t n, alloc;
} near_ctx;

static char *keep(strbuf *sb, const char *s)
{
    size_t off = sb->len;
    sb_adds(sb, s);
    sb_addch(sb, '\0');
    return (char *)(uintptr_t)off;
}

static int on_event(void *vctx, const ev_event *e, char **err)
{
    near_ctx *c = vctx;
    (void)err;
    if (!e->located) return 0;
    geo_point p = { e->lat, e->lon };
    double km = geo_distance_km(c->centre, p);
    if (!(km <= c->radius_km)) return 0;
    ALLOC_GROW(c->hits, c->n + 1, c->alloc);
    hit *h = &c->hits[c->n++];
    h->e = *e;
    h->km = km;
    /* copy the strings: the event is only borrowed */
    strbuf sb = STRBUF_INIT;
    const char **fields[] = { &h->e.id,     &h->e.event_date, &h->e.event_type, &h->e.sub_event_type,
                              &h->e.actor1, &h->e.actor2,     &h->e.country,    &h->e.admin1,
                              &h->e.admin2, &h->e.admin3,     &h->e.location,   &h->e.source,
                              &h->e.notes,  &h->e.gazetteer_id, &h->e.match };
    size_t nf = sizeof(fields) / sizeof(fields[0]);
    uintptr_t offs[16];
    for (size_t i = 0; i < nf; i++) offs[i] = (uintptr_t)keep(&sb, *fields[i]);
    h->block = sb_detach(&sb, NULL);
    for (size_t i = 0; i < nf; i++) *fields[i] = h->block + offs[i];
    return 0;
}

/* store_within's answers: the keys of the events in the circle. */
typedef struct {
    int64_t *keys;
    size_t n, alloc;
} key_list;

static int on_key(void *vctx, int64_t key, double lat, double lon, double km)
{
    key_list *k = vctx;
    (void)lat;
    (void)lon;
    (void)km;
    ALLOC_GROW(k->keys, k->n + 1, k->alloc);
    k->keys[k->n++] = key;
    return 0;
}

static int on_store_event(void *vctx, const ev_event *e, char **err)
{
    return on_event(vctx, e, err);
}

/* From the store: the R*Tree and the sphere find the events in the circle
 * without reading rows; then each one's row, for the filters and the exact
 * distance. */
static int near_from_store(cli_source *src, near_ctx *ctx)
{
    key_list k = { NULL, 0, 0 };
    char *err = NULL;
    int rc = store_within(src->st, ctx->centre, ctx->radius_km, 0, on_key, &k, &err);
    for (size_t i = 0; rc == 0 && i < k.n; i++) rc = store_get(src->st, k.keys[i], &src->filter, on_store_event, ctx, &err);
    free(k.keys);
    if (rc < 0) {
        cli_error("near", "%s", err ? err : "cannot read the store");
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int cmp_hit(const void *pa, const void *pb)
{
    const hit *a = pa, *b = pb;
    if (a->km != b->km) return a->km < b->km ? -1 : 1;
    return strcmp(a->e.id, b->e.id);
}

static void print_table(const near_ctx *c, size_t n)
{
    printf("%9s  %-10s  %-26s  %-24s  %9s %10s  %4s  %s\n", "km", "date", "type", "location", "lat", "lon", "dead",
           "id");
    for (size_t i = 0; i < n; i++) {
        const hit *h = &c->hits[i];
        printf("%9.3f  %-10s  %-26.26s  %-24.24s  %9.5f %10.5f  %4d  %s\n", h->km, h->e.event_date,
               *h->e.sub_event_type ? h->e.sub_event_type : h->e.event_type, h->e.location, h->e.lat, h->e.lon,
               h->e.fatalities, h->e.id);
    }
}

/* "-33.9,151.2": a centre that getopt would take for options. */
static int looks_like_negative_point(const char *s)
{
    if (s[0] != '-' || !(s[1] == '.' || (s[1] >= '0' && s[1] <= '9'))) return 0;
    for (const char *p = s; *p; p++)
        if (!strchr("0123456789.,-+", *p)) return 0;
    return strchr(s, ',') != NULL;
}

int cmd_near(int argc, char **argv)
{
    static const struct option opts[] = {
        { "radius", required_argument, NULL, 'r' },
        { "format", required_argument, NULL, 'f' },
        { "limit", required_argument, NULL, 'l' },
        { "help", no_argument, NULL, 'h' },
        CLI_SOURCE_LONG_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_source src;
    cli_source_init(&src);
    const char *radius = NULL, *format = "table";
    long limit = 0;
    int c, status = EXIT_OK;
    near_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));

    /* take a negative LAT,LON out of getopt's way */
    char **args = xcalloc((size_t)argc + 1, sizeof(char *));
    const char *neg_centre = NULL;
    int n_args = 0;
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !neg_centre && looks_like_negative_point(argv[i])) neg_centre = argv[i];
        else args[n_args++] = argv[i];
    }
    argc = n_args;
    argv = args;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (cli_source_option(&src, c, optarg)) continue;
        switch (c) {
        case 'r': radius = optarg; break;
        case 'f': format = optarg; break;
        case 'l':
            if (cli_parse_int("near", "--limit", optarg, 1, 100000000, &limit) < 0) {
                free(args);
                return EXIT_USAGE;
            }
            break;
        case 'h': fputs(near_usage, stdout); free(args); return EXIT_OK;
        default:
            cli_error("near", "unknown option or missing value '%s'", argv[optind - 1]);
            fputs(near_usage, stderr);
            free(args);
            return EXIT_USAGE;
        }
    }
    if (neg_centre) {
        if (optind < argc) {
            cli_error("near", "one centre only: '%s' and '%s'", neg_centre, argv[optind]);
            free(args);
            return EXIT_USAGE;
        }
        argv[argc++] = (char *)neg_centre;
    }
    if (optind + 1 != argc) {
        if (optind >= argc) cli_error("near", "give a centre: LAT,LON or a place name");
        else cli_error("near", "one centre only; quote a place name with spaces (\"%s %s\")", argv[optind], argv[optind + 1]);
        fputs(near_usage, stderr);
        status = EXIT_USAGE;
        goto done;
    }
    if (!radius) {
        cli_error("near", "--radius KM is required");
        status = EXIT_USAGE;
        goto done;
    }
    char *end;
    ctx.radius_km = strtod(radius, &end);
    if (*end || end == radius || strpbrk(radius, "xX") || !(ctx.radius_km > 0 && ctx.radius_km <= 20000)) {
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

    const char *where = argv[optind];
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
    ctx.centre = centre;
    geo_bbox boxes[2];
    size_t n_boxes = geo_circle_boxes(centre, ctx.radius_km, boxes);
    status = src.in ? cli_source_each(&src, "near", boxes, n_boxes, on_event, &ctx) : near_from_store(&src, &ctx);
    if (status) goto done;
    if (ctx.n) qsort(ctx.hits, ctx.n, sizeof(hit), cmp_hit);
    size_t n = limit && (size_t)limit < ctx.n ? (size_t)limit : ctx.n;
    fprintf(stderr, "eventmap near: %zu event%s within %g km of %s%s\n", ctx.n, ctx.n == 1 ? "" : "s",
            ctx.radius_km, label, n < ctx.n ? " (limited)" : "");
    if (!strcmp(format, "table")) {
        print_table(&ctx, n);
    } else if (!strcmp(format, "csv")) {
        ev_csv_writer *w = ev_csv_open(stdout, "distance_km");
        for (size_t i = 0; i < n; i++) ev_csv_write(w, &ctx.hits[i].e, ctx.hits[i].km);
        if (ev_csv_close(w) < 0) status = EXIT_FAIL;
    } else {
        ev_geojson_writer *w = ev_geojson_open(stdout);
        for (size_t i = 0; i < n; i++) ev_geojson_write(w, &ctx.hits[i].e, "distance_km", ctx.hits[i].km);
        if (ev_geojson_close(w) < 0) status = EXIT_FAIL;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("near", "cannot write the output");
        status = EXIT_FAIL;
    }
done:
    for (size_t i = 0; i < ctx.n; i++) free(ctx.hits[i].block);
    free(ctx.hits);
    cli_source_free(&src);
    free(args);
    return status;
}
