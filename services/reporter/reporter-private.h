/* reporter-private: what the reporter's own files share. */
#ifndef REPORTER_PRIVATE_H
#define REPORTER_PRIVATE_H

#include <stdio.h>

#include "lp_event.h"
#include "lp_metrics.h"
#include "lp_service.h"
#include "lp_stats.h"
#include "reporter.h"

#define REPORTER_FOLD_BATCH 500 /* small enough to finish well inside a lease and a stop */
#define REPORTER_CELL_ID_LEN 320
#define LP_BUS_ANALYST_FEED "analyst_feed" /* reporter PUB -> analysts (laporctl feed) */

typedef struct {
    lp_service_t svc;
    lp_service_gather_t *gather; /* events waiting a moment for company */
    reporter_config_t *config;
    lp_bus_socket_t *events_sub; /* from intakes and routers */
    lp_bus_socket_t *events_sub_router;
    lp_bus_socket_t *feed; /* PUB: anonymised events for analysts */
    uint64_t feed_seq;     /* last sequence number published (loop thread only) */
    lp_metric_t *msgs_in;
    lp_metric_t *ledgered;
    lp_metric_t *folded;
    lp_metric_t *published;
    lp_metric_t *db_errors;
    int64_t next_full_fold; /* lp_mono_ms() of the next fold by scanning the ledger */
    /* Ledger entries this instance wrote and has not folded yet, oldest first (a
     * ring; loop thread only), with a copy of each entry it inserted itself (up to
     * REPORTER_PENDING_KEPT) so that the fold need not read it back. Lost with the
     * process: the scan at start finds them. */
    struct reporter_pending *pending;
    size_t pending_head, pending_n, pending_kept;
    /* The statistics state each complaint reached with the last event recorded
     * here (REPORTER_KNOWN_SLOTS, by a hash of its id; a newer complaint takes the
     * slot), so that its next event needs no read of the complaint (ledger.c). */
    struct reporter_known *known;
} reporter_t;

#define REPORTER_KNOWN_SLOTS 4096

#define REPORTER_PENDING_MAX 8192
#define REPORTER_PENDING_KEPT 2048 /* entries of about 0.5 KiB */

struct reporter_pending {
    char id[LP_EVENT_ID_LEN + 1];
    bson_t *entry; /* NULL: not kept (written by another instance, or too many) */
};

/* ---------------------------------------------------------------------------- */
/* Ledger and roll-ups                                                           */

/* Appends to the open array cells the {id, dims, inc} changes that moving a
 * complaint from state before to state after makes (pure: no I/O). */
void reporter_ledger_cells(const lp_stats_state_t *before, const lp_stats_state_t *after,
                           bson_t *cells);

/* Records one event in the ledger (exactly once per event id), acknowledges it and
 * publishes it on the analysts' feed. Returns 0 when done, -1 to retry later. */
int reporter_handle(void *arg, lp_envelope_t *env);

/* The same for n events at once (one command per kind of write for up to 50);
 * returns how many were recorded (the others are retried by the sweeper). */
int reporter_handle_batch(void *arg, lp_envelope_t **envs, int n);

/* Remembers ledger entry id (just written by this instance, or found there already)
 * for the next fold, with a copy of entry when this instance wrote it (else NULL);
 * when the ring is full the entry is left to the ledger scan, brought forward. */
void reporter_fold_later(reporter_t *self, const char *id, const bson_t *entry);

/* Forgets every pending entry (at stop). */
void reporter_pending_free(reporter_t *self);

/* Folds ledger entries into roll-ups if this instance holds the compactor lease.
 * Returns the number of entries folded, or -1 on a database error. */
int reporter_fold(reporter_t *self);

/* ---------------------------------------------------------------------------- */
/* Queries                                                                       */

/* Dimensions a query may group by. */
typedef enum {
    REPORTER_BY_STATUS,
    REPORTER_BY_AGENCY,
    REPORTER_BY_REGION, /* with level: regency (default), district or village */
    REPORTER_BY_REGENCY,
    REPORTER_BY_DISTRICT,
    REPORTER_BY_VILLAGE,
    REPORTER_BY_CATEGORY,
    REPORTER_BY_TYPE,
    REPORTER_BY_CHANNEL,
    REPORTER_BY_PRIVACY,
    REPORTER_BY_DAY,
    REPORTER_BY_MONTH,
    REPORTER_BY_VISIT,
    REPORTER_BY_NONE /* one group: everything that matches */
} reporter_by_t;

/* A query's filters and grouping, as parsed from the URL. */
typedef struct {
    char from[11], to[11]; /* YYYY-MM-DD, inclusive; "" for open */
    char region[32];       /* code prefix at a part boundary ("64.01") */
    char agency[64], category[48], channel[16], type[16], status[16];
    reporter_by_t by;
    const char *by_name; /* as given, e.g. "regency" */
    bool csv;
    int64_t updated_since_ms; /* export only; 0 for none */
} reporter_query_t;

/* Looks up one query parameter (NULL when absent). */
typedef const char *(*reporter_param_fn)(void *arg, const char *key);

/* A reporter_param_fn over an lp_http_req_t's query string. */
const char *reporter_http_param(void *req, const char *key);

/* Parses filters, group_by (default dflt), level and format/Accept from get.
 * Returns 0, or -1 with *field naming the bad parameter and message saying why. */
int reporter_query_parse(reporter_query_t *q, reporter_param_fn get, void *arg, const char *accept,
                         reporter_by_t dflt, const char **field, char *message, size_t size);

/* One group of roll-up figures. */
typedef struct {
    char key[REPORTER_CELL_ID_LEN];
    lp_stats_measures_t m;
} reporter_group_t;

typedef struct {
    reporter_group_t *items;
    size_t count, cap;
} reporter_groups_t;

/* Sums the roll-up cells that match q into groups by q->by, largest first (days
 * and months in time order). Returns 0, or -1 on a database error. */
int reporter_query_run(lp_store_t *store, const reporter_query_t *q, reporter_groups_t *out);
void reporter_groups_free(reporter_groups_t *groups);

/* The figures of one group as JSON (count, resolved, rates, durations, rating). */
json_t *reporter_group_json(const reporter_group_t *g);

/* A display name for a group key (region or agency name), or NULL. */
const char *reporter_key_name(const lp_refdata_t *ref, reporter_by_t by, const char *key);

/* Writes a CSV field, quoted when it holds a comma, quote or line break. */
void reporter_csv_field(FILE *out, const char *text);

/* ---------------------------------------------------------------------------- */
/* HTTP                                                                          */

/* The HTTP handler: statistics, export, outreach, dashboard. */
void reporter_api_handle(lp_http_req_t *req, void *arg);

void reporter_export_handle(reporter_t *self, lp_http_req_t *req, bool csv);
void reporter_outreach_handle(reporter_t *self, lp_http_req_t *req);
void reporter_dashboard_handle(reporter_t *self, lp_http_req_t *req);

/* The outreach programme's figures (see outreach.c); NULL on a database error. */
json_t *reporter_outreach_impact(reporter_t *self);

/* ---------------------------------------------------------------------------- */
/* The analysts' feed                                                            */

/* Binds the PUB socket (LAPOR_ANALYST_FEED_BIND, or any free port advertised as
 * analyst_feed). Returns 0 or -1 (logged). */
int reporter_feed_start(reporter_t *self);

/* Publishes env without the actor's name, stamped with this reporter's instance
 * and next sequence number. Loop thread only. */
void reporter_feed_publish(reporter_t *self, const lp_envelope_t *env);

/* Publishes a heartbeat holding the last sequence number, so an idle subscriber
 * still learns what it missed. */
void reporter_feed_heartbeat(reporter_t *self);

#endif
