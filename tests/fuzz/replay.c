/*
 * replay.c - run one fuzz target's LLVMFuzzerTestOneInput once on each file
 * named on the command line, without libFuzzer: `make test` replays the seed
 * corpora and the kept crashers (tests/fuzz/regress/) this way under the
 * gcc ASan+UBSan build, so a fixed crash stays fixed even where clang is
 * not installed.  Each file's name goes to stderr before it runs, so that a
 * sanitizer report follows the name of the input that caused it (the
 * Makefile keeps stderr in a log and shows it only on failure).  Exits 1
 * when a file cannot be read.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strbuf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int read_all(const char *path, strbuf *out)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    if (!f) return -1;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0) sb_add(out, buf, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
    int status = 0;
    for (int i = 1; i < argc; i++) {
        strbuf data = STRBUF_INIT;
        if (read_all(argv[i], &data) < 0) {
            fprintf(stderr, "fuzz replay: %s: cannot read\n", argv[i]);
            status = 1;
        } else {
            fprintf(stderr, "fuzz replay: %s\n", argv[i]);
            /* an exact-size copy, so that reading past the end shows */
            uint8_t *copy = malloc(data.len ? data.len : 1);
            if (!copy) abort();
            memcpy(copy, data.buf, data.len);
            LLVMFuzzerTestOneInput(copy, data.len);
            free(copy);
        }
        sb_release(&data);
    }
    fprintf(stderr, "fuzz replay: %d files, no finding\n", argc - 1);
    return status;
}
