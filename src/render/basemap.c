/*
 * basemap.c - the base map: Natural Earth land, countries and borders at
 * 1:50m and 1:10m, and reference places from the gazetteer.  geo.h's
 * TopoJSON decoder reads world-atlas's countries-*.json (which holds the
 * "land" object too) into rings; here each scale becomes plain arrays, a
 * bbox per ring and a copy 360 degrees over of what runs past ±180, that
 * nothing writes afterwards, so any number of threads may draw from one
 * base map; the 1:10m scale is decoded on the first draw that needs it,
 * under the base map's lock.
 *
 * For each view the parts near it become shapes in a geo_ctx of the call's
 * own, are cut to the view (geo_shape_clip), simplified to half a pixel
 * (geo_shape_simplify: Douglas-Peucker) and projected to pixels; a country's
 * label goes where its largest visible piece is widest
 * (geo_shape_inscribed_centre).  The GEOS calls behind them are in
 * src/geo/geos.c.
 *
 * Scale: 1:10m when a pixel is under 4 km on the ground (about z5 and
 * closer for tiles, any country-sized overview), 1:50m otherwise; Natural
 * Earth's own guidance puts 1:10m at ~1:10,000,000 and 1:50m at
 * ~1:50,000,000, i.e. about 2.6 and 13 km a pixel at 96 dpi.
 */
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

/* ------------------------------------------------------------- scales */

typedef struct {
    basemap_scale *s;
    size_t alloc_points, alloc_rings, alloc_land, alloc_cpolys, alloc_countries, alloc_borders;
} scale_builder;

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

static void run_bbox(const double *xy, basemap_run *r)
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

/* Append a run of points start .. start + n of the scale's xy. */
static void add_run(const basemap_scale *s, basemap_run **runs, size_t *n_runs, size_t *alloc, size_t start,
                    size_t n)
{
    ALLOC_GROW(*runs, *n_runs + 1, *alloc);
    basemap_run *run = &(*runs)[(*n_runs)++];
    run->start = start;
    run->n = n;
    run_bbox(s->xy, run);
}

/* A copy of the runs [first, first + n) of runs[] dx degrees over (360
 * either way), appended to runs[] with its own points. */
static void add_shifted(scale_builder *b, basemap_run **runs, size_t *n_runs, size_t *alloc, size_t first, size_t n,
                        double dx)
{
    basemap_scale *s = b->s;
    for (size_t k = 0; k < n; k++) {
        basemap_run src = (*runs)[first + k];
        size_t start = s->n_points;
        ALLOC_GROW(s->xy, 2 * (s->n_points + src.n), b->alloc_points);
        for (size_t i = 0; i < src.n; i++) {
            s->xy[2 * (start + i)] = s->xy[2 * (src.start + i)] + dx;
            s->xy[2 * (start + i) + 1] = s->xy[2 * (src.start + i) + 1];
        }
        s->n_points += src.n;
        add_run(s, runs, n_runs, alloc, start, src.n);
    }
}

static void add_polygon(scale_builder *b, uint32_t first, uint32_t n_rings, int country)
{
    basemap_scale *s = b->s;
    basemap_polygon p = { first, n_rings, s->rings[first].bbox };
    if (country) {
        ALLOC_GROW(s->country_polys, s->n_country_polys + 1, b->alloc_cpolys);
        s->country_polys[s->n_country_polys++] = p;
    } else {
        ALLOC_GROW(s->land, s->n_land + 1, b->alloc_land);
        s->land[s->n_land++] = p;
    }
}

/* One decoded polygon into land or country polygons.  A ring of fewer than
 * 4 points is nothing to draw: it is left out, and the polygon with it when
 * it is the shell.  Past the antimeridian, the copy on the other side as
 * well. */
static void read_polygon(scale_builder *b, const topo_rings *tr, const topo_polygon *tp, int country)
{
    basemap_scale *s = b->s;
    uint32_t first = (uint32_t)s->n_rings, n_rings = 0;
    for (size_t k = 0; k < tp->n_rings; k++) {
        const topo_run *ring = &tr->rings[tp->first_ring + k];
        if (ring->n_points < 4) {
            if (k == 0) return; /* no shell */
            continue;
        }
        add_run(s, &s->rings, &s->n_rings, &b->alloc_rings, ring->start, ring->n_points);
        n_rings++;
    }
    add_polygon(b, first, n_rings, country);
    geo_bbox bbox = s->rings[first].bbox;
    for (int side = -1; side <= 1; side += 2) {
        if (side < 0 ? bbox.east_deg <= 180.0 : bbox.west_deg >= -180.0) continue;
        uint32_t copy = (uint32_t)s->n_rings;
        add_shifted(b, &s->rings, &s->n_rings, &b->alloc_rings, first, n_rings, side * 360.0);
        add_polygon(b, copy, n_rings, country);
    }
}

int basemap_scale_read(const char *path, basemap_scale *s, char **err)
{
    int rc = 0;
    topo_topology *tp = NULL;
    topo_rings tr = TOPO_RINGS_INIT;
    scale_builder b;
    size_t n_land_geometries, n_land_borders;

    memset(&b, 0, sizeof(b));
    b.s = s;
    if ((rc = topo_open(path, &tp, err)) < 0) goto cleanup;
    if ((rc = topo_read_rings(tp, "land", &tr, err)) < 0) goto cleanup;
    n_land_geometries = tr.n_geometries;
    n_land_borders = tr.n_borders;
    if ((rc = topo_read_rings(tp, "countries", &tr, err)) < 0) goto cleanup;
    for (size_t i = 0; i < 2 * tr.n_points; i++) {
        if (!isfinite(tr.xy[i])) {
            rc = em_error(err, EM_EINPUT, "%s: a coordinate is not a finite number", path);
            goto cleanup;
        }
    }
    /* the runs index the decoder's points; copies go after them */
    s->xy = tr.xy;
    s->n_points = tr.n_points;
    b.alloc_points = tr.alloc_xy;
    tr.xy = NULL;

    for (size_t g = 0; g < tr.n_geometries; g++) {
        topo_geometry *tg = &tr.geometries[g];
        int country = g >= n_land_geometries;
        basemap_country *c = NULL;
        if (country) {
            ALLOC_GROW(s->countries, s->n_countries + 1, b.alloc_countries);
            c = &s->countries[s->n_countries++];
            c->name = tg->name;
            tg->name = NULL;
            c->first = (uint32_t)s->n_country_polys;
        }
        for (size_t k = 0; k < tg->n_polygons; k++) read_polygon(&b, &tr, &tr.polygons[tg->first_polygon + k], country);
        if (country) {
            c->n_polygons = (uint32_t)s->n_country_polys - c->first;
            bbox_empty(&c->bbox);
            for (uint32_t k = 0; k < c->n_polygons; k++) bbox_add_bbox(&c->bbox, &s->country_polys[c->first + k].bbox);
        }
    }
    /* borders: the arcs two countries share, with their copies past ±180 */
    for (size_t i = n_land_borders; i < tr.n_borders; i++) {
        size_t k = s->n_borders;
        add_run(s, &s->borders, &s->n_borders, &b.alloc_borders, tr.borders[i].start, tr.borders[i].n_points);
        geo_bbox bbox = s->borders[k].bbox;
        for (int side = -1; side <= 1; side += 2)
            if (side < 0 ? bbox.east_deg > 180.0 : bbox.west_deg < -180.0)
                add_shifted(&b, &s->borders, &s->n_borders, &b.alloc_borders, k, 1, side * 360.0);
    }
cleanup:
    topo_rings_release(&tr);
    topo_free(tp);
    if (rc < 0) basemap_scale_release(s);
    return rc;
}

void basemap_scale_release(basemap_scale *s)
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

/* ------------------------------------------------------------ base map */

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
    if ((rc = basemap_scale_read(b->path_50m, &b->s50, err)) < 0) goto fail;
    *out = b;
    return 0;
fail:
    render_basemap_free(b);
    return rc;
}

void render_basemap_free(render_basemap *b)
{
    if (!b) return;
    basemap_scale_release(&b->s50);
    basemap_scale_release(&b->s10);
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
    geo_ctx *geo;
    const render_view *v;
    const basemap_scale *s;
    geo_bbox clip;
    double tolerance_deg;
    geo_ring *rings;          /* scratch: a polygon's rings, for geo_shape_polygon */
    size_t alloc_rings;
    geo_paths paths;          /* scratch: a clipped, simplified shape's paths, degrees */
    double *x, *y;            /* scratch: a path projected, pixels */
    size_t alloc_xy;
    double *ring_xy;          /* scratch: a pixel ring closed once more */
    size_t alloc_ring_xy;
} clip_ctx;

/* A polygon of the scale as a shape: its shell and the holes near the view
 * (a hole far outside it does not matter).  NULL when it cannot be built. */
static geo_shape *make_polygon(clip_ctx *c, const basemap_polygon *p)
{
    size_t n = 0;
    ALLOC_GROW(c->rings, p->n_rings, c->alloc_rings);
    for (uint32_t k = 0; k < p->n_rings; k++) {
        const basemap_run *run = &c->s->rings[p->first + k];
        if (k && !bbox_meets(&run->bbox, &c->clip)) continue;
        c->rings[n].xy = c->s->xy + 2 * run->start;
        c->rings[n].n_points = run->n;
        n++;
    }
    geo_shape *shape = NULL;
    if (geo_shape_polygon(c->geo, c->rings, n, &shape, NULL) < 0) return NULL;
    return shape;
}

/* Clip (unless wholly inside) and simplify g; takes g.  NULL when nothing
 * is left. */
static geo_shape *clip_simplify(clip_ctx *c, geo_shape *g, int inside)
{
    geo_shape *result;
    if (!g) return NULL;
    if (!inside && geo_shape_clip(c->geo, g, c->clip.west_deg, c->clip.south_deg, c->clip.east_deg,
                                  c->clip.north_deg, &result, NULL) == 0) {
        geo_shape_free(c->geo, g);
        if (!result) return NULL;
        g = result;
    } /* else: GEOS could not cut it (an invalid ring): draw it whole, Cairo clips */
    if (c->tolerance_deg > 0 && geo_shape_simplify(c->geo, g, c->tolerance_deg, &result, NULL) == 0) {
        geo_shape_free(c->geo, g);
        g = result;
    }
    return g;
}

/* Append path k of c->paths, projected, to out as one path. */
static void add_path(clip_ctx *c, px_paths *out, size_t k)
{
    const geo_path *path = &c->paths.paths[k];
    size_t n = path->n_points;
    if (n < 2) return;
    if (n > c->alloc_xy) {
        c->alloc_xy = n;
        c->x = xrealloc(c->x, n * sizeof(double));
        c->y = xrealloc(c->y, n * sizeof(double));
    }
    view_project_many(c->v, c->paths.x + path->start, c->paths.y + path->start, n, c->x, c->y);
    ALLOC_GROW(out->xy, 2 * (out->n_points + n), out->alloc_points);
    size_t m = out->n_points;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(c->x[i]) || !isfinite(c->y[i])) continue;
        out->xy[2 * m] = c->x[i];
        out->xy[2 * m + 1] = c->y[i];
        m++;
    }
    if (m - out->n_points < 2) return;
    ALLOC_GROW(out->ring_start, out->n_rings + 2, out->alloc_rings);
    out->ring_start[out->n_rings] = out->n_points;
    out->n_rings++;
    out->n_points = m;
    out->ring_start[out->n_rings] = m;
}

/* Every ring of a (multi)polygon or line of a (multi)line, projected, into
 * out; takes g. */
static void add_shape(clip_ctx *c, px_paths *out, geo_shape *g)
{
    geo_paths_clear(&c->paths);
    geo_shape_paths(c->geo, g, &c->paths, NULL);
    for (size_t k = 0; k < c->paths.n_paths; k++) add_path(c, out, k);
    geo_shape_free(c->geo, g);
}

/* Area (px^2) and a label point of a country's visible part. */
static void country_label_point(clip_ctx *c, const basemap_country *tc, basemap_view *out)
{
    px_paths px;
    memset(&px, 0, sizeof(px));
    for (uint32_t k = 0; k < tc->n_polygons; k++) {
        const basemap_polygon *p = &c->s->country_polys[tc->first + k];
        if (!bbox_meets(&p->bbox, &c->clip)) continue;
        geo_shape *g = clip_simplify(c, make_polygon(c, p), bbox_inside(&p->bbox, &c->clip));
        if (!g) continue;
        /* shells only (of the shape's polygons, not of a nested
         * collection's): enough for a label point */
        geo_paths_clear(&c->paths);
        geo_shape_paths(c->geo, g, &c->paths, NULL);
        for (size_t i = 0; i < c->paths.n_paths; i++)
            if (c->paths.paths[i].kind == GEO_PATH_SHELL && c->paths.paths[i].depth <= 1) add_path(c, &px, i);
        geo_shape_free(c->geo, g);
    }
    /* the largest visible piece, cut to the image, and its point farthest
     * from the edges */
    double best_area = 0, bx = 0, by = 0;
    for (size_t r = 0; r < px.n_rings; r++) {
        size_t a = px.ring_start[r], n = px.ring_start[r + 1] - a;
        if (n < 4) continue;
        /* closed once more: its first point after its last */
        ALLOC_GROW(c->ring_xy, 2 * (n + 1), c->alloc_ring_xy);
        memcpy(c->ring_xy, px.xy + 2 * a, 2 * n * sizeof(double));
        c->ring_xy[2 * n] = px.xy[2 * a];
        c->ring_xy[2 * n + 1] = px.xy[2 * a + 1];
        geo_ring ring = { c->ring_xy, n + 1 };
        geo_shape *poly = NULL, *cut = NULL;
        if (geo_shape_polygon(c->geo, &ring, 1, &poly, NULL) < 0) continue;
        int rc = geo_shape_clip(c->geo, poly, 0, 0, render_view_width(c->v), render_view_height(c->v), &cut, NULL);
        geo_shape_free(c->geo, poly);
        if (rc < 0 || !cut) continue;
        double area = geo_shape_area(c->geo, cut);
        if (area > best_area && geo_shape_inscribed_centre(c->geo, cut, 2.0, &bx, &by, NULL) == 0) best_area = area;
        geo_shape_free(c->geo, cut);
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

/* Decode the 1:10m scale unless done; 1 when it is there, 0 when it
 * failed before, negative when it fails now. */
static int ensure_10m(render_basemap *b, char **err)
{
    int rc = 0;
    pthread_mutex_lock(&b->lock);
    if (!b->loaded_10m && !b->failed_10m) {
        rc = basemap_scale_read(b->path_10m, &b->s10, err);
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
    const basemap_scale *s = &b->s50;
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
    c.geo = geo_ctx_new();
    if (!c.geo) return em_error(err, EM_EINTERNAL, "cannot start a GEOS context");
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
        const basemap_polygon *p = &s->land[i];
        if (!bbox_meets(&p->bbox, &c.clip)) continue;
        geo_shape *g = clip_simplify(&c, make_polygon(&c, p), bbox_inside(&p->bbox, &c.clip));
        if (g) add_shape(&c, &out->land, g);
    }
    /* borders: the shared arcs near the view, as one multi-line */
    geo_ring *lines = NULL;
    size_t n_lines = 0, alloc_lines = 0;
    for (size_t i = 0; i < s->n_borders; i++) {
        const basemap_run *r = &s->borders[i];
        if (!bbox_meets(&r->bbox, &c.clip)) continue;
        ALLOC_GROW(lines, n_lines + 1, alloc_lines);
        lines[n_lines].xy = s->xy + 2 * r->start;
        lines[n_lines].n_points = r->n;
        n_lines++;
    }
    geo_shape *multi = NULL;
    if (n_lines && geo_shape_lines(c.geo, lines, n_lines, &multi, NULL) == 0 && multi) {
        geo_shape *g = clip_simplify(&c, multi, 0);
        if (g) add_shape(&c, &out->borders, g);
    }
    free(lines);
    if (want_countries)
        for (size_t i = 0; i < s->n_countries; i++)
            if (s->countries[i].name && bbox_meets(&s->countries[i].bbox, &c.clip))
                country_label_point(&c, &s->countries[i], out);
    free(c.rings);
    geo_paths_release(&c.paths);
    free(c.x);
    free(c.y);
    free(c.ring_xy);
    geo_ctx_free(c.geo);
    return 0;
}
