/*
 * main.c - the eventmap command: looks the subcommand up in the table and
 * runs it.  Nothing else happens here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "geo/geo.h"
#include "render/render.h"
#include "store/store.h"
#include "util/crash.h"
#include "util/strbuf.h"
#include "util/banned.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "resolve", cmd_resolve, "resolve place names to coordinates" },
    { "geoparse", cmd_geoparse, "find and resolve the places a news text mentions" },
    { "gazetteer", cmd_gazetteer, "build or inspect the gazetteer index" },
    { "import", cmd_import, "read ACLED, UCDP, CSV or GeoJSON events into the store" },
    { "near", cmd_near, "events within a radius of a point or place" },
    { "export", cmd_export, "write events as GeoJSON or CSV" },
    { "map", cmd_map, "draw a PNG overview map of the events" },
    { "tiles", cmd_tiles, "render XYZ map tiles, MBTiles and an offline web viewer" },
    { "store", cmd_store, "upgrade a store of the old layout to a GeoPackage" },
};

static void usage(FILE *f)
{
    fputs("usage: eventmap <command> [options]\n"
          "       eventmap --version\n\n"
          "eventmap maps events: it resolves place names to coordinates (GeoNames and\n"
          "curated data), finds the places a news report names, keeps events in a store,\n"
          "answers what happened near a place, and draws them as GeoJSON, PNG maps and\n"
          "map tiles.\n\n"
          "commands:\n", f);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "  %-12s %s\n", "version", "the program's version and the libraries it runs on");
    fputs("\nRun 'eventmap <command> --help' for a command's options.\n", f);
}

/* "eventmap 0.13.0" and the versions of the libraries linked in, as
 * `ogrinfo --version` and `sqlite3 --version` say theirs. */
static int version(void)
{
    printf("eventmap %s\n", EVENTMAP_VERSION);
    strbuf libs = STRBUF_INIT;
    geo_versions(&libs);
    store_versions(&libs);
    render_versions(&libs);
    printf("libraries: %s\n", libs.buf);
    sb_release(&libs);
    return fflush(stdout) == 0 && !ferror(stdout) ? EXIT_OK : EXIT_FAIL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return EXIT_OK;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) return version();
    char *err = NULL;
    if (crash_check_env(&err) < 0) {
        fprintf(stderr, "eventmap: %s\n", err);
        free(err);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "eventmap: '%s' is not a command; see 'eventmap --help'\n", argv[1]);
    return EXIT_USAGE;
}
