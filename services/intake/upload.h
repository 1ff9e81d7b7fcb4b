/* upload: one multipart/form-data request received as it streams in (the sink of
 * lp_http's streamed uploads): plain fields become a form (urlform.h), files are
 * written to spool files as they arrive, so memory stays bounded whatever their
 * size. Nothing here decides what a file is; attach.c does, from its bytes.
 *
 * Limits are applied while receiving: a file over max_bytes is marked too big and
 * the rest of it dropped; files beyond max_files are counted, not spooled; text
 * fields are held up to INTAKE_UPLOAD_MAX_TEXT bytes in all. */
#ifndef INTAKE_UPLOAD_H
#define INTAKE_UPLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_sniff.h"
#include "urlform.h"

#define INTAKE_UPLOAD_MAX_TEXT (64 * 1024)
#define INTAKE_UPLOAD_NAME_MAX 100 /* bytes of a client's file name kept for messages */

typedef struct intake_upload_t intake_upload_t;

typedef struct {
    char field[INTAKE_URLFORM_MAX_NAME + 1];
    char name[INTAKE_UPLOAD_NAME_MAX + 1]; /* the client's name, printable ASCII only */
    char declared[64];                     /* the Content-Type the client gave, or "" */
    char path[256];                        /* the spool file ("" when nothing spooled) */
    uint64_t size;                         /* bytes received (even past the limit) */
    unsigned char head[LP_SNIFF_HEAD];     /* the first bytes, for lp_sniff_type */
    size_t head_len;
    bool too_big;
} intake_upload_file_t;

/* A new sink spooling into dir (NULL or "": $TMPDIR or /tmp). NULL when out of memory. */
intake_upload_t *intake_upload_new(const char *dir, size_t max_files, uint64_t max_bytes);

/* Removes the spool files and frees. Accepts NULL. */
void intake_upload_destroy(intake_upload_t **self_p);

/* One piece of part field (filename NULL: a plain field; content_type as declared,
 * or NULL) at offset off. Returns 0, or -1 when a spool file cannot be written
 * (the request cannot go on). */
int intake_upload_piece(intake_upload_t *self, const char *field, const char *filename,
                        const char *content_type, uint64_t off, const char *data, size_t size);

/* Ends the last part and checks the fields (UTF-8, no NUL, names, count). Returns
 * the form (owned by the sink), or NULL with err (LP_ERR_INVALID naming the field). */
const intake_urlform_t *intake_upload_finish(intake_upload_t *self, lp_error_t *err);

/* The files received with content, in order; and how many more than max_files
 * were sent (their content was dropped). */
size_t intake_upload_count(const intake_upload_t *self);
const intake_upload_file_t *intake_upload_file(const intake_upload_t *self, size_t i);
size_t intake_upload_extra(const intake_upload_t *self);

/* The SHA-256 of every field and file received, as 64 hex digits: what makes two
 * sendings of the same form the same request. */
void intake_upload_digest(intake_upload_t *self, char hex[65]);

#endif
