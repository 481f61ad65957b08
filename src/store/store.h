/*
 * store.h - the event store: one interface over the embedded SQLite back end
 * (sqlite.c: one file, an R*Tree on the coordinates, indexes for date and
 * type) so that a PostGIS back end can be added later without touching the
 * callers.
 *
 * An event is keyed by its id (ev_event.id): putting the same id again
 * updates it in place, so importing a file twice leaves one copy.  Writes
 * happen inside store_begin .. store_commit; store_rollback (or closing
 * without commit) leaves the store as it was.
 */
#ifndef EVENTMAP_STORE_H
#define EVENTMAP_STORE_H

#include <stddef.h>

#include "events/event.h"
#include "geo/geo.h"

typedef struct store store;

enum { STORE_READ = 0, STORE_CREATE = 1 };

/* Open the store at path.  STORE_CREATE creates it (and its directory's file)
 * when missing; STORE_READ fails with EM_EIO "PATH: no such store" when it
 * is missing.  A file that is not an eventmap store gives EM_EINPUT. */
int store_open(const char *path, int mode, store **out, char **err);
/* Close; an open transaction is rolled back.  store_close(NULL) is a no-op. */
void store_close(store *s);

int store_begin(store *s, char **err);
int store_commit(store *s, char **err);
void store_rollback(store *s);

enum { STORE_NEW = 1, STORE_UPDATED = 2, STORE_UNCHANGED = 3 };
/* Insert or update e by its id.  Returns STORE_NEW, STORE_UPDATED (some
 * field differs) or STORE_UNCHANGED, or a negative error. */
int store_put(store *s, const ev_event *e, char **err);

/* Number of events, and of them without coordinates. */
int store_count(store *s, size_t *total, size_t *unlocated, char **err);

/* Hand each event that passes f to fn (strings borrowed for the call; fn
 * returns 0 to go on, 1 to stop early without error, negative for an error).
 * boxes: when n_boxes > 0 only located events inside one of the boxes (the
 * R*Tree answers; a box never crosses the antimeridian: split it), else all
 * events, unlocated ones included, in id order.  f may be NULL; date and
 * type filters are answered by SQL, the rest by ev_filter_match. */
typedef int (*store_event_fn)(void *ctx, const ev_event *e, char **err);
int store_scan(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
               void *ctx, char **err);

#endif
