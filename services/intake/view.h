/* view: a complaint document as JSON for those allowed to see it.
 *
 * The public view never holds the reporter and, for a confidential complaint, no
 * title or body. The agency view adds the content, follow-ups and questions, and
 * the reporter's name only when they chose to be public. Neither ever holds a
 * contact: the projection that loads the document must leave `reporter.sealed` and
 * `reporter.lookup` out, and this code never reads them. */
#ifndef INTAKE_VIEW_H
#define INTAKE_VIEW_H

#include <bson/bson.h>
#include <jansson.h>
#include <stdbool.h>

typedef enum { INTAKE_VIEW_PUBLIC, INTAKE_VIEW_AGENCY } intake_view_kind_t;

json_t *intake_view(const bson_t *doc, intake_view_kind_t kind);

/* Where the public finds an attachment: INTAKE_MEDIA_PREFIX "<id>" (and "/thumb"). */
#define INTAKE_MEDIA_PREFIX "/media/"

/* The attachments of a complaint document as the public (public complaints only,
 * never personal ones) or its agency (all of them) see them. */
json_t *intake_view_attachments(const bson_t *doc, bool agency);

/* A string field as JSON (null when empty or missing). */
json_t *intake_view_str(const bson_t *doc, const char *path);

/* An epoch-ms field as an ISO 8601 UTC string (null when missing). */
json_t *intake_view_time(const bson_t *doc, const char *path);

#endif
