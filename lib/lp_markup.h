/* lp_markup: text made safe inside HTML and XML, the one escape every page, feed and
 * mail of lapor writes through (& < > " ' become entities; the control characters
 * that XML 1.0 forbids are dropped). */
#ifndef LP_MARKUP_H
#define LP_MARKUP_H

#include <stdio.h>

/* Writes text (NULL: nothing) escaped to out. */
void lp_markup_escape(FILE *out, const char *text);

#endif
