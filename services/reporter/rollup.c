/* rollup: folding ledger entries into roll-up cells, each batch exactly once.
 *
 * One reporter at a time holds the compactor lease. It numbers a batch in
 * stats_meta (open_batch) before tagging ledger entries with that number, then
 * adds each counter's sum with a single guarded update: last_batch < batch. A
 * crash anywhere replays the open batch, and the guard skips counters that
 * already took it; so no event is counted twice or lost, without transactions.
 *
 * Which entries to fold: those this instance just wrote (kept in memory, see
 * reporter_fold_later), read and tagged by _id: "entries with batch 0" would be a
 * scan of the whole ledger on the local database, which grows with every event.
 * The batch's ids are kept in stats_meta (open_ids) so a crash replays it by _id.
 * A scan of the ledger runs at start and every LAPOR_FULL_SWEEP_MS, for entries
 * whose writer died before folding them. */
#include <stdio.h>
#include <stdlib.h>
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

/* Entries tagged per command: every other write waits while one runs on the local
 * database (its front passes one write at a time), so a command stays short
 * (50 entries held the others up for about 50 ms). */
#define S_TAG_CHUNK 10

/* Tags the ledger entries listed in ids (an array) that are still unfolded (batch 0)
 * with batch b, S_TAG_CHUNK per write (the local database looks them up by _id).
 * False on a database error. */
static bool
s_tag(mongoc_collection_t *ledger, const bson_t *ids, int64_t b)
{
    bson_t *tag = BCON_NEW("$set", "{", "batch", BCON_INT64(b), "}");
    bson_error_t error;
    bson_iter_t it;
    bool ok = true, more = bson_iter_init(&it, ids) && bson_iter_next(&it);

    while (ok && more) {
        bson_t filter = BSON_INITIALIZER;
        bson_value_t chunk[S_TAG_CHUNK];
        size_t k = 0;
        for (; k < S_TAG_CHUNK && more; k++, more = bson_iter_next(&it))
            chunk[k] = *bson_iter_value(&it); /* points into ids */
        lp_store_append_ids_in(&filter, chunk, k);
        BSON_APPEND_INT64(&filter, "batch", 0);
        ok = mongoc_collection_update_many(ledger, &filter, tag, NULL, NULL, &error);
        if (!ok)
            lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        bson_destroy(&filter);
    }
    bson_destroy(tag);
    return ok;
}

/* Opens batch b: recorded in the meta document first, then the entries are tagged. */
static bool
s_open_batch(mongoc_collection_t *meta, mongoc_collection_t *ledger, const char *owner, int64_t b,
             const bson_t *ids)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID), "lease.owner", BCON_UTF8(owner));
    bson_t *update =
        BCON_NEW("$set", "{", "open_batch", BCON_INT64(b), "next_batch", BCON_INT64(b + 1), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error = {0};
    bson_iter_t it;
    bool ok = mongoc_collection_update_one(meta, filter, update, NULL, &reply, &error) &&
              bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1;

    if (!ok && error.code)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    ok = ok && s_tag(ledger, ids, b);
    bson_destroy(&reply);
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

/* Reads the ledger entries named in list (an array of strings) in one query per
 * LP_STORE_BULK_MAX and calls take(entry, arg) for each that exists, in list order.
 * Returns the number of entries take accepted, -1 on a database error (or when
 * take returns -1). */
static int
s_entries(mongoc_collection_t *ledger, const bson_t *list,
          int (*take)(const bson_t *entry, const char *id, void *arg), void *arg)
{
    uint32_t count = bson_count_keys(list);
    bson_value_t *ids = calloc(count ? count : 1, sizeof *ids);
    bson_t **docs = calloc(count ? count : 1, sizeof *docs);
    lp_error_t err;
    bson_iter_t it;
    size_t k = 0;
    int n = 0;

    if (!ids || !docs || !bson_iter_init(&it, list))
        n = -1;
    while (n == 0 && k < count && bson_iter_next(&it))
        if (BSON_ITER_HOLDS_UTF8(&it))
            bson_value_copy(bson_iter_value(&it), &ids[k++]);
    if (n == 0 && !lp_store_find_ids(ledger, ids, k, NULL, docs, &err))
        n = -1;
    for (size_t i = 0; i < k; i++) {
        if (n >= 0 && docs[i]) {
            int took = take(docs[i], ids[i].value.v_utf8.str, arg);
            n = took < 0 ? -1 : n + took;
        }
        if (docs[i])
            bson_destroy(docs[i]);
        bson_value_destroy(&ids[i]);
    }
    free(docs);
    free(ids);
    return n;
}

typedef struct {
    s_sums_t *sums;
    bson_t *ids;  /* s_sum_pending: the unfolded entries' ids go here */
    bson_t *seen; /* s_sum_pending: every entry read, to count each once */
    int64_t batch;
    int n;
} s_take_t;

/* A pending entry: summed when still unfolded. 1 taken, 0 not, -1 error. */
static int
s_take_unfolded(const bson_t *entry, const char *id, void *arg)
{
    s_take_t *t = arg;
    char key[16];
    if (t->seen) {
        /* The list may name an entry twice (an event heard again): count it once. */
        if (bson_has_field(t->seen, id))
            return 0;
        BSON_APPEND_BOOL(t->seen, id, true);
    }
    if (lp_doc_int(entry, "batch") != 0)
        return 0;
    snprintf(key, sizeof key, "%d", t->n++);
    BSON_APPEND_UTF8(t->ids, key, id);
    return s_sum_entry(entry, t->sums) ? 1 : -1;
}

/* An entry of an open batch: summed when tagged with it. */
static int
s_take_batch(const bson_t *entry, const char *id, void *arg)
{
    s_take_t *t = arg;
    (void) id;
    if (lp_doc_int(entry, "batch") != t->batch)
        return 0;
    return s_sum_entry(entry, t->sums) ? 1 : -1;
}

void
reporter_fold_later(reporter_t *self, const char *id)
{
    if (!self->pending && !(self->pending = calloc(REPORTER_PENDING_MAX, sizeof *self->pending)))
        return;
    if (self->pending_n == REPORTER_PENDING_MAX) {
        self->next_full_fold = 0; /* the scan folds what does not fit */
        return;
    }
    size_t at = (self->pending_head + self->pending_n++) % REPORTER_PENDING_MAX;
    snprintf(self->pending[at], sizeof self->pending[at], "%s", id);
}

/* Forgets the n oldest pending entries (folded, or found folded already). */
static void
s_pending_pop(reporter_t *self, size_t n)
{
    if (n > self->pending_n)
        n = self->pending_n;
    self->pending_head = (self->pending_head + n) % REPORTER_PENDING_MAX;
    self->pending_n -= n;
}

/* Sums up to REPORTER_FOLD_BATCH of the oldest pending entries that are still
 * unfolded (each once: an event heard again is listed twice); their ids go to ids,
 * and *taken says how many pending entries were looked at (to forget once the batch
 * is folded). Returns the entries summed, -1 on error. */
static int
s_sum_pending(reporter_t *self, mongoc_collection_t *ledger, bson_t *ids, size_t *taken,
              s_sums_t *sums)
{
    bson_t list = BSON_INITIALIZER, seen = BSON_INITIALIZER;
    s_take_t take = {.sums = sums, .ids = ids, .seen = &seen};
    char key[16];
    int n = 0;

    *taken = self->pending_n < REPORTER_FOLD_BATCH ? self->pending_n : REPORTER_FOLD_BATCH;
    for (size_t i = 0; i < *taken; i++) {
        snprintf(key, sizeof key, "%zu", i);
        BSON_APPEND_UTF8(&list, key,
                         self->pending[(self->pending_head + i) % REPORTER_PENDING_MAX]);
    }
    if (*taken > 0)
        n = s_entries(ledger, &list, s_take_unfolded, &take);
    bson_destroy(&seen);
    bson_destroy(&list);
    return n;
}

/* Sums the entries of the open batch b listed in ids (after a crash), tagging any
 * the crash left untagged. Returns the entries summed, -1 on error. */
static int
s_sum_open(mongoc_collection_t *ledger, const bson_t *ids, int64_t b, s_sums_t *sums)
{
    s_take_t take = {.sums = sums, .batch = b};
    if (!s_tag(ledger, ids, b))
        return -1;
    return s_entries(ledger, ids, s_take_batch, &take);
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
    bson_t *seed = BCON_NEW("_id", BCON_UTF8(META_ID), "next_batch", BCON_INT64(1), "open_batch",
                            BCON_INT64(0));
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID));
    bson_t *claimed = NULL;
    bson_t ids = BSON_INITIALIZER, listed = BSON_INITIALIZER;
    size_t taken = 0;
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
        /* A batch a crash left open, replayed by _id. */
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bson_t open;
        bson_iter_array(&open_ids, &len, &data);
        if (bson_init_static(&open, data, len)) {
            bson_copy_to_excluding_noinit(&open, &listed, "", NULL);
            folded = s_sum_open(ledger, &listed, b, &sums);
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
        folded = s_sum_pending(self, ledger, &ids, &taken, &sums);
        if (folded <= 0) {
            if (folded == 0) {
                s_pending_pop(self, taken); /* repeats, or folded by a scan */
                s_close_batch(meta, owner);
            }
            goto done;
        }
        b = lp_doc_int(claimed, "next_batch");
        if (b < 1 || !s_record_batch(meta, owner, b, &ids) || !s_tag(ledger, &ids, b)) {
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
    if (folded >= 0) {
        s_pending_pop(self, taken);
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
    bson_destroy(&listed);
    if (claimed)
        bson_destroy(claimed);
    bson_destroy(filter);
    bson_destroy(seed);
    mongoc_collection_destroy(rollups);
    mongoc_collection_destroy(ledger);
    mongoc_collection_destroy(meta);
    lp_store_push(self->svc.store, client);
    return folded;
}
