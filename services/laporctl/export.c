/* export: writes the reference data back out as the CSV files import reads. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "laporctl.h"

/* A province edits its register in a spreadsheet: export, change, import. So each
 * file has import's header and columns, rows sorted by _id (a stable order that
 * makes two exports comparable with diff), and nothing import would not read back:
 * the database's own fields (imported_at, depth) and an agency's webhook, whose
 * secret must never land in a file, are left out. The shipped files in deploy/data
 * are kept in this same order, so an export of them is byte-identical. */

#define S_MAX_COLUMNS 8

typedef struct {
    const char *file;
    const char *collection;
    const char *columns[S_MAX_COLUMNS]; /* the header, as import expects it */
    const char *paths[S_MAX_COLUMNS];   /* where each column is in the document */
} s_target_t;

/* In import's order; the projection below is built from paths, so a field not
 * listed here is never even read from the database. */
static const s_target_t s_targets[] = {
    {"wilayah-64-kaltim.csv",
     LP_COLL_REGIONS,
     {"code", "level", "name", "parent_code"},
     {"_id", "level", "name", "parent"}},
    {"categories.csv",
     LP_COLL_CATEGORIES,
     {"id", "name_id", "name_en"},
     {"_id", "name_id", "name_en"}},
    {"keywords.csv",
     LP_COLL_KEYWORDS,
     {"category", "phrase", "weight"},
     {"category", "phrase", "weight"}},
    {"agencies.csv",
     LP_COLL_AGENCIES,
     {"id", "name", "level", "region_prefix", "categories", "parent_id", "email", "phone"},
     {"_id", "name", "level", "region_prefix", "categories", "parent_id", "contact.email",
      "contact.phone"}},
    {"routing_rules.csv",
     LP_COLL_RULES,
     {"region_prefix", "category", "agency_id", "priority", "note"},
     {"region_prefix", "category", "agency_id", "priority", "note"}},
    {"libur-nasional-2025-2027.csv",
     LP_COLL_HOLIDAYS,
     {"date", "name", "kind"},
     {"_id", "name", "kind"}},
};

/* ------------------------------------------------------------------------- */
/* CSV text                                                                    */

/* Writes one field, quoted when it holds a comma, a quote or a line break, or
 * starts or ends with a blank (the reader trims unquoted blanks); quotes doubled. */
static void
s_field(FILE *out, const char *text, size_t len)
{
    bool quote = len > 0 && (memchr(text, ',', len) || memchr(text, '"', len) ||
                             memchr(text, '\n', len) || memchr(text, '\r', len) || text[0] == ' ' ||
                             text[0] == '\t' || text[len - 1] == ' ' || text[len - 1] == '\t');
    if (!quote) {
        fwrite(text, 1, len, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            fputc('"', out);
        fputc(text[i], out);
    }
    fputc('"', out);
}

/* The shortest decimal that reads back as the same double: 2 is "2", 0.25 "0.25". */
static void
s_double(char *buf, size_t size, double value)
{
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, value);
        if (strtod(buf, NULL) == value)
            return;
    }
}

/* Writes the value at path: a string as it is, an array of strings joined with ';'
 * (an agency's categories), a number in plain decimal; anything else, or nothing,
 * as an empty field. Returns -1 when out of memory. */
static int
s_value(FILE *out, const bson_t *doc, const char *path)
{
    bson_iter_t it, item;
    char number[32];
    char *joined = NULL;
    size_t len = 0;
    uint32_t part = 0;

    if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &it))
        return 0;
    if (BSON_ITER_HOLDS_UTF8(&it)) {
        const char *text = bson_iter_utf8(&it, &part);
        s_field(out, text, part);
    }
    else if (BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &item)) {
        /* Joined first, so the whole list is quoted as one field if it must be. */
        while (bson_iter_next(&item)) {
            const char *text = NULL;
            char *bigger = NULL;
            if (!BSON_ITER_HOLDS_UTF8(&item))
                continue;
            text = bson_iter_utf8(&item, &part);
            bigger = realloc(joined, len + part + 2);
            if (!bigger) {
                free(joined);
                return -1;
            }
            joined = bigger;
            if (len > 0)
                joined[len++] = ';';
            memcpy(joined + len, text, part);
            len += part;
        }
        if (joined)
            s_field(out, joined, len);
        free(joined);
    }
    else if (BSON_ITER_HOLDS_DOUBLE(&it)) {
        s_double(number, sizeof number, bson_iter_double(&it));
        fputs(number, out);
    }
    else if (BSON_ITER_HOLDS_INT32(&it) || BSON_ITER_HOLDS_INT64(&it)) {
        snprintf(number, sizeof number, "%lld", (long long) bson_iter_as_int64(&it));
        fputs(number, out);
    }
    return 0;
}

/* ------------------------------------------------------------------------- */
/* Files                                                                       */

/* Creates dir and any missing parents, like mkdir -p. */
static int
s_mkdirs(const char *dir)
{
    char path[1024];
    size_t len = strlen(dir);

    if (len == 0 || len >= sizeof path)
        return -1;
    memcpy(path, dir, len + 1);
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Writes one file. The rows go to a temporary file first that is renamed at the
 * end, so a failed export never leaves half a register where a whole one was. */
static int
s_export(lp_store_t *store, mongoc_client_t *client, const s_target_t *t, const char *dir)
{
    char path[1024], partial[1040], top[64];
    mongoc_collection_t *coll = lp_store_collection(store, client, t->collection);
    mongoc_cursor_t *cursor = NULL;
    bson_t filter = BSON_INITIALIZER;
    bson_t *opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
    bson_t projection;
    const bson_t *doc = NULL;
    bson_error_t error;
    FILE *out = NULL;
    long rows = 0;
    int rc = 1;

    /* Only the top-level fields the columns name ("contact" for contact.email). */
    BSON_APPEND_DOCUMENT_BEGIN(opts, "projection", &projection);
    for (size_t i = 0; i < S_MAX_COLUMNS && t->paths[i]; i++) {
        snprintf(top, sizeof top, "%.*s", (int) strcspn(t->paths[i], "."), t->paths[i]);
        if (!bson_has_field(&projection, top))
            BSON_APPEND_INT32(&projection, top, 1);
    }
    bson_append_document_end(opts, &projection);

    snprintf(path, sizeof path, "%s/%s", dir, t->file);
    snprintf(partial, sizeof partial, "%s.partial", path);
    out = fopen(partial, "w");
    if (!out) {
        fprintf(stderr, "%s: cannot write: %s\n", partial, strerror(errno));
        goto done;
    }
    for (size_t i = 0; i < S_MAX_COLUMNS && t->columns[i]; i++)
        fprintf(out, "%s%s", i ? "," : "", t->columns[i]);
    fputc('\n', out);

    cursor = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
    while (mongoc_cursor_next(cursor, &doc)) {
        for (size_t i = 0; i < S_MAX_COLUMNS && t->paths[i]; i++) {
            if (i)
                fputc(',', out);
            if (s_value(out, doc, t->paths[i]) != 0) {
                fprintf(stderr, "%s: out of memory\n", path);
                goto done;
            }
        }
        fputc('\n', out);
        rows++;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        fprintf(stderr, "%s: database error: %s\n", t->collection, error.message);
        goto done;
    }
    if (ferror(out) || fclose(out) != 0) {
        out = NULL;
        fprintf(stderr, "%s: cannot write: %s\n", partial, strerror(errno));
        goto done;
    }
    out = NULL;
    if (rename(partial, path) != 0) {
        fprintf(stderr, "%s: cannot replace: %s\n", path, strerror(errno));
        goto done;
    }
    printf("%-32s %5ld rows <- %s\n", t->file, rows, t->collection);
    rc = 0;
done:
    if (out)
        fclose(out);
    if (rc != 0)
        remove(partial);
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    return rc;
}

int
laporctl_export(lp_store_t *store, int argc, char **argv)
{
    const char *dir = ".";
    mongoc_client_t *client = NULL;
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: laporctl export [--data DIR]\n");
            return 2;
        }
    }
    if (s_mkdirs(dir) != 0) {
        fprintf(stderr, "%s: cannot create: %s\n", dir, strerror(errno));
        return 1;
    }
    client = lp_store_pop(store);
    for (size_t i = 0; i < sizeof s_targets / sizeof s_targets[0]; i++)
        if (s_export(store, client, &s_targets[i], dir) != 0)
            rc = 1;
    lp_store_push(store, client);
    return rc;
}
