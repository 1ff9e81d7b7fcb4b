/* lp_ratelimit: a fixed table of token buckets with a hash index and an LRU list. */
#include "lp_ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

typedef struct {
    uint64_t hash;                      /* keyed hash of the whole key */
    char key[LP_RATELIMIT_KEY_MAX + 1]; /* the key, cut at LP_RATELIMIT_KEY_MAX */
    double tokens;
    int64_t last_ms;
    uint32_t next;         /* next bucket in the same hash chain */
    uint32_t older, newer; /* neighbours in the LRU list */
} s_bucket_t;

struct lp_ratelimit_t {
    pthread_mutex_t lock;
    double per_ms;
    double burst;
    size_t max_keys;
    size_t used;
    s_bucket_t *buckets; /* max_keys of them */
    uint32_t *heads;     /* hash chains, mask + 1 of them */
    uint64_t mask;
    uint32_t oldest, newest;
    /* A secret hash key, so nobody can pick addresses that share one chain. */
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
};

lp_ratelimit_t *
lp_ratelimit_new(double per_minute, double burst, size_t max_keys)
{
    lp_ratelimit_t *self = NULL;
    size_t n_heads = 1;

    if (!(per_minute > 0) || !(burst >= 1) || max_keys == 0 || max_keys > (1u << 31))
        return NULL;
    if (sodium_init() < 0)
        return NULL;
    while (n_heads < 2 * max_keys)
        n_heads *= 2;
    self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->buckets = calloc(max_keys, sizeof *self->buckets);
    self->heads = malloc(n_heads * sizeof *self->heads);
    if (!self->buckets || !self->heads || pthread_mutex_init(&self->lock, NULL) != 0) {
        free(self->buckets);
        free(self->heads);
        free(self);
        return NULL;
    }
    for (size_t i = 0; i < n_heads; i++)
        self->heads[i] = NIL;
    self->mask = n_heads - 1;
    self->per_ms = per_minute / 60000.0;
    self->burst = burst;
    self->max_keys = max_keys;
    self->oldest = self->newest = NIL;
    randombytes_buf(self->hash_key, sizeof self->hash_key);
    return self;
}

void
lp_ratelimit_destroy(lp_ratelimit_t **self_p)
{
    lp_ratelimit_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    pthread_mutex_destroy(&self->lock);
    free(self->buckets);
    free(self->heads);
    free(self);
    *self_p = NULL;
}

/* -------------------------------------------------------------------------- */
/* The LRU list and the hash chains (called with the lock held)                */

static void
s_lru_unlink(lp_ratelimit_t *self, uint32_t i)
{
    s_bucket_t *b = &self->buckets[i];
    if (b->older != NIL)
        self->buckets[b->older].newer = b->newer;
    else
        self->oldest = b->newer;
    if (b->newer != NIL)
        self->buckets[b->newer].older = b->older;
    else
        self->newest = b->older;
    b->older = b->newer = NIL;
}

static void
s_lru_push_newest(lp_ratelimit_t *self, uint32_t i)
{
    s_bucket_t *b = &self->buckets[i];
    b->older = self->newest;
    b->newer = NIL;
    if (self->newest != NIL)
        self->buckets[self->newest].newer = i;
    else
        self->oldest = i;
    self->newest = i;
}

static void
s_chain_unlink(lp_ratelimit_t *self, uint32_t i)
{
    uint32_t *link = &self->heads[self->buckets[i].hash & self->mask];
    while (*link != NIL && *link != i)
        link = &self->buckets[*link].next;
    if (*link == i)
        *link = self->buckets[i].next;
}

/* The bucket of key: found, or made (taking the place of the oldest when full). */
static s_bucket_t *
s_bucket(lp_ratelimit_t *self, const char *key, int64_t now_ms)
{
    uint64_t hash = 0;
    uint32_t i = NIL;
    s_bucket_t *b = NULL;

    crypto_shorthash((unsigned char *) &hash, (const unsigned char *) key, strlen(key),
                     self->hash_key);
    for (i = self->heads[hash & self->mask]; i != NIL; i = self->buckets[i].next) {
        b = &self->buckets[i];
        if (b->hash == hash && strncmp(b->key, key, LP_RATELIMIT_KEY_MAX) == 0) {
            s_lru_unlink(self, i);
            s_lru_push_newest(self, i);
            return b;
        }
    }
    if (self->used < self->max_keys)
        i = (uint32_t) self->used++;
    else {
        /* The least recently used bucket has most likely refilled already, so
         * forgetting it changes nothing for its owner. */
        i = self->oldest;
        s_lru_unlink(self, i);
        s_chain_unlink(self, i);
    }
    b = &self->buckets[i];
    b->hash = hash;
    snprintf(b->key, sizeof b->key, "%s", key);
    b->tokens = self->burst;
    b->last_ms = now_ms;
    b->next = self->heads[hash & self->mask];
    self->heads[hash & self->mask] = i;
    s_lru_push_newest(self, i);
    return b;
}

/* -------------------------------------------------------------------------- */

bool
lp_ratelimit_take(lp_ratelimit_t *self, const char *key, int64_t now_ms, int64_t *retry_after_ms)
{
    s_bucket_t *b = NULL;
    bool allowed = false;

    pthread_mutex_lock(&self->lock);
    b = s_bucket(self, key ? key : "", now_ms);
    /* A clock that went back refills nothing. */
    if (now_ms > b->last_ms) {
        b->tokens = fmin(self->burst, b->tokens + (double) (now_ms - b->last_ms) * self->per_ms);
        b->last_ms = now_ms;
    }
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
        allowed = true;
    }
    else if (retry_after_ms) {
        /* The small subtraction keeps rounding error from adding a millisecond. */
        double wait = ceil((1.0 - b->tokens) / self->per_ms - 1e-6);
        *retry_after_ms = wait < 1 ? 1 : (int64_t) wait;
    }
    pthread_mutex_unlock(&self->lock);
    return allowed;
}

size_t
lp_ratelimit_size(lp_ratelimit_t *self)
{
    size_t n = 0;
    pthread_mutex_lock(&self->lock);
    n = self->used;
    pthread_mutex_unlock(&self->lock);
    return n;
}
