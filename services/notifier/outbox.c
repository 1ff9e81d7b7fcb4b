/* outbox: events become notification documents, one per (event, recipient, channel). */
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "notifier-private.h"

static json_t *
s_time(int64_t ms)
{
    char text[32];
    time_t secs = (time_t) (ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(text);
}

/* The agency-bound payload. It is built from a projection without the reporter.
 * The responsible agency needs the content to act, even when the complaint is
 * confidential: confidential means not public, not hidden from the agency. */
static char *
s_payload(const lp_envelope_t *env, const bson_t *complaint)
{
    json_t *c = json_object();
    json_t *root = NULL;
    char *text = NULL;
    bson_iter_t it;

    json_object_set_new(c, "tracking_id", json_string(lp_doc_str(complaint, "tracking_id")));
    json_object_set_new(c, "type", json_string(lp_doc_str(complaint, "type")));
    json_object_set_new(c, "status", json_string(lp_doc_str(complaint, "status")));
    json_object_set_new(c, "category", json_string(lp_doc_str(complaint, "category")));
    json_object_set_new(c, "privacy", json_string(lp_doc_str(complaint, "privacy")));
    json_object_set_new(c, "region",
                        json_pack("{s:s,s:s}", "code", lp_doc_str(complaint, "region.code"), "name",
                                  lp_doc_str(complaint, "region.name")));
    json_object_set_new(c, "title", json_string(lp_doc_str(complaint, "title")));
    json_object_set_new(c, "body", json_string(lp_doc_str(complaint, "body")));
    json_object_set_new(c, "agency_id", json_string(lp_doc_str(complaint, "agency.id")));
    if (bson_iter_init_find(&it, complaint, "deadline_at") && BSON_ITER_HOLDS_INT64(&it))
        json_object_set_new(c, "deadline_at", s_time(bson_iter_int64(&it)));
    root = json_pack("{s:s,s:s,s:o,s:o}", "type", lp_event_type(env), "event_id", env->event_id,
                     "occurred_at", s_time(env->occurred_at_ms), "complaint", c);
    if (root && env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED) {
        const Lapor__V1__DeadlineMissed *m = env->deadline_missed;
        json_object_set_new(root, "escalation",
                            json_pack("{s:i,s:s,s:s,s:o}", "level", (int) m->escalation_level,
                                      "from", m->agency_id, "to", m->escalated_to,
                                      "missed_deadline_at", s_time(m->deadline_at_ms)));
    }
    if (root)
        text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}

/* Adds one webhook notification for one agency (its document, NULL when unknown)
 * about env to batch (idempotent by its _id when inserted). */
static void
s_queue_webhook(const bson_t *agency, const lp_envelope_t *env, const char *agency_id,
                const char *payload, notifier_batch_t *batch)
{
    const char *url = agency ? lp_doc_str(agency, "webhook.url") : "";
    bson_t *doc = NULL;
    char id[160];
    int64_t now = lp_now_ms();

    snprintf(id, sizeof id, "%s:agency:%s:webhook", env->event_id, agency_id);
    doc =
        BCON_NEW("_id", BCON_UTF8(id), "event_id", BCON_UTF8(env->event_id), "type",
                 BCON_UTF8(lp_event_type(env)), "complaint_id", BCON_UTF8(env->complaint_id),
                 "tracking_id", BCON_UTF8(env->tracking_id), "recipient", "{", "kind",
                 BCON_UTF8("agency"), "id", BCON_UTF8(agency_id), "}", "channel",
                 BCON_UTF8("webhook"), "state", BCON_UTF8(*url ? "pending" : "skipped"), "attempts",
                 BCON_INT32(0), "next_at", BCON_INT64(now), "payload", BCON_UTF8(payload),
                 "created_at", BCON_INT64(now), "updated_at", BCON_INT64(now));
    if (!*url)
        BSON_APPEND_UTF8(doc, "reason", "the agency has no webhook configured");
    notifier_batch_add(batch, doc, *url != '\0');
}

/* The agencies an event concerns: the one disposed to; on an escalation both the
 * agency that missed the deadline and the one it went up to. */
static size_t
s_recipients(const lp_envelope_t *env, const char *out[3])
{
    size_t n = 0;
    if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED)
        out[n++] = env->disposed->agency_id;
    else if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED &&
             env->status_changed->to == LAPOR__V1__STATUS__STATUS_REOPENED)
        out[n++] = env->status_changed->agency_id; /* the reporter sent it back */
    else if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED) {
        out[n++] = env->deadline_missed->agency_id;
        if (strcmp(env->deadline_missed->escalated_to, env->deadline_missed->agency_id) != 0)
            out[n++] = env->deadline_missed->escalated_to;
    }
    for (size_t i = 0; i < n;)
        if (!out[i] || !*out[i])
            out[i] = out[--n];
        else
            i++;
    return n;
}

/* What a batch of events reads, in one query for the complaints and one for the
 * agencies concerned. The agencies' copy of a complaint is made without the
 * reporter before anything looks at it: that path only writes to agencies. */
typedef struct {
    bson_t *for_agency[NOTIFIER_BATCH_EVENTS];
    bson_t *for_citizen[NOTIFIER_BATCH_EVENTS];
    bson_value_t agency_ids[NOTIFIER_BATCH_EVENTS * 3];
    bson_t *agencies[NOTIFIER_BATCH_EVENTS * 3];
    size_t n_agencies;
} s_reads_t;

/* Whether agency id is among r's agency ids already. */
static bool
s_listed(const s_reads_t *r, const char *id)
{
    for (size_t i = 0; i < r->n_agencies; i++)
        if (strcmp(r->agency_ids[i].value.v_utf8.str, id) == 0)
            return true;
    return false;
}

/* Reads what events[0..n) need into r; false on a database error. */
static bool
s_read(notifier_t *self, mongoc_collection_t *complaints, mongoc_collection_t *agencies,
       lp_envelope_t **envs, int n, s_reads_t *r)
{
    bson_value_t ids[NOTIFIER_BATCH_EVENTS];
    bson_t *docs[NOTIFIER_BATCH_EVENTS];
    bson_t *projection = BCON_NEW("events", BCON_INT32(0), "history", BCON_INT32(0), "lease",
                                  BCON_INT32(0), "duplicates", BCON_INT32(0));
    bool citizen[NOTIFIER_BATCH_EVENTS];
    size_t k[NOTIFIER_BATCH_EVENTS];
    const char *to[3];
    lp_error_t err;
    bool ok;

    memset(r, 0, sizeof *r);
    for (int i = 0; i < n; i++) {
        k[i] = s_recipients(envs[i], to);
        citizen[i] = notifier_citizen_wants(envs[i]);
        lp_store_oid_value(&ids[i], k[i] > 0 || citizen[i] ? envs[i]->complaint_id : "");
        for (size_t j = 0; j < k[i]; j++) /* each agency once: a batch names few */
            if (!s_listed(r, to[j]))
                lp_store_str_value(&r->agency_ids[r->n_agencies++], to[j]);
    }
    ok = lp_store_find_ids(complaints, ids, (size_t) n, projection, docs, &err) &&
         lp_store_find_ids(agencies, r->agency_ids, r->n_agencies, NULL, r->agencies, &err);
    /* The senders use these too (a sender needs the URL and secret). */
    for (size_t i = 0; ok && i < r->n_agencies; i++)
        notifier_agencies_put(self->agencies, r->agency_ids[i].value.v_utf8.str, r->agencies[i]);
    for (int i = 0; i < n; i++) {
        if (!docs[i])
            continue;
        if (ok && k[i] > 0) {
            r->for_agency[i] = bson_new();
            bson_copy_to_excluding_noinit(docs[i], r->for_agency[i], "reporter", NULL);
        }
        if (ok && citizen[i])
            r->for_citizen[i] = docs[i];
        else
            bson_destroy(docs[i]);
    }
    bson_destroy(projection);
    return ok;
}

static void
s_reads_free(s_reads_t *r, int n)
{
    for (int i = 0; i < n; i++) {
        if (r->for_agency[i])
            bson_destroy(r->for_agency[i]);
        if (r->for_citizen[i])
            bson_destroy(r->for_citizen[i]);
    }
    for (size_t i = 0; i < r->n_agencies; i++)
        if (r->agencies[i])
            bson_destroy(r->agencies[i]);
}

/* The agency id as read for the batch (NULL when it does not exist). */
static const bson_t *
s_agency(const s_reads_t *r, const char *id)
{
    for (size_t i = 0; i < r->n_agencies; i++)
        if (r->agencies[i] && strcmp(r->agency_ids[i].value.v_utf8.str, id) == 0)
            return r->agencies[i];
    return NULL;
}

/* Queues the webhooks an event causes, from its complaint as read without the
 * reporter (NULL when it is gone: nothing to tell). 0 done, -1 retry. */
static int
s_agency_event(const s_reads_t *r, const bson_t *complaint, const lp_envelope_t *env,
               notifier_batch_t *batch)
{
    const char *recipients[3];
    size_t n = s_recipients(env, recipients);
    char *payload = NULL;

    if (n == 0 || !complaint)
        return 0;
    if (!(payload = s_payload(env, complaint)))
        return -1;
    for (size_t i = 0; i < n; i++)
        s_queue_webhook(s_agency(r, recipients[i]), env, recipients[i], payload, batch);
    free(payload);
    return 0;
}

/* Publishes the event on the agency feed, one message per agency concerned. The
 * feed is best effort (PUB drops for a slow subscriber); webhooks are the
 * delivery that retries. */
static void
s_feed(notifier_t *self, const lp_envelope_t *env)
{
    const char *agencies[3];
    size_t n = s_recipients(env, agencies), len = 0;
    uint8_t *data = NULL;

    /* Every change of an agency's complaint (a reopening is there already). */
    if (n == 0 && env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED &&
        *env->status_changed->agency_id)
        agencies[n++] = env->status_changed->agency_id;
    if (n == 0 || !self->feed_pub || !(data = lp_event_pack(env, &len)))
        return;
    for (size_t i = 0; i < n; i++)
        if (lp_bus_send(self->feed_pub, agencies[i], data, len) == 0)
            lp_metric_inc(self->feed_out);
    free(data);
}

/* A message this notifier can send at once, as it is inserted: claimed by this
 * instance already (state "sending" and a lease, as a claim would leave it), so
 * that its sender needs neither a claim nor a read. Replaces *doc. */
static void
s_claim_at_insert(notifier_t *self, bson_t **doc)
{
    bson_t *claimed = bson_new(), lease;
    bson_copy_to_excluding_noinit(*doc, claimed, "state", NULL);
    BSON_APPEND_UTF8(claimed, "state", "sending");
    BSON_APPEND_DOCUMENT_BEGIN(claimed, "lease", &lease);
    BSON_APPEND_UTF8(&lease, "owner", self->svc.config->instance);
    BSON_APPEND_INT64(&lease, "until", lp_now_ms() + self->svc.config->lease_ms);
    bson_append_document_end(claimed, &lease);
    bson_destroy(*doc);
    *doc = claimed;
}

/* Inserts batch's documents (one command per LP_STORE_BULK_MAX); an event whose
 * document met an error other than a duplicate key (the unique _id makes a repeated
 * event a no-op) is not ok. Messages to send now are inserted claimed and go to
 * the ready queue once stored. */
static void
s_insert(notifier_t *self, mongoc_collection_t *notes, notifier_batch_t *batch, bool *ok)
{
    lp_store_outcome_t out[NOTIFIER_BATCH_DOCS];

    for (int j = 0; j < batch->n; j++)
        if (batch->pending[j])
            s_claim_at_insert(self, &batch->docs[j]);
    lp_store_insert_many(notes, (const bson_t **) batch->docs, (size_t) batch->n, out);
    for (int j = 0; j < batch->n; j++) {
        const bson_t *doc = batch->docs[j];
        if (out[j] == LP_STORE_FAILED)
            ok[batch->event[j]] = false;
        else if (out[j] == LP_STORE_DUPLICATE)
            lp_log(LP_LOG_INFO, "notification.duplicate_event", "{s:s}", "id",
                   lp_doc_str(doc, "_id"));
        else {
            lp_metric_inc(self->queued);
            if (batch->pending[j])
                notifier_queued(self, doc);
            lp_log(LP_LOG_INFO, "notification.queued", "{s:s,s:s,s:s,s:s}", "id",
                   lp_doc_str(doc, "_id"), "tracking_id", lp_doc_str(doc, "tracking_id"), "channel",
                   lp_doc_str(doc, "channel"), "state", lp_doc_str(doc, "state"));
        }
    }
}

int
notifier_handle_batch(void *arg, lp_envelope_t **envs, int n)
{
    notifier_t *self = arg;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *complaints =
        lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *agencies = lp_store_collection(self->svc.store, client, LP_COLL_AGENCIES);
    mongoc_collection_t *notes =
        lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    notifier_batch_t batch = {.n = 0};
    s_reads_t reads;
    bool ok[NOTIFIER_BATCH_EVENTS], read;
    int handled = 0;

    if (n > NOTIFIER_BATCH_EVENTS)
        n = NOTIFIER_BATCH_EVENTS;
    read = s_read(self, complaints, agencies, envs, n, &reads);
    for (int i = 0; i < n; i++) {
        int before = batch.n;
        lp_metric_inc(self->msgs_in);
        batch.current = i;
        ok[i] = read && s_agency_event(&reads, reads.for_agency[i], envs[i], &batch) == 0;
        if (ok[i])
            notifier_citizen_event(self, reads.for_citizen[i], envs[i], &batch);
        else { /* retried whole by the sweeper */
            lp_metric_inc(self->db_errors);
            while (batch.n > before)
                bson_destroy(batch.docs[--batch.n]);
        }
    }
    s_insert(self, notes, &batch, ok);
    /* Acknowledge the events whose messages are all stored, in one command. */
    for (int i = 0; i < n; i++)
        if (ok[i]) {
            handled++;
            s_feed(self, envs[i]);
        }
    lp_service_ack(&self->svc, LP_STAGE_NOTIFIER, envs, ok, n);
    for (int j = 0; j < batch.n; j++)
        bson_destroy(batch.docs[j]);
    s_reads_free(&reads, n);
    mongoc_collection_destroy(notes);
    mongoc_collection_destroy(agencies);
    mongoc_collection_destroy(complaints);
    lp_store_push(self->svc.store, client);
    return handled;
}

int
notifier_handle(void *arg, lp_envelope_t *env)
{
    return notifier_handle_batch(arg, &env, 1) == 1 ? 0 : -1;
}
