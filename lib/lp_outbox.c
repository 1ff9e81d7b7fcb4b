/* lp_outbox: events stored in complaint documents, per-stage todo lists, sweeping. */
#include "lp_outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
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

/* Runs bulk (when there is one) and frees it; false when it failed. */
static bool
s_run_bulk(mongoc_bulk_operation_t **bulk)
{
    bool ok = true;
    if (*bulk) {
        ok = mongoc_bulk_operation_execute(*bulk, NULL, NULL) != 0;
        mongoc_bulk_operation_destroy(*bulk);
        *bulk = NULL;
    }
    return ok;
}

bool
lp_outbox_idle(const bson_t *doc, const char *stage, lp_envelope_t **envs, const bool *done, int n)
{
    char path[64];
    bson_iter_t it, child;

    if (!doc)
        return true; /* the complaint is gone: no work can be left */
    snprintf(path, sizeof path, "todo.%s", stage);
    if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &it))
        return true;
    if (!BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &child))
        return false;
    while (bson_iter_next(&child)) {
        bool handled = false;
        const char *id = BSON_ITER_HOLDS_UTF8(&child) ? bson_iter_utf8(&child, NULL) : "";
        for (int j = 0; j < n && !handled; j++)
            handled = done[j] && strcmp(envs[j]->event_id, id) == 0;
        if (!handled)
            return false;
    }
    return true;
}

/* Adds statement i to bulk; false when there is none for i. */
typedef bool (*s_add_fn)(mongoc_bulk_operation_t *bulk, int i, void *arg);

/* Runs the statements add makes for 0..n-1, unordered, in bulks of
 * LP_STORE_BULK_MAX. False when a bulk failed. */
static bool
s_each(mongoc_collection_t *coll, int n, s_add_fn add, void *arg)
{
    bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
    mongoc_bulk_operation_t *bulk = NULL;
    int queued = 0;
    bool ok = true;

    for (int i = 0; i < n; i++) {
        if (!bulk)
            bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
        if (add(bulk, i, arg) && ++queued == LP_STORE_BULK_MAX) {
            ok = s_run_bulk(&bulk) && ok;
            queued = 0;
        }
    }
    if (queued > 0)
        ok = s_run_bulk(&bulk) && ok;
    if (bulk)
        mongoc_bulk_operation_destroy(bulk);
    bson_destroy(bopts);
    return ok;
}

/* The events of a batch a stage handled, with a flag each. */
typedef struct {
    const char *stage;
    lp_envelope_t **envs;
    const bool *flags;
} s_events_t;

/* Deletes the stage's mark of event i's complaint unless renewed after the event. */
static bool
s_unmark_one(mongoc_bulk_operation_t *bulk, int i, void *arg)
{
    const s_events_t *e = arg;
    const lp_envelope_t *env = e->envs[i];
    char id[96];
    if (!e->flags[i] || strlen(env->complaint_id) != 24)
        return false;
    snprintf(id, sizeof id, "%s:%s", e->stage, env->complaint_id);
    bson_t *sel =
        BCON_NEW("_id", BCON_UTF8(id), "since", "{", "$lte", BCON_INT64(env->occurred_at_ms), "}");
    mongoc_bulk_operation_remove_one_with_opts(bulk, sel, NULL, NULL);
    bson_destroy(sel);
    return true;
}

/* Pulls event i's id from its complaint's todo.<stage>. */
static bool
s_done_one(mongoc_bulk_operation_t *bulk, int i, void *arg)
{
    const s_events_t *e = arg;
    char path[64];
    bson_oid_t oid;
    if (!e->flags[i] || !lp_outbox_oid(e->envs[i]->complaint_id, &oid))
        return false;
    snprintf(path, sizeof path, "todo.%s", e->stage);
    bson_t *sel = BCON_NEW("_id", BCON_OID(&oid));
    bson_t *pull = BCON_NEW("$pull", "{", path, BCON_UTF8(e->envs[i]->event_id), "}");
    mongoc_bulk_operation_update_one_with_opts(bulk, sel, pull, NULL, NULL);
    bson_destroy(pull);
    bson_destroy(sel);
    return true;
}

void
lp_outbox_unmark(mongoc_collection_t *outbox, const char *stage, lp_envelope_t **envs,
                 const bool *idle, int n)
{
    s_events_t e = {stage, envs, idle};
    s_each(outbox, n, s_unmark_one, &e);
}

bool
lp_outbox_done_many(mongoc_collection_t *coll, const char *stage, lp_envelope_t **envs,
                    const bool *done, int n)
{
    s_events_t e = {stage, envs, done};
    return s_each(coll, n, s_done_one, &e);
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

bool
lp_outbox_mark(lp_store_t *store, const char *complaint_id, const char *const *stages, size_t n,
               int64_t now_ms, lp_error_t *err)
{
    return lp_outbox_mark_many(store, &complaint_id, 1, stages, n, now_ms, err);
}

bool
lp_outbox_mark_many(lp_store_t *store, const char *const *complaint_ids, size_t n_ids,
                    const char *const *stages, size_t n, int64_t now_ms, lp_error_t *err)
{
    if (n == 0 || n_ids == 0)
        return true;
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *marks = lp_store_collection(store, client, LP_COLL_OUTBOX);
    bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
    bson_t *upsert = BCON_NEW("upsert", BCON_BOOL(true));
    mongoc_bulk_operation_t *bulk = NULL;
    bson_error_t error;
    bool ok = true;
    char id[96];
    size_t queued = 0;

    for (size_t c = 0; c < n_ids && ok; c++)
        for (size_t i = 0; i < n && ok; i++) {
            if (!bulk)
                bulk = mongoc_collection_create_bulk_operation_with_opts(marks, bopts);
            snprintf(id, sizeof id, "%s:%s", stages[i], complaint_ids[c]);
            bson_t *selector = BCON_NEW("_id", BCON_UTF8(id));
            bson_t *update =
                BCON_NEW("$set", "{", "stage", BCON_UTF8(stages[i]), "complaint_id",
                         BCON_UTF8(complaint_ids[c]), "since", BCON_INT64(now_ms), "}");
            ok = mongoc_bulk_operation_update_one_with_opts(bulk, selector, update, upsert, &error);
            bson_destroy(update);
            bson_destroy(selector);
            bool last = c == n_ids - 1 && i == n - 1;
            if (ok && (++queued == LP_STORE_BULK_MAX || last)) {
                /* A duplicate key is a concurrent upsert of the same mark: it is there. */
                bson_t reply = BSON_INITIALIZER;
                if (!mongoc_bulk_operation_execute(bulk, &reply, &error) &&
                    !lp_store_is_duplicate(&error))
                    ok = false;
                bson_destroy(&reply);
                mongoc_bulk_operation_destroy(bulk);
                bulk = NULL;
                queued = 0;
            }
        }
    if (!ok)
        lp_store_set_error(err, &error, "mark work");
    if (bulk)
        mongoc_bulk_operation_destroy(bulk);
    bson_destroy(upsert);
    bson_destroy(bopts);
    mongoc_collection_destroy(marks);
    lp_store_push(store, client);
    return ok;
}

/* Hands coll's claimed complaint doc to fn and releases it (unless an event
 * failed: it keeps its lease, so it is retried after lease_ms instead of starving
 * the documents behind it; one left because this instance stops goes back at
 * once, for the others). Returns the events handled. */
static int
s_handle_claimed(mongoc_collection_t *coll, bson_t *doc, const char *stage, const char *lease_path,
                 const char *owner, lp_outbox_handler_fn fn, void *arg, bool *stopping)
{
    bson_iter_t id;
    int failed = 0;
    int handled = s_handle_pending(doc, stage, fn, arg, &failed, stopping);
    if (failed == 0 && bson_iter_init_find(&id, doc, "_id"))
        lp_store_release(coll, bson_iter_value(&id), lease_path, owner, NULL);
    return handled;
}

typedef struct {
    char id[96];
    char complaint_id[25];
    int64_t since;
    bool drop; /* no work left for the stage */
} s_mark_t;

/* Deletes mark i when flagged drop. The guard (since as read) keeps a mark renewed
 * meanwhile: new work is on its way. */
static bool
s_drop_one(mongoc_bulk_operation_t *bulk, int i, void *arg)
{
    const s_mark_t *mark = (const s_mark_t *) arg + i;
    if (!mark->drop)
        return false;
    bson_t *sel = BCON_NEW("_id", BCON_UTF8(mark->id), "since", BCON_INT64(mark->since));
    mongoc_bulk_operation_remove_one_with_opts(bulk, sel, NULL, NULL);
    bson_destroy(sel);
    return true;
}

/* Reads up to max of stage's marks older than before into marks (the cursor is
 * closed before any write). Returns how many, or -1 on error. */
static int
s_read_marks(mongoc_collection_t *outbox, const char *stage, int64_t before, s_mark_t *marks,
             int max, lp_error_t *err)
{
    bson_t *filter =
        BCON_NEW("stage", BCON_UTF8(stage), "since", "{", "$lt", BCON_INT64(before), "}");
    bson_t *opts = BCON_NEW("sort", "{", "since", BCON_INT32(1), "}", "limit", BCON_INT64(max));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(outbox, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t error;
    int n = 0;

    while (n < max && mongoc_cursor_next(cursor, &doc)) {
        bson_iter_t it;
        const char *id = lp_doc_str(doc, "_id"), *cid = lp_doc_str(doc, "complaint_id");
        if (strlen(id) >= sizeof marks[n].id || strlen(cid) != 24)
            continue;
        snprintf(marks[n].id, sizeof marks[n].id, "%s", id);
        memcpy(marks[n].complaint_id, cid, 25);
        marks[n].since = bson_iter_init_find(&it, doc, "since") ? bson_iter_as_int64(&it) : 0;
        n++;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "read marks");
        n = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    return n;
}

/* True when doc has an event id in todo.<stage>. */
static bool
s_has_work(const bson_t *doc, const char *stage)
{
    char path[64];
    bson_iter_t it, child;
    snprintf(path, sizeof path, "todo.%s", stage);
    return bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &it) &&
           BSON_ITER_HOLDS_ARRAY(&it) && bson_iter_recurse(&it, &child) && bson_iter_next(&child);
}

int
lp_outbox_sweep(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                int64_t lease_ms, int max, lp_outbox_handler_fn fn, void *arg, lp_error_t *err)
{
    char lease_path[64], todo_path[64];
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    s_mark_t *marks = calloc((size_t) (max > 0 ? max : 1), sizeof *marks);
    bson_value_t *ids = NULL;
    bson_t **docs = NULL;
    int64_t cut = lp_now_ms() - grace_ms;
    bool stopping = false;
    int handled = 0, n;

    snprintf(lease_path, sizeof lease_path, "lease.%s", stage);
    snprintf(todo_path, sizeof todo_path, "todo.%s", stage);
    n = marks ? s_read_marks(outbox, stage, cut, marks, max, err) : -1;
    if (n < 0)
        handled = -1;
    /* The marked complaints' todo lists, one query for all of them. */
    if (n > 0 && (ids = calloc((size_t) n, sizeof *ids)) &&
        (docs = calloc((size_t) n, sizeof *docs))) {
        bson_t *projection = BCON_NEW(todo_path, BCON_INT32(1), "updated_at", BCON_INT32(1));
        lp_error_t find_err;
        for (int i = 0; i < n; i++)
            lp_store_oid_value(&ids[i], marks[i].complaint_id);
        if (!lp_store_find_ids(coll, ids, (size_t) n, projection, docs, &find_err)) {
            if (err)
                *err = find_err;
            handled = -1;
            n = 0;
        }
        bson_destroy(projection);
    }
    else if (n > 0) {
        handled = -1;
        n = 0;
    }
    int64_t until = lp_mono_ms() + LP_OUTBOX_SWEEP_BUDGET_MS;
    for (int i = 0; i < n && !stopping && lp_mono_ms() < until; i++) {
        bson_oid_t oid;
        bson_oid_init_from_string(&oid, marks[i].complaint_id);
        if (!docs[i] || !s_has_work(docs[i], stage)) {
            /* Nothing left here for stage: dropped below, with the others. */
            marks[i].drop = true;
            continue;
        }
        /* Claim it, unless it changed within the grace period (its message may be
         * on its way) or another instance holds it. */
        bson_t *claim =
            BCON_NEW("_id", BCON_OID(&oid), "updated_at", "{", "$lt", BCON_INT64(cut), "}");
        lp_error_t claim_err;
        lp_error_clear(&claim_err);
        bson_t *doc =
            lp_store_claim(coll, claim, lease_path, owner, lease_ms, NULL, NULL, &claim_err);
        bson_destroy(claim);
        if (doc) {
            handled += s_handle_claimed(coll, doc, stage, lease_path, owner, fn, arg, &stopping);
            bson_destroy(doc);
        }
    }
    if (n > 0)
        s_each(outbox, n, s_drop_one, marks);
    for (int i = 0; docs && i < n; i++)
        if (docs[i])
            bson_destroy(docs[i]);
    free(docs);
    free(ids);
    free(marks);
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return handled;
}

int
lp_outbox_sweep_all(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
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
    int64_t until = lp_mono_ms() + LP_OUTBOX_SWEEP_BUDGET_MS;
    for (int i = 0; i < max && !stopping && lp_mono_ms() < until; i++) {
        lp_error_t claim_err;
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
        handled += s_handle_claimed(coll, doc, stage, lease_path, owner, fn, arg, &stopping);
        bson_destroy(doc);
    }
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return handled;
}
