/* lp_ratelimit: token buckets keyed by a string (an IP address, a hashed phone
 * number), shared by all threads, in memory that never grows.
 *
 * Each key may take `burst` requests at once and then `per_minute` a minute. The
 * table holds at most max_keys keys, allocated up front: a new key beyond that
 * takes the place of the key used least recently, so a client with many addresses
 * cannot make it grow (at worst it makes the limiter forget an idle key, which then
 * starts again with a full bucket). Time is passed in, so tests need no clock. */
#ifndef LP_RATELIMIT_H
#define LP_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lp_ratelimit_t lp_ratelimit_t;

/* Keys longer than this are told apart by a keyed hash of the whole key. */
#define LP_RATELIMIT_KEY_MAX 63

/* Returns a limiter, or NULL when out of memory or when per_minute <= 0,
 * burst < 1 or max_keys is 0 or above 2^31. */
lp_ratelimit_t *lp_ratelimit_new(double per_minute, double burst, size_t max_keys);

/* Frees the limiter and sets *self_p to NULL. Accepts NULL. */
void lp_ratelimit_destroy(lp_ratelimit_t **self_p);

/* Takes one token from key's bucket at now_ms (any monotonic milliseconds).
 * Returns true when the request may go ahead. Returns false when the bucket is
 * empty and then sets *retry_after_ms (when not NULL) to the wait, at least 1 ms,
 * until a token is back. Thread-safe. */
bool lp_ratelimit_take(lp_ratelimit_t *self, const char *key, int64_t now_ms,
                       int64_t *retry_after_ms);

/* How many keys the table holds now (at most max_keys). Thread-safe. */
size_t lp_ratelimit_size(lp_ratelimit_t *self);

#endif
