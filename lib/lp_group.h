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

/* Pieces a write must have taken for the next one to linger (lp_group_linger):
 * two together happen at modest rates too, where a wait would only add latency. */
#define LP_GROUP_BUSY 3

/* Under load (the last write took LP_GROUP_BUSY pieces or more), the next writer first
 * waits up to wait_ms for `enough` pieces (at most LP_GROUP_MAX) before it writes:
 * when a command costs far more than a piece in it, a few milliseconds of waiting
 * buy a share of the command for more pieces. A lone piece is still written at
 * once. wait_ms 0 (the default) never waits. Set before the threads start. */
void lp_group_linger(lp_group_t *self, int wait_ms, int enough);

/* Hands item over and returns once it has been written (by this thread or another). */
void lp_group_write(lp_group_t *self, void *item);

#endif
