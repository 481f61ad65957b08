/*
 * topojson.c - the TopoJSON reader for the base map (Natural Earth countries
 * and land as shipped by the world-atlas npm package).  A Topology stores
 * each shared border once, as an "arc"; with a "transform" the arcs are
 * quantized to integers and delta-encoded.  This file decodes every arc once
 * into absolute degrees, then stitches the arcs named by each Polygon and
 * MultiPolygon into rings (an index ~i means arc i walked backwards, and each
 * arc after the first starts where the previous one ended, so that point is
 * dropped), makes rings that cross the antimeridian continuous (see
 * fix_antimeridian) and hands the rings to geo_shape_from_rings, which
 * repairs rings that quantization made self-intersecting and cuts shapes at
 * the antimeridian.  JSON is parsed with cJSON; a
 * parse error is reported as file:line:column.
 */
#include "geo/geo.h"

#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

typedef struct {
    const char *path;        /* for messages */
    const char *object_name;
    geo_ctx *ctx;

    double *arc_xy;          /* every arc's positions, absolute lon, lat pairs */
    size_t *arc_start;       /* arc i starts at point arc_start[i] of arc_xy */
    size_t *arc_len;         /* and has arc_len[i] points */
    size_t n_arcs;

    /* The geometry being built, reused from one geometry to the next. */
    double *ring_xy;         /* points of all rings, lon, lat pairs */
    size_t ring_xy_len, ring_xy_alloc;   /* in doubles */
    size_t *ring_off;        /* ring i starts at ring_xy[ring_off[i]] */
    size_t *ring_npts;       /* and has ring_npts[i] points */
    size_t n_rings, ring_off_alloc, ring_npts_alloc;
    size_t *ring_counts;     /* rings of polygon i */
    size_t n_polygons, ring_counts_alloc;
    geo_ring *rings;
    size_t rings_alloc;
} topo_reader;

static void reader_release(topo_reader *rd)
{
    free(rd->arc_xy);
    free(rd->arc_start);
    free(rd->arc_len);
    free(rd->ring_xy);
    free(rd->ring_off);
    free(rd->ring_npts);
    free(rd->ring_counts);
    free(rd->rings);
}

/* The whole file at path into sb. */
int topo_read_text(const char *path, strbuf *sb, char **err)
{
    char chunk[65536];
    size_t n;
    FILE *fp = fopen(path, "rb");
    if (!fp) return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > GEO_TOPO_MAX_FILE) {
        fclose(fp);
        return em_error(err, EM_EINPUT, "%s: TopoJSON larger than 512 MiB (the limit)", path);
    }
    while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
        sb_add(sb, chunk, n);
        if (sb->len > GEO_TOPO_MAX_FILE) {
            fclose(fp);
            return em_error(err, EM_EINPUT, "%s: TopoJSON larger than 512 MiB (the limit)", path);
        }
    }
    if (ferror(fp)) {
        int saved = errno;
        fclose(fp);
        return em_error(err, EM_EIO, "%s: cannot read: %s", path, strerror(saved));
    }
    fclose(fp);
    return EM_OK;
}

/* 1-based line and column (in bytes) of offset in text. */
static void line_column(const char *text, size_t offset, size_t *line, size_t *column)
{
    size_t line_start = 0;
    *line = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            (*line)++;
            line_start = i + 1;
        }
    }
    *column = offset - line_start + 1;
}

/* Read two numbers from a JSON array [a, b]. */
static int number_pair(const cJSON *array, double *a, double *b)
{
    const cJSON *first = cJSON_IsArray(array) ? array->child : NULL;
    const cJSON *second = first ? first->next : NULL;
    if (!cJSON_IsNumber(first) || !cJSON_IsNumber(second)) return -1;
    *a = first->valuedouble;
    *b = second->valuedouble;
    return 0;
}

/* Decode the topology's "arcs" into absolute coordinates. */
static int decode_arcs(topo_reader *rd, const cJSON *topology, char **err)
{
    const cJSON *transform = cJSON_GetObjectItemCaseSensitive(topology, "transform");
    const cJSON *arcs = cJSON_GetObjectItemCaseSensitive(topology, "arcs");
    const cJSON *arc, *pos;
    double scale_x = 1, scale_y = 1, translate_x = 0, translate_y = 0;
    int quantized = 0;
    size_t n_points = 0, i = 0, k = 0;

    if (transform && !cJSON_IsNull(transform)) {
        if (number_pair(cJSON_GetObjectItemCaseSensitive(transform, "scale"), &scale_x,
                        &scale_y) ||
            number_pair(cJSON_GetObjectItemCaseSensitive(transform, "translate"), &translate_x,
                        &translate_y))
            return em_error(err, EM_EINPUT,
                            "%s: \"transform\" needs \"scale\" and \"translate\" as [x, y]",
                            rd->path);
        quantized = 1;
    }
    if (!cJSON_IsArray(arcs))
        return em_error(err, EM_EINPUT, "%s: not a TopoJSON Topology (no \"arcs\" array)",
                        rd->path);

    cJSON_ArrayForEach(arc, arcs) {
        if (!cJSON_IsArray(arc))
            return em_error(err, EM_EINPUT, "%s: arc %zu is not an array of positions",
                            rd->path, rd->n_arcs);
        rd->n_arcs++;
        cJSON_ArrayForEach(pos, arc) n_points++;
    }
    rd->arc_xy = xmalloc((n_points ? n_points : 1) * 2 * sizeof(double));
    rd->arc_start = xmalloc((rd->n_arcs ? rd->n_arcs : 1) * sizeof(size_t));
    rd->arc_len = xmalloc((rd->n_arcs ? rd->n_arcs : 1) * sizeof(size_t));

    cJSON_ArrayForEach(arc, arcs) {
        double x = 0, y = 0; /* running sums of the quantized deltas */
        size_t j = 0;
        rd->arc_start[i] = k;
        cJSON_ArrayForEach(pos, arc) {
            double px, py;
            if (number_pair(pos, &px, &py))
                return em_error(err, EM_EINPUT, "%s: arc %zu, position %zu: expected [x, y]",
                                rd->path, i, j);
            if (quantized) {
                x += px;
                y += py;
                px = x * scale_x + translate_x;
                py = y * scale_y + translate_y;
            }
            rd->arc_xy[2 * k] = px;
            rd->arc_xy[2 * k + 1] = py;
            k++;
            j++;
        }
        rd->arc_len[i] = j;
        i++;
    }
    return EM_OK;
}

/* Append arc index (~i for arc i reversed) to the ring that starts at
 * ring_xy[ring_start]. */
static void append_arc(topo_reader *rd, long long index, size_t ring_start)
{
    size_t arc = index < 0 ? (size_t)~index : (size_t)index;
    size_t n = rd->arc_len[arc];
    if (!n) return; /* an empty arc ("[]") adds no point */
    const double *src = rd->arc_xy + 2 * rd->arc_start[arc];
    double *dst;

    /* The previous arc's last point is this arc's first. */
    if (rd->ring_xy_len > ring_start) rd->ring_xy_len -= 2;
    ALLOC_GROW(rd->ring_xy, rd->ring_xy_len + 2 * n, rd->ring_xy_alloc);
    dst = rd->ring_xy + rd->ring_xy_len;
    if (index >= 0) {
        memcpy(dst, src, 2 * n * sizeof(double));
    } else {
        for (size_t i = 0; i < n; i++) {
            dst[2 * i] = src[2 * (n - 1 - i)];
            dst[2 * i + 1] = src[2 * (n - 1 - i) + 1];
        }
    }
    rd->ring_xy_len += 2 * n;
}

/* world-atlas is made for d3's spherical geometry (its build runs
 * geostitch), where an edge is the short way round: a step of more than 180
 * degrees of longitude crosses the antimeridian, and Russia, Fiji and
 * Antarctica are not cut there.  A ring that crosses and comes back gets
 * continuous longitudes, past ±180 where needed (geo_shape_from_rings cuts
 * the shape there).  A ring that goes once around a pole (Antarctica's coast)
 * is opened where it crosses the antimeridian and closed along ±180 and the
 * pole, as Natural Earth's own files draw it.  Returns that pole (-90 or 90)
 * for such a ring, else 0. */
static double fix_antimeridian(topo_reader *rd, size_t ring_start)
{
    size_t n = (rd->ring_xy_len - ring_start) / 2;
    if (n < 2) return 0.0; /* nothing to cross (and ring_xy may still be NULL) */
    double *xy = rd->ring_xy + ring_start;
    double shift = 0.0;
    int crosses = 0;

    for (size_t i = 1; i < n && !crosses; i++)
        if (fabs(xy[2 * i] - xy[2 * (i - 1)]) > 180.0) crosses = 1;
    if (!crosses) return 0.0;

    /* Unwrap: every point within 180 degrees of the one before. */
    double *ring = xmalloc(2 * (n + 5) * sizeof(double));
    ring[0] = xy[0];
    ring[1] = xy[1];
    for (size_t i = 1; i < n; i++) {
        double step = xy[2 * i] - xy[2 * (i - 1)];
        if (step > 180.0) shift -= 360.0;
        else if (step < -180.0) shift += 360.0;
        ring[2 * i] = xy[2 * i] + shift;
        ring[2 * i + 1] = xy[2 * i + 1];
    }
    int closed = n > 3 && xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1];
    if (!closed || fabs(shift) != 360.0) {
        memcpy(xy, ring, 2 * n * sizeof(double));
        free(ring);
        return 0.0;
    }

    /* Once around a pole.  Open the ring at a crossing in the direction of
     * its turn (the edge from point j - 1 to point j): start there at x_in,
     * go round to x_out = -x_in, then along x_out to the pole and back along
     * x_in. */
    size_t j = 1;
    while (!(shift > 0 ? xy[2 * j] - xy[2 * (j - 1)] < -180.0
                       : xy[2 * j] - xy[2 * (j - 1)] > 180.0))
        j++;
    double ax = xy[2 * (j - 1)], ay = xy[2 * (j - 1) + 1];
    double bx = xy[2 * j], by = xy[2 * j + 1];
    double x_out = ax > bx ? 180.0 : -180.0; /* the side of the point before */
    double x_in = -x_out;
    double bx_cont = bx + 2.0 * x_out;       /* b seen from a's side */
    double cross_lat = ay + (by - ay) * (x_out - ax) / (bx_cont - ax);
    double mean_lat = 0.0;
    for (size_t i = 0; i + 1 < n; i++) mean_lat += xy[2 * i + 1];
    double pole = mean_lat < 0.0 ? -90.0 : 90.0;
    size_t m = 0;

#define PUT(x_, y_) (ring[2 * m] = (x_), ring[2 * m + 1] = (y_), m++)
    PUT(x_in, cross_lat);
    shift = 0.0;
    for (size_t k = 0; k + 1 < n; k++) { /* the n - 1 distinct points from j on */
        size_t i = (j + k) % (n - 1);
        if (k) {
            double step = xy[2 * i] - xy[2 * ((j + k - 1) % (n - 1))];
            if (step > 180.0) shift -= 360.0;
            else if (step < -180.0) shift += 360.0;
        }
        PUT(xy[2 * i] + shift, xy[2 * i + 1]);
    }
    PUT(x_out, cross_lat);
    PUT(x_out, pole);
    PUT(x_in, pole);
    PUT(x_in, cross_lat);
#undef PUT
    ALLOC_GROW(rd->ring_xy, ring_start + 2 * m, rd->ring_xy_alloc);
    memcpy(rd->ring_xy + ring_start, ring, 2 * m * sizeof(double));
    rd->ring_xy_len = ring_start + 2 * m;
    free(ring);
    return pole;
}

/* Longitude range of the ring starting at ring_xy[ring_start]. */
static void ring_x_range(const topo_reader *rd, size_t ring_start, double *xmin, double *xmax)
{
    *xmin = HUGE_VAL;
    *xmax = -HUGE_VAL;
    for (size_t i = ring_start; i < rd->ring_xy_len; i += 2) {
        if (rd->ring_xy[i] < *xmin) *xmin = rd->ring_xy[i];
        if (rd->ring_xy[i] > *xmax) *xmax = rd->ring_xy[i];
    }
}

/* Add one polygon: rings_json is [[arc, ...], ...], shell first. */
static int add_polygon(topo_reader *rd, const cJSON *rings_json, size_t geometry_index,
                       char **err)
{
    const cJSON *ring, *arc;
    size_t first_ring = rd->n_rings;
    double shell_xmin = -180.0, shell_xmax = 180.0, shell_pole = 0.0;

    if (!cJSON_IsArray(rings_json))
        return em_error(err, EM_EINPUT,
                        "%s: object '%s', geometry %zu: a polygon's \"arcs\" must be an array "
                        "of rings",
                        rd->path, rd->object_name, geometry_index);
    cJSON_ArrayForEach(ring, rings_json) {
        size_t ring_start = rd->ring_xy_len;
        double pole;
        if (!cJSON_IsArray(ring))
            return em_error(err, EM_EINPUT,
                            "%s: object '%s', geometry %zu: a ring must be an array of arc "
                            "indexes",
                            rd->path, rd->object_name, geometry_index);
        cJSON_ArrayForEach(arc, ring) {
            double v = cJSON_IsNumber(arc) ? arc->valuedouble : NAN;
            if (!(v == floor(v)))
                return em_error(err, EM_EINPUT,
                                "%s: object '%s', geometry %zu: an arc index is not an integer",
                                rd->path, rd->object_name, geometry_index);
            if (!(v >= -(double)rd->n_arcs && v < (double)rd->n_arcs))
                return em_error(err, EM_EINPUT,
                                "%s: object '%s', geometry %zu: arc index %.0f is out of range "
                                "(the topology has %zu arcs)",
                                rd->path, rd->object_name, geometry_index, v, rd->n_arcs);
            append_arc(rd, (long long)v, ring_start);
        }
        pole = fix_antimeridian(rd, ring_start);
        if (rd->n_rings == first_ring) {
            ring_x_range(rd, ring_start, &shell_xmin, &shell_xmax);
            shell_pole = pole;
        } else if (pole != 0.0 && pole == shell_pole) {
            /* Shell and hole both go round the same pole: geostitch turned
             * the polar cut into a tiny cap (the shell, "all but the cap")
             * and the coast into the hole.  The land is the area between
             * the coast and the pole: the hole's ring becomes the shell. */
            rd->ring_off[first_ring] = ring_start;
            rd->ring_npts[first_ring] = (rd->ring_xy_len - ring_start) / 2;
            ring_x_range(rd, ring_start, &shell_xmin, &shell_xmax);
            shell_pole = 0.0;
            continue;
        } else if (rd->ring_xy_len > ring_start) {
            /* A hole unwrapped on its own may sit a turn away from its shell. */
            double x = rd->ring_xy[ring_start], turn = 0.0;
            if (x < shell_xmin && x + 360.0 <= shell_xmax) turn = 360.0;
            if (x > shell_xmax && x - 360.0 >= shell_xmin) turn = -360.0;
            for (size_t i = ring_start; turn != 0.0 && i < rd->ring_xy_len; i += 2)
                rd->ring_xy[i] += turn;
        }
        ALLOC_GROW(rd->ring_off, rd->n_rings + 1, rd->ring_off_alloc);
        ALLOC_GROW(rd->ring_npts, rd->n_rings + 1, rd->ring_npts_alloc);
        rd->ring_off[rd->n_rings] = ring_start;
        rd->ring_npts[rd->n_rings] = (rd->ring_xy_len - ring_start) / 2;
        rd->n_rings++;
    }
    ALLOC_GROW(rd->ring_counts, rd->n_polygons + 1, rd->ring_counts_alloc);
    rd->ring_counts[rd->n_polygons++] = rd->n_rings - first_ring;
    return EM_OK;
}

/* "760" for "id": "760", "4" for "id": 4, NULL when absent. */
static char *feature_id(const cJSON *geometry)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(geometry, "id");
    char num[64];
    if (cJSON_IsString(id)) return xstrdup(id->valuestring);
    if (!cJSON_IsNumber(id)) return NULL;
    if (id->valuedouble == floor(id->valuedouble) && fabs(id->valuedouble) < 1e15)
        snprintf(num, sizeof(num), "%.0f", id->valuedouble);
    else
        snprintf(num, sizeof(num), "%.17g", id->valuedouble);
    return xstrdup(num);
}

/* Build the shape of one geometry; *out NULL when it has none. */
static int build_geometry(topo_reader *rd, const cJSON *geometry, size_t index, geo_shape **out,
                          char **err)
{
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(geometry, "type");
    const cJSON *arcs = cJSON_GetObjectItemCaseSensitive(geometry, "arcs");
    const cJSON *polygon;
    char *sub_err = NULL;
    int rc;

    *out = NULL;
    rd->ring_xy_len = 0;
    rd->n_rings = 0;
    rd->n_polygons = 0;

    if (!cJSON_IsObject(geometry))
        return em_error(err, EM_EINPUT, "%s: object '%s', geometry %zu is not an object",
                        rd->path, rd->object_name, index);
    if (!type || cJSON_IsNull(type)) return EM_OK; /* a feature without geometry */
    if (!cJSON_IsString(type))
        return em_error(err, EM_EINPUT, "%s: object '%s', geometry %zu: \"type\" is not a string",
                        rd->path, rd->object_name, index);
    if (!strcmp(type->valuestring, "Polygon")) {
        rc = add_polygon(rd, arcs, index, err);
        if (rc) return rc;
    } else if (!strcmp(type->valuestring, "MultiPolygon")) {
        if (!cJSON_IsArray(arcs))
            return em_error(err, EM_EINPUT,
                            "%s: object '%s', geometry %zu: a MultiPolygon's \"arcs\" must be an "
                            "array of polygons",
                            rd->path, rd->object_name, index);
        cJSON_ArrayForEach(polygon, arcs) {
            rc = add_polygon(rd, polygon, index, err);
            if (rc) return rc;
        }
    } else {
        return em_error(err, EM_EINPUT,
                        "%s: object '%s', geometry %zu: type '%s' is not supported (expected "
                        "Polygon or MultiPolygon)",
                        rd->path, rd->object_name, index, type->valuestring);
    }

    ALLOC_GROW(rd->rings, rd->n_rings, rd->rings_alloc);
    for (size_t i = 0; i < rd->n_rings; i++) {
        rd->rings[i].xy = rd->ring_xy ? rd->ring_xy + rd->ring_off[i] : NULL; /* NULL: rings of empty arcs only */
        rd->rings[i].n_points = rd->ring_npts[i];
    }
    rc = geo_shape_from_rings(rd->ctx, rd->rings, rd->ring_counts, rd->n_polygons, out, &sub_err);
    if (rc) {
        em_error(err, rc, "%s: object '%s', geometry %zu: %s", rd->path, rd->object_name, index,
                 sub_err ? sub_err : "cannot build polygon");
        free(sub_err);
    }
    return rc;
}

int topo_read(geo_ctx *ctx, const char *path, const char *object_name, topo_feature **out,
              size_t *n_out, char **err)
{
    int rc = EM_OK;
    strbuf text = STRBUF_INIT;
    cJSON *root = NULL;
    const char *parse_end = NULL;
    const cJSON *type, *objects, *object, *geometries, *geometry;
    topo_reader rd;
    topo_feature *features = NULL;
    size_t n_features = 0, features_alloc = 0, index = 0;

    *out = NULL;
    *n_out = 0;
    memset(&rd, 0, sizeof(rd));
    rd.path = path;
    rd.object_name = object_name;
    rd.ctx = ctx;

    rc = topo_read_text(path, &text, err);
    if (rc) goto cleanup;
    root = cJSON_ParseWithLengthOpts(text.buf, text.len, &parse_end, 0);
    if (!root) {
        size_t offset = parse_end && parse_end >= text.buf ? (size_t)(parse_end - text.buf) : 0;
        size_t line, column;
        if (offset > text.len) offset = text.len;
        line_column(text.buf, offset, &line, &column);
        rc = em_error(err, EM_EINPUT, "%s:%zu:%zu: JSON parse error", path, line, column);
        goto cleanup;
    }

    type = cJSON_GetObjectItemCaseSensitive(root, "type");
    objects = cJSON_GetObjectItemCaseSensitive(root, "objects");
    if (!cJSON_IsObject(root) || !cJSON_IsString(type) || strcmp(type->valuestring, "Topology") ||
        !cJSON_IsObject(objects)) {
        rc = em_error(err, EM_EINPUT, "%s: not a TopoJSON Topology", path);
        goto cleanup;
    }
    object = cJSON_GetObjectItemCaseSensitive(objects, object_name);
    if (!cJSON_IsObject(object)) {
        rc = em_error(err, EM_EINPUT, "%s: object '%s' not found", path, object_name);
        goto cleanup;
    }
    rc = decode_arcs(&rd, root, err);
    if (rc) goto cleanup;

    type = cJSON_GetObjectItemCaseSensitive(object, "type");
    if (cJSON_IsString(type) && !strcmp(type->valuestring, "GeometryCollection")) {
        geometries = cJSON_GetObjectItemCaseSensitive(object, "geometries");
        if (!cJSON_IsArray(geometries)) {
            rc = em_error(err, EM_EINPUT,
                          "%s: object '%s': a GeometryCollection needs a \"geometries\" array",
                          path, object_name);
            goto cleanup;
        }
        geometry = geometries->child;
    } else {
        geometry = object; /* a lone Polygon or MultiPolygon */
    }

    for (; geometry; geometry = geometry == object ? NULL : geometry->next, index++) {
        geo_shape *shape = NULL;
        const cJSON *properties, *name;
        topo_feature *f;

        rc = build_geometry(&rd, geometry, index, &shape, err);
        if (rc) goto cleanup;
        if (!shape) continue;
        ALLOC_GROW(features, n_features + 1, features_alloc);
        f = &features[n_features++];
        f->shape = shape;
        f->id = feature_id(geometry);
        properties = cJSON_GetObjectItemCaseSensitive(geometry, "properties");
        name = cJSON_GetObjectItemCaseSensitive(properties, "name");
        f->name = cJSON_IsString(name) ? xstrdup(name->valuestring) : NULL;
    }
    *out = features;
    *n_out = n_features;
    features = NULL;
    n_features = 0;

cleanup:
    topo_features_free(ctx, features, n_features);
    reader_release(&rd);
    cJSON_Delete(root);
    sb_release(&text);
    return rc;
}

void topo_features_free(geo_ctx *ctx, topo_feature *features, size_t n)
{
    if (!features) return;
    for (size_t i = 0; i < n; i++) {
        free(features[i].id);
        free(features[i].name);
        geo_shape_free(ctx, features[i].shape);
    }
    free(features);
}
