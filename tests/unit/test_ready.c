/* The notifier's ready queue: first in, first out, bounded, safe across threads. */
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ready.h"

static void
test_fifo_and_bound(void **state)
{
    (void) state;
    notifier_ready_t *ready = notifier_ready_new(3);
    char id[32];

    assert_non_null(ready);
    assert_false(notifier_ready_pop(ready, id, sizeof id));
    assert_true(notifier_ready_push(ready, "a"));
    assert_true(notifier_ready_push(ready, "b"));
    assert_true(notifier_ready_push(ready, "c"));
    /* Full: the id is dropped, the rescan finds its message. */
    assert_false(notifier_ready_push(ready, "d"));
    assert_int_equal(notifier_ready_size(ready), 3);
    assert_true(notifier_ready_pop(ready, id, sizeof id));
    assert_string_equal(id, "a");
    /* Wrapping around the ring keeps the order. */
    assert_true(notifier_ready_push(ready, "e"));
    const char *const want[] = {"b", "c", "e"};
    for (size_t i = 0; i < 3; i++) {
        assert_true(notifier_ready_pop(ready, id, sizeof id));
        assert_string_equal(id, want[i]);
    }
    assert_false(notifier_ready_pop(ready, id, sizeof id));
    /* A long id is cut to the caller's buffer, never overflows it. */
    assert_true(notifier_ready_push(ready, "0123456789"));
    assert_true(notifier_ready_pop(ready, id, 5));
    assert_string_equal(id, "0123");
    /* Ids still queued are freed with the queue. */
    assert_true(notifier_ready_push(ready, "left"));
    notifier_ready_destroy(&ready);
    assert_null(ready);
    notifier_ready_destroy(&ready);
}

#define THREADS 4
#define EACH 5000

static void *
s_producer(void *arg)
{
    notifier_ready_t *ready = arg;
    char id[32];
    for (int i = 0; i < EACH; i++) {
        snprintf(id, sizeof id, "%d", i);
        while (!notifier_ready_push(ready, id))
            sched_yield();
    }
    return NULL;
}

static void
test_threads(void **state)
{
    (void) state;
    notifier_ready_t *ready = notifier_ready_new(64);
    pthread_t threads[THREADS];
    long taken = 0, sum = 0;
    char id[32];

    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, s_producer, ready), 0);
    while (taken < (long) THREADS * EACH)
        if (notifier_ready_pop(ready, id, sizeof id)) {
            taken++;
            sum += atol(id);
        }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    assert_int_equal(sum, (long) THREADS * EACH * (EACH - 1) / 2);
    assert_int_equal(notifier_ready_size(ready), 0);
    notifier_ready_destroy(&ready);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_and_bound),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
