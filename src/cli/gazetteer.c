/*
 * gazetteer.c - `eventmap gazetteer build` (GeoNames dumps, admin-1 names,
 * Natural Earth countries and the curated tables to one index file) and
 * `eventmap gazetteer info` (what an index holds).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "gazetteer/gazetteer.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char gazetteer_usage[] =
    "usage: eventmap gazetteer build [-o PATH] [--geonames FILE]... [--alternates FILE]\n"
    "                                [--admin1 FILE] [--countries FILE] [--curated DIR]\n"
    "                                [--focus CC[,CC]] [--no-countries]\n"
    "       eventmap gazetteer info [PATH]\n"
    "       eventmap gazetteer keys NAME...   (the folded text and matching key of each name)\n\n"
    "build reads GeoNames `geoname` tables (cities1000.txt, a country file such as\n"
    "SY.txt, or allCountries.txt; --geonames may repeat), optionally GeoNames\n"
    "alternateNamesV2.txt, the admin-1 names (admin1.json or admin1CodesASCII.txt),\n"
    "Natural Earth countries (world-atlas TopoJSON) and the curated tables in\n"
    "gazetteer/, and writes one index file.  Without options it uses the data that\n"
    "'make' fetched and writes the default index.\n\n"
    "  -o, --output PATH   the index to write (default: .cache/gazetteer.idx)\n"
    "  --geonames FILE     a GeoNames geoname table (default: cities1000.txt)\n"
    "  --alternates FILE   GeoNames alternateNamesV2.txt\n"
    "  --admin1 FILE       admin-1 names (default: admin1.json)\n"
    "  --countries FILE    Natural Earth countries TopoJSON (default: countries-50m.json)\n"
    "  --curated DIR       curated tables (default: gazetteer/ next to the program)\n"
    "  --no-countries      leave Natural Earth countries out\n"
    "  --focus CC[,CC]     home countries whose places win near-ties when a query\n"
    "                      names no country (default: SY), or none\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    gaz_build_opts bo;
    const char **geonames = xcalloc((size_t)argc + 1, sizeof(char *));
    char *defaults[5] = { NULL, NULL, NULL, NULL, NULL };
    int c, no_countries = 0, focus_set = 0, status = EXIT_OK;
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
        case 'f':
            if (cli_parse_focus("gazetteer build", "--focus", optarg, focus) < 0) {
                free(geonames);
                return EXIT_USAGE;
            }
            focus_set = 1;
            break;
        case 'h': fputs(gazetteer_usage, stdout); free(geonames); return EXIT_OK;
        default:
            cli_error("gazetteer build", "unknown option or missing value '%s'", argv[optind - 1]);
            fputs(gazetteer_usage, stderr);
            free(geonames);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("gazetteer build", "unexpected argument '%s'", argv[optind]);
        free(geonames);
        return EXIT_USAGE;
    }
    if (!bo.n_geonames) geonames[bo.n_geonames++] = defaults[0] = cli_data_path(".cache/data/cities1000.txt");
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
    if (gaz_build(&bo, &st, &err) < 0) {
        fprintf(stderr, "eventmap gazetteer build: %s\n", err ? err : "failed");
        free(err);
        status = EXIT_FAIL;
    } else {
        fprintf(stderr, "%s: %zu places, %zu names, %zu keys, %zu fuzzy entries, %.1f MB in %.2f s\n",
                bo.output, st.n_places, st.n_names, st.n_keys, st.n_deletions,
                (double)st.bytes / 1e6, now_s() - t0);
    }
    for (int i = 0; i < 5; i++) free(defaults[i]);
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
