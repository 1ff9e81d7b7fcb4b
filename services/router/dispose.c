/* dispose: a received complaint goes to the agency responsible for it, or to the
 * triage desk when the router cannot tell with confidence. */
#include <stdio.h>
#include <stdlib.h>
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

/* The fields s_parse reads. */
static bson_t *
s_projection(void)
{
    return BCON_NEW("status", BCON_INT32(1), "category", BCON_INT32(1), "region.code",
                    BCON_INT32(1), "tracking_id", BCON_INT32(1), "v", BCON_INT32(1), "created_at",
                    BCON_INT32(1), "title", BCON_INT32(1), "body", BCON_INT32(1),
                    "excluded_agencies", BCON_INT32(1), "triage", BCON_INT32(1));
}

/* Fills c from the complaint doc read with s_projection(). */
static void
s_parse(const bson_t *doc, s_complaint_t *c)
{
    bson_iter_t it;
    c->text = bson_strdup_printf("%s\n%s", lp_doc_str(doc, "title"), lp_doc_str(doc, "body"));
    lp_doc_copy(doc, "status", c->status, sizeof c->status);
    lp_doc_copy(doc, "category", c->category, sizeof c->category);
    lp_doc_copy(doc, "region.code", c->region, sizeof c->region);
    lp_doc_copy(doc, "tracking_id", c->tracking_id, sizeof c->tracking_id);
    c->v = (int32_t) lp_doc_int(doc, "v");
    c->created_at = lp_doc_int(doc, "created_at");
    c->in_triage = bson_iter_init_find(&it, doc, "triage");
    c->n_excluded = lp_doc_strings(doc, "excluded_agencies", c->excluded, MAX_EXCLUDED);
}

/* Fills c from a new complaint's own event, without reading it: a submitted event
 * of version 1 with a category holds all that disposition needs (a complaint at
 * version 1 is still received, untriaged, with no agency excluded). Whether it
 * still is so when the disposition is written, the update's guard on status and
 * version decides, as for a complaint that was read. False for any other event. */
static bool
s_from_event(const lp_envelope_t *env, s_complaint_t *c)
{
    const Lapor__V1__ComplaintSubmitted *s = env->submitted;
    if (env->payload_case != LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED || !s || env->version != 1 ||
        !s->category || !*s->category || strlen(s->category) >= sizeof c->category || !s->region ||
        !*s->region || strlen(s->region) >= sizeof c->region || !env->tracking_id ||
        !*env->tracking_id || strlen(env->tracking_id) >= sizeof c->tracking_id)
        return false;
    snprintf(c->status, sizeof c->status, "received");
    snprintf(c->category, sizeof c->category, "%s", s->category);
    snprintf(c->region, sizeof c->region, "%s", s->region);
    snprintf(c->tracking_id, sizeof c->tracking_id, "%s", env->tracking_id);
    c->text = bson_strdup("");
    c->n_excluded = 0;
    c->in_triage = false;
    c->v = 1;
    c->created_at = env->occurred_at_ms;
    return true;
}

void
router_ring(router_t *self, const lp_envelope_t *env)
{
    lp_bus_socket_t *const socks[] = {self->notifier_push, self->events_pub};
    lp_bus_ring(socks, 2, env);
}

/* What an event of a batch comes to: nothing to do, only an acknowledgement, a
 * disposition to write, done already (triage), or a retry later. */
typedef enum { S_NOTHING, S_ACK, S_DISPOSE, S_DONE, S_RETRY } s_what_t;

/* Parks the complaint at the triage desk (status stays received): a coordinator
 * verifies and disposes it by hand. S_DONE, S_ACK when the complaint moved on
 * meanwhile (only the event is acknowledged), S_RETRY on a database error. */
static s_what_t
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
    rc = lp_transition_apply(coll, oid, &t, lp_now_ms(), &err);
    bson_destroy(&set);
    if (rc < 0) {
        lp_metric_inc(self->db_errors);
        return S_RETRY;
    }
    if (rc == 0)
        return S_ACK;
    lp_metric_inc(self->triaged);
    lp_log(LP_LOG_INFO, "complaint.triage", "{s:s,s:s,s:s,s:f}", "tracking_id", c->tracking_id,
           "reason", reason, "suggested", suggested ? suggested : "", "confidence", confidence);
    return S_DONE;
}

/* One event of a batch, on its way to a guarded update. */
typedef struct {
    s_complaint_t c;
    bson_oid_t oid;
    Lapor__V1__Envelope env;
    Lapor__V1__ComplaintDisposed disposed;
    char event_id[LP_EVENT_ID_LEN + 1];
    char note[200];
    bson_t set, unset;
    lp_transition_t t;
    const lp_agency_t *agency;
    const char *rule, *category;
    s_what_t what;
    bool planned; /* a disposition was planned (and marked) */
    bool known;   /* c came from the event itself (s_from_event), not a read */
} s_plan_t;

/* Decides what event i of the batch needs, from its complaint (p->c). Triage
 * (rare) is written here and then, one event at a time. */
static void
s_decide(router_t *self, mongoc_collection_t *coll, const lp_envelope_t *in, s_plan_t *p)
{
    const char *exclude[MAX_EXCLUDED];
    double confidence = 1.0;

    p->rule = "coverage";
    if (strcmp(p->c.status, "received") != 0 || p->c.in_triage) {
        /* Already disposed (by us earlier, or by another router), or waiting for a
         * coordinator at the triage desk: only acknowledge. */
        p->what = S_ACK;
        return;
    }
    p->category = p->c.category;
    if (!*p->category) {
        /* Free text (an SMS): guess the category, but only when confident. */
        p->category = lp_classifier_classify(lp_refdata_classifier(self->svc.refdata), p->c.text,
                                             &confidence);
        if (!p->category || confidence * 100 < self->config->classify_threshold) {
            p->what = s_to_triage(self, coll, &p->oid, &p->c, in, "uncertain_category", p->category,
                                  confidence);
            return;
        }
        p->rule = "classifier";
        BSON_APPEND_UTF8(&p->set, "category", p->category);
        BSON_APPEND_UTF8(&p->set, "category_source", "classifier");
    }
    for (size_t i = 0; i < p->c.n_excluded; i++)
        exclude[i] = p->c.excluded[i];
    p->agency =
        lp_refdata_route(self->svc.refdata, p->c.region, p->category, exclude, p->c.n_excluded,
                         strcmp(p->rule, "classifier") == 0 ? NULL : &p->rule);
    if (!p->agency) {
        lp_metric_inc(self->no_agency);
        p->what = s_to_triage(self, coll, &p->oid, &p->c, in, "no_agency", p->category, confidence);
        return;
    }
    p->what = S_DISPOSE;
}

/* Builds the disposition of plan p (its event stamped now) into t. */
static void
s_plan_disposition(router_t *self, const lp_envelope_t *in, s_plan_t *p)
{
    p->disposed.from = LAPOR__V1__STATUS__STATUS_RECEIVED;
    p->disposed.rule = (char *) p->rule;
    p->disposed.category = (char *) p->category;
    p->disposed.region = p->c.region;
    p->env.disposed = &p->disposed;
    p->env.complaint_id = in->complaint_id;
    p->env.tracking_id = p->c.tracking_id;
    p->env.version = (uint32_t) p->c.v + 1;
    lp_transition_dispose(&p->t, &p->set, &p->unset, &p->env, p->agency,
                          lp_refdata_calendar(self->svc.refdata), (int) self->config->followup_days,
                          self->svc.config->instance, p->event_id);
    snprintf(p->note, sizeof p->note, "Diteruskan ke %s", p->agency->name);
    p->t.from_status = "received";
    p->t.from_v = p->c.v;
    p->t.actor = "router";
    p->t.note = p->note;
}

/* Writes the dispositions of plans in one bulk (per LP_STORE_BULK_MAX). Those whose
 * guard did not match (the complaint moved on meanwhile) become S_ACK. False on a
 * database error (the batch is retried). */
static bool
s_write_dispositions(mongoc_collection_t *coll, s_plan_t *plans, int n)
{
    bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
    bson_t *projection = BCON_NEW("events.id", BCON_INT32(1));
    mongoc_bulk_operation_t *bulk = NULL;
    bson_error_t error = {0};
    bool ok = true;
    int64_t modified = 0, expected = 0;

    for (int i = 0; i < n && ok; i++) {
        if (plans[i].what != S_DISPOSE)
            continue;
        bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER;
        if (!bulk)
            bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
        ok = lp_transition_write(&plans[i].oid, &plans[i].t, plans[i].env.occurred_at_ms, &filter,
                                 &update) &&
             mongoc_bulk_operation_update_one_with_opts(bulk, &filter, &update, NULL, &error);
        bson_destroy(&filter);
        bson_destroy(&update);
        expected++;
    }
    if (ok && bulk) {
        bson_t reply = BSON_INITIALIZER;
        bson_iter_t it;
        ok = mongoc_bulk_operation_execute(bulk, &reply, &error) != 0;
        if (ok && bson_iter_init_find(&it, &reply, "nModified"))
            modified = bson_iter_as_int64(&it);
        bson_destroy(&reply);
    }
    if (bulk)
        mongoc_bulk_operation_destroy(bulk);
    if (!ok)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    /* All applied: the usual case. Otherwise the complaints that hold our event are
     * the ones we moved. */
    if (ok && modified < expected) {
        bson_value_t ids[LP_SERVICE_BATCH_MAX];
        bson_t *docs[LP_SERVICE_BATCH_MAX];
        lp_error_t err;
        for (int i = 0; i < n; i++) {
            ids[i].value_type = plans[i].what == S_DISPOSE ? BSON_TYPE_OID : BSON_TYPE_EOD;
            bson_oid_copy(&plans[i].oid, &ids[i].value.v_oid);
        }
        ok = lp_store_find_ids(coll, ids, (size_t) n, projection, docs, &err);
        for (int i = 0; ok && i < n; i++) {
            bson_t ev;
            if (plans[i].what == S_DISPOSE && !lp_outbox_event(docs[i], plans[i].event_id, &ev))
                plans[i].what = S_ACK;
            if (docs[i])
                bson_destroy(docs[i]);
        }
    }
    bson_destroy(projection);
    bson_destroy(bopts);
    return ok;
}

int
router_handle_batch(void *arg, lp_envelope_t **envs, int n)
{
    router_t *self = arg;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *outbox = lp_store_collection(self->svc.store, client, LP_COLL_OUTBOX);
    s_plan_t *plans = NULL;
    bson_value_t ids[LP_SERVICE_BATCH_MAX];
    bson_t *docs[LP_SERVICE_BATCH_MAX];
    const char *cids[LP_SERVICE_BATCH_MAX], *eids[LP_SERVICE_BATCH_MAX];
    bool acked[LP_SERVICE_BATCH_MAX], moved[LP_SERVICE_BATCH_MAX], read = false;
    size_t n_marked = 0;
    lp_error_t err;
    int handled = 0;
    bool ok;

    if (n > LP_SERVICE_BATCH_MAX)
        n = LP_SERVICE_BATCH_MAX;
    plans = calloc((size_t) n, sizeof *plans);
    if (!plans)
        goto done; /* nothing handled: the sweeper brings the events again */
    /* One read for the batch. */
    for (int i = 0; i < n; i++) {
        lp_metric_inc(self->msgs_in);
        lp_store_oid_value(&ids[i], envs[i]->complaint_id);
        if (ids[i].value_type == BSON_TYPE_OID)
            bson_oid_copy(&ids[i].value.v_oid, &plans[i].oid);
        plans[i].env = (Lapor__V1__Envelope) LAPOR__V1__ENVELOPE__INIT;
        plans[i].disposed = (Lapor__V1__ComplaintDisposed) LAPOR__V1__COMPLAINT_DISPOSED__INIT;
        bson_init(&plans[i].set);
        bson_init(&plans[i].unset);
    }
    /* New complaints are disposed from their own event; the others are read. */
    bool unknown = false;
    for (int i = 0; i < n; i++) {
        docs[i] = NULL;
        if (ids[i].value_type == BSON_TYPE_OID && s_from_event(envs[i], &plans[i].c)) {
            plans[i].known = true;
            ids[i].value_type = BSON_TYPE_EOD;
        }
        else
            unknown = true;
    }
    bson_t *projection = s_projection();
    ok = read = !unknown || lp_store_find_ids(coll, ids, (size_t) n, projection, docs, &err);
    bson_destroy(projection);
    if (!ok) {
        lp_metric_inc(self->db_errors);
        handled = 0;
        goto done;
    }
    for (int i = 0; i < n; i++) {
        if (!plans[i].known && !docs[i]) {
            plans[i].what = S_NOTHING; /* deleted, or a malformed id: nothing to do, ever */
            continue;
        }
        if (!plans[i].known)
            s_parse(docs[i], &plans[i].c);
        s_decide(self, coll, envs[i], &plans[i]);
    }
    /* Every disposition's event is stamped, its work marked (one command), then the
     * guarded updates go in one bulk. */
    for (int i = 0; i < n; i++)
        if (plans[i].what == S_DISPOSE) {
            s_plan_disposition(self, envs[i], &plans[i]);
            plans[i].planned = true;
            cids[n_marked] = envs[i]->complaint_id;
            eids[n_marked++] = plans[i].event_id;
        }
    if (!lp_outbox_mark_many(self->svc.store, cids, eids, n_marked, lp_transition_dispose_stages,
                             LP_TRANSITION_DISPOSE_N_STAGES, lp_now_ms(), &err)) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
        for (int i = 0; i < n; i++)
            if (plans[i].what == S_DISPOSE)
                plans[i].what = S_RETRY;
    }
    if (!s_write_dispositions(coll, plans, n)) {
        lp_metric_inc(self->db_errors);
        for (int i = 0; i < n; i++)
            if (plans[i].what == S_DISPOSE)
                plans[i].what = S_RETRY;
    }
    /* A disposition whose guard did not match was not written: its marks go. */
    n_marked = 0;
    for (int i = 0; i < n; i++)
        if (plans[i].planned) {
            moved[n_marked] = plans[i].what == S_ACK;
            eids[n_marked++] = plans[i].event_id;
        }
    lp_outbox_forget(outbox, eids, moved, (int) n_marked, lp_transition_dispose_stages,
                     LP_TRANSITION_DISPOSE_N_STAGES);
    /* Everything but a retry is done for the router. */
    for (int i = 0; i < n; i++)
        handled += acked[i] = plans[i].what != S_RETRY;
    lp_service_ack(&self->svc, LP_STAGE_ROUTER, envs, acked, n);
    for (int i = 0; i < n; i++) {
        s_plan_t *p = &plans[i];
        if (p->what != S_DISPOSE)
            continue;
        lp_metric_inc(self->disposed);
        if (p->c.created_at > 0)
            lp_metric_observe(self->dispose_latency,
                              (p->env.occurred_at_ms - p->c.created_at) / 1000.0);
        lp_log(LP_LOG_INFO, "complaint.disposed", "{s:s,s:s,s:s,s:s,s:s,s:I}", "tracking_id",
               p->c.tracking_id, "agency_id", p->agency->id, "category", p->category, "rule",
               p->rule, "event_id", p->event_id, "deadline_at",
               (json_int_t) p->disposed.deadline_at_ms);
        router_ring(self, &p->env);
    }
done:
    for (int i = 0; read && i < n; i++)
        if (docs[i])
            bson_destroy(docs[i]);
    for (int i = 0; plans && i < n; i++) {
        bson_free(plans[i].c.text);
        bson_destroy(&plans[i].set);
        bson_destroy(&plans[i].unset);
    }
    free(plans);
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return handled;
}

int
router_handle(void *arg, lp_envelope_t *env)
{
    return router_handle_batch(arg, &env, 1) == 1 ? 0 : -1;
}
