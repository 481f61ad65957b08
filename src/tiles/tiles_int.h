/*
 * tiles_int.h - private to src/tiles/: the parts of a run (tiles_run, in
 * run.c): the plan and the rendering threads (pyramid.c), and what the
 * pyramid needs beside the renderer (render.h draws and encodes each tile
 * and holds the tile math): the MBTiles 1.3 writer, TileJSON 3.0.0, the
 * offline Leaflet viewer written next to XYZ tiles, events.geojson's
 * writer thread, and the directories a run makes.
 *
 * Tiles are XYZ (Google / OSM order: y = 0 at the north edge) everywhere in
 * this interface; the MBTiles writer flips rows to TMS order itself.  Every
 * file is written to a temporary name and renamed when complete.
 */
#ifndef EVENTMAP_TILES_INT_H
#define EVENTMAP_TILES_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "events/event.h"
#include "geo/geo.h"
#include "render/render.h"
#include "tiles/tiles.h"

/* What describes a tileset in TileJSON, MBTiles metadata and the viewer. */
typedef struct {
    const char *name;          /* "eventmap: seed-events.csv" */
    const char *description;   /* "10 events" */
    const char *attribution;   /* plain text (no markup) */
    geo_bbox bounds;           /* degrees, latitudes within +-RENDER_MAX_LAT */
    int minzoom, maxzoom;
    double center_lon_deg, center_lat_deg;
    int center_zoom;
    size_t n_events;           /* located events drawn (and in events.geojson) */
    const char *const *type_names;  /* the event types present ... */
    const uint8_t (*type_rgb)[3];   /* ... and their marker colours (render_type_colour) */
    size_t n_types;
} tiles_meta;

/* The attribution every tileset carries (plain text). */
extern const char tiles_attribution[];

/* The zoom at which bounds fits a width_px x height_px view, within
 * minzoom..maxzoom: the center zoom of TileJSON and MBTiles. */
int tiles_fit_zoom(const geo_bbox *bounds, int minzoom, int maxzoom, int width_px, int height_px);

/* ----------------------------------------------------------------- MBTiles */

/* An MBTiles 1.3 file being written: SQLite with
 *   metadata(name text, value text)  (unique name)
 *   tiles(zoom_level, tile_column, tile_row, tile_data)  (unique z/x/row)
 * under a temporary name next to path ("PATH.tmp.PID"), renamed to path by
 * tiles_mbtiles_finish.  Rows are stored in TMS order (row 0 at the south
 * edge: tile_row = 2^z - 1 - y). */
typedef struct tiles_mbtiles tiles_mbtiles;

/* Start writing path.  With resume set and path an existing MBTiles file,
 * the new file starts as a copy of it (its tiles count as done:
 * tiles_mbtiles_has); otherwise it starts empty.  Errors: EM_EIO
 * "PATH: cannot create: ...", EM_EINPUT "PATH: not an MBTiles file" (when
 * resuming from something else).  Caller ends with tiles_mbtiles_finish or
 * tiles_mbtiles_abort. */
int tiles_mbtiles_open(const char *path, int resume, tiles_mbtiles **out, char **err);
/* 1 when the file already holds tile zoom/x/y (XYZ), 0 when not. */
int tiles_mbtiles_has(tiles_mbtiles *m, int zoom, uint32_t x, uint32_t y);
/* Store one tile's PNG (XYZ addressing; replaces one already there).  May be
 * called from any thread: calls are serialised inside.  Returns 0 or EM_EIO. */
int tiles_mbtiles_put(tiles_mbtiles *m, int zoom, uint32_t x, uint32_t y, const void *png, size_t len,
                      char **err);
/* Write the metadata (name, format=png, bounds, center, minzoom, maxzoom,
 * attribution, description, type=baselayer, version), commit, close and
 * rename into place.  minzoom and maxzoom are those of the tiles the file
 * holds (a resumed file may hold more zooms than meta names).  Frees m, also on error (the temporary file is then
 * removed).  Returns 0 or EM_EIO. */
int tiles_mbtiles_finish(tiles_mbtiles *m, const tiles_meta *meta, char **err);
/* Give up: close and remove the temporary file; path is left as it was.
 * Frees m; tiles_mbtiles_abort(NULL) is a no-op. */
void tiles_mbtiles_abort(tiles_mbtiles *m);

/* ---------------------------------------------------- TileJSON and viewer */

/* The TileJSON 3.0.0 document of a tileset whose tiles lie at
 * "{z}/{x}/{y}.png" next to it.  Caller frees with free(). */
char *tiles_tilejson(const tiles_meta *meta);

/* Write the offline viewer into dir, which holds the tiles and
 * events.geojson already: tilejson.json, leaflet.js, leaflet.css and
 * images/ copied from leaflet_dir (the leaflet npm package's dist/), and
 * index.html last.  The page fetches nothing from the network; when
 * events.geojson is small it is embedded in the page too, so that it works
 * opened as a file.  Errors (EM_EIO) name the file.  Each file appears
 * atomically; on error files already written stay (they are complete). */
int tiles_write_viewer(const char *dir, const tiles_meta *meta, const char *leaflet_dir, char **err);

/* ---------------------------------------------------- events.geojson */

/* A GeoJSON FeatureCollection (ev_geojson_*) written on a thread of its
 * own: tiles_geojson_add copies the event and returns at once, so the
 * reading goes on while the writing happens.  Memory stays bounded (a few
 * MiB wait at most; add waits when the writer is behind). */
typedef struct tiles_geojson tiles_geojson;

/* Start writing to out (which the caller keeps owning and closes after
 * tiles_geojson_finish).  NULL when the thread cannot start. */
tiles_geojson *tiles_geojson_start(FILE *out);
/* Queue e for writing (copied: its strings may change after the call). */
void tiles_geojson_add(tiles_geojson *w, const ev_event *e);
/* Write what is queued, end the collection and free w.  Returns how many
 * unlocated events were left out, or -1 when a write failed (errno then
 * says why).
 * tiles_geojson_finish(NULL) returns 0. */
long tiles_geojson_finish(tiles_geojson *w);

/* ---------------------------------------------------------------- files */

/* mkdir -p; returns 0 or EM_EIO with "PATH: cannot create: ...".  When
 * created is not NULL, the directories it made are appended to it (each a
 * string the caller frees), outermost first, so that a failed run can remove
 * them again with tiles_rmdirs. */
typedef struct {
    char **paths;
    size_t n, alloc;
} tiles_dirlist;
int tiles_mkdirs(const char *path, tiles_dirlist *created, char **err);
/* rmdir the directories of list, innermost first (those not empty stay), and
 * free the list's strings.  tiles_rmdirs on an empty list is a no-op. */
void tiles_rmdirs(tiles_dirlist *list);
/* Free the list's strings without removing anything. */
void tiles_dirlist_release(tiles_dirlist *list);

/* ------------------------------------------------------------ the plan */

/* One zoom level of a run. */
typedef struct {
    int zoom;
    uint32_t x0, y0, x1, y1;   /* the tiles, inclusive */
    uint64_t first;            /* index of its first tile among all the run's tiles */
    int density;               /* draw the events as density */
} tiles_span;

/* The spans of zooms min_zoom..max_zoom over box (one each, in spans), the
 * zooms that draw density (those whose busiest tile holds more events of
 * ev, finished, than a tile shows as markers, as long as the zoom above
 * does too) and *total, the tiles of all of them.  Returns 0, or -1 when
 * the run would make more than TILES_MAX_RUN tiles (*total then says how
 * many it had counted). */
int tiles_plan(const geo_bbox *box, int min_zoom, int max_zoom, const render_markers *ev, tiles_span *spans,
               uint64_t *total);
/* The box of everything the tiles of zoom z over box show, for reading the
 * events they draw (reaching the poles where the tiles reach the edge of
 * Web Mercator's square). */
geo_bbox tiles_coverage(const geo_bbox *box, int z);
/* The events' extent b widened by 5% of its size on every side (at least
 * 0.01 degrees), within the world, so that markers at its edge are whole
 * in the tiles at all but the lowest zooms. */
geo_bbox tiles_pad_extent(geo_bbox b);

/* ---------------------------------------------------------- the threads */

/* The pyramid being rendered: read-only while the threads run, but for the
 * atomic counters and the first error. */
typedef struct {
    render_basemap *base;
    const render_markers *ev;   /* finished; NULL: the base map alone */
    const tiles_span *spans;
    int n_spans;
    uint64_t total;            /* tiles in all spans */
    const char *dir;           /* XYZ directory (its column directories made), or NULL */
    tiles_mbtiles *mbt;        /* or the MBTiles file */
    int resume;                /* keep the tiles already there */
    atomic_uint_fast64_t next; /* the next tile to take */
    atomic_uint_fast64_t n_rendered, n_skipped, png_bytes;
    atomic_int failed;
    atomic_int n_running;      /* threads not yet finished */
    pthread_mutex_t lock;      /* guards err and err_code */
    char *err;                 /* the first error */
    int err_code;              /* its EM_* code */
} tiles_pyramid;

/* Render every tile of p on jobs threads (1..p->total), calling progress
 * (when not NULL) as tiles.h says.  Returns 0, or the first failure's code
 * (EM_EIO, EM_EINPUT; EM_EINTERNAL for anything else) and message in *err;
 * the other threads stop at their next tile. */
int tiles_render_pyramid(tiles_pyramid *p, int jobs, tiles_progress_fn progress, void *progress_ctx, char **err);

#endif
