/* ready: a mutex-protected ring of notification ids. */
#include "ready.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct notifier_ready_t {
    pthread_mutex_t lock;
    char **slots;
    size_t capacity;
    size_t head; /* the oldest id */
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
        free(self->slots[(self->head + i) % self->capacity]);
    free(self->slots);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

bool
notifier_ready_push(notifier_ready_t *self, const char *id)
{
    char *copy = NULL;
    bool ok = false;

    pthread_mutex_lock(&self->lock);
    if (self->size < self->capacity && (copy = strdup(id))) {
        self->slots[(self->head + self->size) % self->capacity] = copy;
        self->size++;
        ok = true;
    }
    pthread_mutex_unlock(&self->lock);
    return ok;
}

bool
notifier_ready_pop(notifier_ready_t *self, char *out, size_t size)
{
    char *id = NULL;

    pthread_mutex_lock(&self->lock);
    if (self->size > 0) {
        id = self->slots[self->head];
        self->slots[self->head] = NULL;
        self->head = (self->head + 1) % self->capacity;
        self->size--;
    }
    pthread_mutex_unlock(&self->lock);
    if (!id)
        return false;
    snprintf(out, size, "%s", id);
    free(id);
    return true;
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
