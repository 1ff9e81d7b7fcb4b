/* api: intake's JSON API: submit a complaint, follow it by tracking ID. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "intake-private.h"
#include "agency.h"
#include "attach.h"
#include "auth.h"
#include "citizen.h"
#include "portal.h"
#include "view.h"
#include "web.h"
#include "web_page.h"
#include "lp_log.h"

#define COMPLAINTS_PATH "/api/v1/complaints"
#define LP_IDEMPOTENCY_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"

static void
s_get_complaint(intake_t *self, lp_http_req_t *req, const char *raw_id)
{
    json_t *view = NULL;
    lp_error_t err;

    lp_error_clear(&err);
    if (intake_public_find(self, raw_id, &view, NULL, &err) == 0)
        lp_http_reply_json(req, 200, view);
    else if (err.code == LP_ERR_DATABASE) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, err.message);
    }
    else
        lp_http_reply_error(req, 404, "tracking_id", err.message);
}

/* The hex SHA-256 of a request body: a repeated Idempotency-Key must come with
 * the same body. */
static void
s_body_hash(const char *body, size_t len, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) body, len);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
}

static void
s_post_complaint(intake_t *self, lp_http_req_t *req)
{
    intake_complaint_t c;
    intake_submit_opts_t opts = {.channel = LAPOR__V1__CHANNEL__CHANNEL_API};
    intake_receipt_t receipt;
    lp_error_t err;
    char key[160], hash[65];
    size_t len = 0;
    const char *body = lp_http_body(req, &len);
    const char *ctype = lp_http_header(req, "Content-Type");
    const char *idem = lp_http_header(req, "Idempotency-Key");

    lp_error_clear(&err);
    if (!intake_rate_allow(self, req))
        return;
    if (ctype && strncmp(ctype, "application/json", 16) != 0) {
        lp_http_reply_error(req, 415, NULL, "send the complaint as application/json");
        return;
    }
    if (idem && (strlen(idem) < 8 || strlen(idem) > 128 ||
                 strspn(idem, LP_IDEMPOTENCY_CHARS) != strlen(idem))) {
        lp_http_reply_error(req, 400, "Idempotency-Key",
                            "must be 8 to 128 letters, digits, '-', '_', '.' or ':'");
        return;
    }
    if (intake_complaint_parse(body, len, &self->lookup, &c, &err) != 0) {
        lp_metric_inc(self->rejected);
        /* Log the field and the reason, never the submitted text. */
        lp_log(LP_LOG_INFO, "complaint.rejected", "{s:s,s:s}", "field", err.field, "message",
               err.message);
        lp_http_reply_error(req, 400, err.field, err.message);
        return;
    }
    if (idem) {
        snprintf(key, sizeof key, "api:%s", idem);
        s_body_hash(body, len, hash);
        opts.idempotency_key = key;
        opts.request_hash = hash;
    }
    if (intake_submit(self, &c, &opts, &receipt, &err) != 0) {
        if (err.code == LP_ERR_CONFLICT)
            lp_http_reply_error(req, 422, err.field, err.message);
        else {
            lp_log(LP_LOG_WARN, "complaint.not_stored", "{s:s}", "message", err.message);
            lp_http_add_header(req, "Retry-After", "5");
            lp_http_reply_error(req, 503, NULL,
                                "the complaint could not be stored now; nothing was saved, "
                                "please try again shortly");
        }
    }
    else if (receipt.duplicate) {
        /* Not a new complaint: the reporter learns where the first one stands. */
        lp_http_reply_json(req, 200,
                           json_pack("{s:s,s:b,s:s}", "tracking_id", receipt.tracking_id,
                                     "duplicate", 1, "message",
                                     "you sent nearly the same complaint in the last 24 hours; "
                                     "it was added to that complaint"));
    }
    else {
        char location[64];
        snprintf(location, sizeof location, COMPLAINTS_PATH "/%s", receipt.tracking_id);
        lp_http_add_header(req, "Location", location);
        char pin[LP_PIN_LEN + 1];
        if (receipt.replayed)
            lp_http_add_header(req, "Idempotent-Replayed", "true");
        /* The PIN lets the reporter answer, accept or reopen; shown here, never stored. */
        lp_identity_pin(self->identity, receipt.complaint_id, pin);
        lp_http_reply_json(req, 201,
                           json_pack("{s:s,s:s,s:s}", "tracking_id", receipt.tracking_id, "status",
                                     "received", "pin", pin));
    }
    intake_complaint_clear(&c);
}

void
intake_api_handle(lp_http_req_t *req, void *arg)
{
    intake_t *self = arg;
    const char *path = lp_http_path(req);
    const char *method = lp_http_method(req);

    if (strncmp(path, "/api/v1/admin/", 14) == 0)
        intake_triage_handle(self, req);
    else if (strcmp(path, "/api/v1/session") == 0)
        intake_session_handle(self, req);
    else if (strncmp(path, "/api/v1/agency/complaints", 25) == 0)
        intake_agency_handle(self, req);
    else if (strncmp(path, "/open311/v2/", 12) == 0)
        intake_open311_handle(self, req);
    else if (strcmp(path, COMPLAINTS_PATH) == 0) {
        if (strcmp(method, "POST") == 0)
            s_post_complaint(self, req);
        else {
            lp_http_add_header(req, "Allow", "POST");
            lp_http_reply_error(req, 405, NULL, "use POST to submit a complaint");
        }
    }
    else if (strncmp(path, COMPLAINTS_PATH "/", sizeof COMPLAINTS_PATH) == 0) {
        const char *rest = path + sizeof COMPLAINTS_PATH, *slash = strchr(rest, '/');
        char raw[32];
        if (slash) {
            /* /api/v1/complaints/{id}/{action}: the reporter, with the PIN. */
            snprintf(raw, sizeof raw, "%.*s", (int) (slash - rest < 31 ? slash - rest : 31), rest);
            if (strcmp(slash + 1, "attachments") == 0)
                intake_attach_api_post(self, req, raw); /* attach.c */
            else
                intake_citizen_handle(self, req, raw, slash + 1);
        }
        else if (strcmp(method, "GET") == 0)
            s_get_complaint(self, req, rest);
        else {
            lp_http_add_header(req, "Allow", "GET");
            lp_http_reply_error(req, 405, NULL, "use GET to read a complaint");
        }
    }
    else if (strcmp(path, "/sms/inbound") == 0)
        intake_sms_handle(self, req);
    else if (intake_attach_public(self, req))
        ; /* a public complaint's files, /media/... (attach.c) */
    else if (strcmp(path, "/portal") == 0 || strncmp(path, "/portal/", 8) == 0) {
        web_page_t page; /* the agencies' pages (portal.c) */
        if (web_page_open(self, req, &page)) {
            intake_portal_handle(&page);
            web_page_close(&page);
        }
    }
    else if (intake_web_handle(self, req))
        ; /* the citizens' web pages (web.c) */
    else
        lp_http_reply_error(req, 404, NULL, "no such path");
}
