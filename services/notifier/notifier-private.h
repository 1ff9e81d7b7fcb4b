/* notifier-private: what the notifier's own files share. */
#ifndef NOTIFIER_PRIVATE_H
#define NOTIFIER_PRIVATE_H

#include "lp_event.h"
#include "lp_metrics.h"
#include "lp_service.h"
#include "notifier.h"

typedef struct {
    lp_service_t svc;
    notifier_config_t *config;
    lp_bus_socket_t *work_pull; /* from routers */
    lp_metric_t *msgs_in;
    lp_metric_t *queued;
    lp_metric_t *sent;
    lp_metric_t *failed;
    lp_metric_t *dead;
    lp_metric_t *db_errors;
    lp_metric_t *send_latency;
} notifier_t;

/* Turns one event into its notification documents (idempotent) and acknowledges
 * it. Returns 0 when done, -1 to retry later. */
int notifier_handle(void *arg, lp_envelope_t *env);

/* Delivers up to max due notifications; returns how many were attempted. */
int notifier_deliver_due(notifier_t *self, int max);

/* The back-off before attempt number `attempt` (1-based), with ±25 % jitter. */
int64_t notifier_backoff_ms(int64_t base_ms, int attempt);

#endif
