/* ledger: each event becomes one ledger entry holding the roll-up changes it causes.
 *
 * Events carry only what changed, while a roll-up cell needs the whole complaint
 * (its region when the status changes, its submission time for a duration). So the
 * ledger reads the complaint's own event list (never `reporter`) and replays it up
 * to this event: the state before and after it give the cells to leave and enter.
 * The answer depends only on stored events, not on when the reporter reads them,
 * which is what lets `laporctl stats rebuild` reach the same numbers. A reporter
 * also keeps the state each complaint reached with the last event it recorded, so
 * the complaint's next event (one version higher) needs no read at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "reporter-private.h"

/* Appends one {id, dims, inc} change to the open array cells. */
static void
s_append_cell(bson_t *cells, int *n, const lp_stats_dims_t *dims, const lp_stats_measures_t *m,
              int sign)
{
    char key[16], id[REPORTER_CELL_ID_LEN];
    bson_t item, sub;
    bool any = false;

    for (int i = 0; i < LP_STATS_N_FIELDS && !any; i++)
        any = m->v[i] != 0;
    if (!any)
        return;
    lp_stats_cell_id(dims, id, sizeof id);
    snprintf(key, sizeof key, "%d", (*n)++);
    BSON_APPEND_DOCUMENT_BEGIN(cells, key, &item);
    BSON_APPEND_UTF8(&item, "id", id);
    BSON_APPEND_DOCUMENT_BEGIN(&item, "dims", &sub);
    lp_stats_append_dims(&sub, dims);
    bson_append_document_end(&item, &sub);
    BSON_APPEND_DOCUMENT_BEGIN(&item, "inc", &sub);
    lp_stats_append_measures(&sub, m, sign);
    bson_append_document_end(&item, &sub);
    bson_append_document_end(cells, &item);
}

void
reporter_ledger_cells(const lp_stats_state_t *before, const lp_stats_state_t *after, bson_t *cells)
{
    lp_stats_measures_t mb, ma;
    char idb[REPORTER_CELL_ID_LEN], ida[REPORTER_CELL_ID_LEN];
    int n = 0;

    lp_stats_measures(before, &mb);
    lp_stats_measures(after, &ma);
    lp_stats_cell_id(&before->dims, idb, sizeof idb);
    lp_stats_cell_id(&after->dims, ida, sizeof ida);
    if (before->exists && after->exists && strcmp(idb, ida) == 0) {
        /* Same cell: only the measures that changed. */
        for (int i = 0; i < LP_STATS_N_FIELDS; i++)
            ma.v[i] -= mb.v[i];
        s_append_cell(cells, &n, &after->dims, &ma, 1);
        return;
    }
    s_append_cell(cells, &n, &before->dims, &mb, -1);
    s_append_cell(cells, &n, &after->dims, &ma, 1);
}

/* What one event did to its complaint's statistics state. */
typedef struct {
    bool known; /* before/after are filled (else: nothing to count) */
    lp_stats_state_t before, after;
} s_change_t;

struct reporter_known {
    char complaint_id[25];
    uint32_t version; /* of the last event applied to state */
    lp_stats_state_t state;
};

static struct reporter_known *
s_known_slot(reporter_t *self, const char *complaint_id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = complaint_id; *p; p++)
        h = (h ^ (uint8_t) *p) * 16777619u;
    if (!self->known && !(self->known = calloc(REPORTER_KNOWN_SLOTS, sizeof *self->known)))
        return NULL;
    return &self->known[h % REPORTER_KNOWN_SLOTS];
}

/* Works out env's change without reading its complaint when possible. Every event
 * of a complaint is written with the version the complaint reaches by it, each one
 * higher than the last (every transition with an event is guarded by the version),
 * and a complaint's first event is version 1: so the state before version v is the
 * one this reporter recorded for version v - 1, or the empty state. */
static bool
s_change_known(reporter_t *self, const lp_envelope_t *env, s_change_t *out)
{
    struct reporter_known *k = s_known_slot(self, env->complaint_id);
    if (!k || strlen(env->complaint_id) != 24)
        return false;
    if (env->version == 1)
        lp_stats_state_init(&out->before);
    else if (strcmp(k->complaint_id, env->complaint_id) == 0 && k->version + 1 == env->version)
        out->before = k->state;
    else
        return false;
    out->after = out->before;
    lp_stats_apply(&out->after, env);
    out->known = true;
    return true;
}

/* Remembers the state env left its complaint in. */
static void
s_remember(reporter_t *self, const lp_envelope_t *env, const s_change_t *change)
{
    struct reporter_known *k = s_known_slot(self, env->complaint_id);
    if (!k || !change->known || strlen(env->complaint_id) != 24)
        return;
    memcpy(k->complaint_id, env->complaint_id, 25);
    k->version = env->version;
    k->state = change->after;
}

/* The ledger entry of env with its change, written into doc (initialised by the
 * caller); an entry without cells when the change is unknown (the complaint or
 * the event is gone: nothing to count), still recorded. */
static void
s_entry(const lp_envelope_t *env, const s_change_t *change, bson_t *doc)
{
    bson_t cells;

    BSON_APPEND_UTF8(doc, "_id", env->event_id);
    BSON_APPEND_UTF8(doc, "complaint_id", env->complaint_id);
    BSON_APPEND_UTF8(doc, "type", lp_event_type(env));
    BSON_APPEND_INT64(doc, "at", env->occurred_at_ms);
    BSON_APPEND_INT64(doc, "batch", 0); /* 0: not folded into the roll-ups yet */
    BSON_APPEND_ARRAY_BEGIN(doc, "cells", &cells);
    if (change->known)
        reporter_ledger_cells(&change->before, &change->after, &cells);
    bson_append_array_end(doc, &cells);
}

/* A new entry of an event that was folded before (its entry went with the fold) is a
 * repeat: not fresh. Read after the insert: an entry can only have gone after its
 * fold record was written, so a record missing now stays missing for this event. */
static void
s_drop_folded(reporter_t *self, mongoc_client_t *client, lp_envelope_t **envs, bool *fresh, int n)
{
    mongoc_collection_t *folds = lp_store_collection(self->svc.store, client, LP_COLL_FOLDED);
    bson_value_t ids[LP_SERVICE_BATCH_MAX];
    bson_t *records[LP_SERVICE_BATCH_MAX];
    lp_error_t err;
    int at[LP_SERVICE_BATCH_MAX], k = 0;

    for (int i = 0; i < n; i++)
        if (fresh[i]) {
            lp_store_str_value(&ids[k], envs[i]->event_id);
            at[k++] = i;
        }
    if (k > 0 && lp_store_find_ids(folds, ids, (size_t) k, NULL, records, &err))
        for (int j = 0; j < k; j++)
            if (records[j]) {
                fresh[at[j]] = false;
                bson_destroy(records[j]);
            }
    mongoc_collection_destroy(folds);
}

int
reporter_handle_batch(void *arg, lp_envelope_t **envs, int n)
{
    reporter_t *self = arg;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *ledger = lp_store_collection(self->svc.store, client, LP_COLL_LEDGER);
    mongoc_collection_t *complaints =
        lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    bson_t *projection = BCON_NEW("events.id", BCON_INT32(1), "events.pb", BCON_INT32(1));
    bson_value_t ids[LP_SERVICE_BATCH_MAX];
    bson_t *docs[LP_SERVICE_BATCH_MAX];
    s_change_t changes[LP_SERVICE_BATCH_MAX];
    lp_error_t err;
    bool read = true, unknown = false;
    bson_t entries[LP_SERVICE_BATCH_MAX];
    const bson_t *entry_p[LP_SERVICE_BATCH_MAX];
    bool ok[LP_SERVICE_BATCH_MAX], fresh[LP_SERVICE_BATCH_MAX];
    int handled = 0;

    if (n > LP_SERVICE_BATCH_MAX)
        n = LP_SERVICE_BATCH_MAX;
    /* Changes this reporter can work out from the states it recorded; for the
     * others the complaints' event lists, one query for the batch. */
    for (int i = 0; i < n; i++) {
        docs[i] = NULL;
        changes[i].known = false;
        if (s_change_known(self, envs[i], &changes[i])) {
            s_remember(self, envs[i], &changes[i]);
            ids[i].value_type = BSON_TYPE_EOD;
        }
        else {
            lp_store_oid_value(&ids[i], envs[i]->complaint_id);
            unknown = true;
        }
    }
    if (unknown)
        read = lp_store_find_ids(complaints, ids, (size_t) n, projection, docs, &err);
    for (int i = 0; i < n; i++) {
        lp_metric_inc(self->msgs_in);
        bson_init(&entries[i]);
        entry_p[i] = &entries[i];
        fresh[i] = false;
        ok[i] = read || changes[i].known;
        if (!ok[i]) {
            lp_metric_inc(self->db_errors);
            continue;
        }
        if (!changes[i].known && docs[i] &&
            lp_stats_replay(docs[i], envs[i]->event_id, &changes[i].before, &changes[i].after)) {
            changes[i].known = true;
            s_remember(self, envs[i], &changes[i]);
        }
        s_entry(envs[i], &changes[i], &entries[i]);
    }
    /* One command per LP_STORE_BULK_MAX entries; the unique _id makes a repeated
     * event a no-op (not fresh), any other error leaves the event to the sweeper. */
    {
        lp_store_outcome_t out[LP_SERVICE_BATCH_MAX];
        const bson_t *to_write[LP_SERVICE_BATCH_MAX];
        int at[LP_SERVICE_BATCH_MAX], k = 0;
        for (int i = 0; i < n; i++)
            if (ok[i]) {
                to_write[k] = entry_p[i];
                at[k++] = i;
            }
        if (k > 0)
            lp_store_insert_many(ledger, to_write, (size_t) k, out);
        for (int j = 0; j < k; j++) {
            fresh[at[j]] = out[j] == LP_STORE_INSERTED;
            ok[at[j]] = out[j] != LP_STORE_FAILED;
        }
        s_drop_folded(self, client, envs, fresh, n);
    }
    /* Acknowledge what is recorded; a failed acknowledgement only means the
     * sweeper hands the event over again, and the ledger keeps it counted once. */
    for (int i = 0; i < n; i++)
        if (ok[i]) {
            handled++;
            if (fresh[i])
                lp_metric_inc(self->ledgered);
            /* A repeat too: the instance that wrote the entry may have died before
             * folding it, and a fold skips an entry folded already. */
            reporter_fold_later(self, envs[i]->event_id, fresh[i] ? entry_p[i] : NULL);
        }
    lp_service_ack(&self->svc, LP_STAGE_REPORTER, envs, ok, n);
    /* Only the reporter whose insert made the entry publishes it: each event reaches
     * the analysts' feed once, whichever instance heard it first. */
    for (int i = 0; i < n; i++)
        if (ok[i] && fresh[i])
            reporter_feed_publish(self, envs[i]);
    for (int i = 0; i < n; i++) {
        bson_destroy(&entries[i]);
        if (docs[i])
            bson_destroy(docs[i]);
    }
    bson_destroy(projection);
    mongoc_collection_destroy(complaints);
    mongoc_collection_destroy(ledger);
    lp_store_push(self->svc.store, client);
    return handled;
}

int
reporter_handle(void *arg, lp_envelope_t *env)
{
    return reporter_handle_batch(arg, &env, 1) == 1 ? 0 : -1;
}
