/* render: HTML escaping, SVG charts and QR codes. */
#include "render.h"

#include <qrencode.h>
#include "lp_markup.h"
#include <stdlib.h>
#include <string.h>

void
render_html(FILE *out, const char *text)
{
    lp_markup_escape(out, text);
}

static double
s_max(const render_item_t *items, size_t n)
{
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].value > max)
            max = items[i].value;
    return max > 0 ? max : 1;
}

/* A number as people read it: whole numbers without decimals. */
static void
s_number(FILE *out, double v)
{
    if (v == (double) (long long) v)
        fprintf(out, "%lld", (long long) v);
    else
        fprintf(out, "%.1f", v);
}

void
render_bars(FILE *out, const char *title, const render_item_t *items, size_t n, int width)
{
    const int row = 22, label_w = width * 2 / 5, value_w = 48;
    const int bar_w = width - label_w - value_w;
    double max = s_max(items, n);
    int height = (int) n * row + 4;

    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" "
            "viewBox=\"0 0 %d %d\" width=\"100%%\" style=\"max-width:%dpx\"><title>",
            width, height, width);
    render_html(out, title);
    fputs("</title>", out);
    for (size_t i = 0; i < n; i++) {
        int y = (int) i * row + 2;
        int w = (int) (items[i].value / max * bar_w);
        fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"12\">", label_w - 6,
                y + 15);
        render_html(out, items[i].label);
        fprintf(out, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#1f6f8b\"/>",
                label_w, y + 3, w > 0 ? w : (items[i].value > 0 ? 1 : 0), row - 6);
        fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\">", label_w + w + 4, y + 15);
        s_number(out, items[i].value);
        fputs("</text>", out);
    }
    fputs("</svg>", out);
}

void
render_columns(FILE *out, const char *title, const render_item_t *items, size_t n, int width,
               int height)
{
    const int top = 16, bottom = 30, left = 30;
    double max = s_max(items, n);
    double col = n ? (double) (width - left) / (double) n : 0;
    int plot = height - top - bottom;
    size_t every = n > 10 ? (n + 9) / 10 : 1; /* about ten labels whatever the range */

    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" class=\"chart\" "
            "viewBox=\"0 0 %d %d\" width=\"100%%\" style=\"max-width:%dpx\"><title>",
            width, height, width);
    render_html(out, title);
    fputs("</title>", out);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>", left,
            top + plot, width, top + plot);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">", left - 4,
            top + 4);
    s_number(out, max);
    fputs("</text>", out);
    for (size_t i = 0; i < n; i++) {
        int h = (int) (items[i].value / max * plot);
        double x = left + (double) i * col;
        fprintf(out, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#1f6f8b\">",
                x + col * 0.1, top + plot - h, col * 0.8, h);
        fputs("<title>", out);
        render_html(out, items[i].label);
        fputs(": ", out);
        s_number(out, items[i].value);
        fputs("</title></rect>", out);
        if (i % every == 0) {
            fprintf(out, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">",
                    x + col / 2, top + plot + 14);
            /* Days read best as MM-DD under a column. */
            const char *label = items[i].label ? items[i].label : "";
            render_html(out, strlen(label) == 10 ? label + 5 : label);
            fputs("</text>", out);
        }
    }
    fputs("</svg>", out);
}

char *
render_qr_svg(const char *text, int module_px)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = NULL;
    int size = 0;

    if (!qr)
        return NULL;
    if (module_px < 1)
        module_px = 4;
    size = qr->width + 8;
    out = open_memstream(&buf, &len);
    if (!out) {
        QRcode_free(qr);
        return NULL;
    }
    /* One path of unit squares in module coordinates; crispEdges keeps them sharp. */
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" role=\"img\" "
            "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
            "<title>QR</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" "
            "d=\"",
            size, size, size * module_px, size * module_px, size, size);
    for (int y = 0; y < qr->width; y++)
        for (int x = 0; x < qr->width; x++)
            if (qr->data[y * qr->width + x] & 1)
                fprintf(out, "M%d %dh1v1h-1z", x + 4, y + 4);
    fputs("\"/></svg>", out);
    fclose(out);
    QRcode_free(qr);
    return buf;
}
