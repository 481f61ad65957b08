/*
 * crash.c - the crash points of crash.h: EVENTMAP_CRASH_AT is read once,
 * and each pass of the named point counts until the N-th kills.
 */
#include "util/crash.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Every point a test may name (crash.h says where each one is). */
static const char *const known_points[] = {
    "import:after-rows",
    "import:before-commit",
    "import:index-rebuild",
    "import:rtree-rebuild",
    "import:store-write",
    "import:store-sync",
    "import:store-merged",
    "gazetteer:before-rename",
    "map:before-rename",
    "export:before-rename",
    "tiles:after-tiles",
    "tiles:tile-before-rename",
    "tiles:mbtiles-before-rename",
    "tiles:geojson-before-rename",
    "tiles:viewer-before-rename",
};

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char target[64];           /* the point asked for; "" when none */
static unsigned long target_n;    /* die on this pass of it (1 = the first) */
static int target_bad;            /* the variable is set but unusable */
static atomic_ulong passes;       /* passes of the target so far */
static int crash_signal = SIGKILL; /* EVENTMAP_CRASH_SIGNAL */
static const struct { const char *name; int sig; } signals[] = {
    { "KILL", SIGKILL }, { "INT", SIGINT }, { "TERM", SIGTERM }, { "HUP", SIGHUP }, { "STOP", SIGSTOP },
};

static int is_known(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(known_points) / sizeof(known_points[0]); i++)
        if (strlen(known_points[i]) == len && !memcmp(known_points[i], name, len)) return 1;
    return 0;
}

/* "NAME" or "NAME:N" into target and target_n. */
static void read_env(void)
{
    const char *spec = getenv("EVENTMAP_CRASH_AT");
    if (!spec || !*spec) return;
    const char *sig = getenv("EVENTMAP_CRASH_SIGNAL");
    if (sig && *sig) {
        size_t i = 0, n = sizeof(signals) / sizeof(signals[0]);
        while (i < n && strcmp(sig, signals[i].name) != 0) i++;
        if (i == n) {
            target_bad = 1;
            return;
        }
        crash_signal = signals[i].sig;
    }
    size_t len = strlen(spec);
    unsigned long n = 1;
    const char *colon = strrchr(spec, ':');
    if (colon && colon[1] >= '0' && colon[1] <= '9') {
        char *end;
        errno = 0;
        n = strtoul(colon + 1, &end, 10);
        if (*end || errno || n == 0) {
            target_bad = 1;
            return;
        }
        len = (size_t)(colon - spec);
    }
    if (len >= sizeof(target) || !is_known(spec, len)) {
        target_bad = 1;
        return;
    }
    memcpy(target, spec, len);
    target[len] = '\0';
    target_n = n;
}

int crash_check_env(char **err)
{
    pthread_once(&once, read_env);
    if (!target_bad) return 0;
    strbuf names = STRBUF_INIT;
    for (size_t i = 0; i < sizeof(known_points) / sizeof(known_points[0]); i++)
        sb_addf(&names, "%s%s", i ? ", " : "", known_points[i]);
    const char *sig = getenv("EVENTMAP_CRASH_SIGNAL");
    int rc = em_error(err, EM_EUSAGE,
                      "EVENTMAP_CRASH_AT \"%s\" (EVENTMAP_CRASH_SIGNAL \"%s\") is not POINT or POINT:N (N from 1) "
                      "with a signal of KILL, INT, TERM, HUP or STOP; the points: %s",
                      getenv("EVENTMAP_CRASH_AT"), sig ? sig : "", names.buf);
    sb_release(&names);
    return rc;
}

void crash_point(const char *name)
{
    pthread_once(&once, read_env);
    if (!target[0] || strcmp(name, target) != 0) return;
    if (atomic_fetch_add(&passes, 1) + 1 != target_n) return;
    /* straight to the descriptor: nothing waits in a stdio buffer */
    strbuf msg = STRBUF_INIT;
    sb_addf(&msg, "eventmap: EVENTMAP_CRASH_AT: %s at %s:%lu\n", crash_signal == SIGSTOP ? "stopped" : "killed",
            target, target_n);
    ssize_t ignored = write(STDERR_FILENO, msg.buf, msg.len);
    (void)ignored;
    sb_release(&msg);
    if (crash_signal == SIGSTOP) {
        /* until the test's SIGCONT; then on, as if nothing happened */
        raise(SIGSTOP);
        return;
    }
    /* to this thread, so that its handler (if any) runs before raise
     * returns; SIGKILL and an unhandled signal end the whole process */
    raise(crash_signal);
    for (;;) kill(getpid(), SIGKILL); /* a handler that returned */
}

int crash_armed(const char *prefix)
{
    pthread_once(&once, read_env);
    return target[0] && !strncmp(target, prefix, strlen(prefix));
}
