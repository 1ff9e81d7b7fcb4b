/* agency: the agencies' API (/api/v1/agency/...): their queue, one complaint, and
 * what they do with it: follow up (tindak lanjut), ask the reporter, resolve, or
 * say it is not their authority. An agency sees only complaints disposed to it, now
 * or before; another agency's complaint is "not found", and the attempt is logged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agency.h"
#include "attach.h"
#include "auth.h"
#include "desk.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "view.h"

#define AGENCY_PREFIX "/api/v1/agency/complaints"
#define PER_PAGE_MAX 100

static const char *const s_open[] = {"disposed", "in_progress", "reopened", NULL};
static const char *const s_statuses[] = {"received", "disposed", "in_progress",
                                         "resolved", "closed",   "postponed",
                                         "archived", "reopened", NULL};

/* The agency whose complaints who works on: their own, or ?agency= for
 * coordinators and admins. NULL after answering. */
static const char *
s_agency_of(intake_t *self, lp_http_req_t *req, const lp_principal_t *who)
{
    const char *asked = lp_http_query(req, "agency");
    const char *agency = *who->agency_id ? who->agency_id : asked;
    if (!agency || !*agency) {
        lp_http_reply_error(req, 400, "agency", "name the agency (?agency=<id>)");
        return NULL;
    }
    if (asked && *who->agency_id && strcmp(asked, who->agency_id) != 0) {
        lp_http_reply_error(req, 400, "agency", "you work for another agency");
        return NULL;
    }
    if (!intake_auth_for_agency(self, who, agency)) {
        lp_log(LP_LOG_WARN, "agency.forbidden", "{s:s,s:s,s:s}", "user", who->name, "role",
               who->role, "agency", agency);
        lp_http_reply_error(req, 403, NULL, "your role cannot read an agency's complaints");
        return NULL;
    }
    return agency;
}

/* A whole number in [min, max] from the query, or def; -1 after answering 400. */
static long
s_query_long(lp_http_req_t *req, const char *key, long def, long min, long max)
{
    const char *text = lp_http_query(req, key);
    char *end = NULL;
    long v;
    char message[80];

    if (!text)
        return def;
    v = strtol(text, &end, 10);
    if (!*text || *end || v < min || v > max) {
        snprintf(message, sizeof message, "must be a whole number from %ld to %ld", min, max);
        lp_http_reply_error(req, 400, key, message);
        return -1;
    }
    return v;
}

bool
intake_agency_status_known(const char *status)
{
    return intake_one_of(status, s_statuses);
}

int
intake_agency_queue(intake_t *self, mongoc_collection_t *coll, const char *agency,
                    const intake_queue_filter_t *f, long page, long per_page, json_t **items,
                    int64_t *total, lp_error_t *err)
{
    bson_t filter = BSON_INITIALIZER, child;
    bson_t *opts = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc;
    bson_error_t error;
    char pattern[40];
    int rc = -1;

    *items = NULL;
    *total = 0;
    /* Now or before: a complaint escalated away stays readable by who had it. */
    BSON_APPEND_UTF8(&filter, "agencies_seen", agency);
    if (f->status)
        BSON_APPEND_UTF8(&filter, "status", f->status);
    if (f->category)
        BSON_APPEND_UTF8(&filter, "category", f->category);
    if (f->region) {
        /* Only digits and dots passed: escape the dots, anchor the prefix. */
        size_t n = 0;
        pattern[n++] = '^';
        for (const char *p = f->region; *p && n < sizeof pattern - 3; p++) {
            if (*p == '.')
                pattern[n++] = '\\';
            pattern[n++] = *p;
        }
        pattern[n] = '\0';
        BSON_APPEND_REGEX(&filter, "region.code", pattern, "");
    }
    if (f->overdue) {
        BSON_APPEND_DOCUMENT_BEGIN(&filter, "deadline_at", &child);
        BSON_APPEND_INT64(&child, "$lt", lp_now_ms());
        bson_append_document_end(&filter, &child);
        if (!f->status) {
            BSON_APPEND_DOCUMENT_BEGIN(&filter, "status", &child);
            bson_t arr;
            BSON_APPEND_ARRAY_BEGIN(&child, "$in", &arr);
            for (uint32_t i = 0; s_open[i]; i++) {
                const char *key;
                char buf[16];
                bson_uint32_to_string(i, &key, buf, sizeof buf);
                BSON_APPEND_UTF8(&arr, key, s_open[i]);
            }
            bson_append_array_end(&child, &arr);
            bson_append_document_end(&filter, &child);
        }
    }
    *total = mongoc_collection_count_documents(coll, &filter, NULL, NULL, NULL, &error);
    if (*total < 0)
        goto db_error;
    opts = BCON_NEW("sort", "{", "deadline_at", BCON_INT32(1), "created_at", BCON_INT32(1), "}",
                    "skip", BCON_INT64((page - 1) * per_page), "limit", BCON_INT64(per_page),
                    "projection", "{", "reporter.sealed", BCON_INT32(0), "reporter.lookup",
                    BCON_INT32(0), "events", BCON_INT32(0), "todo", BCON_INT32(0), "lease",
                    BCON_INT32(0), "}");
    cursor = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
    *items = json_array();
    while (mongoc_cursor_next(cursor, &doc)) {
        json_t *item = intake_view(doc, INTAKE_VIEW_AGENCY);
        json_object_del(item, "history");
        json_object_del(item, "followups");
        json_object_del(item, "repeated_by_reporter");
        json_array_append_new(*items, item);
    }
    if (mongoc_cursor_error(cursor, &error))
        goto db_error;
    rc = 0;
    goto done;
db_error:
    lp_metric_inc(self->db_errors);
    lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    lp_error_set(err, LP_ERR_DATABASE, NULL, "%s", error.message);
    json_decref(*items);
    *items = NULL;
done:
    if (cursor)
        mongoc_cursor_destroy(cursor);
    if (opts)
        bson_destroy(opts);
    bson_destroy(&filter);
    return rc;
}

/* GET /api/v1/agency/complaints: the queue, the nearest deadline first. */
static void
s_list(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, const char *agency)
{
    const char *overdue = lp_http_query(req, "overdue");
    intake_queue_filter_t f = {.status = lp_http_query(req, "status"),
                               .category = lp_http_query(req, "category"),
                               .region = lp_http_query(req, "region")};
    long page = s_query_long(req, "page", 1, 1, 100000);
    long per_page = page < 0 ? -1 : s_query_long(req, "per_page", 20, 1, PER_PAGE_MAX);
    json_t *items = NULL;
    int64_t total = 0;
    lp_error_t err;

    lp_error_clear(&err);
    if (page < 0 || per_page < 0)
        return;
    if (f.status && !intake_agency_status_known(f.status)) {
        lp_http_reply_error(req, 400, "status", "is not a status");
        return;
    }
    if (f.category &&
        (strlen(f.category) > 40 || !lp_refdata_has_category(self->svc.refdata, f.category))) {
        lp_http_reply_error(req, 400, "category", "is not a known category");
        return;
    }
    if (f.region &&
        (strlen(f.region) > 20 || strspn(f.region, "0123456789.") != strlen(f.region))) {
        lp_http_reply_error(req, 400, "region", "must be a Kemendagri code prefix such as 64.01");
        return;
    }
    if (overdue && strcmp(overdue, "true") != 0 && strcmp(overdue, "false") != 0) {
        lp_http_reply_error(req, 400, "overdue", "must be true or false");
        return;
    }
    f.overdue = overdue && strcmp(overdue, "true") == 0;
    if (intake_agency_queue(self, coll, agency, &f, page, per_page, &items, &total, &err) != 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the list is unavailable right now; try again");
        return;
    }
    lp_http_reply_json(req, 200,
                       json_pack("{s:s,s:o,s:i,s:i,s:I}", "agency", agency, "complaints", items,
                                 "page", (int) page, "per_page", (int) per_page, "total",
                                 (json_int_t) total));
}

int
intake_agency_load(intake_t *self, mongoc_collection_t *coll, const char *raw, const char *agency,
                   const lp_principal_t *who, intake_case_t *c, bson_t **doc, lp_error_t *err)
{
    char tracking[LP_TRACKING_LEN + 1];
    bson_t *filter = NULL, *projection = NULL;
    int found;

    *doc = NULL;
    found = lp_tracking_normalize(raw, tracking) == 0 ? intake_case_load(coll, tracking, c) : 0;
    if (found < 0) {
        lp_metric_inc(self->db_errors);
        lp_error_set(err, LP_ERR_DATABASE, NULL, "the complaint cannot be read now");
        return -1;
    }
    if (found == 0)
        return 0;
    filter = BCON_NEW("_id", BCON_OID(&c->oid), "agencies_seen", BCON_UTF8(agency));
    projection = BCON_NEW("reporter.sealed", BCON_INT32(0), "reporter.lookup", BCON_INT32(0),
                          "events", BCON_INT32(0), "todo", BCON_INT32(0), "lease", BCON_INT32(0));
    *doc = lp_store_find_one(coll, filter, projection, err);
    bson_destroy(projection);
    bson_destroy(filter);
    if (*doc)
        return 1;
    if (err->code != LP_ERR_NONE) {
        lp_metric_inc(self->db_errors);
        return -1;
    }
    /* Someone else's complaint answers exactly like none at all. */
    lp_log(LP_LOG_WARN, "agency.not_theirs", "{s:s,s:s,s:s}", "user", who->name, "agency", agency,
           "tracking_id", c->tracking);
    return 0;
}

/* Loads tracking for agency. 1 found and theirs; otherwise answered (404 for
 * someone else's, the same as for none, so the answer tells nothing). */
static int
s_load_theirs(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, const char *raw,
              const char *agency, const lp_principal_t *who, intake_case_t *c, bson_t **doc)
{
    lp_error_t err;
    int rc;

    lp_error_clear(&err);
    rc = intake_agency_load(self, coll, raw, agency, who, c, doc, &err);
    if (rc > 0)
        return 1;
    if (rc < 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the complaint cannot be read now; try again");
    }
    else
        lp_http_reply_error(req, 404, "tracking_id", "no complaint has this tracking ID");
    return 0;
}

/* A follow-up, or a status change to in_progress or resolved, by the agency. */
static int
s_progress(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c, const char *to,
           const char *text, const char *by, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], actor[96], note[2100];
    bool resolving = strcmp(to, "resolved") == 0;
    bson_t set = BSON_INITIALIZER, push = BSON_INITIALIZER, entry;
    lp_transition_t t = {0};
    int rc = -1;

    if (!intake_one_of(c->status, s_open)) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "only a disposed, reopened or in-progress complaint can be "
                     "followed up or resolved");
        goto done;
    }
    snprintf(actor, sizeof actor, "agency:%s", c->agency);
    intake_case_status_event(self, c, to, by, &env, &changed, event_id);
    if (text) {
        BSON_APPEND_DOCUMENT_BEGIN(&push, "followups", &entry);
        BSON_APPEND_INT64(&entry, "at", env.occurred_at_ms);
        BSON_APPEND_UTF8(&entry, "by", by);
        BSON_APPEND_UTF8(&entry, "text", text);
        bson_append_document_end(&push, &entry);
        BSON_APPEND_UTF8(&set, "last_followup.text", text);
        BSON_APPEND_INT64(&set, "last_followup.at", env.occurred_at_ms);
    }
    if (resolving) {
        BSON_APPEND_INT64(&set, "resolved_at", env.occurred_at_ms);
        BSON_APPEND_UTF8(&set, "answer.text", text);
        BSON_APPEND_INT64(&set, "answer.at", env.occurred_at_ms);
        BSON_APPEND_UTF8(&set, "answer.by", by);
        snprintf(note, sizeof note, "Selesai: %s", text);
    }
    else
        snprintf(note, sizeof note, "Tindak lanjut: %s", text ? text : "sedang dikerjakan");
    intake_case_transition(&t, c, to, actor, note, &env, next, 2);
    t.set = &set;
    t.push = &push;
    rc = intake_case_commit(self, coll, c, &t, resolving ? "resolve" : "followup", by, err);
done:
    bson_destroy(&set);
    bson_destroy(&push);
    return rc;
}

static bool
s_text_ok(const char *field, const char *text, size_t min, size_t max, lp_error_t *err)
{
    if (text && intake_utf8_length(text) >= min && intake_utf8_length(text) <= max)
        return true;
    lp_error_set(err, LP_ERR_INVALID, field, "write %zu to %zu characters", min, max);
    return false;
}

int
intake_agency_followup(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                       const lp_principal_t *who, const char *text, lp_error_t *err)
{
    if (!s_text_ok("text", text, 5, 2000, err))
        return -1;
    return s_progress(self, coll, c, "in_progress", text, who->name, err);
}

int
intake_agency_start(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                    const lp_principal_t *who, const char *text, lp_error_t *err)
{
    return s_progress(self, coll, c, "in_progress", text, who->name, err);
}

int
intake_agency_resolve(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                      const lp_principal_t *who, const char *text, lp_error_t *err)
{
    if (!s_text_ok("text", text, 5, 2000, err))
        return -1;
    return s_progress(self, coll, c, "resolved", text, who->name, err);
}

int
intake_agency_question(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                       const lp_principal_t *who, const char *question, lp_error_t *err)
{
    char actor[96];
    snprintf(actor, sizeof actor, "agency:%s", c->agency);
    return intake_case_postpone_do(self, coll, c, question, actor, who->name, err);
}

int
intake_agency_not_authority(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                            const lp_principal_t *who, const char *reason, lp_error_t *err)
{
    char actor[96];
    snprintf(actor, sizeof actor, "agency:%s", c->agency);
    return intake_case_not_authority_do(self, coll, c, reason, actor, who->name, err);
}

/* POST complaints/{id}/{followups|status|question}. */
static void
s_act(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, const intake_case_t *c,
      const char *action, const lp_principal_t *who, json_t *body)
{
    const char *text = intake_json_str(body, "text");
    const char *to = NULL;
    lp_error_t err;
    int rc;

    lp_error_clear(&err);
    if (strcmp(action, "followups") == 0) {
        to = "in_progress";
        rc = intake_agency_followup(self, coll, c, who, text, &err);
    }
    else if (strcmp(action, "question") == 0) {
        to = "postponed";
        rc = intake_agency_question(self, coll, c, who, intake_json_str(body, "question"), &err);
    }
    else if (strcmp(action, "status") == 0) {
        to = intake_json_str(body, "status");
        if (!intake_auth_may_decide(who)) {
            lp_log(LP_LOG_WARN, "agency.forbidden", "{s:s,s:s,s:s}", "user", who->name, "role",
                   who->role, "action", "status");
            lp_http_reply_error(req, 403, NULL,
                                "only the agency's liaison (Admin Penghubung) decides this");
            return;
        }
        if (to && strcmp(to, "resolved") == 0)
            rc = intake_agency_resolve(self, coll, c, who, text, &err);
        else if (to && strcmp(to, "in_progress") == 0)
            rc = intake_agency_start(self, coll, c, who, text, &err);
        else if (to && strcmp(to, "not_authority") == 0) {
            to = "received";
            rc = intake_agency_not_authority(self, coll, c, who, intake_json_str(body, "reason"),
                                             &err);
        }
        else {
            lp_http_reply_error(req, 400, "status",
                                "must be in_progress, resolved or "
                                "not_authority");
            return;
        }
    }
    else {
        lp_http_reply_error(req, 404, NULL, "no such action (followups, status, question)");
        return;
    }
    intake_case_answer(req, c, rc, to, &err);
}

/* GET .../attachments/{aid}[/thumb] of a complaint the agency holds (doc). */
static void
s_attachment(intake_t *self, lp_http_req_t *req, const bson_t *doc, const char *rest)
{
    char aid[LP_ATTACH_ID_LEN + 1];
    lp_attach_ref_t ref;
    bool thumb = false;

    snprintf(aid, sizeof aid, "%.*s", LP_ATTACH_ID_LEN, rest);
    thumb = strcmp(rest + strlen(aid), "/thumb") == 0;
    if (!lp_attach_id_ok(aid) || (rest[strlen(aid)] && !thumb) ||
        !lp_attach_ref_find(doc, aid, &ref)) {
        lp_http_reply_error(req, 404, NULL, "no such attachment");
        return;
    }
    intake_attach_send(self, req, &ref, thumb);
}

void
intake_agency_handle(intake_t *self, lp_http_req_t *req)
{
    static const char *const allowed[] = {"text", "status", "reason", "question", "csrf", NULL};
    const char *path = lp_http_path(req) + strlen(AGENCY_PREFIX);
    const char *method = lp_http_method(req);
    const char *agency, *slash;
    bool post = strcmp(method, "POST") == 0;
    lp_principal_t who;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    intake_case_t c;
    bson_t *doc = NULL;
    json_t *body = NULL;
    char raw[32];

    if (post && !intake_rate_allow(self, req))
        return;
    if (post && !(body = intake_json_body(req, allowed, NULL)))
        return;
    if (!intake_auth(self, req, body ? intake_json_str(body, "csrf") : NULL, &who))
        goto done;
    if (!(agency = s_agency_of(self, req, &who)))
        goto done;
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    if (*path == '\0') {
        if (strcmp(method, "GET") == 0)
            s_list(self, req, coll, agency);
        else
            lp_http_reply_error(req, 405, NULL, "use GET");
        goto done;
    }
    if (*path != '/') {
        lp_http_reply_error(req, 404, NULL, "no such path");
        goto done;
    }
    path++;
    slash = strchr(path, '/');
    snprintf(raw, sizeof raw, "%.*s", (int) (slash ? (size_t) (slash - path) : strlen(path)), path);
    if (!s_load_theirs(self, req, coll, raw, agency, &who, &c, &doc))
        goto done;
    if (!slash) {
        if (strcmp(method, "GET") == 0)
            lp_http_reply_json(req, 200, intake_view(doc, INTAKE_VIEW_AGENCY));
        else
            lp_http_reply_error(req, 405, NULL, "use GET to read, POST to an action");
    }
    else if (!post && strncmp(slash + 1, "attachments/", 12) == 0)
        s_attachment(self, req, doc, slash + 13);
    else if (!post)
        lp_http_reply_error(req, 405, NULL, "use POST");
    else
        s_act(self, req, coll, &c, slash + 1, &who, body);
done:
    if (doc)
        bson_destroy(doc);
    json_decref(body);
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        lp_store_push(self->svc.store, client);
}
