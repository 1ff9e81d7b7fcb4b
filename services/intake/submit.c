/* submit: a checked complaint becomes a durable document, then a doorbell. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"
#include "intake-private.h"
#include "lp_doc.h"
#include "similar.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_recent.h"
#include "lp_transition.h"

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

/* reporter: the contact sealed for the notifier and keyed lookups to match a
 * sender; the name in clear only when the reporter chose to be public. */
static void
s_append_reporter(intake_t *self, bson_t *doc, const intake_complaint_t *c)
{
    lp_contact_t contact;
    bson_t child, lookup;
    char hex[LP_IDENTITY_LOOKUP_LEN + 1];

    if (!c->reporter_name && !c->reporter_phone && !c->reporter_email)
        return;
    memset(&contact, 0, sizeof contact);
    snprintf(contact.name, sizeof contact.name, "%s", c->reporter_name ? c->reporter_name : "");
    snprintf(contact.phone, sizeof contact.phone, "%s", c->reporter_phone ? c->reporter_phone : "");
    snprintf(contact.email, sizeof contact.email, "%s", c->reporter_email ? c->reporter_email : "");
    BSON_APPEND_DOCUMENT_BEGIN(doc, "reporter", &child);
    if (c->reporter_name && c->privacy == LAPOR__V1__PRIVACY__PRIVACY_PUBLIC)
        BSON_APPEND_UTF8(&child, "name", c->reporter_name);
    lp_identity_seal_contact(self->identity, &contact, &child, "sealed");
    BSON_APPEND_DOCUMENT_BEGIN(&child, "lookup", &lookup);
    if (c->reporter_phone) {
        lp_identity_lookup(self->identity, c->reporter_phone, hex);
        BSON_APPEND_UTF8(&lookup, "phone", hex);
    }
    if (c->reporter_email) {
        lp_identity_lookup(self->identity, c->reporter_email, hex);
        BSON_APPEND_UTF8(&lookup, "email", hex);
    }
    bson_append_document_end(&child, &lookup);
    bson_append_document_end(doc, &child);
}

/* location (GeoJSON, so a 2dsphere index can come later) and attributes: what
 * the Open311 channel adds; nothing for the other channels. */
static void
s_append_extras(bson_t *doc, const intake_complaint_t *c)
{
    bson_t child, coords;
    if (c->has_location) {
        BSON_APPEND_DOCUMENT_BEGIN(doc, "location", &child);
        BSON_APPEND_UTF8(&child, "type", "Point");
        BSON_APPEND_ARRAY_BEGIN(&child, "coordinates", &coords);
        BSON_APPEND_DOUBLE(&coords, "0", c->lon);
        BSON_APPEND_DOUBLE(&coords, "1", c->lat);
        bson_append_array_end(&child, &coords);
        bson_append_document_end(doc, &child);
    }
    if (c->n_attributes > 0) {
        /* Codes come from the service definitions, never from the client. */
        BSON_APPEND_DOCUMENT_BEGIN(doc, "attributes", &child);
        for (size_t i = 0; i < c->n_attributes; i++)
            BSON_APPEND_UTF8(&child, c->attributes[i].code, c->attributes[i].value);
        bson_append_document_end(doc, &child);
    }
}

/* Builds the complaint document with its submitted event. */
static bson_t *
s_build(intake_t *self, const intake_complaint_t *c, const intake_submit_opts_t *opts,
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
    s_append_extras(doc, c);
    BSON_APPEND_UTF8(doc, "channel", lp_channel_name(opts->channel));
    BSON_APPEND_UTF8(doc, "privacy", lp_privacy_name(c->privacy));
    BSON_APPEND_UTF8(doc, "lang", c->lang);
    if (opts->visit_id)
        BSON_APPEND_UTF8(doc, "visit_id", opts->visit_id);
    if (opts->attachments)
        BSON_APPEND_ARRAY(doc, "attachments", opts->attachments);
    s_append_reporter(self, doc, c);
    if (opts->idempotency_key)
        BSON_APPEND_UTF8(doc, "request_hash", opts->request_hash ? opts->request_hash : "");
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
    BSON_APPEND_INT64(doc, "created_at", now);
    BSON_APPEND_INT64(doc, "updated_at", now);
    return doc;
}

/* Takes back the marks of an event that was not stored (another request with the
 * same key stored the complaint, with its own event). */
static void
s_forget(intake_t *self, const char *event_id)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *outbox = lp_store_collection(self->svc.store, client, LP_COLL_OUTBOX);
    lp_outbox_forget(outbox, &event_id, NULL, 1, lp_transition_submit_stages,
                     LP_TRANSITION_SUBMIT_N_STAGES);
    mongoc_collection_destroy(outbox);
    lp_store_push(self->svc.store, client);
}

/* Rings the router (work), the notifier (work) and the reporter (event); a
 * doorbell that cannot ring now is not an error: the sweepers will find the work. */
void
intake_ring(intake_t *self, const lp_envelope_t *env)
{
    lp_bus_socket_t *const socks[] = {self->router_push, self->notifier_push, self->events_pub};
    size_t rang = lp_bus_ring(socks, 3, env);
    lp_metric_add(self->bus_sent, rang);
    lp_metric_add(self->bus_unsent, 3 - rang);
}

/* A keyed request always gets the same ObjectId, so its repeat meets the unique
 * _id index instead of making a second complaint. */
static void
s_oid_for_key(const char *key, bson_oid_t *oid)
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) key, strlen(key));
    memcpy(oid->bytes, digest, sizeof oid->bytes);
}

/* Has the keyed request been stored already? 1 yes (a replay: out filled; or
 * err LP_ERR_CONFLICT when the key came with a different request), 0 no, -1 on
 * a database error. */
static int
s_replay(mongoc_collection_t *coll, const bson_oid_t *oid, const intake_submit_opts_t *opts,
         intake_receipt_t *out, lp_error_t *err)
{
    bson_t *filter = BCON_NEW("_id", BCON_OID(oid));
    bson_t *projection = BCON_NEW("tracking_id", BCON_INT32(1), "request_hash", BCON_INT32(1));
    bson_t *doc = lp_store_find_one(coll, filter, projection, err);
    int rc = 0;

    if (err->code != LP_ERR_NONE)
        rc = -1;
    else if (doc) {
        const char *hash = lp_doc_str(doc, "request_hash");
        if (opts->request_hash && *hash && strcmp(hash, opts->request_hash) != 0)
            lp_error_set(err, LP_ERR_CONFLICT, "Idempotency-Key",
                         "was already used for a different request");
        else {
            snprintf(out->tracking_id, sizeof out->tracking_id, "%s",
                     lp_doc_str(doc, "tracking_id"));
            bson_oid_to_string(oid, out->complaint_id);
            out->replayed = true;
        }
        rc = 1;
        bson_destroy(doc);
    }
    bson_destroy(projection);
    bson_destroy(filter);
    return rc;
}

/* The reporter's lookup hashes ("" for a contact not given). */
static void
s_lookups(intake_t *self, const intake_complaint_t *c, char phone[LP_IDENTITY_LOOKUP_LEN + 1],
          char email[LP_IDENTITY_LOOKUP_LEN + 1])
{
    phone[0] = email[0] = '\0';
    if (c->reporter_phone)
        lp_identity_lookup(self->identity, c->reporter_phone, phone);
    if (c->reporter_email)
        lp_identity_lookup(self->identity, c->reporter_email, email);
}

/* Keeps what the reporter sent again with the complaint it repeats (link, found
 * by intake_commit): it may add a detail the agency needs. 0, or -1 on a database
 * error. */
static int
s_link_duplicate(mongoc_collection_t *coll, const intake_complaint_t *c,
                 const intake_submit_opts_t *opts, int64_t now, const intake_commit_link_t *link,
                 intake_receipt_t *out, lp_error_t *err)
{
    bson_error_t error;
    bson_t *filter = BCON_NEW("_id", BCON_OID(&link->first));
    bson_t *update =
        BCON_NEW("$push", "{", "duplicates", "{", "at", BCON_INT64(now), "channel",
                 BCON_UTF8(lp_channel_name(opts->channel)), "title", BCON_UTF8(c->title), "body",
                 BCON_UTF8(c->body), "}", "history", "{", "at", BCON_INT64(now), "status",
                 BCON_UTF8(link->status), "actor", BCON_UTF8("intake"), "note",
                 BCON_UTF8("the reporter sent this complaint again; the copy is kept with it"), "}",
                 "}", "$inc", "{", "duplicate_count", BCON_INT32(1), "}", "$set", "{", "updated_at",
                 BCON_INT64(now), "}");
    int rc = 0;

    if (!mongoc_collection_update_one(coll, filter, update, NULL, NULL, &error)) {
        lp_store_set_error(err, &error, "link a near-duplicate");
        rc = -1;
    }
    else {
        snprintf(out->tracking_id, sizeof out->tracking_id, "%s", link->tracking_id);
        out->duplicate = true;
        lp_log(LP_LOG_INFO, "complaint.linked_duplicate", "{s:s,s:s}", "tracking_id",
               out->tracking_id, "channel", lp_channel_name(opts->channel));
    }
    bson_destroy(update);
    bson_destroy(filter);
    return rc;
}

/* Records the stored complaint under its reporter's lookups for later
 * near-duplicate checks. Only after the insert: an entry never names a complaint
 * that does not exist, and a failure here only misses a hint, so it is logged. */
static void
s_remember(intake_t *self, mongoc_collection_t *recent, const intake_complaint_t *c,
           const bson_oid_t *oid, int64_t created_at)
{
    char phone[LP_IDENTITY_LOOKUP_LEN + 1], email[LP_IDENTITY_LOOKUP_LEN + 1];
    lp_error_t err;

    if (!c->reporter_phone && !c->reporter_email)
        return;
    lp_error_clear(&err);
    s_lookups(self, c, phone, email);
    if (lp_recent_add(recent, phone, email, oid, created_at, &err) != 0)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
}

int
intake_submit(intake_t *self, const intake_complaint_t *c, const intake_submit_opts_t *opts,
              intake_receipt_t *out, lp_error_t *err)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintSubmitted submitted = LAPOR__V1__COMPLAINT_SUBMITTED__INIT;
    char event_id[LP_EVENT_ID_LEN + 1], complaint_id[25];
    bson_oid_t oid;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL, *recent = NULL;
    bson_error_t error;
    char phone[LP_IDENTITY_LOOKUP_LEN + 1], email[LP_IDENTITY_LOOKUP_LEN + 1];
    char *text = NULL;
    bool remembered = false;
    int rc = -1, found;

    memset(out, 0, sizeof *out);
    lp_error_clear(err);
    /* Back-pressure: while the database is slow, say so at once (503 and
     * Retry-After) instead of letting citizens queue until their phones give up. */
    if (lp_mono_ms() < atomic_load(&self->shed_until_ms)) {
        lp_error_set(err, LP_ERR_DATABASE, NULL, "busy: the database is slow right now");
        lp_metric_inc(self->shed);
        return -1;
    }
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    recent = lp_store_collection(self->svc.store, client, LP_COLL_REPORTER_RECENT);
    if (opts->idempotency_key) {
        s_oid_for_key(opts->idempotency_key, &oid);
        if ((found = s_replay(coll, &oid, opts, out, err)) != 0) {
            rc = found > 0 && err->code == LP_ERR_NONE ? 0 : -1;
            goto done;
        }
    }
    else
        bson_oid_init(&oid, NULL);
    bson_oid_to_string(&oid, complaint_id);
    memcpy(out->complaint_id, complaint_id, sizeof out->complaint_id);
    submitted.type = c->type;
    submitted.category = c->category ? c->category : "";
    submitted.region = c->region;
    submitted.channel = opts->channel;
    submitted.privacy = c->privacy;
    /* Only a well-formed visit id is kept: it comes from a printed QR code. */
    intake_submit_opts_t checked = *opts;
    if (checked.visit_id &&
        (strlen(checked.visit_id) != 24 || strspn(checked.visit_id, "0123456789abcdef") != 24))
        checked.visit_id = NULL;
    opts = &checked;
    submitted.visit_id = opts->visit_id ? (char *) opts->visit_id : "";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED;
    env.submitted = &submitted;
    env.complaint_id = complaint_id;
    env.version = 1;
    lp_event_stamp(&env, (char *) self->svc.config->instance, event_id);
    s_lookups(self, c, phone, email);
    /* A near-duplicate is looked for with the other requests of the moment. */
    intake_commit_link_t link = {0};
    if (!opts->keep_duplicates && (*phone || *email) &&
        !(link.text = text = intake_similar_text(c->title, c->body))) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        goto done;
    }
    for (int attempt = 0; attempt < TRACKING_TRIES && rc != 0; attempt++) {
        lp_tracking_generate(out->tracking_id);
        env.tracking_id = out->tracking_id;
        bson_t *doc = s_build(self, c, opts, out->tracking_id, &oid, &env);
        int64_t started = lp_mono_ms();
        if (attempt == 0) {
            /* Marks, complaint and near-duplicate entry, written together with the
             * other requests of the moment (commit.h). */
            intake_commit_item_t item = {doc,
                                         complaint_id,
                                         event_id,
                                         phone,
                                         email,
                                         env.occurred_at_ms,
                                         link.text ? &link : NULL};
            lp_store_outcome_t stored = intake_commit(self->commit, &item, err);
            if (lp_mono_ms() - started > self->config->shed_ms)
                atomic_store(&self->shed_until_ms, lp_mono_ms() + INTAKE_SHED_FOR_MS);
            bson_destroy(doc);
            if (link.linked) {
                memset(out, 0, sizeof *out); /* the first complaint's PIN is not told again */
                rc = s_link_duplicate(coll, c, opts, env.occurred_at_ms, &link, out, err);
                goto done;
            }
            if (stored == LP_STORE_INSERTED) {
                rc = 0;
                remembered = true;
            }
            else if (stored == LP_STORE_FAILED)
                break;
            else if (opts->idempotency_key && (found = s_replay(coll, &oid, opts, out, err)) != 0) {
                /* The same key won a race on another thread or instance. */
                s_forget(self, event_id);
                rc = found > 0 && err->code == LP_ERR_NONE ? 0 : -1;
                goto done;
            }
            continue; /* a tracking-ID collision: another one, written alone */
        }
        if (mongoc_collection_insert_one(coll, doc, NULL, NULL, &error))
            rc = 0;
        if (lp_mono_ms() - started > self->config->shed_ms)
            atomic_store(&self->shed_until_ms, lp_mono_ms() + INTAKE_SHED_FOR_MS);
        else if (lp_store_is_duplicate(&error) && strstr(error.message, "_id") &&
                 opts->idempotency_key) {
            /* The same key won a race on another thread or instance. */
            bson_destroy(doc);
            s_forget(self, event_id);
            found = s_replay(coll, &oid, opts, out, err);
            rc = found > 0 && err->code == LP_ERR_NONE ? 0 : -1;
            goto done;
        }
        else if (!lp_store_is_duplicate(&error) || strstr(error.message, "_id")) {
            /* Anything but a tracking-ID collision is final for this request. */
            lp_store_set_error(err, &error, "insert complaint");
            err->code = LP_ERR_DATABASE;
            bson_destroy(doc);
            break;
        }
        bson_destroy(doc);
    }
    if (rc != 0) {
        if (err->code == LP_ERR_NONE)
            lp_error_set(err, LP_ERR_DATABASE, NULL, "could not find a free tracking ID");
        goto done;
    }
    if (!remembered)
        s_remember(self, recent, c, &oid, env.occurred_at_ms);
    lp_metric_inc(self->accepted);
    lp_log(LP_LOG_INFO, "complaint.accepted", "{s:s,s:s,s:s,s:s,s:s,s:s}", "tracking_id",
           out->tracking_id, "complaint_id", complaint_id, "event_id", event_id, "category",
           c->category ? c->category : "", "region", c->region, "channel",
           lp_channel_name(opts->channel));
    intake_ring(self, &env);
done:
    if (rc != 0 && err->code == LP_ERR_DATABASE)
        lp_metric_inc(self->db_errors);
    free(text);
    mongoc_collection_destroy(recent);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}
