/*
 * strbuf.c - the growable buffer and the aborting allocators (see strbuf.h).
 */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

char strbuf_empty[1];

static void die_oom(size_t n)
{
    fprintf(stderr, "eventmap: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) die_oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) die_oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) die_oom(n);
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *d = xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

void sb_init(strbuf *sb, size_t hint)
{
    sb->len = 0;
    sb->alloc = 0;
    sb->buf = strbuf_empty;
    if (hint) sb_grow(sb, hint);
}

void sb_release(strbuf *sb)
{
    if (sb->alloc) free(sb->buf);
    sb_init(sb, 0);
}

void sb_grow(strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->alloc) return;
    size_t n = sb->alloc < 64 ? 64 : sb->alloc;
    while (n < need) n *= 2;
    if (sb->alloc) {
        sb->buf = xrealloc(sb->buf, n);
    } else {
        sb->buf = xmalloc(n);
        sb->buf[0] = '\0';
    }
    sb->alloc = n;
}

void sb_reset(strbuf *sb)
{
    sb_setlen(sb, 0);
}

void sb_setlen(strbuf *sb, size_t len)
{
    if (!sb->alloc) {
        if (len == 0) return;
        sb_grow(sb, len);
    }
    sb->len = len;
    sb->buf[len] = '\0';
}

void sb_add(strbuf *sb, const void *data, size_t len)
{
    if (!len) return;
    sb_grow(sb, len);
    memcpy(sb->buf + sb->len, data, len);
    sb->len += len;
    sb->buf[sb->len] = '\0';
}

void sb_adds(strbuf *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

void sb_addch(strbuf *sb, int c)
{
    sb_grow(sb, 1);
    sb->buf[sb->len++] = (char)c;
    sb->buf[sb->len] = '\0';
}

void sb_vaddf(strbuf *sb, const char *fmt, va_list ap)
{
    if (!fmt) return; /* (and gcc's -Wformat-truncation sees it is not NULL) */
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n <= 0) return;
    sb_grow(sb, (size_t)n);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vaddf(sb, fmt, ap);
    va_end(ap);
}

void sb_add_thousands(strbuf *sb, size_t n)
{
    char digits[32];
    snprintf(digits, sizeof(digits), "%zu", n);
    size_t len = strlen(digits);
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) sb_addch(sb, ',');
        sb_addch(sb, digits[i]);
    }
}

char *sb_detach(strbuf *sb, size_t *len)
{
    char *p;
    if (len) *len = sb->len;
    if (!sb->alloc) {
        p = xstrdup("");
    } else {
        p = sb->buf;
    }
    sb_init(sb, 0);
    return p;
}

ssize_t xgetline(char **line, size_t *cap, FILE *f, size_t max)
{
    size_t len = 0;
    int c = EOF;
    flockfile(f);
    while ((c = getc_unlocked(f)) != EOF) {
        if (len + 2 > *cap) {
            size_t want = *cap < 256 ? 256 : *cap * 2;
            *line = xrealloc(*line, want);
            *cap = want;
        }
        (*line)[len++] = (char)c;
        if (c == '\n') break;
        if (len > max) break;
    }
    funlockfile(f);
    if (len == 0) return -1;
    (*line)[len] = '\0';
    if (c != '\n' && len > max) return -2;
    return (ssize_t)len;
}
