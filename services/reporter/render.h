/* render: HTML escaping, SVG bar charts and QR codes written as text (pure, no I/O
 * beyond the FILE given), so the dashboard works without JavaScript. */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>
#include <stdio.h>

typedef struct {
    const char *label;
    double value;
} render_item_t;

/* Writes text with &, <, >, " and ' escaped (safe in element text and quoted
 * attributes). NULL writes nothing. */
void render_html(FILE *out, const char *text);

/* A horizontal bar chart: one labelled bar per item, the value at its end.
 * title is the accessible name (role="img", <title>). */
void render_bars(FILE *out, const char *title, const render_item_t *items, size_t n, int width);

/* A column chart for a time series: one column per item, labels under some. */
void render_columns(FILE *out, const char *title, const render_item_t *items, size_t n, int width,
                    int height);

/* An inline SVG of the QR code of text (error correction M, 4-module quiet zone),
 * module_px pixels a module. Returns a new string (caller frees), or NULL when
 * text cannot be encoded. */
char *render_qr_svg(const char *text, int module_px);

#endif
