/*
 * test_cli_map.c - `eventmap map` as a user runs it: the seed report's
 * events from a file and from a store, PNGs that libpng decodes at the size
 * asked for, filters and --bbox, and bad input (a flipped --bbox, a size of
 * 0x0 or past 20000, an unknown --labels, an output directory that is not
 * there or not writable): a clear message, exit 2 for usage and 1 for
 * failure, and no PNG (or temporary file) left behind.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/render.h"
#include "test_helpers.h"
#include "util/strbuf.h"

static char *seed_path(void)
{
    const char *home = getenv("EVENTMAP_HOME");
    strbuf sb = STRBUF_INIT;
    if (home && *home) sb_addf(&sb, "%s/", home);
    sb_adds(&sb, "examples/seed-events.csv");
    return sb_detach(&sb, NULL);
}

static char *tmp_path(const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", test_tmpdir(), name);
    return sb_detach(&sb, NULL);
}

/* The PNG at path decodes with libpng at w x h. */
static void check_png(const char *path, int w, int h)
{
    render_image img;
    char *err = NULL;
    ck_assert_msg(render_png_read(path, &img, &err) == 0, "%s: %s", path, err ? err : "?");
    ck_assert_int_eq(img.width, w);
    ck_assert_int_eq(img.height, h);
    render_image_release(&img);
}

/* Nothing named like path or its temporary files exists. */
static void check_no_output(const char *path)
{
    ck_assert_msg(access(path, F_OK) != 0, "%s was written", path);
    run_result r = run_cmd(NULL, "ls '%s'* 2>/dev/null | wc -l", path);
    ck_assert_int_eq(atoi(r.out), 0);
    run_result_free(&r);
}

START_TEST(map_should_draw_the_seed_report_from_a_file)
{
    char *seed = seed_path(), *out = tmp_path("seed.png");
    run_result r = run_cmd(NULL, "@ map --in %s -o %s --size 640x480 --title 'Seed report'", seed, out);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "9 events"));
    check_png(out, 640, 480);
    run_result_free(&r);
    free(seed);
    free(out);
}
END_TEST

START_TEST(map_should_draw_from_a_store_with_filters_and_a_bbox)
{
    char *seed = seed_path(), *db = tmp_path("map.db"), *out = tmp_path("store.png");
    run_result r = run_cmd(NULL, "@ import %s --db %s", seed, db);
    ck_assert_msg(r.status == 0, "import: %s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ map --db %s -o %s --size 500x400 --labels none --type 'Strategic developments'", db, out);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "7 events"));
    check_png(out, 500, 400);
    run_result_free(&r);
    /* nothing passes the filter: the base map alone needs a --bbox */
    unlink(out);
    r = run_cmd(NULL, "@ map --db %s -o %s --size 300x200 --type NoSuchType", db, out);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "--bbox"));
    check_no_output(out);
    run_result_free(&r);
    r = run_cmd(NULL, "@ map --db %s -o %s --size 300x200 --type NoSuchType --bbox 35.5,32.2,42.5,37.4", db, out);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    check_png(out, 300, 200);
    run_result_free(&r);
    free(seed);
    free(db);
    free(out);
}
END_TEST

START_TEST(map_should_refuse_bad_options_with_exit_2_and_no_file)
{
    char *seed = seed_path(), *out = tmp_path("bad.png");
    static const struct {
        const char *args, *says;
    } cases[] = {
        { "--bbox 42.5,32.2,35.5,37.4", "west" },
        { "--bbox 35.5,37.4,42.5,32.2", "south" },
        { "--bbox 35.5,32.2,42.5", "W,S,E,N" },
        { "--bbox 35.5,32.2,192,37.4", "longitudes" },
        { "--size 0x0", "--size" },
        { "--size 30000x1200", "20000" },
        { "--size 1600", "WIDTHxHEIGHT" },
        { "--size -5x100", "WIDTHxHEIGHT" },
        { "--labels some", "--labels" },
        { "--since 2025-13-40", "--since" },
        { "--frobnicate", "unknown option" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_result r = run_cmd(NULL, "@ map --in %s -o %s %s", seed, out, cases[i].args);
        ck_assert_msg(r.status == 2, "%s: exit %d", cases[i].args, r.status);
        ck_assert_msg(strstr(r.err, cases[i].says) != NULL, "%s: message '%s' does not say '%s'", cases[i].args, r.err,
                      cases[i].says);
        check_no_output(out);
        run_result_free(&r);
    }
    free(seed);
    free(out);
}
END_TEST

START_TEST(map_should_fail_with_exit_1_when_it_cannot_write)
{
    char *seed = seed_path(), *missing = tmp_path("no/such/dir/x.png"), *locked_dir = tmp_path("locked");
    run_result r = run_cmd(NULL, "@ map --in %s -o %s --size 200x150", seed, missing);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "does not exist"));
    ck_assert_ptr_nonnull(strstr(r.err, "x.png"));
    run_result_free(&r);
    check_no_output(missing);
    /* a directory without write permission; root writes anyway, so for
     * root (CI) the directory is a read-only file system in a mount
     * namespace of the run's own */
    ck_assert_ptr_nonnull(locked_dir);
    ck_assert_int_eq(mkdir(locked_dir, 0555), 0);
    strbuf locked_out = STRBUF_INIT;
    sb_addf(&locked_out, "%s/x.png", locked_dir);
    if (access(locked_dir, W_OK) != 0) {
        r = run_cmd(NULL, "@ map --in %s -o %s --size 200x150", seed, locked_out.buf);
    } else {
        const char *bin = getenv("EVENTMAP_BIN");
        r = run_cmd(NULL, "unshare -rm sh -c 'mount -t tmpfs -o ro,size=64k tmpfs %s && %s map --in %s -o %s "
                          "--size 200x150'", locked_dir, bin && *bin ? bin : "./eventmap", seed, locked_out.buf);
        ck_assert_msg(!strstr(r.err, "unshare:") && !strstr(r.err, "mount:"),
                      "a read-only directory for root needs `unshare -rm`: %s", r.err);
    }
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "x.png: cannot write: directory") != NULL, "%s", r.err);
    run_result_free(&r);
    check_no_output(locked_out.buf);
    sb_release(&locked_out);
    /* a missing input file */
    char *out = tmp_path("y.png");
    r = run_cmd(NULL, "@ map --in %s/nothing.csv -o %s", test_tmpdir(), out);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "nothing.csv"));
    check_no_output(out);
    run_result_free(&r);
    free(out);
    free(seed);
    free(missing);
    free(locked_dir);
}
END_TEST

START_TEST(map_help_should_show_the_usage)
{
    run_result r = run_cmd(NULL, "@ map --help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: eventmap map"));
    ck_assert_ptr_nonnull(strstr(r.out, "--labels"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ --help");
    ck_assert_ptr_nonnull(strstr(r.out, "map "));
    run_result_free(&r);
}
END_TEST

Suite *cli_map_suite(void)
{
    Suite *s = suite_create("cli map");
    TCase *tc = tcase_create("map");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, map_should_draw_the_seed_report_from_a_file);
    tcase_add_test(tc, map_should_draw_from_a_store_with_filters_and_a_bbox);
    tcase_add_test(tc, map_should_refuse_bad_options_with_exit_2_and_no_file);
    tcase_add_test(tc, map_should_fail_with_exit_1_when_it_cannot_write);
    tcase_add_test(tc, map_help_should_show_the_usage);
    suite_add_tcase(s, tc);
    return s;
}
