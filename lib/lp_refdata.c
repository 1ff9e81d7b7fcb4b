/* lp_refdata: reference data loaded from MongoDB into sorted in-memory tables. */
#include "lp_doc.h"
#include "lp_refdata.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    char *region_prefix;
    char *category; /* one category or "*" */
    char *agency_id;
    int priority;
} s_rule_t;

struct lp_refdata_t {
    lp_region_t *regions;
    size_t n_regions;
    lp_category_t *categories;
    size_t n_categories;
    lp_agency_t *agencies;
    size_t n_agencies;
    s_rule_t *rules;
    size_t n_rules;
    lp_workdays_t *calendar;
    lp_classifier_t *classifier;
    lp_route_candidate_t *cands; /* rules first, then agencies' coverage */
    size_t n_cands;
};

static const char *s_levels[] = {"national", "province", "regency", "district", "village"};

int
lp_refdata_level_from_name(const char *name)
{
    for (int i = 0; name && i < 5; i++)
        if (strcmp(name, s_levels[i]) == 0)
            return i;
    return -1;
}

static char *
s_str(const bson_t *doc, const char *key)
{
    return strdup(lp_doc_str(doc, key));
}

/* Runs fn(doc, arg) for each document of a collection; false on a database error. */
static bool
s_each(lp_store_t *store, mongoc_client_t *client, const char *name,
       void (*fn)(lp_refdata_t *, const bson_t *), lp_refdata_t *self, lp_error_t *err)
{
    mongoc_collection_t *coll = lp_store_collection(store, client, name);
    bson_t filter = BSON_INITIALIZER;
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    bool ok = true;

    while (mongoc_cursor_next(cursor, &doc))
        fn(self, doc);
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, name);
        ok = false;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    return ok;
}

/* Grows *array (of elem bytes) to hold one more; false when out of memory. */
static bool
s_grow(void **array, size_t n, size_t elem)
{
    if ((n & (n - 1)) == 0) { /* at 0, 1, 2, 4, 8...: double */
        void *bigger = realloc(*array, (n ? n * 2 : 1) * elem);
        if (!bigger)
            return false;
        *array = bigger;
    }
    return true;
}

static void
s_add_region(lp_refdata_t *self, const bson_t *doc)
{
    if (!s_grow((void **) &self->regions, self->n_regions, sizeof *self->regions))
        return;
    lp_region_t *r = &self->regions[self->n_regions++];
    r->code = s_str(doc, "_id");
    r->level = s_str(doc, "level");
    r->name = s_str(doc, "name");
    r->parent = s_str(doc, "parent");
}

static void
s_add_category(lp_refdata_t *self, const bson_t *doc)
{
    if (!s_grow((void **) &self->categories, self->n_categories, sizeof *self->categories))
        return;
    lp_category_t *c = &self->categories[self->n_categories++];
    c->id = s_str(doc, "_id");
    c->name_id = s_str(doc, "name_id");
    c->name_en = s_str(doc, "name_en");
}

static void
s_add_agency(lp_refdata_t *self, const bson_t *doc)
{
    bson_iter_t it, arr;
    int level = 0;
    char *level_name = NULL;

    if (!s_grow((void **) &self->agencies, self->n_agencies, sizeof *self->agencies))
        return;
    lp_agency_t *a = &self->agencies[self->n_agencies++];
    memset(a, 0, sizeof *a);
    a->id = s_str(doc, "_id");
    a->name = s_str(doc, "name");
    a->region_prefix = s_str(doc, "region_prefix");
    a->parent_id = s_str(doc, "parent_id");
    level_name = s_str(doc, "level");
    level = lp_refdata_level_from_name(level_name);
    a->level = (lp_level_t) (level < 0 ? 0 : level);
    free(level_name);
    if (bson_iter_init_find(&it, doc, "categories") && BSON_ITER_HOLDS_ARRAY(&it) &&
        bson_iter_recurse(&it, &arr)) {
        while (bson_iter_next(&arr)) {
            if (!BSON_ITER_HOLDS_UTF8(&arr) ||
                !s_grow((void **) &a->categories, a->n_categories, sizeof(char *)))
                continue;
            a->categories[a->n_categories++] = strdup(bson_iter_utf8(&arr, NULL));
        }
    }
}

static void
s_add_rule(lp_refdata_t *self, const bson_t *doc)
{
    if (!s_grow((void **) &self->rules, self->n_rules, sizeof *self->rules))
        return;
    s_rule_t *r = &self->rules[self->n_rules++];
    r->region_prefix = s_str(doc, "region_prefix");
    r->category = s_str(doc, "category");
    r->agency_id = s_str(doc, "agency_id");
    r->priority = (int) lp_doc_int(doc, "priority");
    if (r->priority < 1)
        r->priority = 1; /* an explicit rule always outranks plain coverage */
}

static void
s_add_holiday(lp_refdata_t *self, const bson_t *doc)
{
    char *date = s_str(doc, "_id");
    lp_workdays_add_holiday_str(self->calendar, date);
    free(date);
}

static void
s_add_keyword(lp_refdata_t *self, const bson_t *doc)
{
    bson_iter_t it;
    double weight = 1.0;
    char *category = s_str(doc, "category");
    char *phrase = s_str(doc, "phrase");
    if (bson_iter_init_find(&it, doc, "weight") && BSON_ITER_HOLDS_NUMBER(&it))
        weight = bson_iter_as_double(&it);
    lp_classifier_add(self->classifier, category, phrase, weight);
    free(category);
    free(phrase);
}

static int
s_region_cmp(const void *a, const void *b)
{
    return strcmp(((const lp_region_t *) a)->code, ((const lp_region_t *) b)->code);
}

static int
s_agency_cmp(const void *a, const void *b)
{
    return strcmp(((const lp_agency_t *) a)->id, ((const lp_agency_t *) b)->id);
}

/* Builds the candidate table: explicit rules, then each agency's coverage. */
static bool
s_build_candidates(lp_refdata_t *self)
{
    size_t n = 0;
    self->cands = calloc(self->n_rules + self->n_agencies + 1, sizeof *self->cands);
    if (!self->cands)
        return false;
    for (size_t i = 0; i < self->n_rules; i++) {
        const lp_agency_t *a = lp_refdata_agency(self, self->rules[i].agency_id);
        if (!a)
            continue; /* a rule naming an unknown agency routes nothing */
        self->cands[n].agency_id = a->id;
        self->cands[n].region_prefix = self->rules[i].region_prefix;
        self->cands[n].categories = (const char *const *) &self->rules[i].category;
        self->cands[n].n_categories = 1;
        self->cands[n].level = a->level;
        self->cands[n].priority = self->rules[i].priority;
        n++;
    }
    for (size_t i = 0; i < self->n_agencies; i++) {
        const lp_agency_t *a = &self->agencies[i];
        self->cands[n].agency_id = a->id;
        self->cands[n].region_prefix = a->region_prefix;
        self->cands[n].categories = (const char *const *) a->categories;
        self->cands[n].n_categories = a->n_categories;
        self->cands[n].level = a->level;
        self->cands[n].priority = 0;
        n++;
    }
    self->n_cands = n;
    return true;
}

lp_refdata_t *
lp_refdata_load(lp_store_t *store, lp_error_t *err)
{
    lp_refdata_t *self = calloc(1, sizeof *self);
    mongoc_client_t *client = NULL;
    bool ok = false;

    if (!self || !(self->calendar = lp_workdays_new(8 * 60)) ||
        !(self->classifier = lp_classifier_new())) {
        if (self)
            lp_workdays_destroy(&self->calendar);
        free(self);
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    client = lp_store_pop(store);
    ok = s_each(store, client, LP_COLL_REGIONS, s_add_region, self, err) &&
         s_each(store, client, LP_COLL_CATEGORIES, s_add_category, self, err) &&
         s_each(store, client, LP_COLL_AGENCIES, s_add_agency, self, err) &&
         s_each(store, client, LP_COLL_RULES, s_add_rule, self, err) &&
         s_each(store, client, LP_COLL_HOLIDAYS, s_add_holiday, self, err) &&
         s_each(store, client, LP_COLL_KEYWORDS, s_add_keyword, self, err);
    lp_store_push(store, client);
    if (ok && self->n_regions == 0) {
        lp_error_set(err, LP_ERR_NOT_FOUND, NULL,
                     "no regions in the database: run `laporctl import` first");
        ok = false;
    }
    if (ok) {
        qsort(self->regions, self->n_regions, sizeof *self->regions, s_region_cmp);
        qsort(self->agencies, self->n_agencies, sizeof *self->agencies, s_agency_cmp);
        ok = s_build_candidates(self);
    }
    if (!ok)
        lp_refdata_destroy(&self);
    return self;
}

void
lp_refdata_destroy(lp_refdata_t **self_p)
{
    lp_refdata_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t i = 0; i < self->n_regions; i++) {
        free(self->regions[i].code);
        free(self->regions[i].level);
        free(self->regions[i].name);
        free(self->regions[i].parent);
    }
    free(self->regions);
    for (size_t i = 0; i < self->n_categories; i++) {
        free(self->categories[i].id);
        free(self->categories[i].name_id);
        free(self->categories[i].name_en);
    }
    free(self->categories);
    for (size_t i = 0; i < self->n_agencies; i++) {
        lp_agency_t *a = &self->agencies[i];
        free(a->id);
        free(a->name);
        free(a->region_prefix);
        free(a->parent_id);
        for (size_t j = 0; j < a->n_categories; j++)
            free(a->categories[j]);
        free(a->categories);
    }
    free(self->agencies);
    for (size_t i = 0; i < self->n_rules; i++) {
        free(self->rules[i].region_prefix);
        free(self->rules[i].category);
        free(self->rules[i].agency_id);
    }
    free(self->rules);
    free(self->cands);
    lp_workdays_destroy(&self->calendar);
    lp_classifier_destroy(&self->classifier);
    free(self);
    *self_p = NULL;
}

const lp_region_t *
lp_refdata_region(const lp_refdata_t *self, const char *code)
{
    lp_region_t key = {.code = (char *) code};
    if (!code)
        return NULL;
    return bsearch(&key, self->regions, self->n_regions, sizeof key, s_region_cmp);
}

size_t
lp_refdata_region_count(const lp_refdata_t *self)
{
    return self->n_regions;
}

const lp_region_t *
lp_refdata_regions(const lp_refdata_t *self, size_t *n)
{
    *n = self->n_regions;
    return self->regions;
}

bool
lp_refdata_has_category(const lp_refdata_t *self, const char *id)
{
    for (size_t i = 0; id && i < self->n_categories; i++)
        if (strcmp(self->categories[i].id, id) == 0)
            return true;
    return false;
}

const lp_category_t *
lp_refdata_categories(const lp_refdata_t *self, size_t *n)
{
    *n = self->n_categories;
    return self->categories;
}

const lp_agency_t *
lp_refdata_agency(const lp_refdata_t *self, const char *id)
{
    lp_agency_t key = {.id = (char *) id};
    if (!id)
        return NULL;
    return bsearch(&key, self->agencies, self->n_agencies, sizeof key, s_agency_cmp);
}

size_t
lp_refdata_agency_count(const lp_refdata_t *self)
{
    return self->n_agencies;
}

const lp_agency_t *
lp_refdata_route(const lp_refdata_t *self, const char *region, const char *category,
                 const char *const *exclude, size_t n_exclude, const char **rule_out)
{
    int i = lp_route_match(self->cands, self->n_cands, region, category, exclude, n_exclude);
    if (i < 0)
        return NULL;
    if (rule_out)
        *rule_out = self->cands[i].priority > 0 ? "rule" : "coverage";
    return lp_refdata_agency(self, self->cands[i].agency_id);
}

const lp_workdays_t *
lp_refdata_calendar(const lp_refdata_t *self)
{
    return self->calendar;
}

const lp_classifier_t *
lp_refdata_classifier(const lp_refdata_t *self)
{
    return self->classifier;
}
