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

/* One validated row, waiting for its file to be found free of errors. */
typedef struct {
    char *id;
    bson_t *fields; /* what the row sets, without imported_at */
} s_row_t;

/* What one import run collects before writing. */
typedef struct {
    const char *file;
    s_row_t *rows; /* of the current file */
    size_t n_rows, cap_rows;
    bool out_of_memory;
    s_set_t regions, categories, agencies, keywords;
    s_set_t parents; /* "line|agency|parent" checked after the file */
    lp_workdays_t *calendar;
} s_import_t;

/* Keeps a row to write (takes fields). */
static void
s_upsert(s_import_t *im, const char *id, bson_t *fields)
{
    char *copy = strdup(id);
    if (im->n_rows == im->cap_rows) {
        size_t cap = im->cap_rows ? im->cap_rows * 2 : 256;
        s_row_t *bigger = realloc(im->rows, cap * sizeof *bigger);
        if (bigger) {
            im->rows = bigger;
            im->cap_rows = cap;
        }
    }
    if (!copy || im->n_rows == im->cap_rows) {
        im->out_of_memory = true;
        free(copy);
        bson_destroy(fields);
        return;
    }
    im->rows[im->n_rows].id = copy;
    im->rows[im->n_rows].fields = fields;
    im->n_rows++;
}

static void
s_rows_free(s_import_t *im)
{
    for (size_t i = 0; i < im->n_rows; i++) {
        free(im->rows[i].id);
        bson_destroy(im->rows[i].fields);
    }
    im->n_rows = 0;
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

/* A keyword phrase: 1 to 60 lower-case letters, digits, single spaces and hyphens,
 * with at least one letter, since the classifier reads only letters as words. */
static bool
s_phrase(const char *s)
{
    size_t len = strlen(s);
    if (len < 1 || len > 60 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789 -") != len)
        return false;
    if (strcspn(s, "abcdefghijklmnopqrstuvwxyz") == len)
        return false;
    /* Spaces only between words, one at a time: "jalan  rusak" would be a second id
     * for the phrase "jalan rusak". */
    return s[0] != ' ' && s[len - 1] != ' ' && !strstr(s, "  ");
}

static int
s_keyword_row(char **f, size_t n, long line, void *arg)
{
    s_import_t *im = arg;
    char id[128], *end = NULL;
    double weight = strtod(f[2], &end);
    if (!s_set_has(&im->categories, f[0]))
        return s_bad(im, line, "category", "must be a known category id");
    if (!s_phrase(f[1]))
        return s_bad(im, line, "phrase",
                     "must be 1 to 60 lower-case letters, digits, single spaces and hyphens, "
                     "with a letter");
    if (!*f[2] || *end || !(weight > 0 && weight <= 10))
        return s_bad(im, line, "weight", "must be a number above 0 and at most 10");
    snprintf(id, sizeof id, "%s|%s", f[0], f[1]);
    if (s_set_has(&im->keywords, id))
        return s_bad(im, line, "phrase", "appears twice for this category");
    s_set_add(&im->keywords, id);
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
/* Writing                                                                     */

/* Documents per write command (LP_STORE_BULK_MAX): a second import of the regions
 * in one command hung the whole local database (see lp_store.h). */
#define S_BATCH LP_STORE_BULK_MAX

/* A document already in the database, by _id. */
typedef struct {
    const char *id;
    bson_t *doc;
} s_existing_t;

static int
s_existing_cmp(const void *a, const void *b)
{
    return strcmp(((const s_existing_t *) a)->id, ((const s_existing_t *) b)->id);
}

/* True when every field the row sets already holds that value (same type, same
 * bytes), so writing it would change nothing but imported_at. */
static bool
s_unchanged(const bson_t *existing, const bson_t *fields)
{
    bson_iter_t want, have;
    if (!bson_iter_init(&want, fields))
        return false;
    while (bson_iter_next(&want)) {
        const bson_value_t *a = NULL, *b = NULL;
        if (!bson_iter_init_find(&have, existing, bson_iter_key(&want)))
            return false;
        a = bson_iter_value(&want);
        b = bson_iter_value(&have);
        if (a->value_type != b->value_type)
            return false;
        switch (a->value_type) {
        case BSON_TYPE_UTF8:
            if (a->value.v_utf8.len != b->value.v_utf8.len ||
                memcmp(a->value.v_utf8.str, b->value.v_utf8.str, a->value.v_utf8.len) != 0)
                return false;
            break;
        case BSON_TYPE_DOCUMENT:
        case BSON_TYPE_ARRAY:
            if (a->value.v_doc.data_len != b->value.v_doc.data_len ||
                memcmp(a->value.v_doc.data, b->value.v_doc.data, a->value.v_doc.data_len) != 0)
                return false;
            break;
        case BSON_TYPE_DOUBLE:
            if (a->value.v_double != b->value.v_double)
                return false;
            break;
        case BSON_TYPE_INT32:
            if (a->value.v_int32 != b->value.v_int32)
                return false;
            break;
        case BSON_TYPE_INT64:
            if (a->value.v_int64 != b->value.v_int64)
                return false;
            break;
        default:
            return false;
        }
    }
    return true;
}

/* Writes rows which[0..n) in one command: inserts (every _id new) or upserts. The
 * document is the same either way: _id, the row's fields, imported_at. */
static bool
s_send(s_import_t *im, mongoc_collection_t *coll, const size_t *which, size_t n, bool insert,
       bson_error_t *error)
{
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
    bson_t reply = BSON_INITIALIZER;
    bool ok = false;

    for (size_t k = 0; k < n; k++) {
        const s_row_t *row = &im->rows[which[k]];
        bson_t *selector = BCON_NEW("_id", BCON_UTF8(row->id));
        bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
        bson_t doc = BSON_INITIALIZER, set;
        if (insert) {
            BSON_APPEND_UTF8(&doc, "_id", row->id);
            bson_concat(&doc, row->fields);
            BSON_APPEND_INT64(&doc, "imported_at", lp_now_ms());
            mongoc_bulk_operation_insert_with_opts(bulk, &doc, NULL, NULL);
        }
        else {
            BSON_APPEND_DOCUMENT_BEGIN(&doc, "$set", &set);
            bson_concat(&set, row->fields);
            BSON_APPEND_INT64(&set, "imported_at", lp_now_ms());
            bson_append_document_end(&doc, &set);
            mongoc_bulk_operation_update_one_with_opts(bulk, selector, &doc, opts, NULL);
        }
        bson_destroy(&doc);
        bson_destroy(opts);
        bson_destroy(selector);
    }
    ok = n == 0 || mongoc_bulk_operation_execute(bulk, &reply, error);
    bson_destroy(&reply);
    mongoc_bulk_operation_destroy(bulk);
    return ok;
}

/* Writes the rows of one file that are new or differ from the database, in small
 * commands. New documents are inserted, which FerretDB does about forty times
 * faster than upserts; should another import have inserted one meanwhile, that
 * batch is sent again as upserts. A re-import of the same file writes nothing, and
 * imported_at says when a document last changed. If a command fails the earlier
 * ones stay written; all are idempotent, so running the import again completes it. */
static bool
s_write(s_import_t *im, mongoc_collection_t *coll, long *changed, bson_error_t *error)
{
    s_existing_t *existing = NULL;
    size_t n_existing = 0, cap = 0, n_new = 0, n_changed = 0;
    size_t *fresh = calloc(im->n_rows + 1, sizeof *fresh);
    size_t *stale = calloc(im->n_rows + 1, sizeof *stale);
    bson_t filter = BSON_INITIALIZER;
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
    const bson_t *doc = NULL;
    bson_iter_t it;
    bool ok = fresh && stale;

    *changed = 0;
    while (ok && mongoc_cursor_next(cursor, &doc)) {
        if (!bson_iter_init_find(&it, doc, "_id") || !BSON_ITER_HOLDS_UTF8(&it))
            continue;
        if (n_existing == cap) {
            s_existing_t *bigger = realloc(existing, (cap ? cap * 2 : 256) * sizeof *bigger);
            if (!bigger) {
                ok = false;
                break;
            }
            existing = bigger;
            cap = cap ? cap * 2 : 256;
        }
        existing[n_existing].doc = bson_copy(doc);
        bson_iter_init_find(&it, existing[n_existing].doc, "_id");
        existing[n_existing].id = bson_iter_utf8(&it, NULL);
        n_existing++;
    }
    if (!ok)
        bson_set_error(error, 0, 0, "out of memory");
    else if (mongoc_cursor_error(cursor, error))
        ok = false;
    if (ok && n_existing > 0)
        qsort(existing, n_existing, sizeof *existing, s_existing_cmp);

    for (size_t i = 0; ok && i < im->n_rows; i++) {
        s_existing_t key = {.id = im->rows[i].id};
        s_existing_t *found =
            n_existing ? bsearch(&key, existing, n_existing, sizeof key, s_existing_cmp) : NULL;
        if (!found)
            fresh[n_new++] = i;
        else if (!s_unchanged(found->doc, im->rows[i].fields))
            stale[n_changed++] = i;
    }
    /* A file may list an _id twice (a repeated holiday date): only the first is
     * new, the second must update it. */
    for (size_t k = 1; ok && k < n_new; k++)
        for (size_t j = 0; j < k; j++)
            if (strcmp(im->rows[fresh[j]].id, im->rows[fresh[k]].id) == 0) {
                stale[n_changed++] = fresh[k];
                memmove(&fresh[k], &fresh[k + 1], (n_new - k - 1) * sizeof *fresh);
                n_new--;
                k--;
                break;
            }
    for (size_t k = 0; ok && k < n_new; k += S_BATCH) {
        size_t n = n_new - k < S_BATCH ? n_new - k : S_BATCH;
        if (!s_send(im, coll, fresh + k, n, true, error))
            ok = lp_store_is_duplicate(error) && s_send(im, coll, fresh + k, n, false, error);
    }
    for (size_t k = 0; ok && k < n_changed; k += S_BATCH) {
        size_t n = n_changed - k < S_BATCH ? n_changed - k : S_BATCH;
        ok = s_send(im, coll, stale + k, n, false, error);
    }
    if (ok)
        *changed = (long) (n_new + n_changed);

    for (size_t i = 0; i < n_existing; i++)
        bson_destroy(existing[i].doc);
    free(existing);
    free(fresh);
    free(stale);
    mongoc_cursor_destroy(cursor);
    bson_destroy(&filter);
    return ok;
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
        long errors = 0, rows = 0, changed = 0;
        mongoc_collection_t *coll = NULL;

        snprintf(path, sizeof path, "%s/%s", dir, src->file);
        if (!src->required && access(path, R_OK) != 0)
            continue;
        im.file = path;
        rows = laporctl_csv_each(path, src->header, src->row, &im, &errors);
        if (src->row == s_agency_row)
            errors += s_check_parents(&im);
        if (im.out_of_memory) {
            fprintf(stderr, "%s: out of memory\n", path);
            errors++;
        }
        /* A file with any error is not written at all: half a register is worse
         * than yesterday's. */
        if (rows < 0 || errors > 0) {
            fprintf(stderr, "%s: %ld error(s); nothing imported from this file\n", path,
                    rows < 0 ? 1 : errors);
            rc = 1;
        }
        else {
            coll = lp_store_collection(store, client, src->collection);
            if (!s_write(&im, coll, &changed, &error)) {
                fprintf(stderr, "%s: database error: %s\n", path, error.message);
                rc = 1;
            }
            else
                printf("%-32s %5ld rows -> %-13s %5ld changed\n", src->file, rows, src->collection,
                       changed);
            mongoc_collection_destroy(coll);
        }
        s_rows_free(&im);
    }
    lp_store_push(store, client);
    s_set_free(&im.regions);
    s_set_free(&im.categories);
    s_set_free(&im.agencies);
    s_set_free(&im.keywords);
    s_set_free(&im.parents);
    free(im.rows);
    lp_workdays_destroy(&im.calendar);
    return rc;
}
