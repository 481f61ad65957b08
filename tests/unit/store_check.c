/*
 * store_check.c - the test helpers of test_helpers.h that look inside a
 * store file with SQLite alone, as another program would: its GeoPackage
 * points read by a decoder of the tests' own (not the library's), and
 * whether the R*Tree, its triggers and gpkg_contents say what the rows say.
 */
#include "test_helpers.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

static double f64_at(const unsigned char *p, int little)
{
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++) bits = bits << 8 | p[little ? 7 - i : i];
    double v;
    memcpy(&v, &bits, sizeof(v));
    return v;
}

static uint32_t u32_at(const unsigned char *p, int little)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | p[little ? 3 - i : i];
    return v;
}

int test_gpkg_point(const void *blob, size_t len, double *lon, double *lat)
{
    static const size_t envelope_bytes[] = { 0, 32, 48, 48, 64 };
    const unsigned char *b = blob;
    if (!b) return 0;
    if (len < 8 || b[0] != 'G' || b[1] != 'P' || b[2] != 0 || (b[3] & 0x20) || ((b[3] >> 1) & 7) > 4) return -1;
    size_t at = 8 + envelope_bytes[(b[3] >> 1) & 7];
    if (len < at + 21 || b[at] > 1) return -1;
    int little = b[at];
    uint32_t type = u32_at(b + at + 1, little);
    if (type % 1000 != 1) return -1;
    *lon = f64_at(b + at + 5, little);
    *lat = f64_at(b + at + 13, little);
    int empty = isnan(*lon) || isnan(*lat);
    if (empty != ((b[3] & 0x10) != 0)) return -1; /* the flag says what the point is */
    return !empty;
}

/* The one value of sql (an integer), or -1. */
static long long one_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

char *test_store_check(const char *path, int exact_extent)
{
    strbuf why = STRBUF_INIT;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL, *entry = NULL;
    /* read-write: a killed writer's journal is rolled back on the way in */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sb_addf(&why, "%s: cannot open: %s", path, sqlite3_errmsg(db));
        goto done;
    }
    static const char *const checks[] = {
        "SELECT integrity_check FROM pragma_integrity_check",
        "SELECT rtreecheck('rtree_events_geom')",
    };
    for (size_t i = 0; i < 2; i++) {
        const char *got = NULL;
        if (sqlite3_prepare_v2(db, checks[i], -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
            got = (const char *)sqlite3_column_text(st, 0);
        if (!got || strcmp(got, "ok") != 0)
            sb_addf(&why, "%s: %s: %s\n", path, checks[i], got ? got : sqlite3_errmsg(db));
        sqlite3_finalize(st);
        st = NULL;
    }
    long long n_triggers = one_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN"
                                       " ('rtree_events_geom_insert', 'rtree_events_geom_update1',"
                                       " 'rtree_events_geom_update2', 'rtree_events_geom_update3',"
                                       " 'rtree_events_geom_update4', 'rtree_events_geom_delete')");
    if (n_triggers != 6) sb_addf(&why, "%s: %lld of the R*Tree's 6 triggers\n", path, n_triggers);

    /* every row: its point, in the R*Tree exactly when located, in a box of
     * 32-bit floats around it; the R*Tree no more than that */
    double ext[4] = { INFINITY, -INFINITY, INFINITY, -INFINITY };
    long long n_located = 0;
    if (sqlite3_prepare_v2(db, "SELECT fid, geom FROM events", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT minx, maxx, miny, maxy FROM rtree_events_geom WHERE id = ?1", -1, &entry,
                           NULL) != SQLITE_OK) {
        sb_addf(&why, "%s: %s\n", path, sqlite3_errmsg(db));
        goto done;
    }
    while (sqlite3_step(st) == SQLITE_ROW && why.len < 2000) {
        long long fid = sqlite3_column_int64(st, 0);
        double lon = 0, lat = 0;
        int located = test_gpkg_point(sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &lon, &lat);
        if (located < 0) {
            sb_addf(&why, "%s: fid %lld: not a GeoPackage point\n", path, fid);
            continue;
        }
        sqlite3_bind_int64(entry, 1, fid);
        int has_entry = sqlite3_step(entry) == SQLITE_ROW;
        if (located && !has_entry) sb_addf(&why, "%s: fid %lld: located but not in the R*Tree\n", path, fid);
        if (!located && has_entry) sb_addf(&why, "%s: fid %lld: not located but in the R*Tree\n", path, fid);
        if (located && has_entry) {
            double b[4];
            for (int k = 0; k < 4; k++) b[k] = sqlite3_column_double(entry, k);
            if (!(b[0] <= lon && lon <= b[1] && b[2] <= lat && lat <= b[3]) || b[1] - b[0] > 1e-4 ||
                b[3] - b[2] > 1e-4)
                sb_addf(&why, "%s: fid %lld: point %.17g,%.17g, R*Tree box %.9g..%.9g, %.9g..%.9g\n", path, fid,
                        lon, lat, b[0], b[1], b[2], b[3]);
        }
        sqlite3_reset(entry);
        if (located) {
            n_located++;
            ext[0] = fmin(ext[0], lon);
            ext[1] = fmax(ext[1], lon);
            ext[2] = fmin(ext[2], lat);
            ext[3] = fmax(ext[3], lat);
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    long long n_entries = one_int(db, "SELECT count(*) FROM rtree_events_geom");
    if (n_entries != n_located)
        sb_addf(&why, "%s: %lld entries in the R*Tree, %lld located events\n", path, n_entries, n_located);

    /* gpkg_contents' extent: the points' own (or around them, after
     * another program's writes), NULL without a point */
    if (sqlite3_prepare_v2(db, "SELECT min_x, max_x, min_y, max_y FROM gpkg_contents WHERE table_name = 'events'",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        sb_addf(&why, "%s: no events in gpkg_contents\n", path);
        goto done;
    }
    for (int k = 0; k < 4; k++) {
        int null = sqlite3_column_type(st, k) == SQLITE_NULL;
        double got = sqlite3_column_double(st, k);
        if (!n_located && !null) sb_addf(&why, "%s: gpkg_contents: extent %d is %.17g without a point\n", path, k, got);
        else if (n_located && null) sb_addf(&why, "%s: gpkg_contents: extent %d is NULL\n", path, k);
        else if (n_located && (exact_extent ? got != ext[k] : k % 2 ? got < ext[k] : got > ext[k]))
            sb_addf(&why, "%s: gpkg_contents: extent %d is %.17g, the points' %.17g\n", path, k, got, ext[k]);
    }

done:
    sqlite3_finalize(st);
    sqlite3_finalize(entry);
    sqlite3_close(db);
    if (!why.len) {
        sb_release(&why);
        return NULL;
    }
    return sb_detach(&why, NULL);
}
