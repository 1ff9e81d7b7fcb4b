/* bench_util: clocks and percentiles shared by the benchmark's modules. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <signal.h>
#include <stddef.h>
#include <time.h>

/* Unix time in milliseconds with a fraction: comparable with the `at` times that
 * the services store (integer milliseconds of the same clock). */
static inline double
bench_real_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* Monotonic milliseconds with a fraction, for durations. */
static inline double
bench_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec * 1e3 + (double) ts.tv_nsec / 1e6;
}

/* Set by SIGINT/SIGTERM: every loop of the benchmark stops soon after. */
extern volatile sig_atomic_t bench_stop;

/* p50, p90 and p99 of n values (nearest rank); all three are -1 when n is 0.
 * Sorts values in place. */
void bench_percentiles(double *values, size_t n, double out[3]);

/* Sleeps ms milliseconds, or less when bench_stop is set. */
void bench_sleep_ms(double ms);

#endif
