/* lapor-intake: flags and environment, then intake_main. */
#include "intake.h"

int
main(int argc, char **argv)
{
    intake_config_t config = {0};
    lp_option_t options[] = {
        LP_COMMON_OPTIONS(&config.common),
        {"listen", "LAPOR_INTAKE_LISTEN", LP_OPT_STRING, "127.0.0.1:8080",
         "HTTP address of the web pages and the API", &config.listen},
        {"threads", "LAPOR_INTAKE_THREADS", LP_OPT_INT, "4", "HTTP worker threads",
         &config.threads},
        {0},
    };
    int first = 0;
    int rc = lp_config_parse("lapor-intake",
                             "Receives complaints (JSON API), stores them, rings the router.",
                             options, argc, argv, &first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (config.threads < 1 || config.threads > 64)
        config.threads = 4;
    return intake_main(&config);
}
