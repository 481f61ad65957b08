/*
 * test_cli_events.c - end-to-end: eventmap import, near and export as a user
 * runs them: near answers against a brute-force geodesic check, the
 * exported GeoJSON against a real validator and through a round trip, and
 * bad input against the "FILE:LINE: reason, exit 1, store unchanged" rule.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "geo/geo.h"
#include "test_helpers.h"
#include "util/strbuf.h"

/* ------------------------------------------------------------ fixtures */

typedef struct {
    char id[32];
    double lat, lon;
} pt;

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static double rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

/* Events spread over the world, with clusters at the antimeridian, the
 * poles and around al-Dumair, as CSV with 6-decimal coordinates. */
static char *make_points_csv(pt *pts, size_t n)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "id,event_date,event_type,actor1,location,latitude,longitude,fatalities\n");
    for (size_t i = 0; i < n; i++) {
        double lat, lon;
        switch (i % 5) {
        case 0: lat = rnd() * 180 - 90; lon = rnd() * 360 - 180; break;
        case 1: lat = rnd() * 20 - 10; lon = rnd() < 0.5 ? 180 - rnd() * 2 : -180 + rnd() * 2; break;
        case 2: lat = rnd() < 0.5 ? 90 - rnd() * 3 : -90 + rnd() * 3; lon = rnd() * 360 - 180; break;
        default: lat = 33.64389 + (rnd() - 0.5) * 2; lon = 36.69376 + (rnd() - 0.5) * 2; break;
        }
        char buf[32];
        snprintf(buf, sizeof(buf), "%.6f", lat);
        pts[i].lat = atof(buf);
        snprintf(buf, sizeof(buf), "%.6f", lon);
        pts[i].lon = atof(buf);
        snprintf(pts[i].id, sizeof(pts[i].id), "P%05zu", i);
        sb_addf(&sb, "%s,2024-%02zu-%02zu,%s,%s,place %zu,%.6f,%.6f,%zu\n", pts[i].id, 1 + i % 12, 1 + i % 28,
                i % 2 ? "Battles" : "Explosions/Remote violence", i % 3 ? "Actor A" : "Actor B", i, pts[i].lat,
                pts[i].lon, i % 7);
    }
    char *path = test_write_file("points.csv", sb.buf);
    sb_release(&sb);
    return path;
}

/* The back ends: each test runs once on each, its loop index setting
 * backend first. */
enum { GPKG = 0, POSTGIS = 1 };
static int backend;

/* A fresh store for --db: a path under the test directory, or a new
 * database's URL; caller frees. */
static char *db_path(const char *name)
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

/* The ids in the first column of CSV output (no quoting in our ids). */
/* A failed first import left no store behind: no file, or no tables in
 * the database. */
static void assert_no_store(const char *db)
{
    if (backend == GPKG) {
        ck_assert_int_ne(access(db, F_OK), 0);
        return;
    }
    char *rows = NULL;
    ck_assert_int_eq(test_pg_exec(db, "SELECT to_regclass('events') IS NULL", &rows), 0);
    ck_assert_str_eq(rows, "t\n");
    free(rows);
}

static size_t csv_ids(const char *csv, char ***out)
{
    char **ids = NULL;
    size_t n = 0;
    const char *p = strchr(csv, '\n');
    while (p && p[1]) {
        p++;
        const char *comma = strchr(p, ',');
        const char *nl = strchr(p, '\n');
        if (!comma || (nl && nl < comma)) break;
        ids = realloc(ids, (n + 1) * sizeof(char *));
        ids[n++] = strndup(p, (size_t)(comma - p));
        p = nl;
    }
    *out = ids;
    return n;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_ids(char **ids, size_t n)
{
    for (size_t i = 0; i < n; i++) free(ids[i]);
    free(ids);
}

/* ---------------------------------------------------------------- near */

static void check_near(const char *source_opt, const pt *pts, size_t n, geo_point c, double km)
{
    run_result r = run_cmd(NULL, "@ near %.9f,%.9f --radius %.17g %s --format csv", c.lat_deg, c.lon_deg, km,
                           source_opt);
    ck_assert_msg(r.status == 0, "near failed: %s", r.err);
    char **got;
    size_t n_got = csv_ids(r.out, &got);
    char **want = NULL;
    size_t n_want = 0;
    for (size_t i = 0; i < n; i++) {
        geo_point p = { pts[i].lat, pts[i].lon };
        if (geo_distance_km(c, p) <= km) {
            want = realloc(want, (n_want + 1) * sizeof(char *));
            want[n_want++] = strdup(pts[i].id);
        }
    }
    /* nearest first: the distance_km column never decreases */
    double last = -1;
    for (const char *line = strchr(r.out, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *nl = strchr(line + 1, '\n');
        const char *p = nl;
        while (p > line && p[-1] != ',') p--;
        double km_i = atof(p);
        ck_assert_msg(km_i >= last, "not nearest first: %g after %g", km_i, last);
        last = km_i;
    }
    if (n_got) qsort(got, n_got, sizeof(char *), cmp_str);
    if (n_want) qsort(want, n_want, sizeof(char *), cmp_str);
    ck_assert_msg(n_got == n_want, "near %.4f,%.4f r=%g %s: %zu events, brute force %zu", c.lat_deg, c.lon_deg, km,
                  source_opt, n_got, n_want);
    for (size_t i = 0; i < n_got; i++) ck_assert_str_eq(got[i], want[i]);
    free_ids(got, n_got);
    free_ids(want, n_want);
    run_result_free(&r);
}

START_TEST(near_should_equal_a_brute_force_geodesic_check)
{
    backend = _i;
    enum { N = 2000 };
    static pt pts[N];
    char *csv = make_points_csv(pts, N);
    char *db = db_path("near.db");
    run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db);
    ck_assert_msg(r.status == 0, "import: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "read 2000, new 2000"));
    run_result_free(&r);

    const geo_point centres[] = {
        { 33.64389, 36.69376 }, { 0, 179.9 }, { 0, -179.95 }, { 5, 180 }, { 89.9, 0 }, { -89.95, 120 },
        { 90, 0 },              { -90, 0 },   { 45, -100 },   { 34, 36.5 },
    };
    const double radii[] = { 1, 25, 120, 900, 5000 };
    strbuf opt = STRBUF_INIT;
    sb_addf(&opt, "--db %s", db);
    for (size_t i = 0; i < sizeof(centres) / sizeof(centres[0]); i++)
        for (size_t j = 0; j < sizeof(radii) / sizeof(radii[0]); j++) check_near(opt.buf, pts, N, centres[i], radii[j]);
    /* --in reads the file itself and answers the same */
    sb_reset(&opt);
    sb_addf(&opt, "--in %s", csv);
    check_near(opt.buf, pts, N, centres[0], 25);
    check_near(opt.buf, pts, N, centres[1], 900);

    /* the radius boundary: an event exactly at the radius is in, a hair less is out */
    geo_point c = centres[0];
    sb_reset(&opt);
    sb_addf(&opt, "--db %s", db);
    for (size_t k = 3; k < N; k += 397) {
        geo_point p = { pts[k].lat, pts[k].lon };
        double d = geo_distance_km(c, p);
        check_near(opt.buf, pts, N, c, d);
        check_near(opt.buf, pts, N, c, nextafter(d, 0));
    }
    sb_release(&opt);
    free(csv);
    free(db);
}
END_TEST

START_TEST(near_should_answer_nothing_from_an_empty_store_and_take_a_place)
{
    backend = _i;
    char *empty = test_write_file("empty-rows.csv", "event_date,location,latitude,longitude\n");
    char *db = db_path("empty.db");
    run_result r = run_cmd(NULL, "@ import %s --db %s", empty, db);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    r = run_cmd(NULL, "@ near 33.6,36.7 --radius 100 --db %s --format csv", db);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "id,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,"
                            "admin2,admin3,location,latitude,longitude,geo_precision,fatalities,source,notes,gazetteer_id,match,"
                            "confidence,distance_km\n");
    run_result_free(&r);

    /* a place name as the centre: the answer says which place it used */
    char *csv = test_write_file("two.csv", "id,event_date,location,latitude,longitude\n"
                                           "a,2024-01-01,near Hasakah,36.51,40.75\n"
                                           "b,2024-01-02,Damascus,33.51,36.29\n");
    char *db2 = db_path("two.db");
    r = run_cmd(NULL, "@ import %s --db %s", csv, db2);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    r = run_cmd(NULL, "@ near Hasakah --radius 10 --db %s --format csv", db2);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "geonames:173811"));
    ck_assert_ptr_nonnull(strstr(r.out, "\na,2024-01-01,"));
    ck_assert_ptr_null(strstr(r.out, "\nb,"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ near Qwxzrtplk --radius 10 --db %s", db2);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    run_result_free(&r);
    r = run_cmd(NULL, "@ near 33,36 --db %s", db2);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "eventmap near: --radius KM is required\n");
    run_result_free(&r);
    free(empty);
    free(db);
    free(csv);
    free(db2);
}
END_TEST

/* -------------------------------------------------------------- import */

START_TEST(import_should_geocode_the_seed_events_and_be_idempotent)
{
    backend = _i;
    char *db = db_path("seed.db");
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "read 9, new 9, updated 0, unchanged 0, geocoded 9, unlocated 0, rejected 0\n"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", db);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "read 9, new 0, updated 0, unchanged 9,"));
    ck_assert_ptr_nonnull(strstr(r.out, ": 9 events, 0 of them unlocated"));
    run_result_free(&r);

    r = run_cmd(NULL, "@ export --db %s --format geojson", db);
    ck_assert_int_eq(r.status, 0);
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(root);
    cJSON *f;
    int seen = 0;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "features"))
    {
        const char *id = cJSON_GetObjectItem(f, "id")->valuestring;
        cJSON *props = cJSON_GetObjectItem(f, "properties");
        cJSON *co = cJSON_GetObjectItem(cJSON_GetObjectItem(f, "geometry"), "coordinates");
        double lon = cJSON_GetArrayItem(co, 0)->valuedouble, lat = cJSON_GetArrayItem(co, 1)->valuedouble;
        const char *gid = cJSON_GetObjectItem(props, "gazetteer_id")->valuestring;
        if (!strcmp(id, "seed-01")) { /* the raid: al-Dumair */
            ck_assert_str_eq(gid, "geonames:170589");
            ck_assert_double_eq_tol(lat, 33.64389, 1e-5);
            ck_assert_int_eq(cJSON_GetObjectItem(props, "geo_precision")->valueint, 1);
            seen++;
        } else if (!strcmp(id, "seed-02")) { /* died in hospital in Hasakah */
            ck_assert_str_eq(gid, "geonames:173811");
            ck_assert_double_eq_tol(lon, 40.74772, 1e-5);
            seen++;
        } else if (!strcmp(id, "seed-05")) { /* the central Badiya region */
            ck_assert_str_eq(gid, "eventmap:badiya");
            ck_assert_str_eq(cJSON_GetObjectItem(props, "match")->valuestring, "region");
            ck_assert_int_eq(cJSON_GetObjectItem(props, "geo_precision")->valueint, 3);
            seen++;
        } else if (!strcmp(id, "seed-06")) { /* the Tanf base */
            ck_assert_str_eq(gid, "eventmap:tanf-garrison");
            seen++;
        }
    }
    ck_assert_int_eq(seen, 4);
    cJSON_Delete(root);
    run_result_free(&r);
    free(db);
}
END_TEST

/* The exported properties of event id (a JSON object of root); fails the
 * test when there is no such event. */
static const cJSON *props_of(const cJSON *root, const char *id)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "features"))
        if (!strcmp(cJSON_GetObjectItem(f, "id")->valuestring, id)) return cJSON_GetObjectItem(f, "properties");
    ck_abort_msg("no event %s", id);
    return NULL;
}

START_TEST(import_should_place_a_row_inside_its_country_or_at_its_area)
{
    backend = _i;
    /* an event table's rows without coordinates: each is placed inside the
     * country it names, and a place the gazetteer lacks goes to the row's
     * admin3 or admin2 (a district's seat), else its admin1, else its
     * country; never to a same-named place elsewhere */
    char *csv = test_write_file("context.csv",
        "id,event_date,event_type,location,admin1,admin2,admin3,country\n"
        "c1,2024-01-01,Battles,Palmyra,,,,United States\n"          /* not Tadmur, though the index is for Syria */
        "c2,2024-01-01,Battles,Moscow,,,,Syria\n"                   /* no Moscow in Syria: the country */
        "c3,2024-01-01,Battles,Qqzzyx village,Idlib governorate,,,Syria\n" /* unknown place: its admin1 */
        "c4,2024-01-01,Battles,Qqzzyx village,Nowhere province,,,Syria\n"  /* unknown area too: the country */
        "c5,2024-01-01,Battles,Homs,NA,NA,NA,NA\n"                  /* NA is none: the home country's Homs */
        "c6,2024-01-01,Battles,Aleppo,,,,DR Congo (Zaire)\n"        /* not Syria's Aleppo */
        "c7,2024-01-01,Battles,Qqzzyx village,,,,Atlantis\n"        /* no country known: unlocated */
        "c8,2024-01-01,Battles,Qqzzyx/Tadmur town,Homs governorate,,,Syria\n" /* either name of a slash pair */
        "c9,2024-01-01,Battles,Qqzzyx (Douma) town,Rif Dimashq governorate,,,SY\n" /* or in brackets */
        "c10,2024-01-01,Battles,Aleppo,Daraa governorate,,,Syria\n" /* a place far from the row's area: the area */
        "c11,2024-01-01,Battles,Douma,Damascus governorate,,,Syria\n" /* near it: the place */
        "c12,2024-01-01,Battles,Qqzzyx village,Aleppo governorate,Manbij district,,Syria\n" /* its district's seat */
        "c13,2024-01-01,Battles,Qqzzyx village,Aleppo governorate,Manbij district,Al Bab,Syria\n" /* admin3 first */
        "c14,2024-01-01,Battles,Qqzzyx village,Daraa governorate,Manbij district,,Syria\n" /* a seat far away: admin1 */
        "c15,2024-01-01,Battles,Qqzzyx village,Idlib governorate,Qqzzyx district,,Syria\n" /* unknown: admin1 */
        "c16,2024-01-01,Battles,Qqzzyx village,Balochistn province,,,Pakistan\n"); /* a letter off: still admin1 */
    char *db = db_path("context.db");
    strbuf review = STRBUF_INIT;
    sb_addf(&review, "%s/review.csv", test_tmpdir());
    run_result r = run_cmd(NULL, "@ import %s --db %s --geocode-report %s", csv, db, review.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "geocoded 15, unlocated 1,") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "geocoded 5 at a place, 2 at their admin2 or admin3, 5 at their admin1, 3 at their "
                                "country\n") != NULL, "%s", r.out);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s:4: placed at its admin1: \"Qqzzyx village\", Idlib governorate, Syria", csv);
    ck_assert_msg(strstr(r.err, want.buf) != NULL, "%s", r.err);
    sb_reset(&want);
    sb_addf(&want, "%s:3: placed at its country: \"Moscow\", Syria", csv);
    ck_assert_msg(strstr(r.err, want.buf) != NULL, "%s", r.err);
    run_result_free(&r);

    r = run_cmd(NULL, "@ export --db %s --format geojson", db);
    ck_assert_int_eq(r.status, 0);
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(root);
    static const struct { const char *id, *match, *gazetteer_id; int precision; } want_rows[] = {
        { "c2", "country", "country:SY", 3 },
        { "c3", "admin1", "eventmap:gov-idlib", 3 },
        { "c4", "country", "country:SY", 3 },
        { "c5", "exact", "geonames:169577", 1 },
        { "c6", "country", "country:CD", 3 },
        { "c8", "exact", "geonames:163808", 1 },
        { "c9", "alias", "geonames:170592", 1 }, /* GeoNames calls it Dūmā; "Douma" is its alternate */
        { "c10", "admin1", "eventmap:gov-daraa", 3 },
        { "c11", "alias", "geonames:170592", 1 },
        { "c12", "admin2", "geonames:167357", 3 },
        { "c13", "admin3", "geonames:174018", 3 },
        { "c14", "admin1", "eventmap:gov-daraa", 3 },
        { "c15", "admin1", "eventmap:gov-idlib", 3 },
        { "c16", "admin1", "eventmap:adm1-pak-1108", 3 },
    };
    for (size_t i = 0; i < sizeof(want_rows) / sizeof(want_rows[0]); i++) {
        const cJSON *p = props_of(root, want_rows[i].id);
        ck_assert_str_eq(cJSON_GetObjectItem(p, "match")->valuestring, want_rows[i].match);
        ck_assert_str_eq(cJSON_GetObjectItem(p, "gazetteer_id")->valuestring, want_rows[i].gazetteer_id);
        ck_assert_int_eq(cJSON_GetObjectItem(p, "geo_precision")->valueint, want_rows[i].precision);
    }
    const char *palmyra = cJSON_GetObjectItem(props_of(root, "c1"), "gazetteer_id")->valuestring;
    ck_assert_str_ne(palmyra, "geonames:163808"); /* Tadmur */
    cJSON_Delete(root);
    run_result_free(&r);
    /* and Palmyra lies in the United States */
    r = run_cmd(NULL, "@ resolve --json --country US Palmyra");
    ck_assert_msg(strstr(r.out, "\"country\":\"US\"") && !strstr(r.out, "\"country\":\"SY\""), "%s", r.out);
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json \"Moscow, Syria\"");
    ck_assert_msg(strstr(r.out, "\"results\":[]") != NULL, "%s", r.out);
    run_result_free(&r);
    /* the review: one line per distinct place, the doubtful first */
    char *text = test_read_file(review.buf, NULL);
    ck_assert_ptr_nonnull(text);
    static const char head[] = "location,admin1,admin2,admin3,country,rows,level,match,geo_precision,confidence,name,"
                               "gazetteer_id,latitude,longitude,runner_up_1,runner_up_2\n"
                               "Qqzzyx village,,,,Atlantis,1,none,,0,0.00,,,,,";
    ck_assert_msg(!strncmp(text, head, sizeof(head) - 1), "%s", text);
    ck_assert_msg(strstr(text, "\nMoscow,,,,Syria,1,country,country,3,0.02,Syria,country:SY,") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "\nQqzzyx village,Idlib governorate,,,Syria,1,admin1,admin1,3,0.15,Idlib,"
                               "eventmap:gov-idlib,") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "\nQqzzyx village,Aleppo governorate,Manbij district,,Syria,1,admin2,admin2,3,0.50,"
                               "Manbij,geonames:167357,") != NULL, "%s", text);
    ck_assert_msg(strstr(text, "\nHoms,NA,NA,NA,NA,1,place,exact,1,") != NULL, "%s", text);
    size_t lines = 0;
    for (const char *p = text; *p; p++) lines += *p == '\n';
    ck_assert_uint_eq(lines, 17); /* the header and 16 distinct places */
    free(text);
    /* a review that cannot be written: nothing imported */
    char *db2 = db_path("context-2.db");
    r = run_cmd(NULL, "@ import %s --db %s --geocode-report %s/no/such/dir/review.csv", csv, db2, test_tmpdir());
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "review.csv: cannot create: No such file or directory") != NULL, "%s", r.err);
    assert_no_store(db2);
    run_result_free(&r);
    free(db2);
    sb_release(&review);
    sb_release(&want);
    free(csv);
    free(db);
}
END_TEST

START_TEST(import_should_take_a_country_column_of_many_distinct_texts)
{
    backend = _i;
    /* more distinct texts than the geocoder keeps (a text it does not know
     * constrains nothing): each still read right, Iraq after them too */
    strbuf csv = STRBUF_INIT;
    sb_adds(&csv, "id,event_date,event_type,location,country\n");
    for (int i = 0; i < 700; i++) sb_addf(&csv, "m%d,2024-01-01,Battles,Homs,Land %d\n", i, i);
    for (int i = 700; i < 750; i++) sb_addf(&csv, "m%d,2024-01-01,Battles,Homs,%s\n", i, i % 2 ? "Iraq" : "IQ");
    char *path = test_write_file("many-countries.csv", csv.buf);
    char *db = db_path("many-countries.db");
    run_result r = run_cmd(NULL, "@ import %s --db %s", path, db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "geocoded 750, unlocated 0,") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "geocoded 700 at a place, 0 at their admin2 or admin3, 0 at their admin1, 50 at their "
                                "country\n") != NULL, "%s", r.out);
    run_result_free(&r);
    sb_release(&csv);
    free(path);
    free(db);
}
END_TEST

START_TEST(import_should_read_acled_ucdp_geojson_and_rfc4180)
{
    backend = _i;
    char *acled = test_write_file(
        "acled.csv",
        "\xEF\xBB\xBF"
        "event_id_cnty,event_date,year,time_precision,disorder_type,event_type,sub_event_type,actor1,assoc_actor_1,"
        "inter1,actor2,assoc_actor_2,inter2,interaction,civilian_targeting,iso,region,country,admin1,admin2,admin3,"
        "location,latitude,longitude,geo_precision,source,source_scale,notes,fatalities,tags,timestamp\r\n"
        "SYR1001,15 March 2024,2024,1,Political violence,Battles,Armed clash,Military Forces of Syria,,1,HTS,,2,12,,"
        "760,Middle East,Syria,Idlib,Idlib,,Saraqeb,35.8622,36.8003,1,SOHR,National,\"Clashes near the M5,\r\n"
        "two \"\"fighters\"\" killed\",2,,1710500000\r\n"
        "SYR1002,2024-03-16,2024,1,Political violence,Explosions/Remote violence,Air/drone strike,Military Forces of "
        "Russia,,8,,,0,80,,760,Middle East,Syria,Idlib,Idlib,,Ariha,,,1,SOHR,National,strike,0,,1710500000\r\n");
    char *ucdp = test_write_file(
        "ucdp.csv",
        "id,relid,year,type_of_violence,side_a,side_b,where_prec,where_coordinates,adm_1,latitude,longitude,"
        "country,date_prec,date_start,date_end,best\n"
        "424242,SYR-2019-1,2019,3,IS,Civilians,4,Dayr al-Zawr governorate,Dayr al-Zawr governorate,35.33,40.14,"
        "Syria,4,2019-02-01 00:00:00.000,2019-02-28 00:00:00.000,7\n");
    char *gj = test_write_file(
        "in.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":[\n"
        "{\"type\":\"Feature\",\"id\":\"g1\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[36.29,33.51]},"
        "\"properties\":{\"event_date\":\"2024-05-01\",\"event_type\":\"Protests\",\"fatalities\":0}},\n"
        "{\"type\":\"Feature\",\"geometry\":null,\"properties\":{\"id\":\"g2\",\"date\":\"2024-05-02\","
        "\"location\":\"Qamishli\"}}\n]}\n");
    char *db = db_path("formats.db");
    run_result r = run_cmd(NULL, "@ import %s %s %s --db %s", acled, ucdp, gj, db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "read 5, new 5, updated 0, unchanged 0, geocoded 2, unlocated 0, rejected 0"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db %s --format csv", db);
    ck_assert_int_eq(r.status, 0);
    /* ACLED's old date form, a quoted field with a newline and doubled quotes */
    ck_assert_ptr_nonnull(strstr(r.out, "SYR1001,2024-03-15,1,Battles,Armed clash,Military Forces of Syria,HTS,"
                                        "Syria,Idlib,Idlib,,Saraqeb,35.862200,36.800300,1,2,SOHR,\"Clashes near the M5,\r\n"
                                        "two \"\"fighters\"\" killed\",,,1.00\n"));
    /* geocoded from its location, with admin1 as context */
    ck_assert_ptr_nonnull(strstr(r.out, "SYR1002,2024-03-16,1,Explosions/Remote violence,Air/drone strike,"));
    ck_assert_ptr_nonnull(strstr(r.out, ",Idlib,Idlib,,Ariha,35.8"));
    /* UCDP: type_of_violence 3, where_prec 4 -> geo_precision 3, date_prec 4 -> month, best -> fatalities */
    ck_assert_ptr_nonnull(strstr(r.out, "ucdp-424242,2019-02-01,3,One-sided violence,,IS,Civilians,Syria,"
                                        "Dayr al-Zawr governorate,,,Dayr al-Zawr governorate,35.330000,40.140000,3,7,"));
    ck_assert_ptr_nonnull(strstr(r.out, "g1,2024-05-01,1,Protests,"));
    ck_assert_ptr_nonnull(strstr(r.out, "g2,2024-05-02,1,,,,,,,,,Qamishli,37.05"));
    run_result_free(&r);
    free(acled);
    free(ucdp);
    free(gj);
    free(db);
}
END_TEST

/* Bad input: FILE:LINE: reason, exit 1, and the store exactly as it was. */
START_TEST(import_should_refuse_bad_input_and_leave_the_store_unchanged)
{
    backend = _i;
    static const struct {
        const char *name, *text, *want;
    } cases[] = {
        { "cols.csv", "event_date,location,latitude,longitude\n2024-01-01,A,33.1,36.2\n2024-01-02,B,33.2\n",
          "cols.csv:3: 3 fields, the header has 4\n" },
        { "comma.csv", "event_date,location,latitude,longitude\n2024-01-01,A,\"33,64\",36.2\n",
          "comma.csv:2: latitude \"33,64\" is not a number\n" },
        { "lat.csv", "event_date,location,latitude,longitude\n2024-01-01,A,123,36.2\n",
          "lat.csv:2: latitude 123 is outside -90..90\n" },
        { "date.csv", "event_date,location,latitude,longitude\n2024-01-01,A,33,36\n\n2024-01-02,\"B\r\nB2\",33,36\nMarch 5th,C,1,1\n",
          "date.csv:6: event_date \"March 5th\" is not a date (YYYY-MM-DD or 15 March 2024)\n" },
        { "utf8.csv", "event_date,location,latitude,longitude\n2024-01-01,Hom\xff,33,36\n", "utf8.csv:2: invalid UTF-8\n" },
        { "trunc.geojson", "{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"geometry\":",
          "trunc.geojson:2: truncated JSON (the file ends too early)\n" },
        { "empty.csv", "", "empty.csv:1: empty file\n" },
        { "nodate.csv", "when,location\n2024,A\n", "nodate.csv:1: no date column (event_date, date, date_start; or --map COLUMN=event_date)\n" },
        { "quote.csv", "event_date,location,latitude,longitude\n2024-01-01,\"A,33,36\n",
          "quote.csv:2: a quoted field is not closed at the end of the file\n" },
    };
    char *db = db_path("bad.db");
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", db);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db %s --format csv", db);
    char *before = strdup(r.out);
    run_result_free(&r);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *path = test_write_file(cases[i].name, cases[i].text);
        /* a good file first: it must not land either */
        r = run_cmd(NULL, "@ import examples/seed-events.csv %s --db %s", path, db);
        ck_assert_msg(r.status == 1, "%s: exit %d", cases[i].name, r.status);
        ck_assert_str_eq(r.out, "");
        strbuf want = STRBUF_INIT;
        sb_addf(&want, "%s/%s", test_tmpdir(), cases[i].want);
        ck_assert_msg(!strncmp(r.err, want.buf, want.len), "%s: got %s", cases[i].name, r.err);
        sb_release(&want);
        run_result_free(&r);
        r = run_cmd(NULL, "@ export --db %s --format csv", db);
        ck_assert_str_eq(r.out, before);
        run_result_free(&r);
        free(path);
    }
    /* a store that did not exist is not left behind */
    char *fresh = db_path("never.db");
    char *bad = test_write_file("bad-again.csv", cases[1].text);
    r = run_cmd(NULL, "@ import %s --db %s", bad, fresh);
    ck_assert_int_eq(r.status, 1);
    assert_no_store(fresh);
    run_result_free(&r);
    /* --skip-bad lists the bad rows and imports the rest */
    char *mixed = test_write_file("mixed.csv", "id,event_date,location,latitude,longitude\n"
                                               "m1,2024-01-01,A,33.1,36.2\nm2,2024-01-02,B,\"33,64\",36\n"
                                               "m3,2024-01-03,C,33.3,36.3\n");
    r = run_cmd(NULL, "@ import --skip-bad %s --db %s", mixed, db);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.err, "mixed.csv:3: latitude \"33,64\" is not a number"));
    ck_assert_ptr_nonnull(strstr(r.out, "read 2, new 2, updated 0, unchanged 0, geocoded 0, unlocated 0, rejected 1"));
    run_result_free(&r);
    free(mixed);
    free(bad);
    free(fresh);
    free(before);
    free(db);
}
END_TEST

/* -------------------------------------------------------------- export */

START_TEST(export_should_write_valid_geojson_that_round_trips)
{
    backend = _i;
    enum { N = 300 };
    static pt pts[N];
    char *csv = make_points_csv(pts, N);
    char *db = db_path("rt1.db"), *db2 = db_path("rt2.db");
    strbuf out1 = STRBUF_INIT, out2 = STRBUF_INIT;
    sb_addf(&out1, "%s/rt1.geojson", test_tmpdir());
    sb_addf(&out2, "%s/rt2.geojson", test_tmpdir());
    run_result r = run_cmd(NULL, "@ import %s examples/seed-events.csv --db %s", csv, db);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db %s --format geojson -o %s", db, out1.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    char *msg = NULL;
    int valid = test_geojson_valid(out1.buf, &msg);
    ck_assert_msg(valid == 1, "geojsonhint: %s", msg ? msg : "?");
    /* RFC 7946: lon, lat order; no crs; a bbox on the collection */
    char *text = test_read_file(out1.buf, NULL);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    ck_assert_ptr_null(cJSON_GetObjectItem(root, "crs"));
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "bbox")), 4);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "features")), N + 9);
    cJSON_Delete(root);

    r = run_cmd(NULL, "@ import %s --db %s", out1.buf, db2);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db %s --format geojson -o %s", db2, out2.buf);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    char *text2 = test_read_file(out2.buf, NULL);
    ck_assert_str_eq(text, text2);
    /* and the CSV too */
    r = run_cmd(NULL, "@ export --db %s --format csv -o %s/rt1.csv", db, test_tmpdir());
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    char *db3 = db_path("rt3.db");
    r = run_cmd(NULL, "@ import %s/rt1.csv --db %s", test_tmpdir(), db3);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db %s --format geojson", db3);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, text);
    run_result_free(&r);
    /* from a file to standard output: the same text, and when a bad row
     * comes after good ones, nothing at all */
    r = run_cmd(NULL, "@ export --in %s --format geojson", out1.buf);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, text);
    run_result_free(&r);
    char *bad = test_write_file("good-then-bad.csv", "event_date,latitude,longitude\n"
                                                     "2024-01-01,33.5,36.3\n2024-01-02,33.6,36.4\n"
                                                     "2024-01-03,333,36.4\n");
    r = run_cmd(NULL, "@ export --in %s --format csv", bad);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_ptr_nonnull(strstr(r.err, "good-then-bad.csv:4: "));
    run_result_free(&r);
    r = run_cmd("{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                "{\"event_date\":\"2024-01-01\"},\"geometry\":{\"type\":\"Point\",\"coordinates\":[36,33]}},\n"
                "{\"type\":\"Feature\",\"properties\":{\"event_date\":\"2024-01-01\"},\"geometry\":{\"type\":\"Point\"}}]}",
                "@ export --in -");
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    ck_assert_str_eq(r.err, "eventmap export: <stdin>:2: Point coordinates are not [longitude, latitude]\n");
    run_result_free(&r);
    free(bad);
    free(text);
    free(text2);
    free(csv);
    free(db);
    free(db2);
    free(db3);
    sb_release(&out1);
    sb_release(&out2);
}
END_TEST

START_TEST(reading_commands_should_filter_by_date_type_actor_and_region)
{
    backend = _i;
    char *csv = test_write_file("filters.csv",
                                "id,event_date,event_type,sub_event_type,actor1,actor2,location,latitude,longitude\n"
                                "f1,2024-03-01,Battles,Armed clash,Syrian Free Army,IS,Tanf,33.5058,38.6178\n"
                                "f2,2024-03-15,Protests,Peaceful protest,Protesters (Syria),,Idlib,35.9306,36.6339\n"
                                "f3,2024-04-01,Battles,Armed clash,Military Forces of Syria,IS,Sukhnah,34.8853,38.8711\n"
                                "f4,2024-04-02,Riots,Mob violence,Rioters,,Latakia,35.5317,35.7918\n");
    char *db = db_path("filters.db");
    run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    static const struct {
        const char *args, *want;
    } cases[] = {
        { "--since 2024-03-15", "f2,f3,f4," },
        { "--until 2024-03-15", "f1,f2," },
        { "--since 2024-03-02 --until 2024-04-01", "f2,f3," },
        { "--type battles", "f1,f3," },
        { "--type 'Peaceful protest'", "f2," },
        { "--actor 'free army'", "f1," },
        { "--actor IS", "f1,f3," },
        { "--region Badiya", "f1,f3," },
        { "--region 'the Badiya' --since 2024-04-01", "f3," },
        { "--region Idlib", "f2," },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int in = 0; in < 2; in++) {
            if (in) r = run_cmd(NULL, "@ export --in %s --format csv %s", csv, cases[i].args);
            else r = run_cmd(NULL, "@ export --db %s --format csv %s", db, cases[i].args);
            ck_assert_msg(r.status == 0, "%s: %s", cases[i].args, r.err);
            char **ids;
            size_t n = csv_ids(r.out, &ids);
            if (n) qsort(ids, n, sizeof(char *), cmp_str);
            strbuf got = STRBUF_INIT;
            for (size_t k = 0; k < n; k++) sb_addf(&got, "%s,", ids[k]);
            ck_assert_msg(!strcmp(got.buf, cases[i].want), "%s%s: got %s want %s", in ? "--in " : "",
                          cases[i].args, got.buf, cases[i].want);
            sb_release(&got);
            free_ids(ids, n);
            run_result_free(&r);
        }
    }
    /* a device is written to, never renamed over */
    r = run_cmd(NULL, "@ export --db %s --format csv -o /dev/null", db);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));
    r = run_cmd(NULL, "@ export --db %s --since 2024-13-01", db);
    ck_assert_int_eq(r.status, 2);
    ck_assert_str_eq(r.err, "eventmap export: --since \"2024-13-01\" is not a date (YYYY-MM-DD)\n");
    run_result_free(&r);
    free(csv);
    free(db);
}
END_TEST

Suite *cli_events_suite(void)
{
    Suite *s = suite_create("cli-events");
    /* every case once on each back end: --db a GeoPackage file, then a
     * postgresql:// URL */
    int n_backends = test_pg_start("cli-events") ? 2 : 1;
    TCase *t = tcase_create("events");
    tcase_set_timeout(t, 300);
    tcase_add_loop_test(t, near_should_equal_a_brute_force_geodesic_check, 0, n_backends);
    tcase_add_loop_test(t, near_should_answer_nothing_from_an_empty_store_and_take_a_place, 0, n_backends);
    tcase_add_loop_test(t, import_should_geocode_the_seed_events_and_be_idempotent, 0, n_backends);
    tcase_add_loop_test(t, import_should_place_a_row_inside_its_country_or_at_its_area, 0, n_backends);
    tcase_add_loop_test(t, import_should_take_a_country_column_of_many_distinct_texts, 0, n_backends);
    tcase_add_loop_test(t, import_should_read_acled_ucdp_geojson_and_rfc4180, 0, n_backends);
    tcase_add_loop_test(t, import_should_refuse_bad_input_and_leave_the_store_unchanged, 0, n_backends);
    tcase_add_loop_test(t, export_should_write_valid_geojson_that_round_trips, 0, n_backends);
    tcase_add_loop_test(t, reading_commands_should_filter_by_date_type_actor_and_region, 0, n_backends);
    suite_add_tcase(s, t);
    return s;
}
