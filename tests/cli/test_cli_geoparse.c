/*
 * test_cli_geoparse.c - end-to-end: ./eventmap geoparse on a news report
 * written for the project (tests/data/report.txt) and on bad input, with the
 * default index; and, when $EVENTMAP_SEED names it, on the seed report the
 * project was started from, which lives outside the repository.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"
#include "util/strbuf.h"

/* A report of the al-Dumair raid, and what geoparse must find in it: the
 * places of geoparse_should_resolve_the_report_places, the raid, the death in
 * Hasakah and the funeral, dated from the publication date. */
typedef struct {
    const char *path;         /* the text; the seed's is set by cli_geoparse_seed_suite */
    const char *published;    /* the publication date, for --published */
    const char *raid_date;    /* "last Saturday" before published */
    const char *funeral_date; /* "on Monday" before published */
} news_report;

enum { REPORT_OURS, REPORT_SEED, N_REPORTS };

/* Indexed by the loop tests' _i. */
static news_report reports[N_REPORTS] = {
    [REPORT_OURS] = { "tests/data/report.txt", "2025-10-23" /* a Thursday */, "2025-10-18", "2025-10-20" },
    [REPORT_SEED] = { NULL, "2025-10-24" /* a Friday */, "2025-10-18", "2025-10-20" },
};

/* The file name of path, as the events' "source" gives it. Borrowed. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The report's place features, parsed (caller frees with cJSON_Delete), and
 * its text in *text (caller frees). */
static cJSON *geoparse_report(const news_report *rep, char **text)
{
    ck_assert_ptr_nonnull(rep->path);
    *text = test_read_file(rep->path, NULL);
    ck_assert_msg(*text != NULL, "unable to read '%s'", rep->path);
    run_result r = run_cmd(NULL, "@ geoparse '%s'", rep->path);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_msg(root != NULL, "not JSON: %s", r.out);
    run_result_free(&r);
    return root;
}

/* Whether hay contains needle, ASCII case aside. */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && (hay[i] | 0x20) == (needle[i] | 0x20)) i++;
        if (i == n) return 1;
    }
    return 0;
}

static const char *prop_str(const cJSON *feature, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(feature, "properties"), key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double prop_num(const cJSON *feature, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(feature, "properties"), key);
    ck_assert_msg(cJSON_IsNumber(v), "no number \"%s\"", key);
    return v->valuedouble;
}

/* The first feature whose mention contains word (case aside) and whose id
 * is one of ids (NULL-terminated); NULL when none. */
static const cJSON *find_mention(const cJSON *features, const char *word, const char *const *ids)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, features) {
        const char *mention = prop_str(f, "mention"), *id = prop_str(f, "gazetteer_id");
        if (!mention || !id || !contains_ci(mention, word)) continue;
        for (int i = 0; ids[i]; i++)
            if (!strcmp(id, ids[i])) return f;
    }
    return NULL;
}

START_TEST(geoparse_should_resolve_the_report_places)
{
    char *text = NULL;
    cJSON *root = geoparse_report(&reports[_i], &text);
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features");
    ck_assert(cJSON_IsArray(features));
    static const struct { const char *word; const char *ids[3]; } want[] = {
        { "al-Dumair", { "geonames:170589", NULL } },
        { "Damascus", { "geonames:170654", NULL } },
        { "Hasakah", { "geonames:173811", NULL } },
        { "Idlib", { "geonames:169389", "eventmap:gov-idlib", NULL } },
        { "Badiya", { "eventmap:badiya", NULL } },
        { "Tanf", { "eventmap:tanf-garrison", NULL } },
        { "Moscow", { "geonames:524901", NULL } },
        { "Syria", { "country:SY", NULL } },
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ck_assert_msg(find_mention(features, want[i].word, want[i].ids) != NULL, "%s: %s not found or misresolved",
                      reports[_i].path, want[i].word);

    /* offsets are bytes of the file; the mention is the text there */
    const cJSON *f;
    cJSON_ArrayForEach(f, features) {
        size_t start = (size_t)prop_num(f, "start"), end = (size_t)prop_num(f, "end");
        const char *mention = prop_str(f, "mention");
        ck_assert_ptr_nonnull(mention);
        ck_assert(end > start && end <= strlen(text));
        ck_assert_int_eq(strlen(mention), end - start);
        ck_assert(!memcmp(text + start, mention, end - start));
        ck_assert(prop_num(f, "confidence") > 0 && prop_num(f, "confidence") <= 1);
        ck_assert(prop_num(f, "sentence") >= 0);
        ck_assert_ptr_nonnull(prop_str(f, "name"));
        ck_assert_ptr_nonnull(prop_str(f, "match"));
    }
    /* "al-Dumair, northeast of Damascus" */
    static const char *const damascus[] = { "geonames:170654", NULL };
    const cJSON *dam = find_mention(features, "Damascus", damascus);
    ck_assert_ptr_nonnull(prop_str(dam, "qualifier"));
    ck_assert_str_eq(prop_str(dam, "qualifier"), "northeast of");
    /* a region carries its bbox */
    static const char *const badiya[] = { "eventmap:badiya", NULL };
    const cJSON *bad = find_mention(features, "Badiya", badiya);
    const cJSON *bbox = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(bad, "properties"), "bbox");
    ck_assert_int_eq(cJSON_GetArraySize(bbox), 4);
    /* a point is lon, lat */
    static const char *const dumair[] = { "geonames:170589", NULL };
    const cJSON *coords = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(find_mention(features, "Dumair", dumair), "geometry"), "coordinates");
    ck_assert_int_eq(cJSON_GetArraySize(coords), 2);
    ck_assert_double_eq_tol(cJSON_GetArrayItem(coords, 0)->valuedouble, 36.69376, 1e-4);
    ck_assert_double_eq_tol(cJSON_GetArrayItem(coords, 1)->valuedouble, 33.64389, 1e-4);
    cJSON_Delete(root);
    free(text);
}
END_TEST

START_TEST(geoparse_should_not_report_peoples_names_as_places)
{
    char *text = NULL;
    cJSON *root = geoparse_report(&reports[_i], &text);
    /* names the report gives, then the seed's other spellings of them */
    static const char *const people[] = { "Khaled", "Masoud", "Badri", "Barrack", "Kelani", "Shami",
                                          "Shara",  "Assad",  "Aziz",  "Sabar",   "Mohammed", "Ahmed",
                                          "Sheikh", "Jabar",  "Sham",  "Masud",   "Barak",    NULL };
    const int n_given = 15;
    for (int i = 0; i < n_given; i++) /* there, to be passed over */
        ck_assert_msg(contains_ci(text, people[i]), "%s: no \"%s\" in the text", reports[_i].path, people[i]);
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(root, "features")) {
        const char *mention = prop_str(f, "mention");
        ck_assert_ptr_nonnull(mention);
        for (int i = 0; people[i]; i++)
            ck_assert_msg(!contains_ci(mention, people[i]), "\"%s\" reported as a place (%s)", mention,
                          prop_str(f, "gazetteer_id"));
    }
    cJSON_Delete(root);
    free(text);
}
END_TEST

START_TEST(geoparse_should_write_a_table_and_valid_geojson)
{
    const news_report *rep = &reports[_i];
    ck_assert_ptr_nonnull(rep->path);
    run_result r = run_cmd(NULL, "@ geoparse --format table --published %s --country SY '%s'", rep->published, rep->path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "eventmap:tanf-garrison"));
    ck_assert_ptr_nonnull(strstr(r.out, "northeast of"));
    run_result_free(&r);

    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/%s.geojson", test_tmpdir(), base_name(rep->path));
    r = run_cmd(NULL, "@ geoparse '%s' > %s", rep->path, out.buf);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    char *msg = NULL;
    int valid = test_geojson_valid(out.buf, &msg);
    /* make test installs geojsonhint: a missing tool is a failure here */
    ck_assert_msg(valid >= 0, "geojsonhint did not run: %s", msg ? msg : "?");
    ck_assert_msg(valid == 1, "geojsonhint: %s", msg ? msg : "?");
    free(msg);
    sb_release(&out);
}
END_TEST

/* The report's incidents as candidate events, dated from --published, that
 * `eventmap import` takes. */
START_TEST(geoparse_should_propose_the_report_incidents)
{
    const news_report *rep = &reports[_i];
    ck_assert_ptr_nonnull(rep->path);
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/candidates.geojson", test_tmpdir());
    run_result r = run_cmd(NULL, "@ geoparse --events --published %s '%s' > %s", rep->published, rep->path, out.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    char *text = test_read_file(out.buf, NULL);
    cJSON *root = cJSON_Parse(text);
    ck_assert_ptr_nonnull(root);
    int raid = 0, death = 0, funeral = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "features"))
    {
        const cJSON *p = cJSON_GetObjectItem(f, "properties");
        const char *gid = cJSON_GetObjectItem(p, "gazetteer_id")->valuestring;
        const char *date = cJSON_GetObjectItem(p, "event_date")->valuestring;
        const char *notes = cJSON_GetObjectItem(p, "notes")->valuestring;
        const char *sub_type = cJSON_GetObjectItem(p, "sub_event_type")->valuestring;
        int tp = cJSON_GetObjectItem(p, "time_precision")->valueint;
        ck_assert_str_eq(cJSON_GetObjectItem(p, "source")->valuestring, base_name(rep->path));
        if (strstr(notes, "pre-dawn raid")) {
            /* "last Saturday" */
            ck_assert_str_eq(gid, "geonames:170589");
            ck_assert_str_eq(date, rep->raid_date);
            ck_assert_int_eq(tp, 1);
            ck_assert_str_eq(sub_type, "Attack");
            raid++;
        } else if (strstr(notes, "hospital in Hasakah")) {
            ck_assert_str_eq(gid, "geonames:173811");
            ck_assert_int_eq(cJSON_GetObjectItem(p, "fatalities")->valueint, 1);
            death++;
        } else if (strstr(notes, "funeral on Monday")) {
            ck_assert_str_eq(date, rep->funeral_date);
            ck_assert_str_eq(gid, "geonames:170589"); /* no place in the sentence: the report's incident */
            funeral++;
        }
    }
    ck_assert_int_eq(raid, 1);
    ck_assert_int_eq(death, 1);
    ck_assert_int_eq(funeral, 1);
    cJSON_Delete(root);
    free(text);
    /* ready for import */
    r = run_cmd(NULL, "@ import %s --db %s/candidates.db", out.buf, test_tmpdir());
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "unlocated 0, rejected 0"));
    run_result_free(&r);
    sb_release(&out);
}
END_TEST

/* The checks of a whole report, for the report at index which of reports. */
static void add_report_tests(TCase *t, int which)
{
    tcase_add_loop_test(t, geoparse_should_resolve_the_report_places, which, which + 1);
    tcase_add_loop_test(t, geoparse_should_not_report_peoples_names_as_places, which, which + 1);
    tcase_add_loop_test(t, geoparse_should_write_a_table_and_valid_geojson, which, which + 1);
    tcase_add_loop_test(t, geoparse_should_propose_the_report_incidents, which, which + 1);
}

/* Types, deaths and dates from the words of a sentence (published on
 * Saturday 2025-10-25). */
START_TEST(geoparse_events_should_read_types_deaths_and_relative_dates)
{
    char *path = test_write_file("news.txt",
        "Airstrikes hit the town of Maarat al-Numan on Tuesday, killing at least nine civilians. "
        "Gunmen shot dead a teacher in Daraa last Saturday. Protesters gathered in Sweida in July. "
        "Security forces arrested three men in Homs this month. "
        "Clashes broke out near Tal Abyad on Saturday, and two fighters were killed.\n");
    run_result r = run_cmd(NULL, "@ geoparse --events --published 2025-10-25 %s", path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    static const struct {
        const char *gid, *date, *sub;
        int precision, deaths;
    } want[] = {
        { "geonames:167611", "2025-10-21", "Air/drone strike", 1, 9 },
        { "geonames:170905", "2025-10-18", "Attack", 1, 1 },
        { "geonames:172408", "2025-07-01", "Peaceful protest", 3, 0 },
        { "geonames:169577", "2025-10-25", "Arrests", 3, 0 },
        { "geonames:163750", "2025-10-25", "Armed clash", 1, 2 },
    };
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(root);
    const cJSON *features = cJSON_GetObjectItem(root, "features");
    ck_assert_int_eq(cJSON_GetArraySize(features), 5);
    for (int i = 0; i < 5; i++) {
        const cJSON *p = cJSON_GetObjectItem(cJSON_GetArrayItem(features, i), "properties");
        ck_assert_str_eq(cJSON_GetObjectItem(p, "gazetteer_id")->valuestring, want[i].gid);
        ck_assert_str_eq(cJSON_GetObjectItem(p, "event_date")->valuestring, want[i].date);
        ck_assert_str_eq(cJSON_GetObjectItem(p, "sub_event_type")->valuestring, want[i].sub);
        ck_assert_int_eq(cJSON_GetObjectItem(p, "time_precision")->valueint, want[i].precision);
        ck_assert_int_eq(cJSON_GetObjectItem(p, "fatalities")->valueint, want[i].deaths);
    }
    cJSON_Delete(root);
    run_result_free(&r);
    free(path);
}
END_TEST

/* One line of 4 MB, place names and people's names over and over: an
 * answer, not a crash or a quadratic wait. */
START_TEST(geoparse_should_take_a_huge_single_line)
{
    strbuf sb = STRBUF_INIT;
    while (sb.len < (4u << 20)) sb_adds(&sb, "a raid in Aleppo near al-Bab by Khaled al-Masoud, ");
    char *path = test_write_file("huge.txt", sb.buf);
    run_result r = run_cmd(NULL, "@ geoparse --events --published 2025-10-24 %s > /dev/null", path);
    ck_assert_msg(r.status == 0, "exit %d: %.200s", r.status, r.err);
    run_result_free(&r);
    free(path);
    sb_release(&sb);
}
END_TEST

START_TEST(geoparse_should_reject_invalid_utf8_with_file_and_line)
{
    char *path = test_write_file("bad-utf8.txt", "Clashes in Homs.\nShelling in Ham\xff" "a.\n");
    run_result r = run_cmd(NULL, "@ geoparse %s", path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s:2: invalid UTF-8\n", path);
    ck_assert_str_eq(r.err, want.buf);
    sb_release(&want);
    run_result_free(&r);
    free(path);

    /* a truncated sequence at the very end, an overlong form, a surrogate */
    static const char *const bad[] = { "Homs \xe2\x80", "\xc0\xaf", "\xed\xa0\x80", NULL };
    for (int i = 0; bad[i]; i++) {
        r = run_cmd(bad[i], "@ geoparse -");
        ck_assert_int_eq(r.status, 1);
        ck_assert_str_eq(r.err, "<stdin>:1: invalid UTF-8\n");
        run_result_free(&r);
    }
}
END_TEST

START_TEST(geoparse_should_reject_binary_data)
{
    static const char bin[] = "PK\x03\x04 Homs";
    char *path = test_write_file("binary.txt", "");
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(bin, 1, sizeof(bin), f); /* with the NUL bytes */
    fclose(f);
    run_result r = run_cmd(NULL, "@ geoparse %s", path);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, ":1: NUL byte"));
    run_result_free(&r);
    free(path);
}
END_TEST

START_TEST(geoparse_should_give_an_empty_collection_for_empty_input)
{
    char *path = test_write_file("empty.txt", "");
    run_result r = run_cmd(NULL, "@ geoparse %s", path);
    ck_assert_int_eq(r.status, 0);
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "type")->valuestring, "FeatureCollection");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "features")), 0);
    cJSON_Delete(root);
    run_result_free(&r);
    free(path);
    /* text without places, and stdin */
    r = run_cmd("nothing to see here, however hard you look.\n", "@ geoparse -");
    ck_assert_int_eq(r.status, 0);
    root = cJSON_Parse(r.out);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "features")), 0);
    cJSON_Delete(root);
    run_result_free(&r);
}
END_TEST

START_TEST(geoparse_should_keep_common_words_and_names_out)
{
    run_result r = run_cmd("Most residents fled. However, fighters stayed in Homs. Such is life.\n"
                           "President Bashar al-Assad met envoy Tom Barrack in Damascus on Monday.\n",
                           "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "geonames:169577")); /* Homs */
    ck_assert_ptr_nonnull(strstr(r.out, "geonames:170654")); /* Damascus */
    static const char *const not_places[] = { "Most", "However", "Such", "Assad", "Barrack", "Monday", NULL };
    for (int i = 0; not_places[i]; i++)
        ck_assert_msg(!strstr(r.out, not_places[i]), "\"%s\" reported:\n%s", not_places[i], r.out);
    run_result_free(&r);
}
END_TEST

/* The document is the context: the same name, two places in two texts. */
START_TEST(geoparse_should_read_a_name_by_the_areas_the_text_names)
{
    static const struct { const char *text, *want, *not_want; } cases[] = {
        /* the first-level area the text names elsewhere */
        { "Flooding closed roads across West Virginia on Tuesday. In Lewisburg, the river rose overnight.\n",
          "geonames:4812015", "geonames:4636442" },
        { "A storm hit Tennessee on Tuesday. In Lewisburg, the river rose overnight.\n", "geonames:4636442",
          "geonames:4812015" },
        /* nesting: the area right after a comma */
        { "The festival moved from Paris, Texas to a new venue.\n", "geonames:4717560", "geonames:2988507" },
        { "The festival moved from Paris to a new venue.\n", "geonames:2988507", "geonames:4717560" },
        /* the nesting chooses the area too: the state, not the country */
        { "She was born in Atlanta, Georgia in 1970.\n", "eventmap:adm1-usa-3543", "country:GE" },
        { "She was born in Tbilisi, Georgia in 1970.\n", "country:GE", "eventmap:adm1-usa-3543" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_result r = run_cmd(cases[i].text, "@ geoparse --format table -");
        ck_assert_msg(r.status == 0, "%s", r.err);
        ck_assert_msg(strstr(r.out, cases[i].want) && !strstr(r.out, cases[i].not_want), "%s\n%s", cases[i].text,
                      r.out);
        run_result_free(&r);
    }
}
END_TEST

/* "U.S." is one word, a country, and ends no sentence; a country's own name
 * stays that country in a story about another one. */
START_TEST(geoparse_should_read_dotted_abbreviations_and_keep_countries)
{
    run_result r = run_cmd("Officials in the U.S. said on Monday that U.S. troops in Texas and Ohio would stay. "
                           "Trade with China and Canada fell.\n",
                           "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    /* sentence, bytes, mention, place: both "U.S." in the first sentence */
    ck_assert_msg(strstr(r.out, "0    17-21       U.S.") && strstr(r.out, "0    42-46       U.S."), "%s", r.out);
    static const char *const want[] = { "country:US", "country:CN", "country:CA", "eventmap:adm1-usa-3536",
                                        "eventmap:adm1-usa-3550", NULL };
    for (int i = 0; want[i]; i++) ck_assert_msg(strstr(r.out, want[i]) != NULL, "no %s:\n%s", want[i], r.out);
    run_result_free(&r);
    /* an area's abbreviation with its dot, nesting the place before it */
    r = run_cmd("A man from Glasgow, Ky. was hurt. Police in Vancouver, B.C. said he had moved to B.C. in May.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    static const char *const nested[] = { "geonames:4292826", "eventmap:adm1-usa-3548", "geonames:6173331",
                                          "eventmap:adm1-can-633", "Ky.", NULL };
    for (int i = 0; nested[i]; i++) ck_assert_msg(strstr(r.out, nested[i]) != NULL, "no %s:\n%s", nested[i], r.out);
    ck_assert_msg(!strstr(r.out, "adm1-gbr"), "%s", r.out); /* not Glasgow, Scotland */
    run_result_free(&r);
}
END_TEST

/* A country's adjective is a mention of the country, of its own kind, and
 * never where an event happened; a people noun ("Russians") is none. */
START_TEST(geoparse_should_report_demonyms_as_their_country)
{
    const char *text = "Russian warplanes struck a market in Idlib on Tuesday, killing 12 people, a Turkish "
                       "official said. Russians and Americans traded blame.\n";
    run_result r = run_cmd(text, "@ geoparse --format geojson -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(root);
    int russian = 0, turkish = 0, idlib = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "features"))
    {
        const cJSON *p = cJSON_GetObjectItem(f, "properties");
        const char *mention = cJSON_GetObjectItem(p, "mention")->valuestring;
        const char *kind = cJSON_GetObjectItem(p, "kind")->valuestring;
        const char *id = cJSON_GetObjectItem(p, "gazetteer_id")->valuestring;
        ck_assert_msg(strcmp(mention, "Russians") && strcmp(mention, "Americans"), "%s reported:\n%s", mention, r.out);
        if (!strcmp(mention, "Russian")) russian = !strcmp(kind, "demonym") && !strcmp(id, "country:RU");
        if (!strcmp(mention, "Turkish")) turkish = !strcmp(kind, "demonym") && !strcmp(id, "country:TR");
        if (!strcmp(mention, "Idlib")) idlib = !strcmp(kind, "name");
    }
    ck_assert_msg(russian && turkish && idlib, "%s", r.out);
    cJSON_Delete(root);
    run_result_free(&r);
    /* the event is in Idlib, not in Russia or Turkey */
    r = run_cmd(text, "@ geoparse --events --published 2026-12-01 -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "\"location\":\"Idlib\"") && !strstr(r.out, "\"country\":\"RU\"") &&
                      !strstr(r.out, "\"country\":\"TR\""),
                  "%s", r.out);
    run_result_free(&r);
}
END_TEST

/* "WASHINGTON —" opening a report is a place, and where it was written, not
 * where the event was; capitals elsewhere are not ("GREEN fingered"). */
START_TEST(geoparse_should_read_datelines)
{
    const char *text = "WASHINGTON — Russian warplanes struck a market in Idlib on Tuesday, killing 12 people.\n"
                       "GREEN fingered pupils planted trees in the park.\n";
    run_result r = run_cmd(text, "@ geoparse --format geojson -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "\"mention\":\t\"WASHINGTON\"") && strstr(r.out, "\"dateline\":\ttrue") &&
                      strstr(r.out, "geonames:4140963") && !strstr(r.out, "\"GREEN\""),
                  "%s", r.out);
    run_result_free(&r);
    r = run_cmd(text, "@ geoparse --events --published 2026-12-01 -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "\"location\":\"Idlib\"") && !strstr(r.out, "\"location\":\"WASHINGTON\""), "%s",
                  r.out);
    run_result_free(&r);
    /* a dateline with no dash before the report's first words */
    r = run_cmd("DETROIT The U.S. Transportation Department said on Friday that it would act.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "geonames:4990729") && strstr(r.out, "country:US"), "%s", r.out);
    run_result_free(&r);
}
END_TEST

/* A title or an institution after a place ends its name ("Montreal Mayor
 * Denis Coderre", "Kentucky State Police"); a run opening with a given
 * name is a person, whose surname alone is no place later; a place-shaped
 * name the gazetteer lacks is reported unresolved, not dropped. */
START_TEST(geoparse_should_split_titles_and_keep_unknown_places)
{
    run_result r = run_cmd("Montreal Mayor Denis Coderre said the Quebec police would help.\n",
                           "@ geoparse --format geojson -");
    ck_assert_msg(r.status == 0 && strstr(r.out, "geonames:6077243") && !strstr(r.out, "Coderre"), "%s", r.out);
    run_result_free(&r);
    r = run_cmd("The Kentucky State Police said a trooper would help.\n", "@ geoparse --format geojson -");
    ck_assert_msg(r.status == 0 && strstr(r.out, "eventmap:adm1-usa-3548"), "%s", r.out);
    run_result_free(&r);
    /* a given name inside a place's name is the place's ("Virginia") */
    r = run_cmd("A truck pulled up, West Virginia State Police Lt. Michael Baylous said.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0 && strstr(r.out, "eventmap:adm1-usa-3554") && !strstr(r.out, "adm1-usa-3552"),
                  "%s", r.out);
    run_result_free(&r);
    r = run_cmd("Montreal Mayor Denis Coderre said the Kentucky State Police would help. "
                "Christopher Steele wrote the report; Steele said nothing more.\n"
                "A Metcalfe County man was hurt on Dean Woods Road on Friday.\n",
                "@ geoparse --format geojson -");
    static const char *const not_places[] = { "\"Denis", "Coderre", "Steele", "Christopher", NULL };
    for (int i = 0; not_places[i]; i++)
        ck_assert_msg(!strstr(r.out, not_places[i]), "%s reported:\n%s", not_places[i], r.out);
    cJSON *root = cJSON_Parse(r.out);
    ck_assert_ptr_nonnull(root);
    int unresolved = 0;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItem(root, "features"))
    {
        const cJSON *p = cJSON_GetObjectItem(f, "properties");
        const char *mention = cJSON_GetObjectItem(p, "mention")->valuestring;
        if (!strcmp(mention, "Metcalfe County")) { /* us-counties.tsv */
            const cJSON *id = cJSON_GetObjectItem(p, "gazetteer_id");
            ck_assert_msg(cJSON_IsString(id) && !strcmp(id->valuestring, "eventmap:us-county-21169"), "%s", r.out);
            continue;
        }
        if (strcmp(mention, "Dean Woods Road")) continue;
        ck_assert_msg(cJSON_IsNull(cJSON_GetObjectItem(f, "geometry")) &&
                          !strcmp(cJSON_GetObjectItem(p, "match")->valuestring, "none"),
                      "%s", r.out);
        unresolved++;
    }
    ck_assert_msg(unresolved == 1, "%s", r.out);
    cJSON_Delete(root);
    run_result_free(&r);
}
END_TEST

/* The same name, two places in two documents: the country the other
 * names agree on decides, not the bigger namesake. */
START_TEST(geoparse_should_read_a_name_by_the_country_of_the_document)
{
    run_result r = run_cmd("Police in Toronto and Hamilton said a man from London was arrested. Ontario "
                           "Provincial Police are investigating.\n",
                           "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "geonames:6058560") && !strstr(r.out, "geonames:2643743"), "%s", r.out);
    run_result_free(&r);
    r = run_cmd("Police in Manchester and Birmingham said a man from London was arrested. England and "
                "Wales saw more such cases.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "geonames:2643743") && !strstr(r.out, "geonames:6058560"), "%s", r.out);
    run_result_free(&r);
    /* an American story's "Paris" is France's capital unless it names Texas */
    r = run_cmd("Officials in Washington and Chicago said the summit in Paris would go ahead.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0 && strstr(r.out, "geonames:2988507") && !strstr(r.out, "geonames:4717560"), "%s",
                  r.out);
    run_result_free(&r);
    /* ... nor is "England" the town in Arkansas, and "Russia, U.S. officials"
     * is a list, not a Russia in the United States */
    r = run_cmd("WASHINGTON - Officials in Washington said the talks on trade with Russia, U.S. negotiators "
                "added, would include England and its football clubs.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "country:RU") && strstr(r.out, "eventmap:adm1-gbr-2054"), "%s", r.out);
    ck_assert_msg(!strstr(r.out, "geonames:5168839") && !strstr(r.out, "geonames:4110001"), "%s", r.out);
    run_result_free(&r);
    /* a small town abroad named with no cue word is a word or a person
     * there ("Axel", the Dutch town), while a foreign capital stays ("Paris") */
    r = run_cmd("Officials in Washington and Chicago said Axel spoke to reporters before the summit in Paris.\n",
                "@ geoparse --format table -");
    ck_assert_msg(r.status == 0 && !strstr(r.out, "Axel") && strstr(r.out, "geonames:2988507"), "%s", r.out);
    run_result_free(&r);
}
END_TEST

/* A local story's names lie close together: "Edmonton" beside Enfield is
 * the one in north London, not the big city in Alberta nor the town in
 * Kentucky, though each of those reads better alone. */
START_TEST(geoparse_should_read_a_local_story_by_its_neighbouring_names)
{
    run_result r = run_cmd("Residents of Edmonton met council officers in Enfield on Tuesday to plan a garden.\n",
                           "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "geonames:2650209") && strstr(r.out, "eventmap:adm1-gbr-2067"), "%s", r.out);
    run_result_free(&r);
    /* alone, the name is the city in Alberta */
    r = run_cmd("Residents of Edmonton met on Tuesday to plan a garden.\n", "@ geoparse --format table -");
    ck_assert_msg(r.status == 0 && strstr(r.out, "geonames:5946768"), "%s", r.out);
    run_result_free(&r);
}
END_TEST

/* Organisations named after a place are no mention of it ("Washington
 * Post", "Georgia Tech"), nor are people ("Jordan Peterson"); a big place
 * closing an organisation's name is its branch's place ("CBC Toronto"),
 * and a weekday after a place is no part of its name. */
START_TEST(geoparse_should_keep_organisations_out_and_their_branches_in)
{
    run_result r = run_cmd("The Washington Post and Georgia Tech said Jordan Peterson spoke. Environment Canada "
                           "and CBC Toronto reported snow in Ottawa Saturday.\n",
                           "@ geoparse --format table -");
    ck_assert_msg(r.status == 0, "%s", r.err);
    static const char *const want[] = { "country:CA", "geonames:6167865", "geonames:6094817", NULL };
    for (int i = 0; want[i]; i++) ck_assert_msg(strstr(r.out, want[i]) != NULL, "no %s:\n%s", want[i], r.out);
    static const char *const not_places[] = { "Washington", "Georgia", "Jordan", "Peterson", NULL };
    for (int i = 0; not_places[i]; i++)
        ck_assert_msg(!strstr(r.out, not_places[i]), "%s reported:\n%s", not_places[i], r.out);
    run_result_free(&r);
}
END_TEST

START_TEST(geoparse_should_reject_bad_usage_with_exit_2)
{
    static const char *const cmds[] = {
        "@ geoparse", "@ geoparse --format xml -", "@ geoparse --published 2025-02-30 -",
        "@ geoparse --country Syria -", "@ geoparse --bogus -", "@ geoparse a.txt b.txt", NULL
    };
    for (int i = 0; cmds[i]; i++) {
        run_result r = run_cmd(NULL, "%s", cmds[i]);
        ck_assert_msg(r.status == 2, "%s: exit %d", cmds[i], r.status);
        run_result_free(&r);
    }
    run_result r = run_cmd(NULL, "@ geoparse /nonexistent/text.txt");
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "unable to open '/nonexistent/text.txt'"));
    run_result_free(&r);
}
END_TEST

Suite *cli_geoparse_suite(void)
{
    Suite *s = suite_create("cli-geoparse");
    TCase *t = tcase_create("geoparse");
    tcase_set_timeout(t, 60);
    add_report_tests(t, REPORT_OURS);
    tcase_add_test(t, geoparse_events_should_read_types_deaths_and_relative_dates);
    tcase_add_test(t, geoparse_should_take_a_huge_single_line);
    tcase_add_test(t, geoparse_should_reject_invalid_utf8_with_file_and_line);
    tcase_add_test(t, geoparse_should_reject_binary_data);
    tcase_add_test(t, geoparse_should_give_an_empty_collection_for_empty_input);
    tcase_add_test(t, geoparse_should_keep_common_words_and_names_out);
    tcase_add_test(t, geoparse_should_read_a_name_by_the_areas_the_text_names);
    tcase_add_test(t, geoparse_should_read_dotted_abbreviations_and_keep_countries);
    tcase_add_test(t, geoparse_should_report_demonyms_as_their_country);
    tcase_add_test(t, geoparse_should_read_datelines);
    tcase_add_test(t, geoparse_should_split_titles_and_keep_unknown_places);
    tcase_add_test(t, geoparse_should_read_a_name_by_the_country_of_the_document);
    tcase_add_test(t, geoparse_should_read_a_local_story_by_its_neighbouring_names);
    tcase_add_test(t, geoparse_should_keep_organisations_out_and_their_branches_in);
    tcase_add_test(t, geoparse_should_reject_bad_usage_with_exit_2);
    suite_add_tcase(s, t);
    return s;
}

/* The same checks on the seed report (the article at $EVENTMAP_SEED), which
 * the project may not copy; without it, no tests and a NOT RUN note. */
Suite *cli_geoparse_seed_suite(void)
{
    Suite *s = suite_create("cli-geoparse-seed");
    const char *seed = getenv("EVENTMAP_SEED");
    size_t len = 0;
    char *text = seed && *seed ? test_read_file(seed, &len) : NULL;
    free(text);
    if (!text || !len) {
        test_not_run("cli-geoparse-seed", "the seed report checks: %s is absent (set EVENTMAP_SEED to the article)",
                     seed && *seed ? seed : "$EVENTMAP_SEED");
        return s;
    }
    reports[REPORT_SEED].path = seed; /* the environment's string, unchanged while the tests run */
    TCase *t = tcase_create("seed");
    tcase_set_timeout(t, 60);
    add_report_tests(t, REPORT_SEED);
    suite_add_tcase(s, t);
    return s;
}
