/*
 * tempfile.h - every file eventmap writes goes through here, so that a
 * final name never holds half a file: the output is written to a temporary
 * beside its target ("PATH.tmp.PID"), synced, renamed over the target, and
 * the directory synced; on failure the temporary is removed and the target
 * left as it was.  A run killed before its rename leaves its temporary
 * behind; the next writer of the same name removes it (the stale sweep),
 * and tempfile_remove_stale clears a whole directory of them.  On SIGINT,
 * SIGTERM, SIGHUP or SIGPIPE the active temporaries are removed before the
 * program dies of the signal (handlers installed at the first
 * tempfile_create, except for signals the program ignores).  Git's
 * tempfile.h and lockfile.h are the model.
 *
 *     tempfile t = TEMPFILE_INIT;
 *     if (tempfile_create(&t, "out.png", "map:before-rename", 0, &err) < 0) ...
 *     ... write to tempfile_fp(&t) ...
 *     if (tempfile_commit(&t, &err) < 0) ...     (or tempfile_abort(&t))
 *
 * Each output names its crash point (util/crash.h), which tempfile_commit
 * passes once the data is synced and before the rename.
 */
#ifndef EVENTMAP_TEMPFILE_H
#define EVENTMAP_TEMPFILE_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    char *path;         /* the final name */
    char *tmp_path;     /* "PATH.tmp.PID", where the data goes; NULL when inactive */
    FILE *fp;           /* open for writing; NULL after tempfile_close */
    int fd;             /* its descriptor (owned by fp); -1 without one */
    const char *point;  /* the crash point passed before the rename (static) */
    unsigned flags;     /* TEMPFILE_* */
} tempfile;
#define TEMPFILE_INIT { NULL, NULL, NULL, -1, NULL, 0 }

enum {
    /* One of many files (the tiles of a pyramid): no fsync of the file and
     * its directory each; the caller makes them durable at once with
     * tempfile_sync_tree before it publishes them, as git's batch fsync
     * mode does.  The rename still keeps a half file from a final name. */
    TEMPFILE_BATCH = 1
};

/* Whether path's directory can take a new file: it exists, is a directory
 * and may be written, so that a command finds out before its work rather
 * than at tempfile_create.  0, or EM_EIO "PATH: cannot write: directory
 * 'DIR' does not exist", "PATH: cannot write: 'DIR' is not a directory" or
 * "PATH: cannot write: directory 'DIR': REASON". */
int tempfile_check_dir(const char *path, char **err);

/* Start writing path: remove what dead runs left under its temporary
 * names (not with TEMPFILE_BATCH), then create "PATH.tmp.PID" (mode 0666 less the umask) and open it
 * for writing.  point names the crash point of tempfile_commit (a static
 * string; NULL for none).  t must be inactive (TEMPFILE_INIT or after a
 * commit or abort).  EM_EIO "PATH: cannot create: REASON" when the
 * temporary cannot be made; t stays inactive. */
int tempfile_create(tempfile *t, const char *path, const char *point, unsigned flags, char **err);

/* The stream to write to (borrowed; NULL after tempfile_close). */
FILE *tempfile_fp(const tempfile *t);

/* Flush and close the stream but keep the temporary, for a writer that
 * opens t->tmp_path by name (SQLite).  EM_EIO "PATH: cannot write: REASON";
 * the temporary stays until tempfile_abort. */
int tempfile_close(tempfile *t, char **err);

/* Finish: flush and sync the data (the stream's, or the file's by name
 * after tempfile_close), pass the crash point, rename the temporary to
 * path and sync the directory (both syncs skipped with TEMPFILE_BATCH).
 * On error the temporary is removed and path left as it was: EM_EIO
 * "PATH: cannot write: REASON".  t is inactive afterwards either way. */
int tempfile_commit(tempfile *t, char **err);

/* Close and remove the temporary; path is left as it was.  A no-op on an
 * inactive t.  t is inactive afterwards. */
void tempfile_abort(tempfile *t);

/* The whole of data to path through a tempfile.  Errors as above. */
int tempfile_write(const char *path, const void *data, size_t len, const char *point, unsigned flags,
                   char **err);

/* Copy the file src to dst through a tempfile.  EM_EIO "SRC: cannot read:
 * REASON" or the errors above. */
int tempfile_copy(const char *src, const char *dst, const char *point, unsigned flags, char **err);

/* Make what was written under dir with TEMPFILE_BATCH durable: one sync of
 * the file system that holds dir.  EM_EIO "DIR: cannot sync: REASON". */
int tempfile_sync_tree(const char *dir, char **err);

/* Remove the temporary files "NAME.tmp.PID" in dir (those whose name
 * starts with prefix, when prefix is not NULL) whose writer no longer runs;
 * a live writer's file, this process's own, and anything that is not a
 * regular file are kept.  Returns how many were removed; an unreadable dir
 * removes nothing. */
size_t tempfile_remove_stale(const char *dir, const char *prefix);
/* The same for the temporary files of path ("PATH.tmp.PID" beside it). */
size_t tempfile_remove_stale_of(const char *path);

#endif
