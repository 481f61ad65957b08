/*
 * fuzz_csv.c - the CSV event readers (ACLED, UCDP GED, generic CSV, and the
 * format sniffing) through ev_read.  The first input byte picks the format
 * (low two bits: auto, acled, ucdp, csv), skip_bad (bit 2), geocoding rows
 * without coordinates on the small gazetteer (bit 3) and a --map column
 * mapping (bit 4); the rest is the file.  Errors are expected; crashes,
 * sanitizer reports and leaks are findings.
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
    static const ev_format formats[] = { EV_FMT_AUTO, EV_FMT_ACLED, EV_FMT_UCDP, EV_FMT_CSV };
    static const ev_column_map map[] = { { "place", "location" }, { "when", "event_date" } };
    if (size < 1) return 0;
    ev_read_opts opts;
    memset(&opts, 0, sizeof(opts));
    opts.format = formats[data[0] & 3];
    opts.skip_bad = (data[0] >> 2) & 1;
    if ((data[0] >> 3) & 1) opts.gazetteer = fuzz_small_gazetteer();
    if ((data[0] >> 4) & 1) {
        opts.map = map;
        opts.n_map = 2;
    }
    size_t sum = 0;
    char *err = NULL;
    ev_read_stats stats;
    ev_read(fuzz_file(data + 1, size - 1), &opts, fuzz_on_event, fuzz_on_bad, &sum, &stats, &err);
    free(err);
    return 0;
}
