/* triage: the coordinators' desk, shared by its JSON API (/api/v1/admin/..., API
 * keys) and the portal's triage pages (portal_triage.c, sessions). The actions
 * return 1 done, 0 when the complaint changed meanwhile, -1 with err
 * (LP_ERR_INVALID naming the field, LP_ERR_CONFLICT for the status,
 * LP_ERR_DATABASE). actor goes into the history ("triage:<who>"), owner is who. */
#ifndef INTAKE_TRIAGE_H
#define INTAKE_TRIAGE_H

#include "desk.h"
#include "intake-private.h"

/* Up to limit complaints waiting for a coordinator (received with a triage
 * field), oldest first, as small JSON objects (tracking_id, title, category,
 * region, region_name, reason, suggested_category, confidence, created_at_ms,
 * dispose_by_ms, overdue). 0 with *items (caller owns), or -1 with err. */
int intake_triage_list(intake_t *self, mongoc_collection_t *coll, long limit, json_t **items,
                       lp_error_t *err);

/* Verify and dispose: category (NULL: the complaint's own or the suggested one) to
 * agency_id (NULL: the routing rules choose); note is added to the history. */
int intake_triage_dispose(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                          const char *category, const char *agency_id, const char *note,
                          const char *actor, const char *owner, lp_error_t *err);

/* Asks the reporter a question (received complaints only). */
int intake_triage_postpone(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                           const char *question, const char *actor, const char *owner,
                           lp_error_t *err);

/* Archives with one of the reasons intake_triage_archive_reason_known accepts. */
int intake_triage_archive(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                          const char *reason, const char *actor, const char *owner,
                          lp_error_t *err);

/* too_general, not_relevant, duplicate, spam, not_authority. */
bool intake_triage_archive_reason_known(const char *reason);

#endif
