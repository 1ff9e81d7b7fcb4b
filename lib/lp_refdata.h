/* lp_refdata: the reference data a service holds in memory: regions, categories,
 * agencies, routing rules and the holiday calendar, loaded from the database
 * (where `laporctl import` put them). A loaded set is read-only and may be shared
 * by threads; to refresh, load a new one and swap. */
#ifndef LP_REFDATA_H
#define LP_REFDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_classify.h"
#include "lp_error.h"
#include "lp_route.h"
#include "lp_store.h"
#include "lp_workdays.h"

typedef struct {
    char *code;  /* "64.01.01.2009" */
    char *level; /* provinsi, kabupaten, kecamatan, desa */
    char *name;
    char *parent; /* "" for the province */
} lp_region_t;

typedef struct {
    char *id;
    char *name_id; /* Bahasa Indonesia */
    char *name_en;
} lp_category_t;

typedef struct {
    char *id;
    char *name;
    lp_level_t level;
    char *region_prefix;
    char **categories;
    size_t n_categories;
    char *parent_id; /* "" at the top */
} lp_agency_t;

typedef struct lp_refdata_t lp_refdata_t;

/* Loads everything. Fails when the database is unreachable or holds no regions
 * (nothing was imported yet): err says which. */
lp_refdata_t *lp_refdata_load(lp_store_t *store, lp_error_t *err);

void lp_refdata_destroy(lp_refdata_t **self_p);

const lp_region_t *lp_refdata_region(const lp_refdata_t *self, const char *code);
size_t lp_refdata_region_count(const lp_refdata_t *self);
/* Every region, sorted by code; *n gets the count. For scans such as finding a
 * place named in a text or an address. */
const lp_region_t *lp_refdata_regions(const lp_refdata_t *self, size_t *n);

bool lp_refdata_has_category(const lp_refdata_t *self, const char *id);

/* Every category, in the order the database returned them; *n gets the count. */
const lp_category_t *lp_refdata_categories(const lp_refdata_t *self, size_t *n);

const lp_agency_t *lp_refdata_agency(const lp_refdata_t *self, const char *id);
size_t lp_refdata_agency_count(const lp_refdata_t *self);

/* The responsible agency for (region, category), skipping excluded agency ids;
 * rule_out (may be NULL) gets "rule" or "coverage". NULL when none matches. */
const lp_agency_t *lp_refdata_route(const lp_refdata_t *self, const char *region,
                                    const char *category, const char *const *exclude,
                                    size_t n_exclude, const char **rule_out);

const lp_workdays_t *lp_refdata_calendar(const lp_refdata_t *self);

/* The keyword classifier built from the `keywords` collection (may hold no phrases). */
const lp_classifier_t *lp_refdata_classifier(const lp_refdata_t *self);

/* Parses an agency level word ("national", "province", "regency", "district",
 * "village"); -1 when unknown. */
int lp_refdata_level_from_name(const char *name);

#endif
