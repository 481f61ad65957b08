/*
 * source.h - the event source and filters every reading command takes:
 *   --db PATH | --in FILE, --since D, --until D, --type T, --actor A,
 *   --region NAME, --gazetteer PATH
 * A command puts OPT_SOURCE(&src) at the end of its option table.
 */
#ifndef EVENTMAP_CLI_SOURCE_H
#define EVENTMAP_CLI_SOURCE_H

#include "cli/options.h"
#include "events/event.h"
#include "gazetteer/gazetteer.h"
#include "geo/geo.h"
#include "store/store.h"
#include "util/progress.h"
#include "util/strbuf.h"

/* The source options as entries of a command's table, after its own:
 * their help starts at column 20 whatever the command's column. */
#define OPT_SOURCE(s)                                                                                               \
    OPT_COLUMN(20),                                                                                                 \
    OPT_STRING_F(0, "db", &(s)->db, "PATH|URL", "the store (default: $EVENTMAP_DB, else output/events.gpkg)", &(s)->db_given),               \
    OPT_STRING(0, "in", &(s)->in, "FILE", "read a CSV or GeoJSON file instead of a store"),                         \
    OPT_STRING(0, "since", &(s)->since, "DATE", "events on or after DATE (YYYY-MM-DD)"),                            \
    OPT_STRING(0, "until", &(s)->until, "DATE", "events on or before DATE"),                                        \
    OPT_STRING(0, "type", &(s)->type, "TYPE", "event_type or sub_event_type equals TYPE (any case)"),               \
    OPT_STRING(0, "actor", &(s)->actor, "TEXT", "actor1 or actor2 contains TEXT (any case)"),                       \
    OPT_STRING(0, "region", &(s)->region, "NAME",                                                                   \
               "inside a gazetteer region, governorate or country (the Badiya)"),                                   \
    OPT_STRING(0, "gazetteer", &(s)->gazetteer, "PATH", "the gazetteer index (default: the one 'make' builds)")

typedef struct {
    const char *db, *in;
    char *db_name;             /* store_display_name(db) once prepared: never a password */
    char *db_title;            /* store_short_name(db) once prepared */
    int db_given;              /* --db was given */
    const char *since, *until, *type, *actor, *region, *gazetteer;
    ev_filter filter;
    geo_ctx *geo;
    geo_shape *region_shape;
    int region_is_bbox;
    char region_label[160];
    gaz *g;
    store *st;                 /* the store, opened by cli_source_prepare (no --in) */
    ev_read_stats stats;       /* of the --in file, after cli_source_each */
} cli_source;

void cli_source_init(cli_source *s);
/* Check the options and open what they need; EXIT_OK or the exit code
 * after printing why. */
int cli_source_prepare(cli_source *s, const char *cmd);
/* The gazetteer, opened on first use; NULL after printing why. */
gaz *cli_source_gazetteer(cli_source *s, const char *cmd);

/* Each event passing the filters (inside one of the boxes when n_boxes > 0):
 * fn returns 0 to go on, 1 to stop, negative with *err for an error.
 * Returns EXIT_OK, or EXIT_FAIL after printing the error. */
typedef int (*cli_event_fn)(void *ctx, const ev_event *e, char **err);
int cli_source_each(cli_source *s, const char *cmd, const geo_bbox *boxes, size_t n_boxes, cli_event_fn fn,
                    void *ctx);
/* The same without printing (a tiles_source_fn: source is the cli_source):
 * 0, or negative with *err.  With --in the gazetteer must be open already
 * (cli_source_gazetteer). */
int cli_source_scan(void *source, const geo_bbox *boxes, size_t n_boxes, cli_event_fn fn, void *ctx, char **err);

/* The filters given, for a title: ", type T", ", actor \"A\"", ", in REGION"
 * appended to out as set (nothing without filters). */
void cli_source_describe(const cli_source *s, strbuf *out);

void cli_source_free(cli_source *s);

/* A progress line for what (a command's name) over the events read, towards
 * the number the store holds (unknown for --in); NULL when quiet or when
 * stderr is no terminal.  Caller ends it with progress_end. */
progress *cli_source_progress(cli_source *s, const char *what, int quiet);

#endif
