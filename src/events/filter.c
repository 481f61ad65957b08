/*
 * filter.c - the filters every reading command takes: --since, --until,
 * --type, --actor, --region.
 */
#include "events/event.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

/* Case-insensitive (ASCII) substring test. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    if (!n) return 1;
    for (; *hay; hay++)
        if (tolower((unsigned char)*hay) == tolower((unsigned char)*needle) && !strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

int ev_filter_match(const ev_filter *f, const ev_event *e)
{
    if (!f) return 1;
    if (f->has_since && e->day < f->since_day) return 0;
    if (f->has_until && e->day > f->until_day) return 0;
    if (f->type && strcasecmp(e->event_type, f->type) && strcasecmp(e->sub_event_type, f->type)) return 0;
    if (f->actor && !contains_nocase(e->actor1, f->actor) && !contains_nocase(e->actor2, f->actor)) return 0;
    if (f->region) {
        if (!e->located) return 0;
        if (e->lon < f->region_bbox.west_deg || e->lon > f->region_bbox.east_deg ||
            e->lat < f->region_bbox.south_deg || e->lat > f->region_bbox.north_deg)
            return 0;
        geo_point p = { e->lat, e->lon };
        if (geo_shape_contains(f->geo, f->region, p) != 1) return 0;
    }
    return 1;
}
