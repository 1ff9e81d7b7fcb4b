/* deadlines: what happens when time runs out: escalation to the parent agency when
 * a follow-up is late, a flag when verification is late, closure when the reporter
 * did not answer a resolution. Every change is one guarded transition, so several
 * routers can run this at the same time. */
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_recent.h"
#include "lp_transition.h"
#include "router-private.h"

#define BATCH 100
#define DAY_MS (24LL * 60 * 60 * 1000)

static const char *const s_next[] = {LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};

/* Runs fn on each document of the query (at most BATCH); returns the number moved,
 * -1 on a database error. */
static int
s_each(router_t *self, mongoc_collection_t *coll, bson_t *filter,
       int (*fn)(router_t *, mongoc_collection_t *, const bson_t *))
{
    bson_t *opts =
        BCON_NEW("limit", BCON_INT64(BATCH), "projection", "{", "events", BCON_INT32(0), "history",
                 BCON_INT32(0), "body", BCON_INT32(0), "reporter", BCON_INT32(0), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    int moved = 0;

    while (mongoc_cursor_next(cursor, &doc)) {
        int rc = fn(self, coll, doc);
        if (rc > 0)
            moved++;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        moved = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    return moved;
}

/* Common to the three: the envelope of the complaint doc. */
static void
s_envelope(router_t *self, const bson_t *doc, lp_envelope_t *env, char *complaint_id,
           char *tracking_id, size_t tracking_size, char *event_id)
{
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it))
        bson_oid_to_string(bson_iter_oid(&it), complaint_id);
    env->complaint_id = complaint_id;
    env->tracking_id =
        (char *) (lp_doc_copy(doc, "tracking_id", tracking_id, tracking_size), tracking_id);
    env->version = (uint32_t) lp_doc_int(doc, "v") + 1;
    lp_event_stamp(env, self->svc.config->instance, event_id);
}

/* The agency missed its follow-up deadline: the complaint goes up to the parent. */
static int
s_escalate(router_t *self, mongoc_collection_t *coll, const bson_t *doc)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__DeadlineMissed missed = LAPOR__V1__DEADLINE_MISSED__INIT;
    char complaint_id[25] = "", tracking[16], event_id[LP_EVENT_ID_LEN + 1];
    char agency_id[64], status[24], note[256];
    const lp_agency_t *agency = NULL, *parent = NULL;
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};
    lp_error_t err;
    bson_oid_t oid;
    int rc = 0;
    int32_t level = (int32_t) lp_doc_int(doc, "escalation_level") + 1;

    lp_error_clear(&err);
    (lp_doc_copy(doc, "agency.id", agency_id, sizeof agency_id), agency_id);
    (lp_doc_copy(doc, "status", status, sizeof status), status);
    agency = lp_refdata_agency(self->svc.refdata, agency_id);
    parent = agency ? lp_refdata_agency(self->svc.refdata, agency->parent_id) : NULL;

    missed.agency_id = agency_id;
    missed.deadline_at_ms = lp_doc_int(doc, "deadline_at");
    missed.escalation_level = (uint32_t) level;
    missed.escalated_to = parent ? parent->id : "";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED;
    env.deadline_missed = &missed;
    s_envelope(self, doc, &env, complaint_id, tracking, sizeof tracking, event_id);
    if (!lp_outbox_oid(complaint_id, &oid))
        goto done;

    /* The top of the chain keeps the complaint, with a fresh deadline, so the
     * escalation is recorded once per missed deadline instead of at every sweep. */
    if (parent) {
        BSON_APPEND_UTF8(&set, "agency.id", parent->id);
        BSON_APPEND_UTF8(&set, "agency.name", parent->name);
        snprintf(note, sizeof note,
                 "Batas waktu tindak lanjut terlewati; dieskalasi dari %s ke %s (tingkat %d)",
                 agency ? agency->name : agency_id, parent->name, level);
    }
    else
        snprintf(note, sizeof note, "Batas waktu tindak lanjut terlewati (tingkat %d)", level);
    BSON_APPEND_INT64(&set, "deadline_at",
                      lp_workdays_deadline(lp_refdata_calendar(self->svc.refdata),
                                           env.occurred_at_ms, (int) self->config->followup_days));
    BSON_APPEND_INT32(&set, "escalation_level", level);
    BSON_APPEND_INT64(&set, "escalated_at", env.occurred_at_ms);
    t.from_status = status;
    t.from_v = (int32_t) lp_doc_int(doc, "v");
    t.set = &set;
    t.actor = "router";
    t.note = note;
    t.agency_id = parent ? parent->id : agency_id;
    t.seen_by = parent ? parent->id : NULL;
    t.event = &env;
    t.stages = s_next;
    t.n_stages = 2;
    t.store = self->svc.store;
    rc = lp_transition_apply(coll, &oid, &t, env.occurred_at_ms, &err);
    if (rc > 0) {
        lp_metric_inc(self->escalated);
        lp_log(LP_LOG_INFO, "complaint.escalated", "{s:s,s:s,s:s,s:i,s:s}", "tracking_id", tracking,
               "from", agency_id, "to", missed.escalated_to, "level", level, "event_id", event_id);
        router_ring(self, &env);
    }
done:
    bson_destroy(&set);
    return rc;
}

/* Nobody verified and disposed the complaint within the verification deadline. */
static int
s_flag_undisposed(router_t *self, mongoc_collection_t *coll, const bson_t *doc)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__DeadlineMissed missed = LAPOR__V1__DEADLINE_MISSED__INIT;
    char complaint_id[25] = "", tracking[16], event_id[LP_EVENT_ID_LEN + 1];
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};
    lp_error_t err;
    bson_oid_t oid;
    int rc = 0;

    lp_error_clear(&err);
    missed.deadline_at_ms = lp_doc_int(doc, "dispose_by");
    missed.escalation_level = 1;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED;
    env.deadline_missed = &missed;
    s_envelope(self, doc, &env, complaint_id, tracking, sizeof tracking, event_id);
    if (!lp_outbox_oid(complaint_id, &oid))
        goto done;
    BSON_APPEND_BOOL(&set, "dispose_overdue", true);
    t.from_status = "received";
    t.from_v = (int32_t) lp_doc_int(doc, "v");
    t.set = &set;
    t.actor = "router";
    t.note = "Batas waktu verifikasi 3 hari kerja terlewati";
    t.event = &env;
    t.stages = s_next;
    t.n_stages = 2;
    t.store = self->svc.store;
    rc = lp_transition_apply(coll, &oid, &t, env.occurred_at_ms, &err);
    if (rc > 0) {
        lp_log(LP_LOG_WARN, "complaint.verification_overdue", "{s:s}", "tracking_id", tracking);
        router_ring(self, &env);
    }
done:
    bson_destroy(&set);
    return rc;
}

/* A resolution the reporter did not answer within the closing period. */
static int
s_close(router_t *self, mongoc_collection_t *coll, const bson_t *doc)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__StatusChanged changed = LAPOR__V1__STATUS_CHANGED__INIT;
    char complaint_id[25] = "", tracking[16], event_id[LP_EVENT_ID_LEN + 1], agency_id[64];
    int64_t resolved_at = lp_doc_int(doc, "resolved_at");
    int64_t close_at = lp_workdays_deadline(lp_refdata_calendar(self->svc.refdata), resolved_at,
                                            (int) self->config->close_days);
    bson_t set = BSON_INITIALIZER;
    lp_transition_t t = {0};
    lp_error_t err;
    bson_oid_t oid;
    int rc = 0;

    lp_error_clear(&err);
    if (resolved_at <= 0 || close_at >= lp_now_ms())
        goto done; /* not yet: the query only prefilters by calendar days */
    changed.from = LAPOR__V1__STATUS__STATUS_RESOLVED;
    changed.to = LAPOR__V1__STATUS__STATUS_CLOSED;
    changed.agency_id =
        (char *) (lp_doc_copy(doc, "agency.id", agency_id, sizeof agency_id), agency_id);
    changed.actor = "router";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED;
    env.status_changed = &changed;
    s_envelope(self, doc, &env, complaint_id, tracking, sizeof tracking, event_id);
    if (!lp_outbox_oid(complaint_id, &oid))
        goto done;
    BSON_APPEND_INT64(&set, "closed_at", env.occurred_at_ms);
    t.from_status = "resolved";
    t.from_v = (int32_t) lp_doc_int(doc, "v");
    t.to_status = "closed";
    t.set = &set;
    t.actor = "router";
    t.note = "Ditutup otomatis: tidak ada tanggapan pelapor dalam 10 hari kerja";
    t.event = &env;
    t.stages = s_next;
    t.n_stages = 2;
    t.store = self->svc.store;
    rc = lp_transition_apply(coll, &oid, &t, env.occurred_at_ms, &err);
    if (rc > 0) {
        lp_metric_inc(self->closed);
        lp_log(LP_LOG_INFO, "complaint.closed", "{s:s,s:s}", "tracking_id", tracking, "reason",
               "no_reply");
        router_ring(self, &env);
    }
done:
    bson_destroy(&set);
    return rc;
}

/* Retention: a closed or archived complaint keeps its reporter's details only for
 * the configured time; the complaint stays for statistics. */
static int
s_erase(router_t *self, mongoc_collection_t *coll, const bson_t *doc)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *notes =
        lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    mongoc_collection_t *recent =
        lp_store_collection(self->svc.store, client, LP_COLL_REPORTER_RECENT);
    bson_iter_t it;
    lp_error_t err;
    int rc = 0;

    lp_error_clear(&err);
    /* The near-duplicate index first, while the complaint still has its lookups; a
     * failure there only leaves entries that the daily sweep deletes. */
    if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it) &&
        lp_recent_forget_complaint(recent, coll, bson_iter_oid(&it), &err) != 0) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
        lp_error_clear(&err);
    }
    if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it))
        rc = lp_transition_erase_reporter(
            coll, notes, bson_iter_oid(&it), "router",
            "Data kontak pelapor dihapus: masa simpan setelah selesai berakhir", lp_now_ms(), &err);
    if (rc > 0)
        lp_log(LP_LOG_INFO, "reporter.erased", "{s:s,s:s}", "tracking_id",
               lp_doc_str(doc, "tracking_id"), "reason", "retention");
    else if (rc < 0)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
    mongoc_collection_destroy(recent);
    mongoc_collection_destroy(notes);
    lp_store_push(self->svc.store, client);
    return rc;
}

/* With retention: day documents of the near-duplicate index older than yesterday
 * go, every LP_RECENT_SWEEP_EVERY_MS (the query reads that whole small collection). */
static void
s_sweep_recent(router_t *self, mongoc_client_t *client, int64_t now)
{
    mongoc_collection_t *recent = NULL;
    lp_error_t err;
    int n;

    if (now < self->recent_sweep_at)
        return;
    self->recent_sweep_at = now + LP_RECENT_SWEEP_EVERY_MS;
    lp_error_clear(&err);
    recent = lp_store_collection(self->svc.store, client, LP_COLL_REPORTER_RECENT);
    n = lp_recent_sweep(recent, now, &err);
    if (n < 0)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
    else if (n > 0)
        lp_log(LP_LOG_INFO, "reporter_recent.swept", "{s:i}", "days", n);
    mongoc_collection_destroy(recent);
}

int
router_deadlines(router_t *self)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    int64_t now = lp_now_ms();
    int total = 0, n = 0;

    n = s_each(self, coll,
               BCON_NEW("status", "{", "$in", "[", BCON_UTF8("disposed"), BCON_UTF8("reopened"),
                        "]", "}", "deadline_at", "{", "$lt", BCON_INT64(now), "}"),
               s_escalate);
    total = n < 0 ? -1 : total + n;
    n = s_each(self, coll,
               BCON_NEW("status", BCON_UTF8("received"), "dispose_by", "{", "$lt", BCON_INT64(now),
                        "}", "dispose_overdue", "{", "$exists", BCON_BOOL(false), "}"),
               s_flag_undisposed);
    total = n < 0 || total < 0 ? -1 : total + n;
    /* Ten working days are never fewer than ten calendar days: a cheap prefilter. */
    n = s_each(self, coll,
               BCON_NEW("status", BCON_UTF8("resolved"), "resolved_at", "{", "$lt",
                        BCON_INT64(now - self->config->close_days * DAY_MS), "}"),
               s_close);
    total = n < 0 || total < 0 ? -1 : total + n;
    n = s_each(self, coll,
               BCON_NEW("status", "{", "$in", "[", BCON_UTF8("closed"), BCON_UTF8("archived"), "]",
                        "}", "updated_at", "{", "$lt",
                        BCON_INT64(now - self->config->retention_days * DAY_MS), "}",
                        "reporter.sealed", "{", "$exists", BCON_BOOL(true), "}"),
               s_erase);
    total = n < 0 || total < 0 ? -1 : total + n;
    s_sweep_recent(self, client, now);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return total;
}
