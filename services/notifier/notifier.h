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
    long senders;                /* threads that send, each one message at a time */
    long rescan_ms;              /* how often due messages are looked for by a scan */
    const char *identity_file;   /* opens reporters' sealed contacts */
    const char *sms_sender;      /* the number citizens write to */
    const char *sms_sendsms_url; /* Kannel's sendsms; NULL or "" = SMS wait, pending */
    const char *sms_username;
    const char *sms_password;
    const char *smtp_url;
    const char *smtp_username;
    const char *smtp_password;
    const char *smtp_from;
    bool smtp_require_tls;
    const char *feed_bind; /* the agency feed's address; "" = a free port, advertised */
} notifier_config_t;

/* Runs the notifier until SIGTERM or SIGINT; returns the process exit code. */
int notifier_main(notifier_config_t *config);

#endif
