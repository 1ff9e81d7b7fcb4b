/* lp_group: group commit (see lp_group.h). */
#include "lp_group.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct s_waiter {
    void *item;
    bool done;
    struct s_waiter *next;
} s_waiter_t;

struct lp_group_t {
    lp_group_write_fn fn;
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    s_waiter_t *head, *tail; /* waiting to be written, oldest first */
    bool writing;
};

lp_group_t *
lp_group_new(lp_group_write_fn fn, void *arg)
{
    lp_group_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->fn = fn;
    self->arg = arg;
    pthread_mutex_init(&self->lock, NULL);
    pthread_cond_init(&self->cond, NULL);
    return self;
}

void
lp_group_destroy(lp_group_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    lp_group_t *self = *self_p;
    pthread_cond_destroy(&self->cond);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

void
lp_group_write(lp_group_t *self, void *item)
{
    s_waiter_t me = {.item = item};

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
        s_waiter_t *batch[LP_GROUP_MAX];
        void *items[LP_GROUP_MAX];
        int n = 0;
        while (self->head && n < LP_GROUP_MAX) {
            batch[n] = self->head;
            items[n++] = self->head->item;
            self->head = self->head->next;
        }
        if (!self->head)
            self->tail = NULL;
        self->writing = true;
        pthread_mutex_unlock(&self->lock);
        self->fn(self->arg, items, n);
        pthread_mutex_lock(&self->lock);
        for (int i = 0; i < n; i++)
            batch[i]->done = true;
        self->writing = false;
        pthread_cond_broadcast(&self->cond);
    }
    pthread_mutex_unlock(&self->lock);
}
