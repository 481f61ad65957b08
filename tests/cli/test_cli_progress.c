/*
 * test_cli_progress.c - long work shows a one-line progress report on a
 * terminal and nothing extra anywhere else: through a pseudo-terminal, the
 * import of a 200,000-row file draws its progress line (done/total, rate);
 * piped, the same import prints only its summary; --quiet prints neither;
 * an export and a map of the store count towards the events it holds, a
 * tiles run towards its plan's tiles.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define N_ROWS 200000

/* A CSV of N_ROWS located events in Syria; its path (caller frees). */
static char *big_csv(void)
{
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "event_id,event_date,latitude,longitude,event_type,location\n");
    for (int i = 0; i < N_ROWS; i++)
        sb_addf(&sb, "P%d,2024-%02d-%02d,%.4f,%.4f,Battles,Place %d\n", i, 1 + i % 12, 1 + i % 28,
                33.0 + (i % 1000) * 0.003, 36.0 + (i / 1000) * 0.01, i % 500);
    char *path = test_write_file("progress-200k.csv", sb.buf);
    sb_release(&sb);
    return path;
}

START_TEST(import_should_draw_progress_on_a_terminal_only)
{
    char *csv = big_csv();
    const char *tmp = test_tmpdir();

    run_result r = run_cmd_tty("@ import '%s' --db '%s/tty.db'", csv, tmp);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    /* the final line: every line of the file, every row, a rate and the time taken */
    ck_assert_msg(strstr(r.err, "\rimport: 200,001/200,001 lines (100%), 200,000 rows, ") != NULL, "%s", r.err);
    ck_assert_msg(strstr(r.err, "rows/s") != NULL, "%s", r.err);
    ck_assert_msg(strstr(r.out, "read 200000, new 200000") != NULL, "%s", r.out);
    run_result_free(&r);

    /* piped: the summary, and not a byte of progress */
    r = run_cmd(NULL, "@ import '%s' --db '%s/pipe.db'", csv, tmp);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.out, "read 200000, new 200000") != NULL, "%s", r.out);
    ck_assert_msg(!strstr(r.err, "import:") && !strchr(r.err, '\r'), "%s", r.err);
    run_result_free(&r);

    /* --quiet: neither, even on a terminal; the events are in the store */
    r = run_cmd_tty("@ import '%s' --db '%s/quiet.db' --quiet", csv, tmp);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(r.out[0] == '\0' && !strstr(r.err, "import:"), "out: %s\nterminal: %s", r.out, r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ near 33.5,36.5 --radius 5 --db '%s/quiet.db' --format csv | wc -l", tmp);
    ck_assert_msg(r.status == 0 && atoi(r.out) > 1, "%s %s", r.out, r.err);
    run_result_free(&r);

    /* an export of the store counts towards what the store holds */
    r = run_cmd_tty("@ export --db '%s/tty.db' --format csv -o '%s/all.csv'", tmp, tmp);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "\rexport: 200,000/200,000 events (100%), ") != NULL, "%s", r.err);
    ck_assert_msg(strstr(r.err, "eventmap export: 200000 events to ") != NULL, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ export --db '%s/tty.db' --format csv -o '%s/all2.csv'", tmp, tmp);
    ck_assert_msg(r.status == 0 && !strchr(r.err, '\r'), "%s", r.err);
    run_result_free(&r);

    /* a tiles run counts its tiles towards the plan's; a map its events */
    r = run_cmd_tty("@ tiles --db '%s/tty.db' --mbtiles '%s/t.mbtiles' --zoom 0-4 --jobs 2", tmp, tmp);
    ck_assert_msg(r.status == 0, "%s", r.err);
    const char *line = strstr(r.err, "\rtiles: ");
    ck_assert_msg(line != NULL && strstr(line, " tiles (100%), "), "%s", r.err);
    ck_assert_msg(strstr(r.err, "eventmap tiles: ") != NULL, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ tiles --db '%s/tty.db' --mbtiles '%s/t2.mbtiles' --zoom 0-4 --jobs 2", tmp, tmp);
    ck_assert_msg(r.status == 0 && !strchr(r.err, '\r') && strstr(r.err, "eventmap tiles: "), "%s", r.err);
    run_result_free(&r);
    r = run_cmd_tty("@ map --db '%s/tty.db' -o '%s/m.png' --size 300x200", tmp, tmp);
    ck_assert_msg(r.status == 0 && strstr(r.err, "\rmap: 200,000/200,000 events (100%), "), "%s", r.err);
    run_result_free(&r);
    r = run_cmd_tty("@ map --db '%s/tty.db' -o '%s/m2.png' --size 300x200 --quiet", tmp, tmp);
    ck_assert_msg(r.status == 0 && r.err[0] == '\0', "%s", r.err);
    run_result_free(&r);
    free(csv);
}
END_TEST

Suite *cli_progress_suite(void)
{
    Suite *s = suite_create("cli progress");
    TCase *t = tcase_create("progress");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, import_should_draw_progress_on_a_terminal_only);
    suite_add_tcase(s, t);
    return s;
}
