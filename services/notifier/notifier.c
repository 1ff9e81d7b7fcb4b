/* notifier: start, run and stop the notifier service. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "notifier-private.h"

#define DRAIN_BATCHES 8 /* of NOTIFIER_BATCH_EVENTS events per wake-up */

/* How long an event may wait for others (lp_service_gather): a complaint's
 * submitted and disposed events, a few milliseconds apart, then mostly share one
 * read of the complaint and one insert of their messages. */
#define GATHER_MS 20

/* Queues the batch's messages and has the senders deliver them at once. */
static int
s_handle_batch(void *arg, lp_envelope_t **envs, int n)
{
    int handled = notifier_handle_batch(arg, envs, n);
    if (handled > 0)
        notifier_senders_wake(arg);
    return handled;
}

static void
s_on_work(lp_loop_t *loop, lp_bus_socket_t *sock, void *arg)
{
    notifier_t *self = arg;
    lp_service_gather(self->gather, sock, DRAIN_BATCHES);
}

static void
s_sweep(lp_loop_t *loop, void *arg)
{
    notifier_t *self = arg;
    if (lp_service_sweep(&self->svc, LP_STAGE_NOTIFIER, notifier_handle, self) > 0)
        notifier_senders_wake(self);
}

static void
s_watch(lp_loop_t *loop, void *arg)
{
    notifier_watch_peers(arg);
}

/* A result that could not be written leaves its message leased by this instance:
 * the scan takes it once the lease has run out. */
static void
s_result_lost(void *arg)
{
    notifier_t *self = arg;
    notifier_rescan_after(self, lp_now_ms() + self->svc.config->lease_ms);
}

static void
s_write_results(lp_loop_t *loop, void *arg)
{
    notifier_t *self = arg;
    notifier_results_flush(self->results);
}

int
notifier_main(notifier_config_t *config)
{
    notifier_t self = {0};
    lp_error_t err;
    int rc = 0;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    self.config = config;
    self.started_at = lp_now_ms();
    rc = lp_service_start(&self.svc, "notifier", &config->common, false);
    if (rc != 0)
        goto done;
    self.msgs_in =
        lp_metrics_counter("lapor_bus_messages_in_total", NULL, "Events handled (bus and sweeper)");
    self.queued = lp_metrics_counter("lapor_notifications_queued_total", NULL,
                                     "Notification documents created");
    self.db_errors =
        lp_metrics_counter("lapor_database_errors_total", NULL, "Database operations that failed");
    self.ready_dropped = lp_metrics_counter(
        "lapor_notifier_ready_dropped_total", NULL,
        "Queued notifications left to the rescan (ready queue full, or waited too long)");
    self.ready = notifier_ready_new(NOTIFIER_READY_MAX);
    self.agencies = notifier_agencies_new(NOTIFIER_AGENCY_TTL_MS);
    self.results = notifier_results_new(self.svc.store, self.svc.config->instance, self.db_errors,
                                        s_result_lost, &self);
    if (!self.ready || !self.agencies || !self.results) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", "out of memory");
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < 3; i++) {
        static const char *const names[] = {"webhook", "sms", "email"};
        char labels[40];
        notifier_channel_metrics_t *m = &self.channels[i];
        snprintf(labels, sizeof labels, "channel=\"%s\"", names[i]);
        m->channel = names[i];
        m->sent =
            lp_metrics_counter("lapor_notifications_sent_total", labels, "Notifications delivered");
        m->failed = lp_metrics_counter("lapor_notifications_failed_total", labels,
                                       "Delivery attempts that failed and will be retried");
        m->dead = lp_metrics_counter("lapor_notifications_dead_total", labels,
                                     "Notifications given up after the last try");
        m->latency = lp_metrics_histogram("lapor_notification_send_seconds", labels,
                                          "Time of one delivery attempt");
    }
    self.email = (notifier_email_config_t){
        .url = config->smtp_url ? config->smtp_url : "",
        .username = config->smtp_username ? config->smtp_username : "",
        .password = config->smtp_password ? config->smtp_password : "",
        .from = config->smtp_from,
        .require_tls = config->smtp_require_tls,
        .timeout_ms = config->webhook_timeout_ms,
    };
    lp_error_clear(&err);
    self.identity = lp_identity_load(config->identity_file, &err);
    if (!self.identity || !lp_identity_can_open(self.identity)) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message",
               self.identity ? "the identity file cannot open contacts (give identity.secret)"
                             : err.message);
        rc = -1;
        goto done;
    }
    self.work_pull = lp_bus_connect(self.svc.bus, "router", LP_BUS_NOTIFIER_WORK, ZMQ_PULL, &err);
    self.intake_pull = self.work_pull ? lp_bus_connect(self.svc.bus, "intake", LP_BUS_NOTIFIER_WORK,
                                                       ZMQ_PULL, &err)
                                      : NULL;
    self.feed_out = lp_metrics_counter("lapor_agency_feed_messages_total", NULL,
                                       "Events published on the agency feed");
    if (self.intake_pull)
        self.feed_pub =
            config->feed_bind && *config->feed_bind
                ? lp_bus_bind_at(self.svc.bus, LP_BUS_AGENCY_FEED, ZMQ_PUB, config->feed_bind, &err)
                : lp_bus_bind(self.svc.bus, LP_BUS_AGENCY_FEED, ZMQ_PUB, &err);
    if (!self.feed_pub) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", err.message);
        rc = -1;
        goto done;
    }
    if (lp_service_serve_http(&self.svc, config->listen, NULL, NULL, 1, 0) != 0) {
        rc = -1;
        goto done;
    }
    /* Messages parked while their channel had no gateway go now that one is. */
    if (config->sms_sendsms_url && *config->sms_sendsms_url)
        notifier_release_waiting(&self, "sms");
    if (*self.email.url)
        notifier_release_waiting(&self, "email");
    self.gather =
        lp_service_gather_new(&self.svc, s_handle_batch, &self, NOTIFIER_BATCH_EVENTS, GATHER_MS);
    if (!self.gather) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", "out of memory");
        rc = -1;
        goto done;
    }
    lp_loop_add_socket(self.svc.loop, self.work_pull, s_on_work, &self);
    lp_loop_add_socket(self.svc.loop, self.intake_pull, s_on_work, &self);
    lp_loop_add_timer(self.svc.loop, config->common.sweep_ms, s_sweep, &self);
    lp_loop_add_timer(self.svc.loop, NOTIFIER_RESULTS_EVERY_MS, s_write_results, &self);
    lp_loop_add_timer(self.svc.loop, NOTIFIER_WATCH_EVERY_MS, s_watch, &self);
    if (notifier_senders_start(&self, (int) config->senders) != 0) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message",
               "cannot start the sender threads");
        rc = -1;
        goto done;
    }
    rc = lp_service_run(&self.svc) < 0 ? -1 : 0;
    lp_service_gather_flush(self.gather);
    notifier_senders_stop(&self);
    notifier_results_flush(self.results);
    notifier_ready_release(&self);
done:
    lp_service_gather_destroy(&self.gather);
    lp_service_stop(&self.svc);
    lp_identity_destroy(&self.identity);
    notifier_ready_destroy(&self.ready);
    notifier_agencies_destroy(&self.agencies);
    notifier_results_destroy(&self.results);
    curl_global_cleanup();
    return rc < 0 ? 1 : 0;
}
