/* lp_metrics: process-wide Prometheus counters, gauges and latency histograms.
 *
 * Metrics are registered once (at start) and updated from any thread without
 * locks. lp_metrics_render() writes the text exposition format for /metrics. */
#ifndef LP_METRICS_H
#define LP_METRICS_H

#include <stdint.h>

typedef struct lp_metric_t lp_metric_t;

/* Registers (or finds) a counter. labels is the inside of {...}, e.g.
 * "stage=\"router\"", or NULL. The same name and labels give the same metric.
 * Never returns NULL (aborts when out of memory at start). */
lp_metric_t *lp_metrics_counter(const char *name, const char *labels, const char *help);

/* A gauge: a value that goes up and down. */
lp_metric_t *lp_metrics_gauge(const char *name, const char *labels, const char *help);

/* A histogram of durations in seconds with fixed buckets from 1 ms to 10 s. */
lp_metric_t *lp_metrics_histogram(const char *name, const char *labels, const char *help);

void lp_metric_inc(lp_metric_t *m);
void lp_metric_add(lp_metric_t *m, uint64_t n);
void lp_metric_set(lp_metric_t *m, int64_t value);
void lp_metric_observe(lp_metric_t *m, double seconds);

/* Returns the exposition text; the caller frees it. NULL when out of memory. */
char *lp_metrics_render(void);

#endif
