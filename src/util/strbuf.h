/*
 * strbuf.h - one growable byte buffer, always NUL-terminated, used for every
 * string the program builds.  Modelled on git's strbuf: a zeroed or
 * STRBUF_INIT buffer is valid and empty; sb_release frees and re-initialises.
 * Allocation failure aborts the program with a message (like git's xmalloc):
 * running out of memory is not an input error we can report per line.
 */
#ifndef EVENTMAP_STRBUF_H
#define EVENTMAP_STRBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

typedef struct strbuf {
    size_t len;   /* bytes in use, not counting the terminating NUL */
    size_t alloc; /* bytes allocated for buf, 0 when buf is the shared empty string */
    char *buf;    /* never NULL; NUL-terminated */
} strbuf;

extern char strbuf_empty[];
#define STRBUF_INIT { 0, 0, strbuf_empty }

void sb_init(strbuf *sb, size_t hint);
/* Free the buffer and leave sb empty and valid. */
void sb_release(strbuf *sb);
/* Ensure room for extra more bytes plus the NUL. */
void sb_grow(strbuf *sb, size_t extra);
void sb_reset(strbuf *sb);
void sb_setlen(strbuf *sb, size_t len);
void sb_add(strbuf *sb, const void *data, size_t len);
void sb_adds(strbuf *sb, const char *s);
void sb_addch(strbuf *sb, int c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(strbuf *sb, const char *fmt, va_list ap);
/* n in decimal, its digits in groups of three parted by commas ("1,234,567"),
 * as maps and legends show counts. */
void sb_add_thousands(strbuf *sb, size_t n);
/* Take the buffer out; caller frees with free().  sb is left empty. */
char *sb_detach(strbuf *sb, size_t *len);

/* The longest line the line-based readers take (GeoNames tables, curated
 * TSV, names on stdin): README, "Limits". */
#define EM_MAX_LINE (1u << 20)

/* getline(3) with a limit: read one line of f, '\n' included, into *line
 * (grown as needed; caller frees).  Returns its length; -1 at the end of
 * input or on a read error (as getline: check ferror); -2 when the line
 * runs past max bytes, with the rest of it left unread. */
ssize_t xgetline(char **line, size_t *cap, FILE *f, size_t max);

/* Allocation helpers that abort with a message on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *arr (of elem-sized items) so that it holds at least need items. */
#define ALLOC_GROW(arr, need, alloc)                                          \
    do {                                                                      \
        if ((need) > (alloc)) {                                               \
            size_t alloc_new_ = (alloc) < 16 ? 16 : (alloc) * 2;              \
            if (alloc_new_ < (need)) alloc_new_ = (need);                     \
            (arr) = xrealloc((arr), alloc_new_ * sizeof(*(arr)));             \
            (alloc) = alloc_new_;                                             \
        }                                                                     \
    } while (0)

#endif
