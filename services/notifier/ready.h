/* ready: the ids of notifications this notifier just queued, for its senders.
 *
 * A bounded, thread-safe FIFO of strings. A sender that pops an id claims that one
 * notification by _id, which the local database answers by index; only when the
 * queue is empty does a sender scan for due messages (retries, redrives, messages
 * other processes queued). The queue is only a hint: an id dropped because the
 * queue was full, or lost with the process, is found by that scan. */
#ifndef NOTIFIER_READY_H
#define NOTIFIER_READY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct notifier_ready_t notifier_ready_t;

/* A queue of at most capacity ids; NULL when out of memory. */
notifier_ready_t *notifier_ready_new(size_t capacity);

/* Frees the queue and the ids still in it; sets *self_p to NULL. Accepts NULL. */
void notifier_ready_destroy(notifier_ready_t **self_p);

/* Adds a copy of id at the tail. false when the queue is full (the id is dropped)
 * or out of memory. */
bool notifier_ready_push(notifier_ready_t *self, const char *id);

/* Takes the id at the head into out (size bytes, always terminated). false when
 * the queue is empty. */
bool notifier_ready_pop(notifier_ready_t *self, char *out, size_t size);

/* How many ids wait. */
size_t notifier_ready_size(notifier_ready_t *self);

#endif
