/*
 * test_helpers.h - shared by the test files: run ./eventmap and capture what
 * it prints, find fixtures, make temporary files.
 */
#ifndef EVENTMAP_TEST_HELPERS_H
#define EVENTMAP_TEST_HELPERS_H

#include <stddef.h>

typedef struct {
    int status;   /* exit code, or 128+signal when killed */
    char *out;    /* everything written to stdout, NUL-terminated; free with run_result_free */
    char *err;    /* everything written to stderr */
} run_result;

/* Run a shell command line (sh -c) with stdin from /dev/null, or from the
 * string input when not NULL.  The binary under test is $EVENTMAP_BIN
 * (default ./eventmap); write it as "@" at the start of cmd. */
run_result run_cmd(const char *input, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void run_result_free(run_result *r);

/* Run a command line as run_cmd does, with standard error a pseudo-terminal
 * (the child's controlling terminal, as in an interactive shell) and stdin
 * /dev/null: r.err is everything written to the terminal, control
 * characters and all. */
run_result run_cmd_tty(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Path of the default gazetteer index the tests use ($EVENTMAP_GAZETTEER). */
const char *test_gazetteer(void);
/* A fresh temporary directory, removed at exit. Borrowed. */
const char *test_tmpdir(void);
/* Write text to a new file under test_tmpdir(); returns its path (caller frees). */
char *test_write_file(const char *name, const char *text);
/* Whole file as a string (caller frees); NULL when unreadable. */
char *test_read_file(const char *path, size_t *len);

/* Run geojsonhint (the pinned copy in .cache/tools/, under $EVENTMAP_HOME
 * when that is set; `sh scripts/setup.sh tools` installs it) on the file at
 * path.  Returns 1 when it reports nothing; 0 when it reports a problem,
 * with *message its report (one "FILE: line N - what - level" per problem);
 * -1 when the tool is not installed or cannot run, with *message saying so.
 * *message is set only when 1 is not returned; caller frees it. */
int test_geojson_valid(const char *path, char **message);

/* The point of a GeoPackage binary geometry blob of len bytes, read by the
 * tests' own decoder: 1 with *lon and *lat, 0 for an empty point (NaN
 * coordinates and the empty flag) or NULL, -1 when it is not a point in
 * GeoPackage binary or its empty flag disagrees with its coordinates. */
int test_gpkg_point(const void *blob, size_t len, double *lon, double *lat);

/* What the store file at path says of itself, read with SQLite alone:
 * PRAGMA integrity_check and rtreecheck pass, the R*Tree's six triggers
 * are there, the R*Tree holds exactly the located events (each in a box of
 * 32-bit floats around its point), and gpkg_contents' extent is the
 * points' (exact_extent) or holds them (NULL without a point).  NULL when
 * all is so, else what is not, one line each (caller frees). */
char *test_store_check(const char *path, int exact_extent);

/* Say, in the run's summary, that a check of suite was not run and why: a
 * test that needs what this machine lacks is not added to its suite (so it
 * cannot pass silently) and calls this from its suite function instead.
 * The runner prints every such note, marked NOT RUN, just before Check's
 * summary line (unless CK_RUN_SUITE runs another suite).  Only from a suite
 * function (the runner's process). */
void test_not_run(const char *suite, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The notes given to test_not_run, one a line ("" when none); borrowed. */
const char *test_not_run_notes(void);

/* The events of the store db (a path or a URL) as `eventmap export
 * --format csv` writes them; fails the test when the export fails.
 * Caller frees. */
char *test_export_csv(const char *db);

/* PostgreSQL + PostGIS for the cases of the PostGIS back end: a server of
 * the tests' own (tests/pg/pg.sh), in a directory under /tmp on a unix
 * socket, started by the first call (from a suite function, in the
 * runner's process) and stopped when the runner exits.  PGHOST, PGPORT and
 * PGUSER then point at it, for this process and the commands it runs.
 * Returns 1 when it runs; 0 when it cannot start, with a NOT RUN note for
 * suite saying why (or when CK_RUN_SUITE asks for another suite). */
int test_pg_start(const char *suite);
/* The server's directory (its socket's), or NULL when it is not running. */
const char *test_pg_dir(void);
/* A fresh database with PostGIS (a copy of the template pg.sh makes), as
 * a postgresql:///NAME URL (caller frees); NULL when the server is not
 * running or the copy failed (the reason on stderr).  From a test. */
char *test_pg_new_db(void);
/* Run sql in the database db (a name or a postgresql:// URL): 0, or -1 with the reason
 * on stderr.  When out is not NULL, *out is the rows, fields joined by
 * '|', a line each (caller frees). */
int test_pg_exec(const char *db, const char *sql, char **out);

#endif
