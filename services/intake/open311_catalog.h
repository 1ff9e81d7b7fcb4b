/* open311_catalog: what the Open311 channel says about each service (category)
 * beyond the reference data: its group and the questions (attributes) a client
 * may or must answer, from one small table.
 *
 * A service is a category id; "*" rows apply to every service. Pure data. */
#ifndef INTAKE_OPEN311_CATALOG_H
#define INTAKE_OPEN311_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"

#define INTAKE_OPEN311_MAX_ATTRIBUTES 8 /* per service, "*" rows included */

typedef struct {
    const char *key;
    const char *name;
} intake_open311_value_t;

typedef struct {
    const char *service;  /* category id, or "*" */
    const char *code;     /* safe as a BSON key: [a-z_] */
    const char *datatype; /* GeoReport v2: string, text, number, singlevaluelist */
    bool required;
    size_t max;              /* characters for string and text; digits for number */
    const char *description; /* the question, shown to the citizen */
    const char *datatype_description;
    const intake_open311_value_t *values; /* singlevaluelist: ends with {NULL, NULL} */
} intake_open311_attribute_t;

/* The group a service is listed under. */
const char *intake_open311_group(const char *service);

/* The attributes of service, in order ("*" first), into out (at most max).
 * Returns how many; their order is their place in the list, from 1. */
size_t intake_open311_attributes(const char *service, const intake_open311_attribute_t **out,
                                 size_t max);

/* The attribute code of service, or NULL when the service has none by that code. */
const intake_open311_attribute_t *intake_open311_attribute_find(const char *service,
                                                                const char *code);

/* Checks an answer against its attribute (length, digits, one of the values). 0, or
 * -1 with err (field left for the caller to set). */
int intake_open311_attribute_check(const intake_open311_attribute_t *a, const char *value,
                                   lp_error_t *err);

#endif
