/*
 * error.h - error reporting without global state.  Library functions return
 * an int (0 = ok, negative = error kind below) and, when the caller passed a
 * non-NULL char **err, set *err to a malloc'd message the caller frees with
 * free().  Messages name the file and line when there is one:
 *     cities.txt:17: expected 19 tab-separated columns, found 4
 * Only src/cli/ turns these into exit codes.
 */
#ifndef EVENTMAP_ERROR_H
#define EVENTMAP_ERROR_H

enum {
    EM_OK = 0,
    EM_EINPUT = -1, /* the input is malformed */
    EM_EIO = -2,    /* a file could not be read or written */
    EM_EUSAGE = -3, /* the caller asked for something meaningless */
    EM_EINTERNAL = -4
};

/* Set *err (when err is not NULL and *err is NULL) and return code.  A first
 * error wins: later calls do not overwrite a message already set. */
int em_error(char **err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
