/* lapor-router: flags and environment, then router_main. */
#include "router.h"

int
main(int argc, char **argv)
{
    router_config_t config = {0};
    lp_option_t options[] = {
        LP_COMMON_OPTIONS(&config.common),
        {"listen", "LAPOR_ROUTER_LISTEN", LP_OPT_STRING, "127.0.0.1:8082",
         "HTTP address of /healthz and /metrics", &config.listen},
        {"followup-days", "LAPOR_FOLLOWUP_DAYS", LP_OPT_INT, "5",
         "working days an agency has to follow up a disposed complaint", &config.followup_days},
        {"close-days", "LAPOR_CLOSE_DAYS", LP_OPT_INT, "10",
         "working days after a resolution without reply before the complaint closes",
         &config.close_days},
        {"retention-days", "LAPOR_RETENTION_DAYS", LP_OPT_INT, "365",
         "days a closed or archived complaint keeps the reporter's details (then erased)",
         &config.retention_days},
        {"classify-threshold", "LAPOR_CLASSIFY_THRESHOLD", LP_OPT_INT, "60",
         "confidence (percent) the keyword classifier needs; below it: triage desk",
         &config.classify_threshold},
        {"deadline-every-ms", "LAPOR_DEADLINE_EVERY_MS", LP_OPT_INT, "300000",
         "how often missed deadlines are looked for", &config.deadline_every_ms},
        {0},
    };
    int first = 0;
    int rc = lp_config_parse("lapor-router",
                             "Disposes each complaint to the responsible agency, with deadlines.",
                             options, argc, argv, &first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (config.followup_days < 1 || config.followup_days > 60)
        config.followup_days = 5;
    if (config.retention_days < 1)
        config.retention_days = 365;
    if (config.close_days < 1 || config.close_days > 60)
        config.close_days = 10;
    if (config.classify_threshold < 0 || config.classify_threshold > 100)
        config.classify_threshold = 60;
    if (config.deadline_every_ms < 100)
        config.deadline_every_ms = 60000;
    return router_main(&config);
}
