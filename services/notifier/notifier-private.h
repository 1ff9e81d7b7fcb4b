/* notifier-private: what the notifier's own files share. */
#ifndef NOTIFIER_PRIVATE_H
#define NOTIFIER_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "agencies.h"
#include "email.h"
#include "lp_event.h"
#include "lp_identity.h"
#include "lp_metrics.h"
#include "lp_service.h"
#include "notifier.h"
#include "ready.h"
#include "results.h"
#include "webhook.h"

/* How long a message for a channel that is not configured waits before it is
 * looked at again. */
#define NOTIFIER_WAIT_MS 60000
#define NOTIFIER_DUE_EVERY_MS 250 /* how often the due marks are read (a small collection) */
#define NOTIFIER_QUIET_MS 2000    /* no delivery for this long: the scan may run */
#define NOTIFIER_MAX_SENDERS 32
/* Just-queued notifications waiting for a sender (about 1 KiB each); beyond, the
 * rescan finds them when their lease ends. */
#define NOTIFIER_READY_MAX 4096
/* Dead notifiers remembered, so that each causes one scan (watch.c). */
#define NOTIFIER_DEAD_SEEN 64
/* How often the notifiers' heartbeats are looked at. */
#define NOTIFIER_WATCH_EVERY_MS 5000
/* The longest notification _id ("<event>:agency:<id>:webhook", a Kannel id). */
#define NOTIFIER_ID_MAX 192

typedef struct {
    const char *channel;
    lp_metric_t *sent;
    lp_metric_t *failed;
    lp_metric_t *dead;
    lp_metric_t *latency;
} notifier_channel_metrics_t;

typedef struct {
    lp_service_t svc;
    lp_service_gather_t *gather; /* events waiting a moment for company */
    notifier_config_t *config;
    notifier_email_config_t email;
    lp_identity_t *identity;      /* opens citizens' sealed contacts */
    lp_bus_socket_t *work_pull;   /* from routers */
    lp_bus_socket_t *intake_pull; /* from intakes: new complaints */
    lp_bus_socket_t *feed_pub;    /* the agency feed, topic = agency id */
    lp_metric_t *feed_out;
    notifier_channel_metrics_t channels[3];
    lp_metric_t *msgs_in;
    lp_metric_t *queued;
    lp_metric_t *db_errors;
    lp_metric_t *ready_dropped;
    notifier_ready_t *ready;                 /* ids this instance just queued, claimed by _id */
    notifier_results_t *results;             /* senders' results, written together */
    notifier_agencies_t *agencies;           /* webhook URLs and secrets, kept a few seconds */
    _Atomic int64_t rescan_at;               /* lp_mono_ms of the next scan for due messages */
    _Atomic int64_t marks_at;                /* lp_mono_ms of the next look at the due marks */
    _Atomic int64_t busy_at;                 /* lp_mono_ms of the last message delivered */
    _Atomic int64_t rescanned_at;            /* lp_mono_ms of the last scan */
    _Atomic int64_t rescan_after;            /* lp_now_ms after which a scan is needed, 0: none */
    int64_t started_at;                      /* lp_now_ms at start */
    char dead_seen[NOTIFIER_DEAD_SEEN][128]; /* notifiers found dead (loop thread) */
    int dead_next;
    pthread_t senders[NOTIFIER_MAX_SENDERS];
    int n_senders;
    pthread_mutex_t senders_lock;
    pthread_cond_t senders_cond;
    int senders_wakeups; /* bells not yet answered */
    bool senders_stop;
} notifier_t;

/* The metrics of a channel ("webhook", "sms", "email"; others count as webhook). */
notifier_channel_metrics_t *notifier_metrics(notifier_t *self, const char *channel);

/* Notification documents gathered from a batch of events, then inserted with one
 * command per LP_STORE_BULK_MAX instead of one each. */
#define NOTIFIER_BATCH_EVENTS 32
#define NOTIFIER_BATCH_DOCS (NOTIFIER_BATCH_EVENTS * 4) /* 2 webhooks, an SMS, an email */
typedef struct {
    bson_t *docs[NOTIFIER_BATCH_DOCS];
    int event[NOTIFIER_BATCH_DOCS];    /* which event of the batch made it */
    bool pending[NOTIFIER_BATCH_DOCS]; /* to the ready queue once inserted */
    int n;
    int current; /* the event being turned into documents */
} notifier_batch_t;

/* Adds doc (taken over) to batch for its current event; pending: a sender should
 * claim it once it is stored. */
void notifier_batch_add(notifier_batch_t *batch, bson_t *doc, bool pending);

/* Whether env may mean a message to the reporter (then its complaint is read for
 * notifier_citizen_event). */
bool notifier_citizen_wants(const lp_envelope_t *env);

/* Adds the messages env means for the reporter to batch, from its complaint (NULL
 * when it is gone). The sealed contact is copied into the messages, never opened
 * here: it is opened only to send. */
void notifier_citizen_event(notifier_t *self, const bson_t *complaint, const lp_envelope_t *env,
                            notifier_batch_t *batch);

/* Turns one event into its notification documents (idempotent) and acknowledges
 * it. Returns 0 when done, -1 to retry later. */
int notifier_handle(void *arg, lp_envelope_t *env);

/* The same for n events at once (the bus path); returns how many were handled (the
 * others are retried by the sweeper). */
int notifier_handle_batch(void *arg, lp_envelope_t **envs, int n);

/* Hands notification doc, just inserted claimed by this instance, to the senders
 * (see ready.h). Call after the insert succeeded. */
void notifier_queued(notifier_t *self, const bson_t *doc);

/* Delivers one notification: the next id this instance queued, or else, when a
 * rescan is due, the oldest due one found by a scan, posting webhooks with the
 * calling sender's hooks. Returns how many were attempted (0 or 1). */
int notifier_deliver_next(notifier_t *self, webhook_client_t *hooks);

/* Starts n sender threads; wakes them when messages were queued; stops them after
 * the message each has in hand. */
int notifier_senders_start(notifier_t *self, int n);
void notifier_senders_wake(notifier_t *self);
void notifier_senders_stop(notifier_t *self);

/* Gives the messages still in the ready queue back (pending, no lease) in one
 * write, for the other instances: call at stop, after the senders stopped. */
void notifier_ready_release(notifier_t *self);

/* Asks for a scan of every notification shortly after at_ms, when a lease it must
 * see run out ends (see watch.c); the latest time asked for wins. Safe from any
 * thread. */
void notifier_rescan_after(notifier_t *self, int64_t at_ms);

/* Whether a scan asked for is due now (then the request is taken). */
bool notifier_rescan_due(notifier_t *self);

/* Reads the notifiers' heartbeats and asks for a scan after the leases of each one
 * newly found dead have run out (the loop's timer). */
void notifier_watch_peers(notifier_t *self);

/* Makes messages of channel that waited for it to be configured due now (at start,
 * when the channel is configured). Returns how many, or -1 on a database error. */
int notifier_release_waiting(notifier_t *self, const char *channel);

/* NULL when channel ("webhook", "sms", "email") can be sent from here, else what
 * is missing, in words for last_error. */
const char *notifier_channel_missing(const notifier_t *self, const char *channel);

/* The back-off before attempt number `attempt` (1-based), with ±25 % jitter. */
int64_t notifier_backoff_ms(int64_t base_ms, int attempt);

#endif
