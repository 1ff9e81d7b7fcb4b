/* ledger: each event becomes one ledger entry holding the roll-up changes it causes.
 *
 * Events carry only what changed, while a roll-up cell needs the whole complaint
 * (its region when the status changes, its submission time for a duration). So the
 * ledger reads the complaint's own event list (never `reporter`) and replays it up
 * to this event: the state before and after it give the cells to leave and enter.
 * The answer depends only on stored events, not on when the reporter reads them,
 * which is what lets `laporctl stats rebuild` reach the same numbers. */
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
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

/* Reads the complaint's events (projection: nothing else) and works out the changes.
 * Returns 1 with cells filled, 0 when the complaint or the event is gone (nothing
 * to count), -1 on a database error. */
static int
s_changes(mongoc_collection_t *complaints, const lp_envelope_t *env, bson_t *cells)
{
    bson_oid_t oid;
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    lp_stats_state_t before, after;
    lp_error_t err;
    int rc = 0;

    if (!lp_outbox_oid(env->complaint_id, &oid))
        return 0;
    lp_error_clear(&err);
    filter = BCON_NEW("_id", BCON_OID(&oid));
    projection = BCON_NEW("events.id", BCON_INT32(1), "events.pb", BCON_INT32(1));
    doc = lp_store_find_one(complaints, filter, projection, &err);
    if (!doc)
        rc = err.code == LP_ERR_NONE ? 0 : -1;
    else if (lp_stats_replay(doc, env->event_id, &before, &after)) {
        reporter_ledger_cells(&before, &after, cells);
        rc = 1;
    }
    if (doc)
        bson_destroy(doc);
    bson_destroy(projection);
    bson_destroy(filter);
    return rc;
}

int
reporter_handle(void *arg, lp_envelope_t *env)
{
    reporter_t *self = arg;
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *ledger = lp_store_collection(self->svc.store, client, LP_COLL_LEDGER);
    mongoc_collection_t *complaints =
        lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *unfolded = lp_store_collection(self->svc.store, client, LP_COLL_UNFOLDED);
    bson_t doc = BSON_INITIALIZER, cells;
    bson_error_t error;
    bool fresh = false;
    int rc = 0, found;

    lp_metric_inc(self->msgs_in);
    BSON_APPEND_UTF8(&doc, "_id", env->event_id);
    BSON_APPEND_UTF8(&doc, "complaint_id", env->complaint_id);
    BSON_APPEND_UTF8(&doc, "type", lp_event_type(env));
    BSON_APPEND_INT64(&doc, "at", env->occurred_at_ms);
    BSON_APPEND_INT64(&doc, "batch", 0); /* 0: not folded into the roll-ups yet */
    BSON_APPEND_ARRAY_BEGIN(&doc, "cells", &cells);
    found = s_changes(complaints, env, &cells);
    bson_append_array_end(&doc, &cells);
    if (found < 0) {
        lp_metric_inc(self->db_errors);
        rc = -1;
        goto done;
    }
    /* The mark for the compactor first (see rollup.c), then the entry. The unique
     * _id makes a repeated event a no-op: counted once, whatever the path. */
    bson_t *mark = BCON_NEW("_id", BCON_UTF8(env->event_id));
    bool marked = mongoc_collection_insert_one(unfolded, mark, NULL, NULL, &error) ||
                  lp_store_is_duplicate(&error);
    bson_destroy(mark);
    if (!marked) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        rc = -1;
        goto done;
    }
    if (mongoc_collection_insert_one(ledger, &doc, NULL, NULL, &error)) {
        lp_metric_inc(self->ledgered);
        fresh = true;
    }
    else if (!lp_store_is_duplicate(&error)) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        rc = -1;
    }
    if (rc == 0)
        lp_outbox_done(complaints, env->complaint_id, LP_STAGE_REPORTER, env->event_id, NULL);
    /* Only the reporter whose insert made the entry publishes it: each event reaches
     * the analysts' feed once, whichever instance heard it first. */
    if (fresh)
        reporter_feed_publish(self, env);
done:
    bson_destroy(&doc);
    mongoc_collection_destroy(unfolded);
    mongoc_collection_destroy(complaints);
    mongoc_collection_destroy(ledger);
    lp_store_push(self->svc.store, client);
    return rc;
}
