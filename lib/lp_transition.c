/* lp_transition: guarded complaint state changes with history and event. */
#include "lp_transition.h"

#include <stdio.h>
#include <string.h>

#include "lp_attach.h"
#include "lp_outbox.h"

const char *const lp_transition_submit_stages[LP_TRANSITION_SUBMIT_N_STAGES] = {
    LP_STAGE_ROUTER, LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};

const char *const lp_transition_dispose_stages[LP_TRANSITION_DISPOSE_N_STAGES] = {
    LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};

bool
lp_transition_write(const bson_oid_t *oid, const lp_transition_t *t, int64_t now_ms, bson_t *filter,
                    bson_t *update)
{
    bson_t set, push, history;

    BSON_APPEND_OID(filter, "_id", oid);
    if (t->from_status)
        BSON_APPEND_UTF8(filter, "status", t->from_status);
    if (t->from_v > 0)
        BSON_APPEND_INT32(filter, "v", t->from_v);

    BSON_APPEND_DOCUMENT_BEGIN(update, "$set", &set);
    if (t->to_status)
        BSON_APPEND_UTF8(&set, "status", t->to_status);
    BSON_APPEND_INT64(&set, "updated_at", now_ms);
    if (t->set)
        bson_concat(&set, t->set);
    bson_append_document_end(update, &set);
    if (t->unset && !bson_empty(t->unset))
        BSON_APPEND_DOCUMENT(update, "$unset", t->unset);
    BSON_APPEND_DOCUMENT_BEGIN(update, "$inc", &set);
    BSON_APPEND_INT32(&set, "v", 1);
    bson_append_document_end(update, &set);

    BSON_APPEND_DOCUMENT_BEGIN(update, "$push", &push);
    BSON_APPEND_DOCUMENT_BEGIN(&push, "history", &history);
    BSON_APPEND_INT64(&history, "at", now_ms);
    if (t->to_status)
        BSON_APPEND_UTF8(&history, "status", t->to_status);
    else if (t->from_status)
        BSON_APPEND_UTF8(&history, "status", t->from_status);
    BSON_APPEND_UTF8(&history, "actor", t->actor ? t->actor : "system");
    if (t->agency_id && *t->agency_id)
        BSON_APPEND_UTF8(&history, "agency_id", t->agency_id);
    if (t->note && *t->note)
        BSON_APPEND_UTF8(&history, "note", t->note);
    bson_append_document_end(&push, &history);
    if (t->event && !lp_outbox_push(&push, t->event))
        return false;
    if (t->push)
        bson_concat(&push, t->push);
    bson_append_document_end(update, &push);
    if (t->seen_by && *t->seen_by) {
        BSON_APPEND_DOCUMENT_BEGIN(update, "$addToSet", &set);
        BSON_APPEND_UTF8(&set, "agencies_seen", t->seen_by);
        bson_append_document_end(update, &set);
    }
    return true;
}

int
lp_transition_apply(mongoc_collection_t *coll, const bson_oid_t *oid, const lp_transition_t *t,
                    int64_t now_ms, lp_error_t *err)
{
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER;
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    bool marked = t->event && t->n_stages > 0;
    char id[25];
    int rc = -1;

    bson_oid_to_string(oid, id);
    if (marked) {
        if (!t->store) {
            lp_error_set(err, LP_ERR_SYSTEM, NULL, "transition with an event but no store");
            return -1;
        }
        if (!lp_outbox_mark(t->store, id, t->event->event_id, t->stages, t->n_stages, now_ms, err))
            return -1;
    }
    if (!lp_transition_write(oid, t, now_ms, &filter, &update)) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        goto done;
    }
    if (!mongoc_collection_update_one(coll, &filter, &update, NULL, &reply, &error))
        lp_store_set_error(err, &error, "transition");
    else
        rc = bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1;
    if (rc == 0 && marked) {
        /* The guard did not match: the event was not written, and its marks go. */
        mongoc_client_t *client = lp_store_pop(t->store);
        mongoc_collection_t *outbox = lp_store_collection(t->store, client, LP_COLL_OUTBOX);
        const char *eid = t->event->event_id;
        lp_outbox_forget(outbox, &eid, NULL, 1, t->stages, t->n_stages);
        mongoc_collection_destroy(outbox);
        lp_store_push(t->store, client);
    }
done:
    bson_destroy(&reply);
    bson_destroy(&update);
    bson_destroy(&filter);
    return rc;
}

void
lp_transition_dispose(lp_transition_t *t, bson_t *set, bson_t *unset, lp_envelope_t *env,
                      const lp_agency_t *agency, const lp_workdays_t *calendar, int followup_days,
                      const char *producer, char event_id[LP_EVENT_ID_LEN + 1])
{

    env->payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env->disposed->agency_id = agency->id;
    lp_event_stamp(env, producer, event_id);
    env->disposed->deadline_at_ms =
        lp_workdays_deadline(calendar, env->occurred_at_ms, followup_days);
    BSON_APPEND_UTF8(set, "agency.id", agency->id);
    BSON_APPEND_UTF8(set, "agency.name", agency->name);
    BSON_APPEND_INT64(set, "deadline_at", env->disposed->deadline_at_ms);
    BSON_APPEND_INT64(set, "disposed_at", env->occurred_at_ms);
    BSON_APPEND_UTF8(unset, "triage", "");
    t->to_status = "disposed";
    t->set = set;
    t->unset = unset;
    t->agency_id = agency->id;
    t->seen_by = agency->id;
    t->event = env;
    t->stages = lp_transition_dispose_stages;
    t->n_stages = LP_TRANSITION_DISPOSE_N_STAGES;
}

int
lp_transition_erase_reporter(mongoc_collection_t *complaints, mongoc_collection_t *notifications,
                             const bson_oid_t *oid, const char *actor, const char *note,
                             int64_t now_ms, lp_error_t *err)
{
    bson_t unset = BSON_INITIALIZER, set = BSON_INITIALIZER, keep;
    bson_t *messages = NULL, *skip = NULL, *filter = NULL, *projection = NULL, *doc = NULL;
    char id[25];
    bson_error_t error;
    lp_transition_t t = {0};
    int rc;

    /* Attachments the reporter marked personal go with their details: the
     * references here, the files by lp_attach_sweep (or at once by the caller). */
    filter = BCON_NEW("_id", BCON_OID(oid));
    projection = BCON_NEW("attachments", BCON_INT32(1));
    doc = lp_store_find_one(complaints, filter, projection, err);
    if (!doc && err->code != LP_ERR_NONE) {
        rc = -1;
        goto done;
    }
    if (doc && bson_has_field(doc, "attachments")) {
        BSON_APPEND_ARRAY_BEGIN(&set, "attachments", &keep);
        lp_attach_without_personal(doc, &keep);
        bson_append_array_end(&set, &keep);
    }
    BSON_APPEND_UTF8(&unset, "reporter.sealed", "");
    BSON_APPEND_UTF8(&unset, "reporter.lookup", "");
    BSON_APPEND_UTF8(&unset, "reporter.name", "");
    BSON_APPEND_INT64(&set, "reporter.erased_at", now_ms);
    t.set = &set;
    t.unset = &unset;
    t.actor = actor;
    t.note = note;
    rc = lp_transition_apply(complaints, oid, &t, now_ms, err);
    if (rc > 0) {
        bson_oid_to_string(oid, id);
        messages = BCON_NEW("complaint_id", BCON_UTF8(id), "recipient.kind", BCON_UTF8("citizen"),
                            "state", "{", "$in", "[", BCON_UTF8("pending"), BCON_UTF8("failed"),
                            BCON_UTF8("dead"), "]", "}");
        skip = BCON_NEW("$set", "{", "state", BCON_UTF8("skipped"), "reason",
                        BCON_UTF8("the reporter's details were erased"), "updated_at",
                        BCON_INT64(now_ms), "}", "$unset", "{", "recipient.sealed", BCON_UTF8(""),
                        "}");
        if (!mongoc_collection_update_many(notifications, messages, skip, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "erase waiting messages");
            rc = -1;
        }
    }
done:
    if (doc)
        bson_destroy(doc);
    if (projection)
        bson_destroy(projection);
    if (filter)
        bson_destroy(filter);
    if (skip)
        bson_destroy(skip);
    if (messages)
        bson_destroy(messages);
    bson_destroy(&set);
    bson_destroy(&unset);
    return rc;
}
