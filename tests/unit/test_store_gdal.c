/*
 * test_store_gdal.c - the store through GDAL's eyes, as a QGIS user meets
 * it: GDAL's own GeoPackage validator (validate_gpkg.py of python3-gdal)
 * passes; ogrinfo sees one Point layer `events` with every event and every
 * attribute; ogr2ogr's GeoJSON of the store holds the features the store's
 * own scan gives (ids, coordinates, attributes); and a feature added and
 * one moved through GDAL, as a QGIS edit does, are found by the store's box
 * scan and radius search, with its R*Tree right and its next import
 * sound.  Without GDAL the tests are not run and say so (NOT RUN), never
 * pass.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events/event.h"
#include "store/store.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"

#define VALIDATE_GPKG "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"

/* Located events in the store the tests make (enough for the R*Tree's bulk
 * build), and unlocated ones. */
#define N_LOCATED 1500
#define N_UNLOCATED 40

/* The attribute columns a GDAL user sees: ACLED's, then eventmap's keys. */
static const char *const attribute_columns[] = {
    "id",      "event_date", "time_precision", "event_type", "sub_event_type", "actor1",
    "actor2",  "country",    "admin1",         "admin2",     "admin3",         "location",
    "geo_precision", "fatalities", "source",   "notes",      "gazetteer_id",   "match",
    "confidence",    "day",        "event_type_key", "sub_event_type_key",
};

static const char *const event_types[][2] = {
    { "Battles", "Armed clash" },
    { "Explosions/Remote violence", "Air/drone strike" },
    { "Violence against civilians", "Attack" },
};

/* The events of the test store: ids E0000.., located ones spread over
 * Syria and its neighbours (a few on the world's edges), every string
 * field set, some with quotes, commas and Arabic. */
typedef struct {
    char ids[N_LOCATED + N_UNLOCATED][8];
    char dates[N_LOCATED + N_UNLOCATED][11];
    ev_event events[N_LOCATED + N_UNLOCATED];
    size_t n;
} event_set;

static event_set *make_events(void)
{
    event_set *set = xcalloc(1, sizeof(*set));
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < N_LOCATED + N_UNLOCATED; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        uint64_t r = x * 0x2545F4914F6CDD1Dull;
        ev_event *e = &set->events[i];
        memset(e, 0, sizeof(*e));
        snprintf(set->ids[i], sizeof(set->ids[i]), "E%04zu", i);
        e->id = set->ids[i];
        e->day = 19000 + (int32_t)(r % 1500);
        ev_format_date(e->day, set->dates[i]);
        e->event_date = set->dates[i];
        e->time_precision = 1 + (int)(r >> 20) % 3;
        e->event_type = event_types[(r >> 8) % 3][0];
        e->sub_event_type = event_types[(r >> 8) % 3][1];
        e->actor1 = i % 7 ? "Military Forces of Syria (2000-2024)" : "Hay'at Tahrir al-Sham, \"HTS\"";
        e->actor2 = i % 5 ? "" : "Civilians (Syria)";
        e->country = "Syria";
        e->admin1 = i % 3 ? "Rif Dimashq" : "الحسكة";
        e->admin2 = i % 4 ? "Duma" : "";
        e->admin3 = "";
        e->location = i % 2 ? "al-Dumair" : "Tanf, \"garrison\"";
        e->geo_precision = 1 + (int)(r >> 30) % 3;
        e->fatalities = (int)(r >> 40) % 50;
        e->source = "SANA; SOHR";
        e->notes = i % 9 ? "Clashes near the town." : "Line one\nline two, with \"quotes\" and a tab\t.";
        e->gazetteer_id = "geonames:170589";
        e->match = "exact";
        e->confidence = (double)(r % 1000) / 1024.0;
        if (i >= N_LOCATED) {
            e->located = 0;
            e->confidence = 0;
        } else {
            e->located = 1;
            e->lon = 35.0 + (double)((r >> 11) % 1000000) / 1e6 * 7.0;
            e->lat = 32.0 + (double)((r >> 31) % 1000000) / 1e6 * 5.0;
            if (i == 1) e->lon = 180, e->lat = -90; /* the edges of the world */
            if (i == 2) e->lon = -180, e->lat = 90;
        }
    }
    set->n = N_LOCATED + N_UNLOCATED;
    return set;
}

static store *open_store(const char *path, int mode)
{
    store *s = NULL;
    char *err = NULL;
    ck_assert_msg(store_open(path, mode, &s, &err) == 0, "store_open(%s): %s", path, err ? err : "?");
    return s;
}

/* A store at a fresh path holding set: most events in one transaction (the
 * bulk path), the last ten one put at a time (the triggers). */
static char *make_store(const char *name, const event_set *set)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/%s", test_tmpdir(), name);
    unlink(path.buf);
    store *s = open_store(path.buf, STORE_CREATE);
    char *err = NULL;
    ck_assert_int_eq(store_begin(s, &err), 0);
    for (size_t i = 0; i < set->n - 10; i++)
        ck_assert_msg(store_put(s, &set->events[i], &err) == STORE_NEW, "%s", err ? err : "?");
    ck_assert_msg(store_commit(s, &err) == 0, "%s", err ? err : "?");
    for (size_t i = set->n - 10; i < set->n; i++)
        ck_assert_msg(store_put(s, &set->events[i], &err) == STORE_NEW, "%s", err ? err : "?");
    store_close(s);
    return sb_detach(&path, NULL);
}

static void assert_validates(const char *path, const char *after)
{
    run_result r = run_cmd(NULL, "python3 %s '%s'", VALIDATE_GPKG, path);
    ck_assert_msg(r.status == 0, "after %s: validate_gpkg.py %s: exit %d: %s%s", after, path, r.status, r.out,
                  r.err);
    run_result_free(&r);
}

static void assert_sound(const char *path, int exact_extent, const char *after)
{
    char *why = test_store_check(path, exact_extent);
    ck_assert_msg(!why, "after %s: %s", after, why);
}

/* ---------------------------------------------------------------- tests */

START_TEST(gdal_should_validate_the_store_as_a_geopackage)
{
    event_set *set = make_events();
    char *path = make_store("valid.gpkg", set);
    assert_validates(path, "an import and single puts");
    assert_sound(path, 1, "an import and single puts");
    /* and an empty store */
    strbuf empty = STRBUF_INIT;
    sb_addf(&empty, "%s/empty.gpkg", test_tmpdir());
    store_close(open_store(empty.buf, STORE_CREATE));
    assert_validates(empty.buf, "creation");
    sb_release(&empty);
    free(path);
    free(set);
}
END_TEST

START_TEST(ogrinfo_should_show_one_point_layer_with_every_event_and_attribute)
{
    event_set *set = make_events();
    char *path = make_store("ogrinfo.gpkg", set);
    run_result r = run_cmd(NULL, "ogrinfo -ro '%s'", path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "1: events (Point)") && !strstr(r.out, "2: "), "ogrinfo lists: %s", r.out);
    run_result_free(&r);

    r = run_cmd(NULL, "ogrinfo -ro -so '%s' events", path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "Feature Count: %zu\n", set->n);
    ck_assert_msg(strstr(r.out, "Layer name: events\n") && strstr(r.out, "Geometry: Point\n") &&
                      strstr(r.out, want.buf) && strstr(r.out, "FID Column = fid\n") &&
                      strstr(r.out, "Geometry Column = geom\n") && strstr(r.out, "ID[\"EPSG\",4326]"),
                  "ogrinfo -so: %s", r.out);
    for (size_t i = 0; i < sizeof(attribute_columns) / sizeof(attribute_columns[0]); i++) {
        sb_reset(&want);
        sb_addf(&want, "\n%s: ", attribute_columns[i]);
        ck_assert_msg(strstr(r.out, want.buf), "ogrinfo -so shows no attribute %s: %s", attribute_columns[i], r.out);
    }
    ck_assert_msg(strstr(r.out, "\nid: String (0.0) UNIQUE NOT NULL\n"), "ogrinfo -so: %s", r.out);
    ck_assert_msg(strstr(r.out, "\nfatalities: Integer (0.0)\n"), "ogrinfo -so: %s", r.out);
    ck_assert_msg(strstr(r.out, "\nconfidence: Real (0.0)\n"), "ogrinfo -so: %s", r.out);
    sb_release(&want);
    run_result_free(&r);
    free(path);
    free(set);
}
END_TEST

/* The store's scan, by id, for the comparisons. */
typedef struct {
    cJSON *by_id;       /* id -> the GeoJSON feature GDAL wrote */
    size_t n_seen;
} gdal_features;

static const char *str_prop(const cJSON *props, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    ck_assert_msg(cJSON_IsString(v), "property %s is not a string", name);
    return v->valuestring;
}

static double num_prop(const cJSON *props, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(props, name);
    ck_assert_msg(cJSON_IsNumber(v), "property %s is not a number", name);
    return v->valuedouble;
}

/* Each event of the store's scan equals GDAL's feature of the same id. */
static int same_as_gdal(void *ctx, const ev_event *e, char **err)
{
    (void)err;
    gdal_features *g = ctx;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(g->by_id, e->id);
    ck_assert_msg(f != NULL, "%s: not in GDAL's GeoJSON", e->id);
    g->n_seen++;
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
    const char *texts[][2] = {
        { "event_date", e->event_date }, { "event_type", e->event_type }, { "sub_event_type", e->sub_event_type },
        { "actor1", e->actor1 },         { "actor2", e->actor2 },         { "country", e->country },
        { "admin1", e->admin1 },         { "admin2", e->admin2 },         { "admin3", e->admin3 },
        { "location", e->location },     { "source", e->source },         { "notes", e->notes },
        { "gazetteer_id", e->gazetteer_id }, { "match", e->match },
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
        ck_assert_msg(!strcmp(str_prop(props, texts[i][0]), texts[i][1]), "%s: %s \"%s\", GDAL \"%s\"", e->id,
                      texts[i][0], texts[i][1], str_prop(props, texts[i][0]));
    ck_assert_int_eq((int)num_prop(props, "time_precision"), e->time_precision);
    ck_assert_int_eq((int)num_prop(props, "geo_precision"), e->geo_precision);
    ck_assert_int_eq((int)num_prop(props, "fatalities"), e->fatalities);
    ck_assert_int_eq((int)num_prop(props, "day"), e->day);
    ck_assert_msg(num_prop(props, "confidence") == e->confidence, "%s: confidence %.17g, GDAL %.17g", e->id,
                  e->confidence, num_prop(props, "confidence"));
    const cJSON *geom = cJSON_GetObjectItemCaseSensitive(f, "geometry");
    if (!e->located) {
        ck_assert_msg(cJSON_IsNull(geom), "%s: unlocated, GDAL gives a geometry", e->id);
        return 0;
    }
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(geom, "type");
    const cJSON *xy = cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
    ck_assert_msg(cJSON_IsString(type) && !strcmp(type->valuestring, "Point") && cJSON_GetArraySize(xy) == 2,
                  "%s: not a point in GDAL's GeoJSON", e->id);
    double lon = cJSON_GetArrayItem(xy, 0)->valuedouble, lat = cJSON_GetArrayItem(xy, 1)->valuedouble;
    ck_assert_msg(lon == e->lon && lat == e->lat, "%s: %.17g,%.17g, GDAL %.17g,%.17g", e->id, e->lon, e->lat, lon,
                  lat);
    return 0;
}

START_TEST(ogr2ogr_should_give_the_features_of_the_store_scan)
{
    event_set *set = make_events();
    char *path = make_store("ogr2ogr.gpkg", set);
    strbuf json_path = STRBUF_INIT;
    sb_addf(&json_path, "%s/ogr2ogr.geojson", test_tmpdir());
    unlink(json_path.buf);
    run_result r = run_cmd(NULL, "ogr2ogr -f GeoJSON -lco SIGNIFICANT_FIGURES=17 -lco COORDINATE_PRECISION=17 '%s' '%s' events", json_path.buf,
                           path);
    ck_assert_msg(r.status == 0, "ogr2ogr: %s", r.err);
    run_result_free(&r);

    size_t len = 0;
    char *text = test_read_file(json_path.buf, &len);
    ck_assert_ptr_nonnull(text);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    ck_assert_ptr_nonnull(doc);
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(doc, "features");
    ck_assert_int_eq(cJSON_GetArraySize(features), (int)set->n);
    gdal_features g = { cJSON_CreateObject(), 0 };
    const cJSON *f;
    cJSON_ArrayForEach(f, features) {
        const char *id = str_prop(cJSON_GetObjectItemCaseSensitive(f, "properties"), "id");
        ck_assert_msg(!cJSON_GetObjectItemCaseSensitive(g.by_id, id), "%s: twice in GDAL's GeoJSON", id);
        cJSON_AddItemReferenceToObject(g.by_id, id, (cJSON *)f);
    }
    store *s = open_store(path, STORE_READ);
    char *err = NULL;
    ck_assert_msg(store_scan(s, NULL, NULL, 0, same_as_gdal, &g, &err) == 0, "%s", err ? err : "?");
    ck_assert_uint_eq(g.n_seen, set->n);
    store_close(s);
    cJSON_Delete(g.by_id);
    cJSON_Delete(doc);
    free(text);
    sb_release(&json_path);
    free(path);
    free(set);
}
END_TEST

/* The events a scan or a radius search found, by id. */
typedef struct {
    strbuf ids;   /* each id with a newline after it */
    size_t n;
} found;

static int on_found(void *ctx, const ev_event *e, char **err)
{
    (void)err;
    found *f = ctx;
    sb_addf(&f->ids, "%s\n", e->id);
    f->n++;
    return 0;
}

/* The ids in the box w,s,e,n, one a line. */
static found scan_box(store *s, double west, double south, double east, double north)
{
    found f = { STRBUF_INIT, 0 };
    geo_bbox box = { west, south, east, north };
    char *err = NULL;
    ck_assert_msg(store_scan(s, NULL, &box, 1, on_found, &f, &err) == 0, "%s", err ? err : "?");
    return f;
}

/* The ids within km of lat, lon. */
static found near_of(store *s, double lat, double lon, double km)
{
    found f = { STRBUF_INIT, 0 };
    geo_point c = { lat, lon };
    char *err = NULL;
    ck_assert_msg(store_near(s, c, km, NULL, on_found, &f, &err) == 0, "%s", err ? err : "?");
    return f;
}

/* The fields of the one event a scan hands over that the test looks at
 * (its strings checked in the callback, while they are valid). */
static int copy_event(void *ctx, const ev_event *e, char **err)
{
    (void)err;
    ev_event *got = ctx;
    ck_assert_str_eq(e->id, "GDAL-NEW");
    ck_assert_str_eq(e->event_type, "Protests");
    ck_assert_str_eq(e->location, "Suwayda");
    ck_assert_str_eq(e->event_date, "2024-05-06");
    ck_assert_str_eq(e->actor1, "");
    ck_assert_str_eq(e->notes, "");
    *got = *e;
    got->id = got->event_type = got->location = got->event_date = NULL;
    return 0;
}

/* The ids of the events of type type (store_scan's filter), one a line. */
static found of_type(store *s, const char *type, int since_day)
{
    found f = { STRBUF_INIT, 0 };
    ev_filter filter;
    memset(&filter, 0, sizeof(filter));
    filter.type = type;
    if (since_day) {
        filter.has_since = 1;
        filter.since_day = since_day;
    }
    char *err = NULL;
    ck_assert_msg(store_scan(s, &filter, NULL, 0, on_found, &f, &err) == 0, "%s", err ? err : "?");
    return f;
}

/* The GeoPackage binary of the point (lon, lat) as hex, written big-endian
 * with an envelope: not the form eventmap or GDAL writes, as another
 * program might. */
static void big_endian_point_hex(strbuf *hex, double lon, double lat)
{
    unsigned char blob[8 + 32 + 21];
    const double env[4] = { lon, lon, lat, lat };
    memcpy(blob, "GP\0\x02", 4); /* version 0; big-endian, an xy envelope */
    const unsigned char srs[4] = { 0, 0, 0x10, 0xE6 };
    memcpy(blob + 4, srs, 4);
    unsigned char *p = blob + 8;
    for (int i = 0; i < 4; i++, p += 8) {
        uint64_t bits;
        memcpy(&bits, &env[i], 8);
        for (int k = 0; k < 8; k++) p[k] = (unsigned char)(bits >> (56 - 8 * k));
    }
    const unsigned char wkb[5] = { 0, 0, 0, 0, 1 };
    memcpy(p, wkb, 5);
    p += 5;
    const double xy[2] = { lon, lat };
    for (int i = 0; i < 2; i++, p += 8) {
        uint64_t bits;
        memcpy(&bits, &xy[i], 8);
        for (int k = 0; k < 8; k++) p[k] = (unsigned char)(bits >> (56 - 8 * k));
    }
    for (size_t i = 0; i < sizeof(blob); i++) sb_addf(hex, "%02X", blob[i]);
}

START_TEST(a_feature_added_and_one_moved_through_gdal_should_be_found_by_the_store)
{
    event_set *set = make_events();
    char *path = make_store("edited.gpkg", set);

    /* a feature added as QGIS adds one, through GDAL's layer: a few
     * attributes only, none of eventmap's keys */
    char *json = test_write_file("added.geojson",
                                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                                 "\"properties\":{\"id\":\"GDAL-NEW\",\"event_date\":\"2024-05-06\","
                                 "\"event_type\":\"Protests\",\"location\":\"Suwayda\",\"fatalities\":0},"
                                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[36.5664,32.7094]}}]}");
    run_result r = run_cmd(NULL, "ogr2ogr -update -append '%s' '%s' -nln events", path, json);
    ck_assert_msg(r.status == 0, "ogr2ogr -append: %s", r.err);
    run_result_free(&r);

    /* one moved (E0007), as an edit of its geometry does: the UPDATE fires
     * the R*Tree's triggers, with GDAL's own ST_ functions */
    const ev_event *moved = &set->events[7];
    const double to_lon = 38.123456789, to_lat = 35.987654321;
    strbuf hex = STRBUF_INIT;
    big_endian_point_hex(&hex, to_lon, to_lat);
    r = run_cmd(NULL, "ogrinfo '%s' -sql \"UPDATE events SET geom = X'%s' WHERE id = '%s'\"", path, hex.buf,
                moved->id);
    ck_assert_msg(r.status == 0, "ogrinfo -sql UPDATE: %s", r.err);
    run_result_free(&r);
    assert_sound(path, 0, "GDAL's edits");
    assert_validates(path, "GDAL's edits");

    /* the store finds both where they are now, and the moved one no
     * longer where it was */
    store *s = open_store(path, STORE_READ);
    size_t total = 0, unlocated = 0;
    char *err = NULL;
    ck_assert_int_eq(store_count(s, &total, &unlocated, &err), 0);
    ck_assert_uint_eq(total, set->n + 1);
    ck_assert_uint_eq(unlocated, N_UNLOCATED);
    found f = scan_box(s, 36.56, 32.70, 36.57, 32.71);
    ck_assert_str_eq(f.ids.buf, "GDAL-NEW\n");
    sb_release(&f.ids);
    f = near_of(s, 32.7094, 36.5664, 0.5);
    ck_assert_str_eq(f.ids.buf, "GDAL-NEW\n");
    sb_release(&f.ids);
    f = scan_box(s, to_lon - 1e-6, to_lat - 1e-6, to_lon + 1e-6, to_lat + 1e-6);
    ck_assert_str_eq(f.ids.buf, "E0007\n");
    sb_release(&f.ids);
    f = near_of(s, to_lat, to_lon, 0.01);
    ck_assert_str_eq(f.ids.buf, "E0007\n");
    sb_release(&f.ids);
    f = scan_box(s, moved->lon - 1e-9, moved->lat - 1e-9, moved->lon + 1e-9, moved->lat + 1e-9);
    ck_assert_uint_eq(f.n, 0);
    sb_release(&f.ids);

    /* the added feature as an event: what GDAL did not fill in is empty,
     * its day read from its date */
    ev_event got;
    memset(&got, 0, sizeof(got));
    geo_bbox box = { 36.56, 32.70, 36.57, 32.71 };
    ck_assert_msg(store_scan(s, NULL, &box, 1, copy_event, &got, &err) == 0, "%s", err ? err : "?");
    int32_t day = 0;
    ck_assert_int_eq(ev_parse_date("2024-05-06", &day, (char[11]){ 0 }), 0);
    ck_assert_int_eq(got.day, day);
    ck_assert_int_eq(got.located, 1);
    ck_assert_msg(got.lon == 36.5664 && got.lat == 32.7094, "%.17g,%.17g", got.lon, got.lat);
    ck_assert_int_eq(got.fatalities, 0);
    ck_assert_int_eq(got.geo_precision, 0);
    ck_assert_msg(got.confidence == 0, "%g", got.confidence);
    store_close(s);

    /* eventmap's next import over GDAL's edits: the moved event put back,
     * the added one put as it is (it gets eventmap's keys), a new one; the
     * R*Tree, triggers and extent whole after the commit */
    s = open_store(path, STORE_CREATE);
    ck_assert_int_eq(store_begin(s, &err), 0);
    ck_assert_int_eq(store_put(s, moved, &err), STORE_UPDATED);
    ev_event added = set->events[0];
    added.id = "GDAL-NEW";
    added.event_date = "2024-05-06";
    ck_assert_int_eq(ev_parse_date(added.event_date, &added.day, (char[11]){ 0 }), 0);
    added.lon = 36.5664;
    added.lat = 32.7094;
    ck_assert_int_eq(store_put(s, &added, &err), STORE_UPDATED);
    ev_event fresh = set->events[0];
    fresh.id = "AFTER-GDAL";
    fresh.lon = 39.5;
    ck_assert_int_eq(store_put(s, &fresh, &err), STORE_NEW);
    ck_assert_msg(store_commit(s, &err) == 0, "%s", err ? err : "?");
    f = scan_box(s, moved->lon - 1e-9, moved->lat - 1e-9, moved->lon + 1e-9, moved->lat + 1e-9);
    ck_assert_str_eq(f.ids.buf, "E0007\n");
    sb_release(&f.ids);
    f = of_type(s, added.event_type, added.day); /* its keys written: the filters find it */
    ck_assert_msg(strstr(f.ids.buf, "GDAL-NEW\n"), "%s", f.ids.buf);
    sb_release(&f.ids);
    store_close(s);
    assert_sound(path, 0, "eventmap's import over GDAL's edits");
    assert_validates(path, "eventmap's import over GDAL's edits");

    sb_release(&hex);
    free(json);
    free(path);
    free(set);
}
END_TEST

START_TEST(a_type_changed_through_gdal_should_be_filtered_once_put_again)
{
    /* QGIS changes an attribute eventmap keys its filters by: the filter
     * misses the row (README says so) until an import puts the event as
     * it now is, which writes its keys although its fields are the same */
    event_set *set = make_events();
    char *path = make_store("retyped.gpkg", set);
    ev_event e = set->events[9];
    run_result r = run_cmd(NULL, "ogrinfo '%s' -sql \"UPDATE events SET event_type = 'Riots' WHERE id = '%s'\"", path,
                           e.id);
    ck_assert_msg(r.status == 0, "ogrinfo -sql UPDATE: %s", r.err);
    run_result_free(&r);
    store *s = open_store(path, STORE_CREATE);
    found f = of_type(s, "Riots", 0);
    ck_assert_uint_eq(f.n, 0);
    sb_release(&f.ids);
    e.event_type = "Riots";
    char *err = NULL;
    ck_assert_msg(store_put(s, &e, &err) == STORE_UPDATED, "%s", err ? err : "?");
    ck_assert_msg(store_put(s, &e, &err) == STORE_UNCHANGED, "%s", err ? err : "?");
    f = of_type(s, "riots", e.day);
    ck_assert_str_eq(f.ids.buf, "E0009\n");
    sb_release(&f.ids);
    store_close(s);
    assert_sound(path, 1, "a type changed through GDAL and put again");
    free(path);
    free(set);
}
END_TEST

/* Whether program is in a directory of $PATH. */
static int in_path(const char *program)
{
    const char *path = getenv("PATH");
    strbuf file = STRBUF_INIT;
    int hit = 0;
    for (const char *p = path ? path : ""; !hit && *p;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        sb_reset(&file);
        sb_addf(&file, "%.*s/%s", (int)len, p, program);
        hit = access(file.buf, X_OK) == 0;
        p += len + (colon != NULL);
    }
    sb_release(&file);
    return hit;
}

/* The demo's store, made as `make demo` makes it (the seed report's
 * incidents imported by the command line, geocoded by name, into the
 * default name's kind of file): GDAL's validator passes and ogrinfo lists
 * one Point layer of the 9 events. */
START_TEST(the_demo_store_should_be_a_valid_geopackage_of_its_nine_events)
{
    strbuf db = STRBUF_INIT;
    sb_addf(&db, "%s/demo-events.gpkg", test_tmpdir());
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db '%s' --gazetteer '%s'", db.buf,
                           test_gazetteer());
    ck_assert_msg(r.status == 0 && strstr(r.out, "9 events, 0 of them unlocated"), "%s %s", r.out, r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "python3 " VALIDATE_GPKG " '%s'", db.buf);
    ck_assert_msg(r.status == 0, "validate_gpkg.py: %s %s", r.out, r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "ogrinfo -ro -so '%s' events", db.buf);
    ck_assert_msg(r.status == 0 && strstr(r.out, "Geometry: Point") && strstr(r.out, "Feature Count: 9\n"), "%s %s",
                  r.out, r.err);
    run_result_free(&r);
    sb_release(&db);
}
END_TEST

/* Whether the GDAL tools the tests run are here; when not, *why says
 * which (caller frees).  (No run_cmd here: the suite function runs in the
 * runner's process, whose test directory must not be made yet.) */
static int have_gdal(char **why)
{
    strbuf missing = STRBUF_INIT;
    static const char *const programs[] = { "ogrinfo", "ogr2ogr", "python3" };
    for (size_t i = 0; i < 3; i++)
        if (!in_path(programs[i])) sb_addf(&missing, "%s%s", missing.len ? ", " : "", programs[i]);
    if (access(VALIDATE_GPKG, R_OK) != 0) sb_addf(&missing, "%s%s", missing.len ? ", " : "", VALIDATE_GPKG);
    if (!missing.len) {
        sb_release(&missing);
        return 1;
    }
    *why = sb_detach(&missing, NULL);
    return 0;
}

Suite *store_gdal_suite(void)
{
    Suite *s = suite_create("store-gdal");
    char *why = NULL;
    if (!have_gdal(&why)) {
        test_not_run("store-gdal", "the store's GeoPackage checks with GDAL: %s missing (sh scripts/setup.sh deps"
                                   " installs gdal-bin and python3-gdal)", why);
        free(why);
        return s;
    }
    TCase *t = tcase_create("gdal");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, gdal_should_validate_the_store_as_a_geopackage);
    tcase_add_test(t, the_demo_store_should_be_a_valid_geopackage_of_its_nine_events);
    tcase_add_test(t, ogrinfo_should_show_one_point_layer_with_every_event_and_attribute);
    tcase_add_test(t, ogr2ogr_should_give_the_features_of_the_store_scan);
    tcase_add_test(t, a_feature_added_and_one_moved_through_gdal_should_be_found_by_the_store);
    tcase_add_test(t, a_type_changed_through_gdal_should_be_filtered_once_put_again);
    suite_add_tcase(s, t);
    return s;
}
