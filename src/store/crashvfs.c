/*
 * crashvfs.c - a VFS in front of SQLite's default one that passes the
 * crash points import:store-write (before each write to the main database
 * file) and import:store-sync (before each sync of the database or its
 * journal), so that a crash test can kill an import in the middle of
 * SQLite's own commit: the journal synced and the store half overwritten,
 * the state a rollback must undo.  SQLite's test_vfs.c and the crash tests
 * of its test suite do the same.  Installed only when a test asks for one
 * of these points; everything else is handed straight to the default VFS.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <sqlite3.h>
#include <string.h>

#include "util/crash.h"
#include "util/banned.h"

#define CRASH_VFS_NAME "eventmap-crash"

typedef struct {
    sqlite3_file base;   /* pMethods: one of ours */
    sqlite3_file *real;  /* the default VFS's file, allocated just after this */
    int main_db;         /* the store file itself, not a journal */
} crash_file;

static sqlite3_vfs *real_vfs;
static sqlite3_vfs crash_vfs;
static sqlite3_io_methods methods[3]; /* by the real file's iVersion */
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define REAL(f) (((crash_file *)(f))->real)
#define RM(f) (REAL(f)->pMethods)

static int c_close(sqlite3_file *f)
{
    return RM(f)->xClose(REAL(f));
}

static int c_read(sqlite3_file *f, void *buf, int amount, sqlite3_int64 offset)
{
    return RM(f)->xRead(REAL(f), buf, amount, offset);
}

static int c_write(sqlite3_file *f, const void *buf, int amount, sqlite3_int64 offset)
{
    if (((crash_file *)f)->main_db) crash_point("import:store-write");
    return RM(f)->xWrite(REAL(f), buf, amount, offset);
}

static int c_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    return RM(f)->xTruncate(REAL(f), size);
}

static int c_sync(sqlite3_file *f, int flags)
{
    crash_point("import:store-sync");
    return RM(f)->xSync(REAL(f), flags);
}

static int c_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return RM(f)->xFileSize(REAL(f), size);
}

static int c_lock(sqlite3_file *f, int level)
{
    return RM(f)->xLock(REAL(f), level);
}

static int c_unlock(sqlite3_file *f, int level)
{
    return RM(f)->xUnlock(REAL(f), level);
}

static int c_check_reserved_lock(sqlite3_file *f, int *out)
{
    return RM(f)->xCheckReservedLock(REAL(f), out);
}

static int c_file_control(sqlite3_file *f, int op, void *arg)
{
    return RM(f)->xFileControl(REAL(f), op, arg);
}

static int c_sector_size(sqlite3_file *f)
{
    return RM(f)->xSectorSize(REAL(f));
}

static int c_device_characteristics(sqlite3_file *f)
{
    return RM(f)->xDeviceCharacteristics(REAL(f));
}

static int c_shm_map(sqlite3_file *f, int region, int size, int extend, void volatile **out)
{
    return RM(f)->xShmMap(REAL(f), region, size, extend, out);
}

static int c_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return RM(f)->xShmLock(REAL(f), offset, n, flags);
}

static void c_shm_barrier(sqlite3_file *f)
{
    RM(f)->xShmBarrier(REAL(f));
}

static int c_shm_unmap(sqlite3_file *f, int delete_flag)
{
    return RM(f)->xShmUnmap(REAL(f), delete_flag);
}

static int c_fetch(sqlite3_file *f, sqlite3_int64 offset, int amount, void **out)
{
    return RM(f)->xFetch(REAL(f), offset, amount, out);
}

static int c_unfetch(sqlite3_file *f, sqlite3_int64 offset, void *page)
{
    return RM(f)->xUnfetch(REAL(f), offset, page);
}

static int c_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    crash_file *c = (crash_file *)f;
    c->real = (sqlite3_file *)(c + 1);
    c->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
    f->pMethods = NULL;
    int rc = real_vfs->xOpen(real_vfs, name, c->real, flags, out_flags);
    if (rc == SQLITE_OK && c->real->pMethods) {
        int version = c->real->pMethods->iVersion;
        f->pMethods = &methods[(version < 1 ? 1 : version > 3 ? 3 : version) - 1];
    }
    return rc;
}

static void install(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs) return;
    const sqlite3_io_methods m = {
        3, c_close, c_read, c_write, c_truncate, c_sync, c_file_size, c_lock, c_unlock,
        c_check_reserved_lock, c_file_control, c_sector_size, c_device_characteristics,
        c_shm_map, c_shm_lock, c_shm_barrier, c_shm_unmap, c_fetch, c_unfetch,
    };
    for (int v = 1; v <= 3; v++) {
        methods[v - 1] = m;
        methods[v - 1].iVersion = v;
    }
    /* the default VFS's own methods, but files opened through c_open; the
     * unix VFS's other methods read nothing of the VFS but mxPathname */
    crash_vfs = *real_vfs;
    crash_vfs.pNext = NULL;
    crash_vfs.zName = CRASH_VFS_NAME;
    crash_vfs.szOsFile = (int)sizeof(crash_file) + real_vfs->szOsFile;
    crash_vfs.xOpen = c_open;
    if (sqlite3_vfs_register(&crash_vfs, 0) != SQLITE_OK) real_vfs = NULL;
}

const char *store_crash_vfs(void)
{
    if (!crash_armed("import:store-")) return NULL;
    pthread_once(&once, install);
    return real_vfs ? CRASH_VFS_NAME : NULL;
}
