/*
 * events_int.h - inside src/events/: the geocoder the readers share, and
 * UTF-8 checking.
 */
#ifndef EVENTMAP_EVENTS_INT_H
#define EVENTMAP_EVENTS_INT_H

#include <stddef.h>
#include <stdio.h>

#include "events/event.h"

/* How many leading bytes of s form valid UTF-8 (len when all do). */
size_t ev_utf8_prefix(const unsigned char *s, size_t len);


/* A GeoJSON FeatureCollection read one feature at a time (jsonscan.c).
 * Limits: one feature (or other top-level member) up to EV_JSON_MAX_VALUE
 * bytes, nesting up to EV_JSON_MAX_DEPTH; the file itself may be any size. */
#define EV_JSON_MAX_VALUE (16u << 20)
#define EV_JSON_MAX_DEPTH 512
typedef struct ev_json ev_json;
/* Read from in, whose next byte is on line first_line. */
ev_json *ev_json_new(FILE *in, size_t first_line);
void ev_json_free(ev_json *s);
/* The next element of "features": its text [*text, *text + *len), valid
 * until the next call, and the line it starts on.  Returns 1; 0 when the
 * document has ended and was a well-formed FeatureCollection; -1 on
 * malformed input or past a limit (*why says what, *line where); -2 on a
 * read error (errno is set). */
int ev_json_next(ev_json *s, const char **text, size_t *len, size_t *line, const char **why);

/* Fill e's lat, lon, located, geo_precision, gazetteer_id, match and
 * confidence from e->location (with e->admin1 and e->country as context).
 * The strings stay valid until ev_geocoder_free.  An unresolvable name leaves
 * e unlocated and returns 0; negative only on internal failure. */
int ev_geocode(ev_geocoder *gc, ev_event *e);

#endif
