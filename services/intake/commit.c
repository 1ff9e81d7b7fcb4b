/* commit: group commit of new complaints (see commit.h). */
#include "commit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_group.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_recent.h"
#include "lp_transition.h"
#include "similar.h"

/* One complaint handed to the group and what became of it. */
typedef struct {
    const intake_commit_item_t *item;
    lp_store_outcome_t outcome;
    lp_error_t err;
} s_waiter_t;

struct intake_commit_t {
    lp_store_t *store;
    lp_group_t *group;
};

static void s_write(void *arg, void **items, int n);

intake_commit_t *
intake_commit_new(lp_store_t *store, int wait_ms, int enough)
{
    intake_commit_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->store = store;
    if (!(self->group = lp_group_new(s_write, self)))
        intake_commit_destroy(&self);
    /* Not with unacknowledged writes (w=0): nothing waits for the database's answer
     * then, so a wait would only hold the request threads (in the benchmark's w=0
     * phase it halved the rate). */
    else if (lp_store_acknowledged(store))
        lp_group_linger(self->group, wait_ms, enough);
    return self;
}

void
intake_commit_destroy(intake_commit_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    intake_commit_t *self = *self_p;
    lp_group_destroy(&self->group);
    free(self);
    *self_p = NULL;
}

/* Does item repeat one of the open complaints docs[0..n) (oldest first, NULL for
 * one that is gone)? Fills item->link when it does. */
static void
s_compare(const intake_commit_item_t *item, bson_t **docs, int n)
{
    intake_commit_link_t *link = item->link;
    for (int i = 0; i < n && !link->linked; i++) {
        const char *was = docs[i] ? lp_doc_str(docs[i], "status") : "closed";
        if (strcmp(was, "closed") == 0 || strcmp(was, "archived") == 0)
            continue;
        char *earlier =
            intake_similar_text(lp_doc_str(docs[i], "title"), lp_doc_str(docs[i], "body"));
        if (earlier && intake_similar(link->text, earlier)) {
            bson_iter_t it;
            link->linked = bson_iter_init_find(&it, docs[i], "_id") && BSON_ITER_HOLDS_OID(&it);
            if (link->linked) {
                bson_oid_copy(bson_iter_oid(&it), &link->first);
                snprintf(link->tracking_id, sizeof link->tracking_id, "%s",
                         lp_doc_str(docs[i], "tracking_id"));
                snprintf(link->status, sizeof link->status, "%s", was);
            }
        }
        free(earlier);
    }
}

/* Looks for the near-duplicates of batch[0..n) together: the reporters' recent
 * complaints came with the claim of their documents (read only for reporters who
 * sent some), their text in one read of those complaints. A complaint repeating
 * one sent in the same batch is not seen (as when two requests race). */
static void
s_link(mongoc_collection_t *coll, const lp_recent_batch_t *recent, s_waiter_t **batch, int n)
{
    if (!recent)
        return; /* no reporter in the batch, or the claim failed (logged) */
    lp_recent_entry_t *found = calloc((size_t) n * INTAKE_DUPLICATE_CANDIDATES, sizeof *found);
    int n_found[LP_GROUP_MAX] = {0};
    bson_value_t *ids = NULL;
    bson_t **docs = NULL;
    int64_t since = lp_now_ms() - INTAKE_DUPLICATE_WINDOW_MS;
    size_t n_ids = 0;
    lp_error_t err;

    lp_error_clear(&err);
    for (int i = 0; found && i < n; i++)
        if (batch[i]->item->link)
            n_ids += (size_t) (n_found[i] = lp_recent_batch_earlier(
                                   recent, (size_t) i, since,
                                   found + (size_t) i * INTAKE_DUPLICATE_CANDIDATES,
                                   INTAKE_DUPLICATE_CANDIDATES));
    if (n_ids == 0)
        goto done;
    ids = calloc(n_ids, sizeof *ids);
    docs = calloc(n_ids, sizeof *docs);
    if (!ids || !docs) {
        lp_error_set(&err, LP_ERR_SYSTEM, NULL, "out of memory");
        goto done;
    }
    n_ids = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n_found[i]; k++) {
            ids[n_ids].value_type = BSON_TYPE_OID;
            bson_oid_copy(&found[(size_t) i * INTAKE_DUPLICATE_CANDIDATES + (size_t) k].id,
                          &ids[n_ids++].value.v_oid);
        }
    bson_t *projection = BCON_NEW("tracking_id", BCON_INT32(1), "title", BCON_INT32(1), "body",
                                  BCON_INT32(1), "status", BCON_INT32(1));
    bool read = lp_store_find_ids(coll, ids, n_ids, projection, docs, &err);
    bson_destroy(projection);
    if (!read)
        goto done;
    /* Oldest first, as before: a resend is linked to the first complaint. */
    for (int i = 0, at = 0; i < n; at += n_found[i++])
        if (n_found[i] > 0)
            s_compare(batch[i]->item, docs + at, n_found[i]);
done:
    if (err.code != LP_ERR_NONE)
        lp_log(LP_LOG_WARN, "duplicate.lookup_failed", "{s:s}", "message", err.message);
    for (size_t i = 0; docs && i < n_ids; i++)
        if (docs[i])
            bson_destroy(docs[i]);
    free(docs);
    free(ids);
    free(found);
}

/* Claims the near-duplicate documents of batch[0..n)'s reporters (see lp_recent.h).
 * NULL when there are none or the database failed (logged: only a hint is lost). */
static lp_recent_batch_t *
s_claim_recent(mongoc_collection_t *index, s_waiter_t **batch, int n, lp_recent_item_t *items)
{
    bool any = false;
    lp_error_t err;

    for (int i = 0; i < n; i++) {
        const intake_commit_item_t *item = batch[i]->item;
        bson_iter_t it;
        items[i] = (lp_recent_item_t){.phone_lookup = item->phone_lookup,
                                      .email_lookup = item->email_lookup,
                                      .at_ms = item->at_ms};
        if (bson_iter_init_find(&it, item->doc, "_id") && BSON_ITER_HOLDS_OID(&it))
            bson_oid_copy(bson_iter_oid(&it), &items[i].id);
        else
            items[i].phone_lookup = items[i].email_lookup = NULL;
        any |= (items[i].phone_lookup && *items[i].phone_lookup) ||
               (items[i].email_lookup && *items[i].email_lookup);
    }
    if (!any)
        return NULL;
    lp_recent_batch_t *recent = lp_recent_batch_new(index, items, (size_t) n, &err);
    if (!recent)
        lp_log(LP_LOG_WARN, "duplicate.lookup_failed", "{s:s}", "message", err.message);
    return recent;
}

/* Writes batch[0..n): the reporters' near-duplicate documents claimed and
 * near-duplicates looked for, then marks, complaints, and the near-duplicate
 * documents that existed rewritten. */
static void
s_write(void *arg, void **items, int n_all)
{
    intake_commit_t *self = arg;
    s_waiter_t **all = (s_waiter_t **) items;
    const char *ids[LP_GROUP_MAX], *events[LP_GROUP_MAX];
    const bson_t *docs[LP_GROUP_MAX];
    lp_store_outcome_t out[LP_GROUP_MAX];
    lp_recent_item_t reporters[LP_GROUP_MAX];
    bool stored[LP_GROUP_MAX] = {false};
    s_waiter_t *batch[LP_GROUP_MAX];
    int where[LP_GROUP_MAX];
    lp_error_t err;
    int n = 0;

    lp_error_clear(&err);
    mongoc_client_t *client = lp_store_pop(self->store);
    mongoc_collection_t *coll = lp_store_collection(self->store, client, LP_COLL_COMPLAINTS);
    mongoc_collection_t *index = lp_store_collection(self->store, client, LP_COLL_REPORTER_RECENT);
    lp_recent_batch_t *recent = s_claim_recent(index, all, n_all, reporters);
    s_link(coll, recent, all, n_all);
    for (int i = 0; i < n_all; i++) {
        const intake_commit_item_t *item = all[i]->item;
        if (item->link && item->link->linked) {
            all[i]->outcome = LP_STORE_DUPLICATE; /* nothing new to write */
            continue;
        }
        where[n] = i;
        batch[n] = all[i];
        ids[n] = item->complaint_id;
        events[n] = item->event_id;
        docs[n++] = item->doc;
    }
    if (n == 0)
        goto done;
    /* Marks first (see lp_outbox.h). The notifier tells the reporter the tracking ID. */
    if (!lp_outbox_mark_many(self->store, ids, events, (size_t) n, lp_transition_submit_stages,
                             LP_TRANSITION_SUBMIT_N_STAGES, lp_now_ms(), &err)) {
        for (int i = 0; i < n; i++) {
            batch[i]->outcome = LP_STORE_FAILED;
            batch[i]->err = err;
        }
        goto done;
    }
    if (!lp_store_insert_many(coll, docs, (size_t) n, out))
        lp_error_set(&err, LP_ERR_DATABASE, NULL, "could not store the complaint");
    for (int i = 0; i < n; i++) {
        batch[i]->outcome = out[i];
        if (out[i] == LP_STORE_FAILED)
            lp_error_set(&batch[i]->err, LP_ERR_DATABASE, NULL, "could not store the complaint");
        stored[where[i]] = out[i] == LP_STORE_INSERTED;
    }
    /* Only after the inserts, so that an entry added to an existing document names
     * a complaint that exists; a failure here only misses a hint, so it is logged. */
    lp_error_clear(&err);
    if (recent && lp_recent_batch_record(recent, stored, &err) != 0)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
done:
    lp_recent_batch_destroy(&recent);
    mongoc_collection_destroy(index);
    mongoc_collection_destroy(coll);
    lp_store_push(self->store, client);
}

lp_store_outcome_t
intake_commit(intake_commit_t *self, const intake_commit_item_t *item, lp_error_t *err)
{
    s_waiter_t me = {.item = item};
    lp_error_clear(&me.err);
    lp_group_write(self->group, &me);
    *err = me.err;
    return me.outcome;
}
