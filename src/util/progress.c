/*
 * progress.c - the one-line progress report on a terminal (progress.h).
 * A line is built in a strbuf and written with one write(2), so that it
 * never interleaves with itself; "\r" returns to the line's start and
 * "\033[K" clears what a longer previous line left.
 */
#include "util/progress.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/banned.h"

#define REDRAW_NS 100000000LL /* at most ten lines a second */

struct progress {
    char *what, *unit, *items_unit;
    uint64_t total, done, items;
    int64_t start_ns, drawn_ns;
    pthread_mutex_t lock;
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int progress_wanted(void)
{
    const char *env = getenv("EVENTMAP_PROGRESS");
    if (env && !strcmp(env, "0")) return 0;
    return isatty(STDERR_FILENO);
}

progress *progress_start(const char *what, const char *unit, uint64_t total, int quiet)
{
    if (quiet || !progress_wanted()) return NULL;
    progress *p = xcalloc(1, sizeof(*p));
    p->what = xstrdup(what);
    p->unit = xstrdup(unit);
    p->total = total;
    p->start_ns = now_ns();
    p->drawn_ns = 0;
    pthread_mutex_init(&p->lock, NULL);
    return p;
}

void progress_set_total(progress *p, uint64_t total)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->total = total;
    pthread_mutex_unlock(&p->lock);
}

/* 1234567 -> "1,234,567" */
static void add_count(strbuf *sb, uint64_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) sb_addch(sb, ',');
        sb_addch(sb, digits[i]);
    }
}

/* 95 -> "1:35", 4000 -> "1:06:40" */
static void add_duration(strbuf *sb, double seconds)
{
    long s = seconds < 0 ? 0 : seconds > 359999 ? 359999 : (long)(seconds + 0.5);
    if (s >= 3600) sb_addf(sb, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else sb_addf(sb, "%ld:%02ld", s / 60, s % 60);
}

static void add_rate(strbuf *sb, double per_s, const char *unit)
{
    if (per_s >= 1e6) sb_addf(sb, "%.1fM %s/s", per_s / 1e6, unit);
    else if (per_s >= 1e4) sb_addf(sb, "%.0fk %s/s", per_s / 1e3, unit);
    else sb_addf(sb, "%.0f %s/s", per_s, unit);
}

/* Draw the line; the caller holds the lock. */
static void draw(progress *p, int64_t now, int last)
{
    strbuf sb = STRBUF_INIT;
    double elapsed = (double)(now - p->start_ns) / 1e9;
    sb_addf(&sb, "\r%s: ", p->what);
    add_count(&sb, p->done);
    if (p->total) {
        sb_adds(&sb, "/");
        add_count(&sb, p->total);
    }
    sb_addf(&sb, " %s", p->unit);
    if (p->total) sb_addf(&sb, " (%.0f%%)", 100.0 * (double)p->done / (double)p->total);
    if (p->items_unit) {
        sb_adds(&sb, ", ");
        add_count(&sb, p->items);
        sb_addf(&sb, " %s", p->items_unit);
    }
    if (elapsed > 0.05 && p->done) {
        double rate = (double)(p->items_unit ? p->items : p->done) / elapsed;
        sb_adds(&sb, ", ");
        add_rate(&sb, rate, p->items_unit ? p->items_unit : p->unit);
        if (!last && p->total && p->done < p->total) {
            sb_adds(&sb, ", ");
            add_duration(&sb, elapsed * (double)(p->total - p->done) / (double)p->done);
            sb_adds(&sb, " left");
        }
    }
    if (last) {
        sb_adds(&sb, ", ");
        add_duration(&sb, elapsed);
    }
    sb_adds(&sb, "\033[K");
    if (last) sb_addch(&sb, '\n');
    size_t off = 0;
    while (off < sb.len) {
        ssize_t w = write(STDERR_FILENO, sb.buf + off, sb.len - off);
        if (w <= 0) break; /* a terminal that went away: nothing to report to */
        off += (size_t)w;
    }
    sb_release(&sb);
    p->drawn_ns = now;
}

void progress_update_items(progress *p, uint64_t done, uint64_t items, const char *items_unit)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->done = done;
    p->items = items;
    if (items_unit && !p->items_unit) p->items_unit = xstrdup(items_unit);
    int64_t now = now_ns();
    if (!p->drawn_ns || now - p->drawn_ns >= REDRAW_NS) draw(p, now, 0);
    pthread_mutex_unlock(&p->lock);
}

void progress_update(progress *p, uint64_t done)
{
    if (!p) return;
    progress_update_items(p, done, 0, NULL);
}

void progress_end(progress *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    draw(p, now_ns(), 1);
    pthread_mutex_unlock(&p->lock);
    pthread_mutex_destroy(&p->lock);
    free(p->what);
    free(p->unit);
    free(p->items_unit);
    free(p);
}
