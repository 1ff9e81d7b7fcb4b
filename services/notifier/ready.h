/* ready: the notifications this notifier just queued, for its senders.
 *
 * A bounded, thread-safe FIFO of documents. The notifier inserts a message it can
 * send at once already claimed by this instance (state "sending", a lease) and
 * hands the document to its senders here, so a sender neither claims nor reads it
 * again; only when the queue is empty does a sender look for due messages
 * (retries, redrives, messages other processes queued). A document dropped because
 * the queue was full, or lost with the process, is found by the rescan once its
 * lease has run out. */
#ifndef NOTIFIER_READY_H
#define NOTIFIER_READY_H

#include <bson/bson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct notifier_ready_t notifier_ready_t;

/* A queue of at most capacity documents; NULL when out of memory. */
notifier_ready_t *notifier_ready_new(size_t capacity);

/* Frees the queue and the documents still in it; sets *self_p to NULL. Accepts
 * NULL. */
void notifier_ready_destroy(notifier_ready_t **self_p);

/* Adds a copy of doc at the tail. false when the queue is full (it is dropped) or
 * out of memory. */
bool notifier_ready_push(notifier_ready_t *self, const bson_t *doc);

/* Takes the document at the head (the caller destroys it); NULL when the queue is
 * empty. */
bson_t *notifier_ready_pop(notifier_ready_t *self);

/* How many documents wait. */
size_t notifier_ready_size(notifier_ready_t *self);

#endif
