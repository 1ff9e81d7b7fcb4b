/* urlform: decoding application/x-www-form-urlencoded text (HTML forms, Open311).
 *
 * Pure: no I/O, no globals, so a fuzzer can call it. Every byte is hostile: a bad
 * %-escape, a NUL byte (%00), text that is not UTF-8, an empty name or more than
 * INTAKE_URLFORM_MAX_PAIRS pairs is refused, naming the parameter when it has one.
 * Names and values keep their order; a name may repeat (callers decide). */
#ifndef INTAKE_URLFORM_H
#define INTAKE_URLFORM_H

#include <stddef.h>

#include "lp_error.h"

#define INTAKE_URLFORM_MAX_PAIRS 64
#define INTAKE_URLFORM_MAX_NAME 64 /* bytes, decoded */

typedef struct intake_urlform_t intake_urlform_t;

/* Decodes len bytes of text ('+' is a space, %XX a byte; "a" alone is a = "").
 * Returns the form (caller owns: intake_urlform_destroy), or NULL with err
 * (LP_ERR_INVALID, err->field the parameter name or "" for the text as a whole;
 * LP_ERR_SYSTEM when out of memory). */
intake_urlform_t *intake_urlform_decode(const char *text, size_t len, lp_error_t *err);

/* An empty form, to fill with intake_urlform_add (NULL when out of memory). */
intake_urlform_t *intake_urlform_new(void);

/* Adds name = value[0..len) (a multipart form's field) with the same checks as
 * decoding: no NUL byte, UTF-8, a name of 1 to INTAKE_URLFORM_MAX_NAME bytes, at
 * most INTAKE_URLFORM_MAX_PAIRS pairs. Returns 0, or -1 with err. */
int intake_urlform_add(intake_urlform_t *self, const char *name, const char *value, size_t len,
                       lp_error_t *err);

/* Frees the form and sets *self_p to NULL. Accepts NULL. */
void intake_urlform_destroy(intake_urlform_t **self_p);

size_t intake_urlform_count(const intake_urlform_t *self);
const char *intake_urlform_name(const intake_urlform_t *self, size_t i);
const char *intake_urlform_value(const intake_urlform_t *self, size_t i);

/* The first value of name, or NULL when it is absent. */
const char *intake_urlform_get(const intake_urlform_t *self, const char *name);

#endif
