/* watch: when the scan of every notification is needed.
 *
 * The scan is the safety net for messages nothing else names: "sending" under a
 * lease whose holder died (what a notifier inserted claimed for its own senders),
 * and what this instance dropped from its ready queue or could not record. On the
 * local database it decodes every notification ever sent (1.4 s for 30,000; a
 * province sends about a million a year), so it runs when one of those can have
 * happened, once the leases concerned have run out, instead of every half minute
 * of quiet: a notifier whose heartbeat in `services` stopped (it died: a clean
 * stop deletes its entry and gives its messages back), and this instance's own
 * drops. LAPOR_NOTIFIER_RESCAN_MS remains as the last resort. */
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "notifier-private.h"

/* A notifier whose heartbeat is older than this is gone (as lp_bus sees peers). */
#define PEER_STALE_MS 10000
/* Its last leases were taken at most one heartbeat (2 s) before its last one. */
#define LEASE_SLACK_MS 2500
/* A lease has ended this long after its until (clocks of one machine, or close). */
#define AFTER_LEASE_MS 1000
/* Entries of dead instances stay in `services`: one that stopped beating longer ago
 * than this was seen by this instance's earlier looks, or before its start (and its
 * leases had run out for the scan at start). */
#define PEER_FORGET_MS (3600 * 1000)

void
notifier_rescan_after(notifier_t *self, int64_t at_ms)
{
    int64_t was = atomic_load(&self->rescan_after);
    at_ms += AFTER_LEASE_MS;
    /* One scan after the latest time asked for finds what earlier ones would. */
    while (was < at_ms && !atomic_compare_exchange_weak(&self->rescan_after, &was, at_ms))
        ;
}

bool
notifier_rescan_due(notifier_t *self)
{
    int64_t after = atomic_load(&self->rescan_after);
    return after != 0 && lp_now_ms() >= after &&
           atomic_compare_exchange_strong(&self->rescan_after, &after, 0);
}

/* Whether id is among the dead notifiers seen already; remembers it if not. */
static bool
s_seen(notifier_t *self, const char *id)
{
    for (int i = 0; i < NOTIFIER_DEAD_SEEN; i++)
        if (strcmp(self->dead_seen[i], id) == 0)
            return true;
    snprintf(self->dead_seen[self->dead_next], sizeof self->dead_seen[0], "%s", id);
    self->dead_next = (self->dead_next + 1) % NOTIFIER_DEAD_SEEN;
    return false;
}

void
notifier_watch_peers(notifier_t *self)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_SERVICES);
    int64_t now = lp_now_ms(), stale = now - PEER_STALE_MS;
    int64_t oldest = self->started_at - self->svc.config->lease_ms - LEASE_SLACK_MS;
    if (oldest < now - PEER_FORGET_MS)
        oldest = now - PEER_FORGET_MS;
    bson_t *filter = BCON_NEW("kind", BCON_UTF8("notifier"), "heartbeat_at", "{", "$gte",
                              BCON_INT64(oldest), "$lt", BCON_INT64(stale), "}");
    bson_t *opts = BCON_NEW("projection", "{", "heartbeat_at", BCON_INT32(1), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t error;

    while (mongoc_cursor_next(cursor, &doc)) {
        const char *id = lp_doc_str(doc, "_id");
        int64_t beat = lp_doc_int(doc, "heartbeat_at");
        /* (the query chose the heartbeats: stopped, and recently) */
        if (!*id || strcmp(id, self->svc.config->instance) == 0 ||
            strlen(id) >= sizeof self->dead_seen[0] || s_seen(self, id))
            continue;
        notifier_rescan_after(self, beat + LEASE_SLACK_MS + self->svc.config->lease_ms);
        lp_log(LP_LOG_INFO, "notifier.peer_gone", "{s:s,s:I}", "instance", id, "last_heartbeat",
               (json_int_t) beat);
    }
    if (mongoc_cursor_error(cursor, &error))
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}
