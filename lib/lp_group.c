/* lp_group: group commit (see lp_group.h). */
#include "lp_group.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "lp_clock.h"

typedef struct s_waiter {
    void *item;
    bool done;
    struct s_waiter *next;
} s_waiter_t;

struct lp_group_t {
    lp_group_write_fn fn;
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t written;  /* a write ended */
    pthread_cond_t filled;   /* enough pieces wait for the lingering writer */
    s_waiter_t *head, *tail; /* waiting to be written, oldest first */
    int waiting;             /* pieces in that list */
    int last;                /* pieces the last write took */
    int wait_ms, enough;     /* lp_group_linger */
    bool writing, lingering;
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
    pthread_cond_init(&self->written, NULL);
    /* The linger's deadline must not move with the wall clock. */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&self->filled, &attr);
    pthread_condattr_destroy(&attr);
    return self;
}

void
lp_group_destroy(lp_group_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    lp_group_t *self = *self_p;
    pthread_cond_destroy(&self->filled);
    pthread_cond_destroy(&self->written);
    pthread_mutex_destroy(&self->lock);
    free(self);
    *self_p = NULL;
}

void
lp_group_linger(lp_group_t *self, int wait_ms, int enough)
{
    self->wait_ms = wait_ms > 0 ? wait_ms : 0;
    self->enough = enough < 2 ? 2 : enough > LP_GROUP_MAX ? LP_GROUP_MAX : enough;
}

/* Waits (with the lock) until enough pieces wait or wait_ms have passed. */
static void
s_linger(lp_group_t *self)
{
    struct timespec until = lp_clock_after(CLOCK_MONOTONIC, self->wait_ms);
    self->lingering = true;
    while (self->waiting < self->enough &&
           pthread_cond_timedwait(&self->filled, &self->lock, &until) != ETIMEDOUT)
        ;
    self->lingering = false;
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
    if (++self->waiting >= self->enough && self->lingering)
        pthread_cond_signal(&self->filled);
    while (!me.done) {
        if (self->writing) {
            pthread_cond_wait(&self->written, &self->lock);
            continue;
        }
        /* Nobody is writing: this thread writes what waits, its own or not. */
        self->writing = true;
        if (self->wait_ms > 0 && self->last >= LP_GROUP_BUSY)
            s_linger(self);
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
        self->waiting -= n;
        self->last = n;
        pthread_mutex_unlock(&self->lock);
        self->fn(self->arg, items, n);
        pthread_mutex_lock(&self->lock);
        for (int i = 0; i < n; i++)
            batch[i]->done = true;
        self->writing = false;
        pthread_cond_broadcast(&self->written);
    }
    pthread_mutex_unlock(&self->lock);
}
