/*
 * test_tempfile.c - the atomic-output API (util/tempfile.h): a commit puts
 * the whole file under its name, an abort or a failure leaves the old file
 * byte for byte and no temporary, a writer by name (SQLite) is synced and
 * renamed the same way, and the stale sweep of the next writer removes
 * what a dead one left.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

/* A fresh directory under test_tmpdir() (caller frees). */
static char *fresh_dir(const char *name)
{
    strbuf dir = STRBUF_INIT;
    sb_addf(&dir, "%s/%s", test_tmpdir(), name);
    ck_assert_int_eq(mkdir(dir.buf, 0777), 0);
    return sb_detach(&dir, NULL);
}

static char *path_in(const char *dir, const char *name)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/%s", dir, name);
    return sb_detach(&path, NULL);
}

/* Entries of dir but . and .. */
static size_t n_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void should_hold(const char *path, const char *text)
{
    size_t len = 0;
    char *got = test_read_file(path, &len);
    ck_assert_msg(got != NULL, "%s is missing", path);
    ck_assert_uint_eq(len, strlen(text));
    ck_assert_mem_eq(got, text, len);
    free(got);
}

START_TEST(tempfile_commit_should_put_the_whole_file_under_its_name)
{
    char *dir = fresh_dir("commit"), *path = path_in(dir, "out.txt"), *err = NULL;
    tempfile t = TEMPFILE_INIT;
    ck_assert_int_eq(tempfile_create(&t, path, NULL, 0, &err), 0);
    ck_assert_ptr_nonnull(tempfile_fp(&t));
    fputs("first half, ", tempfile_fp(&t));
    /* nothing under the name yet: only the temporary, named for this process */
    ck_assert_int_ne(access(path, F_OK), 0);
    strbuf tmp = STRBUF_INIT;
    sb_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    ck_assert_str_eq(t.tmp_path, tmp.buf);
    fputs("second half\n", tempfile_fp(&t));
    ck_assert_int_eq(tempfile_commit(&t, &err), 0);
    should_hold(path, "first half, second half\n");
    ck_assert_uint_eq(n_entries(dir), 1);
    ck_assert_ptr_null(t.tmp_path); /* inactive: may be used again */

    /* over an old file: the new one replaces it whole */
    ck_assert_int_eq(tempfile_write(path, "new\n", 4, NULL, 0, &err), 0);
    should_hold(path, "new\n");
    ck_assert_uint_eq(n_entries(dir), 1);
    ck_assert_ptr_null(err);
    sb_release(&tmp);
    free(path);
    free(dir);
}
END_TEST

START_TEST(tempfile_abort_should_leave_the_old_file_and_no_temporary)
{
    char *dir = fresh_dir("abort"), *path = path_in(dir, "out.txt"), *err = NULL;
    ck_assert_int_eq(tempfile_write(path, "old\n", 4, NULL, 0, &err), 0);
    tempfile t = TEMPFILE_INIT;
    ck_assert_int_eq(tempfile_create(&t, path, NULL, 0, &err), 0);
    fputs("half a new file", tempfile_fp(&t));
    tempfile_abort(&t);
    should_hold(path, "old\n");
    ck_assert_uint_eq(n_entries(dir), 1);
    tempfile_abort(&t); /* twice, and on an inactive one: no-ops */
    tempfile_abort(NULL);
    free(path);
    free(dir);
}
END_TEST

START_TEST(tempfile_create_should_fail_cleanly_where_it_cannot_write)
{
    char *dir = fresh_dir("fail"), *err = NULL;
    char *missing = path_in(dir, "no/such/dir/x.png");
    tempfile t = TEMPFILE_INIT;
    ck_assert_int_eq(tempfile_create(&t, missing, NULL, 0, &err), EM_EIO);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s: cannot create: No such file or directory", missing);
    ck_assert_str_eq(err, want.buf);
    ck_assert_ptr_null(t.tmp_path);
    free(err);
    err = NULL;

    /* a directory under the name: the rename fails, the directory stays
     * and the temporary goes */
    char *taken = path_in(dir, "taken");
    ck_assert_int_eq(mkdir(taken, 0777), 0);
    ck_assert_int_eq(tempfile_write(taken, "x", 1, NULL, 0, &err), EM_EIO);
    sb_reset(&want);
    sb_addf(&want, "%s: cannot write: Is a directory", taken);
    ck_assert_str_eq(err, want.buf);
    free(err);
    err = NULL;
    ck_assert_uint_eq(n_entries(dir), 1);

    sb_release(&want);
    free(taken);
    free(missing);
    free(dir);
}
END_TEST

START_TEST(tempfile_commit_should_rename_a_file_written_by_name)
{
    /* what the MBTiles writer does: close the stream, let another writer
     * (SQLite) open the temporary by name, then commit */
    char *dir = fresh_dir("by-name"), *path = path_in(dir, "t.mbtiles"), *err = NULL;
    tempfile t = TEMPFILE_INIT;
    ck_assert_int_eq(tempfile_create(&t, path, NULL, 0, &err), 0);
    fputs("head ", tempfile_fp(&t));
    ck_assert_int_eq(tempfile_close(&t, &err), 0);
    ck_assert_ptr_null(tempfile_fp(&t));
    FILE *f = fopen(t.tmp_path, "ab");
    ck_assert_ptr_nonnull(f);
    fputs("tail", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(tempfile_commit(&t, &err), 0);
    should_hold(path, "head tail");
    ck_assert_uint_eq(n_entries(dir), 1);
    free(path);
    free(dir);
}
END_TEST

START_TEST(tempfile_batch_should_write_whole_files_and_sync_once)
{
    char *dir = fresh_dir("batch"), *err = NULL;
    for (int i = 0; i < 20; i++) {
        strbuf path = STRBUF_INIT, text = STRBUF_INIT;
        sb_addf(&path, "%s/%d.png", dir, i);
        sb_addf(&text, "tile %d", i);
        ck_assert_int_eq(tempfile_write(path.buf, text.buf, text.len, NULL, TEMPFILE_BATCH, &err), 0);
        should_hold(path.buf, text.buf);
        sb_release(&path);
        sb_release(&text);
    }
    ck_assert_uint_eq(n_entries(dir), 20);
    ck_assert_int_eq(tempfile_sync_tree(dir, &err), 0);
    ck_assert_int_eq(tempfile_sync_tree("/nonexistent/eventmap", &err), EM_EIO);
    ck_assert_str_eq(err, "/nonexistent/eventmap: cannot sync: No such file or directory");
    free(err);
    free(dir);
}
END_TEST

START_TEST(tempfile_create_should_sweep_what_dead_writers_left)
{
    char *dir = fresh_dir("sweep"), *path = path_in(dir, "map.png"), *err = NULL;
    /* a dead writer's temporary, and one of this process's id (a reused id) */
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) _exit(0);
    waitpid(pid, NULL, 0);
    strbuf dead = STRBUF_INIT, own = STRBUF_INIT;
    sb_addf(&dead, "%s.tmp.%ld", path, (long)pid);
    sb_addf(&own, "%s.tmp.%ld", path, (long)getpid());
    free(test_write_file("sweep/map.png.tmp.1x", "not one of ours"));
    FILE *f = fopen(dead.buf, "wb");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    f = fopen(own.buf, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("left by an earlier process with this id", f);
    fclose(f);

    ck_assert_int_eq(tempfile_write(path, "png", 3, NULL, 0, &err), 0);
    should_hold(path, "png");
    ck_assert_int_ne(access(dead.buf, F_OK), 0);
    ck_assert_int_ne(access(own.buf, F_OK), 0);
    ck_assert_uint_eq(n_entries(dir), 2); /* map.png and the file that is not ours */
    sb_release(&dead);
    sb_release(&own);
    free(path);
    free(dir);
}
END_TEST

Suite *tempfile_suite(void)
{
    Suite *s = suite_create("tempfile");
    TCase *t = tcase_create("tempfile");
    tcase_add_test(t, tempfile_commit_should_put_the_whole_file_under_its_name);
    tcase_add_test(t, tempfile_abort_should_leave_the_old_file_and_no_temporary);
    tcase_add_test(t, tempfile_create_should_fail_cleanly_where_it_cannot_write);
    tcase_add_test(t, tempfile_commit_should_rename_a_file_written_by_name);
    tcase_add_test(t, tempfile_batch_should_write_whole_files_and_sync_once);
    tcase_add_test(t, tempfile_create_should_sweep_what_dead_writers_left);
    suite_add_tcase(s, t);
    return s;
}
