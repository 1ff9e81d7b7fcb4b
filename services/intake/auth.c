/* auth: API keys and portal sessions become one principal. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "desk.h"
#include "lp_apikey.h"
#include "lp_clock.h"
#include "lp_log.h"

intake_session_t
intake_auth_session(intake_t *self, lp_http_req_t *req, const char *form_csrf, lp_principal_t *who)
{
    const char *cookie = lp_http_cookie(req, INTAKE_SESSION_COOKIE);
    const char *method = lp_http_method(req);
    lp_error_t err;
    int rc;

    memset(who, 0, sizeof *who);
    lp_error_clear(&err);
    if (!cookie)
        return INTAKE_SESSION_NONE;
    rc = lp_account_session(self->svc.store, cookie, lp_now_ms(), who, &err);
    if (rc < 0)
        return INTAKE_SESSION_ERROR;
    if (rc == 0)
        return INTAKE_SESSION_NONE;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        const char *sent = lp_http_header(req, "X-CSRF-Token");
        if (!lp_account_token_equal(sent ? sent : form_csrf, who->csrf)) {
            lp_log(LP_LOG_WARN, "auth.csrf_refused", "{s:s,s:s}", "user", who->name, "path",
                   lp_http_path(req));
            return INTAKE_SESSION_CSRF;
        }
    }
    return INTAKE_SESSION_OK;
}

int
intake_auth(intake_t *self, lp_http_req_t *req, const char *form_csrf, lp_principal_t *who)
{
    const char *authorization = lp_http_header(req, "Authorization");
    const char *cookie = lp_http_cookie(req, INTAKE_SESSION_COOKIE);
    char owner[60], role[24];
    lp_error_t err;
    int rc = 0;

    memset(who, 0, sizeof *who);
    lp_error_clear(&err);
    if (authorization) {
        rc = lp_apikey_identify(self->svc.store, authorization, owner, sizeof owner, role,
                                sizeof role, &err);
        if (rc == 1) {
            snprintf(who->name, sizeof who->name, "key:%.59s", owner);
            if (strcmp(role, "agency") == 0) {
                /* A system integration answers for its agency. */
                snprintf(who->role, sizeof who->role, "liaison");
                snprintf(who->agency_id, sizeof who->agency_id, "%.59s", owner);
            }
            else if (strcmp(role, "coordinator") == 0 || strcmp(role, "admin") == 0)
                snprintf(who->role, sizeof who->role, "%.23s", role);
            else
                rc = 0; /* an Open311 client key: not a person of an agency */
        }
    }
    else if (cookie) {
        switch (intake_auth_session(self, req, form_csrf, who)) {
        case INTAKE_SESSION_OK:
            rc = 1;
            break;
        case INTAKE_SESSION_NONE:
            rc = 0;
            break;
        case INTAKE_SESSION_CSRF:
            lp_http_reply_error(req, 403, "csrf",
                                "the form is out of date; reload the page and try again");
            return 0;
        case INTAKE_SESSION_ERROR:
            rc = -1;
            break;
        }
    }
    if (rc < 0) {
        lp_metric_inc(self->db_errors);
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "cannot check who you are now; try again");
        return 0;
    }
    if (rc == 0) {
        lp_log(LP_LOG_WARN, "auth.unauthorized", "{s:s,s:s}", "path", lp_http_path(req), "ip",
               lp_http_client_ip(req));
        lp_http_add_header(req, "WWW-Authenticate", "Bearer");
        lp_http_reply_error(req, 401, "Authorization",
                            "an agency API key or a portal login is required");
        return 0;
    }
    return 1;
}

bool
intake_auth_for_agency(intake_t *self, const lp_principal_t *who, const char *agency_id)
{
    if (strcmp(who->role, "admin") == 0)
        return true;
    if (strcmp(who->role, "staff") == 0 || strcmp(who->role, "liaison") == 0)
        return strcmp(who->agency_id, agency_id) == 0;
    if (strcmp(who->role, "coordinator") == 0) {
        const lp_agency_t *a = lp_refdata_agency(self->svc.refdata, agency_id);
        size_t n = strlen(who->region_prefix);
        return a && strncmp(a->region_prefix, who->region_prefix, n) == 0;
    }
    return false; /* analysts see aggregates only */
}

bool
intake_auth_may_decide(const lp_principal_t *who)
{
    return strcmp(who->role, "liaison") == 0 || strcmp(who->role, "admin") == 0 ||
           strcmp(who->role, "coordinator") == 0;
}

static void
s_set_cookie(intake_t *self, lp_http_req_t *req, const char *value, long max_age_s)
{
    char cookie[200];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
             INTAKE_SESSION_COOKIE, value, max_age_s,
             self->config->secure_cookies ? "; Secure" : "");
    lp_http_add_header(req, "Set-Cookie", cookie);
}

lp_login_t
intake_login(intake_t *self, lp_http_req_t *req, const char *user, const char *password,
             lp_principal_t *who)
{
    char token[LP_SESSION_TOKEN_LEN + 1];
    lp_error_t err;
    lp_login_t result;

    lp_error_clear(&err);
    result = lp_account_login(self->svc.store, user, password, lp_now_ms(), token, who, &err);
    switch (result) {
    case LP_LOGIN_OK:
        lp_log(LP_LOG_INFO, "auth.login", "{s:s,s:s}", "user", who->name, "role", who->role);
        s_set_cookie(self, req, token, LP_SESSION_TTL_MS / 1000);
        break;
    case LP_LOGIN_WRONG:
        lp_log(LP_LOG_WARN, "auth.login_failed", "{s:s,s:s}", "user", user, "ip",
               lp_http_client_ip(req));
        break;
    case LP_LOGIN_LOCKED:
        lp_log(LP_LOG_WARN, "auth.locked", "{s:s,s:s}", "user", user, "ip", lp_http_client_ip(req));
        break;
    case LP_LOGIN_ERROR:
        lp_metric_inc(self->db_errors);
        break;
    }
    sodium_memzero(token, sizeof token);
    return result;
}

int
intake_logout(intake_t *self, lp_http_req_t *req)
{
    const char *cookie = lp_http_cookie(req, INTAKE_SESSION_COOKIE);
    lp_error_t err;

    lp_error_clear(&err);
    if (cookie && lp_account_logout(self->svc.store, cookie, &err) != 0) {
        lp_metric_inc(self->db_errors);
        return -1;
    }
    s_set_cookie(self, req, "", 0);
    return 0;
}

void
intake_session_handle(intake_t *self, lp_http_req_t *req)
{
    static const char *const allowed[] = {"username", "password", NULL};
    const char *method = lp_http_method(req);
    lp_principal_t who;
    json_t *body = NULL;

    if (strcmp(method, "DELETE") == 0) {
        if (intake_logout(self, req) != 0) {
            lp_http_add_header(req, "Retry-After", "5");
            lp_http_reply_error(req, 503, NULL, "cannot log out now; try again");
            return;
        }
        lp_http_reply_json(req, 200, json_pack("{s:b}", "logged_in", 0));
        return;
    }
    if (strcmp(method, "POST") != 0) {
        lp_http_add_header(req, "Allow", "POST, DELETE");
        lp_http_reply_error(req, 405, NULL, "POST to log in, DELETE to log out");
        return;
    }
    if (!intake_rate_allow(self, req) || !(body = intake_json_body(req, allowed, NULL)))
        return;
    const char *user = intake_json_str(body, "username");
    const char *password = intake_json_str(body, "password");
    if (!user || !password || strlen(user) > 63 || strlen(password) > 128) {
        lp_http_reply_error(req, 400, !user ? "username" : "password", "is missing or too long");
        goto done;
    }
    switch (intake_login(self, req, user, password, &who)) {
    case LP_LOGIN_OK:
        lp_http_reply_json(req, 200,
                           json_pack("{s:s,s:s,s:s,s:s}", "username", who.name, "role", who.role,
                                     "agency_id", who.agency_id, "csrf", who.csrf));
        break;
    case LP_LOGIN_WRONG:
        lp_http_reply_error(req, 401, "password", "wrong username or password");
        break;
    case LP_LOGIN_LOCKED:
        lp_http_add_header(req, "Retry-After", "900");
        lp_http_reply_error(req, 429, "username",
                            "too many wrong passwords; the account is locked for 15 minutes");
        break;
    case LP_LOGIN_ERROR:
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "cannot log in now; try again");
        break;
    }
done:
    json_decref(body);
}
