/* media_vips: the libvips side of media, run only inside lapor-intake-media. */
#include "media.h"

#include <stdio.h>
#include <vips/vips.h>

int
media_vips_start(const char *argv0)
{
    if (VIPS_INIT(argv0) != 0)
        return -1;
    /* Each file is read once: caching operations buys nothing and holds memory. */
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_concurrency_set(1);
    /* Only the loaders we sniff for are needed; never let a file reach one of the
     * loaders libvips marks as unfit for untrusted input. */
    vips_block_untrusted_set(TRUE);
    return 0;
}

/* Writes libvips' message to stderr for the operator (the helper's stderr is
 * intake's log) and clears it; the client gets ours. */
static void
s_vips_failed(const char *what)
{
    fprintf(stderr, "lapor-intake-media: %s: %s\n", what, vips_error_buffer());
    vips_error_clear();
}

static int
s_save(VipsImage *img, lp_sniff_type_t type, const char *out)
{
    switch (type) {
    case LP_SNIFF_PNG:
        return vips_pngsave(img, out, "strip", TRUE, NULL);
    case LP_SNIFF_WEBP:
        return vips_webpsave(img, out, "strip", TRUE, "Q", 85, NULL);
    default:
        return vips_jpegsave(img, out, "strip", TRUE, "Q", 85, NULL);
    }
}

int
media_vips_clean(const char *in, lp_sniff_type_t type, const intake_media_limits_t *limits,
                 const char *out, const char *thumb, int *width, int *height, lp_error_t *err)
{
    VipsImage *header = NULL, *clean = NULL, *small = NULL, *flat = NULL;
    VipsArrayDouble *white = NULL;
    int rc = -1;

    /* Opening reads the header only; no pixel is decoded before the check. */
    header = vips_image_new_from_file(in, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
    if (!header) {
        s_vips_failed("header");
        lp_error_set(err, LP_ERR_INVALID, NULL,
                     "cannot be read as an image (damaged or cut short)");
        goto done;
    }
    if ((int64_t) header->Xsize * header->Ysize > limits->max_pixels) {
        lp_error_set(err, LP_ERR_INVALID, NULL,
                     "has %d x %d pixels; at most %lld pixels are accepted", header->Xsize,
                     header->Ysize, (long long) limits->max_pixels);
        goto done;
    }
    /* thumbnail turns the picture upright from its orientation tag, shrinks while
     * decoding where the format allows, and never enlarges. A cut-short file fails
     * instead of being filled with grey. */
    if (vips_thumbnail(in, &clean, limits->long_side, "height", limits->long_side, "size",
                       VIPS_SIZE_DOWN, "fail_on", VIPS_FAIL_ON_TRUNCATED, NULL) != 0 ||
        s_save(clean, type, out) != 0) {
        s_vips_failed("clean");
        lp_error_set(err, LP_ERR_INVALID, NULL, "is damaged or cut short");
        goto done;
    }
    *width = clean->Xsize;
    *height = clean->Ysize;
    /* The thumbnail comes from the cleaned file: upright already, and ours. */
    if (vips_thumbnail(out, &small, INTAKE_MEDIA_THUMB_SIDE, "height", INTAKE_MEDIA_THUMB_SIDE,
                       "size", VIPS_SIZE_DOWN, NULL) != 0) {
        s_vips_failed("thumbnail");
        lp_error_set(err, LP_ERR_INVALID, NULL, "is damaged or cut short");
        goto done;
    }
    if (vips_image_hasalpha(small)) {
        white = vips_array_double_newv(1, 255.0);
        if (vips_flatten(small, &flat, "background", white, NULL) != 0) {
            s_vips_failed("flatten");
            lp_error_set(err, LP_ERR_SYSTEM, NULL, "could not be made into a thumbnail");
            goto done;
        }
    }
    if (vips_jpegsave(flat ? flat : small, thumb, "strip", TRUE, "Q", 80, NULL) != 0) {
        s_vips_failed("thumbnail");
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "could not be made into a thumbnail");
        goto done;
    }
    rc = 0;
done:
    if (white)
        vips_area_unref(VIPS_AREA(white));
    if (flat)
        g_object_unref(flat);
    if (small)
        g_object_unref(small);
    if (clean)
        g_object_unref(clean);
    if (header)
        g_object_unref(header);
    return rc;
}
