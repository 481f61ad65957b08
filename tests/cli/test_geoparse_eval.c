/*
 * test_geoparse_eval.c - precision and recall of `eventmap geoparse` on the
 * hand-labelled passages in tests/data/geoparse/ (see its README.md).  A
 * resolved mention is correct when its span overlaps a labelled occurrence
 * and its point is within 10 km of the labelled point or inside the
 * labelled region (a country, the Badiya, Eastern Ghouta: their polygon or
 * box in the gazetteer; a governorate: its box).
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazetteer/gazetteer.h"
#include "geo/geo.h"
#include "test_helpers.h"
#include "util/strbuf.h"

#define DIR "tests/data/geoparse"

typedef struct {
    char file[32], mention[128], region[64];
    double lat, lon;
    size_t start, end; /* the occurrence in the text */
    int found;
} label;

/* The n-th whole-word occurrence of word in text, or -1. */
static long nth_occurrence(const char *text, const char *word, int n)
{
    size_t wl = strlen(word);
    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        int before = p == text || !isalnum((unsigned char)p[-1]);
        int after = !isalnum((unsigned char)p[wl]);
        if (before && after && n-- == 0) return p - text;
    }
    return -1;
}

/* Whether p lies in the region named like "country:SY" or "badiya". */
static int in_region(gaz *g, geo_ctx *geo, const char *region, geo_point p)
{
    const char *query = NULL, *want = NULL;
    char q[96], w[96];
    if (!strncmp(region, "country:", 8)) {
        static const char *const names[][2] = { { "SY", "Syria" }, { "TR", "Turkey" }, { "IQ", "Iraq" },
                                                { "JO", "Jordan" }, { "LB", "Lebanon" } };
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
            if (!strcmp(region + 8, names[i][0])) query = names[i][1];
        snprintf(w, sizeof(w), "%s", region);
        want = w;
    } else if (!strcmp(region, "badiya")) {
        query = "Badiya";
        want = "eventmap:badiya";
    } else if (!strcmp(region, "eastern_ghouta")) {
        query = "Eastern Ghouta";
        want = "eventmap:eastern-ghouta";
    } else if (!strncmp(region, "governorate:", 12)) {
        snprintf(q, sizeof(q), "%s governorate", region + 12);
        query = q;
        want = "eventmap:gov-";
    }
    if (!query) return 0;
    gaz_result r[10];
    int n = gaz_resolve(g, query, NULL, r, 10, NULL);
    for (int i = 0; i < n; i++) {
        if (strncmp(r[i].id, want, strlen(want))) continue;
        size_t len = 0;
        const unsigned char *wkb = r[i].is_region ? gaz_region_wkb(g, r[i].place, &len) : NULL;
        if (wkb) {
            geo_shape *s = NULL;
            int in = geo_shape_from_wkb(geo, wkb, len, &s, NULL) == 0 && geo_shape_contains(geo, s, p) == 1;
            geo_shape_free(geo, s);
            return in;
        }
        return r[i].has_bbox && p.lon_deg >= r[i].bbox.west_deg && p.lon_deg <= r[i].bbox.east_deg &&
               p.lat_deg >= r[i].bbox.south_deg && p.lat_deg <= r[i].bbox.north_deg;
    }
    return 0;
}

START_TEST(geoparse_should_find_and_resolve_the_labelled_places)
{
    FILE *f = fopen(DIR "/labels.tsv", "r");
    ck_assert_ptr_nonnull(f);
    label *labels = NULL;
    size_t n_labels = 0;
    char line[1024];
    int header = 1;
    while (fgets(line, sizeof(line), f)) {
        if (header) {
            header = 0;
            continue;
        }
        label l;
        memset(&l, 0, sizeof(l));
        char *fields[6];
        char *p = line;
        for (int i = 0; i < 6; i++) {
            fields[i] = p;
            p = strchr(p, i < 5 ? '\t' : '\n');
            if (!p) break;
            *p++ = '\0';
        }
        snprintf(l.file, sizeof(l.file), "%s", fields[0]);
        snprintf(l.mention, sizeof(l.mention), "%s", fields[1]);
        l.lat = atof(fields[2]);
        l.lon = atof(fields[3]);
        snprintf(l.region, sizeof(l.region), "%s", fields[4]);
        labels = realloc(labels, (n_labels + 1) * sizeof(*labels));
        labels[n_labels++] = l;
    }
    fclose(f);
    ck_assert_uint_ge(n_labels, 10);

    gaz *g = NULL;
    ck_assert_int_eq(gaz_open(test_gazetteer(), &g, NULL), 0);
    geo_ctx *geo = geo_ctx_new();
    size_t predicted = 0, correct = 0;
    strbuf misses = STRBUF_INIT;
    for (size_t i = 0; i < n_labels; i++) {
        if (i && !strcmp(labels[i].file, labels[i - 1].file)) continue;
        /* one passage: place its labels in the text */
        strbuf path = STRBUF_INIT;
        sb_addf(&path, DIR "/%s", labels[i].file);
        char *text = test_read_file(path.buf, NULL);
        ck_assert_ptr_nonnull(text);
        size_t first = i, last = i;
        while (last < n_labels && !strcmp(labels[last].file, labels[i].file)) last++;
        for (size_t k = first; k < last; k++) {
            int nth = 0;
            for (size_t j = first; j < k; j++) nth += !strcmp(labels[j].mention, labels[k].mention);
            long at = nth_occurrence(text, labels[k].mention, nth);
            ck_assert_msg(at >= 0, "%s: no occurrence %d of \"%s\"", labels[k].file, nth, labels[k].mention);
            labels[k].start = (size_t)at;
            labels[k].end = (size_t)at + strlen(labels[k].mention);
        }
        run_result r = run_cmd(NULL, "@ geoparse --format geojson %s", path.buf);
        ck_assert_msg(r.status == 0, "%s: %s", path.buf, r.err);
        cJSON *root = cJSON_Parse(r.out);
        ck_assert_ptr_nonnull(root);
        const cJSON *feat;
        cJSON_ArrayForEach(feat, cJSON_GetObjectItem(root, "features"))
        {
            const cJSON *props = cJSON_GetObjectItem(feat, "properties");
            /* the labels are places' names: a country's adjective ("Syrian
             * forces") is a mention of another kind, which a consumer may drop */
            if (!strcmp(cJSON_GetObjectItem(props, "kind")->valuestring, "demonym")) continue;
            const cJSON *co = cJSON_GetObjectItem(cJSON_GetObjectItem(feat, "geometry"), "coordinates");
            size_t s = (size_t)cJSON_GetObjectItem(props, "start")->valuedouble;
            size_t e = (size_t)cJSON_GetObjectItem(props, "end")->valuedouble;
            predicted++;
            int ok = 0;
            /* an unresolved place (null geometry) is right nowhere */
            for (size_t k = first; k < last && !ok && cJSON_GetArraySize(co) == 2; k++) {
                geo_point p = { cJSON_GetArrayItem(co, 1)->valuedouble, cJSON_GetArrayItem(co, 0)->valuedouble };
                if (s >= labels[k].end || e <= labels[k].start) continue;
                geo_point want = { labels[k].lat, labels[k].lon };
                ok = geo_distance_km(p, want) <= 10.0 ||
                     (strcmp(labels[k].region, "-") && in_region(g, geo, labels[k].region, p));
                if (ok) labels[k].found = 1;
            }
            correct += ok;
            if (!ok)
                sb_addf(&misses, "  wrong: %s \"%s\" -> %s\n", labels[i].file,
                        cJSON_GetObjectItem(props, "mention")->valuestring,
                        cJSON_IsString(cJSON_GetObjectItem(props, "gazetteer_id"))
                            ? cJSON_GetObjectItem(props, "gazetteer_id")->valuestring
                            : "(unresolved)");
        }
        cJSON_Delete(root);
        run_result_free(&r);
        free(text);
        sb_release(&path);
    }
    size_t found = 0;
    for (size_t k = 0; k < n_labels; k++) {
        found += labels[k].found;
        if (!labels[k].found) sb_addf(&misses, "  missed: %s \"%s\"\n", labels[k].file, labels[k].mention);
    }
    double precision = predicted ? (double)correct / (double)predicted : 0;
    double recall = (double)found / (double)n_labels;
    fprintf(stderr, "%s", misses.buf);
    fprintf(stderr, DIR ": %zu labelled mentions; precision %.3f (%zu/%zu), recall %.3f (%zu/%zu)\n", n_labels,
            precision, correct, predicted, recall, found, n_labels);
    ck_assert_msg(precision >= 0.9 && recall >= 0.9, "precision %.3f, recall %.3f; want both >= 0.9", precision,
                  recall);
    sb_release(&misses);
    geo_ctx_free(geo);
    gaz_close(g);
    free(labels);
}
END_TEST

Suite *geoparse_eval_suite(void)
{
    Suite *s = suite_create("geoparse-eval");
    TCase *t = tcase_create("passages");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, geoparse_should_find_and_resolve_the_labelled_places);
    suite_add_tcase(s, t);
    return s;
}
