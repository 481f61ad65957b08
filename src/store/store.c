/*
 * store.c - store.h's calls, handed to the back end the store was opened
 * with (store_backend, store_int.h): the GeoPackage file (sqlite.c) for a
 * path, PostGIS (pg.c) for a postgresql:// URL.  What every back end shares
 * is done here once: the checks of an event before it is put, and the
 * count of what a transaction's puts did.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

int store_is_database(const char *target)
{
    return target && (!strncmp(target, "postgresql://", 13) || !strncmp(target, "postgres://", 11));
}

int store_open(const char *path, int mode, store **out, char **err)
{
    *out = NULL;
    if (!path || !*path) return em_error(err, EM_EUSAGE, "no store path given");
    if (store_is_database(path)) return pg_store_open(path, mode, out, err);
    return gpkg_store_open(path, mode, out, err);
}

void store_close(store *s)
{
    if (s) s->backend->close(s);
}

int store_begin(store *s, char **err)
{
    int rc = s->backend->begin(s, err);
    if (rc == 0) {
        s->in_transaction = 1;
        memset(&s->pending, 0, sizeof(s->pending));
    }
    return rc;
}

int store_commit(store *s, char **err)
{
    int was_open = s->in_transaction;
    int rc = s->backend->commit(s, err);
    if (!was_open) return rc;
    /* a failed commit has rolled back (store.h) */
    s->in_transaction = 0;
    if (rc == 0) s->last = s->pending;
    memset(&s->pending, 0, sizeof(s->pending));
    return rc;
}

void store_rollback(store *s)
{
    if (!s) return;
    s->backend->rollback(s);
    s->in_transaction = 0;
    memset(&s->pending, 0, sizeof(s->pending));
}

int store_check_event(const char *name, const ev_event *e, char **err)
{
    if (!e->id || !*e->id) return em_error(err, EM_EINPUT, "%s: an event has no id", name);
    if (e->located && (!isfinite(e->lat) || e->lat < -90 || e->lat > 90))
        return em_error(err, EM_EINPUT, "%s: event %s: latitude %g is not in -90..90", name, e->id, e->lat);
    if (e->located && (!isfinite(e->lon) || e->lon < -180 || e->lon > 180))
        return em_error(err, EM_EINPUT, "%s: event %s: longitude %g is not in -180..180", name, e->id, e->lon);
    if (!isfinite(e->confidence))
        return em_error(err, EM_EINPUT, "%s: event %s: confidence is not a number", name, e->id);
    return 0;
}

int store_check_boxes(const char *name, const geo_bbox *boxes, size_t n_boxes, char **err)
{
    for (size_t i = 0; i < n_boxes; i++) {
        const geo_bbox *b = &boxes[i];
        if (!isfinite(b->west_deg) || !isfinite(b->east_deg) || !isfinite(b->south_deg) ||
            !isfinite(b->north_deg) || b->south_deg > b->north_deg)
            return em_error(err, EM_EUSAGE, "%s: not a bounding box: %g,%g,%g,%g", name, b->west_deg, b->south_deg,
                            b->east_deg, b->north_deg);
        if (b->west_deg > b->east_deg)
            return em_error(err, EM_EUSAGE, "%s: box %g,%g,%g,%g crosses the antimeridian: split it", name,
                            b->west_deg, b->south_deg, b->east_deg, b->north_deg);
    }
    return 0;
}

/* Count one put's answer into t. */
static void tally_add(store_tally *t, int rc)
{
    if (rc == STORE_NEW) t->added++;
    else if (rc == STORE_UPDATED) t->updated++;
    else if (rc == STORE_UNCHANGED) t->unchanged++;
}

int store_put(store *s, const ev_event *e, char **err)
{
    int rc = s->backend->put(s, e, err);
    if (rc <= 0) return rc;
    if (s->in_transaction) {
        tally_add(&s->pending, rc);
    } else {
        memset(&s->last, 0, sizeof(s->last));
        tally_add(&s->last, rc);
    }
    return rc;
}

void store_last_tally(const store *s, store_tally *out)
{
    *out = s->last;
}

int store_count(store *s, size_t *total, size_t *unlocated, char **err)
{
    return s->backend->count(s, total, unlocated, err);
}

int store_scan(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
               void *ctx, char **err)
{
    return s->backend->scan(s, f, boxes, n_boxes, fn, ctx, err);
}

int store_points(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_point_fn fn,
                 void *ctx, char **err)
{
    return s->backend->points(s, f, boxes, n_boxes, fn, ctx, err);
}

int store_within(store *s, geo_point c, double km, int exact_km, store_hit_fn fn, void *ctx, char **err)
{
    return s->backend->within(s, c, km, exact_km, fn, ctx, err);
}

int store_get(store *s, int64_t key, const ev_filter *f, store_event_fn fn, void *ctx, char **err)
{
    return s->backend->get(s, key, f, fn, ctx, err);
}

void store_versions(struct strbuf *out)
{
    gpkg_store_versions(out);
    pg_store_versions(out);
}
