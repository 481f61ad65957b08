/*
 * test_crash_safety.c - `kill -9` in the middle of an import leaves the
 * store exactly as it was before the import; killing `map` leaves no
 * half-written file under the final name.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

Suite *crash_safety_suite(void)
{
    Suite *s = suite_create("crash-safety");
    TCase *t = tcase_create("kill");
    tcase_set_timeout(t, 240);
    tcase_add_test(t, kill_9_during_an_import_should_leave_the_store_as_it_was);
    tcase_add_test(t, kill_9_during_a_map_should_leave_no_half_written_png);
    suite_add_tcase(s, t);
    return s;
}
