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
        {0},
    };
    int first = 0;
    int rc = lp_config_parse("lapor-notifier",
                             "Delivers notifications (agency webhooks) exactly once per event "
                             "and recipient, with retries.",
                             options, argc, argv, &first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (config.max_tries < 1)
        config.max_tries = 1;
    if (config.backoff_ms < 10)
        config.backoff_ms = 10;
    if (config.webhook_timeout_ms < 100)
        config.webhook_timeout_ms = 100;
    return notifier_main(&config);
}
