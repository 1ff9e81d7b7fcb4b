/* attach: photos and documents with a complaint, in intake.
 *
 *   POST /lapor (multipart)                         the web form's files (web.c)
 *   POST /open311/v2/requests.json (multipart)      Open311's `media` (open311.c)
 *   POST /api/v1/complaints/{id}/attachments        more files, within the upload
 *                                                   window after submission or with
 *                                                   the reporter's PIN
 *   GET  /media/{aid}, /media/{aid}/thumb           a public complaint's files
 *   GET  /api/v1/agency/complaints/{id}/attachments/{aid}[/thumb]   the agency's
 *
 * Every file is typed from its bytes (lp_sniff), images are re-encoded without
 * metadata (media.h), and only the cleaned files are stored (lp_attach.h). Files
 * are stored before the complaint refers to them; when the complaint write fails
 * they are deleted again, and lp_attach_sweep removes what a crash left behind. */
#ifndef INTAKE_ATTACH_H
#define INTAKE_ATTACH_H

#include <jansson.h>
#include <stdbool.h>

#include "intake-private.h"
#include "lp_attach.h"
#include "upload.h"

#define INTAKE_ATTACH_MAX 32 /* the most files one complaint may ever be configured for */

/* The files of one request, stored and ready to be referred to. */
typedef struct {
    lp_attach_ref_t refs[INTAKE_ATTACH_MAX];
    size_t n;
} intake_attachments_t;

/* Starts libvips, the index and the orphan sweeper; sets up streamed uploads on
 * self->svc.upload. Returns 0, or -1 (logged). */
int intake_attach_start(intake_t *self);

/* The spooled files of the request, or NULL when it was not a streamed upload. */
intake_upload_t *intake_attach_upload(lp_http_req_t *req);

/* Cleans and stores every file of up (all or none). Returns 0 with out filled
 * (possibly empty); or -1 with *status (400, 413, 415 or 503) and err, whose field
 * is the form field and whose message names the file. */
int intake_attach_store(intake_t *self, intake_upload_t *up, bool personal,
                        intake_attachments_t *out, unsigned *status, lp_error_t *err);

/* Deletes the stored files of a (after a failed complaint write), and empties it. */
void intake_attach_discard(intake_t *self, intake_attachments_t *a);

/* Appends the references of a as array elements "0", "1", ... */
void intake_attach_append(const intake_attachments_t *a, bson_t *array);

/* Adds the stored files of a to the complaint oid, at most max in all. Returns the
 * number added; files that found no room or no write are deleted. -1 on a
 * database error (nothing of a is left stored). */
int intake_attach_push(intake_t *self, const bson_oid_t *oid, intake_attachments_t *a,
                       lp_error_t *err);

/* Answers GET /media/... ; false when the path is not one of them. */
bool intake_attach_public(intake_t *self, lp_http_req_t *req);

/* Answers with the file (or thumbnail) of ref: the agency's path, after it checked
 * the complaint is theirs. */
void intake_attach_send(intake_t *self, lp_http_req_t *req, const lp_attach_ref_t *ref, bool thumb);

/* POST /api/v1/complaints/{raw_id}/attachments. */
void intake_attach_api_post(intake_t *self, lp_http_req_t *req, const char *raw_id);

/* The answer a refused upload gets on the JSON API: status and error. */
void intake_attach_refuse(lp_http_req_t *req, unsigned status, const lp_error_t *err);

#endif
