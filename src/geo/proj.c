/*
 * proj.c - everything eventmap asks of PROJ: the geodesic distance between two
 * WGS 84 points (geod_inverse, Karney's algorithm, accurate to nanometres
 * where a spherical haversine is off by up to 0.5%), and coordinate
 * transformations between CRSs for tiles and map projections.  PJ objects are
 * wrapped in geo_proj, each with its own PJ_CONTEXT so that different threads
 * can transform at once.  No other file includes a PROJ header.
 */
#include "geo/geo.h"

#include <geodesic.h>
#include <math.h>
#include <proj.h>
#include <pthread.h>
#include <stdlib.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* WGS 84, filled in once by geo_distance_km's first caller. */
static struct geod_geodesic wgs84;
static pthread_once_t wgs84_once = PTHREAD_ONCE_INIT;

static void wgs84_init(void)
{
    geod_init(&wgs84, 6378137.0, 1.0 / 298.257223563);
}

double geo_distance_km(geo_point a, geo_point b)
{
    double s12_m = 0.0;
    if (!(fabs(a.lat_deg) <= 90.0 && fabs(b.lat_deg) <= 90.0) || isnan(a.lon_deg) ||
        isnan(b.lon_deg))
        return NAN;
    pthread_once(&wgs84_once, wgs84_init);
    geod_inverse(&wgs84, a.lat_deg, a.lon_deg, b.lat_deg, b.lon_deg, &s12_m, NULL, NULL);
    return s12_m / 1000.0;
}

struct geo_proj {
    PJ_CONTEXT *pj_ctx; /* owned; PROJ contexts are not shared between threads */
    PJ *pj;             /* normalised to x = lon/easting, y = lat/northing */
};

static const char *proj_message(PJ_CONTEXT *pj_ctx)
{
    int code = proj_context_errno(pj_ctx);
    const char *msg = code ? proj_context_errno_string(pj_ctx, code) : NULL;
    return msg ? msg : "unknown PROJ error";
}

geo_proj *geo_proj_new(const char *src_crs, const char *dst_crs, char **err)
{
    PJ_CONTEXT *pj_ctx = proj_context_create();
    PJ *raw = NULL;
    PJ *norm = NULL;
    geo_proj *proj = NULL;

    if (!pj_ctx) {
        em_error(err, EM_EINTERNAL, "unable to create a PROJ context");
        return NULL;
    }
    /* Errors come back through err, not on stderr. */
    proj_log_level(pj_ctx, PJ_LOG_NONE);

    raw = proj_create_crs_to_crs(pj_ctx, src_crs, dst_crs, NULL);
    if (!raw) {
        em_error(err, EM_EUSAGE, "cannot transform from '%s' to '%s': %s", src_crs, dst_crs,
                 proj_message(pj_ctx));
        goto cleanup;
    }
    norm = proj_normalize_for_visualization(pj_ctx, raw);
    if (!norm) {
        em_error(err, EM_EUSAGE, "cannot transform from '%s' to '%s': %s", src_crs, dst_crs,
                 proj_message(pj_ctx));
        goto cleanup;
    }
    proj = xmalloc(sizeof(*proj));
    proj->pj_ctx = pj_ctx;
    proj->pj = norm;
    pj_ctx = NULL;
    norm = NULL;

cleanup:
    proj_destroy(raw);
    proj_destroy(norm);
    if (pj_ctx) proj_context_destroy(pj_ctx);
    return proj;
}

int geo_proj_forward(geo_proj *proj, double *x, double *y, size_t n, char **err)
{
    int rc = EM_OK;
    if (n == 0) return EM_OK;
    proj_errno_reset(proj->pj);
    proj_trans_generic(proj->pj, PJ_FWD, x, sizeof(double), n, y, sizeof(double), n, NULL, 0, 0,
                       NULL, 0, 0);
    for (size_t i = 0; i < n; i++) {
        if (x[i] == HUGE_VAL || y[i] == HUGE_VAL || isnan(x[i]) || isnan(y[i])) {
            x[i] = y[i] = HUGE_VAL;
            if (rc == EM_OK) {
                int code = proj_errno(proj->pj);
                const char *msg = code ? proj_context_errno_string(proj->pj_ctx, code) : NULL;
                rc = em_error(err, EM_EINPUT, "point %zu cannot be transformed: %s", i,
                              msg ? msg : "outside the projection's domain");
            }
        }
    }
    return rc;
}

void geo_proj_free(geo_proj *proj)
{
    if (!proj) return;
    proj_destroy(proj->pj);
    proj_context_destroy(proj->pj_ctx);
    free(proj);
}

void geo_versions(struct strbuf *out)
{
    sb_addf(out, "%sPROJ %s", out->len ? ", " : "", proj_info().version);
    geo_geos_version(out);
}
