/* agency: the agencies' API, /api/v1/agency/complaints[/{tracking id}[/{action}]]. */
#ifndef INTAKE_AGENCY_H
#define INTAKE_AGENCY_H

#include "intake-private.h"

void intake_agency_handle(intake_t *self, lp_http_req_t *req);

#endif
