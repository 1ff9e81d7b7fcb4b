/* router: the service that owns the complaint's life cycle (disposition for now). */
#ifndef ROUTER_H
#define ROUTER_H

#include "lp_config.h"

typedef struct {
    lp_common_config_t common;
    const char *listen;
    long followup_days; /* working days the agency has to follow up */
} router_config_t;

/* Runs the router until SIGTERM or SIGINT; returns the process exit code. */
int router_main(router_config_t *config);

#endif
