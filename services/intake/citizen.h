/* citizen: what the reporter does with a complaint: answer a question or add
 * information, accept the answer (closed, with a rating), reject it (reopened: back
 * to the same agency with a new deadline), rate it.
 *
 * The actions do not care how the reporter proved who they are: the API checks the
 * PIN (intake_citizen_handle), SMS checks that the sender's phone is the reporter's.
 * Each returns 1 done, 0 when the complaint changed meanwhile, -1 with err:
 * LP_ERR_INVALID (a field, e.g. the rating), LP_ERR_CONFLICT (not possible in this
 * status), LP_ERR_DATABASE. */
#ifndef INTAKE_CITIZEN_H
#define INTAKE_CITIZEN_H

#include "desk.h"

/* Working days after a resolution in which the reporter may reopen. */
#define INTAKE_REOPEN_DAYS 10

/* How the reporter came: "web" or "sms" (with the Kannel id, so a repeated SMS is
 * recognised in reporter_replies). */
typedef struct {
    const char *channel;
    const char *sms_id;
} intake_via_t;

int intake_citizen_reply(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                         const char *text, const intake_via_t *via, const char **to,
                         lp_error_t *err);
int intake_citizen_accept(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                          int rating, const char *comment, const intake_via_t *via,
                          lp_error_t *err);
int intake_citizen_reject(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                          const char *reason, const intake_via_t *via, lp_error_t *err);
int intake_citizen_rate(intake_t *self, mongoc_collection_t *coll, const intake_case_t *c,
                        int rating, const char *comment, lp_error_t *err);

typedef enum {
    INTAKE_PIN_OK,
    INTAKE_PIN_WRONG,        /* counted */
    INTAKE_PIN_WRONG_LOCKED, /* wrong, and that was the fifth: locked from now */
    INTAKE_PIN_LOCKED,       /* locked: not even compared */
    INTAKE_PIN_ERROR,        /* the database failed (counted) */
} intake_pin_t;

/* Checks the reporter's PIN for c (five wrong ones in a row lock it for a
 * quarter of an hour); ip is logged with a wrong one. The API and the tracking
 * page both ask here. */
intake_pin_t intake_citizen_pin_check(intake_t *self, mongoc_collection_t *coll,
                                      const intake_case_t *c, const char *given, const char *ip);

/* POST /api/v1/complaints/{raw_id}/{reply|accept|reject|rate} with the PIN. */
void intake_citizen_handle(intake_t *self, lp_http_req_t *req, const char *raw_id,
                           const char *action);

#endif
