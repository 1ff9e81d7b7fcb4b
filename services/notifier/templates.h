/* templates: what a citizen reads, per event and language (Bahasa Indonesia first).
 *
 * Every message names the tracking ID, says what happened and what the reporter can
 * do next; by SMS, which words to send back. Pure: no I/O, testable alone. */
#ifndef NOTIFIER_TEMPLATES_H
#define NOTIFIER_TEMPLATES_H

#include <stddef.h>

/* The values a template may use: {id}, {agency}, {deadline}, {note}, {number}.
 * {pin} stays as it is: the sender fills it in at the last moment (notifier_fill_pin),
 * so the PIN is never stored in the outbox. */
typedef struct {
    const char *tracking_id;
    const char *agency;   /* the responsible agency's name, "" when none yet */
    const char *deadline; /* a date in words, "" when none */
    const char *note;     /* the agency's question, the reason, the answer */
    const char *number;   /* the SMS number to write to (LAPOR_SMS_SENDER) */
} notifier_vars_t;

typedef struct {
    char sms[640];     /* up to four SMS parts */
    char subject[200]; /* email subject line (UTF-8, unencoded) */
    char text[2048];   /* email plain-text body */
} notifier_message_t;

/* Renders the message for kind ("received", "disposed", "followup", "question",
 * "resolved", "escalated", "closed", "archived", "reopened", "duplicate") in lang
 * ("id" or "en"; anything else is "id"). Returns 0, or -1 for an unknown kind. */
int notifier_render(const char *kind, const char *lang, const notifier_vars_t *vars,
                    notifier_message_t *out);

/* Copies text into out with every "{pin}" replaced by pin. */
void notifier_fill_pin(const char *text, const char *pin, char *out, size_t size);

/* Writes a date (ms since the epoch) in words in WITA, e.g. "5 Des 2026". */
void notifier_date(long long ms, const char *lang, char *out, size_t size);

#endif
