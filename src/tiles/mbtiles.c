/*
 * mbtiles.c - the MBTiles 1.3 writer of tiles_int.h: one SQLite file with
 * the spec's `metadata` and `tiles` tables (TMS row order), built under a
 * temporary name in one transaction and renamed into place when complete,
 * so that a reader never opens a half-written tileset.  The temporary file
 * needs no journal and no fsync per statement: if the run dies it is thrown
 * away, so it runs with journal_mode=OFF and synchronous=OFF and is synced
 * once before the rename.
 */
#include "tiles/tiles_int.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/banned.h"

/* "MPBX": the application_id MBTiles 1.3 suggests. */
#define MBTILES_APPLICATION_ID 0x4d504258

struct tiles_mbtiles {
    char *path;          /* where the file goes */
    tempfile out;        /* where it is written: out.tmp_path */
    sqlite3 *db;
    sqlite3_stmt *put, *has;
    pthread_mutex_t lock; /* serialises tiles_mbtiles_put */
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS metadata (name text, value text);"
    "CREATE UNIQUE INDEX IF NOT EXISTS name ON metadata (name);"
    "CREATE TABLE IF NOT EXISTS tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);"
    "CREATE UNIQUE INDEX IF NOT EXISTS tile_index ON tiles (zoom_level, tile_column, tile_row);";

static int db_error(tiles_mbtiles *m, const char *what, char **err)
{
    int rc = sqlite3_extended_errcode(m->db);
    if ((rc & 0xff) == SQLITE_FULL || sqlite3_system_errno(m->db) == ENOSPC)
        return em_error(err, EM_EIO, "%s: %s: disk full (no space left on device)", m->path, what);
    return em_error(err, EM_EIO, "%s: %s: %s", m->path, what, sqlite3_errmsg(m->db));
}

static void close_db(tiles_mbtiles *m)
{
    sqlite3_finalize(m->put);
    sqlite3_finalize(m->has);
    sqlite3_close(m->db);
    m->put = m->has = NULL;
    m->db = NULL;
}

static void free_m(tiles_mbtiles *m)
{
    pthread_mutex_destroy(&m->lock);
    free(m->path);
    free(m);
}

void tiles_mbtiles_abort(tiles_mbtiles *m)
{
    if (!m) return;
    close_db(m);
    tempfile_abort(&m->out);
    free_m(m);
}

/* Is the file at path an MBTiles file we can continue?  (Has both tables.) */
static int looks_like_mbtiles(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN ('metadata','tiles')",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n == 2;
}

/* Whether the file at path, which exists, is one we may write over: an
 * MBTiles file, or empty.  Anything else ("--mbtiles /etc/passwd", a
 * store named by mistake) is left alone. */
static int may_replace(const char *path, const struct stat *st)
{
    if (st->st_size == 0) return 1;
    sqlite3 *db = NULL;
    int ok = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK &&
             looks_like_mbtiles(db);
    sqlite3_close(db);
    return ok;
}

int tiles_mbtiles_open(const char *path, int resume, tiles_mbtiles **out, char **err)
{
    *out = NULL;
    struct stat old;
    if (stat(path, &old) == 0 && S_ISREG(old.st_mode) && !may_replace(path, &old))
        return em_error(err, EM_EINPUT, "%s: exists and is not an MBTiles file; not overwritten", path);
    tiles_mbtiles *m = xcalloc(1, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    m->path = xstrdup(path);
    m->out = (tempfile)TEMPFILE_INIT;

    /* the temporary file (what killed runs left goes), a copy of the old
     * file when resuming, closed for SQLite to open by name */
    int rc = tempfile_create(&m->out, path, "tiles:mbtiles-before-rename", 0, err);
    if (rc < 0) goto fail;
    struct stat st;
    int from_old = resume && stat(path, &st) == 0 && S_ISREG(st.st_mode);
    if (from_old) {
        FILE *in = fopen(path, "rb");
        if (!in) {
            rc = em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
            goto fail;
        }
        char chunk[65536];
        size_t n;
        while (!rc && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
            if (fwrite(chunk, 1, n, tempfile_fp(&m->out)) != n)
                rc = em_error(err, EM_EIO, "%s: cannot write: %s", path, strerror(errno));
        if (!rc && ferror(in)) rc = em_error(err, EM_EIO, "%s: cannot read: %s", path, strerror(errno));
        fclose(in);
        if (rc < 0) goto fail;
    }
    rc = tempfile_close(&m->out, err);
    if (rc < 0) goto fail;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(m->out.tmp_path, &m->db, flags, NULL) != SQLITE_OK) {
        int sys_errno = m->db ? sqlite3_system_errno(m->db) : 0;
        rc = em_error(err, EM_EIO, "%s: cannot create: %s", path,
                      sys_errno ? strerror(sys_errno) : m->db ? sqlite3_errmsg(m->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(m->db, 1);
    if (from_old && !looks_like_mbtiles(m->db)) {
        rc = em_error(err, EM_EINPUT, "%s: not an MBTiles file (no metadata and tiles tables)", path);
        goto fail;
    }
    strbuf sql = STRBUF_INIT;
    sb_addf(&sql, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA application_id = %d; %s BEGIN;",
            MBTILES_APPLICATION_ID, schema_sql);
    char *msg = NULL;
    if (sqlite3_exec(m->db, sql.buf, NULL, NULL, &msg) != SQLITE_OK) {
        int sys_errno = sqlite3_system_errno(m->db);
        rc = em_error(err, from_old ? EM_EINPUT : EM_EIO, "%s: cannot create: %s", path,
                      sys_errno ? strerror(sys_errno) : msg ? msg : "SQLite error");
        sqlite3_free(msg);
        sb_release(&sql);
        goto fail;
    }
    sb_release(&sql);
    if (sqlite3_prepare_v2(m->db,
                           "INSERT OR REPLACE INTO tiles (zoom_level, tile_column, tile_row, tile_data) "
                           "VALUES (?, ?, ?, ?)",
                           -1, &m->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(m->db,
                           "SELECT 1 FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", -1,
                           &m->has, NULL) != SQLITE_OK) {
        rc = db_error(m, "cannot prepare", err);
        goto fail;
    }
    *out = m;
    return 0;

fail:
    tiles_mbtiles_abort(m);
    return rc;
}

/* XYZ row to TMS row. */
static int64_t tms_row(int zoom, uint32_t y)
{
    return ((int64_t)1 << zoom) - 1 - (int64_t)y;
}

int tiles_mbtiles_has(tiles_mbtiles *m, int zoom, uint32_t x, uint32_t y)
{
    pthread_mutex_lock(&m->lock);
    sqlite3_bind_int(m->has, 1, zoom);
    sqlite3_bind_int64(m->has, 2, x);
    sqlite3_bind_int64(m->has, 3, tms_row(zoom, y));
    int found = sqlite3_step(m->has) == SQLITE_ROW;
    sqlite3_reset(m->has);
    pthread_mutex_unlock(&m->lock);
    return found;
}

int tiles_mbtiles_put(tiles_mbtiles *m, int zoom, uint32_t x, uint32_t y, const void *png, size_t len,
                      char **err)
{
    int rc = 0;
    pthread_mutex_lock(&m->lock);
    sqlite3_bind_int(m->put, 1, zoom);
    sqlite3_bind_int64(m->put, 2, x);
    sqlite3_bind_int64(m->put, 3, tms_row(zoom, y));
    sqlite3_bind_blob64(m->put, 4, png, len, SQLITE_STATIC);
    if (sqlite3_step(m->put) != SQLITE_DONE) {
        int sys_errno = sqlite3_system_errno(m->db);
        int full = (sqlite3_extended_errcode(m->db) & 0xff) == SQLITE_FULL || sys_errno == ENOSPC;
        rc = em_error(err, EM_EIO, "%s: cannot write tile %d/%u/%u: %s", m->path, zoom, x, y,
                      full        ? "disk full (no space left on device)"
                      : sys_errno ? strerror(sys_errno)
                                  : sqlite3_errmsg(m->db));
    }
    sqlite3_reset(m->put);
    sqlite3_clear_bindings(m->put);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int put_meta(tiles_mbtiles *m, sqlite3_stmt *st, const char *name, const char *value, char **err)
{
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int ok = sqlite3_step(st) == SQLITE_DONE;
    sqlite3_reset(st);
    return ok ? 0 : db_error(m, "cannot write the metadata", err);
}

int tiles_mbtiles_finish(tiles_mbtiles *m, const tiles_meta *meta, char **err)
{
    int rc = 0;
    sqlite3_stmt *st = NULL;
    char bounds[128], center[96], minzoom[16], maxzoom[16];
    snprintf(bounds, sizeof(bounds), "%.6f,%.6f,%.6f,%.6f", meta->bounds.west_deg, meta->bounds.south_deg,
             meta->bounds.east_deg, meta->bounds.north_deg);
    snprintf(center, sizeof(center), "%.6f,%.6f,%d", meta->center_lon_deg, meta->center_lat_deg, meta->center_zoom);
    /* the zooms the file holds (a resumed file may hold more than this run's) */
    int zmin = meta->minzoom, zmax = meta->maxzoom;
    if (sqlite3_prepare_v2(m->db, "SELECT min(zoom_level), max(zoom_level) FROM tiles", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
        zmin = sqlite3_column_int(st, 0);
        zmax = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    st = NULL;
    snprintf(minzoom, sizeof(minzoom), "%d", zmin);
    snprintf(maxzoom, sizeof(maxzoom), "%d", zmax);
    const char *rows[][2] = {
        { "name", meta->name },
        { "format", "png" },
        { "bounds", bounds },
        { "center", center },
        { "minzoom", minzoom },
        { "maxzoom", maxzoom },
        { "attribution", meta->attribution },
        { "description", meta->description },
        { "type", "baselayer" },
        { "version", "1.0.0" },
    };
    if (sqlite3_prepare_v2(m->db, "INSERT OR REPLACE INTO metadata (name, value) VALUES (?, ?)", -1, &st,
                           NULL) != SQLITE_OK) {
        rc = db_error(m, "cannot write the metadata", err);
        goto fail;
    }
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]) && !rc; i++)
        rc = put_meta(m, st, rows[i][0], rows[i][1] ? rows[i][1] : "", err);
    sqlite3_finalize(st);
    st = NULL;
    if (rc < 0) goto fail;
    if (sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_error(m, "cannot commit", err);
        goto fail;
    }
    sqlite3_finalize(m->put);
    sqlite3_finalize(m->has);
    m->put = m->has = NULL;
    if (sqlite3_close(m->db) != SQLITE_OK) {
        rc = db_error(m, "cannot close", err);
        goto fail;
    }
    m->db = NULL;
    /* one fsync for the whole file, then the rename makes it visible */
    rc = tempfile_commit(&m->out, err);
    if (rc < 0) goto fail;
    close_db(m);
    free_m(m);
    return 0;

fail:
    tiles_mbtiles_abort(m);
    return rc;
}
