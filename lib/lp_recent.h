/* lp_recent: the complaints each reporter sent in the last two days, found by _id.
 *
 * One small document per reporter lookup hash and UTC day, `_id` =
 * "<lookup>:<day number>", holding {complaints: [{id, at}]}. Intake's near-duplicate
 * check reads today's and yesterday's documents by _id instead of querying
 * complaints by reporter (which the local database answers by decoding the whole
 * collection). Only keyed hashes and ObjectIds are kept, never a phone or email.
 * The index is a hint: an entry that is missing only misses a near-duplicate. */
#ifndef LP_RECENT_H
#define LP_RECENT_H

#include <stdint.h>

#include "lp_store.h"

/* How often the day documents older than yesterday are deleted (lp_recent_sweep). */
#define LP_RECENT_SWEEP_EVERY_MS (10 * 60 * 1000)

typedef struct {
    bson_oid_t id;
    int64_t at; /* the complaint's created_at, ms */
} lp_recent_entry_t;

/* Records that complaint id, created at at_ms, came from the reporter with these
 * lookup hashes (either may be NULL or "": that key is skipped). A new day
 * document is inserted, an existing one gets the entry pushed. Returns 0, or -1 on
 * a database error. */
int lp_recent_add(mongoc_collection_t *recent, const char *phone_lookup, const char *email_lookup,
                  const bson_oid_t *id, int64_t at_ms, lp_error_t *err);

/* One complaint for lp_recent_add_many. */
typedef struct {
    const char *phone_lookup, *email_lookup; /* NULL or "": skipped */
    bson_oid_t id;
    int64_t at_ms;
} lp_recent_item_t;

/* The same for n complaints: one insert of the new day documents (per
 * LP_STORE_BULK_MAX), one upsert command for those that existed. */
int lp_recent_add_many(mongoc_collection_t *recent, const lp_recent_item_t *items, size_t n,
                       lp_error_t *err);

/* One reporter's lookup for lp_recent_find_many. */
typedef struct {
    const char *phone_lookup, *email_lookup; /* NULL or "": skipped */
    lp_recent_entry_t *out;                  /* room for max entries */
    int max;
    int found; /* set: how many went into out */
} lp_recent_query_t;

/* Fills each query's out with up to max complaints of its reporter created at or
 * after since_ms (at most two days before now_ms), oldest first, each once; when
 * there are more, the newest max. All queries' documents are read together (one
 * query per LP_STORE_BULK_MAX). Returns 0, or -1 on a database error. */
int lp_recent_find_many(mongoc_collection_t *recent, lp_recent_query_t *queries, size_t n,
                        int64_t now_ms, int64_t since_ms, lp_error_t *err);

/* Removes one complaint from its reporter's entries before the reporter's details
 * are erased. complaint must hold _id, created_at and reporter.lookup (nothing to
 * do without them). Returns 0, or -1 on a database error. */
int lp_recent_forget(mongoc_collection_t *recent, const bson_t *complaint, lp_error_t *err);

/* The same for complaint oid, loaded from complaints by _id first. */
int lp_recent_forget_complaint(mongoc_collection_t *recent, mongoc_collection_t *complaints,
                               const bson_oid_t *oid, lp_error_t *err);

/* Deletes the day documents older than yesterday. Returns how many, or -1. */
int lp_recent_sweep(mongoc_collection_t *recent, int64_t now_ms, lp_error_t *err);

#endif
