/* commit: group commit of new complaints.
 *
 * Request threads hand their complaint to intake_commit and wait. One of them at a
 * time (the first to find no write in progress) writes everything waiting: the
 * sweepers' marks in one command, the complaints in one insert_many, the
 * near-duplicate index in one more. While it writes, the next requests gather, so
 * under load a complaint costs a share of three commands instead of three, and
 * with a single request nothing waits: it is written at once. */
#ifndef INTAKE_COMMIT_H
#define INTAKE_COMMIT_H

#include "lp_store.h"

typedef struct intake_commit_t intake_commit_t;

/* One complaint to store. */
typedef struct {
    const bson_t *doc;        /* with its _id, tracking_id and event */
    const char *complaint_id; /* the _id in hex, for the marks */
    const char *event_id;     /* its event's id, for the marks */
    const char *phone_lookup; /* the reporter's lookup hashes ("" when not given), */
    const char *email_lookup; /* recorded for near-duplicates once stored */
    int64_t at_ms;            /* the event's time, for the near-duplicate entry */
} intake_commit_item_t;

intake_commit_t *intake_commit_new(lp_store_t *store);
void intake_commit_destroy(intake_commit_t **self_p);

/* Marks the complaint's work (router, notifier, reporter), inserts it and records it
 * for near-duplicates, together with whatever other threads are storing. Returns
 * LP_STORE_INSERTED; LP_STORE_DUPLICATE when a unique index refused it (the same
 * _id or tracking ID: the caller decides, its work is marked); LP_STORE_FAILED on
 * a database error (err filled). */
lp_store_outcome_t intake_commit(intake_commit_t *self, const intake_commit_item_t *item,
                                 lp_error_t *err);

#endif
