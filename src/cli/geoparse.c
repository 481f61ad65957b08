/*
 * geoparse.c - `eventmap geoparse`: the places a news text mentions, found,
 * resolved with the document as context, and written as GeoJSON points or a
 * table.  A place-shaped name the gazetteer lacks ("Dean Woods Road") is
 * written unresolved (null geometry, "match": "none"); a name the gazetteer
 * has that the text does not use as a place is listed on stderr.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "cli.h"
#include "gazetteer/gazetteer.h"
#include "geoparse/geoparse.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const char geoparse_usage[] =
    "usage: eventmap geoparse [--published YYYY-MM-DD] [--country CC]\n"
    "                         [--format geojson|table] [--gazetteer PATH] FILE | -\n\n"
    "Finds the places a news text (UTF-8) mentions and resolves them, using the\n"
    "whole text as context.\n\n"
    "  --published DATE  the text's publication date (for relative dates)\n"
    "  --events          write the candidate events the text reports instead, as\n"
    "                    GeoJSON in the event model that 'eventmap import' reads\n"
    "  --country CC      the country the text is about (default: inferred)\n"
    "  --format F        geojson (default): one feature per mention, a Point, or\n"
    "                    null for a place-shaped name the gazetteer lacks (match\n"
    "                    \"none\"); kind \"demonym\" for a country's adjective\n"
    "                    (\"Turkish\"); or table\n"
    "  --gazetteer PATH  the index to use (default: the one 'make' builds)\n";

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

int cmd_geoparse(int argc, char **argv)
{
    static const struct option opts[] = {
        { "published", required_argument, NULL, 'p' },
        { "country", required_argument, NULL, 'c' },
        { "format", required_argument, NULL, 'f' },
        { "gazetteer", required_argument, NULL, 'g' },
        { "events", no_argument, NULL, 'e' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *gaz_opt = NULL;
    char country[3] = "";
    int table = 0, events = 0, c, status = EXIT_OK;
    const char *published = NULL;

    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (!valid_date(optarg)) {
                cli_error("geoparse", "--published \"%s\" is not a date YYYY-MM-DD", optarg);
                return EXIT_USAGE;
            }
            published = optarg;
            break;
        case 'e': events = 1; break;
        case 'c':
            if (strlen(optarg) != 2 || !isalpha((unsigned char)optarg[0]) || !isalpha((unsigned char)optarg[1])) {
                cli_error("geoparse", "--country \"%s\" is not a two-letter ISO country code", optarg);
                return EXIT_USAGE;
            }
            country[0] = (char)toupper((unsigned char)optarg[0]);
            country[1] = (char)toupper((unsigned char)optarg[1]);
            break;
        case 'f':
            if (!strcmp(optarg, "table")) table = 1;
            else if (!strcmp(optarg, "geojson")) table = 0;
            else {
                cli_error("geoparse", "--format \"%s\" is not geojson or table", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'g': gaz_opt = optarg; break;
        case 'h': fputs(geoparse_usage, stdout); return EXIT_OK;
        default:
            cli_error("geoparse", "unknown option '%s'", argv[optind - 1]);
            fputs(geoparse_usage, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fputs(geoparse_usage, stderr);
        return EXIT_USAGE;
    }
    const char *file = argv[optind];
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
    } else if (table) {
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
