/*
 * geojson.c - events.geojson written on a thread of its own while the
 * events are being read, so that a million features cost the tile run
 * little more than a copy.  The reading thread copies each event
 * (ev_event_copy: the struct and its strings) into 1 MiB chunks; the writer
 * thread hands the copies to the event layer's streaming GeoJSON writer.
 * At most TG_MAX_PENDING full chunks wait at a time, so memory stays
 * bounded when the disk is slower than the reading.
 */
#include "tiles/tiles_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

#define TG_CHUNK_BYTES (1u << 20)
#define TG_MAX_PENDING 4

/* Copies of events, one after the other (each aligned for an ev_event). */
typedef struct tg_chunk {
    char *data;                /* TG_CHUNK_BYTES, or one larger event's copy */
    size_t len, cap;           /* bytes used, bytes in data */
    const ev_event **events;   /* the copies in data, in the order read */
    size_t n, alloc;
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

/* Write the events of one chunk; 0, or -1 when writing failed. */
static int write_chunk(ev_geojson_writer *gj, const tg_chunk *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (ev_geojson_write(gj, c->events[i], NULL, 0) < 0) return -1;
    return 0;
}

static void chunk_free(tg_chunk *c)
{
    if (!c) return;
    free(c->data);
    free(c->events);
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

/* n rounded up to the alignment of an ev_event. */
static size_t aligned(size_t n)
{
    return (n + alignof(ev_event) - 1) / alignof(ev_event) * alignof(ev_event);
}

void tiles_geojson_add(tiles_geojson *w, const ev_event *e)
{
    size_t need = ev_event_copy_size(e);
    if (w->filling && aligned(w->filling->len) + need > w->filling->cap) queue_filling(w);
    if (!w->filling) {
        w->filling = xcalloc(1, sizeof(*w->filling));
        w->filling->cap = need > TG_CHUNK_BYTES ? need : TG_CHUNK_BYTES;
        w->filling->data = xmalloc(w->filling->cap);
    }
    tg_chunk *c = w->filling;
    size_t at = aligned(c->len);
    ALLOC_GROW(c->events, c->n + 1, c->alloc);
    c->events[c->n++] = ev_event_copy(e, c->data + at);
    c->len = at + need;
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
