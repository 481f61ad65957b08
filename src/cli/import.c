/*
 * import.c - `eventmap import`: ACLED, UCDP GED, other CSV and GeoJSON files
 * into the store, geocoding rows that have a place name and no coordinates.
 * One transaction: a bad row (without --skip-bad) leaves the store as it was.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli/options.h"
#include "events/event.h"
#include "store/store.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/crash.h"
#include "util/progress.h"
#include "util/tempfile.h"
#include "util/banned.h"

static const struct cli_usage import_usage = {
    "import",
    "usage: eventmap import FILE... [--db PATH|URL] [--format acled|ucdp|csv|geojson]\n"
    "                       [--map COLUMN=FIELD]... [--skip-bad] [--gazetteer PATH]\n"
    "                       [--geocode-report FILE.csv] [--quiet]\n",
    "Reads events into the store; FILE may be '-' for standard input.  The format\n"
    "is taken from the header when not given: ACLED exports (event_id_cnty, ...),\n"
    "UCDP GED (id, date_start, where_prec, ...), any CSV with a date and either\n"
    "coordinates or a place (lat/latitude/y, lon/lng/longitude/x, location/place),\n"
    "or a GeoJSON FeatureCollection of Points.  Rows without coordinates are\n"
    "geocoded from their location inside the country the row names, ranked by its\n"
    "admin1; a place the gazetteer lacks, or matches only weakly, goes to the most\n"
    "specific area the row names that the gazetteer knows: its admin3 or admin2\n"
    "(a district's seat, geo_precision 2), else its admin1, else its country\n"
    "(geo_precision 3); match says which level, and the rows are listed;\n"
    "rows that cannot be resolved are kept as unlocated and listed.  Importing a file again\n"
    "updates its events in place (key: the source's event id, or a hash of the row).\n",
    NULL
};

/* The --map COLUMN=FIELD given, in order; the columns are copies. */
typedef struct {
    ev_column_map *v;
    size_t n, alloc;
} column_maps;

static int opt_map(const struct cli_option *opt, const char *arg, const char *cmd)
{
    column_maps *maps = opt->value;
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        cli_error(cmd, "--map \"%s\" is not COLUMN=FIELD", arg);
        return -1;
    }
    ALLOC_GROW(maps->v, maps->n + 1, maps->alloc);
    maps->v[maps->n].column = xstrndup(arg, (size_t)(eq - arg));
    maps->v[maps->n++].field = eq + 1;
    return 0;
}

static void column_maps_release(column_maps *maps)
{
    for (size_t i = 0; i < maps->n; i++) free((char *)maps->v[i].column);
    free(maps->v);
}

typedef struct {
    store *st;
    ev_geocode_log log;        /* the rows placed at an area or unlocated, listed at the end */
    progress *prog;            /* on a terminal: lines read of all the files */
    uint64_t lines_before;     /* the lines of the files before this one */
    size_t rows;
} import_ctx;

static int on_event(void *vctx, const ev_event *e, const char *file, size_t line, char **err)
{
    import_ctx *c = vctx;
    int rc = store_put(c->st, e, err);
    if (rc < 0) return rc;
    ev_geocode_log_add(&c->log, e, file, line);
    c->rows++;
    progress_update_items(c->prog, c->lines_before + line, c->rows, "rows");
    crash_point("import:after-rows");
    return 0;
}

static void on_bad(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "%s (skipped)\n", message);
}

/* Make the directory of path when it is missing (one level: output/). */
static int ensure_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0;
    strbuf dir = STRBUF_INIT;
    sb_add(&dir, path, (size_t)(slash - path));
    int rc = 0;
    struct stat st;
    if (stat(dir.buf, &st) != 0 && mkdir(dir.buf, 0777) != 0 && errno != EEXIST) rc = -1;
    sb_release(&dir);
    return rc;
}

int cmd_import(int argc, char **argv)
{
    static const char *const formats[] = { "acled", "ucdp", "csv", "geojson", NULL };
    const char *db = cli_default_db(), *gaz_opt = NULL, *report_path = NULL;
    ev_read_opts ro;
    memset(&ro, 0, sizeof(ro));
    column_maps maps = { NULL, 0, 0 };
    import_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ev_geocode_log_init(&ctx.log);
    tempfile report = TEMPFILE_INIT;
    char *err = NULL, *db_name = NULL;
    gaz *g = NULL;
    int status = EXIT_OK, quiet = 0, format = -1;
    struct cli_option options[] = {
        OPT_COLUMN(21),
        OPT_STRING(0, "db", &db, "PATH|URL", "the store (default: $EVENTMAP_DB, else\n"
                                            "output/events.gpkg), created when missing; a\n"
                                            "postgresql:// URL is a PostGIS database"),
        OPT_CHOICE(0, "format", &format, "F", formats, "acled, ucdp, csv or geojson instead of guessing"),
        OPT_CALLBACK(0, "map", &maps, "COLUMN=FIELD", "read COLUMN as FIELD (event_date, location, latitude, ...)",
                     opt_map),
        OPT_BOOL(0, "skip-bad", &ro.skip_bad, "list bad rows and import the rest instead of stopping"),
        OPT_STRING(0, "gazetteer", &gaz_opt, "PATH", "the gazetteer index for geocoding"),
        OPT_STRING(0, "geocode-report", &report_path, "FILE.csv",
                   "write a review of every distinct place: what it became, at\n"
                   "which level, how sure, and the two runners-up, doubtful first"),
        OPT_BOOL(0, "quiet", &quiet, "no summary, and no progress line (which a terminal\n"
                                     "otherwise shows on standard error); errors and the lists\n"
                                     "of rows placed at an area or unlocated still go there"),
        OPT_END()
    };

    argc = parse_options(argc, argv, options, &import_usage, 0);
    if (argc <= 0) {
        if (!argc) usage_with_options(stderr, &import_usage, options);
        status = argc < 0 ? parse_options_exit(argc) : EXIT_USAGE;
        goto cleanup;
    }
    if (format >= 0) ro.format = (ev_format)ev_format_from_name(formats[format]);
    ro.map = maps.v;
    ro.n_map = maps.n;

    char *gpath = cli_gazetteer_path(gaz_opt);
    if (gaz_open(gpath, &g, &err) < 0) {
        fprintf(stderr, "eventmap import: %s; rows without coordinates stay unlocated\n", err);
        free(err);
        err = NULL;
        g = NULL;
    }
    free(gpath);
    ro.gazetteer = g;
    /* one geocoder for every file, for the review of what it made of them;
     * the review's file is made now so that a bad path fails before the
     * store changes */
    ro.geocoder = ev_geocoder_new(g);
    if (report_path && tempfile_create(&report, report_path, NULL, 0, &err) < 0) {
        cli_error("import", "%s", err);
        status = EXIT_FAIL;
        goto cleanup;
    }

    struct stat sst;
    int is_database = store_is_database(db);
    int existed = is_database || stat(db, &sst) == 0;
    db_name = store_display_name(db);
    if (!existed && ensure_parent_dir(db) < 0) {
        cli_error("import", "%s: cannot create its directory: %s", db, strerror(errno));
        status = EXIT_FAIL;
        goto cleanup;
    }
    ev_read_stats total, st;
    memset(&total, 0, sizeof(total));
    int rc = store_open(db, STORE_CREATE, &ctx.st, &err);
    if (rc == 0) rc = store_begin(ctx.st, &err);
    /* on a terminal, the lines of the files read so far of all of them */
    uint64_t *file_lines = xcalloc((size_t)argc + 1, sizeof(*file_lines)), lines = 0;
    if (progress_wanted() && !quiet) {
        for (int i = 0; i < argc; i++) lines += file_lines[i] = cli_count_lines(argv[i]);
        ctx.prog = progress_start("import", "lines", lines, 0);
    }
    for (int i = 0; rc == 0 && i < argc; i++) {
        rc = ev_read(argv[i], &ro, on_event, on_bad, &ctx, &st, &err);
        ctx.lines_before += file_lines[i];
        total.read += st.read;
        total.geocoded += st.geocoded;
        total.unlocated += st.unlocated;
        total.rejected += st.rejected;
    }
    if (rc == 0) crash_point("import:before-commit");
    if (rc == 0) rc = store_commit(ctx.st, &err);
    progress_end(ctx.prog);
    free(file_lines);
    size_t n_events = 0, n_unlocated = 0;
    if (rc == 0) rc = store_count(ctx.st, &n_events, &n_unlocated, &err);
    if (rc < 0) {
        if (ctx.st) store_rollback(ctx.st);
        store_close(ctx.st);
        ctx.st = NULL;
        if (!existed) unlink(db); /* leave nothing behind */
        /* a usage error (--map naming no field) has no FILE: of its own */
        fprintf(stderr, "%s%s\n", rc == EM_EUSAGE && err ? "eventmap import: " : "", err ? err : "eventmap import: failed");
        fprintf(stderr, "eventmap import: nothing imported; %s %s\n", db_name,
                existed ? "is as it was" : "was not created");
        status = rc == EM_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
    } else {
        store_tally tally;
        store_last_tally(ctx.st, &tally);
        ev_geocode_log_write(&ctx.log, stderr);
        size_t n_areas = ctx.log.n_district + ctx.log.n_admin1 + ctx.log.n_country;
        if (!quiet)
            printf("read %zu, new %zu, updated %zu, unchanged %zu, geocoded %zu, unlocated %zu, rejected %zu\n",
                   total.read, tally.added, tally.updated, tally.unchanged, total.geocoded, total.unlocated,
                   total.rejected);
        if (n_areas && !quiet)
            printf("geocoded %zu at a place, %zu at their admin2 or admin3, %zu at their admin1, %zu at their "
                   "country\n", total.geocoded - n_areas, ctx.log.n_district, ctx.log.n_admin1, ctx.log.n_country);
        if (!quiet) printf("store %s: %zu events, %zu of them unlocated\n", db_name, n_events, n_unlocated);
        if (report_path) {
            int bad = ev_geocoder_report(ro.geocoder, tempfile_fp(&report)) < 0;
            if (bad || tempfile_commit(&report, &err) < 0) {
                if (bad) cli_error("import", "%s: cannot write: %s", report_path, strerror(errno));
                else cli_error("import", "%s", err);
                fprintf(stderr, "eventmap import: the events are in %s; the review was not written\n", db_name);
                status = EXIT_FAIL;
            } else {
                if (!quiet) printf("review of the places: %s\n", report_path);
            }
        }
    }
cleanup:
    free(db_name);
    tempfile_abort(&report); /* after a failure: no review */
    ev_geocoder_free(ro.geocoder);
    store_close(ctx.st);
    ev_geocode_log_release(&ctx.log);
    free(err);
    gaz_close(g);
    column_maps_release(&maps);
    return status;
}
