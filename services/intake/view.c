/* view: a complaint as JSON, for the public or for the agency that holds it. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lp_attach.h"
#include "lp_doc.h"
#include "lp_sniff.h"
#include "view.h"

json_t *
intake_view_str(const bson_t *doc, const char *path)
{
    const char *text = lp_doc_str(doc, path);
    return *text ? json_string(text) : json_null();
}

json_t *
intake_view_time(const bson_t *doc, const char *path)
{
    bson_iter_t it;
    char text[32];
    if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &it) &&
        BSON_ITER_HOLDS_INT64(&it)) {
        int64_t ms = bson_iter_int64(&it);
        time_t secs = (time_t) (ms / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
        return json_string(text);
    }
    return json_null();
}

/* What only the responsible agency reads: the question, follow-ups, what the
 * reporter sent again, the reporter's name when they chose to be public (never a
 * contact: that is sealed for the notifier), and whether a deadline passed. */
static void
s_agency_fields(const bson_t *doc, json_t *out)
{
    bson_iter_t it, arr;
    json_t *followups = json_array(), *copies = json_array();
    const char *name = lp_doc_str(doc, "reporter.name");
    const char *status = lp_doc_str(doc, "status");
    int64_t deadline = lp_doc_int(doc, "deadline_at");
    struct timespec now;

    clock_gettime(CLOCK_REALTIME, &now);
    json_object_set_new(out, "reporter",
                        *name && strcmp(lp_doc_str(doc, "privacy"), "public") == 0
                            ? json_pack("{s:s}", "name", name)
                            : json_null());
    json_object_set_new(out, "question", intake_view_str(doc, "question.text"));
    json_object_set_new(out, "answer", intake_view_str(doc, "answer.text"));
    json_object_set_new(out, "rating",
                        lp_doc_int(doc, "rating.score") > 0
                            ? json_integer(lp_doc_int(doc, "rating.score"))
                            : json_null());
    json_object_set_new(
        out, "overdue",
        json_boolean(deadline > 0 && deadline < (int64_t) now.tv_sec * 1000 &&
                     (strcmp(status, "disposed") == 0 || strcmp(status, "in_progress") == 0 ||
                      strcmp(status, "reopened") == 0)));
    json_object_set_new(out, "escalation_level", json_integer(lp_doc_int(doc, "escalation_level")));
    for (int pass = 0; pass < 2; pass++) {
        const char *field = pass == 0 ? "followups" : "duplicates";
        json_t *into = pass == 0 ? followups : copies;
        if (!bson_iter_init_find(&it, doc, field) || !BSON_ITER_HOLDS_ARRAY(&it) ||
            !bson_iter_recurse(&it, &arr))
            continue;
        bson_t entry;
        while (lp_doc_next_doc(&arr, &entry)) {
            json_array_append_new(
                into, json_pack("{s:o,s:o}", "at", intake_view_time(&entry, "at"), "text",
                                intake_view_str(&entry, pass == 0 ? "text" : "body")));
        }
    }
    json_object_set_new(out, "followups", followups);
    json_object_set_new(out, "repeated_by_reporter", copies);
}

json_t *
intake_view(const bson_t *doc, intake_view_kind_t kind)
{
    json_t *out = json_object();
    json_t *history = json_array();
    json_t *agency = json_null();
    json_t *privacy = intake_view_str(doc, "privacy");
    bool confidential =
        json_is_string(privacy) && strcmp(json_string_value(privacy), "confidential") == 0;
    bson_iter_t it, arr;

    json_object_set_new(out, "tracking_id", intake_view_str(doc, "tracking_id"));
    json_object_set_new(out, "type", intake_view_str(doc, "type"));
    json_object_set_new(out, "status", intake_view_str(doc, "status"));
    json_object_set_new(out, "privacy", privacy);
    json_object_set_new(out, "category", intake_view_str(doc, "category"));
    json_object_set_new(out, "region",
                        json_pack("{s:o,s:o}", "code", intake_view_str(doc, "region.code"), "name",
                                  intake_view_str(doc, "region.name")));
    /* Confidential: the content is for the agency, never for the public. */
    if (!confidential || kind == INTAKE_VIEW_AGENCY) {
        json_object_set_new(out, "title", intake_view_str(doc, "title"));
        json_object_set_new(out, "body", intake_view_str(doc, "body"));
    }
    if (bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, "agency.id", &it))
        agency = json_pack("{s:o,s:o}", "id", intake_view_str(doc, "agency.id"), "name",
                           intake_view_str(doc, "agency.name"));
    json_object_set_new(out, "agency", agency);
    json_object_set_new(out, "created_at", intake_view_time(doc, "created_at"));
    json_object_set_new(out, "dispose_by", intake_view_time(doc, "dispose_by"));
    json_object_set_new(out, "deadline_at", intake_view_time(doc, "deadline_at"));
    if (bson_iter_init_find(&it, doc, "history") && BSON_ITER_HOLDS_ARRAY(&it) &&
        bson_iter_recurse(&it, &arr)) {
        bson_t entry;
        while (lp_doc_next_doc(&arr, &entry)) {
            json_t *item = json_pack("{s:o,s:o}", "at", intake_view_time(&entry, "at"), "status",
                                     intake_view_str(&entry, "status"));
            json_t *note = intake_view_str(&entry, "note");
            if (json_is_string(note))
                json_object_set(item, "note", note);
            json_decref(note);
            json_array_append_new(history, item);
        }
    }
    json_object_set_new(out, "history", history);
    /* Files: a public complaint's for everyone, every one for its agency. */
    json_object_set_new(out, "attachments",
                        intake_view_attachments(doc, kind == INTAKE_VIEW_AGENCY));
    if (kind == INTAKE_VIEW_AGENCY)
        s_agency_fields(doc, out);
    return out;
}

json_t *
intake_view_attachments(const bson_t *doc, bool agency)
{
    json_t *out = json_array();
    const char *tracking = lp_doc_str(doc, "tracking_id");
    bool public = strcmp(lp_doc_str(doc, "privacy"), "public") == 0;
    lp_attach_ref_t ref;
    char url[160], thumb[168];

    for (size_t i = 0; lp_attach_ref_at(doc, i, &ref); i++) {
        json_t *item = NULL;
        if (!agency && (!public || ref.personal))
            continue;
        if (agency)
            snprintf(url, sizeof url, "/api/v1/agency/complaints/%s/attachments/%s", tracking,
                     ref.id);
        else
            snprintf(url, sizeof url, INTAKE_MEDIA_PREFIX "%s", ref.id);
        snprintf(thumb, sizeof thumb, "%s/thumb", url);
        item = json_pack("{s:s,s:s,s:I,s:s,s:o}", "id", ref.id, "type", lp_sniff_mime(ref.type),
                         "size", (json_int_t) ref.size, "url", url, "thumbnail_url",
                         ref.has_thumb ? json_string(thumb) : json_null());
        if (!item)
            continue;
        if (lp_sniff_is_image(ref.type)) {
            json_object_set_new(item, "width", json_integer(ref.width));
            json_object_set_new(item, "height", json_integer(ref.height));
        }
        if (agency)
            json_object_set_new(item, "personal", json_boolean(ref.personal));
        json_array_append_new(out, item);
    }
    return out;
}
