/*
 * copy.c - an event that outlives the call it was handed to: the struct and
 * its strings copied into one block (near keeps the events it sorts; the
 * tile pyramid queues the events of its events.geojson for a writer
 * thread).
 */
#include "events/event.h"

#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

#define EV_N_STRINGS 15

/* The string fields of e, in the order their copies are laid out. */
static void string_fields(ev_event *e, const char **fields[EV_N_STRINGS])
{
    const char **all[EV_N_STRINGS] = { &e->id,       &e->event_date, &e->event_type, &e->sub_event_type,
                                       &e->actor1,   &e->actor2,     &e->country,    &e->admin1,
                                       &e->admin2,   &e->admin3,     &e->location,   &e->source,
                                       &e->notes,    &e->gazetteer_id, &e->match };
    memcpy(fields, all, sizeof(all));
}

size_t ev_event_copy_size(const ev_event *e)
{
    ev_event fields_of = *e;
    const char **fields[EV_N_STRINGS];
    string_fields(&fields_of, fields);
    size_t n = sizeof(ev_event);
    for (size_t i = 0; i < EV_N_STRINGS; i++) n += (*fields[i] ? strlen(*fields[i]) : 0) + 1;
    return n;
}

ev_event *ev_event_copy(const ev_event *e, void *buf)
{
    ev_event *copy = buf;
    char *p = (char *)buf + sizeof(ev_event);
    *copy = *e;
    const char **fields[EV_N_STRINGS];
    string_fields(copy, fields);
    for (size_t i = 0; i < EV_N_STRINGS; i++) {
        size_t len = *fields[i] ? strlen(*fields[i]) : 0;
        if (len) memcpy(p, *fields[i], len);
        p[len] = '\0';
        *fields[i] = p;
        p += len + 1;
    }
    return copy;
}

ev_event *ev_event_dup(const ev_event *e)
{
    return ev_event_copy(e, xmalloc(ev_event_copy_size(e)));
}
