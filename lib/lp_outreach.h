/* lp_outreach: "SP4N-LAPOR! Masuk Desa": the programme's target and its visits.
 *
 * Diskominfo Kaltim brings SP4N-LAPOR! to 10 villages in 5 regencies, 2 villages
 * and 50 people each: 500 people. The target lives here, in one table; visits
 * (village, date, people reached, note) live in the `outreach_visits` collection,
 * written by the reporter's API and by `laporctl outreach add`. */
#ifndef LP_OUTREACH_H
#define LP_OUTREACH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"
#include "lp_refdata.h"
#include "lp_store.h"

#define LP_COLL_OUTREACH_VISITS "outreach_visits"
#define LP_OUTREACH_ID_LEN 24
#define LP_OUTREACH_WINDOW_DAYS 28 /* impact: four weeks before versus after a visit */

typedef struct {
    const char *regency; /* Kemendagri code */
    const char *name;
    int month; /* planned month (1-12), from the programme announcement */
    int villages;
    int people_per_village;
} lp_outreach_target_t;

/* The programme's target, one row per regency; *n gets the number of rows. */
const lp_outreach_target_t *lp_outreach_targets(size_t *n);

/* Checks a visit; returns NULL when good, else the name of the bad field with a
 * message in message. ref (may be NULL) must know village as a desa. */
const char *lp_outreach_check(const lp_refdata_t *ref, const char *village, const char *date,
                              long long people, const char *note, char *message, size_t size);

/* Stores a checked visit; id gets its new id (24 hex). Returns false with err. */
bool lp_outreach_add(lp_store_t *store, const lp_refdata_t *ref, const char *village,
                     const char *date, long long people, const char *note, const char *by,
                     char id[LP_OUTREACH_ID_LEN + 1], lp_error_t *err);

/* Every visit, oldest first: [{id, village, village_name, regency, regency_name,
 * date, people, note, created_by}]. NULL with err on a database error. */
json_t *lp_outreach_list(lp_store_t *store, lp_error_t *err);

#endif
