/*
 * tmpfiles.h - eventmap writes every output under "NAME.tmp.PID" and renames
 * it when complete, so that a final name never holds half a file.  A run
 * killed before its rename leaves its temporary behind; these remove them.
 */
#ifndef EVENTMAP_TMPFILES_H
#define EVENTMAP_TMPFILES_H

#include <stddef.h>

/* Remove the temporary files "NAME.tmp.PID" in dir (those whose name
 * starts with prefix, when prefix is not NULL) whose writer no longer runs;
 * a live writer's file, this process's own, and anything that is not a
 * regular file are kept.  Returns how many were removed; an unreadable dir
 * removes nothing. */
size_t tmp_remove_stale(const char *dir, const char *prefix);
/* The same for the temporary files of path ("PATH.tmp.PID" beside it). */
size_t tmp_remove_stale_of(const char *path);

#endif
