/* dispose: a received complaint goes to the agency responsible for it, or to the
 * triage desk when the router cannot tell with confidence. */
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_transition.h"
#include "router-private.h"

#define MAX_EXCLUDED 16

/* The fields of a complaint that disposition needs. */
typedef struct {
    char status[24];
    char category[48];
    char region[24];
    char tracking_id[16];
    char *text; /* title and body, for the classifier */
    char excluded[MAX_EXCLUDED][64];
    size_t n_excluded;
    bool in_triage;
    int32_t v;
    int64_t created_at;
} s_complaint_t;

/* Reads the complaint; 1 when found, 0 when absent, -1 on a database error. */
static int
s_load(mongoc_collection_t *coll, const bson_oid_t *oid, s_complaint_t *c)
{
    bson_t *filter = BCON_NEW("_id", BCON_OID(oid));
    bson_t *projection =
        BCON_NEW("status", BCON_INT32(1), "category", BCON_INT32(1), "region.code", BCON_INT32(1),
                 "tracking_id", BCON_INT32(1), "v", BCON_INT32(1), "created_at", BCON_INT32(1),
                 "title", BCON_INT32(1), "body", BCON_INT32(1), "excluded_agencies", BCON_INT32(1),
                 "triage", BCON_INT32(1));
    lp_error_t err;
    bson_t *doc = lp_store_find_one(coll, filter, projection, &err);
    bson_iter_t it;
    int found = doc ? 1 : err.code == LP_ERR_NONE ? 0 : -1;

    if (doc) {
        c->text = bson_strdup_printf("%s\n%s", lp_doc_str(doc, "title"), lp_doc_str(doc, "body"));
        lp_doc_copy(doc, "status", c->status, sizeof c->status);
        lp_doc_copy(doc, "category", c->category, sizeof c->category);
        lp_doc_copy(doc, "region.code", c->region, sizeof c->region);
        lp_doc_copy(doc, "tracking_id", c->tracking_id, sizeof c->tracking_id);
        c->v = (int32_t) lp_doc_int(doc, "v");
        c->created_at = lp_doc_int(doc, "created_at");
        c->in_triage = bson_iter_init_find(&it, doc, "triage");
        c->n_excluded = lp_doc_strings(doc, "excluded_agencies", c->excluded, MAX_EXCLUDED);
        bson_destroy(doc);
    }
    bson_destroy(projection);
    bson_destroy(filter);
    return found;
}

void
router_ring(router_t *self, const lp_envelope_t *env)
{
    lp_bus_socket_t *const socks[] = {self->notifier_push, self->events_pub};
    lp_bus_ring(socks, 2, env);
}

/* Parks the complaint at the triage desk (status stays received): a coordinator
 * verifies and disposes it by hand. Returns 0 when done, -1 to retry. */
static int
s_to_triage(router_t *self, mongoc_collection_t *coll, const bson_oid_t *oid,
            const s_complaint_t *c, const lp_envelope_t *in, const char *reason,
            const char *suggested, double confidence)
{
    bson_t set = BSON_INITIALIZER, triage;
    lp_transition_t t = {0};
    lp_error_t err;
    int rc = 0;

    lp_error_clear(&err);
    BSON_APPEND_DOCUMENT_BEGIN(&set, "triage", &triage);
    BSON_APPEND_UTF8(&triage, "reason", reason);
    if (suggested)
        BSON_APPEND_UTF8(&triage, "suggested_category", suggested);
    BSON_APPEND_DOUBLE(&triage, "confidence", confidence);
    BSON_APPEND_INT64(&triage, "at", lp_now_ms());
    bson_append_document_end(&set, &triage);
    t.from_status = "received";
    t.from_v = c->v;
    t.set = &set;
    t.actor = "router";
    t.note = "Menunggu verifikasi admin (meja triase)";
    t.done_stage = LP_STAGE_ROUTER;
    t.done_event = in->event_id;
    t.store = self->svc.store;
    rc = lp_transition_apply(coll, oid, &t, lp_now_ms(), &err);
    bson_destroy(&set);
    if (rc < 0) {
        lp_metric_inc(self->db_errors);
        return -1;
    }
    if (rc == 0)
        lp_outbox_done(coll, in->complaint_id, LP_STAGE_ROUTER, in->event_id, NULL);
    else {
        lp_metric_inc(self->triaged);
        lp_log(LP_LOG_INFO, "complaint.triage", "{s:s,s:s,s:s,s:f}", "tracking_id", c->tracking_id,
               "reason", reason, "suggested", suggested ? suggested : "", "confidence", confidence);
    }
    return 0;
}

static int
s_dispose(router_t *self, mongoc_collection_t *coll, const lp_envelope_t *in)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintDisposed disposed = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], note[200];
    const char *exclude[MAX_EXCLUDED];
    s_complaint_t c;
    bson_oid_t oid;
    bson_t set = BSON_INITIALIZER, unset = BSON_INITIALIZER;
    const lp_agency_t *agency = NULL;
    const char *rule = "coverage", *category = NULL;
    double confidence = 1.0;
    lp_transition_t t = {0};
    lp_error_t err;
    int found = 0, written = 0, rc = 0;

    memset(&c, 0, sizeof c);
    lp_error_clear(&err);
    if (!lp_outbox_oid(in->complaint_id, &oid))
        return 0; /* a malformed id can never be handled: not ours to retry */
    found = s_load(coll, &oid, &c);
    if (found <= 0) {
        if (found < 0)
            lp_metric_inc(self->db_errors);
        rc = found < 0 ? -1 : 0;
        goto done;
    }
    if (strcmp(c.status, "received") != 0 || c.in_triage) {
        /* Already disposed (by us earlier, or by another router), or waiting for a
         * coordinator at the triage desk: only acknowledge. */
        lp_outbox_done(coll, in->complaint_id, LP_STAGE_ROUTER, in->event_id, NULL);
        goto done;
    }
    category = c.category;
    if (!*category) {
        /* Free text (an SMS): guess the category, but only when confident. */
        category =
            lp_classifier_classify(lp_refdata_classifier(self->svc.refdata), c.text, &confidence);
        if (!category || confidence * 100 < self->config->classify_threshold) {
            rc = s_to_triage(self, coll, &oid, &c, in, "uncertain_category", category, confidence);
            goto done;
        }
        rule = "classifier";
        BSON_APPEND_UTF8(&set, "category", category);
        BSON_APPEND_UTF8(&set, "category_source", "classifier");
    }
    for (size_t i = 0; i < c.n_excluded; i++)
        exclude[i] = c.excluded[i];
    agency = lp_refdata_route(self->svc.refdata, c.region, category, exclude, c.n_excluded,
                              strcmp(rule, "classifier") == 0 ? NULL : &rule);
    if (!agency) {
        lp_metric_inc(self->no_agency);
        rc = s_to_triage(self, coll, &oid, &c, in, "no_agency", category, confidence);
        goto done;
    }

    disposed.from = LAPOR__V1__STATUS__STATUS_RECEIVED;
    disposed.rule = (char *) rule;
    disposed.category = (char *) category;
    disposed.region = c.region;
    env.disposed = &disposed;
    env.complaint_id = in->complaint_id;
    env.tracking_id = c.tracking_id;
    env.version = (uint32_t) c.v + 1;
    lp_transition_dispose(&t, &set, &unset, &env, agency, lp_refdata_calendar(self->svc.refdata),
                          (int) self->config->followup_days, self->svc.config->instance, event_id);
    snprintf(note, sizeof note, "Diteruskan ke %s", agency->name);
    t.from_status = "received";
    t.from_v = c.v;
    t.actor = "router";
    t.note = note;
    t.done_stage = LP_STAGE_ROUTER;
    t.done_event = in->event_id;
    t.store = self->svc.store;
    written = lp_transition_apply(coll, &oid, &t, env.occurred_at_ms, &err);
    if (written < 0) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
        rc = -1;
        goto done;
    }
    if (written == 0) {
        lp_outbox_done(coll, in->complaint_id, LP_STAGE_ROUTER, in->event_id, NULL);
        goto done;
    }
    lp_metric_inc(self->disposed);
    if (c.created_at > 0)
        lp_metric_observe(self->dispose_latency, (env.occurred_at_ms - c.created_at) / 1000.0);
    lp_log(LP_LOG_INFO, "complaint.disposed", "{s:s,s:s,s:s,s:s,s:s,s:I}", "tracking_id",
           c.tracking_id, "agency_id", agency->id, "category", category, "rule", rule, "event_id",
           event_id, "deadline_at", (json_int_t) disposed.deadline_at_ms);
    router_ring(self, &env);
done:
    bson_free(c.text);
    bson_destroy(&set);
    bson_destroy(&unset);
    return rc;
}

int
router_handle(void *arg, lp_envelope_t *env)
{
    router_t *self = arg;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    int rc = 0;

    lp_metric_inc(self->msgs_in);
    /* Anything that lands in the router's todo (a submission, a complaint sent back
     * by "not our authority") means: dispose it if it is still waiting. */
    rc = s_dispose(self, coll, env);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}
