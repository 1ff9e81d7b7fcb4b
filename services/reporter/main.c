/* lapor-reporter: flags and environment, then reporter_main. */
#include "reporter.h"

int
main(int argc, char **argv)
{
    reporter_config_t config = {0};
    lp_option_t options[] = {
        LP_COMMON_OPTIONS(&config.common),
        {"listen", "LAPOR_REPORTER_LISTEN", LP_OPT_STRING, "127.0.0.1:8081",
         "HTTP address of the statistics API", &config.listen},
        {"threads", "LAPOR_REPORTER_THREADS", LP_OPT_INT, "2", "HTTP worker threads",
         &config.threads},
        {"analyst-feed-bind", "LAPOR_ANALYST_FEED_BIND", LP_OPT_STRING, NULL,
         "ZeroMQ address of the analysts' feed (PUB); empty: a free port on LAPOR_BUS_BIND, "
         "advertised as analyst_feed",
         &config.feed_bind},
        {"public-url", "LAPOR_PUBLIC_URL", LP_OPT_STRING, "http://127.0.0.1:8080",
         "public address of intake's web form (QR codes of outreach kits)", &config.public_url},
        {0},
    };
    int first = 0;
    int rc = lp_config_parse("lapor-reporter", "Keeps statistics from every event and serves them.",
                             options, argc, argv, &first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (config.threads < 1 || config.threads > 32)
        config.threads = 2;
    return reporter_main(&config);
}
