/* lp_group: group commit, the writes of many threads done together.
 *
 * Threads hand over a piece of work and wait. One of them at a time (the first to
 * find no write in progress) does everything waiting, its own or not, in one call
 * of the write function; meanwhile the next pieces gather. Under load a write
 * command is shared by many pieces, and a single piece never waits for company: it
 * is written at once. */
#ifndef LP_GROUP_H
#define LP_GROUP_H

/* Most pieces one call of the write function gets. */
#define LP_GROUP_MAX 50

/* Writes items[0..n) (n <= LP_GROUP_MAX), oldest first, and records each outcome
 * in its item. Called without the group's lock, by one thread at a time. */
typedef void (*lp_group_write_fn)(void *arg, void **items, int n);

typedef struct lp_group_t lp_group_t;

/* A group that writes with fn(arg, ...); NULL when out of memory. */
lp_group_t *lp_group_new(lp_group_write_fn fn, void *arg);
void lp_group_destroy(lp_group_t **self_p);

/* Hands item over and returns once it has been written (by this thread or another). */
void lp_group_write(lp_group_t *self, void *item);

#endif
