/* bench_load: a load generator on libcurl's multi interface: many HTTP clients in
 * one thread, either closed loop (N clients, each sends again as soon as it has an
 * answer) or open loop (requests due at a fixed rate, whatever the answers do). */
#ifndef BENCH_LOAD_H
#define BENCH_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What happened to one request. */
typedef struct {
    double due_ms;    /* Unix ms the request was due (open loop) or sent (closed loop) */
    float latency_ms; /* due -> answer complete; includes waiting for a free client */
    int16_t status;   /* HTTP status; 0: transport error; -1: timed out */
    bool retry_after; /* the answer had a Retry-After header */
    char tid[12];     /* tracking ID of a 201, else "" */
} bench_req_t;

typedef struct {
    const char *url;   /* POSTed to */
    double rate;       /* requests per second; 0: closed loop */
    int clients;       /* closed loop: clients; open loop: most requests in flight */
    double duration_s; /* how long new requests start */
    long timeout_ms;   /* per request */
    const char *label; /* body text prefix, so phases are told apart in the data */
    /* Closed loop only, optional: asked before each new request with the number
     * started so far; false holds the client back until the next check (every few
     * ms or answer). The benchmark uses it to bound the complaints inside the
     * pipeline (answered but not yet notified), which closes the loop end to end. */
    bool (*gate)(void *arg, size_t started);
    void *gate_arg;
} bench_load_opts_t;

typedef struct {
    bench_req_t *reqs; /* one per request started (caller owns; bench_load_result_clear) */
    size_t n, cap;
    size_t not_sent; /* open loop: due in the window but never started (all clients busy) */
    double start_ms; /* Unix ms the window opened */
    double window_s; /* its length */
} bench_load_result_t;

/* Runs one load phase; returns 0, or -1 when it could not run at all (printed).
 * Stops early when bench_stop is set. */
int bench_load_run(const bench_load_opts_t *opts, bench_load_result_t *result);

/* Frees the requests of a result. */
void bench_load_result_clear(bench_load_result_t *result);

/* Counts by outcome. */
typedef struct {
    size_t total, created, shed, shed_retry_after, other_http, errors, timeouts;
} bench_load_counts_t;

void bench_load_count(const bench_load_result_t *result, bench_load_counts_t *counts);

/* 201s whose answer completed inside the window, per second. */
double bench_load_accept_rate(const bench_load_result_t *result);

#endif
