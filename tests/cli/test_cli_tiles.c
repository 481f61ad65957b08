/*
 * test_cli_tiles.c - end-to-end: `eventmap tiles` as a user runs it on a
 * small fixture.  The pyramid holds exactly the tiles covering the events,
 * each a 256 x 256 PNG that libpng decodes; a marker of the event type's
 * colour sits at the projected pixel of each known event in the tile
 * holding it, and no pixel away from them has a marker's colour; MBTiles has the spec's schema with rows in
 * TMS order; --resume leaves finished tiles alone; tilejson.json, the
 * GeoJSON and the viewer are there and name no network address; bad usage
 * and bad input fail with a clear message and leave nothing behind.
 * (The viewer in a real browser: tests/browser/viewer.test.mjs.)
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/render.h"
#include "test_helpers.h"
#include "util/strbuf.h"

/* Three events far apart (at zoom 6 about 50 px or more). */
static const char fixture_csv[] =
    "id,event_date,event_type,actor1,location,latitude,longitude,fatalities\n"
    "t1,2024-03-01,Battles,Actor A,Alpha,33.5,36.3,2\n"
    "t2,2024-03-02,Protests,Actor B,Bravo,36.2,37.15,0\n"
    "t3,2024-03-03,Explosions/Remote violence,Actor A,Charlie,35.0,38.5,10\n";
static const geo_bbox fixture_extent = { 36.3, 33.5, 38.5, 36.2 };

static char *tmp_path(const char *name)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "%s/%s", test_tmpdir(), name);
    return sb_detach(&sb, NULL);
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static uint64_t count_tiles(const geo_bbox *box, int zmin, int zmax)
{
    uint64_t n = 0;
    for (int z = zmin; z <= zmax; z++) {
        uint32_t x0, y0, x1, y1;
        render_tile_range(z, box, &x0, &y0, &x1, &y1);
        n += ((uint64_t)x1 - x0 + 1) * ((uint64_t)y1 - y0 + 1);
    }
    return n;
}

/* The PNG at path decodes as a 256 x 256 image (read into img when not NULL). */
static void check_png(const char *path, render_image *img)
{
    render_image local;
    memset(&local, 0, sizeof(local));
    char *err = NULL;
    render_image *im = img ? img : &local;
    ck_assert_msg(render_png_read(path, im, &err) == 0, "%s: %s", path, err ? err : "?");
    ck_assert_msg(im->width == RENDER_TILE_PX && im->height == RENDER_TILE_PX, "%s: %dx%d", path, im->width,
                  im->height);
    render_image_release(&local);
}

static cJSON *read_json(const char *path)
{
    char *text = test_read_file(path, NULL);
    ck_assert_msg(text != NULL, "%s: cannot read", path);
    cJSON *o = cJSON_Parse(text);
    ck_assert_msg(o != NULL, "%s: not JSON", path);
    free(text);
    return o;
}

/* The bounds of the tileset in dir, from its tilejson.json. */
static geo_bbox tilejson_bounds(const char *dir)
{
    strbuf p = STRBUF_INIT;
    sb_addf(&p, "%s/tilejson.json", dir);
    cJSON *tj = read_json(p.buf);
    cJSON *b = cJSON_GetObjectItem(tj, "bounds");
    ck_assert_msg(cJSON_GetArraySize(b) == 4, "%s: no bounds", p.buf);
    geo_bbox box = { cJSON_GetArrayItem(b, 0)->valuedouble, cJSON_GetArrayItem(b, 1)->valuedouble,
                     cJSON_GetArrayItem(b, 2)->valuedouble, cJSON_GetArrayItem(b, 3)->valuedouble };
    cJSON_Delete(tj);
    sb_release(&p);
    return box;
}

/* ------------------------------------------------------------ pyramid */

START_TEST(tiles_should_write_every_tile_tilejson_geojson_and_the_viewer)
{
    char *csv = test_write_file("fx.csv", fixture_csv);
    char *dir = tmp_path("pyr");
    run_result r = run_cmd(NULL, "@ tiles --in %s -o %s --zoom 0-4 --jobs 2", csv, dir);
    ck_assert_msg(r.status == 0, "tiles: %s", r.err);
    ck_assert_str_eq(r.out, "");
    ck_assert_msg(strstr(r.err, "3 events") != NULL, "%s", r.err);
    run_result_free(&r);

    /* exactly the tiles that cover the tileset's bounds, each a 256 px PNG */
    strbuf p = STRBUF_INIT;
    geo_bbox cover = tilejson_bounds(dir);
    for (int z = 0; z <= 4; z++) {
        uint32_t x0, y0, x1, y1;
        render_tile_range(z, &cover, &x0, &y0, &x1, &y1);
        for (uint32_t x = x0; x <= x1; x++)
            for (uint32_t y = y0; y <= y1; y++) {
                sb_reset(&p);
                sb_addf(&p, "%s/%d/%u/%u.png", dir, z, x, y);
                check_png(p.buf, NULL);
            }
    }
    r = run_cmd(NULL, "find '%s' -name '*.png' -path '%s/[0-9]*' | wc -l", dir, dir);
    ck_assert_uint_eq(strtoull(r.out, NULL, 10), count_tiles(&cover, 0, 4));
    run_result_free(&r);
    r = run_cmd(NULL, "find '%s' -name '*.tmp.*'", dir);
    ck_assert_msg(!r.out[0], "temporary files left: %s", r.out);
    run_result_free(&r);

    /* TileJSON 3.0.0 */
    sb_reset(&p);
    sb_addf(&p, "%s/tilejson.json", dir);
    cJSON *tj = read_json(p.buf);
    ck_assert_str_eq(cJSON_GetObjectItem(tj, "tilejson")->valuestring, "3.0.0");
    cJSON *tiles = cJSON_GetObjectItem(tj, "tiles");
    ck_assert_str_eq(cJSON_GetArrayItem(tiles, 0)->valuestring, "{z}/{x}/{y}.png");
    ck_assert_int_eq(cJSON_GetObjectItem(tj, "minzoom")->valueint, 0);
    ck_assert_int_eq(cJSON_GetObjectItem(tj, "maxzoom")->valueint, 4);
    /* the events' extent and a margin of 5% */
    cJSON *b = cJSON_GetObjectItem(tj, "bounds");
    ck_assert_int_eq(cJSON_GetArraySize(b), 4);
    double margin[4] = { fixture_extent.west_deg - cJSON_GetArrayItem(b, 0)->valuedouble,
                         fixture_extent.south_deg - cJSON_GetArrayItem(b, 1)->valuedouble,
                         cJSON_GetArrayItem(b, 2)->valuedouble - fixture_extent.east_deg,
                         cJSON_GetArrayItem(b, 3)->valuedouble - fixture_extent.north_deg };
    const double want_margin[4] = { 0.11, 0.135, 0.11, 0.135 };
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(margin[i] - want_margin[i]) < 1e-6, "margin %d: %g", i, margin[i]);
    cJSON *c = cJSON_GetObjectItem(tj, "center");
    ck_assert_int_eq(cJSON_GetArraySize(c), 3);
    ck_assert(fabs(cJSON_GetArrayItem(c, 0)->valuedouble - 37.4) < 1e-6);
    ck_assert(cJSON_GetArrayItem(c, 2)->valueint >= 0 && cJSON_GetArrayItem(c, 2)->valueint <= 4);
    const char *attribution = cJSON_GetObjectItem(tj, "attribution")->valuestring;
    ck_assert(strstr(attribution, "GeoNames (CC BY 4.0)") && strstr(attribution, "Natural Earth"));
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(tj, "name")));
    cJSON_Delete(tj);

    /* the events as valid GeoJSON */
    sb_reset(&p);
    sb_addf(&p, "%s/events.geojson", dir);
    char *msg = NULL;
    int valid = test_geojson_valid(p.buf, &msg);
    ck_assert_msg(valid == 1, "geojsonhint: %s", msg ? msg : "?");
    cJSON *gj = read_json(p.buf);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(gj, "features")), 3);
    cJSON_Delete(gj);

    /* the viewer and its copy of Leaflet; no network address in the page */
    const char *files[] = { "index.html", "leaflet.js", "leaflet.css", "images/layers.png", "images/marker-icon.png" };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        sb_reset(&p);
        sb_addf(&p, "%s/%s", dir, files[i]);
        ck_assert_msg(exists(p.buf), "%s missing", p.buf);
    }
    sb_reset(&p);
    sb_addf(&p, "%s/index.html", dir);
    char *page = test_read_file(p.buf, NULL);
    ck_assert_ptr_null(strstr(page, "http://"));
    ck_assert_ptr_null(strstr(page, "https://"));
    ck_assert_ptr_null(strstr(page, "//unpkg"));
    ck_assert_ptr_nonnull(strstr(page, "<script src=\"leaflet.js\"></script>"));
    ck_assert_ptr_nonnull(strstr(page, "href=\"leaflet.css\""));
    ck_assert_ptr_nonnull(strstr(page, "\"Charlie\"")); /* the events ride along for file:// */
    free(page);
    sb_release(&p);
    free(csv);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------- pixels */

START_TEST(tiles_should_draw_a_marker_at_the_event_and_leave_the_rest_as_the_base_map)
{
    char *csv = test_write_file("fx.csv", fixture_csv);
    char *with = tmp_path("with"), *without = tmp_path("without");
    /* zoom 6 around Charlie (t3); its tile, 6/38/25, holds all three
     * events.  The second run filters every event out. */
    const char *bbox = "38.4,34.9,38.6,35.1";
    run_result r = run_cmd(NULL, "@ tiles --in %s -o %s --zoom 6 --bbox %s", csv, with, bbox);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "1 tile, zoom 6-6, 3 events") != NULL, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ tiles --in %s -o %s --zoom 6 --bbox %s --type NoSuchType", csv, without, bbox);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);

    static const struct {
        double lon, lat;
        const char *type, *location;
        int fatalities;
    } events[] = {
        { 36.3, 33.5, "Battles", "Alpha", 2 },
        { 37.15, 36.2, "Protests", "Bravo", 0 },
        { 38.5, 35.0, "Explosions/Remote violence", "Charlie", 10 },
    };
    enum { N = sizeof(events) / sizeof(events[0]) };
    uint32_t x, y;
    render_tile_at(6, 38.5, 35.0, &x, &y);
    strbuf p = STRBUF_INIT;
    render_image a, b;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    sb_addf(&p, "%s/6/%u/%u.png", with, x, y);
    check_png(p.buf, &a);
    sb_reset(&p);
    sb_addf(&p, "%s/6/%u/%u.png", without, x, y);
    check_png(p.buf, &b);

    render_view *v = NULL;
    char *err = NULL;
    ck_assert_int_eq(render_view_tile(6, x, y, &v, &err), 0);
    render_markers *ev = render_markers_new();
    for (int i = 0; i < N; i++)
        render_markers_add_point(ev, events[i].lon, events[i].lat, events[i].type, events[i].location,
                                events[i].fatalities);
    render_markers_finish(ev);
    double px[N], py[N];
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(render_view_project(v, events[i].lon, events[i].lat, &px[i], &py[i]), 0);
        ck_assert(px[i] >= 0 && px[i] < RENDER_TILE_PX && py[i] >= 0 && py[i] < RENDER_TILE_PX);
        /* the marker's colour at the event: its type's colour */
        size_t type = 0;
        while (type < render_markers_n_types(ev) && strcmp(render_markers_type(ev, type), events[i].type)) type++;
        uint8_t rgb[3];
        render_type_colour(ev, type, rgb);
        const uint8_t *at = a.rgba + (size_t)py[i] * a.stride + (size_t)px[i] * 4;
        const uint8_t *base = b.rgba + (size_t)py[i] * b.stride + (size_t)px[i] * 4;
        int dist = abs(at[0] - rgb[0]) + abs(at[1] - rgb[1]) + abs(at[2] - rgb[2]);
        ck_assert_msg(dist <= 60, "%s: pixel %.1f,%.1f is %d,%d,%d; marker colour %d,%d,%d", events[i].location,
                      px[i], py[i], at[0], at[1], at[2], rgb[0], rgb[1], rgb[2]);
        ck_assert_msg(memcmp(at, base, 3) != 0, "%s: the marker pixel is the base map's colour",
                      events[i].location);
    }
    render_view_free(v);

    /* away from the markers no pixel has a marker's colour (the reference
     * places may differ between the runs: the renderer keeps their labels
     * off the markers, so the tiles are not compared pixel for pixel) */
    uint8_t colours[N][3];
    for (size_t t = 0; t < N && t < render_markers_n_types(ev); t++) render_type_colour(ev, t, colours[t]);
    size_t marked = 0;
    for (int j = 0; j < RENDER_TILE_PX; j++)
        for (int i = 0; i < RENDER_TILE_PX; i++) {
            double d = 1e9;
            for (int k = 0; k < N; k++) d = fmin(d, hypot(i + 0.5 - px[k], j + 0.5 - py[k]));
            if (d <= 30) continue;
            const uint8_t *pa = a.rgba + (size_t)j * a.stride + (size_t)i * 4;
            for (int k = 0; k < N; k++)
                if (abs(pa[0] - colours[k][0]) + abs(pa[1] - colours[k][1]) + abs(pa[2] - colours[k][2]) <= 60) {
                    marked++;
                    break;
                }
        }
    ck_assert_msg(marked == 0, "%zu pixels away from the events have a marker's colour", marked);
    render_markers_free(ev);
    render_image_release(&a);
    render_image_release(&b);
    sb_release(&p);
    free(csv);
    free(with);
    free(without);
}
END_TEST

/* ------------------------------------------------------------ MBTiles */

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* The bounds of an MBTiles file, from its metadata. */
static geo_bbox mbtiles_bounds(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    geo_bbox b = { 0, 0, 0, 0 };
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT value FROM metadata WHERE name = 'bounds'", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    const char *v = (const char *)sqlite3_column_text(st, 0);
    ck_assert_msg(sscanf(v, "%lf,%lf,%lf,%lf", &b.west_deg, &b.south_deg, &b.east_deg, &b.north_deg) == 4,
                  "bounds \"%s\"", v);
    sqlite3_finalize(st);
    return b;
}

START_TEST(tiles_should_write_mbtiles_with_the_spec_schema_and_tms_rows)
{
    char *csv = test_write_file("fx.csv", fixture_csv);
    char *file = tmp_path("fx.mbtiles");
    run_result r = run_cmd(NULL, "@ tiles --in %s --mbtiles %s --zoom 0-3", csv, file);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "ls -A '%s'", test_tmpdir());
    ck_assert_ptr_null(strstr(r.out, ".tmp."));
    run_result_free(&r);

    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
                                   "('metadata','tiles')"), 2);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_table_info('tiles') WHERE name IN "
                                   "('zoom_level','tile_column','tile_row','tile_data')"), 4);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_table_info('metadata') WHERE name IN "
                                   "('name','value')"), 2);
    /* the unique index on zoom_level, tile_column, tile_row */
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM pragma_index_list('tiles') il, "
                                   "pragma_index_info(il.name) ii WHERE il.\"unique\" AND ii.name IN "
                                   "('zoom_level','tile_column','tile_row')"), 3);
    const char *keys[] = { "name", "format", "bounds", "center", "minzoom", "maxzoom", "attribution", "type" };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        strbuf sql = STRBUF_INIT;
        sb_addf(&sql, "SELECT count(*) FROM metadata WHERE name='%s' AND length(value) > 0", keys[i]);
        ck_assert_msg(query_int(db, sql.buf) == 1, "metadata key %s", keys[i]);
        sb_release(&sql);
    }
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM metadata WHERE name='format' AND value='png'"), 1);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM metadata WHERE name='maxzoom' AND value='3'"), 1);
    geo_bbox cover = mbtiles_bounds(db);
    ck_assert(cover.west_deg < fixture_extent.west_deg && cover.north_deg > fixture_extent.north_deg);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tiles"), (int64_t)count_tiles(&cover, 0, 3));

    /* every row, flipped back to XYZ, is a tile of the range; each a PNG */
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles", -1,
                                        &st, NULL), SQLITE_OK);
    char *png_path = tmp_path("one.png");
    int decoded = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int z = sqlite3_column_int(st, 0);
        uint32_t x = (uint32_t)sqlite3_column_int64(st, 1);
        uint32_t y = (uint32_t)(((int64_t)1 << z) - 1 - sqlite3_column_int64(st, 2));
        uint32_t x0, y0, x1, y1;
        render_tile_range(z, &cover, &x0, &y0, &x1, &y1);
        ck_assert_msg(x >= x0 && x <= x1 && y >= y0 && y <= y1, "row %d/%u/%lld is not a tile of the range", z, x,
                      (long long)sqlite3_column_int64(st, 2));
        const unsigned char *blob = sqlite3_column_blob(st, 3);
        int len = sqlite3_column_bytes(st, 3);
        ck_assert(len > 8 && !memcmp(blob, "\x89PNG\r\n\x1a\n", 8));
        if (z == 3 && !decoded) {
            FILE *f = fopen(png_path, "wb");
            ck_assert(f && fwrite(blob, 1, (size_t)len, f) == (size_t)len);
            fclose(f);
            check_png(png_path, NULL);
            decoded = 1;
        }
    }
    ck_assert(decoded);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(png_path);

    /* --resume adds the next zoom and keeps what is there */
    r = run_cmd(NULL, "@ tiles --in %s --mbtiles %s --zoom 0-4 --resume", csv, file);
    ck_assert_msg(r.status == 0, "%s", r.err);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%llu tiles already there kept", (unsigned long long)count_tiles(&cover, 0, 3));
    ck_assert_msg(strstr(r.err, want.buf) != NULL, "%s", r.err);
    sb_release(&want);
    run_result_free(&r);
    ck_assert_int_eq(sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    ck_assert_int_eq(query_int(db, "SELECT count(*) FROM tiles"), (int64_t)count_tiles(&cover, 0, 4));
    sqlite3_close(db);
    free(csv);
    free(file);
}
END_TEST

/* ------------------------------------------------------------- resume */

static int64_t mtime_ns(const char *path)
{
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0, "%s missing", path);
    return (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
}

START_TEST(tiles_resume_should_keep_finished_tiles_and_render_the_missing_ones)
{
    char *csv = test_write_file("fx.csv", fixture_csv);
    char *dir = tmp_path("res");
    run_result r = run_cmd(NULL, "@ tiles --in %s -o %s --zoom 0-4", csv, dir);
    ck_assert_msg(r.status == 0, "%s", r.err);
    run_result_free(&r);

    /* every tile dated 2001; the first tile of zoom 4 removed */
    geo_bbox cover = tilejson_bounds(dir);
    uint32_t x0, y0, x1, y1;
    render_tile_range(4, &cover, &x0, &y0, &x1, &y1);
    strbuf gone = STRBUF_INIT, p = STRBUF_INIT;
    sb_addf(&gone, "%s/4/%u/%u.png", dir, x0, y0);
    const struct timespec old[2] = { { 978307200, 0 }, { 978307200, 0 } };
    size_t n = 0;
    for (int z = 0; z <= 4; z++) {
        uint32_t a0, b0, a1, b1;
        render_tile_range(z, &cover, &a0, &b0, &a1, &b1);
        for (uint32_t x = a0; x <= a1; x++)
            for (uint32_t y = b0; y <= b1; y++) {
                sb_reset(&p);
                sb_addf(&p, "%s/%d/%u/%u.png", dir, z, x, y);
                ck_assert_int_eq(utimensat(AT_FDCWD, p.buf, old, 0), 0);
                n++;
            }
    }
    ck_assert_int_eq(unlink(gone.buf), 0);

    r = run_cmd(NULL, "@ tiles --in %s -o %s --zoom 0-4 --resume", csv, dir);
    ck_assert_msg(r.status == 0, "%s", r.err);
    strbuf want = STRBUF_INIT;
    sb_addf(&want, "%zu tiles already there kept", n - 1);
    ck_assert_msg(strstr(r.err, want.buf) != NULL, "%s", r.err);
    ck_assert_msg(strstr(r.err, "tiles: 1 tile,") != NULL, "%s", r.err);
    sb_release(&want);
    run_result_free(&r);
    check_png(gone.buf, NULL);
    ck_assert(mtime_ns(gone.buf) > (int64_t)978307200 * 1000000000);
    for (int z = 0; z <= 4; z++) {
        uint32_t a0, b0, a1, b1;
        render_tile_range(z, &cover, &a0, &b0, &a1, &b1);
        for (uint32_t x = a0; x <= a1; x++)
            for (uint32_t y = b0; y <= b1; y++) {
                sb_reset(&p);
                sb_addf(&p, "%s/%d/%u/%u.png", dir, z, x, y);
                if (!strcmp(p.buf, gone.buf)) continue;
                ck_assert_msg(mtime_ns(p.buf) == (int64_t)978307200 * 1000000000, "%s was rewritten", p.buf);
            }
    }
    /* without --resume every tile is drawn again */
    r = run_cmd(NULL, "@ tiles --in %s -o %s --zoom 0-4", csv, dir);
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_ptr_null(strstr(r.err, "kept"));
    run_result_free(&r);
    sb_reset(&p);
    sb_addf(&p, "%s/0/0/0.png", dir);
    ck_assert(mtime_ns(p.buf) > (int64_t)978307200 * 1000000000);
    sb_release(&gone);
    sb_release(&p);
    free(csv);
    free(dir);
}
END_TEST

/* ---------------------------------------------------------- bad usage */

START_TEST(tiles_should_refuse_bad_usage_and_input_and_leave_nothing)
{
    char *csv = test_write_file("fx.csv", fixture_csv);
    char *dir = tmp_path("never");
    static const struct {
        const char *args;
        int status;
        const char *want;
    } cases[] = {
        { "--bbox 40,30,35,35", 2,
          "eventmap tiles: --bbox \"40,30,35,35\": west 40 is east of east 35 (the order is W,S,E,N; a box across "
          "the antimeridian is not supported)\n" },
        { "--bbox 35,36,40,30", 2, "eventmap tiles: --bbox \"35,36,40,30\": south 36 is north of north 30" },
        { "--bbox 35,30,40", 2, "eventmap tiles: --bbox \"35,30,40\" is not W,S,E,N (four numbers, degrees)\n" },
        { "--bbox 35,30,190,35", 2, "longitudes go from -180 to 180" },
        { "--zoom 0-23", 2, "eventmap tiles: --zoom \"0-23\": zoom levels go from 0 to 22\n" },
        { "--zoom 23", 2, "zoom levels go from 0 to 22" },
        { "--zoom 5-3", 2, "eventmap tiles: --zoom \"5-3\": MIN 5 is greater than MAX 3\n" },
        { "--zoom -1-3", 2, "is not MIN-MAX or one zoom level" },
        { "--zoom 2-", 2, "is not MIN-MAX or one zoom level" },
        { "--jobs 0", 2, "--jobs \"0\" is not a whole number in 1..256" },
        { "--frobnicate", 2, "unknown option" },
        { "--mbtiles x.mbtiles", 2, "eventmap tiles: give -o DIR or --mbtiles FILE, not both\n" },
        { "--zoom 0-22 --bbox 35.5,32.2,42.5,37.4", 2, "more than 10000000 tiles; narrow --bbox or --zoom" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_result r = run_cmd(NULL, "@ tiles --in %s -o %s %s", csv, dir, cases[i].args);
        ck_assert_msg(r.status == cases[i].status, "%s: exit %d (%s)", cases[i].args, r.status, r.err);
        ck_assert_msg(strstr(r.err, cases[i].want) != NULL, "%s: %s", cases[i].args, r.err);
        ck_assert_str_eq(r.out, "");
        ck_assert_msg(!exists(dir), "%s: left %s behind", cases[i].args, dir);
        run_result_free(&r);
    }

    /* an unwritable place: a file where a directory should be */
    char *file = test_write_file("plain.txt", "x\n");
    run_result r = run_cmd(NULL, "@ tiles --in %s -o %s/tiles", csv, file);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "plain.txt/tiles: cannot create:") != NULL, "%s", r.err);
    run_result_free(&r);
    r = run_cmd(NULL, "@ tiles --in %s --mbtiles %s/no/such/dir/x.mbtiles", csv, test_tmpdir());
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "x.mbtiles: cannot create") != NULL, "%s", r.err);
    run_result_free(&r);

    /* bad input: the file's line in the message; the new directory (and its
     * parent, also new) removed again */
    char *bad = test_write_file("bad.csv", "event_date,location,latitude,longitude\n"
                                           "2024-01-01,A,33.1,36.2\n2024-01-01,B,\"33,64\",36.2\n");
    strbuf deep = STRBUF_INIT;
    sb_addf(&deep, "%s/new/tiles", test_tmpdir());
    r = run_cmd(NULL, "@ tiles --in %s -o %s", bad, deep.buf);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "bad.csv:3: latitude \"33,64\" is not a number") != NULL, "%s", r.err);
    run_result_free(&r);
    sb_setlen(&deep, deep.len - strlen("/tiles"));
    ck_assert_msg(!exists(deep.buf), "%s left behind", deep.buf);

    /* no events with coordinates and no --bbox: nothing to frame */
    char *none = test_write_file("none.csv", "event_date,location,latitude,longitude\n");
    r = run_cmd(NULL, "@ tiles --in %s -o %s", none, dir);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "no events with coordinates") != NULL, "%s", r.err);
    ck_assert(!exists(dir));
    run_result_free(&r);

    r = run_cmd(NULL, "@ tiles --help");
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "usage: eventmap tiles"));
    run_result_free(&r);
    sb_release(&deep);
    free(none);
    free(bad);
    free(file);
    free(csv);
    free(dir);
}
END_TEST

Suite *cli_tiles_suite(void)
{
    Suite *s = suite_create("cli_tiles");
    TCase *t = tcase_create("tiles");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, tiles_should_write_every_tile_tilejson_geojson_and_the_viewer);
    tcase_add_test(t, tiles_should_draw_a_marker_at_the_event_and_leave_the_rest_as_the_base_map);
    tcase_add_test(t, tiles_should_write_mbtiles_with_the_spec_schema_and_tms_rows);
    tcase_add_test(t, tiles_resume_should_keep_finished_tiles_and_render_the_missing_ones);
    tcase_add_test(t, tiles_should_refuse_bad_usage_and_input_and_leave_nothing);
    suite_add_tcase(s, t);
    return s;
}
