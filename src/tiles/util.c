/*
 * util.c - the plain parts of tiles_int.h: the zoom that fits a view
 * (spherical Web Mercator, as render.h's tile math), and the mkdir -p
 * that remembers what it made (files go through util/tempfile.h).
 */
#include "tiles/tiles_int.h"

#include "render/render.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

const char tiles_attribution[] =
    "Places: GeoNames (CC BY 4.0) \xc2\xb7 Base map: Natural Earth (public domain) \xc2\xb7 eventmap";

/* Fractional tile column and row of lon/lat at zoom (spherical Web
 * Mercator; latitude clamped to the square world). */
static double frac_x(double lon_deg, int zoom)
{
    return (lon_deg + 180.0) / 360.0 * ldexp(1.0, zoom);
}

static double frac_y(double lat_deg, int zoom)
{
    double lat = lat_deg < -RENDER_MAX_LAT ? -RENDER_MAX_LAT : lat_deg > RENDER_MAX_LAT ? RENDER_MAX_LAT : lat_deg;
    double phi = lat * M_PI / 180.0;
    return (1.0 - log(tan(phi) + 1.0 / cos(phi)) / M_PI) / 2.0 * ldexp(1.0, zoom);
}

int tiles_fit_zoom(const geo_bbox *bounds, int minzoom, int maxzoom, int width_px, int height_px)
{
    for (int z = maxzoom; z > minzoom; z--) {
        double w = (frac_x(bounds->east_deg, z) - frac_x(bounds->west_deg, z)) * 256.0;
        double h = (frac_y(bounds->south_deg, z) - frac_y(bounds->north_deg, z)) * 256.0;
        if (w <= width_px && h <= height_px) return z;
    }
    return minzoom;
}

/* ---------------------------------------------------------------- files */

int tiles_mkdirs(const char *path, tiles_dirlist *created, char **err)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        return em_error(err, EM_EIO, "%s: cannot create: a file of that name is in the way", path);
    }
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, path);
    while (sb.len > 1 && sb.buf[sb.len - 1] == '/') sb_setlen(&sb, sb.len - 1);
    int rc = 0;
    /* each prefix ending before a '/', then the whole path */
    for (size_t i = 1; i <= sb.len && !rc; i++) {
        if (i < sb.len && sb.buf[i] != '/') continue;
        char saved = sb.buf[i];
        sb.buf[i] = '\0';
        if (mkdir(sb.buf, 0777) == 0) {
            if (created) {
                ALLOC_GROW(created->paths, created->n + 1, created->alloc);
                created->paths[created->n++] = xstrdup(sb.buf);
            }
        } else if (errno != EEXIST || stat(sb.buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
            int e = errno == EEXIST ? ENOTDIR : errno;
            rc = em_error(err, EM_EIO, "%s: cannot create: %s", path, strerror(e));
        }
        sb.buf[i] = saved;
    }
    sb_release(&sb);
    return rc;
}

void tiles_rmdirs(tiles_dirlist *list)
{
    for (size_t i = list->n; i-- > 0;) rmdir(list->paths[i]);
    tiles_dirlist_release(list);
}

void tiles_dirlist_release(tiles_dirlist *list)
{
    for (size_t i = 0; i < list->n; i++) free(list->paths[i]);
    free(list->paths);
    memset(list, 0, sizeof(*list));
}

