/*
 * test_csv.c - the RFC 4180 reader (src/events/csv.c) against the records it
 * was generated from and against libcsv, on files large enough to cross its
 * 1 MiB buffer many times, with a field larger than the buffer.
 */
#include <check.h>
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/events_int.h"
#include "util/strbuf.h"

static uint64_t seed = 42;

static uint32_t rnd(uint32_t n)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(seed >> 33) % n;
}

typedef struct {
    char **fields;     /* every record's fields, one after another */
    size_t *counts;    /* fields per record */
    size_t *lines;     /* the line each record starts on */
    size_t n_fields, n_records;
} truth;

/* A random field: letters, Arabic, commas, quotes, line breaks, spaces. */
static char *random_field(size_t max)
{
    static const char *const bits[] = { "a", "b", "Z", "0", "7", ",", "\"", "\n", "\r\n", " ", "\t", "é", "الحسكة", "-", "." };
    strbuf sb = STRBUF_INIT;
    size_t len = rnd((uint32_t)max + 1);
    for (size_t i = 0; i < len; i++) sb_adds(&sb, bits[rnd(sizeof(bits) / sizeof(bits[0]))]);
    return sb_detach(&sb, NULL);
}

static int needs_quotes(const char *f)
{
    size_t n = strlen(f);
    return strpbrk(f, ",\"\r\n") != NULL || (n && (f[0] == ' ' || f[0] == '\t' || f[n - 1] == ' ' || f[n - 1] == '\t'));
}

static char *generate(truth *t, size_t n_records, int crlf, int bom, size_t huge_at)
{
    strbuf sb = STRBUF_INIT;
    size_t line = 1, cap_f = 0;
    memset(t, 0, sizeof(*t));
    t->counts = calloc(n_records, sizeof(size_t));
    t->lines = calloc(n_records, sizeof(size_t));
    if (bom) sb_adds(&sb, "\xEF\xBB\xBF");
    for (size_t r = 0; r < n_records; r++) {
        size_t nf = 1 + rnd(6);
        t->lines[r] = line;
        t->counts[r] = nf;
        for (size_t i = 0; i < nf; i++) {
            char *f;
            if (r == huge_at && i == 0) {
                strbuf h = STRBUF_INIT;
                for (size_t k = 0; k < (3u << 20) / 10; k++) sb_adds(&h, "big \"x\",\n ");
                f = sb_detach(&h, NULL);
            } else {
                f = random_field(12);
            }
            if (nf == 1 && !*f) { /* a lone empty field is a blank line: give it text */
                free(f);
                f = strdup("x");
            }
            if (needs_quotes(f) || rnd(5) == 0) {
                sb_addch(&sb, '"');
                for (const char *p = f; *p; p++) {
                    if (*p == '"') sb_addch(&sb, '"');
                    sb_addch(&sb, *p);
                }
                sb_addch(&sb, '"');
            } else {
                sb_adds(&sb, f);
            }
            for (const char *p = f; *p; p++) line += *p == '\n';
            if (t->n_fields == cap_f) {
                cap_f = cap_f ? 2 * cap_f : 1024;
                t->fields = realloc(t->fields, cap_f * sizeof(char *));
            }
            t->fields[t->n_fields++] = f;
            if (i + 1 < nf) sb_addch(&sb, ',');
        }
        if (r + 1 < n_records || rnd(2)) {
            sb_adds(&sb, crlf ? "\r\n" : "\n");
            line++;
            if (rnd(20) == 0) { /* a blank line between records */
                sb_adds(&sb, "\n");
                line++;
            }
        }
    }
    t->n_records = n_records;
    return sb_detach(&sb, NULL);
}

static void free_truth(truth *t)
{
    for (size_t i = 0; i < t->n_fields; i++) free(t->fields[i]);
    free(t->fields);
    free(t->counts);
    free(t->lines);
}

/* libcsv, for comparison: every field in order, records counted. */
typedef struct {
    char **fields;
    size_t n, cap, records;
} lib_out;

static void lib_field(void *data, size_t len, void *ctx)
{
    lib_out *o = ctx;
    if (o->n == o->cap) {
        o->cap = o->cap ? 2 * o->cap : 1024;
        o->fields = realloc(o->fields, o->cap * sizeof(char *));
    }
    o->fields[o->n++] = strndup(data ? data : "", len);
}

static void lib_record(int c, void *ctx)
{
    (void)c;
    ((lib_out *)ctx)->records++;
}

static void check_file(size_t n_records, int crlf, int bom, size_t huge_at)
{
    truth t;
    char *text = generate(&t, n_records, crlf, bom, huge_at);
    size_t len = strlen(text);

    FILE *in = fmemopen(text, len, "r");
    ck_assert_ptr_nonnull(in);
    ev_csv *c = ev_csv_new(in);
    char **f;
    size_t n, line, k = 0, r = 0;
    const char *why = NULL;
    int got;
    while ((got = ev_csv_next(c, &f, &n, &line, &why)) == 1) {
        ck_assert_msg(r < t.n_records, "more records than written");
        ck_assert_msg(n == t.counts[r], "record %zu: %zu fields, wrote %zu", r, n, t.counts[r]);
        ck_assert_msg(line == t.lines[r], "record %zu: line %zu, starts on %zu", r, line, t.lines[r]);
        ck_assert(ev_csv_utf8_ok(c));
        for (size_t i = 0; i < n; i++, k++) ck_assert_str_eq(f[i], t.fields[k]);
        r++;
    }
    ck_assert_msg(got == 0, "error: %s", why ? why : "?");
    ck_assert_uint_eq(r, t.n_records);
    ev_csv_free(c);
    fclose(in);

    /* libcsv reads the same fields (it does not skip a BOM) */
    struct csv_parser p;
    lib_out o = { NULL, 0, 0, 0 };
    ck_assert_int_eq(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL), 0);
    size_t skip = bom ? 3 : 0;
    ck_assert_uint_eq(csv_parse(&p, text + skip, len - skip, lib_field, lib_record, &o), len - skip);
    ck_assert_int_eq(csv_fini(&p, lib_field, lib_record, &o), 0);
    csv_free(&p);
    ck_assert_uint_eq(o.records, t.n_records);
    ck_assert_uint_eq(o.n, t.n_fields);
    for (size_t i = 0; i < o.n; i++) {
        ck_assert_str_eq(o.fields[i], t.fields[i]);
        free(o.fields[i]);
    }
    free(o.fields);
    free_truth(&t);
    free(text);
}

START_TEST(csv_reader_should_read_what_was_written_and_agree_with_libcsv)
{
    check_file(50, 0, 0, (size_t)-1);
    check_file(40000, 1, 1, (size_t)-1); /* several MiB: the buffer refills mid-record */
    check_file(20000, 0, 0, 7000);       /* a 3 MiB field: the buffer grows */
}
END_TEST

static int read_error(const char *text, size_t len, size_t *line, const char **why)
{
    FILE *in = fmemopen((void *)text, len, "r");
    ev_csv *c = ev_csv_new(in);
    char **f;
    size_t n;
    int got;
    while ((got = ev_csv_next(c, &f, &n, line, why)) == 1) {}
    ev_csv_free(c);
    fclose(in);
    return got;
}

START_TEST(csv_reader_should_name_the_line_of_malformed_input)
{
    size_t line = 0;
    const char *why = NULL;
    const char t1[] = "a,b\n1,2\n\"open,3\n4,5\n";
    ck_assert_int_eq(read_error(t1, sizeof(t1) - 1, &line, &why), -1);
    ck_assert_uint_eq(line, 3);
    ck_assert_str_eq(why, "a quoted field is not closed at the end of the file");
    const char t2[] = "a,b\n\"x\ny\",2\n\"q\"z,3\n";
    ck_assert_int_eq(read_error(t2, sizeof(t2) - 1, &line, &why), -1);
    ck_assert_uint_eq(line, 4);
    ck_assert_str_eq(why, "text after the closing quote of a field");
    const char t3[] = "a,b\n1,2\n3,\0\n";
    ck_assert_int_eq(read_error(t3, sizeof(t3) - 1, &line, &why), -1);
    ck_assert_uint_eq(line, 3);
    ck_assert_str_eq(why, "NUL byte (not a text file?)");
    const char t4[] = "a,b\r1,2\r\r3,4";
    FILE *in = fmemopen((void *)t4, sizeof(t4) - 1, "r");
    ev_csv *c = ev_csv_new(in);
    char **f;
    size_t n;
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 1);
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 1);
    ck_assert_str_eq(f[1], "2");
    ck_assert_uint_eq(line, 2);
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 1);
    ck_assert_str_eq(f[0], "3");
    ck_assert_uint_eq(line, 4);
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 0);
    ev_csv_free(c);
    fclose(in);
}
END_TEST

/* Reads text through the reader until it fails; returns its line and why. */
static int csv_first_error(const char *text, size_t len, size_t *line, const char **why)
{
    FILE *in = fmemopen((void *)text, len, "rb");
    ck_assert_ptr_nonnull(in);
    ev_csv *c = ev_csv_new(in);
    char **f;
    size_t n;
    int rc;
    while ((rc = ev_csv_next(c, &f, &n, line, why)) == 1) {}
    ev_csv_free(c);
    fclose(in);
    return rc;
}

START_TEST(csv_reader_should_refuse_a_record_over_16_mib)
{
    /* line 2 opens a quote that is never closed: 20 MiB of text follow */
    size_t len = 20u << 20;
    char *text = malloc(len);
    ck_assert_ptr_nonnull(text);
    memset(text, 'x', len);
    memcpy(text, "a,b\n1,\"", 7);
    for (size_t i = 100; i < len; i += 1000) text[i] = '\n';
    size_t line = 0;
    const char *why = NULL;
    ck_assert_int_eq(csv_first_error(text, len, &line, &why), -1);
    ck_assert_str_eq(why, "record longer than 16 MiB (the limit)");
    ck_assert_uint_eq(line, 2);

    /* one unbroken line of 20 MiB after a good one */
    memset(text, 'y', len);
    memcpy(text, "a,b\n1,2\n", 8);
    ck_assert_int_eq(csv_first_error(text, len, &line, &why), -1);
    ck_assert_str_eq(why, "record longer than 16 MiB (the limit)");
    ck_assert_uint_eq(line, 3);

    /* a closed quoted field of 17 MiB, all of the file in one buffer */
    memset(text, 'w', len);
    memcpy(text, "a,b\n1,\"", 7);
    memcpy(text + 7 + (17u << 20), "\"\n2,3\n", 6);
    ck_assert_int_eq(csv_first_error(text, 7 + (17u << 20) + 6, &line, &why), -1);
    ck_assert_str_eq(why, "record longer than 16 MiB (the limit)");
    ck_assert_uint_eq(line, 2);

    /* a quoted field of 15 MiB is still read */
    size_t big = 15u << 20;
    memset(text, 'z', len);
    memcpy(text, "a,b\n1,\"", 7);
    memcpy(text + 7 + big, "\"\n", 2);
    FILE *in = fmemopen(text, 7 + big + 2, "rb");
    ev_csv *c = ev_csv_new(in);
    char **f;
    size_t n;
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 1);
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 1);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(strlen(f[1]), big);
    ck_assert_int_eq(ev_csv_next(c, &f, &n, &line, &why), 0);
    ev_csv_free(c);
    fclose(in);
    free(text);
}
END_TEST

START_TEST(csv_reader_should_refuse_more_than_4096_columns)
{
    strbuf sb = STRBUF_INIT;
    for (int i = 0; i < 4096; i++) sb_addf(&sb, i ? ",c%d" : "c%d", i);
    sb_adds(&sb, "\n");
    size_t line = 0;
    const char *why = NULL;
    ck_assert_int_eq(csv_first_error(sb.buf, sb.len, &line, &why), 0); /* 4096 is allowed */

    /* 10^6 columns on line 3 */
    sb_reset(&sb);
    sb_adds(&sb, "a,b\n1,2\n");
    for (int i = 0; i < 1000000; i++) sb_adds(&sb, i ? ",1" : "1");
    sb_adds(&sb, "\n");
    ck_assert_int_eq(csv_first_error(sb.buf, sb.len, &line, &why), -1);
    ck_assert_str_eq(why, "more than 4096 columns (the limit)");
    ck_assert_uint_eq(line, 3);
    sb_release(&sb);
}
END_TEST

Suite *csv_suite(void)
{
    Suite *s = suite_create("csv");
    TCase *t = tcase_create("reader");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, csv_reader_should_read_what_was_written_and_agree_with_libcsv);
    tcase_add_test(t, csv_reader_should_name_the_line_of_malformed_input);
    tcase_add_test(t, csv_reader_should_refuse_a_record_over_16_mib);
    tcase_add_test(t, csv_reader_should_refuse_more_than_4096_columns);
    suite_add_tcase(s, t);
    return s;
}
