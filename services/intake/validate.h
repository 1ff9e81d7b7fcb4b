/* validate: turning an untrusted JSON complaint into a checked intake_complaint_t.
 *
 * Every byte is hostile: the JSON must be valid UTF-8 (jansson checks), every field
 * must have the right type (an object such as {"$gt": ""} where text belongs is
 * refused, so nothing shaped like a query operator ever reaches the database),
 * lengths are bounded, and region and category must be known. */
#ifndef INTAKE_VALIDATE_H
#define INTAKE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"
#include "lp_event.h"

#define INTAKE_TITLE_MIN 5
#define INTAKE_TITLE_MAX 150
#define INTAKE_BODY_MIN 10
#define INTAKE_BODY_MAX 5000
#define INTAKE_NAME_MAX 100
#define INTAKE_EMAIL_MAX 254
#define INTAKE_PHONE_MAX 16 /* "+62" and up to 13 digits */

/* Lookups of reference data, so validation can be tested without a database. */
typedef struct {
    bool (*region_known)(void *arg, const char *code);
    bool (*category_known)(void *arg, const char *id);
    void *arg;
} intake_lookup_t;

typedef struct {
    Lapor__V1__ReportType type;
    Lapor__V1__Privacy privacy;
    char *title;
    char *body;
    char *category; /* NULL: not given, the router classifies the text */
    char *region;
    char *reporter_name;  /* NULL when not given; always NULL when anonymous */
    char *reporter_phone; /* normalised "+628..." */
    char *reporter_email;
    char lang[3]; /* "id" (default) or "en": the language of messages to the reporter */
} intake_complaint_t;

/* Parses and checks a JSON complaint. On success fills out (free with
 * intake_complaint_clear) and returns 0; otherwise returns -1 with err naming the
 * field (err->field empty for a body that is not JSON at all). */
int intake_complaint_parse(const char *json, size_t len, const intake_lookup_t *lookup,
                           intake_complaint_t *out, lp_error_t *err);

void intake_complaint_clear(intake_complaint_t *c);

/* Normalises an Indonesian phone number (08.., 628.., +628.., with spaces, dashes,
 * dots or brackets) to "+62...". Returns 0, or -1 when it is not one. */
int intake_phone_normalize(const char *in, char *out, size_t size);

/* Number of Unicode code points in valid UTF-8 text. */
size_t intake_utf8_length(const char *s);

#endif
