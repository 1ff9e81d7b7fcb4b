/* intake: start, run and stop the intake service. */
#include <sodium.h>
#include <string.h>
#include <zmq.h>

#include "attach.h"
#include "commit.h"
#include "intake-private.h"
#include "lp_log.h"

static bool
s_region_known(void *arg, const char *code)
{
    intake_t *self = arg;
    return lp_refdata_region(self->svc.refdata, code) != NULL;
}

static bool
s_category_known(void *arg, const char *id)
{
    intake_t *self = arg;
    return lp_refdata_has_category(self->svc.refdata, id);
}

int
intake_main(intake_config_t *config)
{
    intake_t self = {0};
    lp_error_t err;
    int rc = 0;

    self.config = config;
    rc = lp_service_start(&self.svc, "intake", &config->common, true);
    if (rc != 0)
        goto done;
    lp_error_clear(&err);
    self.identity = lp_identity_load(config->identity_file, &err);
    if (!self.identity) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", err.message);
        rc = -1;
        goto done;
    }
    /* The web forms' key: from the configured secret, so every intake behind one
     * address accepts the others' forms; else random, valid for this process. */
    if (sodium_init() < 0) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", "libsodium failed");
        rc = -1;
        goto done;
    }
    if (config->web_secret && *config->web_secret) {
        crypto_generichash_state st;
        crypto_generichash_init(&st, NULL, 0, sizeof self.web_key);
        crypto_generichash_update(&st, (const unsigned char *) "lapor-web:", 10);
        crypto_generichash_update(&st, (const unsigned char *) config->web_secret,
                                  strlen(config->web_secret));
        crypto_generichash_final(&st, self.web_key, sizeof self.web_key);
    }
    else
        randombytes_buf(self.web_key, sizeof self.web_key);
    self.lookup.region_known = s_region_known;
    self.lookup.category_known = s_category_known;
    self.lookup.arg = &self;
    self.shed = lp_metrics_counter("lapor_complaints_shed_total", NULL,
                                   "Complaints turned away (503) while the database was slow");
    self.accepted = lp_metrics_counter("lapor_complaints_accepted_total", NULL,
                                       "Complaints stored and acknowledged");
    self.rejected = lp_metrics_counter("lapor_complaints_rejected_total", NULL,
                                       "Complaints refused for bad input");
    self.db_errors =
        lp_metrics_counter("lapor_database_errors_total", NULL, "Database operations that failed");
    self.bus_sent =
        lp_metrics_counter("lapor_bus_messages_out_total", NULL, "Messages sent on the bus");
    self.bus_unsent = lp_metrics_counter("lapor_bus_messages_unsent_total", NULL,
                                         "Doorbells nobody could take (sweepers pick the work)");
    if (intake_rate_start(&self) != 0) {
        rc = -1;
        goto done;
    }
    lp_error_clear(&err);
    self.router_push = lp_bus_bind(self.svc.bus, LP_BUS_ROUTER_WORK, ZMQ_PUSH, &err);
    self.notifier_push =
        self.router_push ? lp_bus_bind(self.svc.bus, LP_BUS_NOTIFIER_WORK, ZMQ_PUSH, &err) : NULL;
    self.events_pub =
        self.notifier_push ? lp_bus_bind(self.svc.bus, LP_BUS_EVENTS, ZMQ_PUB, &err) : NULL;
    if (!self.events_pub) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", err.message);
        rc = -1;
        goto done;
    }
    if (!(self.commit = intake_commit_new(self.svc.store, (int) config->commit_wait_ms,
                                          (int) (config->threads + 1) / 2))) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", "out of memory");
        rc = -1;
        goto done;
    }
    self.svc.trusted_proxies = config->trusted_proxies;
    if (intake_attach_start(&self) != 0) {
        rc = -1;
        goto done;
    }
    if (lp_service_serve_http(&self.svc, config->listen, intake_api_handle, &self,
                              (unsigned) config->threads, INTAKE_MAX_BODY) != 0) {
        rc = -1;
        goto done;
    }
    rc = lp_service_run(&self.svc) < 0 ? -1 : 0;
done:
    lp_service_stop(&self.svc);
    intake_commit_destroy(&self.commit);
    lp_identity_destroy(&self.identity);
    intake_rate_stop(&self);
    return rc < 0 ? 1 : 0;
}
