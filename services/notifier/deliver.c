/* deliver: claim due notifications, send them, record the outcome. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "notifier-private.h"
#include "webhook.h"

#define BACKOFF_CAP_MS (60 * 60 * 1000)

int64_t
notifier_backoff_ms(int64_t base_ms, int attempt)
{
    int64_t wait = base_ms;
    for (int i = 1; i < attempt && wait < BACKOFF_CAP_MS; i++)
        wait *= 2;
    if (wait > BACKOFF_CAP_MS)
        wait = BACKOFF_CAP_MS;
    /* Jitter spreads retries of many messages to one recovering receiver. */
    int64_t quarter = wait / 4;
    if (quarter > 0)
        wait += (int64_t) randombytes_uniform((uint32_t) (2 * quarter + 1)) - quarter;
    return wait;
}

/* Records the outcome, guarded by our lease so a late writer cannot undo another's. */
static void
s_finish(mongoc_collection_t *notes, const bson_t *note, const char *owner, const char *state,
         int attempts, int64_t next_at, const char *error_text, long status)
{
    bson_iter_t id;
    bson_t filter = BSON_INITIALIZER;
    bson_t *update = NULL;
    bson_error_t error;
    int64_t now = lp_now_ms();

    if (!bson_iter_init_find(&id, note, "_id"))
        return;
    BSON_APPEND_VALUE(&filter, "_id", bson_iter_value(&id));
    BSON_APPEND_UTF8(&filter, "lease.owner", owner);
    update = BCON_NEW("$set", "{", "state", BCON_UTF8(state), "attempts", BCON_INT32(attempts),
                      "next_at", BCON_INT64(next_at), "updated_at", BCON_INT64(now), "last_status",
                      BCON_INT32((int32_t) status), "last_error", BCON_UTF8(error_text), "}",
                      "$unset", "{", "lease", BCON_UTF8(""), "}");
    if (!mongoc_collection_update_one(notes, &filter, update, NULL, NULL, &error))
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    bson_destroy(update);
    bson_destroy(&filter);
}

static void
s_deliver_one(notifier_t *self, mongoc_collection_t *agencies, mongoc_collection_t *notes,
              const bson_t *note)
{
    const char *owner = self->svc.config->instance;
    const char *agency_id = lp_doc_str(note, "recipient.id");
    const char *event_id = lp_doc_str(note, "event_id");
    const char *payload = lp_doc_str(note, "payload");
    const char *note_id = lp_doc_str(note, "_id");
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(agency_id));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(agencies, filter, NULL, NULL);
    const bson_t *agency = NULL;
    char error_text[256] = "";
    bson_iter_t it;
    int attempts = 0;
    long status = -1;
    int64_t started = lp_mono_ms();

    if (bson_iter_init_find(&it, note, "attempts") && BSON_ITER_HOLDS_NUMBER(&it))
        attempts = (int) bson_iter_as_int64(&it);
    attempts++;
    if (!mongoc_cursor_next(cursor, &agency) || !*lp_doc_str(agency, "webhook.url")) {
        s_finish(notes, note, owner, "skipped", attempts - 1, lp_now_ms(),
                 "the agency has no webhook configured", 0);
        goto done;
    }
    status = webhook_post(lp_doc_str(agency, "webhook.url"), lp_doc_str(agency, "webhook.secret"),
                          event_id, payload, self->config->webhook_timeout_ms, error_text,
                          sizeof error_text);
    lp_metric_observe(self->send_latency, (lp_mono_ms() - started) / 1000.0);
    if (status >= 200 && status < 300) {
        lp_metric_inc(self->sent);
        s_finish(notes, note, owner, "sent", attempts, lp_now_ms(), "", status);
        lp_log(LP_LOG_INFO, "notification.sent", "{s:s,s:s,s:i,s:i}", "id", note_id, "channel",
               "webhook", "status", (int) status, "attempt", attempts);
        goto done;
    }
    if (status > 0)
        snprintf(error_text, sizeof error_text, "the receiver answered HTTP %ld", status);
    if (attempts >= self->config->max_tries) {
        lp_metric_inc(self->dead);
        s_finish(notes, note, owner, "dead", attempts, lp_now_ms(), error_text, status);
        lp_log(LP_LOG_ERROR, "notification.dead", "{s:s,s:s,s:i}", "id", note_id, "error",
               error_text, "attempts", attempts);
    }
    else {
        int64_t wait = notifier_backoff_ms(self->config->backoff_ms, attempts);
        lp_metric_inc(self->failed);
        s_finish(notes, note, owner, "failed", attempts, lp_now_ms() + wait, error_text, status);
        lp_log(LP_LOG_WARN, "notification.retry", "{s:s,s:s,s:i,s:I}", "id", note_id, "error",
               error_text, "attempt", attempts, "retry_in_ms", (json_int_t) wait);
    }
done:
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
}

int
notifier_deliver_due(notifier_t *self, int max)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *notes =
        lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    mongoc_collection_t *agencies = lp_store_collection(self->svc.store, client, LP_COLL_AGENCIES);
    /* "sending" is included: its lease expired, so its sender died mid-send. */
    bson_t *filter = BCON_NEW("state", "{", "$in", "[", BCON_UTF8("pending"), BCON_UTF8("failed"),
                              BCON_UTF8("sending"), "]", "}", "next_at", "{", "$lte",
                              BCON_INT64(lp_now_ms()), "}");
    bson_t *sending = BCON_NEW("state", BCON_UTF8("sending"));
    int n = 0;

    for (; n < max; n++) {
        lp_error_t err;
        lp_error_clear(&err);
        bson_t *note = lp_store_claim(notes, filter, "lease", self->svc.config->instance,
                                      self->svc.config->lease_ms, "next_at", sending, &err);
        if (!note) {
            if (err.code != LP_ERR_NONE) {
                lp_metric_inc(self->db_errors);
                lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
            }
            break;
        }
        s_deliver_one(self, agencies, notes, note);
        bson_destroy(note);
    }
    bson_destroy(sending);
    bson_destroy(filter);
    mongoc_collection_destroy(agencies);
    mongoc_collection_destroy(notes);
    lp_store_push(self->svc.store, client);
    return n;
}
