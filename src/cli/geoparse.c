/*
 * geoparse.c - `eventmap geoparse`: the places a news text mentions, found,
 * resolved with the document as context, and written as GeoJSON points or a
 * table.  A place-shaped name the gazetteer lacks ("Dean Woods Road") is
 * written unresolved (null geometry, "match": "none"); a name the gazetteer
 * has that the text does not use as a place is listed on stderr.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
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

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

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

/* The candidate events as GeoJSON in the event model `import` reads. */
static int print_events(const char *file, const char *text, const gp_mentions *ms, const gp_candidates *ev)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    ev_geojson_writer *w = ev_geojson_open(stdout);
    strbuf id = STRBUF_INIT, notes = STRBUF_INIT;
    char date[11];
    for (size_t i = 0; i < ev->n; i++) {
        const gp_candidate *g = &ev->e[i];
        const gp_mention *m = &ms->m[g->mention];
        ev_event e;
        memset(&e, 0, sizeof(e));
        sb_reset(&id);
        sb_addf(&id, "%s:%zu", base, g->start);
        sb_reset(&notes);
        for (size_t k = g->start; k < g->end; k++) sb_addch(&notes, text[k] == '\n' || text[k] == '\r' ? ' ' : text[k]);
        ev_format_date(g->day, date);
        e.id = id.buf;
        e.event_date = date;
        e.day = g->day;
        e.time_precision = g->time_precision;
        e.event_type = g->event_type;
        e.sub_event_type = g->sub_event_type;
        e.actor1 = g->actor[0] ? g->actor[0] : "";
        e.actor2 = g->actor[1] ? g->actor[1] : "";
        e.country = m->place.country;
        e.admin1 = m->place.admin1;
        e.admin2 = e.admin3 = "";
        e.location = m->text;
        e.located = 1;
        e.lat = m->place.lat_deg;
        e.lon = m->place.lon_deg;
        const char *f = m->place.feature;
        e.geo_precision = g->inferred_place ? 2 : (f[0] == 'A' || f[0] == 'L' || f[0] == 'T') && strcmp(f, "L.MILB") ? 3 : 1;
        e.fatalities = g->fatalities;
        e.source = base;
        e.notes = notes.buf;
        e.gazetteer_id = m->place.id;
        e.match = gaz_match_name(m->place.match);
        e.confidence = m->confidence * (g->inferred_place ? 0.5 : 1.0);
        if (ev_geojson_write(w, &e, NULL, 0) < 0) break;
    }
    sb_release(&id);
    sb_release(&notes);
    return ev_geojson_close(w) < 0 ? -1 : 0;
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

static void print_geojson(const gp_mentions *ms)
{
    cJSON *fc = cJSON_CreateObject();
    cJSON_AddStringToObject(fc, "type", "FeatureCollection");
    cJSON *features = cJSON_AddArrayToObject(fc, "features");
    for (size_t i = 0; i < ms->n; i++) {
        const gp_mention *m = &ms->m[i];
        if (!m->reported) continue;
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "type", "Feature");
        if (m->resolved) {
            cJSON *geom = cJSON_AddObjectToObject(f, "geometry");
            cJSON_AddStringToObject(geom, "type", "Point");
            cJSON *coords = cJSON_AddArrayToObject(geom, "coordinates");
            cJSON_AddItemToArray(coords, cJSON_CreateNumber(round_to(m->place.lon_deg, 1e-5)));
            cJSON_AddItemToArray(coords, cJSON_CreateNumber(round_to(m->place.lat_deg, 1e-5)));
        } else {
            cJSON_AddNullToObject(f, "geometry"); /* a place the gazetteer lacks */
        }
        cJSON *p = cJSON_AddObjectToObject(f, "properties");
        cJSON_AddStringToObject(p, "mention", m->text);
        cJSON_AddNumberToObject(p, "start", (double)m->start);
        cJSON_AddNumberToObject(p, "end", (double)m->end);
        cJSON_AddNumberToObject(p, "sentence", m->sentence);
        cJSON_AddStringToObject(p, "kind", m->kind == GP_KIND_DEMONYM ? "demonym" : "name");
        if (m->dateline) cJSON_AddTrueToObject(p, "dateline");
        if (m->resolved) {
            cJSON_AddStringToObject(p, "name", m->place.name);
            cJSON_AddStringToObject(p, "gazetteer_id", m->place.id);
            cJSON_AddStringToObject(p, "match", gaz_match_name(m->place.match));
        } else {
            cJSON_AddNullToObject(p, "name");
            cJSON_AddNullToObject(p, "gazetteer_id");
            cJSON_AddStringToObject(p, "match", "none");
        }
        cJSON_AddNumberToObject(p, "confidence", round_to(m->confidence, 0.01));
        if (m->qualifier) cJSON_AddStringToObject(p, "qualifier", m->qualifier);
        else cJSON_AddNullToObject(p, "qualifier");
        if (m->resolved && m->place.has_bbox) {
            cJSON *bbox = cJSON_AddArrayToObject(p, "bbox");
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.west_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.south_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.east_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(m->place.bbox.north_deg, 1e-5)));
        }
        cJSON_AddItemToArray(features, f);
    }
    char *text = cJSON_Print(fc);
    puts(text);
    free(text);
    cJSON_Delete(fc);
}

static void print_table(const gp_mentions *ms)
{
    printf("%-4s %-11s %-22s %-26s %-24s %-6s %-5s %s\n", "sent", "bytes", "mention", "place",
           "gazetteer_id", "match", "conf", "qualifier");
    for (size_t i = 0; i < ms->n; i++) {
        const gp_mention *m = &ms->m[i];
        if (!m->reported) continue;
        char bytes[32];
        snprintf(bytes, sizeof(bytes), "%zu-%zu", m->start, m->end);
        printf("%-4d %-11s %-22s %-26s %-24s %-6s %.2f  %s\n", m->sentence, bytes, m->text,
               m->resolved ? m->place.name : "-", m->resolved ? m->place.id : "-",
               !m->resolved ? "none" : m->kind == GP_KIND_DEMONYM ? "demonym" : gaz_match_name(m->place.match),
               m->confidence,
               m->qualifier ? m->qualifier : "");
    }
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
        if (print_events(shown, text.buf, &ms, &ev) < 0) status = EXIT_FAIL;
        gp_candidates_release(&ev);
    } else if (table) {
        print_table(&ms);
    } else {
        print_geojson(&ms);
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
