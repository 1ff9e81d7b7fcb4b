/* lp_route: which agency is responsible for a complaint about a category in a region.
 *
 * Regions are Kemendagri codes with dotted segments: 64 (province), 64.01 (regency),
 * 64.01.01 (district), 64.01.01.2009 (village). A candidate covers a region when
 * its prefix is a whole-segment prefix of the region ("64.01" covers "64.01.01" but
 * not "64.011"); the empty prefix covers everything (national agencies). */
#ifndef LP_ROUTE_H
#define LP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    LP_LEVEL_NATIONAL = 0,
    LP_LEVEL_PROVINCE = 1,
    LP_LEVEL_REGENCY = 2,
    LP_LEVEL_DISTRICT = 3,
    LP_LEVEL_VILLAGE = 4,
} lp_level_t;

typedef struct {
    const char *agency_id;         /* the agency a match disposes to */
    const char *region_prefix;     /* Kemendagri code prefix; "" covers everything */
    const char *const *categories; /* category ids; "*" matches any category */
    size_t n_categories;
    lp_level_t level; /* the agency's level of government */
    int priority;     /* explicit routing rules > 0; agency coverage 0 */
} lp_route_candidate_t;

/* True when prefix covers region by whole dotted segments ("" covers all). */
bool lp_route_region_covers(const char *prefix, const char *region);

/* Number of segments in a code: "" 0, "64" 1, "64.01" 2, "64.01.01.2009" 4. */
int lp_route_region_depth(const char *code);

/* Picks the responsible candidate for (region, category), skipping any whose
 * agency_id is in exclude (agencies that said "not our authority").
 * Order: highest priority; then longest covering prefix (most segments); then a
 * named category over "*"; then the more local level; then the smaller agency_id,
 * so the answer never depends on input order. Returns the index, or -1 if none. */
int lp_route_match(const lp_route_candidate_t *cands, size_t n, const char *region,
                   const char *category, const char *const *exclude, size_t n_exclude);

#endif
