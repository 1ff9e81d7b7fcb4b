/* lp_transition: one guarded single-document write that moves a complaint on.
 *
 * Every change of a complaint's state goes through here, whoever makes it (router,
 * triage desk, agency): the guard (expected status and version) makes a repeated or
 * concurrent attempt harmless, and the history entry and the event are written
 * in the same document update, so nothing can happen half. The stages that must
 * react are marked first (lp_outbox). */
#ifndef LP_TRANSITION_H
#define LP_TRANSITION_H

#include "lp_event.h"
#include "lp_refdata.h"
#include "lp_store.h"

typedef struct {
    const char *from_status;    /* guard: the status expected now; NULL for any */
    int32_t from_v;             /* guard: the version expected now; 0 for any */
    const char *to_status;      /* the new status; NULL keeps it */
    const bson_t *set;          /* more fields to $set (may be NULL) */
    const bson_t *unset;        /* fields to $unset, as {field: ""} (may be NULL) */
    const bson_t *push;         /* more {array: value} to $push (may be NULL) */
    const char *actor;          /* who: "router", "triage:<key name>", ... */
    const char *note;           /* history note in plain words (may be NULL) */
    const char *agency_id;      /* history: the agency concerned (may be NULL) */
    const char *seen_by;        /* an agency that now holds the complaint: added to
                                   agencies_seen, which decides who may read it */
    const lp_envelope_t *event; /* the event this causes (may be NULL) */
    lp_store_t *store;          /* required with event and stages: their work is
                                   marked there first (lp_outbox_mark) */
    const char *const *stages;  /* stages that must react to the event */
    size_t n_stages;
} lp_transition_t;

/* Marks t's stages, then applies t to the complaint oid at time now_ms. Returns 1
 * when this call made the change, 0 when the guard did not match (the complaint
 * moved on, or someone else made the same change; the marks are taken back), -1 on
 * a database error (err filled). */
int lp_transition_apply(mongoc_collection_t *coll, const bson_oid_t *oid, const lp_transition_t *t,
                        int64_t now_ms, lp_error_t *err);

/* Writes t for the complaint oid at now_ms as a guarded update: filter and update
 * (initialised by the caller) for one update statement, which a caller may gather
 * into a bulk. The caller must have marked t's stages (lp_outbox_mark_many) first.
 * False when out of memory. */
bool lp_transition_write(const bson_oid_t *oid, const lp_transition_t *t, int64_t now_ms,
                         bson_t *filter, bson_t *update);

/* The stages a new complaint concerns (the notifier tells the reporter the
 * tracking ID). */
#define LP_TRANSITION_SUBMIT_N_STAGES 3
extern const char *const lp_transition_submit_stages[LP_TRANSITION_SUBMIT_N_STAGES];

/* The stages a disposition concerns (its marks). */
#define LP_TRANSITION_DISPOSE_N_STAGES 2
extern const char *const lp_transition_dispose_stages[LP_TRANSITION_DISPOSE_N_STAGES];

/* A disposition to agency, whoever makes it (router or triage desk). env must hold
 * the complaint id, tracking id and version, and env->disposed the caller's
 * ComplaintDisposed with from, rule, category and region. This stamps env, sets the
 * deadline (followup_days working days), fills set and unset (initialised and
 * destroyed by the caller) with what every disposition writes, and fills t with
 * the new status, the event and the stages that must hear of it. The caller adds
 * the guard, actor and note. */
void lp_transition_dispose(lp_transition_t *t, bson_t *set, bson_t *unset, lp_envelope_t *env,
                           const lp_agency_t *agency, const lp_workdays_t *calendar,
                           int followup_days, const char *producer,
                           char event_id[LP_EVENT_ID_LEN + 1]);

/* Erases the reporter's details from a complaint (UU 27/2022: kept no longer than
 * needed), with a history entry, and from the citizen messages still waiting for
 * it (they become "skipped"). The complaint itself stays for statistics. Returns
 * 1 erased, 0 nothing to erase, -1 on a database error. */
int lp_transition_erase_reporter(mongoc_collection_t *complaints,
                                 mongoc_collection_t *notifications, const bson_oid_t *oid,
                                 const char *actor, const char *note, int64_t now_ms,
                                 lp_error_t *err);

#endif
