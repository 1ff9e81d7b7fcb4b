/* intake-private: what intake's own files share. */
#ifndef INTAKE_PRIVATE_H
#define INTAKE_PRIVATE_H

#include <stdatomic.h>

#include "intake.h"
#include "lp_identity.h"
#include "lp_metrics.h"
#include "lp_ratelimit.h"
#include "lp_service.h"
#include "lp_tracking.h"
#include "validate.h"

#define INTAKE_MAX_BODY (64 * 1024)
#define INTAKE_SHED_FOR_MS 1000 /* how long a slow write turns new complaints away */

typedef struct {
    lp_service_t svc;
    intake_config_t *config;
    lp_identity_t *identity; /* seals contacts; cannot open them */
    lp_bus_socket_t *router_push;
    lp_bus_socket_t *notifier_push;
    lp_bus_socket_t *events_pub;
    intake_lookup_t lookup;
    _Atomic int64_t shed_until_ms; /* monotonic: new complaints get 503 until then */
    lp_metric_t *shed;
    lp_metric_t *accepted;
    lp_metric_t *rejected;
    lp_metric_t *db_errors;
    lp_metric_t *bus_sent;
    lp_metric_t *bus_unsent;
    lp_ratelimit_t *rate_ip;     /* NULL: no limit */
    lp_ratelimit_t *rate_phone;  /* NULL: no limit */
    lp_ratelimit_t *rate_notice; /* one polite refusal per phone and interval */
    unsigned char phone_key[32]; /* phone numbers are limited by a keyed hash */
    lp_metric_t *rate_limited_ip;
    lp_metric_t *rate_limited_phone;
    unsigned char web_key[32];      /* signs the web pages' tokens (web_token.h) */
    struct intake_commit_t *commit; /* new complaints, written in groups (commit.h) */
} intake_t;

/* How a complaint came in. */
typedef struct {
    Lapor__V1__Channel channel;
    /* Scoped by the caller ("api:<Idempotency-Key>", "sms:<Kannel id>"); a request
     * with a key already stored answers with the first complaint. NULL: none. */
    const char *idempotency_key;
    const char *request_hash; /* hex digest of the request, to tell a replay from a
                                 reuse of the key for something else; may be NULL */
    bool keep_duplicates;     /* store even a near-duplicate as a new complaint */
    const char *visit_id;     /* the outreach visit whose kit brought it (24 hex), or NULL */
    /* The stored files it refers to (an array, attach.h), or NULL. */
    const bson_t *attachments;
} intake_submit_opts_t;

typedef struct {
    char tracking_id[LP_TRACKING_LEN + 1];
    char complaint_id[25];
    bool replayed;  /* the key was seen: tracking_id is the first complaint's */
    bool duplicate; /* a near-duplicate of tracking_id, linked to it, nothing new */
} intake_receipt_t;

/* Stores a checked complaint (status received) and rings router, notifier and
 * reporter; or links a near-duplicate from the same reporter (24 hours) to the
 * first; or answers a repeated idempotency key with the first complaint. Returns 0
 * with out filled only after the database acknowledged; -1 with err:
 * LP_ERR_DATABASE (nothing stored), LP_ERR_CONFLICT (key reused, field named). */
int intake_submit(intake_t *self, const intake_complaint_t *c, const intake_submit_opts_t *opts,
                  intake_receipt_t *out, lp_error_t *err);

/* Queues a message for a citizen in the notifier's outbox (unique id: a repeat
 * queues nothing new). channel "sms" or "email"; the contact is sealed. */
int intake_tell(intake_t *self, const char *id, const lp_contact_t *to, const char *channel,
                const char *lang, const char *type, const char *text, lp_error_t *err);

/* Sends an event the database already holds to the routers and reporters. */
void intake_ring(intake_t *self, const lp_envelope_t *env);

/* The public view (view.h) of the complaint with tracking ID raw_id, and its
 * complaint id when complaint_id is not NULL. Returns 0 with *view_out (caller
 * owns), or -1 with err: LP_ERR_NOT_FOUND, or LP_ERR_DATABASE (logged, counted). */
int intake_public_find(intake_t *self, const char *raw_id, json_t **view_out, char complaint_id[25],
                       lp_error_t *err);

/* The HTTP handler for /api/v1/... */
void intake_api_handle(lp_http_req_t *req, void *arg);

/* Sets up the rate limits of config (rate.c). Returns 0, or -1 (logged). */
int intake_rate_start(intake_t *self);
void intake_rate_stop(intake_t *self);

/* Per client address limit of the write paths: call first in a POST handler. Returns
 * true when the request may go ahead; otherwise it has answered 429 with Retry-After
 * and a JSON error itself, and the handler must only return. */
bool intake_rate_allow(intake_t *self, lp_http_req_t *req);

/* Per phone number limit of complaints by SMS (phone as sent or normalised). */
typedef enum {
    INTAKE_RATE_OK,     /* go ahead */
    INTAKE_RATE_NOTICE, /* refused: reply one polite SMS saying when to try again */
    INTAKE_RATE_QUIET,  /* refused, and that phone was told so in this interval already */
} intake_rate_verdict_t;

/* Sets *retry_after_s (when not NULL) to the seconds to wait when refused. */
intake_rate_verdict_t intake_rate_phone(intake_t *self, const char *phone, int64_t *retry_after_s);
/* The Open311 GeoReport v2 channel, /open311/v2/... (open311.c). */
void intake_open311_handle(intake_t *self, lp_http_req_t *req);

/* Kannel's inbound SMS, GET /sms/inbound?from=&to=&text=&id=&ts= (sms.c). */
void intake_sms_handle(intake_t *self, lp_http_req_t *req);

/* The triage desk, /api/v1/admin/... (coordinator API keys). */
void intake_triage_handle(intake_t *self, lp_http_req_t *req);

#endif
