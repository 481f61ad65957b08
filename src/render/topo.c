/*
 * topo.c - the base map's TopoJSON (world-atlas countries-50m.json and
 * countries-10m.json, which hold both the "countries" and the "land"
 * objects over one set of arcs) decoded for drawing: plain arrays of rings
 * and of the arcs two countries share (the borders, each drawn once).
 *
 * Why not geo/topojson.c's topo_read: it repairs every polygon into a valid
 * GEOS geometry, which the point-in-polygon users need but a map does not,
 * and that takes 14 s for land-10m and 1.6 s for countries-10m; this reader
 * takes a few tens of milliseconds.  Clipping and simplifying per view is
 * done in basemap.c, through geo.h.
 */
#include <cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

typedef struct {
    const char *path;
    topo_scale *s;
    size_t alloc_points, alloc_rings, alloc_land, alloc_cpolys, alloc_countries;
    size_t *arc_start, *arc_len;   /* decoded arcs in s->xy */
    size_t alloc_arcs;
    size_t n_arcs;
    int32_t *arc_owner;            /* last country using the arc, -1 none */
    uint8_t *arc_shared;           /* used by two different countries */
} topo_reader;

static void bbox_empty(geo_bbox *b)
{
    b->west_deg = b->south_deg = HUGE_VAL;
    b->east_deg = b->north_deg = -HUGE_VAL;
}

static void bbox_add_bbox(geo_bbox *b, const geo_bbox *o)
{
    if (o->west_deg < b->west_deg) b->west_deg = o->west_deg;
    if (o->east_deg > b->east_deg) b->east_deg = o->east_deg;
    if (o->south_deg < b->south_deg) b->south_deg = o->south_deg;
    if (o->north_deg > b->north_deg) b->north_deg = o->north_deg;
}

static void run_bbox(const double *xy, topo_run *r)
{
    bbox_empty(&r->bbox);
    for (size_t i = r->start; i < r->start + r->n; i++) {
        double x = xy[2 * i], y = xy[2 * i + 1];
        if (x < r->bbox.west_deg) r->bbox.west_deg = x;
        if (x > r->bbox.east_deg) r->bbox.east_deg = x;
        if (y < r->bbox.south_deg) r->bbox.south_deg = y;
        if (y > r->bbox.north_deg) r->bbox.north_deg = y;
    }
}

static void add_point(topo_reader *r, double x, double y)
{
    topo_scale *s = r->s;
    ALLOC_GROW(s->xy, 2 * (s->n_points + 1), r->alloc_points);
    s->xy[2 * s->n_points] = x;
    s->xy[2 * s->n_points + 1] = y;
    s->n_points++;
}

/* ---------------------------------------------------------------- arcs */

/* The top-level "arcs" array is most of the file (1.4M numbers at 1:10m):
 * as a cJSON tree it would take ~100 MB of small allocations, so it is
 * read here by a dedicated scanner straight into points, then blanked out
 * of the text (overwritten by "[]" and spaces) before cJSON parses the
 * rest. */
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

/* A number: integers (what a quantized topology holds) without strtod. */
static int scan_number(scan *sc, double *out)
{
    char *q = sc->p;
    int neg = 0;
    if (q < sc->end && *q == '-') {
        neg = 1;
        q++;
    }
    long long v = 0;
    char *digits = q;
    while (q < sc->end && *q >= '0' && *q <= '9' && q - digits < 17) v = v * 10 + (*q++ - '0');
    if (q > digits && (q >= sc->end || (*q != '.' && *q != 'e' && *q != 'E' && !(*q >= '0' && *q <= '9')))) {
        *out = neg ? -(double)v : (double)v;
        sc->p = q;
        return 0;
    }
    char *e;
    *out = strtod(sc->p, &e);
    if (e == sc->p || e > sc->end || !isfinite(*out)) return -1;
    sc->p = e;
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

/* Read the arcs at *start (decoding the quantization), blank them out. */
static int read_arcs(topo_reader *r, char *start, char *end, const double transform[4], char **err)
{
    scan sc = { start, end };
    size_t alloc = 0;
    if (expect(&sc, '[') < 0) goto bad;
    skip_ws(&sc);
    int first_arc = 1;
    while (sc.p < sc.end && *sc.p != ']') {
        if (!first_arc && expect(&sc, ',') < 0) goto bad;
        first_arc = 0;
        if (expect(&sc, '[') < 0) goto bad;
        ALLOC_GROW(r->arc_start, r->n_arcs + 1, alloc);
        r->arc_len = xrealloc(r->arc_len, alloc * sizeof(*r->arc_len));
        r->arc_start[r->n_arcs] = r->s->n_points;
        double x = 0, y = 0;
        skip_ws(&sc);
        int first_pos = 1;
        while (sc.p < sc.end && *sc.p != ']') {
            if (!first_pos && expect(&sc, ',') < 0) goto bad;
            first_pos = 0;
            double px, py;
            if (expect(&sc, '[') < 0) goto bad;
            skip_ws(&sc);
            if (scan_number(&sc, &px) < 0 || expect(&sc, ',') < 0) goto bad;
            skip_ws(&sc);
            if (scan_number(&sc, &py) < 0) goto bad;
            /* a position may carry more than two numbers: skip them */
            skip_ws(&sc);
            while (sc.p < sc.end && *sc.p == ',') {
                double extra;
                sc.p++;
                skip_ws(&sc);
                if (scan_number(&sc, &extra) < 0) goto bad;
                skip_ws(&sc);
            }
            if (expect(&sc, ']') < 0) goto bad;
            if (transform) {
                x += px;
                y += py;
                double lon = x * transform[0] + transform[2], lat = y * transform[1] + transform[3];
                if (!isfinite(lon) || !isfinite(lat)) goto bad;
                add_point(r, lon, lat);
            } else {
                add_point(r, px, py);
            }
            skip_ws(&sc);
        }
        if (expect(&sc, ']') < 0) goto bad;
        r->arc_len[r->n_arcs] = r->s->n_points - r->arc_start[r->n_arcs];
        r->n_arcs++;
        skip_ws(&sc);
    }
    if (expect(&sc, ']') < 0) goto bad;
    start[0] = '[';
    start[1] = ']';
    memset(start + 2, ' ', (size_t)(sc.p - start) - 2);
    size_t n = r->n_arcs ? r->n_arcs : 1;
    r->arc_owner = xmalloc(n * sizeof(*r->arc_owner));
    for (size_t i = 0; i < r->n_arcs; i++) r->arc_owner[i] = -1;
    r->arc_shared = xcalloc(n, 1);
    return 0;
bad:
    return em_error(err, EM_EINPUT, "%s: arc %zu: malformed (expected [[x, y], ...])", r->path, r->n_arcs);
}

/* The transform (scale x, y, translate x, y) from the text, before the
 * arcs can be decoded: cJSON parses the rest only after they are gone, so
 * find "transform" with the same scanner and parse just that object. */
static int read_transform(char *text, size_t len, double out[4], int *has)
{
    *has = 0;
    scan sc = { text, text + len };
    int depth = 0;
    while (sc.p < sc.end) {
        char c = *sc.p;
        if (c == '"') {
            char *key = sc.p;
            if (skip_string(&sc) < 0) return -1;
            if (depth == 1 && sc.p - key == 11 && !memcmp(key, "\"transform\"", 11)) {
                skip_ws(&sc);
                if (sc.p >= sc.end || *sc.p != ':') return -1;
                sc.p++;
                skip_ws(&sc);
                const char *value_end = NULL;
                cJSON *t = cJSON_ParseWithLengthOpts(sc.p, (size_t)(sc.end - sc.p), &value_end, 0);
                if (!t) return -1;
                const cJSON *scale = cJSON_GetObjectItemCaseSensitive(t, "scale");
                const cJSON *translate = cJSON_GetObjectItemCaseSensitive(t, "translate");
                int ok = cJSON_GetArraySize(scale) == 2 && cJSON_GetArraySize(translate) == 2;
                if (ok) {
                    out[0] = cJSON_GetArrayItem(scale, 0)->valuedouble;
                    out[1] = cJSON_GetArrayItem(scale, 1)->valuedouble;
                    out[2] = cJSON_GetArrayItem(translate, 0)->valuedouble;
                    out[3] = cJSON_GetArrayItem(translate, 1)->valuedouble;
                    *has = 1;
                }
                cJSON_Delete(t);
                return ok ? 0 : -1;
            }
            continue;
        }
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        sc.p++;
    }
    return 0;
}

/* world-atlas is made for d3's spherical geometry: an edge is the short
 * way round, so a step of more than 180 degrees of longitude crosses the
 * antimeridian (Russia, Fiji and Antarctica are not cut there).  As in
 * geo/topojson.c: a run that crosses gets continuous longitudes, past ±180
 * where needed (read_polygon and the borders then add a copy 360 degrees
 * over, and clipping keeps the part in view); a ring that goes once around
 * a pole (Antarctica's coast) is opened where it crosses and closed along
 * ±180 and the pole.  The run is points start .. start + n of s->xy; a
 * pole ring must be the last run (it grows). */
static void fix_antimeridian(topo_reader *r, size_t start, size_t n)
{
    topo_scale *s = r->s;
    double *xy = s->xy + 2 * start;
    int crosses = 0;
    for (size_t i = 1; i < n && !crosses; i++)
        if (fabs(xy[2 * i] - xy[2 * (i - 1)]) > 180.0) crosses = 1;
    if (!crosses) return;
    double *ring = xmalloc(2 * (n + 5) * sizeof(double)), shift = 0;
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
    if (!closed || fabs(shift) != 360.0 || start + n != s->n_points) {
        memcpy(xy, ring, 2 * n * sizeof(double));
        free(ring);
        return;
    }
    /* once around a pole: open the ring at a crossing in the direction of
     * its turn, go round, then along ±180 to the pole and back */
    size_t j = 1;
    while (!(shift > 0 ? xy[2 * j] - xy[2 * (j - 1)] < -180.0 : xy[2 * j] - xy[2 * (j - 1)] > 180.0)) j++;
    double ax = xy[2 * (j - 1)], ay = xy[2 * (j - 1) + 1], bx = xy[2 * j], by = xy[2 * j + 1];
    double x_out = ax > bx ? 180.0 : -180.0, x_in = -x_out;
    double bx_cont = bx + 2.0 * x_out;
    double cross_lat = ay + (by - ay) * (x_out - ax) / (bx_cont - ax);
    double mean_lat = 0.0;
    for (size_t i = 0; i + 1 < n; i++) mean_lat += xy[2 * i + 1];
    double pole = mean_lat < 0.0 ? -90.0 : 90.0;
    size_t m = 0;
#define PUT(x_, y_) (ring[2 * m] = (x_), ring[2 * m + 1] = (y_), m++)
    PUT(x_in, cross_lat);
    shift = 0.0;
    for (size_t k = 0; k + 1 < n; k++) {
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
    s->n_points = start;
    for (size_t k = 0; k < m; k++) add_point(r, ring[2 * k], ring[2 * k + 1]);
    free(ring);
}

/* A copy of the runs [first, first + n) of runs[] 360 degrees over (dx),
 * appended to runs[] with its own points. */
static void add_shifted(topo_reader *r, topo_run **runs, size_t *n_runs, size_t *alloc, size_t first, size_t n,
                        double dx)
{
    for (size_t k = 0; k < n; k++) {
        topo_run src = (*runs)[first + k];
        size_t start = r->s->n_points;
        for (size_t i = 0; i < src.n; i++) {
            double x = r->s->xy[2 * (src.start + i)] + dx, y = r->s->xy[2 * (src.start + i) + 1];
            add_point(r, x, y);
        }
        ALLOC_GROW(*runs, *n_runs + 1, *alloc);
        topo_run *run = &(*runs)[(*n_runs)++];
        run->start = start;
        run->n = src.n;
        run_bbox(r->s->xy, run);
    }
}

/* Stitch the arcs of one ring (a JSON array of arc indexes) into a new run
 * of points; returns the ring count added (0 or 1). */
static int stitch_ring(topo_reader *r, const cJSON *ring, int32_t country, char **err)
{
    topo_scale *s = r->s;
    size_t start = s->n_points;
    const cJSON *a;
    cJSON_ArrayForEach(a, ring) {
        if (!cJSON_IsNumber(a)) return em_error(err, EM_EINPUT, "%s: an arc index is not a number", r->path);
        if (!(a->valuedouble >= -(double)r->n_arcs && a->valuedouble < (double)r->n_arcs))
            return em_error(err, EM_EINPUT, "%s: arc index %g out of range", r->path, a->valuedouble);
        long idx = (long)a->valuedouble;
        int reversed = idx < 0;
        size_t arc = reversed ? (size_t)~idx : (size_t)idx;
        if (arc >= r->n_arcs) return em_error(err, EM_EINPUT, "%s: arc index %ld out of range", r->path, idx);
        if (country >= 0) {
            if (r->arc_owner[arc] >= 0 && r->arc_owner[arc] != country) r->arc_shared[arc] = 1;
            r->arc_owner[arc] = country;
        }
        size_t n = r->arc_len[arc], first = s->n_points > start ? 1 : 0;
        for (size_t k = first; k < n; k++) {
            size_t p = r->arc_start[arc] + (reversed ? n - 1 - k : k);
            /* add_point may move s->xy: read the values first */
            double x = s->xy[2 * p], y = s->xy[2 * p + 1];
            add_point(r, x, y);
        }
    }
    if (s->n_points - start < 4) {
        s->n_points = start;
        return 0;
    }
    fix_antimeridian(r, start, s->n_points - start);
    ALLOC_GROW(s->rings, s->n_rings + 1, r->alloc_rings);
    topo_run *run = &s->rings[s->n_rings++];
    run->start = start;
    run->n = s->n_points - start;
    run_bbox(s->xy, run);
    return 1;
}

static void add_polygon(topo_reader *r, uint32_t first, uint32_t n_rings, int32_t country)
{
    topo_scale *s = r->s;
    topo_polygon p = { first, n_rings, s->rings[first].bbox };
    if (country >= 0) {
        ALLOC_GROW(s->country_polys, s->n_country_polys + 1, r->alloc_cpolys);
        s->country_polys[s->n_country_polys++] = p;
    } else {
        ALLOC_GROW(s->land, s->n_land + 1, r->alloc_land);
        s->land[s->n_land++] = p;
    }
}

/* One polygon (array of rings) into land or country polygons. */
static int read_polygon(topo_reader *r, const cJSON *rings, int32_t country, char **err)
{
    topo_scale *s = r->s;
    uint32_t first = (uint32_t)s->n_rings, n_rings = 0;
    const cJSON *ring;
    int shell = 1;
    cJSON_ArrayForEach(ring, rings) {
        int rc = stitch_ring(r, ring, country, err);
        if (rc < 0) return rc;
        if (shell && !rc) return 0; /* no shell: nothing to draw */
        shell = 0;
        n_rings += (uint32_t)rc;
    }
    if (!n_rings) return 0;
    add_polygon(r, first, n_rings, country);
    /* past the antimeridian: the copy on the other side as well */
    geo_bbox b = s->rings[first].bbox;
    for (int side = -1; side <= 1; side += 2) {
        if (side < 0 ? b.east_deg <= 180.0 : b.west_deg >= -180.0) continue;
        uint32_t copy = (uint32_t)s->n_rings;
        add_shifted(r, &s->rings, &s->n_rings, &r->alloc_rings, first, n_rings, side * 360.0);
        add_polygon(r, copy, n_rings, country);
    }
    return 0;
}

static int read_object(topo_reader *r, const cJSON *objects, const char *name, int countries, char **err)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(objects, name);
    if (!obj) return em_error(err, EM_EINPUT, "%s: object '%s' not found", r->path, name);
    const cJSON *geoms = cJSON_GetObjectItemCaseSensitive(obj, "geometries");
    if (!cJSON_IsArray(geoms)) return em_error(err, EM_EINPUT, "%s: object '%s' is not a GeometryCollection", r->path, name);
    topo_scale *s = r->s;
    const cJSON *g;
    cJSON_ArrayForEach(g, geoms) {
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(g, "type");
        const cJSON *arcs = cJSON_GetObjectItemCaseSensitive(g, "arcs");
        if (!cJSON_IsString(type) || !cJSON_IsArray(arcs)) continue;
        int multi = !strcmp(type->valuestring, "MultiPolygon");
        if (!multi && strcmp(type->valuestring, "Polygon")) continue;
        int32_t country = -1;
        if (countries) {
            ALLOC_GROW(s->countries, s->n_countries + 1, r->alloc_countries);
            country = (int32_t)s->n_countries;
            topo_country *c = &s->countries[s->n_countries++];
            memset(c, 0, sizeof(*c));
            const cJSON *props = cJSON_GetObjectItemCaseSensitive(g, "properties");
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(props, "name");
            if (cJSON_IsString(nm)) c->name = xstrdup(nm->valuestring);
            c->first = (uint32_t)s->n_country_polys;
        }
        int rc = 0;
        if (multi) {
            const cJSON *poly;
            cJSON_ArrayForEach(poly, arcs) if ((rc = read_polygon(r, poly, country, err)) < 0) return rc;
        } else if ((rc = read_polygon(r, arcs, country, err)) < 0) {
            return rc;
        }
        if (countries) {
            topo_country *c = &s->countries[country];
            c->n_polygons = (uint32_t)s->n_country_polys - c->first;
            bbox_empty(&c->bbox);
            for (uint32_t k = 0; k < c->n_polygons; k++) bbox_add_bbox(&c->bbox, &s->country_polys[c->first + k].bbox);
        }
    }
    return 0;
}

int topo_scale_read(const char *path, topo_scale *s, char **err)
{
    int rc = 0;
    cJSON *root = NULL;
    topo_reader r;
    memset(&r, 0, sizeof(r));
    r.path = path;
    r.s = s;
    strbuf text = STRBUF_INIT;
    if ((rc = topo_read_text(path, &text, err)) < 0) goto cleanup;
    double transform[4];
    int quantized;
    char *arcs_at = find_arcs(text.buf, text.len);
    if (!arcs_at || read_transform(text.buf, text.len, transform, &quantized) < 0) {
        rc = em_error(err, EM_EINPUT, "%s: not a TopoJSON Topology (no \"arcs\" or a bad \"transform\")", path);
        goto cleanup;
    }
    if ((rc = read_arcs(&r, arcs_at, text.buf + text.len, quantized ? transform : NULL, err)) < 0) goto cleanup;
    root = cJSON_ParseWithLength(text.buf, text.len);
    if (!root) {
        rc = em_error(err, EM_EINPUT, "%s: JSON parse error", path);
        goto cleanup;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(root, "type");
    const cJSON *objects = cJSON_GetObjectItemCaseSensitive(root, "objects");
    if (!cJSON_IsString(type) || strcmp(type->valuestring, "Topology") || !objects) {
        rc = em_error(err, EM_EINPUT, "%s: not a TopoJSON Topology", path);
        goto cleanup;
    }
    if ((rc = read_object(&r, objects, "land", 0, err)) < 0) goto cleanup;
    if ((rc = read_object(&r, objects, "countries", 1, err)) < 0) goto cleanup;
    /* borders: the arcs two countries share, as runs over the arc points */
    size_t alloc_borders = 0;
    for (size_t i = 0; i < r.n_arcs; i++) {
        if (!r.arc_shared[i] || r.arc_len[i] < 2) continue;
        ALLOC_GROW(s->borders, s->n_borders + 1, alloc_borders);
        size_t k = s->n_borders++;
        s->borders[k].start = r.arc_start[i];
        s->borders[k].n = r.arc_len[i];
        fix_antimeridian(&r, s->borders[k].start, s->borders[k].n);
        run_bbox(s->xy, &s->borders[k]);
        geo_bbox b = s->borders[k].bbox;
        for (int side = -1; side <= 1; side += 2)
            if (side < 0 ? b.east_deg > 180.0 : b.west_deg < -180.0)
                add_shifted(&r, &s->borders, &s->n_borders, &alloc_borders, k, 1, side * 360.0);
    }
cleanup:
    cJSON_Delete(root);
    sb_release(&text);
    free(r.arc_start);
    free(r.arc_len);
    free(r.arc_owner);
    free(r.arc_shared);
    if (rc < 0) topo_scale_release(s);
    return rc;
}

void topo_scale_release(topo_scale *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n_countries; i++) free(s->countries[i].name);
    free(s->countries);
    free(s->xy);
    free(s->rings);
    free(s->land);
    free(s->country_polys);
    free(s->borders);
    memset(s, 0, sizeof(*s));
}
