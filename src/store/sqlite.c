/*
 * sqlite.c - the embedded event store (store.h) on one SQLite file: a table
 * `events` holding every field of ev_event under an INTEGER rowid (`rid`), an
 * R*Tree `events_rtree` over the coordinates of the located events keyed by
 * the same rid, and indexes for the date and type filters.  The file is marked
 * as ours by PRAGMA application_id and carries its schema version in PRAGMA
 * user_version.  Every statement is prepared once, on first use, and kept in
 * the store; a put of a new id costs one INSERT into events and one into the
 * R*Tree, and only a put of an id already present reads the old row back.
 *
 * Journal and durability: the store keeps SQLite's default rollback journal
 * (journal_mode=DELETE) with synchronous=FULL.  A committed transaction
 * survives a crash of the program, of the OS and a power loss, and when the
 * transaction is closed the store is one file again (WAL would leave -wal and
 * -shm files beside it).  It is also the faster choice for our write pattern:
 * an import is one large transaction, and with a rollback journal new pages
 * go straight into the database file (only pages that existed before the
 * transaction are copied to the journal), where WAL would write every page
 * twice (into the WAL, then back at the checkpoint).  The fsyncs cost a few
 * milliseconds per commit, not per event.  What WAL would add, readers
 * running while an import commits, a one-user command-line tool does not
 * need; a reader that meets a writer's lock waits (busy timeout) instead of
 * failing.
 */
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* "EvMp": PRAGMA application_id of an eventmap store. */
#define STORE_APPLICATION_ID 0x45764D70
/* PRAGMA user_version: the schema below.  Bump when it changes. */
#define STORE_SCHEMA_VERSION 1

/* Page cache per connection, in KiB (SQLite's negative cache_size).  Pages
 * are allocated as they are touched, so a query process pays for what it
 * reads; an import touches the R*Tree and the id index all over and wants
 * them to stay in memory. */
#define STORE_CACHE_KIB 65536
#define STORE_IMPORT_CACHE_KIB 262144
/* How long a connection waits for another one's lock, in milliseconds. */
#define STORE_BUSY_TIMEOUT_MS 10000

static const char schema_sql[] =
    "CREATE TABLE events ("
    " rid INTEGER PRIMARY KEY," /* also the key of events_rtree */
    " id TEXT NOT NULL UNIQUE,"
    " event_date TEXT NOT NULL,"
    " day INTEGER NOT NULL,"          /* days since 1970-01-01 */
    " time_precision INTEGER NOT NULL,"
    " event_type TEXT NOT NULL,"
    " sub_event_type TEXT NOT NULL,"
    " actor1 TEXT NOT NULL,"
    " actor2 TEXT NOT NULL,"
    " country TEXT NOT NULL,"
    " admin1 TEXT NOT NULL,"
    " location TEXT NOT NULL,"
    " located INTEGER NOT NULL,"      /* 0 or 1 */
    " lat REAL,"                      /* degrees WGS 84; NULL when not located */
    " lon REAL,"
    " geo_precision INTEGER NOT NULL,"
    " fatalities INTEGER NOT NULL,"
    " source TEXT NOT NULL,"
    " notes TEXT NOT NULL,"
    " gazetteer_id TEXT NOT NULL,"
    " \"match\" TEXT NOT NULL,"
    " confidence REAL NOT NULL"
    ");"
    "CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);"
    "CREATE INDEX events_day ON events(day);"
    /* two indexes, so that "event_type = ? OR sub_event_type = ?" can use both */
    "CREATE INDEX events_type ON events(event_type COLLATE NOCASE);"
    "CREATE INDEX events_sub_type ON events(sub_event_type COLLATE NOCASE);"
    /* holds only the unlocated events: store_count without a table scan */
    "CREATE INDEX events_unlocated ON events(located) WHERE located = 0;";

/* The columns of an event, in the order of ev_event and of every SELECT and
 * INSERT below (bind parameter ?N is column N-1 of a SELECT). */
enum {
    C_ID, C_EVENT_DATE, C_DAY, C_TIME_PRECISION, C_EVENT_TYPE, C_SUB_EVENT_TYPE, C_ACTOR1,
    C_ACTOR2, C_COUNTRY, C_ADMIN1, C_LOCATION, C_LOCATED, C_LAT, C_LON, C_GEO_PRECISION,
    C_FATALITIES, C_SOURCE, C_NOTES, C_GAZETTEER_ID, C_MATCH, C_CONFIDENCE, C_COUNT
};
#define EVENT_COLUMNS                                                                       \
    "id, event_date, day, time_precision, event_type, sub_event_type, actor1, actor2, "     \
    "country, admin1, location, located, lat, lon, geo_precision, fatalities, source, "     \
    "notes, gazetteer_id, \"match\", confidence"
#define EVENT_COLUMNS_E                                                                     \
    "e.id, e.event_date, e.day, e.time_precision, e.event_type, e.sub_event_type, "         \
    "e.actor1, e.actor2, e.country, e.admin1, e.location, e.located, e.lat, e.lon, "        \
    "e.geo_precision, e.fatalities, e.source, e.notes, e.gazetteer_id, e.\"match\", "       \
    "e.confidence"
#define EVENT_PARAMS "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21"

/* The statements a store keeps, prepared on first use. */
enum {
    Q_INSERT,       /* ?1..?21 an event; no row changed when the id is taken */
    Q_OLD,          /* ?1 id -> rid, the event's columns */
    Q_UPDATE,       /* ?1..?21 an event, ?22 its rid */
    Q_RT_INSERT,    /* ?1 rid, ?2 lon, ?3 lat */
    Q_RT_MOVE,      /* ?1 rid, ?2 lon, ?3 lat */
    Q_RT_DELETE,    /* ?1 rid */
    Q_COUNT,        /* -> all events */
    Q_COUNT_UNLOCATED,
    Q_N
};

static const char *const query_sql[Q_N] = {
    [Q_INSERT] = "INSERT INTO events (" EVENT_COLUMNS ") VALUES (" EVENT_PARAMS ")"
                 " ON CONFLICT (id) DO NOTHING",
    [Q_OLD] = "SELECT " EVENT_COLUMNS ", rid FROM events WHERE id = ?1",
    [Q_UPDATE] = "UPDATE events SET (" EVENT_COLUMNS ") = (" EVENT_PARAMS ") WHERE rid = ?22",
    [Q_RT_INSERT] = "INSERT INTO events_rtree (id, min_lon, max_lon, min_lat, max_lat)"
                    " VALUES (?1, ?2, ?2, ?3, ?3)",
    [Q_RT_MOVE] = "UPDATE events_rtree SET min_lon = ?2, max_lon = ?2, min_lat = ?3, max_lat = ?3"
                  " WHERE id = ?1",
    [Q_RT_DELETE] = "DELETE FROM events_rtree WHERE id = ?1",
    [Q_COUNT] = "SELECT count(*) FROM events",
    [Q_COUNT_UNLOCATED] = "SELECT count(*) FROM events WHERE located = 0",
};

/* store_scan's statements, one per combination of these. */
enum { SCAN_BOX = 1, SCAN_DATE = 2, SCAN_TYPE = 4, SCAN_N = 8 };
/* Their bind parameters. */
enum { P_WEST = 1, P_EAST, P_SOUTH, P_NORTH, P_SINCE, P_UNTIL, P_TYPE };

struct store {
    sqlite3 *db;
    char *path;                   /* as given to store_open, for messages */
    sqlite3_stmt *q[Q_N];         /* NULL until first used */
    sqlite3_stmt *scan[SCAN_N];
    int in_transaction;           /* between store_begin and store_commit/rollback */
    int write_failed;             /* a write in this transaction failed half-way */
};

/* ------------------------------------------------------------- errors */

/* Report SQLite's error rc for what the store was doing (a verb phrase:
 * "cannot write").  A file that is not a database, or a damaged one, is bad
 * input; running out of memory is internal; everything else is I/O. */
static int sql_error(store *s, int rc, const char *doing, char **err)
{
    int primary = rc & 0xff;
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if (primary == SQLITE_NOTADB)
        return em_error(err, EM_EINPUT, "%s: not an eventmap store", s->path);
    if (primary == SQLITE_CORRUPT)
        return em_error(err, EM_EINPUT, "%s: %s: the store is damaged (%s)", s->path, doing, msg);
    if (primary == SQLITE_NOMEM)
        return em_error(err, EM_EINTERNAL, "%s: %s: out of memory", s->path, doing);
    return em_error(err, EM_EIO, "%s: %s: %s", s->path, doing, msg);
}

/* ------------------------------------------------------------- statements */

static int prepare(store *s, const char *sql, sqlite3_stmt **out, char **err)
{
    int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc != SQLITE_OK) {
        *out = NULL;
        /* a file with our mark but without our tables */
        if ((rc & 0xff) == SQLITE_ERROR)
            return em_error(err, EM_EINPUT, "%s: not an eventmap store (%s)", s->path,
                            sqlite3_errmsg(s->db));
        return sql_error(s, rc, "cannot read", err);
    }
    return 0;
}

/* The cached statement `which`, prepared when first needed, or NULL with
 * *rc set. */
static sqlite3_stmt *query(store *s, int which, int *rc, char **err)
{
    if (!s->q[which]) *rc = prepare(s, query_sql[which], &s->q[which], err);
    return s->q[which];
}

/* Run SQL that returns no rows (pragmas, BEGIN, COMMIT, the schema). */
static int exec(store *s, const char *sql, const char *doing, char **err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, doing, err);
}

/* Bind text that stays valid until the statement has been stepped and reset
 * (every caller binds, steps and resets within one call with e borrowed for
 * that call, and binds every parameter again before the next step), so
 * SQLite need not copy it. */
static int bind_text(sqlite3_stmt *st, int param, const char *text)
{
    return sqlite3_bind_text(st, param, text ? text : "", -1, SQLITE_STATIC);
}

/* Bind the 21 columns of e to ?1..?21. */
static int bind_event(sqlite3_stmt *st, const ev_event *e)
{
    int rc = SQLITE_OK;
    rc |= bind_text(st, 1 + C_ID, e->id);
    rc |= bind_text(st, 1 + C_EVENT_DATE, e->event_date);
    rc |= sqlite3_bind_int(st, 1 + C_DAY, e->day);
    rc |= sqlite3_bind_int(st, 1 + C_TIME_PRECISION, e->time_precision);
    rc |= bind_text(st, 1 + C_EVENT_TYPE, e->event_type);
    rc |= bind_text(st, 1 + C_SUB_EVENT_TYPE, e->sub_event_type);
    rc |= bind_text(st, 1 + C_ACTOR1, e->actor1);
    rc |= bind_text(st, 1 + C_ACTOR2, e->actor2);
    rc |= bind_text(st, 1 + C_COUNTRY, e->country);
    rc |= bind_text(st, 1 + C_ADMIN1, e->admin1);
    rc |= bind_text(st, 1 + C_LOCATION, e->location);
    rc |= sqlite3_bind_int(st, 1 + C_LOCATED, e->located != 0);
    if (e->located) {
        rc |= sqlite3_bind_double(st, 1 + C_LAT, e->lat);
        rc |= sqlite3_bind_double(st, 1 + C_LON, e->lon);
    } else {
        rc |= sqlite3_bind_null(st, 1 + C_LAT);
        rc |= sqlite3_bind_null(st, 1 + C_LON);
    }
    rc |= sqlite3_bind_int(st, 1 + C_GEO_PRECISION, e->geo_precision);
    rc |= sqlite3_bind_int(st, 1 + C_FATALITIES, e->fatalities);
    rc |= bind_text(st, 1 + C_SOURCE, e->source);
    rc |= bind_text(st, 1 + C_NOTES, e->notes);
    rc |= bind_text(st, 1 + C_GAZETTEER_ID, e->gazetteer_id);
    rc |= bind_text(st, 1 + C_MATCH, e->match);
    rc |= sqlite3_bind_double(st, 1 + C_CONFIDENCE, e->confidence);
    return rc;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    return text ? (const char *)text : "";
}

/* The event in the current row of st (columns in EVENT_COLUMNS order);
 * strings borrowed from st until it is stepped or reset. */
static void read_event(sqlite3_stmt *st, ev_event *e)
{
    e->id = column_text(st, C_ID);
    e->event_date = column_text(st, C_EVENT_DATE);
    e->day = sqlite3_column_int(st, C_DAY);
    e->time_precision = sqlite3_column_int(st, C_TIME_PRECISION);
    e->event_type = column_text(st, C_EVENT_TYPE);
    e->sub_event_type = column_text(st, C_SUB_EVENT_TYPE);
    e->actor1 = column_text(st, C_ACTOR1);
    e->actor2 = column_text(st, C_ACTOR2);
    e->country = column_text(st, C_COUNTRY);
    e->admin1 = column_text(st, C_ADMIN1);
    e->location = column_text(st, C_LOCATION);
    e->located = sqlite3_column_int(st, C_LOCATED) != 0;
    e->lat = e->located ? sqlite3_column_double(st, C_LAT) : 0.0;
    e->lon = e->located ? sqlite3_column_double(st, C_LON) : 0.0;
    e->geo_precision = sqlite3_column_int(st, C_GEO_PRECISION);
    e->fatalities = sqlite3_column_int(st, C_FATALITIES);
    e->source = column_text(st, C_SOURCE);
    e->notes = column_text(st, C_NOTES);
    e->gazetteer_id = column_text(st, C_GAZETTEER_ID);
    e->match = column_text(st, C_MATCH);
    e->confidence = sqlite3_column_double(st, C_CONFIDENCE);
}

static int same_text(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* Whether e, about to be stored, equals old as stored (coordinates compared
 * only when located). */
static int same_event(const ev_event *e, const ev_event *old)
{
    int located = e->located != 0;
    return same_text(e->event_date, old->event_date) && e->day == old->day &&
           e->time_precision == old->time_precision &&
           same_text(e->event_type, old->event_type) &&
           same_text(e->sub_event_type, old->sub_event_type) &&
           same_text(e->actor1, old->actor1) && same_text(e->actor2, old->actor2) &&
           same_text(e->country, old->country) && same_text(e->admin1, old->admin1) &&
           same_text(e->location, old->location) && located == old->located &&
           (!located || (e->lat == old->lat && e->lon == old->lon)) &&
           e->geo_precision == old->geo_precision && e->fatalities == old->fatalities &&
           same_text(e->source, old->source) && same_text(e->notes, old->notes) &&
           same_text(e->gazetteer_id, old->gazetteer_id) && same_text(e->match, old->match) &&
           e->confidence == old->confidence;
}

/* ------------------------------------------------------------- opening */

/* The file's application_id, user_version and number of schema objects. */
static int read_mark(store *s, int *app_id, int *version, int *n_objects, char **err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT application_id FROM pragma_application_id),"
                                " (SELECT user_version FROM pragma_user_version),"
                                " (SELECT count(*) FROM sqlite_master)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *app_id = sqlite3_column_int(st, 0);
        *version = sqlite3_column_int(st, 1);
        *n_objects = sqlite3_column_int(st, 2);
        rc = 0;
    } else {
        int primary = rc & 0xff;
        if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
            rc = em_error(err, EM_EINPUT, "%s: not an eventmap store", s->path);
        else
            rc = sql_error(s, rc, "cannot read", err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Give an empty database our schema and mark, in one transaction.  Another
 * process may be doing the same: whoever takes the write lock first creates
 * it, the other finds it made. */
static int create_schema(store *s, char **err)
{
    int rc = exec(s, "BEGIN IMMEDIATE", "cannot create the store", err);
    if (rc < 0) return rc;
    int app_id = 0, version = 0, n_objects = 0;
    rc = read_mark(s, &app_id, &version, &n_objects, err);
    if (!rc && !app_id && !version && !n_objects) {
        strbuf sql = STRBUF_INIT;
        sb_addf(&sql, "%sPRAGMA application_id = %d; PRAGMA user_version = %d;", schema_sql,
                STORE_APPLICATION_ID, STORE_SCHEMA_VERSION);
        rc = exec(s, sql.buf, "cannot create the store", err);
        sb_release(&sql);
    }
    if (!rc) rc = exec(s, "COMMIT", "cannot create the store", err);
    if (rc < 0 && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int store_open(const char *path, int mode, store **out, char **err)
{
    int rc = 0, created = 0;
    store *s = NULL;
    struct stat st;

    *out = NULL;
    if (!path || !*path) return em_error(err, EM_EUSAGE, "no store path given");
    if (mode != STORE_READ && mode != STORE_CREATE)
        return em_error(err, EM_EUSAGE, "%s: unknown store open mode %d", path, mode);
    if (stat(path, &st) < 0) {
        if (errno != ENOENT) return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
        if (mode == STORE_READ) return em_error(err, EM_EIO, "%s: no such store", path);
        created = 1;
    } else if (S_ISDIR(st.st_mode)) {
        return em_error(err, EM_EIO, "%s: cannot open: is a directory", path);
    }

    s = xcalloc(1, sizeof(*s));
    s->path = xstrdup(path);
    /* NOMUTEX: a store is used by one thread at a time (store.h). */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (created ? SQLITE_OPEN_CREATE : 0);
    rc = sqlite3_open_v2(path, &s->db, flags, NULL);
    if (rc != SQLITE_OK) {
        int sys_errno = s->db ? sqlite3_system_errno(s->db) : 0;
        const char *why = sys_errno ? strerror(sys_errno) : s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
        rc = em_error(err, (rc & 0xff) == SQLITE_NOMEM ? EM_EINTERNAL : EM_EIO, "%s: cannot %s: %s",
                      path, created ? "create" : "open", why);
        goto cleanup;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* A store is a file from anywhere: refuse what could make its schema
     * (triggers, views) run functions with side effects, or let SQL damage
     * the file's structure. */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);

    int app_id = 0, version = 0, n_objects = 0;
    rc = read_mark(s, &app_id, &version, &n_objects, err);
    if (rc < 0) goto cleanup;
    if (!app_id && !version && !n_objects && mode == STORE_CREATE) {
        /* a new file, or an empty one: make it a store */
        rc = create_schema(s, err);
        if (!rc) rc = read_mark(s, &app_id, &version, &n_objects, err);
        if (rc < 0) goto cleanup;
    }
    if (app_id != STORE_APPLICATION_ID || version < 1) {
        rc = em_error(err, EM_EINPUT, "%s: not an eventmap store", path);
        goto cleanup;
    }
    if (version > STORE_SCHEMA_VERSION) {
        rc = em_error(err, EM_EINPUT, "%s: store schema version %d is newer than this eventmap's (%d)",
                      path, version, STORE_SCHEMA_VERSION);
        goto cleanup;
    }
    /* synchronous=FULL and the default rollback journal: see the top of
     * this file. */
    strbuf pragmas = STRBUF_INIT;
    sb_addf(&pragmas, "PRAGMA synchronous = FULL; PRAGMA cache_size = -%d;", STORE_CACHE_KIB);
    rc = exec(s, pragmas.buf, "cannot open", err);
    sb_release(&pragmas);
    if (rc < 0) goto cleanup;

    *out = s;
    return 0;

cleanup:
    store_close(s);
    if (created) unlink(path);
    return rc;
}

void store_close(store *s)
{
    if (!s) return;
    for (int i = 0; i < Q_N; i++) sqlite3_finalize(s->q[i]);
    for (int i = 0; i < SCAN_N; i++) sqlite3_finalize(s->scan[i]);
    /* Closing with a transaction open rolls it back; say so rather than
     * leave it to sqlite3_close. */
    if (s->db && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

/* ------------------------------------------------------------- transactions */

int store_begin(store *s, char **err)
{
    if (s->in_transaction)
        return em_error(err, EM_EUSAGE, "%s: a transaction is already open", s->path);
    /* IMMEDIATE: take the write lock now, so that a second writer waits
     * here instead of failing half-way through its import. */
    int rc = exec(s, "BEGIN IMMEDIATE", "cannot start writing", err);
    if (rc < 0) return rc;
    strbuf pragma = STRBUF_INIT;
    sb_addf(&pragma, "PRAGMA cache_size = -%d", STORE_IMPORT_CACHE_KIB);
    rc = exec(s, pragma.buf, "cannot start writing", err);
    sb_release(&pragma);
    if (rc < 0) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    s->in_transaction = 1;
    s->write_failed = 0;
    return 0;
}

/* Back to the cache of a reading connection; the transaction is over. */
static void end_transaction(store *s)
{
    s->in_transaction = 0;
    s->write_failed = 0;
    strbuf pragma = STRBUF_INIT;
    sb_addf(&pragma, "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
    sqlite3_exec(s->db, pragma.buf, NULL, NULL, NULL);
    sb_release(&pragma);
}

int store_commit(store *s, char **err)
{
    if (!s->in_transaction) return em_error(err, EM_EUSAGE, "%s: no transaction to commit", s->path);
    if (s->write_failed) {
        store_rollback(s);
        return em_error(err, EM_EIO, "%s: an earlier write failed; nothing was stored", s->path);
    }
    int rc = exec(s, "COMMIT", "cannot commit", err);
    if (rc < 0) {
        store_rollback(s);
        return rc;
    }
    end_transaction(s);
    return 0;
}

void store_rollback(store *s)
{
    if (!s) return;
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (s->in_transaction) end_transaction(s);
}

/* ------------------------------------------------------------- writing */

/* Step a write statement to its end and reset it; 0 or an error. */
static int step_write(store *s, sqlite3_stmt *st, char **err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return 0;
    return sql_error(s, rc, "cannot write", err);
}

/* Insert (which = Q_RT_INSERT) or move (Q_RT_MOVE) rid's point in the R*Tree,
 * or delete it (Q_RT_DELETE, lon and lat unused). */
static int rtree_write(store *s, int which, sqlite3_int64 rid, double lon, double lat, char **err)
{
    int rc = 0;
    sqlite3_stmt *st = query(s, which, &rc, err);
    if (!st) return rc;
    int brc = sqlite3_bind_int64(st, 1, rid);
    if (which != Q_RT_DELETE) {
        brc |= sqlite3_bind_double(st, 2, lon);
        brc |= sqlite3_bind_double(st, 3, lat);
    }
    if (brc != SQLITE_OK) return sql_error(s, brc, "cannot write", err);
    return step_write(s, st, err);
}

/* Check what store_put cannot store faithfully. */
static int check_event(store *s, const ev_event *e, char **err)
{
    if (!e->id || !*e->id) return em_error(err, EM_EINPUT, "%s: an event has no id", s->path);
    if (e->located && (!isfinite(e->lat) || e->lat < -90 || e->lat > 90))
        return em_error(err, EM_EINPUT, "%s: event %s: latitude %g is not in -90..90", s->path, e->id, e->lat);
    if (e->located && (!isfinite(e->lon) || e->lon < -180 || e->lon > 180))
        return em_error(err, EM_EINPUT, "%s: event %s: longitude %g is not in -180..180", s->path, e->id,
                        e->lon);
    if (!isfinite(e->confidence))
        return em_error(err, EM_EINPUT, "%s: event %s: confidence is not a number", s->path, e->id);
    return 0;
}

/* e's id is taken: compare with the stored row, update it and its R*Tree
 * entry when something differs. */
static int put_existing(store *s, const ev_event *e, char **err)
{
    int rc = 0;
    sqlite3_stmt *old_st = query(s, Q_OLD, &rc, err);
    if (!old_st) return rc;
    rc = bind_text(old_st, 1, e->id);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot read", err);
    rc = sqlite3_step(old_st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(old_st);
        if (rc == SQLITE_DONE) /* the INSERT said the id was there */
            return em_error(err, EM_EINTERNAL, "%s: event %s vanished during an update", s->path, e->id);
        return sql_error(s, rc, "cannot read", err);
    }
    ev_event old;
    read_event(old_st, &old);
    sqlite3_int64 rid = sqlite3_column_int64(old_st, C_COUNT);
    int unchanged = same_event(e, &old);
    int was_located = old.located;
    double old_lon = old.lon, old_lat = old.lat;
    sqlite3_reset(old_st); /* old's strings are gone from here on */
    if (unchanged) return STORE_UNCHANGED;

    sqlite3_stmt *update = query(s, Q_UPDATE, &rc, err);
    if (!update) return rc;
    rc = bind_event(update, e);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(update, 22, rid);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot write", err);
    rc = step_write(s, update, err);
    if (!rc && e->located && !was_located) rc = rtree_write(s, Q_RT_INSERT, rid, e->lon, e->lat, err);
    else if (!rc && e->located && (e->lon != old_lon || e->lat != old_lat))
        rc = rtree_write(s, Q_RT_MOVE, rid, e->lon, e->lat, err);
    else if (!rc && !e->located && was_located) rc = rtree_write(s, Q_RT_DELETE, rid, 0, 0, err);
    return rc < 0 ? rc : STORE_UPDATED;
}

static int put(store *s, const ev_event *e, char **err)
{
    int rc = 0;
    sqlite3_stmt *insert = query(s, Q_INSERT, &rc, err);
    if (!insert) return rc;
    rc = bind_event(insert, e);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot write", err);
    rc = step_write(s, insert, err);
    if (rc < 0) return rc;
    if (sqlite3_changes(s->db) == 0) return put_existing(s, e, err);
    if (e->located) {
        rc = rtree_write(s, Q_RT_INSERT, sqlite3_last_insert_rowid(s->db), e->lon, e->lat, err);
        if (rc < 0) return rc;
    }
    return STORE_NEW;
}

int store_put(store *s, const ev_event *e, char **err)
{
    int rc = check_event(s, e, err);
    if (rc < 0) return rc;
    if (s->in_transaction) {
        rc = put(s, e, err);
        /* the row and its R*Tree entry may now disagree: only a rollback
         * can follow */
        if (rc < 0) s->write_failed = 1;
        return rc;
    }
    /* Outside store_begin..store_commit: a transaction of its own, so that
     * the row and its R*Tree entry are written together or not at all. */
    rc = exec(s, "BEGIN IMMEDIATE", "cannot start writing", err);
    if (rc < 0) return rc;
    rc = put(s, e, err);
    if (rc >= 0) {
        int crc = exec(s, "COMMIT", "cannot commit", err);
        if (crc < 0) rc = crc;
    }
    if (rc < 0 && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* ------------------------------------------------------------- reading */

/* Step a count statement; its one number, or an error. */
static int count_of(store *s, int which, size_t *n, char **err)
{
    int rc = 0;
    sqlite3_stmt *st = query(s, which, &rc, err);
    if (!st) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        sqlite3_int64 v = sqlite3_column_int64(st, 0);
        *n = v > 0 ? (size_t)v : 0;
        rc = 0;
    } else {
        rc = sql_error(s, rc, "cannot read", err);
    }
    sqlite3_reset(st);
    return rc;
}

int store_count(store *s, size_t *total, size_t *unlocated, char **err)
{
    size_t n_total = 0, n_unlocated = 0;
    int rc = count_of(s, Q_COUNT, &n_total, err);
    if (!rc) rc = count_of(s, Q_COUNT_UNLOCATED, &n_unlocated, err);
    if (rc < 0) return rc;
    if (total) *total = n_total;
    if (unlocated) *unlocated = n_unlocated;
    return 0;
}

/* The SQL of scan variant `which` (SCAN_* bits). */
static void scan_sql(int which, strbuf *sql)
{
    if (which & SCAN_BOX) {
        /* CROSS JOIN keeps the R*Tree as the outer loop (SQLite does not
         * reorder it), each hit then found in events by its rid.  The R*Tree
         * keeps 32-bit floats, rounded outwards, so it answers a little more
         * than the box; store_scan drops the extra by the exact lat/lon. */
        sb_adds(sql, "SELECT " EVENT_COLUMNS_E " FROM events_rtree AS r CROSS JOIN events AS e"
                     " ON e.rid = r.id WHERE r.min_lon <= ?2 AND r.max_lon >= ?1"
                     " AND r.min_lat <= ?4 AND r.max_lat >= ?3");
    } else {
        sb_adds(sql, "SELECT " EVENT_COLUMNS_E " FROM events AS e WHERE 1");
    }
    if (which & SCAN_DATE) sb_adds(sql, " AND e.day BETWEEN ?5 AND ?6");
    if (which & SCAN_TYPE)
        sb_adds(sql, " AND (e.event_type = ?7 COLLATE NOCASE OR e.sub_event_type = ?7 COLLATE NOCASE)");
    if (!(which & SCAN_BOX)) sb_adds(sql, " ORDER BY e.id");
}

static int inside(const geo_bbox *b, double lon, double lat)
{
    return lon >= b->west_deg && lon <= b->east_deg && lat >= b->south_deg && lat <= b->north_deg;
}

static int check_box(store *s, const geo_bbox *b, char **err)
{
    if (!isfinite(b->west_deg) || !isfinite(b->east_deg) || !isfinite(b->south_deg) ||
        !isfinite(b->north_deg) || b->south_deg > b->north_deg)
        return em_error(err, EM_EUSAGE, "%s: not a bounding box: %g,%g,%g,%g", s->path, b->west_deg,
                        b->south_deg, b->east_deg, b->north_deg);
    if (b->west_deg > b->east_deg)
        return em_error(err, EM_EUSAGE, "%s: box %g,%g,%g,%g crosses the antimeridian: split it", s->path,
                        b->west_deg, b->south_deg, b->east_deg, b->north_deg);
    return 0;
}

/* Run st (bound) and hand each row that passes to fn.  box_index >= 0: the
 * rows are from boxes[box_index]; keep those exactly inside it and not
 * inside an earlier box (handed out already).  Returns 0, 1 when fn stopped
 * the scan, or an error. */
static int scan_rows(store *s, sqlite3_stmt *st, const ev_filter *rest, const geo_bbox *boxes,
                     long box_index, store_event_fn fn, void *ctx, char **err)
{
    int rc;
    ev_event e;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_event(st, &e);
        if (box_index >= 0) {
            if (!e.located || !inside(&boxes[box_index], e.lon, e.lat)) continue;
            long j;
            for (j = 0; j < box_index; j++)
                if (inside(&boxes[j], e.lon, e.lat)) break;
            if (j < box_index) continue;
        }
        if (rest && !ev_filter_match(rest, &e)) continue;
        int frc = fn(ctx, &e, err);
        if (frc < 0) return em_error(err, frc, "%s: reading the store stopped with an error", s->path);
        if (frc > 0) return 1;
    }
    if (rc != SQLITE_DONE) return sql_error(s, rc, "cannot read", err);
    return 0;
}

int store_scan(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
               void *ctx, char **err)
{
    int rc = 0;
    for (size_t i = 0; i < n_boxes; i++)
        if ((rc = check_box(s, &boxes[i], err)) < 0) return rc;

    int which = n_boxes ? SCAN_BOX : 0;
    if (f && (f->has_since || f->has_until)) which |= SCAN_DATE;
    if (f && f->type) which |= SCAN_TYPE;
    /* what SQL does not answer */
    ev_filter rest_filter;
    const ev_filter *rest = NULL;
    if (f && (f->actor || f->region)) {
        rest_filter = *f;
        rest_filter.has_since = rest_filter.has_until = 0;
        rest_filter.type = NULL;
        rest = &rest_filter;
    }

    /* The cached statement, or a statement of our own when fn is scanning
     * with the cached one from an outer store_scan. */
    sqlite3_stmt *st = s->scan[which], *own = NULL;
    if (!st || sqlite3_stmt_busy(st)) {
        strbuf sql = STRBUF_INIT;
        scan_sql(which, &sql);
        rc = prepare(s, sql.buf, st ? &own : &s->scan[which], err);
        sb_release(&sql);
        if (rc < 0) return rc;
        st = own ? own : s->scan[which];
    }

    if (which & SCAN_DATE) {
        rc |= sqlite3_bind_int(st, P_SINCE, f->has_since ? f->since_day : INT32_MIN);
        rc |= sqlite3_bind_int(st, P_UNTIL, f->has_until ? f->until_day : INT32_MAX);
    }
    if (which & SCAN_TYPE) rc |= bind_text(st, P_TYPE, f->type);
    if (rc != SQLITE_OK) {
        rc = sql_error(s, rc, "cannot read", err);
        goto cleanup;
    }
    if (!n_boxes) {
        rc = scan_rows(s, st, rest, NULL, -1, fn, ctx, err);
    } else {
        for (size_t i = 0; i < n_boxes && !rc; i++) {
            const geo_bbox *b = &boxes[i];
            if (i) sqlite3_reset(st);
            rc = sqlite3_bind_double(st, P_WEST, b->west_deg);
            rc |= sqlite3_bind_double(st, P_EAST, b->east_deg);
            rc |= sqlite3_bind_double(st, P_SOUTH, b->south_deg);
            rc |= sqlite3_bind_double(st, P_NORTH, b->north_deg);
            if (rc != SQLITE_OK) {
                rc = sql_error(s, rc, "cannot read", err);
                break;
            }
            rc = scan_rows(s, st, rest, boxes, (long)i, fn, ctx, err);
        }
    }
    if (rc > 0) rc = 0; /* fn stopped early */

cleanup:
    /* ends the read transaction; the bound type string is not used again */
    sqlite3_reset(st);
    sqlite3_finalize(own);
    return rc;
}
