/*
 * test_render.c - unit tests of src/render's overview side on real pixels:
 * PNG through libpng and back, the event set (interning, index), views
 * (fitting, north up, scale), markers in their type's colour at the
 * projected position of their event and nothing where there is none,
 * density, the collision index against brute force, labels that never
 * overlap each other, a marker or the furniture, and the overview of the
 * seed report with its places labelled.  Also the store's lean points query
 * the map reads, against store_scan.  Images are kept small: the suite runs
 * again under ASan.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/event.h"
#include "gazetteer/gazetteer.h"
#include "render/render.h"
#include "render/render_int.h"
#include "store/store.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"

/* ------------------------------------------------------------- helpers */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static double rnd(void) /* uniform in [0, 1) */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (rng >> 11) * (1.0 / 9007199254740992.0);
}

static char *data_path(const char *rel)
{
    const char *home = getenv("EVENTMAP_HOME");
    strbuf sb = STRBUF_INIT;
    if (home && *home) sb_addf(&sb, "%s/", home);
    sb_adds(&sb, rel);
    return sb_detach(&sb, NULL);
}

/* The base map; the caller frees it. */
static render_basemap *basemap(void)
{
    render_basemap *b = NULL;
    char *dir = data_path(".cache/data"), *err = NULL;
    int rc = render_basemap_load(dir, &b, &err);
    ck_assert_msg(rc == 0, "base map: %s (run 'make' to fetch the data)", err ? err : "?");
    free(dir);
    return b;
}

static const uint8_t *pixel(const render_image *img, int x, int y)
{
    return img->rgba + (size_t)y * img->stride + 4 * (size_t)x;
}

static int colour_near(const uint8_t *p, const uint8_t rgb[3], int tol)
{
    return abs(p[0] - rgb[0]) <= tol && abs(p[1] - rgb[1]) <= tol && abs(p[2] - rgb[2]) <= tol;
}

static render_markers *events_of(const double (*lonlat)[2], const char **types, const char **labels,
                                const int *fatalities, size_t n)
{
    render_markers *ev = render_markers_new();
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(render_markers_add_point(ev, lonlat[i][0], lonlat[i][1], types[i], labels ? labels[i] : "",
                                                 fatalities ? fatalities[i] : 0),
                         0);
    render_markers_finish(ev);
    return ev;
}

static const geo_bbox SYRIA = { 35.5, 32.2, 42.5, 37.4 };

/* ----------------------------------------------------------------- PNG */

/* img as a PNG file at path, whole or not at all (as map writes it). */
static int write_png(const char *path, const render_image *img, const render_png_opts *opts, char **err)
{
    tempfile t = TEMPFILE_INIT;
    int rc = tempfile_create(&t, path, NULL, 0, err);
    if (rc == 0) rc = render_png_write(tempfile_fp(&t), path, img, opts, err);
    if (rc == 0) rc = tempfile_commit(&t, err);
    tempfile_abort(&t);
    return rc;
}

START_TEST(render_png_write_should_round_trip_through_libpng)
{
    render_image img, back;
    char *err = NULL;
    ck_assert_int_eq(render_image_init(&img, 37, 23, &err), 0);
    for (int y = 0; y < img.height; y++)
        for (int x = 0; x < img.width; x++) {
            uint8_t *p = img.rgba + (size_t)y * img.stride + 4 * (size_t)x;
            p[0] = (uint8_t)(x * 7);
            p[1] = (uint8_t)(y * 11);
            p[2] = (uint8_t)(x ^ y);
            p[3] = (uint8_t)(x < 20 ? 255 : 128 + y);
        }
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/round.png", test_tmpdir());
    ck_assert_msg(write_png(path.buf, &img, NULL, &err) == 0, "%s", err);
    ck_assert_msg(render_png_read(path.buf, &back, &err) == 0, "%s", err);
    ck_assert_int_eq(back.width, 37);
    ck_assert_int_eq(back.height, 23);
    ck_assert_mem_eq(back.rgba, img.rgba, (size_t)37 * 23 * 4);
    render_image_release(&back);

    /* opaque (written as RGB) and in memory, the same pixels */
    for (size_t i = 3; i < (size_t)37 * 23 * 4; i += 4) img.rgba[i] = 255;
    uint8_t *mem = NULL;
    size_t len = 0;
    ck_assert_int_eq(render_png_encode(&img, NULL, &mem, &len, &err), 0);
    ck_assert(len > 8 && !memcmp(mem, "\x89PNG\r\n\x1a\n", 8));
    FILE *f = fopen(path.buf, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(mem, 1, len, f), len);
    fclose(f);
    free(mem);
    ck_assert_int_eq(render_png_read(path.buf, &back, &err), 0);
    ck_assert_mem_eq(back.rgba, img.rgba, (size_t)37 * 23 * 4);
    render_image_release(&back);
    render_image_release(&img);
    sb_release(&path);
}
END_TEST

START_TEST(render_png_write_should_use_a_palette_for_few_colours)
{
    render_image img, back;
    char *err = NULL;
    ck_assert_int_eq(render_image_init(&img, 64, 64, &err), 0);
    for (size_t i = 0; i < (size_t)64 * 64; i++) {
        uint8_t *p = img.rgba + 4 * i;
        p[0] = (uint8_t)(i % 5 * 40);
        p[1] = 100;
        p[2] = (uint8_t)(i % 3 * 70);
        p[3] = i % 7 ? 255 : 0;
    }
    render_png_opts opts = { 9, 1 };
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/palette.png", test_tmpdir());
    ck_assert_int_eq(write_png(path.buf, &img, &opts, &err), 0);
    size_t len = 0;
    char *bytes = test_read_file(path.buf, &len);
    ck_assert(len > 26);
    ck_assert_int_eq((unsigned char)bytes[25], 3); /* IHDR colour type: palette */
    free(bytes);
    ck_assert_int_eq(render_png_read(path.buf, &back, &err), 0);
    ck_assert_mem_eq(back.rgba, img.rgba, (size_t)64 * 64 * 4);
    render_image_release(&back);
    render_image_release(&img);
    sb_release(&path);
}
END_TEST

START_TEST(render_png_write_should_leave_nothing_when_it_cannot_write)
{
    render_image img;
    char *err = NULL;
    ck_assert_int_eq(render_image_init(&img, 8, 8, &err), 0);
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/no/such/dir/x.png", test_tmpdir());
    ck_assert_int_eq(write_png(path.buf, &img, NULL, &err), EM_EIO);
    ck_assert_ptr_nonnull(strstr(err, "x.png"));
    free(err);
    err = NULL;
    ck_assert_int_ne(access(path.buf, F_OK), 0);
    /* and a file that is not a PNG is refused when read */
    render_image_release(&img);
    char *junk = test_write_file("junk.png", "not a png at all");
    ck_assert_int_eq(render_png_read(junk, &img, &err), EM_EINPUT);
    free(err);
    free(junk);
    sb_release(&path);
    ck_assert_int_eq(render_image_init(&img, 0, 10, NULL), EM_EUSAGE);
    ck_assert_int_eq(render_image_init(&img, 10, RENDER_MAX_SIDE + 1, NULL), EM_EUSAGE);
}
END_TEST

/* -------------------------------------------------------------- events */

START_TEST(render_markers_should_intern_types_and_labels)
{
    render_markers *ev = render_markers_new();
    ck_assert_int_eq(render_markers_add_point(ev, 36.5, 33.6, "Battles", "al-Dumair", 3), 0);
    ck_assert_int_eq(render_markers_add_point(ev, 36.6, 33.6, "Protests", "Al-Dumair", 70000), 0);
    ck_assert_int_eq(render_markers_add_point(ev, 40.7, 36.5, "Battles", "Hasakah", -4), 0);
    ev_event e;
    memset(&e, 0, sizeof(e));
    e.event_type = e.location = "";
    ck_assert_int_eq(render_markers_add(ev, &e), 0); /* unlocated: skipped */
    ck_assert_uint_eq(render_markers_count(ev), 3);
    ck_assert_uint_eq(render_markers_unlocated(ev), 1);
    ck_assert_uint_eq(render_markers_n_types(ev), 2);
    ck_assert_uint_eq(render_markers_n_labels(ev), 2);
    ck_assert_str_eq(render_markers_label(ev, 0), "al-Dumair");
    ck_assert_ptr_null(render_markers_label(ev, 2));
    size_t n;
    const render_point *p = render_markers_points(ev, &n);
    ck_assert_uint_eq(p[1].fatalities, 65535);
    ck_assert_uint_eq(p[2].fatalities, 0);
    ck_assert_uint_eq(p[1].label, p[0].label);
    uint8_t rgb[3];
    render_type_colour(ev, 0, rgb); /* Battles: vermillion */
    ck_assert(rgb[0] == 0xD5 && rgb[1] == 0x5E && rgb[2] == 0x00);
    render_markers_finish(ev);
    ck_assert_int_eq(render_markers_add_point(ev, 0, 0, "x", "y", 0), EM_EUSAGE);
    render_markers_free(ev);
    render_markers_free(NULL);
}
END_TEST

START_TEST(render_markers_count_in_should_match_brute_force)
{
    render_markers *ev = render_markers_new();
    enum { N = 20000 };
    static double lon[N], lat[N];
    for (int i = 0; i < N; i++) {
        /* clusters of equal longitudes too */
        lon[i] = i % 5 ? -180 + 360 * rnd() : 36.25;
        lat[i] = -80 + 160 * rnd();
        render_markers_add_point(ev, lon[i], lat[i], "Riots", "", 0);
    }
    render_markers_finish(ev);
    size_t n;
    const render_point *p = render_markers_points(ev, &n);
    for (size_t i = 1; i < n; i++) ck_assert(p[i - 1].lon_deg <= p[i].lon_deg);
    for (int t = 0; t < 200; t++) {
        double w = -180 + 360 * rnd(), s = -90 + 180 * rnd();
        geo_bbox box = { w, s, fmin(180, w + 50 * rnd()), fmin(90, s + 40 * rnd()) };
        if (t == 0) box = (geo_bbox){ 36.25, -10, 36.25, 10 };
        size_t expect = 0;
        for (int i = 0; i < N; i++)
            expect += lon[i] >= box.west_deg && lon[i] <= box.east_deg && lat[i] >= box.south_deg &&
                      lat[i] <= box.north_deg;
        ck_assert_uint_eq(render_markers_count_in(ev, &box), expect);
    }
    geo_bbox bb;
    ck_assert_int_eq(render_markers_bbox(ev, &bb), 1);
    ck_assert(bb.west_deg >= -180 && bb.east_deg <= 180 && bb.west_deg < bb.east_deg);
    render_markers_free(ev);
}
END_TEST

/* ---------------------------------------------------------------- views */

START_TEST(render_view_overview_should_fit_the_box_north_up)
{
    render_view *v = NULL;
    char *err = NULL;
    ck_assert_msg(render_view_overview(&SYRIA, 400, 300, 20, &v, &err) == 0, "%s", err);
    ck_assert_ptr_nonnull(strstr(render_view_crs(v), "+proj=lcc"));
    /* the box's border lies inside the image less the margin */
    for (int i = 0; i <= 20; i++) {
        double t = i / 20.0, x, y;
        double pts[4][2] = { { SYRIA.west_deg + t * 7, SYRIA.south_deg }, { SYRIA.west_deg + t * 7, SYRIA.north_deg },
                             { SYRIA.west_deg, SYRIA.south_deg + t * 5.2 }, { SYRIA.east_deg, SYRIA.south_deg + t * 5.2 } };
        for (int k = 0; k < 4; k++) {
            ck_assert_int_eq(render_view_project(v, pts[k][0], pts[k][1], &x, &y), 0);
            ck_assert_msg(x >= 19.9 && x <= 380.1 && y >= 19.9 && y <= 280.1, "%g,%g -> %g,%g", pts[k][0], pts[k][1], x, y);
        }
    }
    /* north up: along the central meridian, north is straight up */
    double x0, y0, x1, y1;
    render_view_project(v, 39.0, 33.0, &x0, &y0);
    render_view_project(v, 39.0, 36.0, &x1, &y1);
    ck_assert(y1 < y0 - 50);
    ck_assert_double_eq_tol(x0, x1, 0.01);
    /* back and forth */
    double lon, lat;
    ck_assert_int_eq(render_view_unproject(v, x1, y1, &lon, &lat), 0);
    ck_assert_double_eq_tol(lon, 39.0, 1e-6);
    ck_assert_double_eq_tol(lat, 36.0, 1e-6);
    /* the scale: the box fills the width or the height less the margins */
    double km = render_view_km_per_px(v);
    double width_km = geo_distance_km((geo_point){ 34.8, 35.5 }, (geo_point){ 34.8, 42.5 });
    double height_km = geo_distance_km((geo_point){ 32.2, 39 }, (geo_point){ 37.4, 39 });
    double expect = fmax(width_km / 360, height_km / 260);
    ck_assert_msg(fabs(km - expect) < 0.03 * expect, "%g km/px, expected ~%g", km, expect);
    /* the bulk projection agrees with the exact one */
    double lons[50], lats[50], xs[50], ys[50];
    for (int i = 0; i < 50; i++) {
        lons[i] = 35.5 + 7 * rnd();
        lats[i] = 32.2 + 5.2 * rnd();
    }
    view_project_many(v, lons, lats, 50, xs, ys);
    for (int i = 0; i < 50; i++) {
        double x, y;
        render_view_project(v, lons[i], lats[i], &x, &y);
        ck_assert_msg(fabs(x - xs[i]) < 0.05 && fabs(y - ys[i]) < 0.05, "%g %g vs %g %g", x, y, xs[i], ys[i]);
    }
    geo_bbox b = render_view_bounds(v);
    ck_assert(b.west_deg < 35.5 && b.east_deg > 42.5 && b.south_deg < 32.2 && b.north_deg > 37.4);
    render_view_free(v);
    render_view_free(NULL);
}
END_TEST

START_TEST(render_view_overview_should_refuse_a_bad_box_or_size)
{
    render_view *v = NULL;
    char *err = NULL;
    geo_bbox flipped = { 42, 32, 35, 37 };
    ck_assert_int_eq(render_view_overview(&flipped, 400, 300, 0, &v, &err), EM_EUSAGE);
    ck_assert_ptr_null(v);
    free(err);
    err = NULL;
    ck_assert_int_eq(render_view_overview(&SYRIA, 0, 0, 0, &v, &err), EM_EUSAGE);
    free(err);
    err = NULL;
    ck_assert_int_eq(render_view_overview(&SYRIA, 30000, 300, 0, &v, &err), EM_EUSAGE);
    free(err);
    /* a single point is widened, and far-off extents get their projection */
    geo_bbox point = { 36.3, 33.5, 36.3, 33.5 }, world = { -180, -80, 180, 80 }, arctic = { -30, 75, 40, 89 };
    ck_assert_int_eq(render_view_overview(&point, 200, 200, 0, &v, NULL), 0);
    ck_assert(render_view_km_per_px(v) > 0.05);
    render_view_free(v);
    ck_assert_int_eq(render_view_overview(&world, 200, 100, 0, &v, NULL), 0);
    ck_assert_ptr_nonnull(strstr(render_view_crs(v), "+proj=merc"));
    render_view_free(v);
    ck_assert_int_eq(render_view_overview(&arctic, 200, 200, 0, &v, NULL), 0);
    ck_assert_ptr_nonnull(strstr(render_view_crs(v), "+proj=stere"));
    render_view_free(v);
}
END_TEST

START_TEST(render_view_tile_should_place_its_bounds_on_its_edges)
{
    render_view *v = NULL;
    ck_assert_int_eq(render_view_tile(7, 77, 50, &v, NULL), 0);
    geo_bbox b = render_tile_bounds(7, 77, 50);
    double x, y;
    render_view_project(v, b.west_deg, b.north_deg, &x, &y);
    ck_assert_double_eq_tol(x, 0, 1e-6);
    ck_assert_double_eq_tol(y, 0, 1e-6);
    render_view_project(v, b.east_deg, b.south_deg, &x, &y);
    ck_assert_double_eq_tol(x, 256, 1e-6);
    ck_assert_double_eq_tol(y, 256, 1e-6);
    uint32_t tx, ty;
    render_tile_at(7, (b.west_deg + b.east_deg) / 2, (b.south_deg + b.north_deg) / 2, &tx, &ty);
    ck_assert_uint_eq(tx, 77);
    ck_assert_uint_eq(ty, 50);
    render_view_free(v);
    ck_assert_int_eq(render_view_tile(3, 8, 0, &v, NULL), EM_EUSAGE);
    ck_assert_int_eq(render_view_tile(RENDER_MAX_ZOOM + 1, 0, 0, &v, NULL), EM_EUSAGE);
}
END_TEST

/* ------------------------------------------------------------- drawing */

/* Draw ev's markers alone (no labels, legend, scale bar or attribution) on
 * a 320x240 overview of Syria; the caller frees *v, *img and *info. */
static void draw_markers_only(const render_markers *ev, render_view **v, render_image *img, render_info *info)
{
    ck_assert_int_eq(render_view_overview(&SYRIA, 320, 240, 10, v, NULL), 0);
    ck_assert_int_eq(render_image_init(img, 320, 240, NULL), 0);
    render_style st;
    render_style_overview(&st);
    st.labels = RENDER_LABELS_NONE;
    st.legend = st.scale_bar = 0;
    st.attribution = NULL;
    char *err = NULL;
    render_basemap *b = basemap();
    ck_assert_msg(render_draw(b, ev, *v, &st, img, info, &err) == 0, "%s", err);
    render_basemap_free(b);
}

START_TEST(render_draw_should_put_each_marker_in_its_type_colour_where_its_event_is)
{
    static const double where[3][2] = { { 36.6, 33.6 }, { 40.7, 36.5 }, { 38.5, 33.3 } };
    const char *types[3] = { "Battles", "Protests", "Strategic developments" };
    int fatalities[3] = { 0, 25, 3 };
    render_markers *ev = events_of(where, types, NULL, fatalities, 3);
    render_view *v = NULL;
    render_image img;
    render_info info;
    draw_markers_only(ev, &v, &img, &info);
    ck_assert_int_eq(info.density, 0);
    ck_assert_uint_eq(info.n_in_view, 3);
    ck_assert_uint_eq(info.n_markers, 3);
    for (int i = 0; i < 3; i++) {
        double x, y;
        ck_assert_int_eq(render_view_project(v, where[i][0], where[i][1], &x, &y), 0);
        uint8_t rgb[3];
        render_type_colour(ev, (size_t)i, rgb);
        const uint8_t *p = pixel(&img, (int)x, (int)y);
        /* the fill is 92% opaque over the land */
        ck_assert_msg(colour_near(p, rgb, 24), "event %d at %d,%d: %d,%d,%d, want ~%d,%d,%d", i, (int)x, (int)y, p[0],
                      p[1], p[2], rgb[0], rgb[1], rgb[2]);
        ck_assert_int_eq(p[3], 255);
    }
    /* no marker colour anywhere far from the events */
    int checked = 0;
    for (int y = 2; y < 238; y += 3)
        for (int x = 2; x < 318; x += 3) {
            int far = 1;
            for (int i = 0; i < 3 && far; i++) {
                double ex, ey;
                render_view_project(v, where[i][0], where[i][1], &ex, &ey);
                far = hypot(ex - x, ey - y) > 30;
            }
            if (!far) continue;
            for (size_t t = 0; t < 3; t++) {
                uint8_t rgb[3];
                render_type_colour(ev, t, rgb);
                ck_assert_msg(!colour_near(pixel(&img, x, y), rgb, 24), "marker colour at %d,%d", x, y);
            }
            checked++;
        }
    ck_assert(checked > 5000);
    render_info_release(&info);
    render_image_release(&img);
    render_view_free(v);
    render_markers_free(ev);
}
END_TEST

/* Three events of two types in one village (the seed report's al-Dumair):
 * one marker cut into wedges, a third in one colour above the centre and
 * two thirds in the other below it, so that neither kind hides. */
START_TEST(render_draw_should_split_a_marker_shared_by_several_types)
{
    static const double where[3][2] = { { 36.69, 33.64 }, { 36.69, 33.64 }, { 36.69, 33.64 } };
    const char *types[3] = { "Violence against civilians", "Strategic developments", "Strategic developments" };
    int fatalities[3] = { 100, 100, 100 }; /* a large marker, for room to look */
    render_markers *ev = events_of(where, types, NULL, fatalities, 3);
    render_view *v = NULL;
    render_image img;
    render_info info;
    draw_markers_only(ev, &v, &img, &info);
    ck_assert_uint_eq(info.n_in_view, 3);
    ck_assert_uint_eq(info.n_markers, 1);
    double x, y;
    ck_assert_int_eq(render_view_project(v, where[0][0], where[0][1], &x, &y), 0);
    double r = (info.markers[0].x1 - info.markers[0].x0) / 2 - 3; /* inside the halo */
    ck_assert(r > 4);
    uint8_t first[3], second[3];
    render_type_colour(ev, 0, first);
    render_type_colour(ev, 1, second);
    /* clockwise from the top: type 0 over 0..120 degrees, type 1 the rest */
    const uint8_t *p = pixel(&img, (int)(x + 0.6 * r * sin(M_PI / 3)), (int)(y - 0.6 * r * cos(M_PI / 3)));
    ck_assert_msg(colour_near(p, first, 24), "the first wedge: %d,%d,%d", p[0], p[1], p[2]);
    p = pixel(&img, (int)x, (int)(y + 0.6 * r));
    ck_assert_msg(colour_near(p, second, 24), "the second wedge: %d,%d,%d", p[0], p[1], p[2]);
    p = pixel(&img, (int)(x - 0.6 * r * sin(M_PI / 3)), (int)(y - 0.6 * r * cos(M_PI / 3)));
    ck_assert_msg(colour_near(p, second, 24), "the second wedge, upper left: %d,%d,%d", p[0], p[1], p[2]);
    render_info_release(&info);
    render_image_release(&img);
    render_view_free(v);
    render_markers_free(ev);
}
END_TEST

START_TEST(render_draw_should_bin_many_events_as_density)
{
    enum { N = 40000 };
    render_markers *ev = render_markers_new();
    for (int i = 0; i < N; i++)
        render_markers_add_point(ev, 36 + 2 * rnd(), 33 + 2 * rnd(), i % 10 ? "Battles" : "Riots", "x", 0);
    /* a lone event well away from the rest */
    render_markers_add_point(ev, 41.5, 36.8, "Riots", "lone", 0);
    render_markers_finish(ev);
    render_view *v = NULL;
    ck_assert_int_eq(render_view_overview(&SYRIA, 160, 120, 0, &v, NULL), 0);
    render_image img;
    ck_assert_int_eq(render_image_init(&img, 160, 120, NULL), 0);
    render_style st;
    render_style_overview(&st);
    st.labels = RENDER_LABELS_NONE;
    st.legend = st.scale_bar = 0;
    render_info info;
    render_basemap *b = basemap();
    ck_assert_int_eq(render_draw(b, ev, v, &st, &img, &info, NULL), 0);
    render_basemap_free(b);
    ck_assert_int_eq(info.density, 1);
    ck_assert_uint_eq(info.n_markers, 0);
    ck_assert_uint_eq(info.n_in_view, N + 1);
    /* the crowd: Battles' colour dominates */
    double x, y;
    render_view_project(v, 37, 34, &x, &y);
    uint8_t battles[3], riots[3];
    size_t t_battles = !strcmp(render_markers_type(ev, 0), "Battles") ? 0 : 1;
    render_type_colour(ev, t_battles, battles);
    render_type_colour(ev, 1 - t_battles, riots);
    const uint8_t *crowd = pixel(&img, (int)x, (int)y);
    ck_assert_msg(colour_near(crowd, battles, 45), "crowd: %d,%d,%d", crowd[0], crowd[1], crowd[2]);
    /* the lone event: visible, in its own colour */
    render_view_project(v, 41.5, 36.8, &x, &y);
    const uint8_t *p = pixel(&img, (int)x, (int)y);
    ck_assert_msg(colour_near(p, riots, 70), "lone event: %d,%d,%d", p[0], p[1], p[2]);
    render_info_release(&info);
    render_image_release(&img);
    render_view_free(v);
    render_markers_free(ev);
}
END_TEST

/* Land is land and sea is sea, also for the shapes world-atlas draws
 * across the antimeridian (Russia, Fiji, Antarctica). */
START_TEST(render_draw_should_fill_land_and_sea_on_a_world_map)
{
    geo_bbox world = { -180, -80, 180, 80 };
    render_view *v = NULL;
    ck_assert_int_eq(render_view_overview(&world, 360, 200, 0, &v, NULL), 0);
    render_image img;
    ck_assert_int_eq(render_image_init(&img, 360, 200, NULL), 0);
    render_style st;
    render_style_overview(&st);
    st.labels = RENDER_LABELS_NONE;
    st.legend = st.scale_bar = st.frame = 0;
    st.attribution = NULL;
    render_basemap *b = basemap();
    ck_assert_int_eq(render_draw(b, NULL, v, &st, &img, NULL, NULL), 0);
    render_basemap_free(b);
    static const struct {
        double lon, lat;
        int land;
    } probes[] = { { 100, 60, 1 }, { 170, 66, 1 }, { -97, 56, 1 }, { 3, 27, 1 },   { 122, -25, 1 },
                   { -50, -10, 1 }, { -150, 0, 0 }, { -30, 30, 0 }, { 80, -20, 0 }, { 178, 50, 0 } };
    const uint8_t *land = NULL, *sea = NULL;
    for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
        double x, y;
        ck_assert_int_eq(render_view_project(v, probes[i].lon, probes[i].lat, &x, &y), 0);
        const uint8_t *p = pixel(&img, (int)x, (int)y);
        const uint8_t **ref = probes[i].land ? &land : &sea;
        if (!*ref) *ref = p;
        ck_assert_msg(colour_near(p, *ref, 3), "%g,%g: %d,%d,%d", probes[i].lon, probes[i].lat, p[0], p[1], p[2]);
    }
    ck_assert(!colour_near(land, sea, 20));
    ck_assert(land[0] > sea[0] && land[0] > 200); /* land light, sea blue-grey */
    render_image_release(&img);
    render_view_free(v);
}
END_TEST

START_TEST(collide_index_should_agree_with_brute_force)
{
    collide_index ci;
    collide_init(&ci, 500, 400, 32);
    render_box boxes[300];
    for (int i = 0; i < 300; i++) {
        double x = -20 + 540 * rnd(), y = -20 + 440 * rnd();
        boxes[i] = (render_box){ x, y, x + 1 + 60 * rnd(), y + 1 + 20 * rnd() };
        if (i < 150) collide_add(&ci, &boxes[i]);
    }
    for (int i = 150; i < 300; i++) {
        int expect = 0;
        for (int j = 0; j < 150; j++) expect |= render_box_intersects(&boxes[i], &boxes[j]);
        ck_assert_int_eq(collide_hits(&ci, &boxes[i]), expect);
    }
    /* touching edges do not collide */
    render_box a = { 0, 0, 10, 10 }, b = { 10, 0, 20, 10 };
    ck_assert_int_eq(render_box_intersects(&a, &b), 0);
    collide_release(&ci);
}
END_TEST

/* No two label boxes intersect, nor a label and a marker or a panel; all
 * lie inside the image. */
static void check_labels(const render_info *info, int w, int h)
{
    for (size_t i = 0; i < info->n_labels; i++) {
        const render_box *a = &info->labels[i].box;
        ck_assert_msg(a->x0 >= 0 && a->y0 >= 0 && a->x1 <= w && a->y1 <= h, "label '%s' leaves the image",
                      info->labels[i].text);
        for (size_t j = i + 1; j < info->n_labels; j++)
            ck_assert_msg(!render_box_intersects(a, &info->labels[j].box), "labels '%s' and '%s' overlap",
                          info->labels[i].text, info->labels[j].text);
        for (size_t j = 0; j < info->n_markers; j++)
            ck_assert_msg(!render_box_intersects(a, &info->markers[j]), "label '%s' covers marker %zu",
                          info->labels[i].text, j);
        for (size_t j = 0; j < info->n_panels; j++)
            ck_assert_msg(!render_box_intersects(a, &info->panels[j]), "label '%s' covers panel %zu",
                          info->labels[i].text, j);
    }
}

START_TEST(render_draw_should_place_labels_that_never_overlap)
{
    /* 400 events at 120 places, crowded into part of the map */
    enum { N = 400, PLACES = 120 };
    static double where[N][2];
    static const char *types[N], *labels[N];
    static char names[PLACES][32];
    int fatalities[N];
    const char *kinds[] = { "Battles", "Riots", "Protests", "Explosions/Remote violence" };
    double place_lon[PLACES], place_lat[PLACES];
    for (int i = 0; i < PLACES; i++) {
        snprintf(names[i], sizeof(names[i]), i % 3 ? "Place %d" : "\xd8\xaf\xd9\x8a\xd8\xb1 %d", i);
        place_lon[i] = 36 + 4 * rnd();
        place_lat[i] = 33 + 3 * rnd();
    }
    for (int i = 0; i < N; i++) {
        int k = i % PLACES;
        where[i][0] = place_lon[k];
        where[i][1] = place_lat[k];
        types[i] = kinds[i % 4];
        labels[i] = names[k];
        fatalities[i] = (int)(40 * rnd() * rnd());
    }
    render_markers *ev = events_of(where, types, labels, fatalities, N);
    render_view *v = NULL;
    ck_assert_int_eq(render_view_overview(&SYRIA, 480, 360, 30, &v, NULL), 0);
    render_image img;
    ck_assert_int_eq(render_image_init(&img, 480, 360, NULL), 0);
    render_style st;
    render_style_overview(&st);
    st.title = "Labels";
    st.labels = RENDER_LABELS_ALL;
    render_info info;
    render_basemap *b = basemap();
    ck_assert_int_eq(render_draw(b, ev, v, &st, &img, &info, NULL), 0);
    render_basemap_free(b);
    ck_assert_int_eq(info.density, 0);
    ck_assert(info.n_markers > 0);
    ck_assert(info.n_panels >= 3); /* title, legend, scale bar, attribution */
    size_t n_event = 0;
    for (size_t i = 0; i < info.n_labels; i++) n_event += info.labels[i].kind == RENDER_LABEL_EVENT;
    ck_assert_msg(n_event >= 10, "only %zu event labels placed", n_event);
    check_labels(&info, 480, 360);
    render_info_release(&info);
    render_image_release(&img);
    render_view_free(v);
    render_markers_free(ev);
}
END_TEST

START_TEST(render_draw_should_refuse_a_mismatched_image_or_unfinished_events)
{
    render_view *v = NULL;
    ck_assert_int_eq(render_view_overview(&SYRIA, 100, 80, 0, &v, NULL), 0);
    render_image img;
    ck_assert_int_eq(render_image_init(&img, 90, 80, NULL), 0);
    char *err = NULL;
    ck_assert_int_eq(render_draw(NULL, NULL, v, NULL, &img, NULL, &err), EM_EUSAGE);
    free(err);
    err = NULL;
    render_image_release(&img);
    ck_assert_int_eq(render_image_init(&img, 100, 80, NULL), 0);
    render_markers *ev = render_markers_new();
    render_markers_add_point(ev, 37, 34, "Riots", "", 0);
    ck_assert_int_eq(render_draw(NULL, ev, v, NULL, &img, NULL, &err), EM_EUSAGE);
    free(err);
    render_markers_finish(ev);
    ck_assert_int_eq(render_draw(NULL, ev, v, NULL, &img, NULL, NULL), 0);
    render_markers_free(ev);
    render_image_release(&img);
    render_view_free(v);
}
END_TEST

/* ------------------------------------------------- the seed overview */

static int on_seed(void *ctx, const ev_event *e, const char *file, size_t line, char **err)
{
    (void)file;
    (void)line;
    return render_markers_add_cb(ctx, e, err);
}

static const render_label *find_label(const render_info *info, const char *needle)
{
    for (size_t i = 0; i < info->n_labels; i++)
        if (info->labels[i].kind == RENDER_LABEL_EVENT && strstr(info->labels[i].text, needle)) return &info->labels[i];
    return NULL;
}

START_TEST(overview_of_the_seed_report_should_label_its_places)
{
    gaz *g = NULL;
    char *err = NULL;
    ck_assert_msg(gaz_open(test_gazetteer(), &g, &err) == 0, "%s", err);
    render_markers *ev = render_markers_new();
    ev_read_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.gazetteer = g;
    char *seed = data_path("examples/seed-events.csv");
    ck_assert_msg(ev_read(seed, &opts, on_seed, NULL, ev, NULL, &err) == 0, "%s", err);
    render_markers_finish(ev);
    ck_assert_uint_eq(render_markers_count(ev), 9);
    render_basemap *b = NULL;
    char *dir = data_path(".cache/data");
    ck_assert_int_eq(render_basemap_load(dir, &b, &err), 0);
    ck_assert_int_eq(render_basemap_add_places(b, g, 0, &err), 0);
    ck_assert(render_basemap_n_places(b) > 100);
    /* as `eventmap map` does by default */
    geo_bbox bb;
    ck_assert_int_eq(render_markers_bbox(ev, &bb), 1);
    render_view *v = NULL;
    ck_assert_int_eq(render_view_overview(&bb, 1600, 1200, 144, &v, &err), 0);
    render_image img;
    ck_assert_int_eq(render_image_init(&img, 1600, 1200, NULL), 0);
    render_style st;
    render_style_overview(&st);
    st.title = "Seed report";
    render_info info;
    ck_assert_msg(render_draw(b, ev, v, &st, &img, &info, &err) == 0, "%s", err);
    ck_assert_int_eq(info.used_10m, 1);
    ck_assert(info.scale_km > 0);
    const char *places[] = { "al-Dumair", "Hasakah", "Tanf", "Idlib", "Badiya" };
    for (size_t i = 0; i < 5; i++) {
        const render_label *l = find_label(&info, places[i]);
        ck_assert_msg(l != NULL, "no label for %s", places[i]);
        /* next to its marker: the anchor is where the event is */
        double x, y;
        size_t n;
        const render_point *p = render_markers_points(ev, &n);
        int found = 0;
        for (size_t k = 0; k < n && !found; k++) {
            render_view_project(v, p[k].lon_deg, p[k].lat_deg, &x, &y);
            found = hypot(x - l->anchor_x, y - l->anchor_y) < 1;
        }
        ck_assert_msg(found, "label %s is not at an event", places[i]);
    }
    check_labels(&info, 1600, 1200);
    /* reference places are there too, and country names */
    size_t n_place = 0, n_country = 0;
    for (size_t i = 0; i < info.n_labels; i++) {
        n_place += info.labels[i].kind == RENDER_LABEL_PLACE;
        n_country += info.labels[i].kind == RENDER_LABEL_COUNTRY;
    }
    ck_assert(n_place >= 5);
    ck_assert(n_country >= 2);
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/seed.png", test_tmpdir());
    ck_assert_int_eq(write_png(path.buf, &img, NULL, &err), 0);
    render_image back;
    ck_assert_int_eq(render_png_read(path.buf, &back, &err), 0);
    ck_assert(back.width == 1600 && back.height == 1200);
    render_image_release(&back);
    sb_release(&path);
    render_info_release(&info);
    render_image_release(&img);
    render_view_free(v);
    render_basemap_free(b);
    render_markers_free(ev);
    gaz_close(g);
    free(seed);
    free(dir);
}
END_TEST

/* -------------------------------------------------- the lean store query */

typedef struct {
    strbuf seen;
} seen_ctx;

static int seen_event(void *ctx, const ev_event *e, char **err)
{
    (void)err;
    if (!e->located) return 0;
    sb_addf(&((seen_ctx *)ctx)->seen, "%.6f %.6f %d %d %s|%s\n", e->lon, e->lat, e->day, e->fatalities,
            e->event_type, e->location);
    return 0;
}

static int seen_point(void *ctx, const store_point *p, char **err)
{
    (void)err;
    sb_addf(&((seen_ctx *)ctx)->seen, "%.6f %.6f %d %d %s|%s\n", p->lon, p->lat, p->day, p->fatalities,
            p->event_type, p->location);
    return 0;
}

static int by_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of s, sorted (the two queries need not agree on order). */
static char *sorted_lines(const char *s)
{
    char *copy = xstrdup(s), **lines = NULL;
    size_t n = 0, alloc = 0;
    for (char *p = copy; *p;) {
        char *nl = strchr(p, '\n');
        ALLOC_GROW(lines, n + 1, alloc);
        lines[n++] = p;
        if (!nl) break;
        *nl = 0;
        p = nl + 1;
    }
    qsort(lines, n, sizeof(*lines), by_line);
    strbuf out = STRBUF_INIT;
    for (size_t i = 0; i < n; i++) sb_addf(&out, "%s\n", lines[i]);
    free(lines);
    free(copy);
    return sb_detach(&out, NULL);
}

START_TEST(store_points_should_hand_what_store_scan_hands)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/points.db", test_tmpdir());
    store *s = NULL;
    char *err = NULL;
    ck_assert_msg(store_open(path.buf, STORE_CREATE, &s, &err) == 0, "%s", err);
    ck_assert_int_eq(store_begin(s, &err), 0);
    const char *types[] = { "Battles", "Riots", "Protests" };
    const char *actors[] = { "Military Forces of Syria", "Rioters (Syria)", "Protesters (Syria)" };
    for (int i = 0; i < 300; i++) {
        char id[16], date[11];
        snprintf(id, sizeof(id), "ev%d", i);
        ev_event e;
        memset(&e, 0, sizeof(e));
        e.id = id;
        e.day = 19000 + i % 60;
        ev_format_date(e.day, date);
        e.event_date = date;
        e.time_precision = 1;
        e.event_type = types[i % 3];
        e.sub_event_type = e.actor2 = e.country = e.admin1 = e.source = e.notes = e.gazetteer_id = e.match = "";
        e.actor1 = actors[i % 3];
        e.location = i % 2 ? "Hama" : "Idlib";
        e.located = i % 17 != 0;
        e.lat = 33 + 4 * rnd();
        e.lon = 36 + 5 * rnd();
        e.geo_precision = e.located ? 1 : 0;
        e.fatalities = i % 7;
        e.confidence = 1;
        ck_assert_msg(store_put(s, &e, &err) > 0, "%s", err);
    }
    ck_assert_int_eq(store_commit(s, &err), 0);
    ev_filter filters[4];
    memset(filters, 0, sizeof(filters));
    filters[1].type = "riots";
    filters[2].has_since = filters[2].has_until = 1;
    filters[2].since_day = 19010;
    filters[2].until_day = 19020;
    filters[3].actor = "protest";
    geo_bbox boxes[2] = { { 36, 33, 38, 35 }, { 37, 34, 41, 37 } };
    for (int f = 0; f < 4; f++)
        for (size_t nb = 0; nb <= 2; nb += 2) {
            seen_ctx a = { STRBUF_INIT }, b = { STRBUF_INIT };
            ck_assert_int_eq(store_scan(s, &filters[f], boxes, nb, seen_event, &a, &err), 0);
            ck_assert_int_eq(store_points(s, &filters[f], boxes, nb, seen_point, &b, &err), 0);
            char *x = sorted_lines(a.seen.buf), *y = sorted_lines(b.seen.buf);
            ck_assert_msg(a.seen.len > 0, "filter %d boxes %zu: nothing", f, nb);
            ck_assert_str_eq(x, y);
            free(x);
            free(y);
            sb_release(&a.seen);
            sb_release(&b.seen);
        }
    store_close(s);
    sb_release(&path);
}
END_TEST

Suite *render_suite(void)
{
    Suite *s = suite_create("render");
    TCase *tc = tcase_create("png");
    tcase_add_test(tc, render_png_write_should_round_trip_through_libpng);
    tcase_add_test(tc, render_png_write_should_use_a_palette_for_few_colours);
    tcase_add_test(tc, render_png_write_should_leave_nothing_when_it_cannot_write);
    suite_add_tcase(s, tc);

    tc = tcase_create("events and views");
    tcase_add_test(tc, render_markers_should_intern_types_and_labels);
    tcase_add_test(tc, render_markers_count_in_should_match_brute_force);
    tcase_add_test(tc, render_view_overview_should_fit_the_box_north_up);
    tcase_add_test(tc, render_view_overview_should_refuse_a_bad_box_or_size);
    tcase_add_test(tc, render_view_tile_should_place_its_bounds_on_its_edges);
    tcase_add_test(tc, collide_index_should_agree_with_brute_force);
    suite_add_tcase(s, tc);

    tc = tcase_create("drawing");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, render_draw_should_put_each_marker_in_its_type_colour_where_its_event_is);
    tcase_add_test(tc, render_draw_should_split_a_marker_shared_by_several_types);
    tcase_add_test(tc, render_draw_should_bin_many_events_as_density);
    tcase_add_test(tc, render_draw_should_fill_land_and_sea_on_a_world_map);
    tcase_add_test(tc, render_draw_should_place_labels_that_never_overlap);
    tcase_add_test(tc, render_draw_should_refuse_a_mismatched_image_or_unfinished_events);
    tcase_add_test(tc, overview_of_the_seed_report_should_label_its_places);
    suite_add_tcase(s, tc);

    tc = tcase_create("store points");
    tcase_add_test(tc, store_points_should_hand_what_store_scan_hands);
    suite_add_tcase(s, tc);
    return s;
}
