/* bench_server: the benchmark's own HTTP servers (libmicrohttpd): the webhook
 * receiver that records when each complaint's webhook arrived, and the bare
 * server that answers 201 without doing anything (the raw HTTP limit). */
#ifndef BENCH_SERVER_H
#define BENCH_SERVER_H

#include <stddef.h>

typedef enum {
    BENCH_SERVER_HOOK, /* records tracking ID and arrival time of each POST, answers 200 */
    BENCH_SERVER_BARE  /* answers every request 201 with a fixed small JSON body */
} bench_server_mode_t;

/* One webhook: the complaint's tracking ID and when its body had fully arrived. */
typedef struct {
    char tid[16];
    double at_ms; /* Unix ms */
} bench_hook_t;

typedef struct bench_server_t bench_server_t;

/* Listens on 127.0.0.1:port (0: any free port) with a pool of threads. NULL on failure. */
bench_server_t *bench_server_new(bench_server_mode_t mode, int port, unsigned threads);

/* The port it listens on. */
int bench_server_port(const bench_server_t *self);

/* A copy of the webhooks received so far (caller owns *out; free()). Returns the count. */
size_t bench_server_hooks(bench_server_t *self, bench_hook_t **out);

/* Webhooks received so far, and requests whose body held no tracking ID. */
size_t bench_server_hook_count(bench_server_t *self);
size_t bench_server_bad_count(bench_server_t *self);

/* Stops the server and frees it. Safe with NULL and twice. */
void bench_server_destroy(bench_server_t **self_p);

#endif
