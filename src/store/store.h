/*
 * store.h - the event store: one interface over two back ends, chosen by
 * what store_open is given:
 *   - a path: the embedded one (sqlite.c), one file, an OGC GeoPackage 1.3
 *     that GDAL and QGIS open as the point layer `events`, with
 *     GeoPackage's R*Tree index on the points and indexes for date and type;
 *   - a postgresql:// (or postgres://) URL: a table `events` in PostgreSQL
 *     with PostGIS (pg.c), for a team sharing one store, with a
 *     geography(Point, 4326) column under a GiST index.
 *
 * An event is keyed by its id (ev_event.id): putting the same id again
 * updates it in place, so importing a file twice leaves one copy.  Writes
 * happen inside store_begin .. store_commit; store_rollback (or closing
 * without commit) leaves the store as it was.  Rows another program (QGIS,
 * ogr2ogr) adds, moves or edits in the GeoPackage are events like ours,
 * found by the scans and the radius search.
 */
#ifndef EVENTMAP_STORE_H
#define EVENTMAP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "events/event.h"
#include "geo/geo.h"

typedef struct store store;

enum { STORE_READ = 0, STORE_CREATE = 1 };

/* Whether target names a PostgreSQL database (postgresql:// or
 * postgres://) rather than a file. */
int store_is_database(const char *target);

/* A store's name fit for messages and logs: target itself for a path; for
 * a database URL, the URL without its password (user, host, port,
 * database and the other settings kept).  The caller frees it. */
char *store_display_name(const char *target);
/* A short name for titles: target itself for a path, "PostgreSQL DBNAME"
 * for a database.  The caller frees it. */
char *store_short_name(const char *target);

/* Open the store at path.  STORE_CREATE creates it (and its directory's file)
 * when missing; STORE_READ fails with EM_EIO "PATH: no such store" when it
 * is missing.  A file that is not an eventmap store gives EM_EINPUT
 * "PATH: not an eventmap store"; a store of the old layout (before
 * GeoPackage; store_needs_upgrade says so) gives EM_EINPUT "PATH: an
 * eventmap store of the old layout (before GeoPackage); run 'eventmap store
 * upgrade PATH' to convert it", and is neither read nor written.  A missing directory is not created: EM_EIO
 * "PATH: cannot create: No such file or directory".  STORE_READ still opens
 * the file for writing when its permissions allow.  On success the caller
 * closes *out with store_close; on error *out is NULL.  A store is used by
 * one thread at a time. */
int store_open(const char *path, int mode, store **out, char **err);
/* For a database (store_is_database), the same modes: STORE_CREATE makes
 * the tables when the database has none (PostGIS must be installed in it
 * or installable by the user), STORE_READ fails with EM_EIO "NAME: no
 * eventmap store in this database".  Connection settings are libpq's: the
 * URL, then the PG* environment variables and ~/.pgpass for what it leaves
 * out.  Every message names the database by store_display_name, never
 * with its password; a database that cannot be reached or refuses the
 * login gives EM_EIO "NAME: cannot connect: REASON" on one line. */
/* Close; an open transaction is rolled back.  store_close(NULL) is a no-op. */
void store_close(store *s);

/* Start a transaction (EM_EUSAGE when one is open); it waits for another
 * process's write lock for a while, then fails with EM_EIO. */
int store_begin(store *s, char **err);
/* Make the transaction's writes permanent (crash-safe once this returns 0).
 * EM_EUSAGE without a transaction; when a put in it failed half-way, or the
 * commit itself fails, the transaction is rolled back and EM_EIO returned.
 * An import's indexes and R*Tree are finished here, so this takes a while
 * after a million puts. */
int store_commit(store *s, char **err);
/* Undo the open transaction's writes, if any. */
void store_rollback(store *s);

enum { STORE_PENDING = 0, STORE_NEW = 1, STORE_UPDATED = 2, STORE_UNCHANGED = 3 };
/* Insert or update e by its id.  Returns STORE_NEW, STORE_UPDATED (some
 * field differs) or STORE_UNCHANGED, or STORE_PENDING when the back end
 * decides at the commit (PostGIS inside a transaction: the puts are
 * streamed to the server and merged there; store_last_tally then says what
 * they did), or a negative error.  An event without
 * an id, with coordinates outside -90..90 / -180..180 (when located) or a
 * confidence that is not a number gives EM_EINPUT and changes nothing; the
 * transaction can go on.  Another error inside a transaction leaves only
 * store_rollback (store_commit refuses).  Outside store_begin..store_commit
 * each put is a transaction of its own (slow: one disk sync each).  Not
 * allowed from a store_scan callback (EM_EUSAGE). */
int store_put(store *s, const ev_event *e, char **err);

/* What the puts of the last committed transaction did (or of the last put
 * outside a transaction): events added, updated and unchanged.  On
 * PostGIS, an id put twice in one transaction counts once, as what its
 * last put did to the stored event. */
typedef struct {
    size_t added, updated, unchanged;
} store_tally;
void store_last_tally(const store *s, store_tally *out);

/* Number of events, and of them without coordinates (an open transaction's
 * puts included). */
int store_count(store *s, size_t *total, size_t *unlocated, char **err);

/* Hand each event that passes f to fn (strings borrowed for the call; fn
 * returns 0 to go on, 1 to stop early without error, negative for an error).
 * boxes: when n_boxes > 0 only located events inside one of the boxes (the
 * R*Tree answers; a box never crosses the antimeridian: split it), else all
 * events, unlocated ones included, in id order.  f may be NULL; date and
 * type filters are answered by SQL, the rest by ev_filter_match.
 *
 * Box edges are inclusive; an event inside several boxes is handed over
 * once.  A box with west > east or a coordinate that is not a number gives
 * EM_EUSAGE.  fn may scan the same store again but not write to it.  When
 * fn returns a negative code, store_scan returns it (with fn's message in
 * *err, or a generic one naming the store). */
typedef int (*store_event_fn)(void *ctx, const ev_event *e, char **err);
int store_scan(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
               void *ctx, char **err);

/* A located event as store_points hands it: what a map draws.  Strings are
 * borrowed for the call. */
typedef struct {
    double lon, lat;           /* degrees WGS 84 */
    int32_t day;               /* days since 1970-01-01 */
    int fatalities;
    const char *event_type, *location;
} store_point;
typedef int (*store_point_fn)(void *ctx, const store_point *p, char **err);
/* Like store_scan, for the located events only and reading just the columns
 * of a store_point (several times faster over millions of events): the same
 * filters (date and type by SQL, actor and region by ev_filter_match) and
 * boxes; fn returns 0 to go on, 1 to stop, negative for an error.  In no
 * particular order. */
int store_points(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_point_fn fn,
                 void *ctx, char **err);

/* Located events within km of c by geodesic distance (the same answer as
 * geo_distance_km(c, event) <= km): fn gets each one's key (for store_get),
 * its coordinates and its distance, in no particular order; it returns 0 to
 * go on, 1 to stop, negative for an error.  The R*Tree answers, and most
 * points are decided on the sphere without reading their row; the distance
 * handed over is then within 0.7% of the geodesic one, unless exact_km asks
 * for the geodesic distance of every point (slower: a row read each).  No
 * filters: fetch the event with store_get to filter it. */
typedef int (*store_hit_fn)(void *ctx, int64_t key, double lat, double lon, double km);
int store_within(store *s, geo_point c, double km, int exact_km, store_hit_fn fn, void *ctx, char **err);

/* The event with key (from store_within), handed to fn when it passes f (f
 * may be NULL).  EM_EINPUT when there is no such event. */
int store_get(store *s, int64_t key, const ev_filter *f, store_event_fn fn, void *ctx, char **err);

/* The located events within km of c by geodesic distance (store_within)
 * that pass f (may be NULL), each handed whole to fn (strings borrowed for
 * the call), in no particular order: `near` from a store.  fn returns 0 to
 * go on, 1 to stop, negative for an error (store_near then returns it,
 * with fn's message in *err).  Errors as store_within's and store_get's. */
int store_near(store *s, geo_point c, double km, const ev_filter *f, store_event_fn fn, void *ctx, char **err);

/* Whether the file at path is an eventmap store of the old layout (before
 * GeoPackage), which store_open refuses and store_upgrade converts: 1 or
 * 0 (also when path cannot be read). */
int store_needs_upgrade(const char *path);

/* Convert the store of the old layout at path into a GeoPackage store:
 * every event copied into a new file beside it ("PATH.tmp.PID"), which is
 * synced and renamed over path once complete, keeping path's permissions.
 * An error or a crash at any point leaves path as it was (a crash may leave
 * the temporary, which the next writer of path removes).  Holds the old
 * store's write lock throughout, so another eventmap waits.  Returns 1
 * when it converted the store, 0 when path is already a GeoPackage store
 * (nothing is written), or a negative error: EM_EIO "PATH: no such store",
 * EM_EINPUT "PATH: not an eventmap store" (store_open's errors for a file
 * that is not of the old layout), EM_EINPUT for an old store whose schema
 * version is not 1 or 2, "PATH: cannot upgrade: REASON" when an event
 * cannot be copied. */
int store_upgrade(const char *path, char **err);

/* Append the version of SQLite this program runs on to out, after ", "
 * when out is not empty. */
struct strbuf;
void store_versions(struct strbuf *out);

#endif
