/* commit: group commit of new complaints.
 *
 * Request threads hand their complaint to intake_commit and wait. One of them at a
 * time (the first to find no write in progress) writes everything waiting: the
 * reporters' near-duplicate documents claimed in one insert (and read in one query
 * when some existed), the sweepers' marks in one command, the complaints in one
 * insert_many (and the existing near-duplicate documents rewritten in one more).
 * While it writes, the next requests gather, so under load a complaint costs a
 * share of three to five commands, and with a single request nothing waits: it is
 * written at once. Under load the writer also waits a few milliseconds for more
 * (on the local database a command costs about as much as twenty small documents
 * in it, see docs/performance.md). */
#ifndef INTAKE_COMMIT_H
#define INTAKE_COMMIT_H

#include "lp_store.h"
#include "lp_tracking.h"

/* Which earlier complaints a new one may repeat: the same reporter's, of the last
 * day, at most this many (the newest). */
#define INTAKE_DUPLICATE_WINDOW_MS (24LL * 3600 * 1000)
#define INTAKE_DUPLICATE_CANDIDATES 20

/* The near-duplicate check of one complaint. */
typedef struct {
    const char *text; /* its title and body (intake_similar_text) */
    /* Filled when it repeats an open complaint of the same reporter: */
    bool linked;
    bson_oid_t first; /* that complaint */
    char tracking_id[LP_TRACKING_LEN + 1];
    char status[32];
} intake_commit_link_t;

typedef struct intake_commit_t intake_commit_t;

/* One complaint to store. */
typedef struct {
    const bson_t *doc;          /* with its _id, tracking_id and event */
    const char *complaint_id;   /* the _id in hex, for the marks */
    const char *event_id;       /* its event's id, for the marks */
    const char *phone_lookup;   /* the reporter's lookup hashes ("" when not given), */
    const char *email_lookup;   /* recorded for near-duplicates once stored */
    int64_t at_ms;              /* the event's time, for the near-duplicate entry */
    intake_commit_link_t *link; /* NULL: store it even if it repeats an earlier one */
} intake_commit_item_t;

/* Under load a commit waits up to wait_ms for `enough` complaints before it writes
 * (lp_group_linger; 0: never waits; nor with w=0 in the store's URI). */
intake_commit_t *intake_commit_new(lp_store_t *store, int wait_ms, int enough);
void intake_commit_destroy(intake_commit_t **self_p);

/* Unless it repeats an open complaint the same reporter sent in the last day
 * (item->link: then link->linked is set, nothing is written and it returns
 * LP_STORE_DUPLICATE), marks the complaint's work (router, notifier, reporter),
 * inserts it and records it for near-duplicates, together with whatever other
 * threads are storing. Returns LP_STORE_INSERTED; LP_STORE_DUPLICATE when a unique
 * index refused it (the same _id or tracking ID: the caller decides, its work is
 * marked); LP_STORE_FAILED on a database error (err filled). A failed lookup only
 * misses a near-duplicate (logged). */
lp_store_outcome_t intake_commit(intake_commit_t *self, const intake_commit_item_t *item,
                                 lp_error_t *err);

#endif
