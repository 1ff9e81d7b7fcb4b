/* portal: the agencies' web pages, served by intake, without JavaScript.
 *
 *   GET  /portal/masuk                      the login form; POST logs in (the session
 *                                           cookie of POST /api/v1/session)
 *   POST /portal/keluar                     logs out (with the session's CSRF token)
 *   GET  /portal                            the agency's queue, nearest deadline first,
 *                                           ?status= filters, ?halaman= pages
 *   GET  /portal/pengaduan/<id>             one complaint with its forms
 *   POST /portal/pengaduan/<id>/<action>    tindak-lanjut, tanya, selesai,
 *                                           bukan-kewenangan; 303 back with a message
 *   GET  /portal/triase                     the triage desk (coordinators, admins)
 *   POST /portal/triase/<id>/<action>       disposisi, tunda, arsip
 *
 * Every POST carries the session's CSRF token in the hidden field csrf. Another
 * agency's complaint is a 404 page, the same as none. The rules live in agency.c,
 * triage.c and auth.c, which the JSON API calls too; these pages only show them.
 * Bahasa Indonesia first, English with ?lang=en (a hidden field in forms). */
#ifndef INTAKE_PORTAL_H
#define INTAKE_PORTAL_H

#include <stdbool.h>

#include "lp_account.h"
#include "web_page.h"

/* Answers the request when its path is under /portal (true); false otherwise. */
bool intake_portal_handle(web_page_t *p);

#endif
