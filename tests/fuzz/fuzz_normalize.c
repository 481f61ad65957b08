/*
 * fuzz_normalize.c - the name normalizer: gaz_fold (UTF-8 to folded
 * lowercase tokens) and gaz_translit on its output, then the whole resolve
 * (exact, alias, transliteration and fuzzy lookups) on the small gazetteer,
 * and gaz_lookup_exact as the geoparser calls it.  The first input byte
 * picks the query: a country hint (bit 0), a near point (bit 1), a focus of
 * none (bit 2); the rest is the name.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_small_gazetteer();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const gaz *g = fuzz_small_gazetteer();
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    strbuf folded = STRBUF_INIT, key = STRBUF_INIT;
    if (gaz_fold(text, len, &folded) == 0) {
        gaz_translit(folded.buf, &key);
        gaz_lookup_exact(g, folded.buf, NULL);
    }

    gaz_query q;
    memset(&q, 0, sizeof(q));
    if (data[0] & 1) q.country = "SY";
    if (data[0] & 2) {
        q.has_near = 1;
        q.near.lat_deg = 34.5;
        q.near.lon_deg = 38.3;
    }
    if (data[0] & 4) q.focus = "";
    char *name = fuzz_strndup(data + 1, len);
    gaz_result res[8];
    char *err = NULL;
    int n = gaz_resolve(g, name, &q, res, 8, &err);
    for (int i = 0; i < n; i++) {
        volatile size_t sum = strlen(res[i].name) + strlen(res[i].id) + strlen(res[i].matched) +
                              strlen(res[i].feature) + strlen(res[i].country) + strlen(res[i].admin1);
        (void)sum;
    }
    free(err);
    free(name);
    sb_release(&folded);
    sb_release(&key);
    return 0;
}
