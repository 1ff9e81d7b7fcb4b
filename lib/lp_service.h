/* lp_service: what every lapor service does the same way: logging, the reactor,
 * the database (waiting for it at start), reference data, the bus with its
 * heartbeat, the HTTP server with /healthz and /metrics, and an orderly stop. */
#ifndef LP_SERVICE_H
#define LP_SERVICE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "lp_bus.h"
#include "lp_config.h"
#include "lp_http.h"
#include "lp_loop.h"
#include "lp_outbox.h"
#include "lp_refdata.h"
#include "lp_store.h"

typedef struct {
    const char *name;
    lp_common_config_t *config;
    lp_loop_t *loop;
    lp_store_t *store;
    lp_bus_t *bus;
    /* NULL unless asked for. Reloaded every minute: readers on other threads load
     * the pointer atomically, and a replaced set is freed only after 10 minutes,
     * longer than any request can hold it (the driver gives up on a socket after
     * 5 minutes). */
    lp_refdata_t *_Atomic refdata;
    struct {
        lp_refdata_t *set;
        int64_t at;
    } retired[64];
    int n_retired;
    lp_http_t *http;
    /* Set before lp_service_serve_http: proxies whose X-Forwarded-For is believed. */
    const char *trusted_proxies;
    /* Set before lp_service_serve_http: streamed uploads (all NULL: none). */
    lp_http_upload_t upload;
    atomic_bool db_ok;      /* last database ping succeeded */
    bool adopted;           /* no work left in the form before marks (lp_outbox_adopt) */
    lp_outbox_acks_t *acks; /* this stage's acknowledgements (lp_service_ack) */
} lp_service_t;

/* Starts logging, the loop, the store (waiting for the database until it answers
 * or a stop signal comes), the indexes, reference data when need_refdata, and the
 * bus. Returns 0, 1 when stopped by a signal while waiting, -1 on a fatal error
 * (already logged). */
int lp_service_start(lp_service_t *svc, const char *name, lp_common_config_t *config,
                     bool need_refdata);

/* Serves HTTP on listen with handler (NULL: only /healthz and /metrics).
 * Returns 0 or -1 (logged). */
int lp_service_serve_http(lp_service_t *svc, const char *listen, lp_http_handler_fn handler,
                          void *arg, unsigned threads, size_t max_body);

/* Runs the loop (with the heartbeat and database ping every 2 s) until SIGTERM. */
int lp_service_run(lp_service_t *svc);

/* Handles n events at once; returns how many it took (the others are retried by
 * the sweeper). */
typedef int (*lp_service_batch_fn)(void *arg, lp_envelope_t **envs, int n);

/* Receives the events waiting on sock and hands them to fn max at a time (max <=
 * LP_SERVICE_BATCH_MAX), so a stage can write them with one command per kind of
 * write instead of one per event; at most `batches` batches, so the loop's timers
 * keep running under load (messages that are not valid envelopes are logged and
 * dropped). Returns how many fn took. */
#define LP_SERVICE_BATCH_MAX 64
int lp_service_drain_batch(lp_service_t *svc, lp_bus_socket_t *sock, lp_service_batch_fn fn,
                           void *arg, int max, int batches);

/* Events gathered for a moment before they are handled. A complaint's submitted
 * and disposed events arrive a few milliseconds apart, and at a steady rate each
 * event would otherwise be a batch of its own: a read of its complaint and a write
 * of each kind. Events wait at most wait_ms (a full batch of max goes at once).
 * What waits when the process dies is found by the sweeper through its marks. */
typedef struct lp_service_gather_t lp_service_gather_t;

/* A gather handing batches of up to max (<= LP_SERVICE_BATCH_MAX) to fn, checked
 * by a timer of svc's loop; NULL when out of memory. Destroy it after the loop. */
lp_service_gather_t *lp_service_gather_new(lp_service_t *svc, lp_service_batch_fn fn, void *arg,
                                           int max, int64_t wait_ms);
void lp_service_gather_destroy(lp_service_gather_t **self_p);

/* Receives the events waiting on sock (a socket handler), handing full batches to
 * fn at once, at most `batches` of them, like lp_service_drain_batch. Returns how
 * many fn took. */
int lp_service_gather(lp_service_gather_t *self, lp_bus_socket_t *sock, int batches);

/* Hands whatever waits to fn now (before a stop). Returns how many fn took. */
int lp_service_gather_flush(lp_service_gather_t *self);

/* Runs stage's sweeper once (lp_outbox_sweep with the service's grace and lease,
 * events missing for full_sweep_ms dropped), and until it is done moves work of
 * the forms before (lp_outbox_adopt); logs what it found. Returns the number of
 * events handed to fn, or -1. */
int lp_service_sweep(lp_service_t *svc, const char *stage, lp_outbox_handler_fn fn, void *arg);

/* Acknowledges the events envs[i] with done[i] for stage: they go to the database
 * within ACK_EVERY_MS (100 ms), together with the others of the moment, and at the
 * latest when the service stops (see lp_outbox_acks_t). Loop thread only. */
void lp_service_ack(lp_service_t *svc, const char *stage, lp_envelope_t **envs, const bool *done,
                    int n);

/* Stops HTTP first (answers in flight finish), then the bus, then the store (after
 * writing the acknowledgements that wait). */
void lp_service_stop(lp_service_t *svc);

#endif
