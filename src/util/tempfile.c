/*
 * tempfile.c - atomic output (tempfile.h): a temporary beside the target,
 * synced and renamed; and the sweep of the temporaries dead runs left.
 */
#define _GNU_SOURCE /* syncfs */
#include "util/tempfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/crash.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* ------------------------------------------- removal on a fatal signal */

/* The temporaries being written now, so that SIGINT, SIGTERM, SIGHUP or
 * SIGPIPE removes them before the program dies (as git's tempfile.c does);
 * a slot holds a tmp_path while its tempfile is active.  More writers at
 * once than slots (never: one per tile thread) are left to the stale sweep,
 * as is what SIGKILL leaves. */
#define N_SLOTS 64
static _Atomic(char *) slots[N_SLOTS];
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void on_fatal_signal(int sig)
{
    int saved = errno;
    for (size_t i = 0; i < N_SLOTS; i++) {
        char *tmp = atomic_load(&slots[i]);
        if (tmp) unlink(tmp);
    }
    errno = saved;
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_handlers(void)
{
    static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        struct sigaction old;
        /* a signal the caller ignores stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static void slot_take(char *tmp_path)
{
    pthread_once(&handlers_once, install_handlers);
    for (size_t i = 0; i < N_SLOTS; i++) {
        char *none = NULL;
        if (atomic_compare_exchange_strong(&slots[i], &none, tmp_path)) return;
    }
}

/* Before tmp_path is freed or renamed away: the handler no longer sees it. */
static void slot_give_back(const char *tmp_path)
{
    for (size_t i = 0; i < N_SLOTS; i++) {
        char *mine = (char *)tmp_path;
        if (atomic_compare_exchange_strong(&slots[i], &mine, NULL)) return;
    }
}

/* ---------------------------------------------------------------- files */

/* The stream of a tempfile writes through this: each WRITEBACK_BYTES that
 * reach the file are handed to the disk at once (sync_file_range, without
 * waiting), so that the fsync of the commit finds most of a big file (a
 * million-event export is 650 MB) already written instead of all of it,
 * and the disk works while the program computes; git's batch fsync mode
 * uses the same call. */
#define WRITEBACK_BYTES (8u << 20)

typedef struct {
    int fd;
    off_t written;       /* bytes in the file */
    off_t handed;        /* of them, handed to the disk */
} sink;

static ssize_t sink_write(void *cookie, const char *buf, size_t len)
{
    sink *k = cookie;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(k->fd, buf + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return done ? (ssize_t)done : -1;
        done += (size_t)n;
    }
    k->written += (off_t)done;
    if (k->written - k->handed >= (off_t)WRITEBACK_BYTES) {
        /* a hint: where it is not supported the fsync does it all */
        sync_file_range(k->fd, k->handed, k->written - k->handed, SYNC_FILE_RANGE_WRITE);
        k->handed = k->written;
    }
    return (ssize_t)done;
}

static int sink_close(void *cookie)
{
    sink *k = cookie;
    int rc = close(k->fd);
    free(k);
    return rc;
}

/* A write-only stream on fd that owns it; NULL (fd left open) on failure. */
static FILE *sink_open(int fd)
{
    sink *k = xcalloc(1, sizeof(*k));
    k->fd = fd;
    cookie_io_functions_t io = { NULL, sink_write, NULL, sink_close };
    FILE *fp = fopencookie(k, "w", io);
    if (!fp) free(k);
    else setvbuf(fp, NULL, _IOFBF, 1u << 16); /* fewer write(2)s than BUFSIZ's */
    return fp;
}

/* The directory part of path ("." when it has none); caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    strbuf dir = STRBUF_INIT;
    if (slash) sb_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
    else sb_adds(&dir, ".");
    return sb_detach(&dir, NULL);
}

int tempfile_check_dir(const char *path, char **err)
{
    char *dir = dir_of(path);
    int rc = 0;
    struct stat st;
    if (stat(dir, &st) != 0)
        rc = em_error(err, EM_EIO, "%s: cannot write: directory '%s' does not exist", path, dir);
    else if (!S_ISDIR(st.st_mode))
        rc = em_error(err, EM_EIO, "%s: cannot write: '%s' is not a directory", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        rc = em_error(err, EM_EIO, "%s: cannot write: directory '%s': %s", path, dir, strerror(errno));
    free(dir);
    return rc;
}

/* fsync the directory dir, so that a rename in it is on the disk.  Returns
 * 0 or an errno; file systems that cannot sync a directory (EINVAL) pass. */
static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int why = fsync(fd) != 0 && errno != EINVAL ? errno : 0;
    close(fd);
    return why;
}

static void deactivate(tempfile *t)
{
    if (t->tmp_path) slot_give_back(t->tmp_path);
    free(t->path);
    free(t->tmp_path);
    t->path = t->tmp_path = NULL;
    t->fp = NULL;
    t->fd = -1;
    t->point = NULL;
    t->flags = 0;
}

int tempfile_create(tempfile *t, const char *path, const char *point, unsigned flags, char **err)
{
    if (t->tmp_path) return em_error(err, EM_EINTERNAL, "%s: tempfile_create on an active tempfile", path);
    if (!(flags & TEMPFILE_BATCH)) tempfile_remove_stale_of(path);
    strbuf tmp = STRBUF_INIT;
    sb_addf(&tmp, "%s.tmp.%ld", path, (long)getpid());
    int o_flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(tmp.buf, o_flags, 0666);
    if (fd < 0 && errno == EEXIST) {
        /* ours by its name: left by an earlier process of the same id */
        unlink(tmp.buf);
        fd = open(tmp.buf, o_flags, 0666);
    }
    FILE *fp = fd >= 0 ? sink_open(fd) : NULL;
    if (!fp) {
        int why = errno;
        if (fd >= 0) {
            close(fd);
            unlink(tmp.buf);
        }
        sb_release(&tmp);
        return em_error(err, EM_EIO, "%s: cannot create: %s", path, strerror(why));
    }
    t->path = xstrdup(path);
    t->tmp_path = sb_detach(&tmp, NULL);
    slot_take(t->tmp_path);
    t->fp = fp;
    t->fd = fd;
    t->point = point;
    t->flags = flags;
    return 0;
}

FILE *tempfile_fp(const tempfile *t)
{
    return t->fp;
}

/* Flush, sync (unless batched) and close the stream; 0 or an errno. */
static int finish_stream(tempfile *t)
{
    int why = 0;
    if (fflush(t->fp) != 0 || ferror(t->fp)) why = errno ? errno : EIO;
    if (!why && !(t->flags & TEMPFILE_BATCH) && fsync(t->fd) != 0) why = errno;
    if (fclose(t->fp) != 0 && !why) why = errno;
    t->fp = NULL;
    t->fd = -1;
    return why;
}

int tempfile_close(tempfile *t, char **err)
{
    if (!t->fp) return 0;
    int why = finish_stream(t);
    return why ? em_error(err, EM_EIO, "%s: cannot write: %s", t->path, strerror(why)) : 0;
}

int tempfile_commit(tempfile *t, char **err)
{
    if (!t->tmp_path) return em_error(err, EM_EINTERNAL, "tempfile_commit on an inactive tempfile");
    int why = 0;
    if (t->fp) {
        why = finish_stream(t);
    } else if (!(t->flags & TEMPFILE_BATCH)) {
        /* written by name (SQLite): sync it by name */
        int fd = open(t->tmp_path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0) why = errno;
        if (fd >= 0) close(fd);
    }
    if (!why && t->point) crash_point(t->point);
    /* once renamed, the handler must not remove what now has the final name
     * (a later temporary of the same name is another writer's) */
    slot_give_back(t->tmp_path);
    if (!why && rename(t->tmp_path, t->path) != 0) why = errno;
    if (why) {
        int rc = em_error(err, EM_EIO, "%s: cannot write: %s", t->path, strerror(why));
        tempfile_abort(t);
        return rc;
    }
    if (!(t->flags & TEMPFILE_BATCH)) {
        /* the rename is done: the file is whole under its name, and only a
         * power cut before the directory reaches the disk could undo it */
        char *dir = dir_of(t->path);
        why = sync_dir(dir);
        free(dir);
    }
    int rc = why ? em_error(err, EM_EIO, "%s: cannot write: %s", t->path, strerror(why)) : 0;
    deactivate(t);
    return rc;
}

void tempfile_abort(tempfile *t)
{
    if (!t || !t->tmp_path) return;
    if (t->fp) fclose(t->fp);
    unlink(t->tmp_path);
    deactivate(t);
}

int tempfile_write(const char *path, const void *data, size_t len, const char *point, unsigned flags,
                   char **err)
{
    tempfile t = TEMPFILE_INIT;
    int rc = tempfile_create(&t, path, point, flags, err);
    if (rc < 0) return rc;
    /* straight to the descriptor: the stream has nothing buffered yet */
    for (size_t done = 0; done < len;) {
        ssize_t n = write(t.fd, (const char *)data + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            rc = em_error(err, EM_EIO, "%s: cannot write: %s", path, strerror(n < 0 ? errno : EIO));
            tempfile_abort(&t);
            return rc;
        }
        done += (size_t)n;
    }
    return tempfile_commit(&t, err);
}

int tempfile_copy(const char *src, const char *dst, const char *point, unsigned flags, char **err)
{
    FILE *in = fopen(src, "rb");
    if (!in) return em_error(err, EM_EIO, "%s: cannot open: %s", src, strerror(errno));
    tempfile t = TEMPFILE_INIT;
    int rc = tempfile_create(&t, dst, point, flags, err);
    char chunk[65536];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
        if (fwrite(chunk, 1, n, t.fp) != n)
            rc = em_error(err, EM_EIO, "%s: cannot write: %s", dst, strerror(errno ? errno : EIO));
    if (rc == 0 && ferror(in)) rc = em_error(err, EM_EIO, "%s: cannot read: %s", src, strerror(errno ? errno : EIO));
    fclose(in);
    if (rc == 0) return tempfile_commit(&t, err);
    tempfile_abort(&t);
    return rc;
}

int tempfile_sync_tree(const char *dir, char **err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return em_error(err, EM_EIO, "%s: cannot sync: %s", dir, strerror(errno));
    int why = syncfs(fd) != 0 ? errno : 0;
    close(fd);
    return why ? em_error(err, EM_EIO, "%s: cannot sync: %s", dir, strerror(why)) : 0;
}

/* The process id of a temporary name "NAME.tmp.PID", or 0 when name is
 * not one. */
static long tmp_owner(const char *name)
{
    const char *dot = strstr(name, ".tmp.");
    if (!dot) return 0;
    for (const char *next; (next = strstr(dot + 1, ".tmp.")) != NULL;) dot = next;
    const char *digits = dot + 5;
    char *end;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (end == digits || *end || *digits == '-' || *digits == '+' || errno || pid <= 0) return 0;
    return pid;
}

size_t tempfile_remove_stale(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d) return 0;
    size_t n_removed = 0, prefix_len = prefix ? strlen(prefix) : 0;
    strbuf path = STRBUF_INIT;
    const struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (prefix && strncmp(entry->d_name, prefix, prefix_len) != 0) continue;
        long pid = tmp_owner(entry->d_name);
        /* a writer that still runs keeps its file */
        if (!pid || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) continue;
        sb_reset(&path);
        sb_addf(&path, "%s/%s", dir, entry->d_name);
        struct stat st;
        if (lstat(path.buf, &st) == 0 && S_ISREG(st.st_mode) && unlink(path.buf) == 0) n_removed++;
    }
    closedir(d);
    sb_release(&path);
    return n_removed;
}

size_t tempfile_remove_stale_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = dir_of(path);
    strbuf prefix = STRBUF_INIT;
    sb_addf(&prefix, "%s.tmp.", slash ? slash + 1 : path);
    size_t n = tempfile_remove_stale(dir, prefix.buf);
    free(dir);
    sb_release(&prefix);
    return n;
}
