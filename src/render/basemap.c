/*
 * basemap.c - the base map: Natural Earth land, countries and borders at
 * 1:50m and 1:10m (topo.c decodes world-atlas's countries-*.json, which
 * holds the "land" object too), and reference places from the gazetteer.
 * Loaded once into plain arrays that nothing writes afterwards, so any
 * number of threads may draw from one base map; the 1:10m scale is decoded
 * on the first draw that needs it, under the base map's lock.
 *
 * For each view the parts near it become GEOS geometries in a GEOS context
 * of the call's own, are cut to the view (GEOSClipByRect), simplified to
 * half a pixel (GEOSSimplify: Douglas-Peucker) and projected to pixels.
 * This is the renderer's one GEOS file: geo.h has no clip or simplify yet
 * (moving these two calls there would let it go).
 *
 * Scale: 1:10m when a pixel is under 4 km on the ground (about z5 and
 * closer for tiles, any country-sized overview), 1:50m otherwise; Natural
 * Earth's own guidance puts 1:10m at ~1:10,000,000 and 1:50m at
 * ~1:50,000,000, i.e. about 2.6 and 13 km a pixel at 96 dpi.
 */
#define GEOS_USE_ONLY_R_API
#include <geos_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gazetteer/gazetteer.h"
#include "render/render_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define USE_10M_BELOW_KM_PER_PX 4.0
#define SIMPLIFY_PX 0.5

int render_basemap_load(const char *data_dir, render_basemap **out, char **err)
{
    *out = NULL;
    render_basemap *b = xcalloc(1, sizeof(*b));
    pthread_mutex_init(&b->lock, NULL);
    strbuf p = STRBUF_INIT;
    sb_addf(&p, "%s/countries-50m.json", data_dir);
    b->path_50m = xstrdup(p.buf);
    sb_reset(&p);
    sb_addf(&p, "%s/countries-10m.json", data_dir);
    b->path_10m = sb_detach(&p, NULL);
    struct stat st;
    int rc = 0;
    if (stat(b->path_10m, &st) != 0) {
        rc = em_error(err, EM_EIO, "%s: cannot open: no such file (run 'make data')", b->path_10m);
        goto fail;
    }
    if ((rc = topo_scale_read(b->path_50m, &b->s50, err)) < 0) goto fail;
    *out = b;
    return 0;
fail:
    render_basemap_free(b);
    return rc;
}

void render_basemap_free(render_basemap *b)
{
    if (!b) return;
    topo_scale_release(&b->s50);
    topo_scale_release(&b->s10);
    pthread_mutex_destroy(&b->lock);
    for (size_t i = 0; i < b->n_places; i++) free(b->places[i].name);
    free(b->places);
    free(b->path_50m);
    free(b->path_10m);
    free(b);
}

size_t render_basemap_n_places(const render_basemap *b)
{
    return b->n_places;
}

static int by_rank(const void *x, const void *y)
{
    const render_place *a = x, *c = y;
    if (a->rank != c->rank) return c->rank - a->rank;
    if (a->population != c->population) return c->population > a->population ? 1 : -1;
    return strcmp(a->name, c->name);
}

int render_basemap_add_places(render_basemap *b, const gaz *g, int64_t min_population, char **err)
{
    if (min_population <= 0) min_population = 50000;
    uint32_t n = gaz_count(g);
    size_t alloc = b->n_places;
    for (uint32_t i = 0; i < n; i++) {
        gaz_result r;
        gaz_place(g, i, &r);
        if (!r.feature || strncmp(r.feature, "P.PPL", 5) || !r.name || !*r.name) continue;
        int rank = !strcmp(r.feature, "P.PPLC") ? 3 : !strcmp(r.feature, "P.PPLA") ? 2 : 1;
        if (rank == 1 && r.population < min_population) continue;
        if (rank == 1 && strncmp(r.id, "geonames:", 9) != 0) continue; /* curated rows: seats only */
        ALLOC_GROW(b->places, b->n_places + 1, alloc);
        render_place *p = &b->places[b->n_places++];
        p->name = xstrdup(r.name);
        p->lon_deg = r.lon_deg;
        p->lat_deg = r.lat_deg;
        p->population = r.population;
        p->rank = rank;
    }
    if (b->n_places) qsort(b->places, b->n_places, sizeof(*b->places), by_rank);
    (void)err;
    return 0;
}

/* ------------------------------------------------------------ per view */

void px_paths_release(px_paths *p)
{
    free(p->xy);
    free(p->ring_start);
    memset(p, 0, sizeof(*p));
}

void basemap_view_release(basemap_view *bv)
{
    px_paths_release(&bv->land);
    px_paths_release(&bv->borders);
    free(bv->countries);
    memset(bv, 0, sizeof(*bv));
}

static int bbox_meets(const geo_bbox *a, const geo_bbox *b)
{
    return a->west_deg <= b->east_deg && b->west_deg <= a->east_deg && a->south_deg <= b->north_deg &&
           b->south_deg <= a->north_deg;
}

static int bbox_inside(const geo_bbox *in, const geo_bbox *out)
{
    return in->west_deg >= out->west_deg && in->east_deg <= out->east_deg && in->south_deg >= out->south_deg &&
           in->north_deg <= out->north_deg;
}

typedef struct {
    GEOSContextHandle_t h;
    const render_view *v;
    const topo_scale *s;
    geo_bbox clip;
    double tolerance_deg;
    double *lon, *lat;        /* scratch for projecting */
    size_t alloc_scratch;
} clip_ctx;

/* A ring of the scale as a GEOS LinearRing, closed if it is not. */
static GEOSGeometry *make_ring(clip_ctx *c, const topo_run *run)
{
    const double *xy = c->s->xy + 2 * run->start;
    size_t n = run->n;
    int closed = xy[0] == xy[2 * (n - 1)] && xy[1] == xy[2 * (n - 1) + 1];
    GEOSCoordSequence *seq;
    if (closed) {
        seq = GEOSCoordSeq_copyFromBuffer_r(c->h, xy, (unsigned)n, 0, 0);
    } else {
        seq = GEOSCoordSeq_create_r(c->h, (unsigned)n + 1, 2);
        for (size_t i = 0; i <= n && seq; i++) GEOSCoordSeq_setXY_r(c->h, seq, (unsigned)i, xy[2 * (i % n)], xy[2 * (i % n) + 1]);
    }
    return seq ? GEOSGeom_createLinearRing_r(c->h, seq) : NULL;
}

static GEOSGeometry *make_polygon(clip_ctx *c, const topo_polygon *p)
{
    GEOSGeometry *shell = make_ring(c, &c->s->rings[p->first]);
    if (!shell) return NULL;
    GEOSGeometry **holes = p->n_rings > 1 ? xmalloc((p->n_rings - 1) * sizeof(*holes)) : NULL;
    unsigned n_holes = 0;
    for (uint32_t k = 1; k < p->n_rings; k++) {
        /* a hole far outside the view does not matter */
        if (!bbox_meets(&c->s->rings[p->first + k].bbox, &c->clip)) continue;
        GEOSGeometry *h = make_ring(c, &c->s->rings[p->first + k]);
        if (h) holes[n_holes++] = h;
    }
    GEOSGeometry *poly = GEOSGeom_createPolygon_r(c->h, shell, holes, n_holes);
    free(holes);
    return poly;
}

/* Clip (unless wholly inside) and simplify g; takes g.  NULL when nothing
 * is left. */
static GEOSGeometry *clip_simplify(clip_ctx *c, GEOSGeometry *g, int inside)
{
    if (!g) return NULL;
    if (!inside) {
        GEOSGeometry *clipped = GEOSClipByRect_r(c->h, g, c->clip.west_deg, c->clip.south_deg, c->clip.east_deg,
                                                 c->clip.north_deg);
        if (clipped) {
            GEOSGeom_destroy_r(c->h, g);
            g = clipped;
        } /* else: GEOS could not cut it (an invalid ring): draw it whole, Cairo clips */
    }
    if (GEOSisEmpty_r(c->h, g) == 1) {
        GEOSGeom_destroy_r(c->h, g);
        return NULL;
    }
    if (c->tolerance_deg > 0) {
        GEOSGeometry *simple = GEOSSimplify_r(c->h, g, c->tolerance_deg);
        if (simple) {
            GEOSGeom_destroy_r(c->h, g);
            g = simple;
        }
    }
    if (GEOSisEmpty_r(c->h, g) == 1) {
        GEOSGeom_destroy_r(c->h, g);
        return NULL;
    }
    return g;
}

/* Append a GEOS line or ring's points, projected, as one path. */
static void add_path(clip_ctx *c, px_paths *out, const GEOSGeometry *line)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(c->h, line);
    unsigned n = 0;
    if (!seq || !GEOSCoordSeq_getSize_r(c->h, seq, &n) || n < 2) return;
    if (n > c->alloc_scratch) {
        c->alloc_scratch = n;
        c->lon = xrealloc(c->lon, n * sizeof(double));
        c->lat = xrealloc(c->lat, n * sizeof(double));
    }
    for (unsigned i = 0; i < n; i++) GEOSCoordSeq_getXY_r(c->h, seq, i, &c->lon[i], &c->lat[i]);
    ALLOC_GROW(out->xy, 2 * (out->n_points + n), out->alloc_points);
    double *x = xmalloc(n * sizeof(double)), *y = xmalloc(n * sizeof(double));
    view_project_many(c->v, c->lon, c->lat, n, x, y);
    size_t m = out->n_points;
    for (unsigned i = 0; i < n; i++) {
        if (!isfinite(x[i]) || !isfinite(y[i])) continue;
        out->xy[2 * m] = x[i];
        out->xy[2 * m + 1] = y[i];
        m++;
    }
    free(x);
    free(y);
    if (m - out->n_points < 2) return;
    ALLOC_GROW(out->ring_start, out->n_rings + 2, out->alloc_rings);
    out->ring_start[out->n_rings] = out->n_points;
    out->n_rings++;
    out->n_points = m;
    out->ring_start[out->n_rings] = m;
}

/* Every ring of a (multi)polygon or line of a (multi)line, into out. */
static void add_geometry(clip_ctx *c, px_paths *out, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(c->h, g);
    switch (type) {
    case GEOS_POLYGON: {
        add_path(c, out, GEOSGetExteriorRing_r(c->h, g));
        int n = GEOSGetNumInteriorRings_r(c->h, g);
        for (int i = 0; i < n; i++) add_path(c, out, GEOSGetInteriorRingN_r(c->h, g, i));
        break;
    }
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        add_path(c, out, g);
        break;
    case GEOS_MULTIPOLYGON:
    case GEOS_MULTILINESTRING:
    case GEOS_GEOMETRYCOLLECTION: {
        int n = GEOSGetNumGeometries_r(c->h, g);
        for (int i = 0; i < n; i++) add_geometry(c, out, GEOSGetGeometryN_r(c->h, g, i));
        break;
    }
    default:
        break;
    }
}

/* Area (px^2) and a label point of a country's visible part. */
static void country_label_point(clip_ctx *c, const topo_country *tc, basemap_view *out)
{
    px_paths px;
    memset(&px, 0, sizeof(px));
    for (uint32_t k = 0; k < tc->n_polygons; k++) {
        const topo_polygon *p = &c->s->country_polys[tc->first + k];
        if (!bbox_meets(&p->bbox, &c->clip)) continue;
        GEOSGeometry *g = clip_simplify(c, make_polygon(c, p), bbox_inside(&p->bbox, &c->clip));
        if (!g) continue;
        /* shells only: enough for a label point */
        int n = GEOSGetNumGeometries_r(c->h, g);
        for (int i = 0; i < n; i++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(c->h, g, i);
            if (GEOSGeomTypeId_r(c->h, part) == GEOS_POLYGON) add_path(c, &px, GEOSGetExteriorRing_r(c->h, part));
        }
        GEOSGeom_destroy_r(c->h, g);
    }
    /* the largest visible piece, cut to the image, and its point farthest
     * from the edges */
    double best_area = 0, bx = 0, by = 0;
    for (size_t r = 0; r < px.n_rings; r++) {
        size_t a = px.ring_start[r], n = px.ring_start[r + 1] - a;
        if (n < 4) continue;
        GEOSCoordSequence *seq = GEOSCoordSeq_create_r(c->h, (unsigned)n + 1, 2);
        for (size_t i = 0; i <= n; i++)
            GEOSCoordSeq_setXY_r(c->h, seq, (unsigned)i, px.xy[2 * (a + i % n)], px.xy[2 * (a + i % n) + 1]);
        GEOSGeometry *ring = GEOSGeom_createLinearRing_r(c->h, seq);
        GEOSGeometry *poly = ring ? GEOSGeom_createPolygon_r(c->h, ring, NULL, 0) : NULL;
        if (!poly) continue;
        GEOSGeometry *cut = GEOSClipByRect_r(c->h, poly, 0, 0, render_view_width(c->v), render_view_height(c->v));
        GEOSGeom_destroy_r(c->h, poly);
        if (!cut) continue;
        double area = 0;
        if (GEOSisEmpty_r(c->h, cut) != 1 && GEOSArea_r(c->h, cut, &area) && area > best_area) {
            GEOSGeometry *circle = GEOSMaximumInscribedCircle_r(c->h, cut, 2.0);
            if (circle) {
                GEOSGeometry *centre = GEOSGeomGetStartPoint_r(c->h, circle);
                if (centre && GEOSGeomGetX_r(c->h, centre, &bx) && GEOSGeomGetY_r(c->h, centre, &by))
                    best_area = area;
                GEOSGeom_destroy_r(c->h, centre);
                GEOSGeom_destroy_r(c->h, circle);
            }
        }
        GEOSGeom_destroy_r(c->h, cut);
    }
    px_paths_release(&px);
    if (best_area <= 0) return;
    out->countries = xrealloc(out->countries, (out->n_countries + 1) * sizeof(*out->countries));
    out->countries[out->n_countries].name = tc->name;
    out->countries[out->n_countries].x = bx;
    out->countries[out->n_countries].y = by;
    out->countries[out->n_countries].area_px = best_area;
    out->n_countries++;
}

static void on_geos_message(const char *message, void *userdata)
{
    (void)message;
    (void)userdata;
}

/* Decode the 1:10m scale unless done; 1 when it is there, 0 when it
 * failed before, negative when it fails now. */
static int ensure_10m(render_basemap *b, char **err)
{
    int rc = 0;
    pthread_mutex_lock(&b->lock);
    if (!b->loaded_10m && !b->failed_10m) {
        rc = topo_scale_read(b->path_10m, &b->s10, err);
        if (rc < 0) b->failed_10m = 1;
        else b->loaded_10m = 1;
    }
    int ok = b->loaded_10m;
    pthread_mutex_unlock(&b->lock);
    return rc < 0 ? rc : ok;
}

int render_basemap_load_detail(render_basemap *b, char **err)
{
    int rc = ensure_10m(b, err);
    if (rc == 0) return em_error(err, EM_EIO, "%s: could not be read before", b->path_10m);
    return rc < 0 ? rc : 0;
}

int basemap_for_view(render_basemap *b, const render_view *v, int want_countries, basemap_view *out, char **err)
{
    memset(out, 0, sizeof(*out));
    const topo_scale *s = &b->s50;
    if (render_view_km_per_px(v) < USE_10M_BELOW_KM_PER_PX) {
        int rc = ensure_10m(b, err);
        if (rc < 0) return rc;
        if (rc) {
            s = &b->s10;
            out->used_10m = 1;
        }
    }
    clip_ctx c;
    memset(&c, 0, sizeof(c));
    c.h = GEOS_init_r();
    if (!c.h) return em_error(err, EM_EINTERNAL, "cannot start a GEOS context");
    GEOSContext_setErrorMessageHandler_r(c.h, on_geos_message, NULL);
    GEOSContext_setNoticeMessageHandler_r(c.h, on_geos_message, NULL);
    c.v = v;
    c.s = s;
    /* the view's bounds and a few pixels more, so that cut edges fall
     * outside the image */
    geo_bbox bounds = render_view_bounds(v);
    double pad_lon = (bounds.east_deg - bounds.west_deg) * 0.02, pad_lat = (bounds.north_deg - bounds.south_deg) * 0.02;
    c.clip.west_deg = fmax(bounds.west_deg - pad_lon, -180.0);
    c.clip.east_deg = fmin(bounds.east_deg + pad_lon, 180.0);
    c.clip.south_deg = fmax(bounds.south_deg - pad_lat, -90.0);
    c.clip.north_deg = fmin(bounds.north_deg + pad_lat, 90.0);
    c.tolerance_deg = SIMPLIFY_PX * render_view_km_per_px(v) / 111.32;

    for (size_t i = 0; i < s->n_land; i++) {
        const topo_polygon *p = &s->land[i];
        if (!bbox_meets(&p->bbox, &c.clip)) continue;
        GEOSGeometry *g = clip_simplify(&c, make_polygon(&c, p), bbox_inside(&p->bbox, &c.clip));
        if (!g) continue;
        add_geometry(&c, &out->land, g);
        GEOSGeom_destroy_r(c.h, g);
    }
    /* borders: the shared arcs near the view, as one multi-line */
    GEOSGeometry **lines = NULL;
    size_t n_lines = 0, alloc_lines = 0;
    for (size_t i = 0; i < s->n_borders; i++) {
        const topo_run *r = &s->borders[i];
        if (!bbox_meets(&r->bbox, &c.clip)) continue;
        GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(c.h, s->xy + 2 * r->start, (unsigned)r->n, 0, 0);
        GEOSGeometry *line = seq ? GEOSGeom_createLineString_r(c.h, seq) : NULL;
        if (!line) continue;
        ALLOC_GROW(lines, n_lines + 1, alloc_lines);
        lines[n_lines++] = line;
    }
    if (n_lines) {
        GEOSGeometry *multi = GEOSGeom_createCollection_r(c.h, GEOS_MULTILINESTRING, lines, (unsigned)n_lines);
        GEOSGeometry *g = clip_simplify(&c, multi, 0);
        if (g) {
            add_geometry(&c, &out->borders, g);
            GEOSGeom_destroy_r(c.h, g);
        }
    }
    free(lines);
    if (want_countries)
        for (size_t i = 0; i < s->n_countries; i++)
            if (s->countries[i].name && bbox_meets(&s->countries[i].bbox, &c.clip))
                country_label_point(&c, &s->countries[i], out);
    free(c.lon);
    free(c.lat);
    GEOS_finish_r(c.h);
    return 0;
}
