/*
 * index.c - opening an index file: map it read-only, check the header and
 * that every section lies inside the file, and hand out places.
 */
#include "gazetteer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/banned.h"

#define GAZ_OPEN_SAMPLES 4

static int section_ok(const gaz_header *h, uint64_t off, uint64_t count, uint64_t size)
{
    if (off % 8 || off > h->file_size) return 0;
    return !count || size <= (h->file_size - off) / count;
}

int gaz_open(const char *path, gaz **out, char **err)
{
    int fd = -1, rc = 0;
    void *map = MAP_FAILED;
    struct stat st;
    gaz *g = NULL;
    *out = NULL;

    fd = open(path, O_RDONLY);
    if (fd < 0) return em_error(err, EM_EIO, "%s: cannot open gazetteer index: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        rc = em_error(err, EM_EIO, "%s: %s", path, strerror(errno));
        goto cleanup;
    }
    if ((size_t)st.st_size < sizeof(gaz_header)) {
        rc = em_error(err, EM_EINPUT, "%s: not an eventmap gazetteer index (too short)", path);
        goto cleanup;
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        rc = em_error(err, EM_EIO, "%s: cannot map: %s", path, strerror(errno));
        goto cleanup;
    }
    const gaz_header *h = map;
    if (memcmp(h->magic, GAZ_MAGIC, 8) != 0) {
        rc = em_error(err, EM_EINPUT, "%s: not an eventmap gazetteer index", path);
        goto cleanup;
    }
    if (h->endian != 0x01020304 || h->version != GAZ_VERSION) {
        rc = em_error(err, EM_EINPUT,
                      "%s: gazetteer index version %u from another build; rebuild it with 'eventmap gazetteer build'",
                      path, h->version);
        goto cleanup;
    }
    if (h->file_size != (uint64_t)st.st_size ||
        !section_ok(h, h->off_places, h->n_places, sizeof(gaz_place_rec)) ||
        !section_ok(h, h->off_names, h->n_names, sizeof(gaz_name_rec)) ||
        !section_ok(h, h->off_keys, h->n_keys, sizeof(gaz_key_rec)) ||
        !section_ok(h, h->off_plain, h->n_names, 8) ||
        !section_ok(h, h->off_translit, h->n_keys, 8) ||
        !section_ok(h, h->off_dels, h->n_dels, 8) ||
        !section_ok(h, h->off_deldir, ((uint64_t)1 << GAZ_DELDIR_BITS) + 1, 4) ||
        h->off_pool + h->pool_size != h->file_size || h->pool_size == 0 || h->n_places == 0 ||
        ((const char *)map)[h->file_size - 1] != '\0' || /* the pool's last string ends */
        h->focus[sizeof(h->focus) - 1] != '\0') {
        rc = em_error(err, EM_EINPUT, "%s: gazetteer index is truncated or corrupt; rebuild it", path);
        goto cleanup;
    }
    g = xcalloc(1, sizeof(*g));
    g->path = xstrdup(path);
    atomic_init(&g->corrupt, 0);
    pthread_mutex_init(&g->context_lock, NULL);
    g->map = map;
    g->map_len = (size_t)st.st_size;
    g->hdr = h;
    g->places = (const gaz_place_rec *)((const char *)map + h->off_places);
    g->names = (const gaz_name_rec *)((const char *)map + h->off_names);
    g->keys = (const gaz_key_rec *)((const char *)map + h->off_keys);
    g->plain = (const uint64_t *)((const char *)map + h->off_plain);
    g->translit = (const uint64_t *)((const char *)map + h->off_translit);
    g->dels = (const uint64_t *)((const char *)map + h->off_dels);
    g->deldir = (const uint32_t *)((const char *)map + h->off_deldir);
    g->pool = (const char *)map + h->off_pool;
    map = MAP_FAILED;
    /* Four records of each section, its ends and two between: gross damage
     * (a section overwritten, an index from a broken copy) is refused here;
     * the checked accessors catch the rest as lookups meet it.  Few, because
     * each may cost a disk read when the index is not in the page cache. */
    for (uint64_t k = 0; k < GAZ_OPEN_SAMPLES; k++) {
        uint64_t last = GAZ_OPEN_SAMPLES - 1;
        gaz_place_at(g, k * (h->n_places - 1) / last);
        if (h->n_names) {
            uint64_t i = k * (h->n_names - 1) / last;
            gaz_name_at(g, i);
            gaz_name_at(g, (uint32_t)g->plain[i]);
        }
        if (h->n_keys) {
            uint64_t i = k * (h->n_keys - 1) / last;
            gaz_key_at(g, i);
            gaz_key_at(g, (uint32_t)g->translit[i]);
        }
        if (h->n_dels) gaz_key_at(g, (uint32_t)g->dels[k * (h->n_dels - 1) / last]);
    }
    if (gaz_check(g, err) < 0) {
        rc = EM_EINPUT;
        gaz_close(g);
        g = NULL;
        goto cleanup;
    }
    *out = g;
cleanup:
    if (map != MAP_FAILED) munmap(map, (size_t)st.st_size);
    if (fd >= 0) close(fd);
    return rc;
}

void gaz_close(gaz *g)
{
    if (!g) return;
    free(atomic_load(&g->country_places));
    gaz_context_memo_free(g->contexts);
    pthread_mutex_destroy(&g->context_lock);
    munmap((void *)g->map, g->map_len);
    free((char *)g->path);
    free(g);
}

void gaz_mark_corrupt(const gaz *g)
{
    atomic_store_explicit(&((gaz *)g)->corrupt, 1, memory_order_relaxed);
}

int gaz_check(const gaz *g, char **err)
{
    if (!atomic_load_explicit(&((gaz *)g)->corrupt, memory_order_relaxed)) return 0;
    return em_error(err, EM_EINPUT, "%s: gazetteer index is truncated or corrupt; rebuild it", g->path);
}

const char *gaz_focus(const gaz *g)
{
    return g->hdr->focus;
}

uint32_t gaz_count(const gaz *g)
{
    return g->hdr->n_places;
}

void gaz_place(const gaz *g, uint32_t place, gaz_result *out)
{
    const gaz_place_rec *p = gaz_place_at(g, place);
    memset(out, 0, sizeof(*out));
    out->place = place;
    out->name = g->pool + p->name;
    out->id = g->pool + p->id;
    out->matched = out->name;
    out->feature = g->pool + p->feature;
    out->country = p->country;
    out->admin1 = g->pool + p->admin1;
    out->admin1_code = p->admin1_code ? g->pool + p->admin1_code : "";
    out->lat_deg = p->lat_deg;
    out->lon_deg = p->lon_deg;
    out->population = p->population;
    out->has_bbox = (p->flags & GAZ_PLACE_BBOX) != 0;
    out->is_region = (p->flags & GAZ_PLACE_REGION) != 0;
    if (out->has_bbox) {
        out->bbox.west_deg = p->bbox[0];
        out->bbox.south_deg = p->bbox[1];
        out->bbox.east_deg = p->bbox[2];
        out->bbox.north_deg = p->bbox[3];
    }
    out->match = GAZ_MATCH_EXACT;
    out->score = 1.0;
    out->quality = 1.0;
}

const unsigned char *gaz_region_wkb(const gaz *g, uint32_t place, size_t *len)
{
    const gaz_place_rec *p = gaz_place_at(g, place);
    if (!p->wkb_len) {
        *len = 0;
        return NULL;
    }
    *len = p->wkb_len;
    return (const unsigned char *)g->pool + p->wkb;
}

const char *gaz_match_name(gaz_match m)
{
    switch (m) {
    case GAZ_MATCH_EXACT: return "exact";
    case GAZ_MATCH_ALIAS: return "alias";
    case GAZ_MATCH_FUZZY: return "fuzzy";
    case GAZ_MATCH_REGION: return "region";
    }
    return "?";
}
