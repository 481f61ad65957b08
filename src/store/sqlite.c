/*
 * sqlite.c - the embedded event store (store.h) on one SQLite file, an OGC
 * GeoPackage 1.3 that GDAL and QGIS open as a point layer: a feature table
 * `events` holding every field of ev_event under an INTEGER PRIMARY KEY
 * (`fid`), its coordinates as a GeoPackage POINT (`geom`, EPSG:4326; an
 * empty point when the event is not located), the R*Tree of GeoPackage's
 * spatial index extension over the points (`rtree_events_geom`, keyed by
 * fid) with the spec's triggers that keep it right under another program's
 * writes, and indexes for the date and type filters.  gpkg.c reads and
 * writes the geometries and gives every connection the SQL functions the
 * triggers call.  Every statement is prepared once, on first use, and kept
 * in the store.
 *
 * Writing is shaped by the import of a million events in one transaction:
 * a put of a new id is one INSERT into events (its id already taken: the old
 * row is read back and compared, then updated); the R*Tree entries of the
 * transaction's new events wait in memory until the commit (or a box scan),
 * when many of them rebuild the whole R*Tree in one pass (rtree_build) and a
 * few are inserted one by one; an import into an empty store sets the
 * secondary indexes aside and makes them again at the commit, one sort each.
 * The triggers would put each row into the R*Tree as it comes (some 15 us a
 * row), so a transaction drops them at its first put and makes them again
 * at its commit: its own writes keep the R*Tree, and a rollback or a crash
 * brings the triggers back with everything else.  A put outside a
 * transaction leaves the R*Tree to the triggers.  Each commit that wrote
 * also brings the events' extent and last_change in gpkg_contents up to
 * date.
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
#include "store/store_int.h"

#include <assert.h>
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
#include "util/crash.h"
#include "util/banned.h"

/* "GPKG": PRAGMA application_id of a GeoPackage. */
#define GPKG_APPLICATION_ID 0x47504B47
/* PRAGMA user_version: GeoPackage 1.3.0.  Not 1.4: it renamed the R*Tree
 * triggers (update5 to update7 for update1 and update3), and GDAL 3.6's
 * validate_gpkg.py, which accepts 1.2 and later, checks for update1 to
 * update4. */
#define GPKG_USER_VERSION 10300

/* Page cache per connection, in KiB (SQLite's negative cache_size).  Pages
 * are allocated as they are touched, so a query process pays for what it
 * reads; a transaction gets more, for the id index an import touches all
 * over and for the sorts that make the indexes at the commit. */
#define STORE_CACHE_KIB 65536
#define STORE_IMPORT_CACHE_KIB 262144
/* Map up to this much of the file into memory (SQLite caps it at its
 * build's limit). */
#define STORE_MMAP_BYTES (1LL << 33)
/* At the commit, the new located events go into the R*Tree by rebuilding it
 * (rtree_build) when there are at least RTREE_BULK_MIN of them and at least
 * 1/RTREE_BULK_RATIO of what the tree holds: inserting one costs about 15
 * times what rebuilding costs per entry. */
#define RTREE_BULK_MIN 1000
#define RTREE_BULK_RATIO 12
/* How long a connection waits for another one's lock, in milliseconds. */
#define STORE_BUSY_TIMEOUT_MS 10000

/* The events' feature table, registered as GeoPackage wants it: in
 * gpkg_contents (its extent filled in by each commit), gpkg_geometry_columns
 * and, for its R*Tree, gpkg_extensions.  The attributes are ACLED's names;
 * only id may not be NULL, so that QGIS can add a feature with a few
 * fields filled in (a NULL reads as "" or 0).  day and the two type keys
 * are eventmap's own, derived from event_date and the types by each put
 * for the filters' indexes; another program's rows leave them NULL (day is
 * then read from event_date). */
static const char schema_sql[] =
    "CREATE TABLE events ("
    " fid INTEGER PRIMARY KEY,"       /* the feature id: the key of rtree_events_geom */
    " geom POINT,"                    /* GeoPackage binary, EPSG:4326; an empty point when not located */
    " id TEXT NOT NULL,"              /* unique: events_id */
    " event_date DATE,"               /* YYYY-MM-DD */
    " time_precision MEDIUMINT,"
    " event_type TEXT,"
    " sub_event_type TEXT,"
    " actor1 TEXT,"
    " actor2 TEXT,"
    " country TEXT,"
    " admin1 TEXT,"
    " admin2 TEXT,"
    " admin3 TEXT,"
    " location TEXT,"
    " geo_precision MEDIUMINT,"
    " fatalities MEDIUMINT,"
    " source TEXT,"
    " notes TEXT,"
    " gazetteer_id TEXT,"
    " \"match\" TEXT,"
    " confidence REAL,"
    " day INTEGER,"                   /* days since 1970-01-01 */
    /* type_key() of event_type and of sub_event_type, for the indexes */
    " event_type_key INTEGER,"
    " sub_event_type_key INTEGER"
    ");"
    "CREATE VIRTUAL TABLE rtree_events_geom USING rtree(id, minx, maxx, miny, maxy);"
    "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
    " VALUES ('events', 'features', 'events', 'events mapped by eventmap', 4326);"
    "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)"
    " VALUES ('events', 'geom', 'POINT', 4326, 0, 0);"
    "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)"
    " VALUES ('events', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree',"
    " 'write-only');";

/* The indexes.  An import into an empty store drops them and makes them
 * again at store_commit: one sort each is several times cheaper than a
 * million inserts into the middle of an index (for events_id, 0.6 s against
 * 1.6 s of a 1M-event import).  While events_id is away the store keeps the
 * transaction's ids in memory (id_map), so that a repeated id is still
 * found and updated.
 *
 * The type filter (event_type or sub_event_type equal to TYPE, ignoring
 * case) goes through two indexes, one a column, so that SQLite can answer
 * the OR with both.  They hold an integer key of the type (type_key) rather
 * than the text COLLATE NOCASE: the text has a few dozen values with long
 * common prefixes, and sorting a million of them by NOCASE comparisons took
 * about 1 s an index, against 0.5 s as integers (for an import whose target
 * is 8 s in all).  A query compares the text as well, so two types with one
 * key cannot mix. */
static const char index_sql[] =
    "CREATE UNIQUE INDEX IF NOT EXISTS events_id ON events(id);"
    "CREATE INDEX IF NOT EXISTS events_day ON events(day);"
    "CREATE INDEX IF NOT EXISTS events_type ON events(event_type_key);"
    "CREATE INDEX IF NOT EXISTS events_sub_type ON events(sub_event_type_key);";
static const char drop_index_sql[] =
    "DROP INDEX IF EXISTS events_id; DROP INDEX IF EXISTS events_day; DROP INDEX IF EXISTS events_type;"
    "DROP INDEX IF EXISTS events_sub_type;";

/* The columns of an event, in the order of ev_event and of every SELECT and
 * INSERT below (bind parameter ?N is column N-1 of a SELECT); geom holds
 * located, lat and lon. */
enum {
    C_ID, C_EVENT_DATE, C_DAY, C_TIME_PRECISION, C_EVENT_TYPE, C_SUB_EVENT_TYPE, C_ACTOR1,
    C_ACTOR2, C_COUNTRY, C_ADMIN1, C_ADMIN2, C_ADMIN3, C_LOCATION, C_GEOM, C_GEO_PRECISION,
    C_FATALITIES, C_SOURCE, C_NOTES, C_GAZETTEER_ID, C_MATCH, C_CONFIDENCE, C_COUNT
};
#define EVENT_COLUMNS                                                                       \
    "id, event_date, day, time_precision, event_type, sub_event_type, actor1, actor2, "     \
    "country, admin1, admin2, admin3, location, geom, geo_precision, "                     \
    "fatalities, source, "                                                                 \
    "notes, gazetteer_id, \"match\", confidence"
#define EVENT_COLUMNS_E                                                                     \
    "e.id, e.event_date, e.day, e.time_precision, e.event_type, e.sub_event_type, "         \
    "e.actor1, e.actor2, e.country, e.admin1, e.admin2, e.admin3, e.location, e.geom, "     \
    "e.geo_precision, e.fatalities, e.source, e.notes, e.gazetteer_id, e.\"match\", "       \
    "e.confidence"
/* What a put writes: the event, then its type keys. */
#define WRITE_COLUMNS EVENT_COLUMNS ", event_type_key, sub_event_type_key"
#define WRITE_PARAMS                                                                        \
    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "  \
    "?20, ?21, ?22, ?23"
enum { P_EVENT_TYPE_KEY = 22, P_SUB_EVENT_TYPE_KEY = 23, P_UPDATE_FID = 24 };
/* After the event's columns, Q_OLD and Q_OLD_FID read its fid and its type
 * keys (see keys_stored). */
#define OLD_COLUMNS EVENT_COLUMNS ", fid, event_type_key, sub_event_type_key"
enum { C_OLD_FID = C_COUNT, C_OLD_TYPE_KEY, C_OLD_SUB_TYPE_KEY };

/* The statements a store keeps, prepared on first use. */
enum {
    Q_INSERT,       /* ?1..?23 an event; no row changed when the id is taken */
    Q_INSERT_NEW,   /* ?1..?23 an event whose id is not taken (no events_id to ask) */
    Q_OLD,          /* ?1 id -> OLD_COLUMNS */
    Q_OLD_FID,      /* ?1 fid -> OLD_COLUMNS */
    Q_UPDATE,       /* ?1..?23 an event, ?24 its fid */
    Q_RT_INSERT,    /* ?1 fid, ?2 lon, ?3 lat */
    Q_RT_MOVE,      /* ?1 fid, ?2 lon, ?3 lat */
    Q_RT_DELETE,    /* ?1 fid */
    Q_COUNT,        /* -> all events */
    Q_ANY,          /* -> 1 when there is an event, else 0 */
    Q_RT_COUNT,     /* -> entries in the R*Tree */
    Q_EXTENT,       /* -> the events' extent in gpkg_contents: min_x, max_x, min_y, max_y */
    Q_SET_EXTENT,   /* ?1 min_x, ?2 max_x, ?3 min_y, ?4 max_y (NULL when empty) and last_change */
    Q_N
};

static const char *const query_sql[Q_N] = {
    [Q_INSERT] = "INSERT INTO events (" WRITE_COLUMNS ") VALUES (" WRITE_PARAMS ")"
                 " ON CONFLICT (id) DO NOTHING",
    [Q_INSERT_NEW] = "INSERT INTO events (" WRITE_COLUMNS ") VALUES (" WRITE_PARAMS ")",
    [Q_OLD] = "SELECT " OLD_COLUMNS " FROM events WHERE id = ?1",
    [Q_OLD_FID] = "SELECT " OLD_COLUMNS " FROM events WHERE fid = ?1",
    [Q_UPDATE] = "UPDATE events SET (" WRITE_COLUMNS ") = (" WRITE_PARAMS ") WHERE fid = ?24",
    [Q_RT_INSERT] = "INSERT INTO rtree_events_geom (id, minx, maxx, miny, maxy)"
                    " VALUES (?1, ?2, ?2, ?3, ?3)",
    [Q_RT_MOVE] = "UPDATE rtree_events_geom SET minx = ?2, maxx = ?2, miny = ?3, maxy = ?3"
                  " WHERE id = ?1",
    [Q_RT_DELETE] = "DELETE FROM rtree_events_geom WHERE id = ?1",
    [Q_COUNT] = "SELECT count(*) FROM events",
    [Q_ANY] = "SELECT EXISTS (SELECT 1 FROM events)",
    [Q_RT_COUNT] = "SELECT count(*) FROM rtree_events_geom_rowid",
    [Q_EXTENT] = "SELECT min_x, max_x, min_y, max_y FROM gpkg_contents WHERE table_name = 'events'",
    [Q_SET_EXTENT] = "UPDATE gpkg_contents SET min_x = ?1, max_x = ?2, min_y = ?3, max_y = ?4,"
                     " last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE table_name = 'events'",
};

/* store_scan's statements, one per combination of these. */
enum { SCAN_BOX = 1, SCAN_DATE = 2, SCAN_TYPE = 4, SCAN_N = 8 };
/* Their bind parameters. */
enum { P_WEST = 1, P_EAST, P_SOUTH, P_NORTH, P_SINCE, P_UNTIL, P_TYPE, P_TYPE_KEY };

/* A new located event whose R*Tree entry waits for the end of the
 * transaction (see rtree_flush). */
typedef struct {
    sqlite3_int64 fid;
    double lon, lat;              /* degrees; lon is NAN when the event lost its coordinates since */
} rtree_pending;

/* The ids put in a transaction while events_id is away: open addressing
 * over their hashes, the ids themselves one after another in pool. */
typedef struct {
    uint32_t hash;
    uint32_t offset;              /* of the id in pool */
    sqlite3_int64 fid;            /* 0: an empty slot (fids start at 1) */
} id_slot;

typedef struct {
    id_slot *slots;
    size_t cap, count;            /* cap a power of two, or 0 */
    strbuf pool;
} id_map;

typedef struct gpkg_store gpkg_store;
struct gpkg_store {
    store base;                   /* first: a store * is a gpkg_store * */
    sqlite3 *db;
    char *path;                   /* as given to store_open, for messages */
    sqlite3_stmt *q[Q_N];         /* NULL until first used */
    sqlite3_stmt *scan[SCAN_N];
    int in_transaction;           /* between store_begin and store_commit/rollback */
    int write_failed;             /* a write in this transaction failed half-way */
    int looked_at_store;          /* the transaction's first put set the triggers (and maybe the indexes) aside */
    int triggers_dropped;         /* the R*Tree's triggers are to be made again before the commit */
    int indexes_dropped;          /* index_sql is to run again before the commit; ids in id_map */
    id_map ids;                   /* while indexes_dropped: the ids put so far, to their fids */
    int scanning;                 /* store_scan calls under way (a callback may nest them) */
    rtree_pending *pending;       /* ascending fid; only inside a transaction */
    size_t n_pending, alloc_pending;
    int wrote;                    /* the write transaction changed an event: gpkg_contents follows at its commit */
    int extent_known;             /* extent holds gpkg_contents' extent with the transaction's writes */
    int extent_stale;             /* a write moved or removed a point on its edge: measured again at the commit */
    double extent[4];             /* min_x, max_x, min_y, max_y in degrees; min > max when empty */
    sqlite3_stmt *within_st;      /* store_within's R*Tree query, prepared on first use */
    sqlite3_stmt *exact_st;       /* fid -> geom */
    sqlite3_stmt *get_st;         /* store_get: fid -> the event */
    void *wq;                     /* the store_within query under way (within_query) */
};

/* ------------------------------------------------------------- errors */

/* Report SQLite's error rc for what the store was doing (a verb phrase:
 * "cannot write").  A file that is not a database, or a damaged one, is bad
 * input; running out of memory is internal; everything else is I/O. */
static int sql_error(gpkg_store *s, int rc, const char *doing, char **err)
{
    int primary = rc & 0xff;
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    if (primary == SQLITE_NOTADB)
        return em_error(err, EM_EINPUT, "%s: not an eventmap store", s->path);
    if (primary == SQLITE_CORRUPT)
        return em_error(err, EM_EINPUT, "%s: %s: the store is damaged (%s)", s->path, doing, msg);
    if (primary == SQLITE_NOMEM)
        return em_error(err, EM_EINTERNAL, "%s: %s: out of memory", s->path, doing);
    if (primary == SQLITE_FULL || (s->db && sqlite3_system_errno(s->db) == ENOSPC))
        return em_error(err, EM_EIO, "%s: %s: disk full (no space left on device)", s->path, doing);
    return em_error(err, EM_EIO, "%s: %s: %s", s->path, doing, msg);
}

/* ------------------------------------------------------------- statements */

static int prepare(gpkg_store *s, const char *sql, sqlite3_stmt **out, char **err)
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
static sqlite3_stmt *query(gpkg_store *s, int which, int *rc, char **err)
{
    if (!s->q[which]) *rc = prepare(s, query_sql[which], &s->q[which], err);
    return s->q[which];
}

/* Run SQL that returns no rows (pragmas, BEGIN, COMMIT, the schema). */
static int exec(gpkg_store *s, const char *sql, const char *doing, char **err)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, doing, err);
}

/* Step a write statement to its end and reset it; 0 or an error. */
static int step_write(gpkg_store *s, sqlite3_stmt *st, char **err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE) return 0;
    return sql_error(s, rc, "cannot write", err);
}

/* Step a count statement; its one number, or an error. */
static int count_of(gpkg_store *s, int which, size_t *n, char **err)
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

/* Bind text that stays valid until the statement has been stepped and reset
 * (every caller binds, steps and resets within one call with e borrowed for
 * that call, and binds every parameter again before the next step), so
 * SQLite need not copy it. */
static int bind_text(sqlite3_stmt *st, int param, const char *text)
{
    return sqlite3_bind_text(st, param, text ? text : "", -1, SQLITE_STATIC);
}

/* The key of an event type in the type indexes: FNV-1a of its ASCII
 * lower case (as NOCASE and strcasecmp fold), kept to 31 bits so that it is
 * a 4-byte integer in a record. */
static int type_key(const char *type)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)(type ? type : ""); *p; p++) {
        unsigned c = *p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p;
        h = (h ^ c) * 16777619u;
    }
    return (int)(h & 0x7fffffff);
}

/* Bind the 21 columns of e to ?1..?21 and its type keys to ?22, ?23; its
 * point is written into geom, which must stay as it is until st has been
 * stepped and reset (as the strings of e). */
static int bind_event(sqlite3_stmt *st, const ev_event *e, unsigned char geom[GPKG_POINT_BYTES])
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
    rc |= bind_text(st, 1 + C_ADMIN2, e->admin2);
    rc |= bind_text(st, 1 + C_ADMIN3, e->admin3);
    rc |= bind_text(st, 1 + C_LOCATION, e->location);
    gpkg_point_write(geom, e->located, e->lon, e->lat);
    rc |= sqlite3_bind_blob(st, 1 + C_GEOM, geom, GPKG_POINT_BYTES, SQLITE_STATIC);
    rc |= sqlite3_bind_int(st, 1 + C_GEO_PRECISION, e->geo_precision);
    rc |= sqlite3_bind_int(st, 1 + C_FATALITIES, e->fatalities);
    rc |= bind_text(st, 1 + C_SOURCE, e->source);
    rc |= bind_text(st, 1 + C_NOTES, e->notes);
    rc |= bind_text(st, 1 + C_GAZETTEER_ID, e->gazetteer_id);
    rc |= bind_text(st, 1 + C_MATCH, e->match);
    rc |= sqlite3_bind_double(st, 1 + C_CONFIDENCE, e->confidence);
    rc |= sqlite3_bind_int(st, P_EVENT_TYPE_KEY, type_key(e->event_type));
    rc |= sqlite3_bind_int(st, P_SUB_EVENT_TYPE_KEY, type_key(e->sub_event_type));
    return rc;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    return text ? (const char *)text : "";
}

/* The point in column col of st's row: 1 with *lon and *lat, or 0 for an
 * empty point, NULL or what is not a GeoPackage point (another program's
 * write: the event reads as not located). */
static int column_point(sqlite3_stmt *st, int col, double *lon, double *lat)
{
    const void *blob = sqlite3_column_blob(st, col);
    return gpkg_point_read(blob, (size_t)sqlite3_column_bytes(st, col), lon, lat) == 1;
}

/* The event in the current row of st (columns in EVENT_COLUMNS order);
 * strings borrowed from st until it is stepped or reset. */
static void read_event(sqlite3_stmt *st, ev_event *e)
{
    e->id = column_text(st, C_ID);
    e->event_date = column_text(st, C_EVENT_DATE);
    e->day = sqlite3_column_int(st, C_DAY);
    if (sqlite3_column_type(st, C_DAY) == SQLITE_NULL) {
        /* a row of another program's: the day of its date */
        char normal[11];
        if (ev_parse_date(e->event_date, &e->day, normal) < 0) e->day = 0;
    }
    e->time_precision = sqlite3_column_int(st, C_TIME_PRECISION);
    e->event_type = column_text(st, C_EVENT_TYPE);
    e->sub_event_type = column_text(st, C_SUB_EVENT_TYPE);
    e->actor1 = column_text(st, C_ACTOR1);
    e->actor2 = column_text(st, C_ACTOR2);
    e->country = column_text(st, C_COUNTRY);
    e->admin1 = column_text(st, C_ADMIN1);
    e->admin2 = column_text(st, C_ADMIN2);
    e->admin3 = column_text(st, C_ADMIN3);
    e->location = column_text(st, C_LOCATION);
    e->located = column_point(st, C_GEOM, &e->lon, &e->lat);
    if (!e->located) e->lon = e->lat = 0.0;
    e->geo_precision = sqlite3_column_int(st, C_GEO_PRECISION);
    e->fatalities = sqlite3_column_int(st, C_FATALITIES);
    e->source = column_text(st, C_SOURCE);
    e->notes = column_text(st, C_NOTES);
    e->gazetteer_id = column_text(st, C_GAZETTEER_ID);
    e->match = column_text(st, C_MATCH);
    e->confidence = sqlite3_column_double(st, C_CONFIDENCE);
}

/* Whether the row of st (OLD_COLUMNS), read into old, holds eventmap's
 * keys of its own date and types: another program that adds a row leaves
 * them NULL, one that changes a date or a type leaves them stale, and the
 * next put of the event writes them even when its fields are the same. */
static int keys_stored(sqlite3_stmt *st, const ev_event *old)
{
    return sqlite3_column_type(st, C_DAY) != SQLITE_NULL && sqlite3_column_type(st, C_OLD_TYPE_KEY) != SQLITE_NULL &&
           sqlite3_column_type(st, C_OLD_SUB_TYPE_KEY) != SQLITE_NULL &&
           sqlite3_column_int(st, C_OLD_TYPE_KEY) == type_key(old->event_type) &&
           sqlite3_column_int(st, C_OLD_SUB_TYPE_KEY) == type_key(old->sub_event_type);
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
           same_text(e->admin2, old->admin2) && same_text(e->admin3, old->admin3) &&
           same_text(e->location, old->location) && located == old->located &&
           (!located || (e->lat == old->lat && e->lon == old->lon)) &&
           e->geo_precision == old->geo_precision && e->fatalities == old->fatalities &&
           same_text(e->source, old->source) && same_text(e->notes, old->notes) &&
           same_text(e->gazetteer_id, old->gazetteer_id) && same_text(e->match, old->match) &&
           e->confidence == old->confidence;
}

/* ------------------------------------------------------------- the id map */

static uint32_t id_hash(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)id; *p; p++) h = (h ^ *p) * 16777619u;
    return h;
}

/* The slot of id: its own, or the empty one where it would go. */
static id_slot *id_map_slot(id_map *m, const char *id, uint32_t hash)
{
    size_t j = hash & (m->cap - 1);
    while (m->slots[j].fid &&
           (m->slots[j].hash != hash || strcmp(m->pool.buf + m->slots[j].offset, id) != 0))
        j = (j + 1) & (m->cap - 1);
    return &m->slots[j];
}

/* fid of id when it was put in this transaction, else 0. */
static sqlite3_int64 id_map_get(id_map *m, const char *id)
{
    return m->cap ? id_map_slot(m, id, id_hash(id))->fid : 0;
}

/* Remember id (not there yet) as fid's.  EM_EINTERNAL past 4 GB of ids. */
static int id_map_put(gpkg_store *s, const char *id, sqlite3_int64 fid, char **err)
{
    id_map *m = &s->ids;
    size_t len = strlen(id);
    if (m->pool.len + len + 1 > UINT32_MAX)
        return em_error(err, EM_EINTERNAL, "%s: too many events in one transaction", s->path);
    if (2 * (m->count + 1) > m->cap) {
        size_t old_cap = m->cap;
        id_slot *old = m->slots;
        m->cap = old_cap ? 2 * old_cap : 1 << 16;
        m->slots = xcalloc(m->cap, sizeof(*m->slots));
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].fid) *id_map_slot(m, m->pool.buf + old[i].offset, old[i].hash) = old[i];
        free(old);
    }
    uint32_t hash = id_hash(id);
    id_slot *slot = id_map_slot(m, id, hash);
    slot->hash = hash;
    slot->offset = (uint32_t)m->pool.len;
    slot->fid = fid;
    sb_add(&m->pool, id, len + 1);
    m->count++;
    return 0;
}

static void id_map_clear(id_map *m)
{
    free(m->slots);
    sb_release(&m->pool);
    memset(m, 0, sizeof(*m));
    sb_init(&m->pool, 0);
}

/* ------------------------------------------------------------- opening */

/* The file's application_id, user_version, number of schema objects and
 * whether the tables of an eventmap GeoPackage are among them (with the
 * columns of ours in events). */
static int read_mark(gpkg_store *s, int *app_id, int *version, int *n_objects, int *has_tables, char **err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT (SELECT application_id FROM pragma_application_id),"
                                " (SELECT user_version FROM pragma_user_version),"
                                " (SELECT count(*) FROM sqlite_master),"
                                " (SELECT count(*) = 4 FROM sqlite_master WHERE type = 'table'"
                                "  AND name IN ('events', 'rtree_events_geom', 'gpkg_contents',"
                                "  'gpkg_geometry_columns'))"
                                " AND (SELECT count(*) = 4 FROM pragma_table_info('events')"
                                "  WHERE name IN ('fid', 'geom', 'id', 'event_type_key'))",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *app_id = sqlite3_column_int(st, 0);
        *version = sqlite3_column_int(st, 1);
        *n_objects = sqlite3_column_int(st, 2);
        *has_tables = sqlite3_column_int(st, 3);
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

/* The SQL that makes the R*Tree's triggers again, or drops them. */
static int make_triggers(gpkg_store *s, int drop, char **err)
{
    strbuf sql = STRBUF_INIT;
    if (drop) gpkg_rtree_drop_triggers_sql(&sql, "events", "geom");
    else gpkg_rtree_triggers_sql(&sql, "events", "geom", "fid");
    int rc = exec(s, sql.buf, "cannot write", err);
    sb_release(&sql);
    return rc;
}

/* Give an empty database the GeoPackage's tables, ours and the mark, in
 * one transaction.  Another process may be doing the same: whoever takes
 * the write lock first creates it, the other finds it made. */
static int create_schema(gpkg_store *s, char **err)
{
    int rc = exec(s, "BEGIN IMMEDIATE", "cannot create the store", err);
    if (rc < 0) return rc;
    int app_id = 0, version = 0, n_objects = 0, has_tables = 0;
    rc = read_mark(s, &app_id, &version, &n_objects, &has_tables, err);
    if (!rc && !app_id && !version && !n_objects) {
        strbuf sql = STRBUF_INIT;
        sb_addf(&sql, "PRAGMA application_id = %d; PRAGMA user_version = %d;", GPKG_APPLICATION_ID,
                GPKG_USER_VERSION);
        sb_adds(&sql, gpkg_base_sql);
        sb_adds(&sql, schema_sql);
        sb_adds(&sql, index_sql);
        gpkg_rtree_triggers_sql(&sql, "events", "geom", "fid");
        rc = exec(s, sql.buf, "cannot create the store", err);
        sb_release(&sql);
    }
    if (!rc) rc = exec(s, "COMMIT", "cannot create the store", err);
    if (rc < 0 && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static const store_backend gpkg_backend;
static void gp_close(store *base);
static void gp_rollback(store *base);

int gpkg_store_open(const char *path, int mode, store **out, char **err)
{
    int rc = 0, created = 0;
    gpkg_store *s = NULL;
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
    s->base.backend = &gpkg_backend;
    s->path = xstrdup(path);
    sb_init(&s->ids.pool, 0);
    /* NOMUTEX: a store is used by one thread at a time (store.h). */
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (created ? SQLITE_OPEN_CREATE : 0);
    rc = sqlite3_open_v2(path, &s->db, flags, store_crash_vfs());
    if (rc != SQLITE_OK) {
        int sys_errno = s->db ? sqlite3_system_errno(s->db) : 0;
        const char *why = sys_errno ? strerror(sys_errno) : s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
        rc = em_error(err, (rc & 0xff) == SQLITE_NOMEM ? EM_EINTERNAL : EM_EIO, "%s: cannot %s: %s",
                      path, created ? "create" : "open", why);
        goto cleanup;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);
    /* The schema is trusted: GeoPackage's triggers write the R*Tree, a
     * virtual table SQLite 3.40 does not mark innocuous, which an untrusted
     * schema may not touch (GDAL trusts a GeoPackage's schema for the same
     * reason).  A file's triggers and views can reach no function with
     * side effects on this connection: it has SQLite's own (load_extension
     * off) and gpkg.c's, which only read their argument.  (Not
     * SQLITE_DBCONFIG_DEFENSIVE: it would make the R*Tree's tables
     * read-only to rtree_build; we run no SQL but our own.) */
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 1, NULL);
    /* what the R*Tree's triggers call, for our puts and another program's
     * rows alike */
    rc = gpkg_register_functions(s->db);
    if (rc != SQLITE_OK) {
        rc = sql_error(s, rc, "cannot open", err);
        goto cleanup;
    }

    int app_id = 0, version = 0, n_objects = 0, has_tables = 0;
    rc = read_mark(s, &app_id, &version, &n_objects, &has_tables, err);
    if (rc < 0) goto cleanup;
    if (!app_id && !version && !n_objects && mode == STORE_CREATE) {
        /* a new file, or an empty one: make it a store */
        rc = create_schema(s, err);
        if (!rc) rc = read_mark(s, &app_id, &version, &n_objects, &has_tables, err);
        if (rc < 0) goto cleanup;
    }
    if (app_id == STORE_OLD_APPLICATION_ID) {
        /* never read as it is, never written over: store_upgrade converts it */
        rc = em_error(err, EM_EINPUT, STORE_OLD_LAYOUT_MESSAGE, path, path);
        goto cleanup;
    }
    if (app_id != GPKG_APPLICATION_ID || !has_tables) {
        rc = em_error(err, EM_EINPUT, "%s: not an eventmap store", path);
        goto cleanup;
    }
    /* synchronous=FULL and the default rollback journal: see the top of
     * this file.  mmap: a query reads its pages straight from the OS page
     * cache instead of one read() each (SQLite caps the size at what it was
     * built for, and writes still go through write()). */
    strbuf pragmas = STRBUF_INIT;
    sb_addf(&pragmas, "PRAGMA synchronous = FULL; PRAGMA cache_size = -%d; PRAGMA mmap_size = %lld;",
            STORE_CACHE_KIB, STORE_MMAP_BYTES);
    rc = exec(s, pragmas.buf, "cannot open", err);
    sb_release(&pragmas);
    if (rc < 0) goto cleanup;

    *out = &s->base;
    return 0;

cleanup:
    gp_close((store *)s);
    if (created) unlink(path);
    return rc;
}

static void gp_close(store *base)
{
    gpkg_store *s = (gpkg_store *)base;
    if (!s) return;
    for (int i = 0; i < Q_N; i++) sqlite3_finalize(s->q[i]);
    for (int i = 0; i < SCAN_N; i++) sqlite3_finalize(s->scan[i]);
    sqlite3_finalize(s->within_st);
    sqlite3_finalize(s->exact_st);
    sqlite3_finalize(s->get_st);
    /* Closing with a transaction open rolls it back; say so rather than
     * leave it to sqlite3_close. */
    if (s->db && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    free(s->pending);
    id_map_clear(&s->ids);
    sb_release(&s->ids.pool);
    free(s->path);
    free(s);
}

/* ------------------------------------------------------------- the R*Tree */

/* The R*Tree keeps 32-bit floats.  Like SQLite's own rtree.c, round a box
 * outwards, so that the stored box always holds the true one. */
static float round_down(double v)
{
    float f = (float)v;
    return (double)f > v ? nextafterf(f, -INFINITY) : f;
}

static float round_up(double v)
{
    float f = (float)v;
    return (double)f < v ? nextafterf(f, INFINITY) : f;
}

/* One cell of an R*Tree node: an event's fid (in a leaf) or a child node's
 * number, and its box. */
typedef struct {
    sqlite3_int64 id;
    float box[4];  /* min_lon, max_lon, min_lat, max_lat */
} rtree_cell;

/* A key and what it sorts, for radix_sort. */
typedef struct {
    uint64_t key, value;
} sort_pair;

/* Sort a[0..n) by key, ascending (LSD radix sort, a byte a pass, as many
 * passes as the largest key has bytes): linear where qsort would spend a
 * good part of a second on a million entries. */
static void radix_sort(sort_pair *a, size_t n)
{
    uint64_t all_bits = 0;
    for (size_t i = 0; i < n; i++) all_bits |= a[i].key;
    sort_pair *tmp = xmalloc((n ? n : 1) * sizeof(*tmp)), *from = a, *to = tmp;
    for (int shift = 0; shift < 64 && (all_bits >> shift); shift += 8) {
        size_t start[257] = { 0 };
        for (size_t i = 0; i < n; i++) start[((from[i].key >> shift) & 0xff) + 1]++;
        for (int b = 0; b < 256; b++) start[b + 1] += start[b];
        for (size_t i = 0; i < n; i++) to[start[(from[i].key >> shift) & 0xff]++] = from[i];
        sort_pair *t = from;
        from = to;
        to = t;
    }
    if (from != a) memcpy(a, from, n * sizeof(*a));
    free(tmp);
}

/* Position of (x, y) along a Hilbert curve filling the 2^bits by 2^bits
 * grid (the classic iterative form, as in Hacker's Delight). */
static uint64_t hilbert_index(uint32_t x, uint32_t y, int bits)
{
    uint64_t d = 0;
    uint32_t last = (1u << bits) - 1;
    for (uint32_t s = 1u << (bits - 1); s > 0; s >>= 1) {
        uint32_t rx = (x & s) != 0, ry = (y & s) != 0;
        d += (uint64_t)s * s * ((3 * rx) ^ ry);
        if (!ry) {
            if (rx) {
                x = last - x;
                y = last - y;
            }
            uint32_t t = x;
            x = y;
            y = t;
        }
    }
    return d;
}

/* Put cells in the order of their centres along a Hilbert curve (on a grid
 * of 65536 by 65536, cells of some 600 by 300 m): runs of consecutive cells then make compact nodes, and so do
 * runs of those nodes, level after level (a Hilbert-packed R-tree, Kamel
 * and Faloutsos 1993). */
static void hilbert_order(rtree_cell *cells, size_t n)
{
    enum { BITS = 16 };
    const double cells_per_deg_lon = ((1u << BITS) - 1) / 360.0, cells_per_deg_lat = ((1u << BITS) - 1) / 180.0;
    sort_pair *order = xmalloc((n ? n : 1) * sizeof(*order));
    for (size_t i = 0; i < n; i++) {
        double lon = ((double)cells[i].box[0] + cells[i].box[1]) / 2, lat = ((double)cells[i].box[2] + cells[i].box[3]) / 2;
        uint32_t x = (uint32_t)((lon + 180) * cells_per_deg_lon), y = (uint32_t)((lat + 90) * cells_per_deg_lat);
        order[i].key = hilbert_index(x, y, BITS);
        order[i].value = i;
    }
    radix_sort(order, n);
    rtree_cell *sorted = xmalloc((n ? n : 1) * sizeof(*sorted));
    for (size_t i = 0; i < n; i++) sorted[i] = cells[order[i].value];
    memcpy(cells, sorted, n * sizeof(*cells));
    free(sorted);
    free(order);
}

static void put_be(unsigned char *p, uint64_t v, int n_bytes)
{
    for (int i = n_bytes - 1; i >= 0; i--, v >>= 8) p[i] = (unsigned char)(v & 0xff);
}

typedef struct {
    gpkg_store *s;
    sqlite3_stmt *node_st, *parent_st;
    unsigned char *blob;   /* one node, node_size bytes */
    size_t node_size;
    sqlite3_int64 next_node;
} rtree_writer;

/* Write node nodeno holding cells[0..n) into %_node, and the parent of each
 * child node into %_parent.  depth: the height of the node above the
 * leaves; written into the root only (its first two bytes), as rtree.c
 * reads it from there. */
static int write_node(rtree_writer *w, sqlite3_int64 nodeno, int depth, const rtree_cell *cells, size_t n,
                      char **err)
{
    memset(w->blob, 0, w->node_size);
    if (nodeno == 1) put_be(w->blob, (uint64_t)depth, 2);
    put_be(w->blob + 2, n, 2);
    for (size_t i = 0; i < n; i++) {
        unsigned char *cell = w->blob + 4 + i * 24;
        put_be(cell, (uint64_t)cells[i].id, 8);
        for (int k = 0; k < 4; k++) {
            uint32_t bits;
            memcpy(&bits, &cells[i].box[k], 4);
            put_be(cell + 8 + 4 * k, bits, 4);
        }
    }
    int rc = sqlite3_bind_int64(w->node_st, 1, nodeno);
    if (rc == SQLITE_OK) rc = sqlite3_bind_blob(w->node_st, 2, w->blob, (int)w->node_size, SQLITE_STATIC);
    if (rc != SQLITE_OK) return sql_error(w->s, rc, "cannot write", err);
    if ((rc = step_write(w->s, w->node_st, err)) < 0) return rc;
    if (depth == 0) return 0;
    for (size_t i = 0; i < n; i++) {
        rc = sqlite3_bind_int64(w->parent_st, 1, cells[i].id);
        if (rc == SQLITE_OK) rc = sqlite3_bind_int64(w->parent_st, 2, nodeno);
        if (rc != SQLITE_OK) return sql_error(w->s, rc, "cannot write", err);
        if ((rc = step_write(w->s, w->parent_st, err)) < 0) return rc;
    }
    return 0;
}

/* Rows of %_rowid one INSERT writes while rtree_build fills it. */
#define ROWID_BATCH 64

/* Fill %_rowid from leaf_of (key fid, value its leaf), in fid order so that
 * every insert appends to the b-tree, ROWID_BATCH rows a statement. */
static int write_rowids(gpkg_store *s, sort_pair *leaf_of, size_t n, char **err)
{
    sqlite3_stmt *batch_st = NULL, *one_st = NULL;
    strbuf sql = STRBUF_INIT;
    sb_adds(&sql, "INSERT INTO rtree_events_geom_rowid (rowid, nodeno) VALUES (?, ?)");
    int rc = prepare(s, sql.buf, &one_st, err);
    for (int i = 1; i < ROWID_BATCH; i++) sb_adds(&sql, ", (?, ?)");
    if (rc == 0) rc = prepare(s, sql.buf, &batch_st, err);
    sb_release(&sql);

    radix_sort(leaf_of, n);
    size_t i = 0;
    while (rc == 0 && i < n) {
        sqlite3_stmt *st = n - i >= ROWID_BATCH ? batch_st : one_st;
        int rows = st == batch_st ? ROWID_BATCH : 1, brc = SQLITE_OK;
        for (int r = 0; r < rows; r++, i++) {
            brc |= sqlite3_bind_int64(st, 2 * r + 1, (sqlite3_int64)leaf_of[i].key);
            brc |= sqlite3_bind_int64(st, 2 * r + 2, (sqlite3_int64)leaf_of[i].value);
        }
        rc = brc != SQLITE_OK ? sql_error(s, brc, "cannot write", err) : step_write(s, st, err);
    }
    sqlite3_finalize(batch_st);
    sqlite3_finalize(one_st);
    return rc;
}

/* Build the R*Tree afresh from cells (its leaf entries; reordered) by
 * Hilbert packing, writing the three tables of SQLite's rtree module
 * directly: what as many INSERTs into rtree_events_geom would give, at a tenth of
 * their cost, and a better packed tree for queries.  The layout is rtree.c's
 * (its header comment): node 1 the root, its first 2 bytes the tree's depth;
 * each node 2 bytes of cell count and 24-byte cells (an 8-byte id, four
 * 4-byte floats, all big-endian); every node the size of the root's blob;
 * %_rowid maps each fid to its leaf, %_parent each node but the root to its
 * parent.  The tests check the result with SQLite's rtreecheck(). */
static int rtree_build(gpkg_store *s, rtree_cell *cells, size_t n, char **err)
{
    int rc = 0;
    sqlite3_stmt *size_st = NULL;
    rtree_writer w = { s, NULL, NULL, NULL, 0, 2 };
    sort_pair *leaf_of = NULL;
    rtree_cell *parents = NULL;
    size_t n_leaf_of = 0;

    /* rtree.c sizes nodes when the table is made; keep that size */
    if ((rc = prepare(s, "SELECT length(data) FROM rtree_events_geom_node WHERE nodeno = 1", &size_st, err)) < 0)
        goto cleanup;
    rc = sqlite3_step(size_st);
    if (rc != SQLITE_ROW || sqlite3_column_int(size_st, 0) < 4 + 4 * 24) {
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE
                 ? em_error(err, EM_EINPUT, "%s: the store's R*Tree is damaged (no root node)", s->path)
                 : sql_error(s, rc, "cannot read", err);
        goto cleanup;
    }
    w.node_size = (size_t)sqlite3_column_int(size_st, 0);
    size_t per_node = (w.node_size - 4) / 24;
    if (per_node > 51) per_node = 51; /* rtree.c's RTREE_MAXCELLS */
    w.blob = xmalloc(w.node_size);

    rc = exec(s, "DELETE FROM rtree_events_geom_node; DELETE FROM rtree_events_geom_parent;"
              " DELETE FROM rtree_events_geom_rowid;",
              "cannot write", err);
    if (rc == 0) rc = prepare(s, "INSERT INTO rtree_events_geom_node (nodeno, data) VALUES (?1, ?2)", &w.node_st, err);
    if (rc == 0) rc = prepare(s, "INSERT INTO rtree_events_geom_parent (nodeno, parentnode) VALUES (?1, ?2)",
                              &w.parent_st, err);
    if (rc < 0) goto cleanup;

    hilbert_order(cells, n);
    leaf_of = xmalloc((n ? n : 1) * sizeof(*leaf_of));
    parents = xmalloc((n / per_node + 1) * sizeof(*parents));
    int depth = 0;
    while (n > per_node) {
        /* one level: runs of cells make nodes, whose boxes are the next level's cells */
        size_t n_parents = 0;
        for (size_t i = 0; i < n; i += per_node) {
            size_t k = n - i < per_node ? n - i : per_node;
            rtree_cell *p = &parents[n_parents++];
            p->id = w.next_node++;
            p->box[0] = p->box[2] = INFINITY;
            p->box[1] = p->box[3] = -INFINITY;
            for (size_t j = i; j < i + k; j++) {
                p->box[0] = fminf(p->box[0], cells[j].box[0]);
                p->box[1] = fmaxf(p->box[1], cells[j].box[1]);
                p->box[2] = fminf(p->box[2], cells[j].box[2]);
                p->box[3] = fmaxf(p->box[3], cells[j].box[3]);
                if (depth == 0) leaf_of[n_leaf_of++] = (sort_pair){ (uint64_t)cells[j].id, (uint64_t)p->id };
            }
            if ((rc = write_node(&w, p->id, depth, cells + i, k, err)) < 0) goto cleanup;
        }
        /* the parents become the cells, in place */
        memcpy(cells, parents, n_parents * sizeof(*cells));
        n = n_parents;
        depth++;
    }
    if (depth == 0)
        for (size_t j = 0; j < n; j++) leaf_of[n_leaf_of++] = (sort_pair){ (uint64_t)cells[j].id, 1 };
    crash_point("import:rtree-rebuild"); /* the lower levels written, not the root */
    if ((rc = write_node(&w, 1, depth, cells, n, err)) < 0) goto cleanup;
    rc = write_rowids(s, leaf_of, n_leaf_of, err);

cleanup:
    sqlite3_finalize(size_st);
    sqlite3_finalize(w.node_st);
    sqlite3_finalize(w.parent_st);
    free(w.blob);
    free(leaf_of);
    free(parents);
    return rc;
}

/* Insert (which = Q_RT_INSERT) or move (Q_RT_MOVE) fid's point in the R*Tree,
 * or delete it (Q_RT_DELETE, lon and lat unused). */
static int rtree_write(gpkg_store *s, int which, sqlite3_int64 fid, double lon, double lat, char **err)
{
    int rc = 0;
    sqlite3_stmt *st = query(s, which, &rc, err);
    if (!st) return rc;
    int brc = sqlite3_bind_int64(st, 1, fid);
    if (which != Q_RT_DELETE) {
        brc |= sqlite3_bind_double(st, 2, lon);
        brc |= sqlite3_bind_double(st, 3, lat);
    }
    if (brc != SQLITE_OK) return sql_error(s, brc, "cannot write", err);
    return step_write(s, st, err);
}

/* Put the pending entries into the R*Tree.  A few go in one by one (an
 * INSERT into rtree_events_geom costs some 15 us); many, against what the tree
 * holds, make it rebuild the whole tree by rtree_build (about 1 us an
 * entry, old ones included). */
static int rtree_flush(gpkg_store *s, char **err)
{
    /* a write under a running SELECT: every scan flushes before it starts */
    assert(s->scanning == 0);
    int rc = 0;
    size_t n_live = 0;
    for (size_t i = 0; i < s->n_pending; i++) n_live += !isnan(s->pending[i].lon);
    size_t n_old = 0;
    if (n_live >= RTREE_BULK_MIN) rc = count_of(s, Q_RT_COUNT, &n_old, err);
    if (rc < 0) return rc;

    if (n_live >= RTREE_BULK_MIN && n_live * RTREE_BULK_RATIO >= n_old) {
        size_t n_cells = 0;
        rtree_cell *cells = xmalloc((n_old + n_live + 1) * sizeof(*cells));
        sqlite3_stmt *old_st = NULL;
        rc = prepare(s, "SELECT id, minx, maxx, miny, maxy FROM rtree_events_geom", &old_st, err);
        while (rc == 0 && (rc = sqlite3_step(old_st)) == SQLITE_ROW) {
            if (n_cells == n_old + n_live) {
                rc = em_error(err, EM_EINPUT, "%s: the store's R*Tree is damaged (more entries than rows)",
                              s->path);
                break;
            }
            rtree_cell *c = &cells[n_cells++];
            c->id = sqlite3_column_int64(old_st, 0);
            for (int k = 0; k < 4; k++) c->box[k] = (float)sqlite3_column_double(old_st, 1 + k); /* exact */
            rc = 0;
        }
        if (rc == SQLITE_DONE) rc = 0;
        else if (rc > 0) rc = sql_error(s, rc, "cannot read", err);
        sqlite3_finalize(old_st);
        for (size_t i = 0; rc == 0 && i < s->n_pending; i++) {
            const rtree_pending *p = &s->pending[i];
            if (isnan(p->lon)) continue;
            rtree_cell *c = &cells[n_cells++];
            c->id = p->fid;
            c->box[0] = round_down(p->lon);
            c->box[1] = round_up(p->lon);
            c->box[2] = round_down(p->lat);
            c->box[3] = round_up(p->lat);
        }
        if (rc == 0) rc = rtree_build(s, cells, n_cells, err);
        free(cells);
    } else {
        for (size_t i = 0; rc == 0 && i < s->n_pending; i++) {
            const rtree_pending *p = &s->pending[i];
            if (!isnan(p->lon)) rc = rtree_write(s, Q_RT_INSERT, p->fid, p->lon, p->lat, err);
        }
    }
    if (rc < 0) s->write_failed = 1;
    s->n_pending = 0;
    return rc;
}

/* The pending entry of fid, or NULL. */
static rtree_pending *find_pending(gpkg_store *s, sqlite3_int64 fid)
{
    size_t lo = 0, hi = s->n_pending;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->pending[mid].fid == fid) return &s->pending[mid];
        if (s->pending[mid].fid < fid) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* fid's point goes into the R*Tree later, at the end of the transaction
 * (whose puts keep the R*Tree themselves, its triggers set aside). */
static int rtree_add(gpkg_store *s, sqlite3_int64 fid, double lon, double lat, char **err)
{
    assert(s->in_transaction && s->triggers_dropped);
    if (s->n_pending && fid <= s->pending[s->n_pending - 1].fid) {
        /* fids come in ascending order; should one not, keep the list sorted */
        int rc = rtree_flush(s, err);
        if (rc < 0) return rc;
    }
    assert(s->scanning == 0); /* store_put refuses to write during a scan */
    assert(!s->n_pending || fid > s->pending[s->n_pending - 1].fid); /* find_pending's binary search */
    ALLOC_GROW(s->pending, s->n_pending + 1, s->alloc_pending);
    s->pending[s->n_pending++] = (rtree_pending){ fid, lon, lat };
    return 0;
}

/* ------------------------------------------------------------- the extent */

/* The events' extent in gpkg_contents, before a transaction's first write
 * changes it. */
static int extent_load(gpkg_store *s, char **err)
{
    int rc = 0;
    sqlite3_stmt *st = query(s, Q_EXTENT, &rc, err);
    if (!st) return rc;
    s->extent[0] = s->extent[2] = INFINITY;
    s->extent[1] = s->extent[3] = -INFINITY;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int known = 1;
        for (int i = 0; i < 4; i++) known &= sqlite3_column_type(st, i) != SQLITE_NULL;
        for (int i = 0; known && i < 4; i++) s->extent[i] = sqlite3_column_double(st, i);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? em_error(err, EM_EINPUT, "%s: not an eventmap store (no events in gpkg_contents)",
                                          s->path)
                               : sql_error(s, rc, "cannot read", err);
    }
    sqlite3_reset(st);
    if (rc == 0) s->extent_known = 1;
    return rc;
}

/* A write put a point at (lon, lat), or took one away from there. */
static void extent_add(gpkg_store *s, double lon, double lat)
{
    s->extent[0] = fmin(s->extent[0], lon);
    s->extent[1] = fmax(s->extent[1], lon);
    s->extent[2] = fmin(s->extent[2], lat);
    s->extent[3] = fmax(s->extent[3], lat);
}

static void extent_remove(gpkg_store *s, double lon, double lat)
{
    if (lon == s->extent[0] || lon == s->extent[1] || lat == s->extent[2] || lat == s->extent[3])
        s->extent_stale = 1;
}

/* Before the COMMIT of a transaction that wrote: gpkg_contents' extent of
 * the events (measured again over every point when a write moved one off
 * its edge: a scan of the table) and last_change. */
static int contents_update(gpkg_store *s, char **err)
{
    int rc = 0;
    if (!s->wrote) return 0;
    assert(s->extent_known);
    if (s->extent_stale) {
        sqlite3_stmt *st = NULL;
        rc = prepare(s, "SELECT min(ST_MinX(geom)), max(ST_MaxX(geom)), min(ST_MinY(geom)), max(ST_MaxY(geom))"
                        " FROM events", &st, err);
        if (rc == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
            for (int i = 0; i < 4; i++)
                s->extent[i] = sqlite3_column_type(st, i) == SQLITE_NULL ? (i % 2 ? -INFINITY : INFINITY)
                                                                         : sqlite3_column_double(st, i);
            rc = 0;
        } else if (rc > 0) {
            rc = sql_error(s, rc, "cannot read", err);
        }
        sqlite3_finalize(st);
        if (rc < 0) return rc;
    }
    sqlite3_stmt *st = query(s, Q_SET_EXTENT, &rc, err);
    if (!st) return rc;
    int empty = s->extent[0] > s->extent[1];
    for (int i = 0; i < 4; i++)
        rc |= empty ? sqlite3_bind_null(st, 1 + i) : sqlite3_bind_double(st, 1 + i, s->extent[i]);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot write", err);
    return step_write(s, st, err);
}

/* The write transaction is over, committed or not. */
static void end_write(gpkg_store *s)
{
    s->wrote = 0;
    s->extent_known = 0;
    s->extent_stale = 0;
}

/* ------------------------------------------------------------- transactions */

static int gp_begin(store *base, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
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
    s->looked_at_store = 0;
    s->triggers_dropped = 0;
    s->indexes_dropped = 0;
    s->n_pending = 0;
    return 0;
}

/* The transaction is over: back to a reading connection's cache. */
static void end_transaction(gpkg_store *s)
{
    s->in_transaction = 0;
    s->write_failed = 0;
    s->triggers_dropped = 0;
    s->indexes_dropped = 0;
    s->n_pending = 0;
    end_write(s);
    id_map_clear(&s->ids);
    strbuf pragma = STRBUF_INIT;
    sb_addf(&pragma, "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
    sqlite3_exec(s->db, pragma.buf, NULL, NULL, NULL);
    sb_release(&pragma);
}

static int gp_commit(store *base, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    if (!s->in_transaction) return em_error(err, EM_EUSAGE, "%s: no transaction to commit", s->path);
    if (s->scanning) return em_error(err, EM_EUSAGE, "%s: cannot commit during a scan", s->path);
    int rc = 0;
    if (s->write_failed) rc = em_error(err, EM_EIO, "%s: an earlier write failed; nothing was stored", s->path);
    if (rc == 0 && s->n_pending) rc = rtree_flush(s, err);
    assert(rc < 0 || s->n_pending == 0);
    if (rc == 0 && s->indexes_dropped) {
        rc = exec(s, index_sql, "cannot write the indexes", err);
        if (rc == 0) crash_point("import:index-rebuild");
    }
    /* the R*Tree holds the transaction's writes: the triggers take over */
    if (rc == 0 && s->triggers_dropped) rc = make_triggers(s, 0, err);
    if (rc == 0) rc = contents_update(s, err);
    if (rc == 0) rc = exec(s, "COMMIT", "cannot commit", err);
    if (rc < 0) {
        gp_rollback(base);
        return rc;
    }
    end_transaction(s);
    return 0;
}

static void gp_rollback(store *base)
{
    gpkg_store *s = (gpkg_store *)base;
    if (!s) return;
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    if (s->in_transaction) end_transaction(s);
    else end_write(s);
}

/* ------------------------------------------------------------- writing */

/* e's id is taken (by fid when fid > 0, else look it up by id): compare
 * with the stored row, update it (and, in a transaction, its R*Tree entry;
 * outside one the triggers do) when something differs or when the row
 * lacks eventmap's keys (another program wrote it). */
static int put_existing(gpkg_store *s, const ev_event *e, sqlite3_int64 fid, char **err)
{
    int rc = 0;
    sqlite3_stmt *old_st = query(s, fid ? Q_OLD_FID : Q_OLD, &rc, err);
    if (!old_st) return rc;
    rc = fid ? sqlite3_bind_int64(old_st, 1, fid) : bind_text(old_st, 1, e->id);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot read", err);
    rc = sqlite3_step(old_st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(old_st);
        if (rc == SQLITE_DONE) /* the INSERT or the id map said the id was there */
            return em_error(err, EM_EINTERNAL, "%s: event %s vanished during an update", s->path, e->id);
        return sql_error(s, rc, "cannot read", err);
    }
    ev_event old;
    read_event(old_st, &old);
    fid = sqlite3_column_int64(old_st, C_OLD_FID);
    int unchanged = same_event(e, &old) && keys_stored(old_st, &old);
    int was_located = old.located;
    double old_lon = old.lon, old_lat = old.lat;
    sqlite3_reset(old_st); /* old's strings are gone from here on */
    if (unchanged) return STORE_UNCHANGED;

    sqlite3_stmt *update = query(s, Q_UPDATE, &rc, err);
    if (!update) return rc;
    unsigned char geom[GPKG_POINT_BYTES];
    rc = bind_event(update, e, geom);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int64(update, P_UPDATE_FID, fid);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot write", err);
    if ((rc = step_write(s, update, err)) < 0) return rc;
    s->wrote = 1;
    int moved = e->located != was_located || (e->located && (e->lon != old_lon || e->lat != old_lat));
    if (moved && was_located) extent_remove(s, old_lon, old_lat);
    if (moved && e->located) extent_add(s, e->lon, e->lat);

    rtree_pending *p = s->n_pending ? find_pending(s, fid) : NULL;
    if (!s->triggers_dropped) {
        /* the triggers moved the entry */
    } else if (p) { /* new in this transaction: its entry is still in the list */
        p->lon = e->located ? e->lon : NAN;
        p->lat = e->lat;
    } else if (e->located && !was_located) {
        rc = rtree_write(s, Q_RT_INSERT, fid, e->lon, e->lat, err);
    } else if (e->located && moved) {
        rc = rtree_write(s, Q_RT_MOVE, fid, e->lon, e->lat, err);
    } else if (!e->located && was_located) {
        rc = rtree_write(s, Q_RT_DELETE, fid, 0, 0, err);
    }
    return rc < 0 ? rc : STORE_UPDATED;
}

/* Whether e is stored as it is (with eventmap's keys): 1 or 0, or an
 * error. */
static int stored_as_is(gpkg_store *s, const ev_event *e, char **err)
{
    int rc = 0;
    sqlite3_stmt *old_st = query(s, Q_OLD, &rc, err);
    if (!old_st) return rc;
    if ((rc = bind_text(old_st, 1, e->id)) != SQLITE_OK) return sql_error(s, rc, "cannot read", err);
    rc = sqlite3_step(old_st);
    if (rc == SQLITE_ROW) {
        ev_event old;
        read_event(old_st, &old);
        rc = same_event(e, &old) && keys_stored(old_st, &old);
    } else {
        rc = rc == SQLITE_DONE ? 0 : sql_error(s, rc, "cannot read", err);
    }
    sqlite3_reset(old_st);
    return rc;
}

/* Before a transaction's first write: set the R*Tree's triggers aside (its
 * puts keep the R*Tree, and the commit makes them again), and for an
 * import into an empty store the indexes too.  Until a put changes an
 * event, nothing is written: a transaction of unchanged events leaves the
 * file as it was. */
static int begin_bulk(gpkg_store *s, const ev_event *e, char **err)
{
    int rc = 0;
    size_t n_events = 0;
    if (!s->looked_at_store) {
        s->looked_at_store = 1;
        if ((rc = count_of(s, Q_ANY, &n_events, err)) < 0) return rc;
        if (!n_events) {
            if ((rc = exec(s, drop_index_sql, "cannot write", err)) < 0) return rc;
            s->indexes_dropped = 1;
        }
    }
    if (!s->indexes_dropped && (rc = stored_as_is(s, e, err)) != 0) return rc < 0 ? rc : STORE_UNCHANGED;
    if ((rc = make_triggers(s, 1, err)) < 0) return rc;
    s->triggers_dropped = 1;
    return 0;
}

static int put(gpkg_store *s, const ev_event *e, char **err)
{
    int rc = 0;
    if (s->in_transaction && !s->triggers_dropped && (rc = begin_bulk(s, e, err)) != 0) return rc;
    if (!s->extent_known && (rc = extent_load(s, err)) < 0) return rc;
    sqlite3_int64 fid = 0;
    if (s->indexes_dropped && (fid = id_map_get(&s->ids, e->id)) != 0) return put_existing(s, e, fid, err);

    sqlite3_stmt *insert = query(s, s->indexes_dropped ? Q_INSERT_NEW : Q_INSERT, &rc, err);
    if (!insert) return rc;
    unsigned char geom[GPKG_POINT_BYTES];
    rc = bind_event(insert, e, geom);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot write", err);
    rc = step_write(s, insert, err);
    if (rc < 0) return rc;
    if (sqlite3_changes(s->db) == 0) return put_existing(s, e, 0, err); /* ON CONFLICT DO NOTHING */
    fid = sqlite3_last_insert_rowid(s->db);
    s->wrote = 1;
    if (e->located) extent_add(s, e->lon, e->lat);
    if (s->indexes_dropped && (rc = id_map_put(s, e->id, fid, err)) < 0) return rc;
    /* outside a transaction the insert trigger made the entry */
    if (e->located && s->triggers_dropped && (rc = rtree_add(s, fid, e->lon, e->lat, err)) < 0) return rc;
    return STORE_NEW;
}

static int gp_put(store *base, const ev_event *e, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    int rc = store_check_event(s->path, e, err);
    if (rc < 0) return rc;
    if (s->scanning) return em_error(err, EM_EUSAGE, "%s: cannot write during a scan", s->path);
    if (s->in_transaction) {
        rc = put(s, e, err);
        /* the row and its R*Tree entry may now disagree: only a rollback
         * can follow */
        if (rc < 0) s->write_failed = 1;
        return rc;
    }
    /* Outside store_begin..store_commit: a transaction of its own, so that
     * the row, its R*Tree entry (by the triggers) and gpkg_contents are
     * written together or not at all. */
    rc = exec(s, "BEGIN IMMEDIATE", "cannot start writing", err);
    if (rc < 0) return rc;
    rc = put(s, e, err);
    if (rc >= 0) {
        int crc = contents_update(s, err);
        if (crc == 0) crc = exec(s, "COMMIT", "cannot commit", err);
        if (crc < 0) rc = crc;
    }
    if (rc < 0 && !sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    end_write(s);
    return rc;
}

/* ------------------------------------------------------------- reading */

static int gp_count(store *base, size_t *total, size_t *unlocated, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    /* The located events are the R*Tree's entries (and those waiting to go
     * in): two counts of b-trees, no scan of the events. */
    size_t n_total = 0, n_located = 0;
    int rc = count_of(s, Q_COUNT, &n_total, err);
    if (!rc) rc = count_of(s, Q_RT_COUNT, &n_located, err);
    if (rc < 0) return rc;
    for (size_t i = 0; i < s->n_pending; i++) n_located += !isnan(s->pending[i].lon);
    if (total) *total = n_total;
    if (unlocated) *unlocated = n_total > n_located ? n_total - n_located : 0;
    return 0;
}

/* The SQL of scan variant `which` (SCAN_* bits). */
static void scan_sql(int which, strbuf *sql)
{
    if (which & SCAN_BOX) {
        /* CROSS JOIN keeps the R*Tree as the outer loop (SQLite does not
         * reorder it), each hit then found in events by its fid.  The R*Tree
         * keeps 32-bit floats, rounded outwards, so it answers a little more
         * than the box; store_scan drops the extra by the exact lat/lon. */
        sb_adds(sql, "SELECT " EVENT_COLUMNS_E " FROM rtree_events_geom AS r CROSS JOIN events AS e"
                     " ON e.fid = r.id WHERE r.minx <= ?2 AND r.maxx >= ?1"
                     " AND r.miny <= ?4 AND r.maxy >= ?3");
    } else {
        sb_adds(sql, "SELECT " EVENT_COLUMNS_E " FROM events AS e WHERE 1");
    }
    if (which & SCAN_DATE) sb_adds(sql, " AND e.day BETWEEN ?5 AND ?6");
    if (which & SCAN_TYPE)
        sb_adds(sql, " AND ((e.event_type_key = ?8 AND e.event_type = ?7 COLLATE NOCASE)"
                     " OR (e.sub_event_type_key = ?8 AND e.sub_event_type = ?7 COLLATE NOCASE))");
    if (!(which & SCAN_BOX)) sb_adds(sql, " ORDER BY e.id");
}

static int inside(const geo_bbox *b, double lon, double lat)
{
    return lon >= b->west_deg && lon <= b->east_deg && lat >= b->south_deg && lat <= b->north_deg;
}

/* Run st (bound) and hand each row that passes to fn.  box_index >= 0: the
 * rows are from boxes[box_index]; keep those exactly inside it and not
 * inside an earlier box (handed out already).  Returns 0, 1 when fn stopped
 * the scan, or an error. */
static int scan_rows(gpkg_store *s, sqlite3_stmt *st, const ev_filter *rest, const geo_bbox *boxes,
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

static int gp_scan(store *base, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
               void *ctx, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    int rc = 0;
    if ((rc = store_check_boxes(s->path, boxes, n_boxes, err)) < 0) return rc;
    /* the R*Tree must hold this transaction's new events before any scan
     * starts (store_put is refused during a scan, so a nested scan finds
     * none pending and never writes under its caller's SELECT) */
    if (s->n_pending && (rc = rtree_flush(s, err)) < 0) return rc;
    assert(s->n_pending == 0);

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

    s->scanning++;
    if (which & SCAN_DATE) {
        rc |= sqlite3_bind_int(st, P_SINCE, f->has_since ? f->since_day : INT32_MIN);
        rc |= sqlite3_bind_int(st, P_UNTIL, f->has_until ? f->until_day : INT32_MAX);
    }
    if (which & SCAN_TYPE) {
        rc |= bind_text(st, P_TYPE, f->type);
        rc |= sqlite3_bind_int(st, P_TYPE_KEY, type_key(f->type));
    }
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
    s->scanning--;
    return rc;
}

/* ------------------------------------------------------- lean points query */

/* store_points: the few columns a map needs, straight from the rows,
 * without building an ev_event (store_scan reads and converts all 21
 * columns, ~1.7 s for 1M events; this ~0.45 s). */
static int gp_points(store *base, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_point_fn fn,
                 void *ctx, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    int rc = 0;
    if ((rc = store_check_boxes(s->path, boxes, n_boxes, err)) < 0) return rc;
    if (s->n_pending && (rc = rtree_flush(s, err)) < 0) return rc; /* as in store_scan */
    assert(s->n_pending == 0);
    int need_actor = f && f->actor, need_rest = f && (f->actor || f->region);
    strbuf sql = STRBUF_INIT;
    sb_adds(&sql, "SELECT e.geom, e.day, e.fatalities, e.event_type, e.location, e.event_date");
    if (need_actor) sb_adds(&sql, ", e.actor1, e.actor2");
    if (n_boxes)
        sb_adds(&sql, " FROM rtree_events_geom AS r CROSS JOIN events AS e ON e.fid = r.id"
                      " WHERE r.minx <= ?2 AND r.maxx >= ?1 AND r.miny <= ?4 AND r.maxy >= ?3");
    else
        sb_adds(&sql, " FROM events AS e WHERE 1");
    if (f && (f->has_since || f->has_until)) sb_adds(&sql, " AND e.day BETWEEN ?5 AND ?6");
    if (f && f->type)
        sb_adds(&sql, " AND ((e.event_type_key = ?8 AND e.event_type = ?7 COLLATE NOCASE)"
                      " OR (e.sub_event_type_key = ?8 AND e.sub_event_type = ?7 COLLATE NOCASE))");
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(s->db, sql.buf, (int)sql.len, &st, NULL);
    sb_release(&sql);
    if (rc != SQLITE_OK) return sql_error(s, rc, "cannot read", err);
    ev_filter rest_filter;
    if (need_rest) {
        rest_filter = *f;
        rest_filter.has_since = rest_filter.has_until = 0;
        rest_filter.type = NULL;
    }
    s->scanning++;
    if (f && (f->has_since || f->has_until)) {
        rc |= sqlite3_bind_int(st, P_SINCE, f->has_since ? f->since_day : INT32_MIN);
        rc |= sqlite3_bind_int(st, P_UNTIL, f->has_until ? f->until_day : INT32_MAX);
    }
    if (f && f->type) {
        rc |= bind_text(st, P_TYPE, f->type);
        rc |= sqlite3_bind_int(st, P_TYPE_KEY, type_key(f->type));
    }
    if (rc != SQLITE_OK) {
        rc = sql_error(s, rc, "cannot read", err);
        goto cleanup;
    }
    for (size_t b = 0; b < (n_boxes ? n_boxes : 1) && !rc; b++) {
        if (n_boxes) {
            if (b) sqlite3_reset(st);
            rc = sqlite3_bind_double(st, P_WEST, boxes[b].west_deg);
            rc |= sqlite3_bind_double(st, P_EAST, boxes[b].east_deg);
            rc |= sqlite3_bind_double(st, P_SOUTH, boxes[b].south_deg);
            rc |= sqlite3_bind_double(st, P_NORTH, boxes[b].north_deg);
            if (rc != SQLITE_OK) {
                rc = sql_error(s, rc, "cannot read", err);
                break;
            }
        }
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            store_point p;
            if (!column_point(st, 0, &p.lon, &p.lat)) continue;
            if (n_boxes) {
                /* exactly inside this box and in no earlier one */
                if (!inside(&boxes[b], p.lon, p.lat)) continue;
                size_t j = 0;
                while (j < b && !inside(&boxes[j], p.lon, p.lat)) j++;
                if (j < b) continue;
            }
            p.day = sqlite3_column_int(st, 1);
            if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
                /* a row of another program's, as read_event reads it */
                char normal[11];
                if (ev_parse_date(column_text(st, 5), &p.day, normal) < 0) p.day = 0;
            }
            p.fatalities = sqlite3_column_int(st, 2);
            const char *type = (const char *)sqlite3_column_text(st, 3);
            const char *location = (const char *)sqlite3_column_text(st, 4);
            p.event_type = type ? type : "";
            p.location = location ? location : "";
            if (need_rest) {
                ev_event e;
                memset(&e, 0, sizeof(e));
                e.id = e.event_date = e.sub_event_type = e.country = e.admin1 = e.admin2 = e.admin3 = "";
                e.source = e.notes = "";
                e.gazetteer_id = e.match = "";
                e.event_type = p.event_type;
                e.location = p.location;
                const char *a1 = need_actor ? (const char *)sqlite3_column_text(st, 6) : NULL;
                const char *a2 = need_actor ? (const char *)sqlite3_column_text(st, 7) : NULL;
                e.actor1 = a1 ? a1 : "";
                e.actor2 = a2 ? a2 : "";
                e.located = 1;
                e.lat = p.lat;
                e.lon = p.lon;
                e.day = p.day;
                e.fatalities = p.fatalities;
                if (!ev_filter_match(&rest_filter, &e)) continue;
            }
            int frc = fn(ctx, &p, err);
            if (frc < 0) {
                rc = em_error(err, frc, "%s: reading the store stopped with an error", s->path);
                break;
            }
            if (frc > 0) {
                rc = 1;
                break;
            }
        }
        if (!rc && step != SQLITE_DONE) rc = sql_error(s, step, "cannot read", err);
    }
    if (rc > 0) rc = 0;
cleanup:
    sqlite3_finalize(st);
    s->scanning--;
    return rc;
}

/* ------------------------------------------------------ within a radius */

/* Great-circle distance on the mean-radius sphere: within 0.6% of the
 * geodesic on the ellipsoid, and several times cheaper. */
static double sphere_km(double lat1, double lon1, double lat2, double lon2)
{
    const double rad = M_PI / 180.0;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double a = sin(dlat / 2) * sin(dlat / 2) + cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    if (a > 1) a = 1;
    return 2 * 6371.0088 * asin(sqrt(a));
}

/* The exact coordinates of event fid (the R*Tree holds 32-bit floats). */
static int exact_point(gpkg_store *s, sqlite3_int64 fid, double *lat, double *lon, char **err)
{
    int rc;
    if (!s->exact_st && (rc = prepare(s, "SELECT geom FROM events WHERE fid = ?1", &s->exact_st, err)) < 0)
        return rc;
    sqlite3_bind_int64(s->exact_st, 1, fid);
    rc = sqlite3_step(s->exact_st);
    if (rc == SQLITE_ROW) {
        rc = column_point(s->exact_st, 0, lon, lat)
                 ? 0
                 : em_error(err, EM_EINPUT, "%s: cannot read: the store is damaged (event %lld is in the R*Tree"
                                            " without a point)", s->path, (long long)fid);
    } else {
        rc = sql_error(s, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "cannot read", err);
    }
    sqlite3_reset(s->exact_st);
    return rc;
}

/* One store_within query, as its R*Tree callback sees it. */
typedef struct {
    geo_point c;
    double km;
    geo_bbox box;                 /* the box being searched */
    int exact_km;
    double m_km, n_km;            /* the planar shortcut: meridional and prime-vertical radii at c */
    double margin;                /* its relative error; 0 when it is not used */
    store_hit_fn fn;
    void *ctx;
    int stop;                     /* fn said stop (1) or failed (< 0) */
    sqlite3_int64 *unsure;        /* points to measure exactly afterwards */
    size_t n_unsure, alloc_unsure;
} within_query;

/* The distance from c: near c, on the plane tangent to the ellipsoid (its
 * radii of curvature at c; the parallel's length at the mean latitude),
 * within q->margin of the geodesic; else on the mean-radius sphere, within
 * 0.7% of it. */
static double approx_km(const within_query *q, double lat, double lon)
{
    const double rad = M_PI / 180.0;
    double dlon = lon - q->c.lon_deg;
    if (dlon > 180) dlon -= 360;
    if (dlon < -180) dlon += 360;
    if (q->margin > 0) {
        double x = dlon * rad * q->n_km * cos((lat + q->c.lat_deg) * (rad / 2)), y = (lat - q->c.lat_deg) * rad * q->m_km;
        return sqrt(x * x + y * y);
    }
    return sphere_km(q->c.lat_deg, q->c.lon_deg, lat, lon);
}

/* SQLite's R*Tree asks this about every node and entry it meets: prune
 * nodes outside the box; decide each point and hand it over here, so that
 * the query itself returns no rows (each row through the VM would cost more
 * than all of this). */
static int within_callback(sqlite3_rtree_query_info *info)
{
    gpkg_store *s = info->pContext;
    within_query *q = s->wq;
    const sqlite3_rtree_dbl *a = info->aCoord; /* min_lon, max_lon, min_lat, max_lat */
    info->eWithin = NOT_WITHIN;
    info->rScore = info->iLevel;
    if (!q || q->stop) return SQLITE_OK;
    if (a[1] < q->box.west_deg || a[0] > q->box.east_deg || a[3] < q->box.south_deg || a[2] > q->box.north_deg)
        return SQLITE_OK;
    if (info->iLevel > 0) {
        info->eWithin = PARTLY_WITHIN;
        return SQLITE_OK;
    }
    double lon = (a[0] + a[1]) / 2, lat = (a[2] + a[3]) / 2;
    /* slack: the approximation's error, and 3 m for the 32-bit floats */
    double d = approx_km(q, lat, lon), slack = q->margin > 0 ? q->margin : 0.007;
    if (d * (1 - slack) - 0.003 > q->km) return SQLITE_OK;
    if (d * (1 + slack) + 0.003 < q->km && !q->exact_km) {
        int rc = q->fn(q->ctx, (int64_t)info->iRowid, lat, lon, d);
        if (rc) q->stop = rc;
        return SQLITE_OK;
    }
    if (q->n_unsure == q->alloc_unsure) {
        q->alloc_unsure = q->alloc_unsure ? 2 * q->alloc_unsure : 256;
        sqlite3_int64 *grown = realloc(q->unsure, q->alloc_unsure * sizeof(*grown));
        if (!grown) return SQLITE_NOMEM;
        q->unsure = grown;
    }
    q->unsure[q->n_unsure++] = info->iRowid;
    return SQLITE_OK;
}

static int gp_within(store *base, geo_point c, double km, int exact_km, store_hit_fn fn, void *ctx, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    int rc = 0;
    if (!(km >= 0) || !(c.lat_deg >= -90 && c.lat_deg <= 90) || !isfinite(c.lon_deg))
        return em_error(err, EM_EUSAGE, "%s: no circle of %g km around %g,%g", s->path, km, c.lat_deg, c.lon_deg);
    if (s->wq) return em_error(err, EM_EUSAGE, "%s: store_within inside store_within", s->path);
    if (s->n_pending && (rc = rtree_flush(s, err)) < 0) return rc;
    assert(s->n_pending == 0); /* the circle is read from the R*Tree alone */
    if (!s->within_st) {
        rc = sqlite3_rtree_query_callback(s->db, "eventmap_within", within_callback, s, NULL);
        if (rc != SQLITE_OK) return sql_error(s, rc, "cannot query", err);
        rc = prepare(s, "SELECT id FROM rtree_events_geom WHERE id MATCH eventmap_within(0)", &s->within_st, err);
        if (rc < 0) return rc;
    }
    within_query q;
    memset(&q, 0, sizeof(q));
    q.c = c;
    q.km = km;
    q.exact_km = exact_km;
    q.fn = fn;
    q.ctx = ctx;
    /* The tangent plane for circles of up to ~300 km away from the poles:
     * its error grows with the square of the angle spanned, plus the change
     * of the radii across the circle (e^2 times the latitude spanned). */
    double a = km / 6371.0, sin_c = sin(c.lat_deg * M_PI / 180.0), e2 = 0.00669437999014;
    double w = 1 - e2 * sin_c * sin_c;
    q.n_km = 6378.137 / sqrt(w);
    q.m_km = 6378.137 * (1 - e2) / (w * sqrt(w));
    q.margin = fabs(c.lat_deg) < 80 && a < 0.05 ? 2 * a * a * (1 + tan(fabs(c.lat_deg) * M_PI / 180.0)) + 2 * e2 * a + 1e-5 : 0;

    geo_bbox boxes[2];
    size_t n_boxes = geo_circle_boxes(c, km, boxes);
    s->wq = &q;
    s->scanning++;
    for (size_t b = 0; b < n_boxes && !rc && !q.stop; b++) {
        q.box = boxes[b];
        int step;
        while ((step = sqlite3_step(s->within_st)) == SQLITE_ROW) {} /* the callback did the work */
        if (step != SQLITE_DONE && !q.stop) rc = sql_error(s, step, "cannot read", err);
        sqlite3_reset(s->within_st);
    }
    s->wq = NULL;
    /* the points near the edge, by their exact coordinates and the geodesic */
    for (size_t i = 0; i < q.n_unsure && !rc && !q.stop; i++) {
        double lat = 0, lon = 0;
        if ((rc = exact_point(s, q.unsure[i], &lat, &lon, err)) < 0) break;
        geo_point p = { lat, lon };
        double d = geo_distance_km(c, p);
        if (d <= km) q.stop = fn(ctx, (int64_t)q.unsure[i], lat, lon, d);
    }
    s->scanning--;
    free(q.unsure);
    if (!rc && q.stop < 0) rc = q.stop;
    return rc;
}

static int gp_get(store *base, int64_t key, const ev_filter *f, store_event_fn fn, void *ctx, char **err)
{
    gpkg_store *s = (gpkg_store *)base;
    int rc;
    if (!s->get_st && (rc = prepare(s, "SELECT " EVENT_COLUMNS " FROM events WHERE fid = ?1", &s->get_st, err)) < 0)
        return rc;
    sqlite3_stmt *st = s->get_st;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)key);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        ev_event e;
        read_event(st, &e);
        s->scanning++;
        rc = ev_filter_match(f, &e) ? fn(ctx, &e, err) : 0;
        s->scanning--;
        if (rc > 0) rc = 0;
    } else if (rc == SQLITE_DONE) {
        /* store_within and store_scan hand over keys from the store itself */
        rc = em_error(err, EM_EINPUT, "%s: cannot read: the store is damaged (no event with key %lld)", s->path,
                      (long long)key);
    } else {
        rc = sql_error(s, rc, "cannot read", err);
    }
    sqlite3_reset(st);
    return rc;
}

static const store_backend gpkg_backend = {
    .close = gp_close,
    .begin = gp_begin,
    .commit = gp_commit,
    .rollback = gp_rollback,
    .put = gp_put,
    .count = gp_count,
    .scan = gp_scan,
    .points = gp_points,
    .within = gp_within,
    .get = gp_get,
};

void gpkg_store_versions(struct strbuf *out)
{
    sb_addf(out, "%sSQLite %s", out->len ? ", " : "", sqlite3_libversion());
}
