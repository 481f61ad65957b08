/*
 * tiles.h - the tile pyramid: XYZ tiles (DIR/z/x/y.png, 256 px, EPSG:3857)
 * of the events over the base map, with tilejson.json, events.geojson and
 * an offline Leaflet viewer beside them, or one MBTiles 1.3 file instead.
 * Its public surface is tiles_run, which makes one run, and
 * tiles_check_leaflet, which a caller asks first.  A run, in order:
 *
 *   the output  made first (the directories, or the MBTiles file under a
 *               temporary name), so that an unwritable place fails before
 *               the work; what the run made is removed again if it fails
 *   the events  read once, through the caller's source, into the
 *               renderer's set, and written to events.geojson on the way
 *               (on a thread of its own)
 *   the plan    the tiles of each zoom over the area (--bbox, or the
 *               events' extent and a margin), and which zooms draw density:
 *               those whose busiest tile holds more events than markers can
 *               show, for every tile of the zoom, so that neighbours match
 *   the tiles   rendered by jobs threads that take the next tile from one
 *               counter, each drawing into its own view and image; each
 *               tile file appears whole (temporary name, rename); with
 *               resume the tiles already there are kept
 *   publishing  the tree synced, then events.geojson, TileJSON and the
 *               viewer renamed into place last; or the MBTiles metadata
 *               written and the file renamed
 *
 * Crash points (util/crash.h): tiles:after-tiles (after each tile),
 * tiles:tile-before-rename, tiles:geojson-before-rename,
 * tiles:viewer-before-rename and tiles:mbtiles-before-rename.
 */
#ifndef EVENTMAP_TILES_H
#define EVENTMAP_TILES_H

#include <stddef.h>
#include <stdint.h>

#include "events/event.h"
#include "geo/geo.h"
#include "render/render.h"

/* A run renders at most this many tiles (z0-10 of the whole world is 1.4M). */
#define TILES_MAX_RUN 10000000ull

/* How tiles_run reads the events: hand each one passing the caller's
 * filters to fn (strings borrowed for the call), only those inside one of
 * boxes when n_boxes > 0 (boxes never cross the antimeridian); fn returns
 * 0 to go on, negative with *err to stop.  Returns 0, or negative with *err
 * (fn's error, or the source's own). */
typedef int (*tiles_event_fn)(void *ctx, const ev_event *e, char **err);
typedef int (*tiles_source_fn)(void *source, const geo_bbox *boxes, size_t n_boxes, tiles_event_fn fn, void *ctx,
                               char **err);

/* Called ten times a second while the tiles render (from the thread that
 * called tiles_run), with the tiles done (rendered or kept) of all the
 * run's, and once more with finished 1 when the threads have stopped. */
typedef void (*tiles_progress_fn)(void *ctx, uint64_t done, uint64_t total, int finished);

typedef struct {
    const char *dir;           /* the XYZ directory (tiles, events.geojson, viewer) ... */
    const char *mbtiles_path;  /* ... or the MBTiles file: exactly one of the two */
    const char *leaflet_dir;   /* with dir: Leaflet's dist/ (tiles_check_leaflet) */
    const char *source_name;   /* the events' file or store: the tileset is "eventmap: BASENAME" */
    int min_zoom, max_zoom;    /* 0..RENDER_MAX_ZOOM, min_zoom <= max_zoom */
    int has_bbox;              /* bbox says the area; else the events' extent and 5% */
    geo_bbox bbox;             /* degrees, west <= east, south <= north */
    int resume;                /* keep the tiles already there */
    int jobs;                  /* rendering threads, >= 1 (no more than there are tiles) */
    tiles_source_fn read_events;
    void *source;              /* read_events' first argument */
    tiles_progress_fn progress; /* NULL: none */
    void *progress_ctx;
} tiles_opts;

/* What a run did (filled in also when it fails). */
typedef struct {
    uint64_t n_rendered;       /* tiles rendered and written */
    uint64_t n_skipped;        /* tiles already there, kept (resume) */
    uint64_t png_bytes;        /* of the tiles written */
    size_t n_events;           /* located events drawn (and in events.geojson) */
    size_t n_unlocated;        /* events left out for want of coordinates */
    int jobs;                  /* the threads that rendered */
} tiles_report;

/* That Leaflet's files are where the viewer copies them from: 0, or EM_EIO
 * "DIR/leaflet.js: cannot open: REASON". */
int tiles_check_leaflet(const char *leaflet_dir, char **err);

/* Make the pyramid opts asks for over base (loaded, with its places added;
 * read-only during the run), from the events opts->read_events hands over,
 * as the top of this file says.  Fills *report (not NULL).  Returns 0;
 * EM_EUSAGE when the run would make more than TILES_MAX_RUN tiles (the
 * message says to narrow --bbox or --zoom); otherwise EM_EIO, EM_EINPUT or
 * EM_EINTERNAL: the output cannot be made or written, the events cannot be
 * read (the source's message), there are no located events and no bbox,
 * or a tile failed (the first failure's message).  After a failure the
 * tiles written stay (whole, for resume); events.geojson, the viewer's
 * files, the MBTiles file and the empty directories the run made do not. */
int tiles_run(const tiles_opts *opts, render_basemap *base, tiles_report *report, char **err);

#endif
