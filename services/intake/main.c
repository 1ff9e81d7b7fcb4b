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
        {"identity-file", "LAPOR_IDENTITY_SEAL_FILE", LP_OPT_STRING, "run/keys/identity.seal",
         "key file that seals reporters' contacts (laporctl identity-keygen makes it)",
         &config.identity_file},
        {"secure-cookies", "LAPOR_SECURE_COOKIES", LP_OPT_FLAG, NULL,
         "mark session cookies Secure (set it when the portal is served over HTTPS)",
         &config.secure_cookies},
        {"shed-ms", "LAPOR_INTAKE_SHED_MS", LP_OPT_INT, "2000",
         "when storing a complaint takes longer, new ones get 503 with Retry-After for a second",
         &config.shed_ms},
        {"threads", "LAPOR_INTAKE_THREADS", LP_OPT_INT, "16", "HTTP worker threads",
         &config.threads},
        {"commit-wait-ms", "LAPOR_INTAKE_COMMIT_WAIT_MS", LP_OPT_INT, "5",
         "under load (the last write stored three or more), how long storing complaints waits "
         "for half the threads' complaints to store them together (0: never waits)",
         &config.commit_wait_ms},
        {"dispose-days", "LAPOR_DISPOSE_DAYS", LP_OPT_INT, "3",
         "working days to verify and dispose a complaint", &config.dispose_days},
        {"followup-days", "LAPOR_FOLLOWUP_DAYS", LP_OPT_INT, "5",
         "working days an agency has to follow up (triage desk dispositions)",
         &config.followup_days},
        {"trusted-proxies", "LAPOR_TRUSTED_PROXIES", LP_OPT_STRING, NULL,
         "reverse proxies whose X-Forwarded-For is believed (addresses or CIDR, comma-separated)",
         &config.trusted_proxies},
        {"rate-ip-per-minute", "LAPOR_RATE_IP_PER_MINUTE", LP_OPT_INT, "30",
         "write requests a client address may make a minute (0: no limit)",
         &config.rate_ip_per_minute},
        {"rate-ip-burst", "LAPOR_RATE_IP_BURST", LP_OPT_INT, "10",
         "write requests a client address may make at once", &config.rate_ip_burst},
        {"rate-phone-per-hour", "LAPOR_RATE_PHONE_PER_HOUR", LP_OPT_INT, "10",
         "complaints a phone number may send an hour by SMS (0: no limit)",
         &config.rate_phone_per_hour},
        {"rate-phone-burst", "LAPOR_RATE_PHONE_BURST", LP_OPT_INT, "3",
         "complaints a phone number may send at once by SMS", &config.rate_phone_burst},
        {"sms-inbound-token", "LAPOR_SMS_INBOUND_TOKEN", LP_OPT_STRING, NULL,
         "secret that Kannel's get-url passes as token= to /sms/inbound (empty: no check)",
         &config.sms_token},
        {"web-secret", "LAPOR_WEB_SECRET", LP_OPT_STRING, NULL,
         "secret that signs the web form tokens; set the same one on every intake behind one "
         "address (empty: random per process)",
         &config.web_secret},
        {"attach-max-files", "LAPOR_ATTACH_MAX_FILES", LP_OPT_INT, "5",
         "attachments one complaint may have", &config.attach_max_files},
        {"attach-max-bytes", "LAPOR_ATTACH_MAX_BYTES", LP_OPT_INT, "10485760",
         "bytes one uploaded file may have", &config.attach_max_bytes},
        {"attach-max-pixels", "LAPOR_ATTACH_MAX_PIXELS", LP_OPT_INT, "50000000",
         "pixels (width x height) an uploaded image may have; checked before decoding",
         &config.attach_max_pixels},
        {"attach-long-side", "LAPOR_ATTACH_LONG_SIDE", LP_OPT_INT, "2048",
         "pixels: stored images are shrunk to at most this width and height",
         &config.attach_long_side},
        {"attach-window-s", "LAPOR_ATTACH_WINDOW_S", LP_OPT_INT, "3600",
         "seconds after submission in which files may be added without the reporter's PIN",
         &config.attach_window_s},
        {"attach-orphan-ms", "LAPOR_ATTACH_ORPHAN_MS", LP_OPT_INT, "600000",
         "a stored file no complaint refers to is removed when older than this",
         &config.attach_orphan_ms},
        {"spool-dir", "LAPOR_SPOOL_DIR", LP_OPT_STRING, NULL,
         "directory for uploads while they arrive and are cleaned (empty: $TMPDIR or /tmp)",
         &config.spool_dir},
        {"public-url", "LAPOR_PUBLIC_URL", LP_OPT_STRING, NULL,
         "intake's public address, for Open311's media_url (empty: from the Host header)",
         &config.public_url},
        {0},
    };
    int first = 0;
    int rc = lp_config_parse("lapor-intake",
                             "Receives complaints (JSON API), stores them, rings the router.",
                             options, argc, argv, &first);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    if (config.shed_ms < 50)
        config.shed_ms = 2000;
    if (config.threads < 1 || config.threads > 64)
        config.threads = 16;
    if (config.commit_wait_ms < 0 || config.commit_wait_ms > 1000)
        config.commit_wait_ms = 5;
    if (config.dispose_days < 1 || config.dispose_days > 60)
        config.dispose_days = 3;
    if (config.followup_days < 1 || config.followup_days > 60)
        config.followup_days = 5;
    if (config.rate_ip_burst < 1)
        config.rate_ip_burst = 1;
    if (config.rate_phone_burst < 1)
        config.rate_phone_burst = 1;
    if (config.attach_max_files < 0 || config.attach_max_files > 32)
        config.attach_max_files = 5;
    if (config.attach_max_bytes < 1024)
        config.attach_max_bytes = 10485760;
    if (config.attach_max_pixels < 1)
        config.attach_max_pixels = 50000000;
    if (config.attach_long_side < 64 || config.attach_long_side > 10000)
        config.attach_long_side = 2048;
    if (config.attach_window_s < 0)
        config.attach_window_s = 3600;
    if (config.attach_orphan_ms < 1000)
        config.attach_orphan_ms = 600000;
    return intake_main(&config);
}
