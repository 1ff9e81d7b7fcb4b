/* batch: the notification documents a batch of events makes, before they are
 * inserted together (outbox.c writes them; outbox.c and citizen.c add to them). */
#include "notifier-private.h"

void
notifier_batch_add(notifier_batch_t *batch, bson_t *doc, bool pending)
{
    if (batch->n == NOTIFIER_BATCH_DOCS) { /* cannot happen: at most 4 per event */
        bson_destroy(doc);
        return;
    }
    batch->docs[batch->n] = doc;
    batch->event[batch->n] = batch->current;
    batch->pending[batch->n++] = pending;
}
