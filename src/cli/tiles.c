/*
 * tiles.c - `eventmap tiles`: an XYZ tile pyramid (z/x/y.png, 256 px,
 * EPSG:3857) of the events over the base map, with tilejson.json,
 * events.geojson and an offline Leaflet viewer beside it, or one MBTiles
 * file instead (--mbtiles).  This file checks the options and what the
 * drawing needs (the source, Leaflet, the base map and its places), hands
 * the run to tiles_run (src/tiles/) and reports it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli/source.h"
#include "render/render.h"
#include "tiles/tiles.h"
#include "util/error.h"
#include "util/progress.h"
#include "util/banned.h"

static const struct cli_usage tiles_usage = {
    "tiles",
    "usage: eventmap tiles [--db PATH|URL | --in FILE] [filters] [-o DIR | --mbtiles FILE]\n"
    "                      [--zoom MIN-MAX] [--bbox W,S,E,N] [--resume] [--jobs N] [--quiet]\n",
    "Renders XYZ map tiles (DIR/z/x/y.png, 256 px, Web Mercator) of the events over\n"
    "the base map, and beside them tilejson.json, events.geojson and index.html, a\n"
    "Leaflet viewer that works offline.  With --mbtiles, one MBTiles 1.3 file instead.\n",
    NULL
};

#define DEFAULT_MIN_ZOOM 0
#define DEFAULT_MAX_ZOOM 8

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress on a terminal: the tiles made (or kept) of the plan's. */
static void show_progress(void *ctx, uint64_t done, uint64_t total, int finished)
{
    (void)finished; /* the line ends with the run, after the last tiles are published */
    progress_set_total(ctx, total);
    progress_update(ctx, done);
}

int cmd_tiles(int argc, char **argv)
{
    cli_source src;
    cli_source_init(&src);
    const char *dir = NULL, *mbtiles_path = NULL;
    int zoom[2] = { DEFAULT_MIN_ZOOM, DEFAULT_MAX_ZOOM }, resume = 0, has_bbox = 0, quiet = 0;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    geo_bbox bbox = { 0, 0, 0, 0 };
    struct cli_option options[] = {
        OPT_STRING('o', "output", &dir, "DIR", "the tile directory (default: output/tiles)"),
        OPT_STRING(0, "mbtiles", &mbtiles_path, "FILE", "write the tiles into an MBTiles file instead of a directory"),
        OPT_ZOOM("zoom", zoom, "zoom levels, 0..22 (default: 0-8); one number for one level"),
        OPT_BBOX("bbox", &bbox, &has_bbox, 1, "the area to cover, degrees (default: the events' extent\n"
                                              "and 5%)"),
        OPT_BOOL(0, "resume", &resume, "keep the tiles already there and render only the missing ones"),
        OPT_INTEGER(0, "jobs", &jobs, "N", 1, 256, "rendering threads (default: one per core)"),
        OPT_BOOL(0, "quiet", &quiet, "no summary, and no progress line (which a terminal\n"
                                     "otherwise shows on standard error)"),
        OPT_SOURCE(&src),
        OPT_END()
    };

    argc = parse_options(argc, argv, options, &tiles_usage, 0);
    if (argc < 0) return parse_options_exit(argc);
    if (argc > 0) {
        cli_error("tiles", "unexpected argument '%s'", argv[0]);
        return EXIT_USAGE;
    }
    int zmin = zoom[0], zmax = zoom[1];
    if (dir && mbtiles_path) {
        cli_error("tiles", "give -o DIR or --mbtiles FILE, not both");
        return EXIT_USAGE;
    }
    if (!mbtiles_path && !dir) dir = "output/tiles";
    if (dir && !*dir) {
        cli_error("tiles", "-o: the directory name is empty");
        return EXIT_USAGE;
    }
    if (mbtiles_path && !*mbtiles_path) {
        cli_error("tiles", "--mbtiles: the file name is empty");
        return EXIT_USAGE;
    }
    if (jobs < 1) jobs = 1;

    int status = EXIT_OK;
    char *err = NULL, *data_dir = NULL, *leaflet_dir = NULL;
    render_basemap *base = NULL;
    tiles_report report;
    memset(&report, 0, sizeof(report));
    double t0 = now_s();

    status = cli_source_prepare(&src, "tiles");
    if (status) goto done;

    /* what the drawing needs: the base map, the reference places, Leaflet */
    data_dir = cli_data_path(".cache/data");
    if (dir) {
        leaflet_dir = cli_data_path(".cache/data/leaflet");
        if (tiles_check_leaflet(leaflet_dir, &err) < 0) {
            cli_error("tiles", "%s", err);
            fputs("hint: run 'make data' to fetch Leaflet and the base map\n", stderr);
            status = EXIT_FAIL;
            goto done;
        }
    }
    if (render_basemap_load(data_dir, &base, &err) < 0) {
        cli_error("tiles", "%s", err);
        fputs("hint: run 'make data' to fetch the base map\n", stderr);
        status = EXIT_FAIL;
        goto done;
    }
    gaz *g = cli_source_gazetteer(&src, "tiles");
    if (!g) {
        status = EXIT_FAIL;
        goto done;
    }
    if (render_basemap_add_places(base, g, 0, &err) < 0) {
        cli_error("tiles", "%s", err);
        status = EXIT_FAIL;
        goto done;
    }

    tiles_opts run = {
        .dir = dir, .mbtiles_path = mbtiles_path, .leaflet_dir = leaflet_dir,
        .source_name = src.in ? src.in : src.db_title, .min_zoom = zmin, .max_zoom = zmax,
        .has_bbox = has_bbox, .bbox = bbox, .resume = resume, .jobs = (int)jobs,
        .read_events = cli_source_scan, .source = &src,
        .progress = NULL,
    };
    progress *prog = progress_start("tiles", "tiles", 0, quiet);
    if (prog) {
        run.progress = show_progress;
        run.progress_ctx = prog;
    }
    int rc = tiles_run(&run, base, &report, &err);
    progress_end(prog);
    if (rc < 0) {
        cli_error("tiles", "%s", err ? err : "the tiles could not be made");
        status = rc == EM_EUSAGE ? EXIT_USAGE : EXIT_FAIL;
        if (dir && report.n_rendered)
            fprintf(stderr, "eventmap tiles: the %llu tiles written are complete; rerun with --resume to go on\n",
                    (unsigned long long)report.n_rendered);
        goto done;
    }
    if (!quiet)
        fprintf(stderr,
            "eventmap tiles: %llu tile%s, zoom %d-%d, %zu event%s, in %.2f s (%d thread%s); %.1f MB of PNG to %s\n",
            (unsigned long long)report.n_rendered, report.n_rendered == 1 ? "" : "s", zmin, zmax, report.n_events,
            report.n_events == 1 ? "" : "s", now_s() - t0, report.jobs, report.jobs == 1 ? "" : "s",
            (double)report.png_bytes / 1e6, dir ? dir : mbtiles_path);
    if (report.n_skipped && !quiet)
        fprintf(stderr, "eventmap tiles: %llu tile%s already there kept (--resume)\n",
                (unsigned long long)report.n_skipped, report.n_skipped == 1 ? "" : "s");
    if (report.n_unlocated)
        fprintf(stderr, "eventmap tiles: %zu unlocated event%s left out (no coordinates)\n", report.n_unlocated,
                report.n_unlocated == 1 ? "" : "s");

done:
    free(err);
    render_basemap_free(base);
    free(data_dir);
    free(leaflet_dir);
    cli_source_free(&src);
    return status;
}
