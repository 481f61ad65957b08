/*
 * crash.h - crash points by name, for the crash tests.  When the
 * environment asks (EVENTMAP_CRASH_AT=NAME or NAME:N), the program kills
 * itself with SIGKILL the N-th time (the first, without :N) it passes the
 * point NAME, after writing "eventmap: EVENTMAP_CRASH_AT: killed at NAME:N"
 * to standard error.  A test thus stops the program where it means to,
 * whatever the machine's speed, and can tell a death at that point from one
 * elsewhere or from a run that ended, as SQLite's crash tests fail the N-th
 * sync and git's tests use GIT_TEST_* variables.  Without the variable a
 * point costs one load and one branch.  EVENTMAP_CRASH_SIGNAL=INT, TERM or
 * HUP sends that signal instead of SIGKILL (what a user's Ctrl-C or a
 * system shutdown does), so that a test can check what the program's own
 * handlers clean up (util/tempfile.h); STOP stops the program there until
 * the test sends SIGCONT, so that a test can look at a store while an
 * import holds it at a known point.
 *
 * The points (every name is in crash.c's table; a test names them):
 *   import:after-rows          after each row is put into the store
 *   import:before-commit       every row read, before the store commits
 *   import:index-rebuild       in the commit, the indexes dropped for a bulk
 *                              load made again, not yet committed
 *   import:rtree-rebuild       in the commit, the R*Tree rebuilt in bulk up to
 *                              its root (the root and the rowid map not yet)
 *   import:store-write         each write to the store file's pages
 *   import:store-sync          each sync of the store or its journal
 *   import:store-merged        PostGIS: in the commit, every row merged into
 *                              events (their row locks held), not committed
 *   gazetteer:before-rename    the index written and synced, not yet renamed
 *   map:before-rename          the PNG written and synced, not yet renamed
 *   export:before-rename       the export written and synced, not yet renamed
 *   tiles:after-tiles          after each tile rendered and stored
 *   tiles:tile-before-rename   each tile file written, not yet renamed
 *   tiles:mbtiles-before-rename the MBTiles file finished, not yet renamed
 *   tiles:geojson-before-rename events.geojson written, not yet renamed
 *   tiles:viewer-before-rename each of the viewer's files (tilejson.json,
 *                              index.html, Leaflet) written, not yet renamed
 * import:store-write and import:store-sync count in the store's SQLite
 * layer (a VFS of ours in front of SQLite's own, installed only when one of
 * them is asked for).
 */
#ifndef EVENTMAP_CRASH_H
#define EVENTMAP_CRASH_H

/* Check EVENTMAP_CRASH_AT: 0 when it is unset, empty or names a known point
 * (with a count of 1 or more); otherwise EM_EUSAGE with *err saying what is
 * wrong (caller frees).  The program calls this once at its start. */
int crash_check_env(char **err);

/* Pass the point name: SIGKILL when EVENTMAP_CRASH_AT names it and this is
 * its N-th pass in this process.  Safe from several threads. */
void crash_point(const char *name);

/* Whether EVENTMAP_CRASH_AT names a point that starts with prefix: for the
 * hooks that cost something to install (the store's VFS). */
int crash_armed(const char *prefix);

#endif
