/* auth: who is asking. An agency's API key (it acts as the agency's liaison), a
 * coordinator's or admin's key, or a portal session cookie; a session's POST must
 * also carry its CSRF token (header X-CSRF-Token or form field csrf). */
#ifndef INTAKE_AUTH_H
#define INTAKE_AUTH_H

#include "intake-private.h"
#include "lp_account.h"

#define INTAKE_SESSION_COOKIE "lapor_session"

/* 1 with who filled; otherwise the request was answered (401, 403 or 503) and
 * the result is 0. form_csrf: the csrf field of a form body, or NULL. */
int intake_auth(intake_t *self, lp_http_req_t *req, const char *form_csrf, lp_principal_t *who);

typedef enum {
    INTAKE_SESSION_OK,    /* who filled */
    INTAKE_SESSION_NONE,  /* no cookie, or no live session for it */
    INTAKE_SESSION_CSRF,  /* a live session, but a POST without its CSRF token */
    INTAKE_SESSION_ERROR, /* the database failed */
} intake_session_t;

/* The portal session of the request's cookie (answers nothing): the rule that
 * intake_auth applies to cookies, for the pages that answer in HTML. */
intake_session_t intake_auth_session(intake_t *self, lp_http_req_t *req, const char *form_csrf,
                                     lp_principal_t *who);

/* Checks the password and, when right, opens a session and sets its cookie
 * (HttpOnly, SameSite=Strict; Secure when secure_cookies): the one login of the
 * JSON API and the portal's form. Logs failures; the caller answers. */
lp_login_t intake_login(intake_t *self, lp_http_req_t *req, const char *user, const char *password,
                        lp_principal_t *who);

/* Ends the request's session (if any) and clears the cookie. 0, or -1 when the
 * database failed. */
int intake_logout(intake_t *self, lp_http_req_t *req);

/* May who act for agency_id (read its complaints)? Staff and liaisons for their
 * own agency, coordinators for agencies of their region, admins for all. */
bool intake_auth_for_agency(intake_t *self, const lp_principal_t *who, const char *agency_id);

/* May who change a complaint's status (resolve, not our authority)? */
bool intake_auth_may_decide(const lp_principal_t *who);

/* POST /api/v1/session {username, password}: logs in (sets the HttpOnly,
 * SameSite=Strict session cookie; Secure when secure_cookies) and answers the CSRF
 * token; DELETE /api/v1/session logs out. */
void intake_session_handle(intake_t *self, lp_http_req_t *req);

#endif
