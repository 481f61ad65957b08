/*
 * export.c - `eventmap export`: the store's events (or a file's, with --in)
 * through the filters, as GeoJSON (RFC 7946) or CSV, written as they are
 * read.  With -o the output goes to a temporary name first and is renamed
 * only when complete.  To standard output, events read from a file (--in)
 * are held in a temporary file until the input has been read to its end,
 * so that bad input leaves no partial output in a pipe; the store's events
 * (already checked) stream straight out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli/source.h"
#include "util/strbuf.h"
#include "util/progress.h"
#include "util/tempfile.h"
#include "util/banned.h"

/* Copy what was written to tmp out to dst.  0, or -1 with errno set. */
static int copy_out(FILE *tmp, FILE *dst)
{
    char buf[65536];
    size_t n;
    if (fflush(tmp) != 0 || ferror(tmp) || fseek(tmp, 0, SEEK_SET) != 0) return -1;
    while ((n = fread(buf, 1, sizeof(buf), tmp)) > 0)
        if (fwrite(buf, 1, n, dst) != n) return -1;
    if (ferror(tmp) || fflush(dst) != 0 || ferror(dst)) return -1;
    return 0;
}

static const struct cli_usage export_usage = {
    "export",
    "usage: eventmap export [--db PATH|URL | --in FILE] [filters] --format geojson|csv [-o FILE]\n",
    "Writes the events as a GeoJSON FeatureCollection (Points, every model field a\n"
    "property; events without coordinates are left out and counted) or as CSV with\n"
    "the model's columns.  Standard output unless -o.\n",
    NULL
};

typedef struct {
    ev_geojson_writer *gj;
    ev_csv_writer *csv;
    size_t n;
    const char *name;          /* the output, for messages */
    progress *prog;            /* on a terminal: events written of the store's */
} export_ctx;

static int on_event(void *vctx, const ev_event *e, char **err)
{
    export_ctx *c = vctx;
    int rc = c->gj ? ev_geojson_write(c->gj, e, NULL, 0) : ev_csv_write(c->csv, e, 0);
    if (rc < 0) {
        strbuf msg = STRBUF_INIT;
        sb_addf(&msg, "%s: cannot write: %s", c->name, strerror(errno));
        *err = sb_detach(&msg, NULL);
        return -1;
    }
    c->n++;
    progress_update(c->prog, c->n);
    return 0;
}

int cmd_export(int argc, char **argv)
{
    cli_source src;
    cli_source_init(&src);
    const char *format = "geojson", *output = NULL;
    int status = EXIT_OK, special = 0, spooled = 0, quiet = 0;
    tempfile file = TEMPFILE_INIT;
    char *err = NULL;
    FILE *out = stdout;
    struct cli_option options[] = {
        OPT_STRING(0, "format", &format, "F", "geojson (default) or csv"),
        OPT_STRING('o', "output", &output, "FILE", "write FILE (atomically: all or nothing)"),
        OPT_BOOL(0, "quiet", &quiet, "no count at the end, and no progress line (which a terminal\n"
                                     "otherwise shows on standard error)"),
        OPT_SOURCE(&src),
        OPT_END()
    };

    argc = parse_options(argc, argv, options, &export_usage, 0);
    if (argc < 0) return parse_options_exit(argc);
    if (argc > 0) {
        cli_error("export", "unexpected argument '%s'", argv[0]);
        return EXIT_USAGE;
    }
    int geojson = !strcmp(format, "geojson");
    if (!geojson && strcmp(format, "csv")) {
        cli_error("export", "--format \"%s\" is not geojson or csv", format);
        return EXIT_USAGE;
    }
    status = cli_source_prepare(&src, "export");
    if (status) goto done;
    struct stat st;
    if (output && stat(output, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* /dev/null, a pipe: write to it directly, never rename over it */
        out = fopen(output, "wb");
        if (!out) {
            cli_error("export", "%s: cannot open: %s", output, strerror(errno));
            status = EXIT_FAIL;
            goto done;
        }
        special = 1;
    } else if (output) {
        if (tempfile_create(&file, output, "export:before-rename", 0, &err) < 0) {
            cli_error("export", "%s", err);
            status = EXIT_FAIL;
            out = NULL;
            goto done;
        }
        out = tempfile_fp(&file);
    }
    if (!output && src.in) {
        out = tmpfile();
        if (!out) {
            cli_error("export", "cannot create a temporary file: %s", strerror(errno));
            status = EXIT_FAIL;
            goto done;
        }
        spooled = 1;
    }
    export_ctx ctx = { NULL, NULL, 0, output ? output : "standard output", NULL };
    if (geojson) ctx.gj = ev_geojson_open(out);
    else ctx.csv = ev_csv_open(out, NULL);
    ctx.prog = cli_source_progress(&src, "export", quiet);
    status = cli_source_each(&src, "export", NULL, 0, on_event, &ctx);
    progress_end(ctx.prog);
    int reported = status != EXIT_OK, write_errno = 0;
    long left_out = 0;
    if (geojson) {
        left_out = ev_geojson_close(ctx.gj);
        if (left_out < 0) status = EXIT_FAIL;
    } else if (ev_csv_close(ctx.csv) < 0) {
        status = EXIT_FAIL;
    }
    if (status != EXIT_OK && !write_errno) write_errno = errno;
    if (spooled) {
        if (status == EXIT_OK && copy_out(out, stdout) < 0) {
            cli_error("export", "cannot write the output: %s", strerror(errno));
            status = EXIT_FAIL;
        }
        fclose(out);
        out = NULL;
    } else if (special) {
        if (ferror(out) | (fclose(out) != 0)) status = EXIT_FAIL;
        out = NULL;
    } else if (output) {
        out = NULL; /* the tempfile's */
        if (status == EXIT_OK && tempfile_commit(&file, &err) < 0) {
            /* a write that failed when the last of the buffer went out */
            cli_error("export", "%s", err);
            status = EXIT_FAIL;
        } else if (status != EXIT_OK && !reported) {
            cli_error("export", "%s: cannot write: %s", output, strerror(write_errno ? write_errno : EIO));
        }
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
        status = EXIT_FAIL;
    }
    if (status == EXIT_FAIL && !output && !spooled) cli_error("export", "the output is incomplete");
    if (status == EXIT_OK && !quiet) {
        fprintf(stderr, "eventmap export: %zu events%s", ctx.n - (size_t)(left_out > 0 ? left_out : 0),
                output ? "" : "\n");
        if (output) fprintf(stderr, " to %s\n", output);
        if (left_out > 0)
            fprintf(stderr, "eventmap export: %ld unlocated event%s left out (no coordinates)\n", left_out,
                    left_out == 1 ? "" : "s");
    }
done:
    if (out && (special || spooled)) fclose(out);
    tempfile_abort(&file); /* after a failure: nothing under output */
    free(err);
    cli_source_free(&src);
    return status;
}
