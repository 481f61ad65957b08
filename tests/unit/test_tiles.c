/*
 * test_tiles.c - the tile pyramid's pieces without the command: tile
 * addressing (z/x/y to bounds and back, against the Web Mercator formulas
 * written out independently here), the zoom that fits a view, the MBTiles
 * writer read back with SQLite, TileJSON read back with cJSON, the threaded
 * events.geojson writer against the event layer's own, the directory
 * helpers, the plan (zooms, density, coverage, margin) and a whole run of
 * tiles_run from a source of the test's own.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/render.h"
#include "tiles/tiles.h"
#include "tiles/tiles_int.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

/* ------------------------------------------------- reference formulas */

static double ref_lon(int z, double x)
{
    return x / ldexp(1.0, z) * 360.0 - 180.0;
}

static double ref_lat(int z, double y)
{
    return atan(sinh(M_PI * (1.0 - 2.0 * y / ldexp(1.0, z)))) * 180.0 / M_PI;
}

/* splitmix64, for repeatable "random" tiles */
static uint64_t rng_state = 0x243F6A8885A308D3ull;
static uint64_t rnd64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A tile's bounds are the formulas' values; a point well inside the tile,
 * and each corner moved a hair inwards, lead back to the same tile. */
static void check_tile(int z, uint32_t x, uint32_t y)
{
    geo_bbox b = render_tile_bounds(z, x, y);
    /* the edge of the world is clamped at RENDER_MAX_LAT, which is where the
     * formula puts it anyway */
    double tol = 1e-9;
    ck_assert_msg(fabs(b.west_deg - ref_lon(z, x)) < tol, "%d/%u/%u west %.12f", z, x, y, b.west_deg);
    ck_assert_msg(fabs(b.east_deg - ref_lon(z, x + 1.0)) < tol, "%d/%u/%u east %.12f", z, x, y, b.east_deg);
    ck_assert_msg(fabs(b.north_deg - ref_lat(z, y)) < tol, "%d/%u/%u north %.12f", z, x, y, b.north_deg);
    ck_assert_msg(fabs(b.south_deg - ref_lat(z, y + 1.0)) < tol, "%d/%u/%u south %.12f", z, x, y, b.south_deg);
    ck_assert(b.west_deg < b.east_deg && b.south_deg < b.north_deg);
    ck_assert(b.north_deg <= RENDER_MAX_LAT + 1e-9 && b.south_deg >= -RENDER_MAX_LAT - 1e-9);

    double dx = (b.east_deg - b.west_deg) * 1e-6, dy = (b.north_deg - b.south_deg) * 1e-6;
    const double pts[][2] = {
        { (b.west_deg + b.east_deg) / 2, (b.south_deg + b.north_deg) / 2 },
        { b.west_deg + dx, b.north_deg - dy },
        { b.east_deg - dx, b.north_deg - dy },
        { b.west_deg + dx, b.south_deg + dy },
        { b.east_deg - dx, b.south_deg + dy },
    };
    for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
        uint32_t tx, ty;
        render_tile_at(z, pts[i][0], pts[i][1], &tx, &ty);
        ck_assert_msg(tx == x && ty == y, "%d/%u/%u: point %zu (%.9f, %.9f) went to %u/%u", z, x, y, i, pts[i][0],
                      pts[i][1], tx, ty);
    }
    /* the tile view maps the tile's corners to the image's corners */
    render_view *v = NULL;
    char *err = NULL;
    ck_assert_msg(render_view_tile(z, x, y, &v, &err) == 0, "%s", err);
    double px, py;
    ck_assert_int_eq(render_view_project(v, b.west_deg, b.north_deg, &px, &py), 0);
    ck_assert_msg(fabs(px) < 1e-3 && fabs(py) < 1e-3, "%d/%u/%u: NW corner at %g,%g", z, x, y, px, py);
    ck_assert_int_eq(render_view_project(v, b.east_deg, b.south_deg, &px, &py), 0);
    ck_assert_msg(fabs(px - RENDER_TILE_PX) < 1e-3 && fabs(py - RENDER_TILE_PX) < 1e-3, "%d/%u/%u: SE corner at %g,%g",
                  z, x, y, px, py);
    render_view_free(v);
}

START_TEST(render_tile_bounds_should_lead_back_to_the_same_tile)
{
    /* z=0: the whole square world */
    check_tile(0, 0, 0);
    geo_bbox w = render_tile_bounds(0, 0, 0);
    ck_assert(fabs(w.west_deg + 180) < 1e-12 && fabs(w.east_deg - 180) < 1e-12);
    ck_assert(fabs(w.north_deg - RENDER_MAX_LAT) < 1e-9 && fabs(w.south_deg + RENDER_MAX_LAT) < 1e-9);
    for (int z = 0; z <= RENDER_MAX_ZOOM; z++) {
        uint32_t last = (uint32_t)((1ull << z) - 1);
        /* the four corners of the world and the tiles beside the centre lines */
        check_tile(z, 0, 0);
        check_tile(z, last, 0);
        check_tile(z, 0, last);
        check_tile(z, last, last);
        check_tile(z, last / 2, last / 2);
        check_tile(z, (last + 1) / 2, (last + 1) / 2);
        for (int i = 0; i < 40; i++) check_tile(z, (uint32_t)(rnd64() % (last + 1ull)), (uint32_t)(rnd64() % (last + 1ull)));
    }
}
END_TEST

START_TEST(render_tile_at_should_put_the_world_edges_in_the_edge_tiles)
{
    for (int z = 0; z <= RENDER_MAX_ZOOM; z++) {
        uint32_t last = (uint32_t)((1ull << z) - 1), x, y;
        render_tile_at(z, -180, 90, &x, &y); /* latitudes past 85.0511 are clamped */
        ck_assert_msg(x == 0 && y == 0, "z%d: -180,90 in %u/%u", z, x, y);
        render_tile_at(z, 180, -90, &x, &y); /* longitude 180 is the last column */
        ck_assert_msg(x == last && y == last, "z%d: 180,-90 in %u/%u", z, x, y);
        render_tile_at(z, 179.9999999, -RENDER_MAX_LAT, &x, &y);
        ck_assert_msg(x == last && y == last, "z%d: SE corner in %u/%u", z, x, y);
        render_tile_at(z, 0, 0, &x, &y); /* the centre belongs to the tile east and south of it */
        ck_assert_msg(x == (last + 1) / 2 && y == (last + 1) / 2, "z%d: 0,0 in %u/%u", z, x, y);
    }
    /* z=22: neighbouring tiles share their edges */
    geo_bbox a = render_tile_bounds(22, 2500000, 1600000), b = render_tile_bounds(22, 2500001, 1600001);
    ck_assert(fabs(a.east_deg - b.west_deg) < 1e-11 && fabs(a.south_deg - b.north_deg) < 1e-11);
}
END_TEST

START_TEST(render_tile_range_should_cover_the_box_with_the_tiles_that_hold_it)
{
    /* the Syria pyramid of the benchmark: 162 tiles at z0-9 */
    geo_bbox syria = { 35.5, 32.2, 42.5, 37.4 };
    uint64_t total = 0;
    for (int z = 0; z <= 9; z++) {
        uint32_t x0, y0, x1, y1;
        render_tile_range(z, &syria, &x0, &y0, &x1, &y1);
        total += ((uint64_t)x1 - x0 + 1) * ((uint64_t)y1 - y0 + 1);
        /* every corner of the box lies in the range */
        uint32_t tx, ty;
        render_tile_at(z, syria.west_deg, syria.north_deg, &tx, &ty);
        ck_assert(tx == x0 && ty == y0);
        render_tile_at(z, syria.east_deg, syria.south_deg, &tx, &ty);
        ck_assert(tx == x1 && ty == y1);
    }
    ck_assert_uint_eq(total, 162);
    /* the whole world at z=3 is all 64 tiles; a point is one tile */
    geo_bbox world = { -180, -90, 180, 90 }, pt = { 36.69, 33.64, 36.69, 33.64 };
    uint32_t x0, y0, x1, y1;
    render_tile_range(3, &world, &x0, &y0, &x1, &y1);
    ck_assert(x0 == 0 && y0 == 0 && x1 == 7 && y1 == 7);
    render_tile_range(22, &pt, &x0, &y0, &x1, &y1);
    ck_assert(x0 == x1 && y0 == y1);
}
END_TEST

START_TEST(tiles_fit_zoom_should_pick_the_deepest_zoom_that_fits)
{
    geo_bbox syria = { 35.5, 32.2, 42.5, 37.4 };
    /* 7 degrees of longitude: 7/360*256*2^z px; fits 1024 px up to z=7 */
    ck_assert_int_eq(tiles_fit_zoom(&syria, 0, 22, 1024, 768), 7);
    ck_assert_int_eq(tiles_fit_zoom(&syria, 0, 5, 1024, 768), 5);
    ck_assert_int_eq(tiles_fit_zoom(&syria, 9, 12, 1024, 768), 9);
    geo_bbox pt = { 36.69, 33.64, 36.69, 33.64 };
    ck_assert_int_eq(tiles_fit_zoom(&pt, 0, 14, 1024, 768), 14);
}
END_TEST

/* ----------------------------------------------------------- MBTiles */

static tiles_meta sample_meta(void)
{
    tiles_meta m;
    memset(&m, 0, sizeof(m));
    m.name = "eventmap: test";
    m.description = "3 events";
    m.attribution = tiles_attribution;
    m.bounds = (geo_bbox){ 35.5, 32.2, 42.5, 37.4 };
    m.minzoom = 0;
    m.maxzoom = 9;
    m.center_lon_deg = 39;
    m.center_lat_deg = 34.8;
    m.center_zoom = 7;
    m.n_events = 3;
    return m;
}

static const uint8_t fake_png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3 };

static char *tmp_path(const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", test_tmpdir(), name);
    return sb_detach(&sb, NULL);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

START_TEST(tiles_mbtiles_should_write_the_spec_schema_in_tms_order)
{
    char *path = tmp_path("t.mbtiles");
    tiles_mbtiles *m = NULL;
    char *err = NULL;
    ck_assert_msg(tiles_mbtiles_open(path, 0, &m, &err) == 0, "%s", err);
    /* nothing at path until the finish */
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(tiles_mbtiles_put(m, 0, 0, 0, fake_png, sizeof(fake_png), &err), 0);
    ck_assert_int_eq(tiles_mbtiles_put(m, 3, 4, 1, fake_png, sizeof(fake_png), &err), 0);
    ck_assert_int_eq(tiles_mbtiles_put(m, 22, 2500000, 1600000, fake_png, sizeof(fake_png), &err), 0);
    ck_assert_int_eq(tiles_mbtiles_has(m, 3, 4, 1), 1);
    ck_assert_int_eq(tiles_mbtiles_has(m, 3, 4, 6), 0);
    tiles_meta meta = sample_meta();
    ck_assert_msg(tiles_mbtiles_finish(m, &meta, &err) == 0, "%s", err);

    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_table_info('metadata') WHERE name IN ('name','value')"), 2);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_table_info('tiles') WHERE name IN "
                                   "('zoom_level','tile_column','tile_row','tile_data')"), 4);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_index_list('tiles') WHERE \"unique\""), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tiles"), 3);
    /* TMS: row 0 is the south edge; 3/4/1 (XYZ) is row 8-1-1 = 6 */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tiles WHERE zoom_level=3 AND tile_column=4 AND tile_row=6"), 1);
    ck_assert_int_eq(query_int(db, "SELECT tile_row FROM tiles WHERE zoom_level=22"), (1 << 22) - 1 - 1600000);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tiles WHERE substr(tile_data,1,8) = "
                                   "x'89504e470d0a1a0a'"), 3);
    const char *keys[] = { "name", "format", "bounds", "center", "minzoom", "maxzoom", "attribution", "type" };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        strbuf sql = STRBUF_INIT;
        sb_addf(&sql, "SELECT count(*) FROM metadata WHERE name='%s' AND value <> ''", keys[i]);
        ck_assert_msg(query_int(db, sql.buf) == 1, "metadata %s", keys[i]);
        sb_release(&sql);
    }
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT name, value FROM metadata", -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0), *v = (const char *)sqlite3_column_text(st, 1);
        if (!strcmp(k, "format")) ck_assert_str_eq(v, "png");
        if (!strcmp(k, "bounds")) ck_assert_str_eq(v, "35.500000,32.200000,42.500000,37.400000");
        if (!strcmp(k, "center")) ck_assert_str_eq(v, "39.000000,34.800000,7");
        if (!strcmp(k, "minzoom")) ck_assert_str_eq(v, "0");
        if (!strcmp(k, "maxzoom")) ck_assert_str_eq(v, "22"); /* the tiles held, not meta's 9 */
        if (!strcmp(k, "type")) ck_assert(!strcmp(v, "baselayer") || !strcmp(v, "overlay"));
        if (!strcmp(k, "attribution")) ck_assert(strstr(v, "GeoNames") && strstr(v, "Natural Earth"));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* resuming starts from the old tiles; abort leaves the old file as it was */
    ck_assert_msg(tiles_mbtiles_open(path, 1, &m, &err) == 0, "%s", err);
    ck_assert_int_eq(tiles_mbtiles_has(m, 3, 4, 1), 1);
    ck_assert_int_eq(tiles_mbtiles_has(m, 22, 2500000, 1600000), 1);
    ck_assert_int_eq(tiles_mbtiles_put(m, 1, 1, 1, fake_png, sizeof(fake_png), &err), 0);
    tiles_mbtiles_abort(m);
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tiles"), 3);
    sqlite3_close(db);
    /* without resume, the file starts empty */
    ck_assert_msg(tiles_mbtiles_open(path, 0, &m, &err) == 0, "%s", err);
    ck_assert_int_eq(tiles_mbtiles_has(m, 3, 4, 1), 0);
    tiles_mbtiles_abort(m);
    /* no temporary file is left behind */
    run_result r = run_cmd(NULL, "ls '%s'", test_tmpdir());
    ck_assert_ptr_null(strstr(r.out, ".tmp."));
    run_result_free(&r);
    tiles_mbtiles_abort(NULL);
    free(path);
}
END_TEST

START_TEST(tiles_mbtiles_open_should_refuse_to_resume_from_something_else)
{
    char *path = test_write_file("not.mbtiles", "just text\n");
    tiles_mbtiles *m = NULL;
    char *err = NULL;
    int rc = tiles_mbtiles_open(path, 1, &m, &err);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "not.mbtiles") != NULL, "%s", err);
    free(err);
    err = NULL;
    char *bad = tmp_path("no/such/dir/t.mbtiles");
    ck_assert_int_eq(tiles_mbtiles_open(bad, 0, &m, &err), EM_EIO);
    ck_assert_msg(strstr(err, "t.mbtiles: cannot create") != NULL, "%s", err);
    free(err);
    free(bad);
    free(path);
}
END_TEST

/* ----------------------------------------------------------- TileJSON */

START_TEST(tiles_tilejson_should_have_the_required_keys)
{
    tiles_meta meta = sample_meta();
    char *text = tiles_tilejson(&meta);
    cJSON *o = cJSON_Parse(text);
    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "tilejson")->valuestring, "3.0.0");
    cJSON *tiles = cJSON_GetObjectItem(o, "tiles");
    ck_assert(cJSON_IsArray(tiles) && cJSON_GetArraySize(tiles) == 1);
    ck_assert_str_eq(cJSON_GetArrayItem(tiles, 0)->valuestring, "{z}/{x}/{y}.png");
    ck_assert_int_eq(cJSON_GetObjectItem(o, "minzoom")->valueint, 0);
    ck_assert_int_eq(cJSON_GetObjectItem(o, "maxzoom")->valueint, 9);
    cJSON *b = cJSON_GetObjectItem(o, "bounds"), *c = cJSON_GetObjectItem(o, "center");
    ck_assert(cJSON_GetArraySize(b) == 4 && cJSON_GetArraySize(c) == 3);
    ck_assert(cJSON_GetArrayItem(b, 0)->valuedouble == 35.5 && cJSON_GetArrayItem(b, 3)->valuedouble == 37.4);
    ck_assert(cJSON_GetArrayItem(c, 0)->valuedouble == 39 && cJSON_GetArrayItem(c, 2)->valuedouble == 7);
    ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(o, "attribution")->valuestring, "GeoNames (CC BY 4.0)"));
    ck_assert_str_eq(cJSON_GetObjectItem(o, "name")->valuestring, "eventmap: test");
    cJSON_Delete(o);
    free(text);
}
END_TEST

/* ------------------------------------------------------ events.geojson */

/* The threaded writer writes what ev_geojson_* writes, byte for byte,
 * across many chunks (long notes fill a 1 MiB chunk every few events). */
START_TEST(tiles_geojson_should_write_what_the_event_layer_writes)
{
    char *path_a = tmp_path("a.geojson"), *path_b = tmp_path("b.geojson");
    FILE *a = fopen(path_a, "wb"), *b = fopen(path_b, "wb");
    ck_assert(a && b);
    ev_geojson_writer *direct = ev_geojson_open(a);
    tiles_geojson *threaded = tiles_geojson_start(b);
    ck_assert_ptr_nonnull(threaded);
    strbuf notes = STRBUF_INIT, id = STRBUF_INIT;
    for (int i = 0; i < 3000; i++) {
        sb_reset(&notes);
        sb_reset(&id);
        sb_addf(&id, "E%d", i);
        size_t len = i % 100 == 0 ? 300000 : (size_t)(i % 50);
        for (size_t k = 0; k < len; k++) sb_addch(&notes, "ab\"\n\x01 c"[k % 7]);
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = id.buf;
        e.event_date = "2024-03-15";
        e.day = 19797;
        e.time_precision = 1 + i % 3;
        e.event_type = i % 2 ? "Battles" : "";
        e.sub_event_type = e.actor1 = e.actor2 = e.country = e.admin1 = "";
        e.location = "\xd8\xa7\xd9\x84\xd8\xb6\xd9\x85\xd9\x8a\xd8\xb1";
        e.source = "s";
        e.notes = notes.buf;
        e.gazetteer_id = e.match = "";
        e.located = i % 17 != 0; /* some unlocated: left out and counted */
        e.lat = -89.5 + i * 0.05;
        e.lon = -179.5 + i * 0.1;
        e.geo_precision = 1;
        e.fatalities = i;
        e.confidence = 0.5;
        ck_assert_int_eq(ev_geojson_write(direct, &e, NULL, 0), 0);
        tiles_geojson_add(threaded, &e);
    }
    long left_a = ev_geojson_close(direct), left_b = tiles_geojson_finish(threaded);
    ck_assert_int_eq(left_a, left_b);
    ck_assert_int_eq(left_b, (3000 + 16) / 17);
    fclose(a);
    fclose(b);
    size_t len_a, len_b;
    char *text_a = test_read_file(path_a, &len_a), *text_b = test_read_file(path_b, &len_b);
    ck_assert_uint_eq(len_a, len_b);
    ck_assert(len_a > 3000000 && !memcmp(text_a, text_b, len_a));
    ck_assert_int_eq(tiles_geojson_finish(NULL), 0);
    free(text_a);
    free(text_b);
    sb_release(&notes);
    sb_release(&id);
    free(path_a);
    free(path_b);
}
END_TEST

START_TEST(tiles_geojson_should_take_an_event_larger_than_a_chunk)
{
    char *path_a = tmp_path("big-a.geojson"), *path_b = tmp_path("big-b.geojson");
    FILE *a = fopen(path_a, "wb"), *b = fopen(path_b, "wb");
    ck_assert(a && b);
    ev_geojson_writer *direct = ev_geojson_open(a);
    tiles_geojson *threaded = tiles_geojson_start(b);
    ck_assert_ptr_nonnull(threaded);
    strbuf notes = STRBUF_INIT;
    for (size_t k = 0; k < 3u << 19; k++) sb_addch(&notes, 'a' + k % 26); /* 1.5 MiB */
    for (int i = 0; i < 5; i++) {
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = i == 2 ? "big" : "small";
        e.event_date = "2024-03-15";
        e.event_type = e.sub_event_type = e.actor1 = e.actor2 = e.country = e.admin1 = "";
        e.admin2 = e.admin3 = e.location = e.source = e.gazetteer_id = e.match = "";
        e.notes = i == 2 ? notes.buf : "n";
        e.located = 1;
        e.lat = 33 + i;
        e.lon = 36;
        ck_assert_int_eq(ev_geojson_write(direct, &e, NULL, 0), 0);
        tiles_geojson_add(threaded, &e);
    }
    ck_assert_int_eq(ev_geojson_close(direct), 0);
    ck_assert_int_eq(tiles_geojson_finish(threaded), 0);
    fclose(a);
    fclose(b);
    size_t len_a, len_b;
    char *text_a = test_read_file(path_a, &len_a), *text_b = test_read_file(path_b, &len_b);
    ck_assert_uint_eq(len_a, len_b);
    ck_assert(len_a > notes.len && !memcmp(text_a, text_b, len_a));
    free(text_a);
    free(text_b);
    sb_release(&notes);
    free(path_a);
    free(path_b);
}
END_TEST

/* --------------------------------------------------------------- files */

START_TEST(tiles_mkdirs_should_make_and_remove_only_what_it_made)
{
    char *top = tmp_path("a");
    char *deep = tmp_path("a/b/c");
    tiles_dirlist made = { NULL, 0, 0 };
    char *err = NULL;
    ck_assert_int_eq(tiles_mkdirs(deep, &made, &err), 0);
    ck_assert_uint_eq(made.n, 3);
    ck_assert_int_eq(tiles_mkdirs(deep, &made, &err), 0); /* there already: nothing new */
    ck_assert_uint_eq(made.n, 3);
    /* a file in c keeps c (and so b and a) */
    strbuf f = STRBUF_INIT;
    sb_addf(&f, "%s/x.png", deep);
    ck_assert_int_eq(tempfile_write(f.buf, "x", 1, NULL, 0, &err), 0);
    tiles_rmdirs(&made);
    ck_assert_int_eq(access(f.buf, F_OK), 0);
    unlink(f.buf);
    ck_assert_int_eq(tiles_mkdirs(deep, &made, &err), 0);
    ck_assert_uint_eq(made.n, 0);
    tiles_dirlist_release(&made);
    /* a file in the way */
    strbuf under = STRBUF_INIT;
    sb_addf(&under, "%s/sub", f.buf);
    ck_assert_int_eq(tempfile_write(f.buf, "x", 1, NULL, 0, &err), 0);
    ck_assert_int_eq(tiles_mkdirs(under.buf, &made, &err), EM_EIO);
    ck_assert_msg(strstr(err, "cannot create") != NULL, "%s", err);
    free(err);
    sb_release(&under);
    sb_release(&f);
    free(top);
    free(deep);
}
END_TEST

/* ------------------------------------------------------------ the plan */

START_TEST(tiles_plan_should_count_every_zoom_and_refuse_more_than_the_limit)
{
    geo_bbox syria = { 35.5, 32.2, 42.5, 37.4 };
    render_markers *ev = render_markers_new();
    render_markers_finish(ev);
    tiles_span spans[10];
    uint64_t total = 0;
    ck_assert_int_eq(tiles_plan(&syria, 0, 9, ev, spans, &total), 0);
    uint64_t sum = 0;
    for (int z = 0; z <= 9; z++) {
        uint32_t x0, y0, x1, y1;
        render_tile_range(z, &syria, &x0, &y0, &x1, &y1);
        ck_assert_int_eq(spans[z].zoom, z);
        ck_assert(spans[z].x0 == x0 && spans[z].y0 == y0 && spans[z].x1 == x1 && spans[z].y1 == y1);
        ck_assert_uint_eq(spans[z].first, sum);
        ck_assert_int_eq(spans[z].density, 0);
        sum += ((uint64_t)x1 - x0 + 1) * ((uint64_t)y1 - y0 + 1);
    }
    ck_assert_uint_eq(total, sum);
    ck_assert_uint_eq(total, 162); /* the benchmark's pyramid */
    geo_bbox world = { -180, -RENDER_MAX_LAT, 180, RENDER_MAX_LAT };
    tiles_span many[13];
    ck_assert_int_eq(tiles_plan(&world, 0, 12, ev, many, &total), -1);
    ck_assert(total > TILES_MAX_RUN);
    render_markers_free(ev);
}
END_TEST

START_TEST(tiles_plan_should_draw_density_from_the_top_while_a_tile_is_crowded)
{
    /* 2,000 events in a small square: crowded tiles at the low zooms only */
    render_markers *ev = render_markers_new();
    for (int i = 0; i < 2000; i++)
        render_markers_add_point(ev, 36 + (i % 40) * 0.001, 33 + (i / 40) * 0.001, "Battles", "x", 0);
    render_markers_finish(ev);
    geo_bbox box = { 35, 32, 37, 34 };
    tiles_span spans[11];
    uint64_t total;
    ck_assert_int_eq(tiles_plan(&box, 0, 10, ev, spans, &total), 0);
    for (int z = 0; z <= 10; z++) ck_assert_int_eq(spans[z].density, 1); /* all in one tile up to z10 */
    ck_assert_int_eq(tiles_plan(&box, 14, 14, ev, spans, &total), 0);
    ck_assert_int_eq(spans[0].density, 0); /* spread over several tiles */
    /* spread wide, no tile holds more than the threshold */
    render_markers *sparse = render_markers_new();
    for (int i = 0; i < 2000; i++) render_markers_add_point(sparse, -170 + i * 0.17, -60 + (i % 100) * 1.2, "Riots", "", 0);
    render_markers_finish(sparse);
    geo_bbox world = { -180, -RENDER_MAX_LAT, 180, RENDER_MAX_LAT };
    ck_assert_int_eq(tiles_plan(&world, 0, 3, sparse, spans, &total), 0);
    ck_assert_int_eq(spans[0].density, 1);
    ck_assert_int_eq(spans[3].density, 0);
    for (int z = 1; z <= 3; z++) ck_assert(spans[z].density <= spans[z - 1].density); /* never back on */
    render_markers_free(ev);
    render_markers_free(sparse);
}
END_TEST

START_TEST(tiles_coverage_should_hold_the_tiles_and_reach_the_poles_at_the_edge)
{
    geo_bbox box = { 36.2, 33.1, 36.4, 33.3 };
    geo_bbox c = tiles_coverage(&box, 6);
    uint32_t x, y;
    render_tile_at(6, 36.3, 33.2, &x, &y);
    geo_bbox t = render_tile_bounds(6, x, y);
    ck_assert(c.west_deg == t.west_deg && c.east_deg == t.east_deg && c.south_deg == t.south_deg &&
              c.north_deg == t.north_deg);
    c = tiles_coverage(&box, 0);
    ck_assert(c.west_deg == -180 && c.east_deg == 180 && c.south_deg == -90 && c.north_deg == 90);
    geo_bbox arctic = { 10, 80, 20, 85 };
    c = tiles_coverage(&arctic, 4);
    ck_assert(c.north_deg == 90 && c.south_deg > 0);
}
END_TEST

START_TEST(tiles_pad_extent_should_widen_by_five_percent_within_the_world)
{
    geo_bbox b = tiles_pad_extent((geo_bbox){ 30, 30, 40, 34 });
    ck_assert(fabs(b.west_deg - 29.5) < 1e-12 && fabs(b.east_deg - 40.5) < 1e-12);
    ck_assert(fabs(b.south_deg - 29.8) < 1e-12 && fabs(b.north_deg - 34.2) < 1e-12);
    b = tiles_pad_extent((geo_bbox){ 36, 33, 36, 33 }); /* a point: at least 0.01 degrees */
    ck_assert(fabs(b.west_deg - 35.99) < 1e-12 && fabs(b.north_deg - 33.01) < 1e-12);
    b = tiles_pad_extent((geo_bbox){ -180, -90, 180, 90 });
    ck_assert(b.west_deg == -180 && b.east_deg == 180 && b.south_deg == -90 && b.north_deg == 90);
}
END_TEST

/* --------------------------------------------------------------- a run */

static char *data_path(const char *rel)
{
    const char *home = getenv("EVENTMAP_HOME");
    strbuf sb = STRBUF_INIT;
    if (home && *home) sb_addf(&sb, "%s/", home);
    sb_adds(&sb, rel);
    return sb_detach(&sb, NULL);
}

/* A source of its own: three events (one unlocated) inside the boxes
 * asked for; with fail an error instead; with unlocated_only the unlocated
 * one alone. */
typedef struct {
    int fail, unlocated_only;
    size_t n_calls;
} fake_source;

static int read_fake(void *source, const geo_bbox *boxes, size_t n_boxes, tiles_event_fn fn, void *ctx, char **err)
{
    fake_source *src = source;
    src->n_calls++;
    if (src->fail) return em_error(err, EM_EINPUT, "fake.csv:2: latitude \"x\" is not a number");
    static const double pts[][2] = { { 36.3, 33.5 }, { 38.5, 35.0 }, { 0, 0 } };
    for (int i = src->unlocated_only ? 2 : 0; i < 3; i++) {
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = i == 0 ? "f1" : i == 1 ? "f2" : "f3";
        e.event_date = "2024-03-15";
        e.event_type = i ? "Protests" : "Battles";
        e.sub_event_type = e.actor1 = e.actor2 = e.country = e.admin1 = e.admin2 = e.admin3 = "";
        e.location = e.source = e.notes = e.gazetteer_id = e.match = "";
        e.located = i < 2;
        e.lon = pts[i][0];
        e.lat = pts[i][1];
        int inside = !n_boxes;
        for (size_t b = 0; b < n_boxes; b++)
            inside |= e.located && e.lon >= boxes[b].west_deg && e.lon <= boxes[b].east_deg &&
                      e.lat >= boxes[b].south_deg && e.lat <= boxes[b].north_deg;
        if (inside && fn(ctx, &e, err) < 0) return -1;
    }
    return 0;
}

START_TEST(tiles_run_should_make_the_pyramid_from_any_source_and_resume_it)
{
    render_basemap *base = NULL;
    char *data = data_path(".cache/data"), *leaflet = data_path(".cache/data/leaflet"), *err = NULL;
    ck_assert_msg(render_basemap_load(data, &base, &err) == 0, "%s", err);
    char *dir = tmp_path("run/tiles");
    fake_source src = { 0, 0, 0 };
    tiles_opts o;
    memset(&o, 0, sizeof(o));
    o.dir = dir;
    o.leaflet_dir = leaflet;
    o.source_name = "/somewhere/fake.csv";
    o.min_zoom = 5;
    o.max_zoom = 6;
    o.jobs = 8;
    o.read_events = read_fake;
    o.source = &src;
    ck_assert_int_eq(tiles_check_leaflet(leaflet, &err), 0);
    tiles_report r;
    ck_assert_msg(tiles_run(&o, base, &r, &err) == 0, "%s", err);
    ck_assert_uint_eq(src.n_calls, 1);
    ck_assert_uint_eq(r.n_events, 2);
    ck_assert_uint_eq(r.n_unlocated, 1);
    ck_assert_uint_eq(r.n_skipped, 0);
    ck_assert(r.n_rendered >= 2 && r.png_bytes > 0);
    ck_assert_int_eq(r.jobs, r.n_rendered < 8 ? (int)r.n_rendered : 8);
    const char *files[] = { "events.geojson", "tilejson.json", "index.html", "leaflet.js" };
    strbuf path = STRBUF_INIT;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        sb_reset(&path);
        sb_addf(&path, "%s/%s", dir, files[i]);
        ck_assert_msg(access(path.buf, R_OK) == 0, "%s", path.buf);
    }
    sb_reset(&path);
    sb_addf(&path, "%s/tilejson.json", dir);
    char *tilejson = test_read_file(path.buf, NULL);
    ck_assert_ptr_nonnull(strstr(tilejson, "\"eventmap: fake.csv\""));
    free(tilejson);

    /* again with resume: every tile kept */
    uint64_t n = r.n_rendered;
    o.resume = 1;
    ck_assert_msg(tiles_run(&o, base, &r, &err) == 0, "%s", err);
    ck_assert_uint_eq(r.n_rendered, 0);
    ck_assert_uint_eq(r.n_skipped, n);

    /* the source's error, as it gave it; nothing made is left */
    char *other = tmp_path("run/failed");
    o.dir = other;
    o.resume = 0;
    src.fail = 1;
    ck_assert_int_eq(tiles_run(&o, base, &r, &err), EM_EINPUT);
    ck_assert_str_eq(err, "fake.csv:2: latitude \"x\" is not a number");
    free(err);
    err = NULL;
    ck_assert_int_ne(access(other, F_OK), 0);

    /* more tiles than a run makes: the caller's to narrow */
    src.fail = 0;
    o.has_bbox = 1;
    o.bbox = (geo_bbox){ -180, -80, 180, 80 };
    o.min_zoom = 0;
    o.max_zoom = 13;
    ck_assert_int_eq(tiles_run(&o, base, &r, &err), EM_EUSAGE);
    ck_assert_msg(strstr(err, "makes more than 10000000 tiles; narrow --bbox or --zoom") != NULL, "%s", err);
    free(err);
    err = NULL;
    ck_assert_int_ne(access(other, F_OK), 0);

    /* no located events: an error without a bbox, the base map alone with one */
    src.unlocated_only = 1;
    o.has_bbox = 0;
    o.min_zoom = o.max_zoom = 3;
    ck_assert_int_eq(tiles_run(&o, base, &r, &err), EM_EINPUT);
    ck_assert_str_eq(err, "no events with coordinates to draw; give --bbox W,S,E,N to draw the base map alone");
    free(err);
    err = NULL;
    ck_assert_int_ne(access(other, F_OK), 0);
    o.has_bbox = 1;
    o.bbox = (geo_bbox){ 36, 33, 37, 34 };
    ck_assert_msg(tiles_run(&o, base, &r, &err) == 0, "%s", err);
    ck_assert_uint_eq(r.n_events, 0);
    ck_assert_uint_eq(r.n_unlocated, 0); /* read through a box: the located only */
    ck_assert_uint_eq(r.n_rendered, 1);
    ck_assert_int_eq(r.jobs, 1);

    sb_release(&path);
    render_basemap_free(base);
    free(other);
    free(dir);
    free(data);
    free(leaflet);
}
END_TEST

Suite *tiles_suite(void)
{
    Suite *s = suite_create("tiles");
    TCase *t = tcase_create("addressing");
    tcase_add_test(t, render_tile_bounds_should_lead_back_to_the_same_tile);
    tcase_add_test(t, render_tile_at_should_put_the_world_edges_in_the_edge_tiles);
    tcase_add_test(t, render_tile_range_should_cover_the_box_with_the_tiles_that_hold_it);
    tcase_add_test(t, tiles_fit_zoom_should_pick_the_deepest_zoom_that_fits);
    suite_add_tcase(s, t);
    t = tcase_create("plan");
    tcase_add_test(t, tiles_plan_should_count_every_zoom_and_refuse_more_than_the_limit);
    tcase_add_test(t, tiles_plan_should_draw_density_from_the_top_while_a_tile_is_crowded);
    tcase_add_test(t, tiles_coverage_should_hold_the_tiles_and_reach_the_poles_at_the_edge);
    tcase_add_test(t, tiles_pad_extent_should_widen_by_five_percent_within_the_world);
    suite_add_tcase(s, t);
    t = tcase_create("run");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, tiles_run_should_make_the_pyramid_from_any_source_and_resume_it);
    suite_add_tcase(s, t);
    t = tcase_create("outputs");
    tcase_add_test(t, tiles_mbtiles_should_write_the_spec_schema_in_tms_order);
    tcase_add_test(t, tiles_mbtiles_open_should_refuse_to_resume_from_something_else);
    tcase_add_test(t, tiles_tilejson_should_have_the_required_keys);
    tcase_add_test(t, tiles_geojson_should_write_what_the_event_layer_writes);
    tcase_add_test(t, tiles_geojson_should_take_an_event_larger_than_a_chunk);
    tcase_add_test(t, tiles_mkdirs_should_make_and_remove_only_what_it_made);
    suite_add_tcase(s, t);
    return s;
}
