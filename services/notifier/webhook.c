/* webhook: HMAC-SHA256 signatures (libsodium) and the POST itself (libcurl). */
#include "webhook.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
webhook_sign(const char *secret, const char *id, int64_t timestamp, const char *body,
             size_t body_len, char out[WEBHOOK_SIGNATURE_LEN])
{
    crypto_auth_hmacsha256_state state;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    unsigned char key[256];
    size_t key_len = 0;
    char ts[24];

    if (sodium_init() < 0)
        return -1;
    if (strncmp(secret, "whsec_", 6) == 0) {
        if (sodium_base642bin(key, sizeof key, secret + 6, strlen(secret + 6), NULL, &key_len, NULL,
                              sodium_base64_VARIANT_ORIGINAL) != 0)
            return -1;
    }
    else {
        key_len = strlen(secret);
        if (key_len > sizeof key)
            return -1;
        memcpy(key, secret, key_len);
    }
    snprintf(ts, sizeof ts, "%lld", (long long) timestamp);
    crypto_auth_hmacsha256_init(&state, key, key_len);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) id, strlen(id));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) ".", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) ts, strlen(ts));
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) ".", 1);
    crypto_auth_hmacsha256_update(&state, (const unsigned char *) body, body_len);
    crypto_auth_hmacsha256_final(&state, mac);
    sodium_memzero(key, sizeof key);
    memcpy(out, "v1,", 3);
    sodium_bin2base64(out + 3, WEBHOOK_SIGNATURE_LEN - 3, mac, sizeof mac,
                      sodium_base64_VARIANT_ORIGINAL);
    return 0;
}

struct webhook_client_t {
    CURL *curl;
};

webhook_client_t *
webhook_client_new(void)
{
    webhook_client_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    if (!(self->curl = curl_easy_init()))
        webhook_client_destroy(&self);
    return self;
}

void
webhook_client_destroy(webhook_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    webhook_client_t *self = *self_p;
    if (self->curl)
        curl_easy_cleanup(self->curl);
    free(self);
    *self_p = NULL;
}

/* Drops the receiver's answer body: only its status matters. */
static size_t
s_discard(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    return size * nmemb;
}

long
webhook_post(webhook_client_t *self, const char *url, const char *secret, const char *id,
             const char *body, long timeout_ms, char *error, size_t error_size)
{
    CURL *curl = self->curl;
    struct curl_slist *headers = NULL;
    char sig[WEBHOOK_SIGNATURE_LEN], line[160];
    int64_t now = (int64_t) time(NULL);
    long status = -1;
    CURLcode res;

    error[0] = '\0';
    if (webhook_sign(secret, id, now, body, strlen(body), sig) != 0) {
        snprintf(error, error_size, "the agency secret is not usable");
        return -1;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    snprintf(line, sizeof line, "webhook-id: %s", id);
    headers = curl_slist_append(headers, line);
    snprintf(line, sizeof line, "webhook-timestamp: %lld", (long long) now);
    headers = curl_slist_append(headers, line);
    snprintf(line, sizeof line, "webhook-signature: %s", sig);
    headers = curl_slist_append(headers, line);
    headers = curl_slist_append(headers, "User-Agent: lapor-notifier/0.1");

    /* Every option of the last post goes; its open connections stay. */
    curl_easy_reset(curl);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_discard);
    /* Only http(s), and no redirects: a webhook must reach the address configured. */
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    res = curl_easy_perform(curl);
    if (res == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    else
        snprintf(error, error_size, "%s", curl_easy_strerror(res));
    curl_slist_free_all(headers);
    return status;
}
