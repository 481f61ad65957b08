/*
 * png.c - PNG through libpng, the one PNG encoder of the program (Cairo
 * draws, libpng encodes): to a file (written to a temporary name and
 * renamed, so a reader or a crashed run never sees half an image), to
 * memory (MBTiles), and back (for tests).
 *
 * Settings, by measurement (libpng 1.6.39, zlib; this machine; two
 * 1600x1200 overviews: 1M events as density / the seed report's markers):
 *
 *     level  filter   density map          marker map
 *       1    none     507 KB   26 ms       173 KB   20 ms
 *       3    none     496 KB   27 ms       169 KB   15 ms
 *       6    none     482 KB   46 ms       146 KB   28 ms   <- chosen
 *       6    sub      580 KB   52 ms       175 KB   36 ms
 *       6    all      574 KB   87 ms       169 KB   57 ms   (libpng's default)
 *       9    none     471 KB  205 ms       141 KB   83 ms
 *
 * No filter beats every filter on maps (15-20% smaller): flat fills leave
 * long runs that deflate matches as they are, while a filter turns the
 * anti-aliased edges and density dots into noise.  Level 6 is 3-14%
 * smaller than 3 for ~15 ms more; 9 saves 2-3% more at 3-4x the time.
 * Fully opaque images are written as RGB (a quarter fewer bytes to
 * compress), and with opts->palette an image of at most 256 colours as an
 * 8-bit palette PNG.
 */
#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/render_int.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/tempfile.h"
#include "util/banned.h"

#define PNG_FILTER_CHOSEN PNG_FILTER_NONE

int render_image_init(render_image *img, int width, int height, char **err)
{
    memset(img, 0, sizeof(*img));
    if (width < 1 || height < 1 || width > RENDER_MAX_SIDE || height > RENDER_MAX_SIDE)
        return em_error(err, EM_EUSAGE, "image size %dx%d is outside 1x1..%dx%d", width, height, RENDER_MAX_SIDE,
                        RENDER_MAX_SIDE);
    img->width = width;
    img->height = height;
    img->stride = (size_t)width * 4;
    img->rgba = xcalloc((size_t)height, img->stride);
    return 0;
}

void render_image_release(render_image *img)
{
    if (!img) return;
    free(img->rgba);
    memset(img, 0, sizeof(*img));
}

/* ------------------------------------------------------------- encoding */

typedef struct {
    char message[256];
    jmp_buf jmp;
} png_errctx;

static void on_png_error(png_structp png, png_const_charp msg)
{
    png_errctx *e = png_get_error_ptr(png);
    snprintf(e->message, sizeof(e->message), "%s", msg);
    longjmp(e->jmp, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

typedef struct {
    FILE *f;        /* or */
    strbuf *mem;
    int failed;
} png_sink;

static void sink_write(png_structp png, png_bytep data, size_t len)
{
    png_sink *s = png_get_io_ptr(png);
    if (s->failed) return;
    if (s->f) {
        if (fwrite(data, 1, len, s->f) != len) s->failed = 1;
    } else {
        sb_add(s->mem, data, len);
    }
}

static void sink_flush(png_structp png)
{
    (void)png;
}

/* The palette of img when it has at most 256 colours: fills pal (RGBA) and
 * idx (one byte a pixel); returns the colour count, or 0 for more. */
static int make_palette(const render_image *img, uint8_t pal[256][4], uint8_t *idx)
{
    /* open addressing on the 32-bit pixel value */
    enum { SLOTS = 1024 };
    uint32_t keys[SLOTS];
    int16_t vals[SLOTS];
    memset(vals, -1, sizeof(vals));
    int n = 0;
    uint32_t last_key = 0;
    int last_val = -1;
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->rgba + (size_t)y * img->stride;
        for (int x = 0; x < img->width; x++) {
            const uint8_t *p = row + 4 * x;
            uint32_t key = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            if (last_val >= 0 && key == last_key) {
                idx[(size_t)y * img->width + x] = (uint8_t)last_val;
                continue;
            }
            uint32_t h = (key * 2654435761u) >> 22;
            while (vals[h] >= 0 && keys[h] != key) h = (h + 1) & (SLOTS - 1);
            if (vals[h] < 0) {
                if (n == 256) return 0;
                keys[h] = key;
                vals[h] = (int16_t)n;
                memcpy(pal[n], p, 4);
                n++;
            }
            last_key = key;
            last_val = vals[h];
            idx[(size_t)y * img->width + x] = (uint8_t)last_val;
        }
    }
    return n;
}

static int is_opaque(const render_image *img)
{
    for (int y = 0; y < img->height; y++) {
        const uint8_t *row = img->rgba + (size_t)y * img->stride;
        for (int x = 0; x < img->width; x++)
            if (row[4 * x + 3] != 255) return 0;
    }
    return 1;
}

/* Encode into sink; 0, or EM_EIO / EM_EINTERNAL with *err (what prefixed). */
static int encode(const render_image *img, const render_png_opts *opts, png_sink *sink, const char *what,
                  char **err)
{
    png_errctx ectx;
    ectx.message[0] = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ectx, on_png_error, on_png_warning);
    if (!png) return em_error(err, EM_EINTERNAL, "%s: cannot start libpng", what);
    png_infop info = png_create_info_struct(png);
    /* what setjmp's return must see: volatile or untouched after it */
    uint8_t *volatile idx = NULL;
    uint8_t *volatile rowbuf = NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        return em_error(err, EM_EINTERNAL, "%s: cannot start libpng", what);
    }
    if (setjmp(ectx.jmp)) {
        png_destroy_write_struct(&png, &info);
        free(idx);
        free(rowbuf);
        return em_error(err, EM_EIO, "%s: cannot write PNG: %s", what, ectx.message);
    }
    png_set_write_fn(png, sink, sink_write, sink_flush);
    int level = opts && opts->level >= 0 && opts->level <= 9 ? opts->level : RENDER_PNG_LEVEL;
    png_set_compression_level(png, level);
    uint8_t pal[256][4];
    int n_pal = 0;
    if (opts && opts->palette) {
        idx = xmalloc((size_t)img->width * img->height);
        n_pal = make_palette(img, pal, idx);
    }
    int opaque = is_opaque(img);
    if (n_pal) {
        png_color colours[256];
        png_byte alpha[256];
        int any_alpha = 0;
        for (int i = 0; i < n_pal; i++) {
            colours[i].red = pal[i][0];
            colours[i].green = pal[i][1];
            colours[i].blue = pal[i][2];
            alpha[i] = pal[i][3];
            any_alpha |= pal[i][3] != 255;
        }
        int depth = n_pal <= 2 ? 1 : n_pal <= 4 ? 2 : n_pal <= 16 ? 4 : 8;
        png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, depth, PNG_COLOR_TYPE_PALETTE,
                     PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_PLTE(png, info, colours, n_pal);
        if (any_alpha) png_set_tRNS(png, info, alpha, n_pal, NULL);
        /* filters do not help indexed rows */
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
        png_write_info(png, info);
        if (depth < 8) png_set_packing(png);
        for (int y = 0; y < img->height; y++) png_write_row(png, idx + (size_t)y * img->width);
    } else {
        png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8,
                     opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
                     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
        png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_CHOSEN);
        png_write_info(png, info);
        if (opaque) {
            rowbuf = xmalloc((size_t)img->width * 3);
            for (int y = 0; y < img->height; y++) {
                const uint8_t *src = img->rgba + (size_t)y * img->stride;
                uint8_t *dst = rowbuf;
                for (int x = 0; x < img->width; x++, src += 4, dst += 3) {
                    dst[0] = src[0];
                    dst[1] = src[1];
                    dst[2] = src[2];
                }
                png_write_row(png, rowbuf);
            }
        } else {
            for (int y = 0; y < img->height; y++) png_write_row(png, img->rgba + (size_t)y * img->stride);
        }
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    free(idx);
    free(rowbuf);
    if (sink->failed) return em_error(err, EM_EIO, "%s: cannot write: %s", what, strerror(errno));
    return 0;
}

int render_png_encode(const render_image *img, const render_png_opts *opts, uint8_t **out, size_t *len,
                      char **err)
{
    *out = NULL;
    *len = 0;
    strbuf mem = STRBUF_INIT;
    png_sink sink = { NULL, &mem, 0 };
    int rc = encode(img, opts, &sink, "PNG", err);
    if (rc < 0) {
        sb_release(&mem);
        return rc;
    }
    *out = (uint8_t *)sb_detach(&mem, len);
    return 0;
}

int render_png_write(FILE *out, const char *name, const render_image *img, const render_png_opts *opts, char **err)
{
    png_sink sink = { out, NULL, 0 };
    int rc = encode(img, opts, &sink, name, err);
    if (!rc && (fflush(out) != 0 || ferror(out)))
        rc = em_error(err, EM_EIO, "%s: cannot write: %s", name, strerror(errno));
    return rc;
}

int render_png_save(const char *path, const render_image *img, const render_png_opts *opts, const char *point,
                    unsigned flags, char **err)
{
    tempfile t = TEMPFILE_INIT;
    int rc = tempfile_create(&t, path, point, flags, err);
    if (rc == 0) rc = render_png_write(tempfile_fp(&t), path, img, opts, err);
    if (rc == 0) rc = tempfile_commit(&t, err);
    tempfile_abort(&t);
    return rc;
}

/* ------------------------------------------------------------- decoding */

int render_png_read(const char *path, render_image *img, char **err)
{
    memset(img, 0, sizeof(*img));
    FILE *f = fopen(path, "rb");
    if (!f) return em_error(err, EM_EIO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t sig[8];
    if (fread(sig, 1, 8, f) != 8 || png_sig_cmp(sig, 0, 8)) {
        fclose(f);
        return em_error(err, EM_EINPUT, "%s: not a PNG file", path);
    }
    png_errctx ectx;
    ectx.message[0] = 0;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ectx, on_png_error, on_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fclose(f);
        return em_error(err, EM_EINTERNAL, "%s: cannot start libpng", path);
    }
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(ectx.jmp)) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        free(pixels);
        free(rows);
        memset(img, 0, sizeof(*img));
        return em_error(err, EM_EINPUT, "%s: bad PNG: %s", path, ectx.message);
    }
    png_init_io(png, f);
    png_set_sig_bytes(png, 8);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w < 1 || h < 1 || w > RENDER_MAX_SIDE || h > RENDER_MAX_SIDE) png_error(png, "image too large");
    int colour = png_get_color_type(png, info), depth = png_get_bit_depth(png, info);
    if (depth == 16) png_set_strip_16(png);
    if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (colour == PNG_COLOR_TYPE_GRAY || colour == PNG_COLOR_TYPE_GRAY_ALPHA) png_set_gray_to_rgb(png);
    if (!(colour & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_filler(png, 0xff, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    if (png_get_rowbytes(png, info) != (size_t)w * 4) png_error(png, "unexpected row size");
    pixels = xmalloc((size_t)w * h * 4);
    rows = xmalloc(h * sizeof(png_bytep));
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + (size_t)y * w * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    img->width = (int)w;
    img->height = (int)h;
    img->stride = (size_t)w * 4;
    img->rgba = pixels;
    return 0;
}

void render_png_version(struct strbuf *out)
{
    sb_addf(out, "%slibpng %s", out->len ? ", " : "", png_get_libpng_ver(NULL));
}
