/*
 * gaz_bench.c - gazetteer throughput: open the index, then resolve the names
 * of a table (first column of a TSV, or one name per line) over and over for
 * a fixed time, and print names per second.  Run by bench/run.sh.
 *
 *   gaz_bench INDEX NAMES_FILE [SECONDS]
 *   gaz_bench --process RUNS COMMAND ARG...   median wall time of COMMAND
 *
 * --process times whole processes (fork, exec, dynamic linking, index map,
 * one resolve, exit) with the clock here rather than in the shell, whose own
 * forks for `date` would be counted.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>

#include "gazetteer/gazetteer.h"
#include "util/strbuf.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

extern char **environ;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int time_processes(int runs, char **cmd)
{
    double *t = xcalloc((size_t)runs, sizeof(double));
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < runs; i++) {
        pid_t pid;
        int status;
        double t0 = now_s();
        if (posix_spawn(&pid, cmd[0], &fa, NULL, cmd, environ) != 0 || waitpid(pid, &status, 0) < 0 ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "gaz_bench: %s failed\n", cmd[0]);
            free(t);
            return 1;
        }
        t[i] = now_s() - t0;
    }
    posix_spawn_file_actions_destroy(&fa);
    qsort(t, (size_t)runs, sizeof(double), cmp_double);
    printf("resolve of one name, process    %8.2f ms median of %d, fastest %.2f ms (target <= 20 ms)\n",
           t[runs / 2] * 1e3, runs, t[0] * 1e3);
    free(t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "--process")) return time_processes(atoi(argv[2]) > 0 ? atoi(argv[2]) : 1, argv + 3);
    if (argc < 3) {
        fprintf(stderr, "usage: gaz_bench INDEX NAMES_FILE [SECONDS]\n");
        return 2;
    }
    double seconds = argc > 3 ? atof(argv[3]) : 2.0;
    char *err = NULL;
    gaz *g = NULL;
    double t0 = now_s();
    if (gaz_open(argv[1], &g, &err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    double t_open = now_s() - t0;

    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    char **names = NULL;
    size_t n = 0, alloc = 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int header = 1;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (!len || line[0] == '#') continue;
        char *tab = strchr(line, '\t');
        if (tab) {
            if (header) {
                header = 0;
                continue; /* a TSV's header */
            }
            *tab = '\0';
        }
        ALLOC_GROW(names, n + 1, alloc);
        names[n++] = xstrdup(line);
    }
    free(line);
    fclose(f);
    if (!n) {
        fprintf(stderr, "%s: no names\n", argv[2]);
        return 1;
    }

    gaz_result r[5];
    t0 = now_s();
    gaz_resolve(g, names[0], NULL, r, 5, NULL);
    double t_first = now_s() - t0;

    size_t done = 0, found = 0;
    t0 = now_s();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (size_t i = 0; i < n; i++, done++) found += gaz_resolve(g, names[i], NULL, r, 5, NULL) > 0;
        elapsed = now_s() - t0;
    }
    printf("index open                      %8.3f ms\n", t_open * 1e3);
    printf("first resolve after open        %8.3f ms\n", t_first * 1e3);
    printf("resolves per second, 1 process  %8.0f names/s over %zu distinct names (target >= 50,000/s)\n",
           (double)done / elapsed, n);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    gaz_close(g);
    return 0;
}
