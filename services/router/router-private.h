/* router-private: what the router's own files share. */
#ifndef ROUTER_PRIVATE_H
#define ROUTER_PRIVATE_H

#include "lp_event.h"
#include "lp_metrics.h"
#include "lp_service.h"
#include "router.h"

typedef struct {
    lp_service_t svc;
    router_config_t *config;
    lp_bus_socket_t *work_pull; /* from intakes */
    lp_bus_socket_t *notifier_push;
    lp_bus_socket_t *events_pub;
    lp_metric_t *msgs_in;
    lp_metric_t *disposed;
    lp_metric_t *no_agency;
    lp_metric_t *triaged;
    lp_metric_t *escalated;
    lp_metric_t *closed;
    lp_metric_t *db_errors;
    lp_metric_t *dispose_latency;
    int64_t recent_sweep_at; /* next sweep of the near-duplicate index (deadlines) */
} router_t;

/* Handles one event addressed to the router (from the bus or the sweeper).
 * Idempotent. Returns 0 when done, -1 to retry later. */
int router_handle(void *arg, lp_envelope_t *env);

/* The same for n events at once (the bus path): one read, one bulk of marks and
 * one bulk of guarded updates for the batch. Returns how many were handled (the
 * others are retried by the sweeper). */
int router_handle_batch(void *arg, lp_envelope_t **envs, int n);

/* Sends an event the database already holds to the notifiers and reporters. */
void router_ring(router_t *self, const lp_envelope_t *env);

/* Escalates complaints whose agency missed its deadline, flags complaints not
 * disposed in time, and closes resolved ones nobody answered. Returns how many
 * complaints it moved, or -1 on a database error. */
int router_deadlines(router_t *self);

#endif
