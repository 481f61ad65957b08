/*
 * csv.c - an RFC 4180 record reader: quoted fields, doubled quotes, line
 * breaks inside quotes, CRLF, LF or CR line ends, a UTF-8 BOM.  Spaces and
 * tabs around an unquoted field are trimmed; a quote inside an unquoted
 * field is kept as text; blank lines are skipped.
 *
 * Why not libcsv: it hands over one byte at a time through callbacks and
 * copies every field, which made it a third of the time of a 1M-row
 * CSV-to-GeoJSON run (bench/).  This reader works in place in a large
 * buffer: a record's fields are NUL-terminated where they lie, and only a
 * quoted field with doubled quotes is moved.  tests/unit/test_csv.c checks
 * it against libcsv on generated files.
 */
#include "events/events_int.h"

#include <errno.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

#define CSV_BLOCK (1u << 20)

/* The limits (README, "Limits"): a record may span up to 16 MiB of input,
 * line breaks inside quotes included, and hold up to 4096 fields.  Past
 * them the file is refused with FILE:LINE rather than read into memory
 * without end: a quote left open in a multi-gigabyte file is the usual
 * way to get there. */
#define CSV_MAX_RECORD (16u << 20)
#define CSV_MAX_FIELDS 4096

typedef struct {
    char *start, *end;  /* the field's text: [start, end) */
    int doubled;        /* quoted with "" inside: undouble when finishing */
} span;

struct ev_csv {
    FILE *in;
    char *buf;            /* buf[0..len) holds unread input, NUL after it */
    size_t cap, len, pos;
    int eof;
    size_t line;          /* line of buf[pos] */
    char **fields;
    size_t n_fields, alloc_fields;
    span *spans;          /* the record's fields as scanned */
    size_t n_spans, alloc_spans;
    int utf8_ok;          /* the last record is valid UTF-8 */
    int first;            /* nothing read yet: a BOM may come */
    int has_nul;          /* a NUL byte was read, at buf[nul] */
    size_t nul;
};

ev_csv *ev_csv_new(FILE *in)
{
    ev_csv *c = xcalloc(1, sizeof(*c));
    c->in = in;
    c->cap = CSV_BLOCK;
    c->buf = xmalloc(c->cap + 1);
    c->line = 1;
    c->first = 1;
    return c;
}

void ev_csv_free(ev_csv *c)
{
    if (!c) return;
    free(c->buf);
    free(c->fields);
    free(c->spans);
    free(c);
}

/* Keep buf[pos..len), read more after it; 0, or -1 on a read error. */
static int refill(ev_csv *c)
{
    if (c->eof) return 0;
    if (c->pos > 0) {
        memmove(c->buf, c->buf + c->pos, c->len - c->pos);
        c->len -= c->pos;
        if (c->has_nul) c->nul -= c->pos;
        c->pos = 0;
    }
    if (c->len == c->cap) {
        c->cap *= 2;
        c->buf = xrealloc(c->buf, c->cap + 1);
    }
    size_t got = fread(c->buf + c->len, 1, c->cap - c->len, c->in);
    const char *z = got && !c->has_nul ? memchr(c->buf + c->len, '\0', got) : NULL;
    if (z) {
        c->has_nul = 1;
        c->nul = (size_t)(z - c->buf);
    }
    c->len += got;
    c->buf[c->len] = '\0';
    if (got == 0) {
        if (ferror(c->in)) return -1;
        c->eof = 1;
    }
    return 0;
}

static void add_field(ev_csv *c, char *f)
{
    ALLOC_GROW(c->fields, c->n_fields + 1, c->alloc_fields);
    c->fields[c->n_fields++] = f;
}

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* The first byte at or after p (before end) that is ',', '\n' or '\r':
 * eight bytes at a time. */
static char *scan_unquoted(char *p, char *end)
{
    while (p + 8 <= end) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t a = w ^ (ONES * ','), b = w ^ (ONES * '\n'), d = w ^ (ONES * '\r');
        uint64_t hit = ((a - ONES) & ~a) | ((b - ONES) & ~b) | ((d - ONES) & ~d);
        if (hit & HIGHS) break;
        p += 8;
    }
    while (p < end && *p != ',' && *p != '\n' && *p != '\r') p++;
    return p;
}

/* Parse one record starting at buf[pos], all of it inside buf[pos..len),
 * without writing: the fields' spans go to c->spans.  Returns 1 with the
 * record's end in *next, 0 when the buffer ends before the record does
 * (read more and parse again), -1 with *why on malformed input. */
static int scan_record(ev_csv *c, char **next, size_t *lines_used, const char **why)
{
    char *p = c->buf + c->pos, *end = c->buf + c->len;
    size_t lines = 0;
    c->n_spans = 0;
    for (;;) {
        char t; /* the byte after the field: ',', '\n', '\r', or 0 at the end of input */
        span sp = { NULL, NULL, 0 };
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        if (p < end && *p == '"') {
            sp.start = ++p;
            for (;;) {
                char *q = memchr(p, '"', (size_t)(end - p));
                if (!q) {
                    if (!c->eof) return 0;
                    *why = "a quoted field is not closed at the end of the file";
                    return -1;
                }
                for (char *nl = p; (nl = memchr(nl, '\n', (size_t)(q - nl))) != NULL; nl++) lines++;
                if (q + 1 < end && q[1] == '"') { /* a doubled quote */
                    sp.doubled = 1;
                    p = q + 2;
                    continue;
                }
                if (q + 1 == end && !c->eof) return 0; /* a doubled quote may follow */
                sp.end = q;
                p = q + 1;
                break;
            }
            while (p < end && (*p == ' ' || *p == '\t')) p++;
            if (p == end) {
                if (!c->eof) return 0;
                t = 0;
            } else {
                t = *p;
                if (t != ',' && t != '\n' && t != '\r') {
                    *why = "text after the closing quote of a field";
                    return -1;
                }
            }
        } else {
            sp.start = p;
            p = scan_unquoted(p, end);
            if (p == end && !c->eof) return 0;
            t = p < end ? *p : 0;
            sp.end = p;
            while (sp.end > sp.start && (sp.end[-1] == ' ' || sp.end[-1] == '\t')) sp.end--;
        }
        if (c->n_spans == CSV_MAX_FIELDS) {
            *why = "more than 4096 columns (the limit)";
            return -1;
        }
        ALLOC_GROW(c->spans, c->n_spans + 1, c->alloc_spans);
        c->spans[c->n_spans++] = sp;
        if (!t) {
            p = end;
            break;
        }
        p++;
        if (t == ',') continue;
        if (t == '\r') {
            if (p == end && !c->eof) return 0; /* is it CRLF? */
            if (p < end && *p == '\n') p++;
        }
        lines++;
        break;
    }
    *next = p;
    *lines_used = lines;
    return 1;
}

/* Make the scanned spans C strings in place: undouble quotes, end each
 * with a NUL (over its separator, closing quote or trailing space). */
static void finish_record(ev_csv *c)
{
    c->n_fields = 0;
    for (size_t i = 0; i < c->n_spans; i++) {
        span *sp = &c->spans[i];
        if (sp->doubled) {
            char *out = sp->start;
            for (char *q = sp->start; q < sp->end; q++) {
                *out++ = *q;
                if (*q == '"') q++; /* the second of the pair */
            }
            sp->end = out;
        }
        *sp->end = '\0';
        add_field(c, sp->start);
    }
}

int ev_csv_next(ev_csv *c, char ***fields, size_t *n, size_t *line, const char **why)
{
    for (;;) {
        if (c->first) {
            if (refill(c) < 0) {
                *why = strerror(errno);
                return -2;
            }
            if (c->len >= 3 && (unsigned char)c->buf[0] == 0xEF && (unsigned char)c->buf[1] == 0xBB &&
                (unsigned char)c->buf[2] == 0xBF)
                c->pos = 3;
            c->first = 0;
        }
        /* blank lines between records */
        while (c->pos < c->len && (c->buf[c->pos] == '\n' || c->buf[c->pos] == '\r')) {
            if (c->buf[c->pos] == '\r' && c->pos + 1 == c->len && !c->eof) break;
            if (c->buf[c->pos] == '\r' && c->pos + 1 < c->len && c->buf[c->pos + 1] == '\n') c->pos++;
            c->pos++;
            c->line++;
        }
        if (c->pos == c->len || (c->pos + 1 == c->len && c->buf[c->pos] == '\r')) {
            if (c->eof) return 0;
            if (refill(c) < 0) {
                *why = strerror(errno);
                return -2;
            }
            continue;
        }
        if (c->has_nul) {
            size_t l = c->line;
            for (const char *q = c->buf + c->pos; q < c->buf + c->nul; q++) l += *q == '\n';
            *line = l;
            *why = "NUL byte (not a text file?)";
            return -1;
        }
        size_t lines = 0;
        char *next = NULL;
        int rc = scan_record(c, &next, &lines, why);
        if (rc == 1) {
            char *start = c->buf + c->pos;
            if ((size_t)(next - start) > CSV_MAX_RECORD) {
                *line = c->line;
                *why = "record longer than 16 MiB (the limit)";
                return -1;
            }
            c->utf8_ok = ev_utf8_prefix((const unsigned char *)start, (size_t)(next - start)) == (size_t)(next - start);
            finish_record(c);
            c->pos = (size_t)(next - c->buf);
            *fields = c->fields;
            *n = c->n_fields;
            *line = c->line;
            c->line += lines;
            return 1;
        }
        if (rc < 0) {
            *line = c->line;
            return -1;
        }
        /* the record runs past the buffer: read more and parse it again */
        if (c->len - c->pos > CSV_MAX_RECORD) {
            *line = c->line;
            *why = "record longer than 16 MiB (the limit)";
            return -1;
        }
        if (refill(c) < 0) {
            *why = strerror(errno);
            return -2;
        }
    }
}

int ev_csv_utf8_ok(const ev_csv *c)
{
    return c->utf8_ok;
}
