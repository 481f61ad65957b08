/*
 * geocode_log.c - the rows of a read that geocoding placed at an area they
 * name (their admin3 or admin2, admin1 or country) or could not place, as
 * lines for the user to review ("FILE:LINE: placed at its admin1: ..."),
 * the first thousand of each kind kept, the rest counted.
 */
#include "events/event.h"

#include <stdio.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

/* The lines kept of each kind; past them only the count grows. */
#define GEOCODE_LOG_MAX 1000

void ev_geocode_log_init(ev_geocode_log *log)
{
    memset(log, 0, sizeof(*log));
    sb_init(&log->areas, 0);
    sb_init(&log->unlocated, 0);
}

void ev_geocode_log_add(ev_geocode_log *log, const ev_event *e, const char *file, size_t line)
{
    if (!e->located) {
        if (log->n_unlocated < GEOCODE_LOG_MAX)
            sb_addf(&log->unlocated, "%s:%zu: unlocated: \"%s\"%s%s%s%s not found in the gazetteer\n", file, line,
                    e->location, *e->admin1 ? ", " : "", e->admin1, *e->country ? ", " : "", e->country);
        log->n_unlocated++;
    } else if (strcmp(ev_geocode_level(e->match), "place") != 0) {
        const char *level = ev_geocode_level(e->match);
        if (log->n_district + log->n_admin1 + log->n_country < GEOCODE_LOG_MAX)
            sb_addf(&log->areas, "%s:%zu: placed at its %s: \"%s\"%s%s%s%s not found there in the gazetteer, or "
                    "only weakly\n", file, line, level, e->location, *e->admin1 ? ", " : "",
                    e->admin1, *e->country ? ", " : "", e->country);
        if (!strcmp(level, "admin1")) log->n_admin1++;
        else if (!strcmp(level, "country")) log->n_country++;
        else log->n_district++;
    }
}

void ev_geocode_log_write(const ev_geocode_log *log, FILE *out)
{
    size_t n_areas = log->n_district + log->n_admin1 + log->n_country;
    fputs(log->areas.buf, out);
    if (n_areas > GEOCODE_LOG_MAX)
        fprintf(out, "... and %zu more placed at an area they name\n", n_areas - GEOCODE_LOG_MAX);
    fputs(log->unlocated.buf, out);
    if (log->n_unlocated > GEOCODE_LOG_MAX)
        fprintf(out, "... and %zu more unlocated\n", log->n_unlocated - GEOCODE_LOG_MAX);
}

void ev_geocode_log_release(ev_geocode_log *log)
{
    sb_release(&log->areas);
    sb_release(&log->unlocated);
    ev_geocode_log_init(log);
}
