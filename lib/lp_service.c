/* lp_service: start, run and stop, the same way in every service. */
#include "lp_service.h"

#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>
#include <string.h>
#include <zmq.h>

#include "lp_clock.h"
#include "lp_log.h"

#define HEARTBEAT_MS 2000
#define RETIRE_MS (10 * 60 * 1000)

/* Waits ms or until a stop signal; returns -1 on a stop signal. The signals are
 * blocked (lp_loop_new), so a pending one is seen here and read later by the loop. */
static int
s_pause(int ms)
{
    struct timespec ts = {ms / 1000, (long) (ms % 1000) * 1000000L};
    sigset_t pending;
    nanosleep(&ts, NULL);
    sigpending(&pending);
    return sigismember(&pending, SIGTERM) || sigismember(&pending, SIGINT) ? -1 : 0;
}

static void
s_not_found(lp_http_req_t *req, void *arg)
{
    lp_http_reply_error(req, 404, NULL, "no such path");
}

static bool
s_health(void *arg, json_t **detail)
{
    lp_service_t *svc = arg;
    bool ok = atomic_load(&svc->db_ok);
    *detail = json_pack("{s:s,s:s,s:s}", "service", svc->name, "instance", svc->config->instance,
                        "database", ok ? "ok" : "unreachable");
    return ok;
}

/* Loads the reference data into svc. A plain helper because clang refuses `!` on an
 * assignment to an _Atomic pointer. */
static bool
s_load_refdata(lp_service_t *svc, lp_error_t *err)
{
    lp_refdata_t *set = lp_refdata_load(svc->store, err);
    atomic_store(&svc->refdata, set);
    return set != NULL;
}

int
lp_service_start(lp_service_t *svc, const char *name, lp_common_config_t *config, bool need_refdata)
{
    lp_error_t err;
    int attempt = 0;

    memset(svc, 0, sizeof *svc);
    svc->name = name;
    svc->config = config;
    lp_config_default_instance(config, name);
    lp_log_init(name, config->instance);
    if (lp_log_set_level(config->log_level) != 0) {
        lp_log(LP_LOG_ERROR, "config.invalid", "{s:s,s:s}", "field", "log-level", "message",
               "must be debug, info, warn or error");
        return -1;
    }
    svc->loop = lp_loop_new();
    if (!svc->loop) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", "cannot set up signals");
        return -1;
    }
    lp_error_clear(&err);
    svc->store = lp_store_new(config->mongodb_uri, name, &err);
    if (!svc->store) {
        lp_log(LP_LOG_ERROR, "config.invalid", "{s:s,s:s}", "field", err.field, "message",
               err.message);
        return -1;
    }
    /* The database may start after us (or be restarting): wait, do not die. */
    while (!lp_store_ping(svc->store, &err) || !lp_store_ensure_indexes(svc->store, &err) ||
           (need_refdata && !s_load_refdata(svc, &err))) {
        if (attempt++ % 10 == 0)
            lp_log(LP_LOG_WARN, "service.waiting_for_database", "{s:s}", "message", err.message);
        if (s_pause(500) != 0)
            return 1;
    }
    atomic_store(&svc->db_ok, true);
    svc->bus = lp_bus_new(svc->store, name, config->instance, config->bus_bind, &err);
    if (svc->bus && config->curve_key_file && *config->curve_key_file &&
        lp_bus_use_curve(svc->bus, config->curve_key_file, config->curve_allow_dir, &err) != 0)
        lp_bus_destroy(&svc->bus);
    if (!svc->bus) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s}", "message", err.message);
        return -1;
    }
    return 0;
}

int
lp_service_serve_http(lp_service_t *svc, const char *listen, lp_http_handler_fn handler, void *arg,
                      unsigned threads, size_t max_body)
{
    lp_error_t err;
    lp_http_config_t cfg = {
        .listen = listen,
        .max_body = max_body,
        .threads = threads,
        .handler = handler,
        .arg = arg,
        .health = s_health,
        .health_arg = svc,
        .trusted_proxies = svc->trusted_proxies,
        .upload = svc->upload,
    };

    lp_error_clear(&err);
    if (!cfg.handler)
        cfg.handler = s_not_found;
    svc->http = lp_http_new(&cfg, &err);
    if (!svc->http) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s,s:s}", "field", err.field, "message",
               err.message);
        return -1;
    }
    lp_log(LP_LOG_INFO, "http.listening", "{s:s,s:i}", "listen", listen, "port",
           (int) lp_http_port(svc->http));
    return 0;
}

static void
s_heartbeat(lp_loop_t *loop, void *arg)
{
    lp_service_t *svc = arg;
    lp_error_t err;
    bool was_ok = atomic_load(&svc->db_ok);

    lp_error_clear(&err);
    bool ok = lp_bus_tick(svc->bus, &err) == 0;
    atomic_store(&svc->db_ok, ok);
    if (ok != was_ok)
        lp_log(ok ? LP_LOG_INFO : LP_LOG_WARN, ok ? "database.back" : "database.lost", "{s:s}",
               "message", ok ? "ok" : err.message);
}

/* Agencies, rules, keywords and holidays change with `laporctl import`: pick them
 * up without a restart. */
static void
s_reload(lp_loop_t *loop, void *arg)
{
    lp_service_t *svc = arg;
    lp_error_t err;
    lp_error_clear(&err);
    lp_refdata_t *fresh = NULL;
    int64_t now = lp_mono_ms();
    int kept = 0;

    /* Free the sets replaced long enough ago that no request can still hold them. */
    for (int i = 0; i < svc->n_retired; i++) {
        if (now - svc->retired[i].at > RETIRE_MS)
            lp_refdata_destroy(&svc->retired[i].set);
        else
            svc->retired[kept++] = svc->retired[i];
    }
    svc->n_retired = kept;
    if (svc->n_retired == (int) (sizeof svc->retired / sizeof svc->retired[0]))
        return; /* reloading faster than sets can be freed: wait */
    fresh = lp_refdata_load(svc->store, &err);
    if (!fresh) {
        lp_log(LP_LOG_WARN, "refdata.reload_failed", "{s:s}", "message", err.message);
        return;
    }
    svc->retired[svc->n_retired].set = atomic_exchange(&svc->refdata, fresh);
    svc->retired[svc->n_retired].at = now;
    svc->n_retired++;
}

#define ACK_EVERY_MS 100

static void
s_flush_acks(lp_loop_t *loop, void *arg)
{
    lp_service_t *svc = arg;
    if (svc->acks)
        lp_outbox_acks_flush(svc->acks, svc->store);
}

void
lp_service_ack(lp_service_t *svc, const char *stage, lp_envelope_t **envs, const bool *done, int n)
{
    if (!svc->acks)
        svc->acks = lp_outbox_acks_new(stage);
    if (svc->acks) /* else out of memory: the sweeper hands the events over again */
        lp_outbox_acks_add(svc->acks, svc->store, envs, done, n);
}

int
lp_service_run(lp_service_t *svc)
{
    lp_error_t err;
    lp_error_clear(&err);
    if (lp_bus_tick(svc->bus, &err) != 0)
        lp_log(LP_LOG_WARN, "bus.tick_failed", "{s:s}", "message", err.message);
    lp_loop_add_timer(svc->loop, HEARTBEAT_MS, s_heartbeat, svc);
    lp_loop_add_timer(svc->loop, ACK_EVERY_MS, s_flush_acks, svc);
    /* Never faster than a second: a request may hold the previous set that long. */
    if (svc->refdata)
        lp_loop_add_timer(
            svc->loop, svc->config->refdata_every_ms < 1000 ? 1000 : svc->config->refdata_every_ms,
            s_reload, svc);
    lp_log(LP_LOG_INFO, "service.started", NULL);
    return lp_loop_run(svc->loop);
}

void
lp_service_stop(lp_service_t *svc)
{
    lp_http_destroy(&svc->http);
    lp_bus_destroy(&svc->bus);
    if (svc->acks && svc->store)
        lp_outbox_acks_flush(svc->acks, svc->store);
    lp_outbox_acks_destroy(&svc->acks);
    lp_refdata_t *refdata = atomic_exchange(&svc->refdata, NULL);
    lp_refdata_destroy(&refdata);
    for (int i = 0; i < svc->n_retired; i++)
        lp_refdata_destroy(&svc->retired[i].set);
    svc->n_retired = 0;
    lp_store_destroy(&svc->store);
    lp_loop_destroy(&svc->loop);
    mongoc_cleanup();
    lp_log(LP_LOG_INFO, "service.stopped", NULL);
}

/* Wraps a handler so that, once a stop was asked for, events are left for later
 * (another instance or the next start) instead of being worked on. */
typedef struct {
    lp_service_t *svc;
    lp_outbox_handler_fn fn;
    void *arg;
} s_guard_t;

static int
s_guarded(void *arg, lp_envelope_t *env)
{
    s_guard_t *g = arg;
    return lp_loop_should_stop(g->svc->loop) ? LP_OUTBOX_STOPPING : g->fn(g->arg, env);
}

/* Receives up to max events from sock into envs (n so far, grown); *got counts
 * the messages taken, valid or not. */
static int
s_receive(lp_service_t *svc, lp_bus_socket_t *sock, lp_envelope_t **envs, int n, int max, int *got)
{
    *got = 0;
    while (n < max && !lp_loop_should_stop(svc->loop)) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (lp_bus_recv(sock, &msg) != 0) {
            zmq_msg_close(&msg);
            break;
        }
        (*got)++;
        envs[n] = lp_event_unpack(zmq_msg_data(&msg), zmq_msg_size(&msg));
        if (!envs[n])
            lp_log(LP_LOG_WARN, "bus.bad_message", "{s:i}", "bytes", (int) zmq_msg_size(&msg));
        else
            n++;
        zmq_msg_close(&msg);
    }
    return n;
}

/* Hands envs[0..n) to fn and frees them. Returns how many fn took. */
static int
s_hand(lp_service_batch_fn fn, void *arg, lp_envelope_t **envs, int n)
{
    int handled = n > 0 ? fn(arg, envs, n) : 0;
    for (int i = 0; i < n; i++)
        lp_event_free(&envs[i]);
    return handled;
}

/* One batch of lp_service_drain_batch: up to max events; *full when it got max. */
static int
s_drain_one(lp_service_t *svc, lp_bus_socket_t *sock, lp_service_batch_fn fn, void *arg, int max,
            bool *full)
{
    lp_envelope_t *envs[LP_SERVICE_BATCH_MAX];
    int got = 0, n = s_receive(svc, sock, envs, 0, max, &got);
    *full = got >= max;
    return s_hand(fn, arg, envs, n);
}

struct lp_service_gather_t {
    lp_service_t *svc;
    lp_service_batch_fn fn;
    void *arg;
    int max;
    int64_t wait_ms;
    int64_t first_at; /* lp_mono_ms when the oldest waiting event came */
    int n;
    lp_envelope_t *envs[LP_SERVICE_BATCH_MAX];
};

static void
s_gather_tick(lp_loop_t *loop, void *arg)
{
    lp_service_gather_t *self = arg;
    if (self->n > 0 && lp_mono_ms() - self->first_at >= self->wait_ms)
        lp_service_gather_flush(self);
}

lp_service_gather_t *
lp_service_gather_new(lp_service_t *svc, lp_service_batch_fn fn, void *arg, int max,
                      int64_t wait_ms)
{
    lp_service_gather_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->svc = svc;
    self->fn = fn;
    self->arg = arg;
    self->max = max < 1 || max > LP_SERVICE_BATCH_MAX ? LP_SERVICE_BATCH_MAX : max;
    self->wait_ms = wait_ms < 1 ? 1 : wait_ms;
    /* Checked twice per wait: an event waits between wait_ms and 1.5 times it. */
    if (lp_loop_add_timer(svc->loop, self->wait_ms / 2 > 0 ? self->wait_ms / 2 : 1, s_gather_tick,
                          self) != 0) {
        free(self);
        return NULL;
    }
    return self;
}

void
lp_service_gather_destroy(lp_service_gather_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    lp_service_gather_t *self = *self_p;
    for (int i = 0; i < self->n; i++)
        lp_event_free(&self->envs[i]);
    free(self);
    *self_p = NULL;
}

int
lp_service_gather_flush(lp_service_gather_t *self)
{
    int n = self->n;
    self->n = 0;
    return s_hand(self->fn, self->arg, self->envs, n);
}

int
lp_service_gather(lp_service_gather_t *self, lp_bus_socket_t *sock, int batches)
{
    int handled = 0, got = 0;
    do {
        int before = self->n;
        self->n = s_receive(self->svc, sock, self->envs, self->n, self->max, &got);
        if (before == 0 && self->n > 0)
            self->first_at = lp_mono_ms();
        if (self->n == self->max)
            handled += lp_service_gather_flush(self);
        else
            break; /* the socket is empty: the rest waits for company */
    } while (--batches > 0);
    return handled;
}

int
lp_service_drain_batch(lp_service_t *svc, lp_bus_socket_t *sock, lp_service_batch_fn fn, void *arg,
                       int max, int batches)
{
    bool full = true;
    int handled = 0;

    if (max > LP_SERVICE_BATCH_MAX)
        max = LP_SERVICE_BATCH_MAX;
    for (int i = 0; i < batches && full && !lp_loop_should_stop(svc->loop); i++)
        handled += s_drain_one(svc, sock, fn, arg, max, &full);
    return handled;
}

int
lp_service_sweep(lp_service_t *svc, const char *stage, lp_outbox_handler_fn fn, void *arg)
{
    lp_error_t err;
    lp_error_clear(&err);
    s_guard_t guard = {svc, fn, arg};
    int n;
    if (!svc->adopted) {
        /* Work left in the form before marks held it (an upgrade), a chunk a time. */
        n = lp_outbox_adopt(svc->store, stage, LP_STORE_BULK_MAX, &err);
        svc->adopted = n >= 0 && n < LP_STORE_BULK_MAX;
        if (n > 0)
            lp_log(LP_LOG_INFO, "outbox.adopted", "{s:s,s:i}", "stage", stage, "complaints", n);
        lp_error_clear(&err);
    }
    /* An event missing from its complaint for full_sweep_ms is taken as never
     * written: no write waits that long. */
    n = lp_outbox_sweep(svc->store, stage, svc->config->instance, svc->config->grace_ms,
                        svc->config->lease_ms, svc->config->full_sweep_ms, LP_OUTBOX_SWEEP_MAX,
                        s_guarded, &guard, &err);
    if (n > 0)
        lp_log(LP_LOG_INFO, "sweep.handled", "{s:s,s:i}", "stage", stage, "events", n);
    else if (n < 0)
        lp_log(LP_LOG_WARN, "sweep.failed", "{s:s,s:s}", "stage", stage, "message", err.message);
    return n;
}
