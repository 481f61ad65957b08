/*
 * draw.c - everything the renderer puts on an image, through Cairo
 * (anti-aliased paths) and Pango (text, shaped by HarfBuzz so that Arabic
 * script joins and runs right to left): sea, land, coast and borders; the
 * events as markers or, when there are too many, as per-pixel density;
 * reference places; labels placed through the collision index of labels.c;
 * title, legend, scale bar, attribution.  This is the renderer's one Cairo
 * and Pango file.
 *
 * Order matters for the collision index: the furniture (title, legend,
 * scale bar, attribution) is laid out first and its boxes reserved, then
 * markers are drawn and reserved, then labels are placed - event places
 * first (they are the map's subject), then reference places (a place whose
 * dot or label does not fit is left out), then country names - and the
 * furniture is drawn last, on top.
 */
#include <cairo.h>
#include <ctype.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* Colours, 0..1 RGB. */
typedef struct {
    double r, g, b;
} rgb;
#define HEX(h) { ((h) >> 16 & 0xff) / 255.0, ((h) >> 8 & 0xff) / 255.0, ((h) & 0xff) / 255.0 }
static const rgb SEA = HEX(0xB9CCD8);
static const rgb LAND = HEX(0xF3F1EC);
static const rgb COAST = HEX(0x7F9AAB);
static const rgb BORDER = HEX(0x8F8A84);
static const rgb TEXT = HEX(0x1E1E1E);
static const rgb PLACE_TEXT = HEX(0x4A4A4A);
static const rgb COUNTRY_TEXT = HEX(0x8C8680);
static const rgb FRAME = HEX(0x555555);

#define FONT "DejaVu Sans"
/* halo around label text, pixels at ui scale 1 */
#define HALO_PX 3.0
/* markers beyond this many per image pixel make AUTO draw density */
#define DENSITY_PIXELS_PER_EVENT 128

double marker_radius(int fatalities, double scale)
{
    double f = fatalities < 0 ? 0 : fatalities > 150 ? 150 : fatalities;
    return scale * (4.0 + 1.4 * sqrt(f));
}

void render_style_overview(render_style *st)
{
    memset(st, 0, sizeof(*st));
    st->attribution = RENDER_ATTRIBUTION;
    st->labels = RENDER_LABELS_AUTO;
    st->events = RENDER_EVENTS_AUTO;
    st->legend = st->scale_bar = st->places = st->frame = 1;
    st->marker_scale = 1;
}

void render_style_tile(render_style *st)
{
    memset(st, 0, sizeof(*st));
    st->labels = RENDER_LABELS_NONE;
    st->events = RENDER_EVENTS_AUTO;
    st->places = 1;
    st->density_full = 64;
    st->marker_scale = 0.8;
}

void render_info_release(render_info *info)
{
    if (!info) return;
    for (size_t i = 0; i < info->n_labels; i++) free(info->labels[i].text);
    free(info->labels);
    free(info->markers);
    free(info->panels);
    memset(info, 0, sizeof(*info));
}

/* ------------------------------------------------------------------ text */

typedef struct {
    cairo_t *cr;
    PangoLayout *layout;
    double ui;                /* size factor for text and furniture */
    int width, height;
    collide_index ci;
    render_info *info;        /* may be NULL */
    size_t alloc_labels, alloc_markers, alloc_panels;
    double *event_xy;         /* anchors of the event labels placed, x, y pairs */
    size_t n_event_xy, alloc_event_xy;
} draw_ctx;

static void set_font(draw_ctx *d, double px, int bold, double letter_spacing_px)
{
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family(fd, FONT);
    pango_font_description_set_absolute_size(fd, px * d->ui * PANGO_SCALE);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_layout_set_font_description(d->layout, fd);
    pango_font_description_free(fd);
    PangoAttrList *attrs = pango_attr_list_new();
    if (letter_spacing_px > 0)
        pango_attr_list_insert(attrs, pango_attr_letter_spacing_new((int)(letter_spacing_px * d->ui * PANGO_SCALE)));
    pango_layout_set_attributes(d->layout, attrs);
    pango_attr_list_unref(attrs);
}

/* Lay text out; its logical size in pixels. */
static void measure(draw_ctx *d, const char *text, double *w, double *h)
{
    pango_layout_set_text(d->layout, text, -1);
    PangoRectangle ink, logical;
    pango_layout_get_pixel_extents(d->layout, &ink, &logical);
    *w = logical.width;
    *h = logical.height;
}

/* Draw the current layout with its top left at x, y, with a halo. */
static void show_text(draw_ctx *d, double x, double y, const rgb *colour, double halo_px)
{
    cairo_t *cr = d->cr;
    x = round(x);
    y = round(y);
    if (halo_px > 0) {
        cairo_move_to(cr, x, y);
        pango_cairo_layout_path(cr, d->layout);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.92);
        cairo_set_line_width(cr, 2 * halo_px * d->ui);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
    }
    cairo_move_to(cr, x, y);
    cairo_set_source_rgb(cr, colour->r, colour->g, colour->b);
    pango_cairo_show_layout(cr, d->layout);
}

static void note_label(draw_ctx *d, const char *text, int kind, double ax, double ay, const render_box *box)
{
    if (!d->info) return;
    render_info *in = d->info;
    ALLOC_GROW(in->labels, in->n_labels + 1, d->alloc_labels);
    render_label *l = &in->labels[in->n_labels++];
    l->text = xstrdup(text);
    l->kind = kind;
    l->anchor_x = ax;
    l->anchor_y = ay;
    l->box = *box;
}

static void note_panel(draw_ctx *d, const render_box *box)
{
    collide_add(&d->ci, box);
    if (!d->info) return;
    ALLOC_GROW(d->info->panels, d->info->n_panels + 1, d->alloc_panels);
    d->info->panels[d->info->n_panels++] = *box;
}

static int box_in_image(const draw_ctx *d, const render_box *b)
{
    return b->x0 >= 1 && b->y0 >= 1 && b->x1 <= d->width - 1 && b->y1 <= d->height - 1;
}

/* Place the text next to a point of radius r; draws and records it.
 * Returns 1 when placed. */
static int place_label(draw_ctx *d, const char *text, int kind, double x, double y, double r, const rgb *colour)
{
    double w, h;
    measure(d, text, &w, &h);
    double halo = HALO_PX * d->ui * 0.5;
    for (int k = 0;; k++) {
        render_box box;
        if (!label_candidate(k, x, y, r, w + 2 * halo, h, &box)) return 0;
        if (!box_in_image(d, &box) || collide_hits(&d->ci, &box)) continue;
        collide_add(&d->ci, &box);
        show_text(d, box.x0 + halo, box.y0, colour, HALO_PX * 0.6);
        note_label(d, text, kind, x, y, &box);
        return 1;
    }
}

/* --------------------------------------------------------------- base map */

static void path_of(cairo_t *cr, const px_paths *p, int close)
{
    for (size_t r = 0; r < p->n_rings; r++) {
        size_t a = p->ring_start[r], b = p->ring_start[r + 1];
        cairo_move_to(cr, p->xy[2 * a], p->xy[2 * a + 1]);
        for (size_t i = a + 1; i < b; i++) cairo_line_to(cr, p->xy[2 * i], p->xy[2 * i + 1]);
        if (close) cairo_close_path(cr);
    }
}

static void draw_basemap(draw_ctx *d, const basemap_view *bv)
{
    cairo_t *cr = d->cr;
    double fine = fmax(0.6, d->ui * 0.8);
    cairo_set_source_rgb(cr, SEA.r, SEA.g, SEA.b);
    cairo_paint(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    path_of(cr, &bv->land, 1);
    cairo_set_source_rgb(cr, LAND.r, LAND.g, LAND.b);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, COAST.r, COAST.g, COAST.b);
    cairo_set_line_width(cr, fine);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_stroke(cr);
    /* borders: a wide pale casing under a thin dark line, as on
     * topographic maps */
    path_of(cr, &bv->borders, 0);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_source_rgba(cr, 0.80, 0.78, 0.74, 0.55);
    cairo_set_line_width(cr, fine * 4.5);
    cairo_stroke_preserve(cr);
    cairo_set_source_rgb(cr, BORDER.r, BORDER.g, BORDER.b);
    cairo_set_line_width(cr, fine * 1.2);
    cairo_stroke(cr);
}

/* ------------------------------------------------------------------ events */

typedef struct {
    float x, y, r;
    uint16_t type;
} marker;

/* Larger markers first (drawn under the smaller), then by place, so that
 * markers at one spot of one size come together, then by type. */
static int by_radius_desc(const void *a, const void *b)
{
    const marker *p = a, *q = b;
    if (p->r != q->r) return p->r < q->r ? 1 : -1;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return (p->type > q->type) - (p->type < q->type);
}

/* Whether two markers would cover each other exactly: the same size, and
 * centres within a tenth of a pixel. */
static int same_spot(const marker *a, const marker *b)
{
    return a->r == b->r && fabsf(a->x - b->x) < 0.1f && fabsf(a->y - b->y) < 0.1f;
}

/* An event in view, for the labels: which point, where. */
typedef struct {
    uint32_t point;           /* index into the event set */
    uint32_t cell;            /* LABEL_CELL px cell of the image (see cell_of) */
    float x, y;
} view_hit;

/* Labels group an event place's events by where they are: a name used at
 * several places ("Mazraat Salam" in Dar'a and in Aleppo) is labelled at
 * the place with most of its events, not at their mean. */
#define LABEL_CELL 12.0

typedef struct {
    size_t *type_count;       /* events in view per type */
    int density;
    marker *markers;          /* marker mode */
    size_t n_markers;
    density_bins bins;        /* density mode */
    uint32_t density_max;
    view_hit *hits;           /* every event in view */
    size_t n_hits;
    int cell_cols;            /* cells per row */
} events_drawn;

static void events_drawn_release(events_drawn *ed)
{
    free(ed->type_count);
    free(ed->hits);
    free(ed->markers);
    density_release(&ed->bins);
}

static void draw_marker(cairo_t *cr, const marker *m, const uint8_t c[3], double ui)
{
    cairo_new_path(cr);
    cairo_arc(cr, m->x, m->y, m->r, 0, 2 * M_PI);
    cairo_set_source_rgba(cr, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, 0.92);
    cairo_fill_preserve(cr);
    /* the halo: white, then a hairline of the marker's own colour darkened */
    cairo_set_line_width(cr, fmax(1.0, 1.2 * ui));
    cairo_set_source_rgba(cr, 1, 1, 1, 0.95);
    cairo_stroke(cr);
    cairo_arc(cr, m->x, m->y, m->r + fmax(0.5, 0.6 * ui) + 0.5, 0, 2 * M_PI);
    cairo_set_line_width(cr, 0.7);
    cairo_set_source_rgba(cr, c[0] / 500.0, c[1] / 500.0, c[2] / 500.0, 0.6);
    cairo_stroke(cr);
}

/* Markers of several event types at one spot (three events of two kinds in
 * one village): one disc cut into wedges, each type's share of the events
 * there, clockwise from the top in type order, so that no kind of event
 * hides under another.  types[] is sorted; counts[i] events of types[i]. */
static void draw_pie(cairo_t *cr, const marker *m, const uint16_t *types, const size_t *counts, size_t n,
                     const uint8_t (*colours)[3], double ui)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += counts[i];
    double a0 = -M_PI / 2;
    for (size_t i = 0; i < n; i++) {
        double a1 = a0 + 2 * M_PI * (double)counts[i] / (double)total;
        const uint8_t *c = colours[types[i]];
        cairo_new_path(cr);
        cairo_move_to(cr, m->x, m->y);
        cairo_arc(cr, m->x, m->y, m->r, a0, a1);
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, c[0] / 255.0, c[1] / 255.0, c[2] / 255.0, 0.92);
        cairo_fill(cr);
        a0 = a1;
    }
    cairo_new_path(cr);
    cairo_arc(cr, m->x, m->y, m->r, 0, 2 * M_PI);
    cairo_set_line_width(cr, fmax(1.0, 1.2 * ui));
    cairo_set_source_rgba(cr, 1, 1, 1, 0.95);
    cairo_stroke(cr);
    cairo_arc(cr, m->x, m->y, m->r + fmax(0.5, 0.6 * ui) + 0.5, 0, 2 * M_PI);
    cairo_set_line_width(cr, 0.7);
    cairo_set_source_rgba(cr, 0.2, 0.2, 0.2, 0.6);
    cairo_stroke(cr);
}

/* Half the width of a marker's halo, pixels. */
static double marker_halo(double ui)
{
    return (fmax(1.0, 1.2 * ui) + 1) / 2 + 0.5;
}

/* Find the events in view and project them: markers, or per-pixel bins
 * when there are too many. */
static void collect_events(draw_ctx *d, const render_markers *ev, const render_view *v, const render_style *st,
                           events_drawn *out)
{
    int W = v->width, H = v->height;
    double ms = (st->marker_scale > 0 ? st->marker_scale : 1) * d->ui;
    double rim = marker_radius(150, ms) + 2;
    geo_bbox b = render_view_bounds(v);
    /* the rim in degrees, for the index search */
    double rim_deg = rim * v->km_per_px / 111.32 /
                     fmax(cos(fmin(fmax(fabs(b.south_deg), fabs(b.north_deg)), 89.0) * M_PI / 180), 0.02);
    geo_bbox q = { b.west_deg - rim_deg, b.south_deg - rim_deg, b.east_deg + rim_deg, b.north_deg + rim_deg };
    size_t first = markers_lower_bound(ev, q.west_deg), last = first;
    while (last < ev->n && ev->points[last].lon_deg <= q.east_deg) last++;
    size_t approx = 0;
    for (size_t i = first; i < last; i++)
        approx += ev->points[i].lat_deg >= q.south_deg && ev->points[i].lat_deg <= q.north_deg;

    out->type_count = xcalloc(ev->n_types + 1, sizeof(size_t));
    out->cell_cols = (int)ceil(W / LABEL_CELL) + 4;
    size_t alloc_hits = 0;
    size_t threshold = st->density_threshold ? st->density_threshold
                                             : (size_t)W * H / DENSITY_PIXELS_PER_EVENT;
    out->density = st->events == RENDER_EVENTS_DENSITY || (st->events == RENDER_EVENTS_AUTO && approx > threshold);
    if (out->density) density_init(&out->bins, W, H);

    /* project in chunks: no array the size of the event set */
    enum { CHUNK = 4096 };
    double lon[CHUNK], lat[CHUNK], x[CHUNK], y[CHUNK];
    size_t idx[CHUNK];
    size_t alloc_markers = 0, in_view = 0;
    for (size_t i = first; i < last;) {
        size_t n = 0;
        for (; i < last && n < CHUNK; i++) {
            const render_point *p = &ev->points[i];
            if (p->lat_deg < q.south_deg || p->lat_deg > q.north_deg) continue;
            lon[n] = p->lon_deg;
            lat[n] = p->lat_deg;
            idx[n++] = i;
        }
        if (out->density) view_project_many(v, lon, lat, n, x, y);
        else
            for (size_t k = 0; k < n; k++) render_view_project(v, lon[k], lat[k], &x[k], &y[k]);
        for (size_t k = 0; k < n; k++) {
            const render_point *p = &ev->points[idx[k]];
            if (out->density) {
                /* binned up to the spread's reach outside, counted inside */
                density_add(&out->bins, x[k], y[k], p->type);
                if (!(x[k] >= 0 && y[k] >= 0 && x[k] < W && y[k] < H)) continue;
            }
            double r = out->density ? 0 : marker_radius(p->fatalities, ms);
            if (!(x[k] >= -r && y[k] >= -r && x[k] <= W + r && y[k] <= H + r)) continue;
            in_view++;
            out->type_count[p->type]++;
            ALLOC_GROW(out->hits, out->n_hits + 1, alloc_hits);
            int cx = (int)floor(x[k] / LABEL_CELL) + 2, cy = (int)floor(y[k] / LABEL_CELL) + 2;
            out->hits[out->n_hits++] =
                (view_hit){ (uint32_t)idx[k], (uint32_t)cy * (uint32_t)out->cell_cols + (uint32_t)cx, (float)x[k],
                            (float)y[k] };
            if (!out->density) {
                ALLOC_GROW(out->markers, out->n_markers + 1, alloc_markers);
                out->markers[out->n_markers++] = (marker){ (float)x[k], (float)y[k], (float)r, p->type };
            }
        }
    }
    out->density_max = out->bins.max;
    if (d->info) d->info->n_in_view = in_view;
}

/* How much of the events lies under box (to keep the legend off them):
 * markers, or pixels holding events. */
static size_t events_under(const events_drawn *ed, const render_box *box)
{
    size_t n = 0;
    if (ed->density) {
        const density_bins *bins = &ed->bins;
        if (!bins->bins) return 0;
        int x0 = (int)fmax(box->x0, 0), y0 = (int)fmax(box->y0, 0);
        int x1 = (int)fmin(box->x1, bins->width), y1 = (int)fmin(box->y1, bins->height);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) n += density_count(bins, x, y) > 0;
        return n;
    }
    for (size_t i = 0; i < ed->n_markers; i++) {
        const marker *m = &ed->markers[i];
        render_box mb = { m->x - m->r, m->y - m->r, m->x + m->r, m->y + m->r };
        n += (size_t)render_box_intersects(&mb, box);
    }
    return n;
}

static int draw_events(draw_ctx *d, const render_markers *ev, const render_style *st, events_drawn *ed,
                       char **err)
{
    if (ed->density) {
        /* straight into the image, over the base map */
        cairo_surface_t *s = cairo_get_target(d->cr);
        cairo_surface_flush(s);
        density_paint(&ed->bins, st->density_full, (const uint8_t(*)[3])ev->colours, cairo_image_surface_get_data(s),
                      (size_t)cairo_image_surface_get_stride(s));
        cairo_surface_mark_dirty(s);
        (void)err;
        return 0;
    }
    if (ed->n_markers) qsort(ed->markers, ed->n_markers, sizeof(*ed->markers), by_radius_desc);
    double halo = marker_halo(d->ui);
    uint16_t *types = NULL;
    size_t *counts = NULL, alloc_types = 0, alloc_counts = 0;
    for (size_t i = 0, next; i < ed->n_markers; i = next) {
        const marker *m = &ed->markers[i];
        /* the markers at this spot, and their types (sorted: see by_radius_desc) */
        size_t n_types = 0;
        for (next = i; next < ed->n_markers && same_spot(&ed->markers[next], m); next++) {
            if (n_types && types[n_types - 1] == ed->markers[next].type) {
                counts[n_types - 1]++;
                continue;
            }
            ALLOC_GROW(types, n_types + 1, alloc_types);
            ALLOC_GROW(counts, n_types + 1, alloc_counts);
            types[n_types] = ed->markers[next].type;
            counts[n_types++] = 1;
        }
        if (n_types > 1) draw_pie(d->cr, m, types, counts, n_types, (const uint8_t(*)[3])ev->colours, d->ui);
        else draw_marker(d->cr, m, ev->colours[m->type], d->ui);
        render_box box = { m->x - m->r - halo, m->y - m->r - halo, m->x + m->r + halo, m->y + m->r + halo };
        collide_add(&d->ci, &box);
        if (d->info) {
            ALLOC_GROW(d->info->markers, d->info->n_markers + 1, d->alloc_markers);
            d->info->markers[d->info->n_markers++] = box;
        }
    }
    free(types);
    free(counts);
    return 0;
}

/* ------------------------------------------------------------------ labels */

/* One event place to label: the main cluster of a location name. */
typedef struct {
    uint32_t label;
    uint32_t count, fatalities;
    double sx, sy;            /* sums of the positions, pixels */
    float max_r;              /* largest marker */
    uint32_t cell;            /* the voted cell */
    uint32_t votes;
} label_group;

static int by_importance(const void *a, const void *b)
{
    const label_group *p = a, *q = b;
    if (p->count != q->count) return p->count < q->count ? 1 : -1;
    if (p->fatalities != q->fatalities) return p->fatalities < q->fatalities ? 1 : -1;
    return (p->label > q->label) - (p->label < q->label);
}

static int near_cell(uint32_t a, uint32_t b, int cols)
{
    int ax = (int)(a % (uint32_t)cols), ay = (int)(a / (uint32_t)cols);
    int bx = (int)(b % (uint32_t)cols), by = (int)(b / (uint32_t)cols);
    return abs(ax - bx) <= 1 && abs(ay - by) <= 1;
}

static void place_event_labels(draw_ctx *d, const render_markers *ev, const events_drawn *ed,
                               const render_style *st)
{
    label_group *g = xcalloc(ev->n_labels + 1, sizeof(*g));
    /* pass 1: each name's busiest cell, by majority vote */
    for (size_t i = 0; i < ed->n_hits; i++) {
        label_group *lg = &g[ev->points[ed->hits[i].point].label];
        uint32_t cell = ed->hits[i].cell;
        if (!lg->votes) {
            lg->cell = cell;
            lg->votes = 1;
        } else if (lg->cell == cell) {
            lg->votes++;
        } else {
            lg->votes--;
        }
    }
    /* pass 2: the events in and around that cell */
    double ms = (st->marker_scale > 0 ? st->marker_scale : 1) * d->ui;
    for (size_t i = 0; i < ed->n_hits; i++) {
        const view_hit *h = &ed->hits[i];
        const render_point *p = &ev->points[h->point];
        label_group *lg = &g[p->label];
        if (!lg->votes || !near_cell(h->cell, lg->cell, ed->cell_cols)) continue;
        lg->count++;
        lg->fatalities += p->fatalities;
        lg->sx += h->x;
        lg->sy += h->y;
        float r = ed->density ? 0 : (float)marker_radius(p->fatalities, ms);
        if (r > lg->max_r) lg->max_r = r;
    }
    size_t n = 0;
    for (size_t i = 0; i < ev->n_labels; i++)
        if (g[i].count && ev->labels[i][0]) {
            g[n] = g[i];
            g[n++].label = (uint32_t)i;
        }
    if (n) qsort(g, n, sizeof(*g), by_importance);
    size_t cap = st->labels == RENDER_LABELS_ALL ? n
                 : ed->density                   ? (size_t)d->width * d->height / 40000 + 8
                                                 : (size_t)d->width * d->height / 12000 + 8;
    set_font(d, 12.5, 1, 0);
    size_t placed = 0;
    for (size_t i = 0; i < n && placed < cap; i++) {
        double x = g[i].sx / g[i].count, y = g[i].sy / g[i].count;
        double r = ed->density ? 3.0 * d->ui : g[i].max_r + 1;
        if (!place_label(d, ev->labels[g[i].label], RENDER_LABEL_EVENT, x, y, r, &TEXT)) continue;
        placed++;
        ALLOC_GROW(d->event_xy, 2 * (d->n_event_xy + 1), d->alloc_event_xy);
        d->event_xy[2 * d->n_event_xy] = x;
        d->event_xy[2 * d->n_event_xy + 1] = y;
        d->n_event_xy++;
    }
    free(g);
}

static void place_reference_places(draw_ctx *d, const render_basemap *b, const render_view *v)
{
    double kmpp = v->km_per_px;
    /* fewer, bigger places as the scale shrinks */
    double min_pop = 40000.0 * pow(fmax(kmpp, 0.05) / 0.5, 1.3);
    size_t cap = (size_t)d->width * d->height / 30000 + 4, shown = 0;
    double dot_r = 2.6 * d->ui;
    for (size_t i = 0; i < b->n_places && shown < cap; i++) {
        const render_place *p = &b->places[i];
        double need = p->rank == 3 ? min_pop * 0.05 : p->rank == 2 ? min_pop * 0.25 : min_pop;
        if ((double)p->population < need) continue;
        double x, y;
        if (render_view_project(v, p->lon_deg, p->lat_deg, &x, &y) < 0) continue;
        if (x < 4 || y < 4 || x > d->width - 4 || y > d->height - 4) continue;
        /* an event place labelled right there names it already (often in
         * another spelling: "Deir-ez-Zor" beside "Deir ez-Zor") */
        int named = 0;
        for (size_t k = 0; k < d->n_event_xy && !named; k++)
            named = hypot(d->event_xy[2 * k] - x, d->event_xy[2 * k + 1] - y) < 24 * d->ui;
        if (named) continue;
        double rr = p->rank == 3 ? dot_r * 1.3 : dot_r;
        render_box dot = { x - rr - 1, y - rr - 1, x + rr + 1, y + rr + 1 };
        if (collide_hits(&d->ci, &dot)) continue;
        set_font(d, p->rank >= 2 ? 12.0 : 11.0, 0, 0);
        /* reserve the dot so the label goes beside it */
        collide_add(&d->ci, &dot);
        if (!place_label(d, p->name, RENDER_LABEL_PLACE, x, y, rr + 0.5, &PLACE_TEXT)) continue;
        /* (a dot whose label found no room stays reserved but undrawn:
         * harmless, and cheaper than removing it from the index) */
        cairo_t *cr = d->cr;
        cairo_new_path(cr);
        if (p->rank == 3) {
            cairo_arc(cr, x, y, rr, 0, 2 * M_PI);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
            cairo_set_line_width(cr, 1.2 * d->ui);
            cairo_stroke(cr);
            cairo_arc(cr, x, y, rr * 0.45, 0, 2 * M_PI);
            cairo_fill(cr);
        } else {
            cairo_arc(cr, x, y, rr, 0, 2 * M_PI);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
            cairo_set_line_width(cr, 1.1 * d->ui);
            cairo_stroke(cr);
        }
        shown++;
    }
}

static void place_country_labels(draw_ctx *d, const basemap_view *bv)
{
    set_font(d, 13, 0, 2.5);
    for (size_t i = 0; i < bv->n_countries; i++) {
        const char *name = bv->countries[i].name;
        strbuf up = STRBUF_INIT;
        for (const char *c = name; *c; c++) sb_addch(&up, toupper((unsigned char)*c));
        double w, h;
        measure(d, up.buf, &w, &h);
        if (bv->countries[i].area_px < w * h * 4) {
            sb_release(&up);
            continue;
        }
        double x = bv->countries[i].x, y = bv->countries[i].y;
        static const double shifts[][2] = { { 0, 0 }, { 0, -1.5 }, { 0, 1.5 }, { -0.5, 0 }, { 0.5, 0 }, { 0, -3 }, { 0, 3 } };
        for (size_t k = 0; k < sizeof(shifts) / sizeof(shifts[0]); k++) {
            render_box box = { x - w / 2 + shifts[k][0] * w, y - h / 2 + shifts[k][1] * h, 0, 0 };
            box.x1 = box.x0 + w;
            box.y1 = box.y0 + h;
            if (!box_in_image(d, &box) || collide_hits(&d->ci, &box)) continue;
            collide_add(&d->ci, &box);
            show_text(d, box.x0, box.y0, &COUNTRY_TEXT, 2.0);
            note_label(d, name, RENDER_LABEL_COUNTRY, x, y, &box);
            break;
        }
        sb_release(&up);
    }
}

/* --------------------------------------------------------------- furniture */

typedef struct {
    render_box title, legend, scale, attribution;
    int has_title, has_legend, has_scale, has_attribution;
    int scale_km;
    double scale_len_px;
} furniture;

static void panel_background(cairo_t *cr, const render_box *b, double ui)
{
    double r = 4 * ui;
    cairo_new_path(cr);
    cairo_arc(cr, b->x1 - r, b->y0 + r, r, -M_PI / 2, 0);
    cairo_arc(cr, b->x1 - r, b->y1 - r, r, 0, M_PI / 2);
    cairo_arc(cr, b->x0 + r, b->y1 - r, r, M_PI / 2, M_PI);
    cairo_arc(cr, b->x0 + r, b->y0 + r, r, M_PI, 1.5 * M_PI);
    cairo_close_path(cr);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
    cairo_fill_preserve(cr);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.25);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
}

/* A round scale length: 1, 2 or 5 times a power of ten, at most max_km. */
static int nice_km(double max_km)
{
    if (max_km < 1) return 0;
    double p = pow(10, floor(log10(max_km)));
    double best = p;
    if (2 * p <= max_km) best = 2 * p;
    if (5 * p <= max_km) best = 5 * p;
    return (int)best;
}

typedef struct {
    uint16_t type;
    size_t count;
} type_row;

static int by_count_desc(const void *a, const void *b)
{
    const type_row *p = a, *q = b;
    if (p->count != q->count) return p->count < q->count ? 1 : -1;
    return (p->type > q->type) - (p->type < q->type);
}

static void format_count(size_t n, char *out, size_t size)
{
    strbuf count = STRBUF_INIT;
    sb_add_thousands(&count, n);
    snprintf(out, size, "%s", count.buf);
    sb_release(&count);
}

/* Legend layout and drawing share one routine: with draw 0 it only
 * measures. */
static void legend(draw_ctx *d, const render_markers *ev, const events_drawn *ed, double x0, double y0, int draw,
                   double *w_out, double *h_out)
{
    double ui = d->ui, pad = 10 * ui, row = 19 * ui, y = y0 + pad, wmax = 0, w, h;
    cairo_t *cr = d->cr;
    type_row *rows = xmalloc((ev->n_types + 1) * sizeof(*rows));
    size_t n = 0;
    for (size_t t = 0; t < ev->n_types; t++)
        if (ed->type_count[t]) rows[n++] = (type_row){ (uint16_t)t, ed->type_count[t] };
    if (n) qsort(rows, n, sizeof(*rows), by_count_desc);
    set_font(d, 12.5, 1, 0);
    measure(d, "Event type", &w, &h);
    if (draw) show_text(d, x0 + pad, y, &TEXT, 0);
    wmax = fmax(wmax, w);
    y += h + 4 * ui;
    set_font(d, 12, 0, 0);
    for (size_t i = 0; i < n; i++) {
        char label[256], count[32];
        format_count(rows[i].count, count, sizeof(count));
        snprintf(label, sizeof(label), "%s (%s)", ev->types[rows[i].type], count);
        measure(d, label, &w, &h);
        double sw = 14 * ui;
        if (draw) {
            marker m = { (float)(x0 + pad + sw / 2), (float)(y + row / 2), (float)(5.5 * ui), rows[i].type };
            draw_marker(cr, &m, ev->colours[rows[i].type], ui);
            show_text(d, x0 + pad + sw + 6 * ui, y + (row - h) / 2, &TEXT, 0);
        }
        wmax = fmax(wmax, sw + 6 * ui + w);
        y += row;
    }
    free(rows);
    y += 6 * ui;
    if (!ed->density) {
        set_font(d, 12.5, 1, 0);
        measure(d, "Fatalities", &w, &h);
        if (draw) show_text(d, x0 + pad, y, &TEXT, 0);
        wmax = fmax(wmax, w);
        y += h + 4 * ui;
        static const int sizes[] = { 0, 10, 100 };
        double x = x0 + pad, rmax = marker_radius(100, ui);
        set_font(d, 11, 0, 0);
        for (size_t i = 0; i < 3; i++) {
            double r = marker_radius(sizes[i], ui);
            char t[16];
            snprintf(t, sizeof(t), "%d", sizes[i]);
            measure(d, t, &w, &h);
            if (draw) {
                cairo_new_path(cr);
                cairo_arc(cr, x + r, y + rmax * 2 - r, r, 0, 2 * M_PI);
                cairo_set_source_rgba(cr, 0.55, 0.55, 0.55, 0.35);
                cairo_fill_preserve(cr);
                cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
                cairo_set_line_width(cr, 1);
                cairo_stroke(cr);
                show_text(d, x + r - w / 2, y + rmax * 2 + 3 * ui, &TEXT, 0);
            }
            x += (i == 2 ? 2 * r : 2 * r + 16 * ui);
        }
        wmax = fmax(wmax, x - x0 - pad);
        y += rmax * 2 + 3 * ui + h;
    } else {
        set_font(d, 12.5, 1, 0);
        measure(d, "Events per pixel", &w, &h);
        if (draw) show_text(d, x0 + pad, y, &TEXT, 0);
        wmax = fmax(wmax, w);
        y += h + 5 * ui;
        double bw = 150 * ui, bh = 10 * ui;
        if (draw) {
            cairo_pattern_t *grad = cairo_pattern_create_linear(x0 + pad, 0, x0 + pad + bw, 0);
            cairo_pattern_add_color_stop_rgba(grad, 0, 0.15, 0.15, 0.15, 0.55);
            cairo_pattern_add_color_stop_rgba(grad, 1, 0.15, 0.15, 0.15, 0.95);
            cairo_rectangle(cr, x0 + pad, y, bw, bh);
            cairo_set_source(cr, grad);
            cairo_fill(cr);
            cairo_pattern_destroy(grad);
        }
        y += bh + 3 * ui;
        set_font(d, 11, 0, 0);
        char top[32];
        format_count(ed->density_max ? ed->density_max : 1, top, sizeof(top));
        measure(d, top, &w, &h);
        if (draw) {
            show_text(d, x0 + pad + bw - w, y, &TEXT, 0);
            measure(d, "1", &w, &h);
            show_text(d, x0 + pad, y, &TEXT, 0);
        }
        wmax = fmax(wmax, bw);
        y += h;
    }
    *w_out = wmax + 2 * pad;
    *h_out = y - y0 + pad;
}

/* Put the furniture in the corners: the title top left, unless more events
 * lie under it there than top right; the legend in whichever corner covers
 * the fewest events (bottom left first, then bottom right, top right, top
 * left - under the title when they share a corner); the scale bar and the
 * attribution stacked in a bottom corner the legend leaves free. */
static void layout_furniture(draw_ctx *d, const render_markers *ev, const events_drawn *ed, const render_view *v,
                             const render_style *st, furniture *f)
{
    double ui = d->ui, m = 12 * ui, w, h, w2 = 0, h2 = 0, W = d->width, H = d->height;
    memset(f, 0, sizeof(*f));
    int title_right = 0;
    if (st->title && *st->title) {
        set_font(d, 22, 1, 0);
        measure(d, st->title, &w, &h);
        if (st->subtitle && *st->subtitle) {
            set_font(d, 13, 0, 0);
            measure(d, st->subtitle, &w2, &h2);
        }
        double pw = fmin(fmax(w, w2) + 28 * ui, W - 2 * m);
        double ph = 12 * ui + h + (h2 ? h2 + 3 * ui : 0) + 12 * ui;
        render_box left = { m, m, m + pw, m + ph }, right = { W - m - pw, m, W - m, m + ph };
        title_right = events_under(ed, &right) < events_under(ed, &left);
        f->title = title_right ? right : left;
        f->has_title = 1;
    }
    double lw = 0, lh = 0;
    if (st->legend && ev && ed->type_count) {
        int any = 0;
        for (size_t t = 0; t < ev->n_types; t++) any |= ed->type_count[t] > 0;
        if (any) {
            legend(d, ev, ed, 0, 0, 0, &lw, &lh);
            f->has_legend = 1;
        }
    }
    /* the attribution and scale bar as one block */
    double aw = 0, ah = 0, sw = 0, sh = 0;
    if (st->attribution && *st->attribution) {
        set_font(d, 10.5, 0, 0);
        measure(d, st->attribution, &aw, &ah);
        aw += 12 * ui;
        ah += 6 * ui;
        f->has_attribution = 1;
    }
    if (st->scale_bar && v->km_per_px > 0) {
        double max_px = fmin(W / 5.0, 260 * ui);
        f->scale_km = nice_km(max_px * v->km_per_px);
        if (f->scale_km > 0) {
            f->scale_len_px = f->scale_km / v->km_per_px;
            sw = f->scale_len_px + 60 * ui;
            sh = 40 * ui;
            f->has_scale = 1;
        }
    }
    int legend_corner = 0; /* 0 bottom left, 1 bottom right, 2 top right, 3 top left */
    if (f->has_legend) {
        size_t best = SIZE_MAX;
        for (int k = 0; k < 4; k++) {
            render_box box;
            double top = m;
            if (f->has_title && (k == 3) != title_right && k >= 2) top = f->title.y1 + 8 * ui;
            switch (k) {
            case 0: box = (render_box){ m, H - m - lh, m + lw, H - m }; break;
            case 1: box = (render_box){ W - m - lw, H - m - lh, W - m, H - m }; break;
            case 2: box = (render_box){ W - m - lw, top, W - m, top + lh }; break;
            default: box = (render_box){ m, top, m + lw, top + lh }; break;
            }
            if (box.y1 > H - m || box.x0 < m) continue;
            size_t under = events_under(ed, &box);
            if (under < best) {
                best = under;
                f->legend = box;
                legend_corner = k;
            }
        }
        if (best == SIZE_MAX) f->legend = (render_box){ m, H - m - lh, m + lw, H - m };
    }
    int block_right = legend_corner != 1;
    double bottom = H - m;
    if (f->has_attribution) {
        f->attribution = block_right ? (render_box){ W - m - aw, bottom - ah, W - m, bottom }
                                     : (render_box){ m, bottom - ah, m + aw, bottom };
        bottom = f->attribution.y0 - 6 * ui;
    }
    if (f->has_scale)
        f->scale = block_right ? (render_box){ W - m - sw, bottom - sh, W - m, bottom }
                               : (render_box){ m, bottom - sh, m + sw, bottom };
}

static void draw_scale_bar(draw_ctx *d, const furniture *f)
{
    cairo_t *cr = d->cr;
    double ui = d->ui, x0 = f->scale.x0 + 14 * ui, len = f->scale_len_px;
    double y = f->scale.y0 + 10 * ui, bh = 6 * ui;
    for (int i = 0; i < 4; i++) {
        cairo_rectangle(cr, round(x0 + len * i / 4), round(y), round(len / 4), round(bh));
        if (i % 2) cairo_set_source_rgb(cr, 1, 1, 1);
        else cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
        cairo_fill(cr);
    }
    cairo_rectangle(cr, round(x0) + 0.5, round(y) + 0.5, round(len), round(bh));
    cairo_set_source_rgb(cr, 0.15, 0.15, 0.15);
    cairo_set_line_width(cr, 1);
    cairo_stroke(cr);
    set_font(d, 11, 0, 0);
    char t[48];
    double w, h;
    const int marks[] = { 0, f->scale_km / 2, f->scale_km };
    for (int i = 0; i < 3; i++) {
        if (i == 1 && f->scale_km % 2) continue;
        /* centred on its tick by the number alone, " km" trailing */
        snprintf(t, sizeof(t), "%d", marks[i]);
        measure(d, t, &w, &h);
        double tx = x0 + len * i / 2 - w / 2;
        if (i == 2) {
            snprintf(t, sizeof(t), "%d km", marks[i]);
            measure(d, t, &w, &h);
        }
        show_text(d, tx, y + bh + 3 * ui, &TEXT, 0);
    }
}

static void draw_furniture(draw_ctx *d, const render_markers *ev, const events_drawn *ed, const render_style *st,
                           const furniture *f)
{
    cairo_t *cr = d->cr;
    double ui = d->ui, w, h;
    if (f->has_title) {
        panel_background(cr, &f->title, ui);
        set_font(d, 22, 1, 0);
        measure(d, st->title, &w, &h);
        show_text(d, f->title.x0 + 14 * ui, f->title.y0 + 11 * ui, &TEXT, 0);
        if (st->subtitle && *st->subtitle) {
            double y = f->title.y0 + 11 * ui + h + 3 * ui;
            set_font(d, 13, 0, 0);
            measure(d, st->subtitle, &w, &h);
            show_text(d, f->title.x0 + 14 * ui, y, &PLACE_TEXT, 0);
        }
    }
    if (f->has_legend) {
        panel_background(cr, &f->legend, ui);
        legend(d, ev, ed, f->legend.x0, f->legend.y0, 1, &w, &h);
    }
    if (f->has_scale) {
        panel_background(cr, &f->scale, ui);
        draw_scale_bar(d, f);
    }
    if (f->has_attribution) {
        cairo_rectangle(cr, f->attribution.x0, f->attribution.y0, f->attribution.x1 - f->attribution.x0,
                        f->attribution.y1 - f->attribution.y0);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.75);
        cairo_fill(cr);
        set_font(d, 10.5, 0, 0);
        measure(d, st->attribution, &w, &h);
        show_text(d, f->attribution.x0 + 6 * ui, f->attribution.y0 + 3 * ui, &PLACE_TEXT, 0);
    }
}

/* -------------------------------------------------------------- the call */

/* Fontconfig (under Pango) keeps its configuration and font patterns for
 * the life of the process, and loses a few hundred bytes parsing its
 * configuration files (FcInitLoadConfigAndFonts, fontconfig 2.14); none of
 * it is ours to free.  LeakSanitizer reads its suppressions from this hook
 * when the program is built with it (the ASan test run); otherwise the
 * function is never called. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}

/* Cairo's premultiplied native-endian ARGB to straight RGBA bytes, in place. */
static void argb_to_rgba(render_image *img)
{
    for (int y = 0; y < img->height; y++) {
        uint8_t *row = img->rgba + (size_t)y * img->stride;
        for (int x = 0; x < img->width; x++) {
            uint32_t px;
            memcpy(&px, row + 4 * x, 4);
            uint32_t a = px >> 24, r = px >> 16 & 0xff, g = px >> 8 & 0xff, b = px & 0xff;
            if (a && a != 255) {
                r = (r * 255 + a / 2) / a;
                g = (g * 255 + a / 2) / a;
                b = (b * 255 + a / 2) / a;
            }
            row[4 * x] = (uint8_t)r;
            row[4 * x + 1] = (uint8_t)g;
            row[4 * x + 2] = (uint8_t)b;
            row[4 * x + 3] = (uint8_t)a;
        }
    }
}

int render_draw(render_basemap *b, const render_markers *ev, const render_view *v, const render_style *st,
                render_image *img, render_info *info, char **err)
{
    int rc = 0;
    if (info) memset(info, 0, sizeof(*info));
    if (!img || !img->rgba || img->width != v->width || img->height != v->height || img->stride != (size_t)img->width * 4)
        return em_error(err, EM_EUSAGE, "image is %dx%d, view is %dx%d", img ? img->width : 0, img ? img->height : 0,
                        v->width, v->height);
    if (ev && !ev->finished) return em_error(err, EM_EUSAGE, "render_draw: events not finished");
    render_style defaults;
    if (!st) {
        render_style_overview(&defaults);
        st = &defaults;
    }
    draw_ctx d;
    memset(&d, 0, sizeof(d));
    d.width = v->width;
    d.height = v->height;
    d.info = info;
    d.ui = fmin(fmax(sqrt((double)v->width * v->height) / 1385.6, 0.75), 2.5);
    if (v->kind == VIEW_TILE) d.ui = 0.85;
    basemap_view bv;
    memset(&bv, 0, sizeof(bv));
    events_drawn ed;
    memset(&ed, 0, sizeof(ed));
    cairo_surface_t *surface = cairo_image_surface_create_for_data(img->rgba, CAIRO_FORMAT_ARGB32, img->width,
                                                                   img->height, (int)img->stride);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(surface);
        return em_error(err, EM_EINTERNAL, "cannot start Cairo on a %dx%d image", img->width, img->height);
    }
    d.cr = cairo_create(surface);
    d.layout = pango_cairo_create_layout(d.cr);
    collide_init(&d.ci, d.width, d.height, 32);

    int labels = st->labels != RENDER_LABELS_NONE;
    if (b) {
        if ((rc = basemap_for_view(b, v, labels, &bv, err)) < 0) goto cleanup;
        draw_basemap(&d, &bv);
        if (info) info->used_10m = bv.used_10m;
    } else {
        cairo_set_source_rgb(d.cr, SEA.r, SEA.g, SEA.b);
        cairo_paint(d.cr);
    }
    if (ev) collect_events(&d, ev, v, st, &ed);
    if (info) info->density = ed.density;
    furniture f;
    layout_furniture(&d, ev, &ed, v, st, &f);
    if (f.has_title) note_panel(&d, &f.title);
    if (f.has_legend) note_panel(&d, &f.legend);
    if (f.has_scale) note_panel(&d, &f.scale);
    if (f.has_attribution) note_panel(&d, &f.attribution);
    if (info) info->scale_km = f.has_scale ? f.scale_km : 0;
    if (ev && (rc = draw_events(&d, ev, st, &ed, err)) < 0) goto cleanup;
    if (labels && ev) place_event_labels(&d, ev, &ed, st);
    if (b && st->places && (labels || v->kind == VIEW_TILE)) place_reference_places(&d, b, v);
    if (labels && b) place_country_labels(&d, &bv);
    draw_furniture(&d, ev, &ed, st, &f);
    if (st->frame) {
        cairo_rectangle(d.cr, 0.5, 0.5, d.width - 1, d.height - 1);
        cairo_set_source_rgb(d.cr, FRAME.r, FRAME.g, FRAME.b);
        cairo_set_line_width(d.cr, 1);
        cairo_stroke(d.cr);
    }
cleanup:
    g_object_unref(d.layout);
    cairo_destroy(d.cr);
    cairo_surface_flush(surface);
    cairo_surface_destroy(surface);
    collide_release(&d.ci);
    free(d.event_xy);
    basemap_view_release(&bv);
    events_drawn_release(&ed);
    if (rc < 0) {
        render_info_release(info);
        return rc;
    }
    argb_to_rgba(img);
    return 0;
}

void render_versions(struct strbuf *out)
{
    sb_addf(out, "%sCairo %s, Pango %s", out->len ? ", " : "", cairo_version_string(), pango_version_string());
    render_png_version(out);
}
