/*
 * tiles_geojson.c - events.geojson written on a thread of its own while the
 * events are being read, so that a million features cost the tile run
 * little more than a copy.  The reading thread packs each event (its
 * numbers and its strings) into 1 MiB chunks; the writer thread unpacks
 * them and hands them to the event layer's streaming GeoJSON writer.  At
 * most TG_MAX_PENDING full chunks wait at a time, so memory stays bounded
 * when the disk is slower than the reading.
 */
#include "render/tiles.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

#define TG_CHUNK_BYTES (1u << 20)
#define TG_MAX_PENDING 4

/* The numbers of one event, followed in the chunk by its TG_STRINGS strings,
 * each with its NUL. */
#define TG_STRINGS 15
typedef struct {
    double lat, lon, confidence;
    int32_t day;
    int32_t time_precision, located, geo_precision, fatalities;
    uint32_t lens[TG_STRINGS]; /* string lengths without the NUL */
} tg_record;

typedef struct tg_chunk {
    strbuf data;
    size_t n;                  /* events in it */
    struct tg_chunk *next;
} tg_chunk;

struct tiles_geojson {
    ev_geojson_writer *gj;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* a chunk was queued, taken, or the end came */
    tg_chunk *head, *tail;     /* full chunks waiting, oldest first */
    size_t pending;
    int done;                  /* no more chunks will come */
    int failed;                /* the writer failed: drop what comes */
    int failed_errno;          /* its errno (the writer thread's own) */
    FILE *out;                 /* where gj writes (for ferror) */
    tg_chunk *filling;         /* the chunk the reader fills */
};

/* The strings of e in a fixed order. */
static void strings_of(const ev_event *e, const char *s[TG_STRINGS])
{
    s[0] = e->id;
    s[1] = e->event_date;
    s[2] = e->event_type;
    s[3] = e->sub_event_type;
    s[4] = e->actor1;
    s[5] = e->actor2;
    s[6] = e->country;
    s[7] = e->admin1;
    s[8] = e->location;
    s[9] = e->source;
    s[10] = e->notes;
    s[11] = e->gazetteer_id;
    s[12] = e->match;
    s[13] = e->admin2;
    s[14] = e->admin3;
}

/* Write the events of one chunk; 0, or -1 when writing failed. */
static int write_chunk(ev_geojson_writer *gj, const tg_chunk *c)
{
    const char *p = c->data.buf, *end = c->data.buf + c->data.len;
    for (size_t i = 0; i < c->n && p < end; i++) {
        tg_record r;
        memcpy(&r, p, sizeof(r));
        p += sizeof(r);
        const char *s[TG_STRINGS];
        for (int k = 0; k < TG_STRINGS; k++) {
            s[k] = p;
            p += r.lens[k] + 1;
        }
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = s[0];
        e.event_date = s[1];
        e.event_type = s[2];
        e.sub_event_type = s[3];
        e.actor1 = s[4];
        e.actor2 = s[5];
        e.country = s[6];
        e.admin1 = s[7];
        e.location = s[8];
        e.source = s[9];
        e.notes = s[10];
        e.gazetteer_id = s[11];
        e.match = s[12];
        e.admin2 = s[13];
        e.admin3 = s[14];
        e.day = r.day;
        e.time_precision = r.time_precision;
        e.located = r.located;
        e.lat = r.lat;
        e.lon = r.lon;
        e.geo_precision = r.geo_precision;
        e.fatalities = r.fatalities;
        e.confidence = r.confidence;
        if (ev_geojson_write(gj, &e, NULL, 0) < 0) return -1;
    }
    return 0;
}

static void chunk_free(tg_chunk *c)
{
    if (!c) return;
    sb_release(&c->data);
    free(c);
}

static void *writer_main(void *arg)
{
    tiles_geojson *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->lock);
        while (!w->head && !w->done) pthread_cond_wait(&w->cond, &w->lock);
        tg_chunk *c = w->head;
        if (c) {
            w->head = c->next;
            if (!w->head) w->tail = NULL;
            w->pending--;
            pthread_cond_broadcast(&w->cond);
        }
        int failed = w->failed;
        pthread_mutex_unlock(&w->lock);
        if (!c) break;
        /* ferror: a flush of the chunk's last events may have failed too */
        if (!failed && (write_chunk(w->gj, c) < 0 || ferror(w->out))) {
            int saved = errno ? errno : EIO;
            pthread_mutex_lock(&w->lock);
            w->failed = 1;
            w->failed_errno = saved;
            pthread_mutex_unlock(&w->lock);
        }
        chunk_free(c);
    }
    return NULL;
}

tiles_geojson *tiles_geojson_start(FILE *out)
{
    ev_geojson_writer *gj = ev_geojson_open(out);
    if (!gj) return NULL;
    tiles_geojson *w = xcalloc(1, sizeof(*w));
    w->gj = gj;
    w->out = out;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->cond, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        ev_geojson_close(gj);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w);
        return NULL;
    }
    return w;
}

/* Hand the chunk being filled to the writer (waiting while too many are
 * queued). */
static void queue_filling(tiles_geojson *w)
{
    tg_chunk *c = w->filling;
    w->filling = NULL;
    if (!c) return;
    pthread_mutex_lock(&w->lock);
    while (w->pending >= TG_MAX_PENDING && !w->failed) pthread_cond_wait(&w->cond, &w->lock);
    if (w->failed) {
        pthread_mutex_unlock(&w->lock);
        chunk_free(c);
        return;
    }
    if (w->tail) w->tail->next = c;
    else w->head = c;
    w->tail = c;
    w->pending++;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void tiles_geojson_add(tiles_geojson *w, const ev_event *e)
{
    const char *s[TG_STRINGS];
    strings_of(e, s);
    tg_record r;
    memset(&r, 0, sizeof(r));
    size_t need = sizeof(r);
    for (int k = 0; k < TG_STRINGS; k++) {
        size_t len = s[k] ? strlen(s[k]) : 0;
        r.lens[k] = (uint32_t)len;
        need += len + 1;
    }
    r.lat = e->lat;
    r.lon = e->lon;
    r.confidence = e->confidence;
    r.day = e->day;
    r.time_precision = e->time_precision;
    r.located = e->located;
    r.geo_precision = e->geo_precision;
    r.fatalities = e->fatalities;

    if (w->filling && w->filling->data.len + need > TG_CHUNK_BYTES) queue_filling(w);
    if (!w->filling) {
        w->filling = xcalloc(1, sizeof(*w->filling));
        sb_init(&w->filling->data, TG_CHUNK_BYTES > need ? TG_CHUNK_BYTES : need);
    }
    strbuf *d = &w->filling->data;
    sb_add(d, &r, sizeof(r));
    for (int k = 0; k < TG_STRINGS; k++) {
        if (r.lens[k]) sb_add(d, s[k], r.lens[k]);
        sb_addch(d, '\0');
    }
    w->filling->n++;
}

long tiles_geojson_finish(tiles_geojson *w)
{
    if (!w) return 0;
    queue_filling(w);
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    long left_out = ev_geojson_close(w->gj);
    int saved = w->failed ? w->failed_errno : errno;
    long rc = w->failed ? -1 : left_out;
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->cond);
    free(w);
    if (rc < 0) errno = saved;
    return rc;
}
