/* rollup: folding ledger entries into roll-up cells, each batch exactly once.
 *
 * One reporter at a time holds the compactor lease. It numbers a batch in
 * stats_meta (open_batch) before tagging ledger entries with that number, then
 * adds each counter's sum with a single guarded update: last_batch < batch. A
 * crash anywhere replays the open batch, and the guard skips counters that
 * already took it; so no event is counted twice or lost, without transactions.
 *
 * Which entries to fold comes from marks (stats_unfolded, written before each
 * entry), and entries are read and tagged by _id: "entries with batch 0" would be
 * a scan of the whole ledger on the local database, which grows with every event.
 * The batch's ids are kept in stats_meta (open_ids) so a crash replays it by _id.
 * A scan of the ledger still runs at start and every LAPOR_FULL_SWEEP_MS, for
 * entries without a mark (written before marks existed). */
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "lp_clock.h"
#include "lp_log.h"
#include "reporter-private.h"

#define META_ID "compactor"

typedef struct {
    char id[REPORTER_CELL_ID_LEN];
    lp_stats_dims_t dims;
    lp_stats_measures_t m;
} s_sum_t;

typedef struct {
    s_sum_t *items;
    size_t count, cap;
} s_sums_t;

/* The sum of cell id, added when new; NULL when out of memory. */
static s_sum_t *
s_sums_get(s_sums_t *sums, const char *id, const bson_t *dims)
{
    /* Linear: a batch touches at most a thousand cells, usually far fewer. */
    for (size_t i = 0; i < sums->count; i++)
        if (strcmp(sums->items[i].id, id) == 0)
            return &sums->items[i];
    if (sums->count == sums->cap) {
        size_t cap = sums->cap ? sums->cap * 2 : 64;
        s_sum_t *bigger = realloc(sums->items, cap * sizeof *bigger);
        if (!bigger)
            return NULL;
        sums->items = bigger;
        sums->cap = cap;
    }
    s_sum_t *sum = &sums->items[sums->count++];
    memset(sum, 0, sizeof *sum);
    snprintf(sum->id, sizeof sum->id, "%s", id);
    lp_stats_read_dims(dims, &sum->dims);
    return sum;
}

/* Collects up to REPORTER_FOLD_BATCH unfolded entry ids into an $in array. */
static int
s_unfolded_ids(mongoc_collection_t *ledger, bson_t *in_array)
{
    bson_t *filter = BCON_NEW("batch", BCON_INT64(0));
    bson_t *opts = BCON_NEW("limit", BCON_INT64(REPORTER_FOLD_BATCH), "projection", "{", "_id",
                            BCON_INT32(1), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(ledger, filter, opts, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    bson_iter_t it;
    char key[16];
    int n = 0;

    while (mongoc_cursor_next(cursor, &doc)) {
        if (!bson_iter_init_find(&it, doc, "_id"))
            continue;
        snprintf(key, sizeof key, "%d", n++);
        BSON_APPEND_VALUE(in_array, key, bson_iter_value(&it));
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        n = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    return n;
}

/* Opens batch b: recorded in the meta document first, then the entries are tagged. */
static bool
s_open_batch(mongoc_collection_t *meta, mongoc_collection_t *ledger, const char *owner, int64_t b,
             const bson_t *ids)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID), "lease.owner", BCON_UTF8(owner));
    bson_t *update =
        BCON_NEW("$set", "{", "open_batch", BCON_INT64(b), "next_batch", BCON_INT64(b + 1), "}");
    bson_t tag_filter = BSON_INITIALIZER, in;
    bson_t *tag = BCON_NEW("$set", "{", "batch", BCON_INT64(b), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    bool ok = mongoc_collection_update_one(meta, filter, update, NULL, &reply, &error) &&
              bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1;

    if (ok) {
        BSON_APPEND_DOCUMENT_BEGIN(&tag_filter, "_id", &in);
        BSON_APPEND_ARRAY(&in, "$in", ids);
        bson_append_document_end(&tag_filter, &in);
        BSON_APPEND_INT64(&tag_filter, "batch", 0);
        ok = mongoc_collection_update_many(ledger, &tag_filter, tag, NULL, NULL, &error);
    }
    if (!ok && error.code)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    bson_destroy(&reply);
    bson_destroy(&tag_filter);
    bson_destroy(tag);
    bson_destroy(update);
    bson_destroy(filter);
    return ok;
}

/* Adds the cells of one ledger entry to sums; false when out of memory. */
static bool
s_sum_entry(const bson_t *doc, s_sums_t *sums)
{
    bson_iter_t it, arr;
    bool ok = true;

    /* Entries written before cells existed hold "deltas": a rebuild recounts them. */
    if (!bson_iter_init_find(&it, doc, "cells") || !BSON_ITER_HOLDS_ARRAY(&it) ||
        !bson_iter_recurse(&it, &arr))
        return true;
    while (bson_iter_next(&arr)) {
        bson_t cell, dims, inc;
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bson_iter_t f;
        s_sum_t *sum = NULL;
        if (!BSON_ITER_HOLDS_DOCUMENT(&arr))
            continue;
        bson_iter_document(&arr, &len, &data);
        if (!bson_init_static(&cell, data, len))
            continue;
        bson_init(&dims);
        bson_init(&inc);
        if (bson_iter_init_find(&f, &cell, "dims") && BSON_ITER_HOLDS_DOCUMENT(&f)) {
            bson_iter_document(&f, &len, &data);
            bson_destroy(&dims);
            bson_init_static(&dims, data, len);
        }
        if (bson_iter_init_find(&f, &cell, "inc") && BSON_ITER_HOLDS_DOCUMENT(&f)) {
            bson_iter_document(&f, &len, &data);
            bson_destroy(&inc);
            bson_init_static(&inc, data, len);
        }
        sum = s_sums_get(sums, lp_doc_str(&cell, "id"), &dims);
        if (!sum)
            ok = false;
        else
            lp_stats_add_measures(&sum->m, &inc);
        bson_destroy(&dims);
        bson_destroy(&inc);
    }
    return ok;
}

/* Sums the deltas of batch b found by scanning the ledger; returns the number of
 * entries, -1 on error. */
static int
s_sum_batch(mongoc_collection_t *ledger, int64_t b, s_sums_t *sums)
{
    bson_t *filter = BCON_NEW("batch", BCON_INT64(b));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(ledger, filter, NULL, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    int entries = 0;

    while (entries >= 0 && mongoc_cursor_next(cursor, &doc))
        entries = s_sum_entry(doc, sums) ? entries + 1 : -1;
    if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        entries = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
    return entries;
}

/* Adds one cell's sums unless the cell already took batch b. */
static bool
s_apply(mongoc_collection_t *rollups, const s_sum_t *sum, int64_t b)
{
    bson_t *filter = NULL, *opts = BCON_NEW("upsert", BCON_BOOL(true));
    bson_t update = BSON_INITIALIZER, inc, set;
    bson_error_t error;
    bool ok = true;

    filter = BCON_NEW("_id", BCON_UTF8(sum->id), "last_batch", "{", "$lt", BCON_INT64(b), "}");
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$inc", &inc);
    lp_stats_append_measures(&inc, &sum->m, 1);
    bson_append_document_end(&update, &inc);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, "kind", "cell");
    lp_stats_append_dims(&set, &sum->dims);
    BSON_APPEND_INT64(&set, "last_batch", b);
    BSON_APPEND_INT64(&set, "updated_at", lp_now_ms());
    bson_append_document_end(&update, &set);
    /* A duplicate key means the cell exists with last_batch >= b: already applied. */
    if (!mongoc_collection_update_one(rollups, filter, &update, opts, NULL, &error) &&
        !lp_store_is_duplicate(&error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        ok = false;
    }
    bson_destroy(opts);
    bson_destroy(&update);
    bson_destroy(filter);
    return ok;
}

/* Runs one statement per id of ids (an array of strings) in bulks of LP_STORE_BULK_MAX:
 * tag (batch 0 -> b) when b > 0, else delete the mark. False on a database error. */
static bool
s_each_id(mongoc_collection_t *coll, const bson_t *ids, int64_t b)
{
    bson_t *update = b > 0 ? BCON_NEW("$set", "{", "batch", BCON_INT64(b), "}") : NULL;
    bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
    mongoc_bulk_operation_t *bulk = NULL;
    bson_error_t error;
    bson_iter_t it;
    int queued = 0;
    bool ok = bson_iter_init(&it, ids), more = true;

    while (ok && more) {
        more = bson_iter_next(&it);
        if (more && BSON_ITER_HOLDS_UTF8(&it)) {
            bson_t *sel = b > 0 ? BCON_NEW("_id", BCON_UTF8(bson_iter_utf8(&it, NULL)), "batch",
                                           BCON_INT64(0))
                                : BCON_NEW("_id", BCON_UTF8(bson_iter_utf8(&it, NULL)));
            if (!bulk)
                bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
            ok = b > 0 ? mongoc_bulk_operation_update_one_with_opts(bulk, sel, update, NULL, &error)
                       : mongoc_bulk_operation_remove_one_with_opts(bulk, sel, NULL, &error);
            bson_destroy(sel);
            queued++;
        }
        if (bulk && (queued == LP_STORE_BULK_MAX || !more)) {
            ok = ok && mongoc_bulk_operation_execute(bulk, NULL, &error);
            mongoc_bulk_operation_destroy(bulk);
            bulk = NULL;
            queued = 0;
        }
    }
    if (!ok)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    if (bulk)
        mongoc_bulk_operation_destroy(bulk);
    bson_destroy(bopts);
    if (update)
        bson_destroy(update);
    return ok;
}

/* The ledger entry id, or NULL when it does not exist (err tells a failure). */
static bson_t *
s_entry(mongoc_collection_t *ledger, const char *id, lp_error_t *err)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
    bson_t *doc = lp_store_find_one(ledger, filter, NULL, err);
    bson_destroy(filter);
    return doc;
}

/* Reads up to REPORTER_FOLD_BATCH marks and sums the entries they point at that are
 * still unfolded; their ids go to ids, every mark read to marks (to delete after
 * the fold). Returns the entries summed, -1 on error. */
static int
s_sum_marked(mongoc_collection_t *unfolded, mongoc_collection_t *ledger, bson_t *ids, bson_t *marks,
             s_sums_t *sums)
{
    bson_t *opts = BCON_NEW("limit", BCON_INT64(REPORTER_FOLD_BATCH));
    bson_t empty = BSON_INITIALIZER;
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(unfolded, &empty, opts, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    char key[16];
    int n_marks = 0, n = 0;
    bson_iter_t it;

    while (mongoc_cursor_next(cursor, &doc))
        if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_UTF8(&it)) {
            snprintf(key, sizeof key, "%d", n_marks++);
            BSON_APPEND_UTF8(marks, key, bson_iter_utf8(&it, NULL));
        }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        n = -1;
    }
    mongoc_cursor_destroy(cursor);
    /* The cursor is closed before the lookups: nothing waits on it. A mark without
     * an unfolded entry (the entry was a repeat, or was counted by a rebuild) is
     * only deleted. */
    if (n == 0 && bson_iter_init(&it, marks))
        while (n >= 0 && bson_iter_next(&it)) {
            lp_error_t err;
            bson_t *entry = s_entry(ledger, bson_iter_utf8(&it, NULL), &err);
            if (!entry && err.code != LP_ERR_NONE)
                n = -1;
            else if (entry && lp_doc_int(entry, "batch") == 0) {
                snprintf(key, sizeof key, "%d", n);
                BSON_APPEND_UTF8(ids, key, bson_iter_utf8(&it, NULL));
                n = s_sum_entry(entry, sums) ? n + 1 : -1;
            }
            if (entry)
                bson_destroy(entry);
        }
    bson_destroy(opts);
    return n;
}

/* Sums the entries of the open batch b listed in ids (after a crash), tagging any
 * the crash left untagged. Returns the entries summed, -1 on error. */
static int
s_sum_open(mongoc_collection_t *ledger, const bson_t *ids, int64_t b, s_sums_t *sums)
{
    bson_iter_t it;
    int n = 0;

    if (!s_each_id(ledger, ids, b) || !bson_iter_init(&it, ids))
        return -1;
    while (n >= 0 && bson_iter_next(&it)) {
        lp_error_t err;
        bson_t *entry =
            BSON_ITER_HOLDS_UTF8(&it) ? s_entry(ledger, bson_iter_utf8(&it, NULL), &err) : NULL;
        if (!entry && BSON_ITER_HOLDS_UTF8(&it) && err.code != LP_ERR_NONE)
            n = -1;
        else if (entry && lp_doc_int(entry, "batch") == b)
            n = s_sum_entry(entry, sums) ? n + 1 : -1;
        if (entry)
            bson_destroy(entry);
    }
    return n;
}

/* Records batch b and its ids in the meta document (before anything is tagged). */
static bool
s_record_batch(mongoc_collection_t *meta, const char *owner, int64_t b, const bson_t *ids)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID), "lease.owner", BCON_UTF8(owner));
    bson_t update = BSON_INITIALIZER, set;
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;

    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_INT64(&set, "open_batch", b);
    BSON_APPEND_INT64(&set, "next_batch", b + 1);
    BSON_APPEND_ARRAY(&set, "open_ids", ids);
    bson_append_document_end(&update, &set);
    bool ok = mongoc_collection_update_one(meta, filter, &update, NULL, &reply, &error) &&
              bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1;
    if (!ok && error.code)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    bson_destroy(&reply);
    bson_destroy(&update);
    bson_destroy(filter);
    return ok;
}

static void
s_close_batch(mongoc_collection_t *meta, const char *owner)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID), "lease.owner", BCON_UTF8(owner));
    bson_t *update = BCON_NEW("$set", "{", "open_batch", BCON_INT64(0), "}", "$unset", "{", "lease",
                              BCON_UTF8(""), "open_ids", BCON_UTF8(""), "}");
    mongoc_collection_update_one(meta, filter, update, NULL, NULL, NULL);
    bson_destroy(update);
    bson_destroy(filter);
}

int
reporter_fold(reporter_t *self)
{
    const char *owner = self->svc.config->instance;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *meta = lp_store_collection(self->svc.store, client, LP_COLL_STATS_META);
    mongoc_collection_t *ledger = lp_store_collection(self->svc.store, client, LP_COLL_LEDGER);
    mongoc_collection_t *rollups = lp_store_collection(self->svc.store, client, LP_COLL_ROLLUPS);
    mongoc_collection_t *unfolded = lp_store_collection(self->svc.store, client, LP_COLL_UNFOLDED);
    bson_t *seed = BCON_NEW("_id", BCON_UTF8(META_ID), "next_batch", BCON_INT64(1), "open_batch",
                            BCON_INT64(0));
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID));
    bson_t *claimed = NULL;
    bson_t ids = BSON_INITIALIZER, marks = BSON_INITIALIZER;
    s_sums_t sums = {0};
    lp_error_t err;
    int64_t b = 0;
    int folded = 0;

    lp_error_clear(&err);
    mongoc_collection_insert_one(meta, seed, NULL, NULL, NULL); /* exists: fine */
    claimed =
        lp_store_claim(meta, filter, "lease", owner, self->svc.config->lease_ms, NULL, NULL, &err);
    if (!claimed) {
        folded = err.code == LP_ERR_NONE ? 0 : -1; /* another reporter is folding */
        goto done;
    }
    b = lp_doc_int(claimed, "open_batch");
    bson_iter_t open_ids;
    bool scan = lp_mono_ms() >= self->next_full_fold;
    if (b != 0 && bson_iter_init_find(&open_ids, claimed, "open_ids") &&
        BSON_ITER_HOLDS_ARRAY(&open_ids)) {
        /* A batch a crash left open, replayed by _id; then its marks go. */
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bson_t listed;
        bson_iter_array(&open_ids, &len, &data);
        if (bson_init_static(&listed, data, len)) {
            bson_copy_to_excluding_noinit(&listed, &marks, "", NULL);
            folded = s_sum_open(ledger, &marks, b, &sums);
        }
    }
    else if (b != 0)
        folded = s_sum_batch(ledger, b, &sums); /* opened by the scan, or before marks */
    else if (scan) {
        self->next_full_fold = lp_mono_ms() + self->svc.config->full_sweep_ms;
        int n = s_unfolded_ids(ledger, &ids);
        if (n <= 0) {
            folded = n;
            s_close_batch(meta, owner);
            goto done;
        }
        b = lp_doc_int(claimed, "next_batch");
        if (b < 1 || !s_open_batch(meta, ledger, owner, b, &ids)) {
            folded = -1;
            goto done;
        }
        folded = s_sum_batch(ledger, b, &sums);
    }
    else {
        folded = s_sum_marked(unfolded, ledger, &ids, &marks, &sums);
        if (folded <= 0) {
            if (folded == 0 && !bson_empty(&marks))
                s_each_id(unfolded, &marks, 0); /* marks of repeats only */
            if (folded == 0)
                s_close_batch(meta, owner);
            goto done;
        }
        b = lp_doc_int(claimed, "next_batch");
        if (b < 1 || !s_record_batch(meta, owner, b, &ids) || !s_each_id(ledger, &ids, b)) {
            folded = -1;
            goto done;
        }
    }
    for (size_t i = 0; folded >= 0 && i < sums.count; i++) {
        bool any = false;
        for (int f = 0; f < LP_STATS_N_FIELDS && !any; f++)
            any = sums.items[i].m.v[f] != 0;
        if (any && !s_apply(rollups, &sums.items[i], b))
            folded = -1;
    }
    /* The marks go after the roll-ups took the batch: a crash before replays it. */
    if (folded >= 0 && !bson_empty(&marks) && !s_each_id(unfolded, &marks, 0))
        folded = -1;
    if (folded >= 0) {
        s_close_batch(meta, owner);
        lp_metric_add(self->folded, (uint64_t) folded);
        lp_log(LP_LOG_INFO, "rollup.folded", "{s:I,s:i,s:i}", "batch", (json_int_t) b, "entries",
               folded, "counters", (int) sums.count);
    }
done:
    if (folded < 0)
        lp_metric_inc(self->db_errors);
    free(sums.items);
    bson_destroy(&ids);
    bson_destroy(&marks);
    if (claimed)
        bson_destroy(claimed);
    bson_destroy(filter);
    bson_destroy(seed);
    mongoc_collection_destroy(unfolded);
    mongoc_collection_destroy(rollups);
    mongoc_collection_destroy(ledger);
    mongoc_collection_destroy(meta);
    lp_store_push(self->svc.store, client);
    return folded;
}
