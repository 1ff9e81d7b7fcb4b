/* web_page: the frame every HTML page of intake shares (web.c writes it): head
 * with the inline style allowed by hash, header and language switch, footer, the
 * headers sent with every page (Content-Security-Policy without any script).
 * For intake's own page files (web.c, portal*.c); not a public interface. */
#ifndef INTAKE_WEB_PAGE_H
#define INTAKE_WEB_PAGE_H

#include "intake-private.h"
#include "web_html.h"
#include "web_text.h"

typedef struct {
    intake_t *self;
    lp_http_req_t *req;
    web_lang_t lang;
    web_html_t *h;
    const lp_refdata_t *ref;
} web_page_t;

/* Sets p up for a page answering req (language from ?lang=). False after
 * answering 500 itself (out of memory). Close it with web_page_close. */
bool web_page_open(intake_t *self, lp_http_req_t *req, web_page_t *p);
void web_page_close(web_page_t *p);

/* The top of a page; the language switch leads to path (plus ?name=value when
 * name is not NULL) in the other language. */
void web_page_begin(web_page_t *p, const char *title, const char *path, const char *name,
                    const char *value);

/* The bottom of a page. */
void web_page_end(web_page_t *p);

/* Sends the page with status and the headers every page has. */
void web_page_send(web_page_t *p, unsigned status);

/* 303 See Other to location (a path the program built). */
void web_page_redirect(lp_http_req_t *req, const char *location);

/* Writes path?name=value, with &lang=en when the page is English (escaped). */
void web_page_href(web_page_t *p, const char *path, const char *name, const char *value);

/* An ISO 8601 UTC time as "12 Mei 2025, 14.00 WITA". */
void web_page_date(web_page_t *p, const char *iso);

/* A labelled textarea of at most max characters (id unique on the page). */
void web_page_textarea(web_page_t *p, const char *id, const char *name, web_text_id_t label,
                       int max, bool required);

/* The attachments of a view (intake_view_attachments) as thumbnails linking to the
 * files; query (may be NULL) is appended to every link. Nothing when empty. */
void web_page_attachments(web_page_t *p, json_t *list, const char *query);

/* The history list of a view (at, status, note) in plain words. */
void web_page_history(web_page_t *p, json_t *view);

/* A whole 404 page, and a whole 405 page with Allow. */
void web_page_not_found(web_page_t *p);
void web_page_not_allowed(web_page_t *p, const char *allow);

#endif
