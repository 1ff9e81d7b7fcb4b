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

/* Pushes a document {_id: id}; the queue keeps its own copy. */
static bool
s_push(notifier_ready_t *ready, const char *id)
{
    bson_t *doc = BCON_NEW("_id", BCON_UTF8(id));
    bool ok = notifier_ready_push(ready, doc);
    bson_destroy(doc);
    return ok;
}

/* Pops a document and checks its _id. */
static void
s_pop_is(notifier_ready_t *ready, const char *id)
{
    bson_t *doc = notifier_ready_pop(ready);
    bson_iter_t it;
    assert_non_null(doc);
    assert_true(bson_iter_init_find(&it, doc, "_id"));
    assert_string_equal(bson_iter_utf8(&it, NULL), id);
    bson_destroy(doc);
}

static void
test_fifo_and_bound(void **state)
{
    (void) state;
    notifier_ready_t *ready = notifier_ready_new(3);

    assert_non_null(ready);
    assert_null(notifier_ready_pop(ready));
    assert_true(s_push(ready, "a"));
    assert_true(s_push(ready, "b"));
    assert_true(s_push(ready, "c"));
    /* Full: the document is dropped, the rescan finds its message. */
    assert_false(s_push(ready, "d"));
    assert_int_equal(notifier_ready_size(ready), 3);
    s_pop_is(ready, "a");
    /* Wrapping around the ring keeps the order. */
    assert_true(s_push(ready, "e"));
    const char *const want[] = {"b", "c", "e"};
    for (size_t i = 0; i < 3; i++)
        s_pop_is(ready, want[i]);
    assert_null(notifier_ready_pop(ready));
    /* Documents still queued are freed with the queue. */
    assert_true(s_push(ready, "left"));
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
        while (!s_push(ready, id))
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

    for (int t = 0; t < THREADS; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, s_producer, ready), 0);
    while (taken < (long) THREADS * EACH) {
        bson_t *doc = notifier_ready_pop(ready);
        bson_iter_t it;
        if (!doc)
            continue;
        taken++;
        assert_true(bson_iter_init_find(&it, doc, "_id"));
        sum += atol(bson_iter_utf8(&it, NULL));
        bson_destroy(doc);
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
