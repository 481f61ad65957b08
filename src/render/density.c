/*
 * density.c - events binned per pixel, for views with too many events for
 * markers: each event adds one to its pixel's count and votes for its type,
 * so binning costs one pass over the events and painting one pass over the
 * pixels, whatever the number of events.  A pixel is painted in the colour
 * of its dominant event type (a Boyer-Moore majority vote: exact whenever
 * one type has more than half of the pixel's events; averaging the colours
 * instead turns every mixed pixel a muddy brown), more opaque the more
 * events it holds (logarithmic: one event stays visible next to ten
 * thousand), and spread over its 5 x 5 neighbourhood at falling strength
 * so that isolated events stay readable at print resolution.  Events up to
 * the spread's reach outside the image are binned too, so that tiles meet
 * without a seam.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/strbuf.h"
#include "util/banned.h"

/* opacity of a bin holding one event, and of a full one */
#define ALPHA_MIN 0.6
#define ALPHA_MAX 0.95
/* how far a bin spreads, pixels (see W below) */
#define SPREAD_R 2

int density_init(density_bins *d, int width, int height)
{
    memset(d, 0, sizeof(*d));
    d->width = width;
    d->height = height;
    d->pad = SPREAD_R;
    d->stride = width + 2 * d->pad;
    d->bins = xcalloc((size_t)d->stride * (size_t)(height + 2 * d->pad), sizeof(*d->bins));
    return 0;
}

/* The bin of pixel x, y (-pad <= x < width + pad, the same for y). */
static density_bin *bin_at(const density_bins *d, int x, int y)
{
    return &d->bins[(size_t)(y + d->pad) * (size_t)d->stride + (size_t)(x + d->pad)];
}

uint32_t density_count(const density_bins *d, int x, int y)
{
    return bin_at(d, x, y)->count;
}

void density_release(density_bins *d)
{
    free(d->bins);
    memset(d, 0, sizeof(*d));
}

void density_add(density_bins *d, double x, double y, uint16_t type)
{
    if (!(x >= -d->pad && y >= -d->pad && x < d->width + d->pad && y < d->height + d->pad)) return;
    density_bin *b = bin_at(d, (int)floor(x), (int)floor(y));
    if (b->count == UINT32_MAX) return;
    if (++b->count > d->max) d->max = b->count;
    if (!b->votes) {
        b->type = type;
        b->votes = 1;
    } else if (b->type == type) {
        b->votes++;
    } else {
        b->votes--;
    }
}

double density_alpha(uint32_t count, uint32_t full)
{
    if (!count) return 0;
    double t = log1p((double)count) / log1p((double)(full ? full : 1));
    if (t > 1) t = 1;
    return ALPHA_MIN + (ALPHA_MAX - ALPHA_MIN) * t;
}

/* The spread: a bin's strength times W[dx] * W[dy] reaches the pixel
 * (dx, dy) away, and a pixel shows the strongest that reaches it.  As the
 * weights are a product, the maximum separates into a row pass and a column
 * pass: 10 lookups a pixel instead of 25. */
static const float W[2 * SPREAD_R + 1] = { 0.38f, 0.75f, 1.0f, 0.75f, 0.38f };

void density_paint(const density_bins *d, uint32_t full, const uint8_t (*colours)[3], uint8_t *argb, size_t stride)
{
    int w = d->width, h = d->height, pad = d->pad;
    if (!d->max) return;
    if (!full) full = d->max;
    /* strength by count: a table for the common small counts */
    enum { LUT = 1024 };
    float lut[LUT];
    for (uint32_t c = 0; c < LUT; c++) lut[c] = (float)density_alpha(c, full);
    /* rows (with the rim above and below): the strongest bin within
     * SPREAD_R along the row, for the image's columns */
    int rows = h + 2 * pad;
    size_t n = (size_t)w * rows;
    float *row_a = xmalloc(n * sizeof(float));
    const density_bin **row_src = xmalloc(n * sizeof(*row_src));
    for (int y = -pad; y < h + pad; y++) {
        float *ra = row_a + (size_t)(y + pad) * w;
        const density_bin **rs = row_src + (size_t)(y + pad) * w;
        for (int x = 0; x < w; x++) {
            float best = 0;
            const density_bin *src = NULL;
            for (int dx = -SPREAD_R; dx <= SPREAD_R; dx++) {
                const density_bin *b = bin_at(d, x + dx, y);
                uint32_t c = b->count;
                if (!c) continue;
                float v = (c < LUT ? lut[c] : (float)density_alpha(c, full)) * W[dx + SPREAD_R];
                if (v > best) {
                    best = v;
                    src = b;
                }
            }
            ra[x] = best;
            rs[x] = src;
        }
    }
    /* columns, then paint over what is there (premultiplied "over") */
    for (int y = 0; y < h; y++) {
        uint32_t *out = (uint32_t *)(argb + (size_t)y * stride);
        for (int x = 0; x < w; x++) {
            float best = 0;
            const density_bin *src = NULL;
            for (int dy = -SPREAD_R; dy <= SPREAD_R; dy++) {
                size_t k = (size_t)(y + dy + pad) * w + x;
                float v = row_a[k] * W[dy + SPREAD_R];
                if (v > best) {
                    best = v;
                    src = row_src[k];
                }
            }
            if (!src) continue;
            const uint8_t *c = colours[src->type];
            uint32_t dst = out[x];
            double a = best, ia = 1 - a;
            uint32_t A = (uint32_t)lround(a * 255 + ia * (dst >> 24));
            uint32_t R = (uint32_t)lround(c[0] * a + ia * (dst >> 16 & 0xff));
            uint32_t G = (uint32_t)lround(c[1] * a + ia * (dst >> 8 & 0xff));
            uint32_t B = (uint32_t)lround(c[2] * a + ia * (dst & 0xff));
            out[x] = A << 24 | R << 16 | G << 8 | B;
        }
    }
    free(row_a);
    free(row_src);
}
