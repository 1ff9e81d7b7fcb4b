/* lp_outbox: events stored in complaint documents, per-stage todo lists, sweeping. */
#include "lp_outbox.h"

#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_log.h"

bool
lp_outbox_append_event(bson_t *parent, const char *key, const lp_envelope_t *env)
{
    bson_t doc;
    size_t len = 0;
    uint8_t *pb = lp_event_pack(env, &len);
    bool ok = pb != NULL;

    if (ok) {
        BSON_APPEND_DOCUMENT_BEGIN(parent, key, &doc);
        BSON_APPEND_UTF8(&doc, "id", env->event_id);
        BSON_APPEND_UTF8(&doc, "type", lp_event_type(env));
        BSON_APPEND_INT64(&doc, "at", env->occurred_at_ms);
        BSON_APPEND_BINARY(&doc, "pb", BSON_SUBTYPE_BINARY, pb, (uint32_t) len);
        ok = bson_append_document_end(parent, &doc);
    }
    free(pb);
    return ok;
}

bool
lp_outbox_push(bson_t *push, const lp_envelope_t *env, const char *const *stages, size_t n)
{
    char path[64];
    if (!lp_outbox_append_event(push, "events", env))
        return false;
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "todo.%s", stages[i]);
        BSON_APPEND_UTF8(push, path, env->event_id);
    }
    return true;
}

bool
lp_outbox_oid(const char *complaint_id, bson_oid_t *oid)
{
    if (!complaint_id || strlen(complaint_id) != 24 || !bson_oid_is_valid(complaint_id, 24))
        return false;
    bson_oid_init_from_string(oid, complaint_id);
    return true;
}

bool
lp_outbox_done(mongoc_collection_t *coll, const char *complaint_id, const char *stage,
               const char *event_id, lp_error_t *err)
{
    char path[64];
    bson_oid_t oid;
    bson_t *filter = NULL, *update = NULL;
    bson_error_t error;
    bool ok = false;

    if (!lp_outbox_oid(complaint_id, &oid)) {
        lp_error_set(err, LP_ERR_INVALID, "complaint_id", "not an ObjectId");
        return false;
    }
    snprintf(path, sizeof path, "todo.%s", stage);
    filter = BCON_NEW("_id", BCON_OID(&oid));
    update = BCON_NEW("$pull", "{", path, BCON_UTF8(event_id), "}");
    ok = mongoc_collection_update_one(coll, filter, update, NULL, NULL, &error);
    if (!ok)
        lp_store_set_error(err, &error, "outbox done");
    bson_destroy(filter);
    bson_destroy(update);
    return ok;
}

/* Calls fn for every event of doc whose id is in todo.<stage>. */
static int
s_handle_pending(const bson_t *doc, const char *stage, lp_outbox_handler_fn fn, void *arg,
                 int *failed, bool *stopping)
{
    char path[64];
    bson_iter_t todo, id_iter, events, ev;
    int handled = 0;

    snprintf(path, sizeof path, "todo.%s", stage);
    if (!bson_iter_init(&todo, doc) || !bson_iter_find_descendant(&todo, path, &todo) ||
        !BSON_ITER_HOLDS_ARRAY(&todo) || !bson_iter_recurse(&todo, &id_iter))
        return 0;
    while (bson_iter_next(&id_iter)) {
        const char *wanted = BSON_ITER_HOLDS_UTF8(&id_iter) ? bson_iter_utf8(&id_iter, NULL) : "";
        bool found = false;
        if (!bson_iter_init_find(&events, doc, "events") || !BSON_ITER_HOLDS_ARRAY(&events) ||
            !bson_iter_recurse(&events, &ev))
            break;
        while (!found && bson_iter_next(&ev)) {
            bson_iter_t field;
            const uint8_t *data = NULL;
            uint32_t len = 0;
            bson_subtype_t subtype;
            if (!BSON_ITER_HOLDS_DOCUMENT(&ev) || !bson_iter_recurse(&ev, &field) ||
                !bson_iter_find(&field, "id") || !BSON_ITER_HOLDS_UTF8(&field) ||
                strcmp(bson_iter_utf8(&field, NULL), wanted) != 0)
                continue;
            found = true;
            bson_iter_recurse(&ev, &field);
            if (bson_iter_find(&field, "pb") && BSON_ITER_HOLDS_BINARY(&field)) {
                bson_iter_binary(&field, &subtype, &len, &data);
                lp_envelope_t *env = lp_event_unpack(data, len);
                if (env && !*stopping) {
                    int rc = fn(arg, env);
                    if (rc == LP_OUTBOX_STOPPING)
                        *stopping = true;
                    else if (rc != 0)
                        (*failed)++;
                    else
                        handled++;
                }
                lp_event_free(&env);
            }
        }
        if (!found)
            lp_log(LP_LOG_WARN, "outbox.event_missing", "{s:s,s:s}", "stage", stage, "event_id",
                   wanted);
    }
    return handled;
}

int
lp_outbox_sweep(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                int64_t lease_ms, int max, lp_outbox_handler_fn fn, void *arg, lp_error_t *err)
{
    char todo_path[64], lease_path[64];
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    bson_t filter = BSON_INITIALIZER, sub;
    int handled = 0;

    snprintf(todo_path, sizeof todo_path, "todo.%s.0", stage);
    snprintf(lease_path, sizeof lease_path, "lease.%s", stage);
    BSON_APPEND_DOCUMENT_BEGIN(&filter, todo_path, &sub);
    BSON_APPEND_BOOL(&sub, "$exists", true);
    bson_append_document_end(&filter, &sub);
    BSON_APPEND_DOCUMENT_BEGIN(&filter, "updated_at", &sub);
    BSON_APPEND_INT64(&sub, "$lt", lp_now_ms() - grace_ms);
    bson_append_document_end(&filter, &sub);

    bool stopping = false;
    for (int i = 0; i < max && !stopping; i++) {
        lp_error_t claim_err;
        bson_iter_t id;
        lp_error_clear(&claim_err);
        bson_t *doc = lp_store_claim(coll, &filter, lease_path, owner, lease_ms, "updated_at", NULL,
                                     &claim_err);
        if (!doc) {
            if (claim_err.code != LP_ERR_NONE) {
                if (err)
                    *err = claim_err;
                handled = handled ? handled : -1;
            }
            break;
        }
        int failed = 0;
        handled += s_handle_pending(doc, stage, fn, arg, &failed, &stopping);
        /* A failed event keeps its lease, so it is retried after lease_ms instead of
         * starving the documents behind it at every sweep. One left because this
         * instance stops goes back at once, for the others. */
        if (failed == 0 && bson_iter_init_find(&id, doc, "_id"))
            lp_store_release(coll, bson_iter_value(&id), lease_path, owner, NULL);
        bson_destroy(doc);
    }
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return handled;
}
