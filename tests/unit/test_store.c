/*
 * test_store.c - the SQLite event store: every field through a round trip,
 * upserts (new, updated, unchanged) and the R*Tree kept in step with them,
 * transactions that roll back, box scans checked against a brute-force
 * search over random events (with the R*Tree built in bulk and by single
 * inserts, and checked by SQLite's rtreecheck), the filters, the callback
 * protocol, and the errors a user meets (not a store, no such store, a
 * missing directory, bad coordinates).
 */
#include <check.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "events/event.h"
#include "store/store.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"

/* ---------------------------------------------------------------- helpers */

/* The back ends, the loop index of a test that runs on each (its first
 * line sets backend). */
enum { GPKG = 0, POSTGIS = 1 };
static int backend;
/* Between begin() and commit() or rollback(): PostGIS answers a put with
 * STORE_PENDING there, and says what the puts did at the commit. */
static int in_tx;

/* A fresh store of the test's back end: a path under the test directory,
 * or a new database's URL; caller frees. */
static char *store_path(const char *name)
{
    if (backend == POSTGIS) {
        char *url = test_pg_new_db();
        ck_assert_msg(url != NULL, "cannot make a database for %s", name);
        return url;
    }
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", test_tmpdir(), name);
    unlink(sb.buf);
    return sb_detach(&sb, NULL);
}

static store *open_store(const char *path, int mode)
{
    store *s = NULL;
    char *err = NULL;
    int rc = store_open(path, mode, &s, &err);
    ck_assert_msg(rc == 0, "store_open(%s): %d %s", path, rc, err ? err : "");
    ck_assert_ptr_nonnull(s);
    in_tx = 0;
    return s;
}

static void put_ok(store *s, const ev_event *e, int want)
{
    char *err = NULL;
    if (backend == POSTGIS && in_tx) want = STORE_PENDING;
    int rc = store_put(s, e, &err);
    ck_assert_msg(rc == want, "store_put(%s) = %d, want %d (%s)", e->id, rc, want, err ? err : "");
    free(err);
}

static void begin(store *s)
{
    char *err = NULL;
    ck_assert_msg(store_begin(s, &err) == 0, "store_begin: %s", err ? err : "");
    in_tx = 1;
}

static void rollback(store *s)
{
    store_rollback(s);
    in_tx = 0;
}

static void commit(store *s)
{
    char *err = NULL;
    ck_assert_msg(store_commit(s, &err) == 0, "store_commit: %s", err ? err : "");
    in_tx = 0;
}

static void assert_count(store *s, size_t want_total, size_t want_unlocated)
{
    size_t total = 99, unlocated = 99;
    char *err = NULL;
    ck_assert_msg(store_count(s, &total, &unlocated, &err) == 0, "store_count: %s", err ? err : "");
    ck_assert_uint_eq(total, want_total);
    ck_assert_uint_eq(unlocated, want_unlocated);
}

/* A plain located event with every string set. */
/* The file at path holds exactly the before_len bytes of before. */
static void assert_file_is(const char *path, const char *before, size_t before_len)
{
    size_t after_len = 0;
    char *after = test_read_file(path, &after_len);
    ck_assert_ptr_nonnull(after);
    ck_assert_uint_eq(after_len, before_len);
    if (before_len) ck_assert_mem_eq(before, after, before_len);
    free(after);
}

static ev_event sample_event(const char *id)
{
    ev_event e;
    memset(&e, 0, sizeof(e));
    e.id = id;
    e.event_date = "2024-03-15";
    e.day = 19797;
    e.time_precision = EV_TIME_DAY;
    e.event_type = "Battles";
    e.sub_event_type = "Armed clash";
    e.actor1 = "Military Forces of Syria (2000-2024)";
    e.actor2 = "Islamic State (Syria)";
    e.country = "Syria";
    e.admin1 = "Rural Damascus";
    e.admin2 = "Duma";
    e.admin3 = "Ad Dumayr subdistrict";
    e.location = "Ad Dumayr";
    e.located = 1;
    e.lat = 33.64389;
    e.lon = 36.69376;
    e.geo_precision = EV_GEO_EXACT;
    e.fatalities = 3;
    e.source = "SANA; SOHR";
    e.notes = "On 15 March 2024, clashes near al-Dumair.";
    e.gazetteer_id = "geonames:170589";
    e.match = "exact";
    e.confidence = 0.875;
    return e;
}

/* Events copied out of scan callbacks (their strings are borrowed). */
typedef struct {
    ev_event *events;
    size_t n, alloc;
    size_t stop_after;  /* return 1 after this many; 0: never */
} collected;

static int collect(void *ctx, const ev_event *e, char **err)
{
    collected *c = ctx;
    ALLOC_GROW(c->events, c->n + 1, c->alloc);
    ev_event *copy = &c->events[c->n++];
    *copy = *e;
    copy->id = xstrdup(e->id);
    copy->event_date = xstrdup(e->event_date);
    copy->event_type = xstrdup(e->event_type);
    copy->sub_event_type = xstrdup(e->sub_event_type);
    copy->actor1 = xstrdup(e->actor1);
    copy->actor2 = xstrdup(e->actor2);
    copy->country = xstrdup(e->country);
    copy->admin1 = xstrdup(e->admin1);
    copy->admin2 = xstrdup(e->admin2);
    copy->admin3 = xstrdup(e->admin3);
    copy->location = xstrdup(e->location);
    copy->source = xstrdup(e->source);
    copy->notes = xstrdup(e->notes);
    copy->gazetteer_id = xstrdup(e->gazetteer_id);
    copy->match = xstrdup(e->match);
    return c->stop_after && c->n >= c->stop_after ? 1 : 0;
}

static void collected_free(collected *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ev_event *e = &c->events[i];
        const char *strings[] = { e->id, e->event_date, e->event_type, e->sub_event_type, e->actor1,
                                  e->actor2, e->country, e->admin1, e->admin2, e->admin3, e->location,
                                  e->source, e->notes,
                                  e->gazetteer_id, e->match };
        for (size_t j = 0; j < sizeof(strings) / sizeof(strings[0]); j++) free((char *)strings[j]);
    }
    free(c->events);
    memset(c, 0, sizeof(*c));
}

static void scan_into(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, collected *c)
{
    char *err = NULL;
    int rc = store_scan(s, f, boxes, n_boxes, collect, c, &err);
    ck_assert_msg(rc == 0, "store_scan: %d %s", rc, err ? err : "");
}

static void assert_same_event(const ev_event *got, const ev_event *want)
{
    ck_assert_str_eq(got->id, want->id);
    ck_assert_str_eq(got->event_date, want->event_date);
    ck_assert_int_eq(got->day, want->day);
    ck_assert_int_eq(got->time_precision, want->time_precision);
    ck_assert_str_eq(got->event_type, want->event_type);
    ck_assert_str_eq(got->sub_event_type, want->sub_event_type);
    ck_assert_str_eq(got->actor1, want->actor1);
    ck_assert_str_eq(got->actor2, want->actor2);
    ck_assert_str_eq(got->country, want->country);
    ck_assert_str_eq(got->admin1, want->admin1);
    ck_assert_str_eq(got->admin2, want->admin2 ? want->admin2 : "");
    ck_assert_str_eq(got->admin3, want->admin3 ? want->admin3 : "");
    ck_assert_str_eq(got->location, want->location);
    ck_assert_int_eq(got->located, want->located != 0);
    if (want->located) {
        ck_assert_msg(got->lat == want->lat && got->lon == want->lon, "%s: %.17g,%.17g, want %.17g,%.17g",
                      want->id, got->lat, got->lon, want->lat, want->lon);
    }
    ck_assert_int_eq(got->geo_precision, want->geo_precision);
    ck_assert_int_eq(got->fatalities, want->fatalities);
    ck_assert_str_eq(got->source, want->source);
    ck_assert_str_eq(got->notes, want->notes);
    ck_assert_str_eq(got->gazetteer_id, want->gazetteer_id);
    ck_assert_str_eq(got->match, want->match);
    ck_assert_msg(got->confidence == want->confidence, "%s: confidence %.17g, want %.17g", want->id,
                  got->confidence, want->confidence);
}

/* ---------------------------------------------------------------- random events */

/* A small deterministic generator (xorshift64*), so failures reproduce. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [lo, hi]. */
static double rng_uniform(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rng_next() >> 11) / (double)(UINT64_C(1) << 53));
}

static int rng_int(int n)
{
    return (int)(rng_next() % (uint64_t)n);
}

#define N_RANDOM 2000

static const char *const random_types[][2] = {
    { "Battles", "Armed clash" },
    { "Explosions/Remote violence", "Air/drone strike" },
    { "Explosions/Remote violence", "Shelling/artillery/missile attack" },
    { "Violence against civilians", "Attack" },
    { "Protests", "Peaceful protest" },
    { "Strategic developments", "Looting/property destruction" },
};
static const char *const random_actors[] = { "Military Forces of Syria", "Islamic State", "SDF",
                                             "Hayat Tahrir al-Sham", "Civilians (Syria)", "" };
/* Coordinates worth meeting often: the edges of the world and of the test boxes. */
static const double edge_lons[] = { -180, 180, 0, 170, -170, 10, 10.5, 36.5 };
static const double edge_lats[] = { -90, 90, 0, 80, -80, 33, 33.5, 20 };

typedef struct {
    char ids[N_RANDOM][16];
    char dates[N_RANDOM][11];
    ev_event events[N_RANDOM];
} random_set;

/* N_RANDOM events, in random id order: a tenth unlocated, a tenth on an
 * edge coordinate or a hair beside one, the rest anywhere on Earth.  Their
 * ids begin with prefix. */
static random_set *make_random_set_with(uint64_t seed, char prefix)
{
    random_set *r = xcalloc(1, sizeof(*r));
    rng_state = seed;
    for (int i = 0; i < N_RANDOM; i++) {
        ev_event *e = &r->events[i];
        *e = sample_event(NULL);
        snprintf(r->ids[i], sizeof(r->ids[i]), "%c%05d", prefix, (int)((i * 7919) % N_RANDOM));
        e->id = r->ids[i];
        e->day = 18000 + rng_int(2000);
        ev_format_date(e->day, r->dates[i]);
        e->event_date = r->dates[i];
        int t = rng_int((int)(sizeof(random_types) / sizeof(random_types[0])));
        e->event_type = random_types[t][0];
        e->sub_event_type = random_types[t][1];
        e->actor1 = random_actors[rng_int(6)];
        e->actor2 = random_actors[rng_int(6)];
        e->fatalities = rng_int(20);
        int kind = rng_int(10);
        if (kind == 0) {
            e->located = 0;
            e->lat = e->lon = 0;
            e->geo_precision = EV_GEO_NONE;
            e->confidence = 0;
        } else if (kind == 1) {
            int nudge = rng_int(3) - 1; /* a hair below, on, or above the edge */
            e->lon = edge_lons[rng_int(8)] + nudge * 1e-9;
            e->lat = edge_lats[rng_int(8)] + nudge * 1e-9;
            if (e->lon > 180) e->lon = 180;
            if (e->lon < -180) e->lon = -180;
            if (e->lat > 90) e->lat = 90;
            if (e->lat < -90) e->lat = -90;
        } else {
            e->lon = rng_uniform(-180, 180);
            e->lat = rng_uniform(-90, 90);
        }
    }
    return r;
}

static random_set *make_random_set(uint64_t seed)
{
    return make_random_set_with(seed, 'R');
}

static void put_all(store *s, const random_set *r)
{
    begin(s);
    for (int i = 0; i < N_RANDOM; i++) put_ok(s, &r->events[i], STORE_NEW);
    commit(s);
}

static int cmp_ids(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int in_box(const geo_bbox *b, const ev_event *e)
{
    return e->located && e->lon >= b->west_deg && e->lon <= b->east_deg && e->lat >= b->south_deg &&
           e->lat <= b->north_deg;
}

/* The scan's answer equals the brute-force one over events[0..n): each
 * wanted event once. */
static void assert_events_match(store *s, const ev_event *events, size_t n, const ev_filter *f,
                                const geo_bbox *boxes, size_t n_boxes)
{
    collected c = { 0 };
    scan_into(s, f, boxes, n_boxes, &c);
    const char **want = xcalloc(n + 1, sizeof(*want));
    size_t n_want = 0;
    for (size_t i = 0; i < n; i++) {
        const ev_event *e = &events[i];
        int hit = !n_boxes;
        for (size_t j = 0; j < n_boxes && !hit; j++) hit = in_box(&boxes[j], e);
        if (hit && ev_filter_match(f, e)) want[n_want++] = e->id;
    }
    const char **got = xcalloc(c.n + 1, sizeof(*got));
    for (size_t i = 0; i < c.n; i++) got[i] = c.events[i].id;
    qsort(want, n_want, sizeof(*want), cmp_ids);
    qsort(got, c.n, sizeof(*got), cmp_ids);
    const char *first_box = n_boxes ? "box" : "no box";
    ck_assert_msg(c.n == n_want, "%s %g,%g,%g,%g: %zu events, brute force finds %zu", first_box,
                  n_boxes ? boxes[0].west_deg : 0, n_boxes ? boxes[0].south_deg : 0,
                  n_boxes ? boxes[0].east_deg : 0, n_boxes ? boxes[0].north_deg : 0, c.n, n_want);
    for (size_t i = 0; i < n_want; i++) ck_assert_str_eq(got[i], want[i]);
    free(want);
    free(got);
    collected_free(&c);
}

static void assert_scan_matches(store *s, const random_set *r, const ev_filter *f, const geo_bbox *boxes,
                                size_t n_boxes)
{
    assert_events_match(s, r->events, N_RANDOM, f, boxes, n_boxes);
}

/* What SQLite itself says of the file: it is sound, its R*Tree checks out
 * (rtreecheck), holds exactly the located events and has its triggers, the
 * extent in gpkg_contents is the points', and the indexes are all there. */
static void assert_store_sound(const char *path)
{
    char *why = test_store_check(path, 1);
    ck_assert_msg(!why, "%s", why);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM sqlite_master WHERE type = 'index'"
                                        " AND tbl_name = 'events' AND sql IS NOT NULL",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 4); /* id, day, type, sub-type */
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* assert_store_sound on a GeoPackage; PostgreSQL keeps its own indexes
 * right. */
static void assert_sound(const char *path)
{
    if (backend == GPKG) assert_store_sound(path);
}

/* A few boxes, large and small, for checking a tree whole. */
static void assert_boxes_match(store *s, const ev_event *events, size_t n)
{
    static const geo_bbox boxes[] = {
        { -180, -90, 180, 90 }, { 170, -90, 180, 90 }, { -180, 80, 180, 90 }, { -10, -10, 30, 40 },
        { 100, -50, 101, -40 }, { 10, 33, 10.5, 33.5 }, { -60, 10, -59.5, 10.5 },
    };
    for (size_t i = 0; i < sizeof(boxes) / sizeof(boxes[0]); i++) assert_events_match(s, events, n, NULL, &boxes[i], 1);
}

/* ---------------------------------------------------------------- tests */

START_TEST(store_put_should_round_trip_every_field)
{
    backend = _i;
    char *path = store_path("roundtrip.db");
    store *s = open_store(path, STORE_CREATE);
    ev_event a = sample_event("SYR1");
    a.lat = 33.123456789012345;
    a.lon = -0.000123456789;
    a.time_precision = EV_TIME_WEEK;
    a.geo_precision = EV_GEO_NEAR;
    a.notes = "Quotes \" and ' and a newline\nand Arabic: الضمير";
    a.location = "Aḑ Ḑumayr";
    ev_event b = sample_event("SYR0");
    b.located = 0;
    b.lat = b.lon = 0;
    b.geo_precision = EV_GEO_NONE;
    b.gazetteer_id = "";
    b.match = "";
    b.confidence = 0;
    b.actor2 = "";
    b.fatalities = 0;
    b.day = -1;
    b.event_date = "1969-12-31";
    begin(s);
    put_ok(s, &a, STORE_NEW);
    put_ok(s, &b, STORE_NEW);
    commit(s);
    store_close(s);

    s = open_store(path, STORE_READ);
    assert_count(s, 2, 1);
    collected c = { 0 };
    scan_into(s, NULL, NULL, 0, &c);
    ck_assert_uint_eq(c.n, 2);
    assert_same_event(&c.events[0], &b); /* in id order */
    assert_same_event(&c.events[1], &a);
    collected_free(&c);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_put_should_say_unchanged_for_the_same_event_twice)
{
    backend = _i;
    char *path = store_path("twice.db");
    store *s = open_store(path, STORE_CREATE);
    ev_event e = sample_event("SYR1");
    begin(s);
    put_ok(s, &e, STORE_NEW);
    put_ok(s, &e, STORE_UNCHANGED);
    commit(s);
    /* again in a later transaction, and outside any transaction */
    begin(s);
    put_ok(s, &e, STORE_UNCHANGED);
    commit(s);
    put_ok(s, &e, STORE_UNCHANGED);
    /* an unlocated event whose unused coordinates differ is the same event */
    ev_event u = sample_event("SYR2");
    u.located = 0;
    u.lat = 1;
    put_ok(s, &u, STORE_NEW);
    u.lat = 2;
    put_ok(s, &u, STORE_UNCHANGED);
    assert_count(s, 2, 1);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_put_should_update_when_any_field_differs)
{
    backend = _i;
    char *path = store_path("update.db");
    store *s = open_store(path, STORE_CREATE);
    ev_event base = sample_event("SYR1");
    begin(s);
    put_ok(s, &base, STORE_NEW);
    for (int field = 0; field < 22; field++) {
        ev_event e = base;
        switch (field) {
        case 0:
            e.event_date = "2024-03-16";
            if (backend == POSTGIS) e.day++; /* the day of the date, as PostgreSQL reads it */
            break;
        case 1:
            /* PostgreSQL keeps the date alone, its day derived from it */
            if (backend == POSTGIS) continue;
            e.day++;
            break;
        case 2: e.time_precision = EV_TIME_MONTH; break;
        case 3: e.event_type = "Protests"; break;
        case 4: e.sub_event_type = "Attack"; break;
        case 5: e.actor1 = "Someone else"; break;
        case 6: e.actor2 = ""; break;
        case 7: e.country = "Iraq"; break;
        case 8: e.admin1 = "Homs"; break;
        case 9: e.location = "Dumair"; break;
        case 10: e.lat = nextafter(e.lat, 90); break;
        case 11: e.lon = nextafter(e.lon, -180); break;
        case 12: e.geo_precision = EV_GEO_REGION; break;
        case 13: e.fatalities = 0; break;
        case 14: e.source = "SANA"; break;
        case 15: e.notes = "On 15 March 2024, clashes near al-Dumair!"; break;
        case 16: e.gazetteer_id = "eventmap:dumair"; break;
        case 17: e.match = "alias"; break;
        case 18: e.confidence = 0.5; break;
        case 19: e.located = 0; break;
        case 20: e.admin2 = "Markaz Rif Dimashq"; break;
        case 21: e.admin3 = ""; break;
        }
        put_ok(s, &e, STORE_UPDATED);
        put_ok(s, &e, STORE_UNCHANGED);
        collected c = { 0 };
        scan_into(s, NULL, NULL, 0, &c);
        ck_assert_uint_eq(c.n, 1);
        assert_same_event(&c.events[0], &e);
        collected_free(&c);
        put_ok(s, &base, STORE_UPDATED);
    }
    commit(s);
    assert_count(s, 1, 0);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_put_should_find_repeated_ids_in_a_large_import)
{
    backend = _i;
    /* an import into an empty store keeps its ids in memory until the
     * commit makes the id index: enough of them to grow that map a few times */
    enum { N = 70000 };
    char *path = store_path("large.db");
    store *s = open_store(path, STORE_CREATE);
    char id[32];
    ev_event e = sample_event(id);
    begin(s);
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof(id), "L%d", i);
        e.lat = -80 + 160.0 * i / N;
        put_ok(s, &e, STORE_NEW);
    }
    for (int i = 0; i < N; i += 997) {
        snprintf(id, sizeof(id), "L%d", i);
        e.lat = -80 + 160.0 * i / N;
        put_ok(s, &e, STORE_UNCHANGED);
        e.fatalities = 99;
        put_ok(s, &e, STORE_UPDATED);
        e.fatalities = sample_event(id).fatalities;
    }
    commit(s);
    assert_count(s, N, 0);
    begin(s);
    snprintf(id, sizeof(id), "L%d", 997);
    e.lat = -80 + 160.0 * 997 / N;
    e.fatalities = 99;
    put_ok(s, &e, STORE_UNCHANGED); /* now through the id index */
    commit(s);
    store_close(s);
    assert_sound(path);
    free(path);
}
END_TEST

START_TEST(store_put_should_keep_the_rtree_in_step)
{
    backend = _i;
    char *path = store_path("move.db");
    store *s = open_store(path, STORE_CREATE);
    const geo_bbox syria = { 35, 32, 43, 38 }, iraq_west = { 40, 30, 44, 34 }, iceland = { -25, 63, -13, 67 };
    ev_event e = sample_event("SYR1");
    put_ok(s, &e, STORE_NEW);

    collected c = { 0 };
    scan_into(s, NULL, &syria, 1, &c);
    ck_assert_uint_eq(c.n, 1);
    collected_free(&c);

    /* moved: found at the new place only */
    e.lat = 64.1;
    e.lon = -21.9;
    put_ok(s, &e, STORE_UPDATED);
    scan_into(s, NULL, &syria, 1, &c);
    ck_assert_uint_eq(c.n, 0);
    scan_into(s, NULL, &iceland, 1, &c);
    ck_assert_uint_eq(c.n, 1);
    collected_free(&c);

    /* unlocated: in no box, still in the full scan */
    e.located = 0;
    put_ok(s, &e, STORE_UPDATED);
    scan_into(s, NULL, &iceland, 1, &c);
    ck_assert_uint_eq(c.n, 0);
    scan_into(s, NULL, NULL, 0, &c);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_int_eq(c.events[0].located, 0);
    collected_free(&c);
    assert_count(s, 1, 1);

    /* located again */
    e.located = 1;
    e.lat = 33.3;
    e.lon = 43.1;
    put_ok(s, &e, STORE_UPDATED);
    scan_into(s, NULL, &iraq_west, 1, &c);
    ck_assert_uint_eq(c.n, 1);
    collected_free(&c);
    scan_into(s, NULL, &iceland, 1, &c);
    ck_assert_uint_eq(c.n, 0);
    assert_count(s, 1, 0);
    store_close(s);
    free(path);
}
END_TEST

static void dump_store(store *s, collected *all, collected *boxed)
{
    const geo_bbox world = { -180, -90, 180, 90 };
    scan_into(s, NULL, NULL, 0, all);
    scan_into(s, NULL, &world, 1, boxed);
}

static void assert_same_dump(const collected *a, const collected *b)
{
    ck_assert_uint_eq(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) assert_same_event(&a->events[i], &b->events[i]);
}

/* Change the store in every way a transaction can: new events (located or
 * not), updates, moves, an event losing its coordinates. */
static void change_everything(store *s, const random_set *r)
{
    ev_event extra = sample_event("NEW1");
    put_ok(s, &extra, STORE_NEW);
    extra.id = "NEW2";
    extra.located = 0;
    put_ok(s, &extra, STORE_NEW);
    for (int i = 0; i < 20; i++) {
        ev_event e = r->events[i];
        if (i % 3 == 0) e.notes = "changed";
        else if (i % 3 == 1 && e.located) e.located = 0;
        else {
            e.located = 1;
            e.lat = 1.5;
            e.lon = 2.5;
        }
        put_ok(s, &e, STORE_UPDATED);
    }
}

START_TEST(store_rollback_should_leave_the_store_as_it_was)
{
    backend = _i;
    char *path = store_path("rollback.db");
    random_set *r = make_random_set(42);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);
    collected before = { 0 }, before_boxed = { 0 };
    dump_store(s, &before, &before_boxed);
    size_t total = 0, unlocated = 0;
    ck_assert_int_eq(store_count(s, &total, &unlocated, NULL), 0);
    ck_assert_uint_eq(total, N_RANDOM);

    begin(s);
    change_everything(s, r);
    size_t during = 0;
    ck_assert_int_eq(store_count(s, &during, NULL, NULL), 0);
    ck_assert_uint_eq(during, total + 2);
    rollback(s);

    assert_count(s, total, unlocated);
    collected after = { 0 }, after_boxed = { 0 };
    dump_store(s, &after, &after_boxed);
    assert_same_dump(&before, &after);
    assert_same_dump(&before_boxed, &after_boxed);
    collected_free(&after);
    collected_free(&after_boxed);

    /* and the store takes the next transaction */
    begin(s);
    put_ok(s, &r->events[0], STORE_UNCHANGED);
    commit(s);
    store_close(s);
    collected_free(&before);
    collected_free(&before_boxed);
    free(r);
    free(path);
}
END_TEST

/* Move, unlocate and relocate some of events[0..n) (in place) and put them. */
static void shuffle_places(store *s, ev_event *events, size_t n, size_t step, int want)
{
    for (size_t i = 0; i < n; i += step) {
        ev_event *e = &events[i];
        if (!e->located) {
            e->located = 1;
            e->lat = rng_uniform(-90, 90);
            e->lon = rng_uniform(-180, 180);
        } else if (i % (3 * step) == 0) {
            e->located = 0;
        } else {
            e->lat = rng_uniform(-90, 90);
            e->lon = rng_uniform(-180, 180);
        }
        put_ok(s, e, want);
    }
}

START_TEST(store_commit_should_keep_a_sound_rtree_through_bulk_and_single_writes)
{
    backend = _i;
    char *path = store_path("bulk.db");
    random_set *first = make_random_set_with(1, 'R'), *second = make_random_set_with(2, 'S');
    ev_event *all = xcalloc(2 * N_RANDOM, sizeof(*all));

    /* an import into an empty store: the R*Tree is built in one go */
    store *s = open_store(path, STORE_CREATE);
    put_all(s, first);
    store_close(s);
    assert_sound(path);
    s = open_store(path, STORE_READ);
    assert_boxes_match(s, first->events, N_RANDOM);

    /* a few changes go into that tree one by one */
    rng_state = 3;
    begin(s);
    shuffle_places(s, first->events, N_RANDOM, 37, STORE_UPDATED);
    commit(s);
    assert_boxes_match(s, first->events, N_RANDOM);
    store_close(s);
    assert_sound(path);

    /* many new events, some changed again before the commit: the tree is
     * built again, with the old entries */
    s = open_store(path, STORE_CREATE);
    begin(s);
    for (int i = 0; i < N_RANDOM; i++) put_ok(s, &second->events[i], STORE_NEW);
    shuffle_places(s, second->events, N_RANDOM, 11, STORE_UPDATED);
    size_t located = 0;
    for (int i = 0; i < N_RANDOM; i++) located += first->events[i].located + second->events[i].located;
    assert_count(s, 2 * N_RANDOM, 2 * N_RANDOM - located);
    commit(s);
    memcpy(all, first->events, N_RANDOM * sizeof(*all));
    memcpy(all + N_RANDOM, second->events, N_RANDOM * sizeof(*all));
    assert_boxes_match(s, all, 2 * N_RANDOM);
    assert_count(s, 2 * N_RANDOM, 2 * N_RANDOM - located);
    store_close(s);
    assert_sound(path);

    free(all);
    free(first);
    free(second);
    free(path);
}
END_TEST

START_TEST(store_scan_should_see_the_open_transaction)
{
    backend = _i;
    char *path = store_path("pending.db");
    store *s = open_store(path, STORE_CREATE);
    const geo_bbox a = { 10, 10, 11, 11 }, b = { 20, 20, 21, 21 };
    begin(s);
    ev_event x = sample_event("X");
    x.lat = x.lon = 10.5;
    put_ok(s, &x, STORE_NEW);
    x.lat = x.lon = 20.5; /* moved before its entry reached the R*Tree */
    put_ok(s, &x, STORE_UPDATED);
    ev_event y = sample_event("Y");
    y.lat = y.lon = 10.25;
    put_ok(s, &y, STORE_NEW);
    y.located = 0;
    put_ok(s, &y, STORE_UPDATED);
    ev_event z = sample_event("Z");
    z.located = 0;
    put_ok(s, &z, STORE_NEW);
    z.located = 1;
    z.lat = z.lon = 10.75;
    put_ok(s, &z, STORE_UPDATED);
    assert_count(s, 3, 1);

    collected c = { 0 };
    scan_into(s, NULL, &a, 1, &c);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_str_eq(c.events[0].id, "Z");
    collected_free(&c);
    scan_into(s, NULL, &b, 1, &c);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_str_eq(c.events[0].id, "X");
    collected_free(&c);

    /* and after that scan the transaction goes on */
    ev_event w = sample_event("W");
    w.lat = w.lon = 20.25;
    put_ok(s, &w, STORE_NEW);
    commit(s);
    scan_into(s, NULL, &b, 1, &c);
    ck_assert_uint_eq(c.n, 2);
    collected_free(&c);
    assert_count(s, 4, 1);
    store_close(s);
    assert_sound(path);
    free(path);
}
END_TEST

/* A box scan nested in a full scan, inside a transaction with events not
 * yet in the R*Tree: the outer scan puts them there before it starts, so
 * the inner one finds them and nothing is written under a running read
 * (sqlite.c asserts it). */
typedef struct {
    store *s;
    size_t outer, inner;
} nested_ctx;

static int count_inner(void *ctx, const ev_event *e, char **err)
{
    (void)e;
    (void)err;
    ((nested_ctx *)ctx)->inner++;
    return 0;
}

static int scan_box_inside(void *ctx, const ev_event *e, char **err)
{
    nested_ctx *n = ctx;
    n->outer++;
    const geo_bbox box = { e->lon - 0.01, e->lat - 0.01, e->lon + 0.01, e->lat + 0.01 };
    return store_scan(n->s, NULL, &box, 1, count_inner, n, err) < 0 ? -1 : 0;
}

START_TEST(store_scan_should_flush_the_transaction_before_a_nested_box_scan)
{
    backend = _i;
    char *path = store_path("nested.db");
    store *s = open_store(path, STORE_CREATE);
    begin(s);
    for (int i = 0; i < 5; i++) {
        char id[8];
        snprintf(id, sizeof(id), "N%d", i);
        ev_event e = sample_event(id);
        e.lat = 30 + i;
        e.lon = 40 + i;
        put_ok(s, &e, STORE_NEW);
    }
    nested_ctx n = { s, 0, 0 };
    char *err = NULL;
    ck_assert_msg(store_scan(s, NULL, NULL, 0, scan_box_inside, &n, &err) == 0, "%s", err ? err : "");
    ck_assert_uint_eq(n.outer, 5);
    ck_assert_uint_eq(n.inner, 5);
    commit(s);
    store_close(s);
    assert_sound(path);
    free(path);
}
END_TEST

START_TEST(store_rollback_should_undo_a_bulk_rebuild)
{
    backend = _i;
    char *path = store_path("bulk-rollback.db");
    random_set *first = make_random_set_with(4, 'R'), *second = make_random_set_with(5, 'S');
    store *s = open_store(path, STORE_CREATE);
    put_all(s, first);

    begin(s);
    for (int i = 0; i < N_RANDOM; i++) put_ok(s, &second->events[i], STORE_NEW);
    /* a box scan now rebuilds the R*Tree inside the transaction */
    collected c = { 0 };
    const geo_bbox world = { -180, -90, 180, 90 };
    scan_into(s, NULL, &world, 1, &c);
    size_t located = 0;
    for (int i = 0; i < N_RANDOM; i++) located += first->events[i].located + second->events[i].located;
    ck_assert_uint_eq(c.n, located);
    collected_free(&c);
    rollback(s);

    size_t located_first = 0;
    for (int i = 0; i < N_RANDOM; i++) located_first += first->events[i].located;
    assert_count(s, N_RANDOM, N_RANDOM - located_first);
    assert_boxes_match(s, first->events, N_RANDOM);
    store_close(s);
    assert_sound(path);
    free(first);
    free(second);
    free(path);
}
END_TEST

START_TEST(store_rollback_should_undo_an_import_into_an_empty_store)
{
    backend = _i;
    char *path = store_path("empty-rollback.db");
    random_set *r = make_random_set(6);
    store *s = open_store(path, STORE_CREATE);
    begin(s);
    for (int i = 0; i < N_RANDOM; i++) put_ok(s, &r->events[i], STORE_NEW);
    rollback(s);
    assert_count(s, 0, 0);
    store_close(s);
    assert_sound(path); /* the indexes the import set aside are back */
    /* (in PostgreSQL the rollback took away the tables the first
     * transaction made: the database is as it was) */
    s = open_store(path, STORE_CREATE);
    put_all(s, r);
    assert_boxes_match(s, r->events, N_RANDOM);
    store_close(s);
    assert_sound(path);
    free(r);
    free(path);
}
END_TEST

static int put_from_callback(void *ctx, const ev_event *e, char **err)
{
    store *s = ctx;
    ev_event copy = *e;
    copy.notes = "changed during a scan";
    return store_put(s, &copy, err);
}

START_TEST(store_put_should_refuse_to_write_during_a_scan)
{
    backend = _i;
    char *path = store_path("scan-write.db");
    store *s = open_store(path, STORE_CREATE);
    ev_event e = sample_event("A");
    put_ok(s, &e, STORE_NEW);
    char *err = NULL;
    ck_assert_int_eq(store_scan(s, NULL, NULL, 0, put_from_callback, s, &err), EM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err, "during a scan"));
    free(err);
    put_ok(s, &e, STORE_UNCHANGED);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_close_should_roll_back_an_open_transaction)
{
    backend = _i;
    char *path = store_path("close.db");
    store *s = open_store(path, STORE_CREATE);
    ev_event kept = sample_event("KEPT");
    put_ok(s, &kept, STORE_NEW);
    begin(s);
    ev_event lost = sample_event("LOST");
    put_ok(s, &lost, STORE_NEW);
    kept.notes = "changed";
    put_ok(s, &kept, STORE_UPDATED);
    store_close(s);

    s = open_store(path, STORE_READ);
    assert_count(s, 1, 0);
    collected c = { 0 };
    scan_into(s, NULL, NULL, 0, &c);
    ck_assert_uint_eq(c.n, 1);
    kept.notes = sample_event("KEPT").notes;
    assert_same_event(&c.events[0], &kept);
    collected_free(&c);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_scan_should_match_a_brute_force_box_search)
{
    backend = _i;
    char *path = store_path("boxes.db");
    random_set *r = make_random_set(20240315);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);

    static const geo_bbox fixed[] = {
        { -180, -90, 180, 90 },     /* the world */
        { 170, -90, 180, 90 },      /* touching the antimeridian from the west */
        { -180, -90, -170, 90 },    /* and from the east */
        { -180, 80, 180, 90 },      /* the north pole's cap */
        { -180, -90, 180, -80 },    /* the south pole's cap */
        { 180, -90, 180, 90 },      /* the antimeridian itself */
        { -180, 90, 180, 90 },      /* the north pole itself */
        { 10, 33, 10, 33 },         /* one point */
        { 10, 33, 10.5, 33.5 },     /* edges where events sit, and a hair beside */
        { 0, 0, 0, 0 },
        { 36.5, 20, 170, 80 },
        { -1e-9, -1e-9, 1e-9, 1e-9 },
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) assert_scan_matches(s, r, NULL, &fixed[i], 1);

    rng_state = 7;
    for (int i = 0; i < 200; i++) {
        double w = rng_uniform(-180, 180), e = rng_uniform(-180, 180);
        double south = rng_uniform(-90, 90), north = rng_uniform(-90, 90);
        geo_bbox b = { fmin(w, e), fmin(south, north), fmax(w, e), fmax(south, north) };
        if (i % 4 == 0) { /* small boxes, as a 25 km radius makes */
            b.east_deg = fmin(180, b.west_deg + 0.5);
            b.north_deg = fmin(90, b.south_deg + 0.5);
        }
        assert_scan_matches(s, r, NULL, &b, 1);
    }

    /* a box across the antimeridian, split in two; and overlapping boxes
     * give each event once */
    const geo_bbox split[] = { { 160, -30, 180, 30 }, { -180, -30, -150, 30 } };
    assert_scan_matches(s, r, NULL, split, 2);
    const geo_bbox overlapping[] = { { -10, -10, 20, 20 }, { 0, 0, 40, 40 }, { -180, -90, 180, 90 } };
    assert_scan_matches(s, r, NULL, overlapping, 3);
    store_close(s);
    assert_sound(path);

    /* the same events put in small transactions: the R*Tree grows by
     * single inserts, not by rebuilds */
    char *path2 = store_path("boxes-small.db");
    s = open_store(path2, STORE_CREATE);
    for (int i = 0; i < N_RANDOM; i++) {
        if (i % 400 == 0) begin(s);
        put_ok(s, &r->events[i], STORE_NEW);
        if (i % 400 == 399 || i == N_RANDOM - 1) commit(s);
    }
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) assert_scan_matches(s, r, NULL, &fixed[i], 1);
    rng_state = 8;
    for (int i = 0; i < 50; i++) {
        double w = rng_uniform(-180, 180), e = rng_uniform(-180, 180);
        double south = rng_uniform(-90, 90), north = rng_uniform(-90, 90);
        geo_bbox b = { fmin(w, e), fmin(south, north), fmax(w, e), fmax(south, north) };
        assert_scan_matches(s, r, NULL, &b, 1);
    }
    store_close(s);
    assert_sound(path2);
    free(path2);
    free(r);
    free(path);
}
END_TEST

/* store_near's answer, kept and sorted by ev_near, equals the brute-force
 * one: every located event within km by geo_distance_km that passes f. */
static void assert_near_matches(store *s, const random_set *r, geo_point c, double km, const ev_filter *f)
{
    ev_near *got = ev_near_new(c, km), *want = ev_near_new(c, km);
    char *err = NULL;
    int rc = store_near(s, c, km, f, ev_near_add, got, &err);
    ck_assert_msg(rc == 0, "store_near: %d %s", rc, err ? err : "");
    for (int i = 0; i < N_RANDOM; i++)
        if (ev_filter_match(f, &r->events[i])) ev_near_add(want, &r->events[i], NULL);
    ev_near_sort(got);
    ev_near_sort(want);
    ck_assert_msg(ev_near_count(got) == ev_near_count(want), "%g km of %g,%g: %zu events, brute force %zu", km,
                  c.lat_deg, c.lon_deg, ev_near_count(got), ev_near_count(want));
    for (size_t i = 0; i < ev_near_count(got); i++) {
        double got_km, want_km;
        const ev_event *a = ev_near_event(got, i, &got_km), *b = ev_near_event(want, i, &want_km);
        ck_assert_str_eq(a->id, b->id);
        ck_assert(got_km == want_km);
    }
    ev_near_free(got);
    ev_near_free(want);
}

static int stop_at_first(void *ctx, const ev_event *e, char **err)
{
    (void)e;
    (void)err;
    ++*(size_t *)ctx;
    return 1;
}

START_TEST(store_near_should_match_a_brute_force_distance_search)
{
    backend = _i;
    char *path = store_path("near.db");
    random_set *r = make_random_set(20251018);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);

    static const struct {
        geo_point c;
        double km;
    } fixed[] = {
        { { 33, 10 }, 0 },          /* an edge point itself */
        { { 33.5, 10.5 }, 1 },
        { { 90, 0 }, 1500 },        /* the pole */
        { { -89, 45 }, 800 },
        { { 0, 179.9 }, 2500 },     /* across the antimeridian */
        { { 20, 36.5 }, 20000 },    /* everything */
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        assert_near_matches(s, r, fixed[i].c, fixed[i].km, NULL);
    rng_state = 11;
    for (int i = 0; i < 100; i++) {
        geo_point c = { rng_uniform(-90, 90), rng_uniform(-180, 180) };
        assert_near_matches(s, r, c, i % 2 ? rng_uniform(0, 300) : rng_uniform(0, 5000), NULL);
    }
    ev_filter f;
    memset(&f, 0, sizeof(f));
    f.has_since = 1;
    f.since_day = 19000;
    f.actor = "islamic";
    geo_point c = { 30, 30 };
    assert_near_matches(s, r, c, 4000, &f);

    /* a callback's 1 stops the query */
    size_t calls = 0;
    char *err = NULL;
    ck_assert_int_eq(store_near(s, c, 20000, NULL, stop_at_first, &calls, &err), 0);
    ck_assert_uint_eq(calls, 1);
    store_close(s);
    free(r);
    free(path);
}
END_TEST

START_TEST(store_scan_should_give_unlocated_events_to_full_scans_only)
{
    backend = _i;
    char *path = store_path("unlocated.db");
    store *s = open_store(path, STORE_CREATE);
    ev_event e = sample_event("U1");
    e.located = 0;
    e.lat = e.lon = 0;
    put_ok(s, &e, STORE_NEW);
    collected c = { 0 };
    const geo_bbox world = { -180, -90, 180, 90 };
    scan_into(s, NULL, &world, 1, &c);
    ck_assert_uint_eq(c.n, 0);
    scan_into(s, NULL, NULL, 0, &c);
    ck_assert_uint_eq(c.n, 1);
    ck_assert_str_eq(c.events[0].id, "U1");
    ck_assert_int_eq(c.events[0].located, 0);
    collected_free(&c);
    assert_count(s, 1, 1);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_scan_should_apply_date_type_and_actor_filters)
{
    backend = _i;
    char *path = store_path("filters.db");
    random_set *r = make_random_set(99);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);
    const geo_bbox boxes[] = { { -180, -90, 180, 90 }, { -60, -40, 60, 50 } };
    ev_filter filters[8];
    memset(filters, 0, sizeof(filters));
    filters[0].has_since = 1, filters[0].since_day = 18500;
    filters[1].has_until = 1, filters[1].until_day = 18500;
    filters[2].has_since = filters[2].has_until = 1, filters[2].since_day = 18700, filters[2].until_day = 18710;
    filters[3].type = "battles";                       /* an event type, any case */
    filters[4].type = "AIR/DRONE STRIKE";              /* a sub-event type */
    filters[5].actor = "islamic";                      /* a substring of actor1 or actor2 */
    filters[6].has_since = 1, filters[6].since_day = 18300, filters[6].type = "Attack",
    filters[6].actor = "civilians";
    filters[7].type = "no such type";
    for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
        assert_scan_matches(s, r, &filters[i], NULL, 0);
        assert_scan_matches(s, r, &filters[i], boxes, 1);
        assert_scan_matches(s, r, &filters[i], boxes + 1, 1);
    }
    /* something was found: the filters are not trivially empty */
    collected c = { 0 };
    scan_into(s, &filters[6], NULL, 0, &c);
    ck_assert_uint_gt(c.n, 0);
    ck_assert_uint_lt(c.n, N_RANDOM / 10);
    collected_free(&c);
    store_close(s);
    free(r);
    free(path);
}
END_TEST

/* A point from store_points, kept for comparing. */
typedef struct {
    double lon, lat;
    int32_t day;
    int fatalities;
    char type[64], location[64];
} kept_point;

typedef struct {
    kept_point *v;
    size_t n, alloc;
} kept_points;

static int keep_point(void *ctx, const store_point *p, char **err)
{
    (void)err;
    kept_points *k = ctx;
    ALLOC_GROW(k->v, k->n + 1, k->alloc);
    kept_point *q = &k->v[k->n++];
    memset(q, 0, sizeof(*q));
    q->lon = p->lon;
    q->lat = p->lat;
    q->day = p->day;
    q->fatalities = p->fatalities;
    snprintf(q->type, sizeof(q->type), "%s", p->event_type);
    snprintf(q->location, sizeof(q->location), "%s", p->location);
    return 0;
}

static int cmp_kept(const void *a, const void *b)
{
    const kept_point *x = a, *y = b;
    if (x->lon != y->lon) return x->lon < y->lon ? -1 : 1;
    if (x->lat != y->lat) return x->lat < y->lat ? -1 : 1;
    if (x->day != y->day) return x->day < y->day ? -1 : 1;
    return strcmp(x->type, y->type);
}

START_TEST(store_points_should_give_the_located_events_a_scan_gives)
{
    backend = _i;
    char *path = store_path("points.db");
    random_set *r = make_random_set(77);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);
    const geo_bbox boxes[] = { { -60, -40, 60, 50 }, { 100, -50, 101, -40 } };
    ev_filter filters[4];
    memset(filters, 0, sizeof(filters));
    filters[1].has_since = 1, filters[1].since_day = 18500;
    filters[2].type = "air/drone strike";
    filters[3].actor = "islamic", filters[3].has_until = 1, filters[3].until_day = 19000;
    for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
        for (size_t nb = 0; nb <= 2; nb++) {
            /* the scan's located events, as points */
            collected c = { 0 };
            scan_into(s, i ? &filters[i] : NULL, nb ? boxes : NULL, nb, &c);
            kept_points want = { 0 }, got = { 0 };
            for (size_t j = 0; j < c.n; j++) {
                if (!c.events[j].located) continue;
                store_point p = { c.events[j].lon, c.events[j].lat, c.events[j].day, c.events[j].fatalities,
                                  c.events[j].event_type, c.events[j].location };
                keep_point(&want, &p, NULL);
            }
            collected_free(&c);
            char *err = NULL;
            ck_assert_msg(store_points(s, i ? &filters[i] : NULL, nb ? boxes : NULL, nb, keep_point, &got, &err) == 0,
                          "store_points: %s", err ? err : "");
            ck_assert_msg(got.n == want.n, "filter %zu, %zu boxes: %zu points, the scan %zu", i, nb, got.n, want.n);
            qsort(got.v, got.n, sizeof(*got.v), cmp_kept);
            qsort(want.v, want.n, sizeof(*want.v), cmp_kept);
            for (size_t j = 0; j < got.n; j++) {
                ck_assert(cmp_kept(&got.v[j], &want.v[j]) == 0);
                ck_assert_int_eq(got.v[j].fatalities, want.v[j].fatalities);
                ck_assert_str_eq(got.v[j].location, want.v[j].location);
            }
            free(got.v);
            free(want.v);
        }
    }
    store_close(s);
    free(r);
    free(path);
}
END_TEST

START_TEST(store_scan_should_go_in_id_order_without_boxes)
{
    backend = _i;
    char *path = store_path("order.db");
    random_set *r = make_random_set(5);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);
    collected c = { 0 };
    scan_into(s, NULL, NULL, 0, &c);
    ck_assert_uint_eq(c.n, N_RANDOM);
    for (size_t i = 1; i < c.n; i++) ck_assert_int_lt(strcmp(c.events[i - 1].id, c.events[i].id), 0);
    collected_free(&c);
    store_close(s);
    free(r);
    free(path);
}
END_TEST

static int fail_on_third(void *ctx, const ev_event *e, char **err)
{
    int *seen = ctx;
    if (++*seen == 3) return em_error(err, EM_EIO, "out.geojson: cannot write: disk full");
    return 0;
}

/* Scans the same store again, boxed and whole, from inside a scan. */
typedef struct {
    store *s;
    size_t want;  /* events the two inner scans should give together */
} nested;

static int scan_inside(void *ctx, const ev_event *e, char **err)
{
    nested *n = ctx;
    collected c = { 0 };
    const geo_bbox world = { -180, -90, 180, 90 };
    int rc = store_scan(n->s, NULL, &world, 1, collect, &c, err);
    if (!rc) rc = store_scan(n->s, NULL, NULL, 0, collect, &c, err);
    if (!rc && c.n != n->want) rc = em_error(err, EM_EINTERNAL, "inner scans found %zu, want %zu", c.n, n->want);
    collected_free(&c);
    return rc < 0 ? rc : 1;
}

START_TEST(store_scan_should_follow_the_callback_protocol)
{
    backend = _i;
    char *path = store_path("protocol.db");
    random_set *r = make_random_set(11);
    store *s = open_store(path, STORE_CREATE);
    put_all(s, r);
    const geo_bbox world = { -180, -90, 180, 90 };

    /* 1 stops early, without an error */
    collected c = { 0 };
    c.stop_after = 5;
    char *err = NULL;
    ck_assert_int_eq(store_scan(s, NULL, NULL, 0, collect, &c, &err), 0);
    ck_assert_uint_eq(c.n, 5);
    ck_assert_ptr_null(err);
    c.stop_after = 10;
    ck_assert_int_eq(store_scan(s, NULL, &world, 1, collect, &c, &err), 0);
    ck_assert_uint_eq(c.n, 10);
    collected_free(&c);

    /* negative: the error and its message come back */
    int seen = 0;
    ck_assert_int_eq(store_scan(s, NULL, &world, 1, fail_on_third, &seen, &err), EM_EIO);
    ck_assert_str_eq(err, "out.geojson: cannot write: disk full");
    free(err);
    err = NULL;

    /* the store still answers, also from inside a callback */
    nested n = { s, N_RANDOM };
    for (int i = 0; i < N_RANDOM; i++) n.want += r->events[i].located != 0;
    ck_assert_int_eq(store_scan(s, NULL, &world, 1, scan_inside, &n, &err), 0);
    ck_assert_ptr_null(err);
    assert_scan_matches(s, r, NULL, &world, 1);
    store_close(s);
    free(r);
    free(path);
}
END_TEST

START_TEST(store_open_should_reject_a_file_that_is_not_a_store)
{
    char *err = NULL;
    store *s = NULL;
    strbuf want = STRBUF_INIT;

    /* text */
    char *text = test_write_file("events.csv", "id,event_date\nSYR1,2024-03-15\n");
    sb_addf(&want, "%s: not an eventmap store", text);
    ck_assert_int_eq(store_open(text, STORE_READ, &s, &err), EM_EINPUT);
    ck_assert_str_eq(err, want.buf);
    ck_assert_ptr_null(s);
    free(err);
    err = NULL;
    /* STORE_CREATE does not overwrite it */
    ck_assert_int_eq(store_open(text, STORE_CREATE, &s, &err), EM_EINPUT);
    ck_assert_str_eq(err, want.buf);
    free(err);
    err = NULL;
    char *still = test_read_file(text, NULL);
    ck_assert_str_eq(still, "id,event_date\nSYR1,2024-03-15\n");
    free(still);

    /* another program's SQLite database, left untouched */
    char *other = store_path("other.sqlite");
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(other, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "CREATE TABLE events (id TEXT); INSERT INTO events VALUES ('x')", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    sb_reset(&want);
    sb_addf(&want, "%s: not an eventmap store", other);
    ck_assert_int_eq(store_open(other, STORE_CREATE, &s, &err), EM_EINPUT);
    ck_assert_str_eq(err, want.buf);
    free(err);
    err = NULL;

    /* the GeoPackage mark without our tables */
    char *marked = store_path("marked.sqlite");
    ck_assert_int_eq(sqlite3_open(marked, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;"
                                      " CREATE TABLE events (id TEXT)", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    sb_reset(&want);
    sb_addf(&want, "%s: not an eventmap store", marked);
    ck_assert_int_eq(store_open(marked, STORE_READ, &s, &err), EM_EINPUT);
    ck_assert_str_eq(err, want.buf);
    free(err);
    err = NULL;
    free(marked);

    /* an empty file is not a store to read (but STORE_CREATE makes it one) */
    char *empty = test_write_file("empty.db", "");
    sb_reset(&want);
    sb_addf(&want, "%s: not an eventmap store", empty);
    ck_assert_int_eq(store_open(empty, STORE_READ, &s, &err), EM_EINPUT);
    ck_assert_str_eq(err, want.buf);
    free(err);
    err = NULL;
    store_close(open_store(empty, STORE_CREATE));
    store_close(open_store(empty, STORE_READ));

    /* a store cut short: garbage after a valid-looking header */
    char *junk = test_write_file("junk.db", "SQLite format 3");
    ck_assert_int_lt(store_open(junk, STORE_READ, &s, &err), 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_ptr_nonnull(strstr(err, junk));
    free(err);

    sb_release(&want);
    free(text);
    free(other);
    free(empty);
    free(junk);
}
END_TEST

START_TEST(store_open_should_name_a_missing_store_or_directory)
{
    char *err = NULL;
    store *s = NULL;
    char *missing = store_path("missing.db");
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s: no such store", missing);
    ck_assert_int_eq(store_open(missing, STORE_READ, &s, &err), EM_EIO);
    ck_assert_str_eq(err, want.buf);
    ck_assert_ptr_null(s);
    ck_assert_int_ne(access(missing, F_OK), 0);
    free(err);
    err = NULL;

    char *in_missing_dir = store_path("no-such-dir/events.db");
    ck_assert_int_eq(store_open(in_missing_dir, STORE_CREATE, &s, &err), EM_EIO);
    ck_assert_ptr_null(s);
    ck_assert_msg(!strncmp(err, in_missing_dir, strlen(in_missing_dir)), "error \"%s\" does not name %s", err,
                  in_missing_dir);
    ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
    free(err);
    err = NULL;

    ck_assert_int_eq(store_open(test_tmpdir(), STORE_CREATE, &s, &err), EM_EIO);
    ck_assert_ptr_nonnull(strstr(err, test_tmpdir()));
    free(err);

    sb_release(&want);
    free(missing);
    free(in_missing_dir);
}
END_TEST

START_TEST(store_open_should_refuse_a_geopackage_without_the_events)
{
    /* another program's GeoPackage: read as not ours, never written to */
    char *path = store_path("roads.gpkg");
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db,
                                  "PRAGMA application_id = 1196444487; PRAGMA user_version = 10300;"
                                  " CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY,"
                                  " data_type TEXT NOT NULL);"
                                  " CREATE TABLE roads (fid INTEGER PRIMARY KEY, geom LINESTRING);"
                                  " INSERT INTO gpkg_contents VALUES ('roads', 'features')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    size_t before_len = 0;
    char *before = test_read_file(path, &before_len);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s: not an eventmap store", path);
    for (int mode = STORE_READ; mode <= STORE_CREATE; mode++) {
        char *err = NULL;
        store *s = NULL;
        ck_assert_int_eq(store_open(path, mode, &s, &err), EM_EINPUT);
        ck_assert_str_eq(err, want.buf);
        ck_assert_ptr_null(s);
        free(err);
    }
    ck_assert_int_eq(store_needs_upgrade(path), 0);
    assert_file_is(path, before, before_len);
    sb_release(&want);
    free(before);
    free(path);
}
END_TEST

/* ------------------------------------------------------ the old layout */

/* The store as eventmap wrote it before GeoPackage (schema version 2 of
 * that layout), kept here as a fixture for the upgrade: its table, R*Tree
 * and indexes, its mark. */
static const char old_layout_sql[] =
    "CREATE TABLE events (rid INTEGER PRIMARY KEY, id TEXT NOT NULL, event_date TEXT NOT NULL,"
    " day INTEGER NOT NULL, time_precision INTEGER NOT NULL, event_type TEXT NOT NULL,"
    " sub_event_type TEXT NOT NULL, actor1 TEXT NOT NULL, actor2 TEXT NOT NULL, country TEXT NOT NULL,"
    " admin1 TEXT NOT NULL, location TEXT NOT NULL, located INTEGER NOT NULL, lat REAL, lon REAL,"
    " geo_precision INTEGER NOT NULL, fatalities INTEGER NOT NULL, source TEXT NOT NULL, notes TEXT NOT NULL,"
    " gazetteer_id TEXT NOT NULL, \"match\" TEXT NOT NULL, confidence REAL NOT NULL,"
    " event_type_key INTEGER NOT NULL, sub_event_type_key INTEGER NOT NULL,"
    " admin2 TEXT NOT NULL DEFAULT '', admin3 TEXT NOT NULL DEFAULT '');"
    "CREATE VIRTUAL TABLE events_rtree USING rtree(id, min_lon, max_lon, min_lat, max_lat);"
    "CREATE UNIQUE INDEX events_id ON events(id); CREATE INDEX events_day ON events(day);"
    "CREATE INDEX events_type ON events(event_type_key); CREATE INDEX events_sub_type ON events(sub_event_type_key);"
    "PRAGMA application_id = 1165380976; PRAGMA user_version = 2;";

/* A store of the old layout at path holding events[0..n), as schema
 * version (1: without admin2 and admin3) made it. */
static void make_old_store(const char *path, int version, const ev_event *events, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL, *rt = NULL;
    unlink(path);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, old_layout_sql, NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db,
                                        "INSERT INTO events (id, event_date, day, time_precision, event_type,"
                                        " sub_event_type, actor1, actor2, country, admin1, admin2, admin3,"
                                        " location, located, lat, lon, geo_precision, fatalities, source, notes,"
                                        " gazetteer_id, \"match\", confidence, event_type_key, sub_event_type_key)"
                                        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
                                        " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, 0, 0)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "INSERT INTO events_rtree VALUES (?1, ?2, ?2, ?3, ?3)", -1, &rt, NULL),
                     SQLITE_OK);
    for (size_t i = 0; i < n; i++) {
        const ev_event *e = &events[i];
        const char *texts[] = { e->id, e->event_date, NULL, NULL, e->event_type, e->sub_event_type, e->actor1,
                                e->actor2, e->country, e->admin1, e->admin2, e->admin3, e->location };
        for (int k = 0; k < 13; k++)
            if (k != 2 && k != 3) sqlite3_bind_text(st, 1 + k, texts[k] ? texts[k] : "", -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, e->day);
        sqlite3_bind_int(st, 4, e->time_precision);
        sqlite3_bind_int(st, 14, e->located != 0);
        if (e->located) {
            sqlite3_bind_double(st, 15, e->lat);
            sqlite3_bind_double(st, 16, e->lon);
        } else {
            sqlite3_bind_null(st, 15);
            sqlite3_bind_null(st, 16);
        }
        sqlite3_bind_int(st, 17, e->geo_precision);
        sqlite3_bind_int(st, 18, e->fatalities);
        sqlite3_bind_text(st, 19, e->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 20, e->notes, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 21, e->gazetteer_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 22, e->match, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 23, e->confidence);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_DONE);
        sqlite3_reset(st);
        if (e->located) {
            sqlite3_bind_int64(rt, 1, sqlite3_last_insert_rowid(db));
            sqlite3_bind_double(rt, 2, e->lon);
            sqlite3_bind_double(rt, 3, e->lat);
            ck_assert_int_eq(sqlite3_step(rt), SQLITE_DONE);
            sqlite3_reset(rt);
        }
    }
    sqlite3_finalize(st);
    sqlite3_finalize(rt);
    ck_assert_int_eq(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    if (version == 1)
        ck_assert_int_eq(sqlite3_exec(db,
                                      "ALTER TABLE events DROP COLUMN admin2; ALTER TABLE events DROP COLUMN admin3;"
                                      "PRAGMA user_version = 1",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
    sqlite3_close(db);
}

/* The files in the test directory whose names begin with prefix. */
static int files_starting_with(const char *prefix)
{
    run_result r = run_cmd(NULL, "ls -a '%s' | grep -c '^%s' || true", test_tmpdir(), prefix);
    int n = atoi(r.out);
    run_result_free(&r);
    return n;
}

START_TEST(store_open_should_name_the_upgrade_for_an_old_store)
{
    ev_event events[2] = { sample_event("OLD1"), sample_event("OLD2") };
    events[1].located = 0;
    for (int version = 1; version <= 2; version++) {
        char *path = store_path(version == 1 ? "old1.db" : "old2.db");
        make_old_store(path, version, events, 2);
        size_t before_len = 0;
        char *before = test_read_file(path, &before_len);
        strbuf want = STRBUF_INIT;
        sb_addf(&want,
                "%s: an eventmap store of the old layout (before GeoPackage); run 'eventmap store upgrade %s'"
                " to convert it",
                path, path);
        /* neither read nor written, whatever the mode */
        for (int mode = STORE_READ; mode <= STORE_CREATE; mode++) {
            char *err = NULL;
            store *s = NULL;
            ck_assert_int_eq(store_open(path, mode, &s, &err), EM_EINPUT);
            ck_assert_ptr_null(s);
            ck_assert_str_eq(err, want.buf);
            free(err);
        }
        ck_assert_int_eq(store_needs_upgrade(path), 1);
        assert_file_is(path, before, before_len);
        sb_release(&want);
        free(before);
        free(path);
    }
    /* and only such a store needs it */
    char *path = store_path("new.gpkg");
    store_close(open_store(path, STORE_CREATE));
    ck_assert_int_eq(store_needs_upgrade(path), 0);
    char *missing = store_path("missing.db");
    ck_assert_int_eq(store_needs_upgrade(missing), 0);
    char *text = test_write_file("text.csv", "id\n1\n");
    ck_assert_int_eq(store_needs_upgrade(text), 0);
    free(text);
    free(missing);
    free(path);
}
END_TEST

static int cmp_event_ids(const void *a, const void *b)
{
    return strcmp(((const ev_event *)a)->id, ((const ev_event *)b)->id);
}

/* The store at path holds exactly events[0..n), every field. */
static void assert_store_holds(const char *path, const ev_event *events, size_t n)
{
    store *s = open_store(path, STORE_READ);
    size_t n_unlocated = 0;
    for (size_t i = 0; i < n; i++) n_unlocated += !events[i].located;
    assert_count(s, n, n_unlocated);
    collected c = { 0 };
    scan_into(s, NULL, NULL, 0, &c); /* in id order */
    ev_event *want = xmalloc((n ? n : 1) * sizeof(*want));
    memcpy(want, events, n * sizeof(*want));
    qsort(want, n, sizeof(*want), cmp_event_ids);
    ck_assert_uint_eq(c.n, n);
    for (size_t i = 0; i < n; i++) assert_same_event(&c.events[i], &want[i]);
    collected_free(&c);
    assert_boxes_match(s, events, n);
    free(want);
    store_close(s);
}

START_TEST(store_upgrade_should_convert_an_old_store_with_every_event)
{
    random_set *r = make_random_set(0x01d1a70u);
    for (int version = 2; version >= 1; version--) {
        if (version == 1)
            for (int i = 0; i < N_RANDOM; i++) r->events[i].admin2 = r->events[i].admin3 = "";
        char *path = store_path("upgrade.db");
        make_old_store(path, version, r->events, N_RANDOM);
        ck_assert_int_eq(chmod(path, 0640), 0);
        char *err = NULL;
        ck_assert_msg(store_upgrade(path, &err) == 1, "store_upgrade: %s", err ? err : "?");
        ck_assert_ptr_null(err);

        /* a GeoPackage store with the same events, its R*Tree, triggers and
         * indexes whole, where the old one was, with its permissions */
        ck_assert_int_eq(store_needs_upgrade(path), 0);
        assert_store_sound(path);
        assert_store_holds(path, r->events, N_RANDOM);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0640);
        ck_assert_int_eq(files_starting_with("upgrade.db."), 0); /* no temporary left */

        /* once is enough: a GeoPackage store is left as it is */
        size_t before_len = 0;
        char *before = test_read_file(path, &before_len);
        ck_assert_int_eq(store_upgrade(path, &err), 0);
        assert_file_is(path, before, before_len);
        free(before);
        free(path);
    }
    free(r);
}
END_TEST

/* store_upgrade(path) fails with code and a message that begins with
 * path and holds part; path is left byte for byte. */
static void upgrade_should_fail(const char *path, int code, const char *part)
{
    size_t before_len = 0;
    char *before = test_read_file(path, &before_len);
    char *err = NULL;
    ck_assert_int_eq(store_upgrade(path, &err), code);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(!strncmp(err, path, strlen(path)) && strstr(err, part), "error \"%s\", want %s ... %s", err,
                  path, part);
    free(err);
    assert_file_is(path, before, before_len);
    free(before);
}

/* The command line: a reading command names the upgrade, `eventmap store
 * upgrade` converts the store, and the same command then reads it. */
START_TEST(store_upgrade_command_should_convert_what_near_refuses)
{
    ev_event events[2] = { sample_event("OLD1"), sample_event("OLD2") };
    events[0].lat = events[1].lat = 33.5;
    events[0].lon = events[1].lon = 36.3;
    char *path = store_path("cli-old.db");
    make_old_store(path, 2, events, 2);
    run_result r = run_cmd(NULL, "@ near 33.5,36.3 --radius 5 --db '%s' --format csv", path);
    ck_assert_msg(r.status == 1 && strstr(r.err, "old layout (before GeoPackage); run 'eventmap store upgrade "),
                  "%d %s", r.status, r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ store upgrade '%s'", path);
    ck_assert_msg(r.status == 0 && strstr(r.out, ": converted to a GeoPackage"), "%s %s", r.out, r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ near 33.5,36.3 --radius 5 --db '%s' --format csv", path);
    ck_assert_msg(r.status == 0 && strstr(r.out, "OLD1") && strstr(r.out, "OLD2"), "%s %s", r.out, r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ store upgrade '%s'", path);
    ck_assert_msg(r.status == 0 && strstr(r.out, "already a GeoPackage"), "%s", r.out);
    run_result_free(&r);
    free(path);
}
END_TEST

START_TEST(store_upgrade_should_leave_the_old_store_as_it_was_on_error)
{
    /* an event the new store refuses: nothing converted, nothing left */
    ev_event events[3] = { sample_event("FINE1"), sample_event("BAD"), sample_event("FINE2") };
    events[1].lat = 95;
    char *path = store_path("bad-old.db");
    make_old_store(path, 2, events, 3);
    upgrade_should_fail(path, EM_EINPUT, ": cannot upgrade: ");
    upgrade_should_fail(path, EM_EINPUT, "event BAD: latitude 95 is not in -90..90");
    ck_assert_int_eq(store_needs_upgrade(path), 1);
    ck_assert_int_eq(files_starting_with("bad-old.db."), 0);

    /* a schema version of the old layout that never was */
    char *odd = store_path("odd-old.db");
    make_old_store(odd, 2, events, 1);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(odd, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    upgrade_should_fail(odd, EM_EINPUT, "store schema version 7 of the old layout");

    /* what is not a store at all, or not there */
    char *text = test_write_file("not-a-store.csv", "id,event_date\nSYR1,2024-03-15\n");
    upgrade_should_fail(text, EM_EINPUT, ": not an eventmap store");
    char *missing = store_path("missing-old.db");
    char *err = NULL;
    ck_assert_int_eq(store_upgrade(missing, &err), EM_EIO);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s: no such store", missing);
    ck_assert_str_eq(err, want.buf);
    ck_assert_int_ne(access(missing, F_OK), 0);
    free(err);
    sb_release(&want);
    free(path);
    free(odd);
    free(text);
    free(missing);
}
END_TEST

/* Run store_upgrade(path) in a child process killed at crash point (see
 * util/crash.h); 1 when it was killed there, 0 when it finished. */
static int upgrade_killed_at(const char *path, const char *point)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("EVENTMAP_CRASH_AT", point, 1);
        if (!freopen("/dev/null", "w", stderr)) _exit(126);
        char *err = NULL;
        _exit(store_upgrade(path, &err) == 1 ? 0 : 1);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return 1;
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the upgrade failed", point);
    return 0;
}

START_TEST(store_upgrade_killed_at_any_point_should_leave_the_old_store)
{
    /* killed before the N-th write of a page and before the N-th sync, N =
     * 1, 2, 4, ... until it gets through: the old store as it was each
     * time, then the new one whole, and no temporary left behind.  (The
     * library is not called here before the kills: a child reads
     * EVENTMAP_CRASH_AT only when its parent has not.) */
    random_set *r = make_random_set(0xdead5u);
    static const char *const layers[] = { "import:store-write", "import:store-sync" };
    char *paths[2] = { store_path("killed-write.db"), store_path("killed-sync.db") };
    for (size_t l = 0; l < 2; l++) {
        make_old_store(paths[l], 2, r->events, N_RANDOM);
        size_t old_len = 0;
        char *old = test_read_file(paths[l], &old_len);
        int n_killed = 0;
        for (unsigned long n = 1;; n *= 2) {
            strbuf point = STRBUF_INIT;
            sb_addf(&point, "%s:%lu", layers[l], n);
            int killed = upgrade_killed_at(paths[l], point.buf);
            sb_release(&point);
            if (!killed) break;
            n_killed++;
            size_t len = 0;
            char *now = test_read_file(paths[l], &len);
            ck_assert_uint_eq(len, old_len);
            ck_assert_mem_eq(now, old, old_len);
            free(now);
        }
        ck_assert_msg(n_killed >= 2, "%s: only %d kills before the upgrade got through", layers[l], n_killed);
        free(old);
    }
    ck_assert_int_eq(files_starting_with("killed-write.db."), 0);
    ck_assert_int_eq(files_starting_with("killed-sync.db."), 0);
    for (size_t l = 0; l < 2; l++) {
        assert_store_sound(paths[l]);
        assert_store_holds(paths[l], r->events, N_RANDOM);
        free(paths[l]);
    }
    free(r);
}
END_TEST

/* ------------------------------------------------------ the GeoPackage */

/* The text of column 0 of sql's one row in the file at path ("" for
 * NULL; caller frees), or of every row, one a line, when all_rows. */
static char *sql_text(const char *path, const char *sql, int all_rows)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    strbuf out = STRBUF_INIT;
    int rows = 0;
    while (sqlite3_step(st) == SQLITE_ROW && (all_rows || !rows++)) {
        const unsigned char *text = sqlite3_column_text(st, 0);
        sb_addf(&out, "%s%s", text ? (const char *)text : "", all_rows ? "\n" : "");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return sb_detach(&out, NULL);
}

static void assert_sql(const char *path, const char *sql, int all_rows, const char *want)
{
    char *got = sql_text(path, sql, all_rows);
    ck_assert_msg(!strcmp(got, want), "%s\n  gives: %s\n  want:  %s", sql, got, want);
    free(got);
}

/* Little-endian bytes of v. */
static void le64(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(bits >> (8 * i));
}

/* The geom blob of event id in the store at path equals want[0..len). */
static void assert_geom(const char *path, const char *id, const unsigned char *want, size_t len)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT geom FROM events WHERE id = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_bytes(st, 0), (int)len);
    ck_assert_mem_eq(sqlite3_column_blob(st, 0), want, len);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

START_TEST(store_should_write_the_tables_and_rows_geopackage_asks_for)
{
    char *path = store_path("spec.gpkg");
    store *s = open_store(path, STORE_CREATE);
    ev_event a = sample_event("A"), b = sample_event("B");
    b.located = 0;
    begin(s);
    put_ok(s, &a, STORE_NEW);
    put_ok(s, &b, STORE_NEW);
    commit(s);
    store_close(s);

    /* the mark: GeoPackage 1.3 */
    assert_sql(path, "PRAGMA application_id", 0, "1196444487"); /* 0x47504B47, "GPKG" */
    assert_sql(path, "PRAGMA user_version", 0, "10300");
    /* the spatial reference systems the spec requires, WGS 84 with its WKT */
    assert_sql(path,
               "SELECT srs_id || '|' || srs_name || '|' || organization || '|' || organization_coordsys_id || '|' ||"
               " substr(definition, 1, 15) FROM gpkg_spatial_ref_sys ORDER BY srs_id",
               1,
               "-1|Undefined Cartesian SRS|NONE|-1|undefined\n"
               "0|Undefined geographic SRS|NONE|0|undefined\n"
               "4326|WGS 84 geodetic|EPSG|4326|GEOGCS[\"WGS 84\"\n");
    assert_sql(path, "SELECT definition LIKE '%AUTHORITY[\"EPSG\",\"4326\"]]' FROM gpkg_spatial_ref_sys"
                     " WHERE srs_id = 4326", 0, "1");
    /* the layer, its extent (one point), its geometry column, its R*Tree */
    assert_sql(path,
               "SELECT table_name || '|' || data_type || '|' || identifier || '|' || srs_id || '|' || min_x || '|' ||"
               " max_x || '|' || min_y || '|' || max_y FROM gpkg_contents",
               1, "events|features|events|4326|36.69376|36.69376|33.64389|33.64389\n");
    assert_sql(path, "SELECT last_change GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:"
                     "[0-5][0-9].[0-9][0-9][0-9]Z' FROM gpkg_contents", 0, "1");
    assert_sql(path, "SELECT table_name || '|' || column_name || '|' || geometry_type_name || '|' || srs_id || '|' ||"
                     " z || '|' || m FROM gpkg_geometry_columns", 1, "events|geom|POINT|4326|0|0\n");
    assert_sql(path, "SELECT table_name || '|' || column_name || '|' || extension_name || '|' || definition || '|' ||"
                     " scope FROM gpkg_extensions", 1,
               "events|geom|gpkg_rtree_index|http://www.geopackage.org/spec120/#extension_rtree|write-only\n");
    assert_sql(path, "SELECT name || ' ' || type || ' ' || pk FROM pragma_table_info('rtree_events_geom')", 1,
               "id INT 0\nminx REAL 0\nmaxx REAL 0\nminy REAL 0\nmaxy REAL 0\n");
    assert_sql(path, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name", 1,
               "rtree_events_geom_delete\nrtree_events_geom_insert\nrtree_events_geom_update1\n"
               "rtree_events_geom_update2\nrtree_events_geom_update3\nrtree_events_geom_update4\n");
    /* the feature table: its key, its point, ACLED's columns, ours */
    assert_sql(path, "SELECT name || ' ' || type || ' ' || pk FROM pragma_table_info('events')", 1,
               "fid INTEGER 1\ngeom POINT 0\nid TEXT 0\nevent_date DATE 0\ntime_precision MEDIUMINT 0\n"
               "event_type TEXT 0\nsub_event_type TEXT 0\nactor1 TEXT 0\nactor2 TEXT 0\ncountry TEXT 0\n"
               "admin1 TEXT 0\nadmin2 TEXT 0\nadmin3 TEXT 0\nlocation TEXT 0\ngeo_precision MEDIUMINT 0\n"
               "fatalities MEDIUMINT 0\nsource TEXT 0\nnotes TEXT 0\ngazetteer_id TEXT 0\nmatch TEXT 0\n"
               "confidence REAL 0\nday INTEGER 0\nevent_type_key INTEGER 0\nsub_event_type_key INTEGER 0\n");
    assert_sql(path, "SELECT e.id FROM events AS e JOIN rtree_events_geom AS r ON r.id = e.fid", 1, "A\n");

    /* the points in GeoPackage binary: "GP", version 0, flags (little-
     * endian, no envelope; B's with the empty flag), srs_id 4326, then a
     * little-endian WKB point; B's coordinates NaN */
    unsigned char want[29] = { 'G', 'P', 0, 0x01, 0xE6, 0x10, 0, 0, 1, 1, 0, 0, 0 };
    le64(want + 13, a.lon);
    le64(want + 21, a.lat);
    assert_geom(path, "A", want, sizeof(want));
    want[3] = 0x11;
    le64(want + 13, NAN);
    le64(want + 21, NAN);
    assert_geom(path, "B", want, sizeof(want));
    double lon, lat;
    ck_assert_int_eq(test_gpkg_point(want, sizeof(want), &lon, &lat), 0);
    assert_store_sound(path);
    free(path);
}
END_TEST

/* gpkg_contents' extent of the store at path: "min_x max_x min_y max_y",
 * or "NULL" for each without a point. */
static void assert_extent(const char *path, const char *want)
{
    assert_sql(path, "SELECT ifnull(min_x, 'NULL') || ' ' || ifnull(max_x, 'NULL') || ' ' || ifnull(min_y, 'NULL')"
                     " || ' ' || ifnull(max_y, 'NULL') FROM gpkg_contents WHERE table_name = 'events'", 0, want);
    char *why = test_store_check(path, 1);
    ck_assert_msg(!why, "%s", why);
}

static ev_event at(const char *id, double lon, double lat)
{
    ev_event e = sample_event(id);
    e.lon = lon;
    e.lat = lat;
    return e;
}

START_TEST(store_commit_should_keep_the_extent_of_the_points)
{
    char *path = store_path("extent.gpkg");
    store *s = open_store(path, STORE_CREATE);
    assert_extent(path, "NULL NULL NULL NULL");
    ev_event a = at("A", 10, 20), b = at("B", 30, 40);
    begin(s);
    put_ok(s, &a, STORE_NEW);
    put_ok(s, &b, STORE_NEW);
    commit(s);
    assert_extent(path, "10.0 30.0 20.0 40.0");
    /* a point on the edge moves in: measured again */
    b = at("B", 15, 25);
    begin(s);
    put_ok(s, &b, STORE_UPDATED);
    commit(s);
    assert_extent(path, "10.0 15.0 20.0 25.0");
    /* a put of its own (the triggers keep the R*Tree) takes its point away */
    a.located = 0;
    put_ok(s, &a, STORE_UPDATED);
    assert_extent(path, "15.0 15.0 25.0 25.0");
    b.located = 0;
    put_ok(s, &b, STORE_UPDATED);
    assert_extent(path, "NULL NULL NULL NULL");
    ev_event c = at("C", -5, 5);
    put_ok(s, &c, STORE_NEW);
    assert_extent(path, "-5.0 -5.0 5.0 5.0");
    /* an inner point moved or a rolled-back write leave it as it was */
    ev_event d = at("D", -6, 6);
    begin(s);
    put_ok(s, &d, STORE_NEW);
    store_rollback(s);
    assert_extent(path, "-5.0 -5.0 5.0 5.0");
    begin(s);
    put_ok(s, &d, STORE_NEW);
    commit(s);
    assert_extent(path, "-6.0 -5.0 5.0 6.0");
    /* a transaction that changes nothing writes nothing, last_change included */
    size_t before_len = 0;
    char *before = test_read_file(path, &before_len);
    begin(s);
    put_ok(s, &d, STORE_UNCHANGED);
    put_ok(s, &c, STORE_UNCHANGED);
    commit(s);
    put_ok(s, &c, STORE_UNCHANGED);
    assert_file_is(path, before, before_len);
    free(before);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_put_should_refuse_what_it_cannot_store)
{
    backend = _i;
    char *path = store_path("bad.db");
    store *s = open_store(path, STORE_CREATE);
    char *err = NULL;
    ev_event e = sample_event("BAD1");
    e.lat = 91;
    ck_assert_int_eq(store_put(s, &e, &err), EM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err, "BAD1"));
    ck_assert_ptr_nonnull(strstr(err, path));
    free(err);
    err = NULL;
    e.lat = NAN;
    ck_assert_int_eq(store_put(s, &e, &err), EM_EINPUT);
    free(err);
    err = NULL;
    e = sample_event("BAD2");
    e.lon = -INFINITY;
    ck_assert_int_eq(store_put(s, &e, &err), EM_EINPUT);
    free(err);
    err = NULL;
    e = sample_event("");
    ck_assert_int_eq(store_put(s, &e, &err), EM_EINPUT);
    free(err);
    err = NULL;
    e = sample_event("BAD3");
    e.confidence = NAN;
    ck_assert_int_eq(store_put(s, &e, &err), EM_EINPUT);
    free(err);
    err = NULL;
    /* a refused event does not spoil the transaction around it */
    begin(s);
    ev_event good = sample_event("GOOD");
    put_ok(s, &good, STORE_NEW);
    e = sample_event("BAD4");
    e.lat = -90.5;
    ck_assert_int_eq(store_put(s, &e, &err), EM_EINPUT);
    free(err);
    err = NULL;
    commit(s);
    assert_count(s, 1, 0);

    /* a box across the antimeridian must be split by the caller */
    collected c = { 0 };
    const geo_bbox across = { 170, -10, -170, 10 };
    ck_assert_int_eq(store_scan(s, NULL, &across, 1, collect, &c, &err), EM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err, "antimeridian"));
    free(err);
    err = NULL;
    const geo_bbox nan_box = { NAN, 0, 1, 1 };
    ck_assert_int_eq(store_scan(s, NULL, &nan_box, 1, collect, &c, &err), EM_EUSAGE);
    free(err);
    ck_assert_uint_eq(c.n, 0);
    store_close(s);
    free(path);
}
END_TEST

START_TEST(store_should_refuse_misused_transactions)
{
    backend = _i;
    char *path = store_path("misuse.db");
    store *s = open_store(path, STORE_CREATE);
    char *err = NULL;
    ck_assert_int_eq(store_commit(s, &err), EM_EUSAGE);
    free(err);
    err = NULL;
    store_rollback(s); /* nothing to roll back: harmless */
    begin(s);
    ck_assert_int_eq(store_begin(s, &err), EM_EUSAGE);
    free(err);
    commit(s);
    store_close(s);
    store_close(NULL);
    free(path);
}
END_TEST

Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    /* the cases of store.h's behaviour run once on each back end */
    int n_backends = test_pg_start("store") ? 2 : 1;
    TCase *t = tcase_create("put");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, store_put_should_round_trip_every_field, 0, n_backends);
    tcase_add_loop_test(t, store_put_should_say_unchanged_for_the_same_event_twice, 0, n_backends);
    tcase_add_loop_test(t, store_put_should_update_when_any_field_differs, 0, n_backends);
    tcase_add_loop_test(t, store_put_should_keep_the_rtree_in_step, 0, n_backends);
    tcase_add_loop_test(t, store_put_should_find_repeated_ids_in_a_large_import, 0, n_backends);
    tcase_add_loop_test(t, store_put_should_refuse_what_it_cannot_store, 0, n_backends);
    suite_add_tcase(s, t);
    t = tcase_create("transactions");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, store_rollback_should_leave_the_store_as_it_was, 0, n_backends);
    tcase_add_loop_test(t, store_close_should_roll_back_an_open_transaction, 0, n_backends);
    tcase_add_loop_test(t, store_should_refuse_misused_transactions, 0, n_backends);
    tcase_add_loop_test(t, store_commit_should_keep_a_sound_rtree_through_bulk_and_single_writes, 0, n_backends);
    tcase_add_loop_test(t, store_rollback_should_undo_a_bulk_rebuild, 0, n_backends);
    tcase_add_loop_test(t, store_rollback_should_undo_an_import_into_an_empty_store, 0, n_backends);
    suite_add_tcase(s, t);
    t = tcase_create("scan");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, store_scan_should_match_a_brute_force_box_search, 0, n_backends);
    tcase_add_loop_test(t, store_near_should_match_a_brute_force_distance_search, 0, n_backends);
    tcase_add_loop_test(t, store_scan_should_give_unlocated_events_to_full_scans_only, 0, n_backends);
    tcase_add_loop_test(t, store_scan_should_apply_date_type_and_actor_filters, 0, n_backends);
    tcase_add_loop_test(t, store_scan_should_go_in_id_order_without_boxes, 0, n_backends);
    tcase_add_loop_test(t, store_points_should_give_the_located_events_a_scan_gives, 0, n_backends);
    tcase_add_loop_test(t, store_scan_should_follow_the_callback_protocol, 0, n_backends);
    tcase_add_loop_test(t, store_scan_should_see_the_open_transaction, 0, n_backends);
    tcase_add_loop_test(t, store_scan_should_flush_the_transaction_before_a_nested_box_scan, 0, n_backends);
    tcase_add_loop_test(t, store_put_should_refuse_to_write_during_a_scan, 0, n_backends);
    suite_add_tcase(s, t);
    t = tcase_create("open");
    tcase_add_test(t, store_open_should_reject_a_file_that_is_not_a_store);
    tcase_add_test(t, store_open_should_name_a_missing_store_or_directory);
    tcase_add_test(t, store_open_should_refuse_a_geopackage_without_the_events);
    suite_add_tcase(s, t);
    t = tcase_create("geopackage");
    tcase_add_test(t, store_should_write_the_tables_and_rows_geopackage_asks_for);
    tcase_add_test(t, store_commit_should_keep_the_extent_of_the_points);
    suite_add_tcase(s, t);
    t = tcase_create("upgrade");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, store_open_should_name_the_upgrade_for_an_old_store);
    tcase_add_test(t, store_upgrade_should_convert_an_old_store_with_every_event);
    tcase_add_test(t, store_upgrade_should_leave_the_old_store_as_it_was_on_error);
    tcase_add_test(t, store_upgrade_command_should_convert_what_near_refuses);
    /* the kills run store_upgrade in a child process that must read
     * EVENTMAP_CRASH_AT afresh: one forked by Check for this test */
    const char *fork_mode = getenv("CK_FORK");
    if (fork_mode && !strcmp(fork_mode, "no"))
        test_not_run("store", "store_upgrade_killed_at_any_point_should_leave_the_old_store: needs Check's fork mode"
                              " (CK_FORK=no)");
    else
        tcase_add_test(t, store_upgrade_killed_at_any_point_should_leave_the_old_store);
    suite_add_tcase(s, t);
    return s;
}
