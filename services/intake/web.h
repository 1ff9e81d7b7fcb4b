/* web: the citizens' web pages, served by intake, that work without JavaScript.
 *
 *   GET  /                      what LAPOR! is, links
 *   GET  /lapor                 the form (first the place, step by step)
 *   GET  /lapor/wilayah         the place: ?induk=<code> lists what lies in it,
 *                               ?cari=<name> searches by name
 *   POST /lapor                 submit (application/x-www-form-urlencoded), then
 *                               303 to the receipt, or the form again with errors
 *   GET  /lapor/terkirim/<id>   the receipt: tracking number, what happens next
 *   GET  /lacak, /lacak/<id>    follow a complaint (?id=<id> redirects)
 *
 * Every page is in Bahasa Indonesia, or English with ?lang=en (a hidden field in
 * forms), escaped by web_html, under 50 KB, with a strict Content-Security-Policy;
 * forms carry a signed CSRF token (web_token.h). */
#ifndef INTAKE_WEB_H
#define INTAKE_WEB_H

#include <stdbool.h>

#include "intake-private.h"

/* Answers req and returns true when its path is one of the web pages; returns
 * false (having answered nothing) otherwise. */
bool intake_web_handle(intake_t *self, lp_http_req_t *req);

#endif
