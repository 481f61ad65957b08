/*
 * read.c - events from ACLED and UCDP GED exports, other CSV and GeoJSON.
 *
 * CSV is parsed by csv.c (RFC 4180: quoted fields, doubled quotes,
 * newlines inside quotes, CRLF), which says the line each record starts on.  The header decides the format
 * and which column feeds which model field; --map adds to that.  A row with
 * a place name and no coordinates goes through the gazetteer (geocode.c).
 * GeoJSON is parsed whole by cJSON; a light scan of the text finds the line
 * each feature starts on.
 */
#include "events/event.h"
#include "events/events_int.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

int ev_format_from_name(const char *name)
{
    if (!strcmp(name, "acled")) return EV_FMT_ACLED;
    if (!strcmp(name, "ucdp")) return EV_FMT_UCDP;
    if (!strcmp(name, "csv")) return EV_FMT_CSV;
    if (!strcmp(name, "geojson")) return EV_FMT_GEOJSON;
    return -1;
}

const char *ev_format_name(ev_format f)
{
    switch (f) {
    case EV_FMT_ACLED: return "acled";
    case EV_FMT_UCDP: return "ucdp";
    case EV_FMT_CSV: return "csv";
    case EV_FMT_GEOJSON: return "geojson";
    default: return "auto";
    }
}

/* ------------------------------------------------------------ field names */

/* Model fields a column can feed. */
enum {
    F_ID, F_DATE, F_DATE_END, F_TIME_PREC, F_TYPE, F_SUBTYPE, F_ACTOR1, F_ACTOR2, F_COUNTRY, F_ADMIN1,
    F_ADMIN2, F_ADMIN3, F_LOCATION, F_LAT, F_LON, F_GEO_PREC, F_FATALITIES, F_SOURCE, F_NOTES, F_GAZ_ID, F_MATCH,
    F_CONFIDENCE, F_UCDP_VIOLENCE, F_UCDP_WHERE_PREC, F_UCDP_DATE_PREC, F_UCDP_WHERE_DESC, N_FIELDS
};

static const char *const field_names[N_FIELDS] = {
    "id", "event_date", "date_end", "time_precision", "event_type", "sub_event_type", "actor1", "actor2",
    "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "fatalities", "source",
    "notes", "gazetteer_id", "match", "confidence", "type_of_violence", "where_prec", "date_prec",
    "where_description"
};

typedef struct {
    const char *column;
    int field;
} synonym;

/* What a column is called in ACLED's exports, UCDP GED and spreadsheets, by
 * format; EV_FMT_CSV also knows every model field name. */
static const synonym acled_columns[] = {
    { "event_id_cnty", F_ID }, { "event_date", F_DATE }, { "time_precision", F_TIME_PREC },
    { "event_type", F_TYPE }, { "sub_event_type", F_SUBTYPE }, { "actor1", F_ACTOR1 },
    { "actor2", F_ACTOR2 }, { "country", F_COUNTRY }, { "admin1", F_ADMIN1 },
    { "admin2", F_ADMIN2 }, { "admin3", F_ADMIN3 },
    { "location", F_LOCATION }, { "latitude", F_LAT }, { "longitude", F_LON },
    { "geo_precision", F_GEO_PREC }, { "fatalities", F_FATALITIES }, { "source", F_SOURCE },
    { "notes", F_NOTES }, { NULL, 0 }
};

static const synonym ucdp_columns[] = {
    { "id", F_ID }, { "date_start", F_DATE }, { "date_end", F_DATE_END }, { "date_prec", F_UCDP_DATE_PREC },
    { "type_of_violence", F_UCDP_VIOLENCE }, { "side_a", F_ACTOR1 }, { "side_b", F_ACTOR2 },
    { "country", F_COUNTRY }, { "adm_1", F_ADMIN1 }, { "adm_2", F_ADMIN2 }, { "where_coordinates", F_LOCATION },
    { "where_description", F_UCDP_WHERE_DESC }, { "latitude", F_LAT }, { "longitude", F_LON },
    { "where_prec", F_UCDP_WHERE_PREC }, { "best", F_FATALITIES }, { "source_office", F_SOURCE },
    { "source_headline", F_NOTES }, { NULL, 0 }
};

static const synonym csv_columns[] = {
    { "id", F_ID }, { "event_id", F_ID }, { "event_id_cnty", F_ID }, { "uid", F_ID },
    { "event_date", F_DATE }, { "date", F_DATE }, { "day", F_DATE }, { "date_start", F_DATE },
    { "time_precision", F_TIME_PREC }, { "event_type", F_TYPE }, { "type", F_TYPE },
    { "sub_event_type", F_SUBTYPE }, { "subtype", F_SUBTYPE }, { "actor1", F_ACTOR1 },
    { "actor", F_ACTOR1 }, { "actor_1", F_ACTOR1 }, { "actor2", F_ACTOR2 }, { "actor_2", F_ACTOR2 },
    { "country", F_COUNTRY }, { "admin1", F_ADMIN1 }, { "adm_1", F_ADMIN1 }, { "governorate", F_ADMIN1 },
    { "province", F_ADMIN1 }, { "admin2", F_ADMIN2 }, { "adm_2", F_ADMIN2 }, { "adm2", F_ADMIN2 },
    { "district", F_ADMIN2 }, { "admin3", F_ADMIN3 }, { "adm_3", F_ADMIN3 }, { "adm3", F_ADMIN3 },
    { "subdistrict", F_ADMIN3 }, { "sub_district", F_ADMIN3 }, { "location", F_LOCATION }, { "place", F_LOCATION },
    { "place_name", F_LOCATION }, { "name", F_LOCATION }, { "town", F_LOCATION },
    { "latitude", F_LAT }, { "lat", F_LAT }, { "y", F_LAT }, { "longitude", F_LON }, { "lon", F_LON },
    { "lng", F_LON }, { "long", F_LON }, { "x", F_LON }, { "geo_precision", F_GEO_PREC },
    { "fatalities", F_FATALITIES }, { "deaths", F_FATALITIES }, { "killed", F_FATALITIES },
    { "source", F_SOURCE }, { "notes", F_NOTES }, { "description", F_NOTES },
    { "gazetteer_id", F_GAZ_ID }, { "match", F_MATCH }, { "confidence", F_CONFIDENCE }, { NULL, 0 }
};

static int field_by_name(const char *name)
{
    for (int i = 0; i < N_FIELDS; i++)
        if (!strcasecmp(field_names[i], name)) return i;
    if (!strcasecmp(name, "lat")) return F_LAT;
    if (!strcasecmp(name, "lon")) return F_LON;
    if (!strcasecmp(name, "date")) return F_DATE;
    return -1;
}

/* ------------------------------------------------------------- the reader */

typedef struct {
    const char *path;          /* as the user wrote it, for messages */
    const ev_read_opts *opts;
    ev_event_fn on_event;
    ev_bad_fn on_bad;
    void *ctx;
    ev_read_stats *stats;
    char **err;
    int rc;                    /* first error, stops the read */
    ev_geocoder *geocoder;

    /* CSV */
    char **fields;             /* the record being read (csv.c's, borrowed) */
    size_t n_fields;
    int row_bad_utf8;
    size_t row_line;           /* the line the record starts on */
    int have_header;
    char **header;
    size_t n_header;
    int *col_of;               /* field -> column, -1 none (N_FIELDS entries) */
    ev_format format;
    strbuf msg, idbuf;
} reader;

static int report_bad(reader *r, size_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A field's text fit for a one-line message: control characters escaped,
 * long text cut.  Four buffers in turn, so a message can show a few. */
static const char *shown(const char *s)
{
    static __thread char bufs[4][96];
    static __thread int next;
    char *out = bufs[next++ & 3];
    size_t n = 0;
    for (; *s && n < 80; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\n') { out[n++] = '\\'; out[n++] = 'n'; }
        else if (c == '\r') { out[n++] = '\\'; out[n++] = 'r'; }
        else if (c == '\t') { out[n++] = '\\'; out[n++] = 't'; }
        else if (c < 0x20 || c == 0x7f) n += (size_t)snprintf(out + n, 8, "\\x%02x", c);
        else out[n++] = (char)c;
    }
    if (*s) { memcpy(out + n, "...", 3); n += 3; }
    out[n] = '\0';
    return out;
}

/* A bad row: with skip_bad, counted and handed to on_bad; else the read's
 * error.  Returns 0 to go on, or the error. */
static int report_bad(reader *r, size_t line, const char *fmt, ...)
{
    va_list ap;
    sb_reset(&r->msg);
    sb_addf(&r->msg, "%s:%zu: ", r->path, line);
    va_start(ap, fmt);
    sb_vaddf(&r->msg, fmt, ap);
    va_end(ap);
    if (r->opts->skip_bad) {
        r->stats->rejected++;
        if (r->on_bad) r->on_bad(r->ctx, r->msg.buf);
        return 0;
    }
    return em_error(r->err, EM_EINPUT, "%s", r->msg.buf);
}

/* Strict decimal number: all of s, finite. */
static int parse_number(const char *s, double *out)
{
    char *end;
    while (*s == ' ') s++;
    if (!*s) return -1;
    errno = 0;
    double v = strtod(s, &end);
    while (*end == ' ') end++;
    if (*end || errno == ERANGE || !isfinite(v)) return -1;
    /* strtod takes "0x1p3", "inf", "nan": a coordinate is plain decimal */
    for (const char *p = s; p < end; p++)
        if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E' || *p == ' '))
            return -1;
    *out = v;
    return 0;
}

static int parse_int(const char *s, long min, long max, long *out)
{
    double v;
    if (parse_number(s, &v) < 0 || v != floor(v) || v < (double)min || v > (double)max) return -1;
    *out = (long)v;
    return 0;
}

/* How many leading bytes of s form valid UTF-8 (len when all do). */
size_t ev_utf8_prefix(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* eight ASCII bytes at a time */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull) break;
            i += 8;
        }
        if (i >= len) break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) { n = 1; cp = c & 0x1F; }
        else if (c >= 0xE0 && c <= 0xEF) { n = 2; cp = c & 0x0F; }
        else if (c >= 0xF0 && c <= 0xF4) { n = 3; cp = c & 0x07; }
        else return i;
        for (size_t k = 1; k <= n; k++) {
            if (i + k >= len || (s[i + k] & 0xC0) != 0x80) return i;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return i;
        i += n + 1;
    }
    return len;
}

static const char *col(const reader *r, int field)
{
    int c = r->col_of[field];
    if (c < 0 || (size_t)c >= r->n_fields) return "";
    return r->fields[c];
}

/* A stable id for a row without one: a hash of its fields. */
static const char *row_hash_id(reader *r)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < r->n_fields; i++) {
        const unsigned char *p = (const unsigned char *)r->fields[i];
        for (; *p; p++) h = (h ^ *p) * 1099511628211ull;
        h = (h ^ 0x1f) * 1099511628211ull;
    }
    sb_reset(&r->idbuf);
    sb_addf(&r->idbuf, "row-%016llx", (unsigned long long)h);
    return r->idbuf.buf;
}

static const char *ucdp_violence(const char *v)
{
    if (!strcmp(v, "1")) return "State-based conflict";
    if (!strcmp(v, "2")) return "Non-state conflict";
    if (!strcmp(v, "3")) return "One-sided violence";
    return v;
}

/* UCDP where_prec (1 exact .. 7 international waters) to geo_precision. */
static int ucdp_geo_precision(long where_prec)
{
    if (where_prec <= 1) return EV_GEO_EXACT;
    if (where_prec == 2) return EV_GEO_NEAR;
    return EV_GEO_REGION;
}

/* UCDP date_prec (1 day, 2 2-6 days, 3 week, 4 month, 5 year) to ACLED's. */
static int ucdp_time_precision(long date_prec)
{
    if (date_prec <= 1) return EV_TIME_DAY;
    if (date_prec <= 3) return EV_TIME_WEEK;
    return EV_TIME_MONTH;
}

/* Build the event of the current row and hand it on. */
static int emit_row(reader *r)
{
    size_t line = r->row_line;
    ev_event e;
    char date[11];
    memset(&e, 0, sizeof(e));
    if (r->row_bad_utf8) return report_bad(r, line, "invalid UTF-8");
    if (r->n_fields != r->n_header)
        return report_bad(r, line, "%zu fields, the header has %zu", r->n_fields, r->n_header);
    r->stats->read++;

    const char *id = col(r, F_ID);
    if (r->format == EV_FMT_UCDP && *id) {
        sb_reset(&r->idbuf);
        sb_addf(&r->idbuf, "ucdp-%s", id);
        id = r->idbuf.buf;
    }
    e.id = *id ? id : row_hash_id(r);

    const char *ds = col(r, F_DATE);
    if (ev_parse_date(ds, &e.day, date) < 0) {
        r->stats->read--;
        return report_bad(r, line, "%s \"%s\" is not a date (YYYY-MM-DD or 15 March 2024)",
                          r->header[r->col_of[F_DATE]], shown(ds));
    }
    e.event_date = date;
    e.time_precision = EV_TIME_DAY;
    long v;
    if (*col(r, F_TIME_PREC)) {
        if (parse_int(col(r, F_TIME_PREC), 1, 3, &v) < 0) {
            r->stats->read--;
            return report_bad(r, line, "time_precision \"%s\" is not 1, 2 or 3", shown(col(r, F_TIME_PREC)));
        }
        e.time_precision = (int)v;
    } else if (*col(r, F_UCDP_DATE_PREC)) {
        if (parse_int(col(r, F_UCDP_DATE_PREC), 1, 5, &v) < 0) {
            r->stats->read--;
            return report_bad(r, line, "date_prec \"%s\" is not 1..5", shown(col(r, F_UCDP_DATE_PREC)));
        }
        e.time_precision = ucdp_time_precision(v);
    }

    e.event_type = r->format == EV_FMT_UCDP ? ucdp_violence(col(r, F_UCDP_VIOLENCE)) : col(r, F_TYPE);
    e.sub_event_type = col(r, F_SUBTYPE);
    e.actor1 = col(r, F_ACTOR1);
    e.actor2 = col(r, F_ACTOR2);
    e.country = col(r, F_COUNTRY);
    e.admin1 = col(r, F_ADMIN1);
    e.admin2 = col(r, F_ADMIN2);
    e.admin3 = col(r, F_ADMIN3);
    e.location = *col(r, F_LOCATION) ? col(r, F_LOCATION) : col(r, F_UCDP_WHERE_DESC);
    e.source = col(r, F_SOURCE);
    e.notes = col(r, F_NOTES);
    e.gazetteer_id = col(r, F_GAZ_ID);
    e.match = col(r, F_MATCH);

    if (*col(r, F_FATALITIES)) {
        if (parse_int(col(r, F_FATALITIES), 0, 10000000, &v) < 0) {
            r->stats->read--;
            return report_bad(r, line, "%s \"%s\" is not a whole number of deaths",
                              r->header[r->col_of[F_FATALITIES]], shown(col(r, F_FATALITIES)));
        }
        e.fatalities = (int)v;
    }

    long geo_prec = 0, where_prec = 0;
    if (*col(r, F_GEO_PREC) && parse_int(col(r, F_GEO_PREC), 1, 3, &geo_prec) < 0) {
        r->stats->read--;
        return report_bad(r, line, "geo_precision \"%s\" is not 1, 2 or 3", shown(col(r, F_GEO_PREC)));
    }
    if (*col(r, F_UCDP_WHERE_PREC) && parse_int(col(r, F_UCDP_WHERE_PREC), 1, 7, &where_prec) < 0) {
        r->stats->read--;
        return report_bad(r, line, "where_prec \"%s\" is not 1..7", shown(col(r, F_UCDP_WHERE_PREC)));
    }
    double confidence = 1;
    if (*col(r, F_CONFIDENCE) &&
        (parse_number(col(r, F_CONFIDENCE), &confidence) < 0 || !(confidence >= 0 && confidence <= 1))) {
        r->stats->read--;
        return report_bad(r, line, "confidence \"%s\" is not a number in 0..1", shown(col(r, F_CONFIDENCE)));
    }

    const char *la = col(r, F_LAT), *lo = col(r, F_LON);
    if (*la || *lo) {
        if (parse_number(la, &e.lat) < 0) {
            r->stats->read--;
            return report_bad(r, line, "latitude \"%s\" is not a number", shown(la));
        }
        if (parse_number(lo, &e.lon) < 0) {
            r->stats->read--;
            return report_bad(r, line, "longitude \"%s\" is not a number", shown(lo));
        }
        if (e.lat < -90 || e.lat > 90) {
            r->stats->read--;
            return report_bad(r, line, "latitude %s is outside -90..90", shown(la));
        }
        if (e.lon < -180 || e.lon > 180) {
            r->stats->read--;
            return report_bad(r, line, "longitude %s is outside -180..180", shown(lo));
        }
        e.located = 1;
        e.geo_precision = EV_GEO_EXACT;
        if (geo_prec) e.geo_precision = (int)geo_prec;
        else if (where_prec) e.geo_precision = ucdp_geo_precision(where_prec);
        e.confidence = confidence;
    } else {
        int rc = ev_geocode(r->geocoder, &e);
        if (rc < 0) return em_error(r->err, EM_EINTERNAL, "%s:%zu: cannot geocode", r->path, line);
        if (e.located) r->stats->geocoded++;
    }
    if (!e.located) r->stats->unlocated++;
    return r->on_event(r->ctx, &e, r->path, line, r->err);
}

static void trim_bom(char *s)
{
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        memmove(s, s + 3, strlen(s + 3) + 1);
}

/* The header row: pick the format and map columns to fields. */
static int take_header(reader *r)
{
    r->n_header = r->n_fields;
    r->header = xcalloc(r->n_header ? r->n_header : 1, sizeof(char *));
    for (size_t i = 0; i < r->n_fields; i++) {
        char *h = xstrdup(r->fields[i]);
        if (i == 0) trim_bom(h);
        for (char *p = h; *p; p++) *p = (char)tolower((unsigned char)*p);
        r->header[i] = h;
    }
    if (r->row_bad_utf8) return em_error(r->err, EM_EINPUT, "%s:%zu: invalid UTF-8 in the header", r->path, r->row_line);
    ev_format f = r->opts->format;
    if (f == EV_FMT_AUTO || f == EV_FMT_GEOJSON) {
        int has_acled = 0, has_ucdp = 0;
        for (size_t i = 0; i < r->n_header; i++) {
            if (!strcmp(r->header[i], "event_id_cnty")) has_acled = 1;
            if (!strcmp(r->header[i], "where_prec") || !strcmp(r->header[i], "type_of_violence")) has_ucdp++;
        }
        f = has_acled ? EV_FMT_ACLED : has_ucdp == 2 ? EV_FMT_UCDP : EV_FMT_CSV;
    }
    r->format = f;
    r->stats->format = f;
    const synonym *table = f == EV_FMT_ACLED ? acled_columns : f == EV_FMT_UCDP ? ucdp_columns : csv_columns;
    r->col_of = xmalloc(N_FIELDS * sizeof(int));
    for (int k = 0; k < N_FIELDS; k++) r->col_of[k] = -1;
    /* the first column a synonym names wins; synonyms earlier in the table first */
    for (const synonym *s = table; s->column; s++) {
        if (r->col_of[s->field] >= 0) continue;
        for (size_t i = 0; i < r->n_header; i++)
            if (!strcmp(r->header[i], s->column)) {
                r->col_of[s->field] = (int)i;
                break;
            }
    }
    for (size_t m = 0; m < r->opts->n_map; m++) {
        int field = field_by_name(r->opts->map[m].field);
        if (field < 0)
            return em_error(r->err, EM_EUSAGE, "--map %s=%s: no field '%s' (fields: id, event_date, event_type, "
                            "sub_event_type, actor1, actor2, country, admin1, admin2, admin3, location, latitude, longitude, "
                            "geo_precision, fatalities, source, notes)", r->opts->map[m].column,
                            r->opts->map[m].field, r->opts->map[m].field);
        int found = -1;
        for (size_t i = 0; i < r->n_header; i++)
            if (!strcasecmp(r->header[i], r->opts->map[m].column)) found = (int)i;
        if (found < 0)
            return em_error(r->err, EM_EINPUT, "%s:%zu: no column '%s' for --map", r->path, r->row_line,
                            r->opts->map[m].column);
        r->col_of[field] = found;
    }
    if (r->col_of[F_DATE] < 0)
        return em_error(r->err, EM_EINPUT,
                        "%s:%zu: no date column (event_date, date, date_start; or --map COLUMN=event_date)",
                        r->path, r->row_line);
    if ((r->col_of[F_LAT] < 0) != (r->col_of[F_LON] < 0))
        return em_error(r->err, EM_EINPUT, "%s:%zu: a %s column without a %s column", r->path, r->row_line,
                        r->col_of[F_LAT] < 0 ? "longitude" : "latitude", r->col_of[F_LAT] < 0 ? "latitude" : "longitude");
    if (r->col_of[F_LAT] < 0 && r->col_of[F_LOCATION] < 0)
        return em_error(r->err, EM_EINPUT,
                        "%s:%zu: neither coordinates (latitude, longitude) nor a place (location) column",
                        r->path, r->row_line);
    /* a column read twice over is ambiguous: which latitude is meant? */
    for (int k = 0; k < N_FIELDS; k++) {
        if (r->col_of[k] < 0) continue;
        const char *name = r->header[r->col_of[k]];
        for (size_t i = 0; i < r->n_header; i++)
            if ((int)i != r->col_of[k] && !strcmp(r->header[i], name))
                return em_error(r->err, EM_EINPUT, "%s:%zu: column \"%s\" appears twice in the header", r->path,
                                r->row_line, name);
    }
    return 0;
}

static int read_csv(reader *r, FILE *in)
{
    ev_csv *c = ev_csv_new(in);
    char **f;
    size_t n, line = 1;
    const char *why = NULL;
    int rc = 0, got;
    while ((got = ev_csv_next(c, &f, &n, &line, &why)) == 1) {
        r->fields = f;
        r->n_fields = n;
        r->row_line = line;
        r->row_bad_utf8 = !ev_csv_utf8_ok(c);
        if (!r->have_header) {
            r->have_header = 1;
            rc = take_header(r);
        } else {
            rc = emit_row(r);
        }
        if (rc < 0) break;
    }
    if (!rc && got == -1) rc = em_error(r->err, EM_EINPUT, "%s:%zu: %s", r->path, line, why);
    if (!rc && got == -2) rc = em_error(r->err, EM_EIO, "%s: read error: %s", r->path, why);
    if (!rc && !r->have_header) rc = em_error(r->err, EM_EINPUT, "%s:1: empty file", r->path);
    ev_csv_free(c);
    return rc;
}

/* --------------------------------------------------------------- GeoJSON */

static size_t line_of(const char *text, const char *at)
{
    size_t line = 1;
    for (const char *p = text; p < at; p++) line += *p == '\n';
    return line;
}

/* A property as text: strings as they are, numbers printed, else "". */
static const char *prop_text(const cJSON *props, const char *const *names, strbuf *tmp)
{
    for (; *names; names++) {
        const cJSON *v = cJSON_GetObjectItem(props, *names);
        if (!v) continue;
        if (cJSON_IsString(v) && v->valuestring) return v->valuestring;
        if (cJSON_IsNumber(v)) {
            sb_reset(tmp);
            if (v->valuedouble == floor(v->valuedouble) && fabs(v->valuedouble) < 1e15)
                sb_addf(tmp, "%.0f", v->valuedouble);
            else
                sb_addf(tmp, "%.17g", v->valuedouble);
            return tmp->buf;
        }
    }
    return "";
}

static int read_geojson(reader *r, FILE *in, size_t first_line)
{
    int rc = 0;
    ev_json *scan = ev_json_new(in, first_line);
    cJSON *f = NULL;
    enum { N_TEXTS = 18 };
    strbuf t[N_TEXTS];
    for (int i = 0; i < N_TEXTS; i++) sb_init(&t[i], 0);

    r->stats->format = EV_FMT_GEOJSON;
    for (;;) {
        const char *text, *why = NULL;
        size_t len, line;
        int got = ev_json_next(scan, &text, &len, &line, &why);
        if (got == 0) break;
        if (got == -2) {
            rc = em_error(r->err, EM_EIO, "%s: read error: %s", r->path, strerror(errno));
            goto done;
        }
        if (got < 0) {
            rc = em_error(r->err, EM_EINPUT, "%s:%zu: %s", r->path, line, why);
            goto done;
        }
        cJSON_Delete(f);
        const char *end = NULL;
        f = cJSON_ParseWithLengthOpts(text, len, &end, 0);
        if (!f || end != text + len) {
            if (!end || end < text || end > text + len) end = text + len;
            rc = em_error(r->err, EM_EINPUT, "%s:%zu: malformed JSON", r->path, line + line_of(text, end) - 1);
            goto done;
        }
        ev_event e;
        char date[11];
        memset(&e, 0, sizeof(e));
        const cJSON *props = cJSON_GetObjectItem(f, "properties");
        const cJSON *geom = cJSON_GetObjectItem(f, "geometry");
        const cJSON *ftype = cJSON_GetObjectItem(f, "type");
        if (!cJSON_IsObject(f) || !cJSON_IsString(ftype) || strcmp(ftype->valuestring, "Feature") ||
            (props && !cJSON_IsObject(props) && !cJSON_IsNull(props))) {
            rc = report_bad(r, line, "not a GeoJSON Feature");
            if (rc) goto done;
            continue;
        }
        static const char *const n_id[] = { "id", "event_id", "event_id_cnty", NULL };
        static const char *const n_date[] = { "event_date", "date", "date_start", NULL };
        static const char *const n_tp[] = { "time_precision", NULL };
        static const char *const n_type[] = { "event_type", "type", NULL };
        static const char *const n_sub[] = { "sub_event_type", NULL };
        static const char *const n_a1[] = { "actor1", "actor", NULL };
        static const char *const n_a2[] = { "actor2", NULL };
        static const char *const n_country[] = { "country", NULL };
        static const char *const n_admin1[] = { "admin1", NULL };
        static const char *const n_admin2[] = { "admin2", NULL };
        static const char *const n_admin3[] = { "admin3", NULL };
        static const char *const n_loc[] = { "location", "place", "name", NULL };
        static const char *const n_gp[] = { "geo_precision", NULL };
        static const char *const n_fat[] = { "fatalities", "deaths", NULL };
        static const char *const n_src[] = { "source", NULL };
        static const char *const n_notes[] = { "notes", "description", NULL };
        static const char *const n_gaz[] = { "gazetteer_id", NULL };
        static const char *const n_match[] = { "match", NULL };
        static const char *const n_conf[] = { "confidence", NULL };
        const cJSON *P = cJSON_IsObject(props) ? props : NULL;
        const char *id = P ? prop_text(P, n_id, &t[0]) : "";
        if (!*id) {
            const cJSON *fid = cJSON_GetObjectItem(f, "id");
            if (cJSON_IsString(fid)) id = fid->valuestring;
            else if (cJSON_IsNumber(fid)) {
                sb_reset(&t[0]);
                sb_addf(&t[0], "%.0f", fid->valuedouble);
                id = t[0].buf;
            }
        }
        const char *ds = P ? prop_text(P, n_date, &t[1]) : "";
        if (ev_parse_date(ds, &e.day, date) < 0) {
            rc = report_bad(r, line, "event_date \"%s\" is not a date (YYYY-MM-DD or 15 March 2024)", shown(ds));
            if (rc) goto done;
            continue;
        }
        e.event_date = date;
        e.time_precision = EV_TIME_DAY;
        long v;
        const char *tp = P ? prop_text(P, n_tp, &t[2]) : "";
        if (*tp) {
            if (parse_int(tp, 1, 3, &v) < 0) {
                rc = report_bad(r, line, "time_precision \"%s\" is not 1, 2 or 3", shown(tp));
                if (rc) goto done;
                continue;
            }
            e.time_precision = (int)v;
        }
        e.event_type = P ? prop_text(P, n_type, &t[3]) : "";
        e.sub_event_type = P ? prop_text(P, n_sub, &t[4]) : "";
        e.actor1 = P ? prop_text(P, n_a1, &t[5]) : "";
        e.actor2 = P ? prop_text(P, n_a2, &t[6]) : "";
        e.country = P ? prop_text(P, n_country, &t[7]) : "";
        e.admin1 = P ? prop_text(P, n_admin1, &t[8]) : "";
        e.admin2 = P ? prop_text(P, n_admin2, &t[16]) : "";
        e.admin3 = P ? prop_text(P, n_admin3, &t[17]) : "";
        e.location = P ? prop_text(P, n_loc, &t[9]) : "";
        e.source = P ? prop_text(P, n_src, &t[10]) : "";
        e.notes = P ? prop_text(P, n_notes, &t[11]) : "";
        e.gazetteer_id = P ? prop_text(P, n_gaz, &t[12]) : "";
        e.match = P ? prop_text(P, n_match, &t[13]) : "";
        const char *fat = P ? prop_text(P, n_fat, &t[14]) : "";
        if (*fat) {
            if (parse_int(fat, 0, 10000000, &v) < 0) {
                rc = report_bad(r, line, "fatalities \"%s\" is not a whole number of deaths", shown(fat));
                if (rc) goto done;
                continue;
            }
            e.fatalities = (int)v;
        }

        int bad = 0;
        const char *gp = P ? prop_text(P, n_gp, &t[15]) : "";
        long geo_prec = 0;
        if (*gp && parse_int(gp, 1, 3, &geo_prec) < 0) {
            rc = report_bad(r, line, "geo_precision \"%s\" is not 1, 2 or 3", shown(gp));
            bad = 1;
        }
        const cJSON *cf = P ? cJSON_GetObjectItem(P, n_conf[0]) : NULL;
        double confidence = 1;
        if (!bad && cf && !cJSON_IsNull(cf)) {
            if (!cJSON_IsNumber(cf) || !(cf->valuedouble >= 0 && cf->valuedouble <= 1)) {
                rc = report_bad(r, line, "confidence is not a number in 0..1");
                bad = 1;
            } else {
                confidence = cf->valuedouble;
            }
        }
        if (!bad && geom && !cJSON_IsNull(geom) && !cJSON_IsObject(geom)) {
            rc = report_bad(r, line, "geometry is not a GeoJSON geometry object");
            bad = 1;
        } else if (!bad && geom && !cJSON_IsNull(geom)) {
            const cJSON *gt = cJSON_GetObjectItem(geom, "type");
            const cJSON *co = cJSON_GetObjectItem(geom, "coordinates");
            if (!cJSON_IsString(gt) || strcmp(gt->valuestring, "Point")) {
                rc = report_bad(r, line, "geometry is %s, not a Point",
                                cJSON_IsString(gt) ? gt->valuestring : "not a GeoJSON geometry");
                bad = 1;
            } else if (!cJSON_IsArray(co) || cJSON_GetArraySize(co) < 2 ||
                       !cJSON_IsNumber(cJSON_GetArrayItem(co, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(co, 1))) {
                rc = report_bad(r, line, "Point coordinates are not [longitude, latitude]");
                bad = 1;
            } else {
                e.lon = cJSON_GetArrayItem(co, 0)->valuedouble;
                e.lat = cJSON_GetArrayItem(co, 1)->valuedouble;
                if (e.lat < -90 || e.lat > 90 || e.lon < -180 || e.lon > 180) {
                    rc = report_bad(r, line, "Point [%g, %g] is outside longitude -180..180, latitude -90..90",
                                    e.lon, e.lat);
                    bad = 1;
                } else {
                    e.located = 1;
                    e.geo_precision = geo_prec ? (int)geo_prec : EV_GEO_EXACT;
                    e.confidence = confidence;
                }
            }
        }
        if (!bad) {
            r->stats->read++;
            e.id = *id ? id : "";
            if (!*id) {
                /* a stable id from the feature's text */
                char *s = cJSON_PrintUnformatted(f);
                uint64_t h = 1469598103934665603ull;
                for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) h = (h ^ *p) * 1099511628211ull;
                free(s);
                sb_reset(&r->idbuf);
                sb_addf(&r->idbuf, "row-%016llx", (unsigned long long)h);
                e.id = r->idbuf.buf;
            }
            if (!e.located) {
                if (ev_geocode(r->geocoder, &e) < 0) rc = em_error(r->err, EM_EINTERNAL, "%s:%zu: cannot geocode", r->path, line);
                else if (e.located) r->stats->geocoded++;
            }
            if (!rc) {
                if (!e.located) r->stats->unlocated++;
                rc = r->on_event(r->ctx, &e, r->path, line, r->err);
            }
        }
        if (rc) goto done;
    }
done:
    for (int i = 0; i < N_TEXTS; i++) sb_release(&t[i]);
    cJSON_Delete(f);
    ev_json_free(scan);
    return rc;
}

int ev_read(const char *path, const ev_read_opts *opts, ev_event_fn on_event, ev_bad_fn on_bad, void *ctx,
            ev_read_stats *stats, char **err)
{
    ev_read_stats dummy;
    if (!stats) stats = &dummy;
    memset(stats, 0, sizeof(*stats));
    FILE *in = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!in) return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    reader r;
    memset(&r, 0, sizeof(r));
    r.path = strcmp(path, "-") ? path : "<stdin>";
    r.opts = opts;
    r.on_event = on_event;
    r.on_bad = on_bad;
    r.ctx = ctx;
    r.stats = stats;
    r.err = err;
    sb_init(&r.msg, 0);
    sb_init(&r.idbuf, 0);
    r.geocoder = opts->geocoder ? opts->geocoder : ev_geocoder_new(opts->gazetteer);

    /* JSON starts with '{' or '[' (after a BOM or blanks): read as GeoJSON,
     * which says what is wrong with a JSON array.  A file is read
     * again from its start; from stdin the blank lines already read are
     * counted, so that line numbers stay right. */
    ev_format f = opts->format;
    size_t first_line = 1;
    if (f == EV_FMT_AUTO) {
        int c = getc(in);
        if (c == 0xEF) {
            int c2 = getc(in), c3 = getc(in);
            c = c2 == 0xBB && c3 == 0xBF ? getc(in) : 0;
        }
        while (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            first_line += c == '\n';
            c = getc(in);
        }
        f = c == '{' || c == '[' ? EV_FMT_GEOJSON : EV_FMT_CSV;
        if (in != stdin) {
            rewind(in);
            first_line = 1;
        } else if (c != EOF) {
            ungetc(c, in);
        }
    }
    int rc = f == EV_FMT_GEOJSON ? read_geojson(&r, in, first_line) : read_csv(&r, in);
    if (in != stdin) fclose(in);
    if (r.geocoder != opts->geocoder) ev_geocoder_free(r.geocoder);
    for (size_t i = 0; i < r.n_header; i++) free(r.header[i]);
    free(r.header);
    free(r.col_of);
    sb_release(&r.msg);
    sb_release(&r.idbuf);
    return rc < 0 ? rc : 0;
}
