/*
 * gazetteer.c - `eventmap gazetteer build` (GeoNames dumps, admin-1 names,
 * Natural Earth countries and the curated tables to one index file) and
 * `eventmap gazetteer info` (what an index holds).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "events/event.h"
#include "gazetteer/gazetteer.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char gazetteer_usage[] =
    "usage: eventmap gazetteer build [-o PATH] [--geonames FILE]... [--alternates FILE]\n"
    "                                [--admin1 FILE] [--countries FILE] [--curated DIR]\n"
    "                                [--focus CC[,CC]] [--no-countries] [--places FILE.csv]...\n"
    "                                [--quiet]\n"
    "       eventmap gazetteer info [PATH]\n"
    "       eventmap gazetteer keys NAME...   (the folded text and matching key of each name)\n\n"
    "build reads GeoNames `geoname` tables (cities500.txt, cities1000.txt, a country\n"
    "file such as SY.txt, or allCountries.txt; --geonames may repeat), optionally GeoNames\n"
    "alternateNamesV2.txt, the admin-1 names (admin1.json or admin1CodesASCII.txt),\n"
    "Natural Earth countries (world-atlas TopoJSON) and the curated tables in\n"
    "gazetteer/, and writes one index file.  Without options it uses the data that\n"
    "'make' fetched and writes the default index.\n\n"
    "  -o, --output PATH   the index to write (default: .cache/gazetteer.idx)\n"
    "  --geonames FILE     a GeoNames geoname table (default: cities500.txt)\n"
    "  --alternates FILE   GeoNames alternateNamesV2.txt\n"
    "  --admin1 FILE       admin-1 names (default: admin1.json)\n"
    "  --countries FILE    Natural Earth countries TopoJSON (default: countries-50m.json)\n"
    "  --curated DIR       curated tables (default: gazetteer/ next to the program)\n"
    "  --no-countries      leave Natural Earth countries out\n"
    "  --focus CC[,CC]     home countries whose places win near-ties when a query\n"
    "                      names no country (default: SY), or none\n"
    "  --places FILE.csv   your own places: a CSV whose header names name, lat and\n"
    "                      lon, and may name id, country (ISO alpha-2), admin1,\n"
    "                      alternates (';'-separated) and feature; may repeat\n"
    "  --quiet             no summary, and no progress line (which a terminal\n"
    "                      otherwise shows on standard error)\n\n"
    "Memory: about 290 bytes a place at the peak; allCountries.txt with\n"
    "alternateNamesV2.txt (12 million places) needs about 3.5 GB.\n";

/* The user's places read from --places files; their strings are copies. */
typedef struct {
    gaz_user_place *p;
    size_t n, alloc;
} user_places;

static void user_places_release(user_places *up)
{
    for (size_t i = 0; i < up->n; i++) {
        gaz_user_place *u = &up->p[i];
        free((char *)u->id);
        free((char *)u->name);
        free((char *)u->alternates);
        free((char *)u->country);
        free((char *)u->admin1);
        free((char *)u->feature);
    }
    free(up->p);
    up->p = NULL;
    up->n = up->alloc = 0;
}

/* The column of the header named one of names (ASCII case aside), or -1. */
static int column_of(char **header, size_t n, const char *const *names)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; names[k]; k++)
            if (!strcasecmp(header[i], names[k])) return (int)i;
    return -1;
}

/* A whole field as a finite number. */
static int parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return end != text && !*end && !errno && isfinite(*out) ? 0 : -1;
}

/* Read a user's places: a CSV whose header names name, lat (latitude, y) and
 * lon (lng, longitude, x), and may name id, country, admin1, alternates and
 * feature.  Appends to up (path is kept in each place: it must outlive the
 * build).  Errors: "FILE:LINE: what is wrong". */
static int read_user_places(const char *path, user_places *up, char **err)
{
    static const char *const n_name[] = { "name", "place", "location", NULL };
    static const char *const n_lat[] = { "lat", "latitude", "y", NULL };
    static const char *const n_lon[] = { "lon", "lng", "long", "longitude", "x", NULL };
    static const char *const n_id[] = { "id", NULL };
    static const char *const n_cc[] = { "country", "country_code", "iso2", "cc", NULL };
    static const char *const n_adm1[] = { "admin1", "adm1", "adm_1", "province", "governorate", "state", NULL };
    static const char *const n_alt[] = { "alternates", "alternate_names", "alternatenames", "aliases", NULL };
    static const char *const n_feat[] = { "feature", NULL };
    FILE *in = fopen(path, "rb");
    if (!in) return em_error(err, EM_EIO, "unable to open '%s': %s", path, strerror(errno));
    ev_csv *csv = ev_csv_new(in);
    char **f = NULL, **header = NULL;
    size_t n = 0, n_header = 0, line = 0;
    const char *why = NULL;
    int rc = 0, col[8];
    int got = ev_csv_next(csv, &f, &n, &line, &why);
    if (got <= 0) {
        rc = em_error(err, got == -2 ? EM_EIO : EM_EINPUT, "%s:%zu: %s", path, line ? line : 1,
                      got == 0 ? "empty file: expected a header naming name, lat and lon" : why);
        goto done;
    }
    header = xcalloc(n, sizeof(*header));
    n_header = n;
    for (size_t i = 0; i < n; i++) header[i] = xstrdup(f[i]);
    const char *const *names[] = { n_name, n_lat, n_lon, n_id, n_cc, n_adm1, n_alt, n_feat };
    for (int k = 0; k < 8; k++) col[k] = column_of(header, n_header, names[k]);
    if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
        rc = em_error(err, EM_EINPUT, "%s:%zu: the header names no %s column", path, line,
                      col[0] < 0 ? "name" : col[1] < 0 ? "lat (latitude)" : "lon (longitude)");
        goto done;
    }
    strbuf id = STRBUF_INIT;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    while ((got = ev_csv_next(csv, &f, &n, &line, &why)) == 1) {
        if (n == 1 && !f[0][0]) continue; /* a blank line */
        if (!ev_csv_utf8_ok(csv)) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: invalid UTF-8", path, line);
            break;
        }
        if (n != n_header) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: expected %zu columns, found %zu", path, line, n_header, n);
            break;
        }
        double lat, lon;
        if (parse_number(f[col[1]], &lat) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: lat \"%s\" is not a number", path, line, f[col[1]]);
            break;
        }
        if (parse_number(f[col[2]], &lon) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: lon \"%s\" is not a number", path, line, f[col[2]]);
            break;
        }
        ALLOC_GROW(up->p, up->n + 1, up->alloc);
        gaz_user_place *u = &up->p[up->n++];
        memset(u, 0, sizeof(*u));
        sb_reset(&id);
        if (col[3] >= 0 && f[col[3]][0]) sb_adds(&id, f[col[3]]);
        else sb_addf(&id, "places:%s:%zu", base, line);
        u->id = sb_detach(&id, NULL);
        u->name = xstrdup(f[col[0]]);
        u->lat_deg = lat;
        u->lon_deg = lon;
        u->country = xstrdup(col[4] >= 0 ? f[col[4]] : "");
        u->admin1 = xstrdup(col[5] >= 0 ? f[col[5]] : "");
        u->alternates = xstrdup(col[6] >= 0 ? f[col[6]] : "");
        u->feature = xstrdup(col[7] >= 0 ? f[col[7]] : "");
        u->file = path;
        u->line = line;
    }
    sb_release(&id);
    if (!rc && got < 0) rc = em_error(err, got == -2 ? EM_EIO : EM_EINPUT, "%s:%zu: %s", path, line, why);
done:
    for (size_t i = 0; i < n_header; i++) free(header[i]);
    free(header);
    ev_csv_free(csv);
    fclose(in);
    return rc;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_progress(void *ctx, uint64_t rows)
{
    progress_update(ctx, rows);
}

static int gazetteer_build(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "geonames", required_argument, NULL, 'G' },
        { "alternates", required_argument, NULL, 'A' },
        { "admin1", required_argument, NULL, 'a' },
        { "countries", required_argument, NULL, 'C' },
        { "curated", required_argument, NULL, 'c' },
        { "no-countries", no_argument, NULL, 'N' },
        { "focus", required_argument, NULL, 'f' },
        { "places", required_argument, NULL, 'P' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    gaz_build_opts bo;
    const char **geonames = xcalloc((size_t)argc + 1, sizeof(char *));
    const char **places_files = xcalloc((size_t)argc + 1, sizeof(char *));
    size_t n_places_files = 0;
    user_places up = { NULL, 0, 0 };
    char *defaults[5] = { NULL, NULL, NULL, NULL, NULL };
    int c, no_countries = 0, focus_set = 0, status = EXIT_OK, quiet = 0;
    char focus[32] = "";
    memset(&bo, 0, sizeof(bo));
    bo.geonames = geonames;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': bo.output = optarg; break;
        case 'G': geonames[bo.n_geonames++] = optarg; break;
        case 'A': bo.alternates = optarg; break;
        case 'a': bo.admin1 = optarg; break;
        case 'C': bo.countries = optarg; break;
        case 'c': bo.curated_dir = optarg; break;
        case 'N': no_countries = 1; break;
        case 'P': places_files[n_places_files++] = optarg; break;
        case 'q': quiet = 1; break;
        case 'f':
            if (cli_parse_focus("gazetteer build", "--focus", optarg, focus) < 0) {
                free(geonames);
                free(places_files);
                return EXIT_USAGE;
            }
            focus_set = 1;
            break;
        case 'h':
            fputs(gazetteer_usage, stdout);
            free(geonames);
            free(places_files);
            return EXIT_OK;
        default:
            cli_error("gazetteer build", "unknown option or missing value '%s'", argv[optind - 1]);
            fputs(gazetteer_usage, stderr);
            free(geonames);
            free(places_files);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("gazetteer build", "unexpected argument '%s'", argv[optind]);
        free(geonames);
        free(places_files);
        return EXIT_USAGE;
    }
    if (!bo.n_geonames) geonames[bo.n_geonames++] = defaults[0] = cli_data_path(".cache/data/cities500.txt");
    if (!bo.admin1) bo.admin1 = defaults[1] = cli_data_path(".cache/data/admin1.json");
    if (!bo.countries && !no_countries) bo.countries = defaults[2] = cli_data_path(".cache/data/countries-50m.json");
    if (no_countries) bo.countries = NULL;
    if (!bo.curated_dir) bo.curated_dir = defaults[3] = cli_data_path("gazetteer");
    /* the curated tables are about Syria: its places win a tie by default */
    bo.focus = focus_set ? focus : "SY";
    if (!bo.output) bo.output = defaults[4] = cli_data_path(".cache/gazetteer.idx");

    gaz_build_stats st;
    char *err = NULL;
    double t0 = now_s();
    progress *prog = NULL;
    if (!quiet && progress_wanted()) {
        uint64_t rows = 0;
        for (size_t i = 0; i < bo.n_geonames; i++) rows += cli_count_lines(bo.geonames[i]);
        bo.progress = on_progress;
        bo.progress_ctx = prog = progress_start("gazetteer build", "GeoNames rows", rows, 0);
    }
    for (size_t i = 0; i < n_places_files && status == EXIT_OK; i++)
        if (read_user_places(places_files[i], &up, &err) < 0) status = EXIT_FAIL;
    bo.places = up.p;
    bo.n_places = up.n;
    if (status != EXIT_OK) {
        fprintf(stderr, "eventmap gazetteer build: %s\n", err ? err : "failed");
        free(err);
    } else if (gaz_build(&bo, &st, &err) < 0) {
        progress_end(prog);
        prog = NULL;
        fprintf(stderr, "eventmap gazetteer build: %s\n", err ? err : "failed");
        free(err);
        status = EXIT_FAIL;
    } else if (!quiet) {
        progress_end(prog);
        prog = NULL;
        fprintf(stderr, "%s: %zu places, %zu names, %zu keys, %zu fuzzy entries, %.1f MB in %.2f s\n",
                bo.output, st.n_places, st.n_names, st.n_keys, st.n_deletions,
                (double)st.bytes / 1e6, now_s() - t0);
    }
    progress_end(prog);
    for (int i = 0; i < 5; i++) free(defaults[i]);
    user_places_release(&up);
    free(places_files);
    free(geonames);
    return status;
}

static int gazetteer_info(int argc, char **argv)
{
    if (argc > 2) {
        fputs(gazetteer_usage, stderr);
        return EXIT_USAGE;
    }
    char *path = cli_gazetteer_path(argc == 2 ? argv[1] : NULL);
    char *err = NULL;
    gaz *g = NULL;
    if (gaz_open(path, &g, &err) < 0) {
        cli_error("gazetteer info", "%s", err);
        free(err);
        free(path);
        return EXIT_FAIL;
    }
    uint32_t n = gaz_count(g), regions = 0, countries = 0;
    for (uint32_t i = 0; i < n; i++) {
        gaz_result r;
        gaz_place(g, i, &r);
        regions += r.is_region;
        countries += !strcmp(r.feature, "A.PCLI");
    }
    printf("%s\n  places     %u\n  regions    %u (of them countries: %u)\n  focus      %s\n", path, n, regions,
           countries, gaz_focus(g)[0] ? gaz_focus(g) : "none");
    gaz_close(g);
    free(path);
    return EXIT_OK;
}

static int gazetteer_keys(int argc, char **argv)
{
    strbuf fold = STRBUF_INIT, key = STRBUF_INIT;
    int status = EXIT_OK;
    for (int i = 1; i < argc; i++) {
        if (gaz_fold(argv[i], strlen(argv[i]), &fold) < 0) {
            fprintf(stderr, "argument %d: name is not valid UTF-8\n", i);
            status = EXIT_FAIL;
            continue;
        }
        gaz_translit(fold.buf, &key);
        printf("%s\tfolded \"%s\"\tkey \"%s\"\n", argv[i], fold.buf, key.buf);
    }
    sb_release(&fold);
    sb_release(&key);
    return status;
}

int cmd_gazetteer(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(gazetteer_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "build")) return gazetteer_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return gazetteer_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "keys")) return gazetteer_keys(argc - 1, argv + 1);
    cli_error("gazetteer", "'%s' is not a gazetteer command (build, info)", argv[1]);
    return EXIT_USAGE;
}
