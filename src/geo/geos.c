/*
 * geos.c - eventmap's shapes on top of the GEOS C API, and its one
 * conversion point: plain rings and lines go in (geo_shape_from_rings,
 * geo_shape_polygon, geo_shape_lines, WKT, WKB) and plain coordinates come
 * out (geo_shape_paths, WKT, WKB), as liblwgeom's lwgeom_geos.c does it, and
 * each GEOS operation the program uses is one function here: repairing
 * invalid polygons, cutting them at the antimeridian, representative points,
 * bounding boxes, point-in-polygon tests through a prepared geometry built on
 * first use, and for drawing clipping to a rectangle, Douglas-Peucker
 * simplifying, areas and inscribed circles.  Only the reentrant _r functions
 * are called, with the GEOSContextHandle_t that a geo_ctx owns; GEOS's error
 * handler writes into that ctx, and the failing call hands the message back
 * through its char **err.  No other file includes a GEOS header.
 */
#define GEOS_USE_ONLY_R_API
#include "geo/geo.h"

#include <geos_c.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

#if GEOS_VERSION_MAJOR < 3 || (GEOS_VERSION_MAJOR == 3 && GEOS_VERSION_MINOR < 11)
#error "eventmap needs GEOS 3.11 or later (Debian 12 has 3.11.1)"
#endif
#if GEOS_VERSION_MAJOR > 3 || (GEOS_VERSION_MAJOR == 3 && GEOS_VERSION_MINOR >= 12)
#define HAVE_PREPARED_XY 1
#endif

struct geo_ctx {
    GEOSContextHandle_t handle;
    strbuf last_error;          /* GEOS's last error message, reset before each call */
    GEOSWKTReader *wkt_reader;  /* each made on first use */
    GEOSWKBReader *wkb_reader;
    GEOSWKBWriter *wkb_writer;
};

struct geo_shape {
    GEOSGeometry *geom;                   /* owned, non-empty */
    const GEOSPreparedGeometry *prepared; /* owned; NULL until geo_shape_contains needs it */
    geo_bbox bbox;                        /* envelope, for a quick reject in contains */
    int has_bbox;                         /* bbox is computed (on first need: drawing
                                             makes many shapes that never need it) */
};

static void on_geos_error(const char *message, void *userdata)
{
    geo_ctx *ctx = userdata;
    sb_reset(&ctx->last_error);
    sb_adds(&ctx->last_error, message);
}

static void on_geos_notice(const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
}

/* Forget the previous message before a GEOS call whose failure we report. */
static void clear_error(geo_ctx *ctx)
{
    sb_reset(&ctx->last_error);
}

/* Report a failed GEOS call: "<what>: <GEOS's message>". */
static int geos_error(geo_ctx *ctx, char **err, int code, const char *what)
{
    if (ctx->last_error.len)
        return em_error(err, code, "%s: %s", what, ctx->last_error.buf);
    return em_error(err, code, "%s", what);
}

geo_ctx *geo_ctx_new(void)
{
    geo_ctx *ctx = xcalloc(1, sizeof(*ctx));
    sb_init(&ctx->last_error, 0);
    ctx->handle = GEOS_init_r();
    if (!ctx->handle) {
        free(ctx);
        return NULL;
    }
    GEOSContext_setErrorMessageHandler_r(ctx->handle, on_geos_error, ctx);
    GEOSContext_setNoticeMessageHandler_r(ctx->handle, on_geos_notice, ctx);
    return ctx;
}

void geo_ctx_free(geo_ctx *ctx)
{
    if (!ctx) return;
    if (ctx->wkt_reader) GEOSWKTReader_destroy_r(ctx->handle, ctx->wkt_reader);
    if (ctx->wkb_reader) GEOSWKBReader_destroy_r(ctx->handle, ctx->wkb_reader);
    if (ctx->wkb_writer) GEOSWKBWriter_destroy_r(ctx->handle, ctx->wkb_writer);
    GEOS_finish_r(ctx->handle);
    sb_release(&ctx->last_error);
    free(ctx);
}

/* Wrap geom (taken over: freed on error too) as a shape.  Empty geometry is
 * refused with EM_EINPUT. */
static int shape_wrap(geo_ctx *ctx, GEOSGeometry *geom, geo_shape **out, char **err)
{
    geo_shape *shape;

    clear_error(ctx);
    char empty = GEOSisEmpty_r(ctx->handle, geom);
    if (empty == 2) {
        GEOSGeom_destroy_r(ctx->handle, geom);
        return geos_error(ctx, err, EM_EINTERNAL, "cannot test geometry for emptiness");
    }
    if (empty) {
        GEOSGeom_destroy_r(ctx->handle, geom);
        return em_error(err, EM_EINPUT, "empty geometry");
    }
    shape = xmalloc(sizeof(*shape));
    shape->geom = geom;
    shape->prepared = NULL;
    shape->has_bbox = 0;
    *out = shape;
    return EM_OK;
}

/* The envelope of shape's geometry into *out. */
static int shape_envelope(geo_ctx *ctx, const geo_shape *shape, geo_bbox *out, char **err)
{
    double xmin, ymin, xmax, ymax;
    clear_error(ctx);
    if (!GEOSGeom_getXMin_r(ctx->handle, shape->geom, &xmin) ||
        !GEOSGeom_getYMin_r(ctx->handle, shape->geom, &ymin) ||
        !GEOSGeom_getXMax_r(ctx->handle, shape->geom, &xmax) ||
        !GEOSGeom_getYMax_r(ctx->handle, shape->geom, &ymax))
        return geos_error(ctx, err, EM_EINTERNAL, "cannot compute bounding box");
    out->west_deg = xmin;
    out->south_deg = ymin;
    out->east_deg = xmax;
    out->north_deg = ymax;
    return EM_OK;
}

int geo_shape_from_wkt(geo_ctx *ctx, const char *wkt, geo_shape **out, char **err)
{
    GEOSGeometry *geom;
    *out = NULL;

    clear_error(ctx);
    if (!ctx->wkt_reader) {
        ctx->wkt_reader = GEOSWKTReader_create_r(ctx->handle);
        if (!ctx->wkt_reader) return geos_error(ctx, err, EM_EINTERNAL, "cannot create WKT reader");
    }
    geom = GEOSWKTReader_read_r(ctx->handle, ctx->wkt_reader, wkt);
    if (!geom) return geos_error(ctx, err, EM_EINPUT, "invalid WKT");

    char valid = GEOSisValid_r(ctx->handle, geom);
    if (valid != 1) {
        int rc;
        char *reason = valid == 0 ? GEOSisValidReason_r(ctx->handle, geom) : NULL;
        if (reason)
            rc = em_error(err, EM_EINPUT, "invalid geometry: %s", reason);
        else
            rc = geos_error(ctx, err, EM_EINPUT, "invalid geometry");
        if (reason) GEOSFree_r(ctx->handle, reason);
        GEOSGeom_destroy_r(ctx->handle, geom);
        return rc;
    }
    return shape_wrap(ctx, geom, out, err);
}

int geo_shape_to_wkt(geo_ctx *ctx, const geo_shape *shape, int decimals, char **wkt, char **err)
{
    GEOSWKTWriter *writer;
    char *text;
    *wkt = NULL;

    clear_error(ctx);
    writer = GEOSWKTWriter_create_r(ctx->handle);
    if (!writer) return geos_error(ctx, err, EM_EINTERNAL, "cannot create WKT writer");
    GEOSWKTWriter_setTrim_r(ctx->handle, writer, 1);
    GEOSWKTWriter_setRoundingPrecision_r(ctx->handle, writer, decimals);
    GEOSWKTWriter_setOutputDimension_r(ctx->handle, writer, 2);
    text = GEOSWKTWriter_write_r(ctx->handle, writer, shape->geom);
    GEOSWKTWriter_destroy_r(ctx->handle, writer);
    if (!text) return geos_error(ctx, err, EM_EINTERNAL, "cannot write WKT");
    *wkt = xstrdup(text);
    GEOSFree_r(ctx->handle, text);
    return EM_OK;
}

int geo_shape_to_wkb(geo_ctx *ctx, const geo_shape *shape, unsigned char **wkb, size_t *len,
                     char **err)
{
    unsigned char *bytes;
    size_t n = 0;
    *wkb = NULL;
    *len = 0;

    clear_error(ctx);
    if (!ctx->wkb_writer) {
        ctx->wkb_writer = GEOSWKBWriter_create_r(ctx->handle);
        if (!ctx->wkb_writer) return geos_error(ctx, err, EM_EINTERNAL, "cannot create WKB writer");
        GEOSWKBWriter_setOutputDimension_r(ctx->handle, ctx->wkb_writer, 2);
        GEOSWKBWriter_setByteOrder_r(ctx->handle, ctx->wkb_writer, GEOS_WKB_NDR);
        GEOSWKBWriter_setIncludeSRID_r(ctx->handle, ctx->wkb_writer, 0);
    }
    bytes = GEOSWKBWriter_write_r(ctx->handle, ctx->wkb_writer, shape->geom, &n);
    if (!bytes) return geos_error(ctx, err, EM_EINTERNAL, "cannot write WKB");
    *wkb = xmalloc(n);
    memcpy(*wkb, bytes, n);
    *len = n;
    GEOSFree_r(ctx->handle, bytes);
    return EM_OK;
}

int geo_shape_from_wkb(geo_ctx *ctx, const unsigned char *wkb, size_t len, geo_shape **out,
                       char **err)
{
    GEOSGeometry *geom;
    *out = NULL;

    clear_error(ctx);
    if (!ctx->wkb_reader) {
        ctx->wkb_reader = GEOSWKBReader_create_r(ctx->handle);
        if (!ctx->wkb_reader) return geos_error(ctx, err, EM_EINTERNAL, "cannot create WKB reader");
    }
    geom = GEOSWKBReader_read_r(ctx->handle, ctx->wkb_reader, wkb, len);
    if (!geom) return geos_error(ctx, err, EM_EINPUT, "invalid WKB");
    return shape_wrap(ctx, geom, out, err);
}

/* Make a closed linear ring of ring's points without consecutive repeats into
 * *out; *out is NULL when fewer than 3 distinct points are left.  scratch is
 * reused between calls. */
static int make_ring(geo_ctx *ctx, const geo_ring *ring, double **scratch, size_t *scratch_alloc,
                     GEOSGeometry **out, char **err)
{
    const double *xy = ring->xy;
    double *buf;
    size_t n = 0;
    GEOSCoordSequence *seq;

    *out = NULL;
    ALLOC_GROW(*scratch, 2 * (ring->n_points + 1), *scratch_alloc);
    buf = *scratch;
    for (size_t i = 0; i < ring->n_points; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (!isfinite(x) || !isfinite(y))
            return em_error(err, EM_EINPUT, "ring point %zu is not a finite number", i);
        if (n && buf[2 * (n - 1)] == x && buf[2 * (n - 1) + 1] == y) continue;
        buf[2 * n] = x;
        buf[2 * n + 1] = y;
        n++;
    }
    /* Drop the closing point, if any, to count distinct points. */
    if (n > 1 && buf[0] == buf[2 * (n - 1)] && buf[1] == buf[2 * (n - 1) + 1]) n--;
    if (n < 3) return EM_OK;
    buf[2 * n] = buf[0];
    buf[2 * n + 1] = buf[1];
    n++;

    clear_error(ctx);
    seq = GEOSCoordSeq_copyFromBuffer_r(ctx->handle, buf, (unsigned int)n, 0, 0);
    if (!seq) return geos_error(ctx, err, EM_EINTERNAL, "cannot build ring");
    *out = GEOSGeom_createLinearRing_r(ctx->handle, seq); /* takes seq, even on failure */
    if (!*out) return geos_error(ctx, err, EM_EINPUT, "cannot build ring");
    return EM_OK;
}

/* Append clones of the polygons in geom (a Polygon, MultiPolygon or
 * collection; lines and points are left out) to *list. */
static int collect_polygons(geo_ctx *ctx, const GEOSGeometry *geom, GEOSGeometry ***list,
                            size_t *n, size_t *alloc, char **err)
{
    int type = GEOSGeomTypeId_r(ctx->handle, geom);
    if (type == GEOS_POLYGON) {
        GEOSGeometry *copy;
        if (GEOSisEmpty_r(ctx->handle, geom)) return EM_OK;
        copy = GEOSGeom_clone_r(ctx->handle, geom);
        if (!copy) return geos_error(ctx, err, EM_EINTERNAL, "cannot copy polygon");
        ALLOC_GROW(*list, *n + 1, *alloc);
        (*list)[(*n)++] = copy;
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int parts = GEOSGetNumGeometries_r(ctx->handle, geom);
        for (int i = 0; i < parts; i++) {
            int rc = collect_polygons(ctx, GEOSGetGeometryN_r(ctx->handle, geom, i), list, n,
                                      alloc, err);
            if (rc) return rc;
        }
    }
    return EM_OK;
}

/* One geometry from n polygons, which it takes over: a Polygon or
 * MultiPolygon (an empty one when n is 0), merged by a union only when the
 * parts overlap or touch along an edge, so that the result is valid. */
static int polygons_to_geom(geo_ctx *ctx, GEOSGeometry **polygons, size_t n, GEOSGeometry **out,
                            char **err)
{
    GEOSGeometry *all, *merged;
    char valid;

    clear_error(ctx);
    if (n == 1) {
        all = polygons[0];
    } else {
        all = GEOSGeom_createCollection_r(ctx->handle, GEOS_MULTIPOLYGON, polygons,
                                          (unsigned int)n);
        if (!all) {
            for (size_t i = 0; i < n; i++) GEOSGeom_destroy_r(ctx->handle, polygons[i]);
            return geos_error(ctx, err, EM_EINTERNAL, "cannot collect polygons");
        }
    }
    valid = GEOSisValid_r(ctx->handle, all);
    if (valid == 1) {
        *out = all;
        return EM_OK;
    }
    merged = valid == 0 ? GEOSUnaryUnion_r(ctx->handle, all) : NULL;
    GEOSGeom_destroy_r(ctx->handle, all);
    if (!merged) return geos_error(ctx, err, EM_EINPUT, "cannot merge polygons");
    *out = merged;
    return EM_OK;
}

/* Replace *geom, a Polygon or MultiPolygon, by a valid one when it is not:
 * each invalid part is rebuilt as its shell minus its holes from the noded
 * rings (GEOSMakeValid, STRUCTURE method; collapsed parts dropped), then
 * parts that overlap or touch along an edge are merged. */
static int make_valid(geo_ctx *ctx, GEOSGeometry **geom, char **err)
{
    int rc = EM_OK;
    GEOSMakeValidParams *params = NULL;
    GEOSGeometry **parts = NULL;
    GEOSGeometry *rebuilt = NULL;
    size_t n_parts = 0, parts_alloc = 0;
    int n_geoms;
    char valid;

    clear_error(ctx);
    valid = GEOSisValid_r(ctx->handle, *geom);
    if (valid == 1) return EM_OK;
    if (valid == 2) return geos_error(ctx, err, EM_EINTERNAL, "cannot test polygon validity");

    params = GEOSMakeValidParams_create_r(ctx->handle);
    if (!params) return geos_error(ctx, err, EM_EINTERNAL, "cannot repair polygon");
    GEOSMakeValidParams_setMethod_r(ctx->handle, params, GEOS_MAKE_VALID_STRUCTURE);
    GEOSMakeValidParams_setKeepCollapsed_r(ctx->handle, params, 0);
    n_geoms = GEOSGetNumGeometries_r(ctx->handle, *geom);
    for (int i = 0; i < n_geoms; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(ctx->handle, *geom, i);
        GEOSGeometry *fixed;
        clear_error(ctx);
        if (!part || (valid = GEOSisValid_r(ctx->handle, part)) == 2) {
            rc = geos_error(ctx, err, EM_EINTERNAL, "cannot test polygon validity");
            goto cleanup;
        }
        if (valid) {
            rc = collect_polygons(ctx, part, &parts, &n_parts, &parts_alloc, err);
            if (rc) goto cleanup;
            continue;
        }
        fixed = GEOSMakeValidWithParams_r(ctx->handle, part, params);
        if (!fixed) {
            rc = geos_error(ctx, err, EM_EINPUT, "cannot repair invalid polygon");
            goto cleanup;
        }
        rc = collect_polygons(ctx, fixed, &parts, &n_parts, &parts_alloc, err);
        GEOSGeom_destroy_r(ctx->handle, fixed);
        if (rc) goto cleanup;
    }
    rc = polygons_to_geom(ctx, parts, n_parts, &rebuilt, err);
    n_parts = 0; /* taken */
    if (rc) goto cleanup;
    GEOSGeom_destroy_r(ctx->handle, *geom);
    *geom = rebuilt;

cleanup:
    for (size_t i = 0; i < n_parts; i++) GEOSGeom_destroy_r(ctx->handle, parts[i]);
    free(parts);
    GEOSMakeValidParams_destroy_r(ctx->handle, params);
    return rc;
}

static int shift_x(double *x, double *y, void *userdata)
{
    (void)y;
    *x += *(const double *)userdata;
    return 1;
}

static int x_range(geo_ctx *ctx, const GEOSGeometry *geom, double *xmin, double *xmax, char **err)
{
    clear_error(ctx);
    if (!GEOSGeom_getXMin_r(ctx->handle, geom, xmin) ||
        !GEOSGeom_getXMax_r(ctx->handle, geom, xmax))
        return geos_error(ctx, err, EM_EINTERNAL, "cannot compute bounding box");
    return EM_OK;
}

/* Cut polygon at the antimeridian and append the pieces, moved into
 * [-180, 180], to *list. */
static int cut_polygon(geo_ctx *ctx, const GEOSGeometry *polygon, GEOSGeometry ***list, size_t *n,
                       size_t *alloc, char **err)
{
    double xmin, xmax;
    int rc = x_range(ctx, polygon, &xmin, &xmax, err);
    if (rc) return rc;
    if (xmin >= -180.0 && xmax <= 180.0) return collect_polygons(ctx, polygon, list, n, alloc, err);
    if (xmin < -540.0 || xmax > 540.0)
        return em_error(err, EM_EINPUT, "longitudes run from %g to %g, more than once around",
                        xmin, xmax);

    /* Window k holds longitudes [-180 + 360k, 180 + 360k]. */
    for (int k = (int)ceil((xmin - 180.0) / 360.0); k <= (int)floor((xmax + 180.0) / 360.0); k++) {
        double shift = -360.0 * k;
        GEOSGeometry *window, *piece, *moved;
        clear_error(ctx);
        window = GEOSGeom_createRectangle_r(ctx->handle, -180.0 + 360.0 * k, -90.0,
                                            180.0 + 360.0 * k, 90.0);
        if (!window) return geos_error(ctx, err, EM_EINTERNAL, "cannot cut at the antimeridian");
        piece = GEOSIntersection_r(ctx->handle, polygon, window);
        GEOSGeom_destroy_r(ctx->handle, window);
        if (!piece) return geos_error(ctx, err, EM_EINPUT, "cannot cut at the antimeridian");
        moved = k ? GEOSGeom_transformXY_r(ctx->handle, piece, shift_x, &shift) : piece;
        if (moved != piece) GEOSGeom_destroy_r(ctx->handle, piece);
        if (!moved)
            return geos_error(ctx, err, EM_EINTERNAL, "cannot move across the antimeridian");
        rc = collect_polygons(ctx, moved, list, n, alloc, err);
        GEOSGeom_destroy_r(ctx->handle, moved);
        if (rc) return rc;
    }
    return EM_OK;
}

/* Cut *geom, valid, at the antimeridian when its longitudes run past ±180
 * (a ring made continuous across it) and move each piece into [-180, 180]. */
static int split_antimeridian(geo_ctx *ctx, GEOSGeometry **geom, char **err)
{
    int rc;
    double xmin, xmax;
    GEOSGeometry **parts = NULL;
    GEOSGeometry *rebuilt = NULL;
    size_t n_parts = 0, parts_alloc = 0;
    int n_geoms;

    if (GEOSisEmpty_r(ctx->handle, *geom)) return EM_OK;
    rc = x_range(ctx, *geom, &xmin, &xmax, err);
    if (rc || (xmin >= -180.0 && xmax <= 180.0)) return rc;

    n_geoms = GEOSGetNumGeometries_r(ctx->handle, *geom);
    for (int i = 0; i < n_geoms && !rc; i++)
        rc = cut_polygon(ctx, GEOSGetGeometryN_r(ctx->handle, *geom, i), &parts, &n_parts,
                         &parts_alloc, err);
    if (!rc) {
        rc = polygons_to_geom(ctx, parts, n_parts, &rebuilt, err);
        n_parts = 0; /* taken */
    }
    if (!rc) {
        GEOSGeom_destroy_r(ctx->handle, *geom);
        *geom = rebuilt;
    }
    for (size_t i = 0; i < n_parts; i++) GEOSGeom_destroy_r(ctx->handle, parts[i]);
    free(parts);
    return rc;
}

int geo_shape_from_rings(geo_ctx *ctx, const geo_ring *rings, const size_t *ring_counts,
                         size_t n_polygons, geo_shape **out, char **err)
{
    int rc = EM_OK;
    GEOSGeometry **polygons = NULL;
    GEOSGeometry **holes = NULL;
    GEOSGeometry *shell = NULL;
    GEOSGeometry *geom = NULL;
    size_t n_built = 0, n_holes = 0, holes_alloc = 0;
    double *scratch = NULL;
    size_t scratch_alloc = 0;
    size_t next_ring = 0;
    char empty;

    *out = NULL;
    polygons = xcalloc(n_polygons ? n_polygons : 1, sizeof(*polygons));
    for (size_t p = 0; p < n_polygons; p++) {
        size_t n_rings = ring_counts[p];
        if (!n_rings) continue; /* (rings may then be NULL: no pointer into it) */
        const geo_ring *first = rings + next_ring;
        next_ring += n_rings;

        rc = make_ring(ctx, &first[0], &scratch, &scratch_alloc, &shell, err);
        if (rc) goto cleanup;
        if (!shell) continue;
        n_holes = 0;
        for (size_t r = 1; r < n_rings; r++) {
            GEOSGeometry *hole = NULL;
            rc = make_ring(ctx, &first[r], &scratch, &scratch_alloc, &hole, err);
            if (rc) goto cleanup;
            if (!hole) continue;
            ALLOC_GROW(holes, n_holes + 1, holes_alloc);
            holes[n_holes++] = hole;
        }
        clear_error(ctx);
        /* Takes shell and the holes (not the array), even on failure. */
        polygons[n_built] =
            GEOSGeom_createPolygon_r(ctx->handle, shell, holes, (unsigned int)n_holes);
        shell = NULL;
        n_holes = 0;
        if (!polygons[n_built]) {
            rc = geos_error(ctx, err, EM_EINPUT, "cannot build polygon");
            goto cleanup;
        }
        n_built++;
    }
    if (!n_built) goto cleanup;

    clear_error(ctx);
    if (n_built == 1) {
        geom = polygons[0];
    } else {
        geom = GEOSGeom_createCollection_r(ctx->handle, GEOS_MULTIPOLYGON, polygons,
                                           (unsigned int)n_built);
        if (!geom) {
            rc = geos_error(ctx, err, EM_EINTERNAL, "cannot build multipolygon");
            goto cleanup;
        }
    }
    n_built = 0; /* now owned by geom */

    rc = make_valid(ctx, &geom, err);
    if (!rc) rc = split_antimeridian(ctx, &geom, err);
    if (rc) goto cleanup;
    clear_error(ctx);
    empty = GEOSisEmpty_r(ctx->handle, geom);
    if (empty == 2) {
        rc = geos_error(ctx, err, EM_EINTERNAL, "cannot test polygon for emptiness");
        goto cleanup;
    }
    if (!empty) {
        rc = shape_wrap(ctx, geom, out, err);
        geom = NULL;
    }

cleanup:
    if (shell) GEOSGeom_destroy_r(ctx->handle, shell);
    for (size_t i = 0; i < n_holes; i++) GEOSGeom_destroy_r(ctx->handle, holes[i]);
    for (size_t i = 0; i < n_built; i++) GEOSGeom_destroy_r(ctx->handle, polygons[i]);
    if (geom) GEOSGeom_destroy_r(ctx->handle, geom);
    free(polygons);
    free(holes);
    free(scratch);
    return rc;
}

int geo_shape_rep_point(geo_ctx *ctx, const geo_shape *shape, geo_point *out, char **err)
{
    GEOSGeometry *point;
    double x, y;

    clear_error(ctx);
    point = GEOSPointOnSurface_r(ctx->handle, shape->geom);
    if (!point) return geos_error(ctx, err, EM_EINTERNAL, "cannot compute a point on the surface");
    if (!GEOSGeomGetX_r(ctx->handle, point, &x) || !GEOSGeomGetY_r(ctx->handle, point, &y)) {
        GEOSGeom_destroy_r(ctx->handle, point);
        return geos_error(ctx, err, EM_EINTERNAL, "cannot compute a point on the surface");
    }
    GEOSGeom_destroy_r(ctx->handle, point);
    out->lat_deg = y;
    out->lon_deg = x;
    return EM_OK;
}

int geo_shape_bbox(geo_ctx *ctx, const geo_shape *shape, geo_bbox *out, char **err)
{
    if (shape->has_bbox) {
        *out = shape->bbox;
        return EM_OK;
    }
    return shape_envelope(ctx, shape, out, err);
}

int geo_shape_contains(geo_ctx *ctx, geo_shape *shape, geo_point p)
{
    const geo_bbox *b = &shape->bbox;
    char hit;

    if (!shape->has_bbox) {
        if (shape_envelope(ctx, shape, &shape->bbox, NULL)) return EM_EINTERNAL;
        shape->has_bbox = 1;
    }

    /* Also rejects NaN. */
    if (!(p.lon_deg >= b->west_deg && p.lon_deg <= b->east_deg && p.lat_deg >= b->south_deg &&
          p.lat_deg <= b->north_deg))
        return 0;
    clear_error(ctx);
    if (!shape->prepared) {
        shape->prepared = GEOSPrepare_r(ctx->handle, shape->geom);
        if (!shape->prepared) return EM_EINTERNAL;
    }
#ifdef HAVE_PREPARED_XY
    hit = GEOSPreparedIntersectsXY_r(ctx->handle, shape->prepared, p.lon_deg, p.lat_deg);
#else
    GEOSGeometry *point = GEOSGeom_createPointFromXY_r(ctx->handle, p.lon_deg, p.lat_deg);
    if (!point) return EM_EINTERNAL;
    /* For a point, intersects = inside or on the boundary. */
    hit = GEOSPreparedIntersects_r(ctx->handle, shape->prepared, point);
    GEOSGeom_destroy_r(ctx->handle, point);
#endif
    if (hit == 2) return EM_EINTERNAL;
    return hit ? 1 : 0;
}

double geo_shape_area(geo_ctx *ctx, const geo_shape *shape)
{
    double area = 0.0;
    clear_error(ctx);
    if (!GEOSArea_r(ctx->handle, shape->geom, &area)) return -1.0;
    return area;
}

void geo_shape_free(geo_ctx *ctx, geo_shape *shape)
{
    if (!shape) return;
    if (shape->prepared) GEOSPreparedGeom_destroy_r(ctx->handle, shape->prepared);
    GEOSGeom_destroy_r(ctx->handle, shape->geom);
    free(shape);
}

/* ------------------------------------------------- drawing: clip, simplify */

/* Wrap geom, a GEOS result (taken over), as *out; *out NULL when it is
 * empty. */
static int result_wrap(geo_ctx *ctx, GEOSGeometry *geom, geo_shape **out, char **err)
{
    *out = NULL;
    clear_error(ctx);
    if (GEOSisEmpty_r(ctx->handle, geom) == 1) {
        GEOSGeom_destroy_r(ctx->handle, geom);
        return EM_OK;
    }
    return shape_wrap(ctx, geom, out, err);
}

/* A linear ring of ring's points as they are, closed by repeating the first
 * point unless it already is. */
static GEOSGeometry *drawing_ring(geo_ctx *ctx, const geo_ring *ring)
{
    const double *xy = ring->xy;
    size_t n = ring->n_points;
    GEOSCoordSequence *seq;
    int closed = xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1];

    if (closed) {
        seq = GEOSCoordSeq_copyFromBuffer_r(ctx->handle, xy, (unsigned int)n, 0, 0);
    } else {
        seq = GEOSCoordSeq_create_r(ctx->handle, (unsigned int)n + 1, 2);
        for (size_t i = 0; i <= n && seq; i++)
            GEOSCoordSeq_setXY_r(ctx->handle, seq, (unsigned int)i, xy[2 * (i % n)], xy[2 * (i % n) + 1]);
    }
    return seq ? GEOSGeom_createLinearRing_r(ctx->handle, seq) : NULL; /* takes seq */
}

int geo_shape_polygon(geo_ctx *ctx, const geo_ring *rings, size_t n_rings, geo_shape **out,
                      char **err)
{
    GEOSGeometry *shell = NULL, **holes = NULL, *polygon;
    size_t n_holes = 0;
    int rc = EM_OK;

    *out = NULL;
    if (!n_rings) return em_error(err, EM_EINPUT, "a polygon needs a shell");
    for (size_t i = 0; i < n_rings; i++)
        if (!rings[i].n_points) return em_error(err, EM_EINPUT, "ring %zu has no points", i);
    clear_error(ctx);
    shell = drawing_ring(ctx, &rings[0]);
    if (!shell) return geos_error(ctx, err, EM_EINPUT, "cannot build ring 0");
    if (n_rings > 1) holes = xmalloc((n_rings - 1) * sizeof(*holes));
    for (size_t i = 1; i < n_rings; i++) {
        holes[n_holes] = drawing_ring(ctx, &rings[i]);
        if (!holes[n_holes]) {
            char what[64];
            snprintf(what, sizeof(what), "cannot build ring %zu", i);
            rc = geos_error(ctx, err, EM_EINPUT, what);
            goto cleanup;
        }
        n_holes++;
    }
    /* Takes shell and the holes (not the array), even on failure. */
    polygon = GEOSGeom_createPolygon_r(ctx->handle, shell, holes, (unsigned int)n_holes);
    shell = NULL;
    n_holes = 0;
    if (!polygon) {
        rc = geos_error(ctx, err, EM_EINPUT, "cannot build polygon");
        goto cleanup;
    }
    rc = shape_wrap(ctx, polygon, out, err);

cleanup:
    if (shell) GEOSGeom_destroy_r(ctx->handle, shell);
    for (size_t i = 0; i < n_holes; i++) GEOSGeom_destroy_r(ctx->handle, holes[i]);
    free(holes);
    return rc;
}

int geo_shape_lines(geo_ctx *ctx, const geo_ring *lines, size_t n_lines, geo_shape **out,
                    char **err)
{
    GEOSGeometry **geoms = xmalloc((n_lines ? n_lines : 1) * sizeof(*geoms)), *multi;
    size_t n_geoms = 0;
    int rc = EM_OK;

    *out = NULL;
    clear_error(ctx);
    for (size_t i = 0; i < n_lines; i++) {
        if (lines[i].n_points < 2) continue;
        GEOSCoordSequence *seq =
            GEOSCoordSeq_copyFromBuffer_r(ctx->handle, lines[i].xy, (unsigned int)lines[i].n_points, 0, 0);
        GEOSGeometry *line = seq ? GEOSGeom_createLineString_r(ctx->handle, seq) : NULL; /* takes seq */
        if (!line) {
            rc = geos_error(ctx, err, EM_EINPUT, "cannot build line");
            goto cleanup;
        }
        geoms[n_geoms++] = line;
    }
    if (!n_geoms) goto cleanup;
    /* Takes the lines (not the array), even on failure. */
    multi = GEOSGeom_createCollection_r(ctx->handle, GEOS_MULTILINESTRING, geoms, (unsigned int)n_geoms);
    n_geoms = 0;
    if (!multi) {
        rc = geos_error(ctx, err, EM_EINTERNAL, "cannot collect lines");
        goto cleanup;
    }
    rc = shape_wrap(ctx, multi, out, err);

cleanup:
    for (size_t i = 0; i < n_geoms; i++) GEOSGeom_destroy_r(ctx->handle, geoms[i]);
    free(geoms);
    return rc;
}

int geo_shape_clip(geo_ctx *ctx, const geo_shape *shape, double xmin, double ymin, double xmax,
                   double ymax, geo_shape **out, char **err)
{
    GEOSGeometry *part;
    *out = NULL;
    clear_error(ctx);
    part = GEOSClipByRect_r(ctx->handle, shape->geom, xmin, ymin, xmax, ymax);
    if (!part) return geos_error(ctx, err, EM_EINPUT, "cannot clip");
    return result_wrap(ctx, part, out, err);
}

int geo_shape_simplify(geo_ctx *ctx, const geo_shape *shape, double tolerance, geo_shape **out,
                       char **err)
{
    GEOSGeometry *simple;
    *out = NULL;
    clear_error(ctx);
    simple = GEOSSimplify_r(ctx->handle, shape->geom, tolerance);
    if (!simple) return geos_error(ctx, err, EM_EINPUT, "cannot simplify");
    return result_wrap(ctx, simple, out, err);
}

/* Append a line's or ring's points to out as one path of kind. */
static int add_path(geo_ctx *ctx, const GEOSGeometry *line, int kind, int depth, geo_paths *out,
                    char **err)
{
    const GEOSCoordSequence *seq;
    unsigned int n = 0;

    clear_error(ctx);
    seq = GEOSGeom_getCoordSeq_r(ctx->handle, line);
    if (!seq || !GEOSCoordSeq_getSize_r(ctx->handle, seq, &n))
        return geos_error(ctx, err, EM_EINTERNAL, "cannot read coordinates");
    if (!n) return EM_OK;
    if (out->n_points + n > out->alloc_points) {
        size_t alloc = out->alloc_points < 256 ? 256 : 2 * out->alloc_points;
        if (alloc < out->n_points + n) alloc = out->n_points + n;
        out->x = xrealloc(out->x, alloc * sizeof(double));
        out->y = xrealloc(out->y, alloc * sizeof(double));
        out->alloc_points = alloc;
    }
    for (unsigned int i = 0; i < n; i++)
        GEOSCoordSeq_getXY_r(ctx->handle, seq, i, &out->x[out->n_points + i], &out->y[out->n_points + i]);
    ALLOC_GROW(out->paths, out->n_paths + 1, out->alloc_paths);
    out->paths[out->n_paths].start = out->n_points;
    out->paths[out->n_paths].n_points = n;
    out->paths[out->n_paths].kind = kind;
    out->paths[out->n_paths].depth = depth;
    out->n_paths++;
    out->n_points += n;
    return EM_OK;
}

static int add_paths(geo_ctx *ctx, const GEOSGeometry *geom, int depth, geo_paths *out, char **err)
{
    int rc = EM_OK;
    switch (GEOSGeomTypeId_r(ctx->handle, geom)) {
    case GEOS_POLYGON: {
        rc = add_path(ctx, GEOSGetExteriorRing_r(ctx->handle, geom), GEO_PATH_SHELL, depth, out, err);
        int n = GEOSGetNumInteriorRings_r(ctx->handle, geom);
        for (int i = 0; i < n && !rc; i++)
            rc = add_path(ctx, GEOSGetInteriorRingN_r(ctx->handle, geom, i), GEO_PATH_HOLE, depth, out, err);
        break;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        rc = add_path(ctx, geom, GEO_PATH_LINE, depth, out, err);
        break;
    case GEOS_MULTIPOLYGON:
    case GEOS_MULTILINESTRING:
    case GEOS_GEOMETRYCOLLECTION: {
        int n = GEOSGetNumGeometries_r(ctx->handle, geom);
        for (int i = 0; i < n && !rc; i++) rc = add_paths(ctx, GEOSGetGeometryN_r(ctx->handle, geom, i), depth + 1, out, err);
        break;
    }
    default: /* points */
        break;
    }
    return rc;
}

int geo_shape_paths(geo_ctx *ctx, const geo_shape *shape, geo_paths *out, char **err)
{
    return add_paths(ctx, shape->geom, 0, out, err);
}

void geo_paths_clear(geo_paths *paths)
{
    paths->n_points = 0;
    paths->n_paths = 0;
}

void geo_paths_release(geo_paths *paths)
{
    if (!paths) return;
    free(paths->x);
    free(paths->y);
    free(paths->paths);
    memset(paths, 0, sizeof(*paths));
}

int geo_shape_inscribed_centre(geo_ctx *ctx, const geo_shape *shape, double tolerance, double *x,
                               double *y, char **err)
{
    GEOSGeometry *circle, *centre;
    double cx, cy;
    int ok;

    clear_error(ctx);
    /* A line from the centre to the nearest edge. */
    circle = GEOSMaximumInscribedCircle_r(ctx->handle, shape->geom, tolerance);
    if (!circle) return geos_error(ctx, err, EM_EINTERNAL, "cannot find the inscribed circle");
    centre = GEOSGeomGetStartPoint_r(ctx->handle, circle);
    ok = centre && GEOSGeomGetX_r(ctx->handle, centre, &cx) && GEOSGeomGetY_r(ctx->handle, centre, &cy);
    if (centre) GEOSGeom_destroy_r(ctx->handle, centre);
    GEOSGeom_destroy_r(ctx->handle, circle);
    if (!ok) return geos_error(ctx, err, EM_EINTERNAL, "cannot find the inscribed circle");
    *x = cx;
    *y = cy;
    return EM_OK;
}

void geo_geos_version(struct strbuf *out)
{
    sb_addf(out, "%sGEOS %s", out->len ? ", " : "", GEOSversion());
}
