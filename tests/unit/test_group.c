/* lp_group: every piece written exactly once, before its thread goes on, and
 * pieces of threads that arrive together written together. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lp_group.h"

#define THREADS 8
#define PER_THREAD 200

typedef struct {
    int written; /* times the write function saw this piece */
} s_piece_t;

typedef struct {
    lp_group_t *group;
    pthread_mutex_t lock;
    int calls, pieces, largest, concurrent, overlapped;
} s_sink_t;

static void
s_write(void *arg, void **items, int n)
{
    s_sink_t *sink = arg;
    pthread_mutex_lock(&sink->lock);
    sink->overlapped += sink->concurrent++ > 0;
    sink->calls++;
    sink->pieces += n;
    if (n > sink->largest)
        sink->largest = n;
    pthread_mutex_unlock(&sink->lock);
    for (int i = 0; i < n; i++)
        ((s_piece_t *) items[i])->written++;
    /* A write takes a moment, as a database command does: the others gather. */
    struct timespec pause = {0, 200 * 1000};
    nanosleep(&pause, NULL);
    pthread_mutex_lock(&sink->lock);
    sink->concurrent--;
    pthread_mutex_unlock(&sink->lock);
}

typedef struct {
    s_sink_t *sink;
    s_piece_t pieces[PER_THREAD];
    int unwritten_after_return; /* pieces not yet written when lp_group_write returned */
} s_worker_t;

static void *
s_work(void *arg)
{
    s_worker_t *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        lp_group_write(w->sink->group, &w->pieces[i]);
        w->unwritten_after_return += w->pieces[i].written != 1;
    }
    return NULL;
}

static void
test_each_piece_written_once_before_return(void **state)
{
    (void) state;
    static s_worker_t workers[THREADS];
    s_sink_t sink = {0};
    pthread_t threads[THREADS];

    pthread_mutex_init(&sink.lock, NULL);
    sink.group = lp_group_new(s_write, &sink);
    assert_non_null(sink.group);
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < THREADS; t++) {
        workers[t].sink = &sink;
        assert_int_equal(pthread_create(&threads[t], NULL, s_work, &workers[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(threads[t], NULL);
    for (int t = 0; t < THREADS; t++) {
        assert_int_equal(workers[t].unwritten_after_return, 0);
        for (int i = 0; i < PER_THREAD; i++)
            assert_int_equal(workers[t].pieces[i].written, 1);
    }
    assert_int_equal(sink.pieces, THREADS * PER_THREAD);
    assert_int_equal(sink.overlapped, 0); /* one writer at a time */
    assert_true(sink.largest > 1);        /* threads waiting together went together */
    assert_true(sink.largest <= LP_GROUP_MAX);
    assert_true(sink.calls < THREADS * PER_THREAD);
    lp_group_destroy(&sink.group);
    assert_null(sink.group);
    pthread_mutex_destroy(&sink.lock);
}

static void
test_alone_is_written_at_once(void **state)
{
    (void) state;
    s_sink_t sink = {0};
    s_piece_t piece = {0};
    pthread_mutex_init(&sink.lock, NULL);
    sink.group = lp_group_new(s_write, &sink);
    lp_group_write(sink.group, &piece);
    assert_int_equal(piece.written, 1);
    assert_int_equal(sink.calls, 1);
    lp_group_destroy(&sink.group);
    lp_group_destroy(&sink.group); /* twice is harmless */
    pthread_mutex_destroy(&sink.lock);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_piece_written_once_before_return),
        cmocka_unit_test(test_alone_is_written_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
