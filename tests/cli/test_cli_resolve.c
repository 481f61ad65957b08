/*
 * test_cli_resolve.c - end-to-end: ./eventmap resolve and gazetteer build as
 * a user runs them, on the default index that `make` builds.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_helpers.h"
#include "util/strbuf.h"

/* The first result of the JSON line for one name. */
static cJSON *first_result(const char *json_line, cJSON **root)
{
    *root = cJSON_Parse(json_line);
    ck_assert_msg(*root != NULL, "not JSON: %s", json_line);
    cJSON *results = cJSON_GetObjectItemCaseSensitive(*root, "results");
    ck_assert(cJSON_IsArray(results));
    return cJSON_GetArrayItem(results, 0);
}

static const char *str_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsString(v), "no string \"%s\"", key);
    return v->valuestring;
}

static double num_of(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "no number \"%s\"", key);
    return v->valuedouble;
}

/* eventmap --version (and the version command) names the program's
 * version and the libraries it runs on; --help lists the command. */
START_TEST(eventmap_should_say_its_version)
{
    const char *forms[] = { "@ --version", "@ version" };
    for (int i = 0; i < 2; i++) {
        run_result r = run_cmd(NULL, "%s", forms[i]);
        ck_assert_msg(r.status == 0 && r.err[0] == '\0', "%s: %d %s", forms[i], r.status, r.err);
        ck_assert_msg(!strncmp(r.out, "eventmap 0.", 11), "%s", r.out);
        static const char *const libs[] = { "PROJ ", "GEOS ", "SQLite ", "Cairo ", "Pango ", "libpng " };
        for (size_t j = 0; j < sizeof(libs) / sizeof(libs[0]); j++)
            ck_assert_msg(strstr(r.out, libs[j]) != NULL, "no %s in: %s", libs[j], r.out);
        run_result_free(&r);
    }
    run_result r = run_cmd(NULL, "@ --help");
    ck_assert_msg(r.status == 0 && strstr(r.out, "eventmap --version") && strstr(r.out, "\n  version "), "%s", r.out);
    run_result_free(&r);
}
END_TEST

START_TEST(resolve_should_answer_the_seed_report_places_first)
{
    run_result r = run_cmd(NULL, "@ resolve --json al-Dumair Hasakah Tanf Idlib \"the Badiya\" Moscow Syria");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    const char *want_name[] = { "Ad Dumayr", "Al Hasakah", NULL, "Idlib", NULL, "Moscow", "Syria" };
    const char *want_id[] = { "geonames:170589", "geonames:173811", NULL, "geonames:169389", "eventmap:badiya",
                              "geonames:524901", "country:SY" };
    char *save = NULL;
    char *line = strtok_r(r.out, "\n", &save);
    for (int i = 0; i < 7; i++) {
        ck_assert_msg(line != NULL, "missing line %d", i + 1);
        cJSON *root;
        cJSON *top = first_result(line, &root);
        ck_assert_msg(top != NULL, "no result for line %d", i + 1);
        if (want_name[i]) ck_assert_str_eq(str_of(top, "name"), want_name[i]);
        if (want_id[i]) ck_assert_str_eq(str_of(top, "id"), want_id[i]);
        if (i == 2) {
            /* Tanf: the garrison or the crossing next to it */
            ck_assert_msg(!strncmp(str_of(top, "id"), "eventmap:tanf", 13), "Tanf -> %s", str_of(top, "id"));
            ck_assert_double_eq_tol(num_of(top, "lat"), 33.5, 0.1);
            ck_assert_double_eq_tol(num_of(top, "lon"), 38.65, 0.15);
        }
        if (i == 4) {
            ck_assert_str_eq(str_of(top, "match"), "region");
            ck_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(top, "bbox")));
        }
        if (i == 5) ck_assert_str_eq(str_of(top, "country"), "RU");
        if (i == 0) {
            ck_assert_str_eq(str_of(top, "country"), "SY");
            ck_assert_str_eq(str_of(top, "admin1"), "Rif-dimashq");
            ck_assert_str_eq(str_of(top, "feature"), "P.PPLA3");
            ck_assert_double_eq_tol(num_of(top, "lat"), 33.64389, 1e-6);
            ck_assert_double_eq_tol(num_of(top, "lon"), 36.69376, 1e-6);
            ck_assert(num_of(top, "score") > 0.5 && num_of(top, "score") <= 1.0);
        }
        cJSON_Delete(root);
        line = strtok_r(NULL, "\n", &save);
    }
    ck_assert_ptr_null(line);
    run_result_free(&r);
}
END_TEST

START_TEST(resolve_should_give_an_empty_result_for_an_unknown_name)
{
    run_result r = run_cmd(NULL, "@ resolve --json Qwxzrtplk");
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "{\"query\":\"Qwxzrtplk\",\"results\":[]}\n");
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve Qwxzrtplk");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "(no match)"));
    run_result_free(&r);
}
END_TEST

START_TEST(resolve_should_read_names_from_stdin)
{
    run_result r = run_cmd("Idlib\n\nDouma\r\nHam\xff\n", "@ resolve --json --limit 1 -");
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "{\"query\":\"Idlib\",\"results\":[{\"name\":\"Idlib\""));
    ck_assert_ptr_nonnull(strstr(r.out, "{\"query\":\"Douma\",\"results\":[{\"name\":"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"id\":\"geonames:170592\"")); /* GeoNames' Dūmā */
    ck_assert_str_eq(r.err, "<stdin>:4: name is not valid UTF-8\n");
    run_result_free(&r);
}
END_TEST

START_TEST(resolve_should_follow_country_and_near_hints)
{
    run_result r = run_cmd(NULL, "@ resolve --json --limit 1 --country US Moscow");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"country\":\"US\""));
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 --near 46.7,-117.0 Moscow");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"admin1\":\"Idaho\""));
    run_result_free(&r);
    /* the default index is built for Syrian reports; --focus changes that */
    r = run_cmd(NULL, "@ resolve --json --limit 1 Palmyra Nawa");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"id\":\"geonames:163808\"")); /* Tadmur */
    ck_assert_ptr_nonnull(strstr(r.out, "\"id\":\"geonames:166365\"")); /* Nawa, Daraa */
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 --focus none Palmyra");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "\"country\":\"SY\""));
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 --focus us,ca Palmyra");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"country\":\"US\""));
    run_result_free(&r);
    /* a country is where GeoNames puts it (country-points.tsv), not a point
     * of its polygon: Russia's is 650 km east of Natural Earth's */
    /* a place's own name before another place's GeoNames alternate */
    r = run_cmd(NULL, "@ resolve --json --limit 1 Alvin");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"id\":\"geonames:4670592\"") != NULL, "%s", r.out);
    run_result_free(&r);
    /* ... unless that place is far bigger: Washington, D.C. over the towns */
    r = run_cmd(NULL, "@ resolve --json --limit 1 Washington");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"id\":\"geonames:4140963\"") != NULL, "%s", r.out);
    run_result_free(&r);
    /* a first-level area before its namesakes elsewhere and before a town
     * that has its name as an alternate, but not before its seat */
    static const struct { const char *name, *id; } areas[] = {
        { "California", "eventmap:adm1-usa-3521" }, /* not California, Missouri */
        { "Minnesota", "eventmap:adm1-usa-3514" },  /* not Minneota, alias "Minnesota" */
        { "Idlib", "geonames:169389" },             /* the city, the governorate's seat */
        { "Quebec", "eventmap:adm1-can-683" },      /* a vast area before its seat */
    };
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
        r = run_cmd(NULL, "@ resolve --json --limit 1 %s", areas[i].name);
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, areas[i].id) != NULL, "%s: %s", areas[i].name, r.out);
        run_result_free(&r);
    }
    /* the area after a comma may be a country or a state of that name */
    r = run_cmd(NULL, "@ resolve --json --limit 1 \"Atlanta, Georgia\"");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"id\":\"geonames:4180439\"") != NULL, "%s", r.out);
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 \"Tbilisi, Georgia\"");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"id\":\"geonames:611717\"") != NULL, "%s", r.out);
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 Russia");
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"lat\":60,\"lon\":100,") != NULL, "%s", r.out);
    run_result_free(&r);
}
END_TEST

START_TEST(resolve_should_answer_an_area_for_a_qualified_name)
{
    /* as the seed report writes them */
    static const char *const cases[][2] = {
        { "the central Badiya region", "eventmap:badiya" },
        { "northeastern Syria", "country:SY" },
        { "rural Damascus", "eventmap:gov-rif-dimashq" },
        { "Idlib countryside", "eventmap:gov-idlib" },
        { "western Daraa countryside", "eventmap:gov-daraa" },
        { "Hama airfield", "eventmap:hama-military-airport" },
        { "the Tanf base", "eventmap:tanf-garrison" },
        /* a name that begins with a qualifier is that place, not the bare one */
        { "Western Australia", "eventmap:adm1-aus-2651" },
        { "North Kivu", "eventmap:adm1-cod-1898" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_result r = run_cmd(NULL, "@ resolve --json --limit 1 '%s'", cases[i][0]);
        ck_assert_int_eq(r.status, 0);
        cJSON *root;
        cJSON *top = first_result(r.out, &root);
        ck_assert_msg(top != NULL, "%s: no result", cases[i][0]);
        ck_assert_msg(!strcmp(str_of(top, "id"), cases[i][1]), "%s: got %s, want %s", cases[i][0],
                      str_of(top, "id"), cases[i][1]);
        cJSON_Delete(root);
        run_result_free(&r);
    }
}
END_TEST

START_TEST(resolve_should_answer_a_us_county_for_its_name_with_county)
{
    /* us-counties.tsv: "Metcalfe County" is the county in Kentucky (admin-1
     * KY), not one of the towns named Metcalfe */
    run_result r = run_cmd(NULL, "@ resolve --json --limit 1 'Metcalfe County' 'los angeles county' Plymouth");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    char *save = NULL;
    char *line = strtok_r(r.out, "\n", &save);
    ck_assert(line != NULL);
    cJSON *root;
    cJSON *top = first_result(line, &root);
    ck_assert_msg(top != NULL, "no result for Metcalfe County");
    ck_assert_str_eq(str_of(top, "id"), "eventmap:us-county-21169");
    ck_assert_str_eq(str_of(top, "name"), "Metcalfe County");
    ck_assert_str_eq(str_of(top, "feature"), "A.ADM2");
    ck_assert_str_eq(str_of(top, "country"), "US");
    ck_assert_str_eq(str_of(top, "admin1"), "Kentucky"); /* GeoNames US.KY */
    ck_assert_str_eq(str_of(top, "match"), "exact");
    ck_assert_double_eq_tol(num_of(top, "lat"), 37.0, 0.2);
    ck_assert_double_eq_tol(num_of(top, "lon"), -85.63, 0.2);
    cJSON_Delete(root);
    line = strtok_r(NULL, "\n", &save);
    ck_assert(line != NULL);
    top = first_result(line, &root);
    ck_assert_msg(top != NULL, "no result for Los Angeles County");
    ck_assert_str_eq(str_of(top, "id"), "eventmap:us-county-06037");
    cJSON_Delete(root);
    /* the bare name is no alias of the county: Plymouth is still a town */
    line = strtok_r(NULL, "\n", &save);
    ck_assert(line != NULL);
    top = first_result(line, &root);
    ck_assert_msg(top != NULL, "no result for Plymouth");
    ck_assert_msg(!strncmp(str_of(top, "feature"), "P.", 2), "Plymouth -> %s %s", str_of(top, "id"),
                  str_of(top, "feature"));
    cJSON_Delete(root);
    run_result_free(&r);
    /* both Plymouth Counties (Massachusetts, Iowa) come before any town */
    r = run_cmd(NULL, "@ resolve --json --limit 2 --country US 'Plymouth County'");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.out, "\"id\":\"eventmap:us-county-25023\"") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "\"id\":\"eventmap:us-county-19149\"") != NULL, "%s", r.out);
    run_result_free(&r);
}
END_TEST

START_TEST(resolve_should_reject_bad_usage_with_exit_2)
{
    static const struct { const char *args, *msg; } cases[] = {
        { "resolve --limit abc Idlib", "eventmap resolve: --limit \"abc\" is not a whole number in 1..1000\n" },
        { "resolve --limit 0 Idlib", "eventmap resolve: --limit \"0\" is not a whole number in 1..1000\n" },
        { "resolve --near 123,36 Idlib",
          "eventmap resolve: --near \"123,36\": latitude must be in -90..90 and longitude in -180..180\n" },
        { "resolve --near 33,64 Idlib", NULL },
        { "resolve --near 33.6 Idlib", "eventmap resolve: --near \"33.6\" is not LAT,LON in decimal degrees\n" },
        { "resolve --country Syria Idlib",
          "eventmap resolve: --country \"Syria\" is not a two-letter ISO country code\n" },
        { "resolve --focus Syria Idlib",
          "eventmap resolve: --focus \"Syria\" is not ISO country codes such as SY or SY,IQ (at most 10), or none\n" },
        { "resolve --focus SY, Idlib",
          "eventmap resolve: --focus \"SY,\" is not ISO country codes such as SY or SY,IQ (at most 10), or none\n" },
        { "resolve", NULL },
        { "resolve --bogus Idlib", NULL },
        { "frobnicate", "eventmap: 'frobnicate' is not a command; see 'eventmap --help'\n" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_result r = run_cmd(NULL, "@ %s", cases[i].args);
        if (!strcmp(cases[i].args, "resolve --near 33,64 Idlib")) {
            /* "33,64" is a valid LAT,LON pair */
            ck_assert_int_eq(r.status, 0);
        } else {
            ck_assert_msg(r.status == 2, "%s: exit %d", cases[i].args, r.status);
            ck_assert_str_eq(r.out, "");
            if (cases[i].msg) ck_assert_str_eq(r.err, cases[i].msg);
        }
        run_result_free(&r);
    }
}
END_TEST

START_TEST(help_should_exit_0_and_describe_each_command)
{
    const char *cmds[] = { "--help", "resolve --help", "gazetteer --help" };
    for (size_t i = 0; i < 3; i++) {
        run_result r = run_cmd(NULL, "@ %s", cmds[i]);
        ck_assert_int_eq(r.status, 0);
        ck_assert_ptr_nonnull(strstr(r.out, "usage: eventmap"));
        run_result_free(&r);
    }
}
END_TEST

START_TEST(resolve_should_fail_clearly_without_an_index)
{
    run_result r = run_cmd(NULL, "@ resolve --gazetteer /nonexistent/g.idx Idlib");
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/g.idx: cannot open gazetteer index"));
    run_result_free(&r);
}
END_TEST

START_TEST(gazetteer_build_should_report_file_line_and_leave_no_output)
{
    char *bad = test_write_file("cli-bad.txt",
        "170589\tAd Dumayr\tAd Dumayr\t\t33.64389\t36.69376\tP\tPPLA3\tSY\t\t08\t\t\t\t0\t\t671\tAsia/Damascus\t2012-01-19\n"
        "170590\tX\tX\t\t33.64389\tNaN\tP\tPPLA3\tSY\t\t08\t\t\t\t0\t\t671\tAsia/Damascus\t2012-01-19\n");
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/cli-bad.idx", test_tmpdir());
    run_result r = run_cmd(NULL, "@ gazetteer build --no-countries --curated /nonexistent --geonames %s -o %s", bad, out.buf);
    ck_assert_int_eq(r.status, 1);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "eventmap gazetteer build: %s:2: longitude \"NaN\" is not a number in -180..180\n", bad);
    ck_assert_str_eq(r.err, want.buf);
    ck_assert_int_ne(access(out.buf, F_OK), 0);
    run_result_free(&r);
    r = run_cmd(NULL, "@ gazetteer build --geonames /nonexistent/cities.txt -o %s", out.buf);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "/nonexistent/cities.txt: cannot open"));
    ck_assert_int_ne(access(out.buf, F_OK), 0);
    run_result_free(&r);
    free(bad);
    sb_release(&out);
    sb_release(&want);
}
END_TEST

START_TEST(gazetteer_build_should_take_a_users_own_dump)
{
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/own.idx", test_tmpdir());
    run_result r = run_cmd(NULL, "@ gazetteer build --no-countries --curated tests/data/gaz-small "
                                 "--admin1 tests/data/gaz-small/admin1.json "
                                 "--geonames tests/data/gaz-small/geonames.txt -o %s", out.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 --gazetteer %s Kobani", out.buf);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"id\":\"geonames:172256\""));
    run_result_free(&r);
    sb_release(&out);
}
END_TEST

/* gazetteer build on the small tables with extra arguments; the result. */
static run_result build_small_with(const char *out, const char *extra)
{
    return run_cmd(NULL, "@ gazetteer build --no-countries --curated tests/data/gaz-small "
                         "--admin1 tests/data/gaz-small/admin1.json "
                         "--geonames tests/data/gaz-small/geonames.txt %s -o %s", extra, out);
}

START_TEST(gazetteer_build_should_take_a_users_own_places)
{
    /* a newsroom's list: made-up places, a quoted field, its own id */
    char *list = test_write_file("my-places.csv",
        "name,lat,lon,country,admin1,alternates,id\n"
        "Tell Qzzyx,35.51,36.33,SY,Idlib governorate,Tal Qzzyx;Tell Kzzyx,\n"
        "\"Qzzyx, checkpoint 7\",35.37,36.60,SY,,,desk:cp7\n"
        "Qzzyxgrad,55.1,37.2,,,,\n");
    strbuf out = STRBUF_INIT, extra = STRBUF_INIT;
    sb_addf(&out, "%s/places.idx", test_tmpdir());
    sb_addf(&extra, "--places %s", list);
    run_result r = build_small_with(out.buf, extra.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ resolve --json --limit 1 --gazetteer %s \"Tal Qzzyx\" \"Qzzyx checkpoint 7\" Qzzyxgrad",
                out.buf);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "\"name\":\"Tell Qzzyx\",\"lat\":35.51,\"lon\":36.33,\"id\":\"places:my-places.csv:2\","
                                "\"feature\":\"P.PPL\",\"country\":\"SY\",\"admin1\":\"Idlib\"") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "\"id\":\"desk:cp7\"") != NULL, "%s", r.out);
    ck_assert_msg(strstr(r.out, "\"name\":\"Qzzyxgrad\",\"lat\":55.1,\"lon\":37.2,\"id\":\"places:my-places.csv:4\"") != NULL,
                  "%s", r.out);
    run_result_free(&r);

    /* bad lists: FILE:LINE and exit 1, no index */
    static const struct { const char *text, *want; } bad[] = {
        { "name,lat,lon\nA,91,10\n", ":2: 91,10 is not a latitude in -90..90 and a longitude in -180..180" },
        { "name,lat,lon\nA,x,10\n", ":2: lat \"x\" is not a number" },
        { "name,lat,lon\nA,1,1e999\n", ":2: lon \"1e999\" is not a number" },
        { "name,lat\nA,1\n", ":1: the header names no lon (longitude) column" },
        { "name,lat,lon,country\nA,1,2,Syria\n", ":2: country \"Syria\" is not an ISO 3166-1 alpha-2 code (SY, IQ, ...)" },
        { "name,lat,lon,id\nA,1,2,k\nB,3,4,k\n", ":3: id \"k\" is used twice" },
        { "name,lat,lon\nA,1,2,3\n", ":2: expected 3 columns, found 4" },
        { "name,lat,lon\n,1,2\n", ":2: empty name" },
        { "", ":1: empty file: expected a header naming name, lat and lon" },
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *path = test_write_file("bad-places.csv", bad[i].text);
        strbuf bad_out = STRBUF_INIT, want = STRBUF_INIT;
        sb_addf(&bad_out, "%s/bad-places.idx", test_tmpdir());
        sb_reset(&extra);
        sb_addf(&extra, "--places %s", path);
        r = build_small_with(bad_out.buf, extra.buf);
        sb_addf(&want, "eventmap gazetteer build: %s%s\n", path, bad[i].want);
        ck_assert_msg(r.status == 1, "%s: exit %d", bad[i].text, r.status);
        ck_assert_str_eq(r.err, want.buf);
        ck_assert_int_ne(access(bad_out.buf, F_OK), 0);
        run_result_free(&r);
        sb_release(&bad_out);
        sb_release(&want);
        free(path);
    }
    sb_release(&out);
    sb_release(&extra);
    free(list);
}
END_TEST

Suite *cli_resolve_suite(void)
{
    Suite *s = suite_create("cli-resolve");
    TCase *t = tcase_create("resolve");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, eventmap_should_say_its_version);
    tcase_add_test(t, resolve_should_answer_the_seed_report_places_first);
    tcase_add_test(t, resolve_should_give_an_empty_result_for_an_unknown_name);
    tcase_add_test(t, resolve_should_read_names_from_stdin);
    tcase_add_test(t, resolve_should_follow_country_and_near_hints);
    tcase_add_test(t, resolve_should_answer_an_area_for_a_qualified_name);
    tcase_add_test(t, resolve_should_answer_a_us_county_for_its_name_with_county);
    tcase_add_test(t, resolve_should_reject_bad_usage_with_exit_2);
    tcase_add_test(t, help_should_exit_0_and_describe_each_command);
    tcase_add_test(t, resolve_should_fail_clearly_without_an_index);
    tcase_add_test(t, gazetteer_build_should_report_file_line_and_leave_no_output);
    tcase_add_test(t, gazetteer_build_should_take_a_users_own_dump);
    tcase_add_test(t, gazetteer_build_should_take_a_users_own_places);
    suite_add_tcase(s, t);
    return s;
}
