/* router: the service that owns the complaint's life cycle (disposition for now). */
#ifndef ROUTER_H
#define ROUTER_H

#include "lp_config.h"

typedef struct {
    lp_common_config_t common;
    const char *listen;
    long followup_days;      /* working days the agency has to follow up */
    long retention_days; /* days after closure the reporter's details are kept */
    long close_days;         /* working days after a resolution before it closes */
    long classify_threshold; /* percent of confidence needed to trust the classifier */
    long deadline_every_ms;  /* how often deadlines are checked */
} router_config_t;

/* Runs the router until SIGTERM or SIGINT; returns the process exit code. */
int router_main(router_config_t *config);

#endif
