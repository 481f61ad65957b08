/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz/ share: the entry points
 * libFuzzer (or tests/fuzz/replay.c) calls, an in-memory file to hand the
 * path-taking readers, and the small gazetteer some targets resolve against.
 */
#ifndef EVENTMAP_FUZZ_H
#define EVENTMAP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "events/event.h"
#include "gazetteer/gazetteer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Put size bytes of data in a memory-backed file (one memfd per process,
 * truncated and rewritten on each call) and return its path,
 * "/proc/self/fd/N", borrowed until the next call.  Aborts when the kernel
 * refuses: the harness cannot go on. */
const char *fuzz_file(const void *data, size_t size);

/* The gazetteer built once from tests/data/gaz-small (relative to
 * $EVENTMAP_HOME when set, else the current directory), into a temporary
 * file that is unlinked once mapped.  Aborts when the build fails. */
const gaz *fuzz_small_gazetteer(void);

/* ev_read's callbacks for the event readers' targets: they read every
 * string of the event or message (so that a dangling pointer shows) into
 * the size_t sum ctx points to. */
int fuzz_on_event(void *ctx, const ev_event *e, const char *file, size_t line, char **err);
void fuzz_on_bad(void *ctx, const char *message);

/* A NUL-terminated copy of data; caller frees with free(). */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif
