/* triage: the coordinators' desk (Admin Koordinator): list what waits for a human,
 * and verify-and-dispose, postpone with a question, archive, or send back as "not
 * our authority". Authenticated by API keys of role coordinator or admin. */
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "desk.h"
#include "triage.h"
#include "intake-private.h"
#include "lp_apikey.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_transition.h"

#define ADMIN_PREFIX "/api/v1/admin/"

static const char *const s_roles[] = {"coordinator", "admin", NULL};
static const char *const s_archive_reasons[] = {"too_general", "not_relevant",  "duplicate",
                                                "spam",        "not_authority", NULL};

bool
intake_triage_archive_reason_known(const char *reason)
{
    return intake_one_of(reason, s_archive_reasons);
}

int
intake_triage_dispose(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                      const char *category, const char *agency_id, const char *extra,
                      const char *actor, const char *owner, lp_error_t *err)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintDisposed disposed = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    const lp_agency_t *agency = NULL;
    char event_id[LP_EVENT_ID_LEN + 1], note[300];
    bson_t set = BSON_INITIALIZER, unset = BSON_INITIALIZER;
    lp_transition_t t = {0};
    int rc = -1;

    if (strcmp(c->status, "received") != 0 && strcmp(c->status, "postponed") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "only a received or postponed complaint can be "
                     "disposed by the triage desk");
        goto done;
    }
    if (!category)
        category = *c->category ? c->category : (*c->suggested ? c->suggested : NULL);
    if (!category || !lp_refdata_has_category(self->svc.refdata, category)) {
        lp_error_set(err, LP_ERR_INVALID, "category", "give a known category for this complaint");
        goto done;
    }
    agency = agency_id ? lp_refdata_agency(self->svc.refdata, agency_id)
                       : lp_refdata_route(self->svc.refdata, c->region, category, c->excluded,
                                          c->n_excluded, NULL);
    if (!agency) {
        lp_error_set(err, LP_ERR_INVALID, "agency_id", "%s",
                     agency_id ? "is not a known agency" : "no agency covers this; name one");
        goto done;
    }
    disposed.from = lp_status_from_name(c->status);
    disposed.rule = "triage";
    disposed.category = (char *) category;
    disposed.region = (char *) c->region;
    env.disposed = &disposed;
    env.complaint_id = (char *) c->id;
    env.tracking_id = (char *) c->tracking;
    env.version = (uint32_t) c->v + 1;
    lp_transition_dispose(&t, &set, &unset, &env, agency, lp_refdata_calendar(self->svc.refdata),
                          (int) self->config->followup_days, self->svc.config->instance, event_id);
    snprintf(note, sizeof note, "Diverifikasi dan diteruskan ke %s%s%s", agency->name,
             extra ? ": " : "", extra ? extra : "");
    BSON_APPEND_UTF8(&set, "category", category);
    BSON_APPEND_UTF8(&set, "verified_by", owner);
    /* lp_transition_dispose chose the status, event and stages: add the guard. */
    t.from_status = c->status;
    t.from_v = c->v;
    t.actor = actor;
    t.note = note;
    rc = intake_case_commit(self, coll, c, &t, "dispose", owner, err);
done:
    bson_destroy(&set);
    bson_destroy(&unset);
    return rc;
}

static void
s_dispose(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, intake_case_t *c,
          const char *actor, const char *owner)
{
    static const char *const allowed[] = {"agency_id", "category", "note", NULL};
    json_t *body = intake_json_body(req, allowed, NULL);
    lp_error_t err;
    int rc;

    if (!body)
        return;
    lp_error_clear(&err);
    rc = intake_triage_dispose(self, coll, c, intake_json_str(body, "category"),
                               intake_json_str(body, "agency_id"), intake_json_str(body, "note"),
                               actor, owner, &err);
    intake_case_answer(req, c, rc, "disposed", &err);
    json_decref(body);
}

int
intake_triage_archive(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                      const char *reason, const char *actor, const char *owner, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], note[120];
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};
    int rc = -1;

    if (!intake_triage_archive_reason_known(reason)) {
        lp_error_set(err, LP_ERR_INVALID, "reason",
                     "must be too_general, not_relevant, duplicate, spam or not_authority");
        goto done;
    }
    if (strcmp(c->status, "received") != 0 && strcmp(c->status, "postponed") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "only a received or postponed complaint can be archived");
        goto done;
    }
    intake_case_status_event(self, c, "archived", actor, &env, &changed, event_id);
    snprintf(note, sizeof note, "Diarsipkan (%s)", reason);
    BSON_APPEND_UTF8(&set, "archive_reason", reason);
    intake_case_transition(&t, c, "archived", actor, note, &env, next, 2);
    t.set = &set;
    rc = intake_case_commit(self, coll, c, &t, "archive", owner, err);
done:
    bson_destroy(&set);
    return rc;
}

int
intake_triage_postpone(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                       const char *question, const char *actor, const char *owner, lp_error_t *err)
{
    if (strcmp(c->status, "received") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status", "only a received complaint can be postponed");
        return -1;
    }
    return intake_case_postpone_do(self, coll, c, question, actor, owner, err);
}

static void
s_archive(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, intake_case_t *c,
          const char *actor, const char *owner, const char *reason)
{
    lp_error_t err;
    lp_error_clear(&err);
    int rc = intake_triage_archive(self, coll, c, reason, actor, owner, &err);
    intake_case_answer(req, c, rc, "archived", &err);
}

/* "Not our authority" at the desk: before a disposition it means not for any
 * government body (archived); after one, back to the router without that agency. */
static void
s_not_authority(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, intake_case_t *c,
                const char *actor, const char *owner)
{
    static const char *const allowed[] = {"reason", NULL};
    json_t *body = intake_json_body(req, allowed, NULL);
    const char *reason = body ? intake_json_str(body, "reason") : NULL;

    if (!body)
        return;
    if (reason && (strcmp(c->status, "received") == 0 || strcmp(c->status, "postponed") == 0))
        s_archive(self, req, coll, c, actor, owner, "not_authority");
    else
        intake_case_not_authority(self, req, coll, c, reason, actor, owner);
    json_decref(body);
}

static json_t *
s_triage_item(const bson_t *doc)
{
    bson_iter_t it;
    json_t *item = json_object();
    static const char *const fields[][2] = {{"tracking_id", "tracking_id"},
                                            {"title", "title"},
                                            {"category", "category"},
                                            {"region", "region.code"},
                                            {"region_name", "region.name"},
                                            {"reason", "triage.reason"},
                                            {"suggested_category", "triage.suggested_category"}};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, fields[i][1], &it) &&
            BSON_ITER_HOLDS_UTF8(&it))
            json_object_set_new(item, fields[i][0], json_string(bson_iter_utf8(&it, NULL)));
    if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, "triage.confidence", &it) &&
        BSON_ITER_HOLDS_NUMBER(&it))
        json_object_set_new(item, "confidence", json_real(bson_iter_as_double(&it)));
    if (bson_iter_init_find(&it, doc, "created_at") && BSON_ITER_HOLDS_NUMBER(&it))
        json_object_set_new(item, "created_at_ms", json_integer(bson_iter_as_int64(&it)));
    if (bson_iter_init_find(&it, doc, "dispose_by") && BSON_ITER_HOLDS_NUMBER(&it))
        json_object_set_new(item, "dispose_by_ms", json_integer(bson_iter_as_int64(&it)));
    json_object_set_new(item, "overdue",
                        json_boolean(bson_iter_init_find(&it, doc, "dispose_overdue")));
    return item;
}

int
intake_triage_list(intake_t *self, mongoc_collection_t *coll, long limit, json_t **items,
                   lp_error_t *err)
{
    bson_t *filter =
        BCON_NEW("status", BCON_UTF8("received"), "triage", "{", "$exists", BCON_BOOL(true), "}");
    bson_t *opts = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    int rc = -1;

    *items = json_array();
    opts = BCON_NEW("limit", BCON_INT64(limit), "sort", "{", "created_at", BCON_INT32(1), "}",
                    "projection", "{", "reporter", BCON_INT32(0), "events", BCON_INT32(0), "}");
    cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    while (mongoc_cursor_next(cursor, &doc))
        json_array_append_new(*items, s_triage_item(doc));
    if (mongoc_cursor_error(cursor, &error)) {
        lp_metric_inc(self->db_errors);
        lp_error_set(err, LP_ERR_DATABASE, NULL, "%s", error.message);
        json_decref(*items);
        *items = NULL;
        goto done;
    }
    rc = 0;
done:
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    return rc;
}

/* GET /api/v1/admin/triage: what waits for a coordinator, oldest first. */
static void
s_list(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll)
{
    const char *limit_text = lp_http_query(req, "limit");
    long limit = limit_text ? strtol(limit_text, NULL, 10) : 50;
    json_t *items = NULL;
    lp_error_t err;

    lp_error_clear(&err);
    if (limit < 1 || limit > 200) {
        lp_http_reply_error(req, 400, "limit", "must be a number from 1 to 200");
        return;
    }
    if (intake_triage_list(self, coll, limit, &items, &err) != 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the triage list is unavailable right now");
        return;
    }
    lp_http_reply_json(req, 200, json_pack("{s:o}", "complaints", items));
}

void
intake_triage_handle(intake_t *self, lp_http_req_t *req)
{
    const char *path = lp_http_path(req) + strlen(ADMIN_PREFIX);
    const char *method = lp_http_method(req);
    char owner[128] = "", actor[160], raw[64];
    const char *slash = NULL, *action = NULL;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    intake_case_t c;
    lp_error_t err;
    int auth = 0, rc = 0;

    lp_error_clear(&err);
    /* Before the key check, so guessing keys is slow too. */
    if (strcmp(method, "POST") == 0 && !intake_rate_allow(self, req))
        return;
    auth = lp_apikey_check(self->svc.store, lp_http_header(req, "Authorization"), s_roles, owner,
                           sizeof owner, &err);
    if (auth < 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "cannot check the key now; try again");
        return;
    }
    if (auth == 0) {
        lp_log(LP_LOG_WARN, "triage.unauthorized", "{s:s,s:s}", "path", lp_http_path(req), "ip",
               lp_http_client_ip(req));
        lp_http_add_header(req, "WWW-Authenticate", "Bearer");
        lp_http_reply_error(req, 401, "Authorization", "a coordinator API key is required");
        return;
    }
    snprintf(actor, sizeof actor, "triage:%s", owner);
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);

    if (strcmp(path, "triage") == 0) {
        if (strcmp(method, "GET") == 0)
            s_list(self, req, coll);
        else
            lp_http_reply_error(req, 405, NULL, "use GET");
        goto done;
    }
    /* complaints/{tracking id}/{action} */
    if (strncmp(path, "complaints/", 11) != 0 || !(slash = strchr(path + 11, '/')) ||
        (size_t) (slash - path - 11) >= sizeof raw) {
        lp_http_reply_error(req, 404, NULL, "no such path");
        goto done;
    }
    snprintf(raw, sizeof raw, "%.*s", (int) (slash - path - 11), path + 11);
    action = slash + 1;
    if (strcmp(method, "POST") != 0) {
        lp_http_add_header(req, "Allow", "POST");
        lp_http_reply_error(req, 405, NULL, "use POST");
        goto done;
    }
    if (!intake_case_find(self, req, coll, raw, &c))
        goto done;
    if (strcmp(action, "dispose") == 0)
        s_dispose(self, req, coll, &c, actor, owner);
    else if (strcmp(action, "postpone") == 0) {
        static const char *const allowed[] = {"question", NULL};
        json_t *body = intake_json_body(req, allowed, NULL);
        if (body) {
            rc = intake_triage_postpone(self, coll, &c, intake_json_str(body, "question"), actor,
                                        owner, &err);
            intake_case_answer(req, &c, rc, "postponed", &err);
        }
        json_decref(body);
    }
    else if (strcmp(action, "not-authority") == 0)
        s_not_authority(self, req, coll, &c, actor, owner);
    else if (strcmp(action, "archive") == 0) {
        static const char *const allowed[] = {"reason", NULL};
        json_t *body = intake_json_body(req, allowed, NULL);
        const char *reason = body ? intake_json_str(body, "reason") : NULL;
        if (body)
            s_archive(self, req, coll, &c, actor, owner, reason);
        json_decref(body);
    }
    else
        lp_http_reply_error(req, 404, NULL,
                            "no such action (dispose, postpone, archive, not-authority)");
done:
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}
