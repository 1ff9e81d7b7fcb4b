/* tell: messages for a citizen go to the notifier's outbox, never out from here. */
#include "intake-private.h"
#include "lp_clock.h"
#include "lp_log.h"

int
intake_tell(intake_t *self, const char *id, const lp_contact_t *to, const char *channel,
            const char *lang, const char *type, const char *text, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_NOTIFICATIONS);
    int64_t now = lp_now_ms();
    bson_t *doc = bson_new();
    bson_t child;
    bson_error_t error;
    int rc = 0;

    BSON_APPEND_UTF8(doc, "_id", id);
    BSON_APPEND_UTF8(doc, "type", type);
    BSON_APPEND_DOCUMENT_BEGIN(doc, "recipient", &child);
    BSON_APPEND_UTF8(&child, "kind", "citizen");
    lp_identity_seal_contact(self->identity, to, &child, "sealed");
    bson_append_document_end(doc, &child);
    BSON_APPEND_UTF8(doc, "channel", channel);
    BSON_APPEND_UTF8(doc, "lang", lang);
    BSON_APPEND_UTF8(doc, "text", text);
    BSON_APPEND_UTF8(doc, "state", "pending");
    BSON_APPEND_INT32(doc, "attempts", 0);
    BSON_APPEND_INT64(doc, "next_at", now);
    BSON_APPEND_INT64(doc, "created_at", now);
    BSON_APPEND_INT64(doc, "updated_at", now);
    /* The notifier did not queue it, so it looks for it among the due marks. */
    mongoc_collection_t *due = lp_store_collection(self->svc.store, client, LP_COLL_NOTIFY_DUE);
    bool marked = lp_store_due(due, id, now, err);
    mongoc_collection_destroy(due);
    if (!marked) {
        err->code = LP_ERR_DATABASE;
        lp_metric_inc(self->db_errors);
        rc = -1;
    }
    else if (!mongoc_collection_insert_one(coll, doc, NULL, NULL, &error) &&
             !lp_store_is_duplicate(&error)) {
        lp_store_set_error(err, &error, "queue a message");
        err->code = LP_ERR_DATABASE;
        lp_metric_inc(self->db_errors);
        rc = -1;
    }
    else
        lp_log(LP_LOG_INFO, "citizen_message.queued", "{s:s,s:s,s:s}", "id", id, "type", type,
               "channel", channel);
    bson_destroy(doc);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}
