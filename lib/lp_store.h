/* lp_store: lapor's MongoDB access: a client pool, collection names, indexes, leases.
 *
 * Only what both FerretDB v1 and MongoDB support is used: single-document atomic
 * updates, findAndModify, unique indexes; no transactions, no change streams. */
#ifndef LP_STORE_H
#define LP_STORE_H

#include <mongoc/mongoc.h>
#include <stdbool.h>

#include "lp_error.h"

/* Collection names, in one place. */
#define LP_COLL_COMPLAINTS "complaints"
#define LP_COLL_REGIONS "regions"
#define LP_COLL_CATEGORIES "categories"
#define LP_COLL_AGENCIES "agencies"
#define LP_COLL_RULES "routing_rules"
#define LP_COLL_HOLIDAYS "holidays"
#define LP_COLL_KEYWORDS "keywords"
#define LP_COLL_API_KEYS "api_keys"
#define LP_COLL_USERS "users"
#define LP_COLL_SESSIONS "sessions"
#define LP_COLL_NOTIFICATIONS "notifications"
#define LP_COLL_SERVICES "services"
#define LP_COLL_LEDGER "stats_ledger"
#define LP_COLL_FOLDED "stats_folded" /* which batch counted each ledger entry */
#define LP_COLL_ROLLUPS "stats_rollups"
#define LP_COLL_STATS_META "stats_meta"
#define LP_COLL_OUTBOX "outbox"
#define LP_COLL_NOTIFY_DUE "notifications_due"    /* see lp_store_due */
#define LP_COLL_REPORTER_RECENT "reporter_recent" /* see lp_recent.h */
#define LP_COLL_META "lapor_meta"                 /* one-time steps done (upgrades), by _id */

typedef struct lp_store_t lp_store_t;

/* Opens a client pool on uri (the database is the URI's, or "lapor"). Fails only on
 * a malformed URI: the server may be down now and come back later. */
lp_store_t *lp_store_new(const char *uri, const char *appname, lp_error_t *err);

/* Frees the pool; every client must have been pushed back. Accepts NULL. */
void lp_store_destroy(lp_store_t **self_p);

/* Takes a client from the pool (waits if all are in use); give it back with push. */
mongoc_client_t *lp_store_pop(lp_store_t *self);
void lp_store_push(lp_store_t *self, mongoc_client_t *client);

/* A collection of lapor's database; the caller destroys it. */
mongoc_collection_t *lp_store_collection(lp_store_t *self, mongoc_client_t *client,
                                         const char *name);

const char *lp_store_dbname(const lp_store_t *self);

/* False when the URI asks for unacknowledged writes (w=0): nothing waits for the
 * database's answer. */
bool lp_store_acknowledged(const lp_store_t *self);

/* Round trip to the server. */
bool lp_store_ping(lp_store_t *self, lp_error_t *err);

/* Creates every index lapor's queries need (idempotent). */
bool lp_store_ensure_indexes(lp_store_t *self, lp_error_t *err);

/* Statements per bulk command: FerretDB v1 holds one SQLite connection per
 * statement until the command ends (a pool of 100), and hangs above about 100. */
#define LP_STORE_BULK_MAX 50

/* What became of one document of lp_store_insert_many. */
typedef enum { LP_STORE_INSERTED, LP_STORE_DUPLICATE, LP_STORE_FAILED } lp_store_outcome_t;

/* Inserts docs[0..n) in unordered commands of LP_STORE_BULK_MAX and fills out[i] for each:
 * inserted, a duplicate key (the unique _id was there: a repeat, already done) or failed (logged).
 * False when a command failed as a whole (then every document of it failed). */
bool lp_store_insert_many(mongoc_collection_t *coll, const bson_t **docs, size_t n,
                          lp_store_outcome_t *out);

/* True for a duplicate-key error (code 11000): the write was already done. */
bool lp_store_is_duplicate(const bson_error_t *error);

/* Copies a driver error into err with LP_ERR_DATABASE (or CONFLICT for duplicates). */
void lp_store_set_error(lp_error_t *err, const bson_error_t *error, const char *what);

/* The first document matching filter, with projection (may be NULL), copied (the
 * caller destroys it). NULL either when none matches (err->code stays
 * LP_ERR_NONE) or on a database error (err filled, and the error logged). */
bson_t *lp_store_find_one(mongoc_collection_t *coll, const bson_t *filter, const bson_t *projection,
                          lp_error_t *err);

/* Reads the documents of coll whose _id is one of ids[0..n) (ObjectIds or strings;
 * an id of another type, such as BSON_TYPE_EOD, finds nothing), with projection (may
 * be NULL; the _id must stay in), in one query per LP_STORE_BULK_MAX ids: a batch of
 * lookups by _id costs one command (the local database pushes {_id: {$in}} down to
 * its index, see deploy/devdb/build.sh). out[i] gets a copy of the document of
 * ids[i] (the caller destroys it), NULL when there is none. False on a database
 * error (err filled; then every out[i] is NULL). */
bool lp_store_find_ids(mongoc_collection_t *coll, const bson_value_t *ids, size_t n,
                       const bson_t *projection, bson_t **out, lp_error_t *err);

/* Appends {_id: {$in: [those of ids[0, n) that are ObjectIds or strings]}} to filter
 * (the local database looks them up by index, up to 500); returns how many went in. */
int lp_store_append_ids_in(bson_t *filter, const bson_value_t *ids, size_t n);

/* Deletes the documents of coll whose _id is one of ids[0..n), per_command at a time
 * (at most 500: the local database looks them up by index; fewer keep the other
 * writes from waiting long behind one). Failures are logged; false when one failed. */
bool lp_store_delete_ids(mongoc_collection_t *coll, const bson_value_t *ids, size_t n,
                         size_t per_command);

/* Sets v to the ObjectId of hex (24 hex digits), or to BSON_TYPE_EOD (matches
 * nothing) when hex is not one. */
void lp_store_oid_value(bson_value_t *v, const char *hex);

/* Sets v to the string str (not copied: str must outlive v). */
void lp_store_str_value(bson_value_t *v, const char *str);

/* Claims the oldest document of coll that matches filter and whose lease named
 * lease (a field path such as "lease.router") is free or expired, by setting
 * <lease>.owner and <lease>.until = now + lease_ms with findAndModify. Returns the
 * claimed document after the update (caller destroys), or NULL when there is
 * nothing to claim or on error (err says which). sort_field orders candidates;
 * also_set (may be NULL) holds more fields to $set in the same write. */
bson_t *lp_store_claim(mongoc_collection_t *coll, const bson_t *filter, const char *lease,
                       const char *owner, int64_t lease_ms, const char *sort_field,
                       const bson_t *also_set, lp_error_t *err);

/* Claims, in one write, those of the documents ids[0..n) (at most LP_STORE_BULK_MAX)
 * that match filter (may be NULL) and whose lease is free or expired, like
 * lp_store_claim (also_set may be NULL), and reads them back in one query: out[i]
 * gets the claimed document of ids[i] (caller destroys) or NULL when another took
 * it or it did not match. Returns how many were claimed, or -1 on a database error
 * (err filled). */
int lp_store_claim_ids(mongoc_collection_t *coll, const bson_value_t *ids, size_t n,
                       const bson_t *filter, const char *lease, const char *owner, int64_t lease_ms,
                       const bson_t *also_set, bson_t **out, lp_error_t *err);

/* Marks notification id as due at at_ms in the small notifications_due collection,
 * where the notifier looks for messages it did not queue itself (intake's replies,
 * retries after a back-off): finding them in notifications itself would read every
 * message ever sent on the local database. LP_STORE_DUE_ALL asks for one look at
 * every notification (after a bulk change such as a redrive). */
#define LP_STORE_DUE_ALL "*"
bool lp_store_due(mongoc_collection_t *due, const char *id, int64_t at_ms, lp_error_t *err);

/* Frees the lease on document id if owner still holds it. */
bool lp_store_release(mongoc_collection_t *coll, const bson_value_t *id, const char *lease,
                      const char *owner, lp_error_t *err);

#endif
