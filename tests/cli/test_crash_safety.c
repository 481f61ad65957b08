/*
 * test_crash_safety.c - a kill at any named crash point (util/crash.h,
 * EVENTMAP_CRASH_AT) of an import leaves the store exactly as it was before
 * the import, down to SQLite's own page writes and syncs; a kill of `map`,
 * `export`, `gazetteer build` or `tiles` leaves no half-written file under
 * a final name (an old file stays byte for byte), and a rerun removes what
 * the killed run left under temporary names; a full disk (a small tmpfs)
 * gives a clear error, exit 1, no file under the final name and no
 * temporaries, and leaves a store as it was.  Each kill is at a point the
 * program names, never after a sleep, so the tests mean the same on any
 * machine; `make test` also runs them pinned to one core at the lowest
 * priority.
 */
#define _GNU_SOURCE /* strcasestr */
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
#include "util/tempfile.h"

static const char *bin(void)
{
    const char *b = getenv("EVENTMAP_BIN");
    return b && *b ? b : "./eventmap";
}

/* ------------------------------------------------------- crash points */

/* How a run under EVENTMAP_CRASH_AT ended. */
typedef struct {
    int died;        /* killed by the signal asked for (SIGKILL by default) */
    int exit_code;   /* when it exited instead: its status; -1 when it died */
    char *err;       /* what it wrote to standard error */
} crash_run;

/* Run eventmap with args (NULL-terminated, args[0] the program) and
 * EVENTMAP_CRASH_AT=point, EVENTMAP_CRASH_SIGNAL=signal_name (NULL: KILL,
 * the signal number sig), its output to /dev/null. */
static crash_run run_to_point_by(const char *point, const char *signal_name, int sig, const char *const *args)
{
    static int seq;
    strbuf err_path = STRBUF_INIT;
    sb_addf(&err_path, "%s/crash-run%d.err", test_tmpdir(), ++seq);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("EVENTMAP_CRASH_AT", point, 1);
        if (signal_name) setenv("EVENTMAP_CRASH_SIGNAL", signal_name, 1);
        else unsetenv("EVENTMAP_CRASH_SIGNAL");
        if (!freopen("/dev/null", "r", stdin) || !freopen("/dev/null", "w", stdout) ||
            !freopen(err_path.buf, "w", stderr))
            _exit(126);
        execv(bin(), (char *const *)args);
        _exit(127);
    }
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    crash_run r;
    r.died = WIFSIGNALED(status) && WTERMSIG(status) == sig;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.err = test_read_file(err_path.buf, NULL);
    if (!r.err) r.err = xstrdup("");
    sb_release(&err_path);
    return r;
}

static crash_run run_to_point(const char *point, const char *const *args)
{
    return run_to_point_by(point, NULL, SIGKILL, args);
}

/* The line a run killed at point writes last ("NAME" means "NAME:1"). */
static char *death_line(const char *point)
{
    strbuf line = STRBUF_INIT;
    const char *colon = strrchr(point, ':');
    int counted = colon && colon[1] >= '0' && colon[1] <= '9';
    sb_addf(&line, "eventmap: EVENTMAP_CRASH_AT: killed at %s%s\n", point, counted ? "" : ":1");
    return sb_detach(&line, NULL);
}

/* Whether r is a death at point: by the signal, and its last words name
 * the point (so not a death elsewhere, and not a run that ended). */
static int died_at(const crash_run *r, const char *point)
{
    char *line = death_line(point);
    size_t n = strlen(r->err), k = strlen(line);
    int at = r->died && n >= k && !strcmp(r->err + n - k, line);
    free(line);
    return at;
}

/* Run to point; fail the test unless it died there. */
static void kill_at(const char *point, const char *const *args)
{
    crash_run r = run_to_point(point, args);
    ck_assert_msg(died_at(&r, point), "EVENTMAP_CRASH_AT=%s: %s (exit %d); stderr:\n%s", point,
                  r.died ? "killed, but not at that point" : "not killed", r.exit_code, r.err);
    free(r.err);
}

static void write_text(const char *path, const char *text);
static pid_t dead_pid(void);
static size_t count_prefixed(const char *dir, const char *prefix);

static void counts(const char *db, size_t *total, size_t *unlocated)
{
    store *s = NULL;
    char *err = NULL;
    ck_assert_msg(store_open(db, STORE_READ, &s, &err) == 0, "%s", err ? err : "?");
    ck_assert_int_eq(store_count(s, total, unlocated, &err), 0);
    store_close(s);
}

/* PRAGMA integrity_check of an SQLite file (a store, an MBTiles file), and
 * the R*Tree's own check when it has one. */
static void check_integrity(const char *path)
{
    sqlite3 *db = NULL;
    /* read-write: a killed writer's journal is rolled back on the way in */
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    static const char *const checks[] = {
        "PRAGMA integrity_check",
        "SELECT CASE WHEN (SELECT count(*) FROM sqlite_master WHERE name = 'rtree_events_geom') = 0 THEN 'ok' "
        "ELSE rtreecheck('rtree_events_geom') END",
    };
    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        ck_assert_int_eq(sqlite3_prepare_v2(db, checks[i], -1, &st, NULL), SQLITE_OK);
        ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
        ck_assert_msg(!strcmp((const char *)sqlite3_column_text(st, 0), "ok"), "%s: %s: %s", path, checks[i],
                      (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

/* A store holding the seed's 9 events at path. */
static void seed_store(const char *path)
{
    unlink(path);
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", path);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
}

/* An import file of n located rows with ids PREFIX0.., under test_tmpdir(). */
static char *rows_file(const char *name, const char *prefix, int n)
{
    strbuf csv = STRBUF_INIT;
    sb_adds(&csv, "id,event_date,event_type,location,latitude,longitude\n");
    for (int i = 0; i < n; i++)
        sb_addf(&csv, "%s%d,2024-%02d-%02d,Battles,place number %d,%.4f,%.4f\n", prefix, i, 1 + i % 12,
                1 + i % 28, i, 32 + (i % 5000) * 0.001, 35 + (i / 5000) * 0.01);
    char *path = test_write_file(name, csv.buf);
    sb_release(&csv);
    return path;
}

/* The store at db holds total events, and is whole: its R*Tree holds
 * exactly the located events, its triggers are there, its extent is the
 * points'. */
static void store_should_hold(const char *db, size_t want, const char *after)
{
    check_integrity(db);
    char *why = test_store_check(db, 1);
    ck_assert_msg(!why, "after %s: %s", after, why);
    size_t total = 0, unlocated = 0;
    counts(db, &total, &unlocated);
    ck_assert_msg(total == want, "after %s: %zu events, %zu expected", after, total, want);
}

#define IMPORT_ROWS 20000 /* enough for the bulk R*Tree rebuild */

START_TEST(an_import_killed_at_any_point_should_leave_the_store_as_it_was)
{
    strbuf db = STRBUF_INIT;
    sb_addf(&db, "%s/crash.db", test_tmpdir());
    char *csv = rows_file("crash-import.csv", "k", IMPORT_ROWS);
    const char *args[] = { bin(), "import", csv, "--db", db.buf, NULL };
    static const char *const points[] = {
        "import:after-rows:1", "import:after-rows:1000", "import:after-rows:20000", "import:before-commit",
        "import:rtree-rebuild",
    };
    seed_store(db.buf);
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        kill_at(points[i], args);
        store_should_hold(db.buf, 9, points[i]);
    }

    /* inside SQLite's commit: before the N-th page write to the store file
     * and before the N-th sync, N = 1, 2, 4, ... until the import gets
     * through; every kill leaves the 9 events, the run through has all */
    static const char *const layers[] = { "import:store-write", "import:store-sync" };
    for (size_t l = 0; l < 2; l++) {
        int n_killed = 0, finished = 0;
        for (unsigned long n = 1; !finished; n *= 2) {
            strbuf point = STRBUF_INIT;
            sb_addf(&point, "%s:%lu", layers[l], n);
            crash_run r = run_to_point(point.buf, args);
            if (r.died) {
                ck_assert_msg(died_at(&r, point.buf), "%s: killed elsewhere: %s", point.buf, r.err);
                store_should_hold(db.buf, 9, point.buf);
                n_killed++;
            } else {
                ck_assert_msg(r.exit_code == 0, "%s: exit %d: %s", point.buf, r.exit_code, r.err);
                store_should_hold(db.buf, 9 + IMPORT_ROWS, point.buf);
                finished = 1;
            }
            free(r.err);
            sb_release(&point);
        }
        ck_assert_msg(n_killed >= 2, "%s: only %d kills before the import got through", layers[l], n_killed);
        seed_store(db.buf);
    }
    free(csv);
    sb_release(&db);
}
END_TEST

START_TEST(an_import_into_a_new_store_killed_in_its_commit_should_leave_an_empty_store)
{
    /* an empty store sets its indexes aside and makes them at the commit;
     * a store is made (its tables, committed) before the import starts */
    char *csv = rows_file("crash-new.csv", "n", IMPORT_ROWS);
    static const char *const points[] = { "import:index-rebuild", "import:rtree-rebuild", "import:before-commit" };
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        strbuf db = STRBUF_INIT;
        sb_addf(&db, "%s/new-%zu.db", test_tmpdir(), i);
        const char *args[] = { bin(), "import", csv, "--db", db.buf, NULL };
        kill_at(points[i], args);
        store_should_hold(db.buf, 0, points[i]);
        /* and the store takes the import again */
        run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db.buf);
        ck_assert_msg(r.status == 0, "%s", r.err);
        run_result_free(&r);
        store_should_hold(db.buf, IMPORT_ROWS, "a second import");
        sb_release(&db);
    }

    /* killed while the store itself is being made: the next import makes it */
    strbuf db = STRBUF_INIT;
    sb_addf(&db, "%s/new-unmade.db", test_tmpdir());
    const char *args[] = { bin(), "import", csv, "--db", db.buf, NULL };
    kill_at("import:store-sync:1", args);
    run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    store_should_hold(db.buf, IMPORT_ROWS, "an import after a store half made");
    sb_release(&db);
    free(csv);
}
END_TEST

START_TEST(crash_points_should_be_named_right_and_counted)
{
    /* a point never reached: the run ends, and the test can tell */
    char *csv = rows_file("crash-count.csv", "c", 10);
    strbuf db = STRBUF_INIT;
    sb_addf(&db, "%s/count.db", test_tmpdir());
    const char *args[] = { bin(), "import", csv, "--db", db.buf, NULL };
    crash_run r = run_to_point("import:after-rows:11", args);
    ck_assert_msg(!r.died && r.exit_code == 0, "exit %d: %s", r.exit_code, r.err);
    ck_assert(!died_at(&r, "import:after-rows:11"));
    free(r.err);
    store_should_hold(db.buf, 10, "a run that passed no crash point");
    /* the 10th row of a second import of the same rows */
    kill_at("import:after-rows:10", args);
    store_should_hold(db.buf, 10, "import:after-rows:10");

    /* a name that is no point, or a count that is no count: exit 2 */
    static const char *const bad[] = { "import:after-row", "import:after-rows:0", "import:after-rows:x",
                                       "import:after-rows:-1", ":3", "map:before-rename:1:2" };
    r = run_to_point_by("import:after-rows:1", "SEGV", SIGKILL, args); /* no such crash signal */
    ck_assert_msg(r.exit_code == 2 && strstr(r.err, "EVENTMAP_CRASH_SIGNAL \"SEGV\""), "%s", r.err);
    free(r.err);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = run_to_point(bad[i], args);
        ck_assert_msg(r.exit_code == 2, "%s: exit %d", bad[i], r.exit_code);
        ck_assert_msg(strstr(r.err, "EVENTMAP_CRASH_AT") && strstr(r.err, "import:after-rows"), "%s", r.err);
        free(r.err);
    }
    store_should_hold(db.buf, 10, "refused crash points");
    free(csv);
    sb_release(&db);
}
END_TEST

/* The bytes of path (caller frees); fails the test when unreadable. */
static char *bytes_of(const char *path, size_t *len)
{
    char *b = test_read_file(path, len);
    ck_assert_msg(b != NULL, "%s: cannot read", path);
    return b;
}

/* Kill "args" at point and check that output is byte for byte as before
 * (or still absent), that one temporary of the dead run is beside it, and
 * that a run to the end (rerun) replaces it and removes the temporary. */
static void output_killed_before_rename(const char *point, const char *const *args, const char *output,
                                        const char *rerun)
{
    size_t len0 = 0;
    char *before = access(output, F_OK) == 0 ? bytes_of(output, &len0) : NULL;
    kill_at(point, args);
    if (before) {
        size_t len1 = 0;
        char *after = bytes_of(output, &len1);
        ck_assert_msg(len0 == len1 && !memcmp(before, after, len0), "%s: %s changed", point, output);
        free(after);
    } else {
        ck_assert_msg(access(output, F_OK) != 0, "%s: %s exists", point, output);
    }
    const char *slash = strrchr(output, '/');
    strbuf dir = STRBUF_INIT, prefix = STRBUF_INIT;
    sb_add(&dir, output, (size_t)(slash - output));
    sb_addf(&prefix, "%s.tmp.", slash + 1);
    ck_assert_msg(count_prefixed(dir.buf, prefix.buf) == 1, "%s: no temporary of the killed run", point);
    run_result r = run_cmd(NULL, "%s", rerun);
    ck_assert_msg(r.status == 0, "%s: %s", rerun, r.err);
    run_result_free(&r);
    ck_assert_uint_eq(count_prefixed(dir.buf, prefix.buf), 0);
    free(before);
    sb_release(&dir);
    sb_release(&prefix);
}

START_TEST(a_map_killed_before_its_rename_should_leave_the_old_png)
{
    strbuf png = STRBUF_INIT, rerun = STRBUF_INIT;
    sb_addf(&png, "%s/killed.png", test_tmpdir());
    sb_addf(&rerun, "@ map --in examples/seed-events.csv -o %s --size 400x300", png.buf);
    const char *args[] = { bin(), "map", "--in", "examples/seed-events.csv", "-o", png.buf, "--size", "640x480",
                           NULL };
    output_killed_before_rename("map:before-rename", args, png.buf, rerun.buf); /* none before */
    output_killed_before_rename("map:before-rename", args, png.buf, rerun.buf); /* the 400x300 one */
    render_image img;
    char *err = NULL;
    ck_assert_msg(render_png_read(png.buf, &img, &err) == 0, "%s", err);
    ck_assert_int_eq(img.width, 400);
    render_image_release(&img);
    sb_release(&png);
    sb_release(&rerun);
}
END_TEST

START_TEST(an_export_killed_before_its_rename_should_leave_the_old_file)
{
    strbuf out = STRBUF_INIT, rerun = STRBUF_INIT;
    sb_addf(&out, "%s/killed.geojson", test_tmpdir());
    sb_addf(&rerun, "@ export --in examples/seed-events.csv -o %s", out.buf);
    const char *args[] = { bin(), "export", "--in", "examples/seed-events.csv", "--format", "csv", "-o", out.buf,
                           NULL };
    output_killed_before_rename("export:before-rename", args, out.buf, rerun.buf);
    output_killed_before_rename("export:before-rename", args, out.buf, rerun.buf);
    char *text = bytes_of(out.buf, NULL);
    cJSON *root = cJSON_Parse(text);
    ck_assert_msg(root != NULL, "not whole GeoJSON");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "features")), 9);
    cJSON_Delete(root);
    free(text);
    sb_release(&out);
    sb_release(&rerun);
}
END_TEST

START_TEST(a_gazetteer_build_killed_before_its_rename_should_leave_the_old_index)
{
    strbuf idx = STRBUF_INIT, rerun = STRBUF_INIT;
    sb_addf(&idx, "%s/killed.idx", test_tmpdir());
    sb_addf(&rerun, "@ gazetteer build --no-countries --curated tests/data/gaz-small --geonames "
                    "tests/data/gaz-small/geonames.txt -o %s", idx.buf);
    const char *args[] = { bin(), "gazetteer", "build", "--no-countries", "--curated", "tests/data/gaz-small",
                           "--geonames", "tests/data/gaz-small/geonames.txt", "--focus", "none", "-o", idx.buf,
                           NULL };
    output_killed_before_rename("gazetteer:before-rename", args, idx.buf, rerun.buf);
    output_killed_before_rename("gazetteer:before-rename", args, idx.buf, rerun.buf);
    run_result r = run_cmd(NULL, "@ resolve --gazetteer %s Damascus", idx.buf);
    ck_assert_msg(r.status == 0 && strstr(r.out, "Damascus"), "%s%s", r.out, r.err);
    run_result_free(&r);
    sb_release(&idx);
    sb_release(&rerun);
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

START_TEST(tempfile_remove_stale_should_remove_only_the_files_of_dead_writers)
{
    strbuf dir = STRBUF_INIT, path = STRBUF_INIT;
    sb_addf(&dir, "%s/stale", test_tmpdir());
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    long dead = (long)dead_pid(), live = (long)getpid();
    const char *kept[] = { "a.png", "notes.tmp.txt", "b.png.tmp.12x", "c.png.tmp.", "d.png.tmp.-5" };
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
        sb_reset(&path);
        sb_addf(&path, "%s/%s", dir.buf, kept[i]);
        write_text(path.buf, "x");
    }
    sb_reset(&path);
    sb_addf(&path, "%s/e.png.tmp.%ld", dir.buf, live);
    write_text(path.buf, "x");
    sb_reset(&path);
    sb_addf(&path, "%s/f.png.tmp.%ld", dir.buf, dead);
    write_text(path.buf, "x");
    sb_reset(&path);
    sb_addf(&path, "%s/g.mbtiles.tmp.%ld", dir.buf, dead);
    write_text(path.buf, "x");

    ck_assert_uint_eq(tempfile_remove_stale(dir.buf, "f.png.tmp."), 1);
    ck_assert_uint_eq(count_prefixed(dir.buf, "f.png"), 0);
    ck_assert_uint_eq(count_prefixed(dir.buf, "g.mbtiles"), 1);
    ck_assert_uint_eq(tempfile_remove_stale(dir.buf, NULL), 1);
    ck_assert_uint_eq(count_prefixed(dir.buf, "g.mbtiles"), 0);
    for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) ck_assert_uint_eq(count_prefixed(dir.buf, kept[i]), 1);
    ck_assert_uint_eq(count_prefixed(dir.buf, "e.png.tmp."), 1);
    ck_assert_uint_eq(tempfile_remove_stale("/nonexistent/eventmap", NULL), 0);
    sb_release(&dir);
    sb_release(&path);
}
END_TEST

/* The tiles runs below: the seed events, zoom 0-8 (39 tiles). */
#define KILL_ZOOM "0-8"

/* A tile tree killed at point: only whole files under final names, pngs
 * tiles of them, and none of the files that publish the tileset. */
static void tree_killed_at(const char *point, const char *dir, size_t pngs, int has_geojson)
{
    const char *args[] = { bin(), "tiles", "--in", "examples/seed-events.csv", "-o", dir, "--zoom", KILL_ZOOM,
                           "--jobs", "1", "--resume", NULL };
    kill_at(point, args);
    tree_stats ts = { 0, 0, 0, 0 };
    check_tree(dir, &ts);
    ck_assert_msg(ts.n_png == pngs, "%s: %zu tiles, %zu expected", point, ts.n_png, pngs);
    ck_assert_msg(!ts.has_index, "%s: index.html is there", point);
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/events.geojson", dir);
    ck_assert_msg((access(path.buf, F_OK) == 0) == has_geojson, "%s: events.geojson %s", point,
                  has_geojson ? "missing" : "there");
    sb_release(&path);
}

START_TEST(tiles_killed_at_any_point_should_leave_only_whole_files_and_resume_should_finish)
{
    strbuf dir = STRBUF_INIT, stale = STRBUF_INIT, live = STRBUF_INIT;
    sb_addf(&dir, "%s/killed-tiles", test_tmpdir());
    /* the whole pyramid's size, from a run to the end elsewhere */
    run_result r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv -o %s-whole --zoom %s", dir.buf, KILL_ZOOM);
    ck_assert_msg(r.status == 0, "%s", r.err);
    unsigned long long all = number_before(r.err, "tiles, zoom");
    ck_assert_uint_gt(all, 20);
    run_result_free(&r);

    tree_killed_at("tiles:after-tiles:5", dir.buf, 5, 0);
    tree_killed_at("tiles:tile-before-rename:3", dir.buf, 7, 0); /* resumed: 5 kept, 2 more, 1 cut */
    tree_killed_at("tiles:after-tiles:1", dir.buf, 8, 0);        /* 7 kept + 1 */
    tree_killed_at("tiles:geojson-before-rename", dir.buf, (size_t)all, 0);
    tree_killed_at("tiles:viewer-before-rename:1", dir.buf, (size_t)all, 1);
    tree_killed_at("tiles:viewer-before-rename:3", dir.buf, (size_t)all, 1);

    /* what a killed writer leaves: a cut-short tile under a temporary name
     * (its process gone), and one of a writer still running (this one) */
    sb_addf(&stale, "%s/0/0/0.png.tmp.%ld", dir.buf, (long)dead_pid());
    sb_addf(&live, "%s/0/0/0.png.tmp.%ld", dir.buf, (long)getpid());
    write_text(stale.buf, "\x89PNG cut short");
    write_text(live.buf, "\x89PNG being written");

    r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv -o %s --zoom %s --resume", dir.buf, KILL_ZOOM);
    ck_assert_msg(r.status == 0, "%s", r.err);
    unsigned long long kept = number_before(r.err, "tiles already there kept");
    ck_assert_msg(kept == all, "the rerun kept %llu tiles of %llu: %s", kept, all, r.err);
    tree_stats ts = { 0, 0, 0, 0 };
    check_tree(dir.buf, &ts);
    ck_assert(ts.has_index);
    ck_assert_uint_eq(ts.n_json, 2);
    ck_assert_uint_eq(ts.n_png, all);
    ck_assert_msg(access(stale.buf, F_OK) != 0, "%s (of a killed run) is still there", stale.buf);
    ck_assert_uint_eq(ts.n_tmp, 1); /* only the live writer's */
    run_result_free(&r);
    sb_release(&dir);
    sb_release(&stale);
    sb_release(&live);
}
END_TEST

START_TEST(tiles_into_mbtiles_killed_at_any_point_should_leave_the_file_as_it_was)
{
    strbuf dir = STRBUF_INIT, mbt = STRBUF_INIT, stale = STRBUF_INIT;
    sb_addf(&dir, "%s/killed-mbtiles", test_tmpdir());
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    sb_addf(&mbt, "%s/seed.mbtiles", dir.buf);
    run_result r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv --mbtiles %s --zoom 0-2", mbt.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    long long n0 = mbtiles_tiles(mbt.buf);
    ck_assert_int_gt(n0, 0);

    const char *args[] = { bin(), "tiles", "--in", "examples/seed-events.csv", "--mbtiles", mbt.buf, "--zoom",
                           KILL_ZOOM, "--jobs", "2", "--resume", NULL };
    static const char *const points[] = { "tiles:after-tiles:1", "tiles:after-tiles:5",
                                          "tiles:mbtiles-before-rename" };
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        kill_at(points[i], args);
        ck_assert_msg(mbtiles_tiles(mbt.buf) == n0, "%s: %s changed", points[i], mbt.buf);
        ck_assert_uint_eq(count_prefixed(dir.buf, "seed.mbtiles.tmp."), 1);
    }

    /* a temporary file of a killed run goes; the file is finished */
    sb_addf(&stale, "%s.tmp.%ld", mbt.buf, (long)dead_pid());
    write_text(stale.buf, "SQLite format 3 cut short");
    r = run_cmd(NULL, "@ tiles --in examples/seed-events.csv --mbtiles %s --zoom %s --resume", mbt.buf, KILL_ZOOM);
    ck_assert_msg(r.status == 0, "%s", r.err);
    unsigned long long rendered = number_before(r.err, "tiles, zoom");
    unsigned long long kept = number_before(r.err, "tiles already there kept");
    ck_assert_int_gt(rendered, 0);
    ck_assert_int_eq(kept, n0);
    ck_assert_int_eq(mbtiles_tiles(mbt.buf), (long long)(rendered + kept));
    ck_assert_uint_eq(count_prefixed(dir.buf, "seed.mbtiles.tmp."), 0);
    run_result_free(&r);
    sb_release(&dir);
    sb_release(&mbt);
    sb_release(&stale);
}
END_TEST

/* Files under dir (recursively) whose name has ".tmp.". */
static size_t count_temporaries(const char *dir)
{
    run_result r = run_cmd(NULL, "find '%s' -name '*.tmp.*' | wc -l", dir);
    ck_assert_int_eq(r.status, 0);
    size_t n = (size_t)strtoul(r.out, NULL, 10);
    run_result_free(&r);
    return n;
}

START_TEST(a_run_interrupted_by_a_signal_should_remove_its_temporaries)
{
    /* Ctrl-C, a shutdown, a closed terminal: the program's handlers remove
     * what it was writing, then it dies of the signal */
    strbuf dir = STRBUF_INIT, png = STRBUF_INIT, gj = STRBUF_INIT, tiles = STRBUF_INIT, mbt = STRBUF_INIT;
    sb_addf(&dir, "%s/interrupted", test_tmpdir());
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    sb_addf(&png, "%s/map.png", dir.buf);
    sb_addf(&gj, "%s/events.geojson", dir.buf);
    sb_addf(&tiles, "%s/tiles", dir.buf);
    sb_addf(&mbt, "%s/t.mbtiles", dir.buf);
    static const struct { const char *point, *signal_name; int sig; } runs[] = {
        { "map:before-rename", "INT", SIGINT },
        { "export:before-rename", "TERM", SIGTERM },
        { "tiles:tile-before-rename:3", "HUP", SIGHUP },
        { "tiles:after-tiles:4", "INT", SIGINT },
    };
    const char *map_args[] = { bin(), "map", "--in", "examples/seed-events.csv", "-o", png.buf, NULL };
    const char *export_args[] = { bin(), "export", "--in", "examples/seed-events.csv", "-o", gj.buf, NULL };
    const char *tiles_args[] = { bin(), "tiles", "--in", "examples/seed-events.csv", "-o", tiles.buf, "--zoom",
                                 KILL_ZOOM, "--jobs", "1", NULL };
    const char *mbtiles_args[] = { bin(), "tiles", "--in", "examples/seed-events.csv", "--mbtiles", mbt.buf,
                                   "--zoom", KILL_ZOOM, "--jobs", "2", NULL };
    const char *const *args[] = { map_args, export_args, tiles_args, mbtiles_args };
    for (size_t i = 0; i < 4; i++) {
        crash_run r = run_to_point_by(runs[i].point, runs[i].signal_name, runs[i].sig, args[i]);
        ck_assert_msg(died_at(&r, runs[i].point), "%s (SIG%s): exit %d; stderr:\n%s", runs[i].point,
                      runs[i].signal_name, r.exit_code, r.err);
        free(r.err);
        ck_assert_msg(count_temporaries(dir.buf) == 0, "%s (SIG%s): temporaries left", runs[i].point,
                      runs[i].signal_name);
    }
    ck_assert_int_ne(access(png.buf, F_OK), 0);
    ck_assert_int_ne(access(gj.buf, F_OK), 0);
    ck_assert_int_ne(access(mbt.buf, F_OK), 0);
    tree_stats ts = { 0, 0, 0, 0 };
    check_tree(tiles.buf, &ts);
    ck_assert_uint_eq(ts.n_png, 2); /* the two before the third; whole */
    sb_release(&dir);
    sb_release(&png);
    sb_release(&gj);
    sb_release(&tiles);
    sb_release(&mbt);
}
END_TEST

/* -------------------------------------------------------- a full disk */

/* Run the shell script body with $M a fresh tmpfs of size_kib KiB, $OUT a
 * directory on the ordinary disk for what the test looks at afterwards,
 * $BIN the program, and `fill N` a shell function that fills $M up to N
 * KiB free.  The tmpfs is mounted in a user and mount namespace of its own
 * (unshare -rm), or, failing that, as root with mount(8) and unmounted
 * again.  The test fails, saying why, when neither can be done.  Returns
 * $OUT (caller frees); body must write its results there. */
static char *on_full_disk(const char *name, int size_kib, const char *body)
{
    strbuf out = STRBUF_INIT, mnt = STRBUF_INIT, script = STRBUF_INIT;
    sb_addf(&out, "%s/%s", test_tmpdir(), name);
    sb_addf(&mnt, "%s/%s-mnt", test_tmpdir(), name);
    ck_assert_int_eq(mkdir(out.buf, 0777), 0);
    ck_assert_int_eq(mkdir(mnt.buf, 0777), 0);
    sb_addf(&script, "%s/%s.sh", test_tmpdir(), name);
    FILE *f = fopen(script.buf, "wb");
    ck_assert_ptr_nonnull(f);
    fprintf(f,
            "fill() {\n"
            "  dd if=/dev/zero of=\"$M/fill\" bs=4096 2>/dev/null\n"
            "  [ \"$1\" -gt 0 ] && truncate -s -\"$1\"K \"$M/fill\"\n"
            "  df -k \"$M\" > \"$OUT/df\"\n"
            "}\n"
            "%s\n"
            "touch \"$OUT/ran\"\n"
            "exit 0\n",
            body);
    ck_assert_int_eq(fclose(f), 0);

    /* 1: a namespace of our own */
    run_result r = run_cmd(NULL,
                           "BIN='%s' M='%s' OUT='%s' unshare -rm sh -c 'mount -t tmpfs -o size=%dk tmpfs \"$M\" "
                           "&& sh %s' 2>&1",
                           bin(), mnt.buf, out.buf, size_kib, script.buf);
    strbuf ran = STRBUF_INIT;
    sb_addf(&ran, "%s/ran", out.buf);
    if (r.status != 0 || access(ran.buf, F_OK) != 0) {
        /* 2: root, the plain way */
        char *why_unshare = xstrdup(r.out ? r.out : "");
        run_result_free(&r);
        ck_assert_msg(geteuid() == 0,
                      "the full-disk test needs a small tmpfs: `unshare -rm` failed (%s) and this is not root",
                      why_unshare);
        r = run_cmd(NULL, "mount -t tmpfs -o size=%dk tmpfs '%s' 2>&1", size_kib, mnt.buf);
        ck_assert_msg(r.status == 0,
                      "the full-disk test needs a small tmpfs: `unshare -rm` failed (%s) and so did mount as root (%s)",
                      why_unshare, r.out);
        run_result_free(&r);
        r = run_cmd(NULL, "BIN='%s' M='%s' OUT='%s' sh %s 2>&1", bin(), mnt.buf, out.buf, script.buf);
        run_result umount = run_cmd(NULL, "umount '%s' 2>&1", mnt.buf);
        ck_assert_msg(umount.status == 0, "cannot unmount %s: %s", mnt.buf, umount.out);
        run_result_free(&umount);
        free(why_unshare);
        ck_assert_msg(r.status == 0 && access(ran.buf, F_OK) == 0, "the full-disk script failed: %s", r.out);
    }
    run_result_free(&r);
    sb_release(&ran);
    sb_release(&mnt);
    sb_release(&script);
    return sb_detach(&out, NULL);
}

/* The text of $OUT/name ("" when missing; caller frees). */
static char *out_file(const char *out, const char *name)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/%s", out, name);
    char *text = test_read_file(path.buf, NULL);
    sb_release(&path);
    return text ? text : xstrdup("");
}

/* A run on the full disk: exit 1, the message names the output (named)
 * and says the disk is full, and the listing of the disk ($OUT/ls) shows neither
 * the output's final name nor any temporary file. */
static void assert_failed_cleanly(const char *out, const char *final_name, const char *named)
{
    char *rc = out_file(out, "rc"), *err = out_file(out, "err"), *ls = out_file(out, "ls"), *df = out_file(out, "df");
    ck_assert_msg(atoi(rc) == 1, "exit %s (1 expected); stderr: %s; disk: %s", rc, err, df);
    ck_assert_msg(strstr(err, named) != NULL, "the message does not name %s: %s", named, err);
    ck_assert_msg(strcasestr(err, "no space left on device") != NULL, "the message does not say the disk is full: %s",
                  err);
    ck_assert_msg(strstr(ls, ".tmp.") == NULL, "temporary files left on the disk:\n%s", ls);
    strbuf line = STRBUF_INIT;
    sb_addf(&line, "\n%s\n", final_name);
    strbuf listing = STRBUF_INIT;
    sb_addf(&listing, "\n%s", ls);
    ck_assert_msg(strstr(listing.buf, line.buf) == NULL, "%s was left on the disk:\n%s", final_name, ls);
    sb_release(&line);
    sb_release(&listing);
    free(rc);
    free(err);
    free(ls);
    free(df);
}

/* An import file of n located rows. */
static char *big_import(const char *name, int n)
{
    strbuf csv = STRBUF_INIT;
    sb_adds(&csv, "id,event_date,event_type,location,latitude,longitude\n");
    for (int i = 0; i < n; i++)
        sb_addf(&csv, "f%d,2024-%02d-%02d,Battles,place number %d,%.4f,%.4f\n", i, 1 + i % 12, 1 + i % 28, i,
                32 + (i % 5000) * 0.001, 35 + (i / 5000) * 0.01);
    char *path = test_write_file(name, csv.buf);
    sb_release(&csv);
    return path;
}

static void store_should_hold_the_seed(const char *out, const char *name)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/%s", out, name);
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path.buf, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(db);
    size_t total = 0, unlocated = 0;
    counts(path.buf, &total, &unlocated);
    ck_assert_uint_eq(total, 9);
    sb_release(&path);
}

/* The disk fills during the import's commit: with little room the rollback
 * journal cannot be written, with more the store cannot grow. */
static void import_on_full_disk(const char *name, int free_kib)
{
    char *csv = big_import("full-disk.csv", 20000);
    strbuf body = STRBUF_INIT;
    sb_addf(&body,
            "\"$BIN\" import examples/seed-events.csv --db \"$M/s.db\" >/dev/null 2>\"$OUT/seed-err\" || exit 0\n"
            "cp \"$M/s.db\" \"$OUT/before.db\"\n"
            "fill %d\n"
            "\"$BIN\" import '%s' --db \"$M/s.db\" >/dev/null 2>\"$OUT/err\"; echo $? >\"$OUT/rc\"\n"
            "cp \"$M/s.db\" \"$OUT/after.db\"\n"
            "rm -f \"$M/fill\"; ls -A \"$M\" >\"$OUT/ls\"\n",
            free_kib, csv);
    char *out = on_full_disk(name, 2048, body.buf);
    char *rc = out_file(out, "rc"), *err = out_file(out, "err"), *ls = out_file(out, "ls"), *df = out_file(out, "df");
    ck_assert_msg(atoi(rc) == 1, "exit %s (1 expected); stderr: %s; disk: %s", rc, err, df);
    ck_assert_msg(strstr(err, "s.db: ") && strstr(err, "disk full (no space left on device)") &&
                      strstr(err, "nothing imported") && strstr(err, "is as it was"),
                  "unclear message: %s", err);
    ck_assert_str_eq(ls, "s.db\n"); /* no journal left */
    store_should_hold_the_seed(out, "after.db");
    size_t len0 = 0, len1 = 0;
    strbuf p0 = STRBUF_INIT, p1 = STRBUF_INIT;
    sb_addf(&p0, "%s/before.db", out);
    sb_addf(&p1, "%s/after.db", out);
    char *b0 = test_read_file(p0.buf, &len0), *b1 = test_read_file(p1.buf, &len1);
    ck_assert_ptr_nonnull(b0);
    ck_assert_ptr_nonnull(b1);
    ck_assert_msg(len0 == len1 && !memcmp(b0, b1, len0), "the store's bytes changed (%zu bytes, was %zu)", len1,
                  len0);
    free(b0);
    free(b1);
    sb_release(&p0);
    sb_release(&p1);
    free(rc);
    free(err);
    free(ls);
    free(df);
    free(out);
    free(csv);
    sb_release(&body);
}

START_TEST(import_on_a_full_disk_should_say_so_and_leave_the_store_as_it_was)
{
    import_on_full_disk("import-4k", 4);     /* no room for the journal */
    import_on_full_disk("import-256k", 256); /* room for the journal, not for the new pages */

    /* a new store: none is left behind */
    char *csv = big_import("full-disk-new.csv", 20000);
    strbuf body = STRBUF_INIT;
    sb_addf(&body,
            "fill 128\n"
            "\"$BIN\" import '%s' --db \"$M/new.db\" >/dev/null 2>\"$OUT/err\"; echo $? >\"$OUT/rc\"\n"
            "rm -f \"$M/fill\"; ls -A \"$M\" >\"$OUT/ls\"\n",
            csv);
    char *out = on_full_disk("import-new", 1024, body.buf);
    char *rc = out_file(out, "rc"), *err = out_file(out, "err"), *ls = out_file(out, "ls");
    ck_assert_msg(atoi(rc) == 1, "exit %s (1 expected); stderr: %s", rc, err);
    ck_assert_msg(strstr(err, "new.db: ") && strstr(err, "disk full (no space left on device)") &&
                      strstr(err, "was not created"),
                  "unclear message: %s", err);
    ck_assert_msg(!*ls, "left on the disk: %s", ls);
    free(rc);
    free(err);
    free(ls);
    free(out);
    free(csv);
    sb_release(&body);
}
END_TEST

/* Run "$BIN args" writing final_name on a disk with free_kib left; it must
 * fail cleanly (assert_failed_cleanly).  Returns $OUT (caller frees). */
static char *output_on_full_disk(const char *name, int free_kib, const char *args, const char *final_name,
                                 const char *named)
{
    strbuf body = STRBUF_INIT;
    sb_addf(&body,
            "fill %d\n"
            "\"$BIN\" %s >/dev/null 2>\"$OUT/err\"; echo $? >\"$OUT/rc\"\n"
            "rm -f \"$M/fill\"; (cd \"$M\" && find . -mindepth 1 | sed 's#^\\./##' | sort) >\"$OUT/ls\"\n"
            "[ -d \"$M/t\" ] && cp -r \"$M/t\" \"$OUT/t\"\n",
            free_kib, args);
    char *out = on_full_disk(name, 1024, body.buf);
    assert_failed_cleanly(out, final_name, named);
    sb_release(&body);
    return out;
}

START_TEST(outputs_on_a_full_disk_should_say_so_and_leave_no_file)
{
    /* a store of 20000 events on the ordinary disk to read from */
    char *csv = big_import("full-disk-src.csv", 20000);
    strbuf db = STRBUF_INIT, args = STRBUF_INIT;
    sb_addf(&db, "%s/full-disk-src.db", test_tmpdir());
    run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);

    sb_addf(&args, "export --db %s -o \"$M/out.geojson\"", db.buf);
    free(output_on_full_disk("export-geojson", 64, args.buf, "out.geojson", "out.geojson"));
    sb_reset(&args);
    sb_addf(&args, "export --db %s --format csv -o \"$M/out.csv\"", db.buf);
    free(output_on_full_disk("export-csv", 64, args.buf, "out.csv", "out.csv"));
    sb_reset(&args);
    sb_addf(&args, "map --db %s -o \"$M/map.png\" --size 1600x1200", db.buf);
    free(output_on_full_disk("map", 16, args.buf, "map.png", "map.png"));
    sb_reset(&args);
    sb_addf(&args, "tiles --db %s --mbtiles \"$M/t.mbtiles\" --zoom 0-8", db.buf);
    free(output_on_full_disk("tiles-mbtiles", 64, args.buf, "t.mbtiles", "t.mbtiles"));
    sb_reset(&args);
    sb_addf(&args, "gazetteer build --geonames tests/data/gaz-small/geonames.txt --admin1 "
                   "tests/data/gaz-small/admin1.json --curated tests/data/gaz-small --no-countries -o \"$M/g.idx\"");
    free(output_on_full_disk("gazetteer", 0, args.buf, "g.idx", "g.idx"));

    /* tiles into a directory: the tiles written before the disk filled
     * stay (whole, for --resume), the viewer's files never come */
    sb_reset(&args);
    sb_addf(&args, "tiles --in examples/seed-events.csv -o \"$M/t\" --zoom 0-11 --jobs 1");
    char *out = output_on_full_disk("tiles-dir", 200, args.buf, "t/index.html", "/t/");
    char *ls = out_file(out, "ls");
    ck_assert_msg(strstr(ls, "t/tilejson.json") == NULL, "tilejson.json written on a full disk:\n%s", ls);
    ck_assert_msg(strstr(ls, "t/events.geojson") == NULL, "events.geojson published on a full disk:\n%s", ls);
    strbuf t = STRBUF_INIT;
    sb_addf(&t, "%s/t", out);
    tree_stats ts = { 0, 0, 0, 0 };
    check_tree(t.buf, &ts);
    ck_assert_msg(ts.n_png > 0, "the disk was full before the first tile:\n%s", ls);
    ck_assert_uint_eq(ts.n_tmp, 0);
    sb_release(&t);
    free(ls);
    free(out);

    sb_release(&db);
    sb_release(&args);
    free(csv);
}
END_TEST

Suite *crash_safety_suite(void)
{
    Suite *s = suite_create("crash-safety");
    TCase *t = tcase_create("kill");
    tcase_set_timeout(t, 600); /* a slow machine, one core: never a condition of the test */
    tcase_add_test(t, crash_points_should_be_named_right_and_counted);
    tcase_add_test(t, an_import_killed_at_any_point_should_leave_the_store_as_it_was);
    tcase_add_test(t, an_import_into_a_new_store_killed_in_its_commit_should_leave_an_empty_store);
    tcase_add_test(t, a_map_killed_before_its_rename_should_leave_the_old_png);
    tcase_add_test(t, an_export_killed_before_its_rename_should_leave_the_old_file);
    tcase_add_test(t, a_gazetteer_build_killed_before_its_rename_should_leave_the_old_index);
    tcase_add_test(t, tempfile_remove_stale_should_remove_only_the_files_of_dead_writers);
    tcase_add_test(t, tiles_killed_at_any_point_should_leave_only_whole_files_and_resume_should_finish);
    tcase_add_test(t, tiles_into_mbtiles_killed_at_any_point_should_leave_the_file_as_it_was);
    tcase_add_test(t, a_run_interrupted_by_a_signal_should_remove_its_temporaries);
    suite_add_tcase(s, t);
    TCase *full = tcase_create("full-disk");
    tcase_set_timeout(full, 600);
    tcase_add_test(full, import_on_a_full_disk_should_say_so_and_leave_the_store_as_it_was);
    tcase_add_test(full, outputs_on_a_full_disk_should_say_so_and_leave_no_file);
    suite_add_tcase(s, full);
    return s;
}
