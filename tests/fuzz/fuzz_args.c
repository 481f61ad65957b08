/*
 * fuzz_args.c - the command line's value parsers: cli_parse_int,
 * cli_parse_latlon, cli_parse_bbox (with and without point_ok),
 * cli_parse_focus, cli_parse_zoom (tiles --zoom), cli_parse_size (map
 * --size) and ev_parse_date (--since, --until, --published, CSV dates).
 * The first input byte picks the parser (mod 8); the rest is the argument.
 * Their usage errors go to stderr: run with -close_fd_mask=2.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "events/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *s = fuzz_strndup(data + 1, size - 1);
    long v;
    geo_point p;
    geo_bbox b;
    char focus[32];
    int a, z;
    int32_t day;
    char date[11];
    switch (data[0] % 8) {
    case 0: cli_parse_int("fuzz", "--limit", s, 1, 1000000, &v); break;
    case 1: cli_parse_latlon("fuzz", "--near", s, &p); break;
    case 2: cli_parse_bbox("fuzz", s, 0, &b); break;
    case 3: cli_parse_bbox("fuzz", s, 1, &b); break;
    case 4:
        if (cli_parse_focus("fuzz", "--focus", s, focus) == 0 && strlen(focus) >= sizeof(focus)) abort();
        break;
    case 5:
        if (cli_parse_zoom(s, &a, &z) == 0 && (a < 0 || a > z || z > 22)) abort();
        break;
    case 6:
        if (cli_parse_size(s, &a, &z) == 0 && (a < 64 || z < 64)) abort();
        break;
    default:
        if (ev_parse_date(s, &day, date) == 0) {
            /* the canonical form must parse back to the same day */
            int32_t again;
            char date2[11];
            if (strlen(date) != 10 || ev_parse_date(date, &again, date2) != 0 || again != day) abort();
        }
        break;
    }
    free(s);
    return 0;
}
