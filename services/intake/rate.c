/* rate: intake's rate limits, per client address (HTTP writes) and per phone (SMS). */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "intake-private.h"
#include "lp_clock.h"
#include "lp_log.h"

/* How many addresses and phones the limiters remember (about 100 bytes each). */
#define RATE_MAX_KEYS 65536

int
intake_rate_start(intake_t *self)
{
    const intake_config_t *cfg = self->config;

    self->rate_limited_ip = lp_metrics_counter("lapor_rate_limited_total", "by=\"ip\"",
                                               "Requests refused by a rate limit");
    self->rate_limited_phone = lp_metrics_counter("lapor_rate_limited_total", "by=\"phone\"",
                                                  "Requests refused by a rate limit");
    if (cfg->rate_ip_per_minute > 0) {
        self->rate_ip = lp_ratelimit_new((double) cfg->rate_ip_per_minute,
                                         (double) cfg->rate_ip_burst, RATE_MAX_KEYS);
        if (!self->rate_ip)
            goto fail;
    }
    if (cfg->rate_phone_per_hour > 0) {
        double per_minute = (double) cfg->rate_phone_per_hour / 60.0;
        self->rate_phone =
            lp_ratelimit_new(per_minute, (double) cfg->rate_phone_burst, RATE_MAX_KEYS);
        self->rate_notice = lp_ratelimit_new(per_minute, 1, RATE_MAX_KEYS);
        if (!self->rate_phone || !self->rate_notice || sodium_init() < 0)
            goto fail;
        randombytes_buf(self->phone_key, sizeof self->phone_key);
    }
    lp_log(LP_LOG_INFO, "rate.limits", "{s:i,s:i,s:i,s:i}", "ip_per_minute",
           (int) cfg->rate_ip_per_minute, "ip_burst", (int) cfg->rate_ip_burst, "phone_per_hour",
           (int) cfg->rate_phone_per_hour, "phone_burst", (int) cfg->rate_phone_burst);
    return 0;
fail:
    lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message",
           "cannot set up the rate limits (out of memory?)");
    intake_rate_stop(self);
    return -1;
}

void
intake_rate_stop(intake_t *self)
{
    lp_ratelimit_destroy(&self->rate_ip);
    lp_ratelimit_destroy(&self->rate_phone);
    lp_ratelimit_destroy(&self->rate_notice);
}

/* Whole seconds for Retry-After, rounded up, at least 1. */
static int64_t
s_seconds(int64_t ms)
{
    int64_t s = (ms + 999) / 1000;
    return s < 1 ? 1 : s;
}

bool
intake_rate_allow(intake_t *self, lp_http_req_t *req)
{
    int64_t wait_ms = 0, wait_s = 0;
    char value[24], message[160];

    if (!self->rate_ip ||
        lp_ratelimit_take(self->rate_ip, lp_http_client_ip(req), lp_mono_ms(), &wait_ms))
        return true;
    lp_metric_inc(self->rate_limited_ip);
    wait_s = s_seconds(wait_ms);
    snprintf(value, sizeof value, "%" PRId64, wait_s);
    snprintf(message, sizeof message,
             "too many requests from your address; please try again in %" PRId64 " seconds",
             wait_s);
    /* Debug only: under a flood one line per refusal would drown the log. */
    lp_log(LP_LOG_DEBUG, "rate.limited", "{s:s,s:s}", "by", "ip", "path", lp_http_path(req));
    lp_http_add_header(req, "Retry-After", value);
    lp_http_reply_error(req, 429, NULL, message);
    return false;
}

intake_rate_verdict_t
intake_rate_phone(intake_t *self, const char *phone, int64_t *retry_after_s)
{
    unsigned char digest[16];
    char key[2 * sizeof digest + 1];
    char normalized[INTAKE_PHONE_MAX + 8];
    int64_t now = lp_mono_ms(), wait_ms = 0;

    if (!self->rate_phone || !phone)
        return INTAKE_RATE_OK;
    /* One number written three ways is still one number; the table keeps a keyed
     * hash, never the number itself. */
    if (intake_phone_normalize(phone, normalized, sizeof normalized) != 0)
        snprintf(normalized, sizeof normalized, "%.20s", phone);
    crypto_generichash(digest, sizeof digest, (const unsigned char *) normalized,
                       strlen(normalized), self->phone_key, sizeof self->phone_key);
    sodium_bin2hex(key, sizeof key, digest, sizeof digest);
    if (lp_ratelimit_take(self->rate_phone, key, now, &wait_ms))
        return INTAKE_RATE_OK;
    lp_metric_inc(self->rate_limited_phone);
    if (retry_after_s)
        *retry_after_s = s_seconds(wait_ms);
    return lp_ratelimit_take(self->rate_notice, key, now, NULL) ? INTAKE_RATE_NOTICE
                                                                : INTAKE_RATE_QUIET;
}
