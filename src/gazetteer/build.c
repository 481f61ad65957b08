/*
 * build.c - gaz_build: read the sources, fold every name into its keys, and
 * write the index file (layout in gazetteer_int.h) under a temporary name
 * that is renamed into place only when the whole index is written.
 * Everything is held in memory until it is written: at the peak about 290
 * bytes a place, names included (3.5 GB for 12 million GeoNames rows and
 * their alternate names; bench/run_gazbig.sh measures it).
 */
#include "gazetteer_int.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/tempfile.h"
#include "util/banned.h"

typedef struct {
    char *code;  /* "SY.01" */
    char *name;
} admin1_entry;

typedef struct {
    gaz_place_rec *places;
    size_t n_places, alloc_places;
    gaz_name_rec *names;       /* .key is the key's pool offset until write_index
                                * sorts them and makes it an index into keys[] */
    size_t n_names, alloc_names;
    strbuf pool;
    uint32_t *intern;          /* open addressing over pool offsets, 0 = empty */
    size_t intern_cap, intern_count;
    int64_t *gn_ids;           /* open addressing geonameid -> place, keys */
    uint32_t *gn_places;
    size_t gn_cap, gn_count;
    admin1_entry *admin1;
    size_t n_admin1, alloc_admin1;
    geo_ctx *geo;
    strbuf fold, key;
    size_t first_curated;      /* places from here on came from gazetteer/ */
    const char *focus;         /* checked home countries, or NULL */
    const gaz_build_opts *opts;/* for its progress callback */
    uint64_t rows_read;        /* GeoNames rows read, for the progress callback */
    int regions_table;         /* reading regions.tsv, whose rows weigh as countries */
} builder;

/* "SY" or "SY,IQ,TR": two-letter upper-case codes, comma-separated, fitting
 * the header's 32 bytes with its NUL. */
static int check_focus(const char *focus, char **err)
{
    size_t len = strlen(focus);
    int ok = len > 0 && len < sizeof(((gaz_header *)0)->focus) && len % 3 == 2;
    for (size_t i = 0; ok && i < len; i++)
        ok = i % 3 == 2 ? focus[i] == ',' : focus[i] >= 'A' && focus[i] <= 'Z';
    if (!ok)
        return em_error(err, EM_EUSAGE, "focus \"%s\" is not ISO alpha-2 country codes such as SY or SY,IQ (at most 10)", focus);
    return 0;
}

/* ---------- string pool with interning ---------- */

static uint32_t pool_add_raw(builder *b, const void *data, size_t len)
{
    uint32_t off = (uint32_t)b->pool.len;
    sb_add(&b->pool, data, len);
    sb_addch(&b->pool, '\0');
    return off;
}

static void intern_grow(builder *b)
{
    size_t cap = b->intern_cap ? b->intern_cap * 2 : 1 << 16;
    uint32_t *slots = xcalloc(cap, sizeof(*slots));
    for (size_t i = 0; i < b->intern_cap; i++) {
        uint32_t off = b->intern[i];
        if (!off) continue;
        const char *s = b->pool.buf + off;
        size_t j = gaz_hash32(s, strlen(s)) & (cap - 1);
        while (slots[j]) j = (j + 1) & (cap - 1);
        slots[j] = off;
    }
    free(b->intern);
    b->intern = slots;
    b->intern_cap = cap;
}

/* The pool offset of s (len bytes, no NUL inside), added once. */
static uint32_t pool_intern(builder *b, const char *s, size_t len)
{
    if (len == 0) return 0;
    if (2 * (b->intern_count + 1) > b->intern_cap) intern_grow(b);
    size_t j = gaz_hash32(s, len) & (b->intern_cap - 1);
    while (b->intern[j]) {
        const char *t = b->pool.buf + b->intern[j];
        if (!memcmp(t, s, len) && t[len] == '\0') return b->intern[j];
        j = (j + 1) & (b->intern_cap - 1);
    }
    uint32_t off = pool_add_raw(b, s, len);
    b->intern[j] = off;
    b->intern_count++;
    return off;
}

static uint32_t pool_str(builder *b, const char *s)
{
    return pool_intern(b, s, strlen(s));
}

/* ---------- geonameid -> place ---------- */

static size_t gn_slot(const builder *b, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) & (b->gn_cap - 1);
}

static void gn_put(builder *b, int64_t id, uint32_t place)
{
    if (2 * (b->gn_count + 1) > b->gn_cap) {
        size_t old_cap = b->gn_cap;
        int64_t *old_ids = b->gn_ids;
        uint32_t *old_places = b->gn_places;
        b->gn_cap = old_cap ? old_cap * 2 : 1 << 16;
        b->gn_ids = xcalloc(b->gn_cap, sizeof(*b->gn_ids));
        b->gn_places = xcalloc(b->gn_cap, sizeof(*b->gn_places));
        b->gn_count = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old_ids[i]) gn_put(b, old_ids[i], old_places[i]);
        free(old_ids);
        free(old_places);
    }
    size_t j = gn_slot(b, id);
    while (b->gn_ids[j] && b->gn_ids[j] != id) j = (j + 1) & (b->gn_cap - 1);
    if (!b->gn_ids[j]) b->gn_count++;
    b->gn_ids[j] = id;
    b->gn_places[j] = place;
}

/* The place of a geonameid, or -1. */
static int64_t gn_get(const builder *b, int64_t id)
{
    if (!b->gn_cap) return -1;
    size_t j = gn_slot(b, id);
    while (b->gn_ids[j]) {
        if (b->gn_ids[j] == id) return b->gn_places[j];
        j = (j + 1) & (b->gn_cap - 1);
    }
    return -1;
}

/* ---------- places and names ---------- */

float gaz_prior(const char *feature, int64_t population)
{
    double f = 0.3;
    char cls = feature[0];
    const char *code = feature[0] && feature[1] == '.' ? feature + 2 : "";
    if (cls == 'A') {
        if (!strncmp(code, "PCL", 3)) f = 1.0;
        else if (!strcmp(code, "ADM1")) f = 0.7;
        else if (!strncmp(code, "ADM", 3)) f = 0.4;
    } else if (cls == 'P') {
        if (!strcmp(code, "PPLC")) f = 0.95;
        else if (!strcmp(code, "PPLA")) f = 0.8;
        else if (!strcmp(code, "PPLG")) f = 0.7;
        else if (!strcmp(code, "PPLA2")) f = 0.6;
        else if (!strcmp(code, "PPLA3")) f = 0.45;
        else if (!strcmp(code, "PPLA4")) f = 0.4;
        else if (!strcmp(code, "PPLH") || !strcmp(code, "PPLQ") || !strcmp(code, "PPLW")) f = 0.15;
        else f = 0.3;
    } else if (cls == 'L' || cls == 'T') {
        if (!strcmp(code, "CONT")) f = 1.0;
        else if (!strcmp(code, "RGN") || !strcmp(code, "DSRT") || !strcmp(code, "AREA")) f = 0.7;
        else if (!strcmp(code, "MILB")) f = 0.6;
    } else if (cls == 'S') {
        if (!strcmp(code, "AIRB") || !strcmp(code, "AIRP") || !strcmp(code, "PSTB") ||
            !strcmp(code, "CMPRF") || !strcmp(code, "CMP"))
            f = 0.6;
    }
    if (population <= 0 && ((cls == 'A' && !strncmp(code, "PCL", 3)) || (cls == 'L' && !strcmp(code, "CONT"))))
        population = 10000000; /* Natural Earth gives countries and continents no population */
    if (population <= 0 && cls == 'A' && !strcmp(code, "ADM1"))
        population = GAZ_AREA_POPULATION; /* nor first-level areas: "California" is the state, not the
                                             county seat in Missouri */
    if (population <= 0 && cls == 'P') {
        /* GeoNames writes 0 for "unknown": Syria's district seats mostly have
         * 0.  Impute a typical size for the rank so that a seat of unknown
         * size does not lose to a hamlet of known size. */
        if (!strcmp(code, "PPLC")) population = 500000;
        else if (!strcmp(code, "PPLA")) population = 100000;
        else if (!strcmp(code, "PPLA2")) population = 20000;
        else if (!strcmp(code, "PPLA3")) population = 5000;
        else if (!strcmp(code, "PPLA4")) population = 2000;
        else population = 300;
    }
    double p = population > 0 ? log10((double)population + 1) / 7.0 : 0;
    if (p > 1) p = 1;
    return (float)(0.6 * f + 0.4 * p);
}

static uint32_t add_place(builder *b, const char *id, const char *name, const char *feature,
                          const char *country, const char *admin1_code, double lat, double lon,
                          int64_t population)
{
    ALLOC_GROW(b->places, b->n_places + 1, b->alloc_places);
    gaz_place_rec *p = &b->places[b->n_places];
    memset(p, 0, sizeof(*p));
    p->lat_deg = lat;
    p->lon_deg = lon;
    p->population = population;
    p->id = pool_str(b, id);
    p->name = pool_str(b, name);
    p->feature = pool_str(b, feature);
    size_t cl = strlen(country);
    memcpy(p->country, country, cl < 3 ? cl : 3);
    if (admin1_code && *admin1_code && *country) {
        strbuf code = STRBUF_INIT;
        sb_addf(&code, "%s.%s", country, admin1_code);
        p->admin1_code = pool_str(b, code.buf);
        sb_release(&code);
    }
    p->prior = gaz_prior(feature, population);
    if (!strncmp(feature, "A.PCL", 5)) p->flags |= GAZ_PLACE_COUNTRY;
    if (!strcmp(feature, "A.ADM1")) p->flags |= GAZ_PLACE_ADM1;
    return (uint32_t)b->n_places++;
}

/* Whether a folded name is in a script news in English or Arabic uses. */
static int useful_script(const char *plain)
{
    for (const unsigned char *p = (const unsigned char *)plain; *p; p++) {
        if (*p < 0x80) continue;
        /* Arabic block U+0600..U+06FF: lead bytes D8..DB */
        if (*p >= 0xD8 && *p <= 0xDB) {
            p++;
            if (!*p) return 0;
            continue;
        }
        return 0;
    }
    return 1;
}

/* Add a name of a place.  Returns EM_EINPUT for invalid UTF-8. */
static int add_name(builder *b, uint32_t place, const char *name, size_t len, uint32_t kind,
                    const char *file, size_t line, char **err)
{
    while (len && (*name == ' ')) { name++; len--; }
    while (len && name[len - 1] == ' ') len--;
    if (!len) return 0;
    if (gaz_fold(name, len, &b->fold) < 0)
        return em_error(err, EM_EINPUT, "%s:%zu: name is not valid UTF-8", file, line);
    if (!b->fold.len || !useful_script(b->fold.buf)) return 0;
    gaz_translit(b->fold.buf, &b->key);
    if (!b->key.len) return 0;
    /* a curated "Ky." is an abbreviation, matched only as written */
    if (kind == GAZ_NAME_ALIAS && gaz_is_dotted_abbrev(name, len)) kind = GAZ_NAME_ABBREV;
    ALLOC_GROW(b->names, b->n_names + 1, b->alloc_names);
    gaz_name_rec *n = &b->names[b->n_names++];
    n->place = place;
    n->display = pool_intern(b, name, len);
    n->plain = pool_intern(b, b->fold.buf, b->fold.len);
    n->key = pool_intern(b, b->key.buf, b->key.len);
    n->kind = kind;
    return 0;
}

/* Add each comma-separated name of list. */
static int add_name_list(builder *b, uint32_t place, const char *list, uint32_t kind,
                         int skip_codes, const char *file, size_t line, char **err)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        int is_code = 0;
        if (skip_codes && len <= 4) {
            /* IATA/ICAO codes among GeoNames alternates ("KAC") are not names. */
            is_code = 1;
            for (size_t i = 0; i < len; i++)
                if (!(p[i] >= 'A' && p[i] <= 'Z')) is_code = 0;
        }
        if (!is_code && len <= 200) {
            int rc = add_name(b, place, p, len, kind, file, line, err);
            if (rc < 0) return rc;
        }
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

/* ---------- sources ---------- */

/* The index points into its string pool with 32-bit offsets: stop at the
 * row that takes it past 4 GiB (some 90 million GeoNames rows) rather than
 * read on to a build that cannot be written. */
static int check_pool(const builder *b, const char *file, size_t line, char **err)
{
    if (b->pool.len <= UINT32_MAX) return 0;
    return em_error(err, EM_EINPUT, "%s:%zu: the index's strings pass 4 GiB here: too many names for one index",
                    file, line);
}

static int on_geonames_place(void *ctx, const gn_place *row, char **err)
{
    builder *b = ctx;
    if (++b->rows_read % 8192 == 0 && b->opts->progress) b->opts->progress(b->opts->progress_ctx, b->rows_read);
    if (gn_get(b, row->geonameid) >= 0) return 0; /* the same place from a second dump */
    char id[40], feature[24];
    snprintf(id, sizeof(id), "geonames:%lld", (long long)row->geonameid);
    snprintf(feature, sizeof(feature), "%s.%s", row->feature_class, row->feature_code);
    /* shown as GeoNames' ASCII form ("Ad Dumayr"), as English news writes
     * it; the name with its diacritics ("Aḑ Ḑumayr") stays a primary name */
    const char *shown = row->asciiname[0] ? row->asciiname : row->name;
    uint32_t place = add_place(b, id, shown, feature, row->country, row->admin1,
                               row->lat_deg, row->lon_deg, row->population);
    gn_put(b, row->geonameid, place);
    int rc = add_name(b, place, row->name, strlen(row->name), GAZ_NAME_PRIMARY, row->file, row->line, err);
    if (!rc) rc = add_name(b, place, row->asciiname, strlen(row->asciiname), GAZ_NAME_ASCII, row->file, row->line, err);
    if (!rc) rc = add_name_list(b, place, row->alternates, GAZ_NAME_ALTERNATE, 1, row->file, row->line, err);
    if (!rc) rc = check_pool(b, row->file, row->line, err);
    return rc;
}

static int on_alternate(void *ctx, const gn_altname *row, char **err)
{
    static const char *const skip[] = { "link", "wkdt", "post", "iata", "icao", "faac", "unlc",
                                        "tcid", "phon", "piny", "abbr", NULL };
    builder *b = ctx;
    int64_t place = gn_get(b, row->geonameid);
    if (place < 0 || row->historic) return 0;
    for (int i = 0; skip[i]; i++)
        if (!strcmp(row->lang, skip[i])) return 0;
    int rc = add_name(b, (uint32_t)place, row->name, strlen(row->name), GAZ_NAME_ALTERNATE,
                      row->file, row->line, err);
    return rc < 0 ? rc : check_pool(b, row->file, row->line, err);
}

static int on_admin1(void *ctx, const char *code, const char *name, char **err)
{
    builder *b = ctx;
    ALLOC_GROW(b->admin1, b->n_admin1 + 1, b->alloc_admin1);
    b->admin1[b->n_admin1].code = xstrdup(code);
    b->admin1[b->n_admin1].name = xstrdup(name);
    b->n_admin1++;
    return 0;
}

static int cmp_admin1(const void *a, const void *b)
{
    return strcmp(((const admin1_entry *)a)->code, ((const admin1_entry *)b)->code);
}

static const char *admin1_name(const builder *b, const char *code)
{
    size_t lo = 0, hi = b->n_admin1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(b->admin1[mid].code, code);
        if (!c) return b->admin1[mid].name;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* Store shape as the place's region: WKB in the pool, bbox, flags. */
static int set_region(builder *b, uint32_t place, geo_shape *shape, char **err)
{
    unsigned char *wkb = NULL;
    size_t len = 0;
    geo_bbox box;
    int rc = geo_shape_to_wkb(b->geo, shape, &wkb, &len, err);
    if (rc < 0) return rc;
    rc = geo_shape_bbox(b->geo, shape, &box, err);
    if (rc < 0) {
        free(wkb);
        return rc;
    }
    gaz_place_rec *p = &b->places[place];
    p->wkb = pool_add_raw(b, wkb, len);
    p->wkb_len = (uint32_t)len;
    p->bbox[0] = box.west_deg;
    p->bbox[1] = box.south_deg;
    p->bbox[2] = box.east_deg;
    p->bbox[3] = box.north_deg;
    p->flags |= GAZ_PLACE_BBOX | GAZ_PLACE_REGION;
    free(wkb);
    return 0;
}

static int parse_bbox(const char *s, double box[4])
{
    char *end;
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        errno = 0;
        box[i] = strtod(p, &end);
        if (end == p || errno || !isfinite(box[i])) return -1;
        p = end;
        if (i < 3) {
            if (*p != ',') return -1;
            p++;
        }
    }
    if (*p) return -1;
    if (box[0] < -180 || box[0] > 180 || box[2] < -180 || box[2] > 180 || box[1] < -90 || box[3] > 90 || box[1] > box[3]) return -1;
    return 0;
}

static int on_curated_place(void *ctx, char **f, size_t n, const char *file, size_t line, char **err)
{
    /* id name alternatenames lat lon feature country admin1 population bbox polygon source */
    builder *b = ctx;
    double lat = NAN, lon = NAN;
    int64_t pop = 0;
    geo_shape *shape = NULL;
    int rc = 0;
    (void)n;
    if (strncmp(f[0], "eventmap:", 9) || !f[0][9])
        return em_error(err, EM_EINPUT, "%s:%zu: id \"%s\" must look like eventmap:NAME", file, line, f[0]);
    for (size_t i = b->first_curated; i < b->n_places; i++)
        if (!strcmp(b->pool.buf + b->places[i].id, f[0]))
            return em_error(err, EM_EINPUT, "%s:%zu: id \"%s\" is used twice", file, line, f[0]);
    if (!f[1][0]) return em_error(err, EM_EINPUT, "%s:%zu: empty name", file, line);
    if (strlen(f[5]) < 3 || f[5][1] != '.')
        return em_error(err, EM_EINPUT, "%s:%zu: feature \"%s\" is not a GeoNames class.code", file, line, f[5]);
    if (f[8][0] && (parse_int64(f[8], &pop) < 0 || pop < 0))
        return em_error(err, EM_EINPUT, "%s:%zu: population \"%s\" is not a whole number", file, line, f[8]);
    if (f[10][0]) {
        rc = geo_shape_from_wkt(b->geo, f[10], &shape, err);
        if (rc < 0) {
            char *inner = *err;
            *err = NULL;
            rc = em_error(err, EM_EINPUT, "%s:%zu: polygon: %s", file, line, inner ? inner : "invalid WKT");
            free(inner);
            return rc;
        }
    }
    if (f[3][0] || f[4][0]) {
        if (parse_double(f[3], &lat) < 0 || lat < -90 || lat > 90) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: latitude \"%s\" is not a number in -90..90", file, line, f[3]);
            goto cleanup;
        }
        if (parse_double(f[4], &lon) < 0 || lon < -180 || lon > 180) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: longitude \"%s\" is not a number in -180..180", file, line, f[4]);
            goto cleanup;
        }
    } else if (shape) {
        geo_point pt;
        rc = geo_shape_rep_point(b->geo, shape, &pt, err);
        if (rc < 0) goto cleanup;
        lat = pt.lat_deg;
        lon = pt.lon_deg;
    } else {
        rc = em_error(err, EM_EINPUT, "%s:%zu: a place needs lat and lon or a polygon", file, line);
        goto cleanup;
    }
    uint32_t place = add_place(b, f[0], f[1], f[5], f[6], f[7], lat, lon, pop);
    /* a continent or named region (regions.tsv: the Sahel, the Middle East,
     * the Alps, the West Bank) is as important as a country: "Sahel" is the
     * belt across Africa before Burkina Faso's province, "Levant" the region
     * before a town in Maine, "West Bank" the territory before the country
     * that lists it as a variant */
    if (b->regions_table && b->places[place].prior < gaz_prior("A.PCLI", pop))
        b->places[place].prior = gaz_prior("A.PCLI", pop);
    if (shape) {
        rc = set_region(b, place, shape, err);
        if (rc < 0) goto cleanup;
    } else if (f[9][0]) {
        if (parse_bbox(f[9], b->places[place].bbox) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: bbox \"%s\" is not W,S,E,N in degrees", file, line, f[9]);
            goto cleanup;
        }
        b->places[place].flags |= GAZ_PLACE_BBOX;
    }
    rc = add_name(b, place, f[1], strlen(f[1]), GAZ_NAME_PRIMARY, file, line, err);
    /* curated alternates are the names news uses: as good as the name */
    if (!rc) rc = add_name_list(b, place, f[2], GAZ_NAME_ALIAS, 0, file, line, err);
    if (!rc && !strcmp(f[5], "A.ADM1") && f[6][0] && f[7][0]) {
        char code[32];
        snprintf(code, sizeof(code), "%s.%s", f[6], f[7]);
        const char *official = admin1_name(b, code);
        if (official) rc = add_name(b, place, official, strlen(official), GAZ_NAME_ALTERNATE, file, line, err);
    }
cleanup:
    geo_shape_free(b->geo, shape);
    return rc;
}

/* The GeoNames admin-1 code ("12" of SY.12) of the area of country cc that
 * name (as a user writes it: "Idlib", "Idlib governorate") names, or NULL. */
static const char *admin1_code_by_name(const builder *b, const char *cc, const char *name)
{
    strbuf want = STRBUF_INIT, key = STRBUF_INIT, folded = STRBUF_INIT;
    const char *found = NULL;
    size_t len = strlen(name);
    /* a trailing kind word is not part of the name */
    const char *last = strrchr(name, ' ');
    if (last && last > name && (gaz_kind_flags(last + 1, strlen(last + 1)) & GAZ_KIND_ADMIN))
        len = (size_t)(last - name);
    if (gaz_fold(name, len, &folded) == 0) gaz_translit(folded.buf, &want);
    size_t cc_len = strlen(cc);
    for (size_t i = 0; want.len && i < b->n_admin1 && !found; i++) {
        const char *code = b->admin1[i].code;
        if (strncmp(code, cc, cc_len) || code[cc_len] != '.') continue;
        sb_reset(&folded);
        sb_reset(&key);
        const char *n = b->admin1[i].name;
        if (gaz_fold(n, strlen(n), &folded) == 0) gaz_translit(folded.buf, &key);
        if (key.len && !strcmp(key.buf, want.buf)) found = code + cc_len + 1;
    }
    sb_release(&want);
    sb_release(&key);
    sb_release(&folded);
    return found;
}

/* One place of the user's list: checked, then added as a curated one. */
static int add_user_place(builder *b, const gaz_user_place *u, char **err)
{
    const char *file = u->file ? u->file : "places", *feature = u->feature && *u->feature ? u->feature : "P.PPL";
    if (!u->name || !*u->name) return em_error(err, EM_EINPUT, "%s:%zu: empty name", file, u->line);
    if (!(u->lat_deg >= -90 && u->lat_deg <= 90) || !(u->lon_deg >= -180 && u->lon_deg <= 180))
        return em_error(err, EM_EINPUT, "%s:%zu: %.6g,%.6g is not a latitude in -90..90 and a longitude in -180..180",
                        file, u->line, u->lat_deg, u->lon_deg);
    const char *cc = u->country ? u->country : "";
    if (*cc && !(strlen(cc) == 2 && cc[0] >= 'A' && cc[0] <= 'Z' && cc[1] >= 'A' && cc[1] <= 'Z'))
        return em_error(err, EM_EINPUT, "%s:%zu: country \"%s\" is not an ISO 3166-1 alpha-2 code (SY, IQ, ...)",
                        file, u->line, cc);
    if (strlen(feature) < 3 || feature[1] != '.')
        return em_error(err, EM_EINPUT, "%s:%zu: feature \"%s\" is not a GeoNames class.code", file, u->line,
                        feature);
    for (size_t i = b->first_curated; i < b->n_places; i++)
        if (!strcmp(b->pool.buf + b->places[i].id, u->id))
            return em_error(err, EM_EINPUT, "%s:%zu: id \"%s\" is used twice", file, u->line, u->id);
    const char *code = *cc && u->admin1 && *u->admin1 ? admin1_code_by_name(b, cc, u->admin1) : NULL;
    uint32_t place = add_place(b, u->id, u->name, feature, cc, code ? code : "", u->lat_deg, u->lon_deg, 0);
    int rc = add_name(b, place, u->name, strlen(u->name), GAZ_NAME_PRIMARY, file, u->line, err);
    /* the list's other names are the names its users write: as good as the name */
    for (const char *p = u->alternates ? u->alternates : ""; !rc && *p;) {
        const char *semi = strchr(p, ';');
        size_t len = semi ? (size_t)(semi - p) : strlen(p);
        if (len && len <= 200) rc = add_name(b, place, p, len, GAZ_NAME_ALIAS, file, u->line, err);
        if (!semi) break;
        p = semi + 1;
    }
    return rc;
}

static int64_t find_place_by_id(const builder *b, const char *id)
{
    if (!strncmp(id, "geonames:", 9)) {
        int64_t gid;
        if (parse_int64(id + 9, &gid) < 0) return -1;
        return gn_get(b, gid);
    }
    for (size_t i = b->first_curated; i < b->n_places; i++)
        if (!strcmp(b->pool.buf + b->places[i].id, id)) return (int64_t)i;
    return -1;
}

static int on_alias(void *ctx, char **f, size_t n, const char *file, size_t line, char **err)
{
    builder *b = ctx;
    (void)n;
    int64_t place = find_place_by_id(b, f[0]);
    if (place < 0)
        return em_error(err, EM_EINPUT, "%s:%zu: no place with id \"%s\"", file, line, f[0]);
    if (!f[1][0]) return em_error(err, EM_EINPUT, "%s:%zu: empty alias", file, line);
    return add_name(b, (uint32_t)place, f[1], strlen(f[1]), GAZ_NAME_ALIAS, file, line, err);
}

typedef struct {
    char *numeric, *alpha2, *name, *variants;
    size_t line;
} country_row;

typedef struct {
    country_row *rows;
    size_t n, alloc;
    struct {
        char alpha2[3];
        double lat_deg, lon_deg;
    } *points;               /* country-points.tsv: GeoNames' own point of a country */
    size_t n_points, alloc_points;
} country_table;

static int on_country_point(void *ctx, char **f, size_t n, const char *file, size_t line, char **err)
{
    country_table *t = ctx;
    (void)n;
    double lat, lon;
    if (strlen(f[0]) != 2 || f[0][0] < 'A' || f[0][0] > 'Z' || f[0][1] < 'A' || f[0][1] > 'Z')
        return em_error(err, EM_EINPUT, "%s:%zu: \"%s\" is not an ISO alpha-2 code", file, line, f[0]);
    if (parse_double(f[2], &lat) < 0 || lat < -90 || lat > 90 || parse_double(f[3], &lon) < 0 || lon < -180 ||
        lon > 180)
        return em_error(err, EM_EINPUT, "%s:%zu: lat/lon \"%s\", \"%s\" are not coordinates", file, line, f[2], f[3]);
    ALLOC_GROW(t->points, t->n_points + 1, t->alloc_points);
    memcpy(t->points[t->n_points].alpha2, f[0], 3);
    t->points[t->n_points].lat_deg = lat;
    t->points[t->n_points].lon_deg = lon;
    t->n_points++;
    return 0;
}

static int on_country_row(void *ctx, char **f, size_t n, const char *file, size_t line, char **err)
{
    country_table *t = ctx;
    (void)n;
    if (!f[2][0]) return em_error(err, EM_EINPUT, "%s:%zu: empty name", file, line);
    ALLOC_GROW(t->rows, t->n + 1, t->alloc);
    country_row *r = &t->rows[t->n++];
    r->numeric = xstrdup(f[0]);
    r->alpha2 = xstrdup(strcmp(f[1], "-") ? f[1] : "");
    r->name = xstrdup(f[2]);
    r->variants = xstrdup(f[3]);
    r->line = line;
    return 0;
}

static int add_countries(builder *b, const char *topo_path, const char *table_path, const char *points_path,
                         char **err)
{
    country_table table;
    memset(&table, 0, sizeof(table));
    topo_feature *feats = NULL;
    size_t n_feats = 0;
    int rc = 0;
    if (table_path && access(table_path, F_OK) == 0) {
        rc = tsv_read(table_path, "iso_numeric\tiso_alpha2\tname\tvariants\tsource", on_country_row, &table, err);
        if (rc < 0) goto cleanup;
    }
    if (points_path && access(points_path, F_OK) == 0) {
        rc = tsv_read(points_path, "iso_alpha2\tgeonameid\tlat\tlon\tsource", on_country_point, &table, err);
        if (rc < 0) goto cleanup;
    }
    rc = topo_read(b->geo, topo_path, "countries", &feats, &n_feats, err);
    if (rc < 0) goto cleanup;
    for (size_t i = 0; i < n_feats; i++) {
        topo_feature *tf = &feats[i];
        const country_row *row = NULL;
        /* Join on the ISO numeric id; geometries without one (Somaliland,
         * N. Cyprus, Kosovo) join on their Natural Earth name. */
        for (size_t j = 0; j < table.n && !row; j++) {
            const country_row *r = &table.rows[j];
            if (tf->id && r->numeric[0] ? !strcmp(r->numeric, tf->id)
                                        : !tf->id && !r->numeric[0] && tf->name && !strcmp(r->name, tf->name))
                row = r;
        }
        const char *name = tf->name ? tf->name : row ? row->name : NULL;
        if (!name || !tf->shape) continue;
        const char *alpha2 = row ? row->alpha2 : "";
        /* GeoNames' point of the country where country-points.tsv has it
         * (where GeoNames-based data and the literature put a mention of
         * it), else a point inside its polygon */
        geo_point pt;
        rc = geo_shape_rep_point(b->geo, tf->shape, &pt, err);
        if (rc < 0) goto cleanup;
        for (size_t j = 0; *alpha2 && j < table.n_points; j++)
            if (!strcmp(table.points[j].alpha2, alpha2)) {
                pt.lat_deg = table.points[j].lat_deg;
                pt.lon_deg = table.points[j].lon_deg;
                break;
            }
        strbuf id = STRBUF_INIT;
        if (*alpha2) {
            sb_addf(&id, "country:%s", alpha2);
        } else {
            sb_adds(&id, "naturalearth:");
            for (const char *p = name; *p; p++)
                sb_addch(&id, (*p >= 'A' && *p <= 'Z') ? *p + 32 : (*p == ' ' ? '-' : *p));
        }
        uint32_t place = add_place(b, id.buf, name, "A.PCLI", alpha2, NULL, pt.lat_deg, pt.lon_deg, 0);
        sb_release(&id);
        rc = set_region(b, place, tf->shape, err);
        if (!rc) rc = add_name(b, place, name, strlen(name), GAZ_NAME_PRIMARY, topo_path, 1, err);
        if (!rc && row) rc = add_name_list(b, place, row->variants, GAZ_NAME_ALTERNATE, 0, table_path, row->line, err);
        if (rc < 0) goto cleanup;
    }
cleanup:
    topo_features_free(b->geo, feats, n_feats);
    for (size_t j = 0; j < table.n; j++) {
        free(table.rows[j].numeric);
        free(table.rows[j].alpha2);
        free(table.rows[j].name);
        free(table.rows[j].variants);
    }
    free(table.rows);
    free(table.points);
    return rc;
}

/* ---------- sorting and writing ---------- */

static int cmp_name(const void *pa, const void *pb)
{
    const gaz_name_rec *a = pa, *b = pb;
    if (a->key != b->key) return a->key < b->key ? -1 : 1;
    if (a->place != b->place) return a->place < b->place ? -1 : 1;
    if (a->plain != b->plain) return a->plain < b->plain ? -1 : 1;
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    return a->display < b->display ? -1 : a->display > b->display;
}

/* Sort v[0..n) in place by the byte of each value at shift and the bytes
 * below it: an MSD radix sort that permutes within v (American flag sort),
 * so that sorting the deletion table of a 12-million-row build needs no
 * second array of its size.  Buckets of a few values end in insertion sort. */
static void radix_sort_u64_at(uint64_t *v, size_t n, int shift)
{
    if (n <= 32 || shift < 0) {
        for (size_t i = 1; i < n; i++) {
            uint64_t x = v[i];
            size_t j = i;
            for (; j > 0 && v[j - 1] > x; j--) v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    size_t count[256] = { 0 }, start[257], next[256];
    for (size_t i = 0; i < n; i++) count[(v[i] >> shift) & 0xFF]++;
    start[0] = 0;
    for (int d = 0; d < 256; d++) start[d + 1] = start[d] + count[d];
    memcpy(next, start, sizeof(next));
    for (int d = 0; d < 256; d++) {
        /* swap each value of bucket d that belongs elsewhere to its bucket */
        while (next[d] < start[d + 1]) {
            uint64_t x = v[next[d]];
            int to = (int)((x >> shift) & 0xFF);
            while (to != d) {
                uint64_t y = v[next[to]];
                v[next[to]++] = x;
                x = y;
                to = (int)((x >> shift) & 0xFF);
            }
            v[next[d]++] = x;
        }
    }
    for (int d = 0; d < 256; d++) radix_sort_u64_at(v + start[d], count[d], shift - 8);
}

static void radix_sort_u64(uint64_t *v, size_t n)
{
    radix_sort_u64_at(v, n, 56);
}

static size_t dedupe_u64(uint64_t *v, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || v[m - 1] != v[i]) v[m++] = v[i];
    return m;
}

static int write_all(FILE *f, const void *data, size_t len)
{
    return len == 0 || fwrite(data, 1, len, f) == len ? 0 : -1;
}

static int pad_to8(FILE *f, uint64_t *off)
{
    static const char zeros[8];
    size_t pad = (size_t)((8 - (*off % 8)) % 8);
    *off += pad;
    return write_all(f, zeros, pad);
}

static int write_index(builder *b, const char *output, gaz_build_stats *stats, char **err)
{
    int rc = 0;
    gaz_name_rec *names = NULL; /* the builder's, sorted and compacted */
    gaz_key_rec *keys = NULL;
    uint64_t *plain = NULL, *translit = NULL, *dels = NULL;
    uint32_t *deldir = NULL;
    size_t n_names = 0, n_keys = 0, n_dels = 0, alloc_keys = 0, alloc_dels = 0;
    tempfile out = TEMPFILE_INIT;

    /* names sorted by key; exact duplicates (same key, place, folded form)
     * dropped.  Compacted in place: the builder's array becomes names[] (a
     * second copy would be 20 bytes a name more at the peak). */
    if (b->n_names) qsort(b->names, b->n_names, sizeof(*b->names), cmp_name);
    names = b->names;
    uint32_t prev_key = 0, prev_place = 0, prev_plain = 0;
    for (size_t i = 0; i < b->n_names; i++) {
        gaz_name_rec bn = b->names[i];
        if (n_names && bn.key == prev_key && bn.place == prev_place && bn.plain == prev_plain) continue;
        if (!n_keys || keys[n_keys - 1].str != bn.key) {
            ALLOC_GROW(keys, n_keys + 1, alloc_keys);
            keys[n_keys].str = bn.key;
            keys[n_keys].len = (uint32_t)strlen(b->pool.buf + bn.key);
            keys[n_keys].first = (uint32_t)n_names;
            keys[n_keys].count = 0;
            n_keys++;
        }
        keys[n_keys - 1].count++;
        prev_key = bn.key;
        prev_place = bn.place;
        prev_plain = bn.plain;
        bn.key = (uint32_t)(n_keys - 1);
        names[n_names++] = bn;
    }
    b->n_names = n_names;

    plain = xmalloc((n_names ? n_names : 1) * sizeof(*plain));
    for (size_t i = 0; i < n_names; i++) {
        const char *s = b->pool.buf + names[i].plain;
        plain[i] = (uint64_t)gaz_hash32(s, strlen(s)) << 32 | i;
    }
    radix_sort_u64(plain, n_names);

    translit = xmalloc((n_keys ? n_keys : 1) * sizeof(*translit));
    for (size_t k = 0; k < n_keys; k++)
        translit[k] = (uint64_t)gaz_hash32(b->pool.buf + keys[k].str, keys[k].len) << 32 | k;
    radix_sort_u64(translit, n_keys);

    /* deletion neighbourhood of the Latin keys long enough to be spelled wrong */
    char del[256];
    for (size_t k = 0; k < n_keys; k++) {
        const char *s = b->pool.buf + keys[k].str;
        size_t len = keys[k].len;
        if ((unsigned char)s[0] >= 0x80 || len > 200) continue;
        ALLOC_GROW(dels, n_dels + len + 1, alloc_dels);
        dels[n_dels++] = (uint64_t)gaz_hash32(s, len) << 32 | k;
        if (len < 4) continue;
        for (size_t i = 0; i < len; i++) {
            if (i && s[i] == s[i - 1]) continue; /* same deletion as the previous one */
            memcpy(del, s, i);
            memcpy(del + i, s + i + 1, len - i - 1);
            dels[n_dels++] = (uint64_t)gaz_hash32(del, len - 1) << 32 | k;
        }
    }
    radix_sort_u64(dels, n_dels);
    n_dels = dedupe_u64(dels, n_dels);

    /* the file counts and points in 32 bits: refuse what would not fit
     * rather than write an index that points to the wrong records */
    if (b->n_places > UINT32_MAX || n_names > UINT32_MAX || n_keys > UINT32_MAX || n_dels > UINT32_MAX) {
        rc = em_error(err, EM_EINPUT,
                      "too many places or names for one index (%zu places, %zu names, %zu keys, %zu fuzzy "
                      "entries; the limit is %u of each)",
                      b->n_places, n_names, n_keys, n_dels, (unsigned)UINT32_MAX);
        goto cleanup;
    }

    gaz_header hdr;
    memset(&hdr, 0, sizeof(hdr));
    memcpy(hdr.magic, GAZ_MAGIC, 8);
    hdr.version = GAZ_VERSION;
    if (b->focus) memcpy(hdr.focus, b->focus, strlen(b->focus));
    hdr.endian = 0x01020304;
    hdr.n_places = (uint32_t)b->n_places;
    hdr.n_names = (uint32_t)n_names;
    hdr.n_keys = (uint32_t)n_keys;
    hdr.n_dels = (uint32_t)n_dels;
    uint64_t off = sizeof(hdr);
    off += (8 - off % 8) % 8;
    hdr.off_places = off;
    off += b->n_places * sizeof(gaz_place_rec);
    off += (8 - off % 8) % 8;
    hdr.off_names = off;
    off += n_names * sizeof(gaz_name_rec);
    off += (8 - off % 8) % 8;
    hdr.off_keys = off;
    off += n_keys * sizeof(gaz_key_rec);
    off += (8 - off % 8) % 8;
    hdr.off_plain = off;
    off += n_names * sizeof(uint64_t);
    hdr.off_translit = off;
    off += n_keys * sizeof(uint64_t);
    hdr.off_dels = off;
    off += n_dels * sizeof(uint64_t);
    hdr.off_deldir = off;
    size_t n_dir = ((size_t)1 << GAZ_DELDIR_BITS) + 1;
    off += n_dir * sizeof(uint32_t);
    hdr.off_pool = off;
    hdr.pool_size = b->pool.len;
    hdr.file_size = off + b->pool.len;

    rc = tempfile_create(&out, output, "gazetteer:before-rename", 0, err);
    if (rc < 0) goto cleanup;
    FILE *f = tempfile_fp(&out);
    uint64_t at = 0;
    int wr = write_all(f, &hdr, sizeof(hdr));
    at += sizeof(hdr);
    wr |= pad_to8(f, &at);
    wr |= write_all(f, b->places, b->n_places * sizeof(gaz_place_rec));
    at += b->n_places * sizeof(gaz_place_rec);
    wr |= pad_to8(f, &at);
    wr |= write_all(f, names, n_names * sizeof(gaz_name_rec));
    at += n_names * sizeof(gaz_name_rec);
    wr |= pad_to8(f, &at);
    wr |= write_all(f, keys, n_keys * sizeof(gaz_key_rec));
    at += n_keys * sizeof(gaz_key_rec);
    wr |= pad_to8(f, &at);
    wr |= write_all(f, plain, n_names * sizeof(uint64_t));
    wr |= write_all(f, translit, n_keys * sizeof(uint64_t));
    wr |= write_all(f, dels, n_dels * sizeof(uint64_t));
    deldir = xmalloc(n_dir * sizeof(uint32_t));
    for (size_t bkt = 0, i = 0; bkt < n_dir; bkt++) {
        while (i < n_dels && (dels[i] >> (64 - GAZ_DELDIR_BITS)) < bkt) i++;
        deldir[bkt] = (uint32_t)i;
    }
    wr |= write_all(f, deldir, n_dir * sizeof(uint32_t));
    wr |= write_all(f, b->pool.buf, b->pool.len);
    if (wr) {
        rc = em_error(err, EM_EIO, "%s: cannot write: %s", output, strerror(errno));
        goto cleanup;
    }
    rc = tempfile_commit(&out, err);
    if (rc < 0) goto cleanup;
    if (stats) {
        stats->n_places = b->n_places;
        stats->n_names = n_names;
        stats->n_keys = n_keys;
        stats->n_deletions = n_dels;
        stats->bytes = (size_t)hdr.file_size;
    }
cleanup:
    tempfile_abort(&out); /* after a failure: nothing under output */
    free(keys);
    free(plain);
    free(translit);
    free(dels);
    free(deldir);
    return rc;
}

/* Free what only reading needed (the interning table and the geonameid
 * map), so that sorting and writing do not hold them: at 12 million rows
 * they are about 700 MB of the peak. */
static void builder_drop_lookups(builder *b)
{
    free(b->intern);
    b->intern = NULL;
    b->intern_cap = b->intern_count = 0;
    free(b->gn_ids);
    free(b->gn_places);
    b->gn_ids = NULL;
    b->gn_places = NULL;
    b->gn_cap = b->gn_count = 0;
}

static void builder_release(builder *b)
{
    free(b->places);
    free(b->names);
    sb_release(&b->pool);
    free(b->intern);
    free(b->gn_ids);
    free(b->gn_places);
    for (size_t i = 0; i < b->n_admin1; i++) {
        free(b->admin1[i].code);
        free(b->admin1[i].name);
    }
    free(b->admin1);
    geo_ctx_free(b->geo);
    sb_release(&b->fold);
    sb_release(&b->key);
}

int gaz_build(const gaz_build_opts *opts, gaz_build_stats *stats, char **err)
{
    builder b;
    int rc = 0;
    strbuf path = STRBUF_INIT, points_path = STRBUF_INIT;
    memset(&b, 0, sizeof(b));
    sb_init(&b.pool, 1 << 20);
    sb_init(&b.fold, 0);
    sb_init(&b.key, 0);
    sb_addch(&b.pool, '\0'); /* offset 0 is "" */
    b.geo = geo_ctx_new();
    b.opts = opts;

    if (!opts->output) {
        rc = em_error(err, EM_EUSAGE, "no output file given");
        goto cleanup;
    }
    if (opts->focus && opts->focus[0]) {
        rc = check_focus(opts->focus, err);
        if (rc < 0) goto cleanup;
        b.focus = opts->focus;
    }
    if (opts->admin1) {
        rc = gn_read_admin1(opts->admin1, on_admin1, &b, err);
        if (rc < 0) goto cleanup;
        if (b.n_admin1) qsort(b.admin1, b.n_admin1, sizeof(*b.admin1), cmp_admin1);
    }
    for (size_t i = 0; i < opts->n_geonames; i++) {
        rc = gn_read_places(opts->geonames[i], on_geonames_place, &b, err);
        if (rc < 0) goto cleanup;
    }
    if (opts->progress) opts->progress(opts->progress_ctx, b.rows_read);
    if (opts->alternates) {
        rc = gn_read_alternates(opts->alternates, on_alternate, &b, err);
        if (rc < 0) goto cleanup;
    }
    b.first_curated = b.n_places;
    if (opts->curated_dir) {
        /* the curated places, then the admin-1 areas and the airports of
         * every other country, then the continents and named regions and
         * the counties of the United States */
        static const char *const place_tables[] = { "places.tsv", "admin1.tsv", "airports.tsv", "regions.tsv",
                                                    "us-counties.tsv" };
        for (size_t t = 0; t < sizeof(place_tables) / sizeof(place_tables[0]); t++) {
            sb_reset(&path);
            sb_addf(&path, "%s/%s", opts->curated_dir, place_tables[t]);
            if (access(path.buf, F_OK) != 0) continue;
            b.regions_table = !strcmp(place_tables[t], "regions.tsv");
            rc = tsv_read(path.buf,
                          "id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox\tpolygon\tsource",
                          on_curated_place, &b, err);
            b.regions_table = 0;
            if (rc < 0) goto cleanup;
        }
        sb_reset(&path);
        sb_addf(&path, "%s/aliases.tsv", opts->curated_dir);
        if (access(path.buf, F_OK) == 0) {
            rc = tsv_read(path.buf, "target\talias\tsource", on_alias, &b, err);
            if (rc < 0) goto cleanup;
        }
        sb_reset(&path);
        sb_addf(&path, "%s/countries.tsv", opts->curated_dir);
        sb_reset(&points_path);
        sb_addf(&points_path, "%s/country-points.tsv", opts->curated_dir);
    }
    /* the user's own places (gazetteer build --places) */
    for (size_t i = 0; i < opts->n_places; i++) {
        rc = add_user_place(&b, &opts->places[i], err);
        if (rc < 0) goto cleanup;
    }
    if (opts->countries) {
        rc = add_countries(&b, opts->countries, path.len ? path.buf : NULL, points_path.len ? points_path.buf : NULL,
                           err);
        if (rc < 0) goto cleanup;
    }
    if (b.n_places == 0) {
        rc = em_error(err, EM_EINPUT, "no places: give at least one GeoNames file or curated table");
        goto cleanup;
    }
    /* admin-1 display names */
    for (size_t i = 0; i < b.n_places; i++) {
        gaz_place_rec *p = &b.places[i];
        if (!p->admin1_code) continue;
        const char *name = admin1_name(&b, b.pool.buf + p->admin1_code);
        if (name) p->admin1 = pool_str(&b, name);
    }
    if (b.pool.len > UINT32_MAX) {
        rc = em_error(err, EM_EINPUT, "the string pool is over 4 GiB: too many names for one index");
        goto cleanup;
    }
    builder_drop_lookups(&b);
    rc = write_index(&b, opts->output, stats, err);
cleanup:
    sb_release(&path);
    sb_release(&points_path);
    builder_release(&b);
    return rc;
}
