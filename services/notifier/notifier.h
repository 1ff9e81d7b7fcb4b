/* notifier: the service that owns every outbound message (agency webhooks for now). */
#ifndef NOTIFIER_H
#define NOTIFIER_H

#include "lp_config.h"

typedef struct {
    lp_common_config_t common;
    const char *listen;
    long webhook_timeout_ms;
    long max_tries;
    long backoff_ms;
} notifier_config_t;

/* Runs the notifier until SIGTERM or SIGINT; returns the process exit code. */
int notifier_main(notifier_config_t *config);

#endif
