/*
 * fuzz.c - helpers shared by the fuzz targets (see fuzz.h).  Linked
 * into every target, both the libFuzzer binaries and the replay drivers.
 */
#define _GNU_SOURCE
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"

static int file_fd = -1;
static char file_path[64];

const char *fuzz_file(const void *data, size_t size)
{
    if (file_fd < 0) {
        file_fd = memfd_create("fuzz-input", MFD_CLOEXEC);
        if (file_fd < 0) {
            perror("fuzz: memfd_create");
            abort();
        }
        snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
    }
    if (ftruncate(file_fd, 0) != 0) {
        perror("fuzz: ftruncate");
        abort();
    }
    const char *p = data;
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(file_fd, p + done, size - done, (off_t)done);
        if (n <= 0) {
            perror("fuzz: pwrite");
            abort();
        }
        done += (size_t)n;
    }
    return file_path;
}

static gaz *small_gaz;

const gaz *fuzz_small_gazetteer(void)
{
    if (small_gaz) return small_gaz;
    const char *home = getenv("EVENTMAP_HOME");
    strbuf geonames = STRBUF_INIT, admin1 = STRBUF_INIT, curated = STRBUF_INIT, out = STRBUF_INIT;
    if (!home || !*home) home = ".";
    sb_addf(&geonames, "%s/tests/data/gaz-small/geonames.txt", home);
    sb_addf(&admin1, "%s/tests/data/gaz-small/admin1.json", home);
    sb_addf(&curated, "%s/tests/data/gaz-small", home);
    const char *tmpdir = getenv("TMPDIR");
    sb_addf(&out, "%s/eventmap-fuzz-%ld.idx", tmpdir && *tmpdir ? tmpdir : "/tmp", (long)getpid());

    const char *files[] = { geonames.buf };
    gaz_build_opts bo;
    memset(&bo, 0, sizeof(bo));
    bo.geonames = files;
    bo.n_geonames = 1;
    bo.admin1 = admin1.buf;
    bo.curated_dir = curated.buf;
    bo.output = out.buf;
    bo.focus = "SY";
    char *err = NULL;
    if (gaz_build(&bo, NULL, &err) < 0 || gaz_open(out.buf, &small_gaz, &err) < 0) {
        fprintf(stderr, "fuzz: cannot build the small gazetteer (run from the repository root or set "
                        "EVENTMAP_HOME): %s\n", err ? err : "?");
        abort();
    }
    unlink(out.buf);
    sb_release(&geonames);
    sb_release(&admin1);
    sb_release(&curated);
    sb_release(&out);
    return small_gaz;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) abort();
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

int fuzz_on_event(void *ctx, const ev_event *e, const char *file, size_t line, char **err)
{
    size_t *sum = ctx;
    const char *s[] = { e->id, e->event_date, e->event_type, e->sub_event_type, e->actor1, e->actor2,
                        e->country, e->admin1, e->location, e->source, e->notes, e->gazetteer_id,
                        e->match };
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) *sum += strlen(s[i]);
    *sum += strlen(file) + line + (size_t)e->fatalities + (size_t)e->day;
    return 0;
}

void fuzz_on_bad(void *ctx, const char *message)
{
    size_t *sum = ctx;
    *sum += strlen(message);
}
