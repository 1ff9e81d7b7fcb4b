/* lp_sniff: file types from magic bytes (JPEG, PNG, WebP, PDF). */
#include "lp_sniff.h"

#include <string.h>

static const struct {
    lp_sniff_type_t type;
    const char *name;
    const char *mime;
} s_types[] = {
    {LP_SNIFF_JPEG, "jpeg", "image/jpeg"},
    {LP_SNIFF_PNG, "png", "image/png"},
    {LP_SNIFF_WEBP, "webp", "image/webp"},
    {LP_SNIFF_PDF, "pdf", "application/pdf"},
};

lp_sniff_type_t
lp_sniff_type(const unsigned char *head, size_t len)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    if (!head)
        return LP_SNIFF_UNKNOWN;
    /* SOI followed by the first marker's 0xFF: every JPEG variant (JFIF, Exif, raw). */
    if (len >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
        return LP_SNIFF_JPEG;
    if (len >= sizeof png && memcmp(head, png, sizeof png) == 0)
        return LP_SNIFF_PNG;
    /* RIFF, a 32-bit length, then the form type WEBP and a VP8 chunk of some kind. */
    if (len >= 16 && memcmp(head, "RIFF", 4) == 0 && memcmp(head + 8, "WEBPVP8", 7) == 0)
        return LP_SNIFF_WEBP;
    /* The header must come first: a PDF with bytes before it is refused rather than
     * guessed at, because a browser's own sniffing might read it differently. */
    if (len >= 5 && memcmp(head, "%PDF-", 5) == 0)
        return LP_SNIFF_PDF;
    return LP_SNIFF_UNKNOWN;
}

bool
lp_sniff_is_image(lp_sniff_type_t type)
{
    return type == LP_SNIFF_JPEG || type == LP_SNIFF_PNG || type == LP_SNIFF_WEBP;
}

const char *
lp_sniff_mime(lp_sniff_type_t type)
{
    for (size_t i = 0; i < sizeof s_types / sizeof s_types[0]; i++)
        if (s_types[i].type == type)
            return s_types[i].mime;
    return "application/octet-stream";
}

const char *
lp_sniff_name(lp_sniff_type_t type)
{
    for (size_t i = 0; i < sizeof s_types / sizeof s_types[0]; i++)
        if (s_types[i].type == type)
            return s_types[i].name;
    return "unknown";
}

lp_sniff_type_t
lp_sniff_from_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof s_types / sizeof s_types[0]; i++)
        if (strcmp(s_types[i].name, name) == 0)
            return s_types[i].type;
    return LP_SNIFF_UNKNOWN;
}
