/*
 * eval_geoparse.c - `eventmap geoparse` on a public corpus of news articles
 * with gold toponyms, TR-News (../shared/eval/geoparse/README.md; Gritta,
 * Pilehvar and Collier, "A pragmatic guide to geoparsing evaluation", 2019).
 * Run by bench/eval.sh (`make eval`) in two steps around the real CLI:
 *
 *   eval_geoparse split TR-News.xml OUTDIR
 *       each article's text (the CDATA of its <text>, byte for byte) to
 *       OUTDIR/<docid>.txt, its gold toponyms to OUTDIR/<docid>.gold (TSV:
 *       start, end (code points, end exclusive), geonameid, lat, lon, the
 *       GeoNames name, phrase; geonameid to name empty for a toponym
 *       without a gaztag: it counts for span recall and precision, not
 *       for the distances) and
 *       the docids to OUTDIR/articles.  TR-News's <start>/<end> count code
 *       points; where text[start:end] is not the phrase (the corpus's own
 *       slips: 117 spans, shifted by a few characters or with a wrong end)
 *       the span is moved to the phrase's occurrence nearest to start, and
 *       the summary line says how many.
 *   eval_geoparse score OUTDIR GAZETTEER
 *       reads OUTDIR/<docid>.json, `eventmap geoparse`'s GeoJSON for each
 *       text (byte offsets, turned into code points here), and prints the
 *       span recall and precision (a found mention counts for a gold
 *       toponym when their spans overlap), the share of found spans resolved
 *       within 161 km, end-to-end accuracy@161, mean and median error and
 *       the AUC of the log error, for all gold toponyms and with the
 *       demonyms ("Turkish", "Syrians") left out.  A missing .json scores as
 *       an article where nothing was found.
 *
 * The XML scanner knows only this corpus's fixed layout (no XML library is
 * a dependency).  Exit 0, or 1 on an unreadable or malformed file.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gazetteer/gazetteer.h"
#include "geo/geo.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define ACC_KM 161.0          /* accuracy@161: 100 miles, the field's usual threshold */
#define HALF_EARTH_KM 20039.0 /* half the Earth's circumference: the largest error */
#define MAX_ANSWERS 64        /* gazetteer answers looked at for a gold phrase */

/* ------------------------------------------------------------ small tools */

/* All of path into sb (NUL-terminated).  Returns 0, or -1 with errno set. */
static int read_file(const char *path, strbuf *sb)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    for (;;) {
        sb_grow(sb, 65536);
        size_t n = fread(sb->buf + sb->len, 1, sb->alloc - sb->len - 1, f);
        sb_setlen(sb, sb->len + n);
        if (n == 0) break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        errno = EIO;
        return -1;
    }
    return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "eval_geoparse: unable to write '%s': %s\n", path, strerror(errno));
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad) fprintf(stderr, "eval_geoparse: unable to write '%s'\n", path);
    return bad ? -1 : 0;
}

/* The first needle[0..n) in hay[0..len), or NULL (memmem is a GNU
 * extension). */
static const char *mem_find(const char *hay, size_t len, const char *needle, size_t n)
{
    if (n == 0 || n > len) return NULL;
    for (const char *p = hay, *last = hay + len - n; p <= last; p++) {
        p = memchr(p, needle[0], (size_t)(last - p) + 1);
        if (!p) return NULL;
        if (!memcmp(p, needle, n)) return p;
    }
    return NULL;
}

/* The first needle in [p, end), or NULL. */
static const char *find(const char *p, const char *end, const char *needle)
{
    if (!p || p >= end) return NULL;
    return mem_find(p, (size_t)(end - p), needle, strlen(needle));
}

/* The code point index of every byte offset of text (len + 1 entries; a
 * continuation byte gets its character's index + 1).  Caller frees. */
static size_t *code_points_at(const char *text, size_t len)
{
    size_t *cp = xmalloc((len + 1) * sizeof(*cp));
    size_t n = 0;
    for (size_t b = 0; b < len; b++) {
        cp[b] = n;
        if (((unsigned char)text[b] & 0xC0) != 0x80) n++;
    }
    cp[len] = n;
    return cp;
}

/* The byte offset of every code point of text (n_cp + 1 entries, the last
 * len).  Caller frees. */
static size_t *bytes_at(const char *text, size_t len, size_t *n_cp)
{
    size_t n = 0;
    for (size_t b = 0; b < len; b++) n += ((unsigned char)text[b] & 0xC0) != 0x80;
    size_t *at = xmalloc((n + 1) * sizeof(*at));
    size_t k = 0;
    for (size_t b = 0; b < len; b++)
        if (((unsigned char)text[b] & 0xC0) != 0x80) at[k++] = b;
    at[n] = len;
    *n_cp = n;
    return at;
}

/* ------------------------------------------------------------------ split */

/* s[0..len) with the five predefined XML entities replaced, into out. */
static void xml_unescape(const char *s, size_t len, strbuf *out)
{
    static const struct { const char *ent; char ch; } ents[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' }
    };
    sb_reset(out);
    for (size_t i = 0; i < len; i++) {
        size_t k = 0, n_ents = sizeof(ents) / sizeof(ents[0]);
        if (s[i] == '&')
            for (; k < n_ents; k++) {
                size_t el = strlen(ents[k].ent);
                if (i + el <= len && !memcmp(s + i, ents[k].ent, el)) break;
            }
        if (s[i] == '&' && k < n_ents) {
            sb_addch(out, ents[k].ch);
            i += strlen(ents[k].ent) - 1;
        } else {
            sb_addch(out, s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
        }
    }
}

/* The content between open and close, the first pair in [p, end): *s and
 * *len, or -1 when there is none. */
static int element(const char *p, const char *end, const char *open, const char *close, const char **s, size_t *len)
{
    const char *a = find(p, end, open);
    if (!a) return -1;
    a += strlen(open);
    const char *b = find(a, end, close);
    if (!b) return -1;
    *s = a;
    *len = (size_t)(b - a);
    return 0;
}

/* A whole non-negative integer or a finite number in s[0..len). */
static int parse_size(const char *s, size_t len, size_t *out)
{
    char buf[32], *stop;
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    if (!isdigit((unsigned char)buf[0])) return -1;
    errno = 0;
    unsigned long long v = strtoull(buf, &stop, 10);
    if (*stop || errno) return -1;
    *out = (size_t)v;
    return 0;
}

static int parse_number(const char *s, size_t len, double *out)
{
    char buf[64], *stop;
    while (len && isspace((unsigned char)*s)) s++, len--;
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (len == 0 || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    *out = strtod(buf, &stop);
    return *stop || !isfinite(*out) ? -1 : 0;
}

typedef struct {
    size_t n_articles, n_toponyms, n_coords;
    size_t n_realigned;   /* text[start:end] was not the phrase; moved to its nearest occurrence */
    size_t n_unplaced;    /* the phrase is nowhere in the text; kept as given */
} split_stats;

/* One article's toponyms [p, end) against its text: the gold TSV into out. */
static int split_toponyms(const char *xml_path, const char *docid, const char *p, const char *end,
                          const char *text, size_t text_len, strbuf *out, split_stats *st)
{
    size_t n_cp;
    size_t *at = bytes_at(text, text_len, &n_cp);
    size_t *cp = code_points_at(text, text_len);
    strbuf phrase = STRBUF_INIT, name = STRBUF_INIT;
    int rc = -1;
    const char *t;
    while ((t = find(p, end, "<toponym>")) != NULL) {
        const char *t_end = find(t, end, "</toponym>");
        if (!t_end) {
            fprintf(stderr, "%s: article %s: a <toponym> without its end\n", xml_path, docid);
            goto cleanup;
        }
        const char *s;
        size_t len, start, stop;
        if (element(t, t_end, "<phrase>", "</phrase>", &s, &len) < 0) goto malformed;
        xml_unescape(s, len, &phrase);
        if (element(t, t_end, "<start>", "</start>", &s, &len) < 0 || parse_size(s, len, &start) < 0) goto malformed;
        if (element(t, t_end, "<end>", "</end>", &s, &len) < 0 || parse_size(s, len, &stop) < 0) goto malformed;
        int at_phrase = start < stop && stop <= n_cp && at[stop] - at[start] == phrase.len &&
                        !memcmp(text + at[start], phrase.buf, phrase.len);
        if (!at_phrase) {
            /* the occurrence of the phrase nearest to start, in code points */
            size_t best = (size_t)-1, best_gap = (size_t)-1;
            for (const char *o = mem_find(text, text_len, phrase.buf, phrase.len); o;
                 o = mem_find(o + 1, text_len - (size_t)(o + 1 - text), phrase.buf, phrase.len)) {
                size_t c = cp[o - text], gap = c > start ? c - start : start - c;
                if (gap < best_gap) best = (size_t)(o - text), best_gap = gap;
            }
            if (best != (size_t)-1) {
                start = cp[best];
                stop = cp[best + phrase.len];
                st->n_realigned++;
            } else {
                st->n_unplaced++;
            }
        }
        sb_addf(out, "%zu\t%zu\t", start, stop);
        const char *g = find(t, t_end, "<gaztag");
        const char *g_end = g ? find(g, t_end, "</gaztag>") : NULL;
        const char *id, *id_end;
        double lat, lon;
        if (g && g_end && (id = find(g, g_end, "geonameid=\"")) != NULL &&
            (id_end = memchr(id + 11, '"', (size_t)(g_end - id - 11))) != NULL &&
            element(g, g_end, "<lat>", "</lat>", &s, &len) == 0 && parse_number(s, len, &lat) == 0 &&
            element(g, g_end, "<lon>", "</lon>", &s, &len) == 0 && parse_number(s, len, &lon) == 0) {
            sb_add(out, id + 11, (size_t)(id_end - id - 11));
            sb_addf(out, "\t%.6f\t%.6f\t", lat, lon);
            if (element(g, g_end, "<name>", "</name>", &s, &len) == 0) {
                xml_unescape(s, len, &name);
                sb_add(out, name.buf, name.len);
            }
            sb_addch(out, '\t');
            st->n_coords++;
        } else {
            sb_adds(out, "\t\t\t\t");
        }
        sb_add(out, phrase.buf, phrase.len);
        sb_addch(out, '\n');
        st->n_toponyms++;
        p = t_end;
    }
    rc = 0;
    goto cleanup;
malformed:
    fprintf(stderr, "%s: article %s: a <toponym> without phrase, start or end\n", xml_path, docid);
cleanup:
    sb_release(&phrase);
    sb_release(&name);
    free(at);
    free(cp);
    return rc;
}

static int cmd_split(const char *xml_path, const char *dir)
{
    strbuf xml = STRBUF_INIT, path = STRBUF_INIT, gold = STRBUF_INIT, list = STRBUF_INIT, docid = STRBUF_INIT;
    split_stats st = { 0 };
    int rc = 1;
    if (read_file(xml_path, &xml) < 0) {
        fprintf(stderr, "eval_geoparse: unable to read '%s': %s\n", xml_path, strerror(errno));
        goto cleanup;
    }
    const char *p = xml.buf, *end = xml.buf + xml.len, *a;
    while ((a = find(p, end, "<article ")) != NULL) {
        const char *a_end = find(a, end, "</article>");
        const char *id = find(a, a_end, "docid=\"");
        const char *id_end = id ? memchr(id + 7, '"', (size_t)(a_end - id - 7)) : NULL;
        const char *text;
        size_t text_len;
        if (!a_end || !id_end || id_end == id + 7 ||
            element(a, a_end, "<text><![CDATA[", "]]>", &text, &text_len) < 0) {
            fprintf(stderr, "%s: article %zu: no docid, <text><![CDATA[...]]> or </article>\n", xml_path,
                    st.n_articles + 1);
            goto cleanup;
        }
        sb_reset(&docid);
        sb_add(&docid, id + 7, (size_t)(id_end - id - 7));
        for (size_t i = 0; i < docid.len; i++) {
            if (!isalnum((unsigned char)docid.buf[i]) && docid.buf[i] != '-' && docid.buf[i] != '_') {
                fprintf(stderr, "%s: docid \"%s\" is not a file name\n", xml_path, docid.buf);
                goto cleanup;
            }
        }
        sb_reset(&path);
        sb_addf(&path, "%s/%s.txt", dir, docid.buf);
        if (write_file(path.buf, text, text_len) < 0) goto cleanup;
        sb_reset(&gold);
        if (split_toponyms(xml_path, docid.buf, text + text_len, a_end, text, text_len, &gold, &st) < 0)
            goto cleanup;
        sb_reset(&path);
        sb_addf(&path, "%s/%s.gold", dir, docid.buf);
        if (write_file(path.buf, gold.buf, gold.len) < 0) goto cleanup;
        sb_addf(&list, "%s\n", docid.buf);
        st.n_articles++;
        p = a_end;
    }
    sb_reset(&path);
    sb_addf(&path, "%s/articles", dir);
    if (write_file(path.buf, list.buf, list.len) < 0) goto cleanup;
    printf("%s: %zu articles, %zu gold toponyms (%zu with a GeoNames point); spans in code points; %zu not at their"
           " phrase moved to its nearest occurrence, %zu whose phrase is not in the text kept as given\n",
           xml_path, st.n_articles, st.n_toponyms, st.n_coords, st.n_realigned, st.n_unplaced);
    rc = st.n_articles ? 0 : 1;
    if (!st.n_articles) fprintf(stderr, "%s: no <article> found\n", xml_path);
cleanup:
    sb_release(&xml);
    sb_release(&path);
    sb_release(&gold);
    sb_release(&list);
    sb_release(&docid);
    return rc;
}

/* ------------------------------------------------------------------ score */

typedef struct {
    size_t start, end;    /* code points, end exclusive */
    char *geonameid;      /* "" when the corpus gives none */
    int has_point;
    geo_point point;
    char *name;           /* the corpus's GeoNames name of the place, "" when none */
    char *phrase;
    int demonym;          /* by is_demonym */
    int hit;              /* a found mention overlaps it */
    geo_point got;        /* the first overlapping mention's point */
    int got_point;        /* ... when it has one: an unresolved mention is wrong by half the Earth */
} gold_toponym;

typedef struct {
    size_t start, end;    /* code points, end exclusive */
    int has_point;        /* geometry null: a mention reported unresolved ("match": "none") */
    geo_point point;
    int kind_demonym;     /* the geoparser says "kind": "demonym" */
    int hit_name;         /* overlaps a gold toponym that is not a demonym */
    int hit_demonym;      /* overlaps a gold demonym */
} found_mention;

typedef struct {
    const char *label;
    size_t n_gold, n_coords, n_found, gold_hit, found_hit, resolved, within;
    double *err_km;       /* one per resolved gold toponym */
    size_t n_err, alloc_err;
} score_column;

/* Whether every word of the phrase is a word of the place's own GeoNames
 * name, case and accents aside ("Sichuan" of Sichuan, "South Pacific" of
 * South Pacific Ocean; not "Turkish" of Turkey). */
static int words_of_name(const gold_toponym *t)
{
    strbuf phrase = STRBUF_INIT, name = STRBUF_INIT;
    int all = 0;
    if (*t->name && gaz_fold(t->phrase, strlen(t->phrase), &phrase) == 0 &&
        gaz_fold(t->name, strlen(t->name), &name) == 0 && phrase.len) {
        all = 1;
        for (const char *w = phrase.buf; all && *w;) {
            size_t wl = strcspn(w, " ");
            int found = 0;
            for (const char *v = name.buf; !found && *v;) {
                size_t vl = strcspn(v, " ");
                found = vl == wl && !memcmp(v, w, wl);
                v += vl + (v[vl] == ' ');
            }
            all = found;
            w += wl + (w[wl] == ' ');
        }
    }
    sb_release(&phrase);
    sb_release(&name);
    return all;
}

/* Whether our gazetteer knows the phrase as a name (exact, alias or
 * region match) of the gold place: an answer with its GeoNames id, one
 * within ACC_KM of its point, or an area whose box holds it. */
static int gazetteer_name_of(const gaz *g, const gold_toponym *t)
{
    gaz_result res[MAX_ANSWERS];
    char want[64];
    snprintf(want, sizeof(want), "geonames:%s", t->geonameid);
    int n = gaz_resolve(g, t->phrase, NULL, res, MAX_ANSWERS, NULL);
    for (int i = 0; i < n; i++) {
        if (res[i].match == GAZ_MATCH_FUZZY) continue;
        if (!strcmp(res[i].id, want)) return 1;
        geo_point p = { res[i].lat_deg, res[i].lon_deg };
        if (geo_distance_km(p, t->point) <= ACC_KM) return 1;
        const geo_bbox *b = &res[i].bbox;
        if (res[i].has_bbox && t->point.lat_deg >= b->south_deg && t->point.lat_deg <= b->north_deg &&
            (b->west_deg <= b->east_deg
                 ? t->point.lon_deg >= b->west_deg && t->point.lon_deg <= b->east_deg
                 : t->point.lon_deg >= b->west_deg || t->point.lon_deg <= b->east_deg))
            return 1;
    }
    return 0;
}

/* Whether phrase is shaped like an English demonym or people noun: one
 * word ending as they do (Turkish, Syrian, European, Chinese, Iraqi,
 * Arabic, Dutch; a plural s aside), after compass words ("South
 * African", "South East Asian"). */
static int demonym_shaped(const char *phrase)
{
    static const char *const compass[] = { "north", "south", "east", "west", "northern", "southern", "eastern",
                                           "western", "central" };
    static const char *const suffixes[] = { "ish", "ian", "ean", "an", "ese", "i", "ic", "ch" };
    char word[64];
    const char *w = phrase;
    for (;;) {
        size_t len = 0;
        while (isalpha((unsigned char)w[len])) len++;
        if (len < 3 || len >= sizeof(word)) return 0;
        for (size_t i = 0; i < len; i++) word[i] = (char)tolower((unsigned char)w[i]);
        word[len] = 0;
        if (w[len] == 0) {
            for (int plural = 0; plural < 2; plural++) {
                if (plural) {
                    if (word[len - 1] != 's') break;
                    word[--len] = 0;
                }
                for (size_t k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
                    size_t sl = strlen(suffixes[k]);
                    if (len > sl && !strcmp(word + len - sl, suffixes[k])) return 1;
                }
            }
            return 0;
        }
        size_t k = 0, n_compass = sizeof(compass) / sizeof(compass[0]);
        while (k < n_compass && strcmp(word, compass[k])) k++;
        if (k == n_compass || (w[len] != ' ' && w[len] != '-')) return 0;
        w += len + 1;
    }
}

/* A gold toponym is a demonym when its phrase is no name of its place (not
 * words of its GeoNames name, not a name our gazetteer gives it) and is
 * shaped like a demonym.  Without a GeoNames point the shape decides. */
static int is_demonym(const gaz *g, const gold_toponym *t)
{
    if (t->has_point && (words_of_name(t) || gazetteer_name_of(g, t))) return 0;
    return demonym_shaped(t->phrase);
}

static void gold_free(gold_toponym *gs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(gs[i].geonameid);
        free(gs[i].name);
        free(gs[i].phrase);
    }
    free(gs);
}

/* The gold TSV of one article: *out (caller frees with gold_free) and
 * *n_out.  Returns 0, or -1 after printing what is wrong. */
static int read_gold(const char *path, gold_toponym **out, size_t *n_out)
{
    strbuf sb = STRBUF_INIT;
    if (read_file(path, &sb) < 0) {
        fprintf(stderr, "eval_geoparse: unable to read '%s': %s\n", path, strerror(errno));
        sb_release(&sb);
        return -1;
    }
    gold_toponym *gs = NULL;
    size_t n = 0, alloc = 0, line = 0;
    int rc = 0;
    for (char *p = sb.buf, *nl; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        line++;
        if (!nl) {
            fprintf(stderr, "%s:%zu: the last line has no line end\n", path, line);
            rc = -1;
            break;
        }
        *nl = 0;
        char *f[7];
        size_t k = 0;
        for (char *q = p; k < 7; k++) {
            f[k] = q;
            char *tab = strchr(q, '\t');
            if (!tab) break;
            *tab = 0;
            q = tab + 1;
        }
        if (k != 6) {
            fprintf(stderr, "%s:%zu: not 7 tab-separated fields\n", path, line);
            rc = -1;
            break;
        }
        ALLOC_GROW(gs, n + 1, alloc);
        gold_toponym *t = &gs[n++];
        memset(t, 0, sizeof(*t));
        t->start = strtoull(f[0], NULL, 10);
        t->end = strtoull(f[1], NULL, 10);
        t->geonameid = xmalloc(strlen(f[2]) + 1);
        memcpy(t->geonameid, f[2], strlen(f[2]) + 1);
        t->name = xmalloc(strlen(f[5]) + 1);
        memcpy(t->name, f[5], strlen(f[5]) + 1);
        t->phrase = xmalloc(strlen(f[6]) + 1);
        memcpy(t->phrase, f[6], strlen(f[6]) + 1);
        t->has_point = *f[3] && *f[4];
        if (t->has_point) t->point = (geo_point){ strtod(f[3], NULL), strtod(f[4], NULL) };
    }
    sb_release(&sb);
    if (rc < 0) {
        gold_free(gs, n);
        gs = NULL;
        n = 0;
    }
    *out = gs;
    *n_out = n;
    return rc;
}

/* The found mentions of one article from geoparse's GeoJSON; byte offsets
 * into text turned into code points.  A missing file: none, *missing 1. */
static int read_found(const char *path, const char *text, size_t text_len, found_mention **out, size_t *n_out,
                      int *missing)
{
    strbuf sb = STRBUF_INIT;
    *out = NULL;
    *n_out = 0;
    *missing = 0;
    if (read_file(path, &sb) < 0) {
        sb_release(&sb);
        if (errno == ENOENT) {
            *missing = 1;
            return 0;
        }
        fprintf(stderr, "eval_geoparse: unable to read '%s': %s\n", path, strerror(errno));
        return -1;
    }
    const char *stop = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(sb.buf, sb.len, &stop, 0);
    if (!root) {
        fprintf(stderr, "%s: not JSON (at byte %zu)\n", path, stop ? (size_t)(stop - sb.buf) : 0);
        sb_release(&sb);
        return -1;
    }
    size_t *cp = code_points_at(text, text_len);
    found_mention *ms = NULL;
    size_t n = 0, alloc = 0;
    int rc = 0;
    const cJSON *features = cJSON_GetObjectItemCaseSensitive(root, "features"), *f;
    cJSON_ArrayForEach(f, features) {
        const cJSON *props = cJSON_GetObjectItemCaseSensitive(f, "properties");
        const cJSON *coords = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f, "geometry"),
                                                               "coordinates");
        const cJSON *start = cJSON_GetObjectItemCaseSensitive(props, "start");
        const cJSON *end = cJSON_GetObjectItemCaseSensitive(props, "end");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(props, "kind");
        const cJSON *geometry = cJSON_GetObjectItemCaseSensitive(f, "geometry");
        int unresolved = cJSON_IsNull(geometry);
        if (!cJSON_IsNumber(start) || !cJSON_IsNumber(end) || (!unresolved && cJSON_GetArraySize(coords) < 2) ||
            start->valuedouble < 0 || end->valuedouble < start->valuedouble ||
            end->valuedouble > (double)text_len) {
            fprintf(stderr, "%s: a feature without start, end (bytes in the text) or coordinates (or null geometry)\n", path);
            rc = -1;
            break;
        }
        ALLOC_GROW(ms, n + 1, alloc);
        found_mention *m = &ms[n++];
        memset(m, 0, sizeof(*m));
        m->start = cp[(size_t)start->valuedouble];
        m->end = cp[(size_t)end->valuedouble];
        m->has_point = !unresolved;
        if (m->has_point) {
            m->point.lon_deg = cJSON_GetArrayItem(coords, 0)->valuedouble;
            m->point.lat_deg = cJSON_GetArrayItem(coords, 1)->valuedouble;
        }
        m->kind_demonym = cJSON_IsString(kind) && !strcmp(kind->valuestring, "demonym");
    }
    free(cp);
    cJSON_Delete(root);
    sb_release(&sb);
    *out = ms;
    *n_out = n;
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void pct(char *out, size_t size, size_t num, size_t den)
{
    if (den) snprintf(out, size, "%5.1f%% (%zu/%zu)", 100.0 * (double)num / (double)den, num, den);
    else snprintf(out, size, "n/a");
}

/* Gritta et al.'s AUC: the area under the curve of the sorted errors
 * ln(1 + km), by the trapezoid rule with unit steps, over the largest
 * possible area (n - 1) * ln(20039); 0 is perfect, 1 all antipodal. */
static double auc_log_error(const double *sorted_km, size_t n)
{
    if (n < 2) return NAN;
    double area = 0;
    for (size_t i = 0; i + 1 < n; i++) area += (log1p(sorted_km[i]) + log1p(sorted_km[i + 1])) / 2;
    return area / ((double)(n - 1) * log(HALF_EARTH_KM));
}

static void print_columns(score_column *c, size_t n_cols)
{
    char cell[64];
    for (size_t k = 0; k < n_cols; k++) qsort(c[k].err_km, c[k].n_err, sizeof(double), cmp_double);
    printf("  %-38s", "");
    for (size_t k = 0; k < n_cols; k++) printf(k + 1 < n_cols ? "  %-22s" : "  %s", c[k].label);
    putchar('\n');
#define ROW(title, ...)                                        \
    do {                                                       \
        printf("  %-38s", title);                              \
        for (size_t k = 0; k < n_cols; k++) {                  \
            __VA_ARGS__;                                       \
            printf(k + 1 < n_cols ? "  %-22s" : "  %s", cell); \
        }                                                      \
        putchar('\n');                                         \
    } while (0)
    ROW("gold toponyms", snprintf(cell, sizeof(cell), "%zu", c[k].n_gold));
    ROW("  with a GeoNames point", snprintf(cell, sizeof(cell), "%zu", c[k].n_coords));
    ROW("found mentions", snprintf(cell, sizeof(cell), "%zu", c[k].n_found));
    ROW("span recall", pct(cell, sizeof(cell), c[k].gold_hit, c[k].n_gold));
    ROW("span precision", pct(cell, sizeof(cell), c[k].found_hit, c[k].n_found));
    ROW("found spans resolved within 161 km", pct(cell, sizeof(cell), c[k].within, c[k].resolved));
    ROW("end-to-end acc@161", pct(cell, sizeof(cell), c[k].within, c[k].n_coords));
    ROW("mean error (found spans)", {
        double sum = 0;
        for (size_t i = 0; i < c[k].n_err; i++) sum += c[k].err_km[i];
        if (c[k].n_err) snprintf(cell, sizeof(cell), "%.0f km", sum / (double)c[k].n_err);
        else snprintf(cell, sizeof(cell), "n/a");
    });
    ROW("median error (found spans)", {
        size_t n = c[k].n_err;
        if (n) snprintf(cell, sizeof(cell), "%.0f km", n % 2 ? c[k].err_km[n / 2]
                                                          : (c[k].err_km[n / 2 - 1] + c[k].err_km[n / 2]) / 2);
        else snprintf(cell, sizeof(cell), "n/a");
    });
    ROW("AUC of log error (found spans)", {
        double auc = auc_log_error(c[k].err_km, c[k].n_err);
        if (isnan(auc)) snprintf(cell, sizeof(cell), "n/a");
        else snprintf(cell, sizeof(cell), "%.3f", auc);
    });
#undef ROW
}

typedef struct {
    const char *phrase;
    size_t n;
} phrase_count;

static int cmp_phrase(const void *a, const void *b)
{
    return strcmp(((const phrase_count *)a)->phrase, ((const phrase_count *)b)->phrase);
}

static int cmp_count_desc(const void *a, const void *b)
{
    const phrase_count *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n ? 1 : -1) : strcmp(x->phrase, y->phrase);
}

static int cmd_score(const char *dir, const char *gazetteer)
{
    int rc = 1;
    gaz *g = NULL;
    char *err = NULL;
    strbuf list = STRBUF_INIT, path = STRBUF_INIT, text = STRBUF_INIT;
    score_column col[2] = { { .label = "all toponyms" }, { .label = "demonyms left out" } };
    gold_toponym *all_gold = NULL; /* kept for the demonym list */
    size_t n_all_gold = 0, alloc_all_gold = 0, n_articles = 0, n_missing = 0, n_kind_demonym = 0;
    phrase_count *dem = NULL;

    if (gaz_open(gazetteer, &g, &err) < 0) {
        fprintf(stderr, "eval_geoparse: %s\n", err);
        goto cleanup;
    }
    sb_addf(&path, "%s/articles", dir);
    if (read_file(path.buf, &list) < 0) {
        fprintf(stderr, "eval_geoparse: unable to read '%s': %s\n", path.buf, strerror(errno));
        goto cleanup;
    }
    for (char *docid = list.buf, *nl; *docid; docid = nl + 1) {
        nl = strchr(docid, '\n');
        if (!nl) break;
        *nl = 0;
        gold_toponym *gs;
        found_mention *ms;
        size_t n_gs, n_ms;
        int missing;
        sb_reset(&path);
        sb_addf(&path, "%s/%s.txt", dir, docid);
        sb_reset(&text);
        if (read_file(path.buf, &text) < 0) {
            fprintf(stderr, "eval_geoparse: unable to read '%s': %s\n", path.buf, strerror(errno));
            goto cleanup;
        }
        sb_reset(&path);
        sb_addf(&path, "%s/%s.gold", dir, docid);
        if (read_gold(path.buf, &gs, &n_gs) < 0) goto cleanup;
        sb_reset(&path);
        sb_addf(&path, "%s/%s.json", dir, docid);
        if (read_found(path.buf, text.buf, text.len, &ms, &n_ms, &missing) < 0) {
            gold_free(gs, n_gs);
            goto cleanup;
        }
        n_articles++;
        n_missing += missing;

        for (size_t i = 0; i < n_gs; i++) {
            gold_toponym *t = &gs[i];
            t->demonym = is_demonym(g, t);
            for (size_t j = 0; j < n_ms; j++) {
                found_mention *m = &ms[j];
                if (m->start < t->end && t->start < m->end) {
                    if (!t->hit) {
                        t->got = m->point;
                        t->got_point = m->has_point;
                    }
                    t->hit = 1;
                    if (t->demonym) m->hit_demonym = 1;
                    else m->hit_name = 1;
                }
            }
            for (int k = 0; k < 2; k++) {
                score_column *c = &col[k];
                if (k == 1 && t->demonym) continue;
                c->n_gold++;
                c->gold_hit += t->hit;
                if (!t->has_point) continue;
                c->n_coords++;
                if (!t->hit) continue;
                double km = t->got_point ? geo_distance_km(t->got, t->point) : HALF_EARTH_KM;
                c->resolved++;
                c->within += km <= ACC_KM;
                ALLOC_GROW(c->err_km, c->n_err + 1, c->alloc_err);
                c->err_km[c->n_err++] = km;
            }
        }
        for (size_t j = 0; j < n_ms; j++) {
            const found_mention *m = &ms[j];
            n_kind_demonym += m->kind_demonym;
            col[0].n_found++;
            col[0].found_hit += m->hit_name || m->hit_demonym;
            /* left out: the mentions the geoparser calls demonyms and those
             * that overlap only gold demonyms */
            if (m->kind_demonym || (m->hit_demonym && !m->hit_name)) continue;
            col[1].n_found++;
            col[1].found_hit += m->hit_name;
        }
        ALLOC_GROW(all_gold, n_all_gold + n_gs, alloc_all_gold);
        memcpy(all_gold + n_all_gold, gs, n_gs * sizeof(*gs));
        n_all_gold += n_gs;
        free(gs);
        free(ms);
    }

    printf("TR-News (%zu articles, %zu gold toponyms)\n", n_articles, col[0].n_gold);
    if (n_missing) printf("  articles without geoparse output (scored as finding nothing): %zu\n", n_missing);
    print_columns(col, 2);

    /* the demonyms the rule found, most frequent first */
    size_t n_dem = 0, n_distinct = 0;
    dem = xcalloc(n_all_gold + 1, sizeof(*dem));
    for (size_t i = 0; i < n_all_gold; i++)
        if (all_gold[i].demonym) dem[n_dem++] = (phrase_count){ all_gold[i].phrase, 1 };
    qsort(dem, n_dem, sizeof(*dem), cmp_phrase);
    for (size_t i = 0; i < n_dem; i++) {
        if (n_distinct && !strcmp(dem[n_distinct - 1].phrase, dem[i].phrase)) dem[n_distinct - 1].n++;
        else dem[n_distinct++] = dem[i];
    }
    qsort(dem, n_distinct, sizeof(*dem), cmp_count_desc);
    printf("  demonyms (gold phrases that are no name of their place and are shaped as demonyms): %zu, "
           "%zu distinct:", n_dem, n_distinct);
    for (size_t i = 0; i < n_distinct && i < 12; i++) printf("%s %s %zu", i ? "," : "", dem[i].phrase, dem[i].n);
    printf("%s\n", n_distinct > 12 ? ", ..." : "");
    if (n_kind_demonym) printf("  found mentions the geoparser marks \"kind\": \"demonym\": %zu\n", n_kind_demonym);
    rc = 0;
cleanup:
    gold_free(all_gold, n_all_gold);
    free(dem);
    free(col[0].err_km);
    free(col[1].err_km);
    free(err);
    gaz_close(g);
    sb_release(&list);
    sb_release(&path);
    sb_release(&text);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "split")) return cmd_split(argv[2], argv[3]);
    if (argc == 4 && !strcmp(argv[1], "score")) return cmd_score(argv[2], argv[3]);
    fprintf(stderr, "usage: eval_geoparse split TR-News.xml OUTDIR\n"
                    "       eval_geoparse score OUTDIR GAZETTEER\n");
    return 2;
}
