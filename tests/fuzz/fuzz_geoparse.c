/*
 * fuzz_geoparse.c - the geoparser: gp_parse (tokenizer, dictionary match,
 * people's names, qualifiers, document-context resolution) on the small
 * gazetteer, then gp_candidates_find (incident words, actors, deaths, relative
 * dates) on its mentions.  The first input byte picks a country hint
 * (bit 0) and shifts the publication date (the byte's value in days); the
 * rest is the text.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#include "geoparse/geoparse.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_small_gazetteer();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const gaz *g = fuzz_small_gazetteer();
    /* a copy of exactly the text, so that reading past its end shows */
    char *text = malloc(size - 1 ? size - 1 : 1);
    if (!text) abort();
    memcpy(text, data + 1, size - 1);
    gp_options opt;
    memset(&opt, 0, sizeof(opt));
    if (data[0] & 1) opt.country = "SY";
    gp_mentions ms;
    memset(&ms, 0, sizeof(ms));
    char *err = NULL;
    if (gp_parse(g, "fuzz.txt", text, size - 1, &opt, &ms, &err) == 0) {
        for (size_t i = 0; i < ms.n; i++) {
            if (ms.m[i].start > ms.m[i].end || ms.m[i].end > size - 1) abort();
            volatile size_t sum = strlen(ms.m[i].text) + (ms.m[i].qualifier ? strlen(ms.m[i].qualifier) : 0);
            (void)sum;
        }
        gp_candidates ev;
        memset(&ev, 0, sizeof(ev));
        gp_candidates_find(text, size - 1, &ms, 19797 + data[0], &ev); /* 2024-03-15 + 0..255 days */
        for (size_t i = 0; i < ev.n; i++)
            if (ev.e[i].start > ev.e[i].end || ev.e[i].end > size - 1 ||
                (ev.e[i].mention >= 0 && (size_t)ev.e[i].mention >= ms.n))
                abort();
        gp_candidates_release(&ev);
    }
    gp_mentions_release(&ms);
    free(err);
    free(text);
    return 0;
}
