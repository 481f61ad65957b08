/*
 * resolve.c - gaz_resolve: from a name as a reporter wrote it to ranked
 * places.
 *
 * Candidates come from three lookups: the folded text (exact and alias
 * matches), the transliteration key (spelling variants), and the deletion
 * neighbourhood of the key (misspellings and variants the folding rules do
 * not cover), checked with an edit distance in which vowels, h, y and w and
 * similar consonants cost less than other letters.  Each candidate's score
 * weighs match quality with the place's importance (feature class and
 * population) and the hints: --country, --near, a context after a comma
 * ("Douma, Rif Dimashq") and a kind word ("Idlib province", "the city of
 * Raqqa").
 */
#include "gazetteer_int.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/banned.h"

#define MAX_CANDIDATES 4096
#define MAX_FUZZY_KEYS 3000
#define FUZZY_MIN_SIM 0.75

typedef struct {
    uint32_t place;
    uint32_t name;      /* the name record that matched */
    double quality;     /* 0..1 how well the text matched that name */
    gaz_match match;
} candidate;

typedef struct {
    candidate *c;
    size_t n, alloc;
} cand_list;

enum { PREFER_NONE = 0, PREFER_ADM1, PREFER_PLACE, PREFER_REGION, PREFER_TERRAIN };

static void add_cand(cand_list *cl, uint32_t place, uint32_t name, double quality, gaz_match m)
{
    if (cl->n >= MAX_CANDIDATES) return;
    ALLOC_GROW(cl->c, cl->n + 1, cl->alloc);
    cl->c[cl->n].place = place;
    cl->c[cl->n].name = name;
    cl->c[cl->n].quality = quality;
    cl->c[cl->n].match = m;
    cl->n++;
}

/* First index in a sorted u64 array whose upper 32 bits are >= h. */
static size_t lower_bound(const uint64_t *v, size_t n, uint32_t h)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)(v[mid] >> 32) < h) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int is_vowel_key(int c)
{
    return c == 'a' || c == 'i' || c == 'u';
}

static int is_soft(int c)
{
    return is_vowel_key(c) || c == 'h' || c == 'y' || c == 'w';
}

static double sub_cost_slow(int a, int b)
{
    if (a == b) return 0;
    if (is_vowel_key(a) && is_vowel_key(b)) return 0.4;
    if ((a == 'y' && b == 'i') || (a == 'i' && b == 'y') || (a == 'w' && b == 'u') || (a == 'u' && b == 'w'))
        return 0.3;
    static const char *const pairs[] = { "kg", "td", "dz", "sz", "sS", "bp", "fv", "jg", "hk", "tT", "ks", "tz", NULL };
    for (int i = 0; pairs[i]; i++)
        if ((a == pairs[i][0] && b == pairs[i][1]) || (a == pairs[i][1] && b == pairs[i][0])) return 0.6;
    return 1;
}

/* Costs by byte, filled once (keys are ASCII; other bytes cost 1). */
static float sub_table[128][128];
static float indel_table[128];
static pthread_once_t cost_once = PTHREAD_ONCE_INIT;

static void init_costs(void)
{
    for (int a = 0; a < 128; a++) {
        indel_table[a] = is_soft(a) ? 0.5f : 1.0f;
        for (int b = 0; b < 128; b++) sub_table[a][b] = (float)sub_cost_slow(a, b);
    }
}

static inline float sub_cost(unsigned char a, unsigned char b)
{
    if (a == b) return 0;
    return (a | b) & 0x80 ? 1.0f : sub_table[a][b];
}

static inline float indel_cost(unsigned char c)
{
    return c & 0x80 ? 1.0f : indel_table[c];
}

/* Weighted Levenshtein distance between two keys of at most 64 bytes; once
 * every path costs more than max, some value above max. */
static double key_distance(const char *a, size_t la, const char *b, size_t lb, double max)
{
    float row[66], prev[66];
    const unsigned char *ua = (const unsigned char *)a, *ub = (const unsigned char *)b;
    pthread_once(&cost_once, init_costs);
    if (la > 64) la = 64;
    if (lb > 64) lb = 64;
    prev[0] = 0;
    for (size_t j = 1; j <= lb; j++) prev[j] = prev[j - 1] + indel_cost(ub[j - 1]);
    for (size_t i = 1; i <= la; i++) {
        float del_a = indel_cost(ua[i - 1]);
        row[0] = prev[0] + del_a;
        float row_min = row[0];
        for (size_t j = 1; j <= lb; j++) {
            float best = prev[j - 1] + sub_cost(ua[i - 1], ub[j - 1]);
            float del = prev[j] + del_a;
            float ins = row[j - 1] + indel_cost(ub[j - 1]);
            if (del < best) best = del;
            if (ins < best) best = ins;
            row[j] = best;
            if (best < row_min) row_min = best;
        }
        if (row_min > max) return row_min; /* costs only grow down the table */
        memcpy(prev, row, (lb + 1) * sizeof(float));
    }
    return prev[lb];
}

static double key_similarity(const char *a, size_t la, const char *b, size_t lb)
{
    size_t longest = la > lb ? la : lb;
    if (!longest) return 1;
    double d = key_distance(a, la, b, lb, (double)longest);
    double sim = 1.0 - d / (double)longest;
    return sim < 0 ? 0 : sim;
}

/* The edit cost a fuzzy match may spend on a key of len bytes. */
static double fuzzy_budget(size_t len)
{
    if (len <= 4) return 1.0;
    if (len <= 7) return 1.5;
    if (len <= 11) return 2.0;
    return 2.5;
}

/* The folded text with article tokens dropped, for comparing spellings. */
static void strip_articles(const char *plain, strbuf *out)
{
    static const char *const articles[] = { "al", "el", "ad", "adh", "ar", "as", "ash", "at",
                                            "az", "an", "ed", "er", "es", "esh", "et", "ez",
                                            "en", "the", NULL };
    sb_reset(out);
    const char *p = plain;
    while (*p) {
        while (*p == ' ') p++;
        const char *start = p;
        while (*p && *p != ' ') p++;
        size_t len = (size_t)(p - start);
        if (!len) break;
        int art = 0;
        for (int i = 0; articles[i] && *p; i++)
            if (strlen(articles[i]) == len && !memcmp(articles[i], start, len)) art = 1;
        if (art) continue;
        sb_add(out, start, len);
    }
}

/* Whether the text as written (len bytes) is display, ASCII case and
 * spaces aside: "Ky." is "Ky.", "b.c. " is "B.C.", "Ky" is not "Ky.". */
static int written_as(const char *written, size_t len, const char *display)
{
    size_t i = 0;
    for (const char *d = display;; d++) {
        while (i < len && written[i] == ' ') i++;
        while (*d == ' ') d++;
        if (!*d || i == len) return !*d && i == len;
        if (tolower((unsigned char)written[i]) != tolower((unsigned char)*d)) return 0;
        i++;
    }
}

/* A name that equals a dotted abbreviation only once its dots are folded
 * away ("Mo", a town, for "Mo.", which is Missouri's) matches it less well
 * than the place whose abbreviation it is, however important (0.85 * 1.0
 * is below 1.0 * (0.8 + 0.2 * prior) for any prior); hints still count. */
#define UNDOTTED_QUALITY 0.85

/* The names whose folded form is plain.  written (len bytes) is the text as
 * the query wrote it, or NULL for a form the resolver derived from it: a
 * dotted abbreviation (GAZ_NAME_ABBREV) matches only the text that writes
 * it so, and then outranks the places that merely share its letters.
 * Returns 1 when such an abbreviation matched. */
static int lookup_plain(const gaz *g, const char *plain, const char *written, size_t written_len,
                         cand_list *cl)
{
    size_t len = strlen(plain);
    uint32_t h = gaz_hash32(plain, len);
    size_t first = lower_bound(g->plain, g->hdr->n_names, h);
    int abbrev_written = 0;
    for (size_t i = first; written && i < g->hdr->n_names && (uint32_t)(g->plain[i] >> 32) == h; i++) {
        const gaz_name_rec *nr = gaz_name_at(g, (uint32_t)g->plain[i]);
        if (nr->kind == GAZ_NAME_ABBREV && !strcmp(g->pool + nr->plain, plain) &&
            written_as(written, written_len, g->pool + nr->display))
            abbrev_written = 1;
    }
    for (size_t i = first; i < g->hdr->n_names && (uint32_t)(g->plain[i] >> 32) == h; i++) {
        uint32_t ni = (uint32_t)g->plain[i];
        const gaz_name_rec *nr = gaz_name_at(g, ni);
        if (strcmp(g->pool + nr->plain, plain) != 0) continue;
        if (nr->kind == GAZ_NAME_ABBREV) {
            if (abbrev_written && written_as(written, written_len, g->pool + nr->display))
                add_cand(cl, nr->place, ni, 1.0, GAZ_MATCH_ALIAS);
            continue;
        }
        int primary = nr->kind == GAZ_NAME_PRIMARY || nr->kind == GAZ_NAME_ASCII;
        /* a curated news alias is as good as the name; a GeoNames alternate
         * (often historic or foreign) a little less */
        double quality = primary || nr->kind == GAZ_NAME_ALIAS ? 1.0 : 0.97;
        if (abbrev_written && quality > UNDOTTED_QUALITY) quality = UNDOTTED_QUALITY;
        add_cand(cl, nr->place, ni, quality, primary ? GAZ_MATCH_EXACT : GAZ_MATCH_ALIAS);
    }
    return abbrev_written;
}

/* When the text is some place's own name, another place that merely lists
 * it among GeoNames' alternates (an old or foreign name: "Alvin" for
 * Athens, Texas) matches it less well: below that place, unless much more
 * important. */
#define DEMOTED_ALTERNATE 0.93
#define DEMOTE_UNLESS_TIMES 10
/* Whether place p is the seat of first-level area a: its capital (PPLA, or
 * the country's), in it.  "Raqqa" the city is the governorate's seat;
 * Minneota, which GeoNames also calls "Minnesota", is not the state's. */
static int is_seat(const gaz *g, const gaz_place_rec *p, const gaz_place_rec *a)
{
    const char *f = g->pool + p->feature;
    return (!strcmp(f, "P.PPLA") || !strcmp(f, "P.PPLC")) && !strcmp(p->country, a->country) &&
           g->pool[a->admin1_code] && !strcmp(g->pool + p->admin1_code, g->pool + a->admin1_code);
}

/* Whether an area is a vast one, whose name means the area more than its
 * seat: "Quebec" is the province (the city is "Quebec City"), "Idlib" the
 * city.  Vast: its bbox is more than VAST_AREA_KM across. */
#define VAST_AREA_KM 1500.0
static int is_vast(const gaz_place_rec *a)
{
    if (!(a->flags & GAZ_PLACE_BBOX)) return 0;
    geo_point sw = { a->bbox[1], a->bbox[0] }, ne = { a->bbox[3], a->bbox[2] };
    return geo_distance_km(sw, ne) > VAST_AREA_KM;
}

static void demote_alternates(const gaz *g, cand_list *cl, double quality)
{
    /* the most populous place that has the text as its own name; a
     * first-level area or a country of unknown size counts as the size the
     * build gives it (GAZ_AREA_POPULATION) */
    int primary = 0;
    int64_t population = 0, area = 0;
    const gaz_place_rec *area_rec = NULL;
    for (size_t i = 0; i < cl->n; i++) {
        if (cl->c[i].match != GAZ_MATCH_EXACT || cl->c[i].quality < 1.0) continue;
        primary = 1;
        const gaz_place_rec *p = gaz_place_at(g, cl->c[i].place);
        if (p->population > population) population = p->population;
        if (!p->population && (p->flags & (GAZ_PLACE_ADM1 | GAZ_PLACE_COUNTRY))) {
            area = GAZ_AREA_POPULATION;
            if (p->flags & GAZ_PLACE_ADM1) area_rec = p;
        }
    }
    if (!primary) return;
    int64_t keep = DEMOTE_UNLESS_TIMES * (population > 0 ? population : 1);
    if (keep < area) keep = area;
    for (size_t i = 0; i < cl->n; i++) {
        candidate *c = &cl->c[i];
        if (c->match != GAZ_MATCH_ALIAS || gaz_name_at(g, c->name)->kind != GAZ_NAME_ALTERNATE || c->quality <= quality)
            continue;
        /* "Washington" for Washington, D.C. stays: far bigger than the towns
         * so named, and than the state; "Minnesota" for Minneota does not */
        const gaz_place_rec *p = gaz_place_at(g, c->place);
        if (p->population >= keep || (area_rec && is_seat(g, p, area_rec))) continue;
        c->quality = quality;
    }
}

static void add_key_names(const gaz *g, uint32_t k, double quality_base, double quality_span,
                          const char *q_stripped, strbuf *scratch, cand_list *cl)
{
    const gaz_key_rec *key = gaz_key_at(g, k);
    for (uint32_t j = 0; j < key->count; j++) {
        uint32_t ni = key->first + j;
        const gaz_name_rec *nr = gaz_name_at(g, ni);
        if (nr->kind == GAZ_NAME_ABBREV) continue; /* only as written: lookup_plain */
        double sim = 0;
        if (quality_span > 0) {
            strip_articles(g->pool + nr->plain, scratch);
            sim = key_similarity(q_stripped, strlen(q_stripped), scratch->buf, scratch->len);
        }
        add_cand(cl, nr->place, ni, quality_base + quality_span * sim, GAZ_MATCH_FUZZY);
    }
}

static void lookup_key(const gaz *g, const char *key, size_t klen, const char *q_stripped,
                       strbuf *scratch, cand_list *cl)
{
    /* the same key: a spelling variant */
    size_t cl_start = cl->n;
    uint32_t h = gaz_hash32(key, klen);
    for (size_t i = lower_bound(g->translit, g->hdr->n_keys, h);
         i < g->hdr->n_keys && (uint32_t)(g->translit[i] >> 32) == h; i++) {
        uint32_t k = (uint32_t)g->translit[i];
        if (gaz_key_at(g, k)->len == klen && !memcmp(g->pool + gaz_key_at(g, k)->str, key, klen))
            add_key_names(g, k, 0.90, 0.06, q_stripped, scratch, cl);
    }
    /* a key some names have is a spelling of those names: its near misses
     * are other names, not what the text meant (and looking for them was
     * most of a geocoded import's resolving time) */
    if (cl->n > cl_start) return;
    if ((unsigned char)key[0] >= 0x80 || klen < 3 || klen > 64) return;

    /* the deletion neighbourhood: keys within about two edits */
    uint32_t *found = xmalloc(MAX_FUZZY_KEYS * sizeof(uint32_t));
    size_t n_found = 0;
    char del[72], del2[72];
    size_t n_probe = 0;
    uint32_t probes[72 * 72 + 1];
    probes[n_probe++] = h;
    for (size_t i = 0; i < klen; i++) {
        if (i && key[i] == key[i - 1]) continue;
        memcpy(del, key, i);
        memcpy(del + i, key + i + 1, klen - i - 1);
        probes[n_probe++] = gaz_hash32(del, klen - 1);
        if (klen >= 8) {
            for (size_t j = i; j + 1 < klen; j++) {
                memcpy(del2, del, j);
                memcpy(del2 + j, del + j + 1, klen - 2 - j);
                probes[n_probe++] = gaz_hash32(del2, klen - 2);
            }
        }
    }
    /* Each probe reads a directory entry and then its bucket, far apart in
     * a large index: ask for all directory entries, then all buckets, before
     * reading any, so that the cache misses overlap instead of following one
     * another (a third of a geocoded import's resolving time). */
    for (size_t p = 0; p < n_probe; p++) __builtin_prefetch(&g->deldir[probes[p] >> (32 - GAZ_DELDIR_BITS)]);
    for (size_t p = 0; p < n_probe; p++) {
        uint32_t lo = g->deldir[probes[p] >> (32 - GAZ_DELDIR_BITS)];
        if (lo < g->hdr->n_dels) __builtin_prefetch(&g->dels[lo]);
    }
    for (size_t p = 0; p < n_probe && n_found < MAX_FUZZY_KEYS; p++) {
        uint32_t bkt = probes[p] >> (32 - GAZ_DELDIR_BITS);
        size_t hi = g->deldir[bkt + 1] < g->hdr->n_dels ? g->deldir[bkt + 1] : g->hdr->n_dels;
        size_t lo = g->deldir[bkt] < hi ? g->deldir[bkt] : hi;
        size_t i = lo + lower_bound(g->dels + lo, hi - lo, probes[p]);
        for (; i < hi && (uint32_t)(g->dels[i] >> 32) == probes[p] && n_found < MAX_FUZZY_KEYS; i++)
            found[n_found++] = (uint32_t)g->dels[i];
    }
    /* the same key comes through several deletions: keep each once (an
     * open-addressing set, cheaper than sorting) */
    size_t set_cap = 64;
    while (set_cap < 2 * n_found) set_cap *= 2;
    uint32_t *set = xcalloc(set_cap, sizeof(uint32_t)); /* key + 1, 0 empty */
    size_t n_unique = 0;
    for (size_t i = 0; i < n_found; i++) {
        size_t s = (found[i] * 2654435761u) & (set_cap - 1);
        while (set[s] && set[s] != found[i] + 1) s = (s + 1) & (set_cap - 1);
        if (set[s]) continue;
        set[s] = found[i] + 1;
        found[n_unique++] = found[i];
    }
    free(set);
    n_found = n_unique;
    /* the key records too, ahead of their reading (as the probes above) */
    for (size_t i = 0; i < n_found; i++)
        if (found[i] < g->hdr->n_keys) __builtin_prefetch(&g->keys[found[i]]);
    for (size_t i = 0; i < n_found; i++) {
        const gaz_key_rec *kr = gaz_key_at(g, found[i]);
        const char *ks = g->pool + kr->str;
        if (kr->len == klen && !memcmp(ks, key, klen)) continue; /* handled above */
        size_t diff = kr->len > klen ? kr->len - klen : klen - kr->len;
        if (0.5 * (double)diff > fuzzy_budget(klen)) continue; /* too far whatever the letters */
        double dist = key_distance(key, klen, ks, kr->len, fuzzy_budget(klen));
        size_t longest = klen > kr->len ? klen : kr->len;
        double sim = 1.0 - dist / (double)longest;
        if (sim < FUZZY_MIN_SIM || dist > fuzzy_budget(klen)) continue;
        /* a fuzzy match scores below every spelling-rule match */
        add_key_names(g, found[i], 0.85 * sim * sim, 0.0, q_stripped, scratch, cl);
    }
    free(found);
}

/* Kind words a reporter or an event table puts around a name: the kind
 * of place each prefers, and the GAZ_KIND_* roles of gaz_kind_flags. */
#define AREA GAZ_KIND_AREA
#define CELL GAZ_KIND_CELL
#define ADMIN GAZ_KIND_ADMIN
static const struct {
    const char *word;
    int prefer;
    unsigned flags;
} kind_words[] = {
    { "province", PREFER_ADM1, AREA | CELL | ADMIN }, { "governorate", PREFER_ADM1, AREA | ADMIN },
    { "governate", PREFER_ADM1, 0 }, { "muhafazat", PREFER_ADM1, 0 }, { "muhafaza", PREFER_ADM1, 0 },
    { "muhafazah", PREFER_ADM1, 0 },
    { "city", PREFER_PLACE, CELL }, { "town", PREFER_PLACE, CELL }, { "village", PREFER_PLACE, CELL },
    { "district", PREFER_PLACE, AREA | CELL | ADMIN }, { "subdistrict", PREFER_PLACE, 0 },
    { "island", PREFER_TERRAIN, 0 }, { "neighbourhood", PREFER_PLACE, 0 }, { "neighborhood", PREFER_PLACE, 0 },
    { "quarter", PREFER_PLACE, 0 },
    { "region", PREFER_REGION, AREA | CELL | ADMIN }, { "area", PREFER_REGION, CELL },
    /* the administrative words of event tables (UCDP's adm_1 and
     * where_coordinates, ACLED's admin columns) the world over */
    { "state", PREFER_ADM1, AREA | ADMIN }, { "oblast", PREFER_ADM1, AREA | ADMIN },
    { "department", PREFER_ADM1, AREA | ADMIN }, { "prefecture", PREFER_ADM1, AREA },
    { "emirate", PREFER_ADM1, 0 }, { "canton", PREFER_ADM1, 0 }, { "republic", PREFER_ADM1, AREA },
    { "krai", PREFER_ADM1, AREA }, { "territory", PREFER_ADM1, AREA },
    { "zone", PREFER_PLACE, AREA }, { "agency", PREFER_PLACE, AREA }, { "division", PREFER_PLACE, AREA },
    { "county", PREFER_PLACE, AREA | ADMIN }, { "municipality", PREFER_PLACE, AREA },
    { "commune", PREFER_PLACE, 0 }, { "lga", PREFER_PLACE, 0 }, { "woreda", PREFER_PLACE, 0 },
    { "rayon", PREFER_PLACE, 0 }, { "raion", PREFER_PLACE, 0 },
    { "suburb", PREFER_PLACE, CELL }, { "township", PREFER_PLACE, CELL }, { "locality", PREFER_PLACE, CELL },
    { "settlement", PREFER_PLACE, CELL }, { "hamlet", PREFER_PLACE, CELL },
    /* a facility's words are folded into its key (normalize.c), not stripped */
    { "camp", PREFER_NONE, CELL },
    /* nature: a town is not a mountain, nor a mountain a town */
    { "mountain", PREFER_TERRAIN, 0 }, { "mountains", PREFER_TERRAIN, 0 }, { "mount", PREFER_TERRAIN, 0 },
    { "hill", PREFER_TERRAIN, 0 }, { "hills", PREFER_TERRAIN, 0 }, { "plain", PREFER_TERRAIN, 0 },
    { "plains", PREFER_TERRAIN, 0 }, { "valley", PREFER_TERRAIN, 0 }, { "desert", PREFER_TERRAIN, 0 },
    { "plateau", PREFER_TERRAIN, 0 }, { "peninsula", PREFER_TERRAIN, 0 }, { "lake", PREFER_TERRAIN, 0 },
    { "river", PREFER_TERRAIN, 0 },
};
#undef AREA
#undef CELL
#undef ADMIN

/* The kind of place a folded word prefers, PREFER_NONE for no kind word. */
static int kind_word(const char *tok, size_t len)
{
    for (size_t i = 0; i < sizeof(kind_words) / sizeof(kind_words[0]); i++)
        if (strlen(kind_words[i].word) == len && !memcmp(kind_words[i].word, tok, len)) return kind_words[i].prefer;
    return PREFER_NONE;
}

unsigned gaz_kind_flags(const char *word, size_t len)
{
    for (size_t i = 0; i < sizeof(kind_words) / sizeof(kind_words[0]); i++)
        if (strlen(kind_words[i].word) == len && !strncasecmp(kind_words[i].word, word, len))
            return kind_words[i].flags;
    return 0;
}

/* Words that place a report inside a named area without naming a place:
 * "northeastern Syria", "the central Badiya", "rural Idlib", "western Daraa
 * countryside".  The area itself is the best the gazetteer can answer. */
static int is_qualifier(const char *tok, size_t len)
{
    static const char *const words[] = {
        "north", "northern", "south", "southern", "east", "eastern", "west", "western",
        "northeast", "northeastern", "northwest", "northwestern", "southeast", "southeastern",
        "southwest", "southwestern", "central", "upper", "lower", "greater", "rural", "outer",
        "far", "middle", "the", NULL
    };
    for (int i = 0; words[i]; i++)
        if (strlen(words[i]) == len && !memcmp(words[i], tok, len)) return 1;
    return 0;
}

/* "northeastern syria" -> "syria", "the central badiya" -> "badiya",
 * "idlib countryside" -> "idlib".  Returns 1 and the rest in out when it
 * stripped something and something is left, else 0.  *rural is set for
 * "rural X" and "X countryside", which mean a governorate's countryside. */
static int strip_qualifiers(const char *plain, strbuf *out, int *rural)
{
    static const char *const trailing[] = { " countryside", " outskirts", " suburbs", " desert", NULL };
    const char *p = plain;
    int stripped = 0;
    for (;;) {
        const char *sp = strchr(p, ' ');
        if (!sp || !is_qualifier(p, (size_t)(sp - p))) break;
        if (sp - p == 5 && !memcmp(p, "rural", 5)) *rural = 1;
        p = sp + 1;
        stripped = 1;
    }
    size_t len = strlen(p);
    for (int i = 0; trailing[i]; i++) {
        size_t tl = strlen(trailing[i]);
        if (len > tl && !memcmp(p + len - tl, trailing[i], tl)) {
            len -= tl;
            stripped = 1;
            if (i == 0) *rural = 1;
            break;
        }
    }
    sb_reset(out);
    if (!stripped || !len) return 0;
    sb_add(out, p, len);
    return 1;
}

/* "idlib province" -> "idlib", "the city of raqqa" -> "raqqa".  Returns the
 * preference and leaves the rest in out, or PREFER_NONE and out empty. */
static int strip_kind(const char *plain, strbuf *out)
{
    sb_reset(out);
    const char *last = strrchr(plain, ' ');
    if (last) {
        int prefer = kind_word(last + 1, strlen(last + 1));
        if (prefer) {
            sb_add(out, plain, (size_t)(last - plain));
            return prefer;
        }
    }
    const char *p = plain;
    if (!strncmp(p, "the ", 4)) p += 4;
    const char *sp = strchr(p, ' ');
    if (sp && !strncmp(sp, " of ", 4)) {
        int prefer = kind_word(p, (size_t)(sp - p));
        if (prefer) {
            sb_adds(out, sp + 4);
            return prefer;
        }
    }
    return PREFER_NONE;
}

/* The candidates for the folded text plain; written (len bytes) as in
 * lookup_plain. */
static void collect(const gaz *g, const char *plain, const char *written, size_t written_len, double penalty,
                    cand_list *cl, strbuf *key, strbuf *stripped, strbuf *scratch)
{
    size_t start = cl->n;
    /* a text written as some place's abbreviation ("Mo.") is that, not a
     * spelling of another name ("Mao") */
    int abbrev = lookup_plain(g, plain, written, written_len, cl);
    gaz_translit(plain, key);
    if (key->len && !abbrev) {
        strip_articles(plain, stripped);
        lookup_key(g, key->buf, key->len, stripped->buf, scratch, cl);
    }
    for (size_t i = start; i < cl->n; i++) cl->c[i].quality -= penalty;
}

typedef struct {
    const char *focus;     /* home countries "SY,IQ", "" for none */
    const char *country;   /* hint, NULL for none */
    const char *only;      /* the countries every answer must lie in ("SD,SS"), NULL for any */
    const char *admin1_code;
    const char *context_key; /* translit key of the text after a comma, or NULL */
    int prefer;
    /* admin1_is_context's answers by admin-1 name (a pool offset): the
     * candidates of one query share a few areas, and each answer folds and
     * transliterates the name */
    struct {
        uint32_t admin1;
        int same;
    } seen[8];
    int n_seen;
} hints;

/* A home-country place's edge when the query names no country: enough to
 * beat a foreign place of similar quality and size, not a better match or a
 * much bigger place (a country hint weighs +0.12). */
#define FOCUS_BONUS 0.06

static int in_focus(const char *focus, const char *country)
{
    if (!focus || !country || strlen(country) != 2) return 0;
    for (const char *p = focus; p[0] && p[1]; p += p[2] ? 3 : 2)
        if (p[0] == country[0] && p[1] == country[1]) return 1;
    return 0;
}

/* Whether a candidate, in the countries the query allows, has the whole
 * text as its name or alias. */
static int has_whole_name(const gaz *g, const cand_list *cl, const hints *hn)
{
    for (size_t i = 0; i < cl->n; i++) {
        const candidate *c = &cl->c[i];
        if ((c->match == GAZ_MATCH_EXACT || c->match == GAZ_MATCH_ALIAS) && c->quality >= 0.95 &&
            (!hn->only || in_focus(hn->only, gaz_place_at(g, c->place)->country)))
            return 1;
    }
    return 0;
}

/* Whether the text ends in an administrative kind word ("Metcalfe County",
 * not "the city of X") that is part of the whole name or alias of a
 * second- to fifth-level area the query allows (the US counties): then the
 * kind word belongs to the name and the area is meant, not the towns that
 * bear the bare name. */
static int names_admin_area(const gaz *g, const cand_list *cl, const hints *hn, const char *plain)
{
    const char *last = strrchr(plain, ' ');
    if (!last || !(gaz_kind_flags(last + 1, strlen(last + 1)) & GAZ_KIND_ADMIN)) return 0;
    for (size_t i = 0; i < cl->n; i++) {
        const candidate *c = &cl->c[i];
        if ((c->match != GAZ_MATCH_EXACT && c->match != GAZ_MATCH_ALIAS) || c->quality < 0.95) continue;
        const gaz_place_rec *p = gaz_place_at(g, c->place);
        const char *feature = g->pool + p->feature;
        if (strncmp(feature, "A.ADM", 5) || feature[5] < '2' || feature[5] > '5') continue;
        if (hn->only && !in_focus(hn->only, p->country)) continue;
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------- context */

/* What the text after a query's comma names, when it names a country, an
 * admin-1 area or the seat of one: the hints gaz_resolve takes from it. */
typedef struct {
    int named;               /* 1 when the text names such a place */
    char country[4];         /* its country, "" for none */
    int is_country;          /* 1 when it is a country (A.PCL*): a constraint */
    const char *admin1_code; /* its admin-1 code (g's pool), NULL for a country or none */
} context_reading;

/* The best reading, and a second as good ("Georgia": the country, then
 * the US state), tried when the place is not in the first. */
typedef struct {
    int named;               /* readings[0] is one */
    int n;                   /* 1 or 2 readings */
    context_reading r[2];
} context;

/* The context's readings, from a resolve of the text on its own: the best
 * one that names a country, an admin-1 area or a seat, and another such
 * place that matches the text as well. */
static void read_context(const gaz *g, const char *text, context *out)
{
    gaz_result ctx[4];
    memset(out, 0, sizeof(*out));
    int n = gaz_resolve(g, text, NULL, ctx, 4, NULL);
    for (int i = 0; i < n && out->n < 2; i++) {
        if (ctx[i].score < 0.6 || (out->n && ctx[i].quality < ctx[0].quality - 1e-9)) break;
        const char *f = ctx[i].feature;
        if (strcmp(f, "A.PCLI") && strcmp(f, "A.ADM1") && strncmp(f, "P.PPLA", 6) && strcmp(f, "P.PPLC")) {
            if (!out->n) return; /* the best reading is no area: no context */
            continue;
        }
        context_reading *r = &out->r[out->n++];
        snprintf(r->country, sizeof(r->country), "%s", ctx[i].country);
        r->is_country = !strncmp(f, "A.PCL", 5);
        const gaz_place_rec *cp = gaz_place_at(g, ctx[i].place);
        if (strcmp(f, "A.PCLI") && cp->admin1_code) r->admin1_code = g->pool + cp->admin1_code;
    }
    out->named = out->n > 0;
}

/* The memo of read_context by text.  A table's geocoding sends "place,
 * admin1" for each distinct place, and a few thousand admin-1 texts stand
 * behind tens of thousands of places: each is resolved once, not once a
 * place.  An open-addressing table of at most CONTEXT_MEMO_MAX texts (past
 * that, texts are read again); the lock is held only to look up and add. */
#define CONTEXT_MEMO_MAX 65536

typedef struct {
    char *text; /* NULL: an empty slot */
    uint64_t hash;
    context value;
} context_slot;

struct gaz_context_memo {
    context_slot *slots;
    size_t cap, count;
};

static uint64_t text_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static context_slot *memo_slot(context_slot *slots, size_t cap, const char *text, uint64_t hash)
{
    size_t i = (size_t)hash & (cap - 1);
    while (slots[i].text && (slots[i].hash != hash || strcmp(slots[i].text, text))) i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* Adds text's reading to the memo (the caller holds the lock). */
static void memo_add(struct gaz_context_memo *m, const char *text, uint64_t hash, const context *value)
{
    if (2 * (m->count + 1) > m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 256;
        context_slot *slots = xcalloc(cap, sizeof(*slots));
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].text) *memo_slot(slots, cap, m->slots[i].text, m->slots[i].hash) = m->slots[i];
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    context_slot *s = memo_slot(m->slots, m->cap, text, hash);
    if (s->text) return; /* another thread added it meanwhile */
    s->text = xstrdup(text);
    s->hash = hash;
    s->value = *value;
    m->count++;
}

void gaz_context_memo_free(struct gaz_context_memo *memo)
{
    if (!memo) return;
    for (size_t i = 0; i < memo->cap; i++) free(memo->slots[i].text);
    free(memo->slots);
    free(memo);
}

/* read_context through g's memo.  The reading depends on g and the text
 * alone, so the memo's answer is the one a fresh read would give. */
static void context_of(const gaz *g, const char *text, context *out)
{
    gaz *mg = (gaz *)g; /* the memo is a cache: g's places do not change */
    uint64_t hash = text_hash(text);
    pthread_mutex_lock(&mg->context_lock);
    if (mg->contexts && mg->contexts->cap) {
        const context_slot *s = memo_slot(mg->contexts->slots, mg->contexts->cap, text, hash);
        if (s->text) {
            *out = s->value;
            pthread_mutex_unlock(&mg->context_lock);
            return;
        }
    }
    pthread_mutex_unlock(&mg->context_lock);
    /* not under the lock: the read resolves, and may read a context itself */
    read_context(g, text, out);
    pthread_mutex_lock(&mg->context_lock);
    if (!mg->contexts) mg->contexts = xcalloc(1, sizeof(*mg->contexts));
    if (mg->contexts->count < CONTEXT_MEMO_MAX) memo_add(mg->contexts, text, hash, out);
    pthread_mutex_unlock(&mg->context_lock);
}

/* Whether the place's admin-1 name is the context the query gave. */
static int admin1_is_context(const gaz *g, const gaz_place_rec *p, hints *hn)
{
    if (!p->admin1) return 0;
    for (int i = 0; i < hn->n_seen; i++)
        if (hn->seen[i].admin1 == p->admin1) return hn->seen[i].same;
    const char *context_key = hn->context_key;
    const char *name = g->pool + p->admin1;
    strbuf f = STRBUF_INIT, k = STRBUF_INIT;
    int same = 0;
    if (gaz_fold(name, strlen(name), &f) == 0) {
        gaz_translit(f.buf, &k);
        same = k.len && !strcmp(k.buf, context_key);
    }
    sb_release(&f);
    sb_release(&k);
    int slot = hn->n_seen < 8 ? hn->n_seen++ : (int)(p->admin1 % 8);
    hn->seen[slot].admin1 = p->admin1;
    hn->seen[slot].same = same;
    return same;
}

/* Whether p lies in the area the query named after a comma. */
static int in_context(const gaz *g, const gaz_place_rec *p, hints *hn)
{
    return (hn->admin1_code && p->admin1_code && !strcmp(g->pool + p->admin1_code, hn->admin1_code)) ||
           (hn->context_key && admin1_is_context(g, p, hn));
}

/* A place in one of the admin-1 areas a text is about (gaz_query.areas):
 * less than a context after a comma, which names the place's own area. */
#define AREA_BONUS 0.08

int gaz_code_listed(const char *list, const char *code)
{
    size_t len = strlen(code);
    if (!len) return 0;
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == len && !memcmp(p, code, len)) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

static double score_place(const gaz *g, const candidate *c, const gaz_query *q, hints *hn)
{
    const gaz_place_rec *p = gaz_place_at(g, c->place);
    /* quality first: importance and hints reorder answers of similar quality */
    double score = c->quality * (0.8 + 0.2 * p->prior);
    const char *country = hn->country ? hn->country : (q && q->country && *q->country ? q->country : NULL);
    if (country) {
        if (!strcmp(p->country, country)) score += 0.12;
        else score -= 0.05;
    } else if (in_focus(hn->focus, p->country)) {
        score += FOCUS_BONUS;
    }
    if (in_context(g, p, hn)) score += 0.1;
    else if (q && q->areas && p->admin1_code && gaz_code_listed(q->areas, g->pool + p->admin1_code)) score += AREA_BONUS;
    if (q && q->has_near) {
        geo_point here = { p->lat_deg, p->lon_deg };
        double km = geo_distance_km(q->near, here);
        score += 0.2 * exp(-km / 150.0);
    }
    const char *feature = g->pool + p->feature;
    if (hn->prefer == PREFER_ADM1 && (p->flags & GAZ_PLACE_ADM1)) score += 0.25;
    if (hn->prefer == PREFER_PLACE && feature[0] == 'P') score += 0.1;
    if (hn->prefer == PREFER_PLACE && (feature[0] == 'T' || feature[0] == 'H')) score -= 0.1;
    if (hn->prefer == PREFER_TERRAIN && (feature[0] == 'T' || feature[0] == 'H' || feature[0] == 'L')) score += 0.1;
    if (hn->prefer == PREFER_TERRAIN && feature[0] == 'P') score -= 0.05;
    if (hn->prefer == PREFER_REGION && (feature[0] == 'L' || feature[0] == 'T')) score += 0.1;
    /* not clamped: hints must still order answers near 1 */
    return score;
}

typedef struct {
    candidate c;
    double score;
    float prior;
    int64_t population;
} ranked;

/* Score, then importance (a state of unknown size before a village that
 * has its name as an alternate), then population. */
static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->score != b->score) return a->score > b->score ? -1 : 1;
    if (a->prior != b->prior) return a->prior > b->prior ? -1 : 1;
    if (a->population != b->population) return a->population > b->population ? -1 : 1;
    return a->c.place < b->c.place ? -1 : a->c.place > b->c.place;
}

/* Of two candidates for one place, whether a is the better: higher quality,
 * then the lower name index, so that the answer does not depend on order. */
static int better_cand(const candidate *a, const candidate *b)
{
    if (a->quality != b->quality) return a->quality > b->quality;
    return a->name < b->name;
}

/* gaz_resolve with the which-th reading of the context after a comma. */
static int resolve_reading(const gaz *g, const char *name, const gaz_query *q, gaz_result *out, int max,
                           char **err, int which, int *second)
{
    strbuf plain = STRBUF_INIT, key = STRBUF_INIT, stripped = STRBUF_INIT, scratch = STRBUF_INIT,
           kindless = STRBUF_INIT, bare = STRBUF_INIT;
    cand_list cl = { NULL, 0, 0 };
    ranked *rk = NULL;
    hints hn;
    memset(&hn, 0, sizeof(hn));
    hn.prefer = PREFER_NONE;
    strbuf context_key = STRBUF_INIT;
    context ctx;
    int rc = 0;

    hn.focus = q && q->focus ? q->focus : gaz_focus(g);
    if (q && q->within && *q->within) hn.only = q->within;
    size_t len = strlen(name);
    const char *comma = memchr(name, ',', len);
    if (comma) {
        /* "Douma, Rif Dimashq" / "Homs, Syria": the part after the comma is context */
        context_of(g, comma + 1, &ctx);
        if (ctx.named && which < ctx.n) {
            const context_reading *cr = &ctx.r[which];
            if (cr->country[0]) hn.country = cr->country;
            /* "Homs, Syria": a named country is a constraint too */
            if (cr->country[0] && cr->is_country && !hn.only) hn.only = cr->country;
            hn.admin1_code = cr->admin1_code;
        }
        if (!which && ctx.n > 1) *second = 1;
        len = (size_t)(comma - name);
        const char *ctx_text = comma + 1;
        if (gaz_fold(ctx_text, strlen(ctx_text), &plain) == 0) {
            /* "Chhattisgarh state" is the place's admin-1 "Chhattisgarh" */
            gaz_translit(strip_kind(plain.buf, &kindless) && kindless.len ? kindless.buf : plain.buf, &context_key);
            if (context_key.len) hn.context_key = context_key.buf;
        }
    }
    if (gaz_fold(name, len, &plain) < 0) {
        rc = em_error(err, EM_EINPUT, "name is not valid UTF-8");
        goto cleanup;
    }
    if (!plain.len || max <= 0) goto cleanup;

    collect(g, plain.buf, name, len, 0.0, &cl, &key, &stripped, &scratch);
    hn.prefer = strip_kind(plain.buf, &kindless);
    if (hn.prefer && kindless.len && names_admin_area(g, &cl, &hn, plain.buf)) {
        /* "Metcalfe County" is the county, not a town named Metcalfe */
        hn.prefer = PREFER_NONE;
        sb_reset(&kindless);
    }
    if (hn.prefer && kindless.len) collect(g, kindless.buf, NULL, 0, 0.02, &cl, &key, &stripped, &scratch);
    /* "northeastern Syria": the area it lies in, a little below a place that
     * has the whole phrase as its name; when one has ("Western Australia",
     * "North Kivu", "West Bank"), that place is meant, not the bare one */
    int rural = 0;
    if (!has_whole_name(g, &cl, &hn) &&
        strip_qualifiers(hn.prefer && kindless.len ? kindless.buf : plain.buf, &bare, &rural)) {
        collect(g, bare.buf, NULL, 0, 0.08, &cl, &key, &stripped, &scratch);
        if (rural && !hn.prefer) hn.prefer = PREFER_ADM1;
    }
    if (!cl.n) goto cleanup;
    demote_alternates(g, &cl, DEMOTED_ALTERNATE);

    /* best candidate per place: an open-addressing map place -> rk slot */
    rk = xmalloc(cl.n * sizeof(*rk));
    size_t n_rk = 0, cap = 64;
    while (cap < 2 * cl.n) cap *= 2;
    uint32_t *slot = xcalloc(cap, sizeof(uint32_t)); /* rk index + 1, 0 empty */
    for (size_t i = 0; i < cl.n; i++) {
        const candidate *c = &cl.c[i];
        /* another country's place is no answer, however well it matches */
        if (hn.only && !in_focus(hn.only, gaz_place_at(g, c->place)->country)) continue;
        size_t s = (c->place * 2654435761u) & (cap - 1);
        while (slot[s] && rk[slot[s] - 1].c.place != c->place) s = (s + 1) & (cap - 1);
        if (!slot[s]) {
            slot[s] = (uint32_t)++n_rk;
            rk[n_rk - 1].c = *c;
        } else if (better_cand(c, &rk[slot[s] - 1].c)) {
            rk[slot[s] - 1].c = *c;
        }
    }
    free(slot);
    for (size_t i = 0; i < n_rk; i++) {
        rk[i].score = score_place(g, &rk[i].c, q, &hn);
        rk[i].population = gaz_place_at(g, rk[i].c.place)->population;
        rk[i].prior = gaz_place_at(g, rk[i].c.place)->prior;
    }
    /* a first-level area outranks its namesakes elsewhere ("California" is
     * the state, not the town in Missouri), but not its seat that bears
     * its name, unless the area is vast: "Idlib" and "Aleppo" are the
     * cities, as in the news, "Quebec" the province */
    if (hn.prefer != PREFER_ADM1)
        for (size_t i = 0; i < n_rk; i++) {
            const gaz_place_rec *a = gaz_place_at(g, rk[i].c.place);
            if (!(a->flags & GAZ_PLACE_ADM1) || !g->pool[a->admin1_code]) continue;
            int vast = is_vast(a);
            for (size_t j = 0; j < n_rk; j++) {
                const gaz_place_rec *p = gaz_place_at(g, rk[j].c.place);
                if (!is_seat(g, p, a) || rk[j].c.quality < rk[i].c.quality - 0.05) continue;
                if (vast && rk[i].score <= rk[j].score) rk[i].score = rk[j].score + 0.001;
                else if (!vast && rk[j].score <= rk[i].score) rk[j].score = rk[i].score + 0.001;
            }
        }
    qsort(rk, n_rk, sizeof(*rk), cmp_ranked);
    for (size_t i = 0; i < n_rk && rc < max; i++) {
        if (q && rk[i].score < q->min_score) break;
        gaz_result *r = &out[rc++];
        const gaz_place_rec *p = gaz_place_at(g, rk[i].c.place);
        gaz_place(g, rk[i].c.place, r);
        r->matched = g->pool + gaz_name_at(g, rk[i].c.name)->display;
        r->match = rk[i].c.match;
        if ((p->flags & GAZ_PLACE_REGION) && !(p->flags & GAZ_PLACE_COUNTRY)) r->match = GAZ_MATCH_REGION;
        r->score = rk[i].score < 0 ? 0 : rk[i].score > 1 ? 1 : rk[i].score;
        r->quality = rk[i].c.quality < 0 ? 0 : rk[i].c.quality > 1 ? 1 : rk[i].c.quality;
    }
cleanup:
    free(rk);
    free(cl.c);
    sb_release(&plain);
    sb_release(&key);
    sb_release(&stripped);
    sb_release(&scratch);
    sb_release(&kindless);
    sb_release(&bare);
    sb_release(&context_key);
    if (rc >= 0) {
        int damaged = gaz_check(g, err);
        if (damaged < 0) rc = damaged;
    }
    return rc;
}

int gaz_resolve(const gaz *g, const char *name, const gaz_query *q, gaz_result *out, int max, char **err)
{
    int second = 0;
    int rc = resolve_reading(g, name, q, out, max, err, 0, &second);
    /* "Atlanta, Georgia": nothing in the country; the state, then */
    if (second && (rc == 0 || (rc > 0 && out[0].quality < 0.9))) {
        gaz_result *alt = xcalloc((size_t)max, sizeof(*alt));
        int rc2 = resolve_reading(g, name, q, alt, max, NULL, 1, &second);
        if (rc2 > 0 && (rc <= 0 || alt[0].quality > out[0].quality)) {
            memcpy(out, alt, (size_t)rc2 * sizeof(*out));
            rc = rc2;
        }
        free(alt);
    }
    return rc;
}

/* ------------------------------------------------------------ countries */

/* Whether p is the country place of a code of two capitals. */
static int is_country_rec(const gaz_place_rec *p)
{
    return (p->flags & GAZ_PLACE_COUNTRY) && p->country[0] >= 'A' && p->country[0] <= 'Z' && p->country[1] >= 'A' &&
           p->country[1] <= 'Z' && !p->country[2];
}

/* g's country places by code (struct gaz: country_places), made on the
 * first call by one pass over the places.  Import geocoding asks for a
 * country per distinct country text, hundreds of times, and a pass over
 * every place each time was a tenth of its run.  Threads that race here
 * each make the same table; one is kept. */
static const uint32_t *country_table(const gaz *g)
{
    uint32_t *table = atomic_load_explicit(&((gaz *)g)->country_places, memory_order_acquire);
    if (table) return table;
    table = xcalloc(26 * 26, sizeof(*table));
    /* the first of a code, as the pass in gaz_country_place finds it */
    for (uint32_t i = 0; i < g->hdr->n_places; i++) {
        const gaz_place_rec *p = gaz_place_at(g, i);
        if (!is_country_rec(p)) continue;
        uint32_t *slot = &table[(p->country[0] - 'A') * 26 + (p->country[1] - 'A')];
        if (!*slot) *slot = i + 1;
    }
    uint32_t *none = NULL;
    if (!atomic_compare_exchange_strong_explicit(&((gaz *)g)->country_places, &none, table, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        free(table);
        table = none; /* another thread's */
    }
    return table;
}

int gaz_country_place(const gaz *g, const char cc[3], gaz_result *out)
{
    if (cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z') {
        uint32_t i = country_table(g)[(cc[0] - 'A') * 26 + (cc[1] - 'A')];
        if (!i) return 0;
        if (out) gaz_place(g, i - 1, out);
        return 1;
    }
    /* any other code (none the index builder writes): a pass */
    for (uint32_t i = 0; i < g->hdr->n_places; i++) {
        const gaz_place_rec *p = gaz_place_at(g, i);
        if (p && (p->flags & GAZ_PLACE_COUNTRY) && p->country[0] == cc[0] && p->country[1] == cc[1] &&
            !p->country[2]) {
            if (out) gaz_place(g, i, out);
            return 1;
        }
    }
    return 0;
}

/* Whether the index holds a country whose code is cc (two capitals). */
static int has_country_code(const gaz *g, const char cc[3])
{
    return gaz_country_place(g, cc, NULL);
}

/* text (len bytes) as a country's name: 1 and its code in out, or 0. */
static int country_by_name(const gaz *g, const char *text, size_t len, char out[3])
{
    while (len && isspace((unsigned char)*text)) text++, len--;
    while (len && isspace((unsigned char)text[len - 1])) len--;
    if (!len || len > 200) return 0;
    char *name = xstrndup(text, len);
    int found = 0;
    if (len == 2 && isalpha((unsigned char)name[0]) && isalpha((unsigned char)name[1])) {
        char cc[3] = { (char)toupper((unsigned char)name[0]), (char)toupper((unsigned char)name[1]), 0 };
        if (has_country_code(g, cc)) {
            memcpy(out, cc, 3);
            found = 1;
        }
    }
    gaz_result r;
    gaz_query q;
    memset(&q, 0, sizeof(q));
    q.focus = ""; /* a name, not a report: no home country */
    if (!found && gaz_resolve(g, name, &q, &r, 1, NULL) == 1 && !strncmp(r.feature, "A.PCL", 5) &&
        r.quality >= 0.8 && strlen(r.country) == 2) {
        memcpy(out, r.country, 3);
        found = 1;
    }
    free(name);
    return found;
}

int gaz_country_code(const gaz *g, const char *text, char out[3])
{
    static const char *const none[] = { "NA", "N/A", "none", "unknown", "-", NULL };
    out[0] = '\0';
    size_t len = strlen(text);
    while (len && isspace((unsigned char)*text)) text++, len--;
    while (len && isspace((unsigned char)text[len - 1])) len--;
    for (int i = 0; none[i]; i++)
        if (strlen(none[i]) == len && !strncasecmp(text, none[i], len)) return 0;
    if (country_by_name(g, text, len, out)) return 1;
    /* "DR Congo (Zaire)": the name outside the brackets, then inside */
    const char *open = memchr(text, '(', len), *close = open ? memchr(open, ')', len - (size_t)(open - text)) : NULL;
    if (open && close) {
        strbuf outside = STRBUF_INIT;
        sb_add(&outside, text, (size_t)(open - text));
        sb_add(&outside, close + 1, len - (size_t)(close + 1 - text));
        int found = country_by_name(g, outside.buf, outside.len, out) ||
                    country_by_name(g, open + 1, (size_t)(close - open - 1), out);
        sb_release(&outside);
        if (found) return 1;
    }
    /* "Macedonia, FYR", "Korea, Republic of": the part before the comma */
    const char *comma = memchr(text, ',', len);
    if (comma && country_by_name(g, text, (size_t)(comma - text), out)) return 1;
    out[0] = '\0';
    return 0;
}

/* States that conflict data (UCDP, and ACLED for earlier years) name for
 * events in what are other countries today: the country named first, then
 * the present-day countries that were part of it or that it administers or
 * claims, where events are filed under it.  Sources: ISO 3166-1 and UCDP's
 * country list (Gleditsch and Ward state system). */
static const struct {
    const char *name;   /* as written, the whole or in brackets */
    const char *area;
} state_areas[] = {
    { "Yugoslavia", "RS,XK,BA,HR,ME,MK,SI" },
    { "Serbia", "RS,XK" },
    { "Soviet Union", "RU,UA,BY,MD,GE,AM,AZ,KZ,KG,TJ,TM,UZ,EE,LV,LT" },
    { "USSR", "RU,UA,BY,MD,GE,AM,AZ,KZ,KG,TJ,TM,UZ,EE,LV,LT" },
    { "Czechoslovakia", "CZ,SK" },
    { "Sudan", "SD,SS" },
    { "Ethiopia", "ET,ER" },
    { "Indonesia", "ID,TL" },
    { "Morocco", "MA,EH" },
    { "Israel", "IL,PS" },
    { "Pakistan", "PK,BD" },
};

/* Add the codes of list ("RS,XK") to out ("RS"), those not there yet. */
static void add_codes(char out[64], const char *list)
{
    for (const char *p = list; p[0] && p[1]; p += p[2] ? 3 : 2) {
        char cc[3] = { p[0], p[1], 0 };
        size_t n = strlen(out);
        if (in_focus(out, cc) || n + 3 >= 64) continue;
        if (n) out[n++] = ',';
        out[n++] = cc[0];
        out[n++] = cc[1];
        out[n] = '\0';
    }
}

/* Whether text (len bytes), trimmed, is name, ASCII case aside. */
static int is_name(const char *text, size_t len, const char *name)
{
    while (len && isspace((unsigned char)*text)) text++, len--;
    while (len && isspace((unsigned char)text[len - 1])) len--;
    return len == strlen(name) && !strncasecmp(text, name, len);
}

int gaz_country_area(const gaz *g, const char *text, char out[64])
{
    char cc[3];
    out[0] = '\0';
    if (!gaz_country_code(g, text, cc)) return 0;
    add_codes(out, cc);
    /* the parts of "Serbia (Yugoslavia)": the whole, outside and inside the
     * brackets; each a whole name ("South Sudan" is not "Sudan") */
    size_t len = strlen(text);
    const char *open = memchr(text, '(', len), *close = open ? memchr(open, ')', len - (size_t)(open - text)) : NULL;
    for (size_t i = 0; i < sizeof(state_areas) / sizeof(state_areas[0]); i++) {
        const char *name = state_areas[i].name;
        int named = is_name(text, len, name);
        if (open && close)
            named = named || is_name(text, (size_t)(open - text), name) ||
                    is_name(open + 1, (size_t)(close - open - 1), name);
        if (named) add_codes(out, state_areas[i].area);
    }
    return 1;
}

int gaz_lookup_exact(const gaz *g, const char *folded, double *prior)
{
    strbuf key = STRBUF_INIT;
    int found = 0;
    double best = 0;
    size_t len = strlen(folded);
    if (!len) goto done;
    uint32_t h = gaz_hash32(folded, len);
    for (size_t i = lower_bound(g->plain, g->hdr->n_names, h);
         i < g->hdr->n_names && (uint32_t)(g->plain[i] >> 32) == h; i++) {
        const gaz_name_rec *nr = gaz_name_at(g, (uint32_t)g->plain[i]);
        /* folded text has lost its dots: "Ky" may not have been "Ky." */
        if (nr->kind == GAZ_NAME_ABBREV || strcmp(g->pool + nr->plain, folded) != 0) continue;
        found = 2;
        if (gaz_place_at(g, nr->place)->prior > best) best = gaz_place_at(g, nr->place)->prior;
    }
    if (found) goto done;
    gaz_translit(folded, &key);
    if (!key.len) goto done;
    h = gaz_hash32(key.buf, key.len);
    for (size_t i = lower_bound(g->translit, g->hdr->n_keys, h);
         i < g->hdr->n_keys && (uint32_t)(g->translit[i] >> 32) == h; i++) {
        const gaz_key_rec *kr = gaz_key_at(g, (uint32_t)g->translit[i]);
        if (kr->len != key.len || memcmp(g->pool + kr->str, key.buf, key.len)) continue;
        for (uint32_t j = 0; j < kr->count; j++) {
            const gaz_name_rec *nr = gaz_name_at(g, kr->first + j);
            if (nr->kind == GAZ_NAME_ABBREV) continue;
            found = 1;
            float pr = gaz_place_at(g, nr->place)->prior;
            if (pr > best) best = pr;
        }
    }
done:
    sb_release(&key);
    if (prior) *prior = best;
    return found;
}
