/* lapor-bench: starts a private lapor, finds its highest sustained rate, measures
 * latency at 50 % and 90 % of it, a 10x burst, CPU and memory per service, and the
 * raw limits of the same machine (libmongoc inserts, bare libmicrohttpd, ZeroMQ). */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <mongoc/mongoc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_db.h"
#include "bench_load.h"
#include "bench_server.h"
#include "bench_sys.h"
#include "bench_util.h"
#include "bench_zmq.h"
#include "lp_config.h"

#define BENCH_SECRET "bench-secret-0123456789"
#define BENCH_BURST_FACTOR 10.0
#define BENCH_BURST_INFLIGHT 500
#define BENCH_MB(kib) ((double) (kib) / 1024.0)

/* Agencies the three complaint kinds of bench_load.c are routed to. */
static const char *const s_agencies[] = {"paser-dinkes", "samarinda-dinkes", "paser-dpupr", NULL};

/* Issue 10's targets. */
#define TARGET_E2E_VS_BATCH 0.5
#define TARGET_E2E_VS_SINGLE 1.0
#define TARGET_P99_DISPOSED_MS 50.0
#define TARGET_ACCEPT_VS_BARE 0.5
#define TARGET_RSS_MB 30.0

typedef struct {
    long duration_s, paced_s, burst_s, raw_s, clients, drain_s, pipeline, rate;
    bool no_raw, no_burst, no_accept, keep;
    const char *build_dir, *repo_dir;
} s_config_t;

typedef struct {
    double insert_one, insert_many, bare_http, zmq;
    double insert_one_beside; /* insert_one while the services run idle */
    size_t zmq_bytes;
} s_raw_t;

/* One load phase and what it led to. */
typedef struct {
    const char *name;
    double target_rate; /* 0: closed loop */
    bench_load_result_t load;
    bench_load_counts_t counts;
    double accepted, disposed, notified; /* per second, inside the window */
    double lat_accept[3], lat_disposed[3], lat_notified[3];
    double cpu_ms[BENCH_PROC_COUNT];
    double machine_ms, self_ms;
    double drain_s;
    bool drained;
    size_t lost, not_disposed, not_notified;
} s_phase_t;

typedef struct {
    s_config_t cfg;
    bench_sys_t *sys;
    bench_server_t *hooks;
    s_raw_t raw;
    size_t created_total; /* 201s over all phases so far */
    s_phase_t max, p50, p90, burst;
    long hwm_kib[BENCH_PROC_COUNT];
    double idle_cpu_pct[BENCH_PROC_COUNT]; /* % of one core while idle */
    size_t duplicate_hooks;
    size_t hooks_at_start; /* webhooks before the current phase */
    /* Intake's accept path alone: intake restarted with unacknowledged writes (w=0),
     * so the database does not bound the answer. */
    bench_load_result_t accept_load;
    double accept_w0;       /* 201s per second; 0: not measured */
    double accept_landed_s; /* after the phase until every 201 was in the database */
    size_t accept_missing;  /* 201s not in the database ACCEPT_LAND_S after the phase */
} s_bench_t;

static void
s_on_signal(int sig)
{
    bench_stop = 1;
}

/* FerretDB v1 does not know endSessions, which the driver sends when a client goes:
 * that warning says nothing here. */
static void
s_driver_log(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
    if (level <= MONGOC_LOG_LEVEL_WARNING && !strstr(message, "endSessions"))
        fprintf(stderr, "bench: mongoc %s: %s\n", domain, message);
}

static double
s_self_cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

/* -------------------------------------------------------------------------------------
 * Raw limits */

/* A raw limit is the most this machine did: the best of BENCH_RAW_ROUNDS rounds, so
 * that a slow moment of the machine (a bare libmicrohttpd round once measured a
 * sixth of the others) does not pass for the limit. */
#define BENCH_RAW_ROUNDS 3

static void
s_measure_raw(s_bench_t *b)
{
    double secs = (double) b->cfg.raw_s;
    bench_server_t *bare = NULL;
    bench_load_result_t load;

    printf("measuring raw limits (%ld s each, the best of %d rounds) ...\n", b->cfg.raw_s,
           BENCH_RAW_ROUNDS);
    fflush(stdout);
    b->raw.insert_one = b->raw.insert_many = b->raw.bare_http = -1;
    for (int round = 0; round < BENCH_RAW_ROUNDS; round++) {
        b->raw.insert_one =
            fmax(b->raw.insert_one, bench_db_raw_insert(bench_sys_mongodb_uri(b->sys), 1, secs));
        b->raw.insert_many =
            fmax(b->raw.insert_many, bench_db_raw_insert(bench_sys_mongodb_uri(b->sys), 100, secs));
    }
    b->raw.zmq = bench_zmq_pushpull(secs < 2 ? secs : 2, &b->raw.zmq_bytes);
    /* The same thread count as intake's default (LAPOR_INTAKE_THREADS). */
    bare = bench_server_new(BENCH_SERVER_BARE, 0, 16);
    if (bare) {
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/api/v1/complaints", bench_server_port(bare));
        bench_load_opts_t o = {.url = url,
                               .clients = (int) b->cfg.clients,
                               .duration_s = secs,
                               .timeout_ms = 10000,
                               .label = "bare"};
        for (int round = 0; round < BENCH_RAW_ROUNDS; round++) {
            if (bench_load_run(&o, &load) == 0)
                b->raw.bare_http = fmax(b->raw.bare_http, bench_load_accept_rate(&load));
            bench_load_result_clear(&load);
        }
        bench_server_destroy(&bare);
    }
}

/* What the services cost while no complaint arrives: CPU of each process over a
 * few seconds, and a raw insert_one rate measured beside them. */
static void
s_measure_idle(s_bench_t *b)
{
    double cpu0[BENCH_PROC_COUNT], start = bench_mono_ms(), secs = (double) b->cfg.raw_s;

    printf("measuring the idle system (%ld s) ...\n", b->cfg.raw_s);
    fflush(stdout);
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        cpu0[i] = bench_proc_cpu_ms(bench_sys_pid(b->sys, (bench_proc_t) i));
    bench_sleep_ms(secs * 1e3);
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        b->idle_cpu_pct[i] =
            (bench_proc_cpu_ms(bench_sys_pid(b->sys, (bench_proc_t) i)) - cpu0[i]) * 100.0 /
            (bench_mono_ms() - start);
    if (!b->cfg.no_raw)
        b->raw.insert_one_beside = bench_db_raw_insert(bench_sys_mongodb_uri(b->sys), 1, secs);
}

/* -------------------------------------------------------------------------------------
 * Phases */

static int
s_cmp_hook(const void *a, const void *b)
{
    const bench_hook_t *x = a, *y = b;
    int c = strcmp(x->tid, y->tid);
    return c ? c : (x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms);
}

/* Keeps the first webhook of each tracking ID; returns how many were dropped. */
static size_t
s_first_hooks(bench_hook_t *hooks, size_t *n)
{
    size_t out = 0;
    if (*n == 0)
        return 0;
    qsort(hooks, *n, sizeof *hooks, s_cmp_hook);
    for (size_t i = 0; i < *n; i++)
        if (out == 0 || strcmp(hooks[out - 1].tid, hooks[i].tid) != 0)
            hooks[out++] = hooks[i];
    size_t dropped = *n - out;
    *n = out;
    return dropped;
}

static const bench_hook_t *
s_find_hook(const bench_hook_t *hooks, size_t n, const char *tid)
{
    bench_hook_t key;
    memset(&key, 0, sizeof key);
    snprintf(key.tid, sizeof key.tid, "%s", tid);
    key.at_ms = -1;
    /* First element not less than key. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s_cmp_hook(&hooks[mid], &key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(hooks[lo].tid, tid) == 0 ? &hooks[lo] : NULL;
}

/* The end-to-end closed loop: a new complaint only while fewer than `pipeline`
 * complaints are between the request and their webhook. */
static bool
s_gate(void *arg, size_t started)
{
    s_bench_t *b = arg;
    size_t done = bench_server_hook_count(b->hooks) - b->hooks_at_start;
    return started < done + (size_t) b->cfg.pipeline;
}

/* Waits until a webhook came for every 201 so far, at most drain_s seconds. */
static void
s_drain(s_bench_t *b, s_phase_t *ph)
{
    double start = bench_mono_ms(), limit = (double) b->cfg.drain_s * 1e3;
    ph->drained = false;
    while (!bench_stop && bench_mono_ms() - start < limit) {
        if (bench_server_hook_count(b->hooks) >= b->created_total) {
            ph->drained = true;
            break;
        }
        bench_sleep_ms(100);
    }
    ph->drain_s = (bench_mono_ms() - start) / 1e3;
}

/* Matches the phase's 201s with the database and the webhooks. */
static int
s_analyse(s_bench_t *b, s_phase_t *ph)
{
    bench_doc_t *docs = NULL;
    bench_hook_t *hooks = NULL;
    long ndocs = bench_db_complaints(bench_sys_mongodb_uri(b->sys), &docs);
    size_t nhooks = bench_server_hooks(b->hooks, &hooks);
    double start = ph->load.start_ms, end = start + ph->load.window_s * 1e3;
    double *acc = NULL, *dis = NULL, *not = NULL;
    size_t nacc = 0, ndis = 0, nnot = 0, in_dis = 0, in_not = 0;

    if (ndocs < 0 || !hooks) {
        free(docs);
        free(hooks);
        return -1;
    }
    b->duplicate_hooks = s_first_hooks(hooks, &nhooks);
    acc = calloc(ph->load.n + 1, sizeof *acc);
    dis = calloc(ph->load.n + 1, sizeof *dis);
    not = calloc(ph->load.n + 1, sizeof *not );
    ph->lost = ph->not_disposed = ph->not_notified = 0;
    for (size_t i = 0; acc && dis && not &&i < ph->load.n; i++) {
        const bench_req_t *r = &ph->load.reqs[i];
        const bench_doc_t *d = NULL;
        const bench_hook_t *h = NULL;
        if (r->status != 201)
            continue;
        acc[nacc++] = r->latency_ms;
        d = bench_db_find(docs, (size_t) ndocs, r->tid);
        if (!d) {
            ph->lost++;
            continue;
        }
        if (d->disposed_ms > 0) {
            dis[ndis++] = d->disposed_ms - r->due_ms;
            in_dis += d->disposed_ms >= start && d->disposed_ms <= end;
        }
        else
            ph->not_disposed++;
        h = s_find_hook(hooks, nhooks, r->tid);
        if (h) {
            not [nnot++] = h->at_ms - r->due_ms;
            in_not += h->at_ms >= start && h->at_ms <= end;
        }
        else
            ph->not_notified++;
    }
    ph->accepted = bench_load_accept_rate(&ph->load);
    ph->disposed = ph->load.window_s > 0 ? (double) in_dis / ph->load.window_s : 0;
    ph->notified = ph->load.window_s > 0 ? (double) in_not / ph->load.window_s : 0;
    bench_percentiles(acc, nacc, ph->lat_accept);
    bench_percentiles(dis, ndis, ph->lat_disposed);
    bench_percentiles(not, nnot, ph->lat_notified);
    free(acc);
    free(dis);
    free(not );
    free(docs);
    free(hooks);
    return 0;
}

/* How long the last phase waits for intake's unacknowledged writes to land. */
#define ACCEPT_LAND_S 120

/* How many of the 201s of load are not (yet) in the database; -1 when it cannot read. */
static long
s_missing(const char *uri, const bench_load_result_t *load)
{
    bench_doc_t *docs = NULL;
    long n = bench_db_complaints(uri, &docs), missing = 0;
    for (size_t i = 0; n >= 0 && i < load->n; i++)
        if (load->reqs[i].status == 201 && !bench_db_find(docs, (size_t) n, load->reqs[i].tid))
            missing++;
    free(docs);
    return n < 0 ? -1 : missing;
}

/* The last phase: intake alone, restarted with w=0 (nothing waits for the database
 * to acknowledge a write), driven closed loop like the max run without the pipeline
 * gate. Its writes then wait in intake's sockets while the database catches up; the
 * phase waits until every 201 is in the database (intake keeps running), which also
 * lets intake stop at once afterwards. */
static void
s_measure_accept(s_bench_t *b)
{
    bench_load_opts_t o = {.url = bench_sys_submit_url(b->sys),
                           .clients = (int) b->cfg.clients,
                           .duration_s = (double) b->cfg.raw_s,
                           .timeout_ms = 15000,
                           .label = "accept"};

    printf("phase accept: intake alone with unacknowledged writes (w=0), closed loop, %ld "
           "clients, %ld s ...\n",
           b->cfg.clients, b->cfg.raw_s);
    fflush(stdout);
    if (bench_sys_restart(b->sys, BENCH_PROC_INTAKE, "w=0") != 0)
        return;
    if (bench_load_run(&o, &b->accept_load) == 0)
        b->accept_w0 = bench_load_accept_rate(&b->accept_load);
    double end = bench_mono_ms();
    long missing = -1;
    while (b->accept_w0 > 0 && !bench_stop &&
           (missing = s_missing(bench_sys_mongodb_uri(b->sys), &b->accept_load)) != 0 &&
           bench_mono_ms() - end < ACCEPT_LAND_S * 1e3)
        bench_sleep_ms(500);
    b->accept_landed_s = (bench_mono_ms() - end) / 1e3;
    b->accept_missing = missing > 0 ? (size_t) missing : 0;
    long hwm = bench_proc_hwm_kib(bench_sys_pid(b->sys, BENCH_PROC_INTAKE));
    if (hwm > b->hwm_kib[BENCH_PROC_INTAKE])
        b->hwm_kib[BENCH_PROC_INTAKE] = hwm;
}

/* Runs one phase: load, then drain, with CPU counted from the start of the load to
 * the end of the drain (so work left behind by the load is charged to it). */
static int
s_phase(s_bench_t *b, s_phase_t *ph, const char *name, double rate, long clients, double secs,
        long timeout_ms)
{
    double cpu0[BENCH_PROC_COUNT], machine0 = bench_machine_busy_ms(), self0 = s_self_cpu_ms();
    bench_load_opts_t o = {.url = bench_sys_submit_url(b->sys),
                           .rate = rate,
                           .clients = (int) clients,
                           .duration_s = secs,
                           .timeout_ms = timeout_ms,
                           .label = name,
                           .gate = rate > 0 ? NULL : s_gate,
                           .gate_arg = b};

    ph->name = name;
    b->hooks_at_start = bench_server_hook_count(b->hooks);
    ph->target_rate = rate;
    if (rate > 0)
        printf("phase %-5s open loop at %.0f/s for %.0f s (at most %ld in flight) ...\n", name,
               rate, secs, clients);
    else
        printf("phase %-5s closed loop, %ld clients, at most %ld complaints in the pipeline, "
               "%.0f s ...\n",
               name, clients, b->cfg.pipeline, secs);
    fflush(stdout);
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        cpu0[i] = bench_proc_cpu_ms(bench_sys_pid(b->sys, (bench_proc_t) i));
    if (bench_load_run(&o, &ph->load) != 0)
        return -1;
    bench_load_count(&ph->load, &ph->counts);
    b->created_total += ph->counts.created;
    s_drain(b, ph);
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        ph->cpu_ms[i] = bench_proc_cpu_ms(bench_sys_pid(b->sys, (bench_proc_t) i)) - cpu0[i];
    ph->machine_ms = bench_machine_busy_ms() - machine0;
    ph->self_ms = s_self_cpu_ms() - self0;
    if (!bench_sys_alive(b->sys))
        return -1;
    return s_analyse(b, ph);
}

/* The highest rate every stage kept up with in the closed-loop run. */
static double
s_sustained(const s_phase_t *ph)
{
    double r = ph->accepted;
    if (ph->disposed < r)
        r = ph->disposed;
    if (ph->notified < r)
        r = ph->notified;
    return r;
}

/* -------------------------------------------------------------------------------------
 * Output */

static double
s_services_cpu(const s_phase_t *ph)
{
    double sum = 0;
    for (int i = BENCH_PROC_INTAKE; i < BENCH_PROC_COUNT; i++)
        sum += ph->cpu_ms[i];
    return sum;
}

static double
s_ratio(double a, double b)
{
    return b > 0 && a >= 0 ? a / b : 0;
}

static void
s_print_phase(const s_phase_t *ph)
{
    size_t n = ph->counts.created ? ph->counts.created : 1;
    double others =
        ph->machine_ms - s_services_cpu(ph) - ph->cpu_ms[BENCH_PROC_DEVDB] - ph->self_ms;
    printf("\n%s: %s", ph->name, ph->target_rate > 0 ? "open loop" : "closed loop");
    if (ph->target_rate > 0)
        printf(" at %.0f/s", ph->target_rate);
    printf(", %.1f s window; %zu sent, %zu x 201", ph->load.window_s, ph->counts.total,
           ph->counts.created);
    if (ph->counts.total != ph->counts.created)
        printf(", %zu x 503/429, %zu other HTTP, %zu errors, %zu timeouts", ph->counts.shed,
               ph->counts.other_http, ph->counts.errors, ph->counts.timeouts);
    printf("\n  rates in window   accepted %8.1f/s   disposed %8.1f/s   notified %8.1f/s\n",
           ph->accepted, ph->disposed, ph->notified);
    printf("  latency ms        p50      p90      p99\n");
    printf("    submit->201    %8.1f %8.1f %8.1f\n", ph->lat_accept[0], ph->lat_accept[1],
           ph->lat_accept[2]);
    printf("    ->disposed     %8.1f %8.1f %8.1f\n", ph->lat_disposed[0], ph->lat_disposed[1],
           ph->lat_disposed[2]);
    printf("    ->webhook      %8.1f %8.1f %8.1f\n", ph->lat_notified[0], ph->lat_notified[1],
           ph->lat_notified[2]);
    printf("  CPU ms/complaint  intake %.2f  router %.2f  notifier %.2f  reporter %.2f  = "
           "%.2f services; devdb %.2f\n",
           ph->cpu_ms[BENCH_PROC_INTAKE] / (double) n, ph->cpu_ms[BENCH_PROC_ROUTER] / (double) n,
           ph->cpu_ms[BENCH_PROC_NOTIFIER] / (double) n,
           ph->cpu_ms[BENCH_PROC_REPORTER] / (double) n, s_services_cpu(ph) / (double) n,
           ph->cpu_ms[BENCH_PROC_DEVDB] / (double) n);
    printf("  drained in %.1f s%s; not in database %zu, not disposed %zu, no webhook %zu; "
           "CPU of other processes on the machine %.0f ms\n",
           ph->drain_s, ph->drained ? "" : " (NOT drained: bound reached)", ph->lost,
           ph->not_disposed, ph->not_notified, others > 0 ? others : 0);
}

static json_t *
s_json_lat(const double v[3])
{
    return json_pack("{s:f,s:f,s:f}", "p50", v[0], "p90", v[1], "p99", v[2]);
}

static json_t *
s_json_phase(const s_phase_t *ph)
{
    size_t n = ph->counts.created ? ph->counts.created : 1;
    json_t *cpu = json_object();
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        json_object_set_new(cpu, bench_proc_name((bench_proc_t) i),
                            json_real(ph->cpu_ms[i] / (double) n));
    json_object_set_new(cpu, "services", json_real(s_services_cpu(ph) / (double) n));
    return json_pack(
        "{s:f,s:f,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:o,s:o,s:o,s:o,s:f,s:b,s:I,s:I,"
        "s:I,s:f}",
        "target_rate", ph->target_rate, "window_s", ph->load.window_s, "sent",
        (json_int_t) ph->counts.total, "created", (json_int_t) ph->counts.created, "shed",
        (json_int_t) ph->counts.shed, "shed_retry_after", (json_int_t) ph->counts.shed_retry_after,
        "other_http", (json_int_t) ph->counts.other_http, "errors", (json_int_t) ph->counts.errors,
        "timeouts", (json_int_t) ph->counts.timeouts, "not_sent", (json_int_t) ph->load.not_sent,
        "accepted_per_s", ph->accepted, "disposed_per_s", ph->disposed, "notified_per_s",
        ph->notified, "lat_accept_ms", s_json_lat(ph->lat_accept), "lat_disposed_ms",
        s_json_lat(ph->lat_disposed), "lat_notified_ms", s_json_lat(ph->lat_notified),
        "cpu_ms_per_complaint", cpu, "drain_s", ph->drain_s, "drained", ph->drained, "lost",
        (json_int_t) ph->lost, "not_disposed", (json_int_t) ph->not_disposed, "not_notified",
        (json_int_t) ph->not_notified, "machine_cpu_ms", ph->machine_ms);
}

static const char *
s_mark(bool ok)
{
    return ok ? "met " : "MISS";
}

static void
s_report(s_bench_t *b)
{
    const s_raw_t *raw = &b->raw;
    double e2e = s_sustained(&b->max);
    double max_rss = 0;
    char host[128] = "";
    json_t *root = NULL, *rss = NULL, *phases = NULL, *idle = NULL;
    char *line = NULL;
    size_t lost_total = b->max.lost + b->p50.lost + b->p90.lost + b->burst.lost;

    gethostname(host, sizeof host);
    printf("\n==== lapor benchmark: %s, %ld cores, FerretDB v1 (SQLite) devdb ====\n", host,
           sysconf(_SC_NPROCESSORS_ONLN));
    printf("raw limits on this machine\n");
    printf("  libmongoc insert_one            %10.0f docs/s\n", raw->insert_one);
    printf("  libmongoc insert_many (100)     %10.0f docs/s\n", raw->insert_many);
    printf("  bare libmicrohttpd 201          %10.0f req/s (%ld clients)\n", raw->bare_http,
           b->cfg.clients);
    printf("  ZeroMQ PUSH/PULL (%zu B Envelope) %10.0f msg/s\n", raw->zmq_bytes, raw->zmq);
    printf("idle services: CPU %% of one core");
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        printf("  %s %.0f%%", bench_proc_name((bench_proc_t) i), b->idle_cpu_pct[i]);
    printf("\n  libmongoc insert_one beside the idle services %10.0f docs/s (%.2f x alone)\n",
           raw->insert_one_beside, s_ratio(raw->insert_one_beside, raw->insert_one));
    s_print_phase(&b->max);
    printf("  sustained end to end (min of the three): %.1f/s = %.3f x insert_one, %.3f x "
           "insert_many(100)\n",
           e2e, s_ratio(e2e, raw->insert_one), s_ratio(e2e, raw->insert_many));
    printf("  intake accept rate = %.3f x bare libmicrohttpd\n",
           s_ratio(b->max.accepted, raw->bare_http));
    if (b->p50.name)
        s_print_phase(&b->p50);
    if (b->p90.name)
        s_print_phase(&b->p90);
    if (b->burst.name) {
        s_print_phase(&b->burst);
        printf("  burst: %zu x 201, %zu x 503/429 (%zu with Retry-After), %zu other HTTP, %zu "
               "errors, %zu timeouts, %zu due but never sent (client at %d in flight)\n",
               b->burst.counts.created, b->burst.counts.shed, b->burst.counts.shed_retry_after,
               b->burst.counts.other_http, b->burst.counts.errors, b->burst.counts.timeouts,
               b->burst.load.not_sent, BENCH_BURST_INFLIGHT);
    }
    printf("\npeak RSS (VmHWM)");
    for (int i = 0; i < BENCH_PROC_COUNT; i++) {
        printf("  %s %.1f MB", bench_proc_name((bench_proc_t) i), BENCH_MB(b->hwm_kib[i]));
        if (i != BENCH_PROC_DEVDB && BENCH_MB(b->hwm_kib[i]) > max_rss)
            max_rss = BENCH_MB(b->hwm_kib[i]);
    }
    printf("\nacknowledged (201) but not in the database, all phases: %zu; duplicate webhooks: "
           "%zu\n",
           lost_total, b->duplicate_hooks);
    printf("\nissue 10 targets\n");
    printf("  [%s] end to end >= %.1f x insert_many(100): %.3f\n",
           s_mark(s_ratio(e2e, raw->insert_many) >= TARGET_E2E_VS_BATCH), TARGET_E2E_VS_BATCH,
           s_ratio(e2e, raw->insert_many));
    printf("  [%s] end to end >= %.1f x insert_one: %.3f\n",
           s_mark(s_ratio(e2e, raw->insert_one) >= TARGET_E2E_VS_SINGLE), TARGET_E2E_VS_SINGLE,
           s_ratio(e2e, raw->insert_one));
    if (b->p50.name)
        printf(
            "  [%s] p99 submit->disposed at 50%% <= %.0f ms: %.1f ms%s\n",
            s_mark(b->p50.lat_disposed[2] >= 0 && b->p50.lat_disposed[2] <= TARGET_P99_DISPOSED_MS),
            TARGET_P99_DISPOSED_MS, b->p50.lat_disposed[2],
            b->cfg.rate > 0 ? " (50 % of --rate, not of the max run)" : "");
    if (b->accept_w0 > 0)
        printf("  [%s] intake accept (w=0) >= %.1f x bare libmicrohttpd: %.3f (%.0f/s; every 201 "
               "in the database %.1f s after the phase, %zu missing)\n",
               s_mark(s_ratio(b->accept_w0, raw->bare_http) >= TARGET_ACCEPT_VS_BARE),
               TARGET_ACCEPT_VS_BARE, s_ratio(b->accept_w0, raw->bare_http), b->accept_w0,
               b->accept_landed_s, b->accept_missing);
    else
        printf("  [%s] intake accept >= %.1f x bare libmicrohttpd: %.3f (with the database; "
               "the w=0 phase did not run)\n",
               s_mark(s_ratio(b->max.accepted, raw->bare_http) >= TARGET_ACCEPT_VS_BARE),
               TARGET_ACCEPT_VS_BARE, s_ratio(b->max.accepted, raw->bare_http));
    printf("  [%s] every service RSS <= %.0f MB: largest %.1f MB\n",
           s_mark(max_rss <= TARGET_RSS_MB), TARGET_RSS_MB, max_rss);
    printf("  [%s] acknowledged and lost = 0: %zu\n", s_mark(lost_total == 0), lost_total);

    rss = json_object();
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        json_object_set_new(rss, bench_proc_name((bench_proc_t) i),
                            json_real(BENCH_MB(b->hwm_kib[i])));
    idle = json_object();
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        json_object_set_new(idle, bench_proc_name((bench_proc_t) i), json_real(b->idle_cpu_pct[i]));
    phases = json_object();
    json_object_set_new(phases, "max", s_json_phase(&b->max));
    if (b->p50.name)
        json_object_set_new(phases, "p50", s_json_phase(&b->p50));
    if (b->p90.name)
        json_object_set_new(phases, "p90", s_json_phase(&b->p90));
    if (b->burst.name)
        json_object_set_new(phases, "burst", s_json_phase(&b->burst));
    root = json_pack(
        "{s:i,s:s,s:i,s:I,s:{s:f,s:f,s:f,s:f,s:I,s:f},s:f,s:{s:f,s:f,s:f},s:o,s:o,s:o,s:I,s:I}",
        "version", 1, "host", host, "cores", (int) sysconf(_SC_NPROCESSORS_ONLN), "time",
        (json_int_t) time(NULL), "raw", "insert_one_per_s", raw->insert_one, "insert_many100_per_s",
        raw->insert_many, "bare_mhd_per_s", raw->bare_http, "zmq_per_s", raw->zmq, "zmq_bytes",
        (json_int_t) raw->zmq_bytes, "insert_one_beside_idle_per_s", raw->insert_one_beside,
        "sustained_per_s", e2e, "ratios", "e2e_vs_insert_one", s_ratio(e2e, raw->insert_one),
        "e2e_vs_insert_many", s_ratio(e2e, raw->insert_many), "accept_vs_bare_mhd",
        s_ratio(b->max.accepted, raw->bare_http), "phases", phases, "idle_cpu_pct", idle, "rss_mb",
        rss, "lost", (json_int_t) lost_total, "duplicate_webhooks",
        (json_int_t) b->duplicate_hooks);
    if (root && b->accept_w0 > 0) {
        json_object_set_new(root, "accept_w0_per_s", json_real(b->accept_w0));
        json_object_set_new(root, "accept_w0_landed_s", json_real(b->accept_landed_s));
        json_object_set_new(root, "accept_w0_missing",
                            json_integer((json_int_t) b->accept_missing));
        json_object_set_new(json_object_get(root, "ratios"), "accept_w0_vs_bare_mhd",
                            json_real(s_ratio(b->accept_w0, raw->bare_http)));
    }
    line = root ? json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
    printf("\nBENCH_JSON %s\n", line ? line : "{}");
    fflush(stdout); /* before the stop messages on stderr */
    free(line);
    json_decref(root);
}

/* -------------------------------------------------------------------------------------
 * main */

static int
s_config(s_config_t *cfg, int argc, char **argv)
{
    static char build[PATH_MAX];
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    int first = 0, rc = 0;

    /* The program lives in <build>/bench/: the services are next door. */
    build[0] = '\0';
    if (n > 0) {
        self[n] = '\0';
        snprintf(build, sizeof build, "%s", dirname(dirname(self)));
    }
    lp_option_t options[] = {
        {"duration", NULL, LP_OPT_INT, "20", "seconds of the closed-loop maximum-rate run",
         &cfg->duration_s},
        {"paced", NULL, LP_OPT_INT, "10", "seconds of each paced run (50 % and 90 % of max)",
         &cfg->paced_s},
        {"burst", NULL, LP_OPT_INT, "10", "seconds of the burst at 10x the sustained rate",
         &cfg->burst_s},
        {"raw", NULL, LP_OPT_INT, "3", "seconds of each raw-limit measurement", &cfg->raw_s},
        {"clients", NULL, LP_OPT_INT, "64", "concurrent HTTP clients of the closed-loop runs",
         &cfg->clients},
        {"rate", NULL, LP_OPT_INT, "0",
         "pace the later phases from this rate (complaints/s) instead of the max run's: "
         "latencies of runs at one rate, or when the max run gets nothing through",
         &cfg->rate},
        {"pipeline", NULL, LP_OPT_INT, "200",
         "max run: at most this many complaints between request and webhook", &cfg->pipeline},
        {"drain", NULL, LP_OPT_INT, "30",
         "at most this many seconds to wait after a phase for every webhook", &cfg->drain_s},
        {"no-raw", NULL, LP_OPT_FLAG, NULL, "skip the raw limits", &cfg->no_raw},
        {"no-burst", NULL, LP_OPT_FLAG, NULL, "skip the burst", &cfg->no_burst},
        {"no-accept", NULL, LP_OPT_FLAG, NULL,
         "skip the last phase: intake's accept path with unacknowledged writes (w=0)",
         &cfg->no_accept},
        {"keep", NULL, LP_OPT_FLAG, NULL, "keep the temporary folder (logs, database)", &cfg->keep},
        {"build-dir", NULL, LP_OPT_STRING, build, "where lapor-devdb and services/ are",
         &cfg->build_dir},
        {"repo-dir", NULL, LP_OPT_STRING, LAPOR_SOURCE_DIR, "where deploy/data is", &cfg->repo_dir},
        {0},
    };
    rc = lp_config_parse("lapor-bench",
                         "Benchmarks a private lapor (devdb and the four services on free "
                         "ports) against the raw limits of this machine.",
                         options, argc, argv, &first);
    if (rc != 0)
        return rc;
    if (cfg->duration_s < 1 || cfg->paced_s < 1 || cfg->burst_s < 1 || cfg->raw_s < 1 ||
        cfg->clients < 1 || cfg->clients > 2000 || cfg->drain_s < 1 || cfg->pipeline < 1) {
        fprintf(stderr, "lapor-bench: durations must be >= 1 s and clients 1..2000\n");
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    s_bench_t b;
    struct sigaction sa;
    struct rlimit rl;
    char hook_url[96];
    int rc = 1, crc = 0;
    double max_rate = 0;

    memset(&b, 0, sizeof b);
    crc = s_config(&b.cfg, argc, argv);
    if (crc != 0)
        return crc > 0 ? 0 : 2;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* Hundreds of connections in the burst, on both ends. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    mongoc_init();
    mongoc_log_set_handler(s_driver_log, NULL);

    b.hooks = bench_server_new(BENCH_SERVER_HOOK, 0, 2);
    b.sys = bench_sys_new(b.cfg.build_dir, b.cfg.repo_dir);
    if (!b.hooks || !b.sys) {
        fprintf(stderr, "lapor-bench: cannot start the webhook receiver or make a temp dir\n");
        goto done;
    }
    snprintf(hook_url, sizeof hook_url, "http://127.0.0.1:%d/hook", bench_server_port(b.hooks));
    printf("starting a private lapor (devdb, import, intake, router, notifier, reporter) ...\n");
    fflush(stdout);
    if (bench_sys_start_db(b.sys, hook_url, s_agencies, BENCH_SECRET) != 0)
        goto done;
    /* The raw limits of the database with nothing else talking to it. */
    if (!b.cfg.no_raw)
        s_measure_raw(&b);
    if (bench_stop || bench_sys_start_services(b.sys) != 0)
        goto done;
    /* The routers and reporters find intake through the services collection (2 s). */
    bench_sleep_ms(2500);
    s_measure_idle(&b);
    if (bench_stop)
        goto report;
    if (s_phase(&b, &b.max, "max", 0, b.cfg.clients, (double) b.cfg.duration_s, 30000) != 0)
        goto report;
    max_rate = s_sustained(&b.max);
    if (b.cfg.rate > 0) {
        printf("pacing the later phases from --rate %ld/s (the max run: %.1f/s)\n", b.cfg.rate,
               max_rate);
        max_rate = (double) b.cfg.rate;
    }
    if (max_rate < 1) {
        fprintf(stderr,
                "lapor-bench: nothing got through end to end; see the logs (kept), or give --rate "
                "to run the paced phases anyway\n");
        goto report;
    }
    if (bench_stop || s_phase(&b, &b.p50, "p50", 0.5 * max_rate, BENCH_BURST_INFLIGHT,
                              (double) b.cfg.paced_s, 30000) != 0)
        goto report;
    if (bench_stop || s_phase(&b, &b.p90, "p90", 0.9 * max_rate, BENCH_BURST_INFLIGHT,
                              (double) b.cfg.paced_s, 30000) != 0)
        goto report;
    if (!b.cfg.no_burst && !bench_stop)
        s_phase(&b, &b.burst, "burst", BENCH_BURST_FACTOR * max_rate, BENCH_BURST_INFLIGHT,
                (double) b.cfg.burst_s, 15000);
    rc = 0;
report:
    for (int i = 0; i < BENCH_PROC_COUNT; i++)
        b.hwm_kib[i] = bench_proc_hwm_kib(bench_sys_pid(b.sys, (bench_proc_t) i));
    if (rc == 0 && !b.cfg.no_accept && !bench_stop)
        s_measure_accept(&b);
    s_report(&b);
    if (bench_stop)
        rc = 1;
done:
    bench_sys_destroy(&b.sys, b.cfg.keep || rc != 0);
    bench_server_destroy(&b.hooks);
    bench_load_result_clear(&b.max.load);
    bench_load_result_clear(&b.p50.load);
    bench_load_result_clear(&b.p90.load);
    bench_load_result_clear(&b.burst.load);
    bench_load_result_clear(&b.accept_load);
    mongoc_cleanup();
    curl_global_cleanup();
    return rc;
}
