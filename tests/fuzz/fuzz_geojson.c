/*
 * fuzz_geojson.c - the GeoJSON event reader through ev_read.  The first
 * input byte picks skip_bad (bit 0), geocoding on the small gazetteer
 * (bit 1) and sniffing (bit 2: EV_FMT_AUTO instead of EV_FMT_GEOJSON); the
 * rest is the file.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "events/event.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_small_gazetteer();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    ev_read_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.format = (data[0] >> 2) & 1 ? EV_FMT_AUTO : EV_FMT_GEOJSON;
    opts.skip_bad = data[0] & 1;
    if ((data[0] >> 1) & 1) opts.gazetteer = fuzz_small_gazetteer();
    size_t sum = 0;
    char *err = NULL;
    ev_read_stats stats;
    ev_read(fuzz_file(data + 1, size - 1), &opts, fuzz_on_event, fuzz_on_bad, &sum, &stats, &err);
    free(err);
    return 0;
}
