/* lp_sniff: the type of an uploaded file, decided from its first bytes only.
 *
 * Pure: no I/O, no allocation, so a fuzzer can call it. The name a client gave a
 * file and the type it declared are never consulted: a PDF called "photo.jpg" is a
 * PDF, and bytes that match no accepted type are refused. */
#ifndef LP_SNIFF_H
#define LP_SNIFF_H

#include <stdbool.h>
#include <stddef.h>

/* How many leading bytes lp_sniff_type needs to decide (fewer: unknown). */
#define LP_SNIFF_HEAD 16

typedef enum {
    LP_SNIFF_UNKNOWN = 0,
    LP_SNIFF_JPEG,
    LP_SNIFF_PNG,
    LP_SNIFF_WEBP,
    LP_SNIFF_PDF,
} lp_sniff_type_t;

/* The type of a file that starts with head[0..len). */
lp_sniff_type_t lp_sniff_type(const unsigned char *head, size_t len);

/* True for the types that are re-encoded as images (JPEG, PNG, WebP). */
bool lp_sniff_is_image(lp_sniff_type_t type);

/* The media type ("image/jpeg", ...); "application/octet-stream" for unknown. */
const char *lp_sniff_mime(lp_sniff_type_t type);

/* A short name ("jpeg", "png", "webp", "pdf"), as stored; "unknown" for unknown. */
const char *lp_sniff_name(lp_sniff_type_t type);

/* The type a short name stands for (LP_SNIFF_UNKNOWN for any other text or NULL). */
lp_sniff_type_t lp_sniff_from_name(const char *name);

#endif
