/*
 * view.c - from lon/lat to pixels.  An overview view is a conformal
 * projection (through PROJ) chosen for the extent and fitted to the image;
 * a tile view is an XYZ tile in Web Mercator, computed in closed form (the
 * EPSG:3857 formulas on a sphere of radius 6378137 m, exactly what PROJ
 * does for it).  Plus the tile arithmetic: z/x/y to bounds and back.
 *
 * Which projection for an overview (lon0, lat0 the box's centre):
 *   - the box spans more than 150 degrees of longitude: Mercator, lon_0 the
 *     centre, latitudes cut at +-80 (a world map; past 300 degrees it fills
 *     the image's width, the height showing what latitudes it can);
 *   - the box lies within 20 degrees of the equator: Mercator, lon_0 the
 *     centre, true scale at lat0;
 *   - the centre is poleward of 70 degrees or the box reaches past 84:
 *     stereographic centred on the box (polar at the pole);
 *   - otherwise Lambert conformal conic with standard parallels at 1/6 and
 *     5/6 of the box's latitude span (the classic choice for mid-latitude
 *     regions), lat_0 and lon_0 the centre; a box across the equator (the
 *     two parallels on either side) takes stereographic instead.
 * All are conformal (shapes and angles kept locally) and north is up along
 * the central meridian.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define EARTH_R 6378137.0
#define DEG (M_PI / 180.0)
/* Grid for bulk projection: GRID_N x GRID_N nodes over the view's bounds. */
#define GRID_N 129
/* The smallest box an overview shows, degrees of latitude (~22 km). */
#define MIN_SPAN_DEG 0.2

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ------------------------------------------------------------- tile math */

static double merc_y(double lat_deg)
{
    double lat = clamp(lat_deg, -RENDER_MAX_LAT, RENDER_MAX_LAT) * DEG;
    return log(tan(M_PI / 4 + lat / 2));
}

static double merc_lat(double y)
{
    return (2 * atan(exp(y)) - M_PI / 2) / DEG;
}

geo_bbox render_tile_bounds(int z, uint32_t x, uint32_t y)
{
    double n = ldexp(1.0, z);
    geo_bbox b;
    b.west_deg = x / n * 360.0 - 180.0;
    b.east_deg = (x + 1.0) / n * 360.0 - 180.0;
    b.north_deg = merc_lat(M_PI * (1 - 2 * y / n));
    b.south_deg = merc_lat(M_PI * (1 - 2 * (y + 1.0) / n));
    if (b.north_deg > RENDER_MAX_LAT) b.north_deg = RENDER_MAX_LAT;
    if (b.south_deg < -RENDER_MAX_LAT) b.south_deg = -RENDER_MAX_LAT;
    return b;
}

void render_tile_at(int z, double lon_deg, double lat_deg, uint32_t *x, uint32_t *y)
{
    double n = ldexp(1.0, z);
    double fx = (clamp(lon_deg, -180, 180) + 180.0) / 360.0 * n;
    double fy = (1 - merc_y(lat_deg) / M_PI) / 2 * n;
    double max = n - 1;
    *x = (uint32_t)clamp(floor(fx), 0, max);
    *y = (uint32_t)clamp(floor(fy), 0, max);
}

void render_tile_range(int z, const geo_bbox *box, uint32_t *x_min, uint32_t *y_min, uint32_t *x_max,
                       uint32_t *y_max)
{
    render_tile_at(z, box->west_deg, box->north_deg, x_min, y_min);
    render_tile_at(z, box->east_deg, box->south_deg, x_max, y_max);
}

/* ------------------------------------------------------------------ views */

static render_view *view_alloc(int kind, int w, int h)
{
    render_view *v = xcalloc(1, sizeof(*v));
    v->kind = kind;
    v->width = w;
    v->height = h;
    return v;
}

int render_view_tile(int z, uint32_t x, uint32_t y, render_view **out, char **err)
{
    *out = NULL;
    if (z < 0 || z > RENDER_MAX_ZOOM)
        return em_error(err, EM_EUSAGE, "zoom %d is outside 0..%d", z, RENDER_MAX_ZOOM);
    uint32_t n = (uint32_t)1 << z;
    if (x >= n || y >= n) return em_error(err, EM_EUSAGE, "tile %d/%u/%u does not exist", z, x, y);
    render_view *v = view_alloc(VIEW_TILE, RENDER_TILE_PX, RENDER_TILE_PX);
    v->z = z;
    v->tx = x;
    v->ty = y;
    v->world_px = ldexp((double)RENDER_TILE_PX, z);
    v->crs = xstrdup("EPSG:3857");
    v->bounds = render_tile_bounds(z, x, y);
    double lon0, lat0, lon1, lat1;
    render_view_unproject(v, RENDER_TILE_PX / 2.0 - 0.5, RENDER_TILE_PX / 2.0, &lon0, &lat0);
    render_view_unproject(v, RENDER_TILE_PX / 2.0 + 0.5, RENDER_TILE_PX / 2.0, &lon1, &lat1);
    v->km_per_px = geo_distance_km((geo_point){ lat0, lon0 }, (geo_point){ lat1, lon1 });
    *out = v;
    return 0;
}

static void choose_projection(const geo_bbox *b, strbuf *crs)
{
    double lon0 = (b->west_deg + b->east_deg) / 2, lat0 = (b->south_deg + b->north_deg) / 2;
    double dlat = b->north_deg - b->south_deg;
    if (b->east_deg - b->west_deg > 150) {
        sb_addf(crs, "+proj=merc +lon_0=%.6f +datum=WGS84 +units=m +no_defs", lon0);
    } else if (b->south_deg >= -20 && b->north_deg <= 20) {
        sb_addf(crs, "+proj=merc +lon_0=%.6f +lat_ts=%.6f +datum=WGS84 +units=m +no_defs", lon0, lat0);
    } else if (fabs(lat0) > 70 || b->north_deg > 84 || b->south_deg < -84) {
        double lat_c = fabs(lat0) > 80 ? (lat0 > 0 ? 90 : -90) : lat0;
        sb_addf(crs, "+proj=stere +lat_0=%.6f +lon_0=%.6f +k=1 +datum=WGS84 +units=m +no_defs", lat_c, lon0);
    } else {
        double lat1 = b->south_deg + dlat / 6, lat2 = b->north_deg - dlat / 6;
        if (lat1 * lat2 <= 0 || fabs(lat1 + lat2) < 1e-6)
            sb_addf(crs, "+proj=stere +lat_0=%.6f +lon_0=%.6f +k=1 +datum=WGS84 +units=m +no_defs", lat0, lon0);
        else if (fabs(lat2 - lat1) < 1e-6)
            sb_addf(crs, "+proj=lcc +lat_1=%.6f +lat_0=%.6f +lon_0=%.6f +k_0=1 +datum=WGS84 +units=m +no_defs",
                    lat1, lat0, lon0);
        else
            sb_addf(crs, "+proj=lcc +lat_1=%.6f +lat_2=%.6f +lat_0=%.6f +lon_0=%.6f +datum=WGS84 +units=m +no_defs",
                    lat1, lat2, lat0, lon0);
    }
}

/* Project one lon/lat with PROJ to metres; 0 or -1. */
static int proj_one(geo_proj *p, double lon, double lat, double *x, double *y)
{
    *x = lon;
    *y = lat;
    char *e = NULL;
    int rc = geo_proj_forward(p, x, y, 1, &e);
    free(e);
    if (rc < 0 || !isfinite(*x) || !isfinite(*y) || fabs(*x) > 1e15) return -1;
    return 0;
}

static void compute_bounds(render_view *v)
{
    /* the image's border, unprojected */
    geo_bbox b = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
    const int steps = 64;
    for (int side = 0; side < 4; side++) {
        for (int i = 0; i <= steps; i++) {
            double t = (double)i / steps, px, py;
            switch (side) {
            case 0: px = t * v->width; py = 0; break;
            case 1: px = t * v->width; py = v->height; break;
            case 2: px = 0; py = t * v->height; break;
            default: px = v->width; py = t * v->height; break;
            }
            double lon, lat;
            if (render_view_unproject(v, px, py, &lon, &lat) < 0) continue;
            if (lon < b.west_deg) b.west_deg = lon;
            if (lon > b.east_deg) b.east_deg = lon;
            if (lat < b.south_deg) b.south_deg = lat;
            if (lat > b.north_deg) b.north_deg = lat;
        }
    }
    /* a pole inside the image takes every longitude */
    for (int pole = -1; pole <= 1; pole += 2) {
        double x, y;
        if (render_view_project(v, 0, 89.999 * pole, &x, &y) == 0 && x >= 0 && x <= v->width && y >= 0 &&
            y <= v->height) {
            b.west_deg = -180;
            b.east_deg = 180;
            if (pole > 0) b.north_deg = 90;
            else b.south_deg = -90;
        }
    }
    /* a little slack for the curved edges between the samples */
    double pad_lon = (b.east_deg - b.west_deg) * 0.01, pad_lat = (b.north_deg - b.south_deg) * 0.01;
    b.west_deg = clamp(b.west_deg - pad_lon, -180, 180);
    b.east_deg = clamp(b.east_deg + pad_lon, -180, 180);
    b.south_deg = clamp(b.south_deg - pad_lat, -90, 90);
    b.north_deg = clamp(b.north_deg + pad_lat, -90, 90);
    v->bounds = b;
}

static void build_grid(render_view *v)
{
    int n = GRID_N;
    size_t nn = (size_t)n * n;
    v->grid_x = xmalloc(nn * sizeof(double));
    v->grid_y = xmalloc(nn * sizeof(double));
    v->grid_n = n;
    v->grid_dlon = (v->bounds.east_deg - v->bounds.west_deg) / (n - 1);
    v->grid_dlat = (v->bounds.north_deg - v->bounds.south_deg) / (n - 1);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            v->grid_x[(size_t)j * n + i] = v->bounds.west_deg + i * v->grid_dlon;
            v->grid_y[(size_t)j * n + i] = v->bounds.south_deg + j * v->grid_dlat;
        }
    char *e = NULL;
    geo_proj_forward(v->fwd, v->grid_x, v->grid_y, nn, &e);
    free(e);
    for (size_t k = 0; k < nn; k++) {
        double x = v->grid_x[k], y = v->grid_y[k];
        if (!isfinite(x) || !isfinite(y) || fabs(x) > 1e15) {
            /* a node PROJ cannot take (a pole of Mercator): no grid */
            free(v->grid_x);
            free(v->grid_y);
            v->grid_x = v->grid_y = NULL;
            v->grid_n = 0;
            return;
        }
        v->grid_x[k] = v->width / 2.0 + (x - v->cx) * v->scale;
        v->grid_y[k] = v->height / 2.0 - (y - v->cy) * v->scale;
    }
}

int render_view_overview(const geo_bbox *bbox, int width_px, int height_px, int margin_px, render_view **out,
                         char **err)
{
    *out = NULL;
    geo_bbox b = *bbox;
    if (!(b.west_deg <= b.east_deg) || !(b.south_deg <= b.north_deg) || b.west_deg < -180 || b.east_deg > 180 ||
        b.south_deg < -90 || b.north_deg > 90)
        return em_error(err, EM_EUSAGE, "not a bounding box (west,south,east,north): %g,%g,%g,%g", b.west_deg,
                        b.south_deg, b.east_deg, b.north_deg);
    if (width_px < 1 || height_px < 1 || width_px > RENDER_MAX_SIDE || height_px > RENDER_MAX_SIDE)
        return em_error(err, EM_EUSAGE, "image size %dx%d is outside 1x1..%dx%d", width_px, height_px,
                        RENDER_MAX_SIDE, RENDER_MAX_SIDE);
    if (margin_px < 0 || 2 * margin_px >= width_px || 2 * margin_px >= height_px) margin_px = 0;
    /* widen a point or a sliver */
    double lat0 = (b.south_deg + b.north_deg) / 2;
    double min_lon = MIN_SPAN_DEG / fmax(cos(lat0 * DEG), 0.05);
    if (b.north_deg - b.south_deg < MIN_SPAN_DEG) {
        b.south_deg = clamp(lat0 - MIN_SPAN_DEG / 2, -90, 90);
        b.north_deg = clamp(lat0 + MIN_SPAN_DEG / 2, -90, 90);
    }
    if (b.east_deg - b.west_deg < min_lon) {
        double lon0 = (b.west_deg + b.east_deg) / 2;
        b.west_deg = clamp(lon0 - min_lon / 2, -180, 180);
        b.east_deg = clamp(lon0 + min_lon / 2, -180, 180);
    }
    int world = b.east_deg - b.west_deg > 150;
    if (world) {
        b.south_deg = fmax(b.south_deg, -80);
        b.north_deg = fmin(b.north_deg, 80);
        if (b.south_deg >= b.north_deg) { b.south_deg = -80; b.north_deg = 80; }
    }

    strbuf crs = STRBUF_INIT;
    choose_projection(&b, &crs);
    render_view *v = view_alloc(VIEW_PROJ, width_px, height_px);
    v->crs = sb_detach(&crs, NULL);
    int rc = 0;
    v->fwd = geo_proj_new("EPSG:4326", v->crs, err);
    if (v->fwd) v->inv = geo_proj_new(v->crs, "EPSG:4326", err);
    if (!v->fwd || !v->inv) {
        rc = EM_EINTERNAL;
        goto fail;
    }
    /* the projected extent of the box: its border, sampled */
    double xmin = HUGE_VAL, xmax = -HUGE_VAL, ymin = HUGE_VAL, ymax = -HUGE_VAL;
    const int steps = 64;
    for (int i = 0; i <= steps; i++) {
        for (int j = 0; j <= steps; j++) {
            if (i && i < steps && j && j < steps) continue; /* the border only */
            double lon = b.west_deg + (b.east_deg - b.west_deg) * i / steps;
            double lat = b.south_deg + (b.north_deg - b.south_deg) * j / steps;
            double x, y;
            if (proj_one(v->fwd, lon, lat, &x, &y) < 0) continue;
            xmin = fmin(xmin, x);
            xmax = fmax(xmax, x);
            ymin = fmin(ymin, y);
            ymax = fmax(ymax, y);
        }
    }
    if (!(xmax > xmin) || !(ymax > ymin)) {
        rc = em_error(err, EM_EINTERNAL, "cannot project the box %g,%g,%g,%g with %s", b.west_deg, b.south_deg,
                      b.east_deg, b.north_deg, v->crs);
        goto fail;
    }
    v->cx = (xmin + xmax) / 2;
    v->cy = (ymin + ymax) / 2;
    v->scale = fmin((width_px - 2.0 * margin_px) / (xmax - xmin), (height_px - 2.0 * margin_px) / (ymax - ymin));
    /* the whole world fills the width (latitudes beyond what the height
     * shows are cut, as on any world Mercator map) rather than leaving
     * empty strips beyond the antimeridian on either side */
    if (bbox->east_deg - bbox->west_deg > 300) v->scale = (width_px - 2.0 * margin_px) / (xmax - xmin);
    compute_bounds(v);
    build_grid(v);
    {
        double lon_a, lat_a, lon_b, lat_b;
        render_view_unproject(v, width_px / 2.0 - 50, height_px / 2.0, &lon_a, &lat_a);
        render_view_unproject(v, width_px / 2.0 + 50, height_px / 2.0, &lon_b, &lat_b);
        v->km_per_px = geo_distance_km((geo_point){ lat_a, lon_a }, (geo_point){ lat_b, lon_b }) / 100.0;
    }
    *out = v;
    return 0;
fail:
    render_view_free(v);
    return rc;
}

void render_view_free(render_view *v)
{
    if (!v) return;
    geo_proj_free(v->fwd);
    geo_proj_free(v->inv);
    free(v->grid_x);
    free(v->grid_y);
    free(v->crs);
    free(v);
}

int render_view_width(const render_view *v)
{
    return v->width;
}

int render_view_height(const render_view *v)
{
    return v->height;
}

const char *render_view_crs(const render_view *v)
{
    return v->crs;
}

geo_bbox render_view_bounds(const render_view *v)
{
    return v->bounds;
}

double render_view_km_per_px(const render_view *v)
{
    return v->km_per_px;
}

int render_view_project(const render_view *v, double lon_deg, double lat_deg, double *x_px, double *y_px)
{
    if (v->kind == VIEW_TILE) {
        *x_px = (lon_deg + 180.0) / 360.0 * v->world_px - (double)v->tx * RENDER_TILE_PX;
        *y_px = (1 - merc_y(lat_deg) / M_PI) / 2 * v->world_px - (double)v->ty * RENDER_TILE_PX;
        return 0;
    }
    double x, y;
    if (proj_one(v->fwd, lon_deg, lat_deg, &x, &y) < 0) {
        *x_px = *y_px = NAN;
        return -1;
    }
    *x_px = v->width / 2.0 + (x - v->cx) * v->scale;
    *y_px = v->height / 2.0 - (y - v->cy) * v->scale;
    return 0;
}

int render_view_unproject(const render_view *v, double x_px, double y_px, double *lon_deg, double *lat_deg)
{
    if (v->kind == VIEW_TILE) {
        double gx = x_px + (double)v->tx * RENDER_TILE_PX, gy = y_px + (double)v->ty * RENDER_TILE_PX;
        *lon_deg = gx / v->world_px * 360.0 - 180.0;
        *lat_deg = merc_lat(M_PI * (1 - 2 * gy / v->world_px));
        return 0;
    }
    double x = v->cx + (x_px - v->width / 2.0) / v->scale, y = v->cy - (y_px - v->height / 2.0) / v->scale;
    char *e = NULL;
    int rc = geo_proj_forward(v->inv, &x, &y, 1, &e);
    free(e);
    if (rc < 0 || !isfinite(x) || !isfinite(y) || fabs(y) > 90.0001) {
        *lon_deg = *lat_deg = NAN;
        return -1;
    }
    *lon_deg = x;
    *lat_deg = y;
    return 0;
}

void view_project_many(const render_view *v, const double *lon, const double *lat, size_t n, double *x,
                       double *y)
{
    if (v->kind == VIEW_TILE) {
        double ox = (double)v->tx * RENDER_TILE_PX, oy = (double)v->ty * RENDER_TILE_PX;
        for (size_t i = 0; i < n; i++) {
            x[i] = (lon[i] + 180.0) / 360.0 * v->world_px - ox;
            y[i] = (1 - merc_y(lat[i]) / M_PI) / 2 * v->world_px - oy;
        }
        return;
    }
    const geo_bbox *b = &v->bounds;
    int g = v->grid_n;
    for (size_t i = 0; i < n; i++) {
        double fi = g ? (lon[i] - b->west_deg) / v->grid_dlon : -1;
        double fj = g ? (lat[i] - b->south_deg) / v->grid_dlat : -1;
        if (fi >= 0 && fj >= 0 && fi <= g - 1 && fj <= g - 1) {
            int i0 = (int)fi, j0 = (int)fj;
            if (i0 > g - 2) i0 = g - 2;
            if (j0 > g - 2) j0 = g - 2;
            double u = fi - i0, w = fj - j0;
            size_t k = (size_t)j0 * g + i0;
            x[i] = (1 - w) * ((1 - u) * v->grid_x[k] + u * v->grid_x[k + 1]) +
                   w * ((1 - u) * v->grid_x[k + g] + u * v->grid_x[k + g + 1]);
            y[i] = (1 - w) * ((1 - u) * v->grid_y[k] + u * v->grid_y[k + 1]) +
                   w * ((1 - u) * v->grid_y[k + g] + u * v->grid_y[k + g + 1]);
        } else if (render_view_project(v, lon[i], lat[i], &x[i], &y[i]) < 0) {
            x[i] = y[i] = NAN;
        }
    }
}
