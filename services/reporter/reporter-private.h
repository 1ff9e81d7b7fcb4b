/* reporter-private: what the reporter's own files share. */
#ifndef REPORTER_PRIVATE_H
#define REPORTER_PRIVATE_H

#include "lp_event.h"
#include "lp_metrics.h"
#include "lp_service.h"
#include "reporter.h"

#define REPORTER_MAX_DELTAS 16
#define REPORTER_FOLD_BATCH 500

typedef struct {
    lp_service_t svc;
    reporter_config_t *config;
    lp_bus_socket_t *events_sub; /* from intakes and routers */
    lp_bus_socket_t *events_sub_router;
    lp_metric_t *msgs_in;
    lp_metric_t *ledgered;
    lp_metric_t *folded;
    lp_metric_t *db_errors;
} reporter_t;

/* One change to one roll-up counter: dimension, key, amount. */
typedef struct {
    const char *dim; /* status, agency, region, category, type, channel, privacy */
    char key[48];
    int n;
} reporter_delta_t;

/* The roll-up changes an event causes (pure: no I/O). Returns how many were
 * written to out (at most REPORTER_MAX_DELTAS). */
size_t reporter_deltas(const lp_envelope_t *env, reporter_delta_t *out);

/* Records one event in the ledger (exactly once per event id) and acknowledges it.
 * Returns 0 when done, -1 to retry later. */
int reporter_handle(void *arg, lp_envelope_t *env);

/* Folds ledger entries into roll-ups if this instance holds the compactor lease.
 * Returns the number of entries folded, or -1 on a database error. */
int reporter_fold(reporter_t *self);

/* The HTTP handler for /api/v1/stats. */
void reporter_api_handle(lp_http_req_t *req, void *arg);

#endif
