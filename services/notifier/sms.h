/* sms: citizens' SMS through Kannel's sendsms HTTP interface (libcurl), and the
 * arithmetic of SMS sizes.
 *
 * One SMS holds 160 GSM-7 characters (the escaped ones ^ { } \ [ ] ~ | € count
 * twice) or 70 UCS-2 code units when any character is outside GSM-7. A longer text
 * is sent as concatenated parts of 153 (GSM-7) or 67 (UCS-2), which the phone
 * joins; Kannel does the splitting (sendsms-user max-messages, concatenation).
 * The notifier sends GSM-7 whenever the text allows it and cuts a text that would
 * need more than NOTIFIER_SMS_MAX_PARTS parts at a word boundary. */
#ifndef NOTIFIER_SMS_H
#define NOTIFIER_SMS_H

#include <stdbool.h>
#include <stddef.h>

#define NOTIFIER_SMS_MAX_PARTS 6 /* keep in step with max-messages in deploy/kannel */

typedef struct {
    bool gsm7;    /* every character is in the GSM 03.38 alphabet (or its extension) */
    size_t units; /* septets (GSM-7) or UTF-16 code units (UCS-2) */
    size_t parts; /* SMS needed: 1 when it fits one, else concatenated parts */
} notifier_sms_size_t;

/* Measures a UTF-8 text. Returns 0, or -1 when it is not valid UTF-8. An empty
 * text is one (empty) SMS. */
int notifier_sms_measure(const char *text, notifier_sms_size_t *out);

/* Copies text into out, cut at a word boundary and ended with "..." when it needs
 * more than max_parts SMS. Returns the number of parts the copy needs, or -1 when
 * text is not valid UTF-8 or out is too small. */
int notifier_sms_fit(const char *text, size_t max_parts, char *out, size_t size);

typedef struct {
    const char *url;      /* http://127.0.0.1:13013/cgi-bin/sendsms; "" = not configured */
    const char *username; /* sendsms-user */
    const char *password;
    const char *sender; /* from=, the number citizens write to */
    long timeout_ms;
} notifier_sms_config_t;

typedef enum {
    NOTIFIER_SMS_SENT,  /* Kannel accepted it (202 "Accepted for delivery" / "Sent.") */
    NOTIFIER_SMS_RETRY, /* no answer, 5xx, or our credentials refused: try again later */
    NOTIFIER_SMS_DEAD,  /* Kannel refused the message (4xx: a bad or barred number) */
} notifier_sms_result_t;

/* Sends text to the number to ("+62..."). *status gets Kannel's HTTP status (-1:
 * no answer); error a reason without the number or the password. */
notifier_sms_result_t notifier_sms_send(const notifier_sms_config_t *config, const char *to,
                                        const char *text, long *status, char *error,
                                        size_t error_size);

#endif
