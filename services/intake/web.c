/* web: the citizens' pages: home, the form with its place steps, receipt, tracking. */
#define _GNU_SOURCE /* strcasestr */
#include "web.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "attach.h"
#include "lp_log.h"
#include "media.h"
#include "urlform.h"
#include "web_html.h"
#include "web_page.h"
#include "citizen.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "web_text.h"
#include "web_token.h"

#define CSRF_COOKIE "lapor_csrf"
#define RECEIPT_COOKIE "lapor_receipt"
#define CSRF_MAX_AGE_S (6 * 3600) /* long enough to write a complaint on a slow phone */
#define RECEIPT_MAX_AGE_S (15 * 60)
#define SEARCH_MIN 3
#define SEARCH_MAX_LEN 60
#define SEARCH_MAX_RESULTS 30
#define WITA_OFFSET_S (8 * 3600) /* Kalimantan Timur keeps Central Indonesian Time */
#define MAX_FIELD_ERRORS 12

/* -------------------------------------------------------------------------- */
/* Style and Content-Security-Policy                                          */

/* Small enough to inline on every page (no second request on a slow line); the
 * policy allows exactly this style by its hash and no script at all. */
static const char s_css[] =
    "body{font:1rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:0 1rem;"
    "color:#1a1a1a;background:#fff}"
    "header{border-bottom:3px solid #8b0000;padding:.5rem 0}"
    ".brand{font-weight:700;font-size:1.4rem;color:#8b0000;text-decoration:none;margin-right:.5rem}"
    "nav a{display:inline-block;margin:.3rem 1rem .3rem 0}"
    "a{color:#0645ad}"
    "a:focus,input:focus,select:focus,textarea:focus,button:focus{outline:3px solid #c25400;"
    "outline-offset:2px}"
    "label,legend{display:block;font-weight:600;margin-top:1rem}"
    ".choice{margin:.4rem 0}.choice label{display:inline;font-weight:400}"
    "input[type=text],input[type=tel],input[type=email],input[type=search],input[type=password],"
    "select,textarea{"
    "display:block;width:100%;box-sizing:border-box;font:inherit;padding:.4rem;"
    "border:2px solid #555;background:#fff;color:#1a1a1a}"
    "textarea{min-height:9rem}"
    ".hint{color:#444;margin:.2rem 0;font-size:.95rem}"
    ".error{color:#b00020;font-weight:600;margin:.2rem 0}"
    ".bad input,.bad textarea,.bad select{border-color:#b00020}"
    ".errors{border:3px solid #b00020;padding:0 1rem;margin:1rem 0}"
    "fieldset{border:0;padding:0;margin:0}"
    "button{font:inherit;font-weight:600;background:#0b4f9c;color:#fff;border:0;"
    "padding:.6rem 1.2rem;margin-top:1rem}"
    ".big{display:block;font-size:2.4rem;font-weight:700;letter-spacing:.08em}"
    ".text{white-space:pre-wrap;overflow-wrap:anywhere}"
    "dt{font-weight:600}dd{margin:0 0 .5rem 0}"
    ".overdue{border-left:.5rem solid #b00020;padding-left:.6rem}"
    ".flag{font-weight:700;color:#b00020}"
    ".msg{border:3px solid #0b4f9c;padding:.5rem 1rem;margin:1rem 0}"
    ".queue li{margin:.8rem 0}.current{font-weight:700}"
    ".box{border:1px solid #999;padding:0 1rem 1rem;margin:1rem 0}"
    ".files{list-style:none;padding:0}.files li{display:inline-block;margin:.3rem .6rem .3rem 0;"
    "vertical-align:top}.files img{max-width:100%;height:auto;border:1px solid #999}"
    "footer{margin:2rem 0;border-top:1px solid #ccc;color:#444;font-size:.9rem}";

static char s_csp[256];
static pthread_once_t s_csp_once = PTHREAD_ONCE_INIT;

static void
s_csp_init(void)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];

    crypto_hash_sha256(digest, (const unsigned char *) s_css, sizeof s_css - 1);
    sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    snprintf(s_csp, sizeof s_csp,
             "default-src 'none'; style-src 'sha256-%s'; img-src 'self'; form-action 'self'; "
             "frame-ancestors 'none'; base-uri 'none'",
             b64);
}

/* -------------------------------------------------------------------------- */
/* Page frame                                                                  */

typedef web_page_t s_page_t;

static const char *
s_t(const s_page_t *p, web_text_id_t id)
{
    return web_text(p->lang, id);
}

/* Writes path?name=value&lang=en (lang only when English; name may be NULL). */
static void
s_href_lang(web_html_t *h, web_lang_t lang, const char *path, const char *name, const char *value)
{
    web_html_text(h, path);
    if (name) {
        web_html_raw(h, "?");
        web_html_text(h, name);
        web_html_raw(h, "=");
        web_html_param(h, value);
    }
    if (lang == WEB_LANG_EN)
        web_html_raw(h, name ? "&amp;lang=en" : "?lang=en");
}

static void
s_href(s_page_t *p, const char *path, const char *name, const char *value)
{
    s_href_lang(p->h, p->lang, path, name, value);
}

/* The top of every page; the language switch leads to the same page (path, plus
 * one query parameter when name is not NULL) in the other language. */
static void
s_begin(s_page_t *p, const char *title, const char *path, const char *name, const char *value)
{
    web_lang_t other = p->lang == WEB_LANG_EN ? WEB_LANG_ID : WEB_LANG_EN;

    web_html_raw(p->h, "<!doctype html><html lang=\"");
    web_html_text(p->h, s_t(p, WT_LANG_CODE));
    web_html_raw(p->h, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                       "content=\"width=device-width,initial-scale=1\"><title>");
    web_html_text(p->h, title);
    web_html_raw(p->h, " - LAPOR!</title><style>");
    web_html_raw(p->h, s_css);
    web_html_raw(p->h, "</style></head><body><header><a class=\"brand\" href=\"");
    s_href(p, "/", NULL, NULL);
    web_html_raw(p->h, "\">LAPOR!</a><span>");
    web_html_text(p->h, s_t(p, WT_SITE_TAGLINE));
    web_html_raw(p->h, "</span><nav><a href=\"");
    s_href(p, "/lapor", NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_NAV_REPORT));
    web_html_raw(p->h, "</a><a href=\"");
    s_href(p, "/lacak", NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_NAV_TRACK));
    web_html_raw(p->h, "</a><a href=\"");
    s_href_lang(p->h, other, path, name, value);
    web_html_raw(p->h, "\" hreflang=\"");
    web_html_text(p->h, s_t(p, WT_OTHER_LANG));
    web_html_raw(p->h, "\" lang=\"");
    web_html_text(p->h, s_t(p, WT_OTHER_LANG));
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_OTHER_LANG_NAME));
    web_html_raw(p->h, "</a></nav></header><main>");
}

static void
s_end(s_page_t *p)
{
    web_html_raw(p->h, "</main><footer><p>");
    web_html_text(p->h, s_t(p, WT_HOME_SMS));
    web_html_raw(p->h, "</p></footer></body></html>");
}

/* Sends the page with the headers every page has. */
static void
s_send(s_page_t *p, unsigned status)
{
    size_t len = 0;
    const char *html = web_html_data(p->h, &len);

    pthread_once(&s_csp_once, s_csp_init);
    if (!html) {
        lp_http_reply(p->req, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
        return;
    }
    lp_http_add_header(p->req, "Content-Security-Policy", s_csp);
    lp_http_add_header(p->req, "Content-Language", s_t(p, WT_LANG_CODE));
    lp_http_reply(p->req, status, "text/html; charset=utf-8", html, len);
}

static void
s_redirect(lp_http_req_t *req, const char *location)
{
    lp_http_add_header(req, "Location", location);
    lp_http_reply(req, 303, "text/plain; charset=utf-8", "", 0);
}

/* A Set-Cookie value; Secure when intake sits behind TLS (--secure-cookies). */
static void
s_set_cookie(s_page_t *p, const char *name, const char *value, const char *attrs)
{
    char line[256];
    snprintf(line, sizeof line, "%s=%s; %s; HttpOnly%s", name, value, attrs,
             p->self->config->secure_cookies ? "; Secure" : "");
    lp_http_add_header(p->req, "Set-Cookie", line);
}

/* An ISO 8601 UTC time of the public view as "12 Mei 2025, 14.00 WITA". */
static void
s_date(s_page_t *p, const char *iso)
{
    struct tm tm = {0};
    time_t t = 0;
    char clock[16];

    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                       &tm.tm_hour, &tm.tm_min) != 5) {
        web_html_text(p->h, iso);
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    t = timegm(&tm) + WITA_OFFSET_S;
    gmtime_r(&t, &tm);
    web_html_long(p->h, tm.tm_mday);
    web_html_raw(p->h, " ");
    web_html_text(p->h, web_text_month(p->lang, tm.tm_mon + 1));
    web_html_raw(p->h, " ");
    web_html_long(p->h, tm.tm_year + 1900);
    snprintf(clock, sizeof clock, ", %02d%c%02d ", tm.tm_hour, p->lang == WEB_LANG_EN ? ':' : '.',
             tm.tm_min);
    web_html_raw(p->h, clock);
    web_html_text(p->h, s_t(p, WT_TIME_ZONE));
}

static void
s_not_found(s_page_t *p)
{
    s_begin(p, s_t(p, WT_PAGE_NOT_FOUND), "/", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_PAGE_NOT_FOUND));
    web_html_raw(p->h, "</h1><p><a href=\"");
    s_href(p, "/", NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_PAGE_NOT_FOUND_HINT));
    web_html_raw(p->h, "</a></p>");
    s_end(p);
    s_send(p, 404);
}

static void
s_not_allowed(s_page_t *p, const char *allow)
{
    lp_http_add_header(p->req, "Allow", allow);
    s_begin(p, s_t(p, WT_METHOD_NOT_ALLOWED), "/", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_METHOD_NOT_ALLOWED));
    web_html_raw(p->h, "</h1>");
    s_end(p);
    s_send(p, 405);
}

/* -------------------------------------------------------------------------- */
/* Home                                                                        */

static void
s_home(s_page_t *p)
{
    s_begin(p, s_t(p, WT_HOME_TITLE), "/", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_HOME_TITLE));
    web_html_raw(p->h, "</h1><p>");
    web_html_text(p->h, s_t(p, WT_HOME_INTRO));
    web_html_raw(p->h, "</p><h2>");
    web_html_text(p->h, s_t(p, WT_HOME_HOW));
    web_html_raw(p->h, "</h2><ol>");
    for (web_text_id_t id = WT_HOME_STEP_1; id <= WT_HOME_STEP_3; id++) {
        web_html_raw(p->h, "<li>");
        web_html_text(p->h, s_t(p, id));
        web_html_raw(p->h, "</li>");
    }
    web_html_raw(p->h, "</ol><p><a href=\"");
    s_href(p, "/lapor", NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_NAV_REPORT));
    web_html_raw(p->h, "</a></p><p><a href=\"");
    s_href(p, "/lacak", NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_NAV_TRACK));
    web_html_raw(p->h, "</a></p>");
    s_end(p);
    s_send(p, 200);
}

/* -------------------------------------------------------------------------- */
/* The place, step by step                                                     */

static bool
s_is_level(const lp_region_t *r, const char *level)
{
    return r && strcmp(r->level, level) == 0;
}

/* "Samurangau, Batu Sopang, Kabupaten Paser": the region and what contains it,
 * without the province (there is one). */
static void
s_place_path(s_page_t *p, const char *code)
{
    const lp_region_t *r = lp_refdata_region(p->ref, code);
    bool first = true;

    for (int depth = 0; r && depth < 5 && !s_is_level(r, "provinsi"); depth++) {
        if (!first)
            web_html_raw(p->h, ", ");
        web_html_text(p->h, r->name);
        first = false;
        r = r->parent[0] ? lp_refdata_region(p->ref, r->parent) : NULL;
    }
    if (first)
        web_html_text(p->h, code);
}

/* One place in a list: a village (or a whole district) is chosen and leads to the
 * form; anything larger leads one step down. */
static void
s_place_item(s_page_t *p, const lp_region_t *r, bool with_path)
{
    bool choose = s_is_level(r, "desa");
    web_html_raw(p->h, "<li><a href=\"");
    if (choose)
        s_href(p, "/lapor", "wilayah", r->code);
    else
        s_href(p, "/lapor/wilayah", "induk", r->code);
    web_html_raw(p->h, "\">");
    if (with_path)
        s_place_path(p, r->code);
    else
        web_html_text(p->h, r->name);
    web_html_raw(p->h, "</a></li>");
}

static void
s_place_search_box(s_page_t *p, const char *query)
{
    web_html_raw(p->h, "<form method=\"get\" action=\"/lapor/wilayah\" role=\"search\">"
                       "<label for=\"cari\">");
    web_html_text(p->h, s_t(p, WT_PLACE_SEARCH_LABEL));
    web_html_raw(p->h, "</label><input type=\"search\" id=\"cari\" name=\"cari\" maxlength=\"60\" "
                       "value=\"");
    web_html_text(p->h, query);
    web_html_raw(p->h, "\">");
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    web_html_raw(p->h, "<button type=\"submit\">");
    web_html_text(p->h, s_t(p, WT_PLACE_SEARCH_BUTTON));
    web_html_raw(p->h, "</button></form>");
}

static void
s_place_search(s_page_t *p, const char *query)
{
    size_t n = 0, shown = 0, qlen = strlen(query);
    const lp_region_t *all = lp_refdata_regions(p->ref, &n);

    web_html_raw(p->h, "<h2>");
    web_html_text(p->h, s_t(p, WT_PLACE_SEARCH_RESULTS));
    web_html_raw(p->h, "</h2>");
    if (intake_utf8_length(query) < SEARCH_MIN || qlen > SEARCH_MAX_LEN) {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_PLACE_SEARCH_SHORT));
        web_html_raw(p->h, "</p>");
        return;
    }
    web_html_raw(p->h, "<ul>");
    /* Villages and districts only: every regency is on the first step already. */
    for (size_t i = 0; i < n && shown < SEARCH_MAX_RESULTS; i++) {
        if ((s_is_level(&all[i], "desa") || s_is_level(&all[i], "kecamatan")) &&
            strcasestr(all[i].name, query)) {
            s_place_item(p, &all[i], true);
            shown++;
        }
    }
    web_html_raw(p->h, "</ul>");
    if (shown == 0) {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_PLACE_NO_RESULTS));
        web_html_raw(p->h, "</p>");
    }
}

/* The places directly inside parent ("" or a province: the regencies). */
static void
s_place_children(s_page_t *p, const lp_region_t *parent)
{
    size_t n = 0;
    const lp_region_t *all = lp_refdata_regions(p->ref, &n);

    web_html_raw(p->h, "<ul>");
    if (parent && s_is_level(parent, "kecamatan")) {
        web_html_raw(p->h, "<li><a href=\"");
        s_href(p, "/lapor", "wilayah", parent->code);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, WT_PLACE_WHOLE_DISTRICT));
        web_html_raw(p->h, "</a></li>");
    }
    for (size_t i = 0; i < n; i++) {
        const lp_region_t *r = &all[i];
        bool inside =
            parent ? strcmp(r->parent, parent->code) == 0
                   : r->parent[0] && s_is_level(lp_refdata_region(p->ref, r->parent), "provinsi");
        if (inside)
            s_place_item(p, r, false);
    }
    web_html_raw(p->h, "</ul>");
}

static void
s_place_page(s_page_t *p, unsigned status)
{
    const char *parent_code = lp_http_query(p->req, "induk");
    const char *query = lp_http_query(p->req, "cari");
    const lp_region_t *parent = lp_refdata_region(p->ref, parent_code);
    web_text_id_t step = WT_PLACE_REGENCY;

    if (parent && s_is_level(parent, "provinsi"))
        parent = NULL;
    if (parent && s_is_level(parent, "desa"))
        parent = lp_refdata_region(p->ref, parent->parent);
    if (parent)
        step = s_is_level(parent, "kabupaten") ? WT_PLACE_DISTRICT : WT_PLACE_VILLAGE;
    if (query)
        s_begin(p, s_t(p, WT_PLACE_TITLE), "/lapor/wilayah", "cari", query);
    else if (parent)
        s_begin(p, s_t(p, WT_PLACE_TITLE), "/lapor/wilayah", "induk", parent->code);
    else
        s_begin(p, s_t(p, WT_PLACE_TITLE), "/lapor/wilayah", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_PLACE_TITLE));
    web_html_raw(p->h, "</h1>");
    if (query)
        s_place_search(p, query);
    else {
        if (parent) {
            web_html_raw(p->h, "<p><strong>");
            s_place_path(p, parent->code);
            web_html_raw(p->h, "</strong></p>");
        }
        web_html_raw(p->h, "<h2>");
        web_html_text(p->h, s_t(p, step));
        web_html_raw(p->h, "</h2>");
        s_place_children(p, parent);
    }
    s_place_search_box(p, query);
    if (parent || query) {
        web_html_raw(p->h, "<p><a href=\"");
        s_href(p, "/lapor/wilayah", NULL, NULL);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, WT_PLACE_START_OVER));
        web_html_raw(p->h, "</a></p>");
    }
    s_end(p);
    s_send(p, status);
}

/* -------------------------------------------------------------------------- */
/* The form                                                                    */

typedef struct {
    intake_fields_t in; /* what the citizen sent (borrowed), to show again */
    lp_error_t errs[MAX_FIELD_ERRORS];
    size_t n_errs;
    web_text_id_t banner; /* WT__COUNT: none */
    const char *visit;    /* an outreach visit id from a kit's QR code (borrowed), or NULL */
    char attach_name[INTAKE_UPLOAD_NAME_MAX + 1]; /* the refused file, for the message */
    bool personal;                                /* the files were marked personal */
} s_form_t;

static const lp_error_t *
s_error_of(const s_form_t *f, const char *field)
{
    for (size_t i = 0; i < f->n_errs; i++)
        if (strcmp(f->errs[i].field, field) == 0)
            return &f->errs[i];
    return NULL;
}

/* The token of a new form, for the nonce in the browser's cookie (a new cookie
 * when it has none or a malformed one). */
static void
s_csrf_token_for(s_page_t *p, const char *attrs, const char *purpose, char token[WEB_TOKEN_LEN + 1])
{
    const char *nonce = lp_http_cookie(p->req, CSRF_COOKIE);
    char fresh[WEB_NONCE_LEN + 1];

    if (!web_token_nonce_ok(nonce)) {
        web_token_nonce(fresh);
        s_set_cookie(p, CSRF_COOKIE, fresh, attrs);
        nonce = fresh;
    }
    web_token_make(p->self->web_key, purpose, nonce, (int64_t) time(NULL), token);
}

static void
s_csrf_token(s_page_t *p, char token[WEB_TOKEN_LEN + 1])
{
    s_csrf_token_for(p, "Path=/lapor; SameSite=Lax", "csrf", token);
}

/* The error line under a field's label, and the attributes that tie it to the
 * input (aria-describedby lists the hint and the error). */
static void
s_field_open(s_page_t *p, const s_form_t *f, const char *id, const char *field, web_text_id_t label,
             web_text_id_t hint)
{
    const lp_error_t *e = s_error_of(f, field);
    web_html_raw(p->h, e ? "<div class=\"bad\"><label for=\"" : "<div><label for=\"");
    web_html_text(p->h, id);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, label));
    web_html_raw(p->h, "</label>");
    if (hint != WT__COUNT) {
        web_html_raw(p->h, "<p class=\"hint\" id=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "-hint\">");
        web_html_text(p->h, s_t(p, hint));
        web_html_raw(p->h, "</p>");
    }
    if (e) {
        web_html_raw(p->h, "<p class=\"error\" id=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "-error\">");
        web_html_text(p->h, s_t(p, web_text_field_error(field)));
        web_html_raw(p->h, "</p>");
    }
}

static void
s_described_by(s_page_t *p, const s_form_t *f, const char *id, const char *field, bool hint)
{
    bool bad = s_error_of(f, field) != NULL;
    if (!hint && !bad)
        return;
    web_html_raw(p->h, " aria-describedby=\"");
    if (hint) {
        web_html_text(p->h, id);
        web_html_raw(p->h, "-hint");
    }
    if (bad) {
        web_html_raw(p->h, hint ? " " : "");
        web_html_text(p->h, id);
        web_html_raw(p->h, "-error\" aria-invalid=\"true");
    }
    web_html_raw(p->h, "\"");
}

static void
s_input(s_page_t *p, const s_form_t *f, const char *id, const char *field, const char *type,
        web_text_id_t label, web_text_id_t hint, const char *value, int maxlength, bool required,
        const char *autocomplete)
{
    s_field_open(p, f, id, field, label, hint);
    web_html_raw(p->h, "<input type=\"");
    web_html_text(p->h, type);
    web_html_raw(p->h, "\" id=\"");
    web_html_text(p->h, id);
    web_html_raw(p->h, "\" name=\"");
    web_html_text(p->h, id);
    web_html_raw(p->h, "\" maxlength=\"");
    web_html_long(p->h, maxlength);
    web_html_raw(p->h, "\" value=\"");
    web_html_text(p->h, value);
    web_html_raw(p->h, "\"");
    if (autocomplete) {
        web_html_raw(p->h, " autocomplete=\"");
        web_html_text(p->h, autocomplete);
        web_html_raw(p->h, "\"");
    }
    if (required)
        web_html_raw(p->h, " required");
    s_described_by(p, f, id, field, hint != WT__COUNT);
    web_html_raw(p->h, "></div>");
}

/* A radio group: fieldset, legend, one labelled radio and one hint per choice. */
static void
s_radios(s_page_t *p, const s_form_t *f, const char *name, web_text_id_t legend,
         const char *const *values, const web_text_id_t *labels, const web_text_id_t *hints,
         const char *chosen)
{
    const lp_error_t *e = s_error_of(f, name);
    web_html_raw(p->h, e ? "<fieldset class=\"bad\"" : "<fieldset");
    if (e) {
        web_html_raw(p->h, " aria-describedby=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "-error\"");
    }
    web_html_raw(p->h, "><legend>");
    web_html_text(p->h, s_t(p, legend));
    web_html_raw(p->h, "</legend>");
    if (e) {
        web_html_raw(p->h, "<p class=\"error\" id=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "-error\">");
        web_html_text(p->h, s_t(p, web_text_field_error(name)));
        web_html_raw(p->h, "</p>");
    }
    for (size_t i = 0; values[i]; i++) {
        web_html_raw(p->h, "<div class=\"choice\"><input type=\"radio\" name=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "\" id=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "-");
        web_html_text(p->h, values[i]);
        web_html_raw(p->h, "\" value=\"");
        web_html_text(p->h, values[i]);
        web_html_raw(p->h, "\" aria-describedby=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "-");
        web_html_text(p->h, values[i]);
        web_html_raw(p->h, "-hint\"");
        if ((chosen && strcmp(chosen, values[i]) == 0) || (!chosen && i == 0))
            web_html_raw(p->h, " checked");
        web_html_raw(p->h, "> <label for=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "-");
        web_html_text(p->h, values[i]);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, labels[i]));
        web_html_raw(p->h, "</label><p class=\"hint\" id=\"");
        web_html_text(p->h, name);
        web_html_raw(p->h, "-");
        web_html_text(p->h, values[i]);
        web_html_raw(p->h, "-hint\">");
        web_html_text(p->h, s_t(p, hints[i]));
        web_html_raw(p->h, "</p></div>");
    }
    web_html_raw(p->h, "</fieldset>");
}

static void
s_category_select(s_page_t *p, const s_form_t *f)
{
    size_t n = 0;
    const lp_category_t *cats = lp_refdata_categories(p->ref, &n);
    const char *chosen = f->in.category ? f->in.category : "";

    s_field_open(p, f, "category", "category", WT_FORM_CATEGORY_LABEL, WT__COUNT);
    web_html_raw(p->h, "<select id=\"category\" name=\"category\"");
    s_described_by(p, f, "category", "category", false);
    web_html_raw(p->h, "><option value=\"\">");
    web_html_text(p->h, s_t(p, WT_CATEGORY_UNKNOWN));
    web_html_raw(p->h, "</option>");
    for (size_t i = 0; i < n; i++) {
        web_html_raw(p->h, "<option value=\"");
        web_html_text(p->h, cats[i].id);
        web_html_raw(p->h, strcmp(chosen, cats[i].id) == 0 ? "\" selected>" : "\">");
        web_html_text(p->h, p->lang == WEB_LANG_EN ? cats[i].name_en : cats[i].name_id);
        web_html_raw(p->h, "</option>");
    }
    web_html_raw(p->h, "</select></div>");
}

static void
s_error_summary(s_page_t *p, const s_form_t *f)
{
    static const struct {
        const char *field, *id;
    } anchors[] = {
        {"type", "type-pengaduan"}, {"title", "title"},          {"body", "body"},
        {"category", "category"},   {"region", "place"},         {"privacy", "privacy-public"},
        {"reporter.name", "name"},  {"reporter.phone", "phone"}, {"reporter.email", "email"},
        {"lampiran", "lampiran"},
    };
    if (f->banner == WT__COUNT && f->n_errs == 0)
        return;
    web_html_raw(p->h, "<div class=\"errors\" role=\"alert\"><p class=\"error\">");
    web_html_text(p->h, s_t(p, f->banner != WT__COUNT ? f->banner : WT_FORM_ERRORS));
    web_html_raw(p->h, "</p><ul>");
    for (size_t i = 0; i < f->n_errs; i++) {
        const char *anchor = "title";
        for (size_t j = 0; j < sizeof anchors / sizeof anchors[0]; j++)
            if (strcmp(anchors[j].field, f->errs[i].field) == 0)
                anchor = anchors[j].id;
        web_html_raw(p->h, "<li><a href=\"#");
        web_html_text(p->h, anchor);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, web_text_field_error(f->errs[i].field)));
        if (strcmp(f->errs[i].field, "lampiran") == 0 && f->attach_name[0]) {
            web_html_raw(p->h, " ");
            web_html_text(p->h, f->attach_name);
        }
        web_html_raw(p->h, "</a></li>");
    }
    web_html_raw(p->h, "</ul></div>");
}

/* The files: several at once, types the browser may offer (the server decides by
 * the bytes), and whether they hold the reporter's personal data. */
static void
s_files_input(s_page_t *p, const s_form_t *f)
{
    const intake_config_t *cfg = p->self->config;
    char number[24];

    s_field_open(p, f, "lampiran", "lampiran", WT_FORM_FILES_LABEL, WT__COUNT);
    /* The limits as configured, so the form never promises more than intake takes. */
    web_html_raw(p->h, "<p class=\"hint\" id=\"lampiran-hint\">");
    snprintf(number, sizeof number, "%ld", cfg->attach_max_files);
    web_html_fill(p->h, s_t(p, WT_FORM_FILES_COUNT), number);
    web_html_raw(p->h, " ");
    snprintf(number, sizeof number, "%.0f", cfg->attach_max_bytes / 1048576.0);
    web_html_fill(p->h, s_t(p, WT_FORM_FILES_SIZE), number);
    web_html_raw(p->h, " ");
    web_html_text(p->h, s_t(p, WT_FORM_FILES_HINT));
    web_html_raw(p->h, "</p>");
    web_html_raw(p->h, "<input type=\"file\" id=\"lampiran\" name=\"lampiran\" multiple "
                       "accept=\"image/jpeg,image/png,image/webp,application/pdf\"");
    s_described_by(p, f, "lampiran", "lampiran", true);
    web_html_raw(p->h, "></div><div class=\"choice\"><input type=\"checkbox\" "
                       "id=\"lampiran-pribadi\" name=\"lampiran_pribadi\" value=\"1\"");
    if (f->personal)
        web_html_raw(p->h, " checked");
    web_html_raw(p->h, "> <label for=\"lampiran-pribadi\">");
    web_html_text(p->h, s_t(p, WT_FORM_FILES_PERSONAL));
    web_html_raw(p->h, "</label></div>");
}

static void
s_form_page(s_page_t *p, const s_form_t *f, unsigned status)
{
    static const char *const types[] = {"pengaduan", "aspirasi", "informasi", NULL};
    static const web_text_id_t type_labels[] = {WT_TYPE_PENGADUAN, WT_TYPE_ASPIRASI,
                                                WT_TYPE_INFORMASI};
    static const web_text_id_t type_hints[] = {WT_TYPE_PENGADUAN_HINT, WT_TYPE_ASPIRASI_HINT,
                                               WT_TYPE_INFORMASI_HINT};
    static const char *const privacies[] = {"public", "anonymous", "confidential", NULL};
    static const web_text_id_t privacy_labels[] = {WT_PRIVACY_PUBLIC, WT_PRIVACY_ANONYMOUS,
                                                   WT_PRIVACY_CONFIDENTIAL};
    static const web_text_id_t privacy_hints[] = {WT_PRIVACY_PUBLIC_HINT, WT_PRIVACY_ANONYMOUS_HINT,
                                                  WT_PRIVACY_CONFIDENTIAL_HINT};
    const char *region = f->in.region ? f->in.region : "";
    bool known = lp_refdata_region(p->ref, region) != NULL;
    char token[WEB_TOKEN_LEN + 1], form_id[WEB_NONCE_LEN + 1];

    s_csrf_token(p, token);
    /* One id per form shown: a second press of its button is the same complaint; two
     * forms shown in the same second are two complaints. */
    web_token_nonce(form_id);
    s_begin(p, s_t(p, WT_FORM_TITLE), "/lapor", known ? "wilayah" : NULL, region);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_FORM_TITLE));
    web_html_raw(p->h, "</h1>");
    s_error_summary(p, f);
    /* multipart: files travel with the form, and it still works without script. */
    web_html_raw(p->h, "<form method=\"post\" action=\"/lapor\" accept-charset=\"utf-8\" "
                       "enctype=\"multipart/form-data\">"
                       "<input type=\"hidden\" name=\"csrf\" value=\"");
    web_html_text(p->h, token);
    web_html_raw(p->h, "\"><input type=\"hidden\" name=\"form\" value=\"");
    web_html_text(p->h, form_id);
    web_html_raw(p->h, "\"><input type=\"hidden\" name=\"lang\" value=\"");
    web_html_text(p->h, s_t(p, WT_LANG_CODE));
    web_html_raw(p->h, "\"><input type=\"hidden\" name=\"region\" value=\"");
    web_html_text(p->h, region);
    if (f->visit) {
        /* Came through an outreach kit's QR code: the complaint counts for the visit. */
        web_html_raw(p->h, "\"><input type=\"hidden\" name=\"kunjungan\" value=\"");
        web_html_text(p->h, f->visit);
    }
    web_html_raw(p->h, s_error_of(f, "region") ? "\"><div class=\"bad\" id=\"place\"><p><strong>"
                                               : "\"><div id=\"place\"><p><strong>");
    web_html_text(p->h, s_t(p, WT_PLACE_LABEL));
    web_html_raw(p->h, ":</strong> ");
    if (known)
        s_place_path(p, region);
    if (s_error_of(f, "region")) {
        web_html_raw(p->h, "</p><p class=\"error\">");
        web_html_text(p->h, s_t(p, WT_ERR_REGION));
    }
    web_html_raw(p->h, " <a href=\"");
    s_href(p, "/lapor/wilayah", known ? "induk" : NULL, region);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_PLACE_CHANGE));
    web_html_raw(p->h, "</a></p></div>");
    s_radios(p, f, "type", WT_FORM_TYPE_LEGEND, types, type_labels, type_hints, f->in.type);
    s_input(p, f, "title", "title", "text", WT_FORM_TITLE_LABEL, WT_FORM_TITLE_HINT, f->in.title,
            INTAKE_TITLE_MAX, true, NULL);
    s_field_open(p, f, "body", "body", WT_FORM_BODY_LABEL, WT_FORM_BODY_HINT);
    web_html_raw(p->h,
                 "<textarea id=\"body\" name=\"body\" rows=\"8\" maxlength=\"5000\" required");
    s_described_by(p, f, "body", "body", true);
    web_html_raw(p->h, ">");
    web_html_text(p->h, f->in.body);
    web_html_raw(p->h, "</textarea></div>");
    s_category_select(p, f);
    s_radios(p, f, "privacy", WT_FORM_PRIVACY_LEGEND, privacies, privacy_labels, privacy_hints,
             f->in.privacy);
    web_html_raw(p->h, "<fieldset><legend>");
    web_html_text(p->h, s_t(p, WT_FORM_CONTACT_LEGEND));
    web_html_raw(p->h, "</legend><p class=\"hint\">");
    web_html_text(p->h, s_t(p, WT_FORM_CONTACT_HINT));
    web_html_raw(p->h, "</p>");
    s_input(p, f, "name", "reporter.name", "text", WT_FORM_NAME_LABEL, WT__COUNT,
            f->in.reporter_name, INTAKE_NAME_MAX, false, "name");
    s_input(p, f, "phone", "reporter.phone", "tel", WT_FORM_PHONE_LABEL, WT_FORM_PHONE_HINT,
            f->in.reporter_phone, 32, false, "tel");
    s_input(p, f, "email", "reporter.email", "email", WT_FORM_EMAIL_LABEL, WT__COUNT,
            f->in.reporter_email, INTAKE_EMAIL_MAX, false, "email");
    web_html_raw(p->h, "</fieldset>");
    s_files_input(p, f);
    web_html_raw(p->h, "<button type=\"submit\">");
    web_html_text(p->h, s_t(p, WT_FORM_SUBMIT));
    web_html_raw(p->h, "</button></form>");
    s_end(p);
    s_send(p, status);
}

static void
s_form_get(s_page_t *p)
{
    s_form_t f = {.banner = WT__COUNT};
    const char *region = lp_http_query(p->req, "wilayah");

    /* The place comes first: a form without a known place is its first step. */
    if (!lp_refdata_region(p->ref, region)) {
        s_place_page(p, 200);
        return;
    }
    f.in.region = region;
    f.visit = lp_http_query(p->req, "kunjungan");
    s_form_page(p, &f, 200);
}

/* -------------------------------------------------------------------------- */
/* Submitting                                                                  */

static const char *
s_nonempty(const intake_urlform_t *form, const char *name)
{
    const char *v = intake_urlform_get(form, name);
    return v && *v ? v : NULL;
}

static void
s_receipt_location(s_page_t *p, const intake_receipt_t *receipt)
{
    char location[96];
    snprintf(location, sizeof location, "/lapor/terkirim/%s%s%s", receipt->tracking_id,
             receipt->duplicate ? "?dup=1" : "",
             p->lang == WEB_LANG_EN ? (receipt->duplicate ? "&lang=en" : "?lang=en") : "");
    s_redirect(p->req, location);
}

/* After a stored submission: the files are the new complaint's now, unless the
 * form was a repeat (the first sending's files are kept) or a near-duplicate (the
 * files join the first complaint, within its limit). */
static void
s_files_settle(s_page_t *p, const intake_receipt_t *receipt, intake_attachments_t *files)
{
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    intake_case_t first;
    lp_error_t err;

    if (files->n == 0 || receipt->replayed)
        return; /* the caller discards them */
    if (!receipt->duplicate) {
        files->n = 0;
        return;
    }
    lp_error_clear(&err);
    client = lp_store_pop(p->self->svc.store);
    coll = lp_store_collection(p->self->svc.store, client, LP_COLL_COMPLAINTS);
    if (intake_case_load(coll, receipt->tracking_id, &first) > 0)
        intake_attach_push(p->self, &first.oid, files, &err);
    files->n = 0; /* pushed, or deleted by intake_attach_push */
    mongoc_collection_destroy(coll);
    lp_store_push(p->self->svc.store, client);
}

static void
s_form_post(s_page_t *p)
{
    s_form_t f = {.banner = WT__COUNT};
    intake_urlform_t *decoded = NULL;
    const intake_urlform_t *form = NULL;
    intake_upload_t *up = intake_attach_upload(p->req);
    intake_attachments_t files = {.n = 0};
    bson_t refs = BSON_INITIALIZER;
    unsigned refused = 400;
    intake_complaint_t c;
    intake_submit_opts_t opts = {.channel = LAPOR__V1__CHANNEL__CHANNEL_WEB};
    intake_receipt_t receipt;
    lp_error_t err;
    size_t len = 0;
    const char *body = lp_http_body(p->req, &len);
    const char *ctype = lp_http_header(p->req, "Content-Type");
    const char *token = NULL, *nonce = lp_http_cookie(p->req, CSRF_COOKIE);
    char key[200], hash[65];
    unsigned char digest[crypto_hash_sha256_BYTES];

    memset(&c, 0, sizeof c);
    lp_error_clear(&err);
    if (!intake_rate_allow(p->self, p->req))
        return;
    /* multipart/form-data (with files, streamed in by attach.c) or the plain form. */
    if (up)
        form = intake_upload_finish(up, &err);
    else if (ctype && strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
        form = decoded = intake_urlform_decode(body, len, &err);
    if (!form) {
        f.banner = WT_ERR_FORM;
        s_form_page(p, &f, 400);
        bson_destroy(&refs);
        return;
    }
    p->lang = web_lang_from(intake_urlform_get(form, "lang"));
    f.in.type = s_nonempty(form, "type");
    f.in.privacy = s_nonempty(form, "privacy");
    f.in.title = intake_urlform_get(form, "title");
    f.in.body = intake_urlform_get(form, "body");
    f.in.category = s_nonempty(form, "category"); /* "": the router classifies */
    f.in.region = s_nonempty(form, "region");
    f.in.reporter_name = s_nonempty(form, "name");
    f.in.reporter_phone = intake_urlform_get(form, "phone");
    f.in.reporter_email = intake_urlform_get(form, "email");
    f.in.lang = s_t(p, WT_LANG_CODE);
    f.visit = s_nonempty(form, "kunjungan");
    f.personal = s_nonempty(form, "lampiran_pribadi") != NULL;
    opts.visit_id = f.visit;
    token = intake_urlform_get(form, "csrf");

    /* Not ours (or too old): show the form again, filled in, with a fresh token;
     * nothing is stored. */
    if (!web_token_nonce_ok(nonce) || !web_token_check(p->self->web_key, "csrf", nonce, token,
                                                       (int64_t) time(NULL), CSRF_MAX_AGE_S)) {
        lp_log(LP_LOG_INFO, "web.csrf_refused", "{s:b}", "cookie", nonce != NULL);
        f.banner = WT_FORM_EXPIRED;
        s_form_page(p, &f, 403);
        goto done;
    }
    if (intake_complaint_check_all(&f.in, &p->self->lookup, &c, f.errs, MAX_FIELD_ERRORS,
                                   &f.n_errs) != 0) {
        lp_metric_inc(p->self->rejected);
        lp_log(LP_LOG_INFO, "complaint.rejected", "{s:s,s:s,s:s}", "channel", "web", "field",
               f.errs[0].field, "message", f.errs[0].message);
        s_form_page(p, &f, 400);
        goto done;
    }
    /* The form's token makes a second press of the button (or a resent POST) answer
     * with the first complaint instead of storing it twice. */
    const char *form_id = intake_urlform_get(form, "form");
    snprintf(key, sizeof key, "web:%s:%s", token, web_token_nonce_ok(form_id) ? form_id : "");
    if (up)
        intake_upload_digest(up, hash);
    else {
        crypto_hash_sha256(digest, (const unsigned char *) body, len);
        sodium_bin2hex(hash, sizeof hash, digest, sizeof digest);
    }
    opts.idempotency_key = key;
    opts.request_hash = hash;
    /* The files are cleaned and stored before the complaint that refers to them. */
    if (up && intake_attach_store(p->self, up, f.personal, &files, &refused, &err) != 0) {
        if (refused == 503) {
            lp_http_add_header(p->req, "Retry-After", "5");
            f.banner = WT_ERR_BUSY;
        }
        else {
            const char *q1 = strchr(err.message, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
            snprintf(f.attach_name, sizeof f.attach_name, "%.*s", q2 ? (int) (q2 - q1 + 1) : 0,
                     q1 ? q1 : "");
            snprintf(f.errs[0].field, sizeof f.errs[0].field, "%s", "lampiran");
            snprintf(f.errs[0].message, sizeof f.errs[0].message, "%s", err.message);
            f.n_errs = 1;
        }
        s_form_page(p, &f, refused);
        goto done;
    }
    if (files.n > 0) {
        intake_attach_append(&files, &refs);
        opts.attachments = &refs;
    }
    if (intake_submit(p->self, &c, &opts, &receipt, &err) != 0) {
        if (err.code == LP_ERR_CONFLICT) {
            /* The same form sent again with other content: it needs a new token. */
            f.banner = WT_FORM_EXPIRED;
            s_form_page(p, &f, 409);
        }
        else {
            lp_log(LP_LOG_WARN, "complaint.not_stored", "{s:s}", "message", err.message);
            lp_http_add_header(p->req, "Retry-After", "5");
            f.banner = WT_ERR_BUSY;
            s_form_page(p, &f, 503);
        }
        goto done;
    }
    s_files_settle(p, &receipt, &files);
    if (!receipt.duplicate) {
        char proof[WEB_TOKEN_LEN + 1], attrs[96];
        web_token_make(p->self->web_key, "receipt", receipt.tracking_id, (int64_t) time(NULL),
                       proof);
        snprintf(attrs, sizeof attrs, "Path=/lapor/terkirim; SameSite=Strict; Max-Age=%d",
                 RECEIPT_MAX_AGE_S);
        s_set_cookie(p, RECEIPT_COOKIE, proof, attrs);
    }
    s_receipt_location(p, &receipt);
done:
    intake_attach_discard(p->self, &files); /* nothing refers to them */
    bson_destroy(&refs);
    intake_complaint_clear(&c);
    intake_urlform_destroy(&decoded);
}

/* -------------------------------------------------------------------------- */
/* The receipt                                                                 */

static const char *
s_view_str(json_t *view, const char *key)
{
    json_t *v = json_object_get(view, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Answers 404 or 503 when the complaint cannot be shown; true when it answered. */
static bool
s_find_failed(s_page_t *p, const lp_error_t *err)
{
    if (err->code != LP_ERR_DATABASE)
        return false;
    lp_http_add_header(p->req, "Retry-After", "5");
    s_begin(p, s_t(p, WT_ERR_BUSY), "/lacak", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_ERR_BUSY));
    web_html_raw(p->h, "</h1>");
    s_end(p);
    s_send(p, 503);
    return true;
}

static void
s_done(s_page_t *p, const char *raw_id)
{
    json_t *view = NULL;
    lp_error_t err;
    char complaint_id[25] = "", pin[LP_PIN_LEN + 1];
    const char *tid = NULL, *proof = lp_http_cookie(p->req, RECEIPT_COOKIE);
    bool duplicate = lp_http_query(p->req, "dup") != NULL;
    char path[64];

    lp_error_clear(&err);
    if (intake_public_find(p->self, raw_id, &view, complaint_id, &err) != 0) {
        if (!s_find_failed(p, &err))
            s_not_found(p);
        return;
    }
    tid = s_view_str(view, "tracking_id");
    snprintf(path, sizeof path, "/lapor/terkirim/%s", tid ? tid : "");
    s_begin(p, s_t(p, WT_DONE_TITLE), path, duplicate ? "dup" : NULL, "1");
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_DONE_TITLE));
    web_html_raw(p->h, "</h1>");
    if (duplicate) {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_DONE_DUPLICATE));
        web_html_raw(p->h, "</p>");
    }
    web_html_raw(p->h, "<p>");
    web_html_text(p->h, s_t(p, WT_DONE_TRACKING));
    web_html_raw(p->h, ": <strong class=\"big\" id=\"tracking-id\">");
    web_html_text(p->h, tid);
    web_html_raw(p->h, "</strong></p><p>");
    web_html_text(p->h, s_t(p, WT_DONE_KEEP));
    web_html_raw(p->h, "</p>");
    /* The PIN only for the browser that just sent the complaint, and only once. */
    if (!duplicate && tid && complaint_id[0] &&
        web_token_check(p->self->web_key, "receipt", tid, proof, (int64_t) time(NULL),
                        RECEIPT_MAX_AGE_S)) {
        lp_identity_pin(p->self->identity, complaint_id, pin);
        s_set_cookie(p, RECEIPT_COOKIE, "", "Path=/lapor/terkirim; SameSite=Strict; Max-Age=0");
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_DONE_PIN));
        web_html_raw(p->h, ": <strong class=\"big\" id=\"pin\">");
        web_html_text(p->h, pin);
        web_html_raw(p->h, "</strong></p><p>");
        web_html_text(p->h, s_t(p, WT_DONE_PIN_HINT));
        web_html_raw(p->h, "</p>");
    }
    web_html_raw(p->h, "<h2>");
    web_html_text(p->h, s_t(p, WT_DONE_NEXT));
    web_html_raw(p->h, "</h2><ol><li>");
    {
        /* The template's "{}" is the date, which has markup-free text of its own. */
        const char *tmpl = s_t(p, WT_DONE_NEXT_VERIFY);
        const char *hole = strstr(tmpl, "{}");
        web_html_text_n(p->h, tmpl, hole ? (size_t) (hole - tmpl) : strlen(tmpl));
        if (hole) {
            web_html_raw(p->h, "<strong>");
            s_date(p, s_view_str(view, "dispose_by"));
            web_html_raw(p->h, "</strong>");
            web_html_text(p->h, hole + 2);
        }
    }
    web_html_raw(p->h, "</li><li>");
    {
        char days[16];
        snprintf(days, sizeof days, "%ld", p->self->config->followup_days);
        web_html_fill(p->h, s_t(p, WT_DONE_NEXT_FOLLOWUP), days);
    }
    web_html_raw(p->h, "</li><li>");
    web_html_text(p->h, s_t(p, WT_DONE_NEXT_NOTIFY));
    web_html_raw(p->h, "</li></ol><p>");
    web_html_fill(p->h, s_t(p, WT_DONE_SMS), tid);
    web_html_raw(p->h, "</p><p><a href=\"");
    snprintf(path, sizeof path, "/lacak/%s", tid ? tid : "");
    s_href(p, path, NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_DONE_TRACK_LINK));
    web_html_raw(p->h, "</a></p>");
    s_end(p);
    s_send(p, 200);
    json_decref(view);
}

/* -------------------------------------------------------------------------- */
/* Tracking                                                                    */

static void
s_track_form(s_page_t *p, const char *value, bool not_found)
{
    web_html_raw(p->h, "<form method=\"get\" action=\"/lacak\"><label for=\"id\">");
    web_html_text(p->h, s_t(p, WT_TRACK_LABEL));
    web_html_raw(p->h, "</label>");
    if (not_found) {
        web_html_raw(p->h, "<p class=\"error\" id=\"id-error\" role=\"alert\">");
        web_html_text(p->h, s_t(p, WT_TRACK_NOT_FOUND));
        web_html_raw(p->h, "</p>");
    }
    web_html_raw(p->h, "<input type=\"text\" id=\"id\" name=\"id\" inputmode=\"numeric\" "
                       "maxlength=\"20\" autocomplete=\"off\" required value=\"");
    web_html_text(p->h, value);
    web_html_raw(p->h,
                 not_found ? "\" aria-describedby=\"id-error\" aria-invalid=\"true\">" : "\">");
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    web_html_raw(p->h, "<button type=\"submit\">");
    web_html_text(p->h, s_t(p, WT_TRACK_BUTTON));
    web_html_raw(p->h, "</button></form>");
}

static void
s_track_search(s_page_t *p)
{
    const char *raw = lp_http_query(p->req, "id");
    char id[LP_TRACKING_LEN + 1], location[48];

    if (raw && lp_tracking_normalize(raw, id) == 0) {
        snprintf(location, sizeof location, "/lacak/%s%s", id,
                 p->lang == WEB_LANG_EN ? "?lang=en" : "");
        s_redirect(p->req, location);
        return;
    }
    s_begin(p, s_t(p, WT_TRACK_TITLE), "/lacak", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_TRACK_TITLE));
    web_html_raw(p->h, "</h1>");
    s_track_form(p, raw, raw != NULL);
    s_end(p);
    s_send(p, raw ? 404 : 200);
}

static void
s_dt(s_page_t *p, web_text_id_t term)
{
    web_html_raw(p->h, "<dt>");
    web_html_text(p->h, s_t(p, term));
    web_html_raw(p->h, "</dt><dd>");
}

static void
s_history(s_page_t *p, json_t *view)
{
    json_t *history = json_object_get(view, "history"), *entry = NULL;
    size_t i = 0;

    web_html_raw(p->h, "<h2>");
    web_html_text(p->h, s_t(p, WT_TRACK_HISTORY));
    web_html_raw(p->h, "</h2><ol>");
    json_array_foreach (history, i, entry) {
        const char *note = s_view_str(entry, "note");
        web_html_raw(p->h, "<li>");
        s_date(p, s_view_str(entry, "at"));
        web_html_raw(p->h, ": ");
        web_html_text(p->h, s_t(p, web_text_status(s_view_str(entry, "status"))));
        if (note) {
            web_html_raw(p->h, "<br><span class=\"text\">");
            web_html_text(p->h, note);
            web_html_raw(p->h, "</span>");
        }
        web_html_raw(p->h, "</li>");
    }
    web_html_raw(p->h, "</ol>");
}

static void s_citizen_block(s_page_t *p, const char *tid, web_text_id_t problem);

/* The tracking page; problem (WT__COUNT: none) is shown in the reporter's block
 * after a refused action, with status. */
static void
s_track_page(s_page_t *p, const char *raw_id, unsigned status_code, web_text_id_t problem)
{
    json_t *view = NULL, *agency = NULL;
    lp_error_t err;
    const char *tid = NULL, *category = NULL, *status = NULL, *deadline = NULL;
    const char *region = NULL;
    char path[48];

    lp_error_clear(&err);
    if (intake_public_find(p->self, raw_id, &view, NULL, &err) != 0) {
        if (s_find_failed(p, &err))
            return;
        s_begin(p, s_t(p, WT_TRACK_TITLE), "/lacak", NULL, NULL);
        web_html_raw(p->h, "<h1>");
        web_html_text(p->h, s_t(p, WT_TRACK_TITLE));
        web_html_raw(p->h, "</h1>");
        s_track_form(p, raw_id, true);
        s_end(p);
        s_send(p, 404);
        return;
    }
    tid = s_view_str(view, "tracking_id");
    status = s_view_str(view, "status");
    category = s_view_str(view, "category");
    deadline = s_view_str(view, "deadline_at");
    region = s_view_str(json_object_get(view, "region"), "code");
    agency = json_object_get(view, "agency");
    snprintf(path, sizeof path, "/lacak/%s", tid ? tid : "");
    s_begin(p, s_t(p, WT_TRACK_TITLE), path, NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_fill(p->h, s_t(p, WT_TRACK_HEADING), tid);
    web_html_raw(p->h, "</h1><dl>");
    s_dt(p, WT_TRACK_STATUS);
    web_html_raw(p->h, "<strong id=\"status\">");
    web_html_text(p->h, s_t(p, web_text_status(status)));
    web_html_raw(p->h, "</strong></dd>");
    s_dt(p, WT_TRACK_AGENCY);
    if (json_is_object(agency) && s_view_str(agency, "name"))
        web_html_text(p->h, s_view_str(agency, "name"));
    else
        web_html_text(p->h, s_t(p, WT_TRACK_NO_AGENCY));
    web_html_raw(p->h, "</dd>");
    if (status && strcmp(status, "received") == 0 && s_view_str(view, "dispose_by")) {
        s_dt(p, WT_TRACK_DISPOSE_BY);
        s_date(p, s_view_str(view, "dispose_by"));
        web_html_raw(p->h, "</dd>");
    }
    if (deadline) {
        s_dt(p, WT_TRACK_DEADLINE);
        s_date(p, deadline);
        web_html_raw(p->h, "</dd>");
    }
    s_dt(p, WT_TRACK_TYPE);
    web_html_text(p->h, s_t(p, web_text_type(s_view_str(view, "type"))));
    web_html_raw(p->h, "</dd>");
    if (region) {
        s_dt(p, WT_TRACK_PLACE);
        s_place_path(p, region);
        web_html_raw(p->h, "</dd>");
    }
    if (category) {
        size_t n = 0;
        const lp_category_t *cats = lp_refdata_categories(p->ref, &n);
        const char *name = category;
        for (size_t i = 0; i < n; i++)
            if (strcmp(cats[i].id, category) == 0)
                name = p->lang == WEB_LANG_EN ? cats[i].name_en : cats[i].name_id;
        s_dt(p, WT_TRACK_CATEGORY);
        web_html_text(p->h, name);
        web_html_raw(p->h, "</dd>");
    }
    s_dt(p, WT_TRACK_SUBMITTED);
    s_date(p, s_view_str(view, "created_at"));
    web_html_raw(p->h, "</dd></dl>");
    /* The public view decides what is public: no title or body when confidential. */
    if (json_object_get(view, "title")) {
        web_html_raw(p->h, "<h2>");
        web_html_text(p->h, s_t(p, WT_TRACK_SUBJECT));
        web_html_raw(p->h, "</h2><p class=\"text\" id=\"subject\">");
        web_html_text(p->h, s_view_str(view, "title"));
        web_html_raw(p->h, "</p><h2>");
        web_html_text(p->h, s_t(p, WT_TRACK_BODY));
        web_html_raw(p->h, "</h2><p class=\"text\" id=\"report\">");
        web_html_text(p->h, s_view_str(view, "body"));
        web_html_raw(p->h, "</p>");
        web_page_attachments(p, json_object_get(view, "attachments"), NULL);
    }
    else {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_TRACK_CONFIDENTIAL));
        web_html_raw(p->h, "</p>");
    }
    s_history(p, view);
    if (tid)
        s_citizen_block(p, tid, problem);
    s_end(p);
    s_send(p, status_code);
    json_decref(view);
}

static void
s_track_show(s_page_t *p, const char *raw_id)
{
    s_track_page(p, raw_id, 200, WT__COUNT);
}

/* -------------------------------------------------------------------------- */
/* The reporter's forms on the tracking page (proved by the PIN)               */

#define LACAK_CSRF_ATTRS "Path=/lacak; SameSite=Lax"

static const struct {
    const char *key;
    web_text_id_t text;
} s_citizen_done[] = {
    {"balas", WT_CITIZEN_DONE_REPLY},
    {"terima", WT_CITIZEN_DONE_ACCEPT},
    {"tolak", WT_CITIZEN_DONE_REJECT},
};

static void
s_citizen_form(s_page_t *p, const char *tid, const char *action, const char *token)
{
    web_html_raw(p->h, "<form method=\"post\" action=\"/lacak/");
    web_html_text(p->h, tid);
    web_html_raw(p->h, "/");
    web_html_text(p->h, action);
    web_html_raw(p->h, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    web_html_text(p->h, token);
    web_html_raw(p->h, "\">");
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    web_html_raw(p->h, "<label for=\"pin-");
    web_html_text(p->h, action);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_CITIZEN_PIN));
    web_html_raw(p->h, "</label><input type=\"password\" id=\"pin-");
    web_html_text(p->h, action);
    web_html_raw(p->h, "\" name=\"pin\" inputmode=\"numeric\" pattern=\"[0-9]{6}\" "
                       "maxlength=\"6\" autocomplete=\"off\" required>");
}

static void
s_citizen_button(s_page_t *p, web_text_id_t text)
{
    web_html_raw(p->h, "<button type=\"submit\">");
    web_html_text(p->h, s_t(p, text));
    web_html_raw(p->h, "</button></form>");
}

/* "Untuk pelapor": what the reporter may do in this status. */
static void
s_citizen_block(s_page_t *p, const char *tid, web_text_id_t problem)
{
    static const char *const open[] = {"received", "disposed", "in_progress", "reopened", NULL};
    mongoc_client_t *client = lp_store_pop(p->self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(p->self->svc.store, client, LP_COLL_COMPLAINTS);
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    const char *pesan = lp_http_query(p->req, "pesan");
    char token[WEB_TOKEN_LEN + 1];
    intake_case_t c;
    lp_error_t err;
    bool resolved, reopenable, open_now, hide;

    lp_error_clear(&err);
    if (intake_case_load(coll, tid, &c) <= 0)
        goto done;
    resolved = strcmp(c.status, "resolved") == 0;
    reopenable = (resolved || strcmp(c.status, "closed") == 0) && c.resolved_at > 0 &&
                 lp_workdays_deadline(lp_refdata_calendar(p->ref), c.resolved_at,
                                      INTAKE_REOPEN_DAYS) >= lp_now_ms();
    open_now = strcmp(c.status, "postponed") == 0 || intake_one_of(c.status, open);
    if (!open_now && !resolved && !reopenable && !pesan && problem == WT__COUNT)
        goto done; /* nothing the reporter can do any more */
    /* The page is public: a confidential complaint's words stay off it. */
    hide = strcmp(c.privacy, "confidential") == 0;
    filter = BCON_NEW("_id", BCON_OID(&c.oid));
    projection = BCON_NEW("question.text", BCON_INT32(1), "answer.text", BCON_INT32(1));
    doc = lp_store_find_one(coll, filter, projection, &err);
    s_csrf_token_for(p, LACAK_CSRF_ATTRS, "lacak", token);
    web_html_raw(p->h, "<section class=\"box\" id=\"pelapor\"><h2>");
    web_html_text(p->h, s_t(p, WT_CITIZEN_TITLE));
    web_html_raw(p->h, "</h2>");
    for (size_t i = 0; pesan && i < sizeof s_citizen_done / sizeof s_citizen_done[0]; i++)
        if (strcmp(pesan, s_citizen_done[i].key) == 0) {
            web_html_raw(p->h, "<p class=\"msg\" role=\"status\" id=\"message\">");
            web_html_text(p->h, s_t(p, s_citizen_done[i].text));
            web_html_raw(p->h, "</p>");
        }
    if (problem != WT__COUNT) {
        web_html_raw(p->h, "<p class=\"msg error\" role=\"alert\" id=\"message\">");
        web_html_text(p->h, s_t(p, problem));
        web_html_raw(p->h, "</p>");
    }
    web_html_raw(p->h, "<p>");
    web_html_text(p->h, s_t(p, WT_CITIZEN_INTRO));
    web_html_raw(p->h, "</p>");
    if (strcmp(c.status, "postponed") == 0) {
        if (!hide) {
            web_html_raw(p->h, "<p class=\"text\" id=\"question\">");
            web_html_fill(p->h, s_t(p, WT_CITIZEN_QUESTION),
                          doc ? lp_doc_str(doc, "question.text") : "");
            web_html_raw(p->h, "</p>");
        }
        s_citizen_form(p, tid, "balas", token);
        web_page_textarea(p, "text-balas", "text", WT_CITIZEN_ANSWER_LABEL, 2000, true);
        s_citizen_button(p, WT_CITIZEN_SEND);
    }
    else if (intake_one_of(c.status, open)) {
        s_citizen_form(p, tid, "balas", token);
        web_page_textarea(p, "text-balas", "text", WT_CITIZEN_ADD_LABEL, 2000, true);
        s_citizen_button(p, WT_CITIZEN_SEND);
    }
    if ((resolved || reopenable) && !hide && doc && *lp_doc_str(doc, "answer.text")) {
        web_html_raw(p->h, "<p class=\"text\" id=\"answer\">");
        web_html_fill(p->h, s_t(p, WT_CITIZEN_AGENCY_ANSWER), lp_doc_str(doc, "answer.text"));
        web_html_raw(p->h, "</p>");
    }
    if (resolved) {
        s_citizen_form(p, tid, "terima", token);
        web_html_raw(p->h, "<label for=\"rating\">");
        web_html_text(p->h, s_t(p, WT_CITIZEN_RATING));
        web_html_raw(p->h, "</label><select id=\"rating\" name=\"rating\">");
        for (int r = 5; r >= 1; r--) {
            web_html_raw(p->h, "<option value=\"");
            web_html_long(p->h, r);
            web_html_raw(p->h, "\">");
            web_html_long(p->h, r);
            web_html_raw(p->h, "</option>");
        }
        web_html_raw(p->h, "</select>");
        web_page_textarea(p, "comment", "comment", WT_CITIZEN_COMMENT, 1000, false);
        s_citizen_button(p, WT_CITIZEN_ACCEPT);
    }
    if (reopenable) {
        s_citizen_form(p, tid, "tolak", token);
        web_page_textarea(p, "reason", "reason", WT_CITIZEN_REJECT_REASON, 1000, true);
        s_citizen_button(p, WT_CITIZEN_REJECT);
    }
    web_html_raw(p->h, "</section>");
done:
    if (doc)
        bson_destroy(doc);
    if (projection)
        bson_destroy(projection);
    if (filter)
        bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(p->self->svc.store, client);
}

/* What the page says for an action the reporter's functions refused. */
static web_text_id_t
s_citizen_problem(int rc, const lp_error_t *err, unsigned *status)
{
    *status = 400;
    if (rc == 0) {
        *status = 409;
        return WT_PORTAL_CHANGED;
    }
    if (err->code == LP_ERR_INVALID)
        return strcmp(err->field, "reason") == 0 ? WT_CITIZEN_REASON
               : strcmp(err->field, "text") == 0 ? WT_CITIZEN_TEXT
                                                 : WT_CITIZEN_RATING_ERR;
    if (err->code == LP_ERR_CONFLICT) {
        *status = 409;
        return WT_PORTAL_BAD_STATUS;
    }
    *status = 503;
    return WT_ERR_BUSY;
}

/* POST /lacak/<id>/<balas|terima|tolak> with the PIN. */
static void
s_track_post(s_page_t *p, const char *rest)
{
    const char *slash = strchr(rest, '/');
    const char *action = slash ? slash + 1 : "";
    const char *nonce = lp_http_cookie(p->req, CSRF_COOKIE);
    const char *ctype = lp_http_header(p->req, "Content-Type");
    intake_urlform_t *form = NULL;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    const intake_via_t via = {"web", NULL};
    char raw[32], tracking[LP_TRACKING_LEN + 1], location[64];
    const char *to = NULL;
    unsigned status = 400;
    web_text_id_t problem = WT__COUNT;
    intake_case_t c;
    lp_error_t err;
    size_t len = 0;
    const char *body = lp_http_body(p->req, &len);
    int rc = -1;

    lp_error_clear(&err);
    if (!slash || (strcmp(action, "balas") != 0 && strcmp(action, "terima") != 0 &&
                   strcmp(action, "tolak") != 0)) {
        s_not_found(p);
        return;
    }
    snprintf(raw, sizeof raw, "%.*s", (int) (slash - rest < 31 ? slash - rest : 31), rest);
    if (!intake_rate_allow(p->self, p->req))
        return;
    if (ctype && strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
        form = intake_urlform_decode(body, len, &err);
    if (form)
        p->lang = web_lang_from(intake_urlform_get(form, "lang"));
    if (!form || !web_token_nonce_ok(nonce) ||
        !web_token_check(p->self->web_key, "lacak", nonce, intake_urlform_get(form, "csrf"),
                         (int64_t) time(NULL), CSRF_MAX_AGE_S)) {
        lp_log(LP_LOG_INFO, "web.csrf_refused", "{s:b,s:s}", "cookie", nonce != NULL, "path",
               "lacak");
        s_track_page(p, raw, 403, WT_FORM_EXPIRED);
        goto done;
    }
    client = lp_store_pop(p->self->svc.store);
    coll = lp_store_collection(p->self->svc.store, client, LP_COLL_COMPLAINTS);
    rc = lp_tracking_normalize(raw, tracking) == 0 ? intake_case_load(coll, tracking, &c) : 0;
    if (rc <= 0) {
        if (rc < 0) {
            lp_metric_inc(p->self->db_errors);
            lp_http_add_header(p->req, "Retry-After", "5");
        }
        s_track_page(p, raw, rc < 0 ? 503 : 404, WT__COUNT);
        goto done;
    }
    switch (intake_citizen_pin_check(p->self, coll, &c, intake_urlform_get(form, "pin"),
                                     lp_http_client_ip(p->req))) {
    case INTAKE_PIN_OK:
        break;
    case INTAKE_PIN_WRONG:
        s_track_page(p, c.tracking, 403, WT_CITIZEN_PIN_WRONG);
        goto done;
    case INTAKE_PIN_WRONG_LOCKED:
    case INTAKE_PIN_LOCKED:
        lp_http_add_header(p->req, "Retry-After", "900");
        s_track_page(p, c.tracking, 429, WT_CITIZEN_PIN_LOCKED);
        goto done;
    case INTAKE_PIN_ERROR:
        lp_http_add_header(p->req, "Retry-After", "5");
        s_track_page(p, c.tracking, 503, WT_ERR_BUSY);
        goto done;
    }
    if (strcmp(action, "balas") == 0)
        rc = intake_citizen_reply(p->self, coll, &c, s_nonempty(form, "text"), &via, &to, &err);
    else if (strcmp(action, "terima") == 0) {
        const char *r = s_nonempty(form, "rating");
        int rating = !r ? 0 : (strlen(r) == 1 && *r >= '1' && *r <= '5') ? *r - '0' : -1;
        rc = intake_citizen_accept(p->self, coll, &c, rating, s_nonempty(form, "comment"), &via,
                                   &err);
    }
    else
        rc = intake_citizen_reject(p->self, coll, &c, s_nonempty(form, "reason"), &via, &err);
    if (rc > 0) {
        snprintf(location, sizeof location, "/lacak/%s?pesan=%s%s", c.tracking, action,
                 p->lang == WEB_LANG_EN ? "&lang=en" : "");
        s_redirect(p->req, location);
        goto done;
    }
    problem = s_citizen_problem(rc, &err, &status);
    s_track_page(p, c.tracking, status, problem);
done:
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        lp_store_push(p->self->svc.store, client);
    intake_urlform_destroy(&form);
}

/* -------------------------------------------------------------------------- */
/* Dispatch                                                                    */

static bool
s_is_get(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

bool
intake_web_handle(intake_t *self, lp_http_req_t *req)
{
    const char *path = lp_http_path(req);
    const char *method = lp_http_method(req);
    s_page_t page = {.self = self, .req = req};
    bool get = s_is_get(method);

    if (strcmp(path, "/") != 0 && strcmp(path, "/lapor") != 0 && strncmp(path, "/lapor/", 7) != 0 &&
        strcmp(path, "/lacak") != 0 && strncmp(path, "/lacak/", 7) != 0)
        return false;
    if (!web_page_open(self, req, &page))
        return true;
    if (strcmp(path, "/") == 0)
        get ? s_home(&page) : s_not_allowed(&page, "GET");
    else if (strcmp(path, "/lapor") == 0) {
        if (get)
            s_form_get(&page);
        else if (strcmp(method, "POST") == 0)
            s_form_post(&page);
        else
            s_not_allowed(&page, "GET, POST");
    }
    else if (strcmp(path, "/lapor/wilayah") == 0)
        get ? s_place_page(&page, 200) : s_not_allowed(&page, "GET");
    else if (strncmp(path, "/lapor/terkirim/", 16) == 0)
        get ? s_done(&page, path + 16) : s_not_allowed(&page, "GET");
    else if (strcmp(path, "/lacak") == 0)
        get ? s_track_search(&page) : s_not_allowed(&page, "GET");
    else if (strncmp(path, "/lacak/", 7) == 0 && strchr(path + 7, '/'))
        strcmp(method, "POST") == 0 ? s_track_post(&page, path + 7) : s_not_allowed(&page, "POST");
    else if (strncmp(path, "/lacak/", 7) == 0)
        get ? s_track_show(&page, path + 7) : s_not_allowed(&page, "GET");
    else
        s_not_found(&page);
    web_page_close(&page);
    return true;
}

/* -------------------------------------------------------------------------- */
/* The frame, for the other page files (web_page.h)                           */

bool
web_page_open(intake_t *self, lp_http_req_t *req, web_page_t *p)
{
    memset(p, 0, sizeof *p);
    p->self = self;
    p->req = req;
    p->lang = web_lang_from(lp_http_query(req, "lang"));
    p->ref = self->svc.refdata;
    p->h = web_html_new();
    if (!p->h)
        lp_http_reply(req, 500, "text/plain; charset=utf-8", "out of memory\n", 14);
    return p->h != NULL;
}

void
web_page_close(web_page_t *p)
{
    web_html_destroy(&p->h);
}

void
web_page_begin(web_page_t *p, const char *title, const char *path, const char *name,
               const char *value)
{
    s_begin(p, title, path, name, value);
}

void
web_page_end(web_page_t *p)
{
    s_end(p);
}

void
web_page_send(web_page_t *p, unsigned status)
{
    s_send(p, status);
}

void
web_page_redirect(lp_http_req_t *req, const char *location)
{
    s_redirect(req, location);
}

void
web_page_href(web_page_t *p, const char *path, const char *name, const char *value)
{
    s_href(p, path, name, value);
}

void
web_page_textarea(web_page_t *p, const char *id, const char *name, web_text_id_t label, int max,
                  bool required)
{
    web_html_raw(p->h, "<label for=\"");
    web_html_text(p->h, id);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, label));
    web_html_raw(p->h, "</label><textarea id=\"");
    web_html_text(p->h, id);
    web_html_raw(p->h, "\" name=\"");
    web_html_text(p->h, name);
    web_html_raw(p->h, "\" maxlength=\"");
    web_html_long(p->h, max);
    web_html_raw(p->h, required ? "\" required></textarea>" : "\"></textarea>");
}

void
web_page_attachments(web_page_t *p, json_t *list, const char *query)
{
    json_t *item = NULL;
    size_t i = 0;
    char n[24];

    if (json_array_size(list) == 0)
        return;
    if (!query)
        query = "";
    web_html_raw(p->h, "<h2>");
    web_html_text(p->h, s_t(p, WT_TRACK_ATTACHMENTS));
    web_html_raw(p->h, "</h2><ul class=\"files\" id=\"attachments\">");
    json_array_foreach (list, i, item) {
        const char *thumb = s_view_str(item, "thumbnail_url");
        json_int_t w = json_integer_value(json_object_get(item, "width"));
        json_int_t h = json_integer_value(json_object_get(item, "height"));
        snprintf(n, sizeof n, "%zu", i + 1);
        web_html_raw(p->h, "<li><a href=\"");
        web_html_text(p->h, s_view_str(item, "url"));
        web_html_text(p->h, query);
        web_html_raw(p->h, "\">");
        if (thumb) {
            /* The thumbnail's size, so the page does not jump while it loads. */
            json_int_t side = INTAKE_MEDIA_THUMB_SIDE;
            if (w > side || h > side) {
                json_int_t big = w > h ? w : h;
                w = w * side / big;
                h = h * side / big;
            }
            web_html_raw(p->h, "<img src=\"");
            web_html_text(p->h, thumb);
            web_html_text(p->h, query);
            web_html_raw(p->h, "\" alt=\"");
            web_html_fill(p->h, s_t(p, WT_TRACK_ATTACHMENT_N), n);
            web_html_raw(p->h, "\"");
            if (w > 0 && h > 0) {
                web_html_raw(p->h, " width=\"");
                web_html_long(p->h, (long) (w > 0 ? w : 1));
                web_html_raw(p->h, "\" height=\"");
                web_html_long(p->h, (long) (h > 0 ? h : 1));
                web_html_raw(p->h, "\"");
            }
            web_html_raw(p->h, ">");
        }
        else {
            web_html_fill(p->h, s_t(p, WT_TRACK_ATTACHMENT_N), n);
            web_html_raw(p->h, " (PDF)");
        }
        web_html_raw(p->h, "</a></li>");
    }
    web_html_raw(p->h, "</ul>");
}

void
web_page_date(web_page_t *p, const char *iso)
{
    s_date(p, iso);
}

void
web_page_history(web_page_t *p, json_t *view)
{
    s_history(p, view);
}

void
web_page_not_found(web_page_t *p)
{
    s_not_found(p);
}

void
web_page_not_allowed(web_page_t *p, const char *allow)
{
    s_not_allowed(p, allow);
}
