/*
 * topojson.c - the one TopoJSON decoder, for the base map (Natural Earth
 * land and countries as shipped by the world-atlas npm package) and the
 * gazetteer's country polygons.  A Topology stores each shared border once,
 * as an "arc"; with a "transform" the arcs are quantized to integers and
 * delta-encoded.
 *
 * topo_open reads the file and scans the top-level "arcs" array straight
 * into numbers (it is most of the file: 1.4M numbers at 1:10m), blanking it
 * out of the text before cJSON parses the rest; arcs the scanner cannot read
 * as exactly what cJSON would are left in place and decoded from cJSON's tree
 * instead, so both ways give the same numbers and the same messages.  A parse
 * error is reported as file:line:column.  topo_read_rings applies the
 * transform to the arcs once, then stitches the arcs named by each Polygon and
 * MultiPolygon into rings (an index ~i means arc i walked backwards, and each
 * arc after the first starts where the previous one ended, so that point is
 * dropped) and makes rings that cross the antimeridian continuous (see
 * fix_antimeridian); it also lists the arcs two geometries share (the
 * borders).  topo_read is the optional second step: it makes each geometry a
 * valid shape with geo_shape_from_rings (geos.c), which repairs rings that
 * quantization made self-intersecting and cuts shapes at the antimeridian.
 */
#include "geo/geo.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

struct topo_topology {
    char *path;              /* for messages */
    strbuf text;             /* the file, until cJSON has parsed it (the arcs
                                blanked out when scanned) */
    cJSON *root;

    /* The arcs: as scanned (before the transform) when `scanned`, absolute
     * lon, lat pairs once `decoded`. */
    double *arc_xy;
    size_t *arc_start;       /* arc i starts at point arc_start[i] of arc_xy */
    size_t *arc_len;         /* and has arc_len[i] points */
    size_t n_arcs;
    int scanned;             /* arc_xy holds the scanner's numbers */
    int decoded;             /* arc_xy holds degrees */
};

/* The reading of one object by topo_read_rings. */
typedef struct {
    topo_topology *tp;
    const char *object_name;
    topo_rings *out;
    size_t *arc_owner;       /* per arc: 1 + the last geometry that used it, 0 none */
    unsigned char *arc_shared; /* per arc: used by two different geometries */
    size_t geometry_ordinal; /* 1 + the geometry being read */
} object_reader;

/* ------------------------------------------------------------------ text */

/* Append the whole file at path to sb, refusing one past GEO_TOPO_MAX_FILE. */
static int read_text(const char *path, strbuf *sb, char **err)
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

/* ---------------------------------------------------------- arc scanner */

typedef struct {
    char *p, *end;
} scan;

static void skip_ws(scan *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\n' || *sc->p == '\r' || *sc->p == '\t')) sc->p++;
}

/* Skip a JSON string starting at the quote; 0 or -1. */
static int skip_string(scan *sc)
{
    for (sc->p++; sc->p < sc->end; sc->p++) {
        if (*sc->p == '\\') sc->p++;
        else if (*sc->p == '"') {
            sc->p++;
            return 0;
        }
    }
    return -1;
}

static int is_number_char(char c)
{
    return (c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' || c == '.';
}

/* A number as cJSON 1.7 reads one: it starts with '-' or a digit, and
 * strtod reads it from the run of number characters (at most 63) there.
 * Integers (what a quantized topology holds) are read without strtod. */
static int scan_number(scan *sc, double *out)
{
    char *q = sc->p;
    if (q >= sc->end || !(*q == '-' || (*q >= '0' && *q <= '9'))) return -1;
    int neg = *q == '-';
    if (neg) q++;
    long long v = 0;
    char *digits = q;
    while (q < sc->end && *q >= '0' && *q <= '9' && q - digits < 17) v = v * 10 + (*q++ - '0');
    if (q > digits && (q >= sc->end || !is_number_char(*q))) {
        *out = neg ? -(double)v : (double)v;
        sc->p = q;
        return 0;
    }
    char number[64], *number_end;
    size_t n = 0;
    while (n < sizeof(number) - 1 && sc->p + n < sc->end && is_number_char(sc->p[n])) {
        number[n] = sc->p[n];
        n++;
    }
    number[n] = '\0';
    *out = strtod(number, &number_end);
    if (number_end == number) return -1;
    sc->p += number_end - number;
    return 0;
}

static int expect(scan *sc, char c)
{
    skip_ws(sc);
    if (sc->p >= sc->end || *sc->p != c) return -1;
    sc->p++;
    return 0;
}

/* Where the value of the root object's "arcs" member starts, or NULL. */
static char *find_arcs(char *text, size_t len)
{
    scan sc = { text, text + len };
    int depth = 0;
    while (sc.p < sc.end) {
        char c = *sc.p;
        if (c == '"') {
            char *key = sc.p;
            if (skip_string(&sc) < 0) return NULL;
            if (depth == 1 && sc.p - key == 6 && !memcmp(key, "\"arcs\"", 6)) {
                skip_ws(&sc);
                if (sc.p < sc.end && *sc.p == ':') {
                    sc.p++;
                    skip_ws(&sc);
                    return sc.p;
                }
            }
            continue;
        }
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        sc.p++;
    }
    return NULL;
}

/* Read the arcs array at start as [[[x, y, ...], ...], ...] of numbers into
 * tp's arc arrays as they stand (quantized or not).  0, with the array then
 * blanked out of the text ("[]" and spaces, so that offsets stay); -1 when
 * it is anything else (nothing blanked: cJSON reads it and says what is
 * wrong).  *end_out: where the array ended. */
static int scan_arcs(topo_topology *tp, char *start, char *end, char **end_out)
{
    scan sc = { start, end };
    size_t alloc_arcs = 0, alloc_xy = 0, n_points = 0;
    if (expect(&sc, '[') < 0) return -1;
    skip_ws(&sc);
    int first_arc = 1;
    while (sc.p < sc.end && *sc.p != ']') {
        if (!first_arc && expect(&sc, ',') < 0) return -1;
        first_arc = 0;
        if (expect(&sc, '[') < 0) return -1;
        ALLOC_GROW(tp->arc_start, tp->n_arcs + 1, alloc_arcs);
        tp->arc_len = xrealloc(tp->arc_len, alloc_arcs * sizeof(*tp->arc_len));
        tp->arc_start[tp->n_arcs] = n_points;
        skip_ws(&sc);
        int first_pos = 1;
        while (sc.p < sc.end && *sc.p != ']') {
            if (!first_pos && expect(&sc, ',') < 0) return -1;
            first_pos = 0;
            double px, py;
            if (expect(&sc, '[') < 0) return -1;
            skip_ws(&sc);
            if (scan_number(&sc, &px) < 0 || expect(&sc, ',') < 0) return -1;
            skip_ws(&sc);
            if (scan_number(&sc, &py) < 0) return -1;
            /* a position may carry more than two numbers: skip them */
            skip_ws(&sc);
            while (sc.p < sc.end && *sc.p == ',') {
                double extra;
                sc.p++;
                skip_ws(&sc);
                if (scan_number(&sc, &extra) < 0) return -1;
                skip_ws(&sc);
            }
            if (expect(&sc, ']') < 0) return -1;
            ALLOC_GROW(tp->arc_xy, 2 * (n_points + 1), alloc_xy);
            tp->arc_xy[2 * n_points] = px;
            tp->arc_xy[2 * n_points + 1] = py;
            n_points++;
            skip_ws(&sc);
        }
        if (expect(&sc, ']') < 0) return -1;
        tp->arc_len[tp->n_arcs] = n_points - tp->arc_start[tp->n_arcs];
        tp->n_arcs++;
        skip_ws(&sc);
    }
    if (expect(&sc, ']') < 0) return -1;
    start[0] = '[';
    start[1] = ']';
    memset(start + 2, ' ', (size_t)(sc.p - start) - 2);
    *end_out = sc.p;
    return 0;
}

static void forget_arcs(topo_topology *tp)
{
    free(tp->arc_xy);
    free(tp->arc_start);
    free(tp->arc_len);
    tp->arc_xy = NULL;
    tp->arc_start = tp->arc_len = NULL;
    tp->n_arcs = 0;
    tp->scanned = tp->decoded = 0;
}

int topo_open(const char *path, topo_topology **out, char **err)
{
    int rc = EM_OK;
    topo_topology *tp = xcalloc(1, sizeof(*tp));
    const char *parse_end = NULL;
    char *arcs_at, *arcs_end = NULL;
    const cJSON *type, *objects;

    *out = NULL;
    tp->path = xstrdup(path);
    sb_init(&tp->text, 0);
    rc = read_text(path, &tp->text, err);
    if (rc) goto cleanup;

    arcs_at = find_arcs(tp->text.buf, tp->text.len);
    if (arcs_at) {
        if (scan_arcs(tp, arcs_at, tp->text.buf + tp->text.len, &arcs_end) == 0) tp->scanned = 1;
        else forget_arcs(tp);
    }
    tp->root = cJSON_ParseWithLengthOpts(tp->text.buf, tp->text.len, &parse_end, 0);
    if (!tp->root) {
        size_t offset = parse_end && parse_end >= tp->text.buf ? (size_t)(parse_end - tp->text.buf) : 0;
        size_t line, column;
        if (offset > tp->text.len) offset = tp->text.len;
        line_column(tp->text.buf, offset, &line, &column);
        rc = em_error(err, EM_EINPUT, "%s:%zu:%zu: JSON parse error", path, line, column);
        goto cleanup;
    }
    /* The scanned array is the root's "arcs" only if cJSON read that far
     * (text after the root value is ignored). */
    if (tp->scanned && !(parse_end && parse_end >= arcs_end)) forget_arcs(tp);
    sb_release(&tp->text); /* the numbers and the tree hold it all now */

    type = cJSON_GetObjectItemCaseSensitive(tp->root, "type");
    objects = cJSON_GetObjectItemCaseSensitive(tp->root, "objects");
    if (!cJSON_IsObject(tp->root) || !cJSON_IsString(type) || strcmp(type->valuestring, "Topology") ||
        !cJSON_IsObject(objects)) {
        rc = em_error(err, EM_EINPUT, "%s: not a TopoJSON Topology", path);
        goto cleanup;
    }
    *out = tp;
    tp = NULL;

cleanup:
    topo_free(tp);
    return rc;
}

void topo_free(topo_topology *tp)
{
    if (!tp) return;
    forget_arcs(tp);
    cJSON_Delete(tp->root);
    sb_release(&tp->text);
    free(tp->path);
    free(tp);
}

/* ------------------------------------------------------------------ arcs */

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

/* The arcs from cJSON's tree, as they stand, when the scanner left them. */
static int arcs_from_tree(topo_topology *tp, const cJSON *arcs, char **err)
{
    const cJSON *arc, *pos;
    size_t n_points = 0, i = 0, k = 0;

    if (!cJSON_IsArray(arcs))
        return em_error(err, EM_EINPUT, "%s: not a TopoJSON Topology (no \"arcs\" array)", tp->path);
    cJSON_ArrayForEach(arc, arcs) {
        if (!cJSON_IsArray(arc))
            return em_error(err, EM_EINPUT, "%s: arc %zu is not an array of positions", tp->path, tp->n_arcs);
        tp->n_arcs++;
        cJSON_ArrayForEach(pos, arc) n_points++;
    }
    tp->arc_xy = xmalloc((n_points ? n_points : 1) * 2 * sizeof(double));
    tp->arc_start = xmalloc((tp->n_arcs ? tp->n_arcs : 1) * sizeof(size_t));
    tp->arc_len = xmalloc((tp->n_arcs ? tp->n_arcs : 1) * sizeof(size_t));

    cJSON_ArrayForEach(arc, arcs) {
        size_t j = 0;
        tp->arc_start[i] = k;
        cJSON_ArrayForEach(pos, arc) {
            double px, py;
            if (number_pair(pos, &px, &py))
                return em_error(err, EM_EINPUT, "%s: arc %zu, position %zu: expected [x, y]", tp->path, i, j);
            tp->arc_xy[2 * k] = px;
            tp->arc_xy[2 * k + 1] = py;
            k++;
            j++;
        }
        tp->arc_len[i] = j;
        i++;
    }
    return EM_OK;
}

/* Turn the arcs into absolute degrees, once: with a transform, each
 * position is a delta from the one before, in units of scale after
 * translate. */
static int decode_arcs(topo_topology *tp, char **err)
{
    const cJSON *transform = cJSON_GetObjectItemCaseSensitive(tp->root, "transform");
    double scale_x = 1, scale_y = 1, translate_x = 0, translate_y = 0;
    int quantized = 0, rc;

    if (tp->decoded) return EM_OK;
    if (transform && !cJSON_IsNull(transform)) {
        if (number_pair(cJSON_GetObjectItemCaseSensitive(transform, "scale"), &scale_x, &scale_y) ||
            number_pair(cJSON_GetObjectItemCaseSensitive(transform, "translate"), &translate_x, &translate_y))
            return em_error(err, EM_EINPUT, "%s: \"transform\" needs \"scale\" and \"translate\" as [x, y]",
                            tp->path);
        quantized = 1;
    }
    if (!tp->scanned) {
        forget_arcs(tp); /* what an earlier failed call left */
        rc = arcs_from_tree(tp, cJSON_GetObjectItemCaseSensitive(tp->root, "arcs"), err);
        if (rc) {
            forget_arcs(tp);
            return rc;
        }
    }
    if (quantized) {
        for (size_t i = 0; i < tp->n_arcs; i++) {
            double x = 0, y = 0; /* running sums of the quantized deltas */
            if (!tp->arc_len[i]) continue; /* arc_xy is NULL when no arc has a point */
            double *xy = tp->arc_xy + 2 * tp->arc_start[i];
            for (size_t j = 0; j < tp->arc_len[i]; j++) {
                x += xy[2 * j];
                y += xy[2 * j + 1];
                xy[2 * j] = x * scale_x + translate_x;
                xy[2 * j + 1] = y * scale_y + translate_y;
            }
        }
    }
    tp->decoded = 1;
    return EM_OK;
}

/* ----------------------------------------------------------------- rings */

static void add_points(topo_rings *out, const double *xy, size_t n)
{
    ALLOC_GROW(out->xy, 2 * (out->n_points + n), out->alloc_xy);
    memcpy(out->xy + 2 * out->n_points, xy, 2 * n * sizeof(double));
    out->n_points += n;
}

/* Append arc index (~i for arc i reversed) to the ring that starts at point
 * ring_start of out->xy. */
static void append_arc(object_reader *rd, long long index, size_t ring_start)
{
    topo_topology *tp = rd->tp;
    topo_rings *out = rd->out;
    size_t arc = index < 0 ? (size_t)~index : (size_t)index;
    size_t n = tp->arc_len[arc];

    if (rd->arc_owner[arc] && rd->arc_owner[arc] != rd->geometry_ordinal) rd->arc_shared[arc] = 1;
    rd->arc_owner[arc] = rd->geometry_ordinal;
    if (!n) return; /* an empty arc ("[]") adds no point */
    const double *src = tp->arc_xy + 2 * tp->arc_start[arc];

    /* The previous arc's last point is this arc's first. */
    if (out->n_points > ring_start) out->n_points--;
    if (index >= 0) {
        add_points(out, src, n);
        return;
    }
    ALLOC_GROW(out->xy, 2 * (out->n_points + n), out->alloc_xy);
    double *dst = out->xy + 2 * out->n_points;
    for (size_t i = 0; i < n; i++) {
        dst[2 * i] = src[2 * (n - 1 - i)];
        dst[2 * i + 1] = src[2 * (n - 1 - i) + 1];
    }
    out->n_points += n;
}

/* World-atlas is made for d3's spherical geometry (its build runs
 * geostitch), where an edge is the short way round: a step of more than 180
 * degrees of longitude crosses the antimeridian, and Russia, Fiji and
 * Antarctica are not cut there.  The run of points from start to the end of
 * out->xy that crosses gets continuous longitudes, past ±180 where needed.
 * A ring (when is_ring) that goes once around a pole (Antarctica's coast) is
 * opened where it crosses the antimeridian and closed along ±180 and the
 * pole, as Natural Earth's own files draw it.  Returns that pole (-90 or 90)
 * for such a ring, else 0. */
static double fix_antimeridian(topo_rings *out, size_t start, int is_ring)
{
    size_t n = out->n_points - start;
    if (n < 2) return 0.0; /* nothing to cross (and xy may still be NULL) */
    double *xy = out->xy + 2 * start;
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
    if (!is_ring || !closed || fabs(shift) != 360.0) {
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
    out->n_points = start;
    add_points(out, ring, m);
    free(ring);
    return pole;
}

/* Add one polygon: rings_json is [[arc, ...], ...], shell first. */
static int add_polygon(object_reader *rd, const cJSON *rings_json, size_t geometry_index, char **err)
{
    topo_topology *tp = rd->tp;
    topo_rings *out = rd->out;
    const cJSON *ring, *arc;
    size_t first_ring = out->n_rings;

    if (!cJSON_IsArray(rings_json))
        return em_error(err, EM_EINPUT,
                        "%s: object '%s', geometry %zu: a polygon's \"arcs\" must be an array of rings",
                        tp->path, rd->object_name, geometry_index);
    cJSON_ArrayForEach(ring, rings_json) {
        size_t ring_start = out->n_points;
        if (!cJSON_IsArray(ring))
            return em_error(err, EM_EINPUT,
                            "%s: object '%s', geometry %zu: a ring must be an array of arc indexes",
                            tp->path, rd->object_name, geometry_index);
        cJSON_ArrayForEach(arc, ring) {
            double v = cJSON_IsNumber(arc) ? arc->valuedouble : NAN;
            if (!(v == floor(v)))
                return em_error(err, EM_EINPUT, "%s: object '%s', geometry %zu: an arc index is not an integer",
                                tp->path, rd->object_name, geometry_index);
            if (!(v >= -(double)tp->n_arcs && v < (double)tp->n_arcs))
                return em_error(err, EM_EINPUT,
                                "%s: object '%s', geometry %zu: arc index %.0f is out of range "
                                "(the topology has %zu arcs)",
                                tp->path, rd->object_name, geometry_index, v, tp->n_arcs);
            append_arc(rd, (long long)v, ring_start);
        }
        double pole = fix_antimeridian(out, ring_start, 1);
        ALLOC_GROW(out->rings, out->n_rings + 1, out->alloc_rings);
        out->rings[out->n_rings].start = ring_start;
        out->rings[out->n_rings].n_points = out->n_points - ring_start;
        out->rings[out->n_rings].pole_lat_deg = pole;
        out->n_rings++;
    }
    ALLOC_GROW(out->polygons, out->n_polygons + 1, out->alloc_polygons);
    out->polygons[out->n_polygons].first_ring = first_ring;
    out->polygons[out->n_polygons].n_rings = out->n_rings - first_ring;
    out->n_polygons++;
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

/* Append one geometry to rd->out; nothing when its type is null.  On error
 * out is left as it was before the geometry. */
static int read_geometry(object_reader *rd, const cJSON *geometry, size_t index, char **err)
{
    topo_topology *tp = rd->tp;
    topo_rings *out = rd->out;
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(geometry, "type");
    const cJSON *arcs = cJSON_GetObjectItemCaseSensitive(geometry, "arcs");
    const cJSON *polygon, *properties, *name;
    size_t n_points = out->n_points, n_rings = out->n_rings, n_polygons = out->n_polygons;
    int rc = EM_OK;

    if (!cJSON_IsObject(geometry))
        return em_error(err, EM_EINPUT, "%s: object '%s', geometry %zu is not an object", tp->path,
                        rd->object_name, index);
    if (!type || cJSON_IsNull(type)) return EM_OK; /* a feature without geometry */
    if (!cJSON_IsString(type))
        return em_error(err, EM_EINPUT, "%s: object '%s', geometry %zu: \"type\" is not a string", tp->path,
                        rd->object_name, index);
    if (!strcmp(type->valuestring, "Polygon")) {
        rc = add_polygon(rd, arcs, index, err);
    } else if (!strcmp(type->valuestring, "MultiPolygon")) {
        if (!cJSON_IsArray(arcs))
            rc = em_error(err, EM_EINPUT,
                          "%s: object '%s', geometry %zu: a MultiPolygon's \"arcs\" must be an array of polygons",
                          tp->path, rd->object_name, index);
        else
            cJSON_ArrayForEach(polygon, arcs) {
                rc = add_polygon(rd, polygon, index, err);
                if (rc) break;
            }
    } else {
        rc = em_error(err, EM_EINPUT,
                      "%s: object '%s', geometry %zu: type '%s' is not supported (expected Polygon or "
                      "MultiPolygon)",
                      tp->path, rd->object_name, index, type->valuestring);
    }
    if (rc) {
        out->n_points = n_points;
        out->n_rings = n_rings;
        out->n_polygons = n_polygons;
        return rc;
    }

    ALLOC_GROW(out->geometries, out->n_geometries + 1, out->alloc_geometries);
    topo_geometry *g = &out->geometries[out->n_geometries++];
    g->id = feature_id(geometry);
    properties = cJSON_GetObjectItemCaseSensitive(geometry, "properties");
    name = cJSON_GetObjectItemCaseSensitive(properties, "name");
    g->name = cJSON_IsString(name) ? xstrdup(name->valuestring) : NULL;
    g->index = index;
    g->first_polygon = n_polygons;
    g->n_polygons = out->n_polygons - n_polygons;
    return EM_OK;
}

/* The arcs two different geometries used, as lines after out's runs. */
static void add_borders(object_reader *rd)
{
    topo_topology *tp = rd->tp;
    topo_rings *out = rd->out;
    for (size_t i = 0; i < tp->n_arcs; i++) {
        if (!rd->arc_shared[i] || tp->arc_len[i] < 2) continue;
        size_t start = out->n_points;
        add_points(out, tp->arc_xy + 2 * tp->arc_start[i], tp->arc_len[i]);
        fix_antimeridian(out, start, 0);
        ALLOC_GROW(out->borders, out->n_borders + 1, out->alloc_borders);
        out->borders[out->n_borders].start = start;
        out->borders[out->n_borders].n_points = tp->arc_len[i];
        out->borders[out->n_borders].pole_lat_deg = 0.0;
        out->n_borders++;
    }
}

int topo_read_rings(topo_topology *tp, const char *object_name, topo_rings *out, char **err)
{
    int rc = EM_OK;
    const cJSON *objects = cJSON_GetObjectItemCaseSensitive(tp->root, "objects");
    const cJSON *object = cJSON_GetObjectItemCaseSensitive(objects, object_name);
    const cJSON *type, *geometries, *geometry;
    object_reader rd;
    size_t index = 0;

    if (!cJSON_IsObject(object))
        return em_error(err, EM_EINPUT, "%s: object '%s' not found", tp->path, object_name);
    rc = decode_arcs(tp, err);
    if (rc) return rc;

    memset(&rd, 0, sizeof(rd));
    rd.tp = tp;
    rd.object_name = object_name;
    rd.out = out;
    rd.arc_owner = xcalloc(tp->n_arcs ? tp->n_arcs : 1, sizeof(*rd.arc_owner));
    rd.arc_shared = xcalloc(tp->n_arcs ? tp->n_arcs : 1, 1);

    type = cJSON_GetObjectItemCaseSensitive(object, "type");
    if (cJSON_IsString(type) && !strcmp(type->valuestring, "GeometryCollection")) {
        geometries = cJSON_GetObjectItemCaseSensitive(object, "geometries");
        if (!cJSON_IsArray(geometries)) {
            rc = em_error(err, EM_EINPUT, "%s: object '%s': a GeometryCollection needs a \"geometries\" array",
                          tp->path, object_name);
            goto cleanup;
        }
        geometry = geometries->child;
    } else {
        geometry = object; /* a lone Polygon or MultiPolygon */
    }
    for (; geometry; geometry = geometry == object ? NULL : geometry->next, index++) {
        rd.geometry_ordinal = index + 1;
        rc = read_geometry(&rd, geometry, index, err);
        if (rc) goto cleanup;
    }
    add_borders(&rd);

cleanup:
    free(rd.arc_owner);
    free(rd.arc_shared);
    return rc;
}

void topo_rings_release(topo_rings *rings)
{
    if (!rings) return;
    for (size_t i = 0; i < rings->n_geometries; i++) {
        free(rings->geometries[i].id);
        free(rings->geometries[i].name);
    }
    free(rings->xy);
    free(rings->rings);
    free(rings->polygons);
    free(rings->geometries);
    free(rings->borders);
    memset(rings, 0, sizeof(*rings));
}

/* ---------------------------------------------------------------- shapes */

/* Longitude range of a run of out. */
static void run_x_range(const topo_rings *rings, const topo_run *run, double *xmin, double *xmax)
{
    *xmin = HUGE_VAL;
    *xmax = -HUGE_VAL;
    for (size_t i = run->start; i < run->start + run->n_points; i++) {
        if (rings->xy[2 * i] < *xmin) *xmin = rings->xy[2 * i];
        if (rings->xy[2 * i] > *xmax) *xmax = rings->xy[2 * i];
    }
}

/* Append the rings of polygon p to list as geo_shape_from_rings wants them
 * (count in *n_rings).  Where geostitch turned the polar cut into a tiny cap
 * (the shell, "all but the cap") and the coast into a hole, both closed round
 * the same pole, the land is the area between the coast and the pole: the
 * hole's ring becomes the shell.  A hole unwrapped on its own may sit a turn
 * away from its shell: it is moved next to it (in rings->xy). */
static void polygon_rings(topo_rings *rings, const topo_polygon *p, geo_ring **list, size_t *n_list,
                          size_t *alloc_list, size_t *n_rings)
{
    size_t first = *n_list;
    double shell_xmin = -180.0, shell_xmax = 180.0, shell_pole = 0.0;

    for (size_t k = 0; k < p->n_rings; k++) {
        const topo_run *run = &rings->rings[p->first_ring + k];
        geo_ring ring = { rings->xy ? rings->xy + 2 * run->start : NULL, run->n_points };
        if (k == 0) {
            run_x_range(rings, run, &shell_xmin, &shell_xmax);
            shell_pole = run->pole_lat_deg;
        } else if (run->pole_lat_deg != 0.0 && run->pole_lat_deg == shell_pole) {
            (*list)[first] = ring;
            run_x_range(rings, run, &shell_xmin, &shell_xmax);
            shell_pole = 0.0;
            continue;
        } else if (run->n_points) {
            double x = rings->xy[2 * run->start], turn = 0.0;
            if (x < shell_xmin && x + 360.0 <= shell_xmax) turn = 360.0;
            if (x > shell_xmax && x - 360.0 >= shell_xmin) turn = -360.0;
            for (size_t i = run->start; turn != 0.0 && i < run->start + run->n_points; i++)
                rings->xy[2 * i] += turn;
        }
        ALLOC_GROW(*list, *n_list + 1, *alloc_list);
        (*list)[(*n_list)++] = ring;
    }
    *n_rings = *n_list - first;
}

int topo_read(geo_ctx *ctx, const char *path, const char *object_name, topo_feature **out, size_t *n_out,
              char **err)
{
    int rc = EM_OK, read_rc;
    char *read_err = NULL, *sub_err = NULL;
    topo_topology *tp = NULL;
    topo_rings rings = TOPO_RINGS_INIT;
    topo_feature *features = NULL;
    size_t n_features = 0, features_alloc = 0;
    geo_ring *list = NULL;
    size_t *ring_counts = NULL;
    size_t list_alloc = 0, counts_alloc = 0;

    *out = NULL;
    *n_out = 0;
    rc = topo_open(path, &tp, err);
    if (rc) goto cleanup;
    /* On error the geometries before the failing one are still there, and
     * an error in making one of them a shape comes first, as it would have
     * had each geometry been made a shape as soon as it was read. */
    read_rc = topo_read_rings(tp, object_name, &rings, &read_err);

    for (size_t g = 0; g < rings.n_geometries; g++) {
        const topo_geometry *tg = &rings.geometries[g];
        size_t n_list = 0;
        geo_shape *shape = NULL;
        ALLOC_GROW(ring_counts, tg->n_polygons + 1, counts_alloc);
        for (size_t k = 0; k < tg->n_polygons; k++)
            polygon_rings(&rings, &rings.polygons[tg->first_polygon + k], &list, &n_list, &list_alloc,
                          &ring_counts[k]);
        rc = geo_shape_from_rings(ctx, list, ring_counts, tg->n_polygons, &shape, &sub_err);
        if (rc) {
            em_error(err, rc, "%s: object '%s', geometry %zu: %s", path, object_name, tg->index,
                     sub_err ? sub_err : "cannot build polygon");
            goto cleanup;
        }
        if (!shape) continue;
        ALLOC_GROW(features, n_features + 1, features_alloc);
        topo_feature *f = &features[n_features++];
        f->shape = shape;
        f->id = tg->id ? xstrdup(tg->id) : NULL;
        f->name = tg->name ? xstrdup(tg->name) : NULL;
    }
    if (read_rc) {
        rc = em_error(err, read_rc, "%s", read_err ? read_err : "cannot read");
        goto cleanup;
    }
    *out = features;
    *n_out = n_features;
    features = NULL;
    n_features = 0;

cleanup:
    topo_features_free(ctx, features, n_features);
    topo_rings_release(&rings);
    topo_free(tp);
    free(list);
    free(ring_counts);
    free(read_err);
    free(sub_err);
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
