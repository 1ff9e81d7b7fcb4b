/* import: loads the reference data files into the database, validated, idempotently. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "laporctl.h"
#include "lp_clock.h"
#include "lp_refdata.h"
#include "lp_route.h"
#include "lp_workdays.h"

/* A growable list of strings: ids seen so far, for cross-file checks. */
typedef struct {
    char **items;
    size_t n, cap;
} s_set_t;

static void
s_set_add(s_set_t *set, const char *s)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 256;
        char **bigger = realloc(set->items, cap * sizeof *bigger);
        if (!bigger)
            return;
        set->items = bigger;
        set->cap = cap;
    }
    set->items[set->n++] = strdup(s);
}

static bool
s_set_has(const s_set_t *set, const char *s)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->items[i], s) == 0)
            return true;
    return false;
}

static void
s_set_free(s_set_t *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->items[i]);
    free(set->items);
    memset(set, 0, sizeof *set);
}

/* What one import run collects before writing. */
typedef struct {
    const char *file;
    mongoc_bulk_operation_t *bulk;
    s_set_t regions, categories, agencies;
    s_set_t parents; /* "line|agency|parent" checked after the file */
    lp_workdays_t *calendar;
    long upserts;
} s_import_t;

static void
s_upsert(s_import_t *im, const char *id, bson_t *fields)
{
    bson_t *selector = BCON_NEW("_id", BCON_UTF8(id));
    bson_t update = BSON_INITIALIZER;
    bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
    BSON_APPEND_INT64(fields, "imported_at", lp_now_ms());
    BSON_APPEND_DOCUMENT(&update, "$set", fields);
    mongoc_bulk_operation_update_one_with_opts(im->bulk, selector, &update, opts, NULL);
    im->upserts++;
    bson_destroy(opts);
    bson_destroy(&update);
    bson_destroy(selector);
    bson_destroy(fields);
}

static int
s_bad(const s_import_t *im, long line, const char *column, const char *message)
{
    fprintf(stderr, "%s:%ld: %s: %s\n", im->file, line, column, message);
    return -1;
}

static bool
s_slug(const char *s)
{
    if (!*s || strlen(s) > 40)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char) *s) && !isdigit((unsigned char) *s) && *s != '-')
            return false;
    return true;
}

/* Kemendagri codes: 2 digits, then 2, 2 and 4 digits per level. */
static bool
s_region_code(const char *code, int *depth)
{
    static const size_t widths[] = {2, 2, 2, 4};
    const char *p = code;
    int d = 0;
    while (*p && d < 4) {
        size_t w = strspn(p, "0123456789");
        if (w != widths[d])
            return false;
        p += w;
        d++;
        if (*p == '.')
            p++;
        else if (*p)
            return false;
    }
    *depth = d;
    return *p == '\0' && d > 0 && code[strlen(code) - 1] != '.';
}

/* ------------------------------------------------------------------------- */
/* One row handler per file                                                    */

static int
s_region_row(char **f, size_t n, long line, void *arg)
{
    static const char *const levels[] = {"provinsi", "kabupaten", "kecamatan", "desa"};
    s_import_t *im = arg;
    int depth = 0;
    if (!s_region_code(f[0], &depth))
        return s_bad(im, line, "code", "must be a Kemendagri code such as 64.01.01.2009");
    if (strcmp(f[1], levels[depth - 1]) != 0)
        return s_bad(im, line, "level", "does not match the number of parts of the code");
    if (!*f[2] || strlen(f[2]) > 100)
        return s_bad(im, line, "name", "must be 1 to 100 characters");
    if (depth == 1 ? *f[3] != '\0' : !s_set_has(&im->regions, f[3]))
        return s_bad(im, line, "parent_code",
                     "must be a region listed above (empty for the province)");
    if (depth > 1 && !lp_route_region_covers(f[3], f[0]))
        return s_bad(im, line, "parent_code", "must be the code's own prefix");
    s_set_add(&im->regions, f[0]);
    s_upsert(im, f[0],
             BCON_NEW("level", BCON_UTF8(f[1]), "name", BCON_UTF8(f[2]), "parent", BCON_UTF8(f[3]),
                      "depth", BCON_INT32(depth)));
    return 0;
}

static int
s_category_row(char **f, size_t n, long line, void *arg)
{
    s_import_t *im = arg;
    if (!s_slug(f[0]))
        return s_bad(im, line, "id", "must be lower-case letters, digits and dashes");
    if (!*f[1] || !*f[2])
        return s_bad(im, line, "name", "both names (Indonesian and English) are required");
    s_set_add(&im->categories, f[0]);
    s_upsert(im, f[0], BCON_NEW("name_id", BCON_UTF8(f[1]), "name_en", BCON_UTF8(f[2])));
    return 0;
}

static int
s_agency_row(char **f, size_t n, long line, void *arg)
{
    s_import_t *im = arg;
    bson_t *doc = NULL, cats;
    char *list = NULL, *save = NULL, *cat = NULL;
    char key[16], note[160];
    int i = 0;

    if (!s_slug(f[0]))
        return s_bad(im, line, "id", "must be lower-case letters, digits and dashes");
    if (s_set_has(&im->agencies, f[0]))
        return s_bad(im, line, "id", "appears twice");
    if (!*f[1])
        return s_bad(im, line, "name", "is required");
    if (lp_refdata_level_from_name(f[2]) < 0)
        return s_bad(im, line, "level", "must be national, province, regency, district or village");
    if (*f[3] && !s_set_has(&im->regions, f[3]))
        return s_bad(im, line, "region_prefix", "must be a known region code (or empty: national)");
    if (!*f[4])
        return s_bad(im, line, "categories", "list category ids separated by ; or write *");
    doc = BCON_NEW("name", BCON_UTF8(f[1]), "level", BCON_UTF8(f[2]), "region_prefix",
                   BCON_UTF8(f[3]), "parent_id", BCON_UTF8(f[5]), "contact", "{", "email",
                   BCON_UTF8(f[6]), "phone", BCON_UTF8(f[7]), "}");
    BSON_APPEND_ARRAY_BEGIN(doc, "categories", &cats);
    list = strdup(f[4]);
    for (cat = strtok_r(list, ";", &save); cat; cat = strtok_r(NULL, ";", &save)) {
        if (strcmp(cat, "*") != 0 && !s_set_has(&im->categories, cat)) {
            snprintf(note, sizeof note, "'%s' is not a known category", cat);
            free(list);
            bson_destroy(doc);
            return s_bad(im, line, "categories", note);
        }
        snprintf(key, sizeof key, "%d", i++);
        BSON_APPEND_UTF8(&cats, key, cat);
    }
    free(list);
    bson_append_array_end(doc, &cats);
    s_set_add(&im->agencies, f[0]);
    if (*f[5]) {
        snprintf(note, sizeof note, "%ld|%s|%s", line, f[0], f[5]);
        s_set_add(&im->parents, note);
    }
    s_upsert(im, f[0], doc);
    return 0;
}

static int
s_rule_row(char **f, size_t n, long line, void *arg)
{
    s_import_t *im = arg;
    char id[128], *end = NULL;
    long priority = strtol(f[3], &end, 10);
    if (!s_set_has(&im->regions, f[0]))
        return s_bad(im, line, "region_prefix", "must be a known region code");
    if (strcmp(f[1], "*") != 0 && !s_set_has(&im->categories, f[1]))
        return s_bad(im, line, "category", "must be a known category id or *");
    if (!s_set_has(&im->agencies, f[2]))
        return s_bad(im, line, "agency_id", "must be a known agency id");
    if (!*f[3] || *end || priority < 1 || priority > 1000)
        return s_bad(im, line, "priority", "must be a whole number from 1 to 1000");
    snprintf(id, sizeof id, "%s|%s", f[0], f[1]);
    s_upsert(im, id,
             BCON_NEW("region_prefix", BCON_UTF8(f[0]), "category", BCON_UTF8(f[1]), "agency_id",
                      BCON_UTF8(f[2]), "priority", BCON_INT32((int) priority), "note",
                      BCON_UTF8(f[4])));
    return 0;
}

static int
s_keyword_row(char **f, size_t n, long line, void *arg)
{
    s_import_t *im = arg;
    char id[128], *end = NULL;
    double weight = strtod(f[2], &end);
    size_t len = strlen(f[1]);
    if (!s_set_has(&im->categories, f[0]))
        return s_bad(im, line, "category", "must be a known category id");
    if (len < 1 || len > 60 || strspn(f[1], "abcdefghijklmnopqrstuvwxyz0123456789 -") != len)
        return s_bad(im, line, "phrase", "must be 1 to 60 lower-case letters, digits, spaces");
    if (!*f[2] || *end || !(weight > 0 && weight <= 10))
        return s_bad(im, line, "weight", "must be a number above 0 and at most 10");
    snprintf(id, sizeof id, "%s|%s", f[0], f[1]);
    s_upsert(im, id,
             BCON_NEW("category", BCON_UTF8(f[0]), "phrase", BCON_UTF8(f[1]), "weight",
                      BCON_DOUBLE(weight)));
    return 0;
}

static int
s_holiday_row(char **f, size_t n, long line, void *arg)
{
    s_import_t *im = arg;
    if (lp_workdays_add_holiday_str(im->calendar, f[0]) != 0 || strlen(f[0]) != 10)
        return s_bad(im, line, "date", "must be a real date written YYYY-MM-DD");
    if (!*f[1])
        return s_bad(im, line, "name", "is required");
    if (strcmp(f[2], "libur") != 0 && strcmp(f[2], "cuti_bersama") != 0)
        return s_bad(im, line, "kind", "must be libur or cuti_bersama");
    s_upsert(im, f[0], BCON_NEW("name", BCON_UTF8(f[1]), "kind", BCON_UTF8(f[2])));
    return 0;
}

/* ------------------------------------------------------------------------- */

typedef struct {
    const char *file;
    const char *collection;
    const char *const *header;
    laporctl_row_fn row;
    bool required;
} s_source_t;

static const char *const s_region_header[] = {"code", "level", "name", "parent_code", NULL};
static const char *const s_category_header[] = {"id", "name_id", "name_en", NULL};
static const char *const s_agency_header[] = {
    "id", "name", "level", "region_prefix", "categories", "parent_id", "email", "phone", NULL};
static const char *const s_rule_header[] = {"region_prefix", "category", "agency_id",
                                            "priority",      "note",     NULL};
static const char *const s_holiday_header[] = {"date", "name", "kind", NULL};
static const char *const s_keyword_header[] = {"category", "phrase", "weight", NULL};

/* Order matters: later files are checked against earlier ones. */
static const s_source_t s_sources[] = {
    {"wilayah-64-kaltim.csv", LP_COLL_REGIONS, s_region_header, s_region_row, true},
    {"categories.csv", LP_COLL_CATEGORIES, s_category_header, s_category_row, true},
    {"keywords.csv", LP_COLL_KEYWORDS, s_keyword_header, s_keyword_row, false},
    {"agencies.csv", LP_COLL_AGENCIES, s_agency_header, s_agency_row, true},
    {"routing_rules.csv", LP_COLL_RULES, s_rule_header, s_rule_row, false},
    {"libur-nasional-2025-2027.csv", LP_COLL_HOLIDAYS, s_holiday_header, s_holiday_row, true},
};

/* Agencies may name parents further down the file: check them at the end. */
static long
s_check_parents(s_import_t *im)
{
    long errors = 0;
    for (size_t i = 0; i < im->parents.n; i++) {
        char *copy = strdup(im->parents.items[i]);
        char *line = strtok(copy, "|"), *agency = strtok(NULL, "|"), *parent = strtok(NULL, "|");
        if (parent && !s_set_has(&im->agencies, parent)) {
            fprintf(stderr, "%s:%s: parent_id: '%s' is not an agency in this file\n", im->file,
                    line, parent);
            errors++;
        }
        else if (parent && agency && strcmp(parent, agency) == 0) {
            fprintf(stderr, "%s:%s: parent_id: an agency cannot be its own parent\n", im->file,
                    line);
            errors++;
        }
        free(copy);
    }
    return errors;
}

int
laporctl_import(lp_store_t *store, int argc, char **argv)
{
    const char *dir = "deploy/data";
    s_import_t im = {0};
    mongoc_client_t *client = NULL;
    bson_error_t error;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: laporctl import [--data DIR]\n");
            return 2;
        }
    }
    im.calendar = lp_workdays_new(8 * 60);
    client = lp_store_pop(store);
    for (size_t s = 0; s < sizeof s_sources / sizeof s_sources[0] && rc == 0; s++) {
        const s_source_t *src = &s_sources[s];
        char path[1024];
        long errors = 0, rows = 0;
        mongoc_collection_t *coll = lp_store_collection(store, client, src->collection);
        bson_t reply = BSON_INITIALIZER;

        snprintf(path, sizeof path, "%s/%s", dir, src->file);
        if (!src->required && access(path, R_OK) != 0) {
            mongoc_collection_destroy(coll);
            continue;
        }
        im.file = path;
        im.upserts = 0;
        im.bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
        rows = laporctl_csv_each(path, src->header, src->row, &im, &errors);
        if (src->row == s_agency_row)
            errors += s_check_parents(&im);
        if (rows < 0 || errors > 0) {
            fprintf(stderr, "%s: %ld error(s); nothing imported from this file\n", path,
                    rows < 0 ? 1 : errors);
            rc = 1;
        }
        else if (im.upserts > 0 && !mongoc_bulk_operation_execute(im.bulk, &reply, &error)) {
            fprintf(stderr, "%s: database error: %s\n", path, error.message);
            rc = 1;
        }
        else
            printf("%-32s %5ld rows -> %s\n", src->file, rows, src->collection);
        bson_destroy(&reply);
        mongoc_bulk_operation_destroy(im.bulk);
        mongoc_collection_destroy(coll);
    }
    lp_store_push(store, client);
    s_set_free(&im.regions);
    s_set_free(&im.categories);
    s_set_free(&im.agencies);
    s_set_free(&im.parents);
    lp_workdays_destroy(&im.calendar);
    return rc;
}
