/* agencies: a small time-limited cache of agency documents (see agencies.h). */
#include "agencies.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"

#define SLOTS 64 /* agencies a province sends webhooks to at once, with room */

typedef struct {
    char id[96];
    bson_t *doc; /* NULL: the agency does not exist */
    int64_t read_at;
    bool used;
} s_slot_t;

struct notifier_agencies_t {
    pthread_mutex_t lock;
    int64_t ttl_ms;
    s_slot_t slots[SLOTS];
};

notifier_agencies_t *
notifier_agencies_new(int64_t ttl_ms)
{
    notifier_agencies_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    pthread_mutex_init(&self->lock, NULL);
    self->ttl_ms = ttl_ms;
    return self;
}

void
notifier_agencies_destroy(notifier_agencies_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    notifier_agencies_t *self = *self_p;
    for (int i = 0; i < SLOTS; i++)
        if (self->slots[i].doc)
            bson_destroy(self->slots[i].doc);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

bson_t *
notifier_agencies_get(notifier_agencies_t *self, mongoc_collection_t *coll, const char *id,
                      lp_error_t *err)
{
    int64_t now = lp_mono_ms();
    bson_t *copy = NULL, *doc = NULL;
    bool hit = false;

    lp_error_clear(err);
    if (strlen(id) >= sizeof self->slots[0].id)
        return NULL; /* no agency has such an id */
    pthread_mutex_lock(&self->lock);
    for (int i = 0; i < SLOTS && !hit; i++) {
        s_slot_t *s = &self->slots[i];
        if (s->used && strcmp(s->id, id) == 0 && now - s->read_at < self->ttl_ms) {
            hit = true;
            copy = s->doc ? bson_copy(s->doc) : NULL;
        }
    }
    pthread_mutex_unlock(&self->lock);
    if (hit)
        return copy;
    /* Read outside the lock: other senders keep going meanwhile. */
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
    doc = lp_store_find_one(coll, filter, NULL, err);
    bson_destroy(filter);
    if (err->code != LP_ERR_NONE)
        return NULL;
    notifier_agencies_put(self, id, doc);
    return doc;
}

void
notifier_agencies_put(notifier_agencies_t *self, const char *id, const bson_t *doc)
{
    if (strlen(id) >= sizeof self->slots[0].id)
        return;
    pthread_mutex_lock(&self->lock);
    s_slot_t *slot = &self->slots[0];
    for (int i = 0; i < SLOTS; i++) {
        s_slot_t *s = &self->slots[i];
        if (s->used && strcmp(s->id, id) == 0) {
            slot = s;
            break;
        }
        if (!s->used || s->read_at < slot->read_at)
            slot = s; /* a free slot, or else the oldest */
    }
    if (slot->doc)
        bson_destroy(slot->doc);
    snprintf(slot->id, sizeof slot->id, "%s", id);
    slot->doc = doc ? bson_copy(doc) : NULL;
    slot->read_at = lp_mono_ms();
    slot->used = true;
    pthread_mutex_unlock(&self->lock);
}
