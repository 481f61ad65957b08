/*
 * tiles.c - `eventmap tiles`: an XYZ tile pyramid (z/x/y.png, 256 px,
 * EPSG:3857) of the events over the base map, with tilejson.json,
 * events.geojson and an offline Leaflet viewer beside it, or one MBTiles
 * file instead (--mbtiles).
 *
 * The events are read once (the store or --in, through the filters) into
 * the renderer's in-memory set, written to events.geojson on the way; then
 * the tiles are rendered by --jobs threads (default: one per core) that
 * take the next tile from one shared counter, each drawing into its own
 * view and image while sharing the read-only base map and event set.  Each
 * tile file appears whole (temporary name, rename); --resume skips those
 * already there.  The zooms whose busiest tile holds more events than
 * markers can show are drawn as density for every tile of that zoom, so
 * neighbouring tiles match and a tile's cost follows its pixels.  Anything
 * wrong with the options or the input is found before the first tile is
 * written, and what was made by then is removed again.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli/source.h"
#include "render/render.h"
#include "tiles/tiles_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/crash.h"
#include "util/tempfile.h"
#include "util/banned.h"

static const char tiles_usage[] =
    "usage: eventmap tiles [--db PATH | --in FILE] [filters] [-o DIR | --mbtiles FILE]\n"
    "                      [--zoom MIN-MAX] [--bbox W,S,E,N] [--resume] [--jobs N]\n\n"
    "Renders XYZ map tiles (DIR/z/x/y.png, 256 px, Web Mercator) of the events over\n"
    "the base map, and beside them tilejson.json, events.geojson and index.html, a\n"
    "Leaflet viewer that works offline.  With --mbtiles, one MBTiles 1.3 file instead.\n\n"
    "  -o, --output DIR  the tile directory (default: output/tiles)\n"
    "  --mbtiles FILE    write the tiles into an MBTiles file instead of a directory\n"
    "  --zoom MIN-MAX    zoom levels, 0..22 (default: 0-8); one number for one level\n"
    "  --bbox W,S,E,N    the area to cover, degrees (default: the events' extent\n"
    "                    and 5%)\n"
    "  --resume          keep the tiles already there and render only the missing ones\n"
    "  --jobs N          rendering threads (default: one per core)\n" CLI_SOURCE_USAGE;

/* A run renders at most this many tiles (z0-10 of the whole world is 1.4M). */
#define TILES_MAX_RUN 10000000ull
/* Tiles draw density at a zoom when its busiest tile holds more events than
 * this (the renderer's own threshold for a 256 x 256 image: pixels / 64). */
#define TILES_DENSITY_THRESHOLD ((size_t)RENDER_TILE_PX * RENDER_TILE_PX / 64)
/* The events' extent is widened by this share of its size on every side
 * (and at least TILES_MARGIN_MIN_DEG), so that markers at its edge are
 * whole in the tiles at all but the lowest zooms. */
#define TILES_MARGIN_SHARE 0.05
#define TILES_MARGIN_MIN_DEG 0.01
#define DEFAULT_MIN_ZOOM 0
#define DEFAULT_MAX_ZOOM 8

/* One zoom level of the run. */
typedef struct {
    int zoom;
    uint32_t x0, y0, x1, y1;   /* the tiles, inclusive */
    uint64_t first;            /* index of its first tile among all the run's tiles */
    int density;               /* draw the events as density */
} zoom_span;

/* The pyramid being rendered: read-only while the workers run, but for the
 * atomic counters and the first error. */
typedef struct {
    render_basemap *base;
    const render_events *ev;
    const zoom_span *spans;
    int n_spans;
    uint64_t total;            /* tiles in all spans */
    const char *dir;           /* XYZ directory, or NULL */
    tiles_mbtiles *mbt;        /* or the MBTiles file */
    int resume;
    atomic_uint_fast64_t next; /* the next tile to take */
    atomic_uint_fast64_t n_rendered, n_skipped, png_bytes;
    atomic_int failed;
    atomic_int n_running;      /* workers not yet finished */
    pthread_mutex_t lock;      /* guards err */
    char *err;                 /* the first error */
} pyramid;

/* ------------------------------------------------------------- events */

typedef struct {
    render_events *ev;
    tiles_geojson *gj;         /* events.geojson, or NULL */
} load_ctx;

static int on_event(void *vctx, const ev_event *e, char **err)
{
    load_ctx *c = vctx;
    if (render_events_add(c->ev, e) < 0) {
        *err = xstrdup("internal error: the event set is already finished");
        return -1;
    }
    if (c->gj) tiles_geojson_add(c->gj, e);
    return 0;
}

/* ------------------------------------------------------------ workers */

static void fail(pyramid *p, char *err)
{
    pthread_mutex_lock(&p->lock);
    if (!p->err) {
        p->err = err;
        err = NULL;
    }
    pthread_mutex_unlock(&p->lock);
    free(err);
    atomic_store(&p->failed, 1);
}

static int tile_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

/* Render tile i of the run.  0, or negative with *err. */
static int render_one(pyramid *p, uint64_t i, render_image *img, strbuf *path, char **err)
{
    const zoom_span *s = p->spans;
    while (s + 1 < p->spans + p->n_spans && i >= s[1].first) s++;
    uint64_t k = i - s->first, width = (uint64_t)s->x1 - s->x0 + 1;
    uint32_t x = s->x0 + (uint32_t)(k % width), y = s->y0 + (uint32_t)(k / width);

    if (p->dir) {
        sb_reset(path);
        sb_addf(path, "%s/%d/%u/%u.png", p->dir, s->zoom, x, y);
        if (p->resume && tile_exists(path->buf)) {
            atomic_fetch_add(&p->n_skipped, 1);
            return 0;
        }
    } else if (p->resume && tiles_mbtiles_has(p->mbt, s->zoom, x, y)) {
        atomic_fetch_add(&p->n_skipped, 1);
        return 0;
    }

    render_view *view = NULL;
    int rc = render_view_tile(s->zoom, x, y, &view, err);
    if (rc < 0) return rc;
    render_style st;
    render_style_tile(&st);
    st.events = s->density ? RENDER_EVENTS_DENSITY : RENDER_EVENTS_MARKERS;
    memset(img->rgba, 0, img->stride * (size_t)img->height);
    rc = render_draw(p->base, p->ev, view, &st, img, NULL, err);
    render_view_free(view);
    if (rc < 0) return rc;

    /* a tile is one of thousands: no fsync each, the tree is synced once
     * before the viewer's files publish it; encoded straight into the file
     * (through memory it measured 10% slower) */
    render_png_opts opts = { RENDER_PNG_LEVEL, 1 };
    uint8_t *png = NULL;
    size_t len = 0;
    if (p->dir) {
        tempfile t = TEMPFILE_INIT;
        rc = tempfile_create(&t, path->buf, "tiles:tile-before-rename", TEMPFILE_BATCH, err);
        if (rc == 0) rc = render_png_write(tempfile_fp(&t), path->buf, img, &opts, err);
        if (rc == 0) rc = tempfile_commit(&t, err);
        tempfile_abort(&t);
        struct stat sbuf;
        if (rc == 0 && stat(path->buf, &sbuf) == 0) len = (size_t)sbuf.st_size;
    } else {
        rc = render_png_encode(img, &opts, &png, &len, err);
        if (rc == 0) rc = tiles_mbtiles_put(p->mbt, s->zoom, x, y, png, len, err);
    }
    free(png);
    if (rc == 0) {
        atomic_fetch_add(&p->png_bytes, len);
        atomic_fetch_add(&p->n_rendered, 1);
        crash_point("tiles:after-tiles");
    }
    return rc;
}

static void *worker(void *arg)
{
    pyramid *p = arg;
    render_image img;
    memset(&img, 0, sizeof(img));
    strbuf path = STRBUF_INIT;
    char *err = NULL;
    if (render_image_init(&img, RENDER_TILE_PX, RENDER_TILE_PX, &err) < 0) {
        fail(p, err);
    } else {
        while (!atomic_load(&p->failed)) {
            uint64_t i = atomic_fetch_add(&p->next, 1);
            if (i >= p->total) break;
            if (render_one(p, i, &img, &path, &err) < 0) {
                fail(p, err ? err : xstrdup("cannot render a tile"));
                err = NULL;
                break;
            }
        }
    }
    render_image_release(&img);
    sb_release(&path);
    atomic_fetch_sub(&p->n_running, 1);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the workers; 0, or EXIT_FAIL after printing the first error. */
static int run_pyramid(pyramid *p, int jobs)
{
    pthread_t *threads = xcalloc((size_t)jobs, sizeof(*threads));
    int started = 0;
    atomic_store(&p->n_running, jobs);
    for (; started < jobs; started++) {
        if (pthread_create(&threads[started], NULL, worker, p) != 0) {
            atomic_fetch_sub(&p->n_running, jobs - started);
            if (!started) fail(p, xstrdup("cannot start a rendering thread"));
            break;
        }
    }
    /* progress on a terminal */
    if (started && isatty(STDERR_FILENO)) {
        double last = now_s();
        while (atomic_load(&p->n_running) > 0) {
            struct timespec pause = { 0, 100 * 1000 * 1000 };
            nanosleep(&pause, NULL);
            if (now_s() - last < 1.0) continue;
            last = now_s();
            uint64_t done = atomic_load(&p->n_rendered) + atomic_load(&p->n_skipped);
            fprintf(stderr, "\reventmap tiles: %llu/%llu tiles", (unsigned long long)done,
                    (unsigned long long)p->total);
        }
        fputs("\r\033[K", stderr);
    }
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    if (atomic_load(&p->failed)) {
        cli_error("tiles", "%s", p->err ? p->err : "rendering failed");
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* ----------------------------------------------------------- planning */

/* The spans of zmin..zmax over box, whether each draws density, and the
 * total.  Returns 0, or -1 when the run would be too large. */
static int plan(const geo_bbox *box, int zmin, int zmax, const render_events *ev, zoom_span *spans,
                uint64_t *total)
{
    uint64_t n = 0;
    int dense = 1; /* a zoom can draw density only when the one above does */
    for (int z = zmin; z <= zmax; z++) {
        zoom_span *s = &spans[z - zmin];
        s->zoom = z;
        render_tile_range(z, box, &s->x0, &s->y0, &s->x1, &s->y1);
        s->first = n;
        n += ((uint64_t)s->x1 - s->x0 + 1) * ((uint64_t)s->y1 - s->y0 + 1);
        if (n > TILES_MAX_RUN) {
            *total = n;
            return -1;
        }
        s->density = 0;
        for (uint32_t y = s->y0; dense && !s->density && y <= s->y1; y++)
            for (uint32_t x = s->x0; !s->density && x <= s->x1; x++) {
                geo_bbox tb = render_tile_bounds(z, x, y);
                s->density = render_events_count_in(ev, &tb) > TILES_DENSITY_THRESHOLD;
            }
        dense = s->density;
    }
    *total = n;
    return 0;
}

/* The box of everything the tiles of zoom z over box show, for reading the
 * events they draw (reaching the poles where the tiles reach the edge of
 * Web Mercator's square). */
static geo_bbox coverage(const geo_bbox *box, int z)
{
    uint32_t x0, y0, x1, y1;
    render_tile_range(z, box, &x0, &y0, &x1, &y1);
    geo_bbox nw = render_tile_bounds(z, x0, y0), se = render_tile_bounds(z, x1, y1);
    geo_bbox c = { nw.west_deg, se.south_deg, se.east_deg, nw.north_deg };
    if (y0 == 0) c.north_deg = 90;
    if (y1 == ((uint32_t)1 << z) - 1) c.south_deg = -90;
    return c;
}

/* The events' extent with its margin (see TILES_MARGIN_SHARE). */
static geo_bbox pad_extent(geo_bbox b)
{
    double dx = fmax((b.east_deg - b.west_deg) * TILES_MARGIN_SHARE, TILES_MARGIN_MIN_DEG);
    double dy = fmax((b.north_deg - b.south_deg) * TILES_MARGIN_SHARE, TILES_MARGIN_MIN_DEG);
    b.west_deg = fmax(b.west_deg - dx, -180);
    b.east_deg = fmin(b.east_deg + dx, 180);
    b.south_deg = fmax(b.south_deg - dy, -90);
    b.north_deg = fmin(b.north_deg + dy, 90);
    return b;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* ---------------------------------------------------------------- main */

int cmd_tiles(int argc, char **argv)
{
    enum { OPT_ZOOM = 1, OPT_BBOX, OPT_MBTILES, OPT_RESUME, OPT_JOBS };
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "zoom", required_argument, NULL, OPT_ZOOM },
        { "bbox", required_argument, NULL, OPT_BBOX },
        { "mbtiles", required_argument, NULL, OPT_MBTILES },
        { "resume", no_argument, NULL, OPT_RESUME },
        { "jobs", required_argument, NULL, OPT_JOBS },
        { "help", no_argument, NULL, 'h' },
        CLI_SOURCE_LONG_OPTIONS,
        { NULL, 0, NULL, 0 }
    };
    cli_source src;
    cli_source_init(&src);
    const char *dir = NULL, *mbtiles_path = NULL;
    int zmin = DEFAULT_MIN_ZOOM, zmax = DEFAULT_MAX_ZOOM, resume = 0, has_bbox = 0, c;
    long jobs = sysconf(_SC_NPROCESSORS_ONLN);
    geo_bbox bbox = { 0, 0, 0, 0 };

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (cli_source_option(&src, c, optarg)) continue;
        switch (c) {
        case 'o': dir = optarg; break;
        case OPT_MBTILES: mbtiles_path = optarg; break;
        case OPT_RESUME: resume = 1; break;
        case OPT_ZOOM:
            if (cli_parse_zoom(optarg, &zmin, &zmax) < 0) return EXIT_USAGE;
            break;
        case OPT_BBOX:
            if (cli_parse_bbox("tiles", optarg, 1, &bbox) < 0) return EXIT_USAGE;
            has_bbox = 1;
            break;
        case OPT_JOBS:
            if (cli_parse_int("tiles", "--jobs", optarg, 1, 256, &jobs) < 0) return EXIT_USAGE;
            break;
        case 'h': fputs(tiles_usage, stdout); return EXIT_OK;
        default:
            cli_error("tiles", "unknown option or missing value '%s'", argv[optind - 1]);
            fputs(tiles_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("tiles", "unexpected argument '%s'", argv[optind]);
        return EXIT_USAGE;
    }
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
    char *err = NULL;
    char *data_dir = NULL, *leaflet_dir = NULL;
    render_basemap *base = NULL;
    render_events *ev = NULL;
    tiles_mbtiles *mbt = NULL;
    tiles_dirlist created = { NULL, 0, 0 };
    strbuf path = STRBUF_INIT, gj_path = STRBUF_INIT, name = STRBUF_INIT, description = STRBUF_INIT;
    tempfile gj_out = TEMPFILE_INIT; /* events.geojson */
    FILE *gj_file = NULL;            /* its stream while the events are read */
    zoom_span *spans = NULL;
    const char **type_names = NULL;
    uint8_t (*type_rgb)[3] = NULL;
    pyramid p;
    memset(&p, 0, sizeof(p));
    pthread_mutex_init(&p.lock, NULL);
    double t0 = now_s();

    status = cli_source_prepare(&src, "tiles");
    if (status) goto done;

    /* what the drawing needs: the base map, the reference places, Leaflet */
    data_dir = cli_data_path(".cache/data");
    if (dir) {
        leaflet_dir = cli_data_path(".cache/data/leaflet");
        sb_addf(&path, "%s/leaflet.js", leaflet_dir);
        if (access(path.buf, R_OK) != 0) {
            cli_error("tiles", "%s: cannot open: %s", path.buf, strerror(errno));
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

    /* the output, made now so that an unwritable place fails before the
     * work; everything made here is removed again if the run fails */
    if (dir) {
        if (tiles_mkdirs(dir, &created, &err) < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
            goto done;
        }
        /* what a killed run left under temporary names */
        tempfile_remove_stale(dir, NULL);
        sb_reset(&path);
        sb_addf(&path, "%s/images", dir);
        tempfile_remove_stale(path.buf, NULL);
        sb_addf(&gj_path, "%s/events.geojson", dir);
        if (tempfile_create(&gj_out, gj_path.buf, "tiles:geojson-before-rename", 0, &err) < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
            goto done;
        }
        gj_file = tempfile_fp(&gj_out);
    } else {
        struct stat st;
        if (stat(mbtiles_path, &st) == 0 && S_ISDIR(st.st_mode)) {
            cli_error("tiles", "%s: cannot write: is a directory", mbtiles_path);
            status = EXIT_FAIL;
            goto done;
        }
        if (tiles_mbtiles_open(mbtiles_path, resume, &mbt, &err) < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
            goto done;
        }
    }

    /* the events: those the tiles of the lowest zoom show (all of them
     * without --bbox), into the renderer's set and events.geojson */
    ev = render_events_new();
    load_ctx lc = { ev, gj_file ? tiles_geojson_start(gj_file) : NULL };
    if (gj_file && !lc.gj) {
        cli_error("tiles", "cannot start the thread that writes %s", gj_path.buf);
        status = EXIT_FAIL;
        goto done;
    }
    geo_bbox load_box = has_bbox ? coverage(&bbox, zmin) : bbox;
    /* the whole world (zoom 0) is read faster without the index */
    int use_box = has_bbox && !(load_box.west_deg <= -180 && load_box.east_deg >= 180 && load_box.south_deg <= -90 &&
                                load_box.north_deg >= 90);
    status = cli_source_each(&src, "tiles", use_box ? &load_box : NULL, use_box ? 1 : 0, on_event, &lc);
    long unlocated = tiles_geojson_finish(lc.gj);
    if (gj_file) {
        /* written whole now, renamed with the viewer's files at the end */
        int bad = unlocated < 0 || ferror(gj_file), why = bad ? errno : 0;
        gj_file = NULL;
        if (bad && status == EXIT_OK) {
            cli_error("tiles", "%s: cannot write: %s", gj_path.buf, strerror(why ? why : EIO));
            status = EXIT_FAIL;
        } else if (status == EXIT_OK && tempfile_close(&gj_out, &err) < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
        }
    }
    if (status) goto done;
    render_events_finish(ev);
    size_t n_events = render_events_count(ev);
    if (!has_bbox) {
        if (!render_events_bbox(ev, &bbox)) {
            cli_error("tiles", "no events with coordinates to draw; give --bbox W,S,E,N to draw the base map "
                               "alone");
            status = EXIT_FAIL;
            goto done;
        }
        bbox = pad_extent(bbox);
    }
    if (bbox.north_deg > RENDER_MAX_LAT) bbox.north_deg = RENDER_MAX_LAT;
    if (bbox.south_deg < -RENDER_MAX_LAT) bbox.south_deg = -RENDER_MAX_LAT;
    if (bbox.south_deg > bbox.north_deg) bbox.south_deg = bbox.north_deg; /* a box beyond 85 degrees */

    int n_spans = zmax - zmin + 1;
    spans = xcalloc((size_t)n_spans, sizeof(*spans));
    uint64_t total = 0;
    if (plan(&bbox, zmin, zmax, ev, spans, &total) < 0) {
        cli_error("tiles", "zoom %d-%d over %.4f,%.4f,%.4f,%.4f makes more than %llu tiles; narrow --bbox or "
                           "--zoom", zmin, zmax, bbox.west_deg, bbox.south_deg, bbox.east_deg, bbox.north_deg,
                  TILES_MAX_RUN);
        status = EXIT_USAGE;
        goto done;
    }
    /* the column directories, made before the threads start */
    if (dir) {
        for (int i = 0; i < n_spans && !status; i++)
            for (uint32_t x = spans[i].x0; x <= spans[i].x1 && !status; x++) {
                sb_reset(&path);
                sb_addf(&path, "%s/%d/%u", dir, spans[i].zoom, x);
                if (tiles_mkdirs(path.buf, &created, &err) < 0) {
                    cli_error("tiles", "%s", err);
                    status = EXIT_FAIL;
                } else {
                    tempfile_remove_stale(path.buf, NULL); /* tiles of a killed run */
                }
            }
        if (status) goto done;
    }

    p.base = base;
    p.ev = n_events ? ev : NULL; /* none: the base map alone */
    p.spans = spans;
    p.n_spans = n_spans;
    p.total = total;
    p.dir = dir;
    p.mbt = mbt;
    p.resume = resume;
    if ((uint64_t)jobs > total) jobs = (long)total;
    status = run_pyramid(&p, (int)jobs);
    if (status) goto done;

    /* describe the tileset, then publish it: the viewer's files last */
    if (src.in) sb_addf(&name, "eventmap: %s", base_name(src.in));
    else sb_addf(&name, "eventmap: %s", base_name(src.db));
    sb_addf(&description, "%zu event%s", n_events, n_events == 1 ? "" : "s");
    size_t n_types = render_events_n_types(ev);
    type_names = xcalloc(n_types ? n_types : 1, sizeof(*type_names));
    type_rgb = xcalloc(n_types ? n_types : 1, sizeof(*type_rgb));
    for (size_t i = 0; i < n_types; i++) {
        type_names[i] = render_events_type(ev, i);
        render_type_colour(ev, i, type_rgb[i]);
    }
    tiles_meta meta = {
        name.buf, description.buf, tiles_attribution, bbox, zmin, zmax,
        (bbox.west_deg + bbox.east_deg) / 2, (bbox.south_deg + bbox.north_deg) / 2,
        tiles_fit_zoom(&bbox, zmin, zmax, 1024, 768), n_events,
        type_names, (const uint8_t(*)[3])type_rgb, n_types,
    };
    if (dir) {
        /* the tiles on the disk, then the files that point to them */
        if (tempfile_sync_tree(dir, &err) < 0 || tempfile_commit(&gj_out, &err) < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
            goto done;
        }
        tiles_dirlist_release(&created); /* the tiles are there to stay */
        if (tiles_write_viewer(dir, &meta, leaflet_dir, &err) < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
            goto done;
        }
    } else {
        int rc = tiles_mbtiles_finish(mbt, &meta, &err);
        mbt = NULL;
        if (rc < 0) {
            cli_error("tiles", "%s", err);
            status = EXIT_FAIL;
            goto done;
        }
    }

    fprintf(stderr,
            "eventmap tiles: %llu tile%s, zoom %d-%d, %zu event%s, in %.2f s (%d thread%s); %.1f MB of PNG to %s\n",
            (unsigned long long)atomic_load(&p.n_rendered), atomic_load(&p.n_rendered) == 1 ? "" : "s", zmin,
            zmax, n_events, n_events == 1 ? "" : "s", now_s() - t0, (int)jobs, jobs == 1 ? "" : "s",
            (double)atomic_load(&p.png_bytes) / 1e6, dir ? dir : mbtiles_path);
    if (atomic_load(&p.n_skipped))
        fprintf(stderr, "eventmap tiles: %llu tile%s already there kept (--resume)\n",
                (unsigned long long)atomic_load(&p.n_skipped), atomic_load(&p.n_skipped) == 1 ? "" : "s");
    size_t n_unlocated = render_events_unlocated(ev);
    if (n_unlocated)
        fprintf(stderr, "eventmap tiles: %zu unlocated event%s left out (no coordinates)\n", n_unlocated,
                n_unlocated == 1 ? "" : "s");

done:
    tempfile_abort(&gj_out); /* after a failure: no events.geojson */
    tiles_mbtiles_abort(mbt);
    if (status != EXIT_OK && dir && atomic_load(&p.n_rendered))
        fprintf(stderr, "eventmap tiles: the %llu tiles written are complete; rerun with --resume to go on\n",
                (unsigned long long)atomic_load(&p.n_rendered));
    tiles_rmdirs(&created); /* empty directories only: finished tiles stay */
    free(type_names);
    free(type_rgb);
    free(spans);
    free(err);
    free(p.err);
    pthread_mutex_destroy(&p.lock);
    render_events_free(ev);
    render_basemap_free(base);
    free(data_dir);
    free(leaflet_dir);
    sb_release(&path);
    sb_release(&gj_path);
    sb_release(&name);
    sb_release(&description);
    cli_source_free(&src);
    return status;
}
