/* portal: the agencies' pages: login, the queue, one complaint with its forms, and
 * the coordinators' triage desk. */
#include "portal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "auth.h"
#include "desk.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "triage.h"
#include "urlform.h"
#include "view.h"

#define PORTAL_PER_PAGE 20
#define PORTAL_TRIAGE_LIMIT 12 /* each has three forms: the page stays under 50 KB */

static const char *const s_filters[] = {"disposed", "in_progress", "postponed", "reopened",
                                        "resolved", "closed",      NULL};

/* What an action's ?pesan= says after the 303. */
static const struct {
    const char *key;
    web_text_id_t text;
} s_messages[] = {
    {"keluar", WT_PORTAL_LOGGED_OUT},
    {"tindak-lanjut", WT_PORTAL_DONE_FOLLOWUP},
    {"tanya", WT_PORTAL_DONE_QUESTION},
    {"selesai", WT_PORTAL_DONE_RESOLVE},
    {"bukan-kewenangan", WT_PORTAL_DONE_NOT_AUTHORITY},
};

/* The request of a page: its session and, for a POST, its form. */
typedef struct {
    web_page_t *p;
    lp_principal_t who;
    intake_urlform_t *form; /* POST only */
    const char *agency;     /* whose complaints: theirs, or ?agency= for coordinators */
} s_ctx_t;

static const char *
s_t(const web_page_t *p, web_text_id_t id)
{
    return web_text(p->lang, id);
}

static const char *
s_field(const s_ctx_t *x, const char *name)
{
    const char *v = x->form ? intake_urlform_get(x->form, name) : lp_http_query(x->p->req, name);
    return v && *v ? v : NULL;
}

/* -------------------------------------------------------------------------- */
/* Frame                                                                       */

/* The portal's own navigation and the logout form, under the site header. */
static void
s_nav(s_ctx_t *x)
{
    web_page_t *p = x->p;
    bool triage = strcmp(x->who.role, "coordinator") == 0 || strcmp(x->who.role, "admin") == 0;

    web_html_raw(p->h, "<nav aria-label=\"portal\"><strong>");
    web_html_text(p->h, s_t(p, WT_PORTAL_NAME));
    web_html_raw(p->h, "</strong> <a href=\"");
    web_page_href(p, "/portal", NULL, NULL);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_PORTAL_QUEUE));
    web_html_raw(p->h, "</a>");
    if (triage) {
        web_html_raw(p->h, "<a href=\"");
        web_page_href(p, "/portal/triase", NULL, NULL);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, WT_PORTAL_TRIAGE));
        web_html_raw(p->h, "</a>");
    }
    web_html_raw(p->h, "<form method=\"post\" action=\"/portal/keluar\"><p>");
    web_html_fill(p->h, s_t(p, WT_PORTAL_SIGNED_IN_AS), x->who.name);
    web_html_raw(p->h, "</p><input type=\"hidden\" name=\"csrf\" value=\"");
    web_html_text(p->h, x->who.csrf);
    web_html_raw(p->h, "\">");
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    web_html_raw(p->h, "<button type=\"submit\">");
    web_html_text(p->h, s_t(p, WT_PORTAL_LOGOUT));
    web_html_raw(p->h, "</button></form></nav>");
}

static void
s_begin(s_ctx_t *x, const char *title, const char *path)
{
    web_page_begin(x->p, title, path, NULL, NULL);
    s_nav(x);
}

/* A message box: role=status for news, role=alert for problems. */
static void
s_box(web_page_t *p, web_text_id_t text, const char *value, bool alert)
{
    web_html_raw(p->h, alert ? "<p class=\"msg error\" role=\"alert\" id=\"message\">"
                             : "<p class=\"msg\" role=\"status\" id=\"message\">");
    web_html_fill(p->h, s_t(p, text), value);
    web_html_raw(p->h, "</p>");
}

/* The message a ?pesan= names (after a 303), if any. */
static void
s_flash(web_page_t *p)
{
    const char *key = lp_http_query(p->req, "pesan");
    for (size_t i = 0; key && i < sizeof s_messages / sizeof s_messages[0]; i++)
        if (strcmp(key, s_messages[i].key) == 0)
            s_box(p, s_messages[i].text, NULL, false);
}

/* A page with one sentence (403, 404, an analyst's page, a database failure). */
static void
s_sentence(s_ctx_t *x, unsigned status, web_text_id_t text)
{
    web_page_t *p = x->p;
    s_begin(x, s_t(p, WT_PORTAL_NAME), "/portal");
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_PORTAL_NAME));
    web_html_raw(p->h, "</h1>");
    s_box(p, text, NULL, status >= 400);
    web_page_end(p);
    web_page_send(p, status);
}

/* <form method=post action=path> with the CSRF token, the language and, for
 * coordinators and admins, the agency they look at. */
static void
s_form_open(s_ctx_t *x, const char *path, const char *action)
{
    web_page_t *p = x->p;
    web_html_raw(p->h, "<form method=\"post\" action=\"");
    web_html_text(p->h, path);
    if (action) {
        web_html_raw(p->h, "/");
        web_html_text(p->h, action);
    }
    web_html_raw(p->h, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    web_html_text(p->h, x->who.csrf);
    web_html_raw(p->h, "\">");
    if (!*x->who.agency_id && x->agency) {
        web_html_raw(p->h, "<input type=\"hidden\" name=\"agency\" value=\"");
        web_html_text(p->h, x->agency);
        web_html_raw(p->h, "\">");
    }
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
}

static void
s_button(web_page_t *p, web_text_id_t text)
{
    web_html_raw(p->h, "<button type=\"submit\">");
    web_html_text(p->h, s_t(p, text));
    web_html_raw(p->h, "</button></form>");
}

/* /portal/...?lang=en as a Location. */
static void
s_redirect(web_page_t *p, const char *path, const char *pesan, const char *agency)
{
    char location[256];
    snprintf(location, sizeof location, "%s%s%s%s%s%s", path, pesan ? "?pesan=" : "",
             pesan ? pesan : "", agency ? (pesan ? "&agency=" : "?agency=") : "",
             agency ? agency : "",
             p->lang == WEB_LANG_EN ? ((pesan || agency) ? "&lang=en" : "?lang=en") : "");
    web_page_redirect(p->req, location);
}

/* -------------------------------------------------------------------------- */
/* Login and logout                                                            */

static void
s_login_page(web_page_t *p, unsigned status, web_text_id_t problem, const char *user)
{
    web_page_begin(p, s_t(p, WT_PORTAL_LOGIN_TITLE), "/portal/masuk", NULL, NULL);
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_PORTAL_LOGIN_TITLE));
    web_html_raw(p->h, "</h1>");
    s_flash(p);
    if (problem != WT__COUNT)
        s_box(p, problem, NULL, true);
    web_html_raw(p->h, "<form method=\"post\" action=\"/portal/masuk\"><label for=\"username\">");
    web_html_text(p->h, s_t(p, WT_PORTAL_USERNAME));
    web_html_raw(p->h, "</label><input type=\"text\" id=\"username\" name=\"username\" "
                       "autocomplete=\"username\" maxlength=\"63\" required value=\"");
    web_html_text(p->h, user);
    web_html_raw(p->h, "\"><label for=\"password\">");
    web_html_text(p->h, s_t(p, WT_PORTAL_PASSWORD));
    web_html_raw(p->h, "</label><input type=\"password\" id=\"password\" name=\"password\" "
                       "autocomplete=\"current-password\" maxlength=\"128\" required>");
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
    s_button(p, WT_PORTAL_LOGIN_BUTTON);
    web_page_end(p);
    web_page_send(p, status);
}

static void
s_login_post(web_page_t *p, intake_urlform_t *form)
{
    const char *user = form ? intake_urlform_get(form, "username") : NULL;
    const char *password = form ? intake_urlform_get(form, "password") : NULL;
    lp_principal_t who;

    if (!intake_rate_allow(p->self, p->req))
        return;
    if (!user || !password || !*user || !*password || strlen(user) > 63 || strlen(password) > 128) {
        s_login_page(p, 400, WT_PORTAL_LOGIN_WRONG, user);
        return;
    }
    switch (intake_login(p->self, p->req, user, password, &who)) {
    case LP_LOGIN_OK:
        s_redirect(p, "/portal", NULL, NULL);
        break;
    case LP_LOGIN_WRONG:
        s_login_page(p, 401, WT_PORTAL_LOGIN_WRONG, user);
        break;
    case LP_LOGIN_LOCKED:
        lp_http_add_header(p->req, "Retry-After", "900");
        s_login_page(p, 429, WT_PORTAL_LOGIN_LOCKED, user);
        break;
    case LP_LOGIN_ERROR:
        lp_http_add_header(p->req, "Retry-After", "5");
        s_login_page(p, 503, WT_PORTAL_BUSY, user);
        break;
    }
    memset(&who, 0, sizeof who);
}

/* -------------------------------------------------------------------------- */
/* The queue                                                                   */

static void
s_filter_link(s_ctx_t *x, const char *status, const char *current)
{
    web_page_t *p = x->p;
    bool on = (!status && !current) || (status && current && strcmp(status, current) == 0);

    web_html_raw(p->h, "<li><a href=\"/portal?");
    if (status) {
        web_html_raw(p->h, "status=");
        web_html_param(p->h, status);
        web_html_raw(p->h, "&amp;");
    }
    if (!*x->who.agency_id && x->agency) {
        web_html_raw(p->h, "agency=");
        web_html_param(p->h, x->agency);
        web_html_raw(p->h, "&amp;");
    }
    web_html_raw(p->h, p->lang == WEB_LANG_EN ? "lang=en\"" : "lang=id\"");
    web_html_raw(p->h, on ? " class=\"current\" aria-current=\"page\">" : ">");
    web_html_text(p->h, s_t(p, status ? web_text_status(status) : WT_PORTAL_ALL));
    web_html_raw(p->h, "</a></li>");
}

static void
s_page_link(s_ctx_t *x, const char *status, long page, web_text_id_t text)
{
    web_page_t *p = x->p;
    web_html_raw(p->h, "<a href=\"/portal?halaman=");
    web_html_long(p->h, page);
    if (status) {
        web_html_raw(p->h, "&amp;status=");
        web_html_param(p->h, status);
    }
    if (!*x->who.agency_id && x->agency) {
        web_html_raw(p->h, "&amp;agency=");
        web_html_param(p->h, x->agency);
    }
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, "&amp;lang=en");
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, text));
    web_html_raw(p->h, "</a> ");
}

static void
s_complaint_href(s_ctx_t *x, const char *tracking)
{
    web_page_t *p = x->p;
    web_html_raw(p->h, "/portal/pengaduan/");
    web_html_param(p->h, tracking);
    if (!*x->who.agency_id && x->agency) {
        web_html_raw(p->h, "?agency=");
        web_html_param(p->h, x->agency);
    }
    if (p->lang == WEB_LANG_EN)
        web_html_raw(p->h, !*x->who.agency_id && x->agency ? "&amp;lang=en" : "?lang=en");
}

static const char *
s_str(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void
s_queue(s_ctx_t *x, mongoc_collection_t *coll)
{
    web_page_t *p = x->p;
    const char *status = lp_http_query(p->req, "status");
    const char *page_text = lp_http_query(p->req, "halaman");
    long page = page_text ? strtol(page_text, NULL, 10) : 1;
    intake_queue_filter_t f = {0};
    json_t *items = NULL, *item = NULL;
    int64_t total = 0;
    lp_error_t err;
    size_t i = 0;

    lp_error_clear(&err);
    if (page < 1 || page > 100000)
        page = 1;
    if (status && !intake_agency_status_known(status))
        status = NULL;
    f.status = status;
    if (intake_agency_queue(p->self, coll, x->agency, &f, page, PORTAL_PER_PAGE, &items, &total,
                            &err) != 0) {
        lp_http_add_header(p->req, "Retry-After", "5");
        s_sentence(x, 503, WT_PORTAL_BUSY);
        return;
    }
    s_begin(x, s_t(p, WT_PORTAL_QUEUE), "/portal");
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_PORTAL_QUEUE));
    web_html_raw(p->h, "</h1><p>");
    web_html_text(p->h, x->agency);
    web_html_raw(p->h, "</p><h2 id=\"filter\">");
    web_html_text(p->h, s_t(p, WT_PORTAL_FILTER));
    web_html_raw(p->h, "</h2><ul aria-labelledby=\"filter\">");
    s_filter_link(x, NULL, status);
    for (size_t k = 0; s_filters[k]; k++)
        s_filter_link(x, s_filters[k], status);
    web_html_raw(p->h, "</ul><p>");
    {
        char n[24];
        snprintf(n, sizeof n, "%lld", (long long) total);
        web_html_fill(p->h, s_t(p, WT_PORTAL_TOTAL), n);
    }
    web_html_raw(p->h, "</p>");
    if (json_array_size(items) == 0) {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_PORTAL_EMPTY));
        web_html_raw(p->h, "</p>");
    }
    else
        web_html_raw(p->h, "<ol class=\"queue\" id=\"queue\">");
    json_array_foreach (items, i, item) {
        const char *tid = s_str(item, "tracking_id");
        bool overdue = json_is_true(json_object_get(item, "overdue"));
        web_html_raw(p->h, overdue ? "<li class=\"overdue\">" : "<li>");
        if (overdue) {
            web_html_raw(p->h, "<span class=\"flag\">");
            web_html_text(p->h, s_t(p, WT_PORTAL_OVERDUE));
            web_html_raw(p->h, "</span> ");
        }
        web_html_raw(p->h, "<a href=\"");
        s_complaint_href(x, tid ? tid : "");
        web_html_raw(p->h, "\">");
        web_html_text(p->h, tid);
        web_html_raw(p->h, "</a>: ");
        web_html_text(p->h, s_str(item, "title") ? s_str(item, "title") : "");
        web_html_raw(p->h, "<br>");
        web_html_text(p->h, s_t(p, web_text_status(s_str(item, "status"))));
        if (s_str(item, "deadline_at")) {
            web_html_raw(p->h, "; ");
            web_html_text(p->h, s_t(p, WT_PORTAL_DEADLINE));
            web_html_raw(p->h, ": ");
            web_page_date(p, s_str(item, "deadline_at"));
        }
        web_html_raw(p->h, "</li>");
    }
    if (json_array_size(items) > 0)
        web_html_raw(p->h, "</ol>");
    web_html_raw(p->h, "<p>");
    if (page > 1)
        s_page_link(x, status, page - 1, WT_PORTAL_PREV);
    {
        char n[24];
        snprintf(n, sizeof n, "%ld", page);
        web_html_fill(p->h, s_t(p, WT_PORTAL_PAGE), n);
    }
    web_html_raw(p->h, " ");
    if (page * PORTAL_PER_PAGE < total)
        s_page_link(x, status, page + 1, WT_PORTAL_NEXT);
    web_html_raw(p->h, "</p>");
    web_page_end(p);
    web_page_send(p, 200);
    json_decref(items);
}

/* -------------------------------------------------------------------------- */
/* One complaint                                                               */

/* The reporter's replies, read from the document (their words, never a contact). */
static void
s_replies(web_page_t *p, const bson_t *doc)
{
    bson_iter_t it, arr;
    bool any = false;

    web_html_raw(p->h, "<h2>");
    web_html_text(p->h, s_t(p, WT_PORTAL_REPLIES));
    web_html_raw(p->h, "</h2><ol id=\"replies\">");
    if (bson_iter_init_find(&it, doc, "reporter_replies") && BSON_ITER_HOLDS_ARRAY(&it) &&
        bson_iter_recurse(&it, &arr)) {
        bson_t entry;
        while (lp_doc_next_doc(&arr, &entry)) {
            json_t *at = intake_view_time(&entry, "at");
            web_html_raw(p->h, "<li>");
            web_page_date(p, json_string_value(at));
            web_html_raw(p->h, ": <span class=\"text\">");
            web_html_text(p->h, lp_doc_str(&entry, "text"));
            web_html_raw(p->h, "</span></li>");
            json_decref(at);
            any = true;
        }
    }
    web_html_raw(p->h, "</ol>");
    if (!any) {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_PORTAL_NONE_YET));
        web_html_raw(p->h, "</p>");
    }
}

static void
s_dl(web_page_t *p, web_text_id_t term, const char *value)
{
    web_html_raw(p->h, "<dt>");
    web_html_text(p->h, s_t(p, term));
    web_html_raw(p->h, "</dt><dd>");
    web_html_text(p->h, value);
    web_html_raw(p->h, "</dd>");
}

/* The complaint page; problem (WT__COUNT: none) after a failed action. */
static void
s_complaint_page(s_ctx_t *x, const bson_t *doc, unsigned status, web_text_id_t problem)
{
    web_page_t *p = x->p;
    json_t *view = intake_view(doc, INTAKE_VIEW_AGENCY);
    json_t *reporter = json_object_get(view, "reporter");
    json_t *followups = json_object_get(view, "followups"), *f = NULL;
    const char *tid = s_str(view, "tracking_id");
    const char *st = s_str(view, "status");
    bool overdue = json_is_true(json_object_get(view, "overdue"));
    bool may_decide = intake_auth_may_decide(&x->who);
    char path[64];
    size_t i = 0;

    snprintf(path, sizeof path, "/portal/pengaduan/%s", tid ? tid : "");
    web_page_begin(p, tid ? tid : "", path, x->agency && !*x->who.agency_id ? "agency" : NULL,
                   x->agency);
    s_nav(x);
    web_html_raw(p->h, "<p><a href=\"");
    web_page_href(p, "/portal", !*x->who.agency_id ? "agency" : NULL, x->agency);
    web_html_raw(p->h, "\">");
    web_html_text(p->h, s_t(p, WT_PORTAL_BACK_QUEUE));
    web_html_raw(p->h, "</a></p><h1>");
    web_html_fill(p->h, s_t(p, WT_TRACK_HEADING), tid);
    web_html_raw(p->h, "</h1>");
    s_flash(p);
    if (problem != WT__COUNT)
        s_box(p, problem, NULL, true);
    web_html_raw(p->h, overdue ? "<dl class=\"overdue\">" : "<dl>");
    web_html_raw(p->h, "<dt>");
    web_html_text(p->h, s_t(p, WT_TRACK_STATUS));
    web_html_raw(p->h, "</dt><dd><strong id=\"status\">");
    web_html_text(p->h, s_t(p, web_text_status(st)));
    web_html_raw(p->h, "</strong>");
    if (overdue) {
        web_html_raw(p->h, " <span class=\"flag\">");
        web_html_text(p->h, s_t(p, WT_PORTAL_OVERDUE));
        web_html_raw(p->h, "</span>");
    }
    web_html_raw(p->h, "</dd>");
    if (s_str(view, "deadline_at")) {
        web_html_raw(p->h, "<dt>");
        web_html_text(p->h, s_t(p, WT_PORTAL_DEADLINE));
        web_html_raw(p->h, "</dt><dd>");
        web_page_date(p, s_str(view, "deadline_at"));
        web_html_raw(p->h, "</dd>");
    }
    s_dl(p, WT_TRACK_TYPE, s_t(p, web_text_type(s_str(view, "type"))));
    s_dl(p, WT_TRACK_CATEGORY, s_str(view, "category"));
    s_dl(p, WT_TRACK_PLACE, s_str(json_object_get(view, "region"), "name"));
    /* The name only when the reporter chose to be public; never a contact. */
    s_dl(p, WT_PORTAL_REPORTER,
         json_is_object(reporter) && s_str(reporter, "name") ? s_str(reporter, "name")
                                                             : s_t(p, WT_PORTAL_REPORTER_HIDDEN));
    web_html_raw(p->h, "</dl><h2>");
    web_html_text(p->h, s_t(p, WT_TRACK_SUBJECT));
    web_html_raw(p->h, "</h2><p class=\"text\" id=\"subject\">");
    web_html_text(p->h, s_str(view, "title"));
    web_html_raw(p->h, "</p><h2>");
    web_html_text(p->h, s_t(p, WT_TRACK_BODY));
    web_html_raw(p->h, "</h2><p class=\"text\" id=\"report\">");
    web_html_text(p->h, s_str(view, "body"));
    web_html_raw(p->h, "</p>");
    {
        /* Coordinators name the agency they look at; its staff need not. */
        char query[96] = "";
        if (!*x->who.agency_id && x->agency)
            snprintf(query, sizeof query, "?agency=%s", x->agency);
        web_page_attachments(p, json_object_get(view, "attachments"), query);
    }
    if (s_str(view, "question")) {
        web_html_raw(p->h, "<h2>");
        web_html_text(p->h, s_t(p, WT_PORTAL_QUESTION_OPEN));
        web_html_raw(p->h, "</h2><p class=\"text\">");
        web_html_text(p->h, s_str(view, "question"));
        web_html_raw(p->h, "</p>");
    }
    if (s_str(view, "answer")) {
        web_html_raw(p->h, "<h2>");
        web_html_text(p->h, s_t(p, WT_PORTAL_ANSWER));
        web_html_raw(p->h, "</h2><p class=\"text\">");
        web_html_text(p->h, s_str(view, "answer"));
        web_html_raw(p->h, "</p>");
    }
    web_html_raw(p->h, "<h2>");
    web_html_text(p->h, s_t(p, WT_PORTAL_FOLLOWUPS));
    web_html_raw(p->h, "</h2><ol id=\"followups\">");
    json_array_foreach (followups, i, f) {
        web_html_raw(p->h, "<li>");
        web_page_date(p, s_str(f, "at"));
        web_html_raw(p->h, ": <span class=\"text\">");
        web_html_text(p->h, s_str(f, "text"));
        web_html_raw(p->h, "</span></li>");
    }
    web_html_raw(p->h, "</ol>");
    s_replies(p, doc);
    web_page_history(p, view);

    /* The forms: what this person may do. */
    web_html_raw(p->h, "<section class=\"box\"><h2>");
    web_html_text(p->h, s_t(p, WT_PORTAL_ACT_FOLLOWUP));
    web_html_raw(p->h, "</h2>");
    s_form_open(x, path, "tindak-lanjut");
    web_page_textarea(p, "followup-text", "text", WT_PORTAL_FIELD_TEXT, 2000, true);
    s_button(p, WT_PORTAL_SEND);
    web_html_raw(p->h, "</section><section class=\"box\"><h2>");
    web_html_text(p->h, s_t(p, WT_PORTAL_ACT_QUESTION));
    web_html_raw(p->h, "</h2>");
    s_form_open(x, path, "tanya");
    web_page_textarea(p, "question-text", "question", WT_PORTAL_FIELD_QUESTION, 500, true);
    s_button(p, WT_PORTAL_SEND);
    web_html_raw(p->h, "</section>");
    if (may_decide) {
        web_html_raw(p->h, "<section class=\"box\"><h2>");
        web_html_text(p->h, s_t(p, WT_PORTAL_ACT_RESOLVE));
        web_html_raw(p->h, "</h2>");
        s_form_open(x, path, "selesai");
        web_page_textarea(p, "resolve-text", "text", WT_PORTAL_FIELD_ANSWER, 2000, true);
        s_button(p, WT_PORTAL_ACT_RESOLVE);
        web_html_raw(p->h, "</section><section class=\"box\"><h2>");
        web_html_text(p->h, s_t(p, WT_PORTAL_ACT_NOT_AUTHORITY));
        web_html_raw(p->h, "</h2>");
        s_form_open(x, path, "bukan-kewenangan");
        web_page_textarea(p, "na-reason", "reason", WT_PORTAL_FIELD_REASON, 500, true);
        s_button(p, WT_PORTAL_ACT_NOT_AUTHORITY);
        web_html_raw(p->h, "</section>");
    }
    web_page_end(p);
    web_page_send(p, status);
    json_decref(view);
}

/* The page's words for what an action's function answered. */
static web_text_id_t
s_problem(int rc, const lp_error_t *err, unsigned *status)
{
    if (rc == 0) {
        *status = 409;
        return WT_PORTAL_CHANGED;
    }
    if (err->code == LP_ERR_INVALID) {
        *status = 400;
        if (strcmp(err->field, "question") == 0)
            return WT_PORTAL_QUESTION_LENGTH;
        if (strcmp(err->field, "reason") == 0)
            return WT_PORTAL_REASON_LENGTH;
        return WT_PORTAL_TEXT_LENGTH;
    }
    if (err->code == LP_ERR_CONFLICT) {
        *status = 409;
        return WT_PORTAL_BAD_STATUS;
    }
    *status = 503;
    return WT_PORTAL_BUSY;
}

/* GET /portal/pengaduan/<id>, or POST .../<action>. */
static void
s_complaint(s_ctx_t *x, mongoc_collection_t *coll, const char *rest, bool post)
{
    web_page_t *p = x->p;
    const char *slash = strchr(rest, '/');
    const char *action = slash ? slash + 1 : NULL;
    intake_case_t c;
    bson_t *doc = NULL;
    lp_error_t err;
    char raw[32], path[64];
    int rc;

    lp_error_clear(&err);
    snprintf(raw, sizeof raw, "%.*s", (int) (slash ? (size_t) (slash - rest) : strlen(rest)), rest);
    if (post != (action != NULL)) {
        web_page_not_allowed(p, post ? "GET" : "POST");
        return;
    }
    rc = intake_agency_load(p->self, coll, raw, x->agency, &x->who, &c, &doc, &err);
    if (rc < 0) {
        lp_http_add_header(p->req, "Retry-After", "5");
        s_sentence(x, 503, WT_PORTAL_BUSY);
        goto done;
    }
    if (rc == 0) {
        web_page_not_found(p); /* another agency's: the same as none */
        goto done;
    }
    if (!post) {
        s_complaint_page(x, doc, 200, WT__COUNT);
        goto done;
    }
    if (strcmp(action, "tindak-lanjut") == 0)
        rc = intake_agency_followup(p->self, coll, &c, &x->who, s_field(x, "text"), &err);
    else if (strcmp(action, "tanya") == 0)
        rc = intake_agency_question(p->self, coll, &c, &x->who, s_field(x, "question"), &err);
    else if (strcmp(action, "selesai") == 0 || strcmp(action, "bukan-kewenangan") == 0) {
        if (!intake_auth_may_decide(&x->who)) {
            lp_log(LP_LOG_WARN, "agency.forbidden", "{s:s,s:s,s:s}", "user", x->who.name, "role",
                   x->who.role, "action", action);
            s_sentence(x, 403, WT_PORTAL_FORBIDDEN_DECIDE);
            goto done;
        }
        rc = strcmp(action, "selesai") == 0
                 ? intake_agency_resolve(p->self, coll, &c, &x->who, s_field(x, "text"), &err)
                 : intake_agency_not_authority(p->self, coll, &c, &x->who, s_field(x, "reason"),
                                               &err);
    }
    else {
        web_page_not_found(p);
        goto done;
    }
    if (rc > 0) {
        snprintf(path, sizeof path, "/portal/pengaduan/%s", c.tracking);
        s_redirect(p, path, action, *x->who.agency_id ? NULL : x->agency);
    }
    else {
        unsigned status = 400;
        web_text_id_t problem = s_problem(rc, &err, &status);
        bson_destroy(doc);
        doc = NULL;
        /* Show the complaint as it is now, with what went wrong. */
        if (intake_agency_load(p->self, coll, raw, x->agency, &x->who, &c, &doc, &err) > 0)
            s_complaint_page(x, doc, status, problem);
        else
            s_sentence(x, status, problem);
    }
done:
    if (doc)
        bson_destroy(doc);
}

/* -------------------------------------------------------------------------- */
/* The triage desk                                                             */

static void
s_triage_page(s_ctx_t *x, mongoc_collection_t *coll, unsigned status, web_text_id_t note,
              const char *about)
{
    static const struct {
        const char *id;
        web_text_id_t text;
    } reasons[] = {{"too_general", WT_TRIAGE_R_TOO_GENERAL},
                   {"not_relevant", WT_TRIAGE_R_NOT_RELEVANT},
                   {"duplicate", WT_TRIAGE_R_DUPLICATE},
                   {"spam", WT_TRIAGE_R_SPAM},
                   {"not_authority", WT_TRIAGE_R_NOT_AUTHORITY}};
    web_page_t *p = x->p;
    json_t *items = NULL, *item = NULL;
    const lp_category_t *cats = NULL;
    size_t n_cats = 0, i = 0;
    lp_error_t err;

    lp_error_clear(&err);
    if (intake_triage_list(p->self, coll, PORTAL_TRIAGE_LIMIT, &items, &err) != 0) {
        lp_http_add_header(p->req, "Retry-After", "5");
        s_sentence(x, 503, WT_PORTAL_BUSY);
        return;
    }
    cats = lp_refdata_categories(p->ref, &n_cats);
    s_begin(x, s_t(p, WT_PORTAL_TRIAGE), "/portal/triase");
    web_html_raw(p->h, "<h1>");
    web_html_text(p->h, s_t(p, WT_PORTAL_TRIAGE));
    web_html_raw(p->h, "</h1><p>");
    web_html_text(p->h, s_t(p, WT_TRIAGE_INTRO));
    web_html_raw(p->h, "</p>");
    if (note != WT__COUNT)
        s_box(p, note, about, status >= 400);
    if (json_array_size(items) == 0) {
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_t(p, WT_PORTAL_EMPTY));
        web_html_raw(p->h, "</p>");
    }
    json_array_foreach (items, i, item) {
        const char *tid = s_str(item, "tracking_id");
        const char *suggested = s_str(item, "suggested_category");
        char path[64], id[64];
        if (!tid)
            continue;
        snprintf(path, sizeof path, "/portal/triase/%s", tid);
        web_html_raw(p->h, json_is_true(json_object_get(item, "overdue"))
                               ? "<section class=\"box overdue\"><h2>"
                               : "<section class=\"box\"><h2>");
        web_html_text(p->h, tid);
        web_html_raw(p->h, ": ");
        web_html_text(p->h, s_str(item, "title"));
        web_html_raw(p->h, "</h2>");
        if (json_is_true(json_object_get(item, "overdue"))) {
            web_html_raw(p->h, "<p class=\"flag\">");
            web_html_text(p->h, s_t(p, WT_PORTAL_OVERDUE));
            web_html_raw(p->h, "</p>");
        }
        web_html_raw(p->h, "<p>");
        web_html_text(p->h, s_str(item, "region_name"));
        web_html_raw(p->h, "</p><p>");
        web_html_fill(p->h, s_t(p, WT_TRIAGE_SUGGESTED), suggested ? suggested : "-");
        web_html_raw(p->h, "<br>");
        web_html_fill(p->h, s_t(p, WT_TRIAGE_REASON), s_str(item, "reason"));
        web_html_raw(p->h, "</p>");
        /* Dispose: category (the suggestion preselected) and an optional agency. */
        s_form_open(x, path, "disposisi");
        snprintf(id, sizeof id, "cat-%s", tid);
        web_html_raw(p->h, "<label for=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, WT_FORM_CATEGORY_LABEL));
        web_html_raw(p->h, "</label><select name=\"category\" id=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "\">");
        for (size_t k = 0; k < n_cats; k++) {
            bool chosen = suggested && strcmp(suggested, cats[k].id) == 0;
            web_html_raw(p->h, "<option value=\"");
            web_html_text(p->h, cats[k].id);
            web_html_raw(p->h, chosen ? "\" selected>" : "\">");
            web_html_text(p->h, p->lang == WEB_LANG_EN ? cats[k].name_en : cats[k].name_id);
            web_html_raw(p->h, "</option>");
        }
        snprintf(id, sizeof id, "agency-%s", tid);
        web_html_raw(p->h, "</select><label for=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, WT_TRIAGE_AGENCY));
        web_html_raw(p->h,
                     "</label><input type=\"text\" name=\"agency_id\" maxlength=\"60\" id=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "\">");
        s_button(p, WT_TRIAGE_DISPOSE);
        /* Postpone with a question. */
        s_form_open(x, path, "tunda");
        snprintf(id, sizeof id, "q-%s", tid);
        web_page_textarea(p, id, "question", WT_PORTAL_FIELD_QUESTION, 500, true);
        s_button(p, WT_TRIAGE_POSTPONE);
        /* Archive with a reason. */
        s_form_open(x, path, "arsip");
        snprintf(id, sizeof id, "r-%s", tid);
        web_html_raw(p->h, "<label for=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "\">");
        web_html_text(p->h, s_t(p, WT_TRIAGE_ARCHIVE_REASON));
        web_html_raw(p->h, "</label><select name=\"reason\" id=\"");
        web_html_text(p->h, id);
        web_html_raw(p->h, "\">");
        for (size_t k = 0; k < sizeof reasons / sizeof reasons[0]; k++) {
            web_html_raw(p->h, "<option value=\"");
            web_html_text(p->h, reasons[k].id);
            web_html_raw(p->h, "\">");
            web_html_text(p->h, s_t(p, reasons[k].text));
            web_html_raw(p->h, "</option>");
        }
        web_html_raw(p->h, "</select>");
        s_button(p, WT_TRIAGE_ARCHIVE);
        web_html_raw(p->h, "</section>");
    }
    web_page_end(p);
    web_page_send(p, status);
    json_decref(items);
}

/* GET /portal/triase, POST /portal/triase/<id>/<action>. */
static void
s_triage(s_ctx_t *x, mongoc_collection_t *coll, const char *rest, bool post)
{
    web_page_t *p = x->p;
    const char *slash = rest ? strchr(rest, '/') : NULL;
    const char *action = slash ? slash + 1 : NULL;
    char raw[32], tracking[LP_TRACKING_LEN + 1], actor[96], location[96];
    intake_case_t c;
    lp_error_t err;
    int rc = -1;

    lp_error_clear(&err);
    if (strcmp(x->who.role, "coordinator") != 0 && strcmp(x->who.role, "admin") != 0) {
        lp_log(LP_LOG_WARN, "triage.forbidden", "{s:s,s:s}", "user", x->who.name, "role",
               x->who.role);
        s_sentence(x, 403, WT_PORTAL_FORBIDDEN);
        return;
    }
    if (!post) {
        if (rest)
            web_page_not_allowed(p, "POST");
        else {
            const char *done = lp_http_query(p->req, "selesai");
            char id[LP_TRACKING_LEN + 1];
            bool ok = done && lp_tracking_normalize(done, id) == 0;
            s_triage_page(x, coll, 200, ok ? WT_TRIAGE_DONE : WT__COUNT, ok ? id : NULL);
        }
        return;
    }
    if (!action) {
        web_page_not_allowed(p, "GET");
        return;
    }
    snprintf(raw, sizeof raw, "%.*s", (int) (slash - rest < 31 ? slash - rest : 31), rest);
    rc = lp_tracking_normalize(raw, tracking) == 0 ? intake_case_load(coll, tracking, &c) : 0;
    if (rc <= 0) {
        if (rc < 0) {
            lp_metric_inc(p->self->db_errors);
            lp_http_add_header(p->req, "Retry-After", "5");
            s_sentence(x, 503, WT_PORTAL_BUSY);
        }
        else
            web_page_not_found(p);
        return;
    }
    snprintf(actor, sizeof actor, "triage:%s", x->who.name);
    if (strcmp(action, "disposisi") == 0)
        rc = intake_triage_dispose(p->self, coll, &c, s_field(x, "category"),
                                   s_field(x, "agency_id"), NULL, actor, x->who.name, &err);
    else if (strcmp(action, "tunda") == 0)
        rc = intake_triage_postpone(p->self, coll, &c, s_field(x, "question"), actor, x->who.name,
                                    &err);
    else if (strcmp(action, "arsip") == 0)
        rc = intake_triage_archive(p->self, coll, &c, s_field(x, "reason"), actor, x->who.name,
                                   &err);
    else {
        web_page_not_found(p);
        return;
    }
    if (rc > 0) {
        snprintf(location, sizeof location, "/portal/triase?selesai=%s%s", c.tracking,
                 p->lang == WEB_LANG_EN ? "&lang=en" : "");
        web_page_redirect(p->req, location);
        return;
    }
    unsigned status = 400;
    s_problem(rc, &err, &status);
    s_triage_page(x, coll, status, WT_TRIAGE_ERROR, c.tracking);
}

/* -------------------------------------------------------------------------- */
/* Dispatch                                                                    */

/* The agency whose queue x->who sees: their own; ?agency= (or the form's field)
 * for coordinators and admins. false after answering. */
static bool
s_agency(s_ctx_t *x)
{
    const char *asked = s_field(x, "agency");

    if (strcmp(x->who.role, "analyst") == 0) {
        s_sentence(x, 200, WT_PORTAL_ANALYST);
        return false;
    }
    x->agency = *x->who.agency_id ? x->who.agency_id : asked;
    if (!x->agency) {
        s_sentence(x, 200, WT_PORTAL_NO_AGENCY);
        return false;
    }
    if (strlen(x->agency) > 60 || !lp_refdata_agency(x->p->ref, x->agency) ||
        !intake_auth_for_agency(x->p->self, &x->who, x->agency)) {
        lp_log(LP_LOG_WARN, "agency.forbidden", "{s:s,s:s,s:s}", "user", x->who.name, "role",
               x->who.role, "agency", x->agency);
        x->agency = NULL;
        s_sentence(x, 403, WT_PORTAL_FORBIDDEN);
        return false;
    }
    return true;
}

bool
intake_portal_handle(web_page_t *p)
{
    const char *path = lp_http_path(p->req);
    const char *method = lp_http_method(p->req);
    bool get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    bool post = strcmp(method, "POST") == 0;
    s_ctx_t x = {.p = p};
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    lp_error_t err;

    if (strcmp(path, "/portal") != 0 && strncmp(path, "/portal/", 8) != 0)
        return false;
    lp_error_clear(&err);
    /* Complaints and sessions: nothing here belongs in a shared cache. */
    lp_http_add_header(p->req, "Cache-Control", "no-store");
    if (!get && !post) {
        web_page_not_allowed(p, "GET, POST");
        return true;
    }
    if (post) {
        size_t len = 0;
        const char *body = lp_http_body(p->req, &len);
        const char *ctype = lp_http_header(p->req, "Content-Type");
        if (ctype && strncmp(ctype, "application/x-www-form-urlencoded", 33) == 0)
            x.form = intake_urlform_decode(body, len, &err);
        if (x.form)
            p->lang = web_lang_from(intake_urlform_get(x.form, "lang"));
    }
    if (strcmp(path, "/portal/masuk") == 0) {
        if (post)
            s_login_post(p, x.form);
        else
            s_login_page(p, 200, WT__COUNT, NULL);
        goto done;
    }
    switch (intake_auth_session(p->self, p->req, s_field(&x, "csrf"), &x.who)) {
    case INTAKE_SESSION_OK:
        break;
    case INTAKE_SESSION_NONE:
        if (post) {
            s_login_page(p, 401, WT_PORTAL_EXPIRED, NULL);
            goto done;
        }
        s_redirect(p, "/portal/masuk", NULL, NULL);
        goto done;
    case INTAKE_SESSION_CSRF:
        s_sentence(&x, 403, WT_PORTAL_EXPIRED);
        goto done;
    case INTAKE_SESSION_ERROR:
        lp_metric_inc(p->self->db_errors);
        lp_http_add_header(p->req, "Retry-After", "5");
        s_login_page(p, 503, WT_PORTAL_BUSY, NULL);
        goto done;
    }
    if (post && !intake_rate_allow(p->self, p->req))
        goto done;
    if (strcmp(path, "/portal/keluar") == 0) {
        if (!post)
            web_page_not_allowed(p, "POST");
        else if (intake_logout(p->self, p->req) != 0) {
            lp_http_add_header(p->req, "Retry-After", "5");
            s_sentence(&x, 503, WT_PORTAL_BUSY);
        }
        else
            s_redirect(p, "/portal/masuk", "keluar", NULL);
        goto done;
    }
    client = lp_store_pop(p->self->svc.store);
    coll = lp_store_collection(p->self->svc.store, client, LP_COLL_COMPLAINTS);
    if (strcmp(path, "/portal/triase") == 0 || strncmp(path, "/portal/triase/", 15) == 0)
        s_triage(&x, coll, path[14] == '/' ? path + 15 : NULL, post);
    else if (strcmp(path, "/portal") == 0 || strcmp(path, "/portal/") == 0) {
        if (!get)
            web_page_not_allowed(p, "GET");
        else if (s_agency(&x))
            s_queue(&x, coll);
    }
    else if (strncmp(path, "/portal/pengaduan/", 18) == 0) {
        if (s_agency(&x))
            s_complaint(&x, coll, path + 18, post);
    }
    else
        web_page_not_found(p);
done:
    memset(&x.who, 0, sizeof x.who);
    intake_urlform_destroy(&x.form);
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        lp_store_push(p->self->svc.store, client);
    return true;
}
