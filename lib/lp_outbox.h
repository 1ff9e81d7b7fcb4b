/* lp_outbox: the events a complaint document carries until every stage has them.
 *
 * A stage changes a complaint and records the event it caused in the same
 * single-document write: the packed envelope goes into `events` and its id into
 * `todo.<stage>` for each stage that must react. The ZeroMQ message that follows
 * is only a doorbell. A consumer that has durably handled an event pulls the id
 * from its todo list; a sweeper hands over whatever stayed there too long.
 *
 * Sweepers find that work through marks: small documents in the `outbox`
 * collection, one per stage and complaint, written BEFORE the complaint write that
 * adds the todo entries. Finding "complaints whose todo list is not empty" would
 * take an index on array contents, which the local database (FerretDB v1) cannot
 * use: every such query decodes every complaint. The marks collection holds only
 * work in flight, and everything else is a lookup by _id. A mark without work (the
 * write after it failed, or the work is done) is removed by the sweeper; work
 * without a mark (only possible when a writer stalled longer than the grace
 * period between its mark and its write) is found by the full sweep, which still
 * scans every complaint, but rarely. */
#ifndef LP_OUTBOX_H
#define LP_OUTBOX_H

#include <stdbool.h>

#include "lp_event.h"
#include "lp_store.h"

/* Stages that consume events. */
#define LP_STAGE_ROUTER "router"
#define LP_STAGE_NOTIFIER "notifier"
#define LP_STAGE_REPORTER "reporter"

/* Appends {id, type, at, pb} for env under key to an open BSON document or array. */
bool lp_outbox_append_event(bson_t *parent, const char *key, const lp_envelope_t *env);

/* Adds to an open "$push" document: the event to `events` and its id to
 * `todo.<stage>` for each of the n stages. */
bool lp_outbox_push(bson_t *push, const lp_envelope_t *env, const char *const *stages, size_t n);

/* Marks each envs[i] with done[i] handled by stage, in bulks of LP_STORE_BULK_MAX.
 * Returns whether every acknowledgement was written; a failure needs no handling:
 * the sweeper hands the event over again, and every consumer is idempotent. */
bool lp_outbox_done_many(mongoc_collection_t *coll, const char *stage, lp_envelope_t **envs,
                         const bool *done, int n);

/* Whether the complaint doc (read with todo.<stage>, before the events were handled;
 * NULL when it is gone) has no work left for stage once envs[j] with done[j] are
 * acknowledged: every id of its todo list is one of them. */
bool lp_outbox_idle(const bson_t *doc, const char *stage, lp_envelope_t **envs, const bool *done,
                    int n);

/* Removes stage's mark of the complaint of each envs[i] with idle[i] (see
 * lp_outbox_idle; call it after the acknowledgements were written), unless a later
 * write renewed the mark (its `since` is after the event). The consumer that
 * handled the work drops the mark itself, from what it read anyway, so the
 * sweeper does not read every complaint to learn that nothing is left. In bulks;
 * failures are harmless: the sweeper drops what stays. */
void lp_outbox_unmark(mongoc_collection_t *outbox, const char *stage, lp_envelope_t **envs,
                      const bool *idle, int n);

/* Parses a complaint id; false when it is not a 24-hex ObjectId. */
bool lp_outbox_oid(const char *complaint_id, bson_oid_t *oid);

/* Marks complaint_id (24 hex) as having work for each of the n stages, in one round
 * trip. Call it before the write that adds the todo entries. */
bool lp_outbox_mark(lp_store_t *store, const char *complaint_id, const char *const *stages,
                    size_t n, int64_t now_ms, lp_error_t *err);

/* The same for n_ids complaints at once (one command per LP_STORE_BULK_MAX marks). */
bool lp_outbox_mark_many(lp_store_t *store, const char *const *complaint_ids, size_t n_ids,
                         const char *const *stages, size_t n, int64_t now_ms, lp_error_t *err);

/* Handles one event; returns 0 when done (the handler acked it), -1 to retry later,
 * LP_OUTBOX_STOPPING when this instance is stopping (the sweep ends and gives back
 * what it claimed). */
#define LP_OUTBOX_STOPPING (-2)
typedef int (*lp_outbox_handler_fn)(void *arg, lp_envelope_t *env);

/* How long one sweep may run (ms): the rest waits for the next one, so that a
 * slow database cannot keep a service from its timers or from stopping. */
#define LP_OUTBOX_SWEEP_BUDGET_MS 2000

/* Visits up to max of stage's marks older than grace_ms: claims each marked
 * complaint whose todo.<stage> is not empty and that has not changed for grace_ms,
 * calls fn for each of its pending events and releases it; drops marks whose
 * complaint has no work left for stage. Returns the number of events handed to fn,
 * or -1 on a database error. */
int lp_outbox_sweep(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                    int64_t lease_ms, int max, lp_outbox_handler_fn fn, void *arg, lp_error_t *err);

/* The same over every complaint, marked or not: the safety net, run rarely (a scan
 * of the whole collection on the local database). */
int lp_outbox_sweep_all(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                        int64_t lease_ms, int max, lp_outbox_handler_fn fn, void *arg,
                        lp_error_t *err);

#endif
