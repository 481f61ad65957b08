/*
 * near.c - the events within a radius of a point, nearest first: what
 * `eventmap near` answers.  The readers (the store's R*Tree, or a file read
 * through a bounding box) hand over candidates; the geodesic distance on
 * the WGS 84 ellipsoid decides, and the events kept are copied, since
 * readers lend them for one call only.
 */
#include "events/event.h"

#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

typedef struct {
    ev_event *event;           /* ev_event_dup's copy */
    double km;                 /* geodesic distance from the centre */
    size_t seq;                /* the order added */
} near_hit;

struct ev_near {
    geo_point centre;
    double radius_km;
    near_hit *hits;
    size_t n, alloc;
};

ev_near *ev_near_new(geo_point centre, double radius_km)
{
    ev_near *q = xcalloc(1, sizeof(*q));
    q->centre = centre;
    q->radius_km = radius_km;
    return q;
}

int ev_near_add(void *ctx, const ev_event *e, char **err)
{
    ev_near *q = ctx;
    (void)err;
    if (!e->located) return 0;
    geo_point p = { e->lat, e->lon };
    double km = geo_distance_km(q->centre, p);
    if (!(km <= q->radius_km)) return 0;
    ALLOC_GROW(q->hits, q->n + 1, q->alloc);
    near_hit *h = &q->hits[q->n];
    h->event = ev_event_dup(e);
    h->km = km;
    h->seq = q->n++;
    return 0;
}

static int cmp_hit(const void *pa, const void *pb)
{
    const near_hit *a = pa, *b = pb;
    if (a->km != b->km) return a->km < b->km ? -1 : 1;
    int by_id = strcmp(a->event->id, b->event->id);
    if (by_id) return by_id;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void ev_near_sort(ev_near *q)
{
    if (q->n) qsort(q->hits, q->n, sizeof(*q->hits), cmp_hit);
}

size_t ev_near_count(const ev_near *q)
{
    return q->n;
}

const ev_event *ev_near_event(const ev_near *q, size_t i, double *km)
{
    if (km) *km = q->hits[i].km;
    return q->hits[i].event;
}

void ev_near_free(ev_near *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->n; i++) free(q->hits[i].event);
    free(q->hits);
    free(q);
}
