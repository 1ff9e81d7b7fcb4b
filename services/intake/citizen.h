/* citizen: what the reporter does with the PIN (reply, accept, reject, rate). */
#ifndef INTAKE_CITIZEN_H
#define INTAKE_CITIZEN_H

#include "intake-private.h"

/* Working days after a resolution in which the reporter may reopen. */
#define INTAKE_REOPEN_DAYS 10

/* POST /api/v1/complaints/{raw_id}/{action}. */
void intake_citizen_handle(intake_t *self, lp_http_req_t *req, const char *raw_id,
                           const char *action);

#endif
