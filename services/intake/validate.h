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

/* An answer to a question of the service (Open311 attribute): code and value. */
typedef struct {
    char *code;
    char *value;
} intake_attribute_t;

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
    /* Open311 extras, empty from other channels: where it happened (WGS 84), and
     * the answers to the service's attributes (owned, freed by clear). */
    bool has_location;
    double lat, lon;
    intake_attribute_t *attributes;
    size_t n_attributes;
} intake_complaint_t;

/* A complaint as untrusted text from any channel (JSON API, Open311, web form):
 * NULL means "not given". The pointers are borrowed. */
typedef struct {
    const char *type;    /* pengaduan (default), aspirasi, informasi */
    const char *privacy; /* public (default), anonymous, confidential */
    const char *title;
    const char *body;
    const char *category;
    const char *region;
    const char *reporter_name;
    const char *reporter_phone;
    const char *reporter_email;
    const char *lang; /* id (default), en */
} intake_fields_t;

/* The checks every channel shares: UTF-8, lengths, control characters, phone
 * normalisation, email shape, known region and category, anonymity. On success
 * fills out (free with intake_complaint_clear) and returns 0; otherwise -1 with
 * err->field named as in the JSON API ("title", "reporter.phone"...). */
int intake_complaint_check(const intake_fields_t *in, const intake_lookup_t *lookup,
                           intake_complaint_t *out, lp_error_t *err);

/* The same checks, reporting every wrong field rather than the first (a web form
 * marks them all): up to max_errs errors go to errs, their number to *n_errs (may
 * be NULL). Returns 0 (out filled) or -1 (out cleared). */
int intake_complaint_check_all(const intake_fields_t *in, const intake_lookup_t *lookup,
                               intake_complaint_t *out, lp_error_t *errs, size_t max_errs,
                               size_t *n_errs);

/* Parses and checks a JSON complaint. On success fills out (free with
 * intake_complaint_clear) and returns 0; otherwise returns -1 with err naming the
 * field (err->field empty for a body that is not JSON at all). */
int intake_complaint_parse(const char *json, size_t len, const intake_lookup_t *lookup,
                           intake_complaint_t *out, lp_error_t *err);

void intake_complaint_clear(intake_complaint_t *c);

/* Normalises an Indonesian phone number (08.., 628.., +628.., with spaces, dashes,
 * dots or brackets) to "+62...". Returns 0, or -1 when it is not one. */
int intake_phone_normalize(const char *in, char *out, size_t size);

/* True when the len bytes of s are well-formed UTF-8 (no overlong forms, no
 * surrogates). NUL bytes count as text here: callers refuse them separately. */
bool intake_utf8_valid(const char *s, size_t len);

/* Number of Unicode code points in valid UTF-8 text. */
size_t intake_utf8_length(const char *s);

#endif
