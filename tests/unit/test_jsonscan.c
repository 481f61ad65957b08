/*
 * test_jsonscan.c - the streaming FeatureCollection scanner
 * (src/events/jsonscan.c): each feature's text and line, against cJSON's
 * reading of the whole document; the faults it must name, with their lines;
 * its limits.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/events_int.h"
#include "util/strbuf.h"

typedef struct {
    int rc;            /* the last ev_json_next: 0 at the end, -1 on a fault */
    size_t n;          /* features handed over */
    size_t lines[16];  /* the first 16 features' lines */
    size_t line;       /* the fault's line */
    char why[128];
    cJSON *features;   /* every feature, parsed from its slice */
} scan_result;

static scan_result scan_text(const char *text, size_t len)
{
    scan_result r;
    memset(&r, 0, sizeof(r));
    r.features = cJSON_CreateArray();
    FILE *in = fmemopen((void *)text, len, "rb");
    ck_assert_ptr_nonnull(in);
    ev_json *s = ev_json_new(in, 1);
    const char *t, *why = NULL;
    size_t n, line;
    while ((r.rc = ev_json_next(s, &t, &n, &line, &why)) == 1) {
        if (r.n < 16) r.lines[r.n] = line;
        r.n++;
        cJSON *f = cJSON_ParseWithLength(t, n);
        ck_assert_msg(f != NULL, "feature %zu does not parse: %.*s", r.n, (int)(n < 200 ? n : 200), t);
        cJSON_AddItemToArray(r.features, f);
    }
    if (r.rc < 0) {
        r.line = line;
        snprintf(r.why, sizeof(r.why), "%s", why);
    }
    ev_json_free(s);
    fclose(in);
    return r;
}

static scan_result scan(const char *text)
{
    return scan_text(text, strlen(text));
}

static void expect_fault(const char *text, size_t line, const char *why)
{
    scan_result r = scan(text);
    ck_assert_msg(r.rc == -1, "no fault found in: %s", text);
    ck_assert_str_eq(r.why, why);
    ck_assert_msg(r.line == line, "fault \"%s\" on line %zu, not %zu, in: %s", r.why, r.line, line, text);
    cJSON_Delete(r.features);
}

START_TEST(json_scan_should_hand_over_each_feature_with_its_line)
{
    const char *doc = "\xEF\xBB\xBF{\n"
                      "  \"type\": \"FeatureCollection\",\n"
                      "  \"crs\": {\"type\": \"name\", \"properties\": {\"name\": \"urn:ogc:def:crs:OGC:1.3:CRS84\"}},\n"
                      "  \"features\": [\n"
                      "    {\"type\": \"Feature\", \"properties\": {\"note\": \"a } and a ] and \\\" and \\\\\"},\n"
                      "     \"geometry\": null},\n"
                      "    {\"type\": \"Feature\",\n"
                      "     \"properties\": {\"x\": [1, [2, {\"y\": \"[\"}]]}, \"geometry\": {\"type\": \"Point\", \"coordinates\": [1e2, -0.5]}},\n"
                      "    7, \"text\", null\n"
                      "  ],\n"
                      "  \"bbox\": [0, 0, 1, 1]\n"
                      "}\n";
    scan_result r = scan(doc);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 5);
    ck_assert_uint_eq(r.lines[0], 5);
    ck_assert_uint_eq(r.lines[1], 7);
    ck_assert_uint_eq(r.lines[2], 9);
    ck_assert_uint_eq(r.lines[4], 9);
    const cJSON *p = cJSON_GetObjectItem(cJSON_GetArrayItem(r.features, 0), "properties");
    ck_assert_str_eq(cJSON_GetObjectItem(p, "note")->valuestring, "a } and a ] and \" and \\");
    ck_assert(cJSON_IsNumber(cJSON_GetArrayItem(r.features, 2)));
    ck_assert(cJSON_IsNull(cJSON_GetArrayItem(r.features, 4)));
    cJSON_Delete(r.features);

    /* "type" after "features", and no features at all */
    r = scan("{\"features\": [{}], \"type\": \"FeatureCollection\"}");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 1);
    cJSON_Delete(r.features);
    r = scan("{\"type\":\"FeatureCollection\",\"features\":[]}");
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 0);
    cJSON_Delete(r.features);
}
END_TEST

/* Many features with long strings full of escapes, so that values cross
 * the scanner's 64 KiB reads at every kind of byte: each must come out as
 * cJSON reads it from the whole document. */
START_TEST(json_scan_should_agree_with_cjson_across_buffer_boundaries)
{
    strbuf doc = STRBUF_INIT;
    uint64_t seed = 7;
    sb_adds(&doc, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (int i = 0; i < 3000; i++) {
        sb_addf(&doc, "%s{\"type\":\"Feature\",\"id\":%d,\"properties\":{\"s\":\"", i ? ",\n" : "", i);
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        size_t n = (size_t)(seed >> 40) % 300;
        static const char *const bits[] = { "\\\"", "\\\\", "}", "]", "{", "[", ",", "a", "\\n", "\\u00e9", "حسكة" };
        for (size_t k = 0; k < n; k++) sb_adds(&doc, bits[(seed >> (k % 50)) % 11]);
        sb_adds(&doc, "\",\"a\":[[[1]],{\"b\":{}}]},\"geometry\":{\"type\":\"Point\",\"coordinates\":[38.5,33.6]}}");
    }
    sb_adds(&doc, "\n]}\n");
    scan_result r = scan_text(doc.buf, doc.len);
    ck_assert_int_eq(r.rc, 0);
    ck_assert_uint_eq(r.n, 3000);
    cJSON *whole = cJSON_ParseWithLength(doc.buf, doc.len);
    ck_assert_ptr_nonnull(whole);
    ck_assert(cJSON_Compare(cJSON_GetObjectItem(whole, "features"), r.features, 1));
    cJSON_Delete(whole);
    cJSON_Delete(r.features);
    sb_release(&doc);
}
END_TEST

START_TEST(json_scan_should_name_the_line_of_each_fault)
{
    expect_fault("", 1, "empty file");
    expect_fault("  \n ", 1, "empty file");
    expect_fault("[{\"type\":\"Feature\"}]", 1, "not a GeoJSON FeatureCollection");
    expect_fault("{\"type\":\"Feature\",\"geometry\":null}", 1, "not a GeoJSON FeatureCollection");
    expect_fault("{\"type\":\"FeatureCollection\"}", 1, "not a GeoJSON FeatureCollection");
    expect_fault("{\n\"features\":[]\n}", 1, "not a GeoJSON FeatureCollection");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":{}}", 1, "not a GeoJSON FeatureCollection");
    expect_fault("{\"type\":\"FeatureCollection\",\n\"features\":[\n{},\n{}\n", 5, "truncated JSON (the file ends too early)");
    expect_fault("{\"type\":\"FeatureCollection\",\n\"features\":[\n{},\n{\"a\":\"b", 4, "truncated JSON (the file ends too early)");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[\n{},\n]}", 3, "malformed JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[\n{}\n{}]}", 3, "malformed JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[\n{\"a\":[}]}", 2, "malformed JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[]}\n\nx", 3, "text after the end of the JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[], }", 1, "malformed JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[]\n\"bbox\":[]}", 2, "malformed JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\n\"bbox\": [1, 2,, 3],\"features\":[]}", 2, "malformed JSON");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[],\n\"features\":[]}", 2, "a second \"features\" member");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{\"a\":\"\xff\"}]}", 3, "invalid UTF-8");
    expect_fault("{\"type\":\"FeatureCollection\",\"features\":[\n{},\n{\"a\":\"\xc3\"}]}", 3, "invalid UTF-8");

    static const char nul[] = "{\"type\":\"FeatureCollection\",\"features\":[\n{\"a\":\"x\0y\"}]}";
    scan_result r = scan_text(nul, sizeof(nul) - 1);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_str_eq(r.why, "NUL byte (not a text file?)");
    ck_assert_uint_eq(r.line, 2);
    cJSON_Delete(r.features);
}
END_TEST

START_TEST(json_scan_should_refuse_nesting_deeper_than_512)
{
    strbuf doc = STRBUF_INIT;
    sb_adds(&doc, "{\"type\":\"FeatureCollection\",\"features\":[\n{\"a\":");
    for (int i = 0; i < 510; i++) sb_adds(&doc, "[");
    for (int i = 0; i < 510; i++) sb_adds(&doc, "]");
    sb_adds(&doc, "}]}");
    scan_result r = scan_text(doc.buf, doc.len);
    ck_assert_int_eq(r.rc, 0); /* 511 levels in the feature */
    cJSON_Delete(r.features);

    sb_reset(&doc);
    sb_adds(&doc, "{\"type\":\"FeatureCollection\",\"features\":[\n{},\n");
    for (int i = 0; i < 100000; i++) sb_adds(&doc, "[");
    r = scan_text(doc.buf, doc.len);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_str_eq(r.why, "JSON nested deeper than 512 levels (the limit)");
    ck_assert_uint_eq(r.line, 3);
    cJSON_Delete(r.features);
    sb_release(&doc);
}
END_TEST

START_TEST(json_scan_should_refuse_a_feature_over_16_mib)
{
    strbuf doc = STRBUF_INIT;
    sb_adds(&doc, "{\"type\":\"FeatureCollection\",\"features\":[\n{\"a\":1},\n{\"notes\":\"");
    char kib[1024];
    memset(kib, 'n', sizeof(kib));
    for (int i = 0; i < (17 << 10); i++) sb_add(&doc, kib, sizeof(kib)); /* 17 MiB of text */
    sb_adds(&doc, "\"}]}");
    scan_result r = scan_text(doc.buf, doc.len);
    ck_assert_int_eq(r.rc, -1);
    ck_assert_uint_eq(r.n, 1);
    ck_assert_str_eq(r.why, "feature longer than 16 MiB (the limit)");
    ck_assert_uint_eq(r.line, 3);
    cJSON_Delete(r.features);
    sb_release(&doc);
}
END_TEST

Suite *json_scan_suite(void)
{
    Suite *s = suite_create("json-scan");
    TCase *t = tcase_create("scanner");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, json_scan_should_hand_over_each_feature_with_its_line);
    tcase_add_test(t, json_scan_should_agree_with_cjson_across_buffer_boundaries);
    tcase_add_test(t, json_scan_should_name_the_line_of_each_fault);
    tcase_add_test(t, json_scan_should_refuse_nesting_deeper_than_512);
    tcase_add_test(t, json_scan_should_refuse_a_feature_over_16_mib);
    suite_add_tcase(s, t);
    return s;
}
