/*
 * map.c - `eventmap map`: a PNG overview map of the events (the store's, or
 * a file's with --in, through the filters) over the Natural Earth base map
 * with reference places from the gazetteer: markers or density, labels,
 * legend, scale bar, title and attribution.  The view fits the events with
 * a margin unless --bbox says what to show.  Options and paths are checked
 * before the events are read; the PNG is written to a temporary name and
 * renamed, so a failed run leaves no file behind.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cli/source.h"
#include "render/render.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/progress.h"
#include "util/banned.h"

static const struct cli_usage map_usage = {
    "map",
    "usage: eventmap map [--db PATH|URL | --in FILE] [filters] [-o FILE.png] [--bbox W,S,E,N]\n"
    "                    [--size WxH] [--title TEXT] [--labels auto|none|all] [--quiet]\n",
    "Draws a PNG overview map of the events: land, sea, borders and reference\n"
    "places, the events as markers coloured by type and sized by fatalities (or as\n"
    "density where there are too many to show one by one), labels that do not\n"
    "overlap, a legend, a scale bar, a title and the attribution.\n",
    NULL
};

#define DEFAULT_OUTPUT "output/overview.png"
#define DEFAULT_W 1600
#define DEFAULT_H 1200

typedef struct {
    render_markers *ev;
    int32_t day_min, day_max;  /* of the located events; min > max while there are none */
    progress *prog;            /* on a terminal: the events loaded of the store's */
    uint64_t n;
} load_ctx;

static void add_day(load_ctx *c, int32_t day)
{
    if (day < c->day_min) c->day_min = day;
    if (day > c->day_max) c->day_max = day;
}

static int on_event(void *vctx, const ev_event *e, char **err)
{
    load_ctx *c = vctx;
    if (e->located) add_day(c, e->day);
    progress_update(c->prog, ++c->n);
    return render_markers_add_cb(c->ev, e, err);
}

/* From the store: the lean query, without building whole events. */
static int on_point(void *vctx, const store_point *p, char **err)
{
    load_ctx *c = vctx;
    add_day(c, p->day);
    progress_update(c->prog, ++c->n);
    if (render_markers_add_point(c->ev, p->lon, p->lat, p->event_type, p->location, p->fatalities) < 0)
        return em_error(err, EM_EUSAGE, "internal error: the event set is already finished");
    return 0;
}

int cmd_map(int argc, char **argv)
{
    static const char *const label_modes[] = { "auto", "none", "all", NULL }; /* render_label_mode's order */
    cli_source src;
    cli_source_init(&src);
    const char *output = NULL, *title = NULL;
    int size[2] = { DEFAULT_W, DEFAULT_H }, has_bbox = 0, quiet = 0, labels = RENDER_LABELS_AUTO, status = EXIT_OK;
    geo_bbox bbox = { 0, 0, 0, 0 };
    struct cli_option options[] = {
        OPT_COLUMN(24),
        OPT_STRING('o', "output", &output, "FILE", "the PNG to write (default: output/overview.png)"),
        OPT_BBOX("bbox", &bbox, &has_bbox, 0, "the area to show, degrees (default: the events, with a margin)"),
        OPT_SIZE("size", size, "image size in pixels (default: 1600x1200; at most 20000 a side)"),
        OPT_STRING(0, "title", &title, "TEXT", "title (default: \"Events\")"),
        OPT_CHOICE(0, "labels", &labels, "MODE", label_modes,
                   "auto (default): the main event places and reference places;\n"
                   "all: every event place that fits; none: no labels"),
        OPT_BOOL(0, "quiet", &quiet, "no summary, and no progress line (which a terminal\n"
                                     "otherwise shows on standard error while the events load)"),
        OPT_SOURCE(&src),
        OPT_END()
    };

    argc = parse_options(argc, argv, options, &map_usage, 0);
    if (argc < 0) return parse_options_exit(argc);
    if (argc > 0) {
        cli_error("map", "unexpected argument '%s'", argv[0]);
        return EXIT_USAGE;
    }
    int width = size[0], height = size[1];
    if (!output) {
        output = DEFAULT_OUTPUT;
        mkdir("output", 0777); /* the default place for maps; an error shows below */
    }
    if (!*output) {
        cli_error("map", "-o: empty file name");
        return EXIT_USAGE;
    }
    char *err = NULL;
    if (tempfile_check_dir(output, &err) < 0) {
        cli_error("map", "%s", err);
        free(err);
        return EXIT_FAIL;
    }

    render_basemap *base = NULL;
    render_markers *ev = NULL;
    render_view *view = NULL;
    render_image img = { 0, 0, 0, NULL };
    render_info info;
    memset(&info, 0, sizeof(info));
    char *data_dir = NULL;
    strbuf subtitle = STRBUF_INIT;

    status = cli_source_prepare(&src, "map");
    if (status) goto done;
    gaz *g = cli_source_gazetteer(&src, "map");
    if (!g) {
        status = EXIT_FAIL;
        goto done;
    }
    data_dir = cli_data_path(".cache/data");
    if (render_basemap_load(data_dir, &base, &err) < 0 || render_basemap_add_places(base, g, 0, &err) < 0) {
        cli_error("map", "%s", err ? err : "cannot load the base map");
        fputs("hint: run 'make' to fetch the Natural Earth data\n", stderr);
        status = EXIT_FAIL;
        goto done;
    }

    /* the 1:10m base map decoded on the second core while the events load */
    render_preload *preload = render_preload_start(base);
    ev = render_markers_new();
    load_ctx lc = { ev, INT32_MAX, INT32_MIN, NULL, 0 };
    lc.prog = cli_source_progress(&src, "map", quiet);
    if (src.st) {
        if (store_points(src.st, &src.filter, NULL, 0, on_point, &lc, &err) < 0) {
            cli_error("map", "%s", err ? err : "cannot read the events");
            status = EXIT_FAIL;
        }
    } else {
        status = cli_source_each(&src, "map", NULL, 0, on_event, &lc);
    }
    progress_end(lc.prog);
    char *preload_err = NULL;
    render_preload_finish(preload, &preload_err);
    if (preload_err) {
        fprintf(stderr, "eventmap map: warning: %s; drawing with the 1:50m base map\n", preload_err);
        free(preload_err);
    }
    if (status) goto done;
    render_markers_finish(ev);
    size_t n = render_markers_count(ev);
    if (!has_bbox && !render_markers_bbox(ev, &bbox)) {
        cli_error("map", "no events with coordinates to draw; give --bbox W,S,E,N to draw the base map alone");
        status = EXIT_FAIL;
        goto done;
    }

    /* fitted to the events: room around them for the title and legend */
    int margin = has_bbox ? 0 : (int)(fmin(width, height) * 0.12);
    if (render_view_overview(&bbox, width, height, margin, &view, &err) < 0) {
        cli_error("map", "%s", err ? err : "cannot make the view");
        status = EXIT_FAIL;
        goto done;
    }
    if (render_image_init(&img, width, height, &err) < 0) {
        cli_error("map", "%s", err);
        status = EXIT_USAGE;
        goto done;
    }
    render_style st;
    render_style_overview(&st);
    st.title = title ? title : "Events";
    st.labels = (render_label_mode)labels;
    sb_add_thousands(&subtitle, n);
    sb_adds(&subtitle, n == 1 ? " event" : " events");
    if (lc.day_min <= lc.day_max) {
        char a[11], b[11];
        ev_format_date(lc.day_min, a);
        ev_format_date(lc.day_max, b);
        if (lc.day_min == lc.day_max) sb_addf(&subtitle, ", %s", a);
        else sb_addf(&subtitle, ", %s to %s", a, b);
    }
    cli_source_describe(&src, &subtitle);
    st.subtitle = subtitle.buf;
    if (render_draw(base, ev, view, &st, &img, &info, &err) < 0) {
        cli_error("map", "%s", err ? err : "cannot draw the map");
        status = EXIT_FAIL;
        goto done;
    }
    /* whole or not at all under its name; what killed runs left goes */
    if (render_png_save(output, &img, NULL, "map:before-rename", 0, &err) < 0) {
        cli_error("map", "%s", err ? err : "cannot write the map");
        status = EXIT_FAIL;
        goto done;
    }
    if (!quiet)
        fprintf(stderr, "eventmap map: %zu events (%zu in view, drawn as %s), %zu labels, %dx%d to %s\n", n,
                info.n_in_view, info.density ? "density" : "markers", info.n_labels, width, height, output);
    size_t unlocated = render_markers_unlocated(ev);
    if (unlocated && !quiet)
        fprintf(stderr, "eventmap map: %zu unlocated event%s left out (no coordinates)\n", unlocated,
                unlocated == 1 ? "" : "s");
done:
    free(err);
    free(data_dir);
    sb_release(&subtitle);
    render_info_release(&info);
    render_image_release(&img);
    render_view_free(view);
    render_markers_free(ev);
    render_basemap_free(base);
    cli_source_free(&src);
    return status;
}
