/* desk: what every desk that acts on one complaint shares: the triage desk, the
 * agencies' API and portal, and the citizen holding the PIN.
 *
 * Load the complaint by tracking ID, read a small JSON body, make a guarded
 * transition (lp_transition) and answer in one way everywhere: 200 with the new
 * status, 409 when the complaint moved on meanwhile, 503 when the database failed. */
#ifndef INTAKE_DESK_H
#define INTAKE_DESK_H

#include <jansson.h>

#include "intake-private.h"
#include "lp_transition.h"

#define INTAKE_MAX_EXCLUDED 16

/* The complaint as a desk needs it (never the reporter). */
typedef struct {
    bson_oid_t oid;
    char id[25];
    char tracking[LP_TRACKING_LEN + 1];
    char status[24];
    char category[48];
    char region[24];
    char agency[64];
    char suggested[48];
    char privacy[16];
    const char *excluded[INTAKE_MAX_EXCLUDED];
    char excluded_buf[INTAKE_MAX_EXCLUDED][64];
    size_t n_excluded;
    int32_t v;
    int64_t resolved_at;
} intake_case_t;

/* Loads the complaint with this (normalised) tracking ID. 1 found, 0 not, -1 on
 * a database error. */
int intake_case_load(mongoc_collection_t *coll, const char *tracking, intake_case_t *c);

/* Finds the complaint a typed tracking ID (raw, as the user wrote it) names. true
 * when found; otherwise the request was answered (404, or 503 on a database
 * error). */
bool intake_case_find(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                      const char *raw, intake_case_t *c);

/* Parses the request body: a JSON object whose keys are all in allowed and whose
 * values are all strings (or, for keys in numbers, integers). Returns the object,
 * or NULL after answering 400 naming the field. */
json_t *intake_json_body(lp_http_req_t *req, const char *const *allowed,
                         const char *const *numbers);

/* A non-empty string field of body, or NULL. */
const char *intake_json_str(json_t *body, const char *key);

/* True when value is one of the NULL-terminated allowed values. */
bool intake_one_of(const char *value, const char *const *allowed);

/* Stamps a StatusChanged event (c's status → to) into env and changed. */
void intake_case_status_event(intake_t *self, const intake_case_t *c, const char *to,
                              const char *actor, Lapor__V1__Envelope *env,
                              Lapor__V1__StatusChanged *changed,
                              char event_id[LP_EVENT_ID_LEN + 1]);

/* The part every desk's transition shares: guarded by c's status and version,
 * moving to `to` (NULL keeps the status), by actor with a history note, about c's
 * agency, announcing env (NULL: no event) to n_stages stages. The caller adds
 * what it sets, unsets and pushes. */
void intake_case_transition(lp_transition_t *t, const intake_case_t *c, const char *to,
                            const char *actor, const char *note, const lp_envelope_t *env,
                            const char *const *stages, size_t n_stages);

/* Applies t to c and rings the stages. 1 applied, 0 lost the race (the complaint
 * changed meanwhile), -1 database error (err). */
int intake_case_commit(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                       lp_transition_t *t, const char *action, const char *by, lp_error_t *err);

/* Answers a request after an action: 200 with the status (to, or c's), 409 when it
 * lost the race or err is LP_ERR_CONFLICT, 400 for LP_ERR_INVALID, else 503. */
void intake_case_answer(lp_http_req_t *req, const intake_case_t *c, int rc, const char *to,
                        const lp_error_t *err);

/* intake_case_commit, then intake_case_answer. */
int intake_case_apply(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                      const intake_case_t *c, lp_transition_t *t, const char *action,
                      const char *by);

/* "Not our authority": back to the router with the agency excluded, from disposed,
 * reopened or in_progress. Answers the request. */
void intake_case_not_authority(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                               const intake_case_t *c, const char *reason, const char *actor,
                               const char *by);

/* Not our authority and the question without a request: 1 done, 0 lost the race, -1 with err
 * (LP_ERR_INVALID naming the field, LP_ERR_CONFLICT for the status,
 * LP_ERR_DATABASE). The pages and the JSON API share them. */
int intake_case_not_authority_do(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                                 const char *reason, const char *actor, const char *by,
                                 lp_error_t *err);
int intake_case_postpone_do(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                            const char *question, const char *actor, const char *by,
                            lp_error_t *err);

/* Asks the reporter a question: the complaint waits (postponed) for the answer. */
void intake_case_postpone(intake_t *self, lp_http_req_t *req, mongoc_collection_t *coll,
                          const intake_case_t *c, const char *question, const char *actor,
                          const char *by);

#endif
