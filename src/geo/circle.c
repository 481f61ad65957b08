/*
 * circle.c - boxes around a geodesic circle, for index searches.
 */
#include "geo/geo.h"

#include <math.h>

#include "util/banned.h"

/* Boxes (west, south, east, north) that together hold every point within
 * km of c.  On a sphere of the smallest Earth radius a circle of angular
 * radius a around latitude phi spans asin(sin a / cos phi) of longitude;
 * the margins cover the ellipsoid's difference from that sphere. */
size_t geo_circle_boxes(geo_point c, double km, geo_bbox out[2])
{
    const double deg = M_PI / 180.0;
    double a = km / 6356.0 * 1.01;            /* angular radius, radians, generous */
    double dlat = a / deg + 1e-6;
    double south = c.lat_deg - dlat, north = c.lat_deg + dlat;
    if (south <= -90 || north >= 90 || a >= M_PI / 2) {
        /* the circle reaches a pole: every longitude */
        out[0] = (geo_bbox){ -180, south < -90 ? -90 : south, 180, north > 90 ? 90 : north };
        return 1;
    }
    double s = sin(a) / cos(c.lat_deg * deg);
    if (s >= 1) {
        out[0] = (geo_bbox){ -180, south, 180, north };
        return 1;
    }
    double dlon = asin(s) / deg * 1.01 + 1e-6;
    double west = c.lon_deg - dlon, east = c.lon_deg + dlon;
    if (dlon >= 180) {
        out[0] = (geo_bbox){ -180, south, 180, north };
        return 1;
    }
    if (west < -180) {
        out[0] = (geo_bbox){ -180, south, east, north };
        out[1] = (geo_bbox){ west + 360, south, 180, north };
        return 2;
    }
    if (east > 180) {
        out[0] = (geo_bbox){ west, south, 180, north };
        out[1] = (geo_bbox){ -180, south, east - 360, north };
        return 2;
    }
    out[0] = (geo_bbox){ west, south, east, north };
    return 1;
}

