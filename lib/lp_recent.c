/* lp_recent: each reporter's complaints of the last two days, one document per day. */
#include "lp_recent.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_doc.h"
#include "lp_identity.h"

#define DAY_MS (24LL * 3600 * 1000)
#define KEY_LEN (LP_IDENTITY_LOOKUP_LEN + 24)

/* "<lookup>:<day number>": the _id of one reporter's day. */
static void
s_key(char key[KEY_LEN], const char *lookup, int64_t at_ms)
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

/* One key of an item: a reporter lookup hash and the day of the complaint. */
typedef struct {
    char key[KEY_LEN];
    const lp_recent_item_t *item;
} s_key_t;

/* Upserts (day, and the entry pushed) for keys[i] with pick[i] (pick NULL: all),
 * in unordered bulk writes of LP_STORE_BULK_MAX. false with error filled. */
static bool
s_push(mongoc_collection_t *recent, const s_key_t *keys, const bool *pick, size_t n,
       bson_error_t *error)
{
    bson_t *bulk_opts = BCON_NEW("ordered", BCON_BOOL(false));
    bson_t *upsert = BCON_NEW("upsert", BCON_BOOL(true));
    mongoc_bulk_operation_t *bulk = NULL;
    bool ok = true;
    size_t queued = 0;

    for (size_t k = 0; k < n && ok; k++) {
        bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, child;
        if (pick && !pick[k])
            continue;
        if (!bulk)
            bulk = mongoc_collection_create_bulk_operation_with_opts(recent, bulk_opts);
        BSON_APPEND_UTF8(&filter, "_id", keys[k].key);
        BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &child);
        BSON_APPEND_INT64(&child, "day", keys[k].item->at_ms / DAY_MS);
        bson_append_document_end(&update, &child);
        BSON_APPEND_DOCUMENT_BEGIN(&update, "$push", &child);
        s_append_entry(&child, "complaints", &keys[k].item->id, keys[k].item->at_ms);
        bson_append_document_end(&update, &child);
        ok = mongoc_bulk_operation_update_one_with_opts(bulk, &filter, &update, upsert, error);
        bson_destroy(&update);
        bson_destroy(&filter);
        if (ok && ++queued == LP_STORE_BULK_MAX) {
            ok = mongoc_bulk_operation_execute(bulk, NULL, error) != 0;
            mongoc_bulk_operation_destroy(bulk);
            bulk = NULL;
            queued = 0;
        }
    }
    if (ok && bulk)
        ok = mongoc_bulk_operation_execute(bulk, NULL, error) != 0;
    if (bulk)
        mongoc_bulk_operation_destroy(bulk);
    bson_destroy(upsert);
    bson_destroy(bulk_opts);
    return ok;
}

int
lp_recent_add_many(mongoc_collection_t *recent, const lp_recent_item_t *items, size_t n,
                   lp_error_t *err)
{
    s_key_t *keys = calloc(2 * n + 1, sizeof *keys);
    bson_t *docs = calloc(2 * n + 1, sizeof *docs);
    const bson_t **ptrs = calloc(2 * n + 1, sizeof *ptrs);
    lp_store_outcome_t *out = calloc(2 * n + 1, sizeof *out);
    bool *again = calloc(2 * n + 1, sizeof *again);
    bson_error_t error = {0};
    size_t k = 0;
    int rc = 0;

    if (!keys || !docs || !ptrs || !out || !again) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        rc = -1;
        goto done;
    }
    /* Most reporters send one complaint a day: their day document is new, and an
     * insert costs the local database a fraction of an upsert. */
    for (size_t i = 0; i < n; i++) {
        const char *const lookups[2] = {items[i].phone_lookup, items[i].email_lookup};
        for (int l = 0; l < 2; l++) {
            bson_t arr;
            if (!lookups[l] || !*lookups[l])
                continue;
            s_key(keys[k].key, lookups[l], items[i].at_ms);
            keys[k].item = &items[i];
            bson_init(&docs[k]);
            BSON_APPEND_UTF8(&docs[k], "_id", keys[k].key);
            BSON_APPEND_INT64(&docs[k], "day", items[i].at_ms / DAY_MS);
            BSON_APPEND_ARRAY_BEGIN(&docs[k], "complaints", &arr);
            s_append_entry(&arr, "0", &items[i].id, items[i].at_ms);
            bson_append_array_end(&docs[k], &arr);
            ptrs[k] = &docs[k];
            k++;
        }
    }
    if (k == 0)
        goto done;
    lp_store_insert_many(recent, ptrs, k, out);
    /* A day document that exists (or a key twice in one batch) gets the entry
     * pushed; so does one whose insert failed, once more. */
    bool any = false;
    for (size_t i = 0; i < k; i++)
        any |= again[i] = out[i] != LP_STORE_INSERTED;
    /* Two first upserts of one day may race to insert it; the loser finds it now
     * (a repeated $push would list a complaint twice, which lp_recent_find_many
     * tolerates). */
    if (any && !s_push(recent, keys, again, k, &error) &&
        !(lp_store_is_duplicate(&error) && s_push(recent, keys, again, k, &error))) {
        lp_store_set_error(err, &error, "record a reporter's complaint");
        rc = -1;
    }
done:
    for (size_t i = 0; docs && i < k; i++)
        bson_destroy(&docs[i]);
    free(again);
    free(out);
    free(ptrs);
    free(docs);
    free(keys);
    return rc;
}

int
lp_recent_add(mongoc_collection_t *recent, const char *phone_lookup, const char *email_lookup,
              const bson_oid_t *id, int64_t at_ms, lp_error_t *err)
{
    lp_recent_item_t item = {
        .phone_lookup = phone_lookup, .email_lookup = email_lookup, .at_ms = at_ms};
    bson_oid_copy(id, &item.id);
    return lp_recent_add_many(recent, &item, 1, err);
}

/* Appends the entries of one day document created at or after since_ms. */
static int
s_collect(const bson_t *doc, int64_t since_ms, lp_recent_entry_t **all, size_t *n, size_t *cap,
          lp_error_t *err)
{
    bson_iter_t arr;
    bson_t entry;

    if (!bson_iter_init_find(&arr, doc, "complaints") || !BSON_ITER_HOLDS_ARRAY(&arr) ||
        !bson_iter_recurse(&arr, &arr))
        return 0;
    while (lp_doc_next_doc(&arr, &entry)) {
        bson_iter_t it;
        int64_t at = lp_doc_int(&entry, "at");
        if (at < since_ms || !bson_iter_init_find(&it, &entry, "id") || !BSON_ITER_HOLDS_OID(&it))
            continue;
        if (*n == *cap) {
            size_t grown = *cap ? *cap * 2 : 16;
            lp_recent_entry_t *more = realloc(*all, grown * sizeof **all);
            if (!more) {
                lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
                return -1;
            }
            *all = more;
            *cap = grown;
        }
        bson_oid_copy(bson_iter_oid(&it), &(*all)[*n].id);
        (*all)[*n].at = at;
        (*n)++;
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

/* The day documents a query reads: today's, yesterday's and the day before (a
 * window of up to two days), for the phone and for the email. */
#define S_KEYS_PER_QUERY 6

/* Keeps the newest max of a query's entries all[0..n), oldest first, each once
 * (the phone's and the email's documents name the same complaint twice). */
static void
s_pick(lp_recent_query_t *q, lp_recent_entry_t *all, size_t n)
{
    size_t unique = 0;
    if (n > 1)
        qsort(all, n, sizeof *all, s_by_time);
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < unique && !seen; j++)
            seen = bson_oid_equal(&all[j].id, &all[i].id);
        if (!seen)
            all[unique++] = all[i];
    }
    size_t first = unique > (size_t) q->max ? unique - (size_t) q->max : 0;
    q->found = 0;
    for (size_t i = first; i < unique; i++)
        q->out[q->found++] = all[i];
}

int
lp_recent_find_many(mongoc_collection_t *recent, lp_recent_query_t *queries, size_t n,
                    int64_t now_ms, int64_t since_ms, lp_error_t *err)
{
    char(*keys)[KEY_LEN] = calloc(n * S_KEYS_PER_QUERY + 1, sizeof *keys);
    bson_value_t *ids = calloc(n * S_KEYS_PER_QUERY + 1, sizeof *ids);
    bson_t **docs = calloc(n * S_KEYS_PER_QUERY + 1, sizeof *docs);
    size_t *first = calloc(n + 1, sizeof *first);
    lp_recent_entry_t *all = NULL;
    size_t k = 0, n_all = 0, cap = 0;
    int rc = 0;

    lp_error_clear(err);
    for (size_t q = 0; q < n; q++)
        queries[q].found = 0;
    if (!keys || !ids || !docs || !first) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        rc = -1;
        goto done;
    }
    if (since_ms < now_ms - 2 * DAY_MS)
        since_ms = now_ms - 2 * DAY_MS;
    /* Every query's day documents, read together by _id. */
    for (size_t q = 0; q < n; q++) {
        const char *const lookups[2] = {queries[q].phone_lookup, queries[q].email_lookup};
        first[q] = k;
        for (int i = 0; i < 2; i++)
            for (int64_t day = since_ms / DAY_MS; day <= now_ms / DAY_MS; day++)
                if (lookups[i] && *lookups[i] && k - first[q] < S_KEYS_PER_QUERY) {
                    s_key(keys[k], lookups[i], day * DAY_MS);
                    lp_store_str_value(&ids[k], keys[k]);
                    k++;
                }
    }
    first[n] = k;
    if (k > 0 && !lp_store_find_ids(recent, ids, k, NULL, docs, err)) {
        rc = -1;
        goto done;
    }
    for (size_t q = 0; q < n && rc == 0; q++) {
        n_all = 0;
        for (size_t i = first[q]; i < first[q + 1] && rc == 0; i++)
            if (docs[i])
                rc = s_collect(docs[i], since_ms, &all, &n_all, &cap, err);
        if (rc == 0)
            s_pick(&queries[q], all, n_all);
    }
done:
    for (size_t i = 0; docs && i < k; i++)
        if (docs[i])
            bson_destroy(docs[i]);
    free(all);
    free(first);
    free(docs);
    free(ids);
    free(keys);
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
        char key[KEY_LEN];
        bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, pull;
        if (!*lookup)
            continue;
        s_key(key, lookup, at);
        BSON_APPEND_UTF8(&filter, "_id", key);
        BSON_APPEND_DOCUMENT_BEGIN(&update, "$pull", &pull);
        s_append_entry(&pull, "complaints", bson_iter_oid(&it), at);
        bson_append_document_end(&update, &pull);
        if (!mongoc_collection_update_one(recent, &filter, &update, NULL, NULL, &error)) {
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
