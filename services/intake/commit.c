/* commit: group commit of new complaints (see commit.h). */
#include "commit.h"

#include <pthread.h>
#include <stdlib.h>

#include "lp_clock.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_recent.h"
#include "lp_transition.h"

typedef struct s_waiter {
    const intake_commit_item_t *item;
    lp_store_outcome_t outcome;
    lp_error_t err;
    bool done;
    struct s_waiter *next;
} s_waiter_t;

struct intake_commit_t {
    lp_store_t *store;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    s_waiter_t *head, *tail; /* waiting to be written, oldest first */
    bool writing;
};

intake_commit_t *
intake_commit_new(lp_store_t *store)
{
    intake_commit_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->store = store;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->cond, NULL);
    return self;
}

void
intake_commit_destroy(intake_commit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    intake_commit_t *self = *self_p;
    pthread_cond_destroy(&self->cond);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

/* Writes batch[0..n): marks, complaints, near-duplicate entries. */
static void
s_write(intake_commit_t *self, s_waiter_t **batch, int n)
{
    const char *ids[LP_STORE_BULK_MAX], *events[LP_STORE_BULK_MAX];
    const bson_t *docs[LP_STORE_BULK_MAX];
    lp_store_outcome_t out[LP_STORE_BULK_MAX];
    lp_recent_item_t recent[LP_STORE_BULK_MAX];
    size_t n_recent = 0;
    lp_error_t err;

    lp_error_clear(&err);
    for (int i = 0; i < n; i++) {
        ids[i] = batch[i]->item->complaint_id;
        events[i] = batch[i]->item->event_id;
        docs[i] = batch[i]->item->doc;
    }
    /* Marks first (see lp_outbox.h). The notifier tells the reporter the tracking ID. */
    if (!lp_outbox_mark_many(self->store, ids, events, (size_t) n, lp_transition_submit_stages,
                             LP_TRANSITION_SUBMIT_N_STAGES, lp_now_ms(), &err)) {
        for (int i = 0; i < n; i++) {
            batch[i]->outcome = LP_STORE_FAILED;
            batch[i]->err = err;
        }
        return;
    }
    mongoc_client_t *client = lp_store_pop(self->store);
    mongoc_collection_t *coll = lp_store_collection(self->store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *index = lp_store_collection(self->store, client, LP_COLL_REPORTER_RECENT);
    if (!lp_store_insert_many(coll, docs, (size_t) n, out))
        lp_error_set(&err, LP_ERR_DATABASE, NULL, "could not store the complaint");
    for (int i = 0; i < n; i++) {
        const intake_commit_item_t *item = batch[i]->item;
        batch[i]->outcome = out[i];
        if (out[i] == LP_STORE_FAILED)
            lp_error_set(&batch[i]->err, LP_ERR_DATABASE, NULL, "could not store the complaint");
        else if (out[i] == LP_STORE_INSERTED && (*item->phone_lookup || *item->email_lookup)) {
            lp_recent_item_t *r = &recent[n_recent++];
            r->phone_lookup = item->phone_lookup;
            r->email_lookup = item->email_lookup;
            r->at_ms = item->at_ms;
            bson_iter_t it;
            if (bson_iter_init_find(&it, item->doc, "_id") && BSON_ITER_HOLDS_OID(&it))
                bson_oid_copy(bson_iter_oid(&it), &r->id);
            else
                n_recent--;
        }
    }
    /* Only after the inserts: an entry never names a complaint that does not exist,
     * and a failure here only misses a hint, so it is logged. */
    lp_error_clear(&err);
    if (n_recent > 0 && lp_recent_add_many(index, recent, n_recent, &err) != 0)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
    mongoc_collection_destroy(index);
    mongoc_collection_destroy(coll);
    lp_store_push(self->store, client);
}

lp_store_outcome_t
intake_commit(intake_commit_t *self, const intake_commit_item_t *item, lp_error_t *err)
{
    s_waiter_t me = {.item = item};

    lp_error_clear(&me.err);
    pthread_mutex_lock(&self->lock);
    if (self->tail)
        self->tail->next = &me;
    else
        self->head = &me;
    self->tail = &me;
    while (!me.done) {
        if (self->writing) {
            pthread_cond_wait(&self->cond, &self->lock);
            continue;
        }
        /* Nobody is writing: this thread writes what waits, its own or not. */
        s_waiter_t *batch[LP_STORE_BULK_MAX];
        int n = 0;
        while (self->head && n < LP_STORE_BULK_MAX) {
            batch[n++] = self->head;
            self->head = self->head->next;
        }
        if (!self->head)
            self->tail = NULL;
        self->writing = true;
        pthread_mutex_unlock(&self->lock);
        s_write(self, batch, n);
        pthread_mutex_lock(&self->lock);
        for (int i = 0; i < n; i++)
            batch[i]->done = true;
        self->writing = false;
        pthread_cond_broadcast(&self->cond);
    }
    pthread_mutex_unlock(&self->lock);
    *err = me.err;
    return me.outcome;
}
