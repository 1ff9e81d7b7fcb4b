/* lp_group: every piece written exactly once, before its thread goes on, and
 * pieces of threads that arrive together written together; a lingering group
 * waits for company only under load, and never longer than it was told. */
#include <pthread.h>
#include <stdbool.h>
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

/* The lingering tests: a write function that records the size of each call,
 * takes pause_ms (as a database command takes its time), and whose first call
 * holds on until told (so that pieces queue behind it). */
typedef struct {
    lp_group_t *group;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool hold, held;
    int pause_ms;
    int calls, sizes[16];
} s_gate_t;

static void
s_sleep_ms(int ms)
{
    struct timespec pause = {ms / 1000, (long) (ms % 1000) * 1000000L};
    nanosleep(&pause, NULL);
}

static int64_t
s_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void
s_gate_write(void *arg, void **items, int n)
{
    s_gate_t *gate = arg;
    (void) items;
    pthread_mutex_lock(&gate->lock);
    if (gate->calls < 16)
        gate->sizes[gate->calls] = n;
    gate->calls++;
    gate->held = true;
    pthread_cond_broadcast(&gate->cond);
    while (gate->hold)
        pthread_cond_wait(&gate->cond, &gate->lock);
    pthread_mutex_unlock(&gate->lock);
    s_sleep_ms(gate->pause_ms);
}

static void *
s_gate_piece(void *arg)
{
    s_gate_t *gate = arg;
    int piece;
    lp_group_write(gate->group, &piece);
    return NULL;
}

static void
s_gate_init(s_gate_t *gate, int pause_ms, int wait_ms, int enough)
{
    memset(gate, 0, sizeof *gate);
    pthread_mutex_init(&gate->lock, NULL);
    pthread_cond_init(&gate->cond, NULL);
    gate->pause_ms = pause_ms;
    gate->group = lp_group_new(s_gate_write, gate);
    assert_non_null(gate->group);
    if (wait_ms > 0)
        lp_group_linger(gate->group, wait_ms, enough);
}

static void
s_gate_fini(s_gate_t *gate)
{
    lp_group_destroy(&gate->group);
    pthread_cond_destroy(&gate->cond);
    pthread_mutex_destroy(&gate->lock);
}

/* Makes the group's last write one of `queued` pieces (LP_GROUP_BUSY: under load). */
static void
s_gate_load_n(s_gate_t *gate, int queued)
{
    pthread_t threads[1 + LP_GROUP_BUSY];
    assert_true(queued >= 1 && queued <= LP_GROUP_BUSY);
    pthread_mutex_lock(&gate->lock);
    gate->hold = true;
    pthread_mutex_unlock(&gate->lock);
    assert_int_equal(pthread_create(&threads[0], NULL, s_gate_piece, gate), 0);
    pthread_mutex_lock(&gate->lock);
    while (!gate->held)
        pthread_cond_wait(&gate->cond, &gate->lock);
    pthread_mutex_unlock(&gate->lock);
    for (int t = 1; t <= queued; t++)
        assert_int_equal(pthread_create(&threads[t], NULL, s_gate_piece, gate), 0);
    s_sleep_ms(50); /* they queue behind the held write */
    pthread_mutex_lock(&gate->lock);
    gate->hold = false;
    pthread_cond_broadcast(&gate->cond);
    pthread_mutex_unlock(&gate->lock);
    for (int t = 0; t <= queued; t++)
        pthread_join(threads[t], NULL);
    assert_int_equal(gate->calls, 2);
    assert_int_equal(gate->sizes[0], 1);
    assert_int_equal(gate->sizes[1], queued);
}

static void
s_gate_load(s_gate_t *gate)
{
    s_gate_load_n(gate, LP_GROUP_BUSY);
}

/* Four pieces, one every 20 ms; returns how many writes the group made of them. */
static int
s_gate_trickle(s_gate_t *gate)
{
    pthread_t threads[4];
    int before = gate->calls;
    for (int t = 0; t < 4; t++) {
        assert_int_equal(pthread_create(&threads[t], NULL, s_gate_piece, gate), 0);
        s_sleep_ms(20);
    }
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    return gate->calls - before;
}

/* Under load, pieces arriving one after another within the wait go together. */
static void
test_linger_gathers_under_load(void **state)
{
    (void) state;
    s_gate_t gate;
    s_gate_init(&gate, 200, 5000, 4);
    s_gate_load(&gate);
    assert_int_equal(s_gate_trickle(&gate), 1); /* one write for the four */
    assert_int_equal(gate.sizes[2], 4);
    s_gate_fini(&gate);
}

/* Without the linger the first piece goes alone and the others gather behind it
 * (so the test above can fail). */
static void
test_no_linger_writes_as_they_come(void **state)
{
    (void) state;
    s_gate_t gate;
    s_gate_init(&gate, 200, 0, 0);
    s_gate_load(&gate);
    assert_int_equal(s_gate_trickle(&gate), 2);
    s_gate_fini(&gate);
}

/* A write of fewer than LP_GROUP_BUSY pieces happens at modest rates too: the next
 * writer does not wait after it. */
static void
test_no_linger_below_busy(void **state)
{
    (void) state;
    s_gate_t gate;
    s_gate_init(&gate, 200, 5000, 4);
    s_gate_load_n(&gate, LP_GROUP_BUSY - 1);
    assert_int_equal(s_gate_trickle(&gate), 2); /* as without the linger */
    s_gate_fini(&gate);
}

/* A lone piece after a quiet spell does not wait, even with a long linger; after
 * a write of several, a lone piece waits for the linger, then goes alone. */
static void
test_linger_is_bounded(void **state)
{
    (void) state;
    s_gate_t gate;
    int piece;

    s_gate_init(&gate, 0, 60000, 4);
    int64_t t0 = s_ms();
    lp_group_write(gate.group, &piece);
    assert_true(s_ms() - t0 < 30000); /* not the minute: written at once */
    s_gate_fini(&gate);

    s_gate_init(&gate, 0, 300, 4);
    s_gate_load(&gate);
    t0 = s_ms();
    lp_group_write(gate.group, &piece);
    int64_t waited = s_ms() - t0;
    assert_int_equal(gate.calls, 3);
    assert_int_equal(gate.sizes[2], 1);
    assert_true(waited >= 250);  /* it waited for company... */
    assert_true(waited < 30000); /* ...then went alone */
    s_gate_fini(&gate);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_piece_written_once_before_return),
        cmocka_unit_test(test_alone_is_written_at_once),
        cmocka_unit_test(test_linger_gathers_under_load),
        cmocka_unit_test(test_no_linger_writes_as_they_come),
        cmocka_unit_test(test_no_linger_below_busy),
        cmocka_unit_test(test_linger_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
