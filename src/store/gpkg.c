/*
 * gpkg.c - what the store takes from the OGC GeoPackage standard (1.3,
 * OGC 12-128r17), apart from the store itself: the binary geometry of a
 * feature table's geometry column (clause 2.1.3: the "GP" header, then
 * ISO WKB), read and written; the SQL functions the spec's R*Tree triggers
 * call (ST_IsEmpty, ST_MinX, ST_MaxX, ST_MinY, ST_MaxY; clause F.3), which
 * every connection that writes a GeoPackage must have, as GDAL registers
 * its own on each of its connections; the tables every GeoPackage holds and
 * the triggers of the R*Tree extension.  PostGIS's lwin_wkb.c and
 * lwout_wkb.c are the model for the reader and the writer: every length
 * checked against the end of the blob before it is read.
 */
#include "store/store_int.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <string.h>

#include "util/strbuf.h"
#include "util/banned.h"

/* The flags byte of the header (clause 2.1.3.1.1): bit 0 the byte order of
 * the header's numbers (1 little-endian), bits 1-3 the envelope indicator,
 * bit 4 an empty geometry, bit 5 ExtendedGeoPackageBinary. */
#define FLAG_LITTLE_ENDIAN 0x01
#define FLAG_EMPTY 0x10
#define FLAG_EXTENDED 0x20
#define ENVELOPE_KIND(flags) (((flags) >> 1) & 7)

/* Bytes of the envelope for each indicator 0..4: none, xy, xyz, xym, xyzm. */
static const size_t envelope_bytes[5] = { 0, 32, 48, 48, 64 };

/* WKB's geometry types (the ISO numbering; + 1000 Z, + 2000 M, + 3000 ZM). */
enum { WKB_POINT = 1, WKB_LINESTRING, WKB_POLYGON, WKB_MULTIPOINT, WKB_MULTILINESTRING, WKB_MULTIPOLYGON,
       WKB_COLLECTION };
/* How deep collections may nest in a geometry we read. */
#define WKB_MAX_DEPTH 32

/* ------------------------------------------------------------ numbers */

static uint32_t get_u32(const unsigned char *p, int little)
{
    return little ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24
                  : (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
}

static double get_f64(const unsigned char *p, int little)
{
    uint64_t bits = 0;
    for (int i = 0; i < 8; i++) bits = bits << 8 | p[little ? 7 - i : i];
    double v;
    memcpy(&v, &bits, sizeof(v));
    return v;
}

static void put_u32_le(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++, v >>= 8) p[i] = (unsigned char)(v & 0xff);
}

static void put_f64_le(unsigned char *p, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    for (int i = 0; i < 8; i++, bits >>= 8) p[i] = (unsigned char)(bits & 0xff);
}

/* ------------------------------------------------------------ reading */

/* A geometry blob's header, read. */
typedef struct {
    int empty;                  /* the header's empty flag */
    int has_envelope;           /* env holds the header's envelope */
    double env[4];              /* min_x, max_x, min_y, max_y */
    const unsigned char *wkb;   /* the WKB after the header */
    size_t wkb_len;
} gpkg_header;

/* Read the header of a StandardGeoPackageBinary blob.  0, or -1 when blob
 * is not one (too short, no "GP", another version, the extended form, an
 * unknown envelope indicator). */
static int header_read(const unsigned char *blob, size_t len, gpkg_header *h)
{
    if (!blob || len < 8 || blob[0] != 'G' || blob[1] != 'P' || blob[2] != 0) return -1;
    int flags = blob[3], kind = ENVELOPE_KIND(flags), little = flags & FLAG_LITTLE_ENDIAN;
    if ((flags & FLAG_EXTENDED) || kind > 4 || len < 8 + envelope_bytes[kind]) return -1;
    h->empty = (flags & FLAG_EMPTY) != 0;
    h->has_envelope = kind != 0;
    for (int i = 0; i < 4; i++) h->env[i] = h->has_envelope ? get_f64(blob + 8 + 8 * i, little) : NAN;
    h->wkb = blob + 8 + envelope_bytes[kind];
    h->wkb_len = len - 8 - envelope_bytes[kind];
    return 0;
}

/* A WKB reader over [p, end). */
typedef struct {
    const unsigned char *p, *end;
} wkb_reader;

/* The next geometry's byte order and type: its base type (WKB_*) and its
 * number of ordinates a point (2 to 4).  -1 when it cannot be read. */
static int wkb_type(wkb_reader *r, int *little, int *base, int *n_ord)
{
    if (r->end - r->p < 5 || r->p[0] > 1) return -1;
    *little = r->p[0];
    uint32_t type = get_u32(r->p + 1, *little);
    r->p += 5;
    if (type >= 4000) return -1; /* not ISO WKB (GeoPackage writes no other) */
    uint32_t dims = type / 1000;
    *base = (int)(type % 1000);
    *n_ord = 2 + (dims == 1 || dims == 2) + 2 * (dims == 3);
    return 0;
}

/* Read n_points points of n_ord ordinates into env (min_x, max_x, min_y,
 * max_y), counting those that are not NaN (an empty point's).  -1 when
 * the blob is too short. */
static int wkb_points(wkb_reader *r, uint32_t n_points, int n_ord, int little, double env[4], size_t *n_found)
{
    size_t point_bytes = 8 * (size_t)n_ord;
    if ((size_t)(r->end - r->p) / point_bytes < n_points) return -1;
    for (uint32_t i = 0; i < n_points; i++, r->p += point_bytes) {
        double x = get_f64(r->p, little), y = get_f64(r->p + 8, little);
        if (isnan(x) || isnan(y)) continue;
        env[0] = fmin(env[0], x);
        env[1] = fmax(env[1], x);
        env[2] = fmin(env[2], y);
        env[3] = fmax(env[3], y);
        (*n_found)++;
    }
    return 0;
}

/* Widen env by the geometry r reads (any of the seven base types, XY, Z, M
 * or ZM); -1 when it cannot be read. */
static int wkb_envelope(wkb_reader *r, double env[4], size_t *n_found, int depth)
{
    int little, base, n_ord;
    if (depth > WKB_MAX_DEPTH || wkb_type(r, &little, &base, &n_ord) < 0) return -1;
    if (base == WKB_POINT) return wkb_points(r, 1, n_ord, little, env, n_found);
    if (r->end - r->p < 4) return -1;
    uint32_t n = get_u32(r->p, little);
    r->p += 4;
    switch (base) {
    case WKB_LINESTRING:
        return wkb_points(r, n, n_ord, little, env, n_found);
    case WKB_POLYGON:
        for (uint32_t i = 0; i < n; i++) {
            if (r->end - r->p < 4) return -1;
            uint32_t n_points = get_u32(r->p, little);
            r->p += 4;
            if (wkb_points(r, n_points, n_ord, little, env, n_found) < 0) return -1;
        }
        return 0;
    case WKB_MULTIPOINT:
    case WKB_MULTILINESTRING:
    case WKB_MULTIPOLYGON:
    case WKB_COLLECTION:
        /* each part at least a 5-byte header: a bound before the loop */
        if ((size_t)(r->end - r->p) / 5 < n) return -1;
        for (uint32_t i = 0; i < n; i++)
            if (wkb_envelope(r, env, n_found, depth + 1) < 0) return -1;
        return 0;
    default:
        return -1;
    }
}

int gpkg_envelope(const void *blob, size_t len, double env[4])
{
    gpkg_header h;
    if (header_read(blob, len, &h) < 0) return -1;
    if (h.empty) return 0;
    if (h.has_envelope && !isnan(h.env[0])) {
        memcpy(env, h.env, sizeof(h.env));
        return 1;
    }
    env[0] = env[2] = INFINITY;
    env[1] = env[3] = -INFINITY;
    size_t n_found = 0;
    wkb_reader r = { h.wkb, h.wkb + h.wkb_len };
    if (wkb_envelope(&r, env, &n_found, 0) < 0) return -1;
    return n_found > 0;
}

int gpkg_point_read(const void *blob, size_t len, double *lon, double *lat)
{
    const unsigned char *b = blob;
    /* ours (and GDAL's): a little-endian header without an envelope, then a
     * little-endian XY point */
    if (len == GPKG_POINT_BYTES && b[0] == 'G' && b[1] == 'P' && b[2] == 0 && b[3] == FLAG_LITTLE_ENDIAN &&
        b[8] == 1 && get_u32(b + 9, 1) == WKB_POINT) {
        *lon = get_f64(b + 13, 1);
        *lat = get_f64(b + 21, 1);
        return !isnan(*lon) && !isnan(*lat);
    }
    if (!blob) return 0; /* NULL: no geometry */
    gpkg_header h;
    if (header_read(blob, len, &h) < 0) return -1;
    if (h.empty) return 0;
    wkb_reader r = { h.wkb, h.wkb + h.wkb_len };
    int little, base, n_ord;
    if (wkb_type(&r, &little, &base, &n_ord) < 0 || base != WKB_POINT || r.end - r.p < 8 * n_ord) return -1;
    *lon = get_f64(r.p, little);
    *lat = get_f64(r.p + 8, little);
    return !isnan(*lon) && !isnan(*lat);
}

/* ------------------------------------------------------------ writing */

void gpkg_point_write(unsigned char out[GPKG_POINT_BYTES], int located, double lon, double lat)
{
    /* the header: "GP", version 0, little-endian, no envelope (a point's
     * is the point), the empty flag for an empty point */
    out[0] = 'G';
    out[1] = 'P';
    out[2] = 0;
    out[3] = located ? FLAG_LITTLE_ENDIAN : FLAG_LITTLE_ENDIAN | FLAG_EMPTY;
    put_u32_le(out + 4, GPKG_SRS_ID);
    /* WKB: little-endian, a Point, x then y; an empty point is NaN, NaN
     * (clause 2.1.3.1.1 and its Table 4's note) */
    out[8] = 1;
    put_u32_le(out + 9, WKB_POINT);
    put_f64_le(out + 13, located ? lon : NAN);
    put_f64_le(out + 21, located ? lat : NAN);
}

/* ------------------------------------------------------------ SQL functions */

/* ST_IsEmpty(geom): 1 for an empty geometry (the flag, or a point of NaN),
 * 0 for another, NULL for NULL or what is not GeoPackage binary. */
static void st_is_empty(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    double env[4];
    int rc = gpkg_envelope(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), env);
    if (rc < 0) sqlite3_result_null(ctx);
    else sqlite3_result_int(ctx, rc == 0);
}

/* ST_MinX, ST_MaxX, ST_MinY, ST_MaxY(geom): one side of its envelope (the
 * function's user data: 0..3 as min_x, max_x, min_y, max_y); NULL for an
 * empty geometry, NULL, or what is not GeoPackage binary. */
static void st_bound(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    double env[4];
    int side = (int)(intptr_t)sqlite3_user_data(ctx);
    if (gpkg_envelope(sqlite3_value_blob(argv[0]), (size_t)sqlite3_value_bytes(argv[0]), env) == 1)
        sqlite3_result_double(ctx, env[side]);
    else
        sqlite3_result_null(ctx);
}

int gpkg_register_functions(sqlite3 *db)
{
    /* INNOCUOUS: the triggers of a file call them, and the store's
     * connections do not trust the schema of a file (trusted_schema off) */
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    static const char *const bounds[4] = { "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY" };
    int rc = sqlite3_create_function_v2(db, "ST_IsEmpty", 1, flags, NULL, st_is_empty, NULL, NULL, NULL);
    for (int i = 0; i < 4 && rc == SQLITE_OK; i++)
        rc = sqlite3_create_function_v2(db, bounds[i], 1, flags, (void *)(intptr_t)i, st_bound, NULL, NULL, NULL);
    return rc;
}

/* ------------------------------------------------------------ tables */

/* The tables of every GeoPackage (clauses 1.1.2, 1.1.3, 2.1.5, 2.3; the
 * definitions of the spec's Annex C) and the three spatial reference
 * systems it requires (Requirement 11): EPSG:4326 with its WKT, undefined
 * Cartesian (-1) and undefined geographic (0). */
const char gpkg_base_sql[] =
    "CREATE TABLE gpkg_spatial_ref_sys ("
    " srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,"
    " organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);"
    "CREATE TABLE gpkg_contents ("
    " table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,"
    " description TEXT DEFAULT '',"
    " last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
    " min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,"
    " CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));"
    "CREATE TABLE gpkg_geometry_columns ("
    " table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,"
    " srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,"
    " CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),"
    " CONSTRAINT uk_gc_table_name UNIQUE (table_name),"
    " CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),"
    " CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));"
    "CREATE TABLE gpkg_extensions ("
    " table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,"
    " scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));"
    "INSERT INTO gpkg_spatial_ref_sys VALUES"
    " ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined',"
    "  'undefined Cartesian coordinate reference system'),"
    " ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',"
    "  'undefined geographic coordinate reference system'),"
    " ('WGS 84 geodetic', 4326, 'EPSG', 4326,"
    "  'GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,"
    "AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,"
    "AUTHORITY[\"EPSG\",\"8901\"]],UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],"
    "AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],AUTHORITY[\"EPSG\",\"4326\"]]',"
    "  'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');";

/* The triggers of the R*Tree extension (Annex F.3) as GeoPackage 1.3 and
 * GDAL 3.6 write them, in the spec's notation: <t> the table, <c> its
 * geometry column, <i> its primary key.  One departure from the spec's
 * text, GDAL's: update3 fires on any UPDATE (the spec's "UPDATE OF <c>"
 * misses a change of the key alone, which 1.4 mends with its update5). */
#define RTREE_ENTRY                                                                                \
    "INSERT OR REPLACE INTO \"rtree_<t>_<c>\" VALUES (NEW.\"<i>\", ST_MinX(NEW.\"<c>\"),"         \
    " ST_MaxX(NEW.\"<c>\"), ST_MinY(NEW.\"<c>\"), ST_MaxY(NEW.\"<c>\"));"
static const char rtree_triggers[] =
    "CREATE TRIGGER \"rtree_<t>_<c>_insert\" AFTER INSERT ON \"<t>\""
    " WHEN (new.\"<c>\" NOT NULL AND NOT ST_IsEmpty(NEW.\"<c>\"))"
    " BEGIN " RTREE_ENTRY " END;"
    "CREATE TRIGGER \"rtree_<t>_<c>_update1\" AFTER UPDATE OF \"<c>\" ON \"<t>\""
    " WHEN OLD.\"<i>\" = NEW.\"<i>\" AND (NEW.\"<c>\" NOTNULL AND NOT ST_IsEmpty(NEW.\"<c>\"))"
    " BEGIN " RTREE_ENTRY " END;"
    "CREATE TRIGGER \"rtree_<t>_<c>_update2\" AFTER UPDATE OF \"<c>\" ON \"<t>\""
    " WHEN OLD.\"<i>\" = NEW.\"<i>\" AND (NEW.\"<c>\" ISNULL OR ST_IsEmpty(NEW.\"<c>\"))"
    " BEGIN DELETE FROM \"rtree_<t>_<c>\" WHERE id = OLD.\"<i>\"; END;"
    "CREATE TRIGGER \"rtree_<t>_<c>_update3\" AFTER UPDATE ON \"<t>\""
    " WHEN OLD.\"<i>\" != NEW.\"<i>\" AND (NEW.\"<c>\" NOTNULL AND NOT ST_IsEmpty(NEW.\"<c>\"))"
    " BEGIN DELETE FROM \"rtree_<t>_<c>\" WHERE id = OLD.\"<i>\"; " RTREE_ENTRY " END;"
    "CREATE TRIGGER \"rtree_<t>_<c>_update4\" AFTER UPDATE ON \"<t>\""
    " WHEN OLD.\"<i>\" != NEW.\"<i>\" AND (NEW.\"<c>\" ISNULL OR ST_IsEmpty(NEW.\"<c>\"))"
    " BEGIN DELETE FROM \"rtree_<t>_<c>\" WHERE id IN (OLD.\"<i>\", NEW.\"<i>\"); END;"
    "CREATE TRIGGER \"rtree_<t>_<c>_delete\" AFTER DELETE ON \"<t>\""
    " WHEN old.\"<c>\" NOT NULL"
    " BEGIN DELETE FROM \"rtree_<t>_<c>\" WHERE id = OLD.\"<i>\"; END;";

void gpkg_rtree_triggers_sql(strbuf *sql, const char *t, const char *c, const char *i)
{
    for (const char *p = rtree_triggers; *p; p++) {
        if (p[0] == '<' && p[1] && p[2] == '>' && strchr("tci", p[1])) {
            sb_adds(sql, p[1] == 't' ? t : p[1] == 'c' ? c : i);
            p += 2;
        } else {
            sb_addch(sql, *p);
        }
    }
}

void gpkg_rtree_drop_triggers_sql(strbuf *sql, const char *t, const char *c)
{
    static const char *const names[] = { "insert", "update1", "update2", "update3", "update4", "delete" };
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        sb_addf(sql, "DROP TRIGGER IF EXISTS \"rtree_%s_%s_%s\";", t, c, names[k]);
}
