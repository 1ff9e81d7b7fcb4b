/* bench_util: percentiles and an interruptible sleep. */
#include "bench_util.h"

#include <math.h>
#include <stdlib.h>

volatile sig_atomic_t bench_stop = 0;

static int
s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

void
bench_percentiles(double *values, size_t n, double out[3])
{
    static const double ranks[3] = {0.50, 0.90, 0.99};
    if (n == 0) {
        out[0] = out[1] = out[2] = -1;
        return;
    }
    qsort(values, n, sizeof *values, s_cmp_double);
    for (int i = 0; i < 3; i++) {
        size_t rank = (size_t) ceil(ranks[i] * (double) n);
        out[i] = values[rank > 0 ? rank - 1 : 0];
    }
}

void
bench_sleep_ms(double ms)
{
    double until = bench_mono_ms() + ms;
    while (!bench_stop) {
        double left = until - bench_mono_ms();
        if (left <= 0)
            break;
        if (left > 50)
            left = 50;
        struct timespec ts = {(time_t) (left / 1e3), (long) (fmod(left, 1e3) * 1e6)};
        nanosleep(&ts, NULL);
    }
}
