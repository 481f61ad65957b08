/*
 * fuzz_geonames.c - the gazetteer's input readers: GeoNames `geoname` table
 * lines (gn_read_places), alternateNamesV2 lines (gn_read_alternates),
 * admin-1 names as JSON or GeoNames text (gn_read_admin1) and the curated
 * TSV tables (tsv_read), and a whole gaz_build of an index from the input
 * as a `geoname` table, opened and asked one name.  The first input byte
 * picks which (mod 5); the rest is the file.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/strbuf.h"

#include "gazetteer/gazetteer_int.h"

static size_t sum;

static void touch(const char *s)
{
    if (s) sum += strlen(s);
}

static int on_place(void *ctx, const gn_place *row, char **err)
{
    touch(row->name);
    touch(row->asciiname);
    touch(row->alternates);
    touch(row->feature_class);
    touch(row->feature_code);
    touch(row->country);
    touch(row->admin1);
    sum += (size_t)row->population + (size_t)row->lat_deg;
    return 0;
}

static int on_altname(void *ctx, const gn_altname *row, char **err)
{
    touch(row->lang);
    touch(row->name);
    sum += (size_t)row->geonameid;
    return 0;
}

static int on_admin1(void *ctx, const char *code, const char *name, char **err)
{
    touch(code);
    touch(name);
    return 0;
}

static int on_row(void *ctx, char **fields, size_t n_fields, const char *file, size_t line, char **err)
{
    for (size_t i = 0; i < n_fields; i++) touch(fields[i]);
    return 0;
}

/* gaz_build from path as the only `geoname` table, then open and resolve. */
static void build(const char *path, char **err)
{
    strbuf out = STRBUF_INIT;
    const char *tmpdir = getenv("TMPDIR");
    sb_addf(&out, "%s/eventmap-fuzz-build-%ld.idx", tmpdir && *tmpdir ? tmpdir : "/tmp", (long)getpid());
    const char *files[] = { path };
    gaz_build_opts bo;
    memset(&bo, 0, sizeof(bo));
    bo.geonames = files;
    bo.n_geonames = 1;
    bo.output = out.buf;
    bo.focus = "SY";
    gaz *g = NULL;
    if (gaz_build(&bo, NULL, err) == 0 && gaz_open(out.buf, &g, err) == 0) {
        gaz_result res[4];
        gaz_resolve(g, "Palmyra", NULL, res, 4, err);
        gaz_resolve(g, "Tadmr", NULL, res, 4, err);
        for (uint32_t i = 0; i < gaz_count(g) && i < 8; i++) gaz_place(g, i, &res[0]);
        gaz_close(g);
    }
    unlink(out.buf);
    sb_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const char *path = fuzz_file(data + 1, size - 1);
    char *err = NULL;
    switch (data[0] % 5) {
    case 0: gn_read_places(path, on_place, NULL, &err); break;
    case 1: gn_read_alternates(path, on_altname, NULL, &err); break;
    case 2: gn_read_admin1(path, on_admin1, NULL, &err); break;
    case 3:
        tsv_read(path, "id\tname\talternatenames\tlat\tlon\tfeature\tcountry\tadmin1\tpopulation\tbbox",
                 on_row, NULL, &err);
        break;
    default: build(path, &err); break;
    }
    free(err);
    return 0;
}
