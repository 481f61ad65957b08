/*
 * helpers.c - the test helpers declared in tests/test_helpers.h.
 */
#define _XOPEN_SOURCE 700 /* posix_openpt, grantpt, unlockpt, ptsname */
#include "test_helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/banned.h"

static char tmpdir_path[256];
static strbuf not_run = STRBUF_INIT;

void test_not_run(const char *suite, const char *fmt, ...)
{
    const char *only = getenv("CK_RUN_SUITE");
    if (only && *only && strcmp(only, suite) != 0) return; /* not asked for */
    va_list ap;
    va_start(ap, fmt);
    sb_adds(&not_run, "NOT RUN: ");
    sb_vaddf(&not_run, fmt, ap);
    sb_addch(&not_run, '\n');
    va_end(ap);
}

const char *test_not_run_notes(void)
{
    return not_run.buf;
}

static void remove_tmpdir(void)
{
    if (!tmpdir_path[0]) return;
    strbuf cmd = STRBUF_INIT;
    sb_addf(&cmd, "rm -rf '%s'", tmpdir_path);
    if (system(cmd.buf) != 0) fprintf(stderr, "could not remove %s\n", tmpdir_path);
    sb_release(&cmd);
}

const char *test_tmpdir(void)
{
    if (!tmpdir_path[0]) {
        snprintf(tmpdir_path, sizeof(tmpdir_path), "/tmp/eventmap-test-%ld-XXXXXX", (long)getpid());
        if (!mkdtemp(tmpdir_path)) {
            perror("mkdtemp");
            abort();
        }
        atexit(remove_tmpdir);
    }
    return tmpdir_path;
}

const char *test_gazetteer(void)
{
    const char *p = getenv("EVENTMAP_GAZETTEER");
    return p && *p ? p : ".cache/gazetteer.idx";
}

char *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    strbuf sb = STRBUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) sb_add(&sb, chunk, n);
    fclose(f);
    return sb_detach(&sb, len);
}

char *test_write_file(const char *name, const char *text)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/%s", test_tmpdir(), name);
    FILE *f = fopen(path.buf, "wb");
    if (!f) {
        perror(path.buf);
        abort();
    }
    fwrite(text, 1, strlen(text), f);
    fclose(f);
    return sb_detach(&path, NULL);
}

/* The command line of a run: fmt's text, "@" at its start standing for
 * the binary under test ($EVENTMAP_BIN, default ./eventmap). */
static void command_line(strbuf *cmd, const char *fmt, va_list ap)
{
    strbuf body = STRBUF_INIT;
    sb_vaddf(&body, fmt, ap);
    const char *bin = getenv("EVENTMAP_BIN");
    if (!bin || !*bin) bin = "./eventmap";
    if (body.buf[0] == '@') {
        sb_adds(cmd, bin);
        sb_adds(cmd, body.buf + 1);
    } else {
        sb_adds(cmd, body.buf);
    }
    sb_release(&body);
}

run_result run_cmd(const char *input, const char *fmt, ...)
{
    run_result r = { -1, NULL, NULL };
    strbuf cmd = STRBUF_INIT;
    const char *tmp = test_tmpdir();
    static int seq;
    seq++;
    strbuf out_path = STRBUF_INIT, err_path = STRBUF_INIT, in_path = STRBUF_INIT;
    sb_addf(&out_path, "%s/run%d.out", tmp, seq);
    sb_addf(&err_path, "%s/run%d.err", tmp, seq);
    if (input) {
        sb_addf(&in_path, "%s/run%d.in", tmp, seq);
        FILE *f = fopen(in_path.buf, "wb");
        if (!f) abort();
        fwrite(input, 1, strlen(input), f);
        fclose(f);
    } else {
        sb_adds(&in_path, "/dev/null");
    }
    sb_adds(&cmd, "( ");
    va_list ap;
    va_start(ap, fmt);
    command_line(&cmd, fmt, ap);
    va_end(ap);
    sb_addf(&cmd, " ) <'%s' >'%s' 2>'%s'", in_path.buf, out_path.buf, err_path.buf);
    int st = system(cmd.buf);
    if (st == -1) r.status = -1;
    else if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
    else if (WIFSIGNALED(st)) r.status = 128 + WTERMSIG(st);
    r.out = test_read_file(out_path.buf, NULL);
    r.err = test_read_file(err_path.buf, NULL);
    if (!r.out) r.out = xstrdup("");
    if (!r.err) r.err = xstrdup("");
    sb_release(&cmd);
    sb_release(&out_path);
    sb_release(&err_path);
    sb_release(&in_path);
    return r;
}

run_result run_cmd_tty(const char *fmt, ...)
{
    run_result r = { -1, NULL, NULL };
    strbuf cmd = STRBUF_INIT, out_path = STRBUF_INIT, term = STRBUF_INIT;
    static int seq;
    sb_addf(&out_path, "%s/tty%d.out", test_tmpdir(), ++seq);
    va_list ap;
    va_start(ap, fmt);
    command_line(&cmd, fmt, ap);
    va_end(ap);
    sb_addf(&cmd, " </dev/null >'%s'", out_path.buf);

    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) abort();
    const char *slave_name = ptsname(master);
    if (!slave_name) abort();
    pid_t pid = fork();
    if (pid < 0) abort();
    if (pid == 0) {
        /* the child: a session of its own whose terminal is the slave */
        setsid();
        int slave = open(slave_name, O_RDWR);
        if (slave < 0) _exit(127);
        dup2(slave, STDERR_FILENO);
        if (slave != STDERR_FILENO) close(slave);
        close(master);
        execl("/bin/sh", "sh", "-c", cmd.buf, (char *)NULL);
        _exit(127);
    }
    /* read until every writer of the slave is gone (EIO), then reap */
    char buf[4096];
    for (;;) {
        ssize_t got = read(master, buf, sizeof(buf));
        if (got > 0) sb_add(&term, buf, (size_t)got);
        else if (got < 0 && errno == EINTR) continue;
        else break;
    }
    close(master);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(st)) r.status = WEXITSTATUS(st);
    else if (WIFSIGNALED(st)) r.status = 128 + WTERMSIG(st);
    r.out = test_read_file(out_path.buf, NULL);
    if (!r.out) r.out = xstrdup("");
    r.err = sb_detach(&term, NULL);
    sb_release(&cmd);
    sb_release(&out_path);
    return r;
}

void run_result_free(run_result *r)
{
    free(r->out);
    free(r->err);
    r->out = r->err = NULL;
}

int test_geojson_valid(const char *path, char **message)
{
    strbuf tool = STRBUF_INIT;
    const char *home = getenv("EVENTMAP_HOME");
    if (home && *home) sb_addf(&tool, "%s/", home);
    sb_adds(&tool, ".cache/tools/node_modules/.bin/geojsonhint");
    int valid = -1;
    *message = NULL;
    if (access(tool.buf, X_OK) != 0) {
        strbuf msg = STRBUF_INIT;
        sb_addf(&msg, "geojsonhint not installed at '%s': run 'sh scripts/setup.sh tools'", tool.buf);
        *message = sb_detach(&msg, NULL);
    } else if (strchr(tool.buf, '\'') || strchr(path, '\'')) {
        *message = xstrdup("test_geojson_valid: a path holds a single quote");
    } else {
        run_result r = run_cmd(NULL, "'%s' -f compact '%s'", tool.buf, path);
        if (r.status == 0 && !r.out[0] && !r.err[0]) {
            valid = 1;
        } else {
            strbuf msg = STRBUF_INIT;
            sb_adds(&msg, r.out);
            sb_adds(&msg, r.err);
            /* 126/127: the shell could not run it (no node?) */
            if (r.status == 126 || r.status == 127 || r.status < 0) {
                sb_addf(&msg, "geojsonhint could not run (status %d)", r.status);
            } else {
                valid = 0;
                if (!msg.len) sb_addf(&msg, "geojsonhint exited with status %d", r.status);
            }
            *message = sb_detach(&msg, NULL);
        }
        run_result_free(&r);
    }
    sb_release(&tool);
    return valid;
}

char *test_export_csv(const char *db)
{
    run_result r = run_cmd(NULL, "@ export --db %s --format csv", db);
    if (r.status != 0) {
        fprintf(stderr, "export --db %s: exit %d: %s", db, r.status, r.err);
        abort(); /* the test's process: Check reports it */
    }
    char *out = r.out;
    r.out = NULL;
    run_result_free(&r);
    return out;
}

/* ---------------------------------------------------------------- PostgreSQL */

static char pg_dir[64];
static int pg_state;              /* 0: not tried; 1: running; -1: could not start */
static char pg_why[512];
static pid_t pg_owner;            /* the process that started it, and stops it at exit */

static void pg_stop(void)
{
    if (getpid() != pg_owner) return; /* a test's forked process */
    strbuf cmd = STRBUF_INIT;
    sb_addf(&cmd, "sh tests/pg/pg.sh stop '%s'", pg_dir);
    if (system(cmd.buf) != 0) fprintf(stderr, "could not stop the PostgreSQL of %s\n", pg_dir);
    sb_release(&cmd);
}

/* Start the server once: 1 when it runs, else 0 with pg_why. */
static int pg_start(void)
{
    if (pg_state) return pg_state > 0;
    pg_state = -1;
    snprintf(pg_dir, sizeof(pg_dir), "/tmp/eventmap-pg-%ld", (long)getpid());
    strbuf cmd = STRBUF_INIT;
    sb_addf(&cmd, "rm -rf '%s'; sh tests/pg/pg.sh start '%s' 2>&1", pg_dir, pg_dir);
    FILE *p = popen(cmd.buf, "r");
    sb_release(&cmd);
    if (!p) {
        snprintf(pg_why, sizeof(pg_why), "cannot run tests/pg/pg.sh: %s", strerror(errno));
        return 0;
    }
    size_t n = fread(pg_why, 1, sizeof(pg_why) - 1, p);
    pg_why[n] = '\0';
    int status = pclose(p);
    pg_owner = getpid();
    atexit(pg_stop); /* also after a failed start: whatever it left */
    if (status != 0) {
        for (char *c = pg_why; *c; c++)
            if (*c == '\n') *c = c[1] ? ' ' : '\0';
        if (!pg_why[0]) snprintf(pg_why, sizeof(pg_why), "tests/pg/pg.sh failed");
        return 0;
    }
    /* libpq's own variables, so that a URL needs no host or user: the
     * commands the tests run inherit them */
    setenv("PGHOST", pg_dir, 1);
    setenv("PGPORT", "5432", 1);
    setenv("PGUSER", "postgres", 1);
    unsetenv("PGPASSWORD");
    unsetenv("PGDATABASE");
    unsetenv("PGSERVICE");
    unsetenv("PGOPTIONS");
    pg_state = 1;
    return 1;
}

int test_pg_start(const char *suite)
{
    const char *only = getenv("CK_RUN_SUITE");
    if (only && *only && strcmp(only, suite) != 0) return 0; /* not asked for */
    if (pg_start()) return 1;
    test_not_run(suite, "the %s suite's cases on the PostGIS back end: PostgreSQL + PostGIS did not start (%s)",
                 suite, pg_why);
    return 0;
}

const char *test_pg_dir(void)
{
    return pg_state > 0 ? pg_dir : NULL;
}

/* Run sql in database db; 0, or -1 with the message on stderr. */
int test_pg_exec(const char *db, const char *sql, char **out)
{
    const char *const keys[] = { "dbname", NULL }, *const values[] = { db, NULL };
    PGconn *c = PQconnectdbParams(keys, values, 1);
    int rc = 0;
    if (out) *out = NULL;
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "test_pg_exec: %s", PQerrorMessage(c));
        rc = -1;
    } else {
        PGresult *res = PQexec(c, sql);
        ExecStatusType st = PQresultStatus(res);
        if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
            fprintf(stderr, "test_pg_exec: %s: %s", sql, PQresultErrorMessage(res));
            rc = -1;
        } else if (out) {
            /* the rows, their fields joined by '|', one a line */
            strbuf sb = STRBUF_INIT;
            for (int i = 0; i < PQntuples(res); i++) {
                for (int j = 0; j < PQnfields(res); j++) {
                    if (j) sb_addch(&sb, '|');
                    sb_adds(&sb, PQgetvalue(res, i, j));
                }
                sb_addch(&sb, '\n');
            }
            *out = sb_detach(&sb, NULL);
        }
        PQclear(res);
    }
    PQfinish(c);
    return rc;
}

char *test_pg_new_db(void)
{
    static unsigned n;
    if (pg_state <= 0) return NULL;
    char name[64];
    snprintf(name, sizeof(name), "t_%ld_%u", (long)getpid(), ++n);
    strbuf sql = STRBUF_INIT;
    sb_addf(&sql, "CREATE DATABASE %s TEMPLATE eventmap_template STRATEGY FILE_COPY", name);
    int rc = test_pg_exec("postgres", sql.buf, NULL);
    sb_release(&sql);
    if (rc < 0) return NULL;
    strbuf url = STRBUF_INIT;
    sb_addf(&url, "postgresql:///%s", name);
    return sb_detach(&url, NULL);
}
