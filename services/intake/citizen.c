/* citizen: the reporter's side of the conversation, proved by the PIN:
 * POST /api/v1/complaints/{tracking id}/{reply|accept|reject|rate}.
 *
 * reply   answers the agency's question (the complaint goes back to where it waited)
 *         or adds information at any time while the complaint is open;
 * accept  takes a resolution: closed, with an optional rating;
 * reject  refuses a resolution within the closing period: back to the same agency
 *         with a new deadline (reopened);
 * rate    rates a resolved or closed complaint, 1 to 5, with a comment.
 * Five wrong PINs lock a complaint's PIN for a quarter of an hour. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "citizen.h"
#include "desk.h"
#include "lp_account.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outbox.h"

#define PIN_MAX_FAILURES 5
#define PIN_LOCK_MS (15 * 60 * 1000)

static const char *const s_open[] = {"received", "disposed", "in_progress", "reopened", NULL};

intake_pin_t
intake_citizen_pin_check(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                         const char *given, const char *ip)
{
    char pin[LP_PIN_LEN + 1] = "";
    bson_t *filter = BCON_NEW("_id", BCON_OID(&c->oid));
    bson_t *projection = BCON_NEW("pin_failures", BCON_INT32(1), "pin_locked_until", BCON_INT32(1));
    bson_t *update = NULL;
    lp_error_t err;
    bson_t *doc = lp_store_find_one(coll, filter, projection, &err);
    bson_error_t error;
    int64_t now = lp_now_ms();
    intake_pin_t result = INTAKE_PIN_ERROR;
    bool locking = false;

    if (!doc) {
        lp_metric_inc(self->db_errors);
        goto done;
    }
    if (lp_doc_int(doc, "pin_locked_until") > now) {
        result = INTAKE_PIN_LOCKED;
        goto done;
    }
    lp_identity_pin(self->identity, c->id, pin);
    if (given && lp_account_token_equal(given, pin)) {
        result = INTAKE_PIN_OK;
        if (lp_doc_int(doc, "pin_failures") > 0) {
            update = BCON_NEW("$set", "{", "pin_failures", BCON_INT32(0), "}");
            mongoc_collection_update_one(coll, filter, update, NULL, NULL, &error);
        }
        goto done;
    }
    locking = lp_doc_int(doc, "pin_failures") + 1 >= PIN_MAX_FAILURES;
    update = locking ? BCON_NEW("$set", "{", "pin_failures", BCON_INT32(0), "pin_locked_until",
                                BCON_INT64(now + PIN_LOCK_MS), "}")
                     : BCON_NEW("$inc", "{", "pin_failures", BCON_INT32(1), "}");
    mongoc_collection_update_one(coll, filter, update, NULL, NULL, &error);
    lp_log(LP_LOG_WARN, "citizen.wrong_pin", "{s:s,s:s}", "tracking_id", c->tracking, "ip",
           ip ? ip : "");
    result = locking ? INTAKE_PIN_WRONG_LOCKED : INTAKE_PIN_WRONG;
done:
    sodium_memzero(pin, sizeof pin);
    if (update)
        bson_destroy(update);
    if (doc)
        bson_destroy(doc);
    bson_destroy(projection);
    bson_destroy(filter);
    return result;
}

/* Checks the PIN; answers and returns false when it is wrong or locked. */
static bool
s_pin_ok(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll, const intake_case_t *c,
         const char *given)
{
    switch (intake_citizen_pin_check(self, coll, c, given, lp_http_client_ip(req))) {
    case INTAKE_PIN_OK:
        return true;
    case INTAKE_PIN_ERROR:
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the complaint cannot be read now; try again");
        return false;
    case INTAKE_PIN_LOCKED:
        lp_http_add_header(req, "Retry-After", "900");
        lp_http_reply_error(req, 429, "pin",
                            "too many wrong PINs; wait a quarter of an hour and try again");
        return false;
    case INTAKE_PIN_WRONG:
    case INTAKE_PIN_WRONG_LOCKED:
        break;
    }
    lp_http_reply_error(req, 403, "pin", "the PIN is not right for this complaint");
    return false;
}

int
intake_citizen_reply(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                     const char *text, const intake_via_t *via, const char **to, lp_error_t *err)
{
    static const char *const back_to_router[] = {LP_STAGE_ROUTER, LP_STAGE_NOTIFIER,
                                                 LP_STAGE_REPORTER};
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], back[24] = "", actor[32];
    bson_t push = BSON_INITIALIZER, unset = BSON_INITIALIZER, entry;
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    lp_transition_t t = {0};
    lp_error_t read_err;
    bool answering = strcmp(c->status, "postponed") == 0;
    int rc = -1;

    *to = c->status;
    if (!text || intake_utf8_length(text) < 2 || intake_utf8_length(text) > 2000) {
        lp_error_set(err, LP_ERR_INVALID, "text", "write 2 to 2000 characters");
        goto done;
    }
    if (!answering && !intake_one_of(c->status, s_open)) {
        lp_error_set(err, LP_ERR_CONFLICT, "status", "this complaint is no longer open");
        goto done;
    }
    snprintf(actor, sizeof actor, "reporter:%s", via->channel);
    BSON_APPEND_DOCUMENT_BEGIN(&push, "reporter_replies", &entry);
    BSON_APPEND_INT64(&entry, "at", lp_now_ms());
    BSON_APPEND_UTF8(&entry, "channel", via->channel);
    BSON_APPEND_UTF8(&entry, "text", text);
    if (via->sms_id)
        BSON_APPEND_UTF8(&entry, "sms_id", via->sms_id);
    bson_append_document_end(&push, &entry);
    intake_case_transition(&t, c, NULL, actor, NULL, NULL, NULL, 0);
    t.push = &push;
    /* History notes are public: the words themselves stay in reporter_replies. */
    if (answering) {
        filter = BCON_NEW("_id", BCON_OID(&c->oid));
        projection = BCON_NEW("question", BCON_INT32(1));
        lp_error_clear(&read_err);
        doc = lp_store_find_one(coll, filter, projection, &read_err);
        lp_doc_copy(doc ? doc : filter, "question.from_status", back, sizeof back);
        /* A question from the triage desk goes back to the router's queue. */
        if (!*back || !intake_one_of(back, s_open))
            snprintf(back, sizeof back, "%s", *c->agency ? "disposed" : "received");
        intake_case_status_event(self, c, back, actor, &env, &changed, event_id);
        BSON_APPEND_UTF8(&unset, "question", "");
        t.to_status = back;
        t.unset = &unset;
        t.note = "Pelapor menjawab pertanyaan";
        t.event = &env;
        t.stages = strcmp(back, "received") == 0 ? back_to_router : next;
        t.n_stages = strcmp(back, "received") == 0 ? 3 : 2;
    }
    else
        t.note = "Pelapor menambahkan keterangan";
    rc =
        intake_case_commit(self, coll, c, &t, answering ? "answer" : "add_information", actor, err);
    /* back lives on this stack: hand out the same name from s_open. */
    for (int i = 0; rc > 0 && answering && s_open[i]; i++)
        if (strcmp(s_open[i], back) == 0)
            *to = s_open[i];
done:
    if (doc)
        bson_destroy(doc);
    if (projection)
        bson_destroy(projection);
    if (filter)
        bson_destroy(filter);
    bson_destroy(&push);
    bson_destroy(&unset);
    return rc;
}

/* Reads a rating 1..5 (0: none given) and comment into set. */
static bool
s_rating(int rating, const char *comment, bool required, bson_t *set, int64_t now, lp_error_t *err)
{
    if (rating == 0 && !required)
        return true;
    if (rating < 1 || rating > 5) {
        lp_error_set(err, LP_ERR_INVALID, "rating", "must be a whole number from 1 to 5");
        return false;
    }
    if (comment && intake_utf8_length(comment) > 1000) {
        lp_error_set(err, LP_ERR_INVALID, "comment", "write at most 1000 characters");
        return false;
    }
    BSON_APPEND_INT32(set, "rating.score", rating);
    BSON_APPEND_UTF8(set, "rating.comment", comment ? comment : "");
    BSON_APPEND_INT64(set, "rating.at", now);
    return true;
}

int
intake_citizen_accept(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c, int rating,
                      const char *comment, const intake_via_t *via, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], actor[32];
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};
    int rc = -1;

    if (strcmp(c->status, "resolved") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status", "only a resolved complaint can be accepted");
        goto done;
    }
    snprintf(actor, sizeof actor, "reporter:%s", via->channel);
    intake_case_status_event(self, c, "closed", actor, &env, &changed, event_id);
    if (!s_rating(rating, comment, false, &set, env.occurred_at_ms, err))
        goto done;
    /* The statistics count ratings from the events. */
    changed.rating = rating > 0 ? (uint32_t) rating : 0;
    BSON_APPEND_INT64(&set, "closed_at", env.occurred_at_ms);
    BSON_APPEND_BOOL(&set, "accepted", true);
    intake_case_transition(&t, c, "closed", actor, "Pelapor menerima jawaban; pengaduan ditutup",
                           &env, next, 2);
    t.set = &set;
    rc = intake_case_commit(self, coll, c, &t, "accept", actor, err);
done:
    bson_destroy(&set);
    return rc;
}

int
intake_citizen_reject(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                      const char *reason, const intake_via_t *via, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    const lp_workdays_t *calendar = lp_refdata_calendar(self->svc.refdata);
    char event_id[LP_EVENT_ID_LEN + 1], note[1100], actor[32];
    bson_t set = BSON_INITIALIZER, unset = BSON_INITIALIZER;
    lp_transition_t t = {0};
    int rc = -1;

    if (!reason || intake_utf8_length(reason) < 5 || intake_utf8_length(reason) > 1000) {
        lp_error_set(err, LP_ERR_INVALID, "reason",
                     "say in 5 to 1000 characters what is still wrong");
        goto done;
    }
    if (strcmp(c->status, "resolved") != 0 && strcmp(c->status, "closed") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "only a resolved or closed complaint can be reopened");
        goto done;
    }
    if (c->resolved_at <= 0 ||
        lp_workdays_deadline(calendar, c->resolved_at, INTAKE_REOPEN_DAYS) < lp_now_ms()) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "a complaint can be reopened only within 10 working days of its "
                     "resolution; please send a new complaint");
        goto done;
    }
    snprintf(actor, sizeof actor, "reporter:%s", via->channel);
    intake_case_status_event(self, c, "reopened", actor, &env, &changed, event_id);
    BSON_APPEND_INT64(
        &set, "deadline_at",
        lp_workdays_deadline(calendar, env.occurred_at_ms, (int) self->config->followup_days));
    BSON_APPEND_INT64(&set, "reopened_at", env.occurred_at_ms);
    BSON_APPEND_UTF8(&set, "reopen_reason", reason);
    BSON_APPEND_UTF8(&unset, "resolved_at", "");
    BSON_APPEND_UTF8(&unset, "closed_at", "");
    snprintf(note, sizeof note, "Dibuka kembali oleh pelapor: %s", reason);
    intake_case_transition(&t, c, "reopened", actor, note, &env, next, 2);
    t.set = &set;
    t.unset = &unset;
    rc = intake_case_commit(self, coll, c, &t, "reopen", actor, err);
done:
    bson_destroy(&set);
    bson_destroy(&unset);
    return rc;
}

int
intake_citizen_rate(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c, int rating,
                    const char *comment, lp_error_t *err)
{
    static const char *const next[] = {LP_STAGE_REPORTER};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1];
    bson_t set = BSON_INITIALIZER;
    bson_t *filter = NULL, *rated = NULL;
    lp_transition_t t = {0};
    int rc = -1;

    if (strcmp(c->status, "resolved") != 0 && strcmp(c->status, "closed") != 0) {
        lp_error_set(err, LP_ERR_CONFLICT, "status",
                     "only a resolved or closed complaint is rated");
        goto done;
    }
    /* Once: the statistics add every rating they are told of. */
    filter =
        BCON_NEW("_id", BCON_OID(&c->oid), "rating.score", "{", "$exists", BCON_BOOL(true), "}");
    rated = lp_store_find_one(coll, filter, NULL, err);
    if (rated || err->code != LP_ERR_NONE) {
        if (rated)
            lp_error_set(err, LP_ERR_CONFLICT, "rating", "this complaint was rated already");
        goto done;
    }
    if (!s_rating(rating, comment, true, &set, lp_now_ms(), err))
        goto done;
    /* An event with the same status and the rating: only the statistics need it. */
    intake_case_status_event(self, c, c->status, "reporter", &env, &changed, event_id);
    changed.rating = (uint32_t) rating;
    intake_case_transition(&t, c, NULL, "reporter", "Pelapor memberi penilaian", &env, next, 1);
    t.set = &set;
    rc = intake_case_commit(self, coll, c, &t, "rate", "reporter", err);
done:
    if (rated)
        bson_destroy(rated);
    if (filter)
        bson_destroy(filter);
    bson_destroy(&set);
    return rc;
}

void
intake_citizen_handle(intake_t *self, lp_http_req_t *req, const char *raw_id, const char *action)
{
    static const char *const allowed[] = {"pin", "text", "reason", "comment", NULL};
    static const char *const numbers[] = {"rating", NULL};
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    intake_case_t c;
    json_t *body = NULL;

    if (strcmp(lp_http_method(req), "POST") != 0) {
        lp_http_add_header(req, "Allow", "POST");
        lp_http_reply_error(req, 405, NULL, "use POST");
        return;
    }
    if (!intake_one_of(action, (const char *const[]){"reply", "accept", "reject", "rate", NULL})) {
        lp_http_reply_error(req, 404, NULL, "no such action (reply, accept, reject, rate)");
        return;
    }
    if (!intake_rate_allow(self, req) || !(body = intake_json_body(req, allowed, numbers)))
        return;
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    if (!intake_case_find(self, req, coll, raw_id, &c))
        goto done;
    if (!s_pin_ok(self, req, coll, &c, intake_json_str(body, "pin")))
        goto done;
    json_t *score = json_object_get(body, "rating");
    int rating = json_is_integer(score) ? (int) json_integer_value(score) : 0;
    const intake_via_t via = {"web", NULL};
    const char *to = NULL;
    lp_error_t err;
    int rc;

    lp_error_clear(&err);
    if (score && (json_integer_value(score) < 1 || json_integer_value(score) > 5))
        rating = -1; /* out of range: refused with the field named */
    if (strcmp(action, "reply") == 0)
        rc = intake_citizen_reply(self, coll, &c, intake_json_str(body, "text"), &via, &to, &err);
    else if (strcmp(action, "accept") == 0) {
        rc = intake_citizen_accept(self, coll, &c, rating, intake_json_str(body, "comment"), &via,
                                   &err);
        to = "closed";
    }
    else if (strcmp(action, "reject") == 0) {
        rc = intake_citizen_reject(self, coll, &c, intake_json_str(body, "reason"), &via, &err);
        to = "reopened";
    }
    else
        rc = intake_citizen_rate(self, coll, &c, rating, intake_json_str(body, "comment"), &err);
    intake_case_answer(req, &c, rc, to, &err);
done:
    json_decref(body);
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        lp_store_push(self->svc.store, client);
}
