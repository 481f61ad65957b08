/*
 * near_bench.c - the cost of one radius query against the store, without
 * the start-up of a process: open the store once, then for every centre of
 * a file count the events within the radius by geodesic distance
 * (store_within: the R*Tree, then the distance), as PostGIS's
 * count(*) ... WHERE ST_DWithin(geog, centre, radius) does.  Prints the median and 90th percentile time per
 * query.  Run by bench/run_events.sh.
 *
 *   near_bench [--near] DB POINTS_FILE [RADIUS_KM]      (radius 25 km by default)
 *
 * DB is a GeoPackage path or a postgresql:// URL (store_open decides).
 * --near counts through store_near instead, each event read whole as
 * `eventmap near` reads it (no filter); for PostGIS, whose store_within
 * runs the same query, it is the query `near` sends.
 *
 * POINTS_FILE holds one "LAT,LON" a line (gen_events --points N).  The
 * output is one line, key=value, for the script to read:
 *   queries=1000 median_ms=0.412 p90_ms=0.977 mean_ms=0.501 mean_hits=812.4
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/event.h"
#include "geo/geo.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    geo_point centre;
    double km;
    size_t hits;
} query;

/* Like PostGIS's count(*) ... ST_DWithin: count the events in the circle. */
static int on_hit(void *ctx, int64_t key, double lat, double lon, double km)
{
    query *q = ctx;
    (void)key;
    (void)lat;
    (void)lon;
    (void)km;
    q->hits++;
    return 0;
}

/* The same count, of the whole events store_near hands over. */
static int on_event(void *ctx, const ev_event *e, char **err)
{
    query *q = ctx;
    (void)e;
    (void)err;
    q->hits++;
    return 0;
}

int main(int argc, char **argv)
{
    int whole = argc > 1 && strcmp(argv[1], "--near") == 0;
    if (whole) {
        argc--;
        argv++;
    }
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: near_bench [--near] DB POINTS_FILE [RADIUS_KM]\n");
        return 2;
    }
    double km = argc > 3 ? atof(argv[3]) : 25.0;
    if (!(km > 0 && km < 1000)) {
        fprintf(stderr, "near_bench: radius \"%s\" is not a distance in km\n", argv[3]);
        return 2;
    }

    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    geo_point *pts = NULL;
    size_t n = 0, alloc = 0;
    double lat, lon;
    while (fscanf(f, " %lf , %lf", &lat, &lon) == 2) {
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            pts = realloc(pts, alloc * sizeof(*pts));
            if (!pts) return 1;
        }
        pts[n].lat_deg = lat;
        pts[n].lon_deg = lon;
        n++;
    }
    fclose(f);
    if (!n) {
        fprintf(stderr, "%s: no LAT,LON lines\n", argv[2]);
        return 1;
    }

    store *s = NULL;
    char *err = NULL;
    if (store_open(argv[1], STORE_READ, &s, &err) < 0) {
        fprintf(stderr, "near_bench: %s\n", err ? err : argv[1]);
        free(err);
        return 1;
    }

    double *t = malloc(n * sizeof(double));
    if (!t) return 1;
    double total_hits = 0;
    for (size_t i = 0; i < n; i++) {
        query q = {pts[i], km, 0};
        double t0 = now_s();
        int rc = whole ? store_near(s, pts[i], km, NULL, on_event, &q, &err)
                       : store_within(s, pts[i], km, 0, on_hit, &q, &err);
        if (rc < 0) {
            fprintf(stderr, "near_bench: query %zu: %s\n", i + 1,
                    err ? err : whole ? "store_near failed" : "store_within failed");
            free(err);
            store_close(s);
            return 1;
        }
        t[i] = now_s() - t0;
        total_hits += (double)q.hits;
    }
    store_close(s);

    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += t[i];
    qsort(t, n, sizeof(double), cmp_double);
    double median = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
    printf("queries=%zu median_ms=%.3f p90_ms=%.3f mean_ms=%.3f mean_hits=%.1f\n", n, median * 1e3,
           t[n * 9 / 10] * 1e3, sum / (double)n * 1e3, total_hits / (double)n);
    free(t);
    free(pts);
    return 0;
}
