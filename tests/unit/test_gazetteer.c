/*
 * test_gazetteer.c - the name normalizer, the index builder and its errors,
 * and resolving on a small index built from tests/data/gaz-small/.
 */
#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazetteer/gazetteer.h"
#include "geo/geo.h"
#include "gazetteer/gazetteer_int.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"

static char *folded(const char *s)
{
    strbuf sb = STRBUF_INIT;
    ck_assert_int_eq(gaz_fold(s, strlen(s), &sb), 0);
    return sb_detach(&sb, NULL);
}

static char *key_of(const char *s)
{
    strbuf f = STRBUF_INIT, k = STRBUF_INIT;
    ck_assert_int_eq(gaz_fold(s, strlen(s), &f), 0);
    gaz_translit(f.buf, &k);
    sb_release(&f);
    return sb_detach(&k, NULL);
}

static void assert_folds_to(const char *in, const char *want)
{
    char *got = folded(in);
    ck_assert_msg(!strcmp(got, want), "fold(\"%s\") = \"%s\", want \"%s\"", in, got, want);
    free(got);
}

static void assert_same_key(const char *a, const char *b)
{
    char *ka = key_of(a), *kb = key_of(b);
    ck_assert_msg(!strcmp(ka, kb), "\"%s\" -> \"%s\" but \"%s\" -> \"%s\"", a, ka, b, kb);
    free(ka);
    free(kb);
}

static void assert_other_key(const char *a, const char *b)
{
    char *ka = key_of(a), *kb = key_of(b);
    ck_assert_msg(strcmp(ka, kb) != 0, "\"%s\" and \"%s\" both -> \"%s\"", a, b, ka);
    free(ka);
    free(kb);
}

START_TEST(gaz_fold_should_strip_accents_case_and_punctuation)
{
    assert_folds_to("Aḑ Ḑumayr", "ad dumayr");
    assert_folds_to("  Deir ez-Zor ", "deir ez zor");
    assert_folds_to("ÇİĞDEM", "cigdem");
    assert_folds_to("Qamişlo", "qamislo");
}
END_TEST

START_TEST(gaz_fold_should_drop_apostrophes_and_ayn_signs)
{
    assert_folds_to("Ma`arrat an Nu‘man", "maarrat an numan");
    assert_folds_to("Dar'a", "dara");
    assert_folds_to("Raʿs al-ʿAyn", "ras al ayn");
    assert_folds_to("Ra’s al ‘Ayn", "ras al ayn");
}
END_TEST

START_TEST(gaz_fold_should_fold_arabic_letter_variants)
{
    char *a = folded("الحسكة"), *b = folded("الحسكه");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    a = folded("إدلب");
    b = folded("ادلب");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    /* diacritics (harakat) are marks and go */
    a = folded("دِمَشْق");
    b = folded("دمشق");
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
}
END_TEST

START_TEST(gaz_fold_should_reject_invalid_utf8)
{
    strbuf sb = STRBUF_INIT;
    ck_assert_int_eq(gaz_fold("Ham\xff", 4, &sb), EM_EINPUT);
    ck_assert_int_eq(gaz_fold("\xc3", 1, &sb), EM_EINPUT);
    sb_release(&sb);
}
END_TEST

START_TEST(gaz_translit_should_meet_news_spelling_variants)
{
    static const char *const pairs[][2] = {
        { "al-Dumair", "Ad Dumayr" },
        { "Deir ez-Zor", "Dayr az Zawr" },
        { "Hasakeh", "Al Hasakah" },
        { "Hasaka", "Al-Hasakah" },
        { "Qamishli", "Kamishli" },
        { "Khan Sheikhoun", "Khan Shaykhun" },
        { "Latakiya", "Latakia" },
        { "Raqqa", "Ar Raqqah" },
        { "Rakka", "Raqqa" },
        { "Jisr al-Shughour", "Jisr ash Shughur" },
        { "Maarat al-Numan", "Ma`arrat an Nu`man" },
        { "Abukamal", "Abu Kamal" },
        { "Ras al-Ain", "Ra's al `Ayn" },
        { "the Badiya", "Badiya" },
        { "Tell Abiad", "Till Abyad" },
        { "Sheikh Maqsoud", "Shaykh Maqsud" },
        { "Qamichli", "Qamishli" },
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) assert_same_key(pairs[i][0], pairs[i][1]);
}
END_TEST

START_TEST(gaz_translit_should_keep_different_places_apart)
{
    assert_other_key("Homs", "Hama");
    assert_other_key("Idlib", "Aleppo");
    assert_other_key("Daraa", "Douma");
    assert_other_key("Tanf", "Tal");
    assert_other_key("Azaz", "Aziz");
}
END_TEST

START_TEST(gaz_translit_should_fold_facility_words)
{
    assert_same_key("Hama airfield", "Hama Military Airport");
    assert_same_key("Shayrat airbase", "Shayrat Air Base");
    assert_same_key("Aleppo airport", "Aleppo International Airport");
    assert_same_key("the Tanf base", "At Tanf Garrison");
    assert_same_key("Rukban refugee camp", "al-Rukban camp");
    assert_same_key("Bab al-Hawa crossing", "Bab al-Hawa border crossing");
    /* a facility is not its town, and a name that is only the word stays */
    assert_other_key("Hama airbase", "Hama");
    assert_other_key("Tanf camp", "Tanf base");
    assert_same_key("Base", "base");
    assert_other_key("Base", "Camp");
}
END_TEST

/* ---- building ---- */

static char *small_index;

static char *build_small(const char *name, const char *curated_dir, char **err)
{
    const char *geonames[] = { "tests/data/gaz-small/geonames.txt" };
    gaz_build_opts bo;
    memset(&bo, 0, sizeof(bo));
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/%s", test_tmpdir(), name);
    bo.geonames = geonames;
    bo.n_geonames = 1;
    bo.admin1 = "tests/data/gaz-small/admin1.json";
    bo.curated_dir = curated_dir;
    bo.output = out.buf;
    int rc = gaz_build(&bo, NULL, err);
    if (rc < 0) {
        sb_release(&out);
        return NULL;
    }
    return sb_detach(&out, NULL);
}

static gaz *open_small(void)
{
    char *err = NULL;
    gaz *g = NULL;
    if (!small_index) small_index = build_small("small.idx", "tests/data/gaz-small", &err);
    ck_assert_msg(small_index != NULL, "build failed: %s", err ? err : "?");
    ck_assert_int_eq(gaz_open(small_index, &g, &err), 0);
    return g;
}

static void assert_build_fails(const char *geonames_text, const char *want_err)
{
    char *path = test_write_file("bad-geonames.txt", geonames_text);
    const char *files[] = { path };
    gaz_build_opts bo;
    char *err = NULL;
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/bad.idx", test_tmpdir());
    memset(&bo, 0, sizeof(bo));
    bo.geonames = files;
    bo.n_geonames = 1;
    bo.output = out.buf;
    ck_assert_int_eq(gaz_build(&bo, NULL, &err), EM_EINPUT);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s:%s", path, want_err);
    ck_assert_str_eq(err, want.buf);
    ck_assert_int_ne(access(out.buf, F_OK), 0);
    free(err);
    free(path);
    sb_release(&out);
    sb_release(&want);
}

static const char good_row[] =
    "170589\tAd Dumayr\tAd Dumayr\tDumair\t33.64389\t36.69376\tP\tPPLA3\tSY\t\t08\t\t\t\t0\t\t671\tAsia/Damascus\t2012-01-19\n";

START_TEST(gaz_build_should_name_file_and_line_of_a_short_row)
{
    strbuf text = STRBUF_INIT;
    sb_adds(&text, good_row);
    sb_adds(&text, "170590\tBroken\t\t\t33.0\n");
    assert_build_fails(text.buf, "2: expected 19 tab-separated columns (GeoNames geoname table), found 5");
    sb_release(&text);
}
END_TEST

START_TEST(gaz_build_should_reject_a_comma_decimal_latitude)
{
    assert_build_fails(
        "1\tX\tX\t\t33,64\t36.69\tP\tPPL\tSY\t\t08\t\t\t\t0\t\t671\tAsia/Damascus\t2012-01-19\n",
        "1: latitude \"33,64\" is not a number in -90..90");
    assert_build_fails(
        "1\tX\tX\t\t123\t36.69\tP\tPPL\tSY\t\t08\t\t\t\t0\t\t671\tAsia/Damascus\t2012-01-19\n",
        "1: latitude \"123\" is not a number in -90..90");
}
END_TEST

START_TEST(gaz_build_should_reject_invalid_utf8_and_empty_files)
{
    assert_build_fails(
        "1\tHam\xff\tHam\t\t33.6\t36.69\tP\tPPL\tSY\t\t08\t\t\t\t0\t\t671\tAsia/Damascus\t2012-01-19\n",
        "1: name is not valid UTF-8");
    assert_build_fails("", "1: empty file");
}
END_TEST

START_TEST(gaz_build_should_leave_the_previous_index_when_it_fails)
{
    char *err = NULL;
    char *path = build_small("keep.idx", NULL, &err);
    ck_assert_ptr_nonnull(path);
    struct stat before, after;
    ck_assert_int_eq(stat(path, &before), 0);
    char *bad = test_write_file("bad2.txt", "not a geonames file\n");
    const char *files[] = { bad };
    gaz_build_opts bo;
    memset(&bo, 0, sizeof(bo));
    bo.geonames = files;
    bo.n_geonames = 1;
    bo.output = path;
    ck_assert_int_lt(gaz_build(&bo, NULL, &err), 0);
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_int_eq(before.st_size, after.st_size);
    ck_assert_int_eq(before.st_ino, after.st_ino);
    gaz *g = NULL;
    free(err);
    err = NULL;
    ck_assert_int_eq(gaz_open(path, &g, &err), 0);
    gaz_close(g);
    free(bad);
    free(path);
}
END_TEST

START_TEST(gaz_build_should_reject_an_alias_of_an_unknown_place)
{
    const char *dir = test_tmpdir();
    strbuf cur = STRBUF_INIT;
    sb_addf(&cur, "%s/cur-bad", dir);
    mkdir(cur.buf, 0755);
    strbuf f = STRBUF_INIT;
    sb_addf(&f, "cur-bad/aliases.tsv");
    char *p = test_write_file(f.buf, "target\talias\tsource\ngeonames:999999999\tNowhere\ttest\n");
    char *err = NULL;
    ck_assert_ptr_null(build_small("alias.idx", cur.buf, &err));
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s:2: no place with id \"geonames:999999999\"", p);
    ck_assert_str_eq(err, want.buf);
    free(err);
    free(p);
    sb_release(&cur);
    sb_release(&f);
    sb_release(&want);
}
END_TEST

START_TEST(gaz_open_should_reject_a_file_that_is_not_an_index)
{
    char *p = test_write_file("not-index.idx", "this is not an index but long enough to hold a header ....................................................................................");
    gaz *g = NULL;
    char *err = NULL;
    ck_assert_int_eq(gaz_open(p, &g, &err), EM_EINPUT);
    ck_assert_ptr_null(g);
    ck_assert_ptr_nonnull(strstr(err, "not an eventmap gazetteer index"));
    free(err);
    err = NULL;
    ck_assert_int_eq(gaz_open("/nonexistent/x.idx", &g, &err), EM_EIO);
    free(err);
    free(p);
}
END_TEST

START_TEST(gaz_open_should_reject_a_truncated_index)
{
    char *err = NULL;
    gaz *g = open_small();
    gaz_close(g);
    size_t len = 0;
    char *data = test_read_file(small_index, &len);
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/truncated.idx", test_tmpdir());
    FILE *f = fopen(path.buf, "wb");
    fwrite(data, 1, len / 2, f);
    fclose(f);
    ck_assert_int_eq(gaz_open(path.buf, &g, &err), EM_EINPUT);
    ck_assert_ptr_nonnull(strstr(err, "truncated or corrupt"));
    free(err);
    free(data);
    sb_release(&path);
}
END_TEST

/* ---- resolving ---- */

static int resolve(gaz *g, const char *name, const gaz_query *q, gaz_result *r, int max)
{
    char *err = NULL;
    int n = gaz_resolve(g, name, q, r, max, &err);
    ck_assert_msg(n >= 0, "resolve %s: %s", name, err ? err : "?");
    return n;
}

START_TEST(gaz_resolve_should_match_a_transliteration_variant)
{
    gaz *g = open_small();
    gaz_result r[5];
    ck_assert_int_ge(resolve(g, "al-Dumair", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:170589");
    ck_assert_str_eq(r[0].name, "Ad Dumayr");
    ck_assert_int_eq(r[0].match, GAZ_MATCH_FUZZY);
    ck_assert_str_eq(r[0].admin1, "Rif-dimashq");
    ck_assert_double_eq_tol(r[0].lat_deg, 33.64389, 1e-9);
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_say_exact_for_the_name_itself)
{
    gaz *g = open_small();
    gaz_result r[5];
    ck_assert_int_ge(resolve(g, "IDLIB", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:169389");
    ck_assert_int_eq(r[0].match, GAZ_MATCH_EXACT);
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_use_curated_aliases)
{
    gaz *g = open_small();
    gaz_result r[5];
    ck_assert_int_ge(resolve(g, "Kobane", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:172256");
    ck_assert_int_ge(resolve(g, "Kobani", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:172256");
    ck_assert_int_eq(r[0].match, GAZ_MATCH_ALIAS);
    ck_assert_str_eq(r[0].matched, "Kobani");
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_prefer_the_city_and_list_the_governorate)
{
    gaz *g = open_small();
    gaz_result r[5];
    int n = resolve(g, "Hasakah", NULL, r, 5);
    ck_assert_int_ge(n, 2);
    ck_assert_str_eq(r[0].id, "geonames:173811");
    int seen = 0;
    for (int i = 1; i < n; i++) seen |= !strcmp(r[i].id, "eventmap:sy-hasakah");
    ck_assert_msg(seen, "the governorate is among the answers");
    ck_assert_int_ge(resolve(g, "Hasakah province", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "eventmap:sy-hasakah");
    ck_assert_int_eq(r[0].has_bbox, 1);
    ck_assert_int_ge(resolve(g, "the governorate of al-Hasakah", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "eventmap:sy-hasakah");
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_rank_by_importance_and_follow_hints)
{
    gaz *g = open_small();
    gaz_result r[5];
    gaz_query q;
    ck_assert_int_ge(resolve(g, "Moscow", NULL, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:524901");
    ck_assert(r[0].score > r[1].score);
    memset(&q, 0, sizeof(q));
    q.country = "US";
    ck_assert_int_ge(resolve(g, "Moscow", &q, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:5601538");
    memset(&q, 0, sizeof(q));
    q.has_near = 1;
    q.near.lat_deg = 46.5;
    q.near.lon_deg = -117.0;
    ck_assert_int_ge(resolve(g, "Moscow", &q, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:5601538");
    ck_assert_int_ge(resolve(g, "Moscow, Idaho", NULL, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:5601538");
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_prefer_home_countries_only_in_a_near_tie)
{
    gaz *g = open_small();
    gaz_result r[5];
    gaz_query q;
    /* no focus: Palmyra, Missouri has the name itself; Tadmur only an alternate */
    memset(&q, 0, sizeof(q));
    q.focus = "";
    ck_assert_int_ge(resolve(g, "Palmyra", &q, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:4402381");
    /* a report about Syria means Tadmur */
    q.focus = "IQ,SY";
    ck_assert_int_ge(resolve(g, "Palmyra", &q, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:163808");
    /* a country hint wins over the focus */
    q.country = "US";
    ck_assert_int_ge(resolve(g, "Palmyra", &q, r, 5), 2);
    ck_assert_str_eq(r[0].id, "geonames:4402381");
    /* and the focus does not lift a poor match above a good one */
    memset(&q, 0, sizeof(q));
    q.focus = "SY";
    ck_assert_int_ge(resolve(g, "Moscow", &q, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:524901");
    gaz_close(g);
}
END_TEST

START_TEST(gaz_build_should_store_a_focus_and_refuse_a_bad_one)
{
    const char *geonames[] = { "tests/data/gaz-small/geonames.txt" };
    gaz_build_opts bo;
    char *err = NULL;
    gaz *g = NULL;
    memset(&bo, 0, sizeof(bo));
    strbuf out = STRBUF_INIT;
    sb_addf(&out, "%s/focus.idx", test_tmpdir());
    bo.geonames = geonames;
    bo.n_geonames = 1;
    bo.output = out.buf;
    bo.focus = "SY,IQ";
    ck_assert_int_eq(gaz_build(&bo, NULL, &err), 0);
    ck_assert_int_eq(gaz_open(out.buf, &g, &err), 0);
    ck_assert_str_eq(gaz_focus(g), "SY,IQ");
    gaz_close(g);
    bo.focus = "Syria";
    ck_assert_int_eq(gaz_build(&bo, NULL, &err), EM_EUSAGE);
    ck_assert_str_eq(err, "focus \"Syria\" is not ISO alpha-2 country codes such as SY or SY,IQ (at most 10)");
    free(err);
    sb_release(&out);
}
END_TEST

START_TEST(gaz_resolve_should_answer_a_region_with_its_polygon)
{
    gaz *g = open_small();
    gaz_result r[5];
    ck_assert_int_ge(resolve(g, "the Badiya", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "eventmap:badiya");
    ck_assert_int_eq(r[0].match, GAZ_MATCH_REGION);
    ck_assert_int_eq(r[0].is_region, 1);
    ck_assert_int_eq(r[0].has_bbox, 1);
    ck_assert_double_eq_tol(r[0].bbox.west_deg, 37.0, 1e-9);
    ck_assert_double_eq_tol(r[0].bbox.north_deg, 35.3, 1e-9);
    /* the representative point lies inside the bbox */
    ck_assert(r[0].lon_deg > 37.0 && r[0].lon_deg < 40.5 && r[0].lat_deg > 33.5 && r[0].lat_deg < 35.3);
    size_t len = 0;
    ck_assert_ptr_nonnull(gaz_region_wkb(g, r[0].place, &len));
    ck_assert_uint_gt(len, 50);
    ck_assert_int_ge(resolve(g, "البادية", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "eventmap:badiya");
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_return_nothing_for_an_unknown_name)
{
    gaz *g = open_small();
    gaz_result r[5];
    ck_assert_int_eq(resolve(g, "Xyzzyville", NULL, r, 5), 0);
    ck_assert_int_eq(resolve(g, "", NULL, r, 5), 0);
    ck_assert_int_eq(resolve(g, " - ' ", NULL, r, 5), 0);
    char *err = NULL;
    ck_assert_int_eq(gaz_resolve(g, "Ham\xff", NULL, r, 5, &err), EM_EINPUT);
    free(err);
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_find_a_misspelling)
{
    gaz *g = open_small();
    gaz_result r[5];
    ck_assert_int_ge(resolve(g, "Idleeb", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:169389");
    ck_assert_int_ge(resolve(g, "Damscus", NULL, r, 5), 1);
    ck_assert_str_eq(r[0].id, "geonames:170654");
    ck_assert_int_eq(r[0].match, GAZ_MATCH_FUZZY);
    ck_assert(r[0].score < 0.9);
    gaz_close(g);
}
END_TEST

/* One record of a sound index made to point outside the index: the sample
 * gaz_open checks misses it, and the lookup that meets it must fail with the
 * corrupt-index error instead of reading past the mapping. */
START_TEST(gaz_resolve_should_refuse_a_record_pointing_outside_the_index)
{
    char *err = NULL;
    gaz *g = NULL;
    gaz_result r;
    ck_assert_int_eq(gaz_open(test_gazetteer(), &g, &err), 0); /* many more places than gaz_open samples */
    ck_assert_int_eq(gaz_resolve(g, "Idlib", NULL, &r, 1, &err), 1);
    uint32_t place = r.place;
    gaz_close(g);
    size_t len = 0;
    char *data = test_read_file(test_gazetteer(), &len);
    gaz_header h;
    memcpy(&h, data, sizeof(h));
    ck_assert_uint_lt(place, h.n_places);
    static const struct { size_t field; const char *what; } faults[] = {
        { offsetof(gaz_place_rec, name), "name" },
        { offsetof(gaz_place_rec, admin1), "admin1" },
        { offsetof(gaz_place_rec, wkb_len), "wkb_len" },
    };
    for (size_t k = 0; k < sizeof(faults) / sizeof(faults[0]); k++) {
        char *bad = malloc(len);
        memcpy(bad, data, len);
        uint32_t far = 0xfffffff0u;
        memcpy(bad + h.off_places + (size_t)place * sizeof(gaz_place_rec) + faults[k].field, &far, sizeof(far));
        strbuf path = STRBUF_INIT;
        sb_addf(&path, "%s/bad-%s.idx", test_tmpdir(), faults[k].what);
        FILE *f = fopen(path.buf, "wb");
        ck_assert_uint_eq(fwrite(bad, 1, len, f), len);
        fclose(f);
        ck_assert_msg(gaz_open(path.buf, &g, &err) == 0, "%s: %s", faults[k].what, err);
        ck_assert_int_eq(gaz_resolve(g, "Idlib", NULL, &r, 1, &err), EM_EINPUT);
        ck_assert_ptr_nonnull(strstr(err, ": gazetteer index is truncated or corrupt; rebuild it"));
        free(err);
        err = NULL;
        gaz_close(g);
        free(bad);
        sb_release(&path);
    }
    free(data);
}
END_TEST

START_TEST(gaz_resolve_within_should_never_answer_another_country)
{
    gaz *g = open_small();
    gaz_result r[8];
    gaz_query q;
    memset(&q, 0, sizeof(q));
    q.within = "US";
    /* Moscow, Russia is the better match; within the US it is no answer */
    int n = resolve(g, "Moscow", &q, r, 8);
    ck_assert_int_ge(n, 1);
    for (int i = 0; i < n; i++) ck_assert_str_eq(r[i].country, "US");
    /* Palmyra: the home country's Tadmur is dropped too, not scored down */
    n = resolve(g, "Palmyra", &q, r, 8);
    ck_assert_int_ge(n, 1);
    for (int i = 0; i < n; i++) ck_assert_str_eq(r[i].country, "US");
    /* several countries; a place in none of them: nothing at all */
    q.within = "RU,SY";
    n = resolve(g, "Moscow", &q, r, 8);
    ck_assert_int_ge(n, 1);
    for (int i = 0; i < n; i++) ck_assert_msg(!strcmp(r[i].country, "RU") || !strcmp(r[i].country, "SY"), "%s", r[i].id);
    q.within = "SY";
    ck_assert_int_eq(resolve(g, "Moscow", &q, r, 8), 0);
    gaz_close(g);
}
END_TEST

/* The default index: every country of Natural Earth. */
static gaz *open_default(void)
{
    gaz *g = NULL;
    char *err = NULL;
    ck_assert_msg(gaz_open(test_gazetteer(), &g, &err) == 0, "%s", err ? err : "?");
    return g;
}

START_TEST(gaz_country_code_should_read_the_forms_event_tables_write)
{
    gaz *g = open_default();
    static const struct { const char *text, *code; } cases[] = {
        { "Syria", "SY" }, { "SY", "SY" }, { "sy", "SY" }, { "  Syria ", "SY" },
        { "Syrian Arab Republic", "SY" }, { "United States", "US" }, { "USA", "US" },
        { "Yemen (North Yemen)", "YE" }, { "DR Congo (Zaire)", "CD" }, { "Russia (Soviet Union)", "RU" },
        { "Serbia (Yugoslavia)", "RS" }, { "Myanmar (Burma)", "MM" }, { "Cambodia (Kampuchea)", "KH" },
        { "Macedonia, FYR", "MK" }, { "Bosnia-Herzegovina", "BA" }, { "Ivory Coast", "CI" },
        /* none: blank, UCDP's and ACLED's "not available", and no country */
        { "", "" }, { "NA", "" }, { "N/A", "" }, { "unknown", "" }, { "Atlantis", "" }, { "ZZ", "" },
        { "Damascus", "" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char cc[3] = "x";
        int found = gaz_country_code(g, cases[i].text, cc);
        ck_assert_msg(found == (*cases[i].code != 0) && !strcmp(cc, cases[i].code), "\"%s\": %d \"%s\", want \"%s\"",
                      cases[i].text, found, cc, cases[i].code);
    }
    gaz_close(g);
}
END_TEST

START_TEST(gaz_country_area_should_widen_a_historical_state)
{
    gaz *g = open_default();
    char area[64];
    ck_assert_int_eq(gaz_country_area(g, "Syria", area), 1);
    ck_assert_str_eq(area, "SY");
    ck_assert_int_eq(gaz_country_area(g, "Serbia (Yugoslavia)", area), 1);
    ck_assert_str_eq(area, "RS,XK,BA,HR,ME,MK,SI");
    ck_assert_int_eq(gaz_country_area(g, "Sudan", area), 1);
    ck_assert_str_eq(area, "SD,SS");
    ck_assert_int_eq(gaz_country_area(g, "South Sudan", area), 1);
    ck_assert_str_eq(area, "SS"); /* "Sudan" as a word of another name is not Sudan */
    ck_assert_int_eq(gaz_country_area(g, "Russia (Soviet Union)", area), 1);
    ck_assert_msg(!strncmp(area, "RU,", 3) && strstr(area, "UA") && strstr(area, "GE"), "%s", area);
    ck_assert_int_eq(gaz_country_area(g, "NA", area), 0);
    ck_assert_str_eq(area, "");
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_know_every_countrys_areas_and_airports)
{
    /* the default index: Natural Earth's admin-1 areas and airports */
    gaz *g = open_default();
    gaz_result r[3];
    gaz_query q;
    static const struct { const char *name, *within, *feature; double lat, lon, km; } cases[] = {
        { "Ontario province", "CA", "A.ADM1", 50.0, -85.0, 600 },
        { "Texas state", "US", "A.ADM1", 31.0, -99.0, 400 },   /* the mainland's point, not an island's */
        { "Kerala state", "IN", "A.ADM1", 10.5, 76.3, 200 },
        { "Tripoli International airport", "LY", "S.AIRP", 32.67, 13.16, 10 },
        { "Tripoli airfield", "LY", "S.AIRP", 32.67, 13.16, 10 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&q, 0, sizeof(q));
        q.country = cases[i].within;
        q.within = cases[i].within;
        ck_assert_msg(resolve(g, cases[i].name, &q, r, 3) >= 1, "%s: nothing", cases[i].name);
        ck_assert_msg(!strcmp(r[0].feature, cases[i].feature), "%s: %s (%s)", cases[i].name, r[0].feature, r[0].id);
        geo_point want = { cases[i].lat, cases[i].lon }, got = { r[0].lat_deg, r[0].lon_deg };
        ck_assert_msg(geo_distance_km(want, got) < cases[i].km, "%s: %s at %.3f,%.3f", cases[i].name, r[0].id,
                      r[0].lat_deg, r[0].lon_deg);
    }
    /* an area joined to GeoNames is the admin-1 its places name */
    memset(&q, 0, sizeof(q));
    q.within = "IN";
    ck_assert_int_ge(resolve(g, "Kerala", &q, r, 3), 1);
    ck_assert_str_eq(r[0].admin1, "Kerala");
    ck_assert_ptr_nonnull(strstr(r[0].admin1_code, "IN."));
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_let_a_kind_word_choose_the_kind_of_place)
{
    /* a town and a mountain of one name: the kind word decides */
    strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
    sb_addf(&dir, "%s/kinds", test_tmpdir());
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    sb_addf(&path, "%s/places.tsv", dir.buf);
    FILE *f = fopen(path.buf, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource\n"
          "eventmap:qarn-town\tQarn Salma\t\t35.1\t36.1\tP.PPL\tSY\t\t5000\t\t\ttest\n"
          "eventmap:qarn-mountain\tQarn Salma\t\t35.3\t36.3\tT.MT\tSY\t\t0\t\t\ttest\n"
          "eventmap:qarn-lake\tBuhayrat Salma\tSalma\t35.5\t36.5\tH.LK\tSY\t\t0\t\t\ttest\n", f);
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL;
    char *idx = build_small("kinds.idx", dir.buf, &err);
    ck_assert_msg(idx != NULL, "%s", err ? err : "?");
    gaz *g = NULL;
    ck_assert_int_eq(gaz_open(idx, &g, &err), 0);
    gaz_result r[3];
    ck_assert_int_ge(resolve(g, "Qarn Salma", NULL, r, 3), 2);
    ck_assert_str_eq(r[0].id, "eventmap:qarn-town"); /* people live in towns */
    ck_assert_int_ge(resolve(g, "Qarn Salma mountain", NULL, r, 3), 2);
    ck_assert_str_eq(r[0].id, "eventmap:qarn-mountain");
    ck_assert_int_ge(resolve(g, "Qarn Salma hills", NULL, r, 3), 2);
    ck_assert_str_eq(r[0].id, "eventmap:qarn-mountain");
    ck_assert_int_ge(resolve(g, "Qarn Salma village", NULL, r, 3), 2);
    ck_assert_str_eq(r[0].id, "eventmap:qarn-town");
    gaz_close(g);
    free(idx);
    sb_release(&dir);
    sb_release(&path);
}
END_TEST

START_TEST(gaz_resolve_should_match_a_dotted_abbreviation_only_as_written)
{
    /* a town "Ky" bigger than anything, and an area whose abbreviation is "Ky." */
    ck_assert(gaz_is_dotted_abbrev("Ky.", 3) && gaz_is_dotted_abbrev("B.C.", 4) && gaz_is_dotted_abbrev("W.Va.", 5));
    ck_assert(!gaz_is_dotted_abbrev("Ky", 2) && !gaz_is_dotted_abbrev("St. Louis", 9) && !gaz_is_dotted_abbrev("U.S", 3));
    strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
    sb_addf(&dir, "%s/abbrev", test_tmpdir());
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    sb_addf(&path, "%s/places.tsv", dir.buf);
    FILE *f = fopen(path.buf, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource\n"
          "eventmap:ky-town\tKy\t\t10.0\t10.0\tP.PPLC\tZZ\t\t5000000\t\t\ttest\n"
          "eventmap:kentucky\tKentucky\tKy.\t37.5\t-85.6\tA.ADM1\tUS\t\t0\t\t\ttest\n", f);
    ck_assert_int_eq(fclose(f), 0);
    char *err = NULL;
    char *idx = build_small("abbrev.idx", dir.buf, &err);
    ck_assert_msg(idx != NULL, "%s", err ? err : "?");
    gaz *g = NULL;
    ck_assert_int_eq(gaz_open(idx, &g, &err), 0);
    gaz_result r[3];
    ck_assert_int_ge(resolve(g, "Ky.", NULL, r, 3), 2);
    ck_assert_str_eq(r[0].id, "eventmap:kentucky"); /* the dots say which */
    ck_assert_str_eq(r[0].matched, "Ky.");
    ck_assert_int_ge(resolve(g, " ky. ", NULL, r, 3), 1);
    ck_assert_str_eq(r[0].id, "eventmap:kentucky");
    int n = resolve(g, "Ky", NULL, r, 3);
    ck_assert_int_ge(n, 1);
    for (int i = 0; i < n; i++) ck_assert_str_ne(r[i].id, "eventmap:kentucky"); /* no dots, no abbreviation */
    ck_assert_str_eq(r[0].id, "eventmap:ky-town");
    double prior = 0;
    ck_assert_int_eq(gaz_lookup_exact(g, "ky", &prior), 2);
    ck_assert(prior > 0.8); /* the town's: a text's "Ky" is the town's name, not the area's */
    gaz_close(g);
    free(idx);
    sb_release(&dir);
    sb_release(&path);

    /* the default index: Natural Earth's abbreviations of US, Canadian and Australian areas */
    g = open_default();
    static const struct { const char *text, *name; } cases[] = {
        { "Ky.", "Kentucky" }, { "Alta.", "Alberta" }, { "B.C.", "British Columbia" }, { "Mo.", "Missouri" },
        { "Qld.", "Queensland" }, { "N.Y.", "New York" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_msg(resolve(g, cases[i].text, NULL, r, 3) >= 1, "%s: nothing", cases[i].text);
        ck_assert_msg(!strcmp(r[0].name, cases[i].name) && !strcmp(r[0].feature, "A.ADM1"), "%s: %s (%s)",
                      cases[i].text, r[0].name, r[0].id);
    }
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_place_an_area_with_islands_on_its_mainland)
{
    /* Natural Earth gives such areas a label point per island: the area's
     * point lies inside its box and near its middle, not on a far island */
    gaz *g = open_default();
    gaz_result r[3];
    gaz_query q;
    static const struct { const char *name, *within; } cases[] = {
        { "Queensland", "AU" }, { "Florida", "US" }, { "British Columbia", "CA" }, { "Ontario", "CA" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&q, 0, sizeof(q));
        q.within = cases[i].within;
        ck_assert_msg(resolve(g, cases[i].name, &q, r, 3) >= 1, "%s: nothing", cases[i].name);
        ck_assert_msg(r[0].has_bbox, "%s: %s has no bbox", cases[i].name, r[0].id);
        const geo_bbox *b = &r[0].bbox;
        ck_assert_msg(r[0].lon_deg >= b->west_deg && r[0].lon_deg <= b->east_deg && r[0].lat_deg >= b->south_deg &&
                          r[0].lat_deg <= b->north_deg,
                      "%s: %.3f,%.3f outside its bbox", cases[i].name, r[0].lat_deg, r[0].lon_deg);
        geo_point middle = { (b->south_deg + b->north_deg) / 2, (b->west_deg + b->east_deg) / 2 };
        geo_point got = { r[0].lat_deg, r[0].lon_deg };
        ck_assert_msg(geo_distance_km(middle, got) < 500, "%s: %.3f,%.3f is %.0f km from its middle", cases[i].name,
                      r[0].lat_deg, r[0].lon_deg, geo_distance_km(middle, got));
    }
    gaz_close(g);
}
END_TEST

START_TEST(gaz_resolve_should_answer_continents_and_regions_before_towns)
{
    /* regions.tsv: a continent or a region of several countries outranks a
     * town of its name ("Asia" in Peru, "Levant" in Maine, Burkina Faso's Sahel) */
    gaz *g = open_default();
    gaz_result r[3];
    static const struct { const char *name, *feature; double lat, lon; } cases[] = {
        { "Europe", "L.CONT", 50, 15 }, { "Asia", "L.CONT", 40, 90 }, { "Africa", "L.CONT", 5, 20 },
        { "Middle East", "L.RGN", 29, 43 }, { "Balkans", "L.RGN", 43, 20 }, { "Sahel", "T.PLN", 15, 5 },
        { "Levant", "L.RGN", 33, 36 }, { "Sahara", "T.DSRT", 23, 10 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ck_assert_msg(resolve(g, cases[i].name, NULL, r, 3) >= 1, "%s: nothing", cases[i].name);
        ck_assert_msg(!strcmp(r[0].feature, cases[i].feature) && !strncmp(r[0].id, "eventmap:region-", 16),
                      "%s: %s (%s)", cases[i].name, r[0].feature, r[0].id);
        ck_assert_msg(r[0].has_bbox, "%s: no bbox", cases[i].name);
        const geo_bbox *b = &r[0].bbox;
        ck_assert_msg(r[0].lon_deg >= b->west_deg && r[0].lon_deg <= b->east_deg && r[0].lat_deg >= b->south_deg &&
                          r[0].lat_deg <= b->north_deg,
                      "%s: its point is outside its bbox", cases[i].name);
        geo_point want = { cases[i].lat, cases[i].lon }, got = { r[0].lat_deg, r[0].lon_deg };
        ck_assert_msg(geo_distance_km(want, got) < 2500, "%s: at %.2f,%.2f", cases[i].name, r[0].lat_deg,
                      r[0].lon_deg);
    }
    gaz_close(g);
}
END_TEST

Suite *gazetteer_suite(void)
{
    Suite *s = suite_create("gazetteer");
    TCase *t = tcase_create("normalize");
    tcase_add_test(t, gaz_fold_should_strip_accents_case_and_punctuation);
    tcase_add_test(t, gaz_fold_should_drop_apostrophes_and_ayn_signs);
    tcase_add_test(t, gaz_fold_should_fold_arabic_letter_variants);
    tcase_add_test(t, gaz_fold_should_reject_invalid_utf8);
    tcase_add_test(t, gaz_translit_should_meet_news_spelling_variants);
    tcase_add_test(t, gaz_translit_should_keep_different_places_apart);
    tcase_add_test(t, gaz_translit_should_fold_facility_words);
    suite_add_tcase(s, t);
    t = tcase_create("build");
    tcase_add_test(t, gaz_build_should_name_file_and_line_of_a_short_row);
    tcase_add_test(t, gaz_build_should_reject_a_comma_decimal_latitude);
    tcase_add_test(t, gaz_build_should_reject_invalid_utf8_and_empty_files);
    tcase_add_test(t, gaz_build_should_leave_the_previous_index_when_it_fails);
    tcase_add_test(t, gaz_build_should_reject_an_alias_of_an_unknown_place);
    tcase_add_test(t, gaz_open_should_reject_a_file_that_is_not_an_index);
    tcase_add_test(t, gaz_open_should_reject_a_truncated_index);
    tcase_add_test(t, gaz_resolve_should_refuse_a_record_pointing_outside_the_index);
    tcase_add_test(t, gaz_build_should_store_a_focus_and_refuse_a_bad_one);
    suite_add_tcase(s, t);
    t = tcase_create("resolve");
    tcase_add_test(t, gaz_resolve_should_match_a_transliteration_variant);
    tcase_add_test(t, gaz_resolve_should_say_exact_for_the_name_itself);
    tcase_add_test(t, gaz_resolve_should_use_curated_aliases);
    tcase_add_test(t, gaz_resolve_should_prefer_the_city_and_list_the_governorate);
    tcase_add_test(t, gaz_resolve_should_rank_by_importance_and_follow_hints);
    tcase_add_test(t, gaz_resolve_should_answer_a_region_with_its_polygon);
    tcase_add_test(t, gaz_resolve_should_return_nothing_for_an_unknown_name);
    tcase_add_test(t, gaz_resolve_should_find_a_misspelling);
    tcase_add_test(t, gaz_resolve_should_prefer_home_countries_only_in_a_near_tie);
    tcase_add_test(t, gaz_resolve_within_should_never_answer_another_country);
    tcase_add_test(t, gaz_country_code_should_read_the_forms_event_tables_write);
    tcase_add_test(t, gaz_country_area_should_widen_a_historical_state);
    tcase_add_test(t, gaz_resolve_should_know_every_countrys_areas_and_airports);
    tcase_add_test(t, gaz_resolve_should_let_a_kind_word_choose_the_kind_of_place);
    tcase_add_test(t, gaz_resolve_should_match_a_dotted_abbreviation_only_as_written);
    tcase_add_test(t, gaz_resolve_should_place_an_area_with_islands_on_its_mainland);
    tcase_add_test(t, gaz_resolve_should_answer_continents_and_regions_before_towns);
    suite_add_tcase(s, t);
    return s;
}
