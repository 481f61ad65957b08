/*
 * progress.h - a one-line progress report on stderr for long work (an
 * import of a million rows, a deep tile pyramid, a big gazetteer build):
 * done/total, the rate and the time left, redrawn in place with a carriage
 * return.  Only when stderr is a terminal: a pipe, a file, CI and the tests
 * see nothing from it, so a command's output is the same with or without
 * one.  The last line stays on the screen when the work ends.
 *
 * The clock only paces the redraws and gives the rate; what is printed
 * never decides anything.
 */
#ifndef EVENTMAP_PROGRESS_H
#define EVENTMAP_PROGRESS_H

#include <stdint.h>

typedef struct progress progress;

/* Start a progress line for `what` ("import", "tiles") counting `unit`
 * ("rows", "tiles", "MB") towards total (0 when not known yet).  Returns
 * NULL when stderr is no terminal or quiet is set (or, to test it, the
 * environment sets EVENTMAP_PROGRESS=0); every function below takes NULL
 * and then does nothing.  The strings are copied.  Caller ends it with
 * progress_end. */
progress *progress_start(const char *what, const char *unit, uint64_t total, int quiet);

/* The total, once it is known (a tile plan, a file's size). */
void progress_set_total(progress *p, uint64_t total);

/* done units so far, and optionally a count of what they hold ("rows"
 * while the unit is MB of input; items_unit NULL for none).  Redraws at
 * most ten times a second.  Safe from one thread at a time only. */
void progress_update(progress *p, uint64_t done);
void progress_update_items(progress *p, uint64_t done, uint64_t items, const char *items_unit);

/* Draw the final state, end the line and free p.  NULL is a no-op. */
void progress_end(progress *p);

/* Whether progress_start would draw: stderr is a terminal and the
 * environment does not say EVENTMAP_PROGRESS=0. */
int progress_wanted(void);

#endif
