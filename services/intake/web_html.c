/* web_html: a growing buffer with an HTML escape and a URL query encoder. */
#include "web_html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct web_html_t {
    char *data;
    size_t len, cap;
    bool failed;
};

web_html_t *
web_html_new(void)
{
    web_html_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->cap = 8192;
    self->data = malloc(self->cap);
    if (!self->data) {
        free(self);
        return NULL;
    }
    self->data[0] = '\0';
    return self;
}

void
web_html_destroy(web_html_t **self_p)
{
    web_html_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    free(self->data);
    free(self);
    *self_p = NULL;
}

static void
s_append(web_html_t *self, const char *bytes, size_t n)
{
    if (self->failed || n == 0)
        return;
    if (self->len + n + 1 > self->cap) {
        size_t cap = self->cap;
        while (self->len + n + 1 > cap)
            cap *= 2;
        char *grown = realloc(self->data, cap);
        if (!grown) {
            self->failed = true;
            return;
        }
        self->data = grown;
        self->cap = cap;
    }
    memcpy(self->data + self->len, bytes, n);
    self->len += n;
    self->data[self->len] = '\0';
}

void
web_html_raw(web_html_t *self, const char *markup)
{
    if (markup)
        s_append(self, markup, strlen(markup));
}

void
web_html_text_n(web_html_t *self, const char *text, size_t len)
{
    size_t from = 0; /* start of the bytes not yet appended */

    for (size_t i = 0; i < len; i++) {
        const char *entity = NULL;
        switch (text[i]) {
        case '&':
            entity = "&amp;";
            break;
        case '<':
            entity = "&lt;";
            break;
        case '>':
            entity = "&gt;";
            break;
        case '"':
            entity = "&quot;";
            break;
        case '\'':
            entity = "&#39;";
            break;
        default:
            continue;
        }
        s_append(self, text + from, i - from);
        s_append(self, entity, strlen(entity));
        from = i + 1;
    }
    s_append(self, text + from, len - from);
}

void
web_html_text(web_html_t *self, const char *text)
{
    if (text)
        web_html_text_n(self, text, strlen(text));
}

void
web_html_fill(web_html_t *self, const char *template_text, const char *value)
{
    const char *hole = template_text ? strstr(template_text, "{}") : NULL;
    if (!hole) {
        web_html_text(self, template_text);
        return;
    }
    web_html_text_n(self, template_text, (size_t) (hole - template_text));
    web_html_text(self, value);
    web_html_text(self, hole + 2);
}

void
web_html_param(web_html_t *self, const char *value)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *) value; p && *p; p++) {
        char enc[3];
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            s_append(self, (const char *) p, 1);
            continue;
        }
        enc[0] = '%';
        enc[1] = hex[*p >> 4];
        enc[2] = hex[*p & 15];
        s_append(self, enc, 3); /* "%XX" needs no HTML escaping */
    }
}

void
web_html_long(web_html_t *self, long value)
{
    char text[24];
    int n = snprintf(text, sizeof text, "%ld", value);
    s_append(self, text, (size_t) n);
}

const char *
web_html_data(const web_html_t *self, size_t *len)
{
    if (self->failed)
        return NULL;
    if (len)
        *len = self->len;
    return self->data;
}
