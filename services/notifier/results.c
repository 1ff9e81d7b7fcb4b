/* results: the senders' outcomes, buffered and written by identical outcome. */
#include "results.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_log.h"

typedef struct {
    bson_value_t id;
    char state[16];
    int attempts;
    int64_t next_at; /* 0: the time of the write */
    long status;
    char error[256];
    bool due; /* a due mark at next_at follows the result */
} s_result_t;

struct notifier_results_t {
    lp_store_t *store;
    char *owner;
    lp_metric_t *db_errors;
    void (*lost)(void *arg);
    void *arg;
    pthread_mutex_t lock;
    s_result_t *items;
    size_t n, capacity;
};

notifier_results_t *
notifier_results_new(lp_store_t *store, const char *owner, lp_metric_t *db_errors,
                     void (*lost)(void *arg), void *arg)
{
    notifier_results_t *self = calloc(1, sizeof *self);
    if (!self || !(self->owner = strdup(owner))) {
        free(self);
        return NULL;
    }
    self->store = store;
    self->db_errors = db_errors;
    self->lost = lost;
    self->arg = arg;
    pthread_mutex_init(&self->lock, NULL);
    return self;
}

static void
s_free_items(s_result_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bson_value_destroy(&items[i].id);
    free(items);
}

void
notifier_results_destroy(notifier_results_t **self_p)
{
    notifier_results_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    s_free_items(self->items, self->n);
    pthread_mutex_destroy(&self->lock);
    free(self->owner);
    free(self);
    *self_p = NULL;
}

void
notifier_results_add(notifier_results_t *self, const bson_value_t *id, const char *state,
                     int attempts, int64_t next_at, long status, const char *error, bool due)
{
    bool full = false;

    pthread_mutex_lock(&self->lock);
    if (self->n == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : LP_STORE_BULK_MAX;
        s_result_t *grown = realloc(self->items, capacity * sizeof *grown);
        if (!grown) { /* the lease runs out and the message is sent again */
            pthread_mutex_unlock(&self->lock);
            lp_log(LP_LOG_WARN, "notification.result_dropped", "{s:s}", "message", "out of memory");
            if (self->lost)
                self->lost(self->arg);
            return;
        }
        self->items = grown;
        self->capacity = capacity;
    }
    s_result_t *r = &self->items[self->n++];
    bson_value_copy(id, &r->id);
    snprintf(r->state, sizeof r->state, "%s", state);
    r->attempts = attempts;
    r->next_at = next_at;
    r->status = status;
    snprintf(r->error, sizeof r->error, "%s", error);
    r->due = due && id->value_type == BSON_TYPE_UTF8 && next_at > 0;
    full = self->n >= LP_STORE_BULK_MAX;
    pthread_mutex_unlock(&self->lock);
    if (full)
        notifier_results_flush(self);
}

/* Writes the due marks of the written results that ask for one. */
static void
s_mark_due(notifier_results_t *self, mongoc_client_t *client, const s_result_t *items, size_t n)
{
    mongoc_collection_t *due = NULL;
    lp_error_t err;

    for (size_t i = 0; i < n; i++) {
        if (!items[i].due)
            continue;
        if (!due)
            due = lp_store_collection(self->store, client, LP_COLL_NOTIFY_DUE);
        if (!lp_store_due(due, items[i].id.value.v_utf8.str, items[i].next_at, &err)) {
            lp_metric_inc(self->db_errors);
            lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
        }
    }
    if (due)
        mongoc_collection_destroy(due);
}

/* Whether a and b set the same fields to the same values. */
static bool
s_same(const s_result_t *a, const s_result_t *b)
{
    return a->attempts == b->attempts && a->next_at == b->next_at && a->status == b->status &&
           strcmp(a->state, b->state) == 0 && strcmp(a->error, b->error) == 0;
}

/* Whether id can be listed in an _id: {$in} (notification ids are strings). */
static bool
s_listable(const bson_value_t *id)
{
    return id->value_type == BSON_TYPE_UTF8 || id->value_type == BSON_TYPE_OID;
}

/* Adds to bulk the update of ids[0..n) (whose outcome is r's), guarded by the lease. */
static void
s_add_update(notifier_results_t *self, mongoc_bulk_operation_t *bulk, const s_result_t *r,
             const bson_value_t *ids, size_t n, int64_t now)
{
    bson_t filter = BSON_INITIALIZER;
    bson_t *update =
        BCON_NEW("$set", "{", "state", BCON_UTF8(r->state), "attempts", BCON_INT32(r->attempts),
                 "next_at", BCON_INT64(r->next_at ? r->next_at : now), "updated_at",
                 BCON_INT64(now), "last_status", BCON_INT32((int32_t) r->status), "last_error",
                 BCON_UTF8(r->error), "}", "$unset", "{", "lease", BCON_UTF8(""), "}");

    if (n == 1)
        BSON_APPEND_VALUE(&filter, "_id", &ids[0]);
    else
        lp_store_append_ids_in(&filter, ids, n);
    BSON_APPEND_UTF8(&filter, "lease.owner", self->owner);
    mongoc_bulk_operation_update_many_with_opts(bulk, &filter, update, NULL, NULL);
    bson_destroy(update);
    bson_destroy(&filter);
}

void
notifier_results_flush(notifier_results_t *self)
{
    s_result_t *items;
    size_t n;

    pthread_mutex_lock(&self->lock);
    items = self->items;
    n = self->n;
    self->items = NULL;
    self->n = self->capacity = 0;
    pthread_mutex_unlock(&self->lock);
    if (n == 0) {
        free(items);
        return;
    }

    bson_value_t *ids = malloc(n * sizeof *ids);
    bool *written = calloc(n, sizeof *written);
    if (!ids || !written) {
        lp_log(LP_LOG_WARN, "notification.result_dropped", "{s:s}", "message", "out of memory");
        if (self->lost)
            self->lost(self->arg);
        free(written);
        free(ids);
        s_free_items(items, n);
        return;
    }
    mongoc_client_t *client = lp_store_pop(self->store);
    mongoc_collection_t *notes = lp_store_collection(self->store, client, LP_COLL_NOTIFICATIONS);
    bson_t *opts = BCON_NEW("ordered", BCON_BOOL(false));
    mongoc_bulk_operation_t *bulk = mongoc_collection_create_bulk_operation_with_opts(notes, opts);
    int64_t now = lp_now_ms();
    bson_error_t error;

    /* One update per outcome (most are "sent, first attempt, 200"), at most
     * LP_STORE_BULK_MAX ids each: the local database looks them up by index. */
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        if (written[i])
            continue;
        written[i] = true;
        ids[k++] = items[i].id;
        for (size_t j = i + 1; j < n && s_listable(&items[i].id); j++)
            if (!written[j] && s_listable(&items[j].id) && s_same(&items[i], &items[j])) {
                written[j] = true;
                ids[k++] = items[j].id;
                if (k == LP_STORE_BULK_MAX) {
                    s_add_update(self, bulk, &items[i], ids, k, now);
                    k = 0;
                }
            }
        if (k > 0)
            s_add_update(self, bulk, &items[i], ids, k, now);
    }
    if (!mongoc_bulk_operation_execute(bulk, NULL, &error)) {
        lp_metric_inc(self->db_errors);
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        if (self->lost)
            self->lost(self->arg);
    }
    else
        s_mark_due(self, client, items, n);
    mongoc_bulk_operation_destroy(bulk);
    bson_destroy(opts);
    mongoc_collection_destroy(notes);
    lp_store_push(self->store, client);
    free(written);
    free(ids);
    s_free_items(items, n);
}
