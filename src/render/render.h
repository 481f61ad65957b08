/*
 * render.h - the renderer: PNG overview maps and XYZ tiles of events over a
 * Natural Earth base map.  Its whole public surface is here:
 *
 *   render_basemap  land and countries (1:50m and 1:10m, from the world-atlas
 *                   TopoJSON) plus reference places from the gazetteer;
 *                   loaded once, read-only and shared by every thread.
 *   render_markers  a compact in-memory set of located events (coordinates,
 *                   type index, fatalities, location-label index), types and
 *                   labels interned; built from ev_event by a callback that
 *                   fits cli_source_each, then indexed; read-only afterwards.
 *   render_view     lon/lat to pixels: an overview (a local conformal
 *                   projection fitted to a bbox, via PROJ) or an XYZ tile
 *                   (EPSG:3857, 256 px).  One thread at a time.
 *   render_draw     base map + events (+ labels, legend, scale bar, title,
 *                   attribution, per a render_style) into an RGBA image.
 *   render_png_*    libpng encoder (file, atomically, or memory) and reader.
 *   render_preload  the 1:10m data decoded on a thread of its own.
 *
 * Threads: a render_basemap and a finished render_markers may be shared by any
 * number of threads drawing at the same time (nothing in them changes after
 * render_basemap_load / render_markers_finish; the 1:10m data is decoded on
 * first need under an internal lock).  A render_view and a render_image
 * belong to one thread at a time: give each tile its own.  render_draw makes
 * its own geo_ctx (GEOS, through geo.h) and Cairo surface per call.
 *
 * Errors follow util/error.h: 0 or a negative EM_* code, with *err set to a
 * malloc'd message the caller frees.  Every *_free(NULL) / *_release of a
 * zeroed struct is a no-op.
 */
#ifndef EVENTMAP_RENDER_H
#define EVENTMAP_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "events/event.h"
#include "geo/geo.h"

typedef struct gaz gaz; /* gazetteer/gazetteer.h */

/* The attribution every map and tile set carries. */
#define RENDER_ATTRIBUTION "GeoNames (CC BY 4.0), Natural Earth"
/* Web Mercator's latitude limit, degrees: tiles cover [-85.0511, 85.0511]. */
#define RENDER_MAX_LAT 85.05112877980659
#define RENDER_TILE_PX 256
#define RENDER_MAX_ZOOM 22
/* The largest image side render_image_init accepts, in pixels. */
#define RENDER_MAX_SIDE 20000

/* ---------------------------------------------------------------- base map */

typedef struct render_basemap render_basemap;

/* Load the base map from data_dir, which holds world-atlas's
 * countries-50m.json and countries-10m.json (as `make` fetches them into
 * .cache/data; each holds the "land" object too, over the same arcs, so
 * land-*.json is not needed).  1:50m is read now (~40 ms); 1:10m is checked
 * to exist now and decoded on the first draw that needs it (~90 ms,
 * thread-safe).  1:10m is drawn when a pixel is under 4 km on the ground.
 * Errors name the file (EM_EIO, EM_EINPUT).  Caller frees *out with
 * render_basemap_free. */
int render_basemap_load(const char *data_dir, render_basemap **out, char **err);

/* Decode the 1:10m data now instead of at the first draw that needs it
 * (worth doing in a second thread while the events load).
 * Thread-safe; a no-op once done.  EM_EIO / EM_EINPUT naming the file. */
int render_basemap_load_detail(render_basemap *b, char **err);

/* The 1:10m data decoded (render_basemap_load_detail) on a thread of its
 * own, so that the work overlaps the caller's (reading the events) instead
 * of delaying the first draw that needs it. */
typedef struct render_preload render_preload;
/* Start decoding b's 1:10m data; b must stay until render_preload_finish.
 * NULL when no thread could start: the data is then decoded at the first
 * draw that needs it, as without a preload. */
render_preload *render_preload_start(render_basemap *b);
/* Wait for the decoding and free p.  0, or render_basemap_load_detail's
 * error (EM_EIO, EM_EINPUT naming the file) with *err.
 * render_preload_finish(NULL, err) returns 0. */
int render_preload_finish(render_preload *p, char **err);

/* Take reference places from the gazetteer: the capital, governorate
 * (admin-1) seats and populated places of at least min_population people
 * (0: a default of 50000), with their display names, to be drawn and
 * labelled a few at a time by rank (capital, seat, population) as the scale
 * allows.  Call before sharing b between threads.  g may be closed
 * afterwards (names are copied). */
int render_basemap_add_places(render_basemap *b, const gaz *g, int64_t min_population, char **err);

/* Number of reference places taken. */
size_t render_basemap_n_places(const render_basemap *b);

void render_basemap_free(render_basemap *b);

/* ------------------------------------------------------------------ events */

typedef struct render_markers render_markers;

/* One event as the renderer keeps it (24 bytes). */
typedef struct {
    double lon_deg, lat_deg;  /* WGS 84 */
    uint32_t label;           /* index of its location name, render_markers_label */
    uint16_t type;            /* index of its event_type, render_markers_type */
    uint16_t fatalities;      /* clamped to 65535 */
} render_point;

/* An empty set.  Caller frees with render_markers_free. */
render_markers *render_markers_new(void);

/* Add one event; an unlocated event is skipped (and counted).  event_type
 * and location are interned (a location is matched regardless of ASCII case,
 * so "al-Dumair" and "Al-Dumair" share a label, spelled as first seen).
 * Returns 0, or EM_EUSAGE after render_markers_finish. */
int render_markers_add(render_markers *ev, const ev_event *e);

/* The same, from bare fields (for a lean store query).  type and location
 * may be NULL or "". */
int render_markers_add_point(render_markers *ev, double lon_deg, double lat_deg, const char *type,
                            const char *location, int fatalities);

/* A cli_event_fn / store_event_fn: ctx is a render_markers *.  Always returns
 * 0 (events past render_markers_finish are an error: -1 with *err). */
int render_markers_add_cb(void *ctx, const ev_event *e, char **err);

/* Index the set for drawing: sorts the points by longitude (their order in
 * render_markers_points changes).  After this the set is read-only and may
 * be shared between threads.  Idempotent. */
void render_markers_finish(render_markers *ev);

size_t render_markers_count(const render_markers *ev);
/* Events skipped by render_markers_add because they had no coordinates. */
size_t render_markers_unlocated(const render_markers *ev);
/* The points (borrowed, valid until render_markers_free). */
const render_point *render_markers_points(const render_markers *ev, size_t *n);
/* Interned event types and location names.  Borrowed, valid until
 * render_markers_free.  Index out of range gives NULL. */
size_t render_markers_n_types(const render_markers *ev);
const char *render_markers_type(const render_markers *ev, size_t type);
size_t render_markers_n_labels(const render_markers *ev);
const char *render_markers_label(const render_markers *ev, size_t label);
/* Bounding box of the points; 0 when there are none (then *out is untouched),
 * 1 otherwise. */
int render_markers_bbox(const render_markers *ev, geo_bbox *out);
/* Number of points inside box (edges inclusive); needs render_markers_finish.
 * Fast (an index range plus a latitude test), for deciding per zoom whether
 * tiles draw markers or density. */
size_t render_markers_count_in(const render_markers *ev, const geo_bbox *box);

void render_markers_free(render_markers *ev);

/* The marker colour of an event type: a fixed colour-blind-safe palette
 * (Okabe & Ito 2008) keyed by ACLED's six event types, others in the order
 * first seen, then grey.  rgb[] gets 0..255 values. */
void render_type_colour(const render_markers *ev, size_t type, uint8_t rgb[3]);

/* -------------------------------------------------------------------- view */

typedef struct render_view render_view;

/* A view fitted to bbox (west <= east, south <= north, degrees; a point or a
 * tiny box is widened to at least ~20 km) on a width_px x height_px image:
 * a conformal projection centred on the box and chosen for its extent
 * (Lambert conformal conic with standard parallels at 1/6 and 5/6 of the
 * latitude span; Mercator near the equator; polar stereographic near a
 * pole; see view.c), north up, scaled so that the whole box fits inside the
 * image less margin_px on every side, centred.  EM_EUSAGE for a bad bbox or
 * size (1..RENDER_MAX_SIDE), EM_EINTERNAL when PROJ fails.  Caller frees
 * *out with render_view_free. */
int render_view_overview(const geo_bbox *bbox, int width_px, int height_px, int margin_px,
                         render_view **out, char **err);

/* The view of XYZ tile z/x/y (y from the north, as in OSM/Leaflet),
 * RENDER_TILE_PX square, EPSG:3857 (computed in closed form, no PROJ).
 * EM_EUSAGE when z > RENDER_MAX_ZOOM or x, y >= 2^z. */
int render_view_tile(int z, uint32_t x, uint32_t y, render_view **out, char **err);

void render_view_free(render_view *v);

int render_view_width(const render_view *v);
int render_view_height(const render_view *v);
/* lon/lat (degrees) to pixel coordinates (x right, y down, (0,0) the top
 * left corner of the top left pixel; a pixel's centre is at +0.5).  Returns
 * 0, or -1 when the point cannot be projected (then x, y are NaN). */
int render_view_project(const render_view *v, double lon_deg, double lat_deg, double *x_px, double *y_px);
/* The inverse: pixel to lon/lat.  Returns 0 or -1. */
int render_view_unproject(const render_view *v, double x_px, double y_px, double *lon_deg, double *lat_deg);
/* A lon/lat box holding everything the image shows. */
geo_bbox render_view_bounds(const render_view *v);
/* Ground distance of one pixel at the image centre, in km (geodesic). */
double render_view_km_per_px(const render_view *v);
/* The projection, as a PROJ string ("+proj=lcc ..."; "EPSG:3857" for tiles).
 * Borrowed, valid until render_view_free. */
const char *render_view_crs(const render_view *v);

/* ------------------------------------------------------------- tile math */

/* The lon/lat bounds of tile z/x/y (north edge clamped at RENDER_MAX_LAT). */
geo_bbox render_tile_bounds(int z, uint32_t x, uint32_t y);
/* The tile at zoom z holding lon/lat (latitude clamped to +-RENDER_MAX_LAT,
 * longitude 180 in the last column). */
void render_tile_at(int z, double lon_deg, double lat_deg, uint32_t *x, uint32_t *y);
/* The inclusive tile range covering box at zoom z. */
void render_tile_range(int z, const geo_bbox *box, uint32_t *x_min, uint32_t *y_min, uint32_t *x_max,
                       uint32_t *y_max);

/* ------------------------------------------------------------------- image */

/* An image in memory: straight (not premultiplied) RGBA, 8 bits a channel,
 * rows top to bottom. */
typedef struct {
    int width, height;     /* pixels */
    size_t stride;         /* bytes per row (width * 4) */
    uint8_t *rgba;         /* owned; width * height * 4 bytes */
} render_image;

/* Allocate an image (contents zero: transparent black).  EM_EUSAGE when a
 * side is outside 1..RENDER_MAX_SIDE.  Release with render_image_release. */
int render_image_init(render_image *img, int width, int height, char **err);
void render_image_release(render_image *img);

/* ------------------------------------------------------------------- style */

typedef enum {
    RENDER_LABELS_AUTO = 0,  /* event places by importance and reference places, as many as fit */
    RENDER_LABELS_NONE,      /* no labels at all */
    RENDER_LABELS_ALL        /* every event place that fits (no count cap), and reference places */
} render_label_mode;

typedef enum {
    RENDER_EVENTS_AUTO = 0,  /* markers, or density when there are too many (see density_threshold) */
    RENDER_EVENTS_MARKERS,
    RENDER_EVENTS_DENSITY
} render_event_mode;

typedef struct {
    const char *title;           /* NULL or "": no title */
    const char *subtitle;        /* a second, smaller line under the title, or NULL */
    const char *attribution;     /* NULL: none */
    render_label_mode labels;
    render_event_mode events;
    /* AUTO draws density when the events in view exceed this many (0: the
     * default, image pixels / 128, i.e. 15000 for 1600x1200 and 512 for a
     * tile - beyond that markers mostly cover each other) */
    size_t density_threshold;
    /* density colour: a pixel bin with this many events is drawn at full
     * strength (log scale); 0 scales to the busiest bin in the view.  Tiles
     * should give a fixed value so neighbouring tiles match. */
    uint32_t density_full;
    int legend;                  /* draw the legend (event types present, marker sizes) */
    int scale_bar;               /* draw a scale bar in km */
    int places;                  /* draw the basemap's reference places */
    int frame;                   /* a thin neat line around the map */
    double marker_scale;         /* 1 = default marker sizes */
} render_style;

/* Defaults for an overview map: title none, attribution RENDER_ATTRIBUTION,
 * labels AUTO, events AUTO, legend, scale bar, places and frame on. */
void render_style_overview(render_style *st);
/* Defaults for a tile: no title, legend, scale bar, frame, attribution or
 * event labels (the viewer shows those); reference places on (a dot and
 * its name, where the name fits inside the tile); density_full 64;
 * markers at 0.8 scale. */
void render_style_tile(render_style *st);

/* ---------------------------------------------------------------- drawing */

enum { RENDER_LABEL_EVENT = 1, RENDER_LABEL_PLACE = 2, RENDER_LABEL_COUNTRY = 3 };

/* A box in pixels, x0 < x1, y0 < y1. */
typedef struct {
    double x0, y0, x1, y1;
} render_box;

/* One label placed on the map. */
typedef struct {
    char *text;              /* owned by the render_info */
    int kind;                /* RENDER_LABEL_EVENT, _PLACE or _COUNTRY */
    double anchor_x, anchor_y; /* the labelled point, pixels */
    render_box box;          /* the text's ink box with its halo, pixels */
} render_label;

/* What render_draw did, for callers and tests. */
typedef struct {
    size_t n_in_view;        /* events inside the image (incl. the marker-radius rim) */
    int density;             /* 1 when the events were drawn as density */
    render_label *labels;    /* placed labels */
    size_t n_labels;
    render_box *markers;     /* boxes of the markers drawn (with halo); none for density */
    size_t n_markers;
    render_box *panels;      /* title, legend, scale bar and attribution boxes */
    size_t n_panels;
    int scale_km;            /* the scale bar's length in km, 0 when none */
    int used_10m;            /* 1 when the 1:10m base map was drawn */
} render_info;

/* Draw the base map, then the events (markers or density), then labels,
 * legend, scale bar, title and attribution as st says, into img (which
 * must have the view's size).  b may be NULL (sea only); ev may be NULL
 * (base map only) and must be finished; places come from b; st NULL means
 * render_style_overview's defaults.  info may be NULL; otherwise the caller
 * releases it with render_info_release.  Thread-safe for distinct views and
 * images (see the top of this file).  Errors: EM_EUSAGE (size mismatch,
 * unfinished events), EM_EIO (1:10m data unreadable), EM_EINTERNAL. */
int render_draw(render_basemap *b, const render_markers *ev, const render_view *v, const render_style *st,
                render_image *img, render_info *info, char **err);

void render_info_release(render_info *info);

/* ------------------------------------------------------------------- PNG */

typedef struct {
    int level;     /* zlib level 0..9, -1: the default (RENDER_PNG_LEVEL) */
    int palette;   /* 1: write an 8-bit palette PNG when the image has at most
                    * 256 distinct colours (lossless; tiles of sea or land) */
} render_png_opts;

/* The default zlib level, chosen by measurement (see png.c); rows are
 * written unfiltered, which measured smallest on maps. */
#define RENDER_PNG_LEVEL 6

/* Encode img as PNG (8-bit RGBA, or RGB when fully opaque, or palette) to
 * out (flushed; a file is written whole through util/tempfile.h).  opts
 * may be NULL.  EM_EIO with "NAME: cannot write: ..." on failure (name is
 * what the message calls out). */
int render_png_write(FILE *out, const char *name, const render_image *img, const render_png_opts *opts, char **err);
/* Encode img as PNG to the file path, whole or not at all: through a
 * tempfile (util/tempfile.h) with flags (TEMPFILE_*) and the crash point
 * point passed before its rename.  opts may be NULL.  EM_EIO naming path. */
int render_png_save(const char *path, const render_image *img, const render_png_opts *opts, const char *point,
                    unsigned flags, char **err);
/* The same into memory (for MBTiles): *out malloc'd, caller frees with
 * free(). */
int render_png_encode(const render_image *img, const render_png_opts *opts, uint8_t **out, size_t *len,
                      char **err);
/* Decode a PNG file (any colour type, expanded) into img as RGBA.  For tests
 * and tools.  Caller releases img with render_image_release. */
int render_png_read(const char *path, render_image *img, char **err);

/* Append the versions of Cairo, Pango and libpng this program runs on to
 * out, after ", " when out is not empty. */
struct strbuf;
void render_versions(struct strbuf *out);

#endif
