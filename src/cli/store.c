/*
 * store.c - `eventmap store upgrade PATH`: a store of the layout before
 * GeoPackage converted in place (store_upgrade: a new file beside it,
 * renamed over it once complete), so that GDAL and QGIS open it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli/options.h"
#include "store/store.h"
#include "util/error.h"
#include "util/banned.h"

static const struct cli_usage store_upgrade_usage = {
    "store upgrade",
    "usage: eventmap store upgrade PATH...\n",
    "Converts each store of the layout before GeoPackage into an OGC GeoPackage\n"
    "that GDAL and QGIS open as the point layer 'events': every event copied into\n"
    "a new file beside it, which replaces it only when complete.  A store that is\n"
    "already a GeoPackage is left as it is.\n",
    NULL
};

static int store_upgrade_cmd(int argc, char **argv)
{
    const struct cli_option options[] = { OPT_END() };
    argc = parse_options(argc, argv, options, &store_upgrade_usage, 0);
    if (argc < 0) return parse_options_exit(argc);
    if (argc == 0) {
        usage_with_options(stderr, &store_upgrade_usage, options);
        return EXIT_USAGE;
    }
    int status = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        char *err = NULL;
        if (store_is_database(argv[i])) {
            /* PostGIS has one layout: a store there needs no converting */
            store *s = NULL;
            char *name = store_display_name(argv[i]);
            if (store_open(argv[i], STORE_READ, &s, &err) < 0) {
                fprintf(stderr, "eventmap store upgrade: %s\n", err ? err : "failed");
                status = EXIT_FAIL;
            } else {
                printf("%s: a PostGIS store; nothing to convert\n", name);
            }
            store_close(s);
            free(name);
            free(err);
            continue;
        }
        int rc = store_upgrade(argv[i], &err);
        if (rc < 0) {
            fprintf(stderr, "eventmap store upgrade: %s\n", err ? err : "failed");
            status = EXIT_FAIL;
        } else {
            printf("%s: %s\n", argv[i], rc ? "converted to a GeoPackage" : "already a GeoPackage; left as it is");
        }
        free(err);
    }
    return status;
}

int cmd_store(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage_with_options(argc < 2 ? stderr : stdout, &store_upgrade_usage, (const struct cli_option[]){ OPT_END() });
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "upgrade")) return store_upgrade_cmd(argc - 1, argv + 1);
    cli_error("store", "'%s' is not a store command (upgrade)", argv[1]);
    return EXIT_USAGE;
}
