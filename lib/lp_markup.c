/* lp_markup: HTML and XML escaping to a stdio stream. */
#include "lp_markup.h"

void
lp_markup_escape(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *) text; p && *p; p++) {
        switch (*p) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out); /* &apos; is not HTML 4; this is both */
            break;
        default:
            if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r')
                fputc(*p, out);
        }
    }
}
