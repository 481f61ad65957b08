/*
 * geo.h - the geometry the whole program shares: true distances on the WGS 84
 * ellipsoid and coordinate transformations (PROJ, in proj.c); shapes with
 * point-in-polygon tests, representative points and WKB storage, and the
 * clipping and simplifying that drawing needs (GEOS, in geos.c); and the one
 * TopoJSON decoder, for the Natural Earth base map and the gazetteer's
 * country polygons (topojson.c).  Nothing outside src/geo/ includes a PROJ or
 * GEOS header.
 *
 * Coordinates are degrees on WGS 84.  Where a shape meets text (WKT, WKB) the
 * order is GEOS's and GeoJSON's: x = longitude, y = latitude.  The drawing
 * operations (geo_shape_polygon, _clip, _simplify, _paths, _area,
 * _inscribed_centre) are planar and take any unit: the renderer also uses
 * them on pixels.
 *
 * Threads: geo_distance_km may be called from any thread.  A geo_ctx, the
 * shapes made with it and a geo_proj are each used by one thread at a time;
 * give every thread its own.
 */
#ifndef EVENTMAP_GEO_H
#define EVENTMAP_GEO_H

#include <stddef.h>

typedef struct {
    double lat_deg, lon_deg;
} geo_point;

typedef struct {
    double west_deg, south_deg, east_deg, north_deg; /* min lon, min lat, max lon, max lat */
} geo_bbox;

/* ------------------------------------------------------------------ PROJ */

/* Geodesic (shortest path on the WGS 84 ellipsoid) distance between a and b
 * in kilometres, by PROJ's geod_inverse.  Latitudes must lie in [-90, 90]
 * (NaN otherwise); longitudes may be any value.  Thread-safe. */
double geo_distance_km(geo_point a, geo_point b);

/* Boxes that together hold every point within km (geodesic) of c, for an
 * index search whose answers are then checked with geo_distance_km: one box,
 * or two when the circle crosses the antimeridian (never crossing it
 * themselves), or a band of every longitude when it reaches a pole.
 * Returns how many of out[] it filled. */
size_t geo_circle_boxes(geo_point c, double km, geo_bbox out[2]);

/* A coordinate transformation between two CRSs, e.g. "EPSG:4326" to
 * "EPSG:3857".  Axis order is always x = easting/longitude, y =
 * northing/latitude, whatever the CRS definition says. */
typedef struct geo_proj geo_proj;

/* Create the transformation from src_crs to dst_crs (any string PROJ accepts:
 * "EPSG:4326", a PROJ string, WKT).  Returns NULL and sets *err when PROJ
 * does not know a CRS or finds no way between them.  Caller frees with
 * geo_proj_free. */
geo_proj *geo_proj_new(const char *src_crs, const char *dst_crs, char **err);
/* Transform n points in place: x[i], y[i] in, x[i], y[i] out.  Returns 0, or
 * EM_EINPUT and sets *err when a point cannot be transformed (that point is
 * left as HUGE_VAL; the others are transformed). */
int geo_proj_forward(geo_proj *proj, double *x, double *y, size_t n, char **err);
/* Free proj; geo_proj_free(NULL) is a no-op. */
void geo_proj_free(geo_proj *proj);

/* ------------------------------------------------------------------ GEOS */

/* Owns a GEOS context handle.  Messages from GEOS's error handler are kept
 * here and handed back through the char **err of the call that failed. */
typedef struct geo_ctx geo_ctx;

/* A new context; caller frees with geo_ctx_free after freeing every shape
 * made with it.  Returns NULL only when GEOS cannot start a context. */
geo_ctx *geo_ctx_new(void);
/* Free ctx; geo_ctx_free(NULL) is a no-op. */
void geo_ctx_free(geo_ctx *ctx);

/* Opaque: a non-empty GEOS geometry plus, built on first need, its prepared
 * form for fast repeated point-in-polygon tests.  Belongs to the geo_ctx it
 * was made with. */
typedef struct geo_shape geo_shape;

/* Parse WKT ("POLYGON((lon lat, ...))") into *out.  Rejects malformed text,
 * empty geometry and invalid geometry (self-intersecting rings, ...) with
 * EM_EINPUT and a message saying why and where.  On success the caller frees
 * *out with geo_shape_free; on error *out is NULL. */
int geo_shape_from_wkt(geo_ctx *ctx, const char *wkt, geo_shape **out, char **err);
/* WKT of the shape with at most `decimals` digits after the point (trailing
 * zeros trimmed).  Caller frees *wkt with free(). */
int geo_shape_to_wkt(geo_ctx *ctx, const geo_shape *shape, int decimals, char **wkt, char **err);
/* Little-endian ISO WKB of the shape, for storing it in a binary file.
 * Caller frees *wkb with free(). */
int geo_shape_to_wkb(geo_ctx *ctx, const geo_shape *shape, unsigned char **wkb, size_t *len,
                     char **err);
/* Read WKB written by geo_shape_to_wkb.  Malformed bytes or an empty geometry
 * give EM_EINPUT; validity is not re-checked (the writer's shape was valid).
 * Caller frees *out with geo_shape_free; on error *out is NULL. */
int geo_shape_from_wkb(geo_ctx *ctx, const unsigned char *wkb, size_t len, geo_shape **out,
                       char **err);
/* One ring of a polygon as it comes from a file: n_points (lon, lat) pairs
 * at xy[0..2*n_points), closed or not (it is closed when built). */
typedef struct {
    const double *xy;  /* lon0, lat0, lon1, lat1, ... in degrees; borrowed */
    size_t n_points;
} geo_ring;

/* Build a Polygon (one polygon) or MultiPolygon from rings, for file readers:
 * polygon i takes the next ring_counts[i] rings of rings[], the first its
 * shell, the others its holes.  Rings with fewer than 3 distinct points are
 * dropped (a polygon whose shell is dropped goes with it).  An invalid
 * polygon (self-intersections after quantization, a hole outside its shell)
 * is repaired rather than refused: its shell minus its holes, from the noded
 * rings (GEOSMakeValid, STRUCTURE), overlapping parts merged.  Longitudes
 * may run past ±180 (to ±540) where a ring was made continuous across the
 * antimeridian: the shape is cut there and each piece moved into
 * [-180, 180].  On success the caller frees *out with geo_shape_free; *out is
 * NULL, with 0 returned, when nothing with an area is left. */
int geo_shape_from_rings(geo_ctx *ctx, const geo_ring *rings, const size_t *ring_counts,
                         size_t n_polygons, geo_shape **out, char **err);
/* A point guaranteed to lie inside the shape (GEOSPointOnSurface), unlike the
 * centroid of a concave or multi-part shape. */
int geo_shape_rep_point(geo_ctx *ctx, const geo_shape *shape, geo_point *out, char **err);
/* The shape's bounding box (planar, in degrees: a shape split at the
 * antimeridian spans west -180 to east 180). */
int geo_shape_bbox(geo_ctx *ctx, const geo_shape *shape, geo_bbox *out, char **err);
/* 1 when p lies inside the shape or on its boundary, 0 outside, negative
 * (EM_EINTERNAL) when GEOS fails.  Builds the prepared geometry on the first
 * call, so the shape is modified (not thread-safe on one shape). */
int geo_shape_contains(geo_ctx *ctx, geo_shape *shape, geo_point p);
/* Planar area in the square of the shape's unit: square degrees for a
 * lon/lat shape (a ranking hint, not a true area), square pixels for one in
 * pixels; 0 for points and lines, negative when GEOS fails. */
double geo_shape_area(geo_ctx *ctx, const geo_shape *shape);
/* Free shape; geo_shape_free(ctx, NULL) is a no-op. */
void geo_shape_free(geo_ctx *ctx, geo_shape *shape);

/* ------------------------------------------------- drawing: clip, simplify */

/* Build a Polygon from rings exactly as they are, for drawing: rings[0] its
 * shell, rings[1..n_rings) its holes, each closed by repeating its first
 * point unless its last point already is its first.  Unlike
 * geo_shape_from_rings nothing is repaired, cut or dropped, so the shape may
 * be invalid (rings that quantization made self-intersecting, a hole outside
 * its shell): geo_shape_clip and geo_shape_simplify take it, and
 * geo_shape_contains's answers on it mean nothing.  Any planar unit.  On
 * success the caller frees *out with geo_shape_free; EM_EINPUT when a ring
 * has no points or GEOS refuses one (too few points once closed), *out
 * NULL. */
int geo_shape_polygon(geo_ctx *ctx, const geo_ring *rings, size_t n_rings, geo_shape **out,
                      char **err);
/* Build a MultiLineString from lines (each a geo_ring's points, not closed);
 * lines of fewer than 2 points are left out.  On success the caller frees
 * *out with geo_shape_free; *out is NULL, with 0 returned, when no line is
 * left; EM_EINPUT when GEOS refuses a line, *out NULL. */
int geo_shape_lines(geo_ctx *ctx, const geo_ring *lines, size_t n_lines, geo_shape **out,
                    char **err);
/* The part of shape inside the rectangle [xmin, xmax] x [ymin, ymax], in
 * the shape's unit (GEOSClipByRect: fast, and made for drawing: the result
 * may hold edges along the rectangle, and an invalid input stays invalid).
 * On success *out is the part, which the caller frees with geo_shape_free,
 * or NULL when nothing is inside.  EM_EINPUT with GEOS's message when GEOS
 * cannot cut the shape (an invalid ring can make it throw); *out NULL. */
int geo_shape_clip(geo_ctx *ctx, const geo_shape *shape, double xmin, double ymin, double xmax,
                   double ymax, geo_shape **out, char **err);
/* shape simplified by Douglas-Peucker to tolerance (the shape's unit;
 * GEOSSimplify, which keeps polygons valid: a part may merge with another
 * or vanish).  On success *out is the result, which the caller frees with
 * geo_shape_free, or NULL when nothing is left.  EM_EINPUT with GEOS's
 * message when GEOS fails; *out NULL. */
int geo_shape_simplify(geo_ctx *ctx, const geo_shape *shape, double tolerance, geo_shape **out,
                       char **err);

/* What a run of geo_paths is. */
enum { GEO_PATH_SHELL, GEO_PATH_HOLE, GEO_PATH_LINE };

typedef struct {
    size_t start, n_points; /* points x[start .. start + n_points) of the geo_paths */
    int kind;               /* GEO_PATH_SHELL, GEO_PATH_HOLE or GEO_PATH_LINE */
    int depth;              /* 0: the shape itself is this path's polygon or line;
                               1: a part of the shape (a member of a multi or a
                               collection); 2 or more: inside a nested collection */
} geo_path;

/* A shape's coordinates as plain arrays, for drawing: structs of arrays so
 * that a path's x and y can go to a projection as they are.  Zero it (or
 * GEO_PATHS_INIT) before first use; release with geo_paths_release. */
typedef struct {
    double *x, *y;          /* every path's points, one path after another */
    size_t n_points, alloc_points;
    geo_path *paths;
    size_t n_paths, alloc_paths;
} geo_paths;

#define GEO_PATHS_INIT { NULL, NULL, 0, 0, NULL, 0, 0 }

/* Append every ring and line of shape to out, in GEOS's order: a polygon's
 * shell, then its holes; a multi or a collection part by part.  Points and
 * empty rings are left out; a ring keeps its closing point.  EM_EINTERNAL
 * when GEOS fails (out then holds what came before). */
int geo_shape_paths(geo_ctx *ctx, const geo_shape *shape, geo_paths *out, char **err);
/* Empty out, keeping its memory for the next geo_shape_paths. */
void geo_paths_clear(geo_paths *paths);
/* Free out's arrays and zero it; releasing a zeroed geo_paths is a no-op. */
void geo_paths_release(geo_paths *paths);
/* The centre of the largest circle inside shape, found to within tolerance
 * (the shape's unit; GEOSMaximumInscribedCircle): the point of a polygon
 * farthest from its edges, where a label sits best.  0 with *x, *y set;
 * EM_EINTERNAL with GEOS's message when GEOS fails (*x, *y untouched). */
int geo_shape_inscribed_centre(geo_ctx *ctx, const geo_shape *shape, double tolerance, double *x,
                               double *y, char **err);

/* -------------------------------------------------------------- TopoJSON */

/* The one TopoJSON decoder (topojson.c).  A Topology stores each shared
 * border once, as an "arc"; with a "transform" the arcs are quantized to
 * integers and delta-encoded.  Decoding a Topology (topo_open) and reading
 * an object's polygons from it as rings (topo_read_rings) is all the base map
 * needs; topo_read goes on to make each geometry a valid GEOS shape, which
 * the gazetteer needs for its point-in-polygon tests (and which is the slow
 * part: seconds for the 1:10m land, where the rings take tens of
 * milliseconds).
 *
 * Rings come out as world-atlas's d3 spherical geometry means them: an edge
 * is the short way round, so a step of more than 180 degrees of longitude
 * crosses the antimeridian.  A ring that crosses it and comes back gets
 * continuous longitudes, past ±180 where needed; a ring that goes once
 * around a pole (Antarctica's coast) is opened where it crosses the
 * antimeridian and closed along ±180 and the pole, as Natural Earth's own
 * files draw it, and says so in pole_lat_deg. */

/* The largest TopoJSON file read (README, "Limits"): it is parsed whole.
 * Past it: "x.json: TopoJSON larger than 512 MiB (the limit)". */
#define GEO_TOPO_MAX_FILE (512u << 20)

/* Opaque: a Topology read from a file, its arcs decoded on first need. */
typedef struct topo_topology topo_topology;

/* A run of points of a topo_rings: a ring, or a border line. */
typedef struct {
    size_t start, n_points;   /* points xy[2 * start .. 2 * (start + n_points)) */
    double pole_lat_deg;      /* a ring closed along ±180 and a pole: that pole
                                 (-90 or 90); otherwise 0 */
} topo_run;

/* A polygon: rings[first_ring] its shell, then n_rings - 1 holes. */
typedef struct {
    size_t first_ring, n_rings;
} topo_polygon;

/* A Polygon or MultiPolygon geometry of an object. */
typedef struct {
    char *id;                 /* the geometry's "id" ("760" for Syria in world-atlas), or NULL */
    char *name;               /* properties.name, or NULL */
    size_t index;             /* its place in the object's "geometries", for messages */
    size_t first_polygon, n_polygons;
} topo_geometry;

/* Objects of a Topology as plain arrays, lon, lat in degrees.  Rings are the
 * file's, stitched from arcs and nothing more: a ring may hold fewer than 4
 * points, repeat a point, cross itself, or (where the file overflows) hold a
 * coordinate that is not finite.  Zero it (or TOPO_RINGS_INIT) before the
 * first topo_read_rings; release with topo_rings_release. */
typedef struct {
    double *xy;               /* every run's points, lon, lat pairs */
    size_t n_points, alloc_xy;          /* alloc_xy in doubles */
    topo_run *rings;
    size_t n_rings, alloc_rings;
    topo_polygon *polygons;
    size_t n_polygons, alloc_polygons;
    topo_geometry *geometries;
    size_t n_geometries, alloc_geometries;
    topo_run *borders;        /* arcs that two different geometries of an object
                                 share (the borders between countries), as lines */
    size_t n_borders, alloc_borders;
} topo_rings;

#define TOPO_RINGS_INIT { NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0, NULL, 0, 0 }

/* Read the TopoJSON Topology at path (as in the world-atlas npm package),
 * refusing a file past GEO_TOPO_MAX_FILE before reading it.  Its arcs are
 * scanned straight into numbers (as a cJSON tree the 1:10m arcs would take
 * ~100 MB of small allocations); the rest is parsed with cJSON.  Errors name
 * the file: EM_EIO "cannot open", "cannot read"; EM_EINPUT
 *     x.json: TopoJSON larger than 512 MiB (the limit)
 *     x.json:1:345: JSON parse error
 *     countries-50m.json: not a TopoJSON Topology
 * On success the caller frees *out with topo_free; on error *out is NULL. */
int topo_open(const char *path, topo_topology **out, char **err);
/* Append the Polygon and MultiPolygon geometries of the topology's object
 * object_name ("countries", "land": a GeometryCollection, or one lone
 * geometry) to out: arcs decoded with the topology's transform, stitched into
 * rings (~i is arc i walked backwards; each arc after a ring's first starts
 * where the one before ended, so that point is taken once), antimeridian and
 * poles handled as above.  A geometry of type null is left out.  Also
 * appends to out->borders every arc that two different geometries of the
 * object use and that has 2 points or more, in arc order, with continuous
 * longitudes.  Call it again on the same out for another object: every run
 * indexes the one out->xy.  Errors (EM_EINPUT) name the file and what is
 * wrong:
 *     countries-50m.json: object 'foo' not found
 *     x.json: "transform" needs "scale" and "translate" as [x, y]
 *     x.json: object 'x', geometry 0: arc index 3 is out of range (the topology has 1 arcs)
 *     x.json: object 'x', geometry 2: type 'Point' is not supported (expected Polygon or MultiPolygon)
 * On error out keeps the whole geometries read before the one that failed
 * (and the borders of none of them). */
int topo_read_rings(topo_topology *topology, const char *object_name, topo_rings *out, char **err);
/* Free the arrays of rings and zero it; releasing a zeroed topo_rings is a
 * no-op. */
void topo_rings_release(topo_rings *rings);
/* Free topology; topo_free(NULL) is a no-op. */
void topo_free(topo_topology *topology);

/* One geometry of a TopoJSON object, as a shape. */
typedef struct {
    char *id;          /* the geometry's "id" ("760" for Syria in world-atlas), or NULL */
    char *name;        /* properties.name, or NULL */
    geo_shape *shape;  /* Polygon or MultiPolygon, valid and non-empty */
} topo_feature;

/* topo_open and topo_read_rings, then the second step: one valid shape for
 * every geometry of object_name.  Where geostitch turned a polar cut into a
 * tiny cap (a shell and a hole both closed round the same pole), the hole's
 * ring becomes the shell; a hole unwrapped on its own a turn away from its
 * shell is moved next to it; then geo_shape_from_rings repairs invalid rings
 * (GEOSMakeValid) rather than refusing them and cuts shapes at the
 * antimeridian.  A geometry with no area left is skipped.  Errors as
 * topo_open's and topo_read_rings's, and geo_shape_from_rings's as
 *     x.json: object 'x', geometry 4: ring point 3 is not a finite number
 * On success *out holds *n_out features the caller frees with
 * topo_features_free; on error *out is NULL and *n_out 0. */
int topo_read(geo_ctx *ctx, const char *path, const char *object_name, topo_feature **out,
              size_t *n_out, char **err);
/* Free n features and their shapes; topo_features_free(ctx, NULL, 0) is a no-op. */
void topo_features_free(geo_ctx *ctx, topo_feature *features, size_t n);

/* Append the versions of PROJ and GEOS this program runs on ("PROJ 9.1.1,
 * GEOS 3.11.1-CAPI-1.17.1") to out, after ", " when out is not empty. */
struct strbuf;
void geo_versions(struct strbuf *out);
void geo_geos_version(struct strbuf *out);

#endif
