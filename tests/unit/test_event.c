/*
 * test_event.c - the event layer's copies of an event (ev_event_copy,
 * ev_event_dup): every field kept, the strings owned by the copy and
 * nothing written past its block; and ev_near, the answer of a radius
 * query (store_near's against a brute-force search: test_store.c).
 */
#include <check.h>
#include <math.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "events/event.h"
#include "util/strbuf.h"

static ev_event sample_event(char *id, char *notes)
{
    ev_event e;
    memset(&e, 0, sizeof(e));
    e.id = id;
    e.event_date = "2025-10-18";
    e.day = 20379;
    e.time_precision = EV_TIME_WEEK;
    e.event_type = "Battles";
    e.sub_event_type = "Armed clash";
    e.actor1 = "Actor A";
    e.actor2 = "";
    e.country = "Syria";
    e.admin1 = "Rural Damascus";
    e.admin2 = "Duma";
    e.admin3 = "Ad Dumayr";
    e.location = "al-Dumair";
    e.located = 1;
    e.lat = 33.64389;
    e.lon = 36.69376;
    e.geo_precision = EV_GEO_NEAR;
    e.fatalities = 3;
    e.source = "SOHR";
    e.notes = notes;
    e.gazetteer_id = "geonames:170589";
    e.match = "fuzzy";
    e.confidence = 0.92;
    return e;
}

START_TEST(ev_event_dup_should_keep_every_field_after_the_original_changes)
{
    char id[] = "seed-01", notes[] = "a raid; \"quoted\"\nسوريا";
    ev_event e = sample_event(id, notes);
    ev_event *copy = ev_event_dup(&e);
    id[0] = 'X';
    notes[0] = 'X';
    ev_event want = sample_event("seed-01", "a raid; \"quoted\"\nسوريا");
    ck_assert_str_eq(copy->id, want.id);
    ck_assert_str_eq(copy->event_date, want.event_date);
    ck_assert_str_eq(copy->event_type, want.event_type);
    ck_assert_str_eq(copy->sub_event_type, want.sub_event_type);
    ck_assert_str_eq(copy->actor1, want.actor1);
    ck_assert_str_eq(copy->actor2, want.actor2);
    ck_assert_str_eq(copy->country, want.country);
    ck_assert_str_eq(copy->admin1, want.admin1);
    ck_assert_str_eq(copy->admin2, want.admin2);
    ck_assert_str_eq(copy->admin3, want.admin3);
    ck_assert_str_eq(copy->location, want.location);
    ck_assert_str_eq(copy->source, want.source);
    ck_assert_str_eq(copy->notes, want.notes);
    ck_assert_str_eq(copy->gazetteer_id, want.gazetteer_id);
    ck_assert_str_eq(copy->match, want.match);
    ck_assert_int_eq(copy->day, want.day);
    ck_assert_int_eq(copy->time_precision, want.time_precision);
    ck_assert_int_eq(copy->located, want.located);
    ck_assert(copy->lat == want.lat && copy->lon == want.lon && copy->confidence == want.confidence);
    ck_assert_int_eq(copy->geo_precision, want.geo_precision);
    ck_assert_int_eq(copy->fatalities, want.fatalities);
    free(copy);
}
END_TEST

START_TEST(ev_event_copy_should_stay_inside_its_size_and_make_null_strings_empty)
{
    char id[] = "seed-02";
    ev_event e = sample_event(id, NULL);
    e.match = NULL;
    size_t size = ev_event_copy_size(&e);
    ck_assert_uint_eq(size, sizeof(ev_event) + strlen("seed-02") + 1 + strlen("2025-10-18") + 1 +
                                strlen("Battles") + 1 + strlen("Armed clash") + 1 + strlen("Actor A") + 1 + 1 +
                                strlen("Syria") + 1 + strlen("Rural Damascus") + 1 + strlen("Duma") + 1 +
                                strlen("Ad Dumayr") + 1 + strlen("al-Dumair") + 1 + strlen("SOHR") + 1 + 1 +
                                strlen("geonames:170589") + 1 + 1);
    /* two copies side by side in one buffer, a guard byte after them */
    size_t second = (size + alignof(ev_event) - 1) / alignof(ev_event) * alignof(ev_event);
    char *buf = xmalloc(second + size + 1);
    buf[second + size] = 0x5a;
    ev_event *a = ev_event_copy(&e, buf);
    ev_event *b = ev_event_copy(a, buf + second);
    ck_assert_ptr_eq(a, (void *)buf);
    ck_assert_str_eq(a->notes, "");
    ck_assert_str_eq(a->match, "");
    ck_assert_str_eq(b->id, "seed-02");
    ck_assert_str_eq(b->gazetteer_id, "geonames:170589");
    ck_assert(b->id >= buf + second && b->id < buf + second + size);
    ck_assert_int_eq(buf[second + size], 0x5a);
    free(buf);
}
END_TEST

START_TEST(ev_near_should_keep_the_located_events_within_the_radius_nearest_first)
{
    geo_point dumair = { 33.64389, 36.69376 };
    ev_near *q = ev_near_new(dumair, 50);
    char ids[6][8] = { "b-far", "c-on", "a-on", "d-unl", "e-out", "a-on" };
    ev_event e[6];
    for (int i = 0; i < 6; i++) e[i] = sample_event(ids[i], "");
    e[0].lat = 33.5102, e[0].lon = 36.29128;   /* Damascus, 40.2 km */
    e[3].located = 0;
    e[4].lat = 36.5, e[4].lon = 40.75;         /* Hasakah, far out */
    e[5].fatalities = 99;                      /* the same id and place as e[2], added later */
    for (int i = 0; i < 6; i++) ck_assert_int_eq(ev_near_add(q, &e[i], NULL), 0);
    ids[1][0] = 'X';                           /* the copies are the ev_near's own */
    ev_near_sort(q);
    ck_assert_uint_eq(ev_near_count(q), 4);
    double km;
    ck_assert_str_eq(ev_near_event(q, 0, &km)->id, "a-on");
    ck_assert_int_eq(ev_near_event(q, 0, NULL)->fatalities, 3);
    ck_assert(km == 0);
    ck_assert_str_eq(ev_near_event(q, 1, NULL)->id, "a-on");
    ck_assert_int_eq(ev_near_event(q, 1, NULL)->fatalities, 99);
    ck_assert_str_eq(ev_near_event(q, 2, NULL)->id, "c-on");
    ck_assert_str_eq(ev_near_event(q, 3, &km)->id, "b-far");
    ck_assert_msg(fabs(km - 40.201) < 0.001, "%f", km);
    ev_near_free(q);
    ev_near_free(NULL);
}
END_TEST

Suite *event_suite(void)
{
    Suite *s = suite_create("event");
    TCase *t = tcase_create("copy");
    tcase_add_test(t, ev_event_dup_should_keep_every_field_after_the_original_changes);
    tcase_add_test(t, ev_event_copy_should_stay_inside_its_size_and_make_null_strings_empty);
    suite_add_tcase(s, t);
    t = tcase_create("near");
    tcase_add_test(t, ev_near_should_keep_the_located_events_within_the_radius_nearest_first);
    suite_add_tcase(s, t);
    return s;
}
