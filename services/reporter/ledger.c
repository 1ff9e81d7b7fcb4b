/* ledger: each event becomes one ledger entry holding its roll-up deltas. */
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "reporter-private.h"

static void
s_add(reporter_delta_t *out, size_t *n, const char *dim, const char *key, int amount)
{
    if (*n >= REPORTER_MAX_DELTAS || !key || !*key)
        return;
    out[*n].dim = dim;
    snprintf(out[*n].key, sizeof out[*n].key, "%s", key);
    out[*n].n = amount;
    (*n)++;
}

size_t
reporter_deltas(const lp_envelope_t *env, reporter_delta_t *out)
{
    size_t n = 0;
    char prefix[48];

    switch (env->payload_case) {
    case LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED: {
        const Lapor__V1__ComplaintSubmitted *s = env->submitted;
        s_add(out, &n, "status", "received", 1);
        s_add(out, &n, "category", s->category, 1);
        s_add(out, &n, "type", lp_report_type_name(s->type), 1);
        s_add(out, &n, "channel", lp_channel_name(s->channel), 1);
        s_add(out, &n, "privacy", lp_privacy_name(s->privacy), 1);
        /* Every level of the region: regency, district and village each count it. */
        for (const char *p = s->region; p && *p; p++) {
            if (*p != '.')
                continue;
            snprintf(prefix, sizeof prefix, "%.*s", (int) (p - s->region), s->region);
            if (strchr(prefix, '.'))
                s_add(out, &n, "region", prefix, 1);
        }
        if (s->region && strchr(s->region, '.'))
            s_add(out, &n, "region", s->region, 1);
        break;
    }
    case LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED:
        s_add(out, &n, "status", lp_status_name(env->disposed->from), -1);
        s_add(out, &n, "status", "disposed", 1);
        s_add(out, &n, "agency", env->disposed->agency_id, 1);
        break;
    case LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED:
        s_add(out, &n, "status", lp_status_name(env->status_changed->from), -1);
        s_add(out, &n, "status", lp_status_name(env->status_changed->to), 1);
        break;
    case LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED:
        /* No agency yet: the verification deadline; else the agency's follow-up. */
        if (*env->deadline_missed->agency_id) {
            s_add(out, &n, "overdue", "followup", 1);
            s_add(out, &n, "escalation", env->deadline_missed->agency_id, 1);
        }
        else
            s_add(out, &n, "overdue", "verification", 1);
        break;
    default:
        break;
    }
    return n;
}

int
reporter_handle(void *arg, lp_envelope_t *env)
{
    reporter_t *self = arg;
    reporter_delta_t deltas[REPORTER_MAX_DELTAS];
    size_t n = reporter_deltas(env, deltas);
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *ledger = lp_store_collection(self->svc.store, client, LP_COLL_LEDGER);
    mongoc_collection_t *complaints =
        lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    bson_t doc = BSON_INITIALIZER, arr, item;
    bson_error_t error;
    char key[24];
    int rc = 0;

    lp_metric_inc(self->msgs_in);
    BSON_APPEND_UTF8(&doc, "_id", env->event_id);
    BSON_APPEND_UTF8(&doc, "complaint_id", env->complaint_id);
    BSON_APPEND_UTF8(&doc, "type", lp_event_type(env));
    BSON_APPEND_INT64(&doc, "at", env->occurred_at_ms);
    BSON_APPEND_INT64(&doc, "batch", 0); /* 0: not folded into the roll-ups yet */
    BSON_APPEND_ARRAY_BEGIN(&doc, "deltas", &arr);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%zu", i);
        BSON_APPEND_DOCUMENT_BEGIN(&arr, key, &item);
        BSON_APPEND_UTF8(&item, "dim", deltas[i].dim);
        BSON_APPEND_UTF8(&item, "key", deltas[i].key);
        BSON_APPEND_INT32(&item, "n", deltas[i].n);
        bson_append_document_end(&arr, &item);
    }
    bson_append_array_end(&doc, &arr);
    /* The unique _id makes a repeated event a no-op: counted once, whatever the path. */
    if (mongoc_collection_insert_one(ledger, &doc, NULL, NULL, &error))
        lp_metric_inc(self->ledgered);
    else if (!lp_store_is_duplicate(&error)) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        rc = -1;
    }
    if (rc == 0)
        lp_outbox_done(complaints, env->complaint_id, LP_STAGE_REPORTER, env->event_id, NULL);
    bson_destroy(&doc);
    mongoc_collection_destroy(complaints);
    mongoc_collection_destroy(ledger);
    lp_store_push(self->svc.store, client);
    return rc;
}
