/* deliver: claim due notifications, send them, record the outcome. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lp_doc.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "notifier-private.h"
#include "email.h"
#include "sms.h"
#include "templates.h"
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

/* Hands an attempt's result over, to be written (if this instance still holds the
 * message) with the other senders' results of the moment (results.h). next_at 0:
 * the time of the write. */
static void
s_finish(notifier_t *self, const bson_t *note, const char *state, int attempts, int64_t next_at,
         const char *error_text, long status, bool due)
{
    bson_iter_t id;
    if (bson_iter_init_find(&id, note, "_id"))
        notifier_results_add(self->results, bson_iter_value(&id), state, attempts, next_at, status,
                             error_text, due);
}

notifier_channel_metrics_t *
notifier_metrics(notifier_t *self, const char *channel)
{
    for (size_t i = 1; i < 3; i++)
        if (strcmp(self->channels[i].channel, channel) == 0)
            return &self->channels[i];
    return &self->channels[0];
}

/* What one attempt came to. */
typedef enum {
    S_SENT,
    S_RETRY,   /* failed now, try again after the back-off */
    S_DEAD,    /* refused for good */
    S_WAIT,    /* the channel is not configured here: keep it pending, untried */
    S_SKIPPED, /* nobody to send to (an agency without a webhook) */
} s_outcome_t;

static s_outcome_t
s_send_webhook(notifier_t *self, webhook_client_t *hooks, mongoc_collection_t *agencies,
               const bson_t *note, long *status, char *error_text, size_t error_size)
{
    lp_error_t err;
    bson_t *agency =
        notifier_agencies_get(self->agencies, agencies, lp_doc_str(note, "recipient.id"), &err);
    s_outcome_t outcome = S_RETRY;

    if (err.code != LP_ERR_NONE)
        snprintf(error_text, error_size, "%s", err.message);
    else if (!agency || !*lp_doc_str(agency, "webhook.url")) {
        snprintf(error_text, error_size, "the agency has no webhook configured");
        outcome = S_SKIPPED;
    }
    else if (!hooks)
        snprintf(error_text, error_size, "out of memory for an HTTP client");
    else {
        *status = webhook_post(hooks, lp_doc_str(agency, "webhook.url"),
                               lp_doc_str(agency, "webhook.secret"), lp_doc_str(note, "event_id"),
                               lp_doc_str(note, "payload"), self->config->webhook_timeout_ms,
                               error_text, error_size);
        if (*status >= 200 && *status < 300)
            outcome = S_SENT;
        else if (*status > 0)
            snprintf(error_text, error_size, "the receiver answered HTTP %ld", *status);
    }
    if (agency)
        bson_destroy(agency);
    return outcome;
}

/* Opens the citizen's sealed contact: the only place it is ever read. */
static bool
s_open_contact(notifier_t *self, const bson_t *note, lp_contact_t *contact, char *error_text,
               size_t error_size)
{
    lp_error_t err;
    if (lp_identity_open_contact(self->identity, note, "recipient.sealed", contact, &err) == 0)
        return true;
    snprintf(error_text, error_size, "%s", err.message);
    return false;
}

/* The message's text; the PIN goes in only now, so the outbox never holds it. */
static void
s_text(notifier_t *self, const bson_t *note, char *out, size_t size)
{
    char pin[LP_PIN_LEN + 1];
    lp_identity_pin(self->identity, lp_doc_str(note, "complaint_id"), pin);
    notifier_fill_pin(lp_doc_str(note, "text"), pin, out, size);
    sodium_memzero(pin, sizeof pin);
}

const char *
notifier_channel_missing(const notifier_t *self, const char *channel)
{
    if (strcmp(channel, "email") == 0 && !*self->email.url)
        return "no SMTP server configured (LAPOR_SMTP_URL)";
    if (strcmp(channel, "sms") == 0 &&
        !(self->config->sms_sendsms_url && *self->config->sms_sendsms_url))
        return "no SMS gateway configured (LAPOR_SMS_SENDSMS_URL)";
    return NULL;
}

static s_outcome_t
s_send_email(notifier_t *self, const bson_t *note, char *error_text, size_t error_size)
{
    lp_contact_t contact;
    char message_id[200];
    s_outcome_t outcome = S_DEAD;

    const char *missing = notifier_channel_missing(self, "email");
    if (missing) {
        snprintf(error_text, error_size, "%s", missing);
        return S_WAIT;
    }
    if (!s_open_contact(self, note, &contact, error_text, error_size))
        return S_DEAD;
    if (!*contact.email)
        snprintf(error_text, error_size, "the reporter gave no email address");
    else {
        /* Stable across retries, so a mail client can drop a duplicate. */
        snprintf(message_id, sizeof message_id, "%s", lp_doc_str(note, "_id"));
        for (char *p = message_id; *p; p++)
            if (*p == ':')
                *p = '.';
        char text[4096];
        s_text(self, note, text, sizeof text);
        switch (notifier_email_send(&self->email, contact.email, lp_doc_str(note, "subject"), text,
                                    message_id, error_text, error_size)) {
        case NOTIFIER_EMAIL_SENT:
            outcome = S_SENT;
            break;
        case NOTIFIER_EMAIL_RETRY:
            outcome = S_RETRY;
            break;
        case NOTIFIER_EMAIL_DEAD:
            outcome = S_DEAD;
            break;
        }
    }
    sodium_memzero(&contact, sizeof contact);
    return outcome;
}

static s_outcome_t
s_send_sms(notifier_t *self, const bson_t *note, long *status, char *error_text, size_t error_size)
{
    notifier_sms_config_t config = {
        .url = self->config->sms_sendsms_url ? self->config->sms_sendsms_url : "",
        .username = self->config->sms_username ? self->config->sms_username : "",
        .password = self->config->sms_password ? self->config->sms_password : "",
        .sender = self->config->sms_sender,
        .timeout_ms = self->config->webhook_timeout_ms,
    };
    lp_contact_t contact;
    s_outcome_t outcome = S_DEAD;

    const char *missing = notifier_channel_missing(self, "sms");
    if (missing) {
        snprintf(error_text, error_size, "%s", missing);
        return S_WAIT;
    }
    if (!s_open_contact(self, note, &contact, error_text, error_size))
        return S_DEAD;
    if (!*contact.phone)
        snprintf(error_text, error_size, "the reporter gave no phone number");
    else {
        char text[1024];
        s_text(self, note, text, sizeof text);
        switch (notifier_sms_send(&config, contact.phone, text, status, error_text, error_size)) {
        case NOTIFIER_SMS_SENT:
            outcome = S_SENT;
            break;
        case NOTIFIER_SMS_RETRY:
            outcome = S_RETRY;
            break;
        case NOTIFIER_SMS_DEAD:
            outcome = S_DEAD;
            break;
        }
    }
    sodium_memzero(&contact, sizeof contact);
    return outcome;
}

static void
s_deliver_one(notifier_t *self, webhook_client_t *hooks, mongoc_collection_t *agencies,
              const bson_t *note)
{
    const char *note_id = lp_doc_str(note, "_id");
    const char *channel = lp_doc_str(note, "channel");
    notifier_channel_metrics_t *m = notifier_metrics(self, channel);
    char error_text[256] = "";
    bson_iter_t it;
    int attempts = 0;
    long status = 0;
    int64_t started = lp_mono_ms();
    s_outcome_t outcome;

    if (bson_iter_init_find(&it, note, "attempts") && BSON_ITER_HOLDS_NUMBER(&it))
        attempts = (int) bson_iter_as_int64(&it);
    attempts++;
    if (strcmp(channel, "webhook") == 0)
        outcome =
            s_send_webhook(self, hooks, agencies, note, &status, error_text, sizeof error_text);
    else if (strcmp(channel, "email") == 0)
        outcome = s_send_email(self, note, error_text, sizeof error_text);
    else if (strcmp(channel, "sms") == 0)
        outcome = s_send_sms(self, note, &status, error_text, sizeof error_text);
    else {
        snprintf(error_text, sizeof error_text, "unknown channel");
        outcome = S_DEAD;
    }
    if (outcome != S_WAIT && outcome != S_SKIPPED)
        lp_metric_observe(m->latency, (lp_mono_ms() - started) / 1000.0);
    if (outcome == S_RETRY && attempts >= self->config->max_tries)
        outcome = S_DEAD;
    switch (outcome) {
    case S_SENT:
        lp_metric_inc(m->sent);
        s_finish(self, note, "sent", attempts, 0, "", status, false);
        lp_log(LP_LOG_INFO, "notification.sent", "{s:s,s:s,s:i,s:i}", "id", note_id, "channel",
               channel, "status", (int) status, "attempt", attempts);
        break;
    case S_SKIPPED:
        s_finish(self, note, "skipped", attempts - 1, 0, error_text, 0, false);
        break;
    case S_WAIT:
        /* Not an attempt: the message waits, untouched, until the channel exists. */
        s_finish(self, note, "pending", attempts - 1, lp_now_ms() + NOTIFIER_WAIT_MS, error_text, 0,
                 false);
        break;
    case S_DEAD:
        lp_metric_inc(m->dead);
        s_finish(self, note, "dead", attempts, 0, error_text, status, false);
        lp_log(LP_LOG_ERROR, "notification.dead", "{s:s,s:s,s:s,s:i}", "id", note_id, "channel",
               channel, "error", error_text, "attempts", attempts);
        break;
    case S_RETRY: {
        int64_t wait = notifier_backoff_ms(self->config->backoff_ms, attempts);
        lp_metric_inc(m->failed);
        /* Found again when it is due, by its due mark (written after the result),
         * not by a scan. */
        s_finish(self, note, "failed", attempts, lp_now_ms() + wait, error_text, status, true);
        lp_log(LP_LOG_WARN, "notification.retry", "{s:s,s:s,s:s,s:i,s:I}", "id", note_id, "channel",
               channel, "error", error_text, "attempt", attempts, "retry_in_ms", (json_int_t) wait);
        break;
    }
    }
}

void
notifier_ready_release(notifier_t *self)
{
    bson_t *update = BCON_NEW("$set", "{", "state", BCON_UTF8("pending"), "}", "$unset", "{",
                              "lease", BCON_UTF8(""), "}");
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *notes =
        lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    bson_t *docs[LP_STORE_BULK_MAX];
    bson_value_t ids[LP_STORE_BULK_MAX];
    bson_error_t error;
    size_t n, released = 0;

    /* A write per LP_STORE_BULK_MAX, each a lookup by _id. */
    do {
        bson_t filter = BSON_INITIALIZER;
        bson_iter_t it;
        for (n = 0; n < LP_STORE_BULK_MAX && (docs[n] = notifier_ready_pop(self->ready)); n++)
            ids[n] = bson_iter_init_find(&it, docs[n], "_id") ? *bson_iter_value(&it)
                                                              : (bson_value_t){0};
        if (n > 0 && lp_store_append_ids_in(&filter, ids, n) > 0) {
            BSON_APPEND_UTF8(&filter, "lease.owner", self->svc.config->instance);
            BSON_APPEND_UTF8(&filter, "state", "sending");
            if (mongoc_collection_update_many(notes, &filter, update, NULL, NULL, &error))
                released += n;
            else
                lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        }
        for (size_t i = 0; i < n; i++)
            bson_destroy(docs[i]);
        bson_destroy(&filter);
    } while (n == LP_STORE_BULK_MAX);
    if (released > 0)
        lp_log(LP_LOG_INFO, "notification.released", "{s:i}", "messages", (int) released);
    mongoc_collection_destroy(notes);
    lp_store_push(self->svc.store, client);
    bson_destroy(update);
}

void
notifier_queued(notifier_t *self, const bson_t *doc)
{
    if (!notifier_ready_push(self->ready, doc)) { /* the scan finds it when the lease ends */
        lp_metric_inc(self->ready_dropped);
        notifier_rescan_after(self, lp_doc_int(doc, "lease.until"));
    }
}

/* Claims one notification matching filter (lease free or expired, the oldest due
 * first when sort_field is given) and delivers it. 1 attempted, 0 nothing claimed,
 * -1 on a database error (counted and logged). */
static int
s_claim_and_deliver(notifier_t *self, webhook_client_t *hooks, mongoc_collection_t *agencies,
                    mongoc_collection_t *notes, const bson_t *filter, const char *sort_field)
{
    bson_t *sending = BCON_NEW("state", BCON_UTF8("sending"));
    bson_t *note = NULL;
    lp_error_t err;

    lp_error_clear(&err);
    note = lp_store_claim(notes, filter, "lease", self->svc.config->instance,
                          self->svc.config->lease_ms, sort_field, sending, &err);
    if (!note && err.code != LP_ERR_NONE) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
    }
    if (note) {
        s_deliver_one(self, hooks, agencies, note);
        bson_destroy(note);
    }
    bson_destroy(sending);
    return note ? 1 : err.code != LP_ERR_NONE ? -1 : 0;
}

/* Adds {$or: [{channel: {$in: [the channels configured here]}}, {last_error: absent}]}
 * to filter: a message for a channel without a gateway is tried once (its
 * last_error then says what is missing) and stays parked until one is configured
 * (then notifier_release_waiting lets it go), instead of being claimed and parked
 * again by every scan. */
static void
s_append_channels(notifier_t *self, bson_t *filter)
{
    bson_t any, configured, untried, channel, list, absent;
    int i = 0;
    char key[16];
    BSON_APPEND_ARRAY_BEGIN(filter, "$or", &any);
    BSON_APPEND_DOCUMENT_BEGIN(&any, "0", &configured);
    BSON_APPEND_DOCUMENT_BEGIN(&configured, "channel", &channel);
    BSON_APPEND_ARRAY_BEGIN(&channel, "$in", &list);
    static const char *const channels[] = {"webhook", "email", "sms"};
    for (size_t c = 0; c < sizeof channels / sizeof *channels; c++)
        if (!notifier_channel_missing(self, channels[c])) {
            snprintf(key, sizeof key, "%d", i++);
            BSON_APPEND_UTF8(&list, key, channels[c]);
        }
    bson_append_array_end(&channel, &list);
    bson_append_document_end(&configured, &channel);
    bson_append_document_end(&any, &configured);
    BSON_APPEND_DOCUMENT_BEGIN(&any, "1", &untried);
    BSON_APPEND_DOCUMENT_BEGIN(&untried, "last_error", &absent);
    BSON_APPEND_BOOL(&absent, "$exists", false);
    bson_append_document_end(&untried, &absent);
    bson_append_document_end(&any, &untried);
    bson_append_array_end(filter, &any);
}

/* True for the one sender that may go now when *at (lp_mono_ms) has come; it also
 * sets when the next may, every_ms later. The senders of an instance share one
 * scan per rescan_ms (it reads every notification on the local database) and one
 * look at the due marks per NOTIFIER_DUE_EVERY_MS. */
static bool
s_turn(_Atomic int64_t *at, int64_t every_ms)
{
    int64_t now = lp_mono_ms();
    int64_t when = atomic_load(at);
    return now >= when && atomic_compare_exchange_strong(at, &when, now + every_ms);
}

typedef struct {
    char id[NOTIFIER_ID_MAX];
    int64_t at;
} s_due_t;

/* Removes the due mark of id unless it was renewed (at changed) since it was read. */
static void
s_drop_mark(mongoc_collection_t *due, const s_due_t *mark)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(mark->id), "at", BCON_INT64(mark->at));
    mongoc_collection_delete_one(due, filter, NULL, NULL, NULL);
    bson_destroy(filter);
}

/* Delivers one message named by a due mark (intake's replies, retries after their
 * back-off, redrives). Marks of finished messages are dropped; a mark of one held
 * by a live lease or not due yet moves to when it may be. 1 attempted, 0 none,
 * -1 on a database error. */
static int
s_claim_marked(notifier_t *self, webhook_client_t *hooks, mongoc_collection_t *agencies,
               mongoc_collection_t *notes, mongoc_collection_t *due)
{
    bson_t *filter = BCON_NEW("at", "{", "$lte", BCON_INT64(lp_now_ms()), "}");
    bson_t *opts = BCON_NEW("sort", "{", "at", BCON_INT32(1), "}", "limit", BCON_INT64(16));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(due, filter, opts, NULL);
    s_due_t marks[16];
    const bson_t *doc;
    bson_iter_t it;
    int n_marks = 0, n = 0;

    while (n_marks < 16 && mongoc_cursor_next(cursor, &doc)) {
        const char *id = lp_doc_str(doc, "_id");
        if (!*id || strlen(id) >= sizeof marks[0].id)
            continue;
        snprintf(marks[n_marks].id, sizeof marks[0].id, "%s", id);
        marks[n_marks++].at = bson_iter_init_find(&it, doc, "at") ? bson_iter_as_int64(&it) : 0;
    }
    if (mongoc_cursor_error(cursor, NULL))
        n = -1;
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    for (int i = 0; i < n_marks && n == 0; i++) {
        if (strcmp(marks[i].id, LP_STORE_DUE_ALL) == 0) {
            atomic_store(&self->rescan_at, 0); /* a bulk change: one look at everything */
            s_drop_mark(due, &marks[i]);
            continue;
        }
        bson_t *claim = BCON_NEW("_id", BCON_UTF8(marks[i].id), "state", "{", "$in", "[",
                                 BCON_UTF8("pending"), BCON_UTF8("failed"), BCON_UTF8("sending"),
                                 "]", "}", "next_at", "{", "$lte", BCON_INT64(lp_now_ms()), "}");
        n = s_claim_and_deliver(self, hooks, agencies, notes, claim, NULL);
        bson_destroy(claim);
        if (n != 0) {
            if (n > 0)
                s_drop_mark(due, &marks[i]); /* a retry renewed it with a later at */
            continue;
        }
        lp_error_t err;
        bson_t *by_id = BCON_NEW("_id", BCON_UTF8(marks[i].id));
        bson_t *note = lp_store_find_one(notes, by_id, NULL, &err);
        bson_destroy(by_id);
        const char *state = note ? lp_doc_str(note, "state") : "";
        if (!note && err.code != LP_ERR_NONE)
            n = -1;
        else if (!note || strcmp(state, "sent") == 0 || strcmp(state, "dead") == 0 ||
                 strcmp(state, "skipped") == 0)
            s_drop_mark(due, &marks[i]);
        else {
            /* Held by a sender, or not due yet: look again when it may be. */
            int64_t later = lp_doc_int(note, "next_at");
            if (lp_doc_int(note, "lease.until") > later)
                later = lp_doc_int(note, "lease.until");
            if (later <= lp_now_ms())
                later = lp_now_ms() + NOTIFIER_DUE_EVERY_MS;
            lp_store_due(due, marks[i].id, later, NULL);
        }
        if (note)
            bson_destroy(note);
    }
    return n;
}

/* Whether the safety-net scan may run now. It reads every notification on the local
 * database, so it waits for a quiet moment (nothing delivered for a couple of
 * seconds) instead of competing with a steady stream of messages, unless it was
 * asked for (rescan_at 0: at start, a redrive, a scan that keeps finding
 * messages) or has waited ten rescan periods. */
static bool
s_rescan_may(notifier_t *self)
{
    int64_t now = lp_mono_ms(), quiet = self->config->rescan_ms;
    if (quiet > NOTIFIER_QUIET_MS)
        quiet = NOTIFIER_QUIET_MS;
    return atomic_load(&self->rescan_at) == 0 || now - atomic_load(&self->busy_at) >= quiet ||
           now - atomic_load(&self->rescanned_at) >= 10 * self->config->rescan_ms;
}

int
notifier_deliver_next(notifier_t *self, webhook_client_t *hooks)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *notes =
        lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    mongoc_collection_t *agencies = lp_store_collection(self->svc.store, client, LP_COLL_AGENCIES);
    mongoc_collection_t *due = lp_store_collection(self->svc.store, client, LP_COLL_NOTIFY_DUE);
    int n = 0;

    /* What this instance just queued, inserted claimed by it: one message at a time,
     * so a slow recipient holds up only its own sender. One whose lease has mostly
     * run out while it waited is left to the rescan (another instance may take it
     * when the lease ends, and the result would no longer be ours to write). */
    bson_t *ready;
    while (n == 0 && (ready = notifier_ready_pop(self->ready))) {
        if (lp_doc_int(ready, "lease.until") - lp_now_ms() > self->svc.config->lease_ms / 2) {
            s_deliver_one(self, hooks, agencies, ready);
            n = 1;
        }
        else {
            lp_metric_inc(self->ready_dropped);
            notifier_rescan_after(self, lp_doc_int(ready, "lease.until"));
        }
        bson_destroy(ready);
    }
    if (n == 0 && s_turn(&self->marks_at, NOTIFIER_DUE_EVERY_MS))
        n = s_claim_marked(self, hooks, agencies, notes, due);
    if (n > 0)
        atomic_store(&self->busy_at, lp_mono_ms());
    if (n == 0 && notifier_rescan_due(self))
        atomic_store(&self->rescan_at, 0);
    if (n == 0 && s_rescan_may(self) && s_turn(&self->rescan_at, self->config->rescan_ms)) {
        atomic_store(&self->rescanned_at, lp_mono_ms());
        /* The safety net (watch.c): "sending" whose lease expired (its sender
         * died), anything whose mark or ready entry was lost, messages parked for
         * a channel configured since. */
        bson_t *filter = BCON_NEW("state", "{", "$in", "[", BCON_UTF8("pending"),
                                  BCON_UTF8("failed"), BCON_UTF8("sending"), "]", "}", "next_at",
                                  "{", "$lte", BCON_INT64(lp_now_ms()), "}");
        s_append_channels(self, filter);
        n = s_claim_and_deliver(self, hooks, agencies, notes, filter, "next_at");
        /* A scan that found one may find more: a backlog drains at once, and only
         * an empty scan waits rescan_ms. */
        if (n > 0)
            atomic_store(&self->rescan_at, 0);
        bson_destroy(filter);
    }
    mongoc_collection_destroy(due);
    mongoc_collection_destroy(agencies);
    mongoc_collection_destroy(notes);
    lp_store_push(self->svc.store, client);
    return n > 0 ? n : 0;
}

/* How long an idle sender sleeps: until the next rescan, at most a second, so a
 * stop or a change of the rescan time is seen soon. */
static void
s_idle_until(notifier_t *self, struct timespec *until)
{
    int64_t wait = atomic_load(&self->marks_at) - lp_mono_ms();
    if (wait < 10)
        wait = 10;
    if (wait > 1000)
        wait = 1000;
    *until = lp_clock_after(CLOCK_REALTIME, wait);
}

/* Senders: a few threads that each claim and send one message at a time, so one
 * slow or dead recipient holds up one sender for one timeout, never the queue. */
static void *
s_sender(void *arg)
{
    notifier_t *self = arg;
    /* Its own connections to the agencies' receivers, reused from one post to the
     * next (NULL when out of memory: webhooks then wait, counted as failures). */
    webhook_client_t *hooks = webhook_client_new();
    pthread_mutex_lock(&self->senders_lock);
    while (!self->senders_stop) {
        pthread_mutex_unlock(&self->senders_lock);
        int sent = notifier_deliver_next(self, hooks);
        pthread_mutex_lock(&self->senders_lock);
        if (sent > 0) {
            /* There was work: bring in one more sender. They join one by one while
             * the queue lasts, instead of all racing for a message that may not be
             * there (every claim is a database write). */
            if (self->senders_wakeups < self->n_senders)
                self->senders_wakeups++;
            pthread_cond_signal(&self->senders_cond);
            continue;
        }
        if (!self->senders_stop && self->senders_wakeups == 0) {
            struct timespec until;
            s_idle_until(self, &until); /* a message whose back-off ended is found then */
            pthread_cond_timedwait(&self->senders_cond, &self->senders_lock, &until);
        }
        if (self->senders_wakeups > 0)
            self->senders_wakeups--;
    }
    pthread_mutex_unlock(&self->senders_lock);
    webhook_client_destroy(&hooks);
    return NULL;
}

int
notifier_senders_start(notifier_t *self, int n)
{
    pthread_mutex_init(&self->senders_lock, NULL);
    pthread_cond_init(&self->senders_cond, NULL);
    self->n_senders = 0;
    for (int i = 0; i < n && i < NOTIFIER_MAX_SENDERS; i++) {
        if (pthread_create(&self->senders[i], NULL, s_sender, self) != 0)
            break;
        self->n_senders++;
    }
    return self->n_senders > 0 ? 0 : -1;
}

void
notifier_senders_wake(notifier_t *self)
{
    pthread_mutex_lock(&self->senders_lock);
    if (self->senders_wakeups < self->n_senders)
        self->senders_wakeups++;
    pthread_cond_signal(&self->senders_cond);
    pthread_mutex_unlock(&self->senders_lock);
}

void
notifier_senders_stop(notifier_t *self)
{
    /* Each sender finishes the message in hand; what is claimed but unsent goes
     * back to the queue when its lease runs out. */
    pthread_mutex_lock(&self->senders_lock);
    self->senders_stop = true;
    pthread_cond_broadcast(&self->senders_cond);
    pthread_mutex_unlock(&self->senders_lock);
    for (int i = 0; i < self->n_senders; i++)
        pthread_join(self->senders[i], NULL);
    self->n_senders = 0;
    pthread_cond_destroy(&self->senders_cond);
    pthread_mutex_destroy(&self->senders_lock);
}

int
notifier_release_waiting(notifier_t *self, const char *channel)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *notes =
        lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    int64_t now = lp_now_ms();
    /* Only a message parked for a missing channel is pending with a future next_at. */
    bson_t *filter = BCON_NEW("channel", BCON_UTF8(channel), "state", BCON_UTF8("pending"),
                              "next_at", "{", "$gt", BCON_INT64(now), "}");
    bson_t *update = BCON_NEW("$set", "{", "next_at", BCON_INT64(now), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    int n = -1;

    if (mongoc_collection_update_many(notes, filter, update, NULL, &reply, &error))
        n = bson_iter_init_find(&it, &reply, "modifiedCount") ? (int) bson_iter_as_int64(&it) : 0;
    else {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    }
    if (n > 0)
        lp_log(LP_LOG_INFO, "notification.released", "{s:s,s:i}", "channel", channel, "count", n);
    bson_destroy(&reply);
    bson_destroy(update);
    bson_destroy(filter);
    mongoc_collection_destroy(notes);
    lp_store_push(self->svc.store, client);
    return n;
}
