/* lp_outbox: events stored in complaint documents, work in flight in marks. */
#include "lp_outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"

/* Every stage's list in a mark of the form before (one per complaint). */
static const char *const s_stages[] = {LP_STAGE_ROUTER, LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
#define S_N_STAGES (sizeof s_stages / sizeof s_stages[0])

/* A mark's _id: "<event id>:<stage>". */
#define S_MARK_ID_LEN (LP_EVENT_ID_LEN + 40)

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
lp_outbox_push(bson_t *push, const lp_envelope_t *env)
{
    return lp_outbox_append_event(push, "events", env);
}

bool
lp_outbox_oid(const char *complaint_id, bson_oid_t *oid)
{
    if (!complaint_id || strlen(complaint_id) != 24 || !bson_oid_is_valid(complaint_id, 24))
        return false;
    bson_oid_init_from_string(oid, complaint_id);
    return true;
}

/* The filter of a mark of the form before without work: no stage's list has a
 * first entry. */
static void
s_append_empty(bson_t *filter)
{
    char path[64];
    for (size_t s = 0; s < S_N_STAGES; s++) {
        bson_t cond;
        snprintf(path, sizeof path, "%s.0", s_stages[s]);
        BSON_APPEND_DOCUMENT_BEGIN(filter, path, &cond);
        BSON_APPEND_BOOL(&cond, "$exists", false);
        bson_append_document_end(filter, &cond);
    }
}

static void
s_mark_id(char out[S_MARK_ID_LEN], const char *event_id, const char *stage)
{
    snprintf(out, S_MARK_ID_LEN, "%s:%s", event_id, stage);
}

/* Marks deleted per command (the local database looks up to 500 _ids up by index). */
#define S_DELETE_CHUNK 250

/* Deletes the n_stages marks of each event_ids[i] with flags[i] (flags NULL: all),
 * in commands of S_DELETE_CHUNK ids. False when one failed. */
static bool
s_delete(mongoc_collection_t *outbox, const char *const *event_ids, const bool *flags, int n,
         const char *const *stages, size_t n_stages)
{
    size_t cap = (size_t) (n > 0 ? n : 1) * n_stages;
    char(*ids)[S_MARK_ID_LEN] = malloc(cap * sizeof *ids);
    bson_value_t *values = malloc(cap * sizeof *values);
    size_t k = 0;
    bool ok = ids && values;

    for (int i = 0; ok && i < n; i++)
        for (size_t s = 0; s < n_stages && (!flags || flags[i]); s++, k++) {
            s_mark_id(ids[k], event_ids[i], stages[s]);
            lp_store_str_value(&values[k], ids[k]);
        }
    ok = ok && lp_store_delete_ids(outbox, values, k, S_DELETE_CHUNK);
    free(values);
    free(ids);
    return ok;
}

#define S_ACKS_MAX 256

struct lp_outbox_acks_t {
    char stage[32];
    int n;
    char held[S_ACKS_MAX][LP_EVENT_ID_LEN + 1];
};

lp_outbox_acks_t *
lp_outbox_acks_new(const char *stage)
{
    lp_outbox_acks_t *self = calloc(1, sizeof *self);
    if (self)
        snprintf(self->stage, sizeof self->stage, "%s", stage);
    return self;
}

void
lp_outbox_acks_destroy(lp_outbox_acks_t **self_p)
{
    if (self_p && *self_p) {
        free(*self_p);
        *self_p = NULL;
    }
}

bool
lp_outbox_acks_flush(lp_outbox_acks_t *self, lp_store_t *store)
{
    const char *event_ids[S_ACKS_MAX];
    const char *stage = self->stage;
    bool ok = true;

    if (self->n == 0)
        return true;
    for (int i = 0; i < self->n; i++)
        event_ids[i] = self->held[i];
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    ok = s_delete(outbox, event_ids, NULL, self->n, &stage, 1);
    mongoc_collection_destroy(outbox);
    lp_store_push(store, client);
    if (!ok)
        lp_log(LP_LOG_WARN, "outbox.ack_failed", "{s:s,s:i}", "stage", stage, "events", self->n);
    self->n = 0;
    return ok;
}

void
lp_outbox_acks_add(lp_outbox_acks_t *self, lp_store_t *store, lp_envelope_t **envs,
                   const bool *done, int n)
{
    for (int i = 0; i < n; i++) {
        if (!done[i] || strlen(envs[i]->event_id) > LP_EVENT_ID_LEN)
            continue;
        if (self->n == S_ACKS_MAX)
            lp_outbox_acks_flush(self, store);
        snprintf(self->held[self->n], sizeof self->held[0], "%s", envs[i]->event_id);
        self->n++;
    }
}

void
lp_outbox_forget(mongoc_collection_t *outbox, const char *const *event_ids, const bool *flags,
                 int n, const char *const *stages, size_t n_stages)
{
    if (!s_delete(outbox, event_ids, flags, n, stages, n_stages))
        lp_log(LP_LOG_WARN, "outbox.forget_failed", "{s:i}", "events", n);
}

bool
lp_outbox_mark(lp_store_t *store, const char *complaint_id, const char *event_id,
               const char *const *stages, size_t n, int64_t now_ms, lp_error_t *err)
{
    return lp_outbox_mark_many(store, &complaint_id, &event_id, 1, stages, n, now_ms, err);
}

bool
lp_outbox_mark_many(lp_store_t *store, const char *const *complaint_ids,
                    const char *const *event_ids, size_t n_ids, const char *const *stages, size_t n,
                    int64_t now_ms, lp_error_t *err)
{
    size_t total = n_ids * n;
    if (total == 0)
        return true;
    bson_t *docs = calloc(total, sizeof *docs);
    const bson_t **ptrs = calloc(total, sizeof *ptrs);
    lp_store_outcome_t *out = calloc(total, sizeof *out);
    bool ok = docs && ptrs && out;

    if (!ok) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        goto done;
    }
    for (size_t c = 0, k = 0; c < n_ids; c++)
        for (size_t s = 0; s < n; s++, k++) {
            char id[S_MARK_ID_LEN];
            s_mark_id(id, event_ids[c], stages[s]);
            bson_init(&docs[k]);
            BSON_APPEND_UTF8(&docs[k], "_id", id);
            BSON_APPEND_UTF8(&docs[k], "complaint", complaint_ids[c]);
            BSON_APPEND_UTF8(&docs[k], "event", event_ids[c]);
            BSON_APPEND_UTF8(&docs[k], "for", stages[s]);
            BSON_APPEND_INT64(&docs[k], "since", now_ms);
            ptrs[k] = &docs[k];
        }
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *marks = lp_store_collection(store, client, LP_COLL_OUTBOX);
    /* A duplicate key is the same mark written before (a repeat): it is there. */
    lp_store_insert_many(marks, ptrs, total, out);
    for (size_t k = 0; k < total && ok; k++)
        ok = out[k] != LP_STORE_FAILED;
    mongoc_collection_destroy(marks);
    lp_store_push(store, client);
    if (!ok)
        lp_error_set(err, LP_ERR_DATABASE, NULL, "could not mark work");
done:
    if (docs)
        for (size_t k = 0; k < total; k++)
            if (ptrs && ptrs[k])
                bson_destroy(&docs[k]);
    free(docs);
    free(ptrs);
    free(out);
    return ok;
}

bool
lp_outbox_event(const bson_t *doc, const char *event_id, bson_t *ev)
{
    bson_iter_t it;
    if (!doc || !bson_iter_init_find(&it, doc, "events") || !BSON_ITER_HOLDS_ARRAY(&it) ||
        !bson_iter_recurse(&it, &it))
        return false;
    while (lp_doc_next_doc(&it, ev))
        if (strcmp(lp_doc_str(ev, "id"), event_id) == 0)
            return true;
    return false;
}

/* The event event_id of the complaint doc (read with events), unpacked, or NULL. */
static lp_envelope_t *
s_find_event(const bson_t *doc, const char *event_id)
{
    bson_iter_t pb;
    bson_t ev;
    const uint8_t *data = NULL;
    uint32_t len = 0;
    bson_subtype_t subtype;
    if (!lp_outbox_event(doc, event_id, &ev) || !bson_iter_init_find(&pb, &ev, "pb") ||
        !BSON_ITER_HOLDS_BINARY(&pb))
        return NULL;
    bson_iter_binary(&pb, &subtype, &len, &data);
    return lp_event_unpack(data, len);
}

/* Reads the string _ids of up to max documents matching filter (opts: projection,
 * sort, limit) into id_str and ids (which point into id_str). Returns how many, or
 * -1 on error. */
static int
s_read_ids(mongoc_collection_t *coll, const bson_t *filter, const bson_t *opts,
           char (*id_str)[S_MARK_ID_LEN], bson_value_t *ids, int max, lp_error_t *err)
{
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t error;
    int n = 0;

    while (n < max && mongoc_cursor_next(cursor, &doc)) {
        const char *id = lp_doc_str(doc, "_id");
        if (!*id || strlen(id) >= S_MARK_ID_LEN)
            continue;
        memcpy(id_str[n], id, strlen(id) + 1);
        lp_store_str_value(&ids[n], id_str[n]);
        n++;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "read marks");
        n = -1;
    }
    mongoc_cursor_destroy(cursor);
    return n;
}

/* What became of one claimed mark. */
typedef enum {
    S_HANDLED,  /* fn took it: its acknowledgement deletes the mark */
    S_LATER,    /* fn failed, or the event is not there yet: the lease runs out */
    S_DROPPED,  /* the event never came: the mark went */
    S_UNTOUCHED /* not looked at (stopping, out of time): the lease goes back */
} s_outcome_t;

static s_outcome_t
s_handle_mark(mongoc_collection_t *outbox, const bson_t *mark, const bson_t *doc, const char *stage,
              int64_t lost_before, lp_outbox_handler_fn fn, void *arg, bool *stopping)
{
    const char *event_id = lp_doc_str(mark, "event");
    lp_envelope_t *env = s_find_event(doc, event_id);

    if (env) {
        int rc = fn(arg, env);
        lp_event_free(&env);
        if (rc == LP_OUTBOX_STOPPING) {
            *stopping = true;
            return S_UNTOUCHED;
        }
        return rc == 0 ? S_HANDLED : S_LATER;
    }
    if (lp_doc_int(mark, "since") >= lost_before)
        return S_LATER; /* its write may still be on its way */
    lp_log(LP_LOG_WARN, "outbox.event_missing", "{s:s,s:s,s:s}", "stage", stage, "complaint_id",
           lp_doc_str(mark, "complaint"), "event_id", event_id);
    s_delete(outbox, &event_id, NULL, 1, &stage, 1);
    return S_DROPPED;
}

/* Claims the marks ids[0..n) (at most LP_STORE_BULK_MAX) in one write, reads their
 * complaints in one query and hands their events to fn until `until`; what it
 * claimed and did not look at goes back. Adds to *handled; -1 on a database error. */
static int
s_sweep_chunk(mongoc_collection_t *outbox, mongoc_collection_t *coll, const bson_value_t *ids,
              int n, const char *stage, const char *owner, int64_t lease_ms, int64_t lost_before,
              int64_t until, lp_outbox_handler_fn fn, void *arg, bool *stopping, int *handled,
              lp_error_t *err)
{
    bson_value_t oids[LP_STORE_BULK_MAX];
    bson_t *marks[LP_STORE_BULK_MAX] = {0}, *docs[LP_STORE_BULK_MAX] = {0};
    bool read = false;
    int rc = lp_store_claim_ids(outbox, ids, (size_t) n, NULL, "lease", owner, lease_ms, NULL,
                                marks, err);

    if (rc > 0) {
        bson_t *projection = BCON_NEW("events", BCON_INT32(1));
        for (int i = 0; i < n; i++)
            if (marks[i])
                lp_store_oid_value(&oids[i], lp_doc_str(marks[i], "complaint"));
            else
                oids[i].value_type = BSON_TYPE_EOD;
        read = lp_store_find_ids(coll, oids, (size_t) n, projection, docs, err);
        bson_destroy(projection);
        rc = read ? 0 : -1;
    }
    for (int i = 0; i < n; i++) {
        if (!marks[i])
            continue;
        s_outcome_t what = S_UNTOUCHED;
        if (read && !*stopping && lp_mono_ms() < until)
            what = s_handle_mark(outbox, marks[i], docs[i], stage, lost_before, fn, arg, stopping);
        *handled += what == S_HANDLED;
        /* A failed event keeps the lease: it is retried after lease_ms instead of
         * starving the marks behind it. */
        if (what == S_UNTOUCHED)
            lp_store_release(outbox, &ids[i], "lease", owner, NULL);
        bson_destroy(marks[i]);
        if (docs[i])
            bson_destroy(docs[i]);
    }
    return rc < 0 ? -1 : 0;
}

int
lp_outbox_sweep(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                int64_t lease_ms, int64_t lost_ms, int max, lp_outbox_handler_fn fn, void *arg,
                lp_error_t *err)
{
    if (max > LP_OUTBOX_SWEEP_MAX)
        max = LP_OUTBOX_SWEEP_MAX;
    char(*id_str)[S_MARK_ID_LEN] = calloc((size_t) (max > 0 ? max : 1), sizeof *id_str);
    bson_value_t *ids = calloc((size_t) (max > 0 ? max : 1), sizeof *ids);
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    int64_t now = lp_now_ms();
    bool stopping = false;
    int n = 0, rc = 0, handled = 0;

    /* The oldest of stage's marks, read in one query: on the local database it
     * decodes every mark whatever the limit, so a backlog is read in a few... */
    bson_t *filter =
        BCON_NEW("for", BCON_UTF8(stage), "since", "{", "$lt", BCON_INT64(now - grace_ms), "}");
    bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}", "sort", "{", "since",
                            BCON_INT32(1), "}", "limit", BCON_INT64(max));
    if (id_str && ids)
        n = s_read_ids(outbox, filter, opts, id_str, ids, max, err);
    else
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
    rc = n < 0 || !id_str || !ids ? -1 : 0;
    bson_destroy(opts);
    bson_destroy(filter);
    /* ... and handled a bulk at a time, while the time lasts. */
    int64_t until = lp_mono_ms() + LP_OUTBOX_SWEEP_BUDGET_MS;
    for (int from = 0; rc == 0 && from < n && !stopping && lp_mono_ms() < until;
         from += LP_STORE_BULK_MAX)
        rc = s_sweep_chunk(
            outbox, coll, ids + from, n - from < LP_STORE_BULK_MAX ? n - from : LP_STORE_BULK_MAX,
            stage, owner, lease_ms, now - lost_ms, until, fn, arg, &stopping, &handled, err);
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    free(ids);
    free(id_str);
    return rc < 0 ? -1 : handled;
}

/* Work found in a form before: event_ids[i] of complaint_ids[i]. */
typedef struct {
    char **cids, **eids;
    size_t n, cap;
} s_entries_t;

/* Adds the strings of the array it (entered) as events of complaint cid; stops
 * early when out of memory (the rest waits for the next adoption). */
static void
s_entries_add(s_entries_t *e, const char *cid, bson_iter_t *it)
{
    while (bson_iter_next(it)) {
        if (!BSON_ITER_HOLDS_UTF8(it))
            continue;
        if (e->n == e->cap) {
            size_t grown = e->cap ? 2 * e->cap : 64;
            char **c = realloc(e->cids, grown * sizeof *e->cids);
            if (c)
                e->cids = c;
            char **v = c ? realloc(e->eids, grown * sizeof *e->eids) : NULL;
            if (!v)
                return;
            e->eids = v;
            e->cap = grown;
        }
        e->cids[e->n] = bson_strdup(cid);
        e->eids[e->n++] = bson_strdup(bson_iter_utf8(it, NULL));
    }
}

/* Marks the entries for stage (now). False on error (err filled). */
static bool
s_entries_mark(lp_store_t *store, const s_entries_t *e, const char *stage, lp_error_t *err)
{
    return e->n == 0 ||
           lp_outbox_mark_many(store, (const char *const *) e->cids, (const char *const *) e->eids,
                               e->n, &stage, 1, lp_now_ms(), err);
}

static void
s_entries_free(s_entries_t *e)
{
    for (size_t i = 0; i < e->n; i++) {
        bson_free(e->cids[i]);
        bson_free(e->eids[i]);
    }
    free(e->cids);
    free(e->eids);
}

/* Moves up to max marks of the form before (one per complaint, `{_id: complaint,
 * since, <stage>: [event ids]}`) with work for stage into marks, and deletes those
 * left without work. Returns how many, or -1 on error. */
static int
s_adopt_lists(lp_store_t *store, mongoc_collection_t *outbox, const char *stage, int max,
              lp_error_t *err)
{
    char list_path[64];
    s_entries_t entries = {0};
    bson_value_t ids[LP_STORE_BULK_MAX];
    char id_str[LP_STORE_BULK_MAX][S_MARK_ID_LEN];
    bson_error_t error;
    const bson_t *doc;
    int docs = 0, rc = 0;

    if (max > LP_STORE_BULK_MAX)
        max = LP_STORE_BULK_MAX;
    snprintf(list_path, sizeof list_path, "%s.0", stage);
    bson_t *filter = BCON_NEW(list_path, "{", "$exists", BCON_BOOL(true), "}");
    bson_t *opts = BCON_NEW("limit", BCON_INT64(max));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(outbox, filter, opts, NULL);
    while (docs < max && mongoc_cursor_next(cursor, &doc)) {
        const char *cid = lp_doc_str(doc, "_id");
        bson_iter_t it;
        if (strlen(cid) != 24 || !bson_iter_init_find(&it, doc, stage) ||
            !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &it))
            continue;
        memcpy(id_str[docs], cid, 25);
        lp_store_str_value(&ids[docs], id_str[docs]);
        docs++;
        s_entries_add(&entries, cid, &it);
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "read old marks");
        rc = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    /* New marks first, then the old lists go: nothing is ever without either. */
    if (rc == 0 && !s_entries_mark(store, &entries, stage, err))
        rc = -1;
    if (rc == 0 && docs > 0) {
        bson_t by_id = BSON_INITIALIZER;
        bson_t *unset = BCON_NEW("$unset", "{", stage, BCON_UTF8(""), "}");
        lp_store_append_ids_in(&by_id, ids, (size_t) docs);
        if (!mongoc_collection_update_many(outbox, &by_id, unset, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "empty old marks");
            rc = -1;
        }
        s_append_empty(&by_id);
        if (rc == 0 && !mongoc_collection_delete_many(outbox, &by_id, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "drop old marks");
            rc = -1;
        }
        bson_destroy(unset);
        bson_destroy(&by_id);
    }
    s_entries_free(&entries);
    return rc < 0 ? -1 : docs;
}

/* Moves up to max complaints' `todo.<stage>` lists into marks (see lp_outbox_adopt). */
static int
s_adopt_todo(lp_store_t *store, mongoc_client_t *client, mongoc_collection_t *coll,
             mongoc_collection_t *outbox, const char *stage, int max, lp_error_t *err)
{
    char todo_path[64], first_path[64];
    s_entries_t entries = {0};
    int docs = 0, rc = 0;
    bson_error_t error;
    const bson_t *doc;

    snprintf(todo_path, sizeof todo_path, "todo.%s", stage);
    snprintf(first_path, sizeof first_path, "todo.%s.0", stage);
    /* Once done, never again: the search below reads every complaint. */
    char flag[64];
    snprintf(flag, sizeof flag, "outbox_adopted:%s", stage);
    mongoc_collection_t *meta = lp_store_collection(store, client, LP_COLL_META);
    bson_t *by_flag = BCON_NEW("_id", BCON_UTF8(flag));
    bson_t *done = lp_store_find_one(meta, by_flag, NULL, err);
    if (done || err->code != LP_ERR_NONE)
        rc = done ? 1 : -1;
    if (done)
        bson_destroy(done);
    /* The old marks (one per stage, with a `stage` field) say nothing a mark does not. */
    bson_t *old = BCON_NEW("stage", BCON_UTF8(stage));
    if (rc == 0 && !mongoc_collection_delete_many(outbox, old, NULL, NULL, &error)) {
        lp_store_set_error(err, &error, "drop old marks");
        rc = -1;
    }
    bson_destroy(old);
    bson_t *filter = BCON_NEW(first_path, "{", "$exists", BCON_BOOL(true), "}");
    bson_t *opts =
        BCON_NEW("projection", "{", todo_path, BCON_INT32(1), "}", "limit", BCON_INT64(max));
    mongoc_cursor_t *cursor =
        rc == 0 ? mongoc_collection_find_with_opts(coll, filter, opts, NULL) : NULL;
    while (cursor && mongoc_cursor_next(cursor, &doc)) {
        bson_iter_t it, id;
        char hex[25];
        if (!bson_iter_init_find(&id, doc, "_id") || !BSON_ITER_HOLDS_OID(&id) ||
            !bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, todo_path, &it) ||
            !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &it))
            continue;
        bson_oid_to_string(bson_iter_oid(&id), hex);
        docs++;
        s_entries_add(&entries, hex, &it);
    }
    if (cursor && mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "read old todo lists");
        rc = -1;
    }
    if (cursor)
        mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    /* Marks first, then the complaints' lists go: nothing is ever without either. */
    if (rc == 0 && !s_entries_mark(store, &entries, stage, err))
        rc = -1;
    if (rc == 0 && entries.n > 0) {
        bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
        mongoc_bulk_operation_t *bulk = NULL;
        for (size_t i = 0; i < entries.n && rc == 0; i++) {
            bson_oid_t oid;
            if (!bulk)
                bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
            bson_oid_init_from_string(&oid, entries.cids[i]);
            bson_t *sel = BCON_NEW("_id", BCON_OID(&oid));
            bson_t *pull = BCON_NEW("$pull", "{", todo_path, BCON_UTF8(entries.eids[i]), "}");
            mongoc_bulk_operation_update_one_with_opts(bulk, sel, pull, NULL, NULL);
            bson_destroy(pull);
            bson_destroy(sel);
            if ((i + 1) % LP_STORE_BULK_MAX == 0 || i == entries.n - 1) {
                if (!mongoc_bulk_operation_execute(bulk, NULL, &error)) {
                    lp_store_set_error(err, &error, "empty old todo lists");
                    rc = -1;
                }
                mongoc_bulk_operation_destroy(bulk);
                bulk = NULL;
            }
        }
        if (bulk)
            mongoc_bulk_operation_destroy(bulk);
        bson_destroy(bopts);
    }
    /* Nothing (more) found: done for good. */
    if (rc == 0 && docs < max) {
        bson_t *set = BCON_NEW("$set", "{", "at", BCON_INT64(lp_now_ms()), "}");
        bson_t *upsert = BCON_NEW("upsert", BCON_BOOL(true));
        if (!mongoc_collection_update_one(meta, by_flag, set, upsert, NULL, &error))
            lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        bson_destroy(upsert);
        bson_destroy(set);
    }
    s_entries_free(&entries);
    bson_destroy(by_flag);
    mongoc_collection_destroy(meta);
    return rc < 0 ? -1 : rc == 1 ? 0 : docs;
}

int
lp_outbox_adopt(lp_store_t *store, const char *stage, int max, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    int lists = s_adopt_lists(store, outbox, stage, max, err);
    int todo = lists < 0 ? -1 : s_adopt_todo(store, client, coll, outbox, stage, max, err);
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    if (lists < 0 || todo < 0)
        return -1;
    return lists > todo ? lists : todo;
}
