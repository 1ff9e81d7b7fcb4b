/* reporter: start, run and stop the reporter service. */
#include <stdlib.h>
#include <zmq.h>

#include "lp_log.h"
#include "lp_outbox.h"
#include "reporter-private.h"

#define DRAIN_BATCHES 8 /* of LP_SERVICE_BATCH_MAX events per wake-up */

/* How long an event may wait for others (lp_service_gather): statistics need not
 * be up to the millisecond, and a complaint's submitted and disposed events then
 * mostly share one read of the complaint and one write of each kind. */
#define GATHER_MS 100

static void
s_on_event(lp_loop_t *loop, lp_bus_socket_t *sock, void *arg)
{
    reporter_t *self = arg;
    lp_service_gather(self->gather, sock, DRAIN_BATCHES);
}

static void
s_heartbeat(lp_loop_t *loop, void *arg)
{
    reporter_feed_heartbeat(arg);
}

static void
s_sweep(lp_loop_t *loop, void *arg)
{
    reporter_t *self = arg;
    lp_service_sweep(&self->svc, LP_STAGE_REPORTER, reporter_handle, self);
    /* Fold until the ledger is drained, a batch at a time; a stop request ends it
     * between two batches (the rest is folded by the next compactor). */
    while (!lp_loop_should_stop(self->svc.loop) && reporter_fold(self) >= REPORTER_FOLD_BATCH)
        ;
}

int
reporter_main(reporter_config_t *config)
{
    reporter_t self = {0};
    lp_error_t err;
    int rc = 0;

    self.config = config;
    rc = lp_service_start(&self.svc, "reporter", &config->common, true);
    if (rc != 0)
        goto done;
    self.msgs_in =
        lp_metrics_counter("lapor_bus_messages_in_total", NULL, "Events handled (bus and sweeper)");
    self.ledgered = lp_metrics_counter("lapor_stats_ledger_entries_total", NULL,
                                       "Events recorded in the statistics ledger");
    self.folded =
        lp_metrics_counter("lapor_stats_folded_total", NULL, "Ledger entries folded into roll-ups");
    self.published = lp_metrics_counter("lapor_analyst_feed_messages_total", NULL,
                                        "Events published on the analysts' feed");
    self.db_errors =
        lp_metrics_counter("lapor_database_errors_total", NULL, "Database operations that failed");
    lp_error_clear(&err);
    self.events_sub = lp_bus_connect(self.svc.bus, "intake", LP_BUS_EVENTS, ZMQ_SUB, &err);
    self.events_sub_router =
        self.events_sub ? lp_bus_connect(self.svc.bus, "router", LP_BUS_EVENTS, ZMQ_SUB, &err)
                        : NULL;
    if (!self.events_sub_router) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", err.message);
        rc = -1;
        goto done;
    }
    if (reporter_feed_start(&self) != 0) {
        rc = -1;
        goto done;
    }
    if (lp_service_serve_http(&self.svc, config->listen, reporter_api_handle, &self,
                              (unsigned) config->threads, 4096) != 0) {
        rc = -1;
        goto done;
    }
    self.gather = lp_service_gather_new(&self.svc, reporter_handle_batch, &self,
                                        LP_SERVICE_BATCH_MAX, GATHER_MS);
    if (!self.gather) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", "out of memory");
        rc = -1;
        goto done;
    }
    lp_loop_add_socket(self.svc.loop, self.events_sub, s_on_event, &self);
    lp_loop_add_socket(self.svc.loop, self.events_sub_router, s_on_event, &self);
    lp_loop_add_timer(self.svc.loop, config->common.sweep_ms, s_sweep, &self);
    lp_loop_add_timer(self.svc.loop, 2000, s_heartbeat, &self);
    rc = lp_service_run(&self.svc) < 0 ? -1 : 0;
    lp_service_gather_flush(self.gather);
done:
    lp_service_gather_destroy(&self.gather);
    lp_service_stop(&self.svc);
    reporter_pending_free(&self);
    free(self.known);
    return rc < 0 ? 1 : 0;
}
