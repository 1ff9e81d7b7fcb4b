/* stats: `laporctl stats rebuild`: every roll-up recomputed from the complaints.
 *
 * It holds the reporters' compactor lease for the whole run, so no fold changes the
 * roll-ups meanwhile. Each complaint's stored events are replayed (lp_stats, the
 * same code the reporter's ledger uses) into its cell; each of those events gets a
 * ledger entry marked as already counted (batch -1), created if the reporter has
 * not seen it yet, so the reporter never counts it again. Events that arrive after
 * a complaint was read are not marked and are folded as usual. Then the roll-ups
 * are replaced. Interrupted, it leaves partial roll-ups: run it again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "laporctl.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_stats.h"

#define META_ID "compactor"
#define LEASE_MS 60000
#define CELL_ID_LEN 320

typedef struct {
    char *id;
    lp_stats_dims_t dims;
    lp_stats_measures_t m;
} s_cell_t;

typedef struct {
    s_cell_t *slots;
    size_t cap, count;
} s_cells_t;

static uint64_t
s_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char) *s) * 1099511628211ULL;
    return h;
}

static bool
s_cells_grow(s_cells_t *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    s_cell_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->slots[i].id)
            continue;
        size_t j = s_hash(t->slots[i].id) & (cap - 1);
        while (slots[j].id)
            j = (j + 1) & (cap - 1);
        slots[j] = t->slots[i];
    }
    free(t->slots);
    t->slots = slots;
    t->cap = cap;
    return true;
}

/* Adds a complaint's state to its cell. */
static bool
s_cells_add(s_cells_t *t, const lp_stats_state_t *st)
{
    char id[CELL_ID_LEN];
    lp_stats_measures_t m;
    size_t j;

    if (!st->exists)
        return true;
    if ((t->count + 1) * 2 > t->cap && !s_cells_grow(t))
        return false;
    lp_stats_cell_id(&st->dims, id, sizeof id);
    lp_stats_measures(st, &m);
    j = s_hash(id) & (t->cap - 1);
    while (t->slots[j].id && strcmp(t->slots[j].id, id) != 0)
        j = (j + 1) & (t->cap - 1);
    if (!t->slots[j].id) {
        if (!(t->slots[j].id = strdup(id)))
            return false;
        t->slots[j].dims = st->dims;
        t->count++;
    }
    for (int i = 0; i < LP_STATS_N_FIELDS; i++)
        t->slots[j].m.v[i] += m.v[i];
    return true;
}

static void
s_cells_free(s_cells_t *t)
{
    for (size_t i = 0; i < t->cap; i++)
        free(t->slots[i].id);
    free(t->slots);
}

/* ---------------------------------------------------------------------------- */

static bool
s_bulk_run(mongoc_bulk_operation_t **bulk, mongoc_collection_t *coll, int *pending)
{
    bson_error_t error;
    bool ok = true;
    if (*pending && !mongoc_bulk_operation_execute(*bulk, NULL, &error)) {
        fprintf(stderr, "laporctl: stats rebuild: %s\n", error.message);
        ok = false;
    }
    mongoc_bulk_operation_destroy(*bulk);
    *bulk = mongoc_collection_create_bulk_operation_with_opts(coll, NULL);
    *pending = 0;
    return ok;
}

/* Records one event as counted by the rebuild (batch -1): a ledger entry of it,
 * waiting now or written later, is then a repeat (see services/reporter/rollup.c). */
static bool
s_mark(mongoc_bulk_operation_t **bulk, mongoc_collection_t *folds, int *pending,
       const char *event_id)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(event_id));
    bson_t *update = BCON_NEW("$set", "{", "batch", BCON_INT64(-1), "}");
    bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
    bson_error_t error;
    bool ok = mongoc_bulk_operation_update_one_with_opts(*bulk, filter, update, opts, &error);
    bson_destroy(opts);
    bson_destroy(update);
    bson_destroy(filter);
    if (!ok)
        fprintf(stderr, "laporctl: stats rebuild: %s\n", error.message);
    return ok && (++*pending < LP_STORE_BULK_MAX || s_bulk_run(bulk, folds, pending));
}

static bool
s_renew(mongoc_collection_t *meta, const char *owner)
{
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID), "lease.owner", BCON_UTF8(owner));
    bson_t *update = BCON_NEW("$set", "{", "lease.until", BCON_INT64(lp_now_ms() + LEASE_MS), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_iter_t it;
    bool ok = mongoc_collection_update_one(meta, filter, update, NULL, &reply, NULL) &&
              bson_iter_init_find(&it, &reply, "matchedCount") && bson_iter_as_int64(&it) == 1;
    bson_destroy(&reply);
    bson_destroy(update);
    bson_destroy(filter);
    return ok;
}

static int
s_rebuild(lp_store_t *store)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *meta = lp_store_collection(store, client, LP_COLL_STATS_META);
    mongoc_collection_t *folds = lp_store_collection(store, client, LP_COLL_FOLDED);
    mongoc_collection_t *rollups = lp_store_collection(store, client, LP_COLL_ROLLUPS);
    mongoc_collection_t *complaints = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(folds, NULL);
    bson_t *seed = BCON_NEW("_id", BCON_UTF8(META_ID), "next_batch", BCON_INT64(1), "open_batch",
                            BCON_INT64(0));
    bson_t *meta_filter = BCON_NEW("_id", BCON_UTF8(META_ID));
    bson_t *all = bson_new();
    bson_t *opts =
        BCON_NEW("projection", "{", "events.id", BCON_INT32(1), "events.pb", BCON_INT32(1), "}",
                 "sort", "{", "_id", BCON_INT32(1), "}", "batchSize", BCON_INT32(200));
    bson_t *claimed = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    s_cells_t cells = {0};
    bson_error_t error;
    lp_error_t err;
    char owner[64];
    int64_t total = 0, seen = 0, events = 0, last_batch = 0, renewed = lp_now_ms();
    int pending = 0, rc = 1;

    snprintf(owner, sizeof owner, "laporctl-rebuild-%d", (int) getpid());
    mongoc_collection_insert_one(meta, seed, NULL, NULL, NULL); /* exists: fine */
    /* A fold in progress finishes within its lease: wait for it. */
    for (int tries = 0; tries < 120 && !claimed; tries++) {
        lp_error_clear(&err);
        claimed = lp_store_claim(meta, meta_filter, "lease", owner, LEASE_MS, NULL, NULL, &err);
        if (!claimed && err.code != LP_ERR_NONE) {
            fprintf(stderr, "laporctl: stats rebuild: %s\n", err.message);
            goto done;
        }
        if (!claimed) {
            if (tries == 0)
                fprintf(stderr, "stats rebuild: waiting for a reporter's fold to finish\n");
            sleep(1);
        }
    }
    if (!claimed) {
        fprintf(stderr, "laporctl: stats rebuild: the compactor lease stayed taken\n");
        goto done;
    }
    /* New cells start at the last batch number given out: later folds still apply. */
    last_batch = lp_doc_int(claimed, "next_batch") - 1;
    total = mongoc_collection_count_documents(complaints, all, NULL, NULL, NULL, &error);
    fprintf(stderr, "stats rebuild: %lld complaints to read\n",
            (long long) (total < 0 ? 0 : total));
    cursor = mongoc_collection_find_with_opts(complaints, all, opts, NULL);
    while (mongoc_cursor_next(cursor, &doc)) {
        lp_stats_state_t before, after;
        bson_iter_t it, arr, field;
        lp_stats_replay(doc, NULL, &before, &after);
        if (!s_cells_add(&cells, &after)) {
            fprintf(stderr, "laporctl: stats rebuild: out of memory\n");
            goto done;
        }
        if (bson_iter_init_find(&it, doc, "events") && bson_iter_recurse(&it, &arr))
            while (bson_iter_next(&arr)) {
                if (!bson_iter_recurse(&arr, &field) || !bson_iter_find(&field, "id") ||
                    !BSON_ITER_HOLDS_UTF8(&field))
                    continue;
                events++;
                if (!s_mark(&bulk, folds, &pending, bson_iter_utf8(&field, NULL)))
                    goto done;
            }
        if (++seen % 500 == 0)
            fprintf(stderr, "stats rebuild: %lld/%lld complaints, %lld events, %zu cells\n",
                    (long long) seen, (long long) total, (long long) events, cells.count);
        if (lp_now_ms() - renewed > LEASE_MS / 3) {
            if (!s_renew(meta, owner)) {
                fprintf(stderr, "laporctl: stats rebuild: lost the compactor lease\n");
                goto done;
            }
            renewed = lp_now_ms();
        }
    }
    if (mongoc_cursor_error(cursor, &error)) {
        fprintf(stderr, "laporctl: stats rebuild: %s\n", error.message);
        goto done;
    }
    if (!s_bulk_run(&bulk, folds, &pending) || !s_renew(meta, owner))
        goto done;
    fprintf(stderr, "stats rebuild: %lld complaints read; writing %zu cells\n", (long long) seen,
            cells.count);
    if (!mongoc_collection_delete_many(rollups, all, NULL, NULL, &error)) {
        fprintf(stderr, "laporctl: stats rebuild: %s\n", error.message);
        goto done;
    }
    mongoc_bulk_operation_destroy(bulk);
    bulk = mongoc_collection_create_bulk_operation_with_opts(rollups, NULL);
    for (size_t i = 0; i < cells.cap; i++) {
        bson_t cell = BSON_INITIALIZER;
        if (!cells.slots[i].id)
            continue;
        BSON_APPEND_UTF8(&cell, "_id", cells.slots[i].id);
        BSON_APPEND_UTF8(&cell, "kind", "cell");
        lp_stats_append_dims(&cell, &cells.slots[i].dims);
        lp_stats_append_measures(&cell, &cells.slots[i].m, 1);
        BSON_APPEND_INT64(&cell, "last_batch", last_batch);
        BSON_APPEND_INT64(&cell, "updated_at", lp_now_ms());
        mongoc_bulk_operation_insert(bulk, &cell);
        bson_destroy(&cell);
        if (++pending >= LP_STORE_BULK_MAX && !s_bulk_run(&bulk, rollups, &pending))
            goto done;
    }
    if (!s_bulk_run(&bulk, rollups, &pending))
        goto done;
    printf("rebuilt the statistics: %lld complaints, %lld events, %zu roll-up cells\n",
           (long long) seen, (long long) events, cells.count);
    rc = 0;
done:
    if (claimed) {
        /* Release: open_batch 0 because every entry of an interrupted fold was recounted. */
        bson_t *filter = BCON_NEW("_id", BCON_UTF8(META_ID), "lease.owner", BCON_UTF8(owner));
        bson_t *update = BCON_NEW("$set", "{", "open_batch", BCON_INT64(0), "}", "$unset", "{",
                                  "lease", BCON_UTF8(""), "}");
        if (rc == 0)
            mongoc_collection_update_one(meta, filter, update, NULL, NULL, NULL);
        else {
            bson_t *release = BCON_NEW("$unset", "{", "lease", BCON_UTF8(""), "}");
            mongoc_collection_update_one(meta, filter, release, NULL, NULL, NULL);
            bson_destroy(release);
        }
        bson_destroy(update);
        bson_destroy(filter);
        bson_destroy(claimed);
    }
    s_cells_free(&cells);
    mongoc_cursor_destroy(cursor);
    mongoc_bulk_operation_destroy(bulk);
    bson_destroy(opts);
    bson_destroy(all);
    bson_destroy(meta_filter);
    bson_destroy(seed);
    mongoc_collection_destroy(complaints);
    mongoc_collection_destroy(rollups);
    mongoc_collection_destroy(folds);
    mongoc_collection_destroy(meta);
    lp_store_push(store, client);
    return rc;
}

int
laporctl_stats(lp_store_t *store, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "rebuild") == 0)
        return s_rebuild(store);
    fprintf(stderr, "laporctl: usage: stats rebuild\n");
    return 2;
}
