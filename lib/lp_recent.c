/* lp_recent: each reporter's complaints of the last two days, one document each. */
#include "lp_recent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_identity.h"

#define DAY_MS (24LL * 3600 * 1000)
#define KEY_LEN (LP_IDENTITY_LOOKUP_LEN + 24)
/* How long an entry is kept: the near-duplicate window is at most this. */
#define KEEP_MS (2 * DAY_MS)

/* "<lookup>:<day number>": the _id of one reporter's day until November 2026
 * (session 8), when each reporter got one document; still forgotten from, and
 * swept, until the last of them is two days old. */
static void
s_day_key(char key[KEY_LEN], const char *lookup, int64_t at_ms)
{
    snprintf(key, KEY_LEN, "%s:%lld", lookup, (long long) (at_ms / DAY_MS));
}

/* {id, at}, in this order: the local database's $pull removes only an element
 * equal to the whole document, so add and forget must build the same one. */
static void
s_append_entry(bson_t *parent, const char *name, const bson_oid_t *id, int64_t at_ms)
{
    bson_t entry;
    BSON_APPEND_DOCUMENT_BEGIN(parent, name, &entry);
    BSON_APPEND_OID(&entry, "id", id);
    BSON_APPEND_INT64(&entry, "at", at_ms);
    bson_append_document_end(parent, &entry);
}

/* One key of a batch: a reporter lookup hash, the item it came from, what its
 * insert found and, when the document existed, the document read. */
typedef struct {
    const char *lookup;
    size_t item;
    lp_store_outcome_t claimed;
    bson_t *doc; /* NULL: new, not read, or gone meanwhile */
} s_key_t;

struct lp_recent_batch_t {
    mongoc_collection_t *recent;
    const lp_recent_item_t *items;
    s_key_t *keys;
    size_t n_keys;
};

void
lp_recent_batch_destroy(lp_recent_batch_t **self_p)
{
    lp_recent_batch_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t k = 0; k < self->n_keys; k++)
        if (self->keys[k].doc)
            bson_destroy(self->keys[k].doc);
    free(self->keys);
    free(self);
    *self_p = NULL;
}

/* Reads the documents of the keys whose insert met an existing one. */
static bool
s_read_existing(lp_recent_batch_t *self, lp_error_t *err)
{
    bson_value_t *ids = calloc(self->n_keys + 1, sizeof *ids);
    bson_t **docs = calloc(self->n_keys + 1, sizeof *docs);
    size_t *which = calloc(self->n_keys + 1, sizeof *which);
    size_t n = 0;
    bool ok = ids && docs && which;

    if (!ok)
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
    for (size_t k = 0; ok && k < self->n_keys; k++)
        if (self->keys[k].claimed == LP_STORE_DUPLICATE) {
            lp_store_str_value(&ids[n], self->keys[k].lookup);
            which[n++] = k;
        }
    if (ok && n > 0 && (ok = lp_store_find_ids(self->recent, ids, n, NULL, docs, err)))
        for (size_t i = 0; i < n; i++)
            self->keys[which[i]].doc = docs[i];
    free(which);
    free(docs);
    free(ids);
    return ok;
}

lp_recent_batch_t *
lp_recent_batch_new(mongoc_collection_t *recent, const lp_recent_item_t *items, size_t n,
                    lp_error_t *err)
{
    lp_recent_batch_t *self = calloc(1, sizeof *self);
    bson_t *docs = calloc(2 * n + 1, sizeof *docs);
    const bson_t **ptrs = calloc(2 * n + 1, sizeof *ptrs);
    lp_store_outcome_t *out = calloc(2 * n + 1, sizeof *out);
    bool ok = self && docs && ptrs && out && (self->keys = calloc(2 * n + 1, sizeof *self->keys));

    lp_error_clear(err);
    if (!ok) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        goto done;
    }
    self->recent = recent;
    self->items = items;
    for (size_t i = 0; i < n; i++) {
        const char *const lookups[2] = {items[i].phone_lookup, items[i].email_lookup};
        for (int l = 0; l < 2; l++) {
            size_t k = self->n_keys;
            bson_t arr;
            if (!lookups[l] || !*lookups[l])
                continue;
            self->keys[k] = (s_key_t){.lookup = lookups[l], .item = i};
            bson_init(&docs[k]);
            BSON_APPEND_UTF8(&docs[k], "_id", lookups[l]);
            BSON_APPEND_INT64(&docs[k], "day", items[i].at_ms / DAY_MS);
            BSON_APPEND_ARRAY_BEGIN(&docs[k], "complaints", &arr);
            s_append_entry(&arr, "0", &items[i].id, items[i].at_ms);
            bson_append_array_end(&docs[k], &arr);
            ptrs[k] = &docs[k];
            self->n_keys++;
        }
    }
    if (self->n_keys > 0 && !lp_store_insert_many(recent, ptrs, self->n_keys, out)) {
        lp_error_set(err, LP_ERR_DATABASE, NULL, "could not record reporters' complaints");
        ok = false;
        goto done;
    }
    for (size_t k = 0; k < self->n_keys; k++)
        self->keys[k].claimed = out[k];
    ok = s_read_existing(self, err);
done:
    for (size_t k = 0; self && docs && k < self->n_keys; k++)
        bson_destroy(&docs[k]);
    free(out);
    free(ptrs);
    free(docs);
    if (!ok)
        lp_recent_batch_destroy(&self);
    return self;
}

/* Appends {id, at} to the growing array *all (*n used of *cap); -1 when out of memory. */
static int
s_add(lp_recent_entry_t **all, size_t *n, size_t *cap, const bson_oid_t *id, int64_t at)
{
    if (*n == *cap) {
        size_t grown = *cap ? *cap * 2 : 16;
        lp_recent_entry_t *more = realloc(*all, grown * sizeof **all);
        if (!more)
            return -1;
        *all = more;
        *cap = grown;
    }
    bson_oid_copy(id, &(*all)[*n].id);
    (*all)[(*n)++].at = at;
    return 0;
}

/* Appends the entries of one reporter document created at or after since_ms, other
 * than skip. */
static int
s_collect(const bson_t *doc, int64_t since_ms, const bson_oid_t *skip, lp_recent_entry_t **all,
          size_t *n, size_t *cap)
{
    bson_iter_t arr;
    bson_t entry;

    if (!bson_iter_init_find(&arr, doc, "complaints") || !BSON_ITER_HOLDS_ARRAY(&arr) ||
        !bson_iter_recurse(&arr, &arr))
        return 0;
    while (lp_doc_next_doc(&arr, &entry)) {
        bson_iter_t it;
        int64_t at = lp_doc_int(&entry, "at");
        if (at < since_ms || !bson_iter_init_find(&it, &entry, "id") || !BSON_ITER_HOLDS_OID(&it) ||
            (skip && bson_oid_equal(bson_iter_oid(&it), skip)))
            continue;
        if (s_add(all, n, cap, bson_iter_oid(&it), at) != 0)
            return -1;
    }
    return 0;
}

static int
s_by_time(const void *a, const void *b)
{
    const lp_recent_entry_t *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return bson_oid_compare(&x->id, &y->id);
}

/* Sorts all[0..n) oldest first and keeps each complaint once (the phone's and the
 * email's documents name the same complaint twice). Returns how many are left. */
static size_t
s_unique(lp_recent_entry_t *all, size_t n)
{
    size_t unique = 0;
    if (n > 1)
        qsort(all, n, sizeof *all, s_by_time);
    for (size_t i = 0; i < n; i++)
        if (unique == 0 || !bson_oid_equal(&all[unique - 1].id, &all[i].id) ||
            all[unique - 1].at != all[i].at)
            all[unique++] = all[i];
    return unique;
}

int
lp_recent_batch_earlier(const lp_recent_batch_t *self, size_t i, int64_t since_ms,
                        lp_recent_entry_t *out, int max)
{
    lp_recent_entry_t *all = NULL;
    size_t n = 0, cap = 0;
    int found = 0;

    for (size_t k = 0; k < self->n_keys; k++)
        if (self->keys[k].item == i && self->keys[k].doc &&
            s_collect(self->keys[k].doc, since_ms, &self->items[i].id, &all, &n, &cap) != 0)
            break; /* out of memory: what was collected */
    n = s_unique(all, n);
    for (size_t j = n > (size_t) max ? n - (size_t) max : 0; j < n; j++)
        out[found++] = all[j];
    free(all);
    return found;
}

/* The update of key k's document: its entries of the last two days and the stored
 * items of the batch with the same lookup, as the whole array. */
static bson_t *
s_rewrite(const lp_recent_batch_t *self, size_t k, const bool *stored, int64_t now_ms)
{
    lp_recent_entry_t *all = NULL;
    size_t n = 0, cap = 0;
    int64_t newest = 0;
    bson_t *update = NULL, set, arr;

    if (self->keys[k].doc &&
        s_collect(self->keys[k].doc, now_ms - KEEP_MS, NULL, &all, &n, &cap) != 0)
        goto done;
    for (size_t j = 0; j < self->n_keys; j++) {
        const lp_recent_item_t *item = &self->items[self->keys[j].item];
        if (stored[self->keys[j].item] && !strcmp(self->keys[j].lookup, self->keys[k].lookup) &&
            s_add(&all, &n, &cap, &item->id, item->at_ms) != 0)
            goto done;
    }
    n = s_unique(all, n);
    if (n == 0)
        goto done;
    newest = all[n - 1].at;
    update = bson_new();
    BSON_APPEND_DOCUMENT_BEGIN(update, "$set", &set);
    BSON_APPEND_INT64(&set, "day", newest / DAY_MS);
    BSON_APPEND_ARRAY_BEGIN(&set, "complaints", &arr);
    for (size_t i = 0; i < n; i++) {
        char key[24];
        const char *name;
        bson_uint32_to_string((uint32_t) i, &name, key, sizeof key);
        s_append_entry(&arr, name, &all[i].id, all[i].at);
    }
    bson_append_array_end(&set, &arr);
    bson_append_document_end(update, &set);
done:
    free(all);
    return update;
}

/* Whether key k's document is rewritten: it existed, and its item was stored. */
static bool
s_rewrites(const lp_recent_batch_t *self, size_t k, const bool *stored)
{
    return self->keys[k].claimed == LP_STORE_DUPLICATE && stored[self->keys[k].item];
}

int
lp_recent_batch_record(lp_recent_batch_t *self, const bool *stored, lp_error_t *err)
{
    bson_t *bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
    bson_t *upsert = BCON_NEW("upsert", BCON_BOOL(true));
    mongoc_bulk_operation_t *bulk = NULL;
    bson_error_t error = {0};
    int64_t now = lp_now_ms();
    size_t queued = 0;
    bool ok = true;

    lp_error_clear(err);
    for (size_t k = 0; k < self->n_keys && ok; k++) {
        bool first = true;
        bson_t *update = NULL, filter = BSON_INITIALIZER;
        /* Only documents that existed, by a stored item's key, once per lookup (a
         * reporter twice in one batch: the second key met the first's insert). */
        for (size_t j = 0; j < k && first; j++)
            first = !s_rewrites(self, j, stored) ||
                    strcmp(self->keys[j].lookup, self->keys[k].lookup) != 0;
        if (!first || !s_rewrites(self, k, stored) || !(update = s_rewrite(self, k, stored, now)))
            continue;
        if (!bulk)
            bulk = mongoc_collection_create_bulk_operation_with_opts(self->recent, bulk_opts);
        BSON_APPEND_UTF8(&filter, "_id", self->keys[k].lookup);
        ok = mongoc_bulk_operation_update_one_with_opts(bulk, &filter, update, upsert, &error);
        bson_destroy(&filter);
        bson_destroy(update);
        if (ok && ++queued == LP_STORE_BULK_MAX) {
            ok = mongoc_bulk_operation_execute(bulk, NULL, &error) != 0;
            mongoc_bulk_operation_destroy(bulk);
            bulk = NULL;
            queued = 0;
        }
    }
    if (ok && bulk)
        ok = mongoc_bulk_operation_execute(bulk, NULL, &error) != 0;
    if (bulk)
        mongoc_bulk_operation_destroy(bulk);
    if (!ok)
        lp_store_set_error(err, &error, "record a reporter's complaint");
    bson_destroy(upsert);
    bson_destroy(bulk_opts);
    return ok ? 0 : -1;
}

int
lp_recent_add(mongoc_collection_t *recent, const char *phone_lookup, const char *email_lookup,
              const bson_oid_t *id, int64_t at_ms, lp_error_t *err)
{
    lp_recent_item_t item = {
        .phone_lookup = phone_lookup, .email_lookup = email_lookup, .at_ms = at_ms};
    const bool stored = true;
    bson_oid_copy(id, &item.id);
    lp_recent_batch_t *batch = lp_recent_batch_new(recent, &item, 1, err);
    int rc = batch ? lp_recent_batch_record(batch, &stored, err) : -1;
    lp_recent_batch_destroy(&batch);
    return rc;
}

int
lp_recent_forget(mongoc_collection_t *recent, const bson_t *complaint, lp_error_t *err)
{
    static const char *const paths[2] = {"reporter.lookup.phone", "reporter.lookup.email"};
    int64_t at = lp_doc_int(complaint, "created_at");
    bson_iter_t it;
    bson_error_t error;
    int rc = 0;

    if (at <= 0 || !bson_iter_init_find(&it, complaint, "_id") || !BSON_ITER_HOLDS_OID(&it))
        return 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        const char *lookup = lp_doc_str(complaint, paths[i]);
        char day_key[KEY_LEN];
        bson_value_t ids[2];
        bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, pull;
        if (!*lookup)
            continue;
        /* The reporter's document, and the day document of before session 8. */
        s_day_key(day_key, lookup, at);
        lp_store_str_value(&ids[0], lookup);
        lp_store_str_value(&ids[1], day_key);
        lp_store_append_ids_in(&filter, ids, 2);
        BSON_APPEND_DOCUMENT_BEGIN(&update, "$pull", &pull);
        s_append_entry(&pull, "complaints", bson_iter_oid(&it), at);
        bson_append_document_end(&update, &pull);
        if (!mongoc_collection_update_many(recent, &filter, &update, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "forget a reporter's complaint");
            rc = -1;
        }
        bson_destroy(&update);
        bson_destroy(&filter);
    }
    return rc;
}

int
lp_recent_forget_complaint(mongoc_collection_t *recent, mongoc_collection_t *complaints,
                           const bson_oid_t *oid, lp_error_t *err)
{
    bson_t *filter = BCON_NEW("_id", BCON_OID(oid));
    bson_t *projection = BCON_NEW("created_at", BCON_INT32(1), "reporter.lookup", BCON_INT32(1));
    bson_t *doc = lp_store_find_one(complaints, filter, projection, err);
    int rc = err->code == LP_ERR_NONE ? 0 : -1;

    if (doc)
        rc = lp_recent_forget(recent, doc, err);
    if (doc)
        bson_destroy(doc);
    bson_destroy(projection);
    bson_destroy(filter);
    return rc;
}

int
lp_recent_sweep(mongoc_collection_t *recent, int64_t now_ms, lp_error_t *err)
{
    bson_t *filter = BCON_NEW("day", "{", "$lt", BCON_INT64(now_ms / DAY_MS - 1), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    int rc = -1;

    if (mongoc_collection_delete_many(recent, filter, NULL, &reply, &error))
        rc = (int) lp_doc_int(&reply, "deletedCount");
    else
        lp_store_set_error(err, &error, "sweep reporters' recent complaints");
    bson_destroy(&reply);
    bson_destroy(filter);
    return rc;
}
