/* media: photos re-encoded with libvips, so nothing a camera or phone wrote into a
 * file (EXIF, GPS position, camera serial, XMP, IPTC, ICC comments) reaches the
 * database; the picture is turned upright first, capped in size, and given a small
 * thumbnail. The size is checked from the header before any pixel is decoded, so
 * a small file that claims a huge picture (a decompression bomb) is refused cheaply. */
#ifndef INTAKE_MEDIA_H
#define INTAKE_MEDIA_H

#include <stdint.h>

#include "lp_error.h"
#include "lp_sniff.h"

#define INTAKE_MEDIA_THUMB_SIDE 320 /* pixels, long side of a thumbnail (JPEG) */

typedef struct {
    int64_t max_pixels; /* width x height of the original, at most */
    int long_side;      /* the cleaned image is at most this wide and high */
} intake_media_limits_t;

/* Reads the image at in (of the sniffed type), writes it upright, at most
 * long_side on each side, without any metadata, as the same type to out, and a
 * JPEG thumbnail to thumb; fills *width and *height of out. Returns 0, or -1 with
 * err: LP_ERR_INVALID (too many pixels, damaged or cut short; the message says
 * which) or LP_ERR_SYSTEM.
 *
 * The decoding happens in a separate process, lapor-intake-media (beside
 * lapor-intake, or LAPOR_MEDIA_HELPER), with limits on its memory and time:
 * image decoders are where hostile files do harm, and libvips with its loaders
 * would add some 20 MB to every intake that never sees a photo. */
int intake_media_clean(const char *in, lp_sniff_type_t type, const intake_media_limits_t *limits,
                       const char *out, const char *thumb, int *width, int *height,
                       lp_error_t *err);

/* Inside lapor-intake-media only: start libvips (small cache, one thread), and
 * the cleaning itself, with the contract of intake_media_clean. */
int media_vips_start(const char *argv0);
int media_vips_clean(const char *in, lp_sniff_type_t type, const intake_media_limits_t *limits,
                     const char *out, const char *thumb, int *width, int *height, lp_error_t *err);

#endif
