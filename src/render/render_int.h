/*
 * render_int.h - what the renderer's files share and nobody else sees: the
 * insides of the base map, the event set and the view, the base map as
 * clipped for one view, and the label collision index.
 */
#ifndef EVENTMAP_RENDER_INT_H
#define EVENTMAP_RENDER_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "render/render.h"

/* ------------------------------------------------------------- base map */

/* A ring or polyline as a run of points in a scale's lon/lat array. */
typedef struct {
    size_t start, n;          /* points xy[2*start .. 2*(start+n)) */
    geo_bbox bbox;
} basemap_run;

/* A polygon: rings[first] its shell, then n_rings - 1 holes. */
typedef struct {
    uint32_t first, n_rings;
    geo_bbox bbox;            /* its shell's */
} basemap_polygon;

typedef struct {
    char *name;               /* properties.name, or NULL */
    uint32_t first, n_polygons; /* into the scale's country polygons */
    geo_bbox bbox;
} basemap_country;

/* One Natural Earth scale as the renderer keeps it: plain arrays, read-only
 * once loaded.  Land and countries are the rings geo's TopoJSON decoder
 * stitched (those of fewer than 4 points left out), each polygon that runs
 * past ±180 twice, the second time 360 degrees over; borders are the arcs two
 * countries share (drawn once each), likewise. */
typedef struct {
    double *xy;               /* every point of every run, lon, lat pairs */
    size_t n_points;
    basemap_run *rings;       /* land rings, then country rings */
    size_t n_rings;
    basemap_polygon *land;    /* polygons of the land object */
    size_t n_land;
    basemap_polygon *country_polys;
    size_t n_country_polys;
    basemap_country *countries;
    size_t n_countries;
    basemap_run *borders;     /* arcs shared by two countries */
    size_t n_borders;
} basemap_scale;

/* Read world-atlas's "land" and "countries" objects of the TopoJSON file at
 * path into *out (zeroed by the caller) with topo_open and topo_read_rings.
 * EM_EIO / EM_EINPUT naming path (topo_open's and topo_read_rings's
 * messages, or "x.json: a coordinate is not a finite number"); on error out
 * is released.  The caller releases out with basemap_scale_release. */
int basemap_scale_read(const char *path, basemap_scale *out, char **err);
/* Free the scale's arrays and zero it; a zeroed scale is a no-op. */
void basemap_scale_release(basemap_scale *s);

typedef struct {
    char *name;               /* display name */
    double lon_deg, lat_deg;
    int64_t population;
    int rank;                 /* 3 capital, 2 admin-1 seat, 1 other */
} render_place;

struct render_basemap {
    char *path_50m, *path_10m;
    basemap_scale s50, s10;
    int loaded_10m;           /* s10 holds data (set under lock) */
    int failed_10m;           /* decoding it failed; don't try again */
    pthread_mutex_t lock;     /* guards loading s10 */
    render_place *places;     /* by rank, then population, descending */
    size_t n_places;
};

/* The base map for one view, in pixels. */
typedef struct {
    double *xy;               /* all points, x, y pairs, pixels */
    size_t n_points, alloc_points;
    size_t *ring_start;       /* ring i is points ring_start[i] .. ring_start[i+1] */
    size_t n_rings, alloc_rings;
} px_paths;

typedef struct {
    px_paths land;            /* polygon rings: even-odd fill, stroked as the coast */
    px_paths borders;         /* polylines */
    struct {
        const char *name;     /* borrowed from the base map */
        double x, y;          /* label point, pixels */
        double area_px;       /* visible area, px^2 */
    } *countries;
    size_t n_countries;
    int used_10m;
} basemap_view;

/* Clip and simplify the base map for v (geo_shape_clip, geo_shape_simplify)
 * and project it to pixels; with want_countries also a label point for each
 * country in view.  Loads the 1:10m data on first need.  Caller releases
 * out. */
int basemap_for_view(render_basemap *b, const render_view *v, int want_countries, basemap_view *out, char **err);
void basemap_view_release(basemap_view *bv);
void px_paths_release(px_paths *p);

/* ---------------------------------------------------------------- events */

struct render_markers {
    render_point *points;
    size_t n, alloc;
    size_t unlocated;
    int finished;
    /* interned strings: type names and labels */
    char **types;
    size_t n_types, alloc_types;
    char **labels;
    size_t n_labels, alloc_labels;
    uint32_t *label_hash;     /* open addressing: label index + 1, 0 empty */
    size_t label_hash_size;
    uint8_t (*colours)[3];    /* per type */
};

/* First point with lon >= lon_deg (the points are sorted once finished). */
size_t markers_lower_bound(const render_markers *ev, double lon_deg);

/* ------------------------------------------------------------------ view */

enum { VIEW_PROJ = 1, VIEW_TILE = 2 };

struct render_view {
    int kind;
    int width, height;
    char *crs;                /* PROJ string */
    /* VIEW_PROJ: pixel = (W/2 + (x - cx) * scale, H/2 - (y - cy) * scale) */
    geo_proj *fwd, *inv;
    double cx, cy, scale;     /* projected centre (m), pixels per metre */
    /* bulk projection by bilinear interpolation on a grid over bounds */
    int grid_n;               /* grid_n x grid_n nodes */
    double *grid_x, *grid_y;  /* pixel coordinates of the nodes */
    double grid_dlon, grid_dlat;
    /* VIEW_TILE */
    int z;
    uint32_t tx, ty;
    double world_px;          /* 256 * 2^z */
    geo_bbox bounds;
    double km_per_px;
};

/* Project n points (lon, lat) to pixels x, y; fast (grid interpolation for
 * overview views, within 0.05 px).  A point that cannot be projected gets
 * NaN. */
void view_project_many(const render_view *v, const double *lon, const double *lat, size_t n, double *x,
                       double *y);

/* ---------------------------------------------------------------- labels */

/* A collision index over boxes in pixels: a uniform grid of buckets. */
typedef struct {
    double cell;              /* bucket side, pixels */
    int nx, ny;
    uint32_t *head;           /* per bucket: first entry + 1, 0 empty */
    struct {
        render_box box;
        uint32_t next;        /* next entry of the bucket + 1 */
    } *entries;
    size_t n_entries, alloc_entries;
    render_box *boxes;        /* every box added, once */
    size_t n_boxes, alloc_boxes;
} collide_index;

void collide_init(collide_index *ci, int width, int height, double cell);
void collide_release(collide_index *ci);
/* 1 when box intersects a box in the index (touching edges do not count). */
int collide_hits(const collide_index *ci, const render_box *box);
void collide_add(collide_index *ci, const render_box *box);

/* Where a label may go around a point marker of radius r: candidate
 * k (0..7: right, left, above-right, below-right, above, below, above-left,
 * below-left) of a w x h box.  Returns 0 past the last candidate. */
int label_candidate(int k, double x, double y, double r, double w, double h, render_box *out);

int render_box_intersects(const render_box *a, const render_box *b);

/* --------------------------------------------------------------- density */

/* Per-pixel bins of events: count and a majority vote on the type. */
typedef struct {
    uint32_t count;
    uint32_t votes;           /* Boyer-Moore counter for type */
    uint16_t type;
} density_bin;

typedef struct {
    int width, height;        /* the image's */
    int pad;                  /* bins reach this far outside the image */
    int stride;               /* bins a row: width + 2 * pad */
    density_bin *bins;
    uint32_t max;
} density_bins;

int density_init(density_bins *d, int width, int height);
/* Events binned at pixel x, y of the image (or of its rim). */
uint32_t density_count(const density_bins *d, int x, int y);
void density_add(density_bins *d, double x, double y, uint16_t type);
/* Opacity (0..1) a bin of count events is painted with. */
double density_alpha(uint32_t count, uint32_t full);
/* Paint the bins over an ARGB32 premultiplied buffer (Cairo's format) of
 * the same size, colours[type] per type; full: the count painted at full
 * strength (0: the busiest bin). */
void density_paint(const density_bins *d, uint32_t full, const uint8_t (*colours)[3], uint8_t *argb, size_t stride);
void density_release(density_bins *d);

/* marker radius in pixels for a number of fatalities */
double marker_radius(int fatalities, double scale);

/* Append "libpng X" to out (render_versions). */
void render_png_version(struct strbuf *out);

#endif
