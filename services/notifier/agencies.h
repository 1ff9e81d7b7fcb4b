/* agencies: the agencies' documents (webhook URL and secret) as the senders read
 * them, kept for a few seconds: every webhook needs its agency, and reading it per
 * message was one more database command per complaint. A changed URL or secret
 * is used within the time to live. */
#ifndef NOTIFIER_AGENCIES_H
#define NOTIFIER_AGENCIES_H

#include <stdint.h>

#include "lp_store.h"

#define NOTIFIER_AGENCY_TTL_MS 5000

typedef struct notifier_agencies_t notifier_agencies_t;

notifier_agencies_t *notifier_agencies_new(int64_t ttl_ms);
void notifier_agencies_destroy(notifier_agencies_t **self_p);

/* A copy of agency id's document (the caller destroys it), from memory when read
 * less than the time to live ago, else from coll. NULL when there is no such
 * agency (err->code stays LP_ERR_NONE) or on a database error (err filled).
 * Safe from any thread. */
bson_t *notifier_agencies_get(notifier_agencies_t *self, mongoc_collection_t *coll, const char *id,
                              lp_error_t *err);

/* Keeps doc (copied; NULL: there is no such agency) as agency id's, read just now:
 * what the notifier read anyway when it queued webhooks. */
void notifier_agencies_put(notifier_agencies_t *self, const char *id, const bson_t *doc);

#endif
