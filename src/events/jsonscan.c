/*
 * jsonscan.c - a GeoJSON FeatureCollection read one feature at a time.
 *
 * cJSON parses a whole document into a tree, which for a FeatureCollection
 * of a million events means gigabytes.  This scanner walks the top-level
 * object itself and hands over each element of "features" as a slice of
 * text, which the reader then parses with cJSON alone: memory stays at
 * one feature (at most EV_JSON_MAX_VALUE bytes), whatever the file's size.
 *
 * The scanner checks the document's structure (objects, arrays, strings,
 * commas and colons, a bracket stack of at most EV_JSON_MAX_DEPTH) and
 * finds where each value ends; cJSON checks the text of each value, so the
 * file as a whole is held to JSON's grammar.  The other top-level members
 * ("type", "crs", "bbox", ...) are parsed too, and "type" must be
 * "FeatureCollection".  Errors come with the line they are on.
 */
#include "events/events_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util/strbuf.h"
#include "util/banned.h"

#define JSON_BLOCK (1u << 16)

enum state {
    S_START,         /* before the top-level '{' */
    S_MEMBER,        /* after '{' or ',': a key, or '}' right after '{' */
    S_AFTER_MEMBER,  /* after a member's value: ',' or '}' */
    S_FEATURE,       /* after '[' or ',' in "features": an element, or ']' after '[' */
    S_AFTER_FEATURE, /* after an element: ',' or ']' */
    S_END            /* the document is read and checked */
};

struct ev_json {
    FILE *in;
    char *buf;          /* buf[pos..len) is unread input */
    size_t len, cap, pos;
    int eof;
    size_t line;        /* the line of buf[pos] */
    enum state state;
    int first;          /* right after '{' or '[': the closing bracket may come */
    int seen_features, seen_type, type_ok;
    char stack[EV_JSON_MAX_DEPTH];
};

ev_json *ev_json_new(FILE *in, size_t first_line)
{
    ev_json *s = xcalloc(1, sizeof(*s));
    s->in = in;
    s->cap = JSON_BLOCK;
    s->buf = xmalloc(s->cap + 1);
    s->line = first_line ? first_line : 1;
    return s;
}

void ev_json_free(ev_json *s)
{
    if (!s) return;
    free(s->buf);
    free(s);
}

/* Read more input after buf[len), first dropping what is before pos;
 * the buffer grows when it is full.  0, or -2 on a read error. */
static int refill(ev_json *s)
{
    if (s->eof) return 0;
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->len == s->cap) {
        s->cap *= 2;
        s->buf = xrealloc(s->buf, s->cap + 1);
    }
    size_t got = fread(s->buf + s->len, 1, s->cap - s->len, s->in);
    s->len += got;
    s->buf[s->len] = '\0';
    if (got == 0) {
        if (ferror(s->in)) return -2;
        s->eof = 1;
    }
    return 0;
}

static size_t count_lines(const char *p, size_t n)
{
    size_t lines = 0;
    for (const char *end = p + n; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) lines++;
    return lines;
}

/* Skip blanks; the next byte, or -1 at the end of input, or -2 on a read
 * error. */
static int peek(ev_json *s)
{
    for (;;) {
        while (s->pos < s->len) {
            char c = s->buf[s->pos];
            if (c == '\n') s->line++;
            else if (c != ' ' && c != '\t' && c != '\r') return (unsigned char)c;
            s->pos++;
        }
        if (s->eof) return -1;
        if (refill(s) < 0) return -2;
    }
}

static int fail(ev_json *s, size_t line, const char *why, size_t *line_out, const char **why_out)
{
    *line_out = line;
    *why_out = why;
    s->state = S_END;
    return -1;
}

static int too_long(ev_json *s, const char *what, size_t *line, const char **why)
{
    static __thread char msg[96];
    snprintf(msg, sizeof(msg), "%s longer than 16 MiB (the limit)", what);
    *line = s->line;
    *why = msg;
    return -1;
}

/* The extent of the value starting at buf[pos]: *n bytes.  Strings,
 * brackets and their nesting are followed; scalars end at a delimiter.
 * 0, or -1 with *why and *line (of the fault), or -2 on a read error. */
static int value_extent(ev_json *s, const char *what, size_t *n, size_t *line, const char **why)
{
    size_t i = 0, depth = 0, lines = 0;
    int in_str = 0, scalar = 0;
    char first = s->buf[s->pos];
    if (first != '{' && first != '[' && first != '"') scalar = 1;
    for (;;) {
        for (; s->pos + i < s->len; i++) {
            char c = s->buf[s->pos + i];
            if (in_str) {
                if (c == '\\') {
                    if (s->pos + i + 1 >= s->len) break; /* read the escaped byte first */
                    i++;
                } else if (c == '"') {
                    in_str = 0;
                    if (depth == 0) {
                        *n = i + 1;
                        return *n > EV_JSON_MAX_VALUE ? too_long(s, what, line, why) : 0;
                    }
                } else if (c == '\n') {
                    lines++;
                } else if (c == '\0') {
                    *line = s->line + lines;
                    *why = "NUL byte (not a text file?)";
                    return -1;
                }
                continue;
            }
            if (scalar) {
                if (c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                    *n = i;
                    return *n > EV_JSON_MAX_VALUE ? too_long(s, what, line, why) : 0;
                }
                if (c == '\0') {
                    *line = s->line + lines;
                    *why = "NUL byte (not a text file?)";
                    return -1;
                }
                continue;
            }
            switch (c) {
            case '"':
                in_str = 1;
                break;
            case '{':
            case '[':
                if (depth == EV_JSON_MAX_DEPTH) {
                    *line = s->line + lines;
                    *why = "JSON nested deeper than 512 levels (the limit)";
                    return -1;
                }
                s->stack[depth++] = c;
                break;
            case '}':
            case ']':
                if (depth == 0 || s->stack[depth - 1] != (c == '}' ? '{' : '[')) {
                    *line = s->line + lines;
                    *why = "malformed JSON";
                    return -1;
                }
                if (--depth == 0) {
                    *n = i + 1;
                    return *n > EV_JSON_MAX_VALUE ? too_long(s, what, line, why) : 0;
                }
                break;
            case '\n':
                lines++;
                break;
            case '\0':
                *line = s->line + lines;
                *why = "NUL byte (not a text file?)";
                return -1;
            default:
                break;
            }
        }
        if (s->eof) {
            if (scalar) {
                *n = i;
                return *n > EV_JSON_MAX_VALUE ? too_long(s, what, line, why) : 0;
            }
            *line = s->line + lines;
            *why = "truncated JSON (the file ends too early)";
            return -1;
        }
        if (s->len - s->pos > EV_JSON_MAX_VALUE) return too_long(s, what, line, why);
        if (refill(s) < 0) return -2;
    }
}

/* Check buf[pos..pos+n) as a JSON value with cJSON; the parsed value, or
 * NULL with *line and *why.  Caller frees with cJSON_Delete. */
static cJSON *parse_value(ev_json *s, size_t n, size_t *line, const char **why)
{
    const char *text = s->buf + s->pos;
    size_t valid = ev_utf8_prefix((const unsigned char *)text, n);
    if (valid != n) {
        *line = s->line + count_lines(text, valid);
        *why = "invalid UTF-8";
        return NULL;
    }
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, n, &end, 0);
    if (!v || end != text + n) {
        if (!end || end < text || end > text + n) end = text + n;
        *line = s->line + count_lines(text, (size_t)(end - text));
        *why = "malformed JSON";
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

/* Step over n bytes of value text. */
static void consume(ev_json *s, size_t n)
{
    s->line += count_lines(s->buf + s->pos, n);
    s->pos += n;
}

int ev_json_next(ev_json *s, const char **text, size_t *len, size_t *line, const char **why)
{
    for (;;) {
        int c;
        if (s->state == S_END) return 0;
        if (s->state == S_START && s->pos == 0 && s->len == 0) {
            if (refill(s) < 0) return -2;
            if (s->len >= 3 && !memcmp(s->buf, "\xEF\xBB\xBF", 3)) s->pos = 3;
        }
        c = peek(s);
        if (c == -2) return -2;
        if (c == -1) {
            if (s->state == S_START) return fail(s, 1, "empty file", line, why);
            return fail(s, s->line, "truncated JSON (the file ends too early)", line, why);
        }
        switch (s->state) {
        case S_START:
            if (c != '{') return fail(s, s->line, "not a GeoJSON FeatureCollection", line, why);
            s->pos++;
            s->state = S_MEMBER;
            s->first = 1;
            break;
        case S_MEMBER: {
            if (c == '}' && s->first) {
                s->pos++;
                goto document_end;
            }
            if (c != '"') return fail(s, s->line, "malformed JSON", line, why);
            size_t n, key_line = s->line;
            int rc = value_extent(s, "a key", &n, line, why);
            if (rc == -2) return -2;
            if (rc < 0) return fail(s, *line, *why, line, why);
            cJSON *key = parse_value(s, n, line, why);
            if (!key) return fail(s, *line, *why, line, why);
            int is_features = !strcmp(key->valuestring, "features");
            int is_type = !strcmp(key->valuestring, "type");
            cJSON_Delete(key);
            consume(s, n);
            if (peek(s) != ':') {
                if (s->eof && s->pos == s->len)
                    return fail(s, s->line, "truncated JSON (the file ends too early)", line, why);
                return fail(s, s->line, "malformed JSON", line, why);
            }
            s->pos++;
            c = peek(s);
            if (c == -2) return -2;
            if (c == -1) return fail(s, s->line, "truncated JSON (the file ends too early)", line, why);
            if (is_features) {
                if (s->seen_features) return fail(s, key_line, "a second \"features\" member", line, why);
                s->seen_features = 1;
                if (c != '[') return fail(s, 1, "not a GeoJSON FeatureCollection", line, why);
                s->pos++;
                s->state = S_FEATURE;
                s->first = 1;
                break;
            }
            rc = value_extent(s, "a member", &n, line, why);
            if (rc == -2) return -2;
            if (rc < 0) return fail(s, *line, *why, line, why);
            cJSON *v = parse_value(s, n, line, why);
            if (!v) return fail(s, *line, *why, line, why);
            if (is_type) {
                s->seen_type = 1;
                s->type_ok = cJSON_IsString(v) && !strcmp(v->valuestring, "FeatureCollection");
            }
            cJSON_Delete(v);
            if (is_type && !s->type_ok) return fail(s, 1, "not a GeoJSON FeatureCollection", line, why);
            consume(s, n);
            s->state = S_AFTER_MEMBER;
            break;
        }
        case S_AFTER_MEMBER:
            s->pos++;
            if (c == ',') {
                s->state = S_MEMBER;
                s->first = 0;
                break;
            }
            if (c == '}') goto document_end;
            return fail(s, s->line, "malformed JSON", line, why);
        case S_FEATURE: {
            if (c == ']' && s->first) {
                s->pos++;
                s->state = S_AFTER_MEMBER;
                break;
            }
            if (c == ']' || c == ',' || c == '}' || c == ':')
                return fail(s, s->line, "malformed JSON", line, why);
            size_t n;
            int rc = value_extent(s, "feature", &n, line, why);
            if (rc == -2) return -2;
            if (rc < 0) return fail(s, *line, *why, line, why);
            const char *t = s->buf + s->pos;
            size_t valid = ev_utf8_prefix((const unsigned char *)t, n);
            if (valid != n) return fail(s, s->line + count_lines(t, valid), "invalid UTF-8", line, why);
            *text = t;
            *len = n;
            *line = s->line;
            consume(s, n);
            s->state = S_AFTER_FEATURE;
            return 1;
        }
        case S_AFTER_FEATURE:
            s->pos++;
            if (c == ',') {
                s->state = S_FEATURE;
                s->first = 0;
                break;
            }
            if (c == ']') {
                s->state = S_AFTER_MEMBER;
                break;
            }
            return fail(s, s->line, "malformed JSON", line, why);
        case S_END:
            return 0;
        }
        continue;

    document_end:
        c = peek(s);
        if (c == -2) return -2;
        if (c != -1) return fail(s, s->line, "text after the end of the JSON", line, why);
        if (!s->seen_features || !s->seen_type) return fail(s, 1, "not a GeoJSON FeatureCollection", line, why);
        s->state = S_END;
        return 0;
    }
}
