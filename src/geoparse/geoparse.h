/*
 * geoparse.h - place mentions in running text.  gp_parse tokenizes UTF-8
 * prose, finds the spans that are exactly some gazetteer name (longest
 * first, al-/el- forms, possessives, abbreviations and datelines handled),
 * the demonyms ("Turkish") and the place-shaped names the gazetteer lacks,
 * keeps out the ones that are common words or part of a person's or an
 * organisation's name, and resolves each with the document as context: the
 * country and admin-1 areas its names agree on and the spread of the other
 * places.  A place named again reuses its first resolution.
 */
#ifndef EVENTMAP_GEOPARSE_H
#define EVENTMAP_GEOPARSE_H

#include <stddef.h>

#include <stdint.h>
#include <stdio.h>

#include "events/event.h"
#include "gazetteer/gazetteer.h"

/* What a mention's phrase is. */
enum {
    GP_KIND_NAME = 0,   /* a place's name ("Idlib", "Metcalfe County") */
    GP_KIND_DEMONYM     /* its country's adjective ("Turkish"): never where an event happened */
};

typedef struct {
    size_t start, end;      /* byte offsets of the mention in the text, end exclusive */
    int sentence;           /* 0-based index of its sentence */
    char *text;             /* the mention as written (possessive dropped); owned */
    char *qualifier;        /* "northeast of", "outside", "near" ..., or NULL; owned */
    int kind;               /* GP_KIND_* */
    int reported;           /* a place mention, kept in the output even when unresolved
                               (a place-shaped name the gazetteer lacks: "Dean Woods Road") */
    int dateline;           /* the "WASHINGTON —" that opens a report */
    int resolved;           /* place is valid (implies reported) */
    gaz_result place;       /* the chosen place; strings borrowed from the gazetteer */
    double confidence;      /* 0..1 */
} gp_mention;

typedef struct {
    gp_mention *m;
    size_t n, alloc;
} gp_mentions;

typedef struct {
    const char *country;    /* ISO alpha-2 the text is about, or NULL to infer it */
} gp_options;

/* Find and resolve the place mentions of text (len bytes, need not be
 * NUL-terminated).  name is used in error messages ("FILE:LINE: invalid
 * UTF-8").  Mentions are appended to out in text order, resolved or not;
 * release them with gp_mentions_release.  Errors: EM_EINPUT on invalid
 * UTF-8 or a NUL byte (binary data), with *err naming name and the line. */
int gp_parse(const gaz *g, const char *name, const char *text, size_t len,
             const gp_options *opt, gp_mentions *out, char **err);

/* Free the mentions and leave out empty; NULL or empty is a no-op. */
void gp_mentions_release(gp_mentions *out);

/* A candidate event: a sentence that reports an incident (candidates.c). */
typedef struct {
    size_t start, end;          /* the sentence's bytes */
    const char *event_type, *sub_event_type; /* ACLED's words; static */
    const char *actor[2];       /* named actors as ACLED writes them, or NULL; static */
    int fatalities;             /* deaths the sentence states */
    int mention;                /* index into the mentions: where; the sentence's most specific place */
    int inferred_place;         /* the sentence names no place: the report's first incident's */
    int32_t day;                /* days since 1970-01-01 */
    int time_precision;         /* 1 day, 2 week, 3 month */
    int has_date;               /* the sentence dates itself ("last Saturday") */
} gp_candidate;

typedef struct {
    gp_candidate *e;
    size_t n, alloc;
} gp_candidates;

/* The candidate events of text, whose mentions gp_parse found; relative
 * dates are resolved against published (days since 1970-01-01).  Appends
 * to out in text order; one incident told twice comes out once. */
int gp_candidates_find(const char *text, size_t len, const gp_mentions *ms, int32_t published, gp_candidates *out);
void gp_candidates_release(gp_candidates *out);

/* What geoparse writes (write.c).  The reported mentions as a GeoJSON
 * FeatureCollection to out: a Point for each resolved one (degrees to five
 * decimals), a null geometry and "match": "none" for a place the gazetteer
 * lacks; properties mention, start, end, sentence, kind, dateline (when
 * set), name, gazetteer_id, match, confidence, qualifier, bbox (regions). */
void gp_write_geojson(FILE *out, const gp_mentions *ms);
/* The same as a table with a header line: sentence, bytes, mention, place,
 * gazetteer_id, match, confidence, qualifier. */
void gp_write_table(FILE *out, const gp_mentions *ms);
/* The candidate events ev of text as GeoJSON in the event model that
 * `eventmap import` reads: id "BASE:START" and source BASE, the last part
 * of name; notes the sentence.  Returns 0, or -1 when writing failed. */
int gp_write_events(FILE *out, const char *name, const char *text, const gp_mentions *ms, const gp_candidates *ev);

#endif
