/* email: one message over SMTP (libcurl), plain text with a simple HTML part. */
#ifndef NOTIFIER_EMAIL_H
#define NOTIFIER_EMAIL_H

#include <stdbool.h>

typedef struct {
    const char *url;      /* smtp://host:port or smtps://host:port; "" = not configured */
    const char *username; /* "" = no login */
    const char *password;
    const char *from; /* "LAPOR <noreply@example.go.id>" */
    bool require_tls; /* STARTTLS required on smtp:// */
    long timeout_ms;
} notifier_email_config_t;

typedef enum {
    NOTIFIER_EMAIL_SENT,
    NOTIFIER_EMAIL_RETRY, /* the server is down or said 4xx: try again later */
    NOTIFIER_EMAIL_DEAD,  /* the server refused for good (5xx): the address is wrong */
} notifier_email_result_t;

/* Sends subject and text to one address. message_id is stable across retries (a
 * Message-ID header lets a mail client drop a duplicate). */
notifier_email_result_t notifier_email_send(const notifier_email_config_t *config, const char *to,
                                            const char *subject, const char *text,
                                            const char *message_id, char *error, size_t error_size);

/* The RFC 2047 encoded-word form of a UTF-8 header value ("=?UTF-8?B?...?="),
 * or the value itself when it is plain ASCII. Returns false when out is too small. */
bool notifier_email_encode_header(const char *value, char *out, size_t size);

#endif
