/*
 * common.c - helpers shared by the subcommands (see cli.h).
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/render.h"
#include "util/strbuf.h"
#include "util/banned.h"

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "eventmap %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cli_parse_int(const char *cmd, const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (!*s || *end || errno == ERANGE || v < min || v > max) {
        cli_error(cmd, "%s \"%s\" is not a whole number in %ld..%ld", opt, s, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_coord(const char *s, size_t len, double *out)
{
    char buf[64];
    char *end;
    if (!len || len >= sizeof(buf)) return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (*end || errno == ERANGE || !isfinite(v) || strpbrk(buf, "xX")) return -1;
    *out = v;
    return 0;
}

int cli_parse_latlon(const char *cmd, const char *opt, const char *s, geo_point *out)
{
    const char *comma = strchr(s, ',');
    double lat, lon;
    if (!comma || strchr(comma + 1, ',') || parse_coord(s, (size_t)(comma - s), &lat) < 0 ||
        parse_coord(comma + 1, strlen(comma + 1), &lon) < 0) {
        cli_error(cmd, "%s \"%s\" is not LAT,LON in decimal degrees", opt, s);
        return -1;
    }
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) {
        cli_error(cmd, "%s \"%s\": latitude must be in -90..90 and longitude in -180..180", opt, s);
        return -1;
    }
    out->lat_deg = lat;
    out->lon_deg = lon;
    return 0;
}

char *cli_data_path(const char *rel)
{
    char exe[PATH_MAX];
    strbuf sb = STRBUF_INIT;
    const char *home = getenv("EVENTMAP_HOME");
    if (home && *home) {
        sb_addf(&sb, "%s/%s", home, rel);
        return sb_detach(&sb, NULL);
    }
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        sb_addf(&sb, "%s/%s", exe, rel);
    } else {
        sb_adds(&sb, rel);
    }
    return sb_detach(&sb, NULL);
}

char *cli_gazetteer_path(const char *opt)
{
    if (opt) return xstrdup(opt);
    const char *env = getenv("EVENTMAP_GAZETTEER");
    if (env && *env) return xstrdup(env);
    return cli_data_path(".cache/gazetteer.idx");
}

const char *cli_default_db(void)
{
    const char *env = getenv("EVENTMAP_DB");
    return env && *env ? env : "output/events.gpkg";
}

int cli_parse_focus(const char *cmd, const char *opt, const char *s, char out[32])
{
    size_t len = strlen(s), n = 0;
    if (!strcmp(s, "none")) {
        out[0] = '\0';
        return 0;
    }
    int ok = len > 0 && len < 32 && len % 3 == 2;
    for (size_t i = 0; ok && i < len; i++) {
        if (i % 3 == 2) {
            ok = s[i] == ',';
            out[n++] = ',';
        } else {
            ok = isalpha((unsigned char)s[i]) && !(s[i] & 0x80);
            out[n++] = (char)toupper((unsigned char)s[i]);
        }
    }
    out[n] = '\0';
    if (!ok) {
        cli_error(cmd, "%s \"%s\" is not ISO country codes such as SY or SY,IQ (at most 10), or none", opt, s);
        out[0] = '\0';
        return -1;
    }
    return 0;
}

int cli_parse_bbox(const char *cmd, const char *s, int point_ok, geo_bbox *out)
{
    double v[4];
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        char *end;
        errno = 0;
        v[i] = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(v[i]) || *end != (i < 3 ? ',' : '\0') ||
            memchr(p, 'x', (size_t)(end - p)) || memchr(p, 'X', (size_t)(end - p))) {
            cli_error(cmd, "--bbox \"%s\" is not W,S,E,N (four numbers, degrees)", s);
            return -1;
        }
        p = end + 1;
    }
    if (v[0] < -180 || v[0] > 180 || v[2] < -180 || v[2] > 180) {
        cli_error(cmd, "--bbox \"%s\": longitudes go from -180 to 180", s);
        return -1;
    }
    if (v[1] < -90 || v[1] > 90 || v[3] < -90 || v[3] > 90) {
        cli_error(cmd, "--bbox \"%s\": latitudes go from -90 to 90", s);
        return -1;
    }
    if (v[0] > v[2]) {
        cli_error(cmd, "--bbox \"%s\": west %g is east of east %g (the order is W,S,E,N; a box across "
                       "the antimeridian is not supported)", s, v[0], v[2]);
        return -1;
    }
    if (v[1] > v[3]) {
        cli_error(cmd, "--bbox \"%s\": south %g is north of north %g (the order is W,S,E,N)", s, v[1], v[3]);
        return -1;
    }
    if (!point_ok && (v[0] == v[2] || v[1] == v[3])) {
        cli_error(cmd, "--bbox \"%s\": the box has no width or no height", s);
        return -1;
    }
    *out = (geo_bbox){ v[0], v[1], v[2], v[3] };
    return 0;
}

int cli_parse_zoom(const char *s, int *zmin, int *zmax)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10), b = a;
    /* digits only: strtol would also take leading blanks and a sign (" -3") */
    int ok = end != s && isdigit((unsigned char)*s) && errno == 0;
    if (ok && *end == '-') {
        const char *t = end + 1;
        b = strtol(t, &end, 10);
        ok = end != t && isdigit((unsigned char)*t) && errno == 0;
    }
    if (!ok || *end) {
        cli_error("tiles", "--zoom \"%s\" is not MIN-MAX or one zoom level (whole numbers, 0..%d)", s,
                  RENDER_MAX_ZOOM);
        return -1;
    }
    if (a > RENDER_MAX_ZOOM || b > RENDER_MAX_ZOOM) {
        cli_error("tiles", "--zoom \"%s\": zoom levels go from 0 to %d", s, RENDER_MAX_ZOOM);
        return -1;
    }
    if (a > b) {
        cli_error("tiles", "--zoom \"%s\": MIN %ld is greater than MAX %ld", s, a, b);
        return -1;
    }
    *zmin = (int)a;
    *zmax = (int)b;
    return 0;
}

int cli_parse_size(const char *s, int *w, int *h)
{
    char *end;
    errno = 0;
    long a = strtol(s, &end, 10);
    if (end == s || !isdigit((unsigned char)*s) || errno || (*end != 'x' && *end != 'X')) goto bad;
    const char *t = end + 1;
    long b = strtol(t, &end, 10);
    if (end == t || !isdigit((unsigned char)*t) || errno || *end) goto bad;
    if (a < 64 || b < 64 || a > RENDER_MAX_SIDE || b > RENDER_MAX_SIDE) {
        cli_error("map", "--size \"%s\": each side must be 64..%d pixels", s, RENDER_MAX_SIDE);
        return -1;
    }
    if ((uint64_t)a * (uint64_t)b > 100000000ull) {
        cli_error("map", "--size \"%s\": at most 100 megapixels", s);
        return -1;
    }
    *w = (int)a;
    *h = (int)b;
    return 0;
bad:
    cli_error("map", "--size \"%s\" is not WIDTHxHEIGHT (e.g. 1600x1200)", s);
    return -1;
}

uint64_t cli_count_lines(const char *path)
{
    if (!strcmp(path, "-")) return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return 0;
    uint64_t n = 0;
    char buf[1 << 16];
    ssize_t got;
    while ((got = read(fd, buf, sizeof(buf))) > 0)
        for (const char *p = buf, *end = buf + got; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++) n++;
    close(fd);
    return n;
}
