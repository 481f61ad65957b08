/*
 * store_int.h - private to src/store/: what the files of the module take
 * from one another.
 */
#ifndef EVENTMAP_STORE_INT_H
#define EVENTMAP_STORE_INT_H

#include <stddef.h>

#include "store/store.h"

struct sqlite3;
struct strbuf;

/* ---- store.c: one interface, two back ends */

/* What a back end does for each call of store.h; store.c checks the
 * arguments every back end shares (a NULL store, an event store_put cannot
 * store) and counts what the puts did.  near may be NULL: store_near is
 * then store_within and store_get, as query.c makes it. */
typedef struct store_backend {
    void (*close)(store *s);
    int (*begin)(store *s, char **err);
    int (*commit)(store *s, char **err);
    void (*rollback)(store *s);
    int (*put)(store *s, const ev_event *e, char **err);
    int (*count)(store *s, size_t *total, size_t *unlocated, char **err);
    int (*scan)(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_event_fn fn,
                void *ctx, char **err);
    int (*points)(store *s, const ev_filter *f, const geo_bbox *boxes, size_t n_boxes, store_point_fn fn,
                  void *ctx, char **err);
    int (*within)(store *s, geo_point c, double km, int exact_km, store_hit_fn fn, void *ctx, char **err);
    int (*get)(store *s, int64_t key, const ev_filter *f, store_event_fn fn, void *ctx, char **err);
    int (*near)(store *s, geo_point c, double km, const ev_filter *f, store_event_fn fn, void *ctx, char **err);
} store_backend;

/* The part of a store every back end's own struct begins with. */
struct store {
    const store_backend *backend;
    int in_transaction;           /* between store_begin and store_commit/rollback (store.c's view) */
    store_tally pending;          /* the open transaction's puts, as the back end answered them */
    store_tally last;             /* the last committed transaction's */
};

/* EM_EINPUT for what store_put cannot store faithfully: no id, coordinates
 * out of range, a confidence that is not a number; name is the store's,
 * for the message. */
int store_check_event(const char *name, const ev_event *e, char **err);

/* EM_EUSAGE for a box that is not one (a coordinate not a number, south
 * above north) or crosses the antimeridian (west > east). */
int store_check_boxes(const char *name, const geo_bbox *boxes, size_t n_boxes, char **err);

/* sqlite.c: the GeoPackage back end (store_open's for a path). */
int gpkg_store_open(const char *path, int mode, store **out, char **err);
void gpkg_store_versions(struct strbuf *out);

/* pg.c: the PostGIS back end (store_open's for a postgresql:// URL). */
int pg_store_open(const char *url, int mode, store **out, char **err);
void pg_store_versions(struct strbuf *out);

/* The name of the SQLite VFS a store opens with: NULL (SQLite's default)
 * unless EVENTMAP_CRASH_AT names one of the store's own crash points
 * (import:store-write, import:store-sync), which crashvfs.c then counts
 * in a VFS put in front of the default one. */
const char *store_crash_vfs(void);

/* "EvMp": the application_id of eventmap's stores before GeoPackage (the
 * old layout: schema versions 1 and 2 in user_version), which store_open
 * refuses with STORE_OLD_LAYOUT_MESSAGE (its two %s the path) and
 * store_upgrade converts. */
#define STORE_OLD_APPLICATION_ID 0x45764D70
#define STORE_OLD_LAYOUT_MESSAGE                                                                       \
    "%s: an eventmap store of the old layout (before GeoPackage); run 'eventmap store upgrade %s' "   \
    "to convert it"

/* ---- gpkg.c: the GeoPackage binary geometry and SQL functions */

/* The spatial reference system of every geometry the store writes: WGS 84
 * longitude/latitude. */
#define GPKG_SRS_ID 4326
/* Bytes of a point as gpkg_point_write writes it: an 8-byte header without
 * an envelope and a 21-byte WKB point. */
#define GPKG_POINT_BYTES 29

/* Write the GeoPackage binary of the point (lon, lat) in degrees, or of an
 * empty point (NaN coordinates, the empty flag) when located is 0, into
 * out: little-endian throughout, srs_id GPKG_SRS_ID. */
void gpkg_point_write(unsigned char out[GPKG_POINT_BYTES], int located, double lon, double lat);

/* Read the point of a GeoPackage binary blob of len bytes (any byte order,
 * envelope or none, XY, Z, M or ZM): 1 with *lon and *lat set; 0 for an
 * empty point or a NULL blob; -1 when blob is not GeoPackage binary of a
 * point. */
int gpkg_point_read(const void *blob, size_t len, double *lon, double *lat);

/* The envelope of any GeoPackage binary geometry into env (min_x, max_x,
 * min_y, max_y): the header's when it has one, else from its WKB.  1, or 0
 * for an empty geometry (env then unset), or -1 when blob is not
 * GeoPackage binary of a geometry we can read (NULL included). */
int gpkg_envelope(const void *blob, size_t len, double env[4]);

/* Register ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY and ST_MaxY, the
 * functions the R*Tree triggers call, on db (innocuous, so that a schema
 * that is not trusted may call them).  An SQLite result code. */
int gpkg_register_functions(struct sqlite3 *db);

/* The SQL that makes the tables every GeoPackage has and fills
 * gpkg_spatial_ref_sys with the three rows the spec requires. */
extern const char gpkg_base_sql[];

/* Append the SQL of the R*Tree extension's six triggers for table t's
 * geometry column c with primary key i (names as they are, unquoted), or
 * the SQL that drops them. */
void gpkg_rtree_triggers_sql(struct strbuf *sql, const char *t, const char *c, const char *i);
void gpkg_rtree_drop_triggers_sql(struct strbuf *sql, const char *t, const char *c);

#endif
