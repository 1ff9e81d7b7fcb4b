/* submit: a checked complaint becomes a durable document, then a doorbell. */
#include <stdio.h>
#include <string.h>

#include "intake-private.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"

#define TRACKING_TRIES 5

/* region: {code, name, level, and the names of each level above it}. */
static void
s_append_region(intake_t *self, bson_t *doc, const char *code)
{
    bson_t region;
    const lp_region_t *r = lp_refdata_region(self->svc.refdata, code);

    BSON_APPEND_DOCUMENT_BEGIN(doc, "region", &region);
    BSON_APPEND_UTF8(&region, "code", code);
    if (r) {
        BSON_APPEND_UTF8(&region, "name", r->name);
        BSON_APPEND_UTF8(&region, "level", r->level);
    }
    /* Walk up: kabupaten, kecamatan and desa names make the region readable and
     * let the reporter group without a join. */
    for (int depth = 0; r && depth < 5; depth++) {
        BSON_APPEND_UTF8(&region, r->level, r->name);
        r = r->parent[0] ? lp_refdata_region(self->svc.refdata, r->parent) : NULL;
    }
    bson_append_document_end(doc, &region);
}

/* Builds the complaint document with its submitted event. */
static bson_t *
s_build(intake_t *self, const intake_complaint_t *c, Lapor__V1__Channel channel,
        const char *tracking, const bson_oid_t *oid, const lp_envelope_t *env)
{
    bson_t *doc = bson_new();
    bson_t child, item;
    int64_t now = env->occurred_at_ms;
    int64_t dispose_by = lp_workdays_deadline(lp_refdata_calendar(self->svc.refdata), now,
                                              (int) self->config->dispose_days);

    BSON_APPEND_OID(doc, "_id", oid);
    BSON_APPEND_UTF8(doc, "tracking_id", tracking);
    BSON_APPEND_UTF8(doc, "type", lp_report_type_name(c->type));
    BSON_APPEND_UTF8(doc, "title", c->title);
    BSON_APPEND_UTF8(doc, "body", c->body);
    /* No category (free text): the router's classifier or the triage desk picks one. */
    BSON_APPEND_UTF8(doc, "category", c->category ? c->category : "");
    s_append_region(self, doc, c->region);
    BSON_APPEND_UTF8(doc, "channel", lp_channel_name(channel));
    BSON_APPEND_UTF8(doc, "privacy", lp_privacy_name(c->privacy));
    if (c->reporter_name || c->reporter_phone || c->reporter_email) {
        BSON_APPEND_DOCUMENT_BEGIN(doc, "reporter", &child);
        if (c->reporter_name)
            BSON_APPEND_UTF8(&child, "name", c->reporter_name);
        if (c->reporter_phone)
            BSON_APPEND_UTF8(&child, "phone", c->reporter_phone);
        if (c->reporter_email)
            BSON_APPEND_UTF8(&child, "email", c->reporter_email);
        bson_append_document_end(doc, &child);
    }
    BSON_APPEND_UTF8(doc, "status", "received");
    BSON_APPEND_INT32(doc, "v", 1);
    BSON_APPEND_INT64(doc, "dispose_by", dispose_by);
    BSON_APPEND_INT32(doc, "escalation_level", 0);
    BSON_APPEND_ARRAY_BEGIN(doc, "history", &child);
    BSON_APPEND_DOCUMENT_BEGIN(&child, "0", &item);
    BSON_APPEND_INT64(&item, "at", now);
    BSON_APPEND_UTF8(&item, "status", "received");
    BSON_APPEND_UTF8(&item, "actor", "intake");
    bson_append_document_end(&child, &item);
    bson_append_array_end(doc, &child);
    BSON_APPEND_ARRAY_BEGIN(doc, "events", &child);
    lp_outbox_append_event(&child, "0", env);
    bson_append_array_end(doc, &child);
    BSON_APPEND_DOCUMENT_BEGIN(doc, "todo", &child);
    BSON_APPEND_ARRAY_BEGIN(&child, LP_STAGE_ROUTER, &item);
    BSON_APPEND_UTF8(&item, "0", env->event_id);
    bson_append_array_end(&child, &item);
    BSON_APPEND_ARRAY_BEGIN(&child, LP_STAGE_REPORTER, &item);
    BSON_APPEND_UTF8(&item, "0", env->event_id);
    bson_append_array_end(&child, &item);
    bson_append_document_end(doc, &child);
    BSON_APPEND_INT64(doc, "created_at", now);
    BSON_APPEND_INT64(doc, "updated_at", now);
    return doc;
}

/* Rings the router (work) and the reporter (event); a doorbell that cannot ring
 * now is not an error: the sweepers will find the work. */
void
intake_ring(intake_t *self, const lp_envelope_t *env)
{
    lp_bus_socket_t *const socks[] = {self->router_push, self->events_pub};
    size_t rang = lp_bus_ring(socks, 2, env);
    lp_metric_add(self->bus_sent, rang);
    lp_metric_add(self->bus_unsent, 2 - rang);
}

int
intake_submit(intake_t *self, const intake_complaint_t *c, Lapor__V1__Channel channel,
              char tracking_out[LP_TRACKING_LEN + 1], lp_error_t *err)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintSubmitted submitted = LAPOR__V1__COMPLAINT_SUBMITTED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], complaint_id[25];
    bson_oid_t oid;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_error_t error;
    int rc = -1;

    bson_oid_init(&oid, NULL);
    bson_oid_to_string(&oid, complaint_id);
    submitted.type = c->type;
    submitted.category = c->category ? c->category : "";
    submitted.region = c->region;
    submitted.channel = channel;
    submitted.privacy = c->privacy;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED;
    env.submitted = &submitted;
    env.complaint_id = complaint_id;
    env.version = 1;
    lp_event_stamp(&env, (char *) self->svc.config->instance, event_id);

    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    for (int attempt = 0; attempt < TRACKING_TRIES && rc != 0; attempt++) {
        lp_tracking_generate(tracking_out);
        env.tracking_id = tracking_out;
        bson_t *doc = s_build(self, c, channel, tracking_out, &oid, &env);
        if (mongoc_collection_insert_one(coll, doc, NULL, NULL, &error))
            rc = 0;
        else if (!lp_store_is_duplicate(&error) || strstr(error.message, "_id")) {
            /* Anything but a tracking-ID collision is final for this request. */
            lp_store_set_error(err, &error, "insert complaint");
            err->code = LP_ERR_DATABASE;
            bson_destroy(doc);
            break;
        }
        bson_destroy(doc);
    }
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    if (rc != 0) {
        if (err && err->code == LP_ERR_NONE)
            lp_error_set(err, LP_ERR_DATABASE, NULL, "could not find a free tracking ID");
        lp_metric_inc(self->db_errors);
        return -1;
    }
    lp_metric_inc(self->accepted);
    lp_log(LP_LOG_INFO, "complaint.accepted", "{s:s,s:s,s:s,s:s,s:s,s:s}", "tracking_id",
           tracking_out, "complaint_id", complaint_id, "event_id", event_id, "category",
           c->category ? c->category : "", "region", c->region, "channel",
           lp_channel_name(channel));
    intake_ring(self, &env);
    return 0;
}
