/* lapor-notifier: flags and environment, then notifier_main. */
#include "notifier.h"

int
main(int argc, char **argv)
{
    notifier_config_t config = {0};
    lp_option_t options[] = {
        LP_COMMON_OPTIONS(&config.common),
        {"listen", "LAPOR_NOTIFIER_LISTEN", LP_OPT_STRING, "127.0.0.1:8083",
         "HTTP address of /healthz and /metrics", &config.listen},
        {"webhook-timeout-ms", "LAPOR_WEBHOOK_TIMEOUT_MS", LP_OPT_INT, "5000",
         "how long one webhook attempt may take", &config.webhook_timeout_ms},
        {"max-tries", "LAPOR_NOTIFY_MAX_TRIES", LP_OPT_INT, "8",
         "attempts before a message is declared dead", &config.max_tries},
        {"backoff-ms", "LAPOR_NOTIFY_BACKOFF_MS", LP_OPT_INT, "2000",
         "wait before the first retry; doubles each time, with jitter", &config.backoff_ms},
        {"senders", "LAPOR_NOTIFY_SENDERS", LP_OPT_INT, "4",
         "messages sent at the same time (a slow recipient holds up only one)", &config.senders},
        {"rescan-ms", "LAPOR_NOTIFIER_RESCAN_MS", LP_OPT_INT, "600000",
         "the last resort: how often every notification is scanned when nothing asked for "
         "it (a dead notifier's leases and this one's drops ask at once); retries, redrives "
         "and intake's replies come by due marks",
         &config.rescan_ms},
        {"identity-file", "LAPOR_IDENTITY_OPEN_FILE", LP_OPT_STRING, "run/keys/identity.secret",
         "key file that opens reporters' contacts (only the notifier has it)",
         &config.identity_file},
        {"sms-sender", "LAPOR_SMS_SENDER", LP_OPT_STRING, "1708",
         "the SMS number citizens write to (sender of outgoing SMS)", &config.sms_sender},
        {"sms-sendsms-url", "LAPOR_SMS_SENDSMS_URL", LP_OPT_STRING, NULL,
         "Kannel's sendsms, e.g. http://127.0.0.1:13013/cgi-bin/sendsms (empty: SMS wait)",
         &config.sms_sendsms_url},
        {"sms-username", "LAPOR_SMS_USERNAME", LP_OPT_STRING, NULL, "Kannel sendsms-user username",
         &config.sms_username},
        {"sms-password", "LAPOR_SMS_PASSWORD", LP_OPT_STRING, NULL, "Kannel sendsms-user password",
         &config.sms_password},
        {"agency-feed-bind", "LAPOR_AGENCY_FEED_BIND", LP_OPT_STRING, NULL,
         "ZeroMQ address of the agency feed (PUB, topic = agency id); empty: a free port on "
         "the bus address, advertised in the services collection",
         &config.feed_bind},
        {"smtp-url", "LAPOR_SMTP_URL", LP_OPT_STRING, NULL,
         "SMTP server, smtp://host:port or smtps://host:port (empty: email waits)",
         &config.smtp_url},
        {"smtp-username", "LAPOR_SMTP_USERNAME", LP_OPT_STRING, NULL, "SMTP login (empty: none)",
         &config.smtp_username},
        {"smtp-password", "LAPOR_SMTP_PASSWORD", LP_OPT_STRING, NULL, "SMTP password",
         &config.smtp_password},
        {"smtp-from", "LAPOR_SMTP_FROM", LP_OPT_STRING, "LAPOR <noreply@lapor.localhost>",
         "From: of citizens' email", &config.smtp_from},
        {"smtp-require-tls", "LAPOR_SMTP_REQUIRE_TLS", LP_OPT_FLAG, NULL,
         "refuse to send email without STARTTLS", &config.smtp_require_tls},
        {0},
    };
    int first = 0;
    int rc = lp_config_parse("lapor-notifier",
                             "Delivers notifications (agency webhooks, citizens' SMS and email) "
                             "once per event, recipient and channel, with retries.",
                             options, argc, argv, &first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (config.senders < 1 || config.senders > 32)
        config.senders = 4;
    if (config.rescan_ms < 10)
        config.rescan_ms = 600000;
    if (config.max_tries < 1)
        config.max_tries = 1;
    if (config.backoff_ms < 10)
        config.backoff_ms = 10;
    if (config.webhook_timeout_ms < 100)
        config.webhook_timeout_ms = 100;
    return notifier_main(&config);
}
