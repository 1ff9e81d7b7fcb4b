/* intake: the service that owns every byte from outside (HTTP API for now). */
#ifndef INTAKE_H
#define INTAKE_H

#include "lp_config.h"

typedef struct {
    lp_common_config_t common;
    const char *listen;
    const char *identity_file; /* the sealing key (see lp_identity) */
    bool secure_cookies;       /* behind TLS: session cookies get Secure */
    long threads;
    long commit_wait_ms; /* under load, a commit waits this long for company */
    long shed_ms;        /* a write slower than this turns new complaints away for a second */
    long dispose_days;   /* working days to verify and dispose */
    long followup_days;  /* working days an agency has to follow up */

    /* Rate limits (rate.c). */
    const char *trusted_proxies; /* whose X-Forwarded-For counts (lp_ipnet.h) */
    long rate_ip_per_minute;     /* writes per client address; 0: no limit */
    long rate_ip_burst;
    long rate_phone_per_hour; /* complaints per phone number (SMS); 0: no limit */
    long rate_phone_burst;
    const char *sms_token;  /* /sms/inbound wants token=<this>; NULL or "": no check */
    const char *web_secret; /* signs the web forms' tokens; NULL or "": random per process */

    /* Attachments (attach.c). */
    long attach_max_files;  /* per complaint */
    long attach_max_bytes;  /* per file, as uploaded */
    long attach_max_pixels; /* width x height of an uploaded image */
    long attach_long_side;  /* pixels: cleaned images are at most this wide and high */
    long attach_window_s;   /* after submission: files may be added without the PIN */
    long attach_orphan_ms;  /* an unreferenced stored file older than this is removed */
    const char *spool_dir;  /* uploads are spooled here while they arrive; "": $TMPDIR */
    const char *public_url; /* absolute address of intake for Open311's media_url; "": Host */
} intake_config_t;

/* Runs intake until SIGTERM or SIGINT; returns the process exit code. */
int intake_main(intake_config_t *config);

#endif
