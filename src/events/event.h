/*
 * event.h - the event layer: the event model (ACLED's columns plus how the
 * place was resolved), readers for ACLED, UCDP GED, other CSV and GeoJSON,
 * geocoding of rows without coordinates, filters, and streaming writers for
 * GeoJSON (RFC 7946) and CSV.
 *
 * Readers hand each event to a callback with borrowed strings that stay valid
 * only during the call, so that a million rows never sit in memory.  Errors
 * are "FILE:LINE: what is wrong" (EM_EINPUT) or "FILE: cannot open: ..."
 * (EM_EIO), through char **err as everywhere else.
 */
#ifndef EVENTMAP_EVENT_H
#define EVENTMAP_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gazetteer/gazetteer.h"
#include "geo/geo.h"
#include "util/strbuf.h"

/* geo_precision, as ACLED uses it; 0 when the event has no coordinates. */
enum { EV_GEO_NONE = 0, EV_GEO_EXACT = 1, EV_GEO_NEAR = 2, EV_GEO_REGION = 3 };
/* time_precision, as ACLED uses it. */
enum { EV_TIME_DAY = 1, EV_TIME_WEEK = 2, EV_TIME_MONTH = 3 };

/* One event.  Strings are never NULL ("" when absent). */
typedef struct {
    const char *id;            /* the source's event id, or "row-<hash>" for a row without one */
    const char *event_date;    /* YYYY-MM-DD */
    int32_t day;               /* event_date as days since 1970-01-01 */
    int time_precision;        /* EV_TIME_* */
    const char *event_type, *sub_event_type;
    const char *actor1, *actor2;
    const char *country, *admin1;
    const char *admin2, *admin3; /* second- and third-level areas (ACLED admin2/admin3, UCDP adm_2) */
    const char *location;
    int located;               /* lat/lon hold coordinates */
    double lat, lon;           /* degrees WGS 84 */
    int geo_precision;         /* EV_GEO_* */
    int fatalities;            /* 0 when the source gives none */
    const char *source, *notes;
    const char *gazetteer_id;  /* the place the location resolved to, "" when the source gave coordinates */
    const char *match;         /* how: "exact", "alias", "fuzzy", "region"; "" for given coordinates */
    double confidence;         /* 0..1; 1 for given coordinates, 0 when unlocated */
} ev_event;

/* ---------------------------------------------------------------- dates */

/* "2024-03-15", "2024-03-15 00:00:00.000", "2024-03-15T10:00:00Z" or ACLED's
 * older "15 March 2024" / "15-Mar-24" to days since 1970-01-01 and the
 * canonical "YYYY-MM-DD" (11 bytes with NUL).  Returns 0, or -1 when the text
 * is not a valid calendar date. */
int ev_parse_date(const char *s, int32_t *day, char out[11]);
/* Days since 1970-01-01 to "YYYY-MM-DD". */
void ev_format_date(int32_t day, char out[11]);

/* ---------------------------------------------------------------- copies */

/* A reader's or a store's event is borrowed for one call; these keep it.
 * The copy and its strings share one block: the struct first, then each
 * string with its NUL, so that one free() releases it all. */

/* The bytes ev_event_copy writes for e: the struct and its strings. */
size_t ev_event_copy_size(const ev_event *e);
/* Copy e into buf, which holds at least ev_event_copy_size(e) bytes and is
 * aligned for an ev_event (as malloc's memory is).  Returns the copy, at
 * buf, whose strings point into buf: valid as long as buf, whatever
 * happens to e.  A NULL string of e becomes "". */
ev_event *ev_event_copy(const ev_event *e, void *buf);
/* The same in a block of its own.  Caller frees with free(). */
ev_event *ev_event_dup(const ev_event *e);

/* ------------------------------------------------------------ near a point */

/* The answer to "which events lie within radius_km of centre": a copy of
 * each located event at most radius_km away by geodesic distance
 * (geo_distance_km), nearest first once sorted.  Fed by any reader of
 * events: ev_near_add fits store_near, store_scan and ev_read's callers. */
typedef struct ev_near ev_near;

/* An empty answer.  Caller frees with ev_near_free. */
ev_near *ev_near_new(geo_point centre, double radius_km);
/* Keep a copy of e (ev_event_dup) with its distance when it is located and
 * within the radius; ignore it otherwise.  A store_event_fn: ctx is the
 * ev_near.  Returns 0. */
int ev_near_add(void *ctx, const ev_event *e, char **err);
/* Order the events kept nearest first; equal distances by id, then in the
 * order added. */
void ev_near_sort(ev_near *q);
size_t ev_near_count(const ev_near *q);
/* The i-th event (i < ev_near_count; borrowed, valid until ev_near_free)
 * and, when km is not NULL, its distance in km. */
const ev_event *ev_near_event(const ev_near *q, size_t i, double *km);
/* ev_near_free(NULL) is a no-op. */
void ev_near_free(ev_near *q);

/* --------------------------------------------------------------- reading */

typedef enum { EV_FMT_AUTO = 0, EV_FMT_ACLED, EV_FMT_UCDP, EV_FMT_CSV, EV_FMT_GEOJSON } ev_format;

/* "acled", "ucdp", "csv", "geojson" to the format; -1 for anything else. */
int ev_format_from_name(const char *name);
const char *ev_format_name(ev_format f);

/* A user's --map COLUMN=FIELD: column (as in the header) read as field (a
 * model field name, e.g. "event_date", "location", "latitude"). */
typedef struct {
    const char *column, *field;
} ev_column_map;

/* RFC 4180 records from a stream (csv.c): the reader of every CSV eventmap
 * takes (events, a user's places).  Caller frees with ev_csv_free; in stays
 * the caller's. */
typedef struct ev_csv ev_csv;
ev_csv *ev_csv_new(FILE *in);
void ev_csv_free(ev_csv *c);
/* The next record: its fields, NUL-terminated and valid until the next
 * call, and the line it starts on.  Returns 1, 0 at the end of input, -1 on
 * malformed input (*why says what; *line where), -2 on a read error (*why
 * is strerror). */
int ev_csv_next(ev_csv *c, char ***fields, size_t *n, size_t *line, const char **why);
/* Whether the record ev_csv_next last returned is valid UTF-8. */
int ev_csv_utf8_ok(const ev_csv *c);

/* Resolves events' place names through the gazetteer, remembering each
 * distinct (location, admin1, admin2, admin3, country) it has seen, what it became and the
 * runners-up, for a review (ev_geocoder_report). */
typedef struct ev_geocoder ev_geocoder;
/* g may be NULL: every event stays unlocated.  Caller frees with
 * ev_geocoder_free (NULL is a no-op). */
ev_geocoder *ev_geocoder_new(const gaz *g);
void ev_geocoder_free(ev_geocoder *gc);
/* The review of every distinct place the geocoder resolved, as CSV to out,
 * the doubtful first (lowest confidence, then most rows): columns
 *   location,admin1,admin2,admin3,country,rows,level,match,geo_precision,
 *   confidence,name,gazetteer_id,latitude,longitude,runner_up_1,runner_up_2
 * level is place, admin3, admin2, admin1, country or none; a runner-up is
 * "NAME (ID, CC, quality Q)".  Returns 0, or -1 when a write failed (errno
 * says why). */
int ev_geocoder_report(const ev_geocoder *gc, FILE *out);
/* The level of a geocoded event's match: "admin3", "admin2", "admin1" or
 * "country" when it was placed at an area the row names (ACLED's
 * convention for a place the gazetteer lacks), else "place". */
const char *ev_geocode_level(const char *match);

/* The rows a read's geocoding placed at an area they name, or could not
 * place, for the user to review (geocode_log.c): a line each, the first
 * 1000 of each kind. */
typedef struct {
    strbuf areas;              /* "FILE:LINE: placed at its LEVEL: \"LOCATION\", ADMIN1, CC not found ..." */
    strbuf unlocated;          /* "FILE:LINE: unlocated: \"LOCATION\", ADMIN1, CC not found ..." */
    size_t n_unlocated;        /* rows left unlocated, listed or not */
    size_t n_district, n_admin1, n_country; /* rows placed at their admin3 or admin2, admin1, country */
} ev_geocode_log;

void ev_geocode_log_init(ev_geocode_log *log);
/* Note e, read at file:line, when it was placed at an area or not at all. */
void ev_geocode_log_add(ev_geocode_log *log, const ev_event *e, const char *file, size_t line);
/* The lines to out: those of the rows placed at an area, "... and N more
 * placed at an area they name" past 1000, then the unlocated ones and
 * "... and N more unlocated". */
void ev_geocode_log_write(const ev_geocode_log *log, FILE *out);
/* Free the lines; log is left empty (as ev_geocode_log_init). */
void ev_geocode_log_release(ev_geocode_log *log);

typedef struct {
    ev_format format;          /* EV_FMT_AUTO sniffs: header for CSV, '{' for GeoJSON */
    const ev_column_map *map;  /* extra column mappings for CSV */
    size_t n_map;
    const gaz *gazetteer;      /* to geocode rows without coordinates; NULL leaves them unlocated */
    ev_geocoder *geocoder;     /* the caller's (for several files and a review); NULL: one
                                * of the reader's own over gazetteer */
    int skip_bad;              /* report bad rows through on_bad and go on, instead of failing */
} ev_read_opts;

/* Per event: return 0 to go on, negative (with *err set) to stop the read
 * with that error.  line is the event's first line in the file (its feature
 * index + 1 for GeoJSON... see ev_read). */
typedef int (*ev_event_fn)(void *ctx, const ev_event *e, const char *file, size_t line, char **err);
/* Per bad row with skip_bad: the "FILE:LINE: reason" message (borrowed). */
typedef void (*ev_bad_fn)(void *ctx, const char *message);

typedef struct {
    size_t read;       /* rows/features read */
    size_t geocoded;   /* of them resolved through the gazetteer */
    size_t unlocated;  /* of them left without coordinates */
    size_t rejected;   /* bad rows skipped (skip_bad) */
    ev_format format;  /* the format used (after sniffing) */
} ev_read_stats;

/* Read path ("-" for standard input) and hand every event to on_event.
 * Bad input gives EM_EINPUT and "FILE:LINE: reason" (the column too where
 * known): a wrong column count, a latitude that is not a number in -90..90,
 * an unparseable date, invalid UTF-8, a truncated or malformed GeoJSON file,
 * an empty file.  With opts->skip_bad a bad row goes to on_bad instead and
 * the read goes on (a malformed file as a whole still fails).  For GeoJSON,
 * line is the line on which the feature starts. */
int ev_read(const char *path, const ev_read_opts *opts, ev_event_fn on_event, ev_bad_fn on_bad,
            void *ctx, ev_read_stats *stats, char **err);

/* ------------------------------------------------------- a user's places */

/* The places of CSV files of a user's own (gazetteer build --places: a
 * newsroom's villages, a mapping team's checkpoints), for gaz_build_opts.
 * Zeroed is empty; the strings are the list's own. */
typedef struct {
    gaz_user_place *p;
    size_t n, alloc;
} ev_places;

/* Append the places of the CSV file at path (places.c): its header names
 * name (place, location), lat (latitude, y) and lon (lng, long, longitude,
 * x), and may name id, country (country_code, iso2, cc), admin1 (adm1,
 * adm_1, province, governorate, state), alternates (';'-separated;
 * alternate_names, alternatenames, aliases) and feature, in any case.  A
 * place without an id gets "places:FILE:LINE".  Each place keeps path (for
 * messages): it must outlive them.  Returns 0; EM_EIO or EM_EINPUT with
 * *err "unable to open 'PATH': ..." or "PATH:LINE: what is wrong", the
 * places read before the bad row kept. */
int ev_places_read(const char *path, ev_places *up, char **err);
/* Free the places and their strings; up is left empty. */
void ev_places_release(ev_places *up);

/* --------------------------------------------------------------- filters */

typedef struct {
    int has_since, has_until;
    int32_t since_day, until_day;   /* inclusive */
    const char *type;               /* equals event_type or sub_event_type (case-insensitive), or NULL */
    const char *actor;              /* substring of actor1 or actor2 (case-insensitive), or NULL */
    geo_ctx *geo;                   /* with region: the context region was made with */
    geo_shape *region;              /* the event's point lies inside, or NULL */
    geo_bbox region_bbox;           /* region's bbox, to reject most points cheaply */
} ev_filter;

/* 1 when e passes every filter set in f (an unlocated event never passes a
 * region filter), 0 otherwise. */
int ev_filter_match(const ev_filter *f, const ev_event *e);

/* --------------------------------------------------------------- writing */

/* GeoJSON FeatureCollection (RFC 7946), written as it goes: Point features
 * [lon, lat] with 6 decimals, every model field a property, no "crs", the
 * collection's "bbox" at the end (a member may come last in an object).
 * Unlocated events are not written; ev_geojson_close counts them. */
typedef struct ev_geojson_writer ev_geojson_writer;
ev_geojson_writer *ev_geojson_open(FILE *out);
/* Extra properties for every feature (near: "distance_km"); NULL for none. */
int ev_geojson_write(ev_geojson_writer *w, const ev_event *e, const char *extra_key, double extra_value);
/* Ends the collection; returns how many unlocated events were left out, or
 * -1 when writing failed.  Frees w. */
long ev_geojson_close(ev_geojson_writer *w);

/* CSV (RFC 4180, header row, quoted where needed, but lines end in LF, not
 * CRLF) with the model's columns:
 * id,event_date,time_precision,event_type,sub_event_type,actor1,actor2,
 * country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,fatalities,
 * source,notes,gazetteer_id,match,confidence  (+ extra_key when given).
 * Unlocated events are written with empty latitude/longitude. */
typedef struct ev_csv_writer ev_csv_writer;
ev_csv_writer *ev_csv_open(FILE *out, const char *extra_key);
int ev_csv_write(ev_csv_writer *w, const ev_event *e, double extra_value);
/* Returns 0, or -1 when writing failed.  Frees w. */
int ev_csv_close(ev_csv_writer *w);

#endif
