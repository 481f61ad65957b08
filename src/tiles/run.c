/*
 * run.c - tiles_run: one run of the pyramid in the order tiles.h gives.
 * The output is made before anything else is done (directories, or the
 * MBTiles file under its temporary name); the events are read once into
 * the renderer's set, events.geojson written on the way; the plan fixes
 * the tiles and the column directories are made before the threads start;
 * then the tiles (pyramid.c), and last what publishes them: the synced
 * tree, events.geojson and the viewer's files, or the MBTiles metadata and
 * the rename.  A failure anywhere undoes what the run made but the tiles
 * written, which are whole and let a rerun with resume go on.
 */
#include "tiles/tiles_int.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/banned.h"

/* What a run holds, released at its end. */
typedef struct {
    const tiles_opts *opts;
    tiles_dirlist created;     /* directories the run made: removed again if it fails */
    strbuf gj_path;            /* DIR/events.geojson */
    tempfile gj_out;           /* its temporary */
    tiles_mbtiles *mbt;        /* or the MBTiles file */
    render_markers *ev;
    geo_bbox bbox;             /* the area the tiles cover */
    tiles_span *spans;         /* one per zoom */
    int n_spans;
    uint64_t total;            /* tiles in all spans */
} tiles_job;

/* ------------------------------------------------------------- output */

/* Made now, so that an unwritable place fails before the work: the
 * directory (and what killed runs left there under temporary names) with
 * events.geojson's temporary, or the MBTiles file. */
static int open_output(tiles_job *j, char **err)
{
    const tiles_opts *o = j->opts;
    if (!o->dir) {
        struct stat st;
        if (stat(o->mbtiles_path, &st) == 0 && S_ISDIR(st.st_mode))
            return em_error(err, EM_EIO, "%s: cannot write: is a directory", o->mbtiles_path);
        return tiles_mbtiles_open(o->mbtiles_path, o->resume, &j->mbt, err);
    }
    int rc = tiles_mkdirs(o->dir, &j->created, err);
    if (rc < 0) return rc;
    strbuf images = STRBUF_INIT;
    sb_addf(&images, "%s/images", o->dir);
    tempfile_remove_stale(o->dir, NULL);
    tempfile_remove_stale(images.buf, NULL);
    sb_release(&images);
    sb_addf(&j->gj_path, "%s/events.geojson", o->dir);
    return tempfile_create(&j->gj_out, j->gj_path.buf, "tiles:geojson-before-rename", 0, err);
}

/* The column directories of every zoom, made before the threads start
 * (with the tiles a killed run left there under temporary names removed). */
static int make_columns(tiles_job *j, char **err)
{
    strbuf path = STRBUF_INIT;
    int rc = 0;
    for (int i = 0; i < j->n_spans && !rc; i++)
        for (uint32_t x = j->spans[i].x0; x <= j->spans[i].x1 && !rc; x++) {
            sb_reset(&path);
            sb_addf(&path, "%s/%d/%u", j->opts->dir, j->spans[i].zoom, x);
            rc = tiles_mkdirs(path.buf, &j->created, err);
            if (!rc) tempfile_remove_stale(path.buf, NULL);
        }
    sb_release(&path);
    return rc;
}

/* ------------------------------------------------------------- events */

typedef struct {
    render_markers *ev;
    tiles_geojson *gj;         /* events.geojson, or NULL */
} load_ctx;

static int on_event(void *vctx, const ev_event *e, char **err)
{
    load_ctx *c = vctx;
    if (render_markers_add(c->ev, e) < 0) {
        *err = xstrdup("internal error: the event set is already finished");
        return -1;
    }
    if (c->gj) tiles_geojson_add(c->gj, e);
    return 0;
}

/* The events the tiles of the lowest zoom show (all of them without a
 * bbox) into j->ev, and into events.geojson, which is then complete under
 * its temporary name (renamed with the viewer's files at the end). */
static int read_events(tiles_job *j, char **err)
{
    const tiles_opts *o = j->opts;
    FILE *gj_file = o->dir ? tempfile_fp(&j->gj_out) : NULL;
    j->ev = render_markers_new();
    load_ctx lc = { j->ev, gj_file ? tiles_geojson_start(gj_file) : NULL };
    if (gj_file && !lc.gj)
        return em_error(err, EM_EINTERNAL, "cannot start the thread that writes %s", j->gj_path.buf);
    geo_bbox load_box = o->has_bbox ? tiles_coverage(&o->bbox, o->min_zoom) : o->bbox;
    /* the whole world (zoom 0) is read faster without the index */
    int use_box = o->has_bbox && !(load_box.west_deg <= -180 && load_box.east_deg >= 180 && load_box.south_deg <= -90 &&
                                   load_box.north_deg >= 90);
    int rc = o->read_events(o->source, use_box ? &load_box : NULL, use_box ? 1 : 0, on_event, &lc, err);
    long unlocated = tiles_geojson_finish(lc.gj);
    if (gj_file) {
        int bad = unlocated < 0 || ferror(gj_file), why = bad ? errno : 0;
        if (bad && rc == 0)
            rc = em_error(err, EM_EIO, "%s: cannot write: %s", j->gj_path.buf, strerror(why ? why : EIO));
        else if (rc == 0)
            rc = tempfile_close(&j->gj_out, err);
    }
    return rc;
}

/* ----------------------------------------------------------- planning */

/* The area (the events' extent with its margin unless the caller gave
 * one, within Web Mercator's latitudes) and the tiles of each zoom. */
static int plan(tiles_job *j, char **err)
{
    const tiles_opts *o = j->opts;
    j->bbox = o->bbox;
    if (!o->has_bbox) {
        if (!render_markers_bbox(j->ev, &j->bbox))
            return em_error(err, EM_EINPUT,
                            "no events with coordinates to draw; give --bbox W,S,E,N to draw the base map alone");
        j->bbox = tiles_pad_extent(j->bbox);
    }
    geo_bbox *b = &j->bbox;
    if (b->north_deg > RENDER_MAX_LAT) b->north_deg = RENDER_MAX_LAT;
    if (b->south_deg < -RENDER_MAX_LAT) b->south_deg = -RENDER_MAX_LAT;
    if (b->south_deg > b->north_deg) b->south_deg = b->north_deg; /* a box beyond 85 degrees */

    j->n_spans = o->max_zoom - o->min_zoom + 1;
    j->spans = xcalloc((size_t)j->n_spans, sizeof(*j->spans));
    if (tiles_plan(b, o->min_zoom, o->max_zoom, j->ev, j->spans, &j->total) < 0)
        return em_error(err, EM_EUSAGE, "zoom %d-%d over %.4f,%.4f,%.4f,%.4f makes more than %llu tiles; narrow "
                        "--bbox or --zoom", o->min_zoom, o->max_zoom, b->west_deg, b->south_deg, b->east_deg,
                        b->north_deg, TILES_MAX_RUN);
    return 0;
}

/* --------------------------------------------------------- publishing */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash[1] ? slash + 1 : path;
}

/* Describe the tileset, then publish it: the tiles on the disk, then the
 * files that point to them (the viewer's last); or the MBTiles file's
 * metadata, and its rename. */
static int publish(tiles_job *j, size_t n_events, char **err)
{
    const tiles_opts *o = j->opts;
    strbuf name = STRBUF_INIT, description = STRBUF_INIT;
    sb_addf(&name, "eventmap: %s", base_name(o->source_name));
    sb_addf(&description, "%zu event%s", n_events, n_events == 1 ? "" : "s");
    size_t n_types = render_markers_n_types(j->ev);
    const char **type_names = xcalloc(n_types ? n_types : 1, sizeof(*type_names));
    uint8_t(*type_rgb)[3] = xcalloc(n_types ? n_types : 1, sizeof(*type_rgb));
    for (size_t i = 0; i < n_types; i++) {
        type_names[i] = render_markers_type(j->ev, i);
        render_type_colour(j->ev, i, type_rgb[i]);
    }
    const geo_bbox *b = &j->bbox;
    tiles_meta meta = {
        name.buf, description.buf, tiles_attribution, *b, o->min_zoom, o->max_zoom,
        (b->west_deg + b->east_deg) / 2, (b->south_deg + b->north_deg) / 2,
        tiles_fit_zoom(b, o->min_zoom, o->max_zoom, 1024, 768), n_events,
        type_names, (const uint8_t(*)[3])type_rgb, n_types,
    };
    int rc;
    if (o->dir) {
        rc = tempfile_sync_tree(o->dir, err);
        if (rc == 0) rc = tempfile_commit(&j->gj_out, err);
        if (rc == 0) {
            tiles_dirlist_release(&j->created); /* the tiles are there to stay */
            rc = tiles_write_viewer(o->dir, &meta, o->leaflet_dir, err);
        }
    } else {
        rc = tiles_mbtiles_finish(j->mbt, &meta, err);
        j->mbt = NULL;
    }
    free(type_names);
    free(type_rgb);
    sb_release(&name);
    sb_release(&description);
    return rc;
}

/* ---------------------------------------------------------------- run */

int tiles_run(const tiles_opts *opts, render_basemap *base, tiles_report *report, char **err)
{
    tiles_job j;
    memset(&j, 0, sizeof(j));
    j.opts = opts;
    j.gj_path = (strbuf)STRBUF_INIT;
    j.gj_out = (tempfile)TEMPFILE_INIT;
    tiles_pyramid p;
    memset(&p, 0, sizeof(p));
    pthread_mutex_init(&p.lock, NULL);
    memset(report, 0, sizeof(*report));
    assert((opts->dir != NULL) != (opts->mbtiles_path != NULL));
    assert(opts->read_events && opts->source_name && opts->min_zoom <= opts->max_zoom);
    int too_many = 0, rc = open_output(&j, err);
    if (rc == 0) rc = read_events(&j, err);
    if (rc < 0) goto cleanup;
    render_markers_finish(j.ev);
    size_t n_events = render_markers_count(j.ev);
    report->n_events = n_events;
    rc = plan(&j, err);
    too_many = rc == EM_EUSAGE;
    if (rc == 0 && opts->dir) rc = make_columns(&j, err);
    if (rc < 0) goto cleanup;

    p.base = base;
    p.ev = n_events ? j.ev : NULL; /* none: the base map alone */
    p.spans = j.spans;
    p.n_spans = j.n_spans;
    p.total = j.total;
    p.dir = opts->dir;
    p.mbt = j.mbt;
    p.resume = opts->resume;
    int jobs = opts->jobs < 1 ? 1 : opts->jobs;
    if ((uint64_t)jobs > j.total) jobs = (int)j.total;
    report->jobs = jobs;
    rc = tiles_render_pyramid(&p, jobs, opts->progress, opts->progress_ctx, err);
    if (rc == 0) rc = publish(&j, n_events, err);

cleanup:
    /* EM_EUSAGE says the options ask for too much; anything else that
     * gives it is the run's own fault */
    if (rc == EM_EUSAGE && !too_many) rc = EM_EINTERNAL;
    tempfile_abort(&j.gj_out); /* after a failure: no events.geojson */
    tiles_mbtiles_abort(j.mbt);
    tiles_rmdirs(&j.created);  /* empty directories only: finished tiles stay */
    report->n_rendered = atomic_load(&p.n_rendered);
    report->n_skipped = atomic_load(&p.n_skipped);
    report->png_bytes = atomic_load(&p.png_bytes);
    report->n_unlocated = j.ev ? render_markers_unlocated(j.ev) : 0;
    free(p.err);
    pthread_mutex_destroy(&p.lock);
    free(j.spans);
    render_markers_free(j.ev);
    sb_release(&j.gj_path);
    return rc;
}
