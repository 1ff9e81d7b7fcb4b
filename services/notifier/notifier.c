/* notifier: start, run and stop the notifier service. */
#include <curl/curl.h>
#include <zmq.h>

#include "lp_log.h"
#include "lp_outbox.h"
#include "notifier-private.h"

#define DRAIN_MAX 256
#define DELIVER_BATCH 100

static void
s_on_work(lp_loop_t *loop, lp_bus_socket_t *sock, void *arg)
{
    notifier_t *self = arg;
    /* Deliver now rather than at the next tick: agencies hear within milliseconds. */
    if (lp_service_drain(sock, notifier_handle, self, DRAIN_MAX) > 0)
        notifier_deliver_due(self, DELIVER_BATCH);
}

static void
s_sweep(lp_loop_t *loop, void *arg)
{
    notifier_t *self = arg;
    lp_service_sweep(&self->svc, LP_STAGE_NOTIFIER, notifier_handle, self);
    notifier_deliver_due(self, DELIVER_BATCH);
}

int
notifier_main(notifier_config_t *config)
{
    notifier_t self = {0};
    lp_error_t err;
    int rc = 0;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    self.config = config;
    rc = lp_service_start(&self.svc, "notifier", &config->common, false);
    if (rc != 0)
        goto done;
    self.msgs_in =
        lp_metrics_counter("lapor_bus_messages_in_total", NULL, "Events handled (bus and sweeper)");
    self.queued = lp_metrics_counter("lapor_notifications_queued_total", NULL,
                                     "Notification documents created");
    self.sent = lp_metrics_counter("lapor_notifications_sent_total", "channel=\"webhook\"",
                                   "Notifications delivered");
    self.failed = lp_metrics_counter("lapor_notifications_failed_total", "channel=\"webhook\"",
                                     "Delivery attempts that failed and will be retried");
    self.dead = lp_metrics_counter("lapor_notifications_dead_total", "channel=\"webhook\"",
                                   "Notifications given up after the last try");
    self.db_errors =
        lp_metrics_counter("lapor_database_errors_total", NULL, "Database operations that failed");
    self.send_latency = lp_metrics_histogram("lapor_notification_send_seconds",
                                             "channel=\"webhook\"", "Time of one delivery attempt");
    lp_error_clear(&err);
    self.work_pull = lp_bus_connect(self.svc.bus, "router", LP_BUS_NOTIFIER_WORK, ZMQ_PULL, &err);
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
    rc = lp_service_run(&self.svc) < 0 ? -1 : 0;
done:
    lp_service_stop(&self.svc);
    curl_global_cleanup();
    return rc < 0 ? 1 : 0;
}
