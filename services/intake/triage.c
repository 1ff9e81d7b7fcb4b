/* triage: the coordinators' desk (Admin Koordinator): list what waits for a human,
 * and verify-and-dispose, postpone with a question, archive, or send back as "not
 * our authority". Authenticated by API keys of role coordinator or admin. */
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "intake-private.h"
#include "lp_apikey.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_transition.h"

#define ADMIN_PREFIX "/api/v1/admin/"
#define MAX_EXCLUDED 16

static const char *const s_roles[] = {"coordinator", "admin", NULL};
static const char *const s_archive_reasons[] = {"too_general", "not_relevant",  "duplicate",
                                                "spam",        "not_authority", NULL};

/* The complaint as the desk needs it. */
typedef struct {
    bson_oid_t oid;
    char id[25];
    char status[24];
    char category[48];
    char region[24];
    char agency[64];
    char suggested[48];
    const char *excluded[MAX_EXCLUDED];
    char excluded_buf[MAX_EXCLUDED][64];
    size_t n_excluded;
    int32_t v;
} s_complaint_t;

/* 1 found, 0 not found, -1 database error. */
static int
s_load(mongoc_collection_t *coll, const char *tracking, s_complaint_t *c)
{
    bson_t *filter = BCON_NEW("tracking_id", BCON_UTF8(tracking));
    bson_t *projection =
        BCON_NEW("reporter", BCON_INT32(0), "events", BCON_INT32(0), "history", BCON_INT32(0));
    lp_error_t err;
    bson_t *doc = lp_store_find_one(coll, filter, projection, &err);
    bson_iter_t it;
    int found = doc ? 1 : err.code == LP_ERR_NONE ? 0 : -1;

    memset(c, 0, sizeof *c);
    if (doc) {
        if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it)) {
            bson_oid_copy(bson_iter_oid(&it), &c->oid);
            bson_oid_to_string(&c->oid, c->id);
        }
        lp_doc_copy(doc, "status", c->status, sizeof c->status);
        lp_doc_copy(doc, "category", c->category, sizeof c->category);
        lp_doc_copy(doc, "region.code", c->region, sizeof c->region);
        lp_doc_copy(doc, "agency.id", c->agency, sizeof c->agency);
        lp_doc_copy(doc, "triage.suggested_category", c->suggested, sizeof c->suggested);
        c->v = (int32_t) lp_doc_int(doc, "v");
        c->n_excluded = lp_doc_strings(doc, "excluded_agencies", c->excluded_buf, MAX_EXCLUDED);
        for (size_t i = 0; i < c->n_excluded; i++)
            c->excluded[i] = c->excluded_buf[i];
        bson_destroy(doc);
    }
    bson_destroy(projection);
    bson_destroy(filter);
    return found;
}

/* Parses the request body: a JSON object whose keys are all in allowed and whose
 * values are all strings. Returns the object, or NULL after answering 400. */
static json_t *
s_body(lp_http_req_t *req, const char *const *allowed)
{
    size_t len = 0;
    const char *text = lp_http_body(req, &len);
    json_error_t jerr;
    json_t *root = len ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr) : json_object();
    const char *key = NULL;
    json_t *value = NULL;
    char message[200];

    if (!root) {
        snprintf(message, sizeof message, "the body is not valid JSON: %s", jerr.text);
        lp_http_reply_error(req, 400, NULL, message);
        return NULL;
    }
    if (!json_is_object(root)) {
        lp_http_reply_error(req, 400, NULL, "the body must be a JSON object");
        json_decref(root);
        return NULL;
    }
    json_object_foreach (root, key, value) {
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = strcmp(*a, key) == 0;
        if (!known || !json_is_string(value)) {
            char field[64];
            snprintf(field, sizeof field, "%.60s", key);
            lp_http_reply_error(req, 400, field,
                                known ? "must be a string" : "is not a known field");
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

static const char *
s_field(json_t *body, const char *key)
{
    const char *v = json_string_value(json_object_get(body, key));
    return v && *v ? v : NULL;
}

static bool
s_one_of(const char *value, const char *const *allowed)
{
    for (; value && *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

/* Applies t and answers: 200 with the new status, 409 when the complaint moved on. */
static void
s_apply(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, s_complaint_t *c,
        lp_transition_t *t, const char *tracking, const char *action, const char *owner)
{
    lp_error_t err;
    lp_error_clear(&err);
    int rc = lp_transition_apply(coll, &c->oid, t, lp_now_ms(), &err);
    if (rc < 0) {
        lp_metric_inc(self->db_errors);
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the change could not be stored now; try again");
        return;
    }
    if (rc == 0) {
        lp_http_reply_error(req, 409, "status", "the complaint changed meanwhile; reload it");
        return;
    }
    lp_log(LP_LOG_INFO, "triage.action", "{s:s,s:s,s:s,s:s}", "tracking_id", tracking, "action",
           action, "by", owner, "to", t->to_status ? t->to_status : c->status);
    if (t->event)
        intake_ring(self, t->event);
    lp_http_reply_json(req, 200,
                       json_pack("{s:s,s:s}", "tracking_id", tracking, "status",
                                 t->to_status ? t->to_status : c->status));
}

/* Stamps a StatusChanged event for c. */
static void
s_status_event(intake_t *self, const s_complaint_t *c, const char *tracking, const char *to,
               const char *actor, Lapor__V1__Envelope *env, Lapor__V1__StatusChanged *changed,
               char *event_id)
{
    changed->from = lp_status_from_name(c->status);
    changed->to = lp_status_from_name(to);
    changed->agency_id = (char *) c->agency;
    changed->actor = (char *) actor;
    env->payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED;
    env->status_changed = changed;
    env->complaint_id = (char *) c->id;
    env->tracking_id = (char *) tracking;
    env->version = (uint32_t) c->v + 1;
    lp_event_stamp(env, self->svc.config->instance, event_id);
}

static void
s_dispose(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, s_complaint_t *c,
          const char *tracking, const char *actor, const char *owner)
{
    static const char *const allowed[] = {"agency_id", "category", "note", NULL};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintDisposed disposed = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    json_t *body = s_body(req, allowed);
    const char *category = NULL, *agency_id = NULL;
    const lp_agency_t *agency = NULL;
    char event_id[LP_EVENT_ID_LEN + 1], note[300];
    bson_t set = BSON_INITIALIZER, unset = BSON_INITIALIZER;
    lp_transition_t t = {0};

    if (!body)
        goto done;
    if (strcmp(c->status, "received") != 0 && strcmp(c->status, "postponed") != 0) {
        lp_http_reply_error(req, 409, "status",
                            "only a received or postponed complaint can be "
                            "disposed by the triage desk");
        goto done;
    }
    category = s_field(body, "category");
    if (!category)
        category = *c->category ? c->category : (*c->suggested ? c->suggested : NULL);
    if (!category || !lp_refdata_has_category(self->svc.refdata, category)) {
        lp_http_reply_error(req, 400, "category", "give a known category for this complaint");
        goto done;
    }
    agency_id = s_field(body, "agency_id");
    agency = agency_id ? lp_refdata_agency(self->svc.refdata, agency_id)
                       : lp_refdata_route(self->svc.refdata, c->region, category, c->excluded,
                                          c->n_excluded, NULL);
    if (!agency) {
        lp_http_reply_error(req, 400, "agency_id",
                            agency_id ? "is not a known agency"
                                      : "no agency covers this; name one");
        goto done;
    }
    disposed.from = lp_status_from_name(c->status);
    disposed.rule = "triage";
    disposed.category = (char *) category;
    disposed.region = c->region;
    env.disposed = &disposed;
    env.complaint_id = c->id;
    env.tracking_id = (char *) tracking;
    env.version = (uint32_t) c->v + 1;
    lp_transition_dispose(&t, &set, &unset, &env, agency, lp_refdata_calendar(self->svc.refdata),
                          (int) self->config->followup_days, self->svc.config->instance, event_id);
    snprintf(note, sizeof note, "Diverifikasi dan diteruskan ke %s%s%s", agency->name,
             s_field(body, "note") ? ": " : "", s_field(body, "note") ? s_field(body, "note") : "");
    BSON_APPEND_UTF8(&set, "category", category);
    BSON_APPEND_UTF8(&set, "verified_by", owner);
    t.from_status = c->status;
    t.from_v = c->v;
    t.actor = actor;
    t.note = note;
    s_apply(self, req, coll, c, &t, tracking, "dispose", owner);
done:
    bson_destroy(&set);
    bson_destroy(&unset);
    json_decref(body);
}

static void
s_postpone(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, s_complaint_t *c,
           const char *tracking, const char *actor, const char *owner)
{
    static const char *const allowed[] = {"question", NULL};
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    json_t *body = s_body(req, allowed);
    const char *question = body ? s_field(body, "question") : NULL;
    char event_id[LP_EVENT_ID_LEN + 1];
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};

    if (!body)
        goto done;
    if (!question || intake_utf8_length(question) < 5 || intake_utf8_length(question) > 500) {
        lp_http_reply_error(req, 400, "question",
                            "ask the reporter a question of 5 to 500 characters");
        goto done;
    }
    if (strcmp(c->status, "received") != 0) {
        lp_http_reply_error(req, 409, "status", "only a received complaint can be postponed");
        goto done;
    }
    s_status_event(self, c, tracking, "postponed", actor, &env, &changed, event_id);
    BSON_APPEND_UTF8(&set, "question.text", question);
    BSON_APPEND_INT64(&set, "question.at", env.occurred_at_ms);
    t.from_status = c->status;
    t.from_v = c->v;
    t.to_status = "postponed";
    t.set = &set;
    t.actor = actor;
    t.note = "Ditunda: admin meminta keterangan tambahan dari pelapor";
    t.event = &env;
    t.stages = next;
    t.n_stages = 2;
    s_apply(self, req, coll, c, &t, tracking, "postpone", owner);
done:
    bson_destroy(&set);
    json_decref(body);
}

static void
s_archive(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, s_complaint_t *c,
          const char *tracking, const char *actor, const char *owner, const char *reason)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], note[120];
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};

    if (strcmp(c->status, "received") != 0 && strcmp(c->status, "postponed") != 0) {
        lp_http_reply_error(req, 409, "status",
                            "only a received or postponed complaint can be archived");
        goto done;
    }
    s_status_event(self, c, tracking, "archived", actor, &env, &changed, event_id);
    snprintf(note, sizeof note, "Diarsipkan (%s)", reason);
    BSON_APPEND_UTF8(&set, "archive_reason", reason);
    t.from_status = c->status;
    t.from_v = c->v;
    t.to_status = "archived";
    t.set = &set;
    t.actor = actor;
    t.note = note;
    t.event = &env;
    t.stages = next;
    t.n_stages = 2;
    s_apply(self, req, coll, c, &t, tracking, "archive", owner);
done:
    bson_destroy(&set);
}

/* "Not our authority": a disposed complaint goes back to the router, which picks
 * another agency; the one that declined is never chosen again for it. */
static void
s_not_authority(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, s_complaint_t *c,
                const char *tracking, const char *actor, const char *owner)
{
    static const char *const allowed[] = {"reason", NULL};
    static const char *const next[] = {LP_STAGE_ROUTER, LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    json_t *body = s_body(req, allowed);
    const char *reason = body ? s_field(body, "reason") : NULL;
    char event_id[LP_EVENT_ID_LEN + 1], note[700];
    bson_t unset = BSON_INITIALIZER, push = BSON_INITIALIZER;
    lp_transition_t t = {0};

    if (!body)
        goto done;
    if (!reason || intake_utf8_length(reason) < 5 || intake_utf8_length(reason) > 500) {
        lp_http_reply_error(req, 400, "reason", "say in 5 to 500 characters why");
        goto done;
    }
    if (strcmp(c->status, "received") == 0 || strcmp(c->status, "postponed") == 0) {
        /* Not for any government body: the SP4N-LAPOR! meaning at the triage desk. */
        s_archive(self, req, coll, c, tracking, actor, owner, "not_authority");
        goto done;
    }
    if (strcmp(c->status, "disposed") != 0 && strcmp(c->status, "reopened") != 0 &&
        strcmp(c->status, "in_progress") != 0) {
        lp_http_reply_error(req, 409, "status", "this complaint is no longer with an agency");
        goto done;
    }
    s_status_event(self, c, tracking, "received", actor, &env, &changed, event_id);
    snprintf(note, sizeof note, "Bukan kewenangan %s: %s; disposisi ulang", c->agency, reason);
    BSON_APPEND_UTF8(&unset, "agency", "");
    BSON_APPEND_UTF8(&unset, "deadline_at", "");
    BSON_APPEND_UTF8(&push, "excluded_agencies", c->agency);
    t.from_status = c->status;
    t.from_v = c->v;
    t.to_status = "received";
    t.unset = &unset;
    t.push = &push;
    t.actor = actor;
    t.note = note;
    t.agency_id = c->agency;
    t.event = &env;
    t.stages = next;
    t.n_stages = 3;
    s_apply(self, req, coll, c, &t, tracking, "not_authority", owner);
done:
    bson_destroy(&unset);
    bson_destroy(&push);
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

/* GET /api/v1/admin/triage: what waits for a coordinator, oldest first. */
static void
s_list(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll)
{
    const char *limit_text = lp_http_query(req, "limit");
    long limit = limit_text ? strtol(limit_text, NULL, 10) : 50;
    bson_t *filter =
        BCON_NEW("status", BCON_UTF8("received"), "triage", "{", "$exists", BCON_BOOL(true), "}");
    bson_t *opts = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    json_t *items = json_array();

    if (limit < 1 || limit > 200) {
        lp_http_reply_error(req, 400, "limit", "must be a number from 1 to 200");
        goto done;
    }
    opts = BCON_NEW("limit", BCON_INT64(limit), "sort", "{", "created_at", BCON_INT32(1), "}",
                    "projection", "{", "reporter", BCON_INT32(0), "events", BCON_INT32(0), "}");
    cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    while (mongoc_cursor_next(cursor, &doc))
        json_array_append_new(items, s_triage_item(doc));
    if (mongoc_cursor_error(cursor, &error)) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the triage list is unavailable right now");
        goto done;
    }
    lp_http_reply_json(req, 200, json_pack("{s:O}", "complaints", items));
done:
    if (cursor)
        mongoc_cursor_destroy(cursor);
    if (opts)
        bson_destroy(opts);
    bson_destroy(filter);
    json_decref(items);
}

void
intake_triage_handle(intake_t *self, lp_http_req_t *req)
{
    const char *path = lp_http_path(req) + strlen(ADMIN_PREFIX);
    const char *method = lp_http_method(req);
    char owner[128] = "", actor[160], tracking[LP_TRACKING_LEN + 1], raw[64];
    const char *slash = NULL, *action = NULL;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    s_complaint_t c;
    lp_error_t err;
    int auth = 0;

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
    if (lp_tracking_normalize(raw, tracking) != 0 || s_load(coll, tracking, &c) == 0) {
        lp_http_reply_error(req, 404, "tracking_id", "no complaint has this tracking ID");
        goto done;
    }
    if (!c.id[0]) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the complaint cannot be read now; try again");
        goto done;
    }
    if (strcmp(action, "dispose") == 0)
        s_dispose(self, req, coll, &c, tracking, actor, owner);
    else if (strcmp(action, "postpone") == 0)
        s_postpone(self, req, coll, &c, tracking, actor, owner);
    else if (strcmp(action, "not-authority") == 0)
        s_not_authority(self, req, coll, &c, tracking, actor, owner);
    else if (strcmp(action, "archive") == 0) {
        static const char *const allowed[] = {"reason", NULL};
        json_t *body = s_body(req, allowed);
        const char *reason = body ? s_field(body, "reason") : NULL;
        if (body && !s_one_of(reason, s_archive_reasons))
            lp_http_reply_error(req, 400, "reason",
                                "must be too_general, not_relevant, duplicate, spam or "
                                "not_authority");
        else if (body)
            s_archive(self, req, coll, &c, tracking, actor, owner, reason);
        json_decref(body);
    }
    else
        lp_http_reply_error(req, 404, NULL,
                            "no such action (dispose, postpone, archive, not-authority)");
done:
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}
