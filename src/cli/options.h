/*
 * options.h - a command's options as one table, from which come both the
 * parsing and the help, as git's parse-options.h:
 *
 *     struct cli_option options[] = {
 *         OPT_BOOL(0, "json", &json, "one JSON object per name per line"),
 *         OPT_INTEGER(0, "limit", &limit, "N", 1, 1000, "answers per name"),
 *         OPT_END()
 *     };
 *     argc = parse_options(argc, argv, options, &usage, 0);
 *     if (argc < 0) return parse_options_exit(argc);
 *
 * The table is read in order: each entry's value is checked when the
 * option is met, so the first bad option is the one reported.  -h and
 * --help are every command's; the help lists the entries in table order
 * as "  -o, --output FILE" followed by the entry's help from a column (20
 * unless an OPT_COLUMN entry says otherwise), on the next line when the
 * option reaches the column.  The parsing is getopt_long's: unique
 * prefixes of long options, --name=value, "--", and arguments that are
 * not options gathered after the options.
 */
#ifndef EVENTMAP_CLI_OPTIONS_H
#define EVENTMAP_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/cli.h"
#include "geo/geo.h"

/* The column where an option's help starts unless OPT_COLUMN says otherwise. */
#define CLI_HELP_COLUMN 20

/* A command's usage lines and the text around its options. */
struct cli_usage {
    const char *cmd;        /* the messages' subject: "import", "gazetteer build" */
    const char *usage;      /* "usage: eventmap import FILE... [--db PATH]\n" and its other lines */
    const char *text;       /* the paragraphs between the usage lines and the options */
    const char *epilogue;   /* the paragraphs after the options, or NULL */
};

/* A repeatable option's values, in the order given (borrowed from argv
 * unless pushed otherwise).  Zeroed is empty; cli_strlist_release frees the
 * array, not the strings. */
typedef struct {
    const char **v;
    size_t n, alloc;
} cli_strlist;

void cli_strlist_push(cli_strlist *l, const char *s);
void cli_strlist_release(cli_strlist *l);

enum cli_option_type {
    OPTION_END = 0,
    OPTION_COLUMN,      /* no option: the help of the entries after it starts at column min */
    OPTION_BOOL,        /* int *: set to 1 (there is no --no-NAME) */
    OPTION_STRING,      /* const char **: the value, borrowed from argv */
    OPTION_STRING_LIST, /* cli_strlist *: each value appended */
    OPTION_INTEGER,     /* long *: a whole number in min..max (cli_parse_int's message) */
    OPTION_CHOICE,      /* int *: the index of the value in choices */
    OPTION_CALLBACK     /* callback(opt, value, cmd) checks and stores the value */
};

struct cli_option;
/* Check arg, the value of opt, and store it through opt->value: 0, or -1
 * after printing why ("eventmap CMD: ..."). */
typedef int cli_option_fn(const struct cli_option *opt, const char *arg, const char *cmd);

struct cli_option {
    enum cli_option_type type;
    int short_name;             /* 'o' for -o, or 0 */
    const char *long_name;      /* "output" for --output */
    void *value;                /* where the value goes: the type says what it points to */
    const char *argh;           /* the value's name in the help ("PATH"); NULL: no value */
    const char *help;           /* may hold '\n': its lines go under each other */
    int *given;                 /* set to 1 once the option is given with a good value; may be NULL */
    long min, max;              /* OPTION_INTEGER's range (inclusive); OPTION_COLUMN's column in min */
    const char *const *choices; /* OPTION_CHOICE's values, NULL-terminated */
    cli_option_fn *callback;    /* OPTION_CALLBACK's */
    intptr_t defval;            /* for the callback: cli_opt_bbox's point_ok */
};

/* The value pointer, checked to be a T *: a value of another type is a
 * compiler warning ("pointer type mismatch"). */
#define CLI_OPT_VALUE_(T, v) (1 ? (v) : (T *)NULL)

#define OPT_END() { .type = OPTION_END }
#define OPT_COLUMN(n) { .type = OPTION_COLUMN, .min = (n) }
#define OPT_BOOL(s, l, v, h) \
    { .type = OPTION_BOOL, .short_name = (s), .long_name = (l), .value = CLI_OPT_VALUE_(int, v), .help = (h) }
#define OPT_STRING_F(s, l, v, a, h, g)                                                                   \
    { .type = OPTION_STRING, .short_name = (s), .long_name = (l), .value = CLI_OPT_VALUE_(const char *, v), \
      .argh = (a), .help = (h), .given = (g) }
#define OPT_STRING(s, l, v, a, h) OPT_STRING_F(s, l, v, a, h, NULL)
#define OPT_STRING_LIST(s, l, v, a, h)                                                                   \
    { .type = OPTION_STRING_LIST, .short_name = (s), .long_name = (l), .value = CLI_OPT_VALUE_(cli_strlist, v), \
      .argh = (a), .help = (h) }
#define OPT_INTEGER(s, l, v, a, lo, hi, h)                                                               \
    { .type = OPTION_INTEGER, .short_name = (s), .long_name = (l), .value = CLI_OPT_VALUE_(long, v),     \
      .argh = (a), .help = (h), .min = (lo), .max = (hi) }
/* "--NAME \"%s\" is not A, B or C" for a value not among c. */
#define OPT_CHOICE(s, l, v, a, c, h)                                                                     \
    { .type = OPTION_CHOICE, .short_name = (s), .long_name = (l), .value = CLI_OPT_VALUE_(int, v),       \
      .argh = (a), .help = (h), .choices = (c) }
#define OPT_CALLBACK_F(s, l, v, a, h, cb, g, d)                                                          \
    { .type = OPTION_CALLBACK, .short_name = (s), .long_name = (l), .value = (v), .argh = (a),           \
      .help = (h), .callback = (cb), .given = (g), .defval = (d) }
#define OPT_CALLBACK(s, l, v, a, h, cb) OPT_CALLBACK_F(s, l, v, a, h, cb, NULL, 0)

/* The value parsers of cli.h as callbacks; g (may be NULL) is set when the
 * option is given. */
cli_option_fn cli_opt_bbox, cli_opt_latlon, cli_opt_focus, cli_opt_country, cli_opt_zoom, cli_opt_size;
/* W,S,E,N into a geo_bbox (cli_parse_bbox); a box of no width or height only when point_ok. */
#define OPT_BBOX(l, v, g, point_ok, h) \
    OPT_CALLBACK_F(0, l, CLI_OPT_VALUE_(geo_bbox, v), "W,S,E,N", h, cli_opt_bbox, g, point_ok)
/* LAT,LON into a geo_point (cli_parse_latlon). */
#define OPT_LATLON(l, v, g, h) OPT_CALLBACK_F(0, l, CLI_OPT_VALUE_(geo_point, v), "LAT,LON", h, cli_opt_latlon, g, 0)
/* ISO country codes "SY" or "SY,IQ", or none, into a char[32] (cli_parse_focus). */
#define OPT_FOCUS(l, v, g, h) OPT_CALLBACK_F(0, l, CLI_OPT_VALUE_(char, v), "CC[,CC]", h, cli_opt_focus, g, 0)
/* A two-letter ISO country code, upper-cased into a char[3]. */
#define OPT_COUNTRY(l, v, h) OPT_CALLBACK_F(0, l, CLI_OPT_VALUE_(char, v), "CC", h, cli_opt_country, NULL, 0)
/* tiles --zoom MIN-MAX or Z into int[2] (cli_parse_zoom). */
#define OPT_ZOOM(l, v, h) OPT_CALLBACK_F(0, l, CLI_OPT_VALUE_(int, v), "MIN-MAX", h, cli_opt_zoom, NULL, 0)
/* map --size WIDTHxHEIGHT into int[2] (cli_parse_size). */
#define OPT_SIZE(l, v, h) OPT_CALLBACK_F(0, l, CLI_OPT_VALUE_(int, v), "WxH", h, cli_opt_size, NULL, 0)

enum {
    /* stop at the first argument that is not an option (gazetteer build) */
    PARSE_OPT_STOP_AT_NON_OPTION = 1 << 0,
    /* an unknown option or a missing value reads "unknown option '%s'"
     * (resolve's and geoparse's wording) rather than "unknown option or
     * missing value '%s'" */
    PARSE_OPT_SAY_UNKNOWN = 1 << 1
};

/* What parse_options answers instead of a count. */
enum { PARSE_OPT_HELP = -1, PARSE_OPT_ERROR = -2 };

/* Parse argv[1..argc) (argv[0] is the command's name) by the table
 * options, ended by OPT_END().  Returns the number of arguments that are
 * not options, moved to argv[0..n) in their order (argv[n] becomes NULL);
 * PARSE_OPT_HELP after writing the help to standard output (-h, --help);
 * PARSE_OPT_ERROR after writing why to standard error: for an unknown
 * option or a missing value "eventmap CMD: unknown option or missing
 * value 'ARG'" and the help, for a bad value the entry's own message. */
int parse_options(int argc, char **argv, const struct cli_option *options, const struct cli_usage *usage,
                  int flags);
/* The exit status after parse_options answered rc < 0: EXIT_OK after the
 * help, EXIT_USAGE after an error. */
static inline int parse_options_exit(int rc)
{
    return rc == PARSE_OPT_HELP ? EXIT_OK : EXIT_USAGE;
}

/* Write the help made from usage and options to out: the usage lines, a
 * blank line, the text, a blank line, the options, and the epilogue after
 * a blank line. */
void usage_with_options(FILE *out, const struct cli_usage *usage, const struct cli_option *options);

#endif
