/*
 * test_bad_input.c - the bad-input corpus: every malformed file of
 * tests/bad-input/ and every bad command-line argument listed in
 * tests/bad-input/cases.tsv is run through ./eventmap, and each must give its
 * exact exit status and exact standard error, write nothing to standard
 * output (unless the case says "any"), leave no file behind (no -o output,
 * no tile directory, no new store, no journal) and leave the store it was
 * pointed at byte-identical.  Inputs too big to commit (a 20 MiB CSV record,
 * 10^6 columns, a 17 MiB GeoJSON feature, 257 MiB of text, 2 MiB GeoNames and
 * curated lines) are generated here, under test_tmpdir().
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gazetteer/gazetteer_int.h"
#include "test_helpers.h"
#include "util/strbuf.h"

#define CORPUS_DIR "tests/bad-input"
#define MANIFEST CORPUS_DIR "/cases.tsv"
#define MIN_CORPUS_FILES 40

/* The second line import prints after a bad file, {db} already expanded. */
#define NOTHING_IMPORTED "eventmap import: nothing imported; %s is as it was\n"

typedef struct {
    size_t line;      /* in cases.tsv */
    char *file;       /* corpus file name, or "-" */
    int exit_code;
    int stdout_any;   /* 0: standard output must stay empty */
    char *command;    /* with placeholders */
    char *want_err;   /* unescaped, with placeholders */
} bad_case;

/* ------------------------------------------------------------ helpers */

/* \n, \t and \\ of the manifest's STDERR column. Caller frees. */
static char *unescape(const char *s)
{
    strbuf sb = STRBUF_INIT;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            char c = *s == 'n' ? '\n' : *s == 't' ? '\t' : *s;
            sb_add(&sb, &c, 1);
        } else {
            sb_add(&sb, s, 1);
        }
    }
    return sb_detach(&sb, NULL);
}

/* The cases of cases.tsv; *n their number. Caller frees with free_cases. */
static bad_case *load_cases(size_t *n)
{
    size_t len;
    char *text = test_read_file(MANIFEST, &len);
    ck_assert_msg(text != NULL, "cannot read %s", MANIFEST);
    bad_case *cases = NULL;
    size_t n_cases = 0, lineno = 0;
    char *save = text;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        lineno++;
        if (*line && *line != '#') {
            char *col[5];
            size_t n_col = 0;
            char *p = line;
            while (n_col < 5) {
                col[n_col++] = p;
                char *tab = strchr(p, '\t');
                if (!tab) break;
                *tab = '\0';
                p = tab + 1;
            }
            ck_assert_msg(n_col == 5, "%s:%zu: expected 5 tab-separated columns, found %zu", MANIFEST, lineno, n_col);
            ck_assert_msg(!strcmp(col[2], "empty") || !strcmp(col[2], "any"),
                          "%s:%zu: STDOUT \"%s\" is not empty or any", MANIFEST, lineno, col[2]);
            char *end;
            long code = strtol(col[1], &end, 10);
            ck_assert_msg(*col[1] && !*end && code >= 0 && code < 256, "%s:%zu: EXIT \"%s\" is not a status",
                          MANIFEST, lineno, col[1]);
            cases = realloc(cases, (n_cases + 1) * sizeof(*cases));
            ck_assert_ptr_nonnull(cases);
            cases[n_cases++] = (bad_case){ lineno, strdup(col[0]), (int)code, !strcmp(col[2], "any"),
                                           strdup(col[3]), unescape(col[4]) };
        }
        line = nl ? nl + 1 : NULL;
    }
    free(save);
    *n = n_cases;
    return cases;
}

static void free_cases(bad_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cases[i].file);
        free(cases[i].command);
        free(cases[i].want_err);
    }
    free(cases);
}

/* Replace every {in}, {db}, {out}, {dir} and {cur/NAME} of tmpl; {db} is
 * db_url when not NULL, else DIR/store.db. */
static char *expand(const char *tmpl, const char *file, const char *dir, const char *db_url)
{
    strbuf sb = STRBUF_INIT;
    for (const char *p = tmpl; *p;) {
        if (!strncmp(p, "{in}", 4)) {
            sb_addf(&sb, "%s/%s", CORPUS_DIR, file);
            p += 4;
        } else if (!strncmp(p, "{db}", 4)) {
            if (db_url) sb_adds(&sb, db_url);
            else sb_addf(&sb, "%s/store.db", dir);
            p += 4;
        } else if (!strncmp(p, "{out}", 5)) {
            sb_addf(&sb, "%s/out", dir);
            p += 5;
        } else if (!strncmp(p, "{dir}", 5)) {
            sb_adds(&sb, dir);
            p += 5;
        } else if (!strncmp(p, "{cur/", 5) && strchr(p, '}')) {
            sb_addf(&sb, "%s/cur", dir);
            p = strchr(p, '}') + 1;
        } else {
            sb_add(&sb, p, 1);
            p++;
        }
    }
    return sb_detach(&sb, NULL);
}

static void write_bytes(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = test_read_file(from, &len);
    ck_assert_msg(data != NULL, "cannot read %s", from);
    write_bytes(to, data, len);
    free(data);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every path under dir, relative to it, sorted, one a line (appended to sb). */
static void list_tree(const char *dir, const char *rel, strbuf *sb)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s%s%s", dir, *rel ? "/" : "", rel);
    DIR *d = opendir(path.buf);
    if (!d) {
        sb_release(&path);
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
        names = realloc(names, (n + 1) * sizeof(char *));
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof(char *), by_name);
    for (size_t i = 0; i < n; i++) {
        strbuf sub = STRBUF_INIT;
        sb_addf(&sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        sb_addf(sb, "%s\n", sub.buf);
        list_tree(dir, sub.buf, sb);
        sb_release(&sub);
        free(names[i]);
    }
    free(names);
    sb_release(&path);
}

static char *tree_of(const char *dir)
{
    strbuf sb = STRBUF_INIT;
    list_tree(dir, "", &sb);
    return sb_detach(&sb, NULL);
}

/* A store holding the good seed events, made once per process. Borrowed. */
static const char *seed_store(void)
{
    static char *path;
    if (!path) {
        strbuf sb = STRBUF_INIT;
        sb_addf(&sb, "%s/seed.db", test_tmpdir());
        unlink(sb.buf);
        run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", sb.buf);
        ck_assert_msg(r.status == 0, "seeding the store failed: %s", r.err);
        run_result_free(&r);
        path = sb_detach(&sb, NULL);
    }
    return path;
}

/* A fresh directory under test_tmpdir(). Caller frees. */
static char *fresh_dir(const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", test_tmpdir(), name);
    run_result r = run_cmd(NULL, "rm -rf '%s' && mkdir -p '%s'", sb.buf, sb.buf);
    ck_assert_int_eq(r.status, 0);
    run_result_free(&r);
    return sb_detach(&sb, NULL);
}

/* Run one case; 0 when it behaves, else 1 with what went wrong on stderr.
 * db_url: {db} is that database (holding the seed events), which must read
 * the same after; else a copy of the seed store's file, which must stay
 * byte-identical. */
static int run_case(const bad_case *c, size_t index, const char *db_url)
{
    char name[64];
    snprintf(name, sizeof(name), "bad-input-%03zu", index);
    char *dir = fresh_dir(name);
    strbuf path = STRBUF_INIT, why = STRBUF_INIT;
    char *db_before = NULL;
    size_t db_len = 0;
    char *export_before = db_url ? test_export_csv(db_url) : NULL;
    if (!db_url && strstr(c->command, "{db}")) {
        sb_addf(&path, "%s/store.db", dir);
        copy_file(seed_store(), path.buf);
        db_before = test_read_file(path.buf, &db_len);
    }
    const char *cur = strstr(c->command, "{cur/");
    if (cur) {
        const char *close = strchr(cur, '}');
        sb_reset(&path);
        sb_addf(&path, "%s/cur", dir);
        ck_assert_int_eq(mkdir(path.buf, 0777), 0);
        sb_addf(&path, "/%.*s", (int)(close - cur - 5), cur + 5);
        strbuf from = STRBUF_INIT;
        sb_addf(&from, "%s/%s", CORPUS_DIR, c->file);
        copy_file(from.buf, path.buf);
        sb_release(&from);
    }
    char *tree_before = tree_of(dir);
    char *cmd = expand(c->command, c->file, dir, db_url);
    char *want = expand(c->want_err, c->file, dir, db_url);

    run_result r = run_cmd(NULL, "@ %s", cmd);
    if (r.status != c->exit_code) sb_addf(&why, "  exit %d, want %d\n", r.status, c->exit_code);
    if (strcmp(r.err, want)) sb_addf(&why, "  stderr: %s  want:   %s", r.err, want);
    if (!c->stdout_any && r.out[0]) sb_addf(&why, "  stdout is not empty: %.200s\n", r.out);
    char *tree_after = tree_of(dir);
    if (strcmp(tree_before, tree_after))
        sb_addf(&why, "  files before:\n%s  files after:\n%s", tree_before, tree_after);
    if (db_before) {
        size_t len;
        sb_reset(&path);
        sb_addf(&path, "%s/store.db", dir);
        char *db_after = test_read_file(path.buf, &len);
        if (!db_after || len != db_len || memcmp(db_before, db_after, len))
            sb_adds(&why, "  the store changed\n");
        free(db_after);
    }
    if (export_before) {
        char *export_after = test_export_csv(db_url);
        if (strcmp(export_before, export_after)) sb_adds(&why, "  the database's events changed\n");
        free(export_after);
        free(export_before);
    }
    int failed = why.len > 0;
    if (failed) fprintf(stderr, "%s:%zu: %s\n  command: %s\n%s", MANIFEST, c->line, c->file, cmd, why.buf);
    run_result_free(&r);
    free(tree_after);
    free(tree_before);
    free(cmd);
    free(want);
    free(db_before);
    sb_release(&path);
    sb_release(&why);
    run_result rm = run_cmd(NULL, "rm -rf '%s'", dir);
    run_result_free(&rm);
    free(dir);
    return failed;
}

/* ---------------------------------------------------------- the corpus */

START_TEST(bad_input_on_postgis_should_give_the_exact_error_and_change_nothing)
{
    /* every case whose store is --db {db}, with {db} a database */
    size_t n_cases, n_run = 0;
    bad_case *cases = load_cases(&n_cases);
    char *url = test_pg_new_db();
    ck_assert_ptr_nonnull(url);
    run_result r = run_cmd(NULL, "@ import examples/seed-events.csv --db %s", url);
    ck_assert_msg(r.status == 0, "seeding the database failed: %s", r.err);
    run_result_free(&r);
    strbuf failed = STRBUF_INIT;
    size_t n_failed = 0;
    for (size_t i = 0; i < n_cases; i++) {
        if (!strstr(cases[i].command, "--db {db}")) continue;
        n_run++;
        if (run_case(&cases[i], i, url)) {
            n_failed++;
            if (failed.len < 1500) sb_addf(&failed, " %zu:%s", cases[i].line, cases[i].file);
        }
    }
    ck_assert_uint_ge(n_run, 100);
    ck_assert_msg(n_failed == 0, "%zu of %zu cases of %s failed on PostGIS (details on stderr):%s", n_failed, n_run,
                  MANIFEST, failed.buf);
    sb_release(&failed);
    free_cases(cases, n_cases);
    free(url);
}
END_TEST

START_TEST(bad_input_corpus_should_have_a_case_for_every_file)
{
    size_t n_cases;
    bad_case *cases = load_cases(&n_cases);
    DIR *d = opendir(CORPUS_DIR);
    ck_assert_ptr_nonnull(d);
    size_t n_files = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "cases.tsv")) continue;
        n_files++;
        int has_case = 0;
        for (size_t i = 0; i < n_cases && !has_case; i++) has_case = !strcmp(cases[i].file, de->d_name);
        ck_assert_msg(has_case, "%s/%s has no case in %s", CORPUS_DIR, de->d_name, MANIFEST);
    }
    closedir(d);
    ck_assert_msg(n_files >= MIN_CORPUS_FILES, "%zu malformed files, want at least %d", n_files, MIN_CORPUS_FILES);
    for (size_t i = 0; i < n_cases; i++) {
        if (!strcmp(cases[i].file, "-")) {
            ck_assert_msg(!strstr(cases[i].command, "{in}") && !strstr(cases[i].command, "{cur/"),
                          "%s:%zu: {in} in a case without a file", MANIFEST, cases[i].line);
            continue;
        }
        strbuf path = STRBUF_INIT;
        sb_addf(&path, "%s/%s", CORPUS_DIR, cases[i].file);
        ck_assert_msg(access(path.buf, R_OK) == 0, "%s:%zu: no file %s", MANIFEST, cases[i].line, path.buf);
        ck_assert_msg(strstr(cases[i].command, "{in}") || strstr(cases[i].command, "{cur/"),
                      "%s:%zu: the command does not read %s", MANIFEST, cases[i].line, cases[i].file);
        sb_release(&path);
    }
    free_cases(cases, n_cases);
}
END_TEST

START_TEST(bad_input_should_give_the_exact_error_and_change_nothing)
{
    size_t n_cases;
    bad_case *cases = load_cases(&n_cases);
    ck_assert_uint_ge(n_cases, MIN_CORPUS_FILES);
    strbuf failed = STRBUF_INIT;
    size_t n_failed = 0;
    for (size_t i = 0; i < n_cases; i++) {
        if (run_case(&cases[i], i, NULL)) {
            n_failed++;
            if (failed.len < 1500) sb_addf(&failed, " %zu:%s", cases[i].line, cases[i].file);
        }
    }
    ck_assert_msg(n_failed == 0, "%zu of %zu cases of %s failed (details on stderr):%s", n_failed, n_cases,
                  MANIFEST, failed.buf);
    sb_release(&failed);
    free_cases(cases, n_cases);
}
END_TEST

/* ------------------------------------------------------- huge inputs */

/* Write head, then n_fill copies of fill, then tail, to a new file under dir. */
static char *write_huge(const char *dir, const char *name, const char *head, char fill, size_t n_fill,
                        const char *tail)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/%s", dir, name);
    FILE *f = fopen(path.buf, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path.buf);
    fputs(head, f);
    char chunk[65536];
    memset(chunk, fill, sizeof(chunk));
    for (size_t left = n_fill; left;) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        ck_assert_uint_eq(fwrite(chunk, 1, n, f), n);
        left -= n;
    }
    fputs(tail, f);
    ck_assert_int_eq(fclose(f), 0);
    return sb_detach(&path, NULL);
}

/* Import path into a copy of the seed store in dir: exit 1, exactly
 * "PATH:LINE: WHY" then import's "nothing imported" line, nothing on stdout,
 * the store as it was and nothing new in dir. */
static void check_import_refuses(const char *dir, const char *path, size_t line, const char *why)
{
    strbuf db = STRBUF_INIT, want = STRBUF_INIT;
    sb_addf(&db, "%s/store.db", dir);
    copy_file(seed_store(), db.buf);
    size_t len_before;
    char *before = test_read_file(db.buf, &len_before);
    char *tree_before = tree_of(dir);
    run_result r = run_cmd(NULL, "@ import %s --db %s", path, db.buf);
    sb_addf(&want, "%s:%zu: %s\n" NOTHING_IMPORTED, path, line, why, db.buf);
    ck_assert_str_eq(r.err, want.buf);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    size_t len_after;
    char *after = test_read_file(db.buf, &len_after);
    ck_assert_msg(after && len_after == len_before && !memcmp(before, after, len_before), "the store changed");
    char *tree_after = tree_of(dir);
    ck_assert_str_eq(tree_after, tree_before);
    run_result_free(&r);
    free(tree_before);
    free(tree_after);
    free(before);
    free(after);
    sb_release(&db);
    sb_release(&want);
}

START_TEST(import_should_refuse_a_csv_record_over_16_mib)
{
    char *dir = fresh_dir("huge-record");
    /* a good row, then a 20 MiB record that starts on line 3 and holds line breaks */
    char *path = write_huge(dir, "record-20mib.csv",
                            "event_date,location,latitude,longitude\n2024-01-01,A,33,36\n2024-01-02,\"B\n\n",
                            'x', (size_t)20 << 20, "\",33,36\n2024-01-03,C,33,36\n");
    check_import_refuses(dir, path, 3, "record longer than 16 MiB (the limit)");
    unlink(path);
    free(path);
    free(dir);
}
END_TEST

START_TEST(import_should_refuse_a_header_of_a_million_columns)
{
    char *dir = fresh_dir("huge-columns");
    strbuf head = STRBUF_INIT;
    sb_adds(&head, "event_date,location,latitude,longitude");
    for (int i = 4; i < 1000000; i++) sb_addf(&head, ",c%d", i);
    sb_adds(&head, "\n2024-01-01,A,33,36\n");
    char *path = write_huge(dir, "columns-1e6.csv", head.buf, ' ', 0, "");
    check_import_refuses(dir, path, 1, "more than 4096 columns (the limit)");
    unlink(path);
    sb_release(&head);
    free(path);
    free(dir);
}
END_TEST

START_TEST(import_should_refuse_a_geojson_feature_over_16_mib)
{
    char *dir = fresh_dir("huge-feature");
    char *path = write_huge(dir, "feature-17mib.geojson",
                            "{\"type\":\"FeatureCollection\",\"features\":[\n"
                            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[36,33]},"
                            "\"properties\":{\"event_date\":\"2024-01-01\"}},\n"
                            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[36,33]},"
                            "\"properties\":{\"event_date\":\"2024-01-02\",\"notes\":\"",
                            'x', (size_t)17 << 20, "\"}}\n]}\n");
    check_import_refuses(dir, path, 3, "feature longer than 16 MiB (the limit)");
    unlink(path);
    free(path);
    free(dir);
}
END_TEST

START_TEST(geoparse_should_refuse_text_over_256_mib)
{
    char *dir = fresh_dir("huge-text");
    /* a sentence, then blank lines: cheap for any reader that gets that far */
    char *path = write_huge(dir, "text-257mib.txt", "A raid in al-Dumair, northeast of Damascus.\n", '\n',
                            (size_t)257 << 20, "");
    char *tree_before = tree_of(dir);
    run_result r = run_cmd(NULL, "@ geoparse %s", path);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%s: text larger than 256 MiB (the limit)\n", path);
    unlink(path);
    ck_assert_str_eq(r.err, want.buf);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *tree_after = tree_of(dir);
    ck_assert_str_eq(tree_after, "");
    run_result_free(&r);
    sb_release(&want);
    free(tree_before);
    free(tree_after);
    free(path);
    free(dir);
}
END_TEST

/* gazetteer build with args: exit 1, exactly want, no index written. */
static void check_build_refuses(const char *dir, const char *args, const char *want)
{
    char *tree_before = tree_of(dir);
    run_result r = run_cmd(NULL, "@ gazetteer build --no-countries %s -o %s/out.idx", args, dir);
    ck_assert_str_eq(r.err, want);
    ck_assert_int_eq(r.status, 1);
    ck_assert_str_eq(r.out, "");
    char *tree_after = tree_of(dir);
    ck_assert_str_eq(tree_after, tree_before);
    run_result_free(&r);
    free(tree_before);
    free(tree_after);
}

START_TEST(gazetteer_build_should_refuse_a_geonames_line_over_1_mib)
{
    char *dir = fresh_dir("huge-geonames");
    char *path = write_huge(dir, "geonames-2mib.txt",
                            "170589\tAd Dumayr\tAd Dumayr\t\t33.64389\t36.69376\tP\tPPLA3\tSY\t\t08\t\t\t\t0\t\t650"
                            "\tAsia/Damascus\t2024-01-01\n170654\t",
                            'D', (size_t)2 << 20,
                            "\tDamascus\t\t33.5\t36.3\tP\tPPLC\tSY\t\t13\t\t\t\t0\t\t690\tAsia/Damascus\t2024-01-01\n");
    strbuf args = STRBUF_INIT, want = STRBUF_INIT;
    sb_addf(&args, "--curated /nonexistent --geonames %s", path);
    sb_addf(&want, "eventmap gazetteer build: %s:2: line longer than 1 MiB (the limit)\n", path);
    check_build_refuses(dir, args.buf, want.buf);
    unlink(path);
    sb_release(&args);
    sb_release(&want);
    free(path);
    free(dir);
}
END_TEST

START_TEST(gazetteer_build_should_refuse_a_curated_line_over_1_mib)
{
    char *dir = fresh_dir("huge-curated");
    strbuf cur = STRBUF_INIT;
    sb_addf(&cur, "%s/cur", dir);
    ck_assert_int_eq(mkdir(cur.buf, 0777), 0);
    char *path = write_huge(cur.buf, "places.tsv",
                            "id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon"
                            "\tsource\neventmap:a\tA base\t\t33.6\t36.7\tS.MILB\tSY\t08\t0\t\t\ttest\n"
                            "eventmap:b\tB base\t",
                            'B', (size_t)2 << 20, "\t33.6\t36.7\tS.MILB\tSY\t08\t0\t\t\ttest\n");
    strbuf args = STRBUF_INIT, want = STRBUF_INIT;
    sb_addf(&args, "--curated %s --geonames tests/data/gaz-small/geonames.txt", cur.buf);
    sb_addf(&want, "eventmap gazetteer build: %s:3: line longer than 1 MiB (the limit)\n", path);
    check_build_refuses(dir, args.buf, want.buf);
    unlink(path);
    sb_release(&cur);
    sb_release(&args);
    sb_release(&want);
    free(path);
    free(dir);
}
END_TEST

/* An index whose places or names section was overwritten (a bad disk, a
 * half-copied file) passes the header's checks; a query must still end with
 * an error, not a crash. */
START_TEST(resolve_should_refuse_a_corrupt_gazetteer_index)
{
    char *dir = fresh_dir("corrupt-index");
    run_result r = run_cmd(NULL, "@ gazetteer build --no-countries --curated tests/data/gaz-small --geonames "
                                 "tests/data/gaz-small/geonames.txt -o %s/good.idx", dir);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/good.idx", dir);
    size_t len;
    char *good = test_read_file(path.buf, &len);
    ck_assert_ptr_nonnull(good);
    ck_assert_uint_ge(len, sizeof(gaz_header));
    gaz_header h;
    memcpy(&h, good, sizeof(h));
    const struct {
        const char *name;
        uint64_t off, end;
    } sections[] = {
        { "places", h.off_places, h.off_names },
        { "names", h.off_names, h.off_keys },
        { "keys", h.off_keys, h.off_plain },
    };
    for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
        ck_assert(sections[i].off < sections[i].end && sections[i].end <= len);
        char *bad = malloc(len);
        memcpy(bad, good, len);
        memset(bad + sections[i].off, 0xff, (size_t)(sections[i].end - sections[i].off));
        sb_reset(&path);
        sb_addf(&path, "%s/%s-ff.idx", dir, sections[i].name);
        write_bytes(path.buf, bad, len);
        free(bad);
        r = run_cmd(NULL, "@ resolve --json --gazetteer %s Idlib al-Dumair Hasakah", path.buf);
        strbuf want = STRBUF_INIT;
        sb_addf(&want, "eventmap resolve: %s: gazetteer index is truncated or corrupt; rebuild it\n"
                       "hint: run 'make' to build the default index, or 'eventmap gazetteer build'\n", path.buf);
        ck_assert_msg(r.status == 1 && !strcmp(r.err, want.buf) && !r.out[0],
                      "%s section overwritten: exit %d, stderr %.300s, stdout %.100s", sections[i].name, r.status,
                      r.err, r.out);
        run_result_free(&r);
        sb_release(&want);
    }
    free(good);
    sb_release(&path);
    free(dir);
}
END_TEST

Suite *bad_input_suite(void)
{
    Suite *s = suite_create("bad_input");
    TCase *t = tcase_create("corpus");
    tcase_set_timeout(t, 900);
    tcase_add_test(t, bad_input_corpus_should_have_a_case_for_every_file);
    tcase_add_test(t, bad_input_should_give_the_exact_error_and_change_nothing);
    if (test_pg_start("bad_input")) tcase_add_test(t, bad_input_on_postgis_should_give_the_exact_error_and_change_nothing);
    suite_add_tcase(s, t);
    t = tcase_create("generated");
    tcase_set_timeout(t, 900);
    tcase_add_test(t, import_should_refuse_a_csv_record_over_16_mib);
    tcase_add_test(t, import_should_refuse_a_header_of_a_million_columns);
    tcase_add_test(t, import_should_refuse_a_geojson_feature_over_16_mib);
    tcase_add_test(t, geoparse_should_refuse_text_over_256_mib);
    tcase_add_test(t, gazetteer_build_should_refuse_a_geonames_line_over_1_mib);
    tcase_add_test(t, gazetteer_build_should_refuse_a_curated_line_over_1_mib);
    tcase_add_test(t, resolve_should_refuse_a_corrupt_gazetteer_index);
    suite_add_tcase(s, t);
    return s;
}
