/*
 * upgrade.c - eventmap's stores of the old layout, from before the store
 * was a GeoPackage (application_id "EvMp"; a table `events` keyed by `rid`
 * with located/lat/lon columns and an R*Tree `events_rtree`; user_version 1
 * without admin2 and admin3, 2 with them): recognised (store_needs_upgrade)
 * and converted into a GeoPackage store (store_upgrade).  The conversion
 * writes a whole new store beside the old one through util/tempfile.h and
 * renames it over the old file only once it is complete and synced, as git
 * writes a packed file: a crash or an error at any point leaves the old
 * store as it was.  The old file is read under its write lock, so that no
 * eventmap writes to it while it is copied.
 */
#include "store/store.h"
#include "store/store_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/banned.h"

/* The old layout's columns, in the order of its SELECT below. */
enum {
    O_ID, O_EVENT_DATE, O_DAY, O_TIME_PRECISION, O_EVENT_TYPE, O_SUB_EVENT_TYPE, O_ACTOR1, O_ACTOR2,
    O_COUNTRY, O_ADMIN1, O_ADMIN2, O_ADMIN3, O_LOCATION, O_LOCATED, O_LAT, O_LON, O_GEO_PRECISION,
    O_FATALITIES, O_SOURCE, O_NOTES, O_GAZETTEER_ID, O_MATCH, O_CONFIDENCE
};

/* The application_id in an SQLite file's 100-byte header (big-endian at
 * offset 68), or 0 when path is not an SQLite file or cannot be read. */
static uint32_t header_application_id(const char *path)
{
    unsigned char header[100];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    ssize_t n = read(fd, header, sizeof(header));
    close(fd);
    if (n != (ssize_t)sizeof(header) || memcmp(header, "SQLite format 3", 16) != 0) return 0;
    return (uint32_t)header[68] << 24 | (uint32_t)header[69] << 16 | (uint32_t)header[70] << 8 | header[71];
}

int store_needs_upgrade(const char *path)
{
    return path && header_application_id(path) == STORE_OLD_APPLICATION_ID;
}

static const char *column_text(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    return text ? (const char *)text : "";
}

/* The old store's schema version (1 or 2) and whether it has its tables;
 * the old connection holds its write lock. */
static int old_version(sqlite3 *db, const char *path, int *version, char **err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT (SELECT user_version FROM pragma_user_version),"
                                " (SELECT count(*) = 2 FROM sqlite_master WHERE type = 'table'"
                                "  AND name IN ('events', 'events_rtree'))",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = 0;
        if (!sqlite3_column_int(st, 1))
            rc = em_error(err, EM_EINPUT, "%s: not an eventmap store (the old layout's tables are missing)", path);
        else if (*version != 1 && *version != 2)
            rc = em_error(err, EM_EINPUT, "%s: store schema version %d of the old layout is not one this eventmap"
                                          " knows (1 or 2)", path, *version);
    } else {
        rc = em_error(err, EM_EIO, "%s: cannot read: %s", path, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    return rc;
}

/* Copy every event of the old store (db) into the new one (s), in the
 * order of their rids, in one transaction: the new store's bulk path (the
 * R*Tree built at the commit, the indexes made once). */
static int copy_events(sqlite3 *db, const char *path, int version, store *s, char **err)
{
    strbuf sql = STRBUF_INIT;
    sb_addf(&sql, "SELECT id, event_date, day, time_precision, event_type, sub_event_type, actor1, actor2,"
                  " country, admin1, %s, location, located, lat, lon, geo_precision, fatalities, source,"
                  " notes, gazetteer_id, \"match\", confidence FROM main.events ORDER BY rid",
            version >= 2 ? "admin2, admin3" : "'', ''");
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql.buf, -1, &st, NULL);
    sb_release(&sql);
    if (rc != SQLITE_OK) {
        rc = em_error(err, EM_EINPUT, "%s: not an eventmap store (%s)", path, sqlite3_errmsg(db));
        goto cleanup;
    }
    if ((rc = store_begin(s, err)) < 0) goto cleanup;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = column_text(st, O_ID);
        e.event_date = column_text(st, O_EVENT_DATE);
        e.day = sqlite3_column_int(st, O_DAY);
        e.time_precision = sqlite3_column_int(st, O_TIME_PRECISION);
        e.event_type = column_text(st, O_EVENT_TYPE);
        e.sub_event_type = column_text(st, O_SUB_EVENT_TYPE);
        e.actor1 = column_text(st, O_ACTOR1);
        e.actor2 = column_text(st, O_ACTOR2);
        e.country = column_text(st, O_COUNTRY);
        e.admin1 = column_text(st, O_ADMIN1);
        e.admin2 = column_text(st, O_ADMIN2);
        e.admin3 = column_text(st, O_ADMIN3);
        e.location = column_text(st, O_LOCATION);
        e.located = sqlite3_column_int(st, O_LOCATED) != 0;
        e.lat = e.located ? sqlite3_column_double(st, O_LAT) : 0.0;
        e.lon = e.located ? sqlite3_column_double(st, O_LON) : 0.0;
        e.geo_precision = sqlite3_column_int(st, O_GEO_PRECISION);
        e.fatalities = sqlite3_column_int(st, O_FATALITIES);
        e.source = column_text(st, O_SOURCE);
        e.notes = column_text(st, O_NOTES);
        e.gazetteer_id = column_text(st, O_GAZETTEER_ID);
        e.match = column_text(st, O_MATCH);
        e.confidence = sqlite3_column_double(st, O_CONFIDENCE);
        if ((rc = store_put(s, &e, err)) < 0) goto cleanup;
    }
    if (step != SQLITE_DONE) {
        rc = em_error(err, (step & 0xff) == SQLITE_CORRUPT ? EM_EINPUT : EM_EIO, "%s: cannot read: %s", path,
                      sqlite3_errmsg(db));
        goto cleanup;
    }
    rc = store_commit(s, err);

cleanup:
    sqlite3_finalize(st);
    return rc < 0 ? rc : 0;
}

/* Remove the journals "PATH.tmp.PID-journal" that killed upgrades left
 * beside path once their temporary store is gone (tempfile_create removes
 * the dead writers' temporaries, not what SQLite made beside them). */
static void remove_stale_journals(const char *path)
{
    const char *slash = strrchr(path, '/');
    strbuf dir = STRBUF_INIT, prefix = STRBUF_INIT, name = STRBUF_INIT;
    if (slash) sb_add(&dir, path, (size_t)(slash - path) + 1);
    else sb_adds(&dir, "./");
    sb_addf(&prefix, "%s.tmp.", slash ? slash + 1 : path);
    DIR *d = opendir(dir.buf);
    const struct dirent *entry;
    while (d && (entry = readdir(d)) != NULL) {
        const char *n = entry->d_name;
        size_t len = strlen(n);
        if (strncmp(n, prefix.buf, prefix.len) != 0 || len < prefix.len + 9 || strcmp(n + len - 8, "-journal"))
            continue;
        sb_reset(&name);
        sb_addf(&name, "%s%.*s", dir.buf, (int)(len - 8), n);
        struct stat st;
        if (lstat(name.buf, &st) < 0 && errno == ENOENT) {
            sb_adds(&name, "-journal");
            unlink(name.buf);
        }
    }
    if (d) closedir(d);
    sb_release(&dir);
    sb_release(&prefix);
    sb_release(&name);
}

int store_upgrade(const char *path, char **err)
{
    int rc = 0;
    sqlite3 *db = NULL;
    store *s = NULL;
    tempfile out = TEMPFILE_INIT;
    strbuf journal = STRBUF_INIT;
    char *why = NULL;
    struct stat st;

    if (!path || !*path) return em_error(err, EM_EUSAGE, "no store path given");
    if (stat(path, &st) < 0) {
        if (errno == ENOENT) return em_error(err, EM_EIO, "%s: no such store", path);
        return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) return em_error(err, EM_EIO, "%s: cannot open: not a regular file", path);
    if (!store_needs_upgrade(path)) {
        /* already a GeoPackage store: nothing to do; else say what it is */
        rc = store_open(path, STORE_READ, &s, err);
        store_close(s);
        return rc;
    }

    /* the old store, its write lock held until its successor is in place
     * (a killed import's journal rolled back on the way in) */
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, store_crash_vfs()) != SQLITE_OK) {
        rc = em_error(err, EM_EIO, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        goto cleanup;
    }
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        rc = em_error(err, EM_EIO, "%s: cannot lock the store: %s", path, sqlite3_errmsg(db));
        goto cleanup;
    }
    int version = 0;
    if ((rc = old_version(db, path, &version, err)) < 0) goto cleanup;

    /* the new store in "PATH.tmp.PID" (a journal a killed run of the same
     * pid left there would be rolled into it: gone first) */
    if ((rc = tempfile_create(&out, path, NULL, 0, err)) < 0 || (rc = tempfile_close(&out, err)) < 0) goto cleanup;
    sb_addf(&journal, "%s-journal", out.tmp_path);
    unlink(journal.buf);
    remove_stale_journals(path);
    if ((rc = store_open(out.tmp_path, STORE_CREATE, &s, &why)) < 0 ||
        (rc = copy_events(db, path, version, s, &why)) < 0) {
        rc = em_error(err, rc, "%s: cannot upgrade: %s", path, why ? why : "?");
        goto cleanup;
    }
    store_close(s);
    s = NULL;
    if (chmod(out.tmp_path, st.st_mode & 07777) < 0) {
        rc = em_error(err, EM_EIO, "%s: cannot write: %s", out.tmp_path, strerror(errno));
        goto cleanup;
    }
    rc = tempfile_commit(&out, err);

cleanup:
    store_close(s);
    tempfile_abort(&out); /* a no-op once committed */
    sqlite3_close_v2(db); /* rolls back the lock's transaction; nothing was written */
    sb_release(&journal);
    free(why);
    return rc < 0 ? rc : 1;
}
