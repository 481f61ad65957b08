/*
 * source.c - what every reading command (near, export, and later map and
 * tiles) shares: where the events come from (--db, the store, or --in, a
 * CSV or GeoJSON file read directly) and the filters (--since, --until,
 * --type, --actor, --region).
 */
#include "cli/source.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/progress.h"
#include "util/banned.h"

void cli_source_init(cli_source *s)
{
    memset(s, 0, sizeof(*s));
    s->db = cli_default_db();
}

gaz *cli_source_gazetteer(cli_source *s, const char *cmd)
{
    if (s->g) return s->g;
    char *path = cli_gazetteer_path(s->gazetteer);
    char *err = NULL;
    if (gaz_open(path, &s->g, &err) < 0) {
        cli_error(cmd, "%s", err);
        fputs("hint: run 'make' to build the default index, or 'eventmap gazetteer build'\n", stderr);
        free(err);
        s->g = NULL;
    }
    free(path);
    return s->g;
}

/* The region as a shape: a gazetteer place with a polygon, or else the
 * bounding box of a governorate (the gazetteer has no governorate outlines). */
static int open_region(cli_source *s, const char *cmd)
{
    gaz *g = cli_source_gazetteer(s, cmd);
    if (!g) return EXIT_FAIL;
    gaz_result r[8];
    gaz_query q;
    memset(&q, 0, sizeof(q));
    int n = gaz_resolve(g, s->region, &q, r, 8, NULL);
    int pick = -1;
    for (int i = 0; i < n && pick < 0; i++)
        if (r[i].score >= 0.6 && (r[i].is_region || r[i].has_bbox)) pick = i;
    if (pick < 0) {
        cli_error(cmd, "--region \"%s\": no region, governorate or country of that name in the gazetteer", s->region);
        return EXIT_USAGE;
    }
    char *err = NULL;
    s->geo = geo_ctx_new();
    size_t len = 0;
    const unsigned char *wkb = r[pick].is_region ? gaz_region_wkb(g, r[pick].place, &len) : NULL;
    int rc;
    if (wkb) {
        rc = geo_shape_from_wkb(s->geo, wkb, len, &s->region_shape, &err);
    } else {
        const geo_bbox *b = &r[pick].bbox;
        strbuf wkt = STRBUF_INIT;
        sb_addf(&wkt, "POLYGON((%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f,%.6f %.6f))", b->west_deg, b->south_deg,
                b->east_deg, b->south_deg, b->east_deg, b->north_deg, b->west_deg, b->north_deg, b->west_deg,
                b->south_deg);
        rc = geo_shape_from_wkt(s->geo, wkt.buf, &s->region_shape, &err);
        sb_release(&wkt);
        s->region_is_bbox = 1;
    }
    if (rc < 0) {
        cli_error(cmd, "--region \"%s\": %s", s->region, err ? err : "bad polygon");
        free(err);
        return EXIT_FAIL;
    }
    if (geo_shape_bbox(s->geo, s->region_shape, &s->filter.region_bbox, &err) < 0) {
        cli_error(cmd, "--region \"%s\": %s", s->region, err ? err : "no bbox");
        free(err);
        return EXIT_FAIL;
    }
    snprintf(s->region_label, sizeof(s->region_label), "%s (%s)", r[pick].name, r[pick].id);
    s->filter.geo = s->geo;
    s->filter.region = s->region_shape;
    return EXIT_OK;
}

int cli_source_prepare(cli_source *s, const char *cmd)
{
    char date[11];
    if (s->in && s->db_given) {
        cli_error(cmd, "give --db or --in, not both");
        return EXIT_USAGE;
    }
    if (s->since) {
        if (ev_parse_date(s->since, &s->filter.since_day, date) < 0) {
            cli_error(cmd, "--since \"%s\" is not a date (YYYY-MM-DD)", s->since);
            return EXIT_USAGE;
        }
        s->filter.has_since = 1;
    }
    if (s->until) {
        if (ev_parse_date(s->until, &s->filter.until_day, date) < 0) {
            cli_error(cmd, "--until \"%s\" is not a date (YYYY-MM-DD)", s->until);
            return EXIT_USAGE;
        }
        s->filter.has_until = 1;
    }
    if (s->since && s->until && s->filter.since_day > s->filter.until_day) {
        cli_error(cmd, "--since %s is after --until %s", s->since, s->until);
        return EXIT_USAGE;
    }
    if (s->type) {
        if (!*s->type) {
            cli_error(cmd, "--type is empty");
            return EXIT_USAGE;
        }
        s->filter.type = s->type;
    }
    if (s->actor) s->filter.actor = s->actor;
    if (!s->in) {
        char *err = NULL;
        s->db_name = store_display_name(s->db);
        s->db_title = store_short_name(s->db);
        if (store_open(s->db, STORE_READ, &s->st, &err) < 0) {
            cli_error(cmd, "%s", err ? err : "cannot open the store");
            if (!s->db_given)
                fprintf(stderr, "hint: 'eventmap import FILE' makes %s; or give --db or --in\n",
                        store_is_database(s->db) ? "the store" : s->db);
            free(err);
            return EXIT_FAIL;
        }
    } else if (strcmp(s->in, "-") && access(s->in, R_OK) != 0) {
        cli_error(cmd, "%s: cannot open: %s", s->in, strerror(errno));
        return EXIT_FAIL;
    }
    if (s->region) {
        int rc = open_region(s, cmd);
        if (rc) return rc;
        if (s->region_is_bbox)
            fprintf(stderr, "eventmap %s: --region %s: the gazetteer has no outline for it; using its bounding box\n",
                    cmd, s->region_label);
    }
    return EXIT_OK;
}

/* --in: read the file, filter, and hand on. */
typedef struct {
    cli_source *s;
    const geo_bbox *boxes;
    size_t n_boxes;
    cli_event_fn fn;
    void *ctx;
    int stopped;
} in_ctx;

static int in_event(void *vctx, const ev_event *e, const char *file, size_t line, char **err)
{
    in_ctx *c = vctx;
    (void)file;
    (void)line;
    if (c->stopped) return 0;
    if (c->n_boxes) {
        if (!e->located) return 0;
        int inside = 0;
        for (size_t i = 0; i < c->n_boxes && !inside; i++)
            inside = e->lon >= c->boxes[i].west_deg && e->lon <= c->boxes[i].east_deg &&
                     e->lat >= c->boxes[i].south_deg && e->lat <= c->boxes[i].north_deg;
        if (!inside) return 0;
    }
    if (!ev_filter_match(&c->s->filter, e)) return 0;
    int rc = c->fn(c->ctx, e, err);
    if (rc == 1) {
        c->stopped = 1;
        return 0;
    }
    return rc;
}

int cli_source_scan(void *source, const geo_bbox *boxes, size_t n_boxes, cli_event_fn fn, void *ctx, char **err)
{
    cli_source *s = source;
    int rc;
    if (s->in) {
        ev_read_opts opts;
        memset(&opts, 0, sizeof(opts));
        /* rows without coordinates are geocoded on the fly */
        opts.gazetteer = s->g;
        if (!opts.gazetteer) return em_error(err, EM_EUSAGE, "internal error: the gazetteer is not open");
        in_ctx c = { s, boxes, n_boxes, fn, ctx, 0 };
        rc = ev_read(s->in, &opts, in_event, NULL, &c, &s->stats, err);
    } else {
        rc = store_scan(s->st, &s->filter, boxes, n_boxes, (store_event_fn)fn, ctx, err);
    }
    if (rc < 0 && err && !*err) *err = xstrdup("cannot read the events");
    return rc;
}

int cli_source_each(cli_source *s, const char *cmd, const geo_bbox *boxes, size_t n_boxes, cli_event_fn fn,
                    void *ctx)
{
    char *err = NULL;
    if (s->in && !cli_source_gazetteer(s, cmd)) return EXIT_FAIL;
    if (cli_source_scan(s, boxes, n_boxes, fn, ctx, &err) < 0) {
        cli_error(cmd, "%s", err ? err : "cannot read the events");
        free(err);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

void cli_source_describe(const cli_source *s, strbuf *out)
{
    if (s->type) sb_addf(out, ", type %s", s->type);
    if (s->actor) sb_addf(out, ", actor \"%s\"", s->actor);
    if (s->region) sb_addf(out, ", in %s", s->region);
}

void cli_source_free(cli_source *s)
{
    store_close(s->st);
    geo_shape_free(s->geo, s->region_shape);
    geo_ctx_free(s->geo);
    gaz_close(s->g);
    free(s->db_name);
    free(s->db_title);
}

progress *cli_source_progress(cli_source *s, const char *what, int quiet)
{
    if (quiet || !progress_wanted()) return NULL;
    /* a store knows how many it holds; a file is counted as it goes */
    size_t total = 0, unlocated = 0;
    char *err = NULL;
    if (s->st && store_count(s->st, &total, &unlocated, &err) < 0) total = 0;
    free(err);
    return progress_start(what, "events", total, 0);
}
