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
