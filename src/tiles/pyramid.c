/*
 * pyramid.c - which tiles a run makes, and the threads that make them.  The
 * plan gives each zoom its range of tiles over the area and decides, per
 * zoom, markers or density: a zoom whose busiest tile holds more events
 * than markers can show draws density in every tile, so that neighbouring
 * tiles match and a tile's cost follows its pixels.  The threads share the
 * read-only base map and event set and take the next tile from one atomic
 * counter; each draws into its own view and image and writes the tile
 * whole (a temporary name, then the rename; or a row of the MBTiles file).
 * With resume a tile already there is kept.  The first failure stops them
 * all at their next tile.
 */
#include "tiles/tiles_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util/crash.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/banned.h"

/* Tiles draw density at a zoom when its busiest tile holds more events than
 * this (the renderer's own threshold for a 256 x 256 image: pixels / 64). */
#define TILES_DENSITY_THRESHOLD ((size_t)RENDER_TILE_PX * RENDER_TILE_PX / 64)
/* The events' extent is widened by this share of its size on every side
 * (and at least TILES_MARGIN_MIN_DEG). */
#define TILES_MARGIN_SHARE 0.05
#define TILES_MARGIN_MIN_DEG 0.01

/* ----------------------------------------------------------- planning */

int tiles_plan(const geo_bbox *box, int min_zoom, int max_zoom, const render_markers *ev, tiles_span *spans,
               uint64_t *total)
{
    uint64_t n = 0;
    int dense = 1; /* a zoom can draw density only when the one above does */
    for (int z = min_zoom; z <= max_zoom; z++) {
        tiles_span *s = &spans[z - min_zoom];
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
                s->density = render_markers_count_in(ev, &tb) > TILES_DENSITY_THRESHOLD;
            }
        dense = s->density;
    }
    *total = n;
    return 0;
}

geo_bbox tiles_coverage(const geo_bbox *box, int z)
{
    uint32_t x0, y0, x1, y1;
    render_tile_range(z, box, &x0, &y0, &x1, &y1);
    geo_bbox nw = render_tile_bounds(z, x0, y0), se = render_tile_bounds(z, x1, y1);
    geo_bbox c = { nw.west_deg, se.south_deg, se.east_deg, nw.north_deg };
    if (y0 == 0) c.north_deg = 90;
    if (y1 == ((uint32_t)1 << z) - 1) c.south_deg = -90;
    return c;
}

geo_bbox tiles_pad_extent(geo_bbox b)
{
    double dx = fmax((b.east_deg - b.west_deg) * TILES_MARGIN_SHARE, TILES_MARGIN_MIN_DEG);
    double dy = fmax((b.north_deg - b.south_deg) * TILES_MARGIN_SHARE, TILES_MARGIN_MIN_DEG);
    b.west_deg = fmax(b.west_deg - dx, -180);
    b.east_deg = fmin(b.east_deg + dx, 180);
    b.south_deg = fmax(b.south_deg - dy, -90);
    b.north_deg = fmin(b.north_deg + dy, 90);
    return b;
}

/* ------------------------------------------------------------ threads */

/* Keep err (with its EM_* code) as the run's first error, or free it, and
 * stop the threads. */
static void fail(tiles_pyramid *p, int code, char *err)
{
    pthread_mutex_lock(&p->lock);
    if (!p->err) {
        p->err = err;
        p->err_code = code;
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
static int render_one(tiles_pyramid *p, uint64_t i, render_image *img, strbuf *path, char **err)
{
    const tiles_span *s = p->spans;
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
        rc = render_png_save(path->buf, img, &opts, "tiles:tile-before-rename", TEMPFILE_BATCH, err);
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
    tiles_pyramid *p = arg;
    render_image img;
    memset(&img, 0, sizeof(img));
    strbuf path = STRBUF_INIT;
    char *err = NULL;
    int rc = render_image_init(&img, RENDER_TILE_PX, RENDER_TILE_PX, &err);
    if (rc < 0) {
        fail(p, rc, err);
    } else {
        while (!atomic_load(&p->failed)) {
            uint64_t i = atomic_fetch_add(&p->next, 1);
            if (i >= p->total) break;
            if ((rc = render_one(p, i, &img, &path, &err)) < 0) {
                fail(p, rc, err ? err : xstrdup("cannot render a tile"));
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

int tiles_render_pyramid(tiles_pyramid *p, int jobs, tiles_progress_fn progress, void *progress_ctx, char **err)
{
    pthread_t *threads = xcalloc((size_t)jobs, sizeof(*threads));
    int started = 0;
    atomic_store(&p->n_running, jobs);
    for (; started < jobs; started++) {
        if (pthread_create(&threads[started], NULL, worker, p) != 0) {
            atomic_fetch_sub(&p->n_running, jobs - started);
            if (!started) fail(p, EM_EINTERNAL, xstrdup("cannot start a rendering thread"));
            break;
        }
    }
    if (started && progress) {
        while (atomic_load(&p->n_running) > 0) {
            struct timespec pause = { 0, 100 * 1000 * 1000 };
            nanosleep(&pause, NULL);
            progress(progress_ctx, atomic_load(&p->n_rendered) + atomic_load(&p->n_skipped), p->total, 0);
        }
        progress(progress_ctx, atomic_load(&p->n_rendered) + atomic_load(&p->n_skipped), p->total, 1);
    }
    for (int i = 0; i < started; i++) pthread_join(threads[i], NULL);
    free(threads);
    if (!atomic_load(&p->failed)) return 0;
    /* EM_EUSAGE is the caller's: a tile's is the pyramid's own fault */
    int code = p->err_code < 0 && p->err_code != EM_EUSAGE ? p->err_code : EM_EINTERNAL;
    return em_error(err, code, "%s", p->err ? p->err : "rendering failed");
}
