/* agency: the agencies' API, /api/v1/agency/complaints[/{tracking id}[/{action}]],
 * and the functions it shares with the portal pages (portal.c): the queue, loading
 * a complaint the agency may see, and what the agency does with it. */
#ifndef INTAKE_AGENCY_H
#define INTAKE_AGENCY_H

#include "desk.h"
#include "intake-private.h"
#include "lp_account.h"

void intake_agency_handle(intake_t *self, lp_http_req_t *req);

/* Filters of the queue; NULL or false: any. The caller has checked them. */
typedef struct {
    const char *status;
    const char *category;
    const char *region; /* a Kemendagri code prefix, digits and dots only */
    bool overdue;       /* open and past the deadline */
} intake_queue_filter_t;

/* True for a status name of the status model. */
bool intake_agency_status_known(const char *status);

/* One page (from 1) of agency's complaints, the nearest deadline first, as agency
 * views without history. 0 with *items (caller owns) and *total, or -1 with err
 * (LP_ERR_DATABASE, logged and counted). */
int intake_agency_queue(intake_t *self, mongoc_collection_t *coll, const char *agency,
                        const intake_queue_filter_t *f, long page, long per_page, json_t **items,
                        int64_t *total, lp_error_t *err);

/* Loads the complaint a typed tracking ID names when agency has seen it. 1 with c
 * and *doc (caller owns; never the contact); 0 when there is none or it is another
 * agency's (logged: the caller answers both alike); -1 with err on a database
 * error. */
int intake_agency_load(intake_t *self, mongoc_collection_t *coll, const char *raw,
                       const char *agency, const lp_principal_t *who, intake_case_t *c,
                       bson_t **doc, lp_error_t *err);

/* What an agency does with a complaint it holds. Each returns 1 done, 0 when the
 * complaint changed meanwhile, -1 with err (LP_ERR_INVALID naming the field,
 * LP_ERR_CONFLICT for the status, LP_ERR_DATABASE). Resolve and not our authority
 * are for those intake_auth_may_decide allows: the caller checks. */
int intake_agency_followup(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                           const lp_principal_t *who, const char *text, lp_error_t *err);
/* in_progress with an optional note (the API's status change). */
int intake_agency_start(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                        const lp_principal_t *who, const char *text, lp_error_t *err);
int intake_agency_resolve(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                          const lp_principal_t *who, const char *text, lp_error_t *err);
int intake_agency_question(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                           const lp_principal_t *who, const char *question, lp_error_t *err);
int intake_agency_not_authority(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                                const lp_principal_t *who, const char *reason, lp_error_t *err);

#endif
