/*
 * geocode.c - an event's place name to coordinates through the gazetteer,
 * with its admin1 and country as context, and what that answer is worth:
 * geo_precision 1 for a town or site, 2 for a weak match, 3 for a
 * governorate, region or country (its representative point).
 */
#include "events/events_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "gazetteer/gazetteer.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Below this score an answer is more likely wrong than right: unlocated. */
#define MIN_SCORE 0.5

typedef struct {
    char *key;           /* "location\x1f" "admin1\x1f" "admin2\x1f" "admin3\x1f" "country" */
    uint64_t hash;       /* hash_str(key) */
    int located, precision;
    double lat, lon, confidence;
    char *gazetteer_id, *match, *name;
    char *runner_up[2];  /* "NAME (ID, CC, quality Q)", for the review; NULL: none */
    size_t rows;         /* rows that asked for it */
} cache_entry;

/* A country column's text and what it means (gaz_country_area). */
typedef struct {
    char *text;
    uint64_t hash;           /* hash_str(text) */
    int known;               /* 1 when text names a country */
    char area[64];           /* "SD,SS" */
    int has_place;
    gaz_result place;        /* the country as a place, when has_place */
} country_entry;

/* An area text's answer inside the countries of a query (resolve_area). */
typedef struct {
    char *key;               /* "area\x1f" "country\x1f" "within"; NULL: an empty slot */
    uint64_t hash;
    int found;
    gaz_result area;         /* when found; borrows the gazetteer's strings */
} area_entry;

struct ev_geocoder {
    const gaz *g;
    cache_entry *slots;
    size_t cap, count;
    strbuf key, query;
    strbuf forms;            /* name_forms of the row being resolved */
    country_entry *countries; /* the country texts met, and where they lie */
    size_t n_countries, alloc_countries;
    country_entry scratch;    /* one more, when MAX_COUNTRY_TEXTS are kept */
    area_entry *areas;        /* resolve_area's answers: an open-addressing table */
    size_t areas_cap, n_areas;
    strbuf area_key;
};

ev_geocoder *ev_geocoder_new(const gaz *g)
{
    ev_geocoder *gc = xcalloc(1, sizeof(*gc));
    gc->g = g;
    gc->cap = 256;
    gc->slots = xcalloc(gc->cap, sizeof(cache_entry));
    sb_init(&gc->key, 0);
    sb_init(&gc->query, 0);
    sb_init(&gc->forms, 0);
    sb_init(&gc->area_key, 0);
    return gc;
}

void ev_geocoder_free(ev_geocoder *gc)
{
    if (!gc) return;
    for (size_t i = 0; i < gc->cap; i++) {
        free(gc->slots[i].key);
        free(gc->slots[i].gazetteer_id);
        free(gc->slots[i].match);
        free(gc->slots[i].name);
        free(gc->slots[i].runner_up[0]);
        free(gc->slots[i].runner_up[1]);
    }
    free(gc->slots);
    sb_release(&gc->key);
    sb_release(&gc->query);
    sb_release(&gc->forms);
    sb_release(&gc->area_key);
    for (size_t i = 0; i < gc->n_countries; i++) free(gc->countries[i].text);
    free(gc->countries);
    free(gc->scratch.text);
    for (size_t i = 0; i < gc->areas_cap; i++) free(gc->areas[i].key);
    free(gc->areas);
    free(gc);
}

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The key's parts: location, admin1, admin2, admin3, country. */
#define N_KEY_PARTS 5

/* hash_str of the parts joined by \x1f, without joining them. */
static uint64_t hash_parts(const char *const parts[N_KEY_PARTS])
{
    uint64_t h = 1469598103934665603ull;
    for (int k = 0; k < N_KEY_PARTS; k++) {
        if (k) h = (h ^ 0x1f) * 1099511628211ull;
        for (const char *s = parts[k]; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    }
    return h;
}

/* Whether key is the parts joined by \x1f. */
static int key_is(const char *key, const char *const parts[N_KEY_PARTS])
{
    for (int k = 0; k < N_KEY_PARTS; k++) {
        if (k && *key++ != '\x1f') return 0;
        for (const char *s = parts[k]; *s; s++, key++)
            if (*key != *s) return 0;
    }
    return *key == '\0';
}

/* The slot of the key the parts make (its hash h), empty when it is not
 * there.  Every row asks: the stored hash spares a compare with each other
 * key met. */
static cache_entry *find_parts(cache_entry *slots, size_t cap, const char *const parts[N_KEY_PARTS], uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || !key_is(slots[i].key, parts))) i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(ev_geocoder *gc)
{
    size_t cap = gc->cap * 2;
    cache_entry *slots = xcalloc(cap, sizeof(cache_entry));
    /* the keys are distinct: each goes to the first free slot from its hash */
    for (size_t i = 0; i < gc->cap; i++) {
        if (!gc->slots[i].key) continue;
        size_t j = (size_t)gc->slots[i].hash & (cap - 1);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = gc->slots[i];
    }
    free(gc->slots);
    gc->slots = slots;
    gc->cap = cap;
}

/* A table names a few hundred countries at most; past this many distinct
 * texts (a column of something else) each is looked up again. */
#define MAX_COUNTRY_TEXTS 512

/* What the row's country column means (where the event lies, "SD,SS";
 * gaz_country_area), looked up once per distinct text.  Borrowed until the
 * next call. */
static const country_entry *country_of(ev_geocoder *gc, const char *country)
{
    /* each distinct place asks: hashes first, a string compare only on a match */
    uint64_t h = hash_str(country);
    for (size_t i = 0; i < gc->n_countries; i++)
        if (gc->countries[i].hash == h && !strcmp(gc->countries[i].text, country)) return &gc->countries[i];
    country_entry *c;
    if (gc->n_countries < MAX_COUNTRY_TEXTS) {
        ALLOC_GROW(gc->countries, gc->n_countries + 1, gc->alloc_countries);
        c = &gc->countries[gc->n_countries++];
    } else {
        c = &gc->scratch;
        free(c->text);
    }
    memset(c, 0, sizeof(*c));
    c->text = xstrdup(country);
    c->hash = h;
    c->known = gaz_country_area(gc->g, country, c->area);
    char cc[3] = { c->area[0], c->area[1], 0 };
    c->has_place = c->known && gaz_country_place(gc->g, cc, &c->place);
    return c;
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

/* Below this match quality a place name's answer is a guess: the row goes
 * to the area it names instead (ACLED's convention for an unknown place). */
#define MIN_PLACE_QUALITY 0.8
/* An area name (the row's admin1) must match at least this well; a
 * first-level area of the row's own country this well. */
#define MIN_AREA_QUALITY 0.85
#define MIN_ADMIN1_QUALITY 0.7
/* The confidence of a row placed at its area: how often such a point lies
 * within the tolerance of the row's own precision (UCDP's where_prec: 10 km
 * for an exact place to 100 km for an admin-1 event), measured on real UCDP
 * rows (make eval): 16% at the admin-1 point, none at the country point.
 * A place that matched is within it 89-99% of the time, as its match
 * quality says. */
#define ADMIN1_CONFIDENCE 0.15
#define COUNTRY_CONFIDENCE 0.02
/* At a district's seat (or the district itself, in a gazetteer that has
 * GeoNames' ADM2 features), measured the same way: 58% within. */
#define DISTRICT_CONFIDENCE 0.5

static void set_answer(cache_entry *c, const gaz_result *r, int precision, const char *match, double confidence)
{
    c->located = 1;
    c->lat = r->lat_deg;
    c->lon = r->lon_deg;
    c->confidence = confidence;
    c->precision = precision;
    c->gazetteer_id = xstrdup(r->id);
    c->match = xstrdup(match);
    c->name = xstrdup(r->name);
}

/* A candidate as the review shows it. */
static char *describe(const gaz_result *r)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s (%s, %s, quality %.2f)", r->name, r->id, *r->country ? r->country : "-", r->quality);
    return sb_detach(&sb, NULL);
}

/* A blank or "NA" column names nothing. */
static int names_something(const char *s)
{
    return *s && strcmp(s, "NA") && strcmp(s, "N/A");
}

/* The row's first-level area as a place inside q's countries: 1 and r.
 * The area itself, or the seat that stands for it (its capital), among the
 * first few answers: "Baringo county" is a town before it is the county.
 * A first-level area inside the row's country may be misspelt a little more
 * than a place ("Khyber Pakhtunkwa"): a country has a few dozen of them, so
 * a close spelling is seldom another one. */
static int resolve_area_uncached(ev_geocoder *gc, const char *area, const gaz_query *q, gaz_result *r)
{
    gaz_result rs[3];
    int n = gaz_resolve(gc->g, area, q, rs, 3, NULL);
    for (int i = 0; i < n; i++) {
        const char *f = rs[i].feature;
        int admin1 = !strcmp(f, "A.ADM1") && q->within;
        if (rs[i].quality < (admin1 ? MIN_ADMIN1_QUALITY : MIN_AREA_QUALITY)) continue;
        if (f[0] != 'A' && strncmp(f, "P.PPLA", 6) && strcmp(f, "P.PPLC") && rs[i].match != GAZ_MATCH_REGION) continue;
        *r = rs[i];
        return 1;
    }
    return 0;
}

/* The slot of key (hash h) in the area table, empty when it is not there. */
static area_entry *find_area(area_entry *slots, size_t cap, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key))) i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* The row's area as a place inside q's countries: 1 and r.  A table names
 * a few thousand areas behind tens of thousands of places, so each (area,
 * countries) is resolved once; the answer depends on nothing else (q holds
 * only the countries and resolve_into's min_score). */
static int resolve_area(ev_geocoder *gc, const char *area, const gaz_query *q, gaz_result *r)
{
    if (!names_something(area)) return 0;
    assert(!q->has_near && !q->focus && !q->areas && q->min_score == MIN_SCORE);
    strbuf *key = &gc->area_key;
    sb_reset(key);
    sb_adds(key, area);
    sb_addch(key, '\x1f');
    sb_adds(key, q->country ? q->country : "");
    sb_addch(key, '\x1f');
    sb_adds(key, q->within ? q->within : "");
    uint64_t h = hash_str(key->buf);
    if (gc->areas_cap) {
        const area_entry *a = find_area(gc->areas, gc->areas_cap, key->buf, h);
        if (a->key) {
            if (a->found) *r = a->area;
            return a->found;
        }
    }
    if (2 * (gc->n_areas + 1) > gc->areas_cap) {
        size_t cap = gc->areas_cap ? 2 * gc->areas_cap : 256;
        area_entry *slots = xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < gc->areas_cap; i++)
            if (gc->areas[i].key) *find_area(slots, cap, gc->areas[i].key, gc->areas[i].hash) = gc->areas[i];
        free(gc->areas);
        gc->areas = slots;
        gc->areas_cap = cap;
    }
    area_entry *a = find_area(gc->areas, gc->areas_cap, key->buf, h);
    a->key = xstrdup(key->buf);
    a->hash = h;
    a->found = resolve_area_uncached(gc, area, q, &a->area);
    gc->n_areas++;
    if (a->found) *r = a->area;
    return a->found;
}

/* Whether a location names an area rather than a place: its last word is
 * an administrative kind ("Kandahar province", "Miranda state"). */
static int names_an_area(const char *location)
{
    const char *last = strrchr(location, ' ');
    return last && (gaz_kind_flags(last + 1, strlen(last + 1)) & GAZ_KIND_AREA);
}

/* The names one location cell holds, the whole first: "Tadmur/Palmyra town"
 * also as "Tadmur town" and "Palmyra town", "Chaghcharan (Feroz Koh) town"
 * as "Chaghcharan town" and "Feroz Koh".  Appends them to forms (each
 * NUL-terminated, one after another) and returns how many. */
static int name_forms(const char *location, strbuf *forms)
{
    sb_reset(forms);
    sb_add(forms, location, strlen(location) + 1);
    int n = 1;
    const char *open = strchr(location, '('), *close = open ? strchr(open, ')') : NULL;
    if (open && close && close > open + 1) {
        /* outside the brackets, then inside */
        size_t before = (size_t)(open - location);
        while (before && location[before - 1] == ' ') before--;
        sb_add(forms, location, before);
        const char *after = close + 1;
        if (*after && *after != ' ' && before) sb_addch(forms, ' ');
        sb_adds(forms, after);
        sb_addch(forms, '\0');
        sb_add(forms, open + 1, (size_t)(close - open - 1));
        sb_addch(forms, '\0');
        return n + 2;
    }
    const char *slash = strchr(location, '/');
    if (slash && slash > location && slash[1]) {
        /* the kind word of the second name belongs to the first too */
        const char *last = strrchr(slash + 1, ' ');
        const char *kind = last && (gaz_kind_flags(last + 1, strlen(last + 1)) & GAZ_KIND_CELL) ? last : NULL;
        size_t left = (size_t)(slash - location);
        while (left && location[left - 1] == ' ') left--;
        sb_add(forms, location, left);
        if (kind) sb_adds(forms, kind);
        sb_addch(forms, '\0');
        const char *right = slash + 1;
        while (*right == ' ') right++;
        sb_adds(forms, right);
        sb_addch(forms, '\0');
        return n + 2;
    }
    return n;
}

/* How far outside an area a place may lie and still be taken as in it:
 * beyond its bbox by this much, or from its point when it has no bbox. */
#define AREA_MARGIN_DEG 0.5
#define AREA_RADIUS_KM 200.0

/* Whether the place p lies well outside the area. */
static int far_from_area(const gaz_result *p, const gaz_result *area)
{
    if (area->has_bbox) {
        const geo_bbox *b = &area->bbox;
        return p->lat_deg < b->south_deg - AREA_MARGIN_DEG || p->lat_deg > b->north_deg + AREA_MARGIN_DEG ||
               p->lon_deg < b->west_deg - AREA_MARGIN_DEG || p->lon_deg > b->east_deg + AREA_MARGIN_DEG;
    }
    geo_point a = { p->lat_deg, p->lon_deg }, b = { area->lat_deg, area->lon_deg };
    return geo_distance_km(a, b) > AREA_RADIUS_KM;
}

/* Whether a feature can stand for a second- or third-level area: the area
 * itself (GeoNames' ADM2-ADM4, in a full country dump) or an admin seat, which
 * usually shares its district's name (Manbij, seat of Manbij district). */
static int stands_for_district(const char *feature)
{
    static const char *const kinds[] = { "A.ADM2", "A.ADM3", "A.ADM4", "A.ADMD", "P.PPLA", "P.PPLA2",
                                         "P.PPLA3", "P.PPLA4", "P.PPLC", NULL };
    for (const char *const *k = kinds; *k; k++)
        if (!strcmp(feature, *k)) return 1;
    return 0;
}

/* The row's second- or third-level area (district as written: "Manbij
 * district", "Markaz Idlib") as a point inside q's countries and, when the
 * row's admin-1 area is known, inside or near it: 1 and r. */
static int resolve_district(ev_geocoder *gc, const char *district, const char *admin1_text, const gaz_query *q,
                            const gaz_result *admin1, gaz_result *r)
{
    if (!names_something(district)) return 0;
    sb_reset(&gc->query);
    sb_adds(&gc->query, district);
    if (names_something(admin1_text) && !strchr(district, ',')) sb_addf(&gc->query, ", %s", admin1_text);
    gaz_result rs[5];
    int n = gaz_resolve(gc->g, gc->query.buf, q, rs, 5, NULL);
    for (int i = 0; i < n; i++) {
        if (rs[i].quality < MIN_AREA_QUALITY || !stands_for_district(rs[i].feature)) continue;
        if (admin1 && *admin1->admin1_code && *rs[i].admin1_code &&
            strcmp(admin1->admin1_code, rs[i].admin1_code) != 0 && far_from_area(&rs[i], admin1))
            continue;
        *r = rs[i];
        return 1;
    }
    return 0;
}

static void resolve_into(ev_geocoder *gc, const ev_event *e, cache_entry *c)
{
    char cc[3] = "";
    gaz_query q;
    memset(&q, 0, sizeof(q));
    /* a row that names a country is placed inside it or not at all */
    const country_entry *ce = country_of(gc, e->country);
    const char *area = ce->known ? ce->area : NULL;
    if (area) {
        memcpy(cc, area, 2);
        q.country = cc;
        q.within = area;
    }
    q.min_score = MIN_SCORE;
    gaz_result rs[3];
    memset(rs, 0, sizeof(rs));
    int n = 0;
    if (names_something(e->location)) {
        /* each name the cell holds; the best answer of them */
        int n_forms = name_forms(e->location, &gc->forms);
        const char *form = gc->forms.buf;
        for (int i = 0; i < n_forms; form += strlen(form) + 1, i++) {
            sb_reset(&gc->query);
            sb_adds(&gc->query, form);
            /* "Douma, Rif Dimashq": the resolver reads what follows a comma as context */
            if (names_something(e->admin1) && !strchr(form, ',') && strcmp(e->admin1, form))
                sb_addf(&gc->query, ", %s", e->admin1);
            gaz_result got[3];
            int k = gaz_resolve(gc->g, gc->query.buf, &q, got, 3, NULL);
            if (k >= 1 && (n == 0 || got[0].quality > rs[0].quality ||
                           (got[0].quality == rs[0].quality && got[0].score > rs[0].score))) {
                memcpy(rs, got, sizeof(rs));
                n = k;
            }
        }
    }
    gaz_result r;
    int placed = n >= 1 && rs[0].quality >= MIN_PLACE_QUALITY;
    /* a place of that name, but in another admin-1 area than the row names
     * (by their GeoNames codes) and away from it: not the row's place, and
     * its area is the honest answer.  Near the area it stays: borders and
     * codes change (South Sudan's states, Sierra Leone's provinces). */
    gaz_result row_area;
    memset(&row_area, 0, sizeof(row_area));
    int area_known = resolve_area(gc, e->admin1, &q, &row_area);
    if (placed && area_known && *row_area.admin1_code && *rs[0].admin1_code &&
        strcmp(row_area.admin1_code, rs[0].admin1_code) != 0 && strcmp(rs[0].feature, "A.PCLI") != 0 &&
        far_from_area(&rs[0], &row_area))
        placed = 0;
    /* the review's runners-up: after the answer, or the candidates refused */
    for (int i = 0; i < 2 && placed + i < n; i++) c->runner_up[i] = describe(&rs[placed + i]);
    if (placed) {
        r = rs[0];
        /* how well the name matched, less when a different place came close */
        double confidence = r.quality;
        if (n >= 2 && rs[1].score > r.score - 0.05) {
            geo_point a = { r.lat_deg, r.lon_deg }, b = { rs[1].lat_deg, rs[1].lon_deg };
            if (geo_distance_km(a, b) > 25) confidence *= 0.8;
        }
        /* "Miranda state" answered by a town: a point for the area */
        int precision = precision_of(&r);
        if (names_an_area(e->location) && r.feature[0] == 'P') precision = EV_GEO_REGION;
        set_answer(c, &r, precision, gaz_match_name(r.match), confidence);
        return;
    }

    /* no answer worth a dot: the most specific area the row names that the
     * gazetteer knows, never a guess */
    const gaz_result *admin1 = area_known ? &row_area : NULL;
    if (resolve_district(gc, e->admin3, e->admin1, &q, admin1, &r)) {
        set_answer(c, &r, EV_GEO_REGION, "admin3", DISTRICT_CONFIDENCE);
        return;
    }
    if (resolve_district(gc, e->admin2, e->admin1, &q, admin1, &r)) {
        set_answer(c, &r, EV_GEO_REGION, "admin2", DISTRICT_CONFIDENCE);
        return;
    }
    if (area_known) {
        set_answer(c, &row_area, EV_GEO_REGION, "admin1", ADMIN1_CONFIDENCE);
        return;
    }
    if (area && ce->has_place) set_answer(c, &ce->place, EV_GEO_REGION, "country", COUNTRY_CONFIDENCE);
}

const char *ev_geocode_level(const char *match)
{
    static const char *const areas[] = { "admin3", "admin2", "admin1", "country", NULL };
    for (const char *const *a = areas; *a; a++)
        if (!strcmp(match, *a)) return *a;
    return "place";
}

int ev_geocode(ev_geocoder *gc, ev_event *e)
{
    e->located = 0;
    e->geo_precision = EV_GEO_NONE;
    e->confidence = 0;
    e->gazetteer_id = "";
    e->match = "";
    if (!gc->g || !*e->location) return 0;
    /* the row's key, hashed and compared field by field: it is built only
     * for a place not met before (every row asks, a few in a hundred are new) */
    const char *parts[N_KEY_PARTS] = { e->location, e->admin1, e->admin2 ? e->admin2 : "",
                                       e->admin3 ? e->admin3 : "", e->country };
    uint64_t h = hash_parts(parts);
    cache_entry *c = find_parts(gc->slots, gc->cap, parts, h);
    if (!c->key) {
        if (2 * (gc->count + 1) > gc->cap) {
            grow(gc);
            c = find_parts(gc->slots, gc->cap, parts, h);
        }
        sb_reset(&gc->key);
        for (int k = 0; k < N_KEY_PARTS; k++) {
            if (k) sb_addch(&gc->key, '\x1f');
            sb_adds(&gc->key, parts[k]);
        }
        c->key = xstrdup(gc->key.buf);
        c->hash = h;
        gc->count++;
        resolve_into(gc, e, c);
    }
    c->rows++;
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

/* ------------------------------------------------------------- review */

/* field to out, quoted as RFC 4180 when it needs to be. */
static void put_field(FILE *out, const char *field, size_t len, int last)
{
    int quote = 0;
    for (size_t i = 0; i < len; i++) quote |= field[i] == ',' || field[i] == '"' || field[i] == '\n' || field[i] == '\r';
    if (quote) {
        fputc('"', out);
        for (size_t i = 0; i < len; i++) {
            if (field[i] == '"') fputc('"', out);
            fputc(field[i], out);
        }
        fputc('"', out);
    } else {
        fwrite(field, 1, len, out);
    }
    fputc(last ? '\n' : ',', out);
}

static void put_text(FILE *out, const char *text)
{
    put_field(out, text ? text : "", text ? strlen(text) : 0, 0);
}

/* The doubtful first: lowest confidence, then most rows, then by key. */
static int cmp_review(const void *pa, const void *pb)
{
    const cache_entry *a = *(const cache_entry *const *)pa, *b = *(const cache_entry *const *)pb;
    double ca = a->located ? a->confidence : -1, cb = b->located ? b->confidence : -1;
    if (ca != cb) return ca < cb ? -1 : 1;
    if (a->rows != b->rows) return a->rows > b->rows ? -1 : 1;
    return strcmp(a->key, b->key);
}

int ev_geocoder_report(const ev_geocoder *gc, FILE *out)
{
    const cache_entry **order = xmalloc((gc->count ? gc->count : 1) * sizeof(*order));
    size_t n = 0;
    for (size_t i = 0; i < gc->cap; i++)
        if (gc->slots[i].key) order[n++] = &gc->slots[i];
    qsort(order, n, sizeof(*order), cmp_review);
    fputs("location,admin1,admin2,admin3,country,rows,level,match,geo_precision,confidence,name,gazetteer_id,"
          "latitude,longitude,"
          "runner_up_1,runner_up_2\n", out);
    for (size_t i = 0; i < n; i++) {
        const cache_entry *c = order[i];
        /* the key's five parts */
        const char *part = c->key;
        for (int k = 0; k < 5; k++) {
            const char *sep = strchr(part, '\x1f');
            size_t len = sep ? (size_t)(sep - part) : strlen(part);
            put_field(out, part, len, 0);
            part = sep ? sep + 1 : part + len;
        }
        const char *level = !c->located ? "none" : ev_geocode_level(c->match);
        fprintf(out, "%zu,%s,", c->rows, level);
        put_text(out, c->located ? c->match : "");
        if (c->located) fprintf(out, "%d,%.2f,", c->precision, c->confidence);
        else fputs("0,0.00,", out);
        put_text(out, c->name);
        put_text(out, c->gazetteer_id);
        if (c->located) fprintf(out, "%.6f,%.6f,", c->lat, c->lon);
        else fputs(",,", out);
        put_text(out, c->runner_up[0]);
        put_field(out, c->runner_up[1] ? c->runner_up[1] : "", c->runner_up[1] ? strlen(c->runner_up[1]) : 0, 1);
    }
    free(order);
    return ferror(out) ? -1 : 0;
}
