/* lp_recent: the complaints each reporter sent in the last two days, found by _id.
 *
 * One small document per reporter lookup hash, `_id` = the lookup, holding
 * {day: the UTC day of its newest entry, complaints: [{id, at}]}. Intake's
 * near-duplicate check reads it by _id instead of querying complaints by reporter
 * (which the local database answers by decoding the whole collection). A commit
 * first inserts the document of each of its reporters: most reporters sent nothing
 * in the last two days, their insert succeeds and nothing is read. Only documents
 * that existed are read, and rewritten after the commit with the new complaints and
 * without entries older than two days. Only keyed hashes and ObjectIds are kept,
 * never a phone or email.
 *
 * The index is a hint. A missing entry only misses a near-duplicate (two intakes
 * rewriting one reporter's document at the same moment may drop one); an entry
 * naming a complaint that was never stored (its insert failed, or it was linked to
 * an earlier one) names nothing when read and is skipped. */
#ifndef LP_RECENT_H
#define LP_RECENT_H

#include <stdint.h>

#include "lp_store.h"

/* How often the documents whose newest entry is older than yesterday are deleted
 * (lp_recent_sweep). */
#define LP_RECENT_SWEEP_EVERY_MS (10 * 60 * 1000)

typedef struct {
    bson_oid_t id;
    int64_t at; /* the complaint's created_at, ms */
} lp_recent_entry_t;

/* One complaint of a batch. */
typedef struct {
    const char *phone_lookup, *email_lookup; /* NULL or "": skipped */
    bson_oid_t id;
    int64_t at_ms;
} lp_recent_item_t;

typedef struct lp_recent_batch_t lp_recent_batch_t;

/* Claims the documents of the reporters of items[0..n) (one insert per
 * LP_STORE_BULK_MAX) and reads those that existed (one read). items must outlive
 * the batch. NULL with err filled on a database error (nothing learnt, nothing
 * will be recorded). */
lp_recent_batch_t *lp_recent_batch_new(mongoc_collection_t *recent, const lp_recent_item_t *items,
                                       size_t n, lp_error_t *err);

/* Fills out with up to max complaints of item i's reporter, other than item i,
 * created at or after since_ms, oldest first, each once (the newest max when there
 * are more). Returns how many. */
int lp_recent_batch_earlier(const lp_recent_batch_t *self, size_t i, int64_t since_ms,
                            lp_recent_entry_t *out, int max);

/* Records items[i] for which stored[i] is true: rewrites each document that
 * existed with them added and entries older than two days left out (one upsert
 * command). The claimed new documents already name their complaint. Returns 0, or
 * -1 on a database error. */
int lp_recent_batch_record(lp_recent_batch_t *self, const bool *stored, lp_error_t *err);

void lp_recent_batch_destroy(lp_recent_batch_t **self_p);

/* Records one stored complaint: a batch of one. */
int lp_recent_add(mongoc_collection_t *recent, const char *phone_lookup, const char *email_lookup,
                  const bson_oid_t *id, int64_t at_ms, lp_error_t *err);

/* Removes one complaint from its reporter's entries before the reporter's details
 * are erased. complaint must hold _id, created_at and reporter.lookup (nothing to
 * do without them). Returns 0, or -1 on a database error. */
int lp_recent_forget(mongoc_collection_t *recent, const bson_t *complaint, lp_error_t *err);

/* The same for complaint oid, loaded from complaints by _id first. */
int lp_recent_forget_complaint(mongoc_collection_t *recent, mongoc_collection_t *complaints,
                               const bson_oid_t *oid, lp_error_t *err);

/* Deletes the documents whose newest entry is older than yesterday. Returns how
 * many, or -1. */
int lp_recent_sweep(mongoc_collection_t *recent, int64_t now_ms, lp_error_t *err);

#endif
