/*
 * pg.c - the event store (store.h) in PostgreSQL with PostGIS, for a team
 * that shares one store: store_open's back end for a postgresql:// URL,
 * through libpq.
 *
 * The table `events` has the GeoPackage store's columns (ACLED's names),
 * the event id as its primary key (in byte order, COLLATE "C", so that a
 * scan goes in the order the GeoPackage gives), the point as
 * geography(Point, 4326) (NULL when the event is not located) under a GiST
 * index, and an index on event_date.  It is one that Citus can distribute
 * by id: its one unique key is the distribution column (see the README).
 * The table's comment marks it as ours.
 *
 * Writing.  A transaction's puts are streamed to the server with COPY in
 * binary (no text escaping: a quote, a backslash or a tab in a field is a
 * byte like any other, and no SQL is ever made of an event's text) into a
 * temporary staging table; the commit merges them into events with one
 * INSERT ... ON CONFLICT (id) DO UPDATE (the last put of an id wins; a
 * row whose fields are all the same is left alone) and commits, so an
 * import is all or nothing, and importing a file twice leaves one copy.  A
 * reader sees the store as it was until the commit (PostgreSQL's MVCC); a
 * second import into the same store waits at the merge for the rows the
 * first one holds, then updates them, so two at once lose and duplicate
 * nothing; the merge goes in id order, so two such imports never deadlock.
 * A killed import's connection drops and the server rolls its transaction
 * back.  A read inside the transaction (a count, a scan) first merges what
 * was staged, so that it sees the transaction's puts.
 *
 * Reading.  store_scan and store_points stream their rows through a cursor
 * (FETCH of PG_FETCH_ROWS rows at a time, binary), never the whole table in
 * memory; outside a transaction they read in a REPEATABLE READ, READ ONLY
 * transaction of their own, so a scan sees one state of the store however
 * long it runs.  A scan's callback may scan again: each scan has a cursor
 * of its own.  A box goes to the GiST index as a geography polygon a little
 * larger than the box (see box_sql) and is then checked exactly on the
 * coordinates.  store_near is ST_DWithin on geography (on the WGS 84
 * spheroid, as geo_distance_km, which decides the events at the edge); store_within answers from
 * the same query, its keys the rows of its result, which store_get reads
 * until the next store_within.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <libpq-fe.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/crash.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* The comment on events that marks it as an eventmap store, and the version
 * of its schema. */
#define PG_MARK "eventmap events, schema 1"
/* Rows per FETCH of a scan's cursor. */
#define PG_FETCH_ROWS 20000
/* Bytes of COPY data gathered before they are handed to libpq. */
#define PG_COPY_CHUNK (256 * 1024)
/* Days from 1970-01-01 (ev_event.day) to 2000-01-01 (PostgreSQL's epoch of
 * a binary date). */
#define PG_EPOCH_DAYS 10957

/* The columns of an event in events, in the order every SELECT of a whole
 * event reads them (C_*); geom is read as its longitude and latitude. */
enum {
    C_ID, C_EVENT_DATE, C_TIME_PRECISION, C_EVENT_TYPE, C_SUB_EVENT_TYPE, C_ACTOR1, C_ACTOR2, C_COUNTRY,
    C_ADMIN1, C_ADMIN2, C_ADMIN3, C_LOCATION, C_GEOM, C_GEO_PRECISION, C_FATALITIES, C_SOURCE, C_NOTES,
    C_GAZETTEER_ID, C_MATCH, C_CONFIDENCE, C_COUNT
};
#define SELECT_EVENT                                                                                   \
    "SELECT id, event_date, time_precision, event_type, sub_event_type, actor1, actor2, country,"     \
    " admin1, admin2, admin3, location, geom, geo_precision,"                                          \
    " fatalities, source, notes, gazetteer_id, \"match\", confidence"

/* The event's columns after id, as events has them. */
#define EVENT_COLUMNS                                                                                  \
    "event_date, time_precision, event_type, sub_event_type, actor1, actor2, country, admin1, admin2," \
    " admin3, location, geom, geo_precision, fatalities, source, notes, gazetteer_id, \"match\","       \
    " confidence"

static const char schema_sql[] =
    "CREATE TABLE events ("
    " id text COLLATE \"C\" PRIMARY KEY,"
    " event_date date,"
    " time_precision integer,"
    " event_type text,"
    " sub_event_type text,"
    " actor1 text,"
    " actor2 text,"
    " country text,"
    " admin1 text,"
    " admin2 text,"
    " admin3 text,"
    " location text,"
    " geom geography(Point, 4326),"
    " geo_precision integer,"
    " fatalities integer,"
    " source text,"
    " notes text,"
    " gazetteer_id text,"
    " \"match\" text,"
    " confidence double precision);"
    "CREATE INDEX events_geom ON events USING gist (geom);"
    "CREATE INDEX events_date ON events (event_date);"
    "COMMENT ON TABLE events IS '" PG_MARK "';";

/* The staging table of a transaction's puts, in the order of a COPY row
 * (copy_event); seq orders the puts of one id. */
static const char staging_sql[] =
    "CREATE TEMPORARY TABLE IF NOT EXISTS eventmap_staging ("
    " seq bigint, id text COLLATE \"C\", event_date date, time_precision integer,"
    " event_type text, sub_event_type text, actor1 text, actor2 text, country text,"
    " admin1 text, admin2 text, admin3 text, location text, lon double precision,"
    " lat double precision, geo_precision integer, fatalities integer, source text,"
    " notes text, gazetteer_id text, \"match\" text, confidence double precision)"
    " ON COMMIT DELETE ROWS";
#define STAGING_FIELDS 22

/* The merge: the last put of each id, in id order, into events.  xmax is 0
 * in a row this statement inserted and the updater's transaction in one it
 * updated (PostgreSQL's way of telling them apart in RETURNING); a row
 * whose fields are all the same is neither. */
static const char merge_sql[] =
    "WITH merged AS ("
    " INSERT INTO events AS t (id, " EVENT_COLUMNS ")"
    " SELECT DISTINCT ON (id) id, event_date, time_precision, event_type, sub_event_type, actor1,"
    " actor2, country, admin1, admin2, admin3, location,"
    " CASE WHEN lon IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography END,"
    " geo_precision, fatalities, source, notes, gazetteer_id, \"match\", confidence"
    " FROM eventmap_staging ORDER BY id, seq DESC"
    " ON CONFLICT (id) DO UPDATE SET (" EVENT_COLUMNS ") = (EXCLUDED.event_date,"
    " EXCLUDED.time_precision, EXCLUDED.event_type, EXCLUDED.sub_event_type, EXCLUDED.actor1,"
    " EXCLUDED.actor2, EXCLUDED.country, EXCLUDED.admin1, EXCLUDED.admin2, EXCLUDED.admin3,"
    " EXCLUDED.location, EXCLUDED.geom, EXCLUDED.geo_precision, EXCLUDED.fatalities, EXCLUDED.source,"
    " EXCLUDED.notes, EXCLUDED.gazetteer_id, EXCLUDED.\"match\", EXCLUDED.confidence)"
    " WHERE (t.event_date, t.time_precision, t.event_type, t.sub_event_type, t.actor1, t.actor2,"
    " t.country, t.admin1, t.admin2, t.admin3, t.location, ST_AsBinary(t.geom), t.geo_precision,"
    " t.fatalities, t.source, t.notes, t.gazetteer_id, t.\"match\", t.confidence)"
    " IS DISTINCT FROM (EXCLUDED.event_date, EXCLUDED.time_precision, EXCLUDED.event_type,"
    " EXCLUDED.sub_event_type, EXCLUDED.actor1, EXCLUDED.actor2, EXCLUDED.country, EXCLUDED.admin1,"
    " EXCLUDED.admin2, EXCLUDED.admin3, EXCLUDED.location, ST_AsBinary(EXCLUDED.geom),"
    " EXCLUDED.geo_precision, EXCLUDED.fatalities, EXCLUDED.source, EXCLUDED.notes,"
    " EXCLUDED.gazetteer_id, EXCLUDED.\"match\", EXCLUDED.confidence)"
    " RETURNING xmax = 0 AS added)"
    " SELECT count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added) FROM merged";

typedef struct {
    store base;                   /* first: a store * is a pg_store * */
    PGconn *conn;
    char *name;                   /* store_display_name of the URL, for messages */
    int in_transaction;           /* between store_begin and store_commit/rollback */
    int write_failed;             /* a write in this transaction failed: only a rollback can follow */
    int staging_made;             /* eventmap_staging exists in this session */
    int copying;                  /* a COPY into eventmap_staging is under way */
    strbuf copy;                  /* COPY data not yet handed to libpq */
    int64_t seq;                  /* puts of this transaction */
    size_t n_staged;              /* puts in eventmap_staging not merged yet */
    store_tally tally;            /* what the merges of this transaction did */
    int has_schema;               /* the database holds the store's tables (else it reads as empty) */
    int schema_in_tx;             /* this transaction made them: a rollback takes them away */
    int scanning;                 /* scans under way (a callback may nest them) */
    int read_tx;                  /* the outermost scan opened a read transaction of its own */
    unsigned cursor_seq;          /* names the cursors */
    PGresult *within;             /* store_within's rows, which its keys index */
} pg_store;

/* ------------------------------------------------------------ names and errors */

char *store_display_name(const char *target)
{
    if (!store_is_database(target)) return xstrdup(target ? target : "");
    /* scheme://[user[:password]@]host.../path?query: drop ":password" and
     * any password=... of the query */
    strbuf out = STRBUF_INIT;
    const char *rest = strstr(target, "://") + 3;
    sb_add(&out, target, (size_t)(rest - target));
    size_t auth_len = strcspn(rest, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < auth_len; i++)
        if (rest[i] == '@') at = rest + i;
    if (at) {
        size_t user_len = strcspn(rest, ":@");
        sb_add(&out, rest, user_len);
        rest = at;
    }
    const char *query = strchr(rest, '?');
    if (!query) {
        sb_adds(&out, rest);
        return sb_detach(&out, NULL);
    }
    sb_add(&out, rest, (size_t)(query - rest));
    char sep = '?';
    for (const char *p = query + 1; *p;) {
        size_t len = strcspn(p, "&");
        if (!(len >= 9 && !strncmp(p, "password=", 9))) {
            sb_addch(&out, sep);
            sb_add(&out, p, len);
            sep = '&';
        }
        p += len;
        if (*p) p++;
    }
    return sb_detach(&out, NULL);
}

char *store_short_name(const char *target)
{
    if (!store_is_database(target)) return xstrdup(target ? target : "");
    /* the database's name, as libpq reads the URL */
    char *why = NULL;
    PQconninfoOption *opts = PQconninfoParse(target, &why);
    PQfreemem(why);
    const char *db = NULL;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (!strcmp(o->keyword, "dbname") && o->val && *o->val) db = o->val;
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "PostgreSQL %s", db ? db : "database");
    PQconninfoFree(opts);
    return sb_detach(&out, NULL);
}

/* msg on one line: its lines joined by "; ", without libpq's "ERROR:  "
 * and trailing newline. */
static void add_one_line(strbuf *sb, const char *msg)
{
    if (!msg || !*msg) {
        sb_adds(sb, "unknown error");
        return;
    }
    if (!strncmp(msg, "ERROR:  ", 8)) msg += 8;
    size_t start = sb->len;
    for (const char *p = msg; *p; p++) {
        if (*p == '\n') {
            while (p[1] == '\n' || p[1] == ' ' || p[1] == '\t') p++;
            if (p[1] && sb->len > start) sb_adds(sb, "; ");
        } else if (*p == ' ' && p > msg && p[-1] == ':') {
            while (p[1] == ' ') p++; /* "FATAL:  password ..." */
            sb_addch(sb, ' ');
        } else {
            sb_addch(sb, *p);
        }
    }
}

/* EM_EIO "NAME: doing: REASON", the reason the result's (or, without one,
 * the connection's) on one line. */
static int pg_error(pg_store *s, const PGresult *res, const char *doing, char **err)
{
    strbuf why = STRBUF_INIT;
    const char *msg = res ? PQresultErrorMessage(res) : NULL;
    add_one_line(&why, msg && *msg ? msg : PQerrorMessage(s->conn));
    int rc = em_error(err, EM_EIO, "%s: %s: %s", s->name, doing, why.buf);
    sb_release(&why);
    return rc;
}

/* Run sql (no parameters, no rows wanted). */
static int exec(pg_store *s, const char *sql, const char *doing, char **err)
{
    PGresult *res = PQexec(s->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : pg_error(s, res, doing, err);
    PQclear(res);
    return rc;
}

/* Run sql with text parameters and binary results; *out the result to
 * PQclear when rows came back. */
static int query(pg_store *s, const char *sql, int n, const char *const *params, PGresult **out,
                 const char *doing, char **err)
{
    PGresult *res = PQexecParams(s->conn, sql, n, NULL, params, NULL, NULL, 1);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        int rc = pg_error(s, res, doing, err);
        PQclear(res);
        *out = NULL;
        return rc;
    }
    *out = res;
    return 0;
}

/* Server notices ("relation already exists, skipping") are not ours to
 * print. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* ------------------------------------------------------------ binary values */

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

static double get_f8(const unsigned char *p)
{
    uint64_t u = get_u64(p);
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static const char *col_text(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

static int col_int(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col)) return 0;
    return (int)(int32_t)get_u32((const unsigned char *)PQgetvalue(r, row, col));
}

static double col_f8(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col)) return NAN;
    return get_f8((const unsigned char *)PQgetvalue(r, row, col));
}

/* A binary geography point (PostGIS sends it as extended WKB: byte order,
 * type with the SRID flag, the SRID, x and y): 1 with *lon and *lat, 0 for
 * NULL, an empty point or what is not a 2D point. */
static int col_point(const PGresult *r, int row, int col, double *lon, double *lat)
{
    if (PQgetisnull(r, row, col)) return 0;
    const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, col);
    int len = PQgetlength(r, row, col);
    if (len < 21) return 0;
    int little = p[0] == 1;
    uint32_t type = little ? (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24
                           : get_u32(p + 1);
    size_t off = 5 + (type & 0x20000000u ? 4 : 0);
    if ((type & 0xffffu) != 1 || (type & 0xc0000000u) || (size_t)len < off + 16) return 0;
    double xy[2];
    for (int k = 0; k < 2; k++) {
        unsigned char b[8];
        for (int i = 0; i < 8; i++) b[i] = p[off + 8 * k + (little ? 7 - i : i)];
        xy[k] = get_f8(b);
    }
    if (isnan(xy[0]) || isnan(xy[1])) return 0; /* POINT EMPTY */
    *lon = xy[0];
    *lat = xy[1];
    return 1;
}

/* A binary date as days since 1970-01-01 (0 for NULL), and its text. */
static int32_t col_day(const PGresult *r, int row, int col, char text[11])
{
    if (PQgetisnull(r, row, col)) {
        text[0] = '\0';
        return 0;
    }
    int32_t day = (int32_t)get_u32((const unsigned char *)PQgetvalue(r, row, col)) + PG_EPOCH_DAYS;
    ev_format_date(day, text);
    return day;
}

/* The event in row of r (SELECT_EVENT's columns); strings borrowed from r,
 * the date's text from date. */
static void read_event(const PGresult *r, int row, ev_event *e, char date[11])
{
    memset(e, 0, sizeof(*e));
    e->id = col_text(r, row, C_ID);
    e->day = col_day(r, row, C_EVENT_DATE, date);
    e->event_date = date;
    e->time_precision = col_int(r, row, C_TIME_PRECISION);
    e->event_type = col_text(r, row, C_EVENT_TYPE);
    e->sub_event_type = col_text(r, row, C_SUB_EVENT_TYPE);
    e->actor1 = col_text(r, row, C_ACTOR1);
    e->actor2 = col_text(r, row, C_ACTOR2);
    e->country = col_text(r, row, C_COUNTRY);
    e->admin1 = col_text(r, row, C_ADMIN1);
    e->admin2 = col_text(r, row, C_ADMIN2);
    e->admin3 = col_text(r, row, C_ADMIN3);
    e->location = col_text(r, row, C_LOCATION);
    e->located = col_point(r, row, C_GEOM, &e->lon, &e->lat);
    if (!e->located) e->lon = e->lat = 0.0;
    e->geo_precision = col_int(r, row, C_GEO_PRECISION);
    e->fatalities = col_int(r, row, C_FATALITIES);
    e->source = col_text(r, row, C_SOURCE);
    e->notes = col_text(r, row, C_NOTES);
    e->gazetteer_id = col_text(r, row, C_GAZETTEER_ID);
    e->match = col_text(r, row, C_MATCH);
    e->confidence = PQgetisnull(r, row, C_CONFIDENCE) ? 0.0 : col_f8(r, row, C_CONFIDENCE);
}

/* ------------------------------------------------------------ opening */

/* The comment on the table events of the connection's search path: 1 and
 * *mark (to free) when there is such a table, 0 when there is none. */
static int events_mark(pg_store *s, char **mark, char **err)
{
    PGresult *res;
    int rc = query(s,
                   "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c"
                   " WHERE c.oid = to_regclass('events')",
                   0, NULL, &res, "cannot read", err);
    if (rc < 0) return rc;
    *mark = NULL;
    int found = PQntuples(res) > 0;
    if (found) *mark = xstrdup(col_text(res, 0, 0));
    PQclear(res);
    return found;
}

/* Make the schema, inside the transaction store_begin opened, unless
 * another eventmap just did: under a lock of the database's, so that two
 * first imports make it once.  A rollback takes it away again, so that a
 * failed first import leaves the database as it was. */
static int create_schema(pg_store *s, char **err)
{
    int rc = exec(s, "SELECT pg_advisory_xact_lock(hashtext('eventmap store schema'))", "cannot create the store",
                  err);
    char *mark = NULL;
    int found = rc == 0 ? events_mark(s, &mark, err) : 0;
    if (found < 0) rc = found;
    if (rc == 0 && found && strcmp(mark, PG_MARK))
        rc = em_error(err, EM_EINPUT, "%s: the table events is not an eventmap store's", s->name);
    free(mark);
    if (rc < 0 || found) return rc;
    PGresult *res;
    rc = query(s, "SELECT 1 FROM pg_extension WHERE extname = 'postgis'", 0, NULL, &res, "cannot create the store",
               err);
    if (rc < 0) return rc;
    int has_postgis = PQntuples(res) > 0;
    PQclear(res);
    if (!has_postgis) rc = exec(s, "CREATE EXTENSION postgis", "cannot install PostGIS", err);
    if (rc == 0) rc = exec(s, schema_sql, "cannot create the store", err);
    return rc;
}

static const store_backend pg_backend;

static void pg_close(store *base);

int pg_store_open(const char *url, int mode, store **out, char **err)
{
    *out = NULL;
    if (mode != STORE_READ && mode != STORE_CREATE)
        return em_error(err, EM_EUSAGE, "unknown store open mode %d", mode);
    pg_store *s = xcalloc(1, sizeof(*s));
    s->base.backend = &pg_backend;
    s->name = store_display_name(url);
    sb_init(&s->copy, 0);
    /* the URL first, then what it leaves out: PG* variables and .pgpass
     * (libpq's own order) */
    const char *const keys[] = { "dbname", "fallback_application_name", "client_encoding", NULL };
    const char *const values[] = { url, "eventmap", "UTF8", NULL };
    s->conn = PQconnectdbParams(keys, values, 1);
    int rc = 0;
    if (!s->conn) {
        rc = em_error(err, EM_EINTERNAL, "%s: cannot connect: out of memory", s->name);
        goto fail;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        strbuf why = STRBUF_INIT;
        add_one_line(&why, PQerrorMessage(s->conn));
        rc = em_error(err, EM_EIO, "%s: cannot connect: %s", s->name, why.buf);
        sb_release(&why);
        goto fail;
    }
    PQsetNoticeProcessor(s->conn, ignore_notice, NULL);
    /* No JIT compiling for this session: eventmap's queries are index
     * lookups and streamed scans, which it slows down (a 25 km near over
     * 1M events: 72 ms median with it, 56 ms without).  A server without
     * JIT (before PostgreSQL 11) refuses the setting; nothing is lost. */
    PQclear(PQexec(s->conn, "SET jit = off"));
    char *mark = NULL;
    int found = events_mark(s, &mark, err);
    if (found < 0) rc = found;
    /* STORE_CREATE: the first transaction makes the tables (create_schema) */
    if (rc == 0 && !found && mode == STORE_READ)
        rc = em_error(err, EM_EIO, "%s: no eventmap store in this database", s->name);
    if (rc == 0 && found && strcmp(mark, PG_MARK))
        rc = em_error(err, EM_EINPUT, "%s: the table events is not an eventmap store's", s->name);
    s->has_schema = found > 0;
    free(mark);
    if (rc < 0) goto fail;
    *out = &s->base;
    return 0;
fail:
    pg_close(&s->base);
    return rc;
}

static void pg_close(store *base)
{
    pg_store *s = (pg_store *)base;
    if (!s) return;
    PQclear(s->within);
    /* closing the connection rolls back an open transaction */
    PQfinish(s->conn);
    sb_release(&s->copy);
    free(s->name);
    free(s);
}

/* ------------------------------------------------------------ transactions */

static int pg_begin(store *base, char **err)
{
    pg_store *s = (pg_store *)base;
    if (s->in_transaction) return em_error(err, EM_EUSAGE, "%s: a transaction is already open", s->name);
    if (s->scanning) return em_error(err, EM_EUSAGE, "%s: cannot start writing during a scan", s->name);
    int rc = exec(s, "BEGIN", "cannot start writing", err);
    if (rc == 0 && !s->has_schema) {
        rc = create_schema(s, err);
        if (rc < 0) PQclear(PQexec(s->conn, "ROLLBACK"));
        s->has_schema = s->schema_in_tx = rc == 0;
    }
    if (rc < 0) return rc;
    s->in_transaction = 1;
    s->write_failed = 0;
    s->seq = 0;
    s->n_staged = 0;
    memset(&s->tally, 0, sizeof(s->tally));
    return 0;
}

/* Hand the gathered COPY data to libpq. */
static int copy_send(pg_store *s, char **err)
{
    if (!s->copy.len) return 0;
    if (PQputCopyData(s->conn, s->copy.buf, (int)s->copy.len) != 1) return pg_error(s, NULL, "cannot write", err);
    sb_reset(&s->copy);
    return 0;
}

/* End the COPY under way: its rows are in eventmap_staging. */
static int copy_end(pg_store *s, char **err)
{
    if (!s->copying) return 0;
    s->copying = 0;
    static const unsigned char trailer[2] = { 0xff, 0xff };
    sb_add(&s->copy, trailer, 2);
    int rc = copy_send(s, err);
    if (PQputCopyEnd(s->conn, rc < 0 ? "eventmap: stopped" : NULL) != 1 && rc == 0)
        rc = pg_error(s, NULL, "cannot write", err);
    PGresult *res;
    while ((res = PQgetResult(s->conn))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) rc = pg_error(s, res, "cannot write", err);
        PQclear(res);
    }
    sb_reset(&s->copy);
    return rc;
}

/* Merge what eventmap_staging holds into events (see merge_sql), counting
 * what it did. */
static int merge(pg_store *s, char **err)
{
    int rc = copy_end(s, err);
    if (rc < 0 || !s->n_staged) return rc;
    PGresult *res;
    rc = query(s, merge_sql, 0, NULL, &res, "cannot write", err);
    if (rc < 0) return rc;
    int64_t added = 0, updated = 0;
    if (PQntuples(res) == 1 && PQgetlength(res, 0, 0) == 8) {
        const unsigned char *a = (const unsigned char *)PQgetvalue(res, 0, 0);
        const unsigned char *u = (const unsigned char *)PQgetvalue(res, 0, 1);
        added = (int64_t)get_u64(a);
        updated = (int64_t)get_u64(u);
    }
    PQclear(res);
    /* the ids put, less those added or updated, were unchanged: counted
     * only when some were (an import into an empty store has none) */
    size_t distinct = (size_t)(added + updated);
    if (distinct < s->n_staged) {
        rc = query(s, "SELECT count(DISTINCT id) FROM eventmap_staging", 0, NULL, &res, "cannot write", err);
        if (rc < 0) return rc;
        const unsigned char *d = (const unsigned char *)PQgetvalue(res, 0, 0);
        distinct = (size_t)get_u64(d);
        PQclear(res);
    }
    s->tally.added += (size_t)added;
    s->tally.updated += (size_t)updated;
    s->tally.unchanged += distinct - (size_t)(added + updated);
    s->n_staged = 0;
    return exec(s, "TRUNCATE eventmap_staging", "cannot write", err);
}

/* Before a read inside the transaction: the puts so far into events. */
static int flush(pg_store *s, char **err)
{
    if (!s->in_transaction || (!s->copying && !s->n_staged)) return 0;
    if (s->write_failed) return em_error(err, EM_EIO, "%s: an earlier write failed", s->name);
    int rc = merge(s, err);
    if (rc < 0) s->write_failed = 1;
    return rc;
}

static void pg_rollback(store *base)
{
    pg_store *s = (pg_store *)base;
    if (!s) return;
    if (s->copying) {
        s->copying = 0;
        PQputCopyEnd(s->conn, "eventmap: rolled back");
        PGresult *res;
        while ((res = PQgetResult(s->conn))) PQclear(res);
    }
    sb_reset(&s->copy);
    if (s->in_transaction) PQclear(PQexec(s->conn, "ROLLBACK"));
    /* a temporary table made in the transaction went with it, and so did
     * the store's tables if it made them */
    if (s->in_transaction && s->staging_made == 2) s->staging_made = 0;
    if (s->in_transaction && s->schema_in_tx) s->has_schema = s->schema_in_tx = 0;
    s->in_transaction = 0;
    s->n_staged = 0;
}

static int pg_commit(store *base, char **err)
{
    pg_store *s = (pg_store *)base;
    if (!s->in_transaction) return em_error(err, EM_EUSAGE, "%s: no transaction to commit", s->name);
    if (s->scanning) return em_error(err, EM_EUSAGE, "%s: cannot commit during a scan", s->name);
    int rc = 0;
    if (s->write_failed) rc = em_error(err, EM_EIO, "%s: an earlier write failed; nothing was stored", s->name);
    if (rc == 0) rc = merge(s, err);
    if (rc == 0) crash_point("import:store-merged");
    if (rc == 0) rc = exec(s, "COMMIT", "cannot commit", err);
    if (rc < 0) {
        pg_rollback(base);
        return rc;
    }
    if (s->staging_made == 2) s->staging_made = 1;
    s->schema_in_tx = 0;
    s->in_transaction = 0;
    base->pending = s->tally;
    return 0;
}

/* ------------------------------------------------------------ writing */

static void put_i16(strbuf *b, int v)
{
    unsigned char p[2] = { (unsigned char)(v >> 8), (unsigned char)v };
    sb_add(b, p, 2);
}

static void put_i32(strbuf *b, uint32_t v)
{
    unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                           (unsigned char)v };
    sb_add(b, p, 4);
}

static void field_null(strbuf *b)
{
    put_i32(b, 0xffffffffu);
}

static void field_text(strbuf *b, const char *text)
{
    size_t len = text ? strlen(text) : 0;
    put_i32(b, (uint32_t)len);
    sb_add(b, text ? text : "", len);
}

static void field_int(strbuf *b, int v)
{
    put_i32(b, 4);
    put_i32(b, (uint32_t)v);
}

static void field_f8(strbuf *b, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    put_i32(b, 8);
    put_i32(b, (uint32_t)(u >> 32));
    put_i32(b, (uint32_t)u);
}

/* e as a row of the binary COPY into eventmap_staging. */
static void copy_event(strbuf *b, int64_t seq, const ev_event *e)
{
    put_i16(b, STAGING_FIELDS);
    put_i32(b, 8);
    put_i32(b, (uint32_t)((uint64_t)seq >> 32));
    put_i32(b, (uint32_t)seq);
    field_text(b, e->id);
    char normal[11];
    int32_t day;
    if (e->event_date && *e->event_date && ev_parse_date(e->event_date, &day, normal) == 0) {
        field_int(b, day - PG_EPOCH_DAYS);
    } else {
        field_null(b);
    }
    field_int(b, e->time_precision);
    field_text(b, e->event_type);
    field_text(b, e->sub_event_type);
    field_text(b, e->actor1);
    field_text(b, e->actor2);
    field_text(b, e->country);
    field_text(b, e->admin1);
    field_text(b, e->admin2);
    field_text(b, e->admin3);
    field_text(b, e->location);
    if (e->located) {
        field_f8(b, e->lon);
        field_f8(b, e->lat);
    } else {
        field_null(b);
        field_null(b);
    }
    field_int(b, e->geo_precision);
    field_int(b, e->fatalities);
    field_text(b, e->source);
    field_text(b, e->notes);
    field_text(b, e->gazetteer_id);
    field_text(b, e->match);
    field_f8(b, e->confidence);
}

/* Start the COPY into eventmap_staging (made first when this session has
 * none). */
static int copy_start(pg_store *s, char **err)
{
    int rc = 0;
    if (!s->staging_made) {
        rc = exec(s, staging_sql, "cannot write", err);
        if (rc < 0) return rc;
        s->staging_made = 2; /* made in this transaction */
    }
    PGresult *res = PQexec(s->conn, "COPY eventmap_staging FROM STDIN (FORMAT binary)");
    if (PQresultStatus(res) != PGRES_COPY_IN) rc = pg_error(s, res, "cannot write", err);
    PQclear(res);
    if (rc < 0) return rc;
    s->copying = 1;
    static const unsigned char header[19] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };
    sb_add(&s->copy, header, sizeof(header));
    return 0;
}

static int pg_put(store *base, const ev_event *e, char **err)
{
    pg_store *s = (pg_store *)base;
    int rc = store_check_event(s->name, e, err);
    if (rc < 0) return rc;
    if (s->scanning) return em_error(err, EM_EUSAGE, "%s: cannot write during a scan", s->name);
    if (!s->in_transaction) {
        /* a transaction of its own, which says what the put did */
        if ((rc = pg_begin(base, err)) < 0) return rc;
        rc = pg_put(base, e, err);
        if (rc >= 0) rc = pg_commit(base, err);
        else pg_rollback(base);
        if (rc < 0) return rc;
        return s->tally.added ? STORE_NEW : s->tally.updated ? STORE_UPDATED : STORE_UNCHANGED;
    }
    if (s->write_failed) return em_error(err, EM_EIO, "%s: an earlier write failed", s->name);
    if (!s->copying) rc = copy_start(s, err);
    if (rc == 0) {
        copy_event(&s->copy, ++s->seq, e);
        s->n_staged++;
        if (s->copy.len >= PG_COPY_CHUNK) rc = copy_send(s, err);
    }
    if (rc < 0) s->write_failed = 1;
    return rc < 0 ? rc : STORE_PENDING;
}

/* ------------------------------------------------------------ reading */

static int pg_count(store *base, size_t *total, size_t *unlocated, char **err)
{
    pg_store *s = (pg_store *)base;
    if (!s->has_schema) {
        if (total) *total = 0;
        if (unlocated) *unlocated = 0;
        return 0;
    }
    int rc = flush(s, err);
    if (rc < 0) return rc;
    PGresult *res;
    rc = query(s, "SELECT count(*), count(*) FILTER (WHERE geom IS NULL) FROM events", 0, NULL, &res,
               "cannot read", err);
    if (rc < 0) return rc;
    const unsigned char *t = (const unsigned char *)PQgetvalue(res, 0, 0);
    const unsigned char *u = (const unsigned char *)PQgetvalue(res, 0, 1);
    if (total) *total = (size_t)get_u64(t);
    if (unlocated) *unlocated = (size_t)get_u64(u);
    PQclear(res);
    return 0;
}

/* Parameters of a query, as text: each number's or date's text in its
 * own slot of text (32 bytes), a string the caller's. */
typedef struct {
    char (*text)[32];
    const char **v;
    int n;
    size_t alloc_text, alloc_v;
} params;

static void params_release(params *p)
{
    free(p->text);
    free(p->v);
}

/* The next parameter's slot; its $N is p->n after. */
static char *param_slot(params *p)
{
    ALLOC_GROW(p->text, (size_t)p->n + 1, p->alloc_text);
    ALLOC_GROW(p->v, (size_t)p->n + 1, p->alloc_v);
    return p->text[p->n];
}

static int param_f8(params *p, double d)
{
    char *slot = param_slot(p);
    snprintf(slot, 32, "%.17g", d);
    p->v[p->n] = slot;
    return ++p->n;
}

static int param_str(params *p, const char *str)
{
    param_slot(p);
    p->v[p->n] = str;
    return ++p->n;
}

static int param_day(params *p, int32_t day)
{
    char *slot = param_slot(p);
    ev_format_date(day, slot);
    p->v[p->n] = slot;
    return ++p->n;
}

/* The WHERE of a query of events: the filter's dates, its type (lower():
 * a superset of ev_filter_match's ASCII comparison, which is checked after)
 * and the boxes.  A box goes to the GiST index as a polygon a bit larger
 * than itself: its outline cut into 0.1-degree pieces, so that each
 * geodesic edge strays from its parallel by metres, grown by 0.01 degree
 * (some 1 km) on each side, and then the point is checked exactly against
 * the box.  A box a quarter of the world wide or more is checked on the
 * coordinates alone: the index would pick most of the table anyway. */
static void where_sql(strbuf *sql, params *p, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes)
{
    sb_adds(sql, " WHERE true");
    if (f && f->has_since) sb_addf(sql, " AND event_date >= $%d::date", param_day(p, f->since_day));
    if (f && f->has_until) sb_addf(sql, " AND event_date <= $%d::date", param_day(p, f->until_day));
    if (f && f->type) {
        int t = param_str(p, f->type);
        sb_addf(sql, " AND (lower(event_type) = lower($%d) OR lower(sub_event_type) = lower($%d))", t, t);
    }
    if (!n_boxes) return;
    sb_adds(sql, " AND geom IS NOT NULL AND (");
    for (size_t i = 0; i < n_boxes; i++) {
        const geo_bbox *b = &boxes[i];
        int w = param_f8(p, b->west_deg), so = param_f8(p, b->south_deg);
        int e = param_f8(p, b->east_deg), n = param_f8(p, b->north_deg);
        if (i) sb_adds(sql, " OR ");
        sb_adds(sql, "(");
        if (b->east_deg - b->west_deg < 90 && b->north_deg - b->south_deg < 45)
            sb_addf(sql,
                    "geom && ST_Segmentize(ST_MakeEnvelope(greatest($%d::float8 - 0.01, -180),"
                    " greatest($%d::float8 - 0.01, -90), least($%d::float8 + 0.01, 180),"
                    " least($%d::float8 + 0.01, 90), 4326), 0.1)::geography AND ",
                    w, so, e, n);
        sb_addf(sql,
                "ST_X(geom::geometry) BETWEEN $%d::float8 AND $%d::float8"
                " AND ST_Y(geom::geometry) BETWEEN $%d::float8 AND $%d::float8)",
                w, e, so, n);
    }
    sb_adds(sql, ")");
}

/* One row of a cursor, handed to the scan's own reader. */
typedef int (*row_fn)(pg_store *s, const PGresult *r, int row, void *ctx, char **err);

/* DECLARE a cursor for sql and hand each row to fn, PG_FETCH_ROWS at a
 * time; fn returns 0 to go on, 1 to stop, negative for an error.  In a
 * read transaction of its own when no transaction is open. */
static int cursor_scan(pg_store *s, const char *sql, const params *p, row_fn fn, void *ctx, char **err)
{
    if (!s->has_schema) return 0; /* no table yet: no events */
    int rc = flush(s, err);
    if (rc < 0) return rc;
    if (!s->in_transaction && !s->scanning) {
        rc = exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "cannot read", err);
        if (rc < 0) return rc;
        s->read_tx = 1;
    }
    s->scanning++;
    char name[32], fetch[64], close_sql[48];
    snprintf(name, sizeof(name), "eventmap_scan_%u", ++s->cursor_seq);
    snprintf(fetch, sizeof(fetch), "FETCH %d FROM %s", PG_FETCH_ROWS, name);
    snprintf(close_sql, sizeof(close_sql), "CLOSE %s", name);
    strbuf declare = STRBUF_INIT;
    sb_addf(&declare, "DECLARE %s NO SCROLL CURSOR FOR %s", name, sql);
    PGresult *res = NULL;
    rc = query(s, declare.buf, p->n, p->v, &res, "cannot read", err);
    sb_release(&declare);
    PQclear(res);
    int declared = rc == 0;
    while (rc == 0) {
        rc = query(s, fetch, 0, NULL, &res, "cannot read", err);
        if (rc < 0) break;
        int n = PQntuples(res);
        for (int i = 0; i < n && rc == 0; i++) rc = fn(s, res, i, ctx, err);
        PQclear(res);
        if (n < PG_FETCH_ROWS) break;
    }
    if (declared && PQtransactionStatus(s->conn) == PQTRANS_INTRANS) PQclear(PQexec(s->conn, close_sql));
    s->scanning--;
    if (!s->scanning && s->read_tx) {
        s->read_tx = 0;
        PQclear(PQexec(s->conn, rc < 0 ? "ROLLBACK" : "COMMIT"));
    } else if (rc < 0 && s->in_transaction && PQtransactionStatus(s->conn) == PQTRANS_INERROR) {
        s->write_failed = 1; /* the transaction is lost: only a rollback can follow */
    }
    return rc > 0 ? 0 : rc;
}

typedef struct {
    const ev_filter *f;
    store_event_fn fn;
    void *ctx;
} scan_call;

static int scan_row(pg_store *s, const PGresult *r, int row, void *vctx, char **err)
{
    scan_call *c = vctx;
    ev_event e;
    char date[11];
    read_event(r, row, &e, date);
    if (c->f && !ev_filter_match(c->f, &e)) return 0;
    int rc = c->fn(c->ctx, &e, err);
    if (rc < 0) return em_error(err, rc, "%s: reading the store stopped with an error", s->name);
    return rc;
}

/* The query select (columns and FROM) with where_sql's WHERE for f and the
 * boxes, then tail, through a cursor to fn. */
static int select_rows(pg_store *s, const char *select, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes,
                       const char *tail, row_fn fn, void *ctx, char **err)
{
    int rc = store_check_boxes(s->name, boxes, n_boxes, err);
    if (rc < 0) return rc;
    strbuf sql = STRBUF_INIT;
    params p = { 0 };
    sb_adds(&sql, select);
    where_sql(&sql, &p, f, boxes, n_boxes);
    sb_adds(&sql, tail);
    rc = cursor_scan(s, sql.buf, &p, fn, ctx, err);
    sb_release(&sql);
    params_release(&p);
    return rc;
}

static int pg_scan(store *base, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
                   void *ctx, char **err)
{
    scan_call c = { f, fn, ctx };
    return select_rows((pg_store *)base, SELECT_EVENT " FROM events", f, boxes, n_boxes, n_boxes ? "" : " ORDER BY id",
                       scan_row, &c, err);
}

/* store_points' columns. */
enum { P_GEOM, P_DATE, P_FATALITIES, P_EVENT_TYPE, P_LOCATION, P_SUB_EVENT_TYPE, P_ACTOR1, P_ACTOR2 };

typedef struct {
    const ev_filter *f;
    store_point_fn fn;
    void *ctx;
} points_call;

static int point_row(pg_store *s, const PGresult *r, int row, void *vctx, char **err)
{
    points_call *c = vctx;
    store_point p;
    char date[11];
    if (!col_point(r, row, P_GEOM, &p.lon, &p.lat)) return 0;
    p.day = col_day(r, row, P_DATE, date);
    p.fatalities = col_int(r, row, P_FATALITIES);
    p.event_type = col_text(r, row, P_EVENT_TYPE);
    p.location = col_text(r, row, P_LOCATION);
    if (c->f) {
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = e.country = e.admin1 = e.admin2 = e.admin3 = e.source = e.notes = e.gazetteer_id = e.match = "";
        e.event_date = date;
        e.day = p.day;
        e.event_type = p.event_type;
        e.sub_event_type = col_text(r, row, P_SUB_EVENT_TYPE);
        e.actor1 = col_text(r, row, P_ACTOR1);
        e.actor2 = col_text(r, row, P_ACTOR2);
        e.location = p.location;
        e.located = 1;
        e.lon = p.lon;
        e.lat = p.lat;
        e.fatalities = p.fatalities;
        if (!ev_filter_match(c->f, &e)) return 0;
    }
    int rc = c->fn(c->ctx, &p, err);
    if (rc < 0) return em_error(err, rc, "%s: reading the store stopped with an error", s->name);
    return rc;
}

static int pg_points(store *base, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_point_fn fn,
                     void *ctx, char **err)
{
    /* the columns of a store_point, and what ev_filter_match needs of the
     * rest (NULL when the filter is empty or has dates alone, which SQL
     * answers exactly) */
    const ev_filter *rest = f && (f->type || f->actor || f->region) ? f : NULL;
    const char *select = rest ? "SELECT geom, event_date, fatalities,"
                                " event_type, location, sub_event_type, actor1, actor2 FROM events"
                              : "SELECT geom, event_date, fatalities,"
                                " event_type, location FROM events";
    points_call c = { rest, fn, ctx };
    return select_rows((pg_store *)base, select, f, boxes, n_boxes, n_boxes ? "" : " AND geom IS NOT NULL", point_row,
                       &c, err);
}

/* ------------------------------------------------------------ within a radius */

/* The events within km of c (and a millimetre: see in_circle), in no
 * particular order, that pass the date and type of f (NULL: all), whole,
 * into *out. */
static int within_query(pg_store *s, geo_point c, double km, const ev_filter *f, PGresult **out, char **err)
{
    int rc = flush(s, err);
    if (rc < 0) return rc;
    if (!isfinite(c.lat_deg) || !isfinite(c.lon_deg) || c.lat_deg < -90 || c.lat_deg > 90 || c.lon_deg < -180 || c.lon_deg > 180 ||
        !(km >= 0))
        return em_error(err, EM_EUSAGE, "%s: not a circle: %g,%g radius %g km", s->name, c.lat_deg, c.lon_deg, km);
    /* ST_DWithin on the spheroid, a millimetre wider: the caller decides
     * the edge by geo_distance_km, as every back end does */
    params p = { 0 };
    int lon = param_f8(&p, c.lon_deg), lat = param_f8(&p, c.lat_deg);
    int metres = param_f8(&p, km * 1000.0 * (1 + 1e-9) + 0.001);
    strbuf sql = STRBUF_INIT;
    sb_adds(&sql, SELECT_EVENT " FROM events");
    where_sql(&sql, &p, f, NULL, 0);
    sb_addf(&sql, " AND ST_DWithin(geom, ST_SetSRID(ST_MakePoint($%d, $%d), 4326)::geography, $%d)", lon, lat,
            metres);
    rc = query(s, sql.buf, p.n, p.v, out, "cannot read", err);
    sb_release(&sql);
    params_release(&p);
    if (rc < 0 && s->in_transaction) s->write_failed = 1;
    return rc;
}

/* Great-circle distance on the mean-radius sphere: within 0.6% of the
 * geodesic on the ellipsoid, and many times cheaper. */
static double sphere_km(geo_point a, geo_point b)
{
    const double rad = M_PI / 180.0;
    double dlat = (b.lat_deg - a.lat_deg) * rad, dlon = (b.lon_deg - a.lon_deg) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(a.lat_deg * rad) * cos(b.lat_deg * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * 6371.0088 * asin(sqrt(h > 1 ? 1 : h));
}

/* Whether p is within km of c by geo_distance_km, which is asked only near
 * the edge (the sphere decides the rest); its distance into *d. */
static int in_circle(geo_point c, geo_point p, double km, double *d)
{
    double s = sphere_km(c, p);
    if (s < km * 0.99) {
        *d = s;
        return 1;
    }
    *d = geo_distance_km(c, p);
    return *d <= km;
}

static int pg_within(store *base, geo_point c, double km, int exact_km, store_hit_fn fn, void *ctx, char **err)
{
    pg_store *s = (pg_store *)base;
    PQclear(s->within);
    s->within = NULL;
    if (!s->has_schema) return 0;
    int rc = within_query(s, c, km, NULL, &s->within, err);
    if (rc < 0) return rc;
    int n = PQntuples(s->within);
    s->scanning++;
    for (int i = 0; i < n && rc == 0; i++) {
        geo_point p;
        if (!col_point(s->within, i, C_GEOM, &p.lon_deg, &p.lat_deg)) continue;
        double d;
        if (!in_circle(c, p, km, &d)) continue;
        if (exact_km && d < km * 0.99) d = geo_distance_km(c, p);
        rc = fn(ctx, i, p.lat_deg, p.lon_deg, d);
    }
    s->scanning--;
    return rc > 0 ? 0 : rc;
}

static int pg_get(store *base, int64_t key, const ev_filter *f, store_event_fn fn, void *ctx, char **err)
{
    pg_store *s = (pg_store *)base;
    if (!s->within || key < 0 || key >= PQntuples(s->within))
        return em_error(err, EM_EINPUT, "%s: no event with key %lld (keys are store_within's last answer)",
                        s->name, (long long)key);
    ev_event e;
    char date[11];
    read_event(s->within, (int)key, &e, date);
    s->scanning++;
    int rc = ev_filter_match(f, &e) ? fn(ctx, &e, err) : 0;
    s->scanning--;
    return rc > 0 ? 0 : rc;
}

static int pg_near(store *base, geo_point c, double km, const ev_filter *f, store_event_fn fn, void *ctx,
                   char **err)
{
    pg_store *s = (pg_store *)base;
    if (!s->has_schema) return 0;
    PGresult *res;
    int rc = within_query(s, c, km, f, &res, err);
    if (rc < 0) return rc;
    int n = PQntuples(res);
    s->scanning++;
    for (int i = 0; i < n && rc == 0; i++) {
        ev_event e;
        char date[11];
        read_event(res, i, &e, date);
        geo_point p = { e.lat, e.lon };
        double d;
        if (!in_circle(c, p, km, &d) || (f && !ev_filter_match(f, &e))) continue;
        rc = fn(ctx, &e, err);
        if (rc < 0) rc = em_error(err, rc, "%s: reading the store stopped with an error", s->name);
    }
    s->scanning--;
    PQclear(res);
    return rc > 0 ? 0 : rc;
}

static const store_backend pg_backend = {
    .close = pg_close,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .put = pg_put,
    .count = pg_count,
    .scan = pg_scan,
    .points = pg_points,
    .within = pg_within,
    .get = pg_get,
    .near = pg_near,
};

void pg_store_versions(struct strbuf *out)
{
    int v = PQlibVersion();
    sb_addf(out, "%slibpq %d.%d", out->len ? ", " : "", v / 10000, v % 10000);
}
