/* web_token: HMAC-SHA256 tokens with a timestamp, checked in constant time. */
#include "web_token.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_mac_hex(const unsigned char key[WEB_TOKEN_KEY_LEN], const char *purpose, const char *subject,
          int64_t at_s, char hex[65])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char stamp[24];

    snprintf(stamp, sizeof stamp, "%" PRId64, at_s);
    crypto_auth_hmacsha256_init(&st, key, WEB_TOKEN_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *) purpose, strlen(purpose));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *) ":", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *) subject, strlen(subject));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *) ":", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *) stamp, strlen(stamp));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
}

void
web_token_make(const unsigned char key[WEB_TOKEN_KEY_LEN], const char *purpose, const char *subject,
               int64_t now_s, char out[WEB_TOKEN_LEN + 1])
{
    char hex[65];
    s_mac_hex(key, purpose, subject, now_s, hex);
    snprintf(out, WEB_TOKEN_LEN + 1, "%" PRId64 ".%s", now_s, hex);
}

bool
web_token_check(const unsigned char key[WEB_TOKEN_KEY_LEN], const char *purpose,
                const char *subject, const char *token, int64_t now_s, int64_t max_age_s)
{
    char hex[65];
    const char *dot = token ? strchr(token, '.') : NULL;
    int64_t at = 0;

    if (!dot || !subject || dot == token || dot - token > 19 || strlen(dot + 1) != 64)
        return false;
    for (const char *p = token; p < dot; p++) {
        if (*p < '0' || *p > '9')
            return false;
        at = at * 10 + (*p - '0');
    }
    if (at > now_s + 60 || now_s - at > max_age_s)
        return false;
    s_mac_hex(key, purpose, subject, at, hex);
    return sodium_memcmp(hex, dot + 1, 64) == 0;
}

bool
web_token_nonce_ok(const char *s)
{
    return s && strlen(s) == WEB_NONCE_LEN && strspn(s, "0123456789abcdef") == WEB_NONCE_LEN;
}

void
web_token_nonce(char out[WEB_NONCE_LEN + 1])
{
    unsigned char raw[WEB_NONCE_LEN / 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, WEB_NONCE_LEN + 1, raw, sizeof raw);
}
