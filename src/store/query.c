/*
 * query.c - queries made of the store's own calls, for a back end without
 * a query of its own: store_near, the R*Tree's circle (store_within) and
 * then each event's row (store_get) for the filters.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <stdlib.h>

#include "util/strbuf.h"
#include "util/banned.h"

/* store_within's answers: the keys of the events in the circle. */
typedef struct {
    int64_t *keys;
    size_t n, alloc;
} key_list;

static int on_key(void *ctx, int64_t key, double lat, double lon, double km)
{
    key_list *k = ctx;
    (void)lat;
    (void)lon;
    (void)km;
    ALLOC_GROW(k->keys, k->n + 1, k->alloc);
    k->keys[k->n++] = key;
    return 0;
}

/* fn, remembering that it asked to stop (store_get goes on after a 1). */
typedef struct {
    store_event_fn fn;
    void *ctx;
    int stop;
} near_call;

static int on_event(void *ctx, const ev_event *e, char **err)
{
    near_call *c = ctx;
    int rc = c->fn(c->ctx, e, err);
    if (rc == 1) c->stop = 1;
    return rc;
}

int store_near(store *s, geo_point c, double km, const ev_filter *f, store_event_fn fn, void *ctx, char **err)
{
    if (s->backend->near) return s->backend->near(s, c, km, f, fn, ctx, err);
    /* the keys first: the R*Tree and the sphere find the events in the
     * circle without reading rows; then each one's row */
    key_list k = { NULL, 0, 0 };
    near_call call = { fn, ctx, 0 };
    int rc = store_within(s, c, km, 0, on_key, &k, err);
    for (size_t i = 0; rc == 0 && !call.stop && i < k.n; i++) rc = store_get(s, k.keys[i], f, on_event, &call, err);
    free(k.keys);
    return rc;
}
