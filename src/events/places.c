/*
 * places.c - a user's own places (gazetteer build --places) read from CSV:
 * a header naming name, lat and lon, and optionally id, country, admin1,
 * alternates and feature, in any order and under their usual other names.
 * The rows become gaz_user_place entries for gaz_build; every string is a
 * copy, so the file may go once it is read.
 */
#include "events/event.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

void ev_places_release(ev_places *up)
{
    for (size_t i = 0; i < up->n; i++) {
        gaz_user_place *u = &up->p[i];
        free((char *)u->id);
        free((char *)u->name);
        free((char *)u->alternates);
        free((char *)u->country);
        free((char *)u->admin1);
        free((char *)u->feature);
    }
    free(up->p);
    up->p = NULL;
    up->n = up->alloc = 0;
}

/* The column of the header named one of names (ASCII case aside), or -1. */
static int column_of(char **header, size_t n, const char *const *names)
{
    for (size_t i = 0; i < n; i++)
        for (int k = 0; names[k]; k++)
            if (!strcasecmp(header[i], names[k])) return (int)i;
    return -1;
}

/* A whole field as a finite number. */
static int parse_number(const char *text, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(text, &end);
    return end != text && !*end && !errno && isfinite(*out) ? 0 : -1;
}

int ev_places_read(const char *path, ev_places *up, char **err)
{
    static const char *const n_name[] = { "name", "place", "location", NULL };
    static const char *const n_lat[] = { "lat", "latitude", "y", NULL };
    static const char *const n_lon[] = { "lon", "lng", "long", "longitude", "x", NULL };
    static const char *const n_id[] = { "id", NULL };
    static const char *const n_cc[] = { "country", "country_code", "iso2", "cc", NULL };
    static const char *const n_adm1[] = { "admin1", "adm1", "adm_1", "province", "governorate", "state", NULL };
    static const char *const n_alt[] = { "alternates", "alternate_names", "alternatenames", "aliases", NULL };
    static const char *const n_feat[] = { "feature", NULL };
    FILE *in = fopen(path, "rb");
    if (!in) return em_error(err, EM_EIO, "unable to open '%s': %s", path, strerror(errno));
    ev_csv *csv = ev_csv_new(in);
    char **f = NULL, **header = NULL;
    size_t n = 0, n_header = 0, line = 0;
    const char *why = NULL;
    int rc = 0, col[8];
    int got = ev_csv_next(csv, &f, &n, &line, &why);
    if (got <= 0) {
        rc = em_error(err, got == -2 ? EM_EIO : EM_EINPUT, "%s:%zu: %s", path, line ? line : 1,
                      got == 0 ? "empty file: expected a header naming name, lat and lon" : why);
        goto done;
    }
    header = xcalloc(n, sizeof(*header));
    n_header = n;
    for (size_t i = 0; i < n; i++) header[i] = xstrdup(f[i]);
    const char *const *names[] = { n_name, n_lat, n_lon, n_id, n_cc, n_adm1, n_alt, n_feat };
    for (int k = 0; k < 8; k++) col[k] = column_of(header, n_header, names[k]);
    if (col[0] < 0 || col[1] < 0 || col[2] < 0) {
        rc = em_error(err, EM_EINPUT, "%s:%zu: the header names no %s column", path, line,
                      col[0] < 0 ? "name" : col[1] < 0 ? "lat (latitude)" : "lon (longitude)");
        goto done;
    }
    strbuf id = STRBUF_INIT;
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    while ((got = ev_csv_next(csv, &f, &n, &line, &why)) == 1) {
        if (n == 1 && !f[0][0]) continue; /* a blank line */
        if (!ev_csv_utf8_ok(csv)) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: invalid UTF-8", path, line);
            break;
        }
        if (n != n_header) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: expected %zu columns, found %zu", path, line, n_header, n);
            break;
        }
        double lat, lon;
        if (parse_number(f[col[1]], &lat) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: lat \"%s\" is not a number", path, line, f[col[1]]);
            break;
        }
        if (parse_number(f[col[2]], &lon) < 0) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: lon \"%s\" is not a number", path, line, f[col[2]]);
            break;
        }
        ALLOC_GROW(up->p, up->n + 1, up->alloc);
        gaz_user_place *u = &up->p[up->n++];
        memset(u, 0, sizeof(*u));
        sb_reset(&id);
        if (col[3] >= 0 && f[col[3]][0]) sb_adds(&id, f[col[3]]);
        else sb_addf(&id, "places:%s:%zu", base, line);
        u->id = sb_detach(&id, NULL);
        u->name = xstrdup(f[col[0]]);
        u->lat_deg = lat;
        u->lon_deg = lon;
        u->country = xstrdup(col[4] >= 0 ? f[col[4]] : "");
        u->admin1 = xstrdup(col[5] >= 0 ? f[col[5]] : "");
        u->alternates = xstrdup(col[6] >= 0 ? f[col[6]] : "");
        u->feature = xstrdup(col[7] >= 0 ? f[col[7]] : "");
        u->file = path;
        u->line = line;
    }
    sb_release(&id);
    if (!rc && got < 0) rc = em_error(err, got == -2 ? EM_EIO : EM_EINPUT, "%s:%zu: %s", path, line, why);
done:
    for (size_t i = 0; i < n_header; i++) free(header[i]);
    free(header);
    ev_csv_free(csv);
    fclose(in);
    return rc;
}
