/*
 * replay.c - run one fuzz target's LLVMFuzzerTestOneInput once on each file
 * named on the command line, without libFuzzer: `make test` replays the seed
 * corpora and the kept crashers (tests/fuzz/regress/) this way under the
 * gcc ASan+UBSan build, so a fixed crash stays fixed even where clang is
 * not installed.  Quiet on success; the target's own messages to stderr are
 * dropped, while sanitizer reports still go to the real stderr, preceded by
 * the name of the file being replayed.
 */
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/strbuf.h"

/* From the sanitizer runtime (sanitizer/common_interface_defs.h), weak so
 * that the driver also links without sanitizers. */
void __sanitizer_set_report_fd(void *fd) __attribute__((weak));
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static const char *current;
static FILE *report;

static void on_death(void)
{
    if (current) fprintf(report, "fuzz replay: the report above is for %s\n", current);
    else fprintf(report, "fuzz replay: the report above came at exit (a leak in one of the files given)\n");
    fflush(report);
}

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
    int saved = dup(2);
    report = saved >= 0 ? fdopen(saved, "w") : stderr;
    if (!report) report = stderr;
    if (__sanitizer_set_report_fd && saved >= 0) __sanitizer_set_report_fd((void *)(long)saved);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(on_death);
    int null = open("/dev/null", O_WRONLY);
    if (null >= 0) {
        dup2(null, 2);
        close(null);
    }
    if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);

    int status = 0;
    for (int i = 1; i < argc; i++) {
        strbuf data = STRBUF_INIT;
        if (read_all(argv[i], &data) < 0) {
            fprintf(report, "fuzz replay: %s: cannot read\n", argv[i]);
            status = 1;
        } else {
            current = argv[i];
            /* an exact-size copy, so that reading past the end shows */
            uint8_t *copy = malloc(data.len ? data.len : 1);
            if (!copy) abort();
            memcpy(copy, data.buf, data.len);
            LLVMFuzzerTestOneInput(copy, data.len);
            free(copy);
            current = NULL;
        }
        sb_release(&data);
    }
    fflush(report);
    return status;
}
