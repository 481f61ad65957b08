/*
 * test_write.c - the streaming GeoJSON and CSV writers of the event layer:
 * their output read back with cJSON and libcsv must give the events written,
 * and the GeoJSON must pass geojsonhint (installed by `sh scripts/setup.sh
 * tools`).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"

/* ---- fixtures ---- */

static ev_event base_event(const char *id)
{
    ev_event e;
    memset(&e, 0, sizeof(e));
    e.id = id;
    e.event_date = "2024-03-15";
    e.time_precision = EV_TIME_DAY;
    e.event_type = "Explosions/Remote violence";
    e.sub_event_type = "Shelling/artillery/missile attack";
    e.actor1 = "Military Forces of Syria (2000-2024)";
    e.actor2 = "Civilians (Syria)";
    e.country = "Syria";
    e.admin1 = "Rural Damascus";
    e.location = "Ad Dumayr";
    e.located = 1;
    e.lat = 33.64389;
    e.lon = 36.69376;
    e.geo_precision = EV_GEO_EXACT;
    e.fatalities = 2;
    e.source = "SOHR";
    e.notes = "";
    e.gazetteer_id = "geonames:170589";
    e.match = "exact";
    e.confidence = 0.93;
    return e;
}

#define N_SAMPLE 5

/* Quotes, backslashes, newlines, tabs, control characters, Arabic text,
 * negative and almost-zero negative coordinates, and one unlocated event. */
static void sample_events(ev_event ev[N_SAMPLE])
{
    ev[0] = base_event("SYR1001");
    ev[0].notes = "He said \"they hit C:\\base\\east\"\nthen\tleft; bell\x07 and \x01\x1f and DEL\x7f";
    ev[0].location = "الضمير";
    ev[0].actor2 = "";

    ev[1] = base_event("SYR1002, \"quoted\"");
    ev[1].lat = -12.5;
    ev[1].lon = -0.0000001;
    ev[1].fatalities = 0;
    ev[1].geo_precision = EV_GEO_REGION;
    ev[1].match = "region";
    ev[1].gazetteer_id = "eventmap:badiya";
    ev[1].location = "the Badiya";
    ev[1].confidence = 0.5;
    ev[1].notes = "line one\r\nline two,\nthree";

    ev[2] = base_event("SYR1003");
    ev[2].lat = -0.0000001;
    ev[2].lon = -70.25;
    ev[2].time_precision = EV_TIME_MONTH;
    ev[2].notes = " leading and trailing blanks\t";
    ev[2].source = "Enab Baladi; عنب بلدي";
    ev[2].admin2 = "Duma";
    ev[2].admin3 = "Duma, \"sub\"";

    ev[3] = base_event("SYR1004");
    ev[3].located = 0;
    ev[3].lat = ev[3].lon = 0;
    ev[3].geo_precision = EV_GEO_NONE;
    ev[3].gazetteer_id = "";
    ev[3].match = "";
    ev[3].confidence = 0;
    ev[3].location = "Xyzzyville";

    ev[4] = base_event("SYR1005");
    ev[4].lat = 36.2021;
    ev[4].lon = 37.1343;
    ev[4].fatalities = 117;
    ev[4].time_precision = EV_TIME_WEEK;
    ev[4].geo_precision = EV_GEO_NEAR;
    ev[4].match = "fuzzy";
    ev[4].confidence = 0.675;
}

static char *tmp_path(const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", test_tmpdir(), name);
    return sb_detach(&sb, NULL);
}

/* Write events to a new file as GeoJSON; returns what close returned. */
static long write_geojson(const char *path, const ev_event *ev, size_t n, const char *extra_key,
                          const double *extra)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ev_geojson_writer *w = ev_geojson_open(f);
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(ev_geojson_write(w, &ev[i], extra_key, extra ? extra[i] : 0), 0);
    long rc = ev_geojson_close(w);
    ck_assert_int_eq(fclose(f), 0);
    return rc;
}

static cJSON *parse_file(const char *path, char **text_out)
{
    size_t len = 0;
    char *text = test_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    const char *end = NULL;
    /* len + 1: cJSON wants the NUL inside the length to check that the text ends */
    cJSON *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
    ck_assert_msg(root != NULL, "%s: not JSON at byte %ld: %.40s", path, end ? (long)(end - text) : -1L,
                  end ? end : "");
    if (text_out) *text_out = text;
    else free(text);
    return root;
}

static void assert_valid_geojson(const char *path)
{
    char *message = NULL;
    int valid = test_geojson_valid(path, &message);
    /* make test installs the tool: its absence is a failure too */
    ck_assert_msg(valid == 1, "geojsonhint on %s:\n%s", path, message ? message : "");
    free(message);
}

static const char *str_member(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    ck_assert_msg(cJSON_IsString(v), "member \"%s\" is missing or not a string", key);
    return v->valuestring;
}

static double num_member(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    ck_assert_msg(cJSON_IsNumber(v), "member \"%s\" is missing or not a number", key);
    return v->valuedouble;
}

static void assert_str_member(const cJSON *obj, const char *key, const char *want)
{
    const char *got = str_member(obj, key);
    ck_assert_msg(!strcmp(got, want), "\"%s\": got \"%s\", want \"%s\"", key, got, want);
}

static void assert_properties(const cJSON *props, const ev_event *e)
{
    assert_str_member(props, "id", e->id);
    assert_str_member(props, "event_date", e->event_date);
    ck_assert_int_eq((int)num_member(props, "time_precision"), e->time_precision);
    assert_str_member(props, "event_type", e->event_type);
    assert_str_member(props, "sub_event_type", e->sub_event_type);
    assert_str_member(props, "actor1", e->actor1);
    assert_str_member(props, "actor2", e->actor2);
    assert_str_member(props, "country", e->country);
    assert_str_member(props, "admin1", e->admin1);
    assert_str_member(props, "admin2", e->admin2 ? e->admin2 : "");
    assert_str_member(props, "admin3", e->admin3 ? e->admin3 : "");
    assert_str_member(props, "location", e->location);
    ck_assert_int_eq((int)num_member(props, "geo_precision"), e->geo_precision);
    ck_assert_int_eq((int)num_member(props, "fatalities"), e->fatalities);
    assert_str_member(props, "source", e->source);
    assert_str_member(props, "notes", e->notes);
    assert_str_member(props, "gazetteer_id", e->gazetteer_id);
    assert_str_member(props, "match", e->match);
    ck_assert_double_eq_tol(num_member(props, "confidence"), e->confidence, 0.005 + 1e-9);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(props, "latitude"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(props, "longitude"));
}

/* The feature's [lon, lat]. */
static void feature_point(const cJSON *feature, double *lon, double *lat)
{
    const cJSON *geom = cJSON_GetObjectItemCaseSensitive(feature, "geometry");
    ck_assert_ptr_nonnull(geom);
    assert_str_member(geom, "type", "Point");
    const cJSON *coords = cJSON_GetObjectItemCaseSensitive(geom, "coordinates");
    ck_assert(cJSON_IsArray(coords));
    ck_assert_int_eq(cJSON_GetArraySize(coords), 2);
    *lon = cJSON_GetArrayItem(coords, 0)->valuedouble;
    *lat = cJSON_GetArrayItem(coords, 1)->valuedouble;
}

/* ---- GeoJSON ---- */

START_TEST(ev_geojson_write_should_write_every_located_event_as_a_point_feature)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    char *path = tmp_path("sample.geojson");
    ck_assert_int_eq(write_geojson(path, ev, N_SAMPLE, NULL, NULL), 1);

    cJSON *root = parse_file(path, NULL);
    assert_str_member(root, "type", "FeatureCollection");
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(root, "crs"));
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    ck_assert(cJSON_IsArray(features));
    ck_assert_int_eq(cJSON_GetArraySize(features), N_SAMPLE - 1);

    int k = 0;
    for (int i = 0; i < N_SAMPLE; i++) {
        if (!ev[i].located) continue;
        const cJSON *f = cJSON_GetArrayItem(features, k++);
        assert_str_member(f, "type", "Feature");
        assert_str_member(f, "id", ev[i].id);
        double lon, lat;
        feature_point(f, &lon, &lat);
        ck_assert_double_eq_tol(lon, ev[i].lon, 1e-6);
        ck_assert_double_eq_tol(lat, ev[i].lat, 1e-6);
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
        ck_assert(cJSON_IsObject(props));
        assert_properties(props, &ev[i]);
        ck_assert_int_eq(cJSON_GetArraySize(props), 19);
    }
    cJSON_Delete(root);
    free(path);
}
END_TEST

START_TEST(ev_geojson_close_should_write_the_bbox_of_what_was_written)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    ev[3].lat = 89; /* unlocated: must not count */
    ev[3].lon = 179;
    char *path = tmp_path("bbox.geojson");
    write_geojson(path, ev, N_SAMPLE, NULL, NULL);
    cJSON *root = parse_file(path, NULL);
    const cJSON *bbox = cJSON_GetObjectItemCaseSensitive(root, "bbox");
    ck_assert(cJSON_IsArray(bbox));
    ck_assert_int_eq(cJSON_GetArraySize(bbox), 4);
    const double want[4] = { -70.25, -12.5, 37.1343, 36.2021 }; /* w, s, e, n */
    for (int i = 0; i < 4; i++) ck_assert_double_eq_tol(cJSON_GetArrayItem(bbox, i)->valuedouble, want[i], 1e-6);
    cJSON_Delete(root);
    free(path);
}
END_TEST

START_TEST(ev_geojson_write_should_use_6_decimals_and_never_minus_zero)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    char *path = tmp_path("decimals.geojson"), *text = NULL;
    write_geojson(path, ev, N_SAMPLE, NULL, NULL);
    cJSON_Delete(parse_file(path, &text));
    ck_assert_ptr_nonnull(strstr(text, "\"coordinates\":[36.693760,33.643890]"));
    ck_assert_ptr_nonnull(strstr(text, "\"coordinates\":[0.000000,-12.500000]"));
    ck_assert_ptr_nonnull(strstr(text, "\"coordinates\":[-70.250000,0.000000]"));
    ck_assert_ptr_null(strstr(text, "-0.000000"));
    ck_assert_ptr_nonnull(strstr(text, "\"confidence\":0.93"));
    ck_assert_ptr_nonnull(strstr(text, "\"confidence\":0.68")); /* 0.675 rounds away from zero */
    ck_assert_ptr_nonnull(strstr(text, "\"bbox\":[-70.250000,-12.500000,37.134300,36.202100]"));
    free(text);
    free(path);
}
END_TEST

START_TEST(ev_geojson_write_should_escape_strings_as_rfc_8259_says)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    char *path = tmp_path("escape.geojson"), *text = NULL;
    write_geojson(path, ev, 1, NULL, NULL);
    cJSON_Delete(parse_file(path, &text));
    ck_assert_ptr_nonnull(strstr(
        text, "\"notes\":\"He said \\\"they hit C:\\\\base\\\\east\\\"\\nthen\\tleft; bell\\u0007 and \\u0001\\u001f and DEL\x7f\""));
    ck_assert_ptr_nonnull(strstr(text, "\"location\":\"الضمير\""));
    /* one feature per line: no raw control character anywhere */
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p < 0x20) ck_assert_int_eq(*p, '\n');
    free(text);
    free(path);
}
END_TEST

START_TEST(ev_geojson_write_should_replace_invalid_utf8)
{
    ev_event e = base_event("bad-utf8");
    /* a stray byte, an overlong NUL, a surrogate, a truncated sequence */
    e.notes = "Ham\xff|\xc0\x80|\xed\xa0\x80|\xd8";
    e.location = "Ḑumayr \xe2\x82\xac \xf0\x9f\x98\x80";
    char *path = tmp_path("utf8.geojson");
    write_geojson(path, &e, 1, NULL, NULL);
    cJSON *root = parse_file(path, NULL);
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "features"), 0), "properties");
    const char *fffd = "\xef\xbf\xbd";
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "Ham%s|%s%s|%s%s%s|%s", fffd, fffd, fffd, fffd, fffd, fffd, fffd);
    assert_str_member(props, "notes", want.buf);
    assert_str_member(props, "location", e.location);
    sb_release(&want);
    cJSON_Delete(root);
    assert_valid_geojson(path);
    free(path);
}
END_TEST

/* Random strings over an alphabet of plain, escaped and multi-byte
 * characters: every one comes back from cJSON as it went in, whatever its
 * position relative to the writer's 8-byte words. */
START_TEST(ev_geojson_write_should_round_trip_random_strings)
{
    static const char *const alphabet[] = { "a", "Z", " ", "\"", "\\", "\n", "\t", "\x01", "\x1f", "/",
                                            "é", "ض", "€", "😀", "\x7f", ",", "\r" };
    const size_t n_alpha = sizeof(alphabet) / sizeof(alphabet[0]);
    enum { N = 300 };
    strbuf *notes = xcalloc(N, sizeof(strbuf));
    ev_event *ev = xcalloc(N, sizeof(ev_event));
    unsigned seed = 12345;
    for (int i = 0; i < N; i++) {
        sb_init(&notes[i], 0);
        int len = i % 41;
        for (int j = 0; j < len; j++) {
            seed = seed * 1103515245u + 12345u;
            sb_adds(&notes[i], alphabet[(seed >> 16) % n_alpha]);
        }
        ev[i] = base_event("r");
        ev[i].notes = notes[i].buf;
    }
    char *path = tmp_path("random.geojson");
    write_geojson(path, ev, N, NULL, NULL);
    cJSON *root = parse_file(path, NULL);
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    ck_assert_int_eq(cJSON_GetArraySize(features), N);
    for (int i = 0; i < N; i++) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(features, i), "properties");
        assert_str_member(props, "notes", notes[i].buf);
        sb_release(&notes[i]);
    }
    cJSON_Delete(root);
    free(notes);
    free(ev);
    free(path);
}
END_TEST

START_TEST(ev_geojson_write_should_add_the_extra_property_with_3_decimals)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    const double dist[N_SAMPLE] = { 12.3456, 0.0004, 1234.5, 99, NAN };
    char *path = tmp_path("extra.geojson"), *text = NULL;
    ck_assert_int_eq(write_geojson(path, ev, N_SAMPLE, "distance_km", dist), 1);
    cJSON *root = parse_file(path, &text);
    ck_assert_ptr_nonnull(strstr(text, "\"distance_km\":12.346}"));
    ck_assert_ptr_nonnull(strstr(text, "\"distance_km\":0.000}"));
    ck_assert_ptr_nonnull(strstr(text, "\"distance_km\":1234.500}"));
    ck_assert_ptr_nonnull(strstr(text, "\"distance_km\":null}")); /* not a number */
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(features, 0), "properties");
    ck_assert_double_eq_tol(num_member(props, "distance_km"), 12.346, 1e-9);
    ck_assert_int_eq(cJSON_GetArraySize(props), 20);
    cJSON_Delete(root);
    assert_valid_geojson(path);
    free(text);
    free(path);
}
END_TEST

START_TEST(ev_geojson_write_should_refuse_an_extra_key_that_is_a_model_field)
{
    ev_event e = base_event("x");
    FILE *f = fopen("/dev/null", "wb");
    ev_geojson_writer *w = ev_geojson_open(f);
    ck_assert_int_eq(ev_geojson_write(w, &e, "fatalities", 1), EM_EUSAGE);
    ck_assert_int_eq(ev_geojson_write(w, &e, "latitude", 1), EM_EUSAGE);
    ck_assert_int_eq(ev_geojson_write(w, &e, "distance_km", 1), 0);
    e.lat = NAN;
    ck_assert_int_eq(ev_geojson_write(w, &e, NULL, 0), EM_EINPUT);
    ck_assert_int_eq(ev_geojson_close(w), 0);
    fclose(f);
}
END_TEST

START_TEST(ev_geojson_write_should_pass_geojsonhint)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    char *path = tmp_path("hint.geojson");
    write_geojson(path, ev, N_SAMPLE, NULL, NULL);
    assert_valid_geojson(path);
    free(path);
}
END_TEST

START_TEST(ev_geojson_close_should_write_an_empty_collection_without_bbox)
{
    ev_event e = base_event("nowhere");
    e.located = 0;
    char *path = tmp_path("empty.geojson");
    ck_assert_int_eq(write_geojson(path, &e, 1, NULL, NULL), 1);
    cJSON *root = parse_file(path, NULL);
    assert_str_member(root, "type", "FeatureCollection");
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    ck_assert(cJSON_IsArray(features));
    ck_assert_int_eq(cJSON_GetArraySize(features), 0);
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(root, "bbox"));
    cJSON_Delete(root);
    assert_valid_geojson(path);
    ck_assert_int_eq(write_geojson(path, NULL, 0, NULL, NULL), 0);
    assert_valid_geojson(path);
    free(path);
}
END_TEST

START_TEST(ev_geojson_close_should_report_a_write_error)
{
    FILE *f = fopen("/dev/full", "wb"); /* Linux's device that is always full */
    ck_assert_msg(f != NULL, "/dev/full: cannot open");
    ev_geojson_writer *w = ev_geojson_open(f);
    ev_event e = base_event("x");
    ck_assert_int_eq(ev_geojson_write(w, &e, NULL, 0), 0); /* still in the buffer */
    ck_assert_int_eq(ev_geojson_close(w), -1);
    fclose(f);

    /* a failure met while the buffer fills is reported by the next write */
    f = fopen("/dev/full", "wb");
    ck_assert_ptr_nonnull(f);
    w = ev_geojson_open(f);
    int rc = 0;
    for (int i = 0; i < 100000 && rc == 0; i++) rc = ev_geojson_write(w, &e, NULL, 0);
    ck_assert_int_eq(rc, EM_EIO);
    ck_assert_int_eq(ev_geojson_close(w), -1);
    fclose(f);
    ck_assert_int_eq(ev_geojson_close(NULL), 0);
}
END_TEST

/* The validator itself must say no to bad GeoJSON, or the checks above
 * would prove nothing. */
START_TEST(test_geojson_valid_should_report_a_bad_collection)
{
    char *path = test_write_file("bad.geojson",
                                 "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                                 "\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}],\"bbox\":[1,2]}\n");
    char *message = NULL;
    int valid = test_geojson_valid(path, &message);
    ck_assert_msg(valid == 0, "geojsonhint did not find the faults (%d): %s", valid, message ? message : "");
    ck_assert_ptr_nonnull(strstr(message, "bbox must contain 4 elements"));
    ck_assert_ptr_nonnull(strstr(message, "\"properties\" member required"));
    free(message);
    free(path);
}
END_TEST

/* ---- CSV ---- */

typedef struct {
    char **fields; /* all rows' fields, row after row */
    size_t n_fields, alloc;
    size_t row_len[16]; /* fields per row */
    size_t n_rows;
} csv_table;

static void on_field(void *s, size_t len, void *data)
{
    csv_table *t = data;
    ALLOC_GROW(t->fields, t->n_fields + 1, t->alloc);
    t->fields[t->n_fields++] = xstrndup(s ? s : "", s ? len : 0);
}

static void on_row(int c, void *data)
{
    csv_table *t = data;
    ck_assert_uint_lt(t->n_rows, 16);
    size_t before = 0;
    for (size_t i = 0; i < t->n_rows; i++) before += t->row_len[i];
    t->row_len[t->n_rows++] = t->n_fields - before;
}

static int no_space(unsigned char c)
{
    return 0;
}

static void csv_table_release(csv_table *t)
{
    for (size_t i = 0; i < t->n_fields; i++) free(t->fields[i]);
    free(t->fields);
}

/* Parse a whole file with libcsv in strict mode, trimming nothing. */
static void read_csv(const char *path, csv_table *t)
{
    size_t len = 0;
    char *text = test_read_file(path, &len);
    ck_assert_ptr_nonnull(text);
    struct csv_parser p;
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    csv_set_space_func(&p, no_space);
    memset(t, 0, sizeof(*t));
    ck_assert_uint_eq(csv_parse(&p, text, len, on_field, on_row, t), len);
    ck_assert_int_eq(csv_fini(&p, on_field, on_row, t), 0);
    csv_free(&p);
    free(text);
}

static void assert_csv_number(const char *field, double want, double tol, const char *what)
{
    char *end = NULL;
    double got = strtod(field, &end);
    ck_assert_msg(*field && !*end, "%s: \"%s\" is not a number", what, field);
    ck_assert_msg(fabs(got - want) <= tol, "%s: %s, want %f", what, field, want);
}

static void assert_csv_int(const char *field, int want, const char *what)
{
    char num[16];
    snprintf(num, sizeof(num), "%d", want);
    ck_assert_msg(!strcmp(field, num), "%s: \"%s\", want %s", what, field, num);
}

START_TEST(ev_csv_write_should_read_back_as_the_same_fields)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    const double dist[N_SAMPLE] = { 12.3456, 0.0004, 1234.5, 99, NAN };
    char *path = tmp_path("sample.csv");
    FILE *f = fopen(path, "wb");
    ev_csv_writer *w = ev_csv_open(f, "distance_km");
    for (int i = 0; i < N_SAMPLE; i++) ck_assert_int_eq(ev_csv_write(w, &ev[i], dist[i]), 0);
    ck_assert_int_eq(ev_csv_close(w), 0);
    ck_assert_int_eq(fclose(f), 0);

    csv_table t;
    read_csv(path, &t);
    ck_assert_uint_eq(t.n_rows, N_SAMPLE + 1);
    for (size_t r = 0; r < t.n_rows; r++) ck_assert_uint_eq(t.row_len[r], 22);
    static const char *const header[] = { "id", "event_date", "time_precision", "event_type", "sub_event_type",
        "actor1", "actor2", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
        "fatalities", "source", "notes", "gazetteer_id", "match", "confidence", "distance_km" };
    for (int c = 0; c < 22; c++) ck_assert_str_eq(t.fields[c], header[c]);

    for (int i = 0; i < N_SAMPLE; i++) {
        char **row = t.fields + 22 * (i + 1);
        const ev_event *e = &ev[i];
        ck_assert_str_eq(row[0], e->id);
        ck_assert_str_eq(row[1], e->event_date);
        assert_csv_int(row[2], e->time_precision, "time_precision");
        ck_assert_str_eq(row[3], e->event_type);
        ck_assert_str_eq(row[4], e->sub_event_type);
        ck_assert_str_eq(row[5], e->actor1);
        ck_assert_str_eq(row[6], e->actor2);
        ck_assert_str_eq(row[7], e->country);
        ck_assert_str_eq(row[8], e->admin1);
        ck_assert_str_eq(row[9], e->admin2 ? e->admin2 : "");
        ck_assert_str_eq(row[10], e->admin3 ? e->admin3 : "");
        ck_assert_str_eq(row[11], e->location);
        if (e->located) {
            assert_csv_number(row[12], e->lat, 1e-6, "latitude");
            assert_csv_number(row[13], e->lon, 1e-6, "longitude");
            ck_assert_ptr_null(strstr(row[12], "-0.000000"));
            ck_assert_ptr_null(strstr(row[13], "-0.000000"));
        } else {
            ck_assert_str_eq(row[12], "");
            ck_assert_str_eq(row[13], "");
        }
        assert_csv_int(row[14], e->geo_precision, "geo_precision");
        assert_csv_int(row[15], e->fatalities, "fatalities");
        ck_assert_str_eq(row[16], e->source);
        ck_assert_str_eq(row[17], e->notes);
        ck_assert_str_eq(row[18], e->gazetteer_id);
        ck_assert_str_eq(row[19], e->match);
        assert_csv_number(row[20], e->confidence, 0.005 + 1e-9, "confidence");
        ck_assert_uint_eq(strlen(row[20]), 4); /* 2 decimals */
        if (isnan(dist[i])) ck_assert_str_eq(row[21], "");
        else assert_csv_number(row[21], dist[i], 0.0005 + 1e-9, "distance_km");
    }
    ck_assert_str_eq(t.fields[22 + 20], "0.93");
    ck_assert_str_eq(t.fields[22 + 21], "12.346");
    csv_table_release(&t);
    free(path);
}
END_TEST

START_TEST(ev_csv_write_should_quote_only_where_needed_and_end_lines_with_lf)
{
    ev_event ev[N_SAMPLE];
    sample_events(ev);
    char *path = tmp_path("quote.csv");
    FILE *f = fopen(path, "wb");
    ev_csv_writer *w = ev_csv_open(f, NULL);
    ck_assert_int_eq(ev_csv_write(w, &ev[1], 0), 0);
    ck_assert_int_eq(ev_csv_write(w, &ev[2], 0), 0);
    ck_assert_int_eq(ev_csv_close(w), 0);
    fclose(f);
    char *text = test_read_file(path, NULL);
    const char *want =
        "id,event_date,time_precision,event_type,sub_event_type,actor1,actor2,country,admin1,admin2,admin3,"
        "location,latitude,longitude,geo_precision,fatalities,source,notes,gazetteer_id,match,confidence\n"
        "\"SYR1002, \"\"quoted\"\"\",2024-03-15,1,Explosions/Remote violence,Shelling/artillery/missile attack,"
        "Military Forces of Syria (2000-2024),Civilians (Syria),Syria,Rural Damascus,,,the Badiya,"
        "-12.500000,0.000000,3,0,SOHR,\"line one\r\nline two,\nthree\",eventmap:badiya,region,0.50\n"
        "SYR1003,2024-03-15,3,Explosions/Remote violence,Shelling/artillery/missile attack,"
        "Military Forces of Syria (2000-2024),Civilians (Syria),Syria,Rural Damascus,Duma,\"Duma, \"\"sub\"\"\","
        "Ad Dumayr,0.000000,-70.250000,1,2,Enab Baladi; عنب بلدي,\" leading and trailing blanks\t\",geonames:170589,exact,0.93\n";
    ck_assert_str_eq(text, want);
    free(text);
    free(path);
}
END_TEST

START_TEST(ev_csv_write_should_round_trip_random_strings)
{
    static const char *const alphabet[] = { "a", "b", " ", "\t", ",", "\"", "\r", "\n", "é", "ض", ";" };
    const size_t n_alpha = sizeof(alphabet) / sizeof(alphabet[0]);
    enum { N = 14 }; /* csv_table holds 16 rows */
    strbuf notes[N];
    ev_event ev[N];
    unsigned seed = 777;
    for (int i = 0; i < N; i++) {
        sb_init(&notes[i], 0);
        for (int j = 0; j < 3 * i; j++) {
            seed = seed * 1103515245u + 12345u;
            sb_adds(&notes[i], alphabet[(seed >> 16) % n_alpha]);
        }
        ev[i] = base_event("r");
        ev[i].notes = notes[i].buf;
    }
    char *path = tmp_path("random.csv");
    FILE *f = fopen(path, "wb");
    ev_csv_writer *w = ev_csv_open(f, NULL);
    for (int i = 0; i < N; i++) ck_assert_int_eq(ev_csv_write(w, &ev[i], 0), 0);
    ck_assert_int_eq(ev_csv_close(w), 0);
    fclose(f);
    csv_table t;
    read_csv(path, &t);
    ck_assert_uint_eq(t.n_rows, N + 1);
    for (int i = 0; i < N; i++) {
        ck_assert_uint_eq(t.row_len[i + 1], 21);
        ck_assert_str_eq(t.fields[21 * (i + 1) + 17], notes[i].buf);
        sb_release(&notes[i]);
    }
    csv_table_release(&t);
    free(path);
}
END_TEST

START_TEST(ev_csv_close_should_report_a_write_error)
{
    FILE *f = fopen("/dev/full", "wb"); /* Linux's device that is always full */
    ck_assert_msg(f != NULL, "/dev/full: cannot open");
    ev_csv_writer *w = ev_csv_open(f, NULL);
    ev_event e = base_event("x");
    ck_assert_int_eq(ev_csv_write(w, &e, 0), 0);
    ck_assert_int_eq(ev_csv_close(w), -1);
    fclose(f);
    ck_assert_int_eq(ev_csv_close(NULL), 0);
}
END_TEST

Suite *write_suite(void)
{
    Suite *s = suite_create("write");
    TCase *t = tcase_create("geojson");
    tcase_add_test(t, ev_geojson_write_should_write_every_located_event_as_a_point_feature);
    tcase_add_test(t, ev_geojson_close_should_write_the_bbox_of_what_was_written);
    tcase_add_test(t, ev_geojson_write_should_use_6_decimals_and_never_minus_zero);
    tcase_add_test(t, ev_geojson_write_should_escape_strings_as_rfc_8259_says);
    tcase_add_test(t, ev_geojson_write_should_replace_invalid_utf8);
    tcase_add_test(t, ev_geojson_write_should_round_trip_random_strings);
    tcase_add_test(t, ev_geojson_write_should_add_the_extra_property_with_3_decimals);
    tcase_add_test(t, ev_geojson_write_should_refuse_an_extra_key_that_is_a_model_field);
    tcase_add_test(t, ev_geojson_write_should_pass_geojsonhint);
    tcase_add_test(t, ev_geojson_close_should_write_an_empty_collection_without_bbox);
    tcase_add_test(t, ev_geojson_close_should_report_a_write_error);
    tcase_add_test(t, test_geojson_valid_should_report_a_bad_collection);
    /* geojsonhint starts node: allow for a slow machine */
    tcase_set_timeout(t, 60);
    suite_add_tcase(s, t);
    t = tcase_create("csv");
    tcase_add_test(t, ev_csv_write_should_read_back_as_the_same_fields);
    tcase_add_test(t, ev_csv_write_should_quote_only_where_needed_and_end_lines_with_lf);
    tcase_add_test(t, ev_csv_write_should_round_trip_random_strings);
    tcase_add_test(t, ev_csv_close_should_report_a_write_error);
    suite_add_tcase(s, t);
    return s;
}
