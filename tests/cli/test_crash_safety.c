/*
 * test_crash_safety.c - `kill -9` in the middle of an import leaves the
 * store exactly as it was before the import; killing `map` or `tiles`
 * leaves no half-written file under a final name, and a rerun removes what
 * the killed run left under temporary names; a full disk (a small tmpfs)
 * gives a clear error, exit 1, no file under the final name and no
 * temporaries, and leaves a store as it was.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "render/render.h"
#include "store/store.h"
#include "test_helpers.h"
#include "util/strbuf.h"

static const char *bin(void)
{
    const char *b = getenv("EVENTMAP_BIN");
    return b && *b ? b : "./eventmap";
}

/* Start eventmap with args (NULL-terminated), output to /dev/null; kill -9
 * it after ms milliseconds.  Returns 1 when it was killed, 0 when it had
 * already ended. */
static int run_and_kill(const char *const *args, long ms)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        FILE *null = freopen("/dev/null", "w", stdout);
        (void)null;
        null = freopen("/dev/null", "w", stderr);
        execv(bin(), (char *const *)args);
        _exit(127);
    }
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    int status;
    if (waitpid(pid, &status, WNOHANG) == pid) return 0;
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return 1;
}

static void counts(const char *db, size_t *total, size_t *unlocated)
{
    store *s = NULL;
    char *err = NULL;
    ck_assert_msg(store_open(db, STORE_READ, &s, &err) == 0, "%s", err ? err : "?");
    ck_assert_int_eq(store_count(s, total, unlocated, &err), 0);
    store_close(s);
}

START_TEST(kill_9_during_an_import_should_leave_the_store_as_it_was)
{
    /* a store with the seed events, then a big import killed at several points */
    strbuf db = STRBUF_INIT, csv = STRBUF_INIT;
    sb_addf(&db, "%s/crash.db", test_tmpdir());
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", db.buf);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    size_t total0, unloc0;
    counts(db.buf, &total0, &unloc0);
    ck_assert_uint_eq(total0, 9);

    sb_adds(&csv, "id,event_date,event_type,location,latitude,longitude\n");
    for (int i = 0; i < 300000; i++)
        sb_addf(&csv, "k%d,2024-%02d-%02d,Battles,place %d,%.4f,%.4f\n", i, 1 + i % 12, 1 + i % 28, i,
                32 + (i % 5000) * 0.001, 35 + (i / 5000) * 0.01);
    char *path = test_write_file("big-import.csv", csv.buf);
    const char *args[] = { bin(), "import", path, "--db", db.buf, NULL };
    int killed = 0;
    for (long ms = 50; ms <= 1600; ms *= 2) {
        killed += run_and_kill(args, ms);
        size_t total, unloc;
        counts(db.buf, &total, &unloc);
        ck_assert_msg(total == total0 && unloc == unloc0, "killed after %ld ms: %zu events, was %zu", ms, total,
                      total0);
    }
    ck_assert_msg(killed > 0, "the import always finished before the kill");
    free(path);
    sb_release(&db);
    sb_release(&csv);
}
END_TEST

START_TEST(kill_9_during_a_map_should_leave_no_half_written_png)
{
    strbuf png = STRBUF_INIT;
    sb_addf(&png, "%s/killed.png", test_tmpdir());
    const char *args[] = { bin(), "map", "--in", "examples/seed-events.csv", "-o", png.buf, "--size", "8000x6000", NULL };
    int killed = 0;
    for (long ms = 20; ms <= 640; ms *= 2) {
        unlink(png.buf);
        if (!run_and_kill(args, ms)) break;
        killed++;
        struct stat st;
        ck_assert_msg(stat(png.buf, &st) != 0, "killed after %ld ms, %s exists", ms, png.buf);
    }
    ck_assert_msg(killed > 0, "the map always finished before the kill");
    sb_release(&png);
}
END_TEST

/* ------------------------------------------------- tiles: what is there */

/* What a tile directory holds: the files under final names (each checked
 * complete) and those under temporary names. */
typedef struct {
    size_t n_png;              /* tiles (*.png), every one decoded to its last row */
    size_t n_tmp;              /* "NAME.tmp.PID" files */
    size_t n_json;             /* tilejson.json, events.geojson: whole JSON */
    int has_index;             /* index.html, ending with </html> */
} tree_stats;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

/* Walk dir; fail the test on a file under a final name that is not whole. */
static void check_tree(const char *dir, tree_stats *ts)
{
    DIR *d = opendir(dir);
    if (!d) return;
    const struct dirent *entry;
    strbuf path = STRBUF_INIT;
    while ((entry = readdir(d)) != NULL) {
        if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
        sb_reset(&path);
        sb_addf(&path, "%s/%s", dir, entry->d_name);
        struct stat st;
        ck_assert_int_eq(lstat(path.buf, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            check_tree(path.buf, ts);
        } else if (strstr(entry->d_name, ".tmp.")) {
            ts->n_tmp++;
        } else if (ends_with(entry->d_name, ".png")) {
            render_image img;
            char *err = NULL;
            int rc = render_png_read(path.buf, &img, &err);
            ck_assert_msg(rc == 0, "%s is not a whole PNG: %s", path.buf, err ? err : "?");
            int tile = !strstr(path.buf, "/images/"); /* not one of Leaflet's */
            if (tile) ck_assert_int_eq(img.width, RENDER_TILE_PX);
            render_image_release(&img);
            ts->n_png += tile;
        } else if (ends_with(entry->d_name, ".json") || ends_with(entry->d_name, ".geojson")) {
            char *text = test_read_file(path.buf, NULL);
            ck_assert_ptr_nonnull(text);
            cJSON *root = cJSON_Parse(text);
            ck_assert_msg(root != NULL, "%s is not whole JSON (%zu bytes)", path.buf, strlen(text));
            cJSON_Delete(root);
            free(text);
            ts->n_json++;
        } else if (!strcmp(entry->d_name, "index.html")) {
            char *text = test_read_file(path.buf, NULL);
            ck_assert_ptr_nonnull(text);
            ck_assert_msg(ends_with(text, "</html>\n"), "%s is cut short", path.buf);
            free(text);
            ts->has_index = 1;
        }
    }
    closedir(d);
    sb_release(&path);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* A process id that no process has: a child that has ended. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

/* The number after "what" in text ("eventmap tiles: 986 tiles, ..."), or 0. */
static unsigned long long number_before(const char *text, const char *what)
{
    const char *at = text ? strstr(text, what) : NULL;
    if (!at) return 0;
    while (at > text && at[-1] == ' ') at--;
    while (at > text && at[-1] >= '0' && at[-1] <= '9') at--;
    return strtoull(at, NULL, 10);
}

/* PRAGMA integrity_check of an MBTiles file and its tile count. */
static long long mbtiles_tiles(const char *path)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_msg(!strcmp((const char *)sqlite3_column_text(st, 0), "ok"), "%s: integrity_check: %s", path,
                  (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT count(*) FROM tiles", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Files in dir whose name starts with prefix. */
static size_t count_prefixed(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    const struct dirent *entry;
    while ((entry = readdir(d)) != NULL) n += !strncmp(entry->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

/* The tiles runs below: the seed events, zoom 0-11 (about a thousand tiles,
 * a second or more on one thread). */
#define KILL_ZOOM "0-11"

START_TEST(kill_9_during_tiles_should_leave_only_whole_files_and_resume_should_finish)
{
    strbuf dir = STRBUF_INIT, stale = STRBUF_INIT, live = STRBUF_INIT;
    sb_addf(&dir, "%s/killed-tiles", test_tmpdir());
    const char *args[] = { bin(), "tiles", "--in", "examples/seed-events.csv", "-o", dir.buf, "--zoom", KILL_ZOOM,
                           "--jobs", "1", "--resume", NULL };
    int killed = 0;
    size_t seen_png = 0;
    for (long ms = 100; ms <= 1600; ms *= 2) {
        if (!run_and_kill(args, ms)) break;
        killed++;
        tree_stats ts = { 0, 0, 0, 0 };
        check_tree(dir.buf, &ts);
        ck_assert_msg(!ts.has_index, "killed after %ld ms, and index.html is there", ms);
        if (ts.n_png > seen_png) seen_png = ts.n_png;
    }
    ck_assert_msg(killed > 0, "tiles always finished before the kill");
    ck_assert_msg(seen_png > 0, "no run was killed after its first tile");

    /* what a killed writer leaves: a cut-short tile under a temporary name
     * (its process gone), and one of a writer still running (this one) */
    sb_addf(&stale, "%s/0/0/0.png.tmp.%ld", dir.buf, (long)dead_pid());
    sb_addf(&live, "%s/0/0/0.png.tmp.%ld", dir.buf, (long)getpid());
    write_text(stale.buf, "\x89PNG cut short");
    write_text(live.buf, "\x89PNG being written");

    run_result r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv -o %s --zoom %s --resume", dir.buf, KILL_ZOOM);
    ck_assert_msg(r.status == 0, "%s", r.err);
    unsigned long long rendered = number_before(r.err, "tiles, zoom");
    unsigned long long kept = number_before(r.err, "tiles already there kept");
    ck_assert_msg(kept > 0, "the rerun kept no tile: %s", r.err);
    tree_stats ts = { 0, 0, 0, 0 };
    check_tree(dir.buf, &ts);
    ck_assert(ts.has_index);
    ck_assert_uint_eq(ts.n_json, 2);
    ck_assert_uint_eq(ts.n_png, rendered + kept);
    ck_assert_msg(access(stale.buf, F_OK) != 0, "%s (of a killed run) is still there", stale.buf);
    ck_assert_uint_eq(ts.n_tmp, 1); /* only the live writer's */
    run_result_free(&r);
    sb_release(&dir);
    sb_release(&stale);
    sb_release(&live);
}
END_TEST

START_TEST(kill_9_during_tiles_mbtiles_should_leave_the_file_as_it_was)
{
    strbuf dir = STRBUF_INIT, mbt = STRBUF_INIT, stale = STRBUF_INIT;
    sb_addf(&dir, "%s/killed-mbtiles", test_tmpdir());
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    sb_addf(&mbt, "%s/seed.mbtiles", dir.buf);
    run_result r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv --mbtiles %s --zoom 0-4", mbt.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    long long n0 = mbtiles_tiles(mbt.buf);
    ck_assert_int_gt(n0, 0);

    const char *args[] = { bin(), "tiles", "--in", "examples/seed-events.csv", "--mbtiles", mbt.buf, "--zoom",
                           KILL_ZOOM, "--jobs", "1", "--resume", NULL };
    int killed = 0;
    for (long ms = 100; ms <= 1600; ms *= 2) {
        if (!run_and_kill(args, ms)) break;
        killed++;
        ck_assert_msg(mbtiles_tiles(mbt.buf) == n0, "killed after %ld ms, %s changed", ms, mbt.buf);
    }
    ck_assert_msg(killed > 0, "tiles always finished before the kill");

    /* a temporary file of a killed run goes; the file is finished */
    sb_addf(&stale, "%s.tmp.%ld", mbt.buf, (long)dead_pid());
    write_text(stale.buf, "SQLite format 3 cut short");
    r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv --mbtiles %s --zoom %s --resume", mbt.buf, KILL_ZOOM);
    ck_assert_msg(r.status == 0, "%s", r.err);
    unsigned long long rendered = number_before(r.err, "tiles, zoom");
    unsigned long long kept = number_before(r.err, "tiles already there kept");
    ck_assert_int_gt(rendered, 0);
    ck_assert_int_ge(kept, n0);
    ck_assert_int_eq(mbtiles_tiles(mbt.buf), (long long)(rendered + kept));
    ck_assert_uint_eq(count_prefixed(dir.buf, "seed.mbtiles.tmp."), 0);
    run_result_free(&r);
    sb_release(&dir);
    sb_release(&mbt);
    sb_release(&stale);
}
END_TEST

Suite *crash_safety_suite(void)
{
    Suite *s = suite_create("crash-safety");
    TCase *t = tcase_create("kill");
    tcase_set_timeout(t, 240);
    tcase_add_test(t, kill_9_during_an_import_should_leave_the_store_as_it_was);
    tcase_add_test(t, kill_9_during_a_map_should_leave_no_half_written_png);
    tcase_add_test(t, kill_9_during_tiles_should_leave_only_whole_files_and_resume_should_finish);
    tcase_add_test(t, kill_9_during_tiles_mbtiles_should_leave_the_file_as_it_was);
    suite_add_tcase(s, t);
    return s;
}
