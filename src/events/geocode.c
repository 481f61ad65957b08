/*
 * geocode.c - an event's place name to coordinates through the gazetteer,
 * with its admin1 and country as context, and what that answer is worth:
 * geo_precision 1 for a town or site, 2 for a weak match, 3 for a
 * governorate, region or country (its representative point).
 */
#include "events/events_int.h"

#include <stdlib.h>
#include <string.h>

#include "gazetteer/gazetteer.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Below this score an answer is more likely wrong than right: unlocated. */
#define MIN_SCORE 0.5

typedef struct {
    char *key;           /* "location\x1f" "admin1\x1f" "country" */
    int located, precision;
    double lat, lon, confidence;
    char *gazetteer_id, *match;
} cache_entry;

struct ev_geocoder {
    const gaz *g;
    cache_entry *slots;
    size_t cap, count;
    strbuf key, query;
};

ev_geocoder *ev_geocoder_new(const gaz *g)
{
    ev_geocoder *gc = xcalloc(1, sizeof(*gc));
    gc->g = g;
    gc->cap = 256;
    gc->slots = xcalloc(gc->cap, sizeof(cache_entry));
    sb_init(&gc->key, 0);
    sb_init(&gc->query, 0);
    return gc;
}

void ev_geocoder_free(ev_geocoder *gc)
{
    if (!gc) return;
    for (size_t i = 0; i < gc->cap; i++) {
        free(gc->slots[i].key);
        free(gc->slots[i].gazetteer_id);
        free(gc->slots[i].match);
    }
    free(gc->slots);
    sb_release(&gc->key);
    sb_release(&gc->query);
    free(gc);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static cache_entry *find_slot(cache_entry *slots, size_t cap, const char *key)
{
    size_t i = (size_t)hash_str(key) & (cap - 1);
    while (slots[i].key && strcmp(slots[i].key, key)) i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(ev_geocoder *gc)
{
    size_t cap = gc->cap * 2;
    cache_entry *slots = xcalloc(cap, sizeof(cache_entry));
    for (size_t i = 0; i < gc->cap; i++)
        if (gc->slots[i].key) *find_slot(slots, cap, gc->slots[i].key) = gc->slots[i];
    free(gc->slots);
    gc->slots = slots;
    gc->cap = cap;
}

/* The ISO alpha-2 code of a country written as a name ("Syria") or a code. */
static int country_code(const gaz *g, const char *country, char out[3])
{
    out[0] = '\0';
    if (!*country) return 0;
    gaz_result r;
    if (gaz_resolve(g, country, NULL, &r, 1, NULL) == 1 && !strncmp(r.feature, "A.PCL", 5) && r.score >= 0.8 &&
        strlen(r.country) == 2) {
        memcpy(out, r.country, 3);
        return 1;
    }
    return 0;
}

static int precision_of(const gaz_result *r)
{
    const char *f = r->feature;
    if (r->match == GAZ_MATCH_REGION || f[0] == 'A' || !strcmp(f, "L.RGN") || !strcmp(f, "L.AREA") ||
        f[0] == 'T')
        return EV_GEO_REGION;
    if (r->match == GAZ_MATCH_FUZZY && r->quality < 0.8) return EV_GEO_NEAR;
    return EV_GEO_EXACT;
}

static void resolve_into(ev_geocoder *gc, const ev_event *e, cache_entry *c)
{
    char cc[3];
    gaz_query q;
    memset(&q, 0, sizeof(q));
    if (country_code(gc->g, e->country, cc)) q.country = cc;
    q.min_score = MIN_SCORE;
    sb_reset(&gc->query);
    sb_adds(&gc->query, e->location);
    /* "Douma, Rif Dimashq": the resolver reads what follows a comma as context */
    if (*e->admin1 && !strchr(e->location, ',') && strcmp(e->admin1, e->location)) sb_addf(&gc->query, ", %s", e->admin1);
    gaz_result rs[2];
    int n = gaz_resolve(gc->g, gc->query.buf, &q, rs, 2, NULL);
    if (n < 1) return;
    const gaz_result r = rs[0];
    c->located = 1;
    c->lat = r.lat_deg;
    c->lon = r.lon_deg;
    /* how well the name matched, less when a different place came close */
    c->confidence = r.quality;
    if (n == 2 && rs[1].score > r.score - 0.05) {
        geo_point a = { r.lat_deg, r.lon_deg }, b = { rs[1].lat_deg, rs[1].lon_deg };
        if (geo_distance_km(a, b) > 25) c->confidence *= 0.8;
    }
    c->precision = precision_of(&r);
    c->gazetteer_id = xstrdup(r.id);
    c->match = xstrdup(gaz_match_name(r.match));
}

int ev_geocode(ev_geocoder *gc, ev_event *e)
{
    e->located = 0;
    e->geo_precision = EV_GEO_NONE;
    e->confidence = 0;
    e->gazetteer_id = "";
    e->match = "";
    if (!gc->g || !*e->location) return 0;
    sb_reset(&gc->key);
    sb_addf(&gc->key, "%s\x1f%s\x1f%s", e->location, e->admin1, e->country);
    cache_entry *c = find_slot(gc->slots, gc->cap, gc->key.buf);
    if (!c->key) {
        if (2 * (gc->count + 1) > gc->cap) {
            grow(gc);
            c = find_slot(gc->slots, gc->cap, gc->key.buf);
        }
        c->key = xstrdup(gc->key.buf);
        gc->count++;
        resolve_into(gc, e, c);
    }
    if (!c->located) return 0;
    e->located = 1;
    e->lat = c->lat;
    e->lon = c->lon;
    e->geo_precision = c->precision;
    e->confidence = c->confidence;
    e->gazetteer_id = c->gazetteer_id;
    e->match = c->match;
    return 0;
}
