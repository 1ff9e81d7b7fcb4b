/* results: the outcomes of the senders' attempts, written together.
 *
 * A sender hands its result over and goes on to its next message; what waits is
 * written every NOTIFIER_RESULTS_EVERY_MS (the notifier's loop) or as soon as
 * LP_STORE_BULK_MAX wait (by the sender that adds the last), in one command: one
 * update_many per identical outcome, each guarded by this instance's lease. On the
 * local database an update of many documents by _id costs about half of as many
 * single updates, and four senders waiting for their own write shared a command
 * with one or two others at most.
 *
 * A result that is never written (the process died) leaves its message "sending"
 * under this instance's lease: it is sent again once the lease ends, and receivers
 * drop the copy by its webhook-id (docs/webhooks.md). Flush after the senders stop. */
#ifndef NOTIFIER_RESULTS_H
#define NOTIFIER_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "lp_metrics.h"
#include "lp_store.h"

#define NOTIFIER_RESULTS_EVERY_MS 50

typedef struct notifier_results_t notifier_results_t;

/* Results of the messages owner leases, written through store; db_errors counts
 * failed writes (may be NULL), and lost(arg) is called after each write that
 * failed (the messages stay leased). NULL when out of memory. */
notifier_results_t *notifier_results_new(lp_store_t *store, const char *owner,
                                         lp_metric_t *db_errors, void (*lost)(void *arg),
                                         void *arg);

/* Frees what is left unwritten (flush first); sets *self_p to NULL. Accepts NULL. */
void notifier_results_destroy(notifier_results_t **self_p);

/* Hands over the outcome of an attempt at message id: its new state, attempts
 * made, when it is due next (0: the time of the write), the receiver's status and
 * the error in words ("" for none); due: also mark it due then in
 * notifications_due (a retry), once the result is written (a due mark found
 * before would meet the message still leased). Safe from any thread. */
void notifier_results_add(notifier_results_t *self, const bson_value_t *id, const char *state,
                          int attempts, int64_t next_at, long status, const char *error, bool due);

/* Writes every result waiting now. Safe from any thread. */
void notifier_results_flush(notifier_results_t *self);

#endif
