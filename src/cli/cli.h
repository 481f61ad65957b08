/*
 * cli.h - what the subcommands share: the command table entry points, exit
 * codes, strict parsing of numeric arguments, and where the default data
 * files are.  Only src/cli/ decides exit codes and prints to the terminal.
 */
#ifndef EVENTMAP_CLI_H
#define EVENTMAP_CLI_H

#include <stdint.h>

#include "geo/geo.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

/* The program's version: eventmap --version. */
#define EVENTMAP_VERSION "0.13.0"

int cmd_resolve(int argc, char **argv);
int cmd_geoparse(int argc, char **argv);
int cmd_gazetteer(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_near(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_map(int argc, char **argv);
int cmd_tiles(int argc, char **argv);
int cmd_store(int argc, char **argv);

/* Print "eventmap CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Strict parsers for option values: the whole string must be the value.
 * Each returns 0, or -1 after printing why to stderr (naming the option). */
int cli_parse_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out);
int cli_parse_latlon(const char *cmd, const char *opt, const char *s, geo_point *out);
/* --bbox "W,S,E,N" in degrees, west not east of east and south not north of
 * north (a box across the antimeridian is not supported); a box of no width
 * or height only when point_ok (tiles can cover a point, a map cannot). */
int cli_parse_bbox(const char *cmd, const char *s, int point_ok, geo_bbox *out);
/* "SY" or "sy,iq" to "SY,IQ" in out, "none" to ""; at most 10 codes.
 * Prints the usage error and returns -1 otherwise. */
int cli_parse_focus(const char *cmd, const char *opt, const char *s, char out[32]);
/* tiles --zoom "MIN-MAX" or "Z" (0..RENDER_MAX_ZOOM, MIN <= MAX). */
int cli_parse_zoom(const char *s, int *zmin, int *zmax);
/* map --size "WIDTHxHEIGHT": each side 64..RENDER_MAX_SIDE, at most 100 megapixels. */
int cli_parse_size(const char *s, int *w, int *h);

/* Path of a file that ships with or is built next to the program:
 * $EVENTMAP_HOME, or else the directory of the running executable, joined
 * with rel (".cache/gazetteer.idx").  Caller frees. */
char *cli_data_path(const char *rel);
/* The gazetteer index to use: opt when given, else $EVENTMAP_GAZETTEER, else
 * the one `make` builds.  Caller frees. */
char *cli_gazetteer_path(const char *opt);
/* The store when --db is not given: $EVENTMAP_DB (a path, or a
 * postgresql:// URL for a team's PostGIS), else output/events.gpkg. */
const char *cli_default_db(void);

/* The number of lines of the file at path, for a progress line's total:
 * 0 for "-" (standard input) or a file that cannot be read. */
uint64_t cli_count_lines(const char *path);

#endif
