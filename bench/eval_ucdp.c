/*
 * eval_ucdp.c - geocoding of a real event table, scored against UCDP GED's
 * own coordinates (../shared/eval/ucdp/README.md).  Run by bench/eval.sh
 * (`make eval`) in two steps around the real CLI:
 *
 *   eval_ucdp plain UCDP.csv > PLAIN.csv
 *       the table a spreadsheet user would have, without coordinates:
 *       id,event_date,event_type,location,admin1,admin2,country from UCDP's
 *       id, date_start, type_of_violence (as text), where_coordinates, adm_1,
 *       adm_2 and country, values verbatim ("NA" included)
 *   eval_ucdp score UCDP.csv EXPORT.csv [GAZETTEER]
 *       `eventmap export --format csv` of that table's import, matched back
 *       to UCDP's rows by id: per where_prec 1-4 (tolerance 10, 25, 50,
 *       100 km) the rows within tolerance, the false placements (beyond it
 *       at geo_precision 1 or 2), the located rows and those beyond 500 km,
 *       for Syria and the rest; then confidence against the share within
 *       tolerance; with GAZETTEER (the index the import used), also the
 *       located rows that lie outside the country their row names, by the
 *       index's own country polygons (Natural Earth 1:50m), beside UCDP's
 *       own points (the borders' own error)
 *
 * Both files are read with the library's RFC 4180 reader (UCDP's text
 * fields hold quoted line breaks), distances are geo_distance_km.  Exit 0,
 * or 1 on an unreadable or malformed file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events/events_int.h"
#include "gazetteer/gazetteer.h"
#include "geo/geo.h"
#include "util/strbuf.h"
#include "util/banned.h"

#define N_PREC 4           /* where_prec 1..4 are scored */
#define FAR_KM 500.0       /* "beyond 500 km": a point in the wrong region, often the wrong country */

static const double tolerance_km[N_PREC] = { 10, 25, 50, 100 };

/* ------------------------------------------------------------ CSV tables */

/* Columns picked by header name from a CSV file: each record's picked
 * fields, in the order asked for, handed to a callback. */
typedef int (*row_fn)(void *ctx, char **picked, size_t line);

/* Read path, find each of names[0..n_names) in its header, and call on_row
 * with the picked fields (borrowed, valid during the call) of every record.
 * Returns 0, or -1 after printing "PATH[:LINE]: what" to stderr. */
static int read_table(const char *path, const char *const *names, size_t n_names, row_fn on_row, void *ctx)
{
    int rc = -1;
    FILE *in = fopen(path, "rb");
    if (!in) {
        perror(path);
        return -1;
    }
    ev_csv *csv = ev_csv_new(in);
    size_t *col = xcalloc(n_names, sizeof(*col));
    char **picked = xcalloc(n_names, sizeof(*picked));
    char **fields;
    size_t n_fields, line, n_header = 0;
    const char *why;
    int got = ev_csv_next(csv, &fields, &n_fields, &line, &why);
    if (got != 1) {
        fprintf(stderr, "%s:%zu: %s\n", path, line, got == 0 ? "empty file" : why);
        goto cleanup;
    }
    n_header = n_fields;
    for (size_t k = 0; k < n_names; k++) {
        col[k] = n_fields;
        for (size_t i = 0; i < n_fields; i++)
            if (!strcmp(fields[i], names[k])) col[k] = i;
        if (col[k] == n_fields) {
            fprintf(stderr, "%s: no column \"%s\"\n", path, names[k]);
            goto cleanup;
        }
    }
    while ((got = ev_csv_next(csv, &fields, &n_fields, &line, &why)) == 1) {
        if (n_fields != n_header) {
            fprintf(stderr, "%s:%zu: %zu fields, the header has %zu\n", path, line, n_fields, n_header);
            goto cleanup;
        }
        for (size_t k = 0; k < n_names; k++) picked[k] = fields[col[k]];
        if (on_row(ctx, picked, line) < 0) goto cleanup;
    }
    if (got < 0) {
        fprintf(stderr, "%s:%zu: %s\n", path, line, why);
        goto cleanup;
    }
    rc = 0;
cleanup:
    free(picked);
    free(col);
    ev_csv_free(csv);
    fclose(in);
    return rc;
}

/* A number in all of s; -1 when s is not one. */
static int parse_double(const char *s, double *out)
{
    char *end;
    if (!*s) return -1;
    *out = strtod(s, &end);
    return *end || !isfinite(*out) ? -1 : 0;
}

/* ------------------------------------------------------------ plain table */

/* s as one CSV field: quoted when it holds a comma, quote or line break, or
 * starts or ends with a space or tab (which the reader would trim). */
static void put_field(const char *s, int last)
{
    size_t len = strlen(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL ||
                (len && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t'));
    if (!quote) {
        fputs(s, stdout);
    } else {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"') putchar('"');
            putchar(*s);
        }
        putchar('"');
    }
    putchar(last ? '\n' : ',');
}

static const char *violence_text(const char *type_of_violence)
{
    if (!strcmp(type_of_violence, "1")) return "State-based";
    if (!strcmp(type_of_violence, "2")) return "Non-state";
    if (!strcmp(type_of_violence, "3")) return "One-sided";
    return type_of_violence;
}

static const char *const plain_columns[] = { "id", "date_start", "type_of_violence", "where_coordinates",
                                             "adm_1", "adm_2", "country" };
#define N_PLAIN (sizeof(plain_columns) / sizeof(plain_columns[0]))

static int plain_row(void *ctx, char **f, size_t line)
{
    for (size_t k = 0; k < N_PLAIN; k++) put_field(k == 2 ? violence_text(f[k]) : f[k], k + 1 == N_PLAIN);
    return 0;
}

static int cmd_plain(const char *ucdp_path)
{
    fputs("id,event_date,event_type,location,admin1,admin2,country\n", stdout);
    if (read_table(ucdp_path, plain_columns, N_PLAIN, plain_row, NULL) < 0) return 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("eval_ucdp: writing the plain table");
        return 1;
    }
    return 0;
}

/* ----------------------------------------------------------------- score */

typedef struct {
    char *id;
    char *country;          /* as UCDP writes it */
    int where_prec;         /* UCDP's 1..7 */
    int syria;              /* country is "Syria" */
    geo_point truth;        /* UCDP's latitude/longitude */
    int exported;           /* found in the export */
    int located;
    geo_point got;
    int geo_precision;      /* the export's, 0 when unlocated */
    double confidence;      /* the export's, 0..1 */
    int level;              /* LEVEL_*, from the export's match */
} eval_row;

/* Where the geocoder put a row: at a place, or at an area the row names. */
enum { LEVEL_PLACE, LEVEL_DISTRICT, LEVEL_ADMIN1, LEVEL_COUNTRY, N_LEVELS };
static const char *const level_label[N_LEVELS] = { "place", "admin2 or admin3", "admin1", "country" };

static int level_of(const char *match)
{
    if (!strcmp(match, "admin2") || !strcmp(match, "admin3")) return LEVEL_DISTRICT;
    if (!strcmp(match, "admin1")) return LEVEL_ADMIN1;
    if (!strcmp(match, "country")) return LEVEL_COUNTRY;
    return LEVEL_PLACE;
}

typedef struct {
    eval_row *rows;
    size_t n, alloc;
    const char *path;
    size_t n_unknown;       /* exported rows with an id UCDP's table lacks */
} eval_set;

static int cmp_row_id(const void *a, const void *b)
{
    return strcmp(((const eval_row *)a)->id, ((const eval_row *)b)->id);
}

static const char *const truth_columns[] = { "id", "where_prec", "country", "latitude", "longitude" };

static int truth_row(void *ctx, char **f, size_t line)
{
    eval_set *set = ctx;
    double prec;
    ALLOC_GROW(set->rows, set->n + 1, set->alloc);
    eval_row *r = &set->rows[set->n];
    memset(r, 0, sizeof(*r));
    if (parse_double(f[1], &prec) < 0 || parse_double(f[3], &r->truth.lat_deg) < 0 ||
        parse_double(f[4], &r->truth.lon_deg) < 0) {
        fprintf(stderr, "%s:%zu: where_prec, latitude or longitude is not a number\n", set->path, line);
        return -1;
    }
    r->id = xstrdup(f[0]);
    r->country = xstrdup(f[2]);
    r->where_prec = (int)prec;
    r->syria = !strcmp(f[2], "Syria");
    set->n++;
    return 0;
}

static const char *const export_columns[] = { "id", "latitude", "longitude", "geo_precision", "confidence",
                                              "match" };

static int export_row(void *ctx, char **f, size_t line)
{
    eval_set *set = ctx;
    eval_row key = { .id = f[0] };
    eval_row *r = bsearch(&key, set->rows, set->n, sizeof(*r), cmp_row_id);
    if (!r) {
        set->n_unknown++;
        return 0;
    }
    double prec = 0;
    r->exported = 1;
    r->located = *f[1] && *f[2];
    if (r->located && (parse_double(f[1], &r->got.lat_deg) < 0 || parse_double(f[2], &r->got.lon_deg) < 0)) {
        fprintf(stderr, "%s:%zu: latitude or longitude is not a number\n", set->path, line);
        return -1;
    }
    if ((*f[3] && parse_double(f[3], &prec) < 0) || (*f[4] && parse_double(f[4], &r->confidence) < 0)) {
        fprintf(stderr, "%s:%zu: geo_precision or confidence is not a number\n", set->path, line);
        return -1;
    }
    r->geo_precision = (int)prec;
    r->level = level_of(f[5]);
    return 0;
}

typedef struct {
    size_t rows, within, false_placed, located, far;
} tally;

static void tally_add(tally *t, const tally *u)
{
    t->rows += u->rows;
    t->within += u->within;
    t->false_placed += u->false_placed;
    t->located += u->located;
    t->far += u->far;
}

/* "    12   (9.5%)": a count and its share of rows, 15 columns. */
static void put_share(size_t count, size_t rows)
{
    char pct[16];
    snprintf(pct, sizeof(pct), "(%.1f%%)", rows ? 100.0 * (double)count / (double)rows : 0.0);
    printf(" %5zu %8s", count, pct);
}

static void put_tally_line(const char *label, const char *tolerance, const tally *t)
{
    printf("  %-11s %-10s %5zu", label, tolerance, t->rows);
    put_share(t->within, t->rows);
    put_share(t->false_placed, t->rows);
    put_share(t->located, t->rows);
    printf(" %14zu\n", t->far);
}

/* The per-where_prec table of one group (Syria or the rest). */
static void print_group(const eval_set *set, int syria, const char *title)
{
    tally by_prec[N_PREC], total;
    size_t unscored = 0;
    memset(by_prec, 0, sizeof(by_prec));
    memset(&total, 0, sizeof(total));
    for (size_t i = 0; i < set->n; i++) {
        const eval_row *r = &set->rows[i];
        if (r->syria != syria) continue;
        if (r->where_prec < 1 || r->where_prec > N_PREC) {
            unscored++;
            continue;
        }
        tally *t = &by_prec[r->where_prec - 1];
        t->rows++;
        if (!r->located) continue;
        double d_km = geo_distance_km(r->got, r->truth);
        t->located++;
        if (d_km <= tolerance_km[r->where_prec - 1]) t->within++;
        else if (r->geo_precision == EV_GEO_EXACT || r->geo_precision == EV_GEO_NEAR) t->false_placed++;
        if (d_km > FAR_KM) t->far++;
    }
    printf("%s: %zu rows scored, %zu not (where_prec 5-7)\n", title, by_prec[0].rows + by_prec[1].rows +
           by_prec[2].rows + by_prec[3].rows, unscored);
    printf("  %-11s %-10s %5s %15s %15s %15s %14s\n", "where_prec", "tolerance", "rows", "within",
           "false placed", "located", "beyond 500 km");
    for (int p = 0; p < N_PREC; p++) {
        char label[8], tolerance[16];
        snprintf(label, sizeof(label), "%d", p + 1);
        snprintf(tolerance, sizeof(tolerance), "%.0f km", tolerance_km[p]);
        put_tally_line(label, tolerance, &by_prec[p]);
        tally_add(&total, &by_prec[p]);
    }
    put_tally_line("total", "", &total);
}

/* Confidence against the share within tolerance, over the located scored
 * rows of both groups, in tenths; then by the level the row was placed at,
 * with the mean confidence given there. */
static void print_reliability(const eval_set *set)
{
    enum { N_BINS = 10 };
    size_t rows[N_BINS] = { 0 }, within[N_BINS] = { 0 };
    size_t level_rows[N_LEVELS] = { 0 }, level_within[N_LEVELS] = { 0 };
    double level_confidence[N_LEVELS] = { 0 };
    size_t unlocated = 0;
    for (size_t i = 0; i < set->n; i++) {
        const eval_row *r = &set->rows[i];
        if (r->where_prec < 1 || r->where_prec > N_PREC) continue;
        if (!r->located) {
            unlocated++;
            continue;
        }
        int ok = geo_distance_km(r->got, r->truth) <= tolerance_km[r->where_prec - 1];
        int bin = (int)floor(r->confidence * 10.0 + 1e-9);
        if (bin < 0) bin = 0;
        if (bin >= N_BINS) bin = N_BINS - 1;
        rows[bin]++;
        within[bin] += ok;
        level_rows[r->level]++;
        level_within[r->level] += ok;
        level_confidence[r->level] += r->confidence;
    }
    printf("reliability: the exported confidence against the share within tolerance (located rows, where_prec 1-4)\n");
    printf("  %-22s %5s %15s\n", "confidence", "rows", "within");
    for (int b = 0; b < N_BINS; b++) {
        char label[32];
        snprintf(label, sizeof(label), b == N_BINS - 1 ? "[%.1f, %.1f]" : "[%.1f, %.1f)", b / 10.0, (b + 1) / 10.0);
        printf("  %-22s %5zu", label, rows[b]);
        put_share(within[b], rows[b]);
        putchar('\n');
    }
    printf("  %-22s %5zu\n", "not located", unlocated);
    printf("  %-22s %5s %15s  %s\n", "placed at", "rows", "within", "mean confidence");
    for (int l = 0; l < N_LEVELS; l++) {
        printf("  %-22s %5zu", level_label[l], level_rows[l]);
        put_share(level_within[l], level_rows[l]);
        printf("  %.2f\n", level_rows[l] ? level_confidence[l] / (double)level_rows[l] : 0.0);
    }
}

/* ------------------------------------------------- inside the named country */

/* The countries' shapes, made once each. */
typedef struct {
    const gaz *g;
    geo_ctx *geo;
    struct {
        char cc[3];
        geo_shape *shape; /* NULL when the index has no polygon for it */
    } *known;
    size_t n, alloc;
} country_shapes;

static int in_named_country_at(country_shapes *cs, const char *text, geo_point p);

static geo_shape *shape_of(country_shapes *cs, const char *cc)
{
    for (size_t i = 0; i < cs->n; i++)
        if (!strcmp(cs->known[i].cc, cc)) return cs->known[i].shape;
    ALLOC_GROW(cs->known, cs->n + 1, cs->alloc);
    memcpy(cs->known[cs->n].cc, cc, 3);
    cs->known[cs->n].shape = NULL;
    gaz_result place;
    size_t len = 0;
    const unsigned char *wkb = gaz_country_place(cs->g, cc, &place) ? gaz_region_wkb(cs->g, place.place, &len) : NULL;
    if (wkb) geo_shape_from_wkb(cs->geo, wkb, len, &cs->known[cs->n].shape, NULL);
    return cs->known[cs->n++].shape;
}

/* How far outside a border a point may lie and still count as inside: the
 * 1:50m borders and coastlines are simplified by a few km (Mogadishu lies in
 * the sea, Ras al-Ayn in Turkey). */
#define BORDER_SLACK_KM 10.0

/* 1 when p lies in one of the countries the text names (gaz_country_area)
 * or within BORDER_SLACK_KM of one (one of eight points on that circle
 * inside), 0 when not, -1 when that cannot be told (no such country or
 * shape). */
static int in_named_country(country_shapes *cs, const char *text, geo_point p)
{
    int in = in_named_country_at(cs, text, p);
    for (int k = 0; in == 0 && k < 8; k++) {
        double a = k * M_PI / 4, dlat = BORDER_SLACK_KM / 111.2 * cos(a);
        double dlon = BORDER_SLACK_KM / (111.2 * cos(p.lat_deg * M_PI / 180)) * sin(a);
        geo_point q = { p.lat_deg + dlat, p.lon_deg + dlon };
        in = in_named_country_at(cs, text, q);
    }
    return in;
}

static int in_named_country_at(country_shapes *cs, const char *text, geo_point p)
{
    char area[64];
    if (!gaz_country_area(cs->g, text, area)) return -1;
    int told = 0;
    for (const char *c = area; *c; c += c[2] ? 3 : 2) {
        char cc[3] = { c[0], c[1], 0 };
        geo_shape *shape = shape_of(cs, cc);
        if (!shape) continue;
        told = 1;
        if (geo_shape_contains(cs->geo, shape, p) == 1) return 1;
    }
    return told ? 0 : -1;
}

static void print_outside(const eval_set *set, const char *gazetteer)
{
    gaz *g = NULL;
    char *err = NULL;
    if (gaz_open(gazetteer, &g, &err) < 0) {
        printf("outside the named country: not measured (%s)\n", err);
        free(err);
        return;
    }
    country_shapes cs = { g, geo_ctx_new(), NULL, 0, 0 };
    size_t located = 0, outside = 0, truth_outside = 0, untold = 0;
    for (size_t i = 0; i < set->n; i++) {
        const eval_row *r = &set->rows[i];
        if (!r->located) continue;
        located++;
        int in = in_named_country(&cs, r->country, r->got);
        if (in < 0) {
            untold++;
            continue;
        }
        outside += !in;
        truth_outside += in_named_country(&cs, r->country, r->truth) == 0;
    }
    printf("outside the country the row names (more than %.0f km beyond Natural Earth's 1:50m borders): %zu of %zu "
           "located rows; UCDP's own points: %zu; not told (no such country in the index): %zu\n", BORDER_SLACK_KM,
           outside, located, truth_outside, untold);
    for (size_t i = 0; i < cs.n; i++) geo_shape_free(cs.geo, cs.known[i].shape);
    free(cs.known);
    geo_ctx_free(cs.geo);
    gaz_close(g);
}

static int cmd_score(const char *ucdp_path, const char *export_path, const char *gazetteer)
{
    int rc = 1;
    eval_set set = { NULL, 0, 0, ucdp_path, 0 };
    if (read_table(ucdp_path, truth_columns, sizeof(truth_columns) / sizeof(truth_columns[0]), truth_row, &set) < 0)
        goto cleanup;
    qsort(set.rows, set.n, sizeof(*set.rows), cmp_row_id);
    for (size_t i = 1; i < set.n; i++) {
        if (!strcmp(set.rows[i - 1].id, set.rows[i].id)) {
            fprintf(stderr, "%s: id %s appears twice\n", ucdp_path, set.rows[i].id);
            goto cleanup;
        }
    }
    set.path = export_path;
    if (read_table(export_path, export_columns, sizeof(export_columns) / sizeof(export_columns[0]), export_row,
                   &set) < 0)
        goto cleanup;
    size_t missing = 0;
    for (size_t i = 0; i < set.n; i++) missing += !set.rows[i].exported;
    printf("%zu UCDP rows; %zu of them not in the export (scored as not located), %zu exported rows with"
           " another id\n\n", set.n, missing, set.n_unknown);
    print_group(&set, 1, "Syria");
    putchar('\n');
    print_group(&set, 0, "The rest (country != \"Syria\")");
    putchar('\n');
    print_reliability(&set);
    if (gazetteer) {
        putchar('\n');
        print_outside(&set, gazetteer);
    }
    rc = 0;
cleanup:
    for (size_t i = 0; i < set.n; i++) {
        free(set.rows[i].id);
        free(set.rows[i].country);
    }
    free(set.rows);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "plain")) return cmd_plain(argv[2]);
    if ((argc == 4 || argc == 5) && !strcmp(argv[1], "score"))
        return cmd_score(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    fprintf(stderr, "usage: eval_ucdp plain UCDP.csv > PLAIN.csv\n"
                    "       eval_ucdp score UCDP.csv EXPORT.csv [GAZETTEER]\n");
    return 2;
}
