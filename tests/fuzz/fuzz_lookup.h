/* fuzz_lookup: reference data for fuzzing intake's parsers without a database: two
 * region codes and two categories, the ones the seed corpus uses. */
#ifndef FUZZ_LOOKUP_H
#define FUZZ_LOOKUP_H

#include <string.h>

#include "validate.h"

static inline bool
fuzz_region_known(void *arg, const char *code)
{
    (void) arg;
    return strcmp(code, "64.01.01.2009") == 0 || strcmp(code, "64.01") == 0;
}

static inline bool
fuzz_category_known(void *arg, const char *id)
{
    (void) arg;
    return strcmp(id, "kesehatan") == 0 || strcmp(id, "jalan") == 0;
}

/* The lookup to hand to intake's parsers. */
static inline const intake_lookup_t *
fuzz_lookup(void)
{
    static const intake_lookup_t lookup = {fuzz_region_known, fuzz_category_known, NULL};
    return &lookup;
}

#endif
