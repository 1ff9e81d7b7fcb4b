/* ready: a mutex-protected ring of notification documents. */
#include "ready.h"

#include <pthread.h>
#include <stdlib.h>

struct notifier_ready_t {
    pthread_mutex_t lock;
    bson_t **slots;
    size_t capacity;
    size_t head; /* the oldest document */
    size_t size;
};

notifier_ready_t *
notifier_ready_new(size_t capacity)
{
    notifier_ready_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->capacity = capacity > 0 ? capacity : 1;
    self->slots = calloc(self->capacity, sizeof *self->slots);
    if (!self->slots) {
        free(self);
        return NULL;
    }
    pthread_mutex_init(&self->lock, NULL);
    return self;
}

void
notifier_ready_destroy(notifier_ready_t **self_p)
{
    notifier_ready_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t i = 0; i < self->size; i++)
        bson_destroy(self->slots[(self->head + i) % self->capacity]);
    free(self->slots);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

bool
notifier_ready_push(notifier_ready_t *self, const bson_t *doc)
{
    bson_t *copy = NULL;
    bool ok = false;

    pthread_mutex_lock(&self->lock);
    if (self->size < self->capacity && (copy = bson_copy(doc))) {
        self->slots[(self->head + self->size) % self->capacity] = copy;
        self->size++;
        ok = true;
    }
    pthread_mutex_unlock(&self->lock);
    return ok;
}

bson_t *
notifier_ready_pop(notifier_ready_t *self)
{
    bson_t *doc = NULL;

    pthread_mutex_lock(&self->lock);
    if (self->size > 0) {
        doc = self->slots[self->head];
        self->slots[self->head] = NULL;
        self->head = (self->head + 1) % self->capacity;
        self->size--;
    }
    pthread_mutex_unlock(&self->lock);
    return doc;
}

size_t
notifier_ready_size(notifier_ready_t *self)
{
    size_t n;
    pthread_mutex_lock(&self->lock);
    n = self->size;
    pthread_mutex_unlock(&self->lock);
    return n;
}
