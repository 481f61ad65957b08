/*
 * gazetteer.c - `eventmap gazetteer build` (GeoNames dumps, admin-1 names,
 * Natural Earth countries and the curated tables to one index file),
 * `eventmap gazetteer info` (what an index holds) and `eventmap gazetteer
 * keys` (how names fold).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cli/options.h"
#include "events/event.h"
#include "gazetteer/gazetteer.h"
#include "util/progress.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const struct cli_usage gazetteer_usage = {
    "gazetteer build",
    "usage: eventmap gazetteer build [-o PATH] [--geonames FILE]... [--alternates FILE]\n"
    "                                [--admin1 FILE] [--countries FILE] [--curated DIR]\n"
    "                                [--focus CC[,CC]] [--no-countries] [--places FILE.csv]...\n"
    "                                [--quiet]\n"
    "       eventmap gazetteer info [PATH]\n"
    "       eventmap gazetteer keys NAME...   (the folded text and matching key of each name)\n",
    "build reads GeoNames `geoname` tables (cities500.txt, cities1000.txt, a country\n"
    "file such as SY.txt, or allCountries.txt; --geonames may repeat), optionally GeoNames\n"
    "alternateNamesV2.txt, the admin-1 names (admin1.json or admin1CodesASCII.txt),\n"
    "Natural Earth countries (world-atlas TopoJSON) and the curated tables in\n"
    "gazetteer/, and writes one index file.  Without options it uses the data that\n"
    "'make' fetched and writes the default index.\n",
    "Memory: about 290 bytes a place at the peak; allCountries.txt with\n"
    "alternateNamesV2.txt (12 million places) needs about 3.5 GB.\n"
};

/* What gazetteer build's options set.  The table points here: gazetteer
 * build parses with it, and every gazetteer command's help lists it. */
static struct {
    gaz_build_opts bo;
    cli_strlist geonames, places;
    int no_countries, focus_given, quiet;
    char focus[32];
} build;

static const struct cli_option build_options[] = {
    OPT_COLUMN(22),
    OPT_STRING('o', "output", &build.bo.output, "PATH", "the index to write (default: .cache/gazetteer.idx)"),
    OPT_STRING_LIST(0, "geonames", &build.geonames, "FILE", "a GeoNames geoname table (default: cities500.txt)"),
    OPT_STRING(0, "alternates", &build.bo.alternates, "FILE", "GeoNames alternateNamesV2.txt"),
    OPT_STRING(0, "admin1", &build.bo.admin1, "FILE", "admin-1 names (default: admin1.json)"),
    OPT_STRING(0, "countries", &build.bo.countries, "FILE",
               "Natural Earth countries TopoJSON (default: countries-50m.json)"),
    OPT_STRING(0, "curated", &build.bo.curated_dir, "DIR", "curated tables (default: gazetteer/ next to the program)"),
    OPT_BOOL(0, "no-countries", &build.no_countries, "leave Natural Earth countries out"),
    OPT_FOCUS("focus", build.focus, &build.focus_given, "home countries whose places win near-ties when a query\n"
                                                        "names no country (default: SY), or none"),
    OPT_STRING_LIST(0, "places", &build.places, "FILE.csv",
                    "your own places: a CSV whose header names name, lat and\n"
                    "lon, and may name id, country (ISO alpha-2), admin1,\n"
                    "alternates (';'-separated) and feature; may repeat"),
    OPT_BOOL(0, "quiet", &build.quiet, "no summary, and no progress line (which a terminal\n"
                                       "otherwise shows on standard error)"),
    OPT_END()
};

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
    gaz_build_opts *bo = &build.bo;
    ev_places up = { NULL, 0, 0 };
    char *defaults[5] = { NULL, NULL, NULL, NULL, NULL };
    int status = EXIT_OK;

    argc = parse_options(argc, argv, build_options, &gazetteer_usage, PARSE_OPT_STOP_AT_NON_OPTION);
    if (argc < 0) {
        status = parse_options_exit(argc);
        goto done;
    }
    if (argc > 0) {
        cli_error("gazetteer build", "unexpected argument '%s'", argv[0]);
        status = EXIT_USAGE;
        goto done;
    }
    if (!build.geonames.n) cli_strlist_push(&build.geonames, defaults[0] = cli_data_path(".cache/data/cities500.txt"));
    bo->geonames = build.geonames.v;
    bo->n_geonames = build.geonames.n;
    if (!bo->admin1) bo->admin1 = defaults[1] = cli_data_path(".cache/data/admin1.json");
    if (!bo->countries && !build.no_countries)
        bo->countries = defaults[2] = cli_data_path(".cache/data/countries-50m.json");
    if (build.no_countries) bo->countries = NULL;
    if (!bo->curated_dir) bo->curated_dir = defaults[3] = cli_data_path("gazetteer");
    /* the curated tables are about Syria: its places win a tie by default */
    bo->focus = build.focus_given ? build.focus : "SY";
    if (!bo->output) bo->output = defaults[4] = cli_data_path(".cache/gazetteer.idx");

    gaz_build_stats st;
    char *err = NULL;
    double t0 = now_s();
    progress *prog = NULL;
    if (!build.quiet && progress_wanted()) {
        uint64_t rows = 0;
        for (size_t i = 0; i < bo->n_geonames; i++) rows += cli_count_lines(bo->geonames[i]);
        bo->progress = on_progress;
        bo->progress_ctx = prog = progress_start("gazetteer build", "GeoNames rows", rows, 0);
    }
    for (size_t i = 0; i < build.places.n && status == EXIT_OK; i++)
        if (ev_places_read(build.places.v[i], &up, &err) < 0) status = EXIT_FAIL;
    bo->places = up.p;
    bo->n_places = up.n;
    if (status != EXIT_OK) {
        fprintf(stderr, "eventmap gazetteer build: %s\n", err ? err : "failed");
        free(err);
    } else if (gaz_build(bo, &st, &err) < 0) {
        progress_end(prog);
        prog = NULL;
        fprintf(stderr, "eventmap gazetteer build: %s\n", err ? err : "failed");
        free(err);
        status = EXIT_FAIL;
    } else if (!build.quiet) {
        progress_end(prog);
        prog = NULL;
        fprintf(stderr, "%s: %zu places, %zu names, %zu keys, %zu fuzzy entries, %.1f MB in %.2f s\n",
                bo->output, st.n_places, st.n_names, st.n_keys, st.n_deletions,
                (double)st.bytes / 1e6, now_s() - t0);
    }
    progress_end(prog);
done:
    for (int i = 0; i < 5; i++) free(defaults[i]);
    ev_places_release(&up);
    cli_strlist_release(&build.places);
    cli_strlist_release(&build.geonames);
    return status;
}

static int gazetteer_info(int argc, char **argv)
{
    if (argc > 2) {
        usage_with_options(stderr, &gazetteer_usage, build_options);
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
        usage_with_options(argc < 2 ? stderr : stdout, &gazetteer_usage, build_options);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "build")) return gazetteer_build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return gazetteer_info(argc - 1, argv + 1);
    if (!strcmp(argv[1], "keys")) return gazetteer_keys(argc - 1, argv + 1);
    cli_error("gazetteer", "'%s' is not a gazetteer command (build, info, keys)", argv[1]);
    return EXIT_USAGE;
}
