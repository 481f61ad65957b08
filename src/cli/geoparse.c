/*
 * geoparse.c - `eventmap geoparse`: the places a news text mentions, found,
 * resolved with the document as context, and written as GeoJSON points or a
 * table.  A place-shaped name the gazetteer lacks ("Dean Woods Road") is
 * written unresolved (null geometry, "match": "none"); a name the gazetteer
 * has that the text does not use as a place is listed on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli/options.h"
#include "gazetteer/gazetteer.h"
#include "geoparse/geoparse.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const struct cli_usage geoparse_usage = {
    "geoparse",
    "usage: eventmap geoparse [--published YYYY-MM-DD] [--country CC]\n"
    "                         [--format geojson|table] [--gazetteer PATH] FILE | -\n",
    "Finds the places a news text (UTF-8) mentions and resolves them, using the\n"
    "whole text as context.\n",
    NULL
};

/* The largest text geoparse reads (README, "Limits"): the whole text is
 * held in memory, with its tokens and mentions. */
#define GEOPARSE_MAX_TEXT (256u << 20)

/* Read all of f into sb.  Returns 0; -1 with errno set on a read error; -2
 * when f holds more than max bytes. */
static int read_all(FILE *f, strbuf *sb, size_t max)
{
    for (;;) {
        sb_grow(sb, 65536);
        size_t n = fread(sb->buf + sb->len, 1, sb->alloc - sb->len - 1, f);
        sb_setlen(sb, sb->len + n);
        if (sb->len > max) return -2;
        if (n == 0) return ferror(f) ? -1 : 0;
    }
}

static int valid_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return 0;
    static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1] &&
           !(m == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

/* --published: a real day YYYY-MM-DD. */
static int opt_published(const struct cli_option *opt, const char *arg, const char *cmd)
{
    if (!valid_date(arg)) {
        cli_error(cmd, "--published \"%s\" is not a date YYYY-MM-DD", arg);
        return -1;
    }
    *(const char **)opt->value = arg;
    return 0;
}

int cmd_geoparse(int argc, char **argv)
{
    static const char *const formats[] = { "geojson", "table", NULL };
    const char *gaz_opt = NULL, *published = NULL;
    char country[3] = "";
    int format = 0, events = 0, status = EXIT_OK;
    struct cli_option options[] = {
        OPT_CALLBACK(0, "published", &published, "DATE", "the text's publication date (for relative dates)",
                     opt_published),
        OPT_BOOL(0, "events", &events, "write the candidate events the text reports instead, as\n"
                                      "GeoJSON in the event model that 'eventmap import' reads"),
        OPT_COUNTRY("country", country, "the country the text is about (default: inferred)"),
        OPT_CHOICE(0, "format", &format, "F", formats,
                   "geojson (default): one feature per mention, a Point, or\n"
                   "null for a place-shaped name the gazetteer lacks (match\n"
                   "\"none\"); kind \"demonym\" for a country's adjective\n"
                   "(\"Turkish\"); or table"),
        OPT_STRING(0, "gazetteer", &gaz_opt, "PATH", "the index to use (default: the one 'make' builds)"),
        OPT_END()
    };

    argc = parse_options(argc, argv, options, &geoparse_usage, PARSE_OPT_SAY_UNKNOWN);
    if (argc < 0) return parse_options_exit(argc);
    if (argc != 1) {
        usage_with_options(stderr, &geoparse_usage, options);
        return EXIT_USAGE;
    }
    const char *file = argv[0];
    const char *shown = strcmp(file, "-") ? file : "<stdin>";
    strbuf text = STRBUF_INIT;
    FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
    if (!f) {
        cli_error("geoparse", "unable to open '%s': %s", file, strerror(errno));
        return EXIT_FAIL;
    }
    struct stat st;
    int read_rc = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > GEOPARSE_MAX_TEXT
                      ? -2
                      : read_all(f, &text, GEOPARSE_MAX_TEXT);
    int read_errno = errno;
    if (f != stdin) fclose(f);
    if (read_rc == -2) {
        fprintf(stderr, "%s: text larger than 256 MiB (the limit)\n", shown);
        sb_release(&text);
        return EXIT_FAIL;
    }
    if (read_rc < 0) {
        cli_error("geoparse", "unable to read '%s': %s", shown, strerror(read_errno));
        sb_release(&text);
        return EXIT_FAIL;
    }

    char *path = cli_gazetteer_path(gaz_opt);
    char *err = NULL;
    gaz *g = NULL;
    if (gaz_open(path, &g, &err) < 0) {
        cli_error("geoparse", "%s", err);
        fputs("hint: run 'make' to build the default index, or 'eventmap gazetteer build'\n", stderr);
        free(err);
        free(path);
        sb_release(&text);
        return EXIT_FAIL;
    }
    gp_options gopt = { country[0] ? country : NULL };
    gp_mentions ms = { NULL, 0, 0 };
    if (gp_parse(g, shown, text.buf, text.len, &gopt, &ms, &err) < 0) {
        fprintf(stderr, "%s\n", err ? err : "cannot parse the text");
        free(err);
        status = EXIT_FAIL;
        goto cleanup;
    }
    for (size_t i = 0; i < ms.n; i++)
        if (!ms.m[i].reported)
            fprintf(stderr, "%s: unresolved mention \"%s\" at bytes %zu-%zu\n", shown, ms.m[i].text,
                    ms.m[i].start, ms.m[i].end);
    if (events) {
        int32_t day;
        char canon[11];
        if (!published) {
            /* relative dates need a day to count from: today's, and say so */
            time_t now = time(NULL);
            day = (int32_t)(now / 86400);
            ev_format_date(day, canon);
            fprintf(stderr, "eventmap geoparse: no --published date; dates are counted from today, %s\n", canon);
        } else {
            ev_parse_date(published, &day, canon);
        }
        gp_candidates ev = { NULL, 0, 0 };
        gp_candidates_find(text.buf, text.len, &ms, day, &ev);
        if (gp_write_events(stdout, shown, text.buf, &ms, &ev) < 0) status = EXIT_FAIL;
        gp_candidates_release(&ev);
    } else if (format == 1) {
        gp_write_table(stdout, &ms);
    } else {
        gp_write_geojson(stdout, &ms);
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("geoparse", "cannot write the output");
        status = EXIT_FAIL;
    }
cleanup:
    gp_mentions_release(&ms);
    gaz_close(g);
    free(path);
    sb_release(&text);
    return status;
}
