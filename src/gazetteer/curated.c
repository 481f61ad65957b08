/*
 * curated.c - the reader of the project's curated tab-separated tables in
 * gazetteer/ (places.tsv, aliases.tsv, countries.tsv): '#' starts a comment
 * line, the first other line is the header, every row has its columns.
 */
#include "gazetteer_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/banned.h"

#define TSV_MAX_FIELDS 32

int tsv_read(const char *path, const char *header, tsv_row_fn fn, void *ctx, char **err)
{
    int rc = 0;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int seen_header = 0;
    size_t n_cols = 1;
    for (const char *p = header; *p; p++) n_cols += *p == '\t';

    FILE *f = fopen(path, "rb");
    if (!f) return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    while ((len = gaz_getline(&line, &cap, f)) >= 0) {
        lineno++;
        if ((size_t)len != strlen(line)) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: NUL byte in line", path, lineno);
            goto cleanup;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if ((size_t)len > GAZ_LINE_MAX) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: line longer than 1 MiB (the limit)", path, lineno);
            goto cleanup;
        }
        if (len == 0 || line[0] == '#') continue;
        if (!seen_header) {
            if (strcmp(line, header) != 0) {
                rc = em_error(err, EM_EINPUT, "%s:%zu: expected the header \"%s\"", path, lineno, header);
                goto cleanup;
            }
            seen_header = 1;
            continue;
        }
        char *fields[TSV_MAX_FIELDS];
        size_t n = 0;
        char *p = line;
        for (;;) {
            if (n < TSV_MAX_FIELDS) fields[n] = p;
            n++;
            char *tab = strchr(p, '\t');
            if (!tab) break;
            *tab = '\0';
            p = tab + 1;
        }
        if (n != n_cols) {
            rc = em_error(err, EM_EINPUT, "%s:%zu: expected %zu tab-separated columns, found %zu",
                          path, lineno, n_cols, n);
            goto cleanup;
        }
        rc = fn(ctx, fields, n, path, lineno, err);
        if (rc < 0) goto cleanup;
    }
    if (ferror(f)) rc = em_error(err, EM_EIO, "%s: read error: %s", path, strerror(errno));
    else if (!seen_header) rc = em_error(err, EM_EINPUT, "%s:%zu: no header line", path, lineno ? lineno : 1);
cleanup:
    free(line);
    fclose(f);
    return rc;
}
