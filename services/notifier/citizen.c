/* citizen: events become messages to the reporter, sealed until the moment of sending. */
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "notifier-private.h"
#include "templates.h"

/* Which message an event means for the reporter; NULL when none. */
static const char *
s_kind(const lp_envelope_t *env)
{
    switch (env->payload_case) {
    case LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED:
        return "received";
    case LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED:
        return env->disposed->from == LAPOR__V1__STATUS__STATUS_REOPENED ? "reopened" : "disposed";
    case LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED:
        return strcmp(env->deadline_missed->escalated_to, env->deadline_missed->agency_id) != 0
                   ? "escalated"
                   : NULL;
    case LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED:
        switch (env->status_changed->to) {
        case LAPOR__V1__STATUS__STATUS_POSTPONED:
            return "question";
        case LAPOR__V1__STATUS__STATUS_IN_PROGRESS:
            return "followup";
        case LAPOR__V1__STATUS__STATUS_RESOLVED:
            return "resolved";
        case LAPOR__V1__STATUS__STATUS_CLOSED:
            return "closed";
        case LAPOR__V1__STATUS__STATUS_ARCHIVED:
            return "archived";
        case LAPOR__V1__STATUS__STATUS_REOPENED:
            return "reopened";
        default:
            return NULL;
        }
    default:
        return NULL;
    }
}

/* The note a message quotes: the agency's question, answer or reason. */
static const char *
s_note(const char *kind, const bson_t *complaint)
{
    if (strcmp(kind, "question") == 0)
        return lp_doc_str(complaint, "question.text");
    if (strcmp(kind, "archived") == 0)
        return lp_doc_str(complaint, "archive_reason");
    if (strcmp(kind, "resolved") == 0 || strcmp(kind, "followup") == 0)
        return lp_doc_str(complaint, "last_followup.text");
    return "";
}

/* Adds one message to batch (idempotent by its _id when inserted). */
static void
s_queue(notifier_t *self, notifier_batch_t *batch, const lp_envelope_t *env, const char *kind,
        const char *channel, const bson_value_t *sealed, const char *lang,
        const notifier_message_t *msg)
{
    char id[160];
    bson_t *doc = bson_new();
    bson_t child;
    int64_t now = lp_now_ms();

    snprintf(id, sizeof id, "%s:citizen:%s", env->event_id, channel);
    BSON_APPEND_UTF8(doc, "_id", id);
    BSON_APPEND_UTF8(doc, "event_id", env->event_id);
    BSON_APPEND_UTF8(doc, "type", kind);
    BSON_APPEND_UTF8(doc, "complaint_id", env->complaint_id);
    BSON_APPEND_UTF8(doc, "tracking_id", env->tracking_id);
    BSON_APPEND_DOCUMENT_BEGIN(doc, "recipient", &child);
    BSON_APPEND_UTF8(&child, "kind", "citizen");
    BSON_APPEND_VALUE(&child, "sealed", sealed);
    bson_append_document_end(doc, &child);
    BSON_APPEND_UTF8(doc, "channel", channel);
    BSON_APPEND_UTF8(doc, "lang", lang);
    if (strcmp(channel, "email") == 0) {
        BSON_APPEND_UTF8(doc, "subject", msg->subject);
        BSON_APPEND_UTF8(doc, "text", msg->text);
    }
    else
        BSON_APPEND_UTF8(doc, "text", msg->sms);
    /* Without a gateway for the channel the message is parked as it is written
     * (no claim, no try): it goes when one is configured (notifier_release_waiting). */
    const char *missing = notifier_channel_missing(self, channel);
    BSON_APPEND_UTF8(doc, "state", "pending");
    BSON_APPEND_INT32(doc, "attempts", 0);
    BSON_APPEND_INT64(doc, "next_at", missing ? now + NOTIFIER_WAIT_MS : now);
    if (missing)
        BSON_APPEND_UTF8(doc, "last_error", missing);
    BSON_APPEND_INT64(doc, "created_at", now);
    BSON_APPEND_INT64(doc, "updated_at", now);
    notifier_batch_add(batch, doc, !missing);
}

bool
notifier_citizen_wants(const lp_envelope_t *env)
{
    return s_kind(env) != NULL;
}

void
notifier_citizen_event(notifier_t *self, const bson_t *complaint, const lp_envelope_t *env,
                       notifier_batch_t *batch)
{
    const char *kind = s_kind(env);
    notifier_vars_t vars;
    notifier_message_t msg;
    char deadline[40] = "";
    const char *lang;
    bson_iter_t sealed, it;

    if (!kind || !complaint || !bson_iter_init(&sealed, complaint) ||
        !bson_iter_find_descendant(&sealed, "reporter.sealed", &sealed))
        return; /* nobody to tell: no contact was given */
    lang = lp_doc_str(complaint, "lang");
    if (bson_iter_init(&it, complaint) && bson_iter_find_descendant(&it, "deadline_at", &it) &&
        BSON_ITER_HOLDS_INT64(&it))
        notifier_date(bson_iter_int64(&it), lang, deadline, sizeof deadline);
    vars.tracking_id = env->tracking_id;
    vars.agency = lp_doc_str(complaint, "agency.name");
    vars.deadline = deadline;
    vars.note = s_note(kind, complaint);
    vars.number = self->config->sms_sender;
    if (notifier_render(kind, lang, &vars, &msg) != 0)
        return;
    if (*lp_doc_str(complaint, "reporter.lookup.phone"))
        s_queue(self, batch, env, kind, "sms", bson_iter_value(&sealed), lang, &msg);
    if (*lp_doc_str(complaint, "reporter.lookup.email"))
        s_queue(self, batch, env, kind, "email", bson_iter_value(&sealed), lang, &msg);
}
