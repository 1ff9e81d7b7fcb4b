/* intake-private: what intake's own files share. */
#ifndef INTAKE_PRIVATE_H
#define INTAKE_PRIVATE_H

#include "intake.h"
#include "lp_metrics.h"
#include "lp_service.h"
#include "lp_tracking.h"
#include "validate.h"

#define INTAKE_MAX_BODY (64 * 1024)

typedef struct {
    lp_service_t svc;
    intake_config_t *config;
    lp_bus_socket_t *router_push;
    lp_bus_socket_t *events_pub;
    intake_lookup_t lookup;
    lp_metric_t *accepted;
    lp_metric_t *rejected;
    lp_metric_t *db_errors;
    lp_metric_t *bus_sent;
    lp_metric_t *bus_unsent;
} intake_t;

/* Stores a checked complaint (status received) and rings the router and reporter.
 * Returns 0 with the tracking ID in tracking_out only after the database
 * acknowledged the write; -1 with err (LP_ERR_DATABASE: nothing was stored). */
int intake_submit(intake_t *self, const intake_complaint_t *c, Lapor__V1__Channel channel,
                  char tracking_out[LP_TRACKING_LEN + 1], lp_error_t *err);

/* Sends an event the database already holds to the routers and reporters. */
void intake_ring(intake_t *self, const lp_envelope_t *env);

/* The HTTP handler for /api/v1/... */
void intake_api_handle(lp_http_req_t *req, void *arg);

/* The triage desk, /api/v1/admin/... (coordinator API keys). */
void intake_triage_handle(intake_t *self, lp_http_req_t *req);

#endif
