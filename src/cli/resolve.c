/*
 * resolve.c - `eventmap resolve`: place names to coordinates, as a table or
 * one JSON object per name per line.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli/options.h"
#include "gazetteer/gazetteer.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const struct cli_usage resolve_usage = {
    "resolve",
    "usage: eventmap resolve [--json] [--country CC] [--near LAT,LON] [--focus CC]\n"
    "                        [--limit N] [--gazetteer PATH] NAME... | -\n",
    "Resolves each place name, however a reporter spelled it, to ranked places.\n"
    "With '-', names are read one per line from standard input.\n",
    "Each answer says how it matched (exact, alias, fuzzy, region) and its score\n"
    "(0-1: match quality weighed with the place's importance and the hints).\n"
};

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

static void print_json(const char *query, const gaz_result *r, int n)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "query", query);
    cJSON *arr = cJSON_AddArrayToObject(obj, "results");
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", r[i].name);
        cJSON_AddNumberToObject(o, "lat", round_to(r[i].lat_deg, 1e-5));
        cJSON_AddNumberToObject(o, "lon", round_to(r[i].lon_deg, 1e-5));
        cJSON_AddStringToObject(o, "id", r[i].id);
        cJSON_AddStringToObject(o, "feature", r[i].feature);
        cJSON_AddStringToObject(o, "country", r[i].country);
        cJSON_AddStringToObject(o, "admin1", r[i].admin1);
        cJSON_AddNumberToObject(o, "population", (double)r[i].population);
        cJSON_AddStringToObject(o, "match", gaz_match_name(r[i].match));
        cJSON_AddStringToObject(o, "matched", r[i].matched);
        cJSON_AddNumberToObject(o, "score", round_to(r[i].score, 0.01));
        if (r[i].has_bbox) {
            cJSON *bbox = cJSON_AddArrayToObject(o, "bbox");
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(r[i].bbox.west_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(r[i].bbox.south_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(r[i].bbox.east_deg, 1e-5)));
            cJSON_AddItemToArray(bbox, cJSON_CreateNumber(round_to(r[i].bbox.north_deg, 1e-5)));
        }
        cJSON_AddItemToArray(arr, o);
    }
    char *text = cJSON_PrintUnformatted(obj);
    puts(text);
    free(text);
    cJSON_Delete(obj);
}

/* Width in terminal columns of UTF-8 text (one column per code point). */
static int text_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void print_padded(const char *s, int width)
{
    fputs(s, stdout);
    for (int w = text_width(s); w < width; w++) putchar(' ');
}

static void print_table(const char *query, const gaz_result *r, int n)
{
    printf("%s\n", query);
    if (!n) {
        puts("  (no match)");
        return;
    }
    for (int i = 0; i < n; i++) {
        printf("  %d  ", i + 1);
        print_padded(r[i].name, 26);
        printf(" %9.5f %10.5f  %-8s %-2s  ", r[i].lat_deg, r[i].lon_deg, r[i].feature,
               r[i].country[0] ? r[i].country : "--");
        print_padded(r[i].admin1[0] ? r[i].admin1 : "-", 20);
        printf(" %-6s %.2f  %s\n", gaz_match_name(r[i].match), r[i].score, r[i].id);
    }
}

static int resolve_one(const gaz *g, const gaz_query *q, const char *name, int limit, int json,
                       gaz_result *buf, const char *where)
{
    char *err = NULL;
    int n = gaz_resolve(g, name, q, buf, limit, &err);
    if (n < 0) {
        fprintf(stderr, "%s: %s\n", where, err ? err : "cannot resolve");
        free(err);
        return -1;
    }
    if (json) print_json(name, buf, n);
    else print_table(name, buf, n);
    return 0;
}

int cmd_resolve(int argc, char **argv)
{
    int json = 0, status = EXIT_OK;
    long limit = 5;
    const char *gaz_opt = NULL;
    char country[3] = "", focus[32] = "";
    int focus_given = 0;
    gaz_query q;
    memset(&q, 0, sizeof(q));
    struct cli_option options[] = {
        OPT_BOOL(0, "json", &json, "one JSON object per name per line instead of a table"),
        OPT_COUNTRY("country", country, "prefer places in this country (ISO alpha-2, e.g. SY)"),
        OPT_LATLON("near", &q.near, &q.has_near, "prefer places near this point"),
        OPT_FOCUS("focus", focus, &focus_given, "home countries when no --country is given (default: the\n"
                                                "index's own, SY for the default index), or none"),
        OPT_INTEGER(0, "limit", &limit, "N", 1, 1000, "answers per name (default 5, at most 1000)"),
        OPT_STRING(0, "gazetteer", &gaz_opt, "PATH", "the index to use (default: the one 'make' builds)"),
        OPT_END()
    };

    argc = parse_options(argc, argv, options, &resolve_usage, PARSE_OPT_SAY_UNKNOWN);
    if (argc < 0) return parse_options_exit(argc);
    if (!argc) {
        usage_with_options(stderr, &resolve_usage, options);
        return EXIT_USAGE;
    }
    if (country[0]) {
        q.country = country;
        q.within = country; /* inside that country or not at all */
    }
    if (focus_given) q.focus = focus;

    char *path = cli_gazetteer_path(gaz_opt);
    char *err = NULL;
    gaz *g = NULL;
    if (gaz_open(path, &g, &err) < 0) {
        cli_error("resolve", "%s", err);
        fputs("hint: run 'make' to build the default index, or 'eventmap gazetteer build'\n", stderr);
        free(err);
        free(path);
        return EXIT_FAIL;
    }
    gaz_result *buf = xmalloc((size_t)limit * sizeof(*buf));
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-")) {
            char *line = NULL;
            size_t cap = 0, lineno = 0;
            ssize_t len;
            while ((len = xgetline(&line, &cap, stdin, EM_MAX_LINE)) >= 0) {
                char where[64];
                lineno++;
                while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
                snprintf(where, sizeof(where), "<stdin>:%zu", lineno);
                if ((size_t)len != strlen(line)) {
                    fprintf(stderr, "%s: NUL byte in name\n", where);
                    status = EXIT_FAIL;
                    continue;
                }
                if (len == 0) continue;
                if (resolve_one(g, &q, line, (int)limit, json, buf, where) < 0) status = EXIT_FAIL;
            }
            if (len == -2) {
                fprintf(stderr, "<stdin>:%zu: line longer than 1 MiB (the limit)\n", lineno + 1);
                status = EXIT_FAIL;
            } else if (ferror(stdin)) {
                fprintf(stderr, "<stdin>: read error: %s\n", strerror(errno));
                status = EXIT_FAIL;
            }
            free(line);
        } else {
            char where[64];
            snprintf(where, sizeof(where), "argument %d", i + 1);
            if (resolve_one(g, &q, argv[i], (int)limit, json, buf, where) < 0) status = EXIT_FAIL;
        }
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_error("resolve", "cannot write the output");
        status = EXIT_FAIL;
    }
    free(buf);
    gaz_close(g);
    free(path);
    return status;
}
