/* lp_metrics: a small Prometheus registry with lock-free updates. */
#include "lp_metrics.h"

#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { KIND_COUNTER, KIND_GAUGE, KIND_HISTOGRAM } kind_t;

#define N_BUCKETS 12
static const double s_bounds[N_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                           0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

struct lp_metric_t {
    kind_t kind;
    char *name;
    char *labels;
    char *help;
    _Atomic int64_t value;               /* counter or gauge; histogram count */
    _Atomic uint64_t sum_us;             /* histogram sum in microseconds */
    _Atomic uint64_t buckets[N_BUCKETS]; /* histogram, not cumulative */
    lp_metric_t *next;
};

static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static lp_metric_t *s_head = NULL;
static lp_metric_t *s_tail = NULL;

static lp_metric_t *
s_register(kind_t kind, const char *name, const char *labels, const char *help)
{
    lp_metric_t *m = NULL;

    labels = labels ? labels : "";
    pthread_mutex_lock(&s_lock);
    for (m = s_head; m; m = m->next)
        if (strcmp(m->name, name) == 0 && strcmp(m->labels, labels) == 0)
            break;
    if (!m) {
        m = calloc(1, sizeof *m);
        assert(m);
        m->kind = kind;
        m->name = strdup(name);
        m->labels = strdup(labels);
        m->help = strdup(help ? help : "");
        assert(m->name && m->labels && m->help);
        /* Appending keeps metrics of one name together, as the format asks. */
        if (s_tail)
            s_tail->next = m;
        else
            s_head = m;
        s_tail = m;
    }
    pthread_mutex_unlock(&s_lock);
    return m;
}

lp_metric_t *
lp_metrics_counter(const char *name, const char *labels, const char *help)
{
    return s_register(KIND_COUNTER, name, labels, help);
}

lp_metric_t *
lp_metrics_gauge(const char *name, const char *labels, const char *help)
{
    return s_register(KIND_GAUGE, name, labels, help);
}

lp_metric_t *
lp_metrics_histogram(const char *name, const char *labels, const char *help)
{
    return s_register(KIND_HISTOGRAM, name, labels, help);
}

void
lp_metric_inc(lp_metric_t *m)
{
    if (m)
        atomic_fetch_add(&m->value, 1);
}

void
lp_metric_add(lp_metric_t *m, uint64_t n)
{
    if (m)
        atomic_fetch_add(&m->value, (int64_t) n);
}

void
lp_metric_set(lp_metric_t *m, int64_t value)
{
    if (m)
        atomic_store(&m->value, value);
}

void
lp_metric_observe(lp_metric_t *m, double seconds)
{
    if (!m)
        return;
    if (seconds < 0)
        seconds = 0;
    atomic_fetch_add(&m->value, 1);
    atomic_fetch_add(&m->sum_us, (uint64_t) (seconds * 1e6));
    for (int i = 0; i < N_BUCKETS; i++) {
        if (seconds <= s_bounds[i]) {
            atomic_fetch_add(&m->buckets[i], 1);
            break;
        }
    }
}

/* Appends printf output to a growing buffer; returns -1 when out of memory. */
static int s_append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
s_append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    int n = 0;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t) n < *cap - *len) {
            *len += (size_t) n;
            return 0;
        }
        char *bigger = realloc(*buf, *cap * 2 + (size_t) n);
        if (!bigger)
            return -1;
        *buf = bigger;
        *cap = *cap * 2 + (size_t) n;
    }
}

char *
lp_metrics_render(void)
{
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    const char *last_name = "";
    static const char *kinds[] = {"counter", "gauge", "histogram"};
    int rc = 0;

    if (!buf)
        return NULL;
    buf[0] = '\0';
    pthread_mutex_lock(&s_lock);
    for (lp_metric_t *m = s_head; m && rc == 0; m = m->next) {
        const char *sep = m->labels[0] ? "," : "";
        if (strcmp(last_name, m->name) != 0)
            rc |= s_append(&buf, &len, &cap, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help,
                           m->name, kinds[m->kind]);
        last_name = m->name;
        if (m->kind != KIND_HISTOGRAM) {
            rc |= s_append(&buf, &len, &cap, "%s%s%s%s %lld\n", m->name, m->labels[0] ? "{" : "",
                           m->labels, m->labels[0] ? "}" : "", (long long) atomic_load(&m->value));
            continue;
        }
        uint64_t cumulative = 0;
        for (int i = 0; i < N_BUCKETS; i++) {
            cumulative += atomic_load(&m->buckets[i]);
            rc |= s_append(&buf, &len, &cap, "%s_bucket{%s%sle=\"%g\"} %llu\n", m->name, m->labels,
                           sep, s_bounds[i], (unsigned long long) cumulative);
        }
        rc |= s_append(&buf, &len, &cap, "%s_bucket{%s%sle=\"+Inf\"} %lld\n", m->name, m->labels,
                       sep, (long long) atomic_load(&m->value));
        rc |= s_append(&buf, &len, &cap, "%s_sum%s%s%s %.6f\n", m->name, m->labels[0] ? "{" : "",
                       m->labels, m->labels[0] ? "}" : "", atomic_load(&m->sum_us) / 1e6);
        rc |= s_append(&buf, &len, &cap, "%s_count%s%s%s %lld\n", m->name, m->labels[0] ? "{" : "",
                       m->labels, m->labels[0] ? "}" : "", (long long) atomic_load(&m->value));
    }
    pthread_mutex_unlock(&s_lock);
    if (rc != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
