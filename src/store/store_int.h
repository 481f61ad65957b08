/*
 * store_int.h - private to src/store/: what sqlite.c takes from the other
 * files of the module.
 */
#ifndef EVENTMAP_STORE_INT_H
#define EVENTMAP_STORE_INT_H

/* The name of the SQLite VFS a store opens with: NULL (SQLite's default)
 * unless EVENTMAP_CRASH_AT names one of the store's own crash points
 * (import:store-write, import:store-sync), which crashvfs.c then counts
 * in a VFS put in front of the default one. */
const char *store_crash_vfs(void);

#endif
