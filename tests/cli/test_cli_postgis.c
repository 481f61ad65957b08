/*
 * test_cli_postgis.c - what only a shared database asks of the PostGIS
 * back end, through the command line against the tests' own PostgreSQL
 * (tests/pg/pg.sh): an import killed at any point leaves the database as
 * it was; a reader during an import sees the store as it was before it;
 * two imports at once lose and duplicate nothing; hostile text goes in and
 * out unharmed; a database that cannot be reached, or a wrong password,
 * gives one clear line and never the password; the schema is the one the
 * README promises (geography under GiST, the id the one unique key).
 *
 * The imports held at a point stop themselves there (EVENTMAP_CRASH_AT
 * with EVENTMAP_CRASH_SIGNAL=STOP) and the test waits for that state, or
 * for a second import to wait on the first one's locks, as PostgreSQL
 * reports it: no test waits for a time.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_helpers.h"
#include "util/strbuf.h"

static const char *bin(void)
{
    const char *b = getenv("EVENTMAP_BIN");
    return b && *b ? b : "./eventmap";
}

/* A new database holding the seed events; caller frees. */
static char *seeded_db(void)
{
    char *url = test_pg_new_db();
    ck_assert_ptr_nonnull(url);
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", url);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    return url;
}

/* One line of the query's answer in db, its fields joined by '|' (caller
 * frees). */
static char *sql_line(const char *db, const char *sql)
{
    char *rows = NULL;
    ck_assert_msg(test_pg_exec(db, sql, &rows) == 0, "%s", sql);
    return rows;
}

/* An import file of n rows with ids PREFIX0.., located near Damascus, the
 * notes saying tag; under test_tmpdir() (caller frees). */
static char *rows_file(const char *name, const char *prefix, int from, int n, const char *tag)
{
    strbuf csv = STRBUF_INIT;
    sb_adds(&csv, "id,event_date,event_type,location,latitude,longitude,notes\n");
    for (int i = from; i < from + n; i++)
        sb_addf(&csv, "%s%d,2024-%02d-%02d,Battles,place %d,%.4f,%.4f,%s\n", prefix, i, 1 + i % 12, 1 + i % 28, i,
                33 + (i % 100) * 0.01, 36 + (i / 100) * 0.01, tag);
    char *path = test_write_file(name, csv.buf);
    sb_release(&csv);
    return path;
}

/* ------------------------------------------------------ background runs */

/* An eventmap run in the background: its pid (the eventmap process
 * itself), and where its standard output and error go. */
typedef struct {
    pid_t pid;
    char out[256], err[256];
} bg_run;

/* Start eventmap with args (a shell word list), EVENTMAP_CRASH_AT=point
 * and EVENTMAP_CRASH_SIGNAL=STOP when point is not NULL. */
static bg_run start_bg(const char *tag, const char *point, const char *args)
{
    bg_run b;
    snprintf(b.out, sizeof(b.out), "%s/%s.out", test_tmpdir(), tag);
    snprintf(b.err, sizeof(b.err), "%s/%s.err", test_tmpdir(), tag);
    strbuf cmd = STRBUF_INIT;
    sb_addf(&cmd, "exec %s %s", bin(), args);
    b.pid = fork();
    ck_assert_int_ge(b.pid, 0);
    if (b.pid == 0) {
        if (point) {
            setenv("EVENTMAP_CRASH_AT", point, 1);
            setenv("EVENTMAP_CRASH_SIGNAL", "STOP", 1);
        }
        if (!freopen("/dev/null", "r", stdin) || !freopen(b.out, "w", stdout) || !freopen(b.err, "w", stderr))
            _exit(126);
        execl("/bin/sh", "sh", "-c", cmd.buf, (char *)NULL);
        _exit(127);
    }
    sb_release(&cmd);
    return b;
}

/* Wait until cond(ctx) holds, looking every 10 ms; fail the test after
 * a long while (a stuck run, not a slow machine). */
static void wait_until(int (*cond)(void *ctx), void *ctx, const char *what)
{
    for (int i = 0; i < 30000; i++) { /* 300 s */
        if (cond(ctx)) return;
        usleep(10000);
    }
    ck_abort_msg("gave up waiting until %s", what);
}

/* The run has stopped itself at its point (state T in /proc). */
static int is_stopped(void *ctx)
{
    const bg_run *b = ctx;
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)b->pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *close = strrchr(buf, ')');
    return close && close[1] == ' ' && close[2] == 'T';
}

/* Its exit status (128+signal when killed). */
static int finish(const bg_run *b)
{
    int status = 0;
    ck_assert_int_eq(waitpid(b->pid, &status, 0), b->pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

typedef struct {
    const char *db;
} lock_wait;

/* A session of the database waits for a lock another holds. */
static int someone_waits_for_a_lock(void *ctx)
{
    const lock_wait *w = ctx;
    char *n = sql_line("postgres", "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'");
    int waiting = atoi(n) > 0;
    free(n);
    (void)w;
    return waiting;
}

/* ------------------------------------------------------------ tests */

START_TEST(an_import_killed_at_any_point_should_leave_the_database_as_it_was)
{
    char *db = seeded_db();
    char *before = test_export_csv(db);
    char *csv = rows_file("killed.csv", "k", 0, 3000, "killed");
    static const char *const points[] = { "import:after-rows:1", "import:after-rows:3000", "import:before-commit",
                                          "import:store-merged" };
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        run_result r = run_cmd(NULL, "EVENTMAP_CRASH_AT=%s exec %s import %s --db %s", points[i], bin(), csv, db);
        ck_assert_msg(r.status == 128 + SIGKILL, "%s: exit %d: %s", points[i], r.status, r.err);
        ck_assert_ptr_nonnull(strstr(r.err, "killed at import:"));
        run_result_free(&r);
        char *after = test_export_csv(db);
        ck_assert_msg(!strcmp(after, before), "after a kill at %s the events changed", points[i]);
        free(after);
    }
    /* the server rolled each one back; the next import goes through */
    run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "read 3000, new 3000, updated 0, unchanged 0,"));
    ck_assert_ptr_nonnull(strstr(r.out, ": 3009 events, 0 of them unlocated"));
    run_result_free(&r);

    /* a first import killed in its commit leaves no tables behind */
    char *fresh = test_pg_new_db();
    r = run_cmd(NULL, "EVENTMAP_CRASH_AT=import:store-merged exec %s import %s --db %s", bin(), csv, fresh);
    ck_assert_int_eq(r.status, 128 + SIGKILL);
    run_result_free(&r);
    char *gone = sql_line(fresh, "SELECT to_regclass('events') IS NULL");
    ck_assert_str_eq(gone, "t\n");
    free(gone);
    free(fresh);
    free(csv);
    free(before);
    free(db);
}
END_TEST

START_TEST(a_reader_during_an_import_should_see_the_store_as_it_was)
{
    char *db = seeded_db();
    char *before = test_export_csv(db);
    char *csv = rows_file("held.csv", "h", 0, 2000, "held");
    strbuf args = STRBUF_INIT;
    sb_addf(&args, "import %s --db %s", csv, db);
    /* held with every row merged into events, not yet committed */
    bg_run imp = start_bg("held-import", "import:store-merged", args.buf);
    wait_until(is_stopped, &imp, "the import stopped at import:store-merged");
    char *during = test_export_csv(db);
    ck_assert_str_eq(during, before);
    run_result r = run_cmd(NULL, "@ near 33.5,36.5 --radius 100 --db %s --format csv", db);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "\nh1,"));
    run_result_free(&r);
    char *count = sql_line(db, "SELECT count(*) FROM events");
    ck_assert_str_eq(count, "9\n");
    free(count);
    kill(imp.pid, SIGCONT);
    ck_assert_int_eq(finish(&imp), 0);
    count = sql_line(db, "SELECT count(*) FROM events");
    ck_assert_str_eq(count, "2009\n");
    free(count);
    free(during);
    sb_release(&args);
    free(csv);
    free(before);
    free(db);
}
END_TEST

START_TEST(two_imports_at_once_should_lose_and_duplicate_nothing)
{
    char *db = seeded_db();
    /* A: ids 0..2999 noted "first"; B: ids 2000..4999 noted "second" */
    char *a = rows_file("first.csv", "c", 0, 3000, "first"), *b = rows_file("second.csv", "c", 2000, 3000, "second");
    strbuf args_a = STRBUF_INIT, args_b = STRBUF_INIT;
    sb_addf(&args_a, "import %s --db %s", a, db);
    sb_addf(&args_b, "import %s --db %s", b, db);
    /* A holds the row locks of its 3000 events; B's merge must wait for
     * them, then update the 1000 they share */
    bg_run first = start_bg("first", "import:store-merged", args_a.buf);
    wait_until(is_stopped, &first, "the first import stopped at import:store-merged");
    bg_run second = start_bg("second", NULL, args_b.buf);
    lock_wait w = { db };
    wait_until(someone_waits_for_a_lock, &w, "the second import waits for the first one's rows");
    kill(first.pid, SIGCONT);
    ck_assert_int_eq(finish(&first), 0);
    ck_assert_int_eq(finish(&second), 0);
    char *out = test_read_file(second.out, NULL);
    ck_assert_msg(strstr(out, "read 3000, new 2000, updated 1000, unchanged 0,") != NULL, "%s", out);
    free(out);

    char *counts = sql_line(db, "SELECT count(*), count(DISTINCT id),"
                                " count(*) FILTER (WHERE notes = 'first'), count(*) FILTER (WHERE notes = 'second')"
                                " FROM events");
    ck_assert_str_eq(counts, "5009|5009|2000|3000\n");
    free(counts);
    /* and at once without holding either: the same outcome, whichever wins */
    bg_run again_a = start_bg("again-a", NULL, args_a.buf), again_b = start_bg("again-b", NULL, args_b.buf);
    ck_assert_int_eq(finish(&again_a), 0);
    ck_assert_int_eq(finish(&again_b), 0);
    counts = sql_line(db, "SELECT count(*), count(DISTINCT id) FROM events");
    ck_assert_str_eq(counts, "5009|5009\n");
    free(counts);
    sb_release(&args_a);
    sb_release(&args_b);
    free(a);
    free(b);
    free(db);
}
END_TEST

START_TEST(hostile_text_should_go_in_and_out_unharmed)
{
    /* quotes, backslashes, a tab, COPY's own markers, SQL, newlines and a
     * 1 MiB note: parameters and binary COPY, never SQL made of data */
    strbuf csv = STRBUF_INIT, big = STRBUF_INIT;
    for (int i = 0; i < 1024 * 1024 / 16; i++) sb_adds(&big, "0123456789abcde\\");
    sb_adds(&csv, "id,event_date,event_type,location,latitude,longitude,notes\n");
    sb_adds(&csv, "q1,2024-01-01,Battles,\"O'Brien's \"\"farm\"\"\",33.1,36.1,'; DROP TABLE events; --\n");
    sb_adds(&csv, "q2,2024-01-02,Battles,back\\slash\\\\.,33.2,36.2,\"tab\there, \\N and \\.\nline two\"\n");
    sb_addf(&csv, "q3,2024-01-03,Battles,big,33.3,36.3,%s\n", big.buf);
    sb_adds(&csv, "\"'); DELETE FROM events; --\",2024-01-04,Battles,\"\\x00\",33.4,36.4,\xd8\xa7\xd9\x84\xd8\xb6\xd9\x85\xd9\x8a\xd8\xb1\n");
    char *path = test_write_file("hostile.csv", csv.buf);

    char *db = test_pg_new_db();
    strbuf file_db = STRBUF_INIT;
    sb_addf(&file_db, "%s/hostile.gpkg", test_tmpdir());
    unlink(file_db.buf);
    run_result r = run_cmd(NULL, "@ import %s --db %s", path, db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "read 4, new 4,"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ import %s --db %s", path, file_db.buf);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    /* the same events back as the GeoPackage gives them, byte for byte */
    char *from_pg = test_export_csv(db), *from_file = test_export_csv(file_db.buf);
    ck_assert_str_eq(from_pg, from_file);
    ck_assert_uint_gt(strlen(from_pg), 1024 * 1024);
    char *n = sql_line(db, "SELECT count(*), max(length(notes)) FROM events");
    ck_assert_str_eq(n, "4|1048576\n");
    free(n);
    /* and again: nothing changed, nothing dropped */
    r = run_cmd(NULL, "@ import %s --db %s", path, db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "read 4, new 0, updated 0, unchanged 4,"));
    run_result_free(&r);

    /* a NUL is refused before anything reaches the database */
    char *before = test_export_csv(db);
    r = run_cmd(NULL, "@ import tests/bad-input/csv-nul-byte.csv --db %s", db);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "csv-nul-byte.csv:"));
    ck_assert_ptr_nonnull(strstr(r.err, "NUL byte"));
    run_result_free(&r);
    char *after = test_export_csv(db);
    ck_assert_str_eq(after, before);
    free(after);
    free(before);
    free(from_pg);
    free(from_file);
    free(db);
    free(path);
    sb_release(&file_db);
    sb_release(&big);
    sb_release(&csv);
}
END_TEST

START_TEST(a_database_out_of_reach_should_give_one_line_and_never_the_password)
{
    char *db = seeded_db();
    const char *dir = test_pg_dir();
    const char *name = strrchr(db, '/') + 1;
    strbuf nowhere = STRBUF_INIT, wrong = STRBUF_INIT;
    sb_addf(&nowhere, "'postgresql://postgres:s3cret-one@/%s?host=%s/nowhere'", name, test_tmpdir());
    sb_addf(&wrong, "'postgresql://eventmap_pw:s3cret-two@/%s?host=%s'", name, dir);
    const char *targets[] = { nowhere.buf, wrong.buf };
    const char *why[] = { "No such file or directory", "password authentication failed for user \"eventmap_pw\"" };
    static const char *const commands[] = {
        "import examples/seed-events.csv --db %s", "export --db %s --format csv", "near 33,36 --radius 50 --db %s",
        "map --db %s -o %s/never.png", "tiles --db %s -o %s/never-tiles",
    };
    for (size_t t = 0; t < 2; t++) {
        for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
            strbuf cmd = STRBUF_INIT;
            sb_adds(&cmd, "@ ");
            sb_addf(&cmd, commands[c], targets[t], test_tmpdir());
            run_result r = run_cmd(NULL, "%s", cmd.buf);
            ck_assert_msg(r.status == 1, "%s: exit %d", cmd.buf, r.status);
            ck_assert_str_eq(r.out, "");
            ck_assert_msg(strstr(r.err, "cannot connect: ") && strstr(r.err, why[t]), "%s: %s", cmd.buf, r.err);
            ck_assert_msg(!strstr(r.err, "s3cret"), "%s: the password shows: %s", cmd.buf, r.err);
            /* one line, but for import's "nothing imported" and the hint */
            const char *nl = strchr(r.err, '\n');
            ck_assert_msg(nl && (!nl[1] || !strncmp(nl + 1, "eventmap import: nothing imported", 33)), "%s: %s",
                          cmd.buf, r.err);
            run_result_free(&r);
            sb_release(&cmd);
        }
    }
    ck_assert_int_ne(access("never.png", F_OK), 0);
    /* the right password from PGPASSWORD, as libpq reads it */
    run_result r = run_cmd(NULL, "PGPASSWORD=the-right-password %s near 33.6,36.7 --radius 50 --db "
                                 "'postgresql://eventmap_pw@/%s?host=%s' --format csv", bin(), name, dir);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\nseed-01,"));
    run_result_free(&r);
    sb_release(&nowhere);
    sb_release(&wrong);
    free(db);
}
END_TEST

START_TEST(the_store_should_be_taken_from_eventmap_db_and_refuse_a_foreign_table)
{
    char *db = test_pg_new_db();
    run_result r = run_cmd(NULL, "EVENTMAP_DB=%s %s import examples/seed-events.csv", db, bin());
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "store postgresql:///"));
    run_result_free(&r);
    r = run_cmd(NULL, "EVENTMAP_DB=%s %s near 33.6,36.7 --radius 30 --format csv", db, bin());
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "\nseed-01,"));
    run_result_free(&r);
    /* one layout in PostgreSQL: nothing for store upgrade to do */
    r = run_cmd(NULL, "@ store upgrade %s", db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, ": a PostGIS store; nothing to convert\n"));
    run_result_free(&r);

    /* a database whose events table is someone else's: refused, untouched */
    char *other = test_pg_new_db();
    ck_assert_int_eq(test_pg_exec(other, "CREATE TABLE events (id int); INSERT INTO events VALUES (7)", NULL), 0);
    r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", other);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "the table events is not an eventmap store's"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db %s", other);
    ck_assert_int_eq(r.status, 1);
    run_result_free(&r);
    char *rows = sql_line(other, "SELECT id FROM events");
    ck_assert_str_eq(rows, "7\n");
    free(rows);
    /* and one without a store: the reading commands say so */
    char *empty = test_pg_new_db();
    r = run_cmd(NULL, "@ near 33,36 --radius 10 --db %s", empty);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, ": no eventmap store in this database\n"));
    run_result_free(&r);
    r = run_cmd(NULL, "@ store upgrade %s", empty);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, ": no eventmap store in this database\n"));
    run_result_free(&r);
    free(empty);
    free(other);
    free(db);
}
END_TEST

START_TEST(the_schema_should_be_geography_under_gist_keyed_by_id)
{
    char *db = seeded_db();
    char *col = sql_line(db, "SELECT type, srid FROM geography_columns WHERE f_table_name = 'events'");
    ck_assert_str_eq(col, "Point|4326\n");
    free(col);
    char *gist = sql_line(db, "SELECT count(*) FROM pg_indexes WHERE tablename = 'events'"
                              " AND indexdef LIKE '%USING gist (geom)%'");
    ck_assert_str_eq(gist, "1\n");
    free(gist);
    /* Citus can distribute it by id: every unique index holds id */
    char *unique = sql_line(db, "SELECT count(*), count(*) FILTER (WHERE indexdef LIKE '%(id)%') FROM pg_indexes"
                                " WHERE tablename = 'events' AND indexdef LIKE 'CREATE UNIQUE%'");
    ck_assert_str_eq(unique, "1|1\n");
    free(unique);
    /* an unlocated event is a NULL point */
    char *csv = test_write_file("unlocated.csv", "id,event_date,location\nu1,2024-05-05,Qwxzrtplk\n");
    run_result r = run_cmd(NULL, "@ import %s --db %s", csv, db);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    char *null = sql_line(db, "SELECT geom IS NULL FROM events WHERE id = 'u1'");
    ck_assert_str_eq(null, "t\n");
    free(null);
    free(csv);
    free(db);
}
END_TEST

START_TEST(map_and_tiles_should_draw_the_same_from_both_back_ends)
{
    char *db = seeded_db();
    strbuf file_db = STRBUF_INIT;
    sb_addf(&file_db, "%s/same.gpkg", test_tmpdir());
    unlink(file_db.buf);
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", file_db.buf);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    const char *dbs[] = { db, file_db.buf };
    char *png[2], *geojson[2];
    for (int i = 0; i < 2; i++) {
        r = run_cmd(NULL, "@ map --db %s -o %s/same-%d.png --size 400x300 --bbox 35,32,42,37", dbs[i], test_tmpdir(),
                    i);
        ck_assert_msg(r.status == 0, "%s", r.err);
        ck_assert_ptr_nonnull(strstr(r.err, "9 events"));
        run_result_free(&r);
        r = run_cmd(NULL, "@ tiles --db %s -o %s/same-tiles-%d --zoom 0-3 --quiet", dbs[i], test_tmpdir(), i);
        ck_assert_msg(r.status == 0, "%s", r.err);
        run_result_free(&r);
        strbuf p = STRBUF_INIT;
        sb_addf(&p, "%s/same-%d.png", test_tmpdir(), i);
        png[i] = test_read_file(p.buf, NULL);
        sb_reset(&p);
        sb_addf(&p, "%s/same-tiles-%d/events.geojson", test_tmpdir(), i);
        geojson[i] = test_read_file(p.buf, NULL);
        ck_assert_ptr_nonnull(png[i]);
        ck_assert_ptr_nonnull(geojson[i]);
        sb_release(&p);
    }
    ck_assert_str_eq(geojson[0], geojson[1]);
    r = run_cmd(NULL, "cmp %s/same-0.png %s/same-1.png && diff -r %s/same-tiles-0 %s/same-tiles-1 -x tilejson.json "
                      "-x index.html",
                test_tmpdir(), test_tmpdir(), test_tmpdir(), test_tmpdir());
    ck_assert_msg(r.status == 0, "the two back ends drew differently: %s%s", r.out, r.err);
    run_result_free(&r);
    for (int i = 0; i < 2; i++) {
        free(png[i]);
        free(geojson[i]);
    }
    sb_release(&file_db);
    free(db);
}
END_TEST

Suite *cli_postgis_suite(void)
{
    Suite *s = suite_create("cli-postgis");
    if (!test_pg_start("cli-postgis")) return s;
    TCase *t = tcase_create("postgis");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, an_import_killed_at_any_point_should_leave_the_database_as_it_was);
    tcase_add_test(t, a_reader_during_an_import_should_see_the_store_as_it_was);
    tcase_add_test(t, two_imports_at_once_should_lose_and_duplicate_nothing);
    tcase_add_test(t, hostile_text_should_go_in_and_out_unharmed);
    tcase_add_test(t, a_database_out_of_reach_should_give_one_line_and_never_the_password);
    tcase_add_test(t, the_store_should_be_taken_from_eventmap_db_and_refuse_a_foreign_table);
    tcase_add_test(t, the_schema_should_be_geography_under_gist_keyed_by_id);
    tcase_add_test(t, map_and_tiles_should_draw_the_same_from_both_back_ends);
    suite_add_tcase(s, t);
    return s;
}
