/* rollup: folding ledger entries into roll-up cells, each entry exactly once.
 *
 * One reporter at a time holds the compactor lease. It records a batch number and
 * the batch's entry ids in stats_meta (open_batch, open_ids), then writes a fold
 * record per entry into stats_folded ({_id: entry id, batch}), adds each
 * counter's sum with a single guarded update (last_batch < batch), deletes the
 * folded entries from the ledger and closes the batch. A crash anywhere replays
 * the open batch by _id, and the guard skips counters that already took it; so no
 * event is counted twice or lost, without transactions.
 *
 * The ledger thus holds only entries waiting to be folded, and the fold records
 * keep an event from being counted again when it is heard again later (its new
 * entry meets its fold record and is deleted). Records and deletes, not updates of
 * the entries: on the local database an update costs several times an insert or a
 * delete (this was the largest write of the pipeline).
 *
 * Which entries to fold: those this instance just wrote (kept in memory, see
 * reporter_fold_later), read by _id; and, at start and every LAPOR_FULL_SWEEP_MS,
 * whatever the ledger holds (entries whose writer died before folding them).
 * Entries of the form before (tagged with their batch in the ledger itself) stay
 * where they are; a batch of that form left open is replayed by its tag. */
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

/* Collects up to REPORTER_FOLD_BATCH ids of entries in the ledger (all wait to be
 * folded, or are repeats of folded events) into an array. */
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

void
reporter_fold_later(reporter_t *self, const char *id, const bson_t *entry)
{
    if (!self->pending && !(self->pending = calloc(REPORTER_PENDING_MAX, sizeof *self->pending)))
        return;
    if (self->pending_n == REPORTER_PENDING_MAX) {
        self->next_full_fold = 0; /* the scan folds what does not fit */
        return;
    }
    struct reporter_pending *p =
        &self->pending[(self->pending_head + self->pending_n++) % REPORTER_PENDING_MAX];
    snprintf(p->id, sizeof p->id, "%s", id);
    p->entry = NULL;
    if (entry && self->pending_kept < REPORTER_PENDING_KEPT && (p->entry = bson_copy(entry)))
        self->pending_kept++;
}

/* Forgets the n oldest pending entries (folded, or found folded already). */
static void
s_pending_pop(reporter_t *self, size_t n)
{
    if (n > self->pending_n)
        n = self->pending_n;
    for (size_t i = 0; i < n; i++) {
        struct reporter_pending *p =
            &self->pending[(self->pending_head + i) % REPORTER_PENDING_MAX];
        if (p->entry) {
            bson_destroy(p->entry);
            p->entry = NULL;
            self->pending_kept--;
        }
    }
    self->pending_head = (self->pending_head + n) % REPORTER_PENDING_MAX;
    self->pending_n -= n;
}

void
reporter_pending_free(reporter_t *self)
{
    if (self->pending)
        s_pending_pop(self, self->pending_n);
    free(self->pending);
    self->pending = NULL;
}

/* Records batch b and its ids in the meta document (before any fold record). */
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

/* What a fold knows of one entry it was given. */
typedef struct {
    const char *id;
    bson_t *entry;  /* the ledger entry, NULL when there is none (any more) */
    int64_t folded; /* the batch its fold record names, 0 when it has none */
    bool counted;   /* counted by this batch */
    bool record;    /* counted, and its fold record is still to be written */
    bool remove;    /* its ledger entry goes once the batch is counted */
} s_item_t;

/* Fills items from the strings of list, each once (a pending list names an event
 * heard twice twice). Returns how many. */
static size_t
s_items_from(const bson_t *list, s_item_t *items, size_t max)
{
    bson_iter_t it;
    size_t n = 0;
    if (!bson_iter_init(&it, list))
        return 0;
    while (n < max && bson_iter_next(&it)) {
        if (!BSON_ITER_HOLDS_UTF8(&it))
            continue;
        const char *id = bson_iter_utf8(&it, NULL);
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strcmp(items[i].id, id) == 0;
        if (!seen)
            items[n++] = (s_item_t){.id = id};
    }
    return n;
}

/* Reads the items' fold records and those ledger entries the items do not hold
 * already (one query each per LP_STORE_BULK_MAX) and decides, for batch b, what
 * becomes of each (an entry held is one this instance wrote: if it is gone, its
 * fold record says so, for a fold writes the record before it deletes the entry):
 * - an entry without a fold record and untagged is counted by b;
 * - so is one that b already counted before a crash (its record or, in the form
 *   before, its tag names b);
 * - one that another batch counted is a repeat: not counted, deleted.
 * Returns how many b counts, or -1 on a database error. */
static int
s_decide(mongoc_collection_t *ledger, mongoc_collection_t *folds, s_item_t *items, size_t n,
         int64_t b)
{
    bson_value_t *ids = calloc(n ? n : 1, sizeof *ids);
    bson_value_t *unheld = calloc(n ? n : 1, sizeof *unheld);
    bson_t **records = calloc(n ? n : 1, sizeof *records);
    bson_t **entries = calloc(n ? n : 1, sizeof *entries);
    size_t *slot = calloc(n ? n : 1, sizeof *slot), k = 0;
    lp_error_t err;
    int counted = 0;

    if (!ids || !unheld || !records || !entries || !slot)
        counted = -1;
    for (size_t i = 0; counted == 0 && i < n; i++) {
        lp_store_str_value(&ids[i], items[i].id);
        if (!items[i].entry) {
            slot[k] = i;
            unheld[k++] = ids[i];
        }
    }
    if (counted == 0 && (!lp_store_find_ids(ledger, unheld, k, NULL, entries, &err) ||
                         !lp_store_find_ids(folds, ids, n, NULL, records, &err)))
        counted = -1;
    for (size_t j = 0; counted >= 0 && j < k; j++) {
        items[slot[j]].entry = entries[j];
        entries[j] = NULL;
    }
    for (size_t i = 0; counted >= 0 && i < n; i++) {
        s_item_t *item = &items[i];
        item->folded = records[i] ? lp_doc_int(records[i], "batch") : 0;
        int64_t tag = item->entry ? lp_doc_int(item->entry, "batch") : 0;
        item->counted =
            item->entry && (item->folded == b || tag == b || (item->folded == 0 && tag == 0));
        item->record = item->counted && item->folded == 0;
        item->remove = item->entry && (tag == 0 || tag == b) && (item->counted || item->folded);
        counted += item->counted;
    }
    for (size_t i = 0; i < n; i++) {
        if (records && records[i])
            bson_destroy(records[i]);
        if (entries && entries[i])
            bson_destroy(entries[i]);
    }
    free(slot);
    free(entries);
    free(records);
    free(unheld);
    free(ids);
    return counted;
}

/* Writes batch b's fold records of the items that need one. False on a database
 * error, or when a record was there already (the next fold looks again). */
static bool
s_record_folds(mongoc_collection_t *folds, const s_item_t *items, size_t n, int64_t b)
{
    bson_t *docs = calloc(n ? n : 1, sizeof *docs);
    const bson_t **ptrs = calloc(n ? n : 1, sizeof *ptrs);
    lp_store_outcome_t *out = calloc(n ? n : 1, sizeof *out);
    size_t k = 0;
    bool ok = docs && ptrs && out;

    for (size_t i = 0; ok && i < n; i++)
        if (items[i].record) {
            bson_init(&docs[k]);
            BSON_APPEND_UTF8(&docs[k], "_id", items[i].id);
            BSON_APPEND_INT64(&docs[k], "batch", b);
            ptrs[k] = &docs[k];
            k++;
        }
    if (ok && k > 0)
        lp_store_insert_many(folds, ptrs, k, out);
    for (size_t i = 0; ok && i < k; i++)
        ok = out[i] == LP_STORE_INSERTED;
    for (size_t i = 0; i < k; i++)
        bson_destroy(&docs[i]);
    free(out);
    free(ptrs);
    free(docs);
    return ok;
}

/* Entries deleted per command: every other write waits while one runs on the local
 * database (its front passes one write at a time), and a delete there reads each
 * entry first; 100 at once held the others up for about 13 ms. */
#define S_REMOVE_CHUNK 25

/* Deletes the ledger entries of the items marked for it. A failure only leaves
 * them to a later fold, which finds their fold records. */
static void
s_remove(mongoc_collection_t *ledger, const s_item_t *items, size_t n)
{
    bson_value_t *ids = calloc(n ? n : 1, sizeof *ids);
    size_t k = 0;

    for (size_t i = 0; ids && i < n; i++)
        if (items[i].remove)
            lp_store_str_value(&ids[k++], items[i].id);
    lp_store_delete_ids(ledger, ids, k, S_REMOVE_CHUNK);
    free(ids);
}

/* The pending list's oldest entries (up to REPORTER_FOLD_BATCH) as an array;
 * *taken says how many (to forget once folded). */
static void
s_pending_list(reporter_t *self, bson_t *list, size_t *taken)
{
    char key[24];
    *taken = self->pending_n < REPORTER_FOLD_BATCH ? self->pending_n : REPORTER_FOLD_BATCH;
    for (size_t i = 0; i < *taken; i++) {
        snprintf(key, sizeof key, "%zu", i);
        BSON_APPEND_UTF8(list, key,
                         self->pending[(self->pending_head + i) % REPORTER_PENDING_MAX].id);
    }
}

/* Gives the items the copies of their entries the first taken pending ones hold. */
static void
s_pending_entries(reporter_t *self, size_t taken, s_item_t *items, size_t n)
{
    for (size_t i = 0; i < taken; i++) {
        const struct reporter_pending *p =
            &self->pending[(self->pending_head + i) % REPORTER_PENDING_MAX];
        for (size_t j = 0; p->entry && j < n; j++)
            if (!items[j].entry && strcmp(items[j].id, p->id) == 0) {
                items[j].entry = bson_copy(p->entry);
                break;
            }
    }
}

int
reporter_fold(reporter_t *self)
{
    const char *owner = self->svc.config->instance;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *meta = lp_store_collection(self->svc.store, client, LP_COLL_STATS_META);
    mongoc_collection_t *ledger = lp_store_collection(self->svc.store, client, LP_COLL_LEDGER);
    mongoc_collection_t *folds = lp_store_collection(self->svc.store, client, LP_COLL_FOLDED);
    mongoc_collection_t *rollups = lp_store_collection(self->svc.store, client, LP_COLL_ROLLUPS);
    bson_t *seed = BCON_NEW("_id", BCON_UTF8(META_ID), "next_batch", BCON_INT64(1), "open_batch",
                            BCON_INT64(0));
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID));
    bson_t *claimed = NULL;
    bson_t list = BSON_INITIALIZER, counted_ids = BSON_INITIALIZER;
    s_item_t *items = NULL;
    size_t taken = 0, n = 0;
    s_sums_t sums = {0};
    lp_error_t err;
    int64_t b = 0;
    int folded = 0;
    bool replay = false;

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
    if (b != 0 && bson_iter_init_find(&open_ids, claimed, "open_ids") &&
        BSON_ITER_HOLDS_ARRAY(&open_ids)) {
        /* A batch a crash left open, replayed by _id. */
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bson_t open;
        bson_iter_array(&open_ids, &len, &data);
        if (bson_init_static(&open, data, len))
            bson_copy_to_excluding_noinit(&open, &list, "", NULL);
        replay = true;
    }
    else if (b != 0) {
        /* A batch of the form before, opened by a scan: its entries carry its tag. */
        folded = s_sum_batch(ledger, b, &sums);
        goto apply;
    }
    else if (lp_mono_ms() >= self->next_full_fold) {
        /* Everything in the ledger: entries whose writer died before folding them. */
        self->next_full_fold = lp_mono_ms() + self->svc.config->full_sweep_ms;
        if ((folded = s_unfolded_ids(ledger, &list)) <= 0) {
            s_close_batch(meta, owner);
            goto done;
        }
    }
    else
        s_pending_list(self, &list, &taken);
    if (!replay)
        b = lp_doc_int(claimed, "next_batch");
    uint32_t listed = bson_count_keys(&list);
    if (!(items = calloc(listed ? listed : 1, sizeof *items))) {
        folded = -1;
        goto done;
    }
    n = s_items_from(&list, items, listed);
    s_pending_entries(self, taken, items, n);
    if (b < 1 || (folded = s_decide(ledger, folds, items, n, b)) < 0) {
        folded = -1;
        goto done;
    }
    if (folded == 0 && !replay) {
        s_remove(ledger, items, n); /* repeats of events folded before */
        s_pending_pop(self, taken);
        s_close_batch(meta, owner);
        goto done;
    }
    /* The batch and its entries are recorded first, then each entry's fold. */
    for (size_t i = 0, k = 0; i < n; i++)
        if (items[i].counted) {
            char key[24];
            snprintf(key, sizeof key, "%zu", k++);
            BSON_APPEND_UTF8(&counted_ids, key, items[i].id);
        }
    if ((!replay && !s_record_batch(meta, owner, b, &counted_ids)) ||
        !s_record_folds(folds, items, n, b)) {
        folded = -1;
        goto done;
    }
    for (size_t i = 0; folded >= 0 && i < n; i++)
        if (items[i].counted && !s_sum_entry(items[i].entry, &sums))
            folded = -1;
apply:
    for (size_t i = 0; folded >= 0 && i < sums.count; i++) {
        bool any = false;
        for (int f = 0; f < LP_STATS_N_FIELDS && !any; f++)
            any = sums.items[i].m.v[f] != 0;
        if (any && !s_apply(rollups, &sums.items[i], b))
            folded = -1;
    }
    if (folded >= 0) {
        s_remove(ledger, items, n);
        s_pending_pop(self, taken);
        s_close_batch(meta, owner);
        lp_metric_add(self->folded, (uint64_t) folded);
        lp_log(LP_LOG_INFO, "rollup.folded", "{s:I,s:i,s:i}", "batch", (json_int_t) b, "entries",
               folded, "counters", (int) sums.count);
    }
done:
    if (folded < 0)
        lp_metric_inc(self->db_errors);
    for (size_t i = 0; items && i < n; i++)
        if (items[i].entry)
            bson_destroy(items[i].entry);
    free(items);
    free(sums.items);
    bson_destroy(&counted_ids);
    bson_destroy(&list);
    if (claimed)
        bson_destroy(claimed);
    bson_destroy(filter);
    bson_destroy(seed);
    mongoc_collection_destroy(rollups);
    mongoc_collection_destroy(folds);
    mongoc_collection_destroy(ledger);
    mongoc_collection_destroy(meta);
    lp_store_push(self->svc.store, client);
    return folded;
}
