/* lp_outbox: events stored in complaint documents, work in flight in marks. */
#include "lp_outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"

/* Every stage's list in a mark: a mark without an entry in any of them goes. */
static const char *const s_stages[] = {LP_STAGE_ROUTER, LP_STAGE_NOTIFIER, LP_STAGE_REPORTER};
#define S_N_STAGES (sizeof s_stages / sizeof s_stages[0])

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

/* The filter of a mark without work: no stage's list has a first entry. */
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

/* One entry of a mark: event_id on the lists of a complaint's mark. */
typedef struct {
    const char *complaint_id;
    const char *event_id;
} s_entry_t;

/* Takes entries[0..n) off the n_stages lists, in bulks. A mark left without work
 * stays until lp_outbox_tidy: deleting it here would cost a command per batch of
 * every consumer, most of which find another stage's work still there. False when
 * a bulk failed. */
static bool
s_pull(mongoc_collection_t *outbox, const s_entry_t *entries, int n, const char *const *stages,
       size_t n_stages)
{
    bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
    bool ok = true;

    for (int from = 0; from < n; from += LP_STORE_BULK_MAX) {
        int to = from + LP_STORE_BULK_MAX < n ? from + LP_STORE_BULK_MAX : n;
        mongoc_bulk_operation_t *bulk =
            mongoc_collection_create_bulk_operation_with_opts(outbox, bopts);
        for (int i = from, run; i < to; i += run) {
            /* Entries of one complaint next to each other: one statement. */
            for (run = 1; i + run < to &&
                          strcmp(entries[i + run].complaint_id, entries[i].complaint_id) == 0;
                 run++)
                ;
            bson_t *sel = BCON_NEW("_id", BCON_UTF8(entries[i].complaint_id));
            bson_t update = BSON_INITIALIZER, pull, list;
            char key[16];
            BSON_APPEND_DOCUMENT_BEGIN(&update, "$pullAll", &pull);
            for (size_t s = 0; s < n_stages; s++) {
                BSON_APPEND_ARRAY_BEGIN(&pull, stages[s], &list);
                for (int k = 0; k < run; k++) {
                    snprintf(key, sizeof key, "%d", k);
                    BSON_APPEND_UTF8(&list, key, entries[i + k].event_id);
                }
                bson_append_array_end(&pull, &list);
            }
            bson_append_document_end(&update, &pull);
            mongoc_bulk_operation_update_one_with_opts(bulk, sel, &update, NULL, NULL);
            bson_destroy(&update);
            bson_destroy(sel);
        }
        ok = s_run_bulk(&bulk) && ok;
    }
    bson_destroy(bopts);
    return ok;
}

#define S_ACKS_MAX 256

struct lp_outbox_acks_t {
    char stage[32];
    int n;
    struct {
        char complaint_id[25];
        char event_id[LP_EVENT_ID_LEN + 1];
    } held[S_ACKS_MAX];
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

static int
s_by_complaint(const void *a, const void *b)
{
    return strcmp(((const s_entry_t *) a)->complaint_id, ((const s_entry_t *) b)->complaint_id);
}

bool
lp_outbox_acks_flush(lp_outbox_acks_t *self, lp_store_t *store)
{
    s_entry_t entries[S_ACKS_MAX];
    const char *stage = self->stage;
    bool ok = true;

    if (self->n == 0)
        return true;
    for (int i = 0; i < self->n; i++)
        entries[i] = (s_entry_t){self->held[i].complaint_id, self->held[i].event_id};
    qsort(entries, (size_t) self->n, sizeof entries[0], s_by_complaint);
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    ok = s_pull(outbox, entries, self->n, &stage, 1);
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
        if (!done[i] || strlen(envs[i]->complaint_id) != 24 ||
            strlen(envs[i]->event_id) > LP_EVENT_ID_LEN)
            continue;
        if (self->n == S_ACKS_MAX)
            lp_outbox_acks_flush(self, store);
        memcpy(self->held[self->n].complaint_id, envs[i]->complaint_id, 25);
        snprintf(self->held[self->n].event_id, sizeof self->held[0].event_id, "%s",
                 envs[i]->event_id);
        self->n++;
    }
}

void
lp_outbox_forget(mongoc_collection_t *outbox, const char *const *complaint_ids,
                 const char *const *event_ids, const bool *flags, int n, const char *const *stages,
                 size_t n_stages)
{
    s_entry_t *entries = calloc((size_t) (n > 0 ? n : 1), sizeof *entries);
    int k = 0;
    if (!entries)
        return;
    for (int i = 0; i < n; i++)
        if (!flags || flags[i])
            entries[k++] = (s_entry_t){complaint_ids[i], event_ids[i]};
    if (k > 0 && !s_pull(outbox, entries, k, stages, n_stages))
        lp_log(LP_LOG_WARN, "outbox.forget_failed", "{s:i}", "entries", k);
    free(entries);
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
    if (n == 0 || n_ids == 0)
        return true;
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *marks = lp_store_collection(store, client, LP_COLL_OUTBOX);
    bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
    bson_t *upsert = BCON_NEW("upsert", BCON_BOOL(true));
    mongoc_bulk_operation_t *bulk = NULL;
    bson_error_t error;
    bool ok = true, retried = false;
    size_t queued = 0;

    for (size_t c = 0; c < n_ids && ok; c++) {
        if (!bulk)
            bulk = mongoc_collection_create_bulk_operation_with_opts(marks, bopts);
        bson_t *selector = BCON_NEW("_id", BCON_UTF8(complaint_ids[c]));
        bson_t update = BSON_INITIALIZER, add, each, list;
        BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &add);
        BSON_APPEND_INT64(&add, "since", now_ms);
        bson_append_document_end(&update, &add);
        BSON_APPEND_DOCUMENT_BEGIN(&update, "$addToSet", &add);
        for (size_t i = 0; i < n; i++) {
            BSON_APPEND_DOCUMENT_BEGIN(&add, stages[i], &each);
            BSON_APPEND_ARRAY_BEGIN(&each, "$each", &list);
            BSON_APPEND_UTF8(&list, "0", event_ids[c]);
            bson_append_array_end(&each, &list);
            bson_append_document_end(&add, &each);
        }
        bson_append_document_end(&update, &add);
        ok = mongoc_bulk_operation_update_one_with_opts(bulk, selector, &update, upsert, &error);
        bson_destroy(&update);
        bson_destroy(selector);
        if (ok && (++queued == LP_STORE_BULK_MAX || c == n_ids - 1)) {
            /* A duplicate key is a concurrent upsert of the same mark: it is there,
             * and this entry is not. Once more: now it is an update. */
            bson_t reply = BSON_INITIALIZER;
            ok = mongoc_bulk_operation_execute(bulk, &reply, &error) != 0;
            if (!ok && !retried && lp_store_is_duplicate(&error)) {
                c -= queued; /* the loop's c++ starts this chunk again */
                retried = ok = true;
            }
            else
                retried = false;
            bson_destroy(&reply);
            if (bulk)
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

/* What handling one claimed mark came to. */
typedef struct {
    int handled;   /* events fn took */
    int failed;    /* events fn wants again later */
    bool keep;     /* an event the complaint does not hold yet: look again later */
    bool stopping; /* fn said this instance stops */
} s_outcome_t;

/* Hands fn each event on stage's list in mark that the complaint doc (NULL when
 * there is none) holds; drops those it does not hold once the mark is older than
 * lost_before. */
static void
s_handle_mark(mongoc_collection_t *outbox, const bson_t *mark, const bson_t *doc, const char *stage,
              int64_t lost_before, lp_outbox_handler_fn fn, void *arg, s_outcome_t *out)
{
    const char *complaint_id = lp_doc_str(mark, "_id");
    bool old = lp_doc_int(mark, "since") < lost_before;
    s_entry_t *gone = NULL;
    int n_gone = 0, cap = 0;
    bson_iter_t it;

    if (!bson_iter_init_find(&it, mark, stage) || !BSON_ITER_HOLDS_ARRAY(&it) ||
        !bson_iter_recurse(&it, &it))
        return;
    while (bson_iter_next(&it) && !out->stopping) {
        const char *id = BSON_ITER_HOLDS_UTF8(&it) ? bson_iter_utf8(&it, NULL) : "";
        lp_envelope_t *env = s_find_event(doc, id);
        if (env) {
            int rc = fn(arg, env);
            if (rc == LP_OUTBOX_STOPPING)
                out->stopping = true;
            else if (rc != 0)
                out->failed++;
            else
                out->handled++;
            lp_event_free(&env);
            continue;
        }
        if (!old) {
            out->keep = true; /* its write may still be on its way */
            continue;
        }
        lp_log(LP_LOG_WARN, "outbox.event_missing", "{s:s,s:s,s:s}", "stage", stage, "complaint_id",
               complaint_id, "event_id", id);
        if (n_gone == cap) {
            s_entry_t *more = realloc(gone, (size_t) (cap = cap ? 2 * cap : 8) * sizeof *gone);
            if (!more)
                break;
            gone = more;
        }
        gone[n_gone++] = (s_entry_t){complaint_id, id};
    }
    if (n_gone > 0)
        s_pull(outbox, gone, n_gone, &stage, 1);
    free(gone);
}

/* Reads the _ids of up to max marks matching filter (opts: projection, sort, limit)
 * into id_str and ids (which point into id_str). Returns how many, or -1 on error. */
static int
s_read_ids(mongoc_collection_t *outbox, const bson_t *filter, const bson_t *opts,
           char (*id_str)[25], bson_value_t *ids, int max, lp_error_t *err)
{
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(outbox, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t error;
    int n = 0;

    while (n < max && mongoc_cursor_next(cursor, &doc)) {
        const char *id = lp_doc_str(doc, "_id");
        if (strlen(id) != 24)
            continue;
        memcpy(id_str[n], id, 25);
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

int
lp_outbox_sweep(lp_store_t *store, const char *stage, const char *owner, int64_t grace_ms,
                int64_t lease_ms, int64_t lost_ms, int max, lp_outbox_handler_fn fn, void *arg,
                lp_error_t *err)
{
    char lease_path[64], list_path[64];
    char id_str[LP_STORE_BULK_MAX][25];
    bson_value_t ids[LP_STORE_BULK_MAX], oids[LP_STORE_BULK_MAX];
    bson_t *marks[LP_STORE_BULK_MAX] = {0}, *docs[LP_STORE_BULK_MAX] = {0};
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    int64_t now = lp_now_ms(), cut = now - grace_ms;
    s_outcome_t out = {0};
    bool read = false;
    int n = 0, rc = 0;

    if (max > LP_STORE_BULK_MAX)
        max = LP_STORE_BULK_MAX;
    snprintf(lease_path, sizeof lease_path, "lease.%s", stage);
    snprintf(list_path, sizeof list_path, "%s.0", stage);
    /* The oldest marks with work for stage... */
    bson_t *filter = BCON_NEW(list_path, "{", "$exists", BCON_BOOL(true), "}", "since", "{", "$lt",
                              BCON_INT64(cut), "}");
    bson_t *opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}", "sort", "{", "since",
                            BCON_INT32(1), "}", "limit", BCON_INT64(max));
    n = s_read_ids(outbox, filter, opts, id_str, ids, max, err);
    rc = n < 0 ? -1 : 0;
    n = n < 0 ? 0 : n;
    bson_destroy(opts);
    bson_destroy(filter);
    /* ... claimed in one write, unless another instance holds them or they changed
     * meanwhile, and their complaints read in one query. */
    filter = BCON_NEW("since", "{", "$lt", BCON_INT64(cut), "}");
    if (rc == 0 && n > 0 &&
        (rc = lp_store_claim_ids(outbox, ids, (size_t) n, filter, lease_path, owner, lease_ms, NULL,
                                 marks, err)) > 0) {
        bson_t *projection = BCON_NEW("events", BCON_INT32(1));
        for (int i = 0; i < n; i++)
            if (marks[i])
                lp_store_oid_value(&oids[i], id_str[i]);
            else
                oids[i].value_type = BSON_TYPE_EOD;
        read = lp_store_find_ids(coll, oids, (size_t) n, projection, docs, err);
        bson_destroy(projection);
        rc = read ? 0 : -1;
    }
    bson_destroy(filter);
    int64_t until = lp_mono_ms() + LP_OUTBOX_SWEEP_BUDGET_MS;
    for (int i = 0; i < n; i++) {
        if (!marks[i])
            continue;
        s_outcome_t one = {.stopping = out.stopping};
        if (read && !one.stopping && lp_mono_ms() < until)
            s_handle_mark(outbox, marks[i], docs[i], stage, now - lost_ms, fn, arg, &one);
        out.handled += one.handled;
        out.stopping = one.stopping;
        /* A failed event keeps the lease: it is retried after lease_ms instead of
         * starving the marks behind it. The rest goes back at once. */
        if (one.failed == 0 && !one.keep)
            lp_store_release(outbox, &ids[i], lease_path, owner, NULL);
        bson_destroy(marks[i]);
        if (docs[i])
            bson_destroy(docs[i]);
    }
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc < 0 ? -1 : out.handled;
}

int
lp_outbox_tidy(lp_store_t *store, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    bson_t *filter = bson_new(), *opts = NULL;
    bson_value_t ids[LP_STORE_BULK_MAX];
    char id_str[LP_STORE_BULK_MAX][25];
    bson_error_t error;
    int n = 0, removed = 0;

    /* The search is a read (it decodes every mark on the local database, and reads
     * run beside the writes); the delete names the marks by _id and checks again
     * that they have no work, so an entry added meanwhile keeps its mark. */
    s_append_empty(filter);
    opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}", "limit",
                    BCON_INT64(LP_STORE_BULK_MAX));
    n = s_read_ids(outbox, filter, opts, id_str, ids, LP_STORE_BULK_MAX, err);
    removed = n < 0 ? -1 : 0;
    if (n > 0) {
        bson_t by_id = BSON_INITIALIZER, reply = BSON_INITIALIZER;
        bson_iter_t it;
        lp_store_append_ids_in(&by_id, ids, (size_t) n);
        s_append_empty(&by_id);
        if (!mongoc_collection_delete_many(outbox, &by_id, NULL, &reply, &error)) {
            lp_store_set_error(err, &error, "tidy marks");
            removed = -1;
        }
        else if (bson_iter_init_find(&it, &reply, "deletedCount"))
            removed = (int) bson_iter_as_int64(&it);
        bson_destroy(&reply);
        bson_destroy(&by_id);
    }
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(outbox);
    lp_store_push(store, client);
    return removed;
}

int
lp_outbox_adopt(lp_store_t *store, const char *stage, int max, lp_error_t *err)
{
    char todo_path[64], first_path[64];
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *outbox = lp_store_collection(store, client, LP_COLL_OUTBOX);
    char **cids = NULL, **eids = NULL;
    size_t n = 0, cap = 0;
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
        while (bson_iter_next(&it)) {
            if (!BSON_ITER_HOLDS_UTF8(&it))
                continue;
            if (n == cap) {
                size_t grown = cap ? 2 * cap : 64;
                char **c = realloc(cids, grown * sizeof *cids);
                if (c)
                    cids = c;
                char **e = c ? realloc(eids, grown * sizeof *eids) : NULL;
                if (!e)
                    break;
                eids = e;
                cap = grown;
            }
            cids[n] = bson_strdup(hex);
            eids[n++] = bson_strdup(bson_iter_utf8(&it, NULL));
        }
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
    if (rc == 0 && n > 0 &&
        !lp_outbox_mark_many(store, (const char *const *) cids, (const char *const *) eids, n,
                             &stage, 1, lp_now_ms(), err))
        rc = -1;
    if (rc == 0 && n > 0) {
        bson_t *bopts = BCON_NEW("ordered", BCON_BOOL(false));
        mongoc_bulk_operation_t *bulk = NULL;
        for (size_t i = 0; i < n && rc == 0; i++) {
            bson_oid_t oid;
            if (!bulk)
                bulk = mongoc_collection_create_bulk_operation_with_opts(coll, bopts);
            bson_oid_init_from_string(&oid, cids[i]);
            bson_t *sel = BCON_NEW("_id", BCON_OID(&oid));
            bson_t *pull = BCON_NEW("$pull", "{", todo_path, BCON_UTF8(eids[i]), "}");
            mongoc_bulk_operation_update_one_with_opts(bulk, sel, pull, NULL, NULL);
            bson_destroy(pull);
            bson_destroy(sel);
            if ((i + 1) % LP_STORE_BULK_MAX == 0 || i == n - 1) {
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
    for (size_t i = 0; i < n; i++) {
        bson_free(cids[i]);
        bson_free(eids[i]);
    }
    free(cids);
    free(eids);
    bson_destroy(by_flag);
    mongoc_collection_destroy(meta);
    mongoc_collection_destroy(outbox);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc < 0 ? -1 : docs;
}
