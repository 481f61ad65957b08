/*
 * test_geo.c - unit tests of src/geo: geodesic distances against independent
 * references, shapes through WKT and WKB, representative points, point in
 * polygon, repair of invalid rings, the TopoJSON reader on a hand-made
 * fixture (tests/data/topo-small.json) and, when the data has been fetched,
 * on Natural Earth's countries-50m.json.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "geo/geo.h"
#include "test_helpers.h"
#include "util/error.h"
#include "util/banned.h"

#define TOPO_SMALL "tests/data/topo-small.json"
#define COUNTRIES_50M ".cache/data/countries-50m.json"

/* Metre-level agreement with the references below. */
#define KM_TOL 0.001

static geo_point pt(double lat_deg, double lon_deg)
{
    geo_point p = { lat_deg, lon_deg };
    return p;
}

/* The shape of wkt, which must parse. */
static geo_shape *shape_of(geo_ctx *ctx, const char *wkt)
{
    geo_shape *shape = NULL;
    char *err = NULL;
    int rc = geo_shape_from_wkt(ctx, wkt, &shape, &err);
    ck_assert_msg(rc == 0, "'%s': %s", wkt, err ? err : "(no message)");
    ck_assert_ptr_nonnull(shape);
    return shape;
}

static char *wkt_of(geo_ctx *ctx, const geo_shape *shape)
{
    char *wkt = NULL, *err = NULL;
    ck_assert_int_eq(geo_shape_to_wkt(ctx, shape, 9, &wkt, &err), 0);
    return wkt;
}

/* ------------------------------------------------------------ distances */

/* References: Vincenty's inverse formula on WGS 84, computed independently
 * of PROJ (a Python transcription, iterated to 1e-13 rad), and the closed
 * forms a*pi/2 (equator quadrant) and the WGS 84 meridian quadrant. */
START_TEST(geo_distance_km_should_match_known_geodesic)
{
    /* Damascus to Hasakah */
    ck_assert_double_eq_tol(geo_distance_km(pt(33.5138, 36.2765), pt(36.5024, 40.7477)),
                            525.715933, KM_TOL);
    /* JFK to Heathrow */
    ck_assert_double_eq_tol(geo_distance_km(pt(40.6413, -73.7781), pt(51.4700, -0.4543)),
                            5554.908791, KM_TOL);
    /* a quarter of the equator and a quarter of a meridian */
    ck_assert_double_eq_tol(geo_distance_km(pt(0, 0), pt(0, 90)), 10018.754171, KM_TOL);
    ck_assert_double_eq_tol(geo_distance_km(pt(0, 0), pt(90, 0)), 10001.965729, KM_TOL);
    /* symmetric, and zero from a point to itself */
    ck_assert_double_eq_tol(geo_distance_km(pt(36.5024, 40.7477), pt(33.5138, 36.2765)),
                            525.715933, KM_TOL);
    ck_assert_double_eq(geo_distance_km(pt(33.5138, 36.2765), pt(33.5138, 36.2765)), 0.0);
}
END_TEST

START_TEST(geo_distance_km_should_take_the_short_way_across_the_antimeridian)
{
    ck_assert_double_eq_tol(geo_distance_km(pt(0, 179.9), pt(0, -179.9)), 22.263898, KM_TOL);
    ck_assert_double_eq_tol(geo_distance_km(pt(45, 179.9), pt(45, -179.9)), 15.769363, KM_TOL);
    /* longitudes outside [-180, 180] name the same meridians */
    ck_assert_double_eq_tol(geo_distance_km(pt(0, 179.9), pt(0, 180.1)), 22.263898, KM_TOL);
}
END_TEST

START_TEST(geo_distance_km_should_handle_the_poles)
{
    /* every longitude at a pole is the same point */
    ck_assert_double_eq_tol(geo_distance_km(pt(90, 0), pt(90, 123)), 0.0, 1e-9);
    ck_assert_double_eq_tol(geo_distance_km(pt(90, 17), pt(-90, -40)), 20003.931458, KM_TOL);
    ck_assert_double_eq_tol(geo_distance_km(pt(-90, 0), pt(0, 77)), 10001.965729, KM_TOL);
}
END_TEST

START_TEST(geo_distance_km_should_return_nan_for_a_latitude_out_of_range)
{
    ck_assert(isnan(geo_distance_km(pt(91, 0), pt(0, 0))));
    ck_assert(isnan(geo_distance_km(pt(0, 0), pt(NAN, 0))));
}
END_TEST

/* ------------------------------------------------------------ PROJ transforms */

START_TEST(geo_proj_forward_should_map_lon_lat_to_web_mercator)
{
    char *err = NULL;
    geo_proj *proj = geo_proj_new("EPSG:4326", "EPSG:3857", &err);
    ck_assert_msg(proj != NULL, "%s", err ? err : "");
    double x[3] = { 0, 180, 36.2765 };
    double y[3] = { 0, 0, 33.5138 };
    ck_assert_int_eq(geo_proj_forward(proj, x, y, 3, &err), 0);
    ck_assert_double_eq_tol(x[0], 0, 1e-6);
    ck_assert_double_eq_tol(y[0], 0, 1e-6);
    ck_assert_double_eq_tol(x[1], 20037508.342789244, 1e-6);
    /* x = R * lon, y = R * ln(tan(pi/4 + lat/2)) with R = 6378137 */
    ck_assert_double_eq_tol(x[2], 6378137.0 * 36.2765 * M_PI / 180, 1e-6);
    ck_assert_double_eq_tol(y[2], 6378137.0 * log(tan(M_PI / 4 + 33.5138 * M_PI / 360)), 1e-6);
    geo_proj_free(proj);
}
END_TEST

START_TEST(geo_proj_new_should_name_an_unknown_crs)
{
    char *err = NULL;
    ck_assert_ptr_null(geo_proj_new("EPSG:4326", "EPSG:999999", &err));
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "'EPSG:999999'") != NULL, "message: %s", err);
    free(err);
    geo_proj_free(NULL);
}
END_TEST

/* ------------------------------------------------------------ shapes */

START_TEST(geo_shape_from_wkt_should_round_trip_through_wkb)
{
    geo_ctx *ctx = geo_ctx_new();
    const char *wkt = "POLYGON ((35.7 32.3, 42.4 32.3, 42.4 37.3, 35.7 37.3, 35.7 32.3), "
                      "(38 34, 38 35, 39.25 35, 39.25 34, 38 34))";
    geo_shape *shape = shape_of(ctx, wkt), *back = NULL;
    unsigned char *wkb = NULL;
    size_t len = 0;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_to_wkb(ctx, shape, &wkb, &len, &err), 0);
    /* little-endian polygon: byte order 1, type 3, two rings of 5 points */
    ck_assert_uint_eq(len, 1 + 4 + 4 + 2 * (4 + 5 * 16));
    ck_assert_uint_eq(wkb[0], 1);
    ck_assert_uint_eq(wkb[1], 3);
    ck_assert_int_eq(geo_shape_from_wkb(ctx, wkb, len, &back, &err), 0);
    char *text = wkt_of(ctx, back);
    ck_assert_str_eq(text, wkt);

    free(text);
    free(wkb);
    geo_shape_free(ctx, back);
    geo_shape_free(ctx, shape);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_from_wkb_should_reject_garbage)
{
    geo_ctx *ctx = geo_ctx_new();
    geo_shape *shape = (geo_shape *)&shape; /* must be reset to NULL */
    char *err = NULL;
    const unsigned char junk[] = { 1, 3, 0, 0, 0, 1, 0 };

    ck_assert_int_eq(geo_shape_from_wkb(ctx, junk, sizeof(junk), &shape, &err), EM_EINPUT);
    ck_assert_ptr_null(shape);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strncmp(err, "invalid WKB: ", 13) == 0, "message: %s", err);
    free(err);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_from_wkt_should_reject_invalid_geometry_with_a_message)
{
    geo_ctx *ctx = geo_ctx_new();
    geo_shape *shape = NULL;
    char *err = NULL;

    /* a bow tie */
    ck_assert_int_eq(geo_shape_from_wkt(ctx, "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))", &shape, &err),
                     EM_EINPUT);
    ck_assert_ptr_null(shape);
    ck_assert_str_eq(err, "invalid geometry: Self-intersection[1 1]");
    free(err);
    err = NULL;

    ck_assert_int_eq(geo_shape_from_wkt(ctx, "POLYGON ((0 0, 1 0, 1 1", &shape, &err), EM_EINPUT);
    ck_assert_ptr_null(shape);
    ck_assert_msg(strncmp(err, "invalid WKT: ", 13) == 0, "message: %s", err);
    free(err);
    err = NULL;

    ck_assert_int_eq(geo_shape_from_wkt(ctx, "POLYGON EMPTY", &shape, &err), EM_EINPUT);
    ck_assert_str_eq(err, "empty geometry");
    free(err);
    err = NULL;

    /* no message asked for: only the code */
    ck_assert_int_eq(geo_shape_from_wkt(ctx, "nonsense", &shape, NULL), EM_EINPUT);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_rep_point_should_lie_inside_a_concave_polygon)
{
    geo_ctx *ctx = geo_ctx_new();
    /* a U whose centroid (near 2, 1.4) falls in the notch */
    geo_shape *u = shape_of(ctx, "POLYGON ((0 0, 4 0, 4 4, 3 4, 3 1, 1 1, 1 4, 0 4, 0 0))");
    geo_point p;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_rep_point(ctx, u, &p, &err), 0);
    ck_assert_int_eq(geo_shape_contains(ctx, u, p), 1);
    ck_assert_int_eq(geo_shape_contains(ctx, u, pt(1.4, 2.0)), 0);
    geo_shape_free(ctx, u);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_contains_should_tell_inside_outside_and_boundary)
{
    geo_ctx *ctx = geo_ctx_new();
    geo_shape *s = shape_of(ctx, "POLYGON ((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4))");

    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(2, 2)), 1);     /* inside */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(5, 5)), 0);     /* in the hole */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(11, 5)), 0);    /* outside, north */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(5, -0.001)), 0); /* just west */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(0, 5)), 1);     /* on the south edge */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(10, 10)), 1);   /* on a corner */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(4, 5)), 1);     /* on the hole's edge */
    ck_assert_int_eq(geo_shape_contains(ctx, s, pt(NAN, 5)), 0);
    geo_shape_free(ctx, s);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_bbox_should_span_the_shape)
{
    geo_ctx *ctx = geo_ctx_new();
    geo_shape *s = shape_of(ctx, "MULTIPOLYGON (((-180 60, -170 60, -170 70, -180 70, -180 60)), "
                                 "((170 50, 180 50, 180 72, 170 72, 170 50)))");
    geo_bbox b;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_bbox(ctx, s, &b, &err), 0);
    ck_assert_double_eq(b.west_deg, -180);
    ck_assert_double_eq(b.south_deg, 50);
    ck_assert_double_eq(b.east_deg, 180);
    ck_assert_double_eq(b.north_deg, 72);
    ck_assert_double_eq_tol(geo_shape_area(ctx, s), 100 + 220, 1e-9);
    geo_shape_free(ctx, s);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_from_rings_should_repair_a_self_intersecting_ring)
{
    geo_ctx *ctx = geo_ctx_new();
    /* a bow tie, not closed: repaired into its two triangles */
    const double bow_xy[] = { 0, 0, 2, 2, 2, 0, 0, 2 };
    geo_ring ring = { bow_xy, 4 };
    size_t counts[] = { 1 };
    geo_shape *shape = NULL;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_from_rings(ctx, &ring, counts, 1, &shape, &err), 0);
    ck_assert_ptr_nonnull(shape);
    ck_assert_double_eq_tol(geo_shape_area(ctx, shape), 2.0, 1e-12);
    ck_assert_int_eq(geo_shape_contains(ctx, shape, pt(1.0, 0.5)), 1);
    ck_assert_int_eq(geo_shape_contains(ctx, shape, pt(1.0, 1.5)), 1);
    ck_assert_int_eq(geo_shape_contains(ctx, shape, pt(0.5, 1.0)), 0);
    geo_shape_free(ctx, shape);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_from_rings_should_drop_degenerate_rings)
{
    geo_ctx *ctx = geo_ctx_new();
    /* two distinct points, then a line there and back: no area */
    const double two_xy[] = { 1, 1, 2, 2, 2, 2, 1, 1 };
    const double line_xy[] = { 0, 0, 1, 1, 2, 2, 1, 1, 0, 0 };
    geo_ring rings[] = { { two_xy, 4 }, { line_xy, 5 } };
    size_t counts[] = { 1, 1 };
    geo_shape *shape = (geo_shape *)&shape;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_from_rings(ctx, rings, counts, 2, &shape, &err), 0);
    ck_assert_ptr_null(shape);
    ck_assert_ptr_null(err);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_free_functions_should_accept_null)
{
    geo_ctx *ctx = geo_ctx_new();
    ck_assert_ptr_nonnull(ctx);
    geo_shape_free(ctx, NULL);
    topo_features_free(ctx, NULL, 0);
    /* the context is still whole: it builds and answers for a shape */
    const double square_xy[] = { 0, 0, 2, 0, 2, 2, 0, 2, 0, 0 };
    geo_ring ring = { square_xy, 5 };
    size_t one = 1;
    geo_shape *shape = NULL;
    char *err = NULL;
    ck_assert_int_eq(geo_shape_from_rings(ctx, &ring, &one, 1, &shape, &err), 0);
    ck_assert_ptr_nonnull(shape);
    ck_assert_int_eq(geo_shape_contains(ctx, shape, (geo_point){ .lat_deg = 1, .lon_deg = 1 }), 1);
    ck_assert_int_eq(geo_shape_contains(ctx, shape, (geo_point){ .lat_deg = 1, .lon_deg = 3 }), 0);
    ck_assert_double_eq_tol(geo_shape_area(ctx, shape), 4.0, 1e-12);
    geo_shape_free(ctx, shape);
    geo_ctx_free(ctx);
    geo_ctx_free(NULL);
    geo_proj_free(NULL);
    ck_assert_ptr_null(err);
}
END_TEST

/* ------------------------------------------------------------- drawing */

/* The shape of one ring built as it is; the ring must build. */
static geo_shape *polygon_of(geo_ctx *ctx, const double *xy, size_t n_points)
{
    geo_ring ring = { xy, n_points };
    geo_shape *shape = NULL;
    char *err = NULL;
    int rc = geo_shape_polygon(ctx, &ring, 1, &shape, &err);
    ck_assert_msg(rc == 0, "%s", err ? err : "(no message)");
    ck_assert_ptr_nonnull(shape);
    return shape;
}

START_TEST(geo_shape_polygon_should_build_rings_as_they_are)
{
    geo_ctx *ctx = geo_ctx_new();
    /* a bow tie, not closed: closed, not repaired (geo_shape_from_wkt refuses it) */
    const double bow_xy[] = { 0, 0, 2, 2, 2, 0, 0, 2 };
    geo_shape *shape = polygon_of(ctx, bow_xy, 4);
    char *wkt = wkt_of(ctx, shape);
    ck_assert_str_eq(wkt, "POLYGON ((0 0, 2 2, 2 0, 0 2, 0 0))");
    free(wkt);
    geo_shape_free(ctx, shape);

    /* a shell and a hole, the hole already closed */
    const double shell_xy[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
    const double hole_xy[] = { 4, 4, 4, 6, 6, 6, 6, 4, 4, 4 };
    geo_ring rings[] = { { shell_xy, 4 }, { hole_xy, 5 } };
    char *err = NULL;
    ck_assert_int_eq(geo_shape_polygon(ctx, rings, 2, &shape, &err), 0);
    ck_assert_double_eq_tol(geo_shape_area(ctx, shape), 96.0, 1e-12);
    geo_shape_free(ctx, shape);

    /* a ring GEOS refuses: too few points once closed */
    const double short_xy[] = { 1, 1, 1, 1 };
    geo_ring short_ring = { short_xy, 2 };
    shape = (geo_shape *)&shape;
    ck_assert_int_eq(geo_shape_polygon(ctx, &short_ring, 1, &shape, &err), EM_EINPUT);
    ck_assert_ptr_null(shape);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(!strncmp(err, "cannot build ring 0", 19), "message: %s", err);
    free(err);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_clip_should_keep_the_part_inside_the_rectangle)
{
    geo_ctx *ctx = geo_ctx_new();
    const double square_xy[] = { 0, 0, 10, 0, 10, 10, 0, 10, 0, 0 };
    geo_shape *square = polygon_of(ctx, square_xy, 5), *part = NULL;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_clip(ctx, square, 5, 5, 15, 15, &part, &err), 0);
    ck_assert_ptr_nonnull(part);
    ck_assert_double_eq_tol(geo_shape_area(ctx, part), 25.0, 1e-12);
    geo_shape_free(ctx, part);

    /* nothing inside: no shape, no error */
    part = (geo_shape *)&part;
    ck_assert_int_eq(geo_shape_clip(ctx, square, 20, 20, 30, 30, &part, &err), 0);
    ck_assert_ptr_null(part);
    ck_assert_ptr_null(err);
    geo_shape_free(ctx, square);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_simplify_should_drop_points_within_the_tolerance)
{
    geo_ctx *ctx = geo_ctx_new();
    const double line_xy[] = { 0, 0, 5, 0.01, 10, 0, 15, 3 };
    geo_ring line = { line_xy, 4 };
    geo_shape *lines = NULL, *simple = NULL;
    geo_paths paths = GEO_PATHS_INIT;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_lines(ctx, &line, 1, &lines, &err), 0);
    ck_assert_int_eq(geo_shape_simplify(ctx, lines, 0.1, &simple, &err), 0);
    ck_assert_ptr_nonnull(simple);
    ck_assert_int_eq(geo_shape_paths(ctx, simple, &paths, &err), 0);
    ck_assert_uint_eq(paths.n_paths, 1);
    ck_assert_uint_eq(paths.paths[0].n_points, 3); /* (5, 0.01) is gone */
    ck_assert_double_eq(paths.x[1], 10);
    ck_assert_double_eq(paths.y[2], 3);
    geo_paths_release(&paths);
    geo_shape_free(ctx, simple);
    geo_shape_free(ctx, lines);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_paths_should_list_shells_holes_and_lines_in_order)
{
    geo_ctx *ctx = geo_ctx_new();
    const double shell_xy[] = { 0, 0, 10, 0, 10, 10, 0, 10 };
    const double hole_xy[] = { 4, 4, 4, 6, 6, 6, 6, 4 };
    geo_ring rings[] = { { shell_xy, 4 }, { hole_xy, 4 } };
    const double a_xy[] = { 0, 0, 1, 1 }, b_xy[] = { 5, 5 }, c_xy[] = { 2, 2, 3, 3, 4, 2 };
    geo_ring lines[] = { { a_xy, 2 }, { b_xy, 1 }, { c_xy, 3 } };
    geo_shape *polygon = NULL, *multi = NULL;
    geo_paths paths = GEO_PATHS_INIT;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_polygon(ctx, rings, 2, &polygon, &err), 0);
    ck_assert_int_eq(geo_shape_lines(ctx, lines, 3, &multi, &err), 0);
    ck_assert_int_eq(geo_shape_paths(ctx, polygon, &paths, &err), 0);
    ck_assert_int_eq(geo_shape_paths(ctx, multi, &paths, &err), 0);
    ck_assert_uint_eq(paths.n_paths, 4);
    ck_assert_int_eq(paths.paths[0].kind, GEO_PATH_SHELL);
    ck_assert_int_eq(paths.paths[0].depth, 0);
    ck_assert_uint_eq(paths.paths[0].n_points, 5); /* closed */
    ck_assert_int_eq(paths.paths[1].kind, GEO_PATH_HOLE);
    ck_assert_uint_eq(paths.paths[1].start, 5);
    ck_assert_double_eq(paths.x[5], 4);
    ck_assert_double_eq(paths.y[6], 6);
    /* the line of one point is left out; a multi's lines are its parts */
    ck_assert_int_eq(paths.paths[2].kind, GEO_PATH_LINE);
    ck_assert_int_eq(paths.paths[2].depth, 1);
    ck_assert_uint_eq(paths.paths[3].n_points, 3);
    ck_assert_uint_eq(paths.n_points, 15);

    geo_paths_clear(&paths);
    ck_assert_uint_eq(paths.n_paths, 0);
    geo_paths_release(&paths);
    geo_paths_release(&paths);
    geo_shape_free(ctx, polygon);
    geo_shape_free(ctx, multi);

    /* no line of 2 points: no shape */
    multi = (geo_shape *)&multi;
    ck_assert_int_eq(geo_shape_lines(ctx, &lines[1], 1, &multi, &err), 0);
    ck_assert_ptr_null(multi);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(geo_shape_inscribed_centre_should_find_the_widest_point)
{
    geo_ctx *ctx = geo_ctx_new();
    /* an L: the centre of its widest part, the 10 x 10 square */
    const double l_xy[] = { 0, 0, 30, 0, 30, 2, 10, 2, 10, 10, 0, 10, 0, 0 };
    geo_shape *shape = polygon_of(ctx, l_xy, 7);
    double x = -1, y = -1;
    char *err = NULL;

    ck_assert_int_eq(geo_shape_inscribed_centre(ctx, shape, 0.01, &x, &y, &err), 0);
    ck_assert_double_eq_tol(x, 5, 0.02);
    ck_assert_double_eq_tol(y, 5, 0.02);
    geo_shape_free(ctx, shape);
    geo_ctx_free(ctx);
}
END_TEST

/* ------------------------------------------------------------ TopoJSON */

START_TEST(topo_read_should_decode_quantized_delta_encoded_arcs)
{
    geo_ctx *ctx = geo_ctx_new();
    topo_feature *f = NULL;
    size_t n = 0;
    char *err = NULL;

    int rc = topo_read(ctx, TOPO_SMALL, "squares", &f, &n, &err);
    ck_assert_msg(rc == 0, "%s", err ? err : "");
    /* the geometry of type null is skipped */
    ck_assert_uint_eq(n, 3);

    ck_assert_pstr_eq(f[0].id, "A");
    ck_assert_pstr_eq(f[0].name, "West square");
    char *wkt = wkt_of(ctx, f[0].shape);
    ck_assert_str_eq(wkt, "POLYGON ((31 10, 31 11, 30 11, 30 10, 31 10))");
    free(wkt);

    /* arc ~0 = the shared border walked backwards; a numeric id */
    ck_assert_pstr_eq(f[1].id, "42");
    ck_assert_pstr_eq(f[1].name, "East square");
    wkt = wkt_of(ctx, f[1].shape);
    ck_assert_str_eq(wkt, "POLYGON ((31 10, 32 10, 32 11, 31 11, 31 10))");
    free(wkt);

    ck_assert_pstr_eq(f[2].id, NULL);
    ck_assert_pstr_eq(f[2].name, "Holed");
    wkt = wkt_of(ctx, f[2].shape);
    ck_assert_str_eq(wkt, "MULTIPOLYGON (((33 10, 35 10, 35 12, 33 12, 33 10), "
                          "(33.5 10.5, 33.5 11.5, 34.5 11.5, 34.5 10.5, 33.5 10.5)), "
                          "((36 10, 37 10, 37 11, 36 11, 36 10)))");
    free(wkt);
    ck_assert_int_eq(geo_shape_contains(ctx, f[2].shape, pt(11, 34)), 0); /* in the hole */
    ck_assert_int_eq(geo_shape_contains(ctx, f[2].shape, pt(10.25, 34)), 1);

    topo_features_free(ctx, f, n);
    geo_ctx_free(ctx);
}
END_TEST

/* Call topo_read expecting failure; returns the message (caller frees). */
static char *topo_error(geo_ctx *ctx, const char *path, const char *object)
{
    topo_feature *f = (topo_feature *)&f;
    size_t n = 99;
    char *err = NULL;
    int rc = topo_read(ctx, path, object, &f, &n, &err);
    ck_assert_int_lt(rc, 0);
    ck_assert_ptr_null(f);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(err);
    return err;
}

START_TEST(topo_read_should_name_the_file_and_what_is_wrong)
{
    geo_ctx *ctx = geo_ctx_new();
    char *err;

    err = topo_error(ctx, TOPO_SMALL, "foo");
    ck_assert_str_eq(err, TOPO_SMALL ": object 'foo' not found");
    free(err);

    err = topo_error(ctx, TOPO_SMALL, "points");
    ck_assert_str_eq(err, TOPO_SMALL ": object 'points', geometry 0: type 'Point' is not "
                          "supported (expected Polygon or MultiPolygon)");
    free(err);

    char *path = test_write_file("feature.json", "{\"type\": \"FeatureCollection\", "
                                                 "\"features\": []}");
    err = topo_error(ctx, path, "countries");
    ck_assert_str_eq(strrchr(err, '/'), "/feature.json: not a TopoJSON Topology");
    free(err);
    free(path);

    path = test_write_file("bad-arc.json",
                           "{\"type\": \"Topology\", \"arcs\": [[[0, 0], [1, 0], [0, 1]]],"
                           " \"objects\": {\"x\": {\"type\": \"Polygon\", \"arcs\": [[0, 3]]}}}");
    err = topo_error(ctx, path, "x");
    ck_assert_str_eq(strrchr(err, '/'), "/bad-arc.json: object 'x', geometry 0: arc index 3 is "
                                        "out of range (the topology has 1 arcs)");
    free(err);
    free(path);

    err = topo_error(ctx, "tests/data/no-such-file.json", "x");
    ck_assert_str_eq(err, "tests/data/no-such-file.json: cannot open: No such file or directory");
    free(err);

    /* past the limit: refused before it is read (a sparse file) */
    path = test_write_file("huge.json", "{");
    ck_assert_int_eq(truncate(path, (off_t)GEO_TOPO_MAX_FILE + 1), 0);
    err = topo_error(ctx, path, "countries");
    ck_assert_str_eq(strrchr(err, '/'), "/huge.json: TopoJSON larger than 512 MiB (the limit)");
    free(err);
    unlink(path);
    free(path);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(topo_read_should_report_line_and_column_of_a_json_error)
{
    geo_ctx *ctx = geo_ctx_new();
    size_t len = 0;
    char *text = test_read_file(TOPO_SMALL, &len);
    char *err, *path;

    ck_assert_ptr_nonnull(text);
    /* a syntax error at line 3, column 14 (the second comma) */
    path = test_write_file("syntax.json", "{\n  \"type\": \"Topology\",\n  \"arcs\": [1,,2]\n}\n");
    err = topo_error(ctx, path, "x");
    ck_assert_str_eq(strrchr(err, '/'), "/syntax.json:3:14: JSON parse error");
    free(err);
    free(path);

    /* cut in the middle: an error, with a position, and no crash */
    text[len / 2] = '\0';
    path = test_write_file("truncated.json", text);
    err = topo_error(ctx, path, "squares");
    size_t line = 0, column = 0;
    const char *tail = strrchr(err, '/');
    ck_assert_msg(sscanf(tail, "/truncated.json:%zu:%zu: JSON parse error", &line, &column) == 2,
                  "message: %s", err);
    ck_assert_uint_ge(line, 1);
    ck_assert_uint_ge(column, 1);
    free(err);
    free(path);
    free(text);
    geo_ctx_free(ctx);
}
END_TEST

static int find_feature(const topo_feature *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].name && !strcmp(f[i].name, name)) return (int)i;
    return -1;
}

START_TEST(topo_read_should_find_syria_in_natural_earth_countries)
{
    geo_ctx *ctx = geo_ctx_new();
    topo_feature *f = NULL;
    size_t n = 0;
    char *err = NULL;
    geo_point p;
    geo_bbox b;

    /* make (and so make test) fetches it: its absence is a failure */
    ck_assert_msg(access(COUNTRIES_50M, R_OK) == 0, "%s is absent: run 'make data'", COUNTRIES_50M);
    int rc = topo_read(ctx, COUNTRIES_50M, "countries", &f, &n, &err);
    ck_assert_msg(rc == 0, "%s", err ? err : "");
    ck_assert_uint_gt(n, 200);

    int syria = find_feature(f, n, "Syria");
    ck_assert_int_ge(syria, 0);
    ck_assert_pstr_eq(f[syria].id, "760");
    ck_assert_int_eq(geo_shape_rep_point(ctx, f[syria].shape, &p, &err), 0);
    ck_assert(p.lon_deg > 35.7 && p.lon_deg < 42.4 && p.lat_deg > 32.3 && p.lat_deg < 37.3);
    ck_assert_int_eq(geo_shape_contains(ctx, f[syria].shape, pt(33.5138, 36.2765)), 1);  /* Damascus */
    ck_assert_int_eq(geo_shape_contains(ctx, f[syria].shape, pt(33.8938, 35.5018)), 0);  /* Beirut */
    ck_assert_int_eq(geo_shape_bbox(ctx, f[syria].shape, &b, &err), 0);
    ck_assert(b.west_deg > 35.5 && b.east_deg < 42.5 && b.south_deg > 32.2 && b.north_deg < 37.4);

    /* split at the antimeridian, built as they are */
    int russia = find_feature(f, n, "Russia");
    ck_assert_int_ge(russia, 0);
    ck_assert_int_eq(geo_shape_contains(ctx, f[russia].shape, pt(55.7558, 37.6173)), 1); /* Moscow */
    ck_assert_int_eq(geo_shape_contains(ctx, f[russia].shape, pt(66.0, -175.0)), 1);     /* Chukotka */
    int fiji = find_feature(f, n, "Fiji");
    ck_assert_int_ge(fiji, 0);
    ck_assert_int_eq(geo_shape_contains(ctx, f[fiji].shape, pt(-17.8, 178.0)), 1);        /* Viti Levu */
    ck_assert_int_eq(geo_shape_bbox(ctx, f[fiji].shape, &b, &err), 0);
    ck_assert_double_eq_tol(b.west_deg, -180, 1e-6);
    ck_assert_double_eq_tol(b.east_deg, 180, 1e-6);

    topo_features_free(ctx, f, n);
    geo_ctx_free(ctx);
}
END_TEST

START_TEST(topo_read_rings_should_stitch_arcs_and_list_the_shared_ones)
{
    topo_topology *tp = NULL;
    topo_rings rings = TOPO_RINGS_INIT;
    char *err = NULL;

    ck_assert_int_eq(topo_open(TOPO_SMALL, &tp, &err), 0);
    int rc = topo_read_rings(tp, "squares", &rings, &err);
    ck_assert_msg(rc == 0, "%s", err ? err : "");
    /* the geometry of type null is left out */
    ck_assert_uint_eq(rings.n_geometries, 3);
    ck_assert_pstr_eq(rings.geometries[0].name, "West square");
    ck_assert_pstr_eq(rings.geometries[1].id, "42");
    ck_assert_uint_eq(rings.geometries[2].index, 3);
    ck_assert_uint_eq(rings.geometries[2].n_polygons, 2);
    ck_assert_uint_eq(rings.n_polygons, 4);
    ck_assert_uint_eq(rings.polygons[2].n_rings, 2);

    /* West: arc 0 then arc 1, their shared point once */
    const topo_run *west = &rings.rings[rings.polygons[0].first_ring];
    const double west_xy[] = { 31, 10, 31, 11, 30, 11, 30, 10, 31, 10 };
    ck_assert_uint_eq(west->n_points, 5);
    for (size_t i = 0; i < 10; i++) ck_assert_double_eq(rings.xy[2 * west->start + i], west_xy[i]);
    ck_assert_double_eq(west->pole_lat_deg, 0);

    /* arc 0, between West and East, is the one border */
    ck_assert_uint_eq(rings.n_borders, 1);
    ck_assert_uint_eq(rings.borders[0].n_points, 2);
    ck_assert_double_eq(rings.xy[2 * rings.borders[0].start + 3], 11);

    /* a second object goes after the first, over the same points */
    size_t n_points = rings.n_points;
    ck_assert_int_eq(topo_read_rings(tp, "squares", &rings, &err), 0);
    ck_assert_uint_eq(rings.n_geometries, 6);
    ck_assert_uint_eq(rings.geometries[3].first_polygon, 4);
    ck_assert_uint_eq(rings.n_borders, 2);
    ck_assert_uint_ge(rings.rings[rings.polygons[4].first_ring].start, n_points);

    /* the objects it cannot read */
    ck_assert_int_eq(topo_read_rings(tp, "points", &rings, &err), EM_EINPUT);
    ck_assert_str_eq(err, TOPO_SMALL ": object 'points', geometry 0: type 'Point' is not supported "
                          "(expected Polygon or MultiPolygon)");
    free(err);
    err = NULL;
    ck_assert_uint_eq(rings.n_geometries, 6);
    topo_rings_release(&rings);
    topo_rings_release(&rings);
    topo_free(tp);
    topo_free(NULL);
}
END_TEST

START_TEST(topo_read_rings_should_handle_the_antimeridian_and_the_poles)
{
    /* arc 0 round Fiji across the antimeridian; arc 1 once round the south
     * pole, crossing it between 179 and -91 */
    char *path = test_write_file("antimeridian.json",
                                 "{\"type\": \"Topology\", \"arcs\": ["
                                 "[[179, -17], [-179, -17], [-179, -16], [179, -16], [179, -17]],"
                                 "[[0, -80], [90, -80], [179, -80], [-91, -80], [-1, -80], [0, -80]]],"
                                 " \"objects\": {\"x\": {\"type\": \"MultiPolygon\", "
                                 "\"arcs\": [[[0]], [[1]]]}}}");
    topo_topology *tp = NULL;
    topo_rings rings = TOPO_RINGS_INIT;
    char *err = NULL;

    ck_assert_int_eq(topo_open(path, &tp, &err), 0);
    ck_assert_int_eq(topo_read_rings(tp, "x", &rings, &err), 0);
    ck_assert_uint_eq(rings.n_rings, 2);

    /* continuous longitudes, past 180 */
    const topo_run *fiji = &rings.rings[0];
    const double fiji_x[] = { 179, 181, 181, 179, 179 };
    ck_assert_uint_eq(fiji->n_points, 5);
    for (size_t i = 0; i < 5; i++) ck_assert_double_eq(rings.xy[2 * (fiji->start + i)], fiji_x[i]);
    ck_assert_double_eq(fiji->pole_lat_deg, 0);

    /* opened at the crossing, closed along ±180 and the pole */
    const topo_run *cap = &rings.rings[1];
    const double cap_xy[] = { -180, -80, -91, -80, -1, -80, 0, -80, 90, -80,
                              179, -80, 180, -80, 180, -90, -180, -90, -180, -80 };
    ck_assert_uint_eq(cap->n_points, 10);
    for (size_t i = 0; i < 20; i++) ck_assert_double_eq(rings.xy[2 * cap->start + i], cap_xy[i]);
    ck_assert_double_eq(cap->pole_lat_deg, -90);

    topo_rings_release(&rings);
    topo_free(tp);
    free(path);
}
END_TEST

/* The Makefile lists suites from lines starting "Suite *NAME_suite(void)". */
extern Suite *geo_suite(void);

Suite *geo_suite(void)
{
    Suite *s = suite_create("geo");
    TCase *tc = tcase_create("distance");
    tcase_add_test(tc, geo_distance_km_should_match_known_geodesic);
    tcase_add_test(tc, geo_distance_km_should_take_the_short_way_across_the_antimeridian);
    tcase_add_test(tc, geo_distance_km_should_handle_the_poles);
    tcase_add_test(tc, geo_distance_km_should_return_nan_for_a_latitude_out_of_range);
    tcase_add_test(tc, geo_proj_forward_should_map_lon_lat_to_web_mercator);
    tcase_add_test(tc, geo_proj_new_should_name_an_unknown_crs);
    suite_add_tcase(s, tc);

    tc = tcase_create("shape");
    tcase_add_test(tc, geo_shape_from_wkt_should_round_trip_through_wkb);
    tcase_add_test(tc, geo_shape_from_wkb_should_reject_garbage);
    tcase_add_test(tc, geo_shape_from_wkt_should_reject_invalid_geometry_with_a_message);
    tcase_add_test(tc, geo_shape_rep_point_should_lie_inside_a_concave_polygon);
    tcase_add_test(tc, geo_shape_contains_should_tell_inside_outside_and_boundary);
    tcase_add_test(tc, geo_shape_bbox_should_span_the_shape);
    tcase_add_test(tc, geo_shape_from_rings_should_repair_a_self_intersecting_ring);
    tcase_add_test(tc, geo_shape_from_rings_should_drop_degenerate_rings);
    tcase_add_test(tc, geo_free_functions_should_accept_null);
    suite_add_tcase(s, tc);

    tc = tcase_create("drawing");
    tcase_add_test(tc, geo_shape_polygon_should_build_rings_as_they_are);
    tcase_add_test(tc, geo_shape_clip_should_keep_the_part_inside_the_rectangle);
    tcase_add_test(tc, geo_shape_simplify_should_drop_points_within_the_tolerance);
    tcase_add_test(tc, geo_shape_paths_should_list_shells_holes_and_lines_in_order);
    tcase_add_test(tc, geo_shape_inscribed_centre_should_find_the_widest_point);
    suite_add_tcase(s, tc);

    tc = tcase_create("topojson");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, topo_read_should_decode_quantized_delta_encoded_arcs);
    tcase_add_test(tc, topo_read_should_name_the_file_and_what_is_wrong);
    tcase_add_test(tc, topo_read_should_report_line_and_column_of_a_json_error);
    tcase_add_test(tc, topo_read_should_find_syria_in_natural_earth_countries);
    tcase_add_test(tc, topo_read_rings_should_stitch_arcs_and_list_the_shared_ones);
    tcase_add_test(tc, topo_read_rings_should_handle_the_antimeridian_and_the_poles);
    suite_add_tcase(s, tc);
    return s;
}
