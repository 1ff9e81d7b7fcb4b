/* router: start, run and stop the router service. */
#include <zmq.h>

#include "lp_log.h"
#include "lp_outbox.h"
#include "router-private.h"

#define DRAIN_BATCHES 4 /* of LP_SERVICE_BATCH_MAX messages per wake-up, so timers keep running */

static void
s_on_work(lp_loop_t *loop, lp_bus_socket_t *sock, void *arg)
{
    router_t *self = arg;
    lp_service_drain_batch(&self->svc, sock, router_handle_batch, arg, LP_SERVICE_BATCH_MAX,
                           DRAIN_BATCHES);
}

static void
s_sweep(lp_loop_t *loop, void *arg)
{
    router_t *self = arg;
    lp_service_sweep(&self->svc, LP_STAGE_ROUTER, router_handle, self);
}

static void
s_deadlines(lp_loop_t *loop, void *arg)
{
    router_t *self = arg;
    if (router_deadlines(self) < 0)
        lp_log(LP_LOG_WARN, "deadlines.failed", NULL);
}

int
router_main(router_config_t *config)
{
    router_t self = {0};
    lp_error_t err;
    int rc = 0;

    self.config = config;
    rc = lp_service_start(&self.svc, "router", &config->common, true);
    if (rc != 0)
        goto done;
    self.msgs_in =
        lp_metrics_counter("lapor_bus_messages_in_total", NULL, "Events handled (bus and sweeper)");
    self.disposed = lp_metrics_counter("lapor_complaints_disposed_total", NULL,
                                       "Complaints disposed to an agency");
    self.no_agency = lp_metrics_counter("lapor_complaints_unroutable_total", NULL,
                                        "Complaints no agency covers");
    self.triaged = lp_metrics_counter("lapor_complaints_triaged_total", NULL,
                                      "Complaints sent to the triage desk");
    self.escalated = lp_metrics_counter("lapor_complaints_escalated_total", NULL,
                                        "Missed follow-up deadlines escalated to the parent");
    self.closed = lp_metrics_counter("lapor_complaints_closed_total", NULL,
                                     "Resolved complaints closed without a reply");
    self.db_errors =
        lp_metrics_counter("lapor_database_errors_total", NULL, "Database operations that failed");
    self.dispose_latency = lp_metrics_histogram("lapor_dispose_latency_seconds", NULL,
                                                "From submission to disposition");
    lp_error_clear(&err);
    self.notifier_push = lp_bus_bind(self.svc.bus, LP_BUS_NOTIFIER_WORK, ZMQ_PUSH, &err);
    self.events_pub =
        self.notifier_push ? lp_bus_bind(self.svc.bus, LP_BUS_EVENTS, ZMQ_PUB, &err) : NULL;
    self.work_pull =
        self.events_pub ? lp_bus_connect(self.svc.bus, "intake", LP_BUS_ROUTER_WORK, ZMQ_PULL, &err)
                        : NULL;
    if (!self.work_pull) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", err.message);
        rc = -1;
        goto done;
    }
    if (lp_service_serve_http(&self.svc, config->listen, NULL, NULL, 1, 0) != 0) {
        rc = -1;
        goto done;
    }
    lp_loop_add_socket(self.svc.loop, self.work_pull, s_on_work, &self);
    lp_loop_add_timer(self.svc.loop, config->common.sweep_ms, s_sweep, &self);
    lp_loop_add_timer(self.svc.loop, config->deadline_every_ms, s_deadlines, &self);
    rc = lp_service_run(&self.svc) < 0 ? -1 : 0;
done:
    lp_service_stop(&self.svc);
    return rc < 0 ? 1 : 0;
}
