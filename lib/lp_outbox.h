/* lp_outbox: the events a complaint document carries, and the work they cause.
 *
 * A stage changes a complaint and records the event it caused in the same
 * single-document write: the packed envelope goes into the complaint's `events`.
 * Which stages still have to react is kept beside it, as marks: one small
 * document per event and stage in the `outbox` collection, `{_id: "<event
 * id>:<stage>", complaint, event, for: <stage>, since}`, inserted BEFORE the
 * complaint write (lp_outbox_mark). The ZeroMQ message that follows is only a
 * doorbell. A consumer that has durably handled an event deletes its mark
 * (lp_outbox_acks_t); a sweeper hands over whatever stayed too long.
 *
 * Why marks are only ever inserted and deleted: on the local database (FerretDB
 * v1) an update of any document costs several times an insert or a delete (it
 * reads, decodes, changes, re-encodes and rewrites it), and an insert or delete of
 * many documents by _id is one command. Why not in the complaint itself: every
 * acknowledgement then rewrote the whole complaint, and finding "complaints with
 * work" would take an index on array contents, which FerretDB v1 cannot use: the
 * marks collection holds only work in flight.
 *
 * A mark may name an event its complaint never got (the write after the mark
 * failed, or lost a race): a writer that knows deletes it (lp_outbox_forget);
 * otherwise the sweeper drops it once the mark is older than lost_ms, long after
 * any write could still land. Work cannot exist without a mark. */
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

/* Adds the event to `events` in an open "$push" document. */
bool lp_outbox_push(bson_t *push, const lp_envelope_t *env);

/* Finds event event_id in the complaint doc (read with events, or events.id) and
 * points ev at it (valid while doc is); false when doc is NULL or lacks it. */
bool lp_outbox_event(const bson_t *doc, const char *event_id, bson_t *ev);

/* Parses a complaint id; false when it is not a 24-hex ObjectId. */
bool lp_outbox_oid(const char *complaint_id, bson_oid_t *oid);

/* Marks event_id of complaint_id as work for each of the n stages, in one round
 * trip (a mark already there counts as written). Call it before the write that
 * adds the event. */
bool lp_outbox_mark(lp_store_t *store, const char *complaint_id, const char *event_id,
                    const char *const *stages, size_t n, int64_t now_ms, lp_error_t *err);

/* The same for n_ids events at once: event_ids[i] of complaint_ids[i] (one command
 * per LP_STORE_BULK_MAX marks). */
bool lp_outbox_mark_many(lp_store_t *store, const char *const *complaint_ids,
                         const char *const *event_ids, size_t n_ids, const char *const *stages,
                         size_t n, int64_t now_ms, lp_error_t *err);

/* Deletes the n stages' marks of event_ids[i], for each i with flags[i] (flags may
 * be NULL: all): its write is known not to have happened. Failures are harmless
 * (the sweeper drops them later). */
void lp_outbox_forget(mongoc_collection_t *outbox, const char *const *event_ids, const bool *flags,
                      int n, const char *const *stages, size_t n_stages);

/* Acknowledgements gathered for a moment and written together: a consumer handles
 * a complaint's events one after the other (submitted, then disposed a few
 * milliseconds later), and under low load every event is a batch of its own. A
 * short wait turns those into one statement per complaint and one command for
 * many. Losing the buffer (a crash) only means the sweeper hands the events over
 * again. Not thread-safe: one thread adds and flushes. */
typedef struct lp_outbox_acks_t lp_outbox_acks_t;

/* A buffer of stage's acknowledgements (NULL when out of memory). */
lp_outbox_acks_t *lp_outbox_acks_new(const char *stage);
void lp_outbox_acks_destroy(lp_outbox_acks_t **self_p);

/* Queues the acknowledgement of each envs[i] with done[i]; writes the buffer
 * (lp_outbox_acks_flush) whenever it fills. */
void lp_outbox_acks_add(lp_outbox_acks_t *self, lp_store_t *store, lp_envelope_t **envs,
                        const bool *done, int n);

/* Deletes the marks of what waits, in one command. False when it failed (the marks
 * stay for the sweeper). */
bool lp_outbox_acks_flush(lp_outbox_acks_t *self, lp_store_t *store);

/* Handles one event; returns 0 when done (the handler acked it), -1 to retry later,
 * LP_OUTBOX_STOPPING when this instance is stopping (the sweep ends and gives back
 * what it claimed). */
#define LP_OUTBOX_STOPPING (-2)
typedef int (*lp_outbox_handler_fn)(void *arg, lp_envelope_t *env);

/* How long one sweep may run (ms): the rest waits for the next one, so that a
 * slow database cannot keep a service from its timers or from stopping. */
#define LP_OUTBOX_SWEEP_BUDGET_MS 2000

/* The most marks one sweep reads. */
#define LP_OUTBOX_SWEEP_MAX 500

/* Reads up to max (at most LP_OUTBOX_SWEEP_MAX) of stage's marks older than
 * grace_ms (their message may be on its way), oldest first, in one query; then,
 * LP_STORE_BULK_MAX at a time and within LP_OUTBOX_SWEEP_BUDGET_MS, claims them in
 * one write, reads their complaints in one query and calls fn for each event found
 * (after an outage, a backlog is recovered at hundreds a second). A mark whose
 * event the complaint does not hold is dropped when it is older than lost_ms, and
 * otherwise looked at again after lease_ms, like one whose handler failed.
 * Returns the number of events handed to fn, or -1 on a database error. */
int lp_outbox_sweep(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                    int64_t lease_ms, int64_t lost_ms, int max, lp_outbox_handler_fn fn, void *arg,
                    lp_error_t *err);

/* Moves up to max complaints' work for stage from the forms before (one mark per
 * complaint with a list per stage; `todo.<stage>` in the complaint; one mark per
 * stage and complaint) into marks. For an upgrade: run at start until it returns
 * fewer than max. Once no `todo` list is left it records that in `lapor_meta`, and
 * later calls do not look for them again (the look reads every complaint).
 * Returns how many, or -1 on error. */
int lp_outbox_adopt(lp_store_t *store, const char *stage, int max, lp_error_t *err);

#endif
