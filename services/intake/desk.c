/* desk: loading a complaint, reading a small JSON body, guarded changes, answers. */
#include <stdio.h>
#include <string.h>

#include "desk.h"
#include "view.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outbox.h"

int
intake_case_load(mongoc_collection_t *coll, const char *tracking, intake_case_t *c)
{
    bson_t *filter = BCON_NEW("tracking_id", BCON_UTF8(tracking));
    bson_t *projection = BCON_NEW("reporter", BCON_INT32(0), "events", BCON_INT32(0), "history",
                                  BCON_INT32(0), "duplicates", BCON_INT32(0));
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
        else
            found = -1; /* not one of ours */
        snprintf(c->tracking, sizeof c->tracking, "%s", tracking);
        lp_doc_copy(doc, "status", c->status, sizeof c->status);
        lp_doc_copy(doc, "category", c->category, sizeof c->category);
        lp_doc_copy(doc, "region.code", c->region, sizeof c->region);
        lp_doc_copy(doc, "agency.id", c->agency, sizeof c->agency);
        lp_doc_copy(doc, "triage.suggested_category", c->suggested, sizeof c->suggested);
        lp_doc_copy(doc, "privacy", c->privacy, sizeof c->privacy);
        c->v = (int32_t) lp_doc_int(doc, "v");
        c->resolved_at = lp_doc_int(doc, "resolved_at");
        c->n_excluded =
            lp_doc_strings(doc, "excluded_agencies", c->excluded_buf, INTAKE_MAX_EXCLUDED);
        for (size_t i = 0; i < c->n_excluded; i++)
            c->excluded[i] = c->excluded_buf[i];
        bson_destroy(doc);
    }
    bson_destroy(projection);
    bson_destroy(filter);
    return found;
}

bool
intake_case_find(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, const char *raw,
                 intake_case_t *c)
{
    char tracking[LP_TRACKING_LEN + 1];
    int found = lp_tracking_normalize(raw, tracking) == 0 ? intake_case_load(coll, tracking, c) : 0;
    if (found == 0)
        lp_http_reply_error(req, 404, "tracking_id", "no complaint has this tracking ID");
    else if (found < 0) {
        lp_metric_inc(self->db_errors);
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the complaint cannot be read now; try again");
    }
    return found > 0;
}

int
intake_public_find(intake_t *self, const char *raw_id, json_t **view_out, char complaint_id[25],
                   lp_error_t *err)
{
    char id[LP_TRACKING_LEN + 1];
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL, *opts = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    bson_iter_t it;
    int rc = -1;

    *view_out = NULL;
    if (lp_tracking_normalize(raw_id, id) != 0) {
        lp_error_set(err, LP_ERR_NOT_FOUND, "tracking_id", "no complaint has this tracking ID");
        return -1;
    }
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    filter = BCON_NEW("tracking_id", BCON_UTF8(id));
    /* Fetch only what the public view shows: the reporter never leaves the database. */
    opts = BCON_NEW("limit", BCON_INT64(1), "projection", "{", "reporter", BCON_INT32(0), "events",
                    BCON_INT32(0), "todo", BCON_INT32(0), "lease", BCON_INT32(0), "}");
    cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    if (mongoc_cursor_next(cursor, &doc)) {
        *view_out = intake_view(doc, INTAKE_VIEW_PUBLIC);
        if (complaint_id) {
            complaint_id[0] = '\0';
            if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it))
                bson_oid_to_string(bson_iter_oid(&it), complaint_id);
        }
        rc = 0;
    }
    else if (mongoc_cursor_error(cursor, &error)) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        lp_error_set(err, LP_ERR_DATABASE, NULL, "the service is busy, please try again shortly");
    }
    else
        lp_error_set(err, LP_ERR_NOT_FOUND, "tracking_id", "no complaint has this tracking ID");
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}

json_t *
intake_json_body(lp_http_req_t *req, const char *const *allowed, const char *const *numbers)
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
        bool text_field = intake_one_of(key, allowed);
        bool number_field = numbers && intake_one_of(key, numbers);
        const char *problem = NULL;
        if (!text_field && !number_field)
            problem = "is not a known field";
        else if (text_field && !json_is_string(value))
            problem = "must be a string";
        else if (number_field && !json_is_integer(value))
            problem = "must be a whole number";
        if (problem) {
            char field[64];
            snprintf(field, sizeof field, "%.60s", key);
            lp_http_reply_error(req, 400, field, problem);
            json_decref(root);
            return NULL;
        }
    }
    return root;
}

const char *
intake_json_str(json_t *body, const char *key)
{
    const char *v = json_string_value(json_object_get(body, key));
    return v && *v ? v : NULL;
}

bool
intake_one_of(const char *value, const char *const *allowed)
{
    for (; value && allowed && *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

void
intake_case_status_event(intake_t *self, const intake_case_t *c, const char *to, const char *actor,
                         Lapor__V1__Envelope *env, Lapor__V1__StatusChanged *changed,
                         char event_id[LP_EVENT_ID_LEN + 1])
{
    changed->from = lp_status_from_name(c->status);
    changed->to = lp_status_from_name(to);
    changed->agency_id = (char *) c->agency;
    changed->actor = (char *) actor;
    env->payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED;
    env->status_changed = changed;
    env->complaint_id = (char *) c->id;
    env->tracking_id = (char *) c->tracking;
    env->version = (uint32_t) c->v + 1;
    lp_event_stamp(env, self->svc.config->instance, event_id);
}

void
intake_case_transition(lp_transition_t *t, const intake_case_t *c, const char *to,
                       const char *actor, const char *note, const lp_envelope_t *env,
                       const char *const *stages, size_t n_stages)
{
    t->from_status = c->status;
    t->from_v = c->v;
    t->to_status = to;
    t->actor = actor;
    t->note = note;
    t->agency_id = *c->agency ? c->agency : NULL;
    t->event = env;
    t->stages = stages;
    t->n_stages = n_stages;
}

int
intake_case_commit(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                   lp_transition_t *t, const char *action, const char *by, lp_error_t *err)
{
    t->store = self->svc.store;
    int rc = lp_transition_apply(coll, &c->oid, t, lp_now_ms(), err);
    if (rc < 0) {
        lp_metric_inc(self->db_errors);
        err->code = LP_ERR_DATABASE;
        return -1;
    }
    if (rc == 0)
        return 0;
    lp_log(LP_LOG_INFO, "complaint.action", "{s:s,s:s,s:s,s:s}", "tracking_id", c->tracking,
           "action", action, "by", by, "to", t->to_status ? t->to_status : c->status);
    if (t->event)
        intake_ring(self, t->event);
    return 1;
}

void
intake_case_answer(lp_http_req_t *req, const intake_case_t *c, int rc, const char *to,
                   const lp_error_t *err)
{
    if (rc > 0)
        lp_http_reply_json(
            req, 200,
            json_pack("{s:s,s:s}", "tracking_id", c->tracking, "status", to ? to : c->status));
    else if (rc == 0)
        lp_http_reply_error(req, 409, "status", "the complaint changed meanwhile; reload it");
    else if (err->code == LP_ERR_INVALID)
        lp_http_reply_error(req, 400, err->field, err->message);
    else if (err->code == LP_ERR_CONFLICT)
        lp_http_reply_error(req, 409, *err->field ? err->field : "status", err->message);
    else {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the change could not be stored now; try again");
    }
}

int
intake_case_apply(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                  const intake_case_t *c, lp_transition_t *t, const char *action, const char *by)
{
    lp_error_t err;
    lp_error_clear(&err);
    int rc = intake_case_commit(self, coll, c, t, action, by, &err);
    intake_case_answer(req, c, rc, t->to_status, &err);
    return rc;
}

int
intake_case_not_authority_do(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                             const char *reason, const char *actor, const char *by, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_ROUTER, LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], note[700];
    bson_t unset = BSON_INITIALIZER, push = BSON_INITIALIZER;
    lp_transition_t t = {0};
    int rc = -1;

    if (!reason || intake_utf8_length(reason) < 5 || intake_utf8_length(reason) > 500) {
        lp_error_set(err, LP_ERR_INVALID, "reason", "say in 5 to 500 characters why");
        goto done;
    }
    if (strcmp(c->status, "disposed") != 0 && strcmp(c->status, "reopened") != 0 &&
        strcmp(c->status, "in_progress") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status", "this complaint is no longer with an agency");
        goto done;
    }
    intake_case_status_event(self, c, "received", actor, &env, &changed, event_id);
    snprintf(note, sizeof note, "Bukan kewenangan %s: %s; disposisi ulang", c->agency, reason);
    BSON_APPEND_UTF8(&unset, "agency", "");
    BSON_APPEND_UTF8(&unset, "deadline_at", "");
    BSON_APPEND_UTF8(&push, "excluded_agencies", c->agency);
    intake_case_transition(&t, c, "received", actor, note, &env, next, 3);
    t.unset = &unset;
    t.push = &push;
    rc = intake_case_commit(self, coll, c, &t, "not_authority", by, err);
done:
    bson_destroy(&unset);
    bson_destroy(&push);
    return rc;
}

void
intake_case_not_authority(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                          const intake_case_t *c, const char *reason, const char *actor,
                          const char *by)
{
    lp_error_t err;
    lp_error_clear(&err);
    int rc = intake_case_not_authority_do(self, coll, c, reason, actor, by, &err);
    intake_case_answer(req, c, rc, "received", &err);
}

int
intake_case_postpone_do(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                        const char *question, const char *actor, const char *by, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1];
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};
    int rc = -1;

    if (!question || intake_utf8_length(question) < 5 || intake_utf8_length(question) > 500) {
        lp_error_set(err, LP_ERR_INVALID, "question",
                     "ask the reporter a question of 5 to 500 characters");
        goto done;
    }
    if (!intake_one_of(c->status, (const char *const[]){"received", "disposed", "in_progress",
                                                        "reopened", NULL})) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "this complaint cannot wait for an answer now");
        goto done;
    }
    intake_case_status_event(self, c, "postponed", actor, &env, &changed, event_id);
    BSON_APPEND_UTF8(&set, "question.text", question);
    BSON_APPEND_INT64(&set, "question.at", env.occurred_at_ms);
    BSON_APPEND_UTF8(&set, "question.by", by);
    /* Where the answer takes the complaint back to. */
    BSON_APPEND_UTF8(&set, "question.from_status", c->status);
    intake_case_transition(&t, c, "postponed", actor,
                           "Ditunda: menunggu keterangan tambahan dari pelapor", &env, next, 2);
    t.set = &set;
    rc = intake_case_commit(self, coll, c, &t, "postpone", by, err);
done:
    bson_destroy(&set);
    return rc;
}

void
intake_case_postpone(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                     const intake_case_t *c, const char *question, const char *actor,
                     const char *by)
{
    lp_error_t err;
    lp_error_clear(&err);
    int rc = intake_case_postpone_do(self, coll, c, question, actor, by, &err);
    intake_case_answer(req, c, rc, "postponed", &err);
}
