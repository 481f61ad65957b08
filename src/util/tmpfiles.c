/*
 * tmpfiles.c - the temporary files eventmap writes before a rename
 * ("NAME.tmp.PID"), and the clean-up of those a killed run left behind.
 */
#include "util/tmpfiles.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/strbuf.h"
#include "util/banned.h"

/* The process id of a temporary name "NAME.tmp.PID" made by one of our
 * writers, or 0 when name is not one. */
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

size_t tmp_remove_stale(const char *dir, const char *prefix)
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

size_t tmp_remove_stale_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    strbuf dir = STRBUF_INIT, prefix = STRBUF_INIT;
    if (slash) sb_add(&dir, path, slash == path ? 1 : (size_t)(slash - path));
    else sb_adds(&dir, ".");
    sb_addf(&prefix, "%s.tmp.", slash ? slash + 1 : path);
    size_t n = tmp_remove_stale(dir.buf, prefix.buf);
    sb_release(&dir);
    sb_release(&prefix);
    return n;
}
