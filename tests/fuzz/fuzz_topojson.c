/*
 * fuzz_topojson.c - the TopoJSON decoder (src/geo/topojson.c) both ways it
 * is used: the base map's (basemap_scale_read in src/render/basemap.c:
 * topo_open and topo_read_rings, then the renderer's arrays) and the
 * gazetteer's topo_read (the same rings made valid GEOS polygons).  The
 * first input byte picks the reader and the object (bit 0: base map; bit 1:
 * "land" instead of "countries" for topo_read); the rest is the file.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "render/render_int.h"

static geo_ctx *geo;

/* GEOS 3.11.1 (Debian 12) leaks PolygonBuilder's MaximalEdgeRings when the
 * buffer(0) inside GEOSMakeValid (GeometryFixer::fixRing) throws on some
 * rings (tests/fuzz/regress/topojson/geo-makevalid-geos-internal-leak):
 * GEOS's memory, not ours.  With the fast unwinder a leak's stack holds only
 * malloc and operator new, so under clang the suppression must name
 * libstdc++: in this target C++ (GEOS, PROJ) allocations are not
 * leak-checked, eventmap's own (malloc) still are.  Under gcc (the replay in
 * `make test`) operator new is the sanitizer's and the stack names GEOS's
 * function, which is suppressed alone. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libstdc++.so\n"
           "leak:geos::operation::overlay::PolygonBuilder::buildMaximalEdgeRings\n";
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    geo = geo_ctx_new();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    if (!geo) geo = geo_ctx_new();
    const char *path = fuzz_file(data + 1, size - 1);
    char *err = NULL;
    if (data[0] & 1) {
        basemap_scale s;
        memset(&s, 0, sizeof(s));
        if (basemap_scale_read(path, &s, &err) == 0) {
            /* walk what came back: every index must be in range */
            volatile double sum = 0;
            for (size_t i = 0; i < s.n_countries; i++)
                if (s.countries[i].name) sum += (double)strlen(s.countries[i].name);
            for (size_t i = 0; i < s.n_points * 2; i++) sum += s.xy[i];
            (void)sum;
        }
        basemap_scale_release(&s);
    } else {
        topo_feature *features = NULL;
        size_t n = 0;
        if (topo_read(geo, path, (data[0] >> 1) & 1 ? "land" : "countries", &features, &n, &err) == 0) {
            volatile size_t sum = 0;
            for (size_t i = 0; i < n; i++) {
                if (features[i].id) sum += strlen(features[i].id);
                if (features[i].name) sum += strlen(features[i].name);
            }
            (void)sum;
        }
        topo_features_free(geo, features, n);
    }
    free(err);
    return 0;
}
