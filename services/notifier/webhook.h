/* webhook: signing and sending agency webhooks in the Standard Webhooks style.
 *
 * Headers: webhook-id (the event id, the same on every retry, so a receiver can
 * drop duplicates), webhook-timestamp (Unix seconds of this attempt) and
 * webhook-signature: "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body)).
 * The key is the agency secret's bytes; a secret written "whsec_<base64>" (the
 * Standard Webhooks form) is base64-decoded first. */
#ifndef NOTIFIER_WEBHOOK_H
#define NOTIFIER_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_SIGNATURE_LEN 64 /* "v1," + 44 base64 characters + NUL fits */

/* Writes the signature header value into out. Returns 0, or -1 for a secret that
 * says whsec_ but is not base64. */
int webhook_sign(const char *secret, const char *id, int64_t timestamp, const char *body,
                 size_t body_len, char out[WEBHOOK_SIGNATURE_LEN]);

/* What one sender keeps between posts: libcurl's handle, with its open connections
 * (and TLS sessions), so that the next post to the same receiver reuses one instead
 * of connecting (and, for https, handshaking) again. One per thread. */
typedef struct webhook_client_t webhook_client_t;

/* NULL when out of memory. */
webhook_client_t *webhook_client_new(void);
void webhook_client_destroy(webhook_client_t **self_p);

/* POSTs body to url with the signed headers. Returns the HTTP status (2xx is
 * success), or -1 when no answer came (refused, timed out); error gets a reason. */
long webhook_post(webhook_client_t *self, const char *url, const char *secret, const char *id,
                  const char *body, long timeout_ms, char *error, size_t error_size);

#endif
