/* lp_loop: the reactor every lapor service runs: one poll over its ZeroMQ sockets,
 * timers for heartbeats and sweepers, and SIGTERM/SIGINT read from a signalfd so a
 * stop request is handled between two pieces of work, never in the middle of one. */
#ifndef LP_LOOP_H
#define LP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#include "lp_bus.h"

typedef struct lp_loop_t lp_loop_t;
typedef void (*lp_loop_socket_fn)(lp_loop_t *loop, lp_bus_socket_t *sock, void *arg);
typedef void (*lp_loop_timer_fn)(lp_loop_t *loop, void *arg);

/* Blocks SIGTERM, SIGINT and SIGPIPE for the whole process: call it before any
 * thread starts, so every thread inherits the mask. NULL on failure. */
lp_loop_t *lp_loop_new(void);

void lp_loop_destroy(lp_loop_t **self_p);

/* Calls fn whenever sock has input. The handler should drain a bounded batch. */
int lp_loop_add_socket(lp_loop_t *self, lp_bus_socket_t *sock, lp_loop_socket_fn fn, void *arg);

/* Calls fn every interval_ms (first call after one interval). */
int lp_loop_add_timer(lp_loop_t *self, int64_t interval_ms, lp_loop_timer_fn fn, void *arg);

/* Runs until a stop signal or lp_loop_stop. Returns the signal number or 0. */
int lp_loop_run(lp_loop_t *self);

void lp_loop_stop(lp_loop_t *self);

/* True when a stop signal arrived (it is taken now, so the loop ends after the
 * current callback). Long batches ask between two pieces of work, so a SIGTERM
 * under load is answered within one piece, not after the whole batch. */
bool lp_loop_should_stop(lp_loop_t *self);

#endif
