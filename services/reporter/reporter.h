/* reporter: the read side: roll-ups from events and the statistics API. */
#ifndef REPORTER_H
#define REPORTER_H

#include "lp_config.h"

typedef struct {
    lp_common_config_t common;
    const char *listen;
    long threads;
    const char *feed_bind;  /* analysts' feed; NULL or "": a free port, advertised */
    const char *public_url; /* where citizens find intake's form (outreach kit QR) */
} reporter_config_t;

/* Runs the reporter until SIGTERM or SIGINT; returns the process exit code. */
int reporter_main(reporter_config_t *config);

#endif
