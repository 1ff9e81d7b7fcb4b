/* web_html: building an HTML page in memory, with one escape for every outside byte.
 *
 * web_html_raw takes markup the program wrote itself (string literals only);
 * everything else (user input, database text, translations) goes through
 * web_html_text, which escapes & < > " ' so the text is safe in element content and
 * in quoted attribute values alike. Values put into a URL query go through
 * web_html_param, which percent-encodes and then escapes. An allocation failure is
 * remembered and reported once by web_html_data, so callers need not check each
 * append. Pure: no I/O, no globals. */
#ifndef INTAKE_WEB_HTML_H
#define INTAKE_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

typedef struct web_html_t web_html_t;

/* A new empty page; NULL when out of memory. */
web_html_t *web_html_new(void);

/* Frees the page and sets *self_p to NULL. Accepts NULL. */
void web_html_destroy(web_html_t **self_p);

/* Appends markup written by the program itself, as is. */
void web_html_raw(web_html_t *self, const char *markup);

/* Appends text, HTML-escaped (NULL appends nothing). */
void web_html_text(web_html_t *self, const char *text);

/* Appends the first len bytes of text, HTML-escaped. */
void web_html_text_n(web_html_t *self, const char *text, size_t len);

/* Appends template with "{}" replaced by value, both escaped (a template without
 * "{}" is appended alone). */
void web_html_fill(web_html_t *self, const char *template_text, const char *value);

/* Appends value percent-encoded for a URL query (unreserved bytes stay), escaped. */
void web_html_param(web_html_t *self, const char *value);

/* Appends a decimal number. */
void web_html_long(web_html_t *self, long value);

/* The page so far (NUL-terminated) and its length; NULL when an append ran out of
 * memory. */
const char *web_html_data(const web_html_t *self, size_t *len);

#endif
