/* dispose: a received complaint goes to the agency responsible for it. */
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "router-private.h"

/* The fields of a complaint that disposition needs. */
typedef struct {
    char status[24];
    char category[48];
    char region[24];
    char tracking_id[16];
    int32_t v;
    int64_t created_at;
} s_complaint_t;

static void
s_copy(const bson_t *doc, const char *path, char *dst, size_t size)
{
    bson_iter_t it;
    dst[0] = '\0';
    if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &it) &&
        BSON_ITER_HOLDS_UTF8(&it))
        snprintf(dst, size, "%s", bson_iter_utf8(&it, NULL));
}

static int64_t
s_int(const bson_t *doc, const char *key)
{
    bson_iter_t it;
    return bson_iter_init_find(&it, doc, key) && BSON_ITER_HOLDS_NUMBER(&it)
               ? bson_iter_as_int64(&it)
               : 0;
}

/* Reads the complaint; 1 when found, 0 when absent, -1 on a database error. */
static int
s_load(mongoc_collection_t *coll, const bson_oid_t *oid, s_complaint_t *c)
{
    bson_t *filter = BCON_NEW("_id", BCON_OID(oid));
    bson_t *opts = BCON_NEW("limit", BCON_INT64(1), "projection", "{", "status", BCON_INT32(1),
                            "category", BCON_INT32(1), "region.code", BCON_INT32(1), "tracking_id",
                            BCON_INT32(1), "v", BCON_INT32(1), "created_at", BCON_INT32(1), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    int rc = 0;

    if (mongoc_cursor_next(cursor, &doc)) {
        s_copy(doc, "status", c->status, sizeof c->status);
        s_copy(doc, "category", c->category, sizeof c->category);
        s_copy(doc, "region.code", c->region, sizeof c->region);
        s_copy(doc, "tracking_id", c->tracking_id, sizeof c->tracking_id);
        c->v = (int32_t) s_int(doc, "v");
        c->created_at = s_int(doc, "created_at");
        rc = 1;
    }
    else if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        rc = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    return rc;
}

/* Rings the notifiers (work) and the reporters (event) after a durable change. */
static void
s_ring(router_t *self, const lp_envelope_t *env)
{
    size_t len = 0;
    char topic[96];
    uint8_t *pb = lp_event_pack(env, &len);
    if (!pb)
        return;
    lp_event_topic(env, topic, sizeof topic);
    lp_bus_send(self->notifier_push, topic, pb, len);
    lp_bus_send(self->events_pub, topic, pb, len);
    free(pb);
}

/* One guarded write: received -> disposed, with the history entry, the event and
 * the todo entries of the next stages. Returns 1 when this call made the change,
 * 0 when the complaint had already moved on, -1 on a database error. */
static int
s_write_disposed(mongoc_collection_t *coll, const bson_oid_t *oid, const s_complaint_t *c,
                 const lp_agency_t *agency, const lp_envelope_t *env, const char *done_event)
{
    static const char *const next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
    bson_t *filter =
        BCON_NEW("_id", BCON_OID(oid), "status", BCON_UTF8("received"), "v", BCON_INT32(c->v));
    bson_t update = BSON_INITIALIZER, set, push, history, pull, reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    int rc = -1;
    int64_t now = env->occurred_at_ms;
    char note[160];

    snprintf(note, sizeof note, "Diteruskan ke %s", agency->name);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, "status", "disposed");
    BSON_APPEND_UTF8(&set, "agency.id", agency->id);
    BSON_APPEND_UTF8(&set, "agency.name", agency->name);
    BSON_APPEND_INT64(&set, "deadline_at", env->disposed->deadline_at_ms);
    BSON_APPEND_INT64(&set, "disposed_at", now);
    BSON_APPEND_INT64(&set, "updated_at", now);
    bson_append_document_end(&update, &set);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &set);
    BSON_APPEND_INT32(&set, "v", 1);
    bson_append_document_end(&update, &set);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$push", &push);
    BSON_APPEND_DOCUMENT_BEGIN(&push, "history", &history);
    BSON_APPEND_INT64(&history, "at", now);
    BSON_APPEND_UTF8(&history, "status", "disposed");
    BSON_APPEND_UTF8(&history, "actor", "router");
    BSON_APPEND_UTF8(&history, "agency_id", agency->id);
    BSON_APPEND_UTF8(&history, "note", note);
    bson_append_document_end(&push, &history);
    lp_outbox_push(&push, env, next, 2);
    bson_append_document_end(&update, &push);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$pull", &pull);
    BSON_APPEND_UTF8(&pull, "todo." LP_STAGE_ROUTER, done_event);
    bson_append_document_end(&update, &pull);

    if (!mongoc_collection_update_one(coll, filter, &update, NULL, &reply, &error))
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    else
        rc = bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1;
    bson_destroy(&reply);
    bson_destroy(&update);
    bson_destroy(filter);
    return rc;
}

static int
s_dispose(router_t *self, mongoc_collection_t *coll, const lp_envelope_t *in)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintDisposed disposed = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1];
    s_complaint_t c;
    bson_oid_t oid;
    const lp_agency_t *agency = NULL;
    const char *rule = "coverage";
    int found = 0, written = 0;

    memset(&c, 0, sizeof c);
    if (!lp_outbox_oid(in->complaint_id, &oid))
        return 0; /* not ours to retry: a malformed id can never be handled */
    found = s_load(coll, &oid, &c);
    if (found < 0) {
        lp_metric_inc(self->db_errors);
        return -1;
    }
    if (found == 0)
        return 0;
    if (strcmp(c.status, "received") != 0) {
        /* Already disposed (by us earlier, or by another router): just acknowledge. */
        lp_outbox_done(coll, in->complaint_id, LP_STAGE_ROUTER, in->event_id, NULL);
        return 0;
    }
    agency = lp_refdata_route(self->svc.refdata, c.region, c.category, NULL, 0, &rule);
    if (!agency) {
        lp_metric_inc(self->no_agency);
        lp_log(LP_LOG_ERROR, "complaint.no_agency", "{s:s,s:s,s:s}", "tracking_id", c.tracking_id,
               "region", c.region, "category", c.category);
        return -1;
    }

    disposed.agency_id = agency->id;
    disposed.from = LAPOR__V1__STATUS__STATUS_RECEIVED;
    disposed.rule = (char *) rule;
    disposed.category = c.category;
    disposed.region = c.region;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env.disposed = &disposed;
    env.complaint_id = in->complaint_id;
    env.tracking_id = c.tracking_id;
    env.version = (uint32_t) c.v + 1;
    lp_event_stamp(&env, self->svc.config->instance, event_id);
    disposed.deadline_at_ms =
        lp_workdays_deadline(lp_refdata_calendar(self->svc.refdata), env.occurred_at_ms,
                             (int) self->config->followup_days);

    written = s_write_disposed(coll, &oid, &c, agency, &env, in->event_id);
    if (written < 0) {
        lp_metric_inc(self->db_errors);
        return -1;
    }
    if (written == 0) {
        lp_outbox_done(coll, in->complaint_id, LP_STAGE_ROUTER, in->event_id, NULL);
        return 0;
    }
    lp_metric_inc(self->disposed);
    if (c.created_at > 0)
        lp_metric_observe(self->dispose_latency, (env.occurred_at_ms - c.created_at) / 1000.0);
    lp_log(LP_LOG_INFO, "complaint.disposed", "{s:s,s:s,s:s,s:s,s:I}", "tracking_id", c.tracking_id,
           "agency_id", agency->id, "rule", rule, "event_id", event_id, "deadline_at",
           (json_int_t) disposed.deadline_at_ms);
    s_ring(self, &env);
    return 0;
}

int
router_handle(void *arg, lp_envelope_t *env)
{
    router_t *self = arg;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    int rc = 0;

    lp_metric_inc(self->msgs_in);
    if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED)
        rc = s_dispose(self, coll, env);
    else
        /* Nothing else is the router's yet: acknowledge so it does not come back. */
        lp_outbox_done(coll, env->complaint_id, LP_STAGE_ROUTER, env->event_id, NULL);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}
