/*
 * labels.c - the geometry of label placement: a collision index (a uniform
 * grid of buckets over the image, each box listed in every bucket it
 * touches, so a test looks at a handful of boxes whatever the number on the
 * map) and the candidate positions around a point, in the order
 * cartographers prefer them (Imhof: right of the point first, then left,
 * then above and below).  Text measuring and drawing are draw.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/render_int.h"
#include "util/strbuf.h"
#include "util/banned.h"

int render_box_intersects(const render_box *a, const render_box *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

void collide_init(collide_index *ci, int width, int height, double cell)
{
    memset(ci, 0, sizeof(*ci));
    ci->cell = cell > 1 ? cell : 1;
    ci->nx = (int)ceil(width / ci->cell) + 1;
    ci->ny = (int)ceil(height / ci->cell) + 1;
    ci->head = xcalloc((size_t)ci->nx * ci->ny, sizeof(uint32_t));
}

void collide_release(collide_index *ci)
{
    free(ci->head);
    free(ci->entries);
    free(ci->boxes);
    memset(ci, 0, sizeof(*ci));
}

/* The bucket range a box covers, clamped to the grid. */
static void cells_of(const collide_index *ci, const render_box *b, int *i0, int *j0, int *i1, int *j1)
{
    double x0 = floor(b->x0 / ci->cell), y0 = floor(b->y0 / ci->cell);
    double x1 = floor(b->x1 / ci->cell), y1 = floor(b->y1 / ci->cell);
    *i0 = x0 < 0 ? 0 : x0 >= ci->nx ? ci->nx - 1 : (int)x0;
    *j0 = y0 < 0 ? 0 : y0 >= ci->ny ? ci->ny - 1 : (int)y0;
    *i1 = x1 < 0 ? 0 : x1 >= ci->nx ? ci->nx - 1 : (int)x1;
    *j1 = y1 < 0 ? 0 : y1 >= ci->ny ? ci->ny - 1 : (int)y1;
}

int collide_hits(const collide_index *ci, const render_box *box)
{
    int i0, j0, i1, j1;
    cells_of(ci, box, &i0, &j0, &i1, &j1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++)
            for (uint32_t e = ci->head[(size_t)j * ci->nx + i]; e; e = ci->entries[e - 1].next)
                if (render_box_intersects(&ci->entries[e - 1].box, box)) return 1;
    return 0;
}

void collide_add(collide_index *ci, const render_box *box)
{
    int i0, j0, i1, j1;
    cells_of(ci, box, &i0, &j0, &i1, &j1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            ALLOC_GROW(ci->entries, ci->n_entries + 1, ci->alloc_entries);
            size_t bucket = (size_t)j * ci->nx + i;
            ci->entries[ci->n_entries].box = *box;
            ci->entries[ci->n_entries].next = ci->head[bucket];
            ci->head[bucket] = (uint32_t)++ci->n_entries;
        }
    ALLOC_GROW(ci->boxes, ci->n_boxes + 1, ci->alloc_boxes);
    ci->boxes[ci->n_boxes++] = *box;
}

int label_candidate(int k, double x, double y, double r, double w, double h, render_box *out)
{
    /* gap between the point's edge and the text */
    double g = r + 2.0, d = (r + 1.0) * 0.7071;
    double x0, y0;
    switch (k) {
    case 0: x0 = x + g; y0 = y - h / 2; break;                 /* right */
    case 1: x0 = x - g - w; y0 = y - h / 2; break;             /* left */
    case 2: x0 = x + d; y0 = y - d - h; break;                 /* above right */
    case 3: x0 = x + d; y0 = y + d; break;                     /* below right */
    case 4: x0 = x - w / 2; y0 = y - g - h; break;             /* above */
    case 5: x0 = x - w / 2; y0 = y + g; break;                 /* below */
    case 6: x0 = x - d - w; y0 = y - d - h; break;             /* above left */
    case 7: x0 = x - d - w; y0 = y + d; break;                 /* below left */
    default: return 0;
    }
    out->x0 = x0;
    out->y0 = y0;
    out->x1 = x0 + w;
    out->y1 = y0 + h;
    return 1;
}
