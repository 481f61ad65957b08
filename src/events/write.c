/*
 * write.c - the streaming writers of the event layer: a GeoJSON
 * FeatureCollection (RFC 7946) and CSV (RFC 4180 with LF line ends), both
 * written feature by feature so that a million events never sit in memory.
 * Both writers fill their own 1 MiB buffer and hand it to fwrite whole;
 * numbers are formatted without printf (fixed decimals, rounded half away
 * from zero on the scaled integer, "-0.000000" written as "0.000000") and
 * strings are escaped with a fast path for runs of plain bytes.
 *
 * The caller owns the FILE: the writers flush it on close but never close
 * it.  A write error is sticky: every later write returns EM_EIO and close
 * returns -1.
 *
 * GeoJSON layout: one feature per line,
 *     {"type":"FeatureCollection","features":[
 *     {"type":"Feature","id":"ID","geometry":{...},"properties":{...}},
 *     ...
 *     ],"bbox":[W,S,E,N]}
 * with no "bbox" when no feature was written.  Strings are escaped as RFC
 * 8259 says: '"' and '\' with a backslash, \b \f \n \r \t in their short
 * forms, other control characters as \u00XX; UTF-8 passes through, and a
 * byte that is not part of valid UTF-8 becomes \ufffd so the output is
 * always valid JSON.
 *
 * CSV layout: the header row, then one row per event, each ended by a
 * single LF (not RFC 4180's CRLF: every CSV reader in use accepts LF, and
 * Unix tools and diffs read it better).  A field is quoted when it holds a
 * comma, a double quote, CR or LF, or begins or ends with a space or tab,
 * with quotes doubled inside.  Bytes are written as they are.
 */
#include "events/event.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* ------------------------------------------------------------ out buffer */

#define OUT_BUFFER_SIZE (1u << 20)

typedef struct {
    FILE *out;
    char *buf;
    size_t len, cap; /* bytes held, bytes allocated */
    int failed;      /* an fwrite fell short: nothing more is written */
} outbuf;

static void ob_init(outbuf *ob, FILE *out)
{
    ob->out = out;
    ob->cap = OUT_BUFFER_SIZE;
    ob->buf = xmalloc(ob->cap);
    ob->len = 0;
    ob->failed = 0;
}

/* Hand the buffered bytes to the FILE; -1 once any write has failed. */
static int ob_flush(outbuf *ob)
{
    if (ob->len && !ob->failed && fwrite(ob->buf, 1, ob->len, ob->out) != ob->len) ob->failed = 1;
    ob->len = 0;
    return ob->failed ? -1 : 0;
}

/* The slow half of ob_reserve: flush, and grow when n alone exceeds the
 * buffer. */
static void ob_make_room(outbuf *ob, size_t n)
{
    ob_flush(ob);
    if (ob->cap < n) {
        ob->cap = n;
        ob->buf = xrealloc(ob->buf, ob->cap);
    }
}

/* Room for n more bytes; returns where they go (commit with ob->len += n). */
static inline char *ob_reserve(outbuf *ob, size_t n)
{
    if (ob->cap - ob->len < n) ob_make_room(ob, n);
    return ob->buf + ob->len;
}

static inline void ob_write(outbuf *ob, const void *data, size_t n)
{
    memcpy(ob_reserve(ob, n), data, n);
    ob->len += n;
}

#define ob_lit(ob, s) ob_write((ob), (s), sizeof(s) - 1)

static inline void ob_putc(outbuf *ob, char c)
{
    if (ob->len == ob->cap) ob_flush(ob);
    ob->buf[ob->len++] = c;
}

/* Flush, then fflush the FILE and look at its error flag; frees the buffer.
 * Returns 0 or -1. */
static int ob_finish(outbuf *ob)
{
    int rc = ob_flush(ob);
    if (fflush(ob->out) != 0 || ferror(ob->out)) rc = -1;
    free(ob->buf);
    ob->buf = NULL;
    return rc;
}

/* --------------------------------------------------------------- numbers */

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Decimal digits of v into the end of a buffer that ends at end; returns the
 * first digit.  At least one digit. */
static char *utoa_back(char *end, uint64_t v)
{
    while (v >= 100) {
        unsigned pair = (unsigned)(v % 100) * 2;
        v /= 100;
        *--end = digit_pairs[pair + 1];
        *--end = digit_pairs[pair];
    }
    if (v >= 10) {
        *--end = digit_pairs[v * 2 + 1];
        *--end = digit_pairs[v * 2];
    } else {
        *--end = (char)('0' + v);
    }
    return end;
}

static void ob_int(outbuf *ob, long long v)
{
    char tmp[24], *end = tmp + sizeof(tmp);
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char *p = utoa_back(end, mag);
    if (v < 0) *--p = '-';
    ob_write(ob, p, (size_t)(end - p));
}

static const double pow10_tab[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };

/* v with exactly `decimals` (1..9) digits after the point, rounded half away
 * from zero on v * 10^decimals; no minus sign when the result is zero.  A
 * value of 2^53 / 10^decimals or more is written as "%.17g"; a NaN or an
 * infinity writes nothing and returns 0 (the caller writes what stands for
 * "no number" in its format).  Returns the bytes written. */
static size_t format_fixed(char out[48], double v, int decimals)
{
    if (!isfinite(v)) return 0;
    double scaled = fabs(v) * pow10_tab[decimals] + 0.5;
    if (scaled >= 9007199254740992.0) { /* 2^53: no decimals left to fix */
        int n = snprintf(out, 48, "%.17g", v);
        return n > 0 && n < 48 ? (size_t)n : 0;
    }
    uint64_t r = (uint64_t)scaled;
    char tmp[48], *end = tmp + sizeof(tmp), *p = end;
    for (int i = 0; i < decimals; i++) {
        *--p = (char)('0' + r % 10);
        r /= 10;
    }
    *--p = '.';
    p = utoa_back(p, r);
    if (v < 0) {
        /* a minus only when some digit is not zero */
        for (const char *q = p; q < end; q++)
            if (*q > '0') {
                *--p = '-';
                break;
            }
    }
    size_t n = (size_t)(end - p);
    memcpy(out, p, n);
    return n;
}

/* A fixed-decimal number, or `none` when v is not finite. */
static void ob_fixed(outbuf *ob, double v, int decimals, const char *none)
{
    char num[48];
    size_t n = format_fixed(num, v, decimals);
    if (n) ob_write(ob, num, n);
    else ob_write(ob, none, strlen(none));
}

/* --------------------------------------------------------------- strings */

/* json_plain[c]: byte c goes into a JSON string as it is (printable ASCII
 * other than '"' and '\'). */
static const unsigned char json_plain[256] = {
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    1,1,0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,1,1,1,
    1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
};
/* csv_special[c]: byte c makes a CSV field need quotes (, " CR LF). */
static const unsigned char csv_special[256] = {
    0,0,0,0,0,0,0,0,0,0,1,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,1,0,0,0,0,0,0,0,0,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
    0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
};

/* Length of the valid UTF-8 sequence at p (whose first byte is >= 0x80), or
 * 0 when it is not one: no overlong forms, no surrogates, nothing above
 * U+10FFFF.  Reads no further than a NUL (a NUL is never a continuation). */
static size_t utf8_seq_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c >= 0xc2 && c <= 0xdf) return (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        if (p[1] < lo || p[1] > hi) return 0;
        return (p[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        if (p[1] < lo || p[1] > hi) return 0;
        if ((p[2] & 0xc0) != 0x80) return 0;
        return (p[3] & 0xc0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* Eight bytes at a time: word x holds a byte that is not printable ASCII,
 * or is '"' or '\' (JSON), or is one of , " CR LF (CSV).  Exact as a yes/no
 * answer (the classic "has zero byte" / "has byte less than" tricks). */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define HAS_ZERO(v) (((v) - ONES) & ~(v) & HIGHS)
#define HAS_BYTE(x, b) HAS_ZERO((x) ^ (ONES * (b)))

static inline uint64_t json_word_special(uint64_t x)
{
    return ((x - ONES * 0x20) & ~x & HIGHS) | HAS_BYTE(x, 0x22) | HAS_BYTE(x, 0x5c) | (x & HIGHS);
}

static inline uint64_t csv_word_special(uint64_t x)
{
    return HAS_BYTE(x, ',') | HAS_BYTE(x, '"') | HAS_BYTE(x, '\r') | HAS_BYTE(x, '\n');
}

/* s as a JSON string literal, quotes included.  Runs of eight plain bytes
 * are copied as words; a word with anything else in it goes byte by byte. */
static void ob_json_string(outbuf *ob, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!s) s = "";
    size_t len = strlen(s);
    char *o = ob_reserve(ob, 6 * len + 2), *start = o;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    *o++ = '"';
    while (p < end) {
        const unsigned char *stop = end;
        if (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if (!json_word_special(x)) {
                memcpy(o, &x, 8);
                o += 8;
                p += 8;
                continue;
            }
            stop = p + 8; /* this word byte by byte, then words again */
        }
        while (p < stop) {
            unsigned c = *p;
            if (json_plain[c]) {
                *o++ = (char)c;
                p++;
                continue;
            }
            size_t n;
            if (c >= 0x80 && (n = utf8_seq_len(p)) != 0) {
                memcpy(o, p, n);
                o += n;
                p += n;
                continue;
            }
            *o++ = '\\';
            switch (c) {
            case '"': *o++ = '"'; break;
            case '\\': *o++ = '\\'; break;
            case '\b': *o++ = 'b'; break;
            case '\f': *o++ = 'f'; break;
            case '\n': *o++ = 'n'; break;
            case '\r': *o++ = 'r'; break;
            case '\t': *o++ = 't'; break;
            default:
                if (c < 0x20) {
                    memcpy(o, "u00", 3);
                    o[3] = hex[c >> 4];
                    o[4] = hex[c & 15];
                } else { /* not UTF-8 */
                    memcpy(o, "ufffd", 5);
                }
                o += 5;
            }
            p++;
        }
    }
    *o++ = '"';
    ob->len += (size_t)(o - start);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* s as a CSV field: as it is, or quoted with quotes doubled when it holds a
 * comma, a quote, CR or LF, or begins or ends with a space or a tab (which
 * RFC 4180 keeps but many readers, libcsv among them, trim when unquoted). */
static void ob_csv_field(outbuf *ob, const char *s)
{
    if (!s) s = "";
    size_t len = strlen(s), i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (csv_word_special(x)) break;
    }
    while (i < len && !csv_special[(unsigned char)s[i]]) i++;
    if (i == len && (!len || (!is_blank(s[0]) && !is_blank(s[len - 1])))) {
        ob_write(ob, s, len);
        return;
    }
    ob_putc(ob, '"');
    const char *run = s;
    for (const char *q = s + i; *q; q++) { /* no quote before i */
        if (*q == '"') {
            ob_write(ob, run, (size_t)(q + 1 - run)); /* the quote, then its double */
            run = q;
        }
    }
    ob_write(ob, run, strlen(run));
    ob_putc(ob, '"');
}

/* --------------------------------------------------------------- GeoJSON */

struct ev_geojson_writer {
    outbuf ob;
    long n_written;          /* features written */
    long n_unlocated;        /* events left out for want of coordinates */
    double west_deg, south_deg, east_deg, north_deg; /* bbox of what was written */
    const char *checked_key; /* the last extra key found not to clash with a model field */
};

/* The model's property names, in the order they are written. */
static const char *const model_fields[] = {
    "id", "event_date", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "fatalities", "source", "notes", "gazetteer_id", "match", "confidence",
};

static int is_model_field(const char *key)
{
    for (size_t i = 0; i < sizeof(model_fields) / sizeof(model_fields[0]); i++)
        if (!strcmp(key, model_fields[i])) return 1;
    return 0;
}

/* Starts the collection on out (which the caller keeps owning and closes
 * after ev_geojson_close).  Returns NULL only when out is NULL. */
ev_geojson_writer *ev_geojson_open(FILE *out)
{
    if (!out) return NULL;
    ev_geojson_writer *w = xcalloc(1, sizeof(*w));
    ob_init(&w->ob, out);
    ob_lit(&w->ob, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    return w;
}

/* Writes e as a Point feature, or counts it when it is unlocated.  extra_key
 * (when not NULL) becomes one more numeric property with 3 decimals (null
 * when extra_value is not finite); it must not be a model field name.
 * Returns 0; EM_EUSAGE for such a key; EM_EINPUT when e is located but its
 * coordinates are not finite numbers (nothing is written); EM_EIO once a
 * write has failed. */
int ev_geojson_write(ev_geojson_writer *w, const ev_event *e, const char *extra_key, double extra_value)
{
    if (w->ob.failed) return EM_EIO;
    if (extra_key && extra_key != w->checked_key) {
        if (is_model_field(extra_key)) return EM_EUSAGE;
        w->checked_key = extra_key;
    }
    if (!e->located) {
        w->n_unlocated++;
        return 0;
    }
    if (!isfinite(e->lat) || !isfinite(e->lon)) return EM_EINPUT;

    outbuf *ob = &w->ob;
    if (w->n_written) ob_lit(ob, ",\n");
    ob_lit(ob, "{\"type\":\"Feature\",\"id\":");
    ob_json_string(ob, e->id);
    ob_lit(ob, ",\"geometry\":{\"type\":\"Point\",\"coordinates\":[");
    ob_fixed(ob, e->lon, 6, "null");
    ob_putc(ob, ',');
    ob_fixed(ob, e->lat, 6, "null");
    ob_lit(ob, "]},\"properties\":{\"id\":");
    ob_json_string(ob, e->id);
    ob_lit(ob, ",\"event_date\":");
    ob_json_string(ob, e->event_date);
    ob_lit(ob, ",\"time_precision\":");
    ob_int(ob, e->time_precision);
    ob_lit(ob, ",\"event_type\":");
    ob_json_string(ob, e->event_type);
    ob_lit(ob, ",\"sub_event_type\":");
    ob_json_string(ob, e->sub_event_type);
    ob_lit(ob, ",\"actor1\":");
    ob_json_string(ob, e->actor1);
    ob_lit(ob, ",\"actor2\":");
    ob_json_string(ob, e->actor2);
    ob_lit(ob, ",\"country\":");
    ob_json_string(ob, e->country);
    ob_lit(ob, ",\"admin1\":");
    ob_json_string(ob, e->admin1);
    ob_lit(ob, ",\"admin2\":");
    ob_json_string(ob, e->admin2);
    ob_lit(ob, ",\"admin3\":");
    ob_json_string(ob, e->admin3);
    ob_lit(ob, ",\"location\":");
    ob_json_string(ob, e->location);
    ob_lit(ob, ",\"geo_precision\":");
    ob_int(ob, e->geo_precision);
    ob_lit(ob, ",\"fatalities\":");
    ob_int(ob, e->fatalities);
    ob_lit(ob, ",\"source\":");
    ob_json_string(ob, e->source);
    ob_lit(ob, ",\"notes\":");
    ob_json_string(ob, e->notes);
    ob_lit(ob, ",\"gazetteer_id\":");
    ob_json_string(ob, e->gazetteer_id);
    ob_lit(ob, ",\"match\":");
    ob_json_string(ob, e->match);
    ob_lit(ob, ",\"confidence\":");
    ob_fixed(ob, e->confidence, 2, "null");
    if (extra_key) {
        ob_putc(ob, ',');
        ob_json_string(ob, extra_key);
        ob_putc(ob, ':');
        ob_fixed(ob, extra_value, 3, "null");
    }
    ob_lit(ob, "}}");

    if (!w->n_written) {
        w->west_deg = w->east_deg = e->lon;
        w->south_deg = w->north_deg = e->lat;
    } else {
        if (e->lon < w->west_deg) w->west_deg = e->lon;
        if (e->lon > w->east_deg) w->east_deg = e->lon;
        if (e->lat < w->south_deg) w->south_deg = e->lat;
        if (e->lat > w->north_deg) w->north_deg = e->lat;
    }
    w->n_written++;
    return w->ob.failed ? EM_EIO : 0;
}

/* Ends the collection (with its bbox when a feature was written), flushes
 * the FILE and frees w.  Returns the count of unlocated events left out, or
 * -1 when any write failed.  ev_geojson_close(NULL) returns 0. */
long ev_geojson_close(ev_geojson_writer *w)
{
    if (!w) return 0;
    outbuf *ob = &w->ob;
    /* a foreign member (RFC 7946 section 6.1): where geocoded points come from */
    static const char attribution[] =
        ",\"attribution\":\"eventmap; place coordinates from GeoNames (CC BY 4.0) and Natural Earth (public domain)\"";
    if (w->n_written) {
        ob_lit(ob, "\n]");
        ob_lit(ob, attribution);
        ob_lit(ob, ",\"bbox\":[");
        ob_fixed(ob, w->west_deg, 6, "null");
        ob_putc(ob, ',');
        ob_fixed(ob, w->south_deg, 6, "null");
        ob_putc(ob, ',');
        ob_fixed(ob, w->east_deg, 6, "null");
        ob_putc(ob, ',');
        ob_fixed(ob, w->north_deg, 6, "null");
        ob_lit(ob, "]}\n");
    } else {
        ob_lit(ob, "]");
        ob_lit(ob, attribution);
        ob_lit(ob, "}\n");
    }
    long rc = ob_finish(ob) < 0 ? -1 : w->n_unlocated;
    free(w);
    return rc;
}

/* ------------------------------------------------------------------- CSV */

struct ev_csv_writer {
    outbuf ob;
    int has_extra; /* rows end with the extra column */
};

/* Writes the header row on out (which the caller keeps owning) with
 * extra_key as the last column when not NULL.  Returns NULL only when out
 * is NULL. */
ev_csv_writer *ev_csv_open(FILE *out, const char *extra_key)
{
    if (!out) return NULL;
    ev_csv_writer *w = xcalloc(1, sizeof(*w));
    ob_init(&w->ob, out);
    for (size_t i = 0; i < sizeof(model_fields) / sizeof(model_fields[0]); i++) {
        if (i) ob_putc(&w->ob, ',');
        ob_write(&w->ob, model_fields[i], strlen(model_fields[i]));
    }
    if (extra_key) {
        ob_putc(&w->ob, ',');
        ob_csv_field(&w->ob, extra_key);
        w->has_extra = 1;
    }
    ob_putc(&w->ob, '\n');
    return w;
}

/* One row: latitude/longitude with 6 decimals (empty when unlocated),
 * confidence with 2, the extra column with 3 (empty when not finite), the
 * integers as they are.  Returns 0, or EM_EIO once a write has failed. */
int ev_csv_write(ev_csv_writer *w, const ev_event *e, double extra_value)
{
    outbuf *ob = &w->ob;
    if (ob->failed) return EM_EIO;
    ob_csv_field(ob, e->id);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->event_date);
    ob_putc(ob, ',');
    ob_int(ob, e->time_precision);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->event_type);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->sub_event_type);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->actor1);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->actor2);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->country);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->admin1);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->admin2);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->admin3);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->location);
    ob_putc(ob, ',');
    if (e->located) ob_fixed(ob, e->lat, 6, "");
    ob_putc(ob, ',');
    if (e->located) ob_fixed(ob, e->lon, 6, "");
    ob_putc(ob, ',');
    ob_int(ob, e->geo_precision);
    ob_putc(ob, ',');
    ob_int(ob, e->fatalities);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->source);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->notes);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->gazetteer_id);
    ob_putc(ob, ',');
    ob_csv_field(ob, e->match);
    ob_putc(ob, ',');
    ob_fixed(ob, e->confidence, 2, "");
    if (w->has_extra) {
        ob_putc(ob, ',');
        ob_fixed(ob, extra_value, 3, "");
    }
    ob_putc(ob, '\n');
    return ob->failed ? EM_EIO : 0;
}

/* Flushes the FILE and frees w.  Returns 0, or -1 when any write failed.
 * ev_csv_close(NULL) returns 0. */
int ev_csv_close(ev_csv_writer *w)
{
    if (!w) return 0;
    int rc = ob_finish(&w->ob);
    free(w);
    return rc;
}
