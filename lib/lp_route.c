/* lp_route: choosing the responsible agency among rules and coverage candidates. */
#include "lp_route.h"

#include <string.h>

/* How well a category list names a category: a named entry beats "*". */
enum { S_CATEGORY_NONE = -1, S_CATEGORY_ANY = 0, S_CATEGORY_NAMED = 1 };

/* What the ordering of lp_route_match looks at, computed once per candidate. */
typedef struct {
    int priority;
    int depth;
    int category_fit;
    int level;
    const char *agency_id;
} s_score_t;

bool
lp_route_region_covers(const char *prefix, const char *region)
{
    size_t len = 0;
    /* A missing prefix or region is read as "": national coverage, unknown place. */
    if (!prefix)
        prefix = "";
    if (!region)
        region = "";
    len = strlen(prefix);
    if (len == 0)
        return true;
    if (strncmp(prefix, region, len) != 0)
        return false;
    /* The match must end at a segment boundary: "64.01" is not a prefix of "64.011". */
    return region[len] == '\0' || region[len] == '.';
}

int
lp_route_region_depth(const char *code)
{
    int depth = 0;
    if (!code || !*code)
        return 0;
    depth = 1;
    for (const char *p = code; *p; p++)
        if (*p == '.')
            depth++;
    return depth;
}

static int
s_category_fit(const lp_route_candidate_t *cand, const char *category)
{
    int fit = S_CATEGORY_NONE;
    for (size_t i = 0; cand->categories && i < cand->n_categories; i++) {
        const char *entry = cand->categories[i];
        if (!entry)
            continue;
        if (category && *category && strcmp(entry, category) == 0)
            return S_CATEGORY_NAMED;
        if (strcmp(entry, "*") == 0)
            fit = S_CATEGORY_ANY;
    }
    return fit;
}

static bool
s_is_excluded(const char *agency_id, const char *const *exclude, size_t n_exclude)
{
    for (size_t i = 0; exclude && i < n_exclude; i++)
        if (exclude[i] && strcmp(exclude[i], agency_id) == 0)
            return true;
    return false;
}

/* True when a should be chosen over b, in the order the header promises. */
static bool
s_better(const s_score_t *a, const s_score_t *b)
{
    if (a->priority != b->priority)
        return a->priority > b->priority;
    if (a->depth != b->depth)
        return a->depth > b->depth;
    if (a->category_fit != b->category_fit)
        return a->category_fit > b->category_fit;
    if (a->level != b->level)
        return a->level > b->level;
    return strcmp(a->agency_id, b->agency_id) < 0;
}

int
lp_route_match(const lp_route_candidate_t *cands, size_t n, const char *region,
               const char *category, const char *const *exclude, size_t n_exclude)
{
    s_score_t best = {0};
    s_score_t score = {0};
    int best_index = -1;

    for (size_t i = 0; cands && i < n; i++) {
        const lp_route_candidate_t *cand = &cands[i];
        /* A candidate with no agency cannot receive anything; skip rather than crash. */
        if (!cand->agency_id || !*cand->agency_id)
            continue;
        if (s_is_excluded(cand->agency_id, exclude, n_exclude))
            continue;
        if (!lp_route_region_covers(cand->region_prefix, region))
            continue;
        score.category_fit = s_category_fit(cand, category);
        if (score.category_fit == S_CATEGORY_NONE)
            continue;
        score.priority = cand->priority;
        score.depth = lp_route_region_depth(cand->region_prefix);
        score.level = (int) cand->level;
        score.agency_id = cand->agency_id;
        /* Equal scores mean the same agency, so keeping the first changes no answer. */
        if (best_index < 0 || s_better(&score, &best)) {
            best = score;
            best_index = (int) i;
        }
    }
    return best_index;
}
