/* Unit tests of lp_ratelimit (token buckets in a fixed table) and lp_ipnet (client
 * addresses behind trusted proxies). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lp_ipnet.h"
#include "lp_ratelimit.h"

static void
test_new_refuses_bad_settings(void **state)
{
    assert_null(lp_ratelimit_new(0, 5, 10));
    assert_null(lp_ratelimit_new(-1, 5, 10));
    assert_null(lp_ratelimit_new(60, 0.5, 10));
    assert_null(lp_ratelimit_new(60, 5, 0));
    lp_ratelimit_destroy(NULL);
    lp_ratelimit_t *rl = NULL;
    lp_ratelimit_destroy(&rl);
}

static void
test_burst_then_rate(void **state)
{
    lp_ratelimit_t *rl = lp_ratelimit_new(60, 3, 16); /* one a second, three at once */
    int64_t wait = 0;

    assert_non_null(rl);
    for (int i = 0; i < 3; i++)
        assert_true(lp_ratelimit_take(rl, "10.0.0.1", 1000, &wait));
    assert_false(lp_ratelimit_take(rl, "10.0.0.1", 1000, &wait));
    assert_int_equal(wait, 1000);
    assert_false(lp_ratelimit_take(rl, "10.0.0.1", 1400, &wait));
    assert_int_equal(wait, 600);
    /* Other keys have buckets of their own. */
    assert_true(lp_ratelimit_take(rl, "10.0.0.2", 1400, &wait));
    /* After the wait one token is back, and only one. */
    assert_true(lp_ratelimit_take(rl, "10.0.0.1", 2000, &wait));
    assert_false(lp_ratelimit_take(rl, "10.0.0.1", 2000, &wait));
    /* A long pause refills up to the burst, never beyond. */
    for (int i = 0; i < 3; i++)
        assert_true(lp_ratelimit_take(rl, "10.0.0.1", 100000, NULL));
    assert_false(lp_ratelimit_take(rl, "10.0.0.1", 100000, NULL));
    /* A clock that goes back refills nothing and breaks nothing. */
    assert_false(lp_ratelimit_take(rl, "10.0.0.1", 5000, &wait));
    assert_true(wait >= 1);
    lp_ratelimit_destroy(&rl);
    assert_null(rl);
}

static void
test_slow_rate_retry_after(void **state)
{
    lp_ratelimit_t *rl = lp_ratelimit_new(10.0 / 60.0, 1, 4); /* ten an hour */
    int64_t wait = 0;
    assert_true(lp_ratelimit_take(rl, "+6281234567890", 0, &wait));
    assert_false(lp_ratelimit_take(rl, "+6281234567890", 0, &wait));
    assert_int_equal(wait, 360000);
    lp_ratelimit_destroy(&rl);
}

static void
test_memory_is_bounded(void **state)
{
    lp_ratelimit_t *rl = lp_ratelimit_new(60, 2, 100);
    char key[32];
    int64_t wait = 0;

    /* The victim empties its bucket, then stays busy while 10,000 other addresses
     * come and go: the table never holds more than 100 keys, and the busy victim
     * (recently used) is never the one forgotten. */
    assert_true(lp_ratelimit_take(rl, "victim", 0, NULL));
    assert_true(lp_ratelimit_take(rl, "victim", 0, NULL));
    for (int i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "198.51.%d.%d", i / 256, i % 256);
        assert_true(lp_ratelimit_take(rl, key, 0, NULL));
        assert_true(lp_ratelimit_size(rl) <= 100);
        if (i % 50 == 0)
            assert_false(lp_ratelimit_take(rl, "victim", 0, &wait));
    }
    assert_int_equal(lp_ratelimit_size(rl), 100);
    /* The oldest attacker keys were forgotten: they start again with full buckets. */
    assert_true(lp_ratelimit_take(rl, "198.51.0.0", 0, NULL));
    lp_ratelimit_destroy(&rl);
}

static void
test_long_keys(void **state)
{
    lp_ratelimit_t *rl = lp_ratelimit_new(60, 1, 8);
    char a[200], b[200];
    memset(a, 'a', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(b, a, sizeof b);
    b[150] = 'b'; /* same first 63 bytes, different key */
    assert_true(lp_ratelimit_take(rl, a, 0, NULL));
    assert_true(lp_ratelimit_take(rl, b, 0, NULL));
    assert_false(lp_ratelimit_take(rl, a, 0, NULL));
    assert_false(lp_ratelimit_take(rl, b, 0, NULL));
    assert_true(lp_ratelimit_take(rl, "", 0, NULL));
    assert_true(lp_ratelimit_take(rl, NULL, 0, NULL) == false); /* NULL is the key "" */
    lp_ratelimit_destroy(&rl);
}

/* Threads share one limiter; exactly burst requests of each key get through. */
typedef struct {
    lp_ratelimit_t *rl;
    int allowed;
    int id;
} s_worker_t;

static void *
s_worker(void *arg)
{
    s_worker_t *w = arg;
    char key[32];
    for (int round = 0; round < 2000; round++) {
        /* 50 shared keys and one of its own: keys come and go through a table of 40. */
        if (round % 2)
            snprintf(key, sizeof key, "shared-%d", round % 50);
        else
            snprintf(key, sizeof key, "own-%d", w->id);
        if (lp_ratelimit_take(w->rl, key, 0, NULL))
            w->allowed++;
    }
    return NULL;
}

static void
test_threads(void **state)
{
    enum { N = 4 };
    lp_ratelimit_t *rl = lp_ratelimit_new(1, 5, 1000);
    pthread_t threads[N];
    s_worker_t workers[N];
    int total = 0;

    for (int i = 0; i < N; i++) {
        workers[i] = (s_worker_t){rl, 0, i};
        assert_int_equal(pthread_create(&threads[i], NULL, s_worker, &workers[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(threads[i], NULL);
        total += workers[i].allowed;
    }
    /* The time never moves, so every key gives exactly its burst: 25 odd shared keys
     * (odd rounds only use odd numbers) and N own keys, 5 each. */
    assert_int_equal(total, (25 + N) * 5);
    assert_int_equal(lp_ratelimit_size(rl), 25 + N);
    lp_ratelimit_destroy(&rl);

    /* The same under eviction pressure: no crash, the bound holds. */
    rl = lp_ratelimit_new(1, 5, 8);
    for (int i = 0; i < N; i++) {
        workers[i] = (s_worker_t){rl, 0, i};
        assert_int_equal(pthread_create(&threads[i], NULL, s_worker, &workers[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(threads[i], NULL);
    assert_true(lp_ratelimit_size(rl) <= 8);
    lp_ratelimit_destroy(&rl);
}

/* -------------------------------------------------------------------------- */
/* lp_ipnet                                                                    */

static void
test_ipnet_lists(void **state)
{
    lp_error_t err;
    lp_ipnet_list_t *l =
        lp_ipnet_list_new("10.0.0.0/8, 127.0.0.1 192.168.1.128/25,::1,fd00::/8", &err);
    assert_non_null(l);
    assert_true(lp_ipnet_list_contains(l, "10.200.3.4"));
    assert_true(lp_ipnet_list_contains(l, "127.0.0.1"));
    assert_false(lp_ipnet_list_contains(l, "127.0.0.2"));
    assert_true(lp_ipnet_list_contains(l, "192.168.1.200"));
    assert_false(lp_ipnet_list_contains(l, "192.168.1.127"));
    assert_true(lp_ipnet_list_contains(l, "::1"));
    assert_true(lp_ipnet_list_contains(l, "::ffff:10.1.1.1")); /* IPv4-mapped */
    assert_true(lp_ipnet_list_contains(l, "fd12:3456::1"));
    assert_false(lp_ipnet_list_contains(l, "fe80::1"));
    assert_false(lp_ipnet_list_contains(l, "not an address"));
    assert_false(lp_ipnet_list_contains(l, ""));
    lp_ipnet_list_destroy(&l);
    assert_null(l);

    l = lp_ipnet_list_new("", &err);
    assert_non_null(l);
    assert_false(lp_ipnet_list_contains(l, "127.0.0.1"));
    lp_ipnet_list_destroy(&l);
    l = lp_ipnet_list_new(NULL, &err);
    assert_non_null(l);
    lp_ipnet_list_destroy(&l);

    assert_null(lp_ipnet_list_new("10.0.0.0/33", &err));
    assert_string_equal(err.field, "trusted_proxies");
    assert_null(lp_ipnet_list_new("10.0.0.0/", &err));
    assert_null(lp_ipnet_list_new("10.0.0.0/8x", &err));
    assert_null(lp_ipnet_list_new("proxy.example", &err));
    assert_null(lp_ipnet_list_new("::1/129", &err));
}

static void
test_ipnet_client(void **state)
{
    lp_error_t err;
    lp_ipnet_list_t *trusted = lp_ipnet_list_new("127.0.0.1, 10.0.0.0/8", &err);
    lp_ipnet_list_t *none = lp_ipnet_list_new("", &err);
    char out[LP_IPNET_ADDR_MAX];

    /* Nobody trusted: the header is ignored. */
    lp_ipnet_client(none, "127.0.0.1", "203.0.113.9", out, sizeof out);
    assert_string_equal(out, "127.0.0.1");
    /* An untrusted peer's header is ignored. */
    lp_ipnet_client(trusted, "198.51.100.7", "203.0.113.9", out, sizeof out);
    assert_string_equal(out, "198.51.100.7");
    /* A trusted peer vouches for the last entry. */
    lp_ipnet_client(trusted, "127.0.0.1", "203.0.113.9", out, sizeof out);
    assert_string_equal(out, "203.0.113.9");
    /* What the client wrote itself (left of what the proxy appended) does not count. */
    lp_ipnet_client(trusted, "127.0.0.1", "1.2.3.4, 203.0.113.9", out, sizeof out);
    assert_string_equal(out, "203.0.113.9");
    /* A chain of trusted proxies is walked through. */
    lp_ipnet_client(trusted, "127.0.0.1", "1.2.3.4,203.0.113.9, 10.1.1.1 ,10.2.2.2", out,
                    sizeof out);
    assert_string_equal(out, "203.0.113.9");
    /* Ports, brackets and IPv6. */
    lp_ipnet_client(trusted, "127.0.0.1", "[2001:db8::1]:443", out, sizeof out);
    assert_string_equal(out, "2001:db8::1");
    lp_ipnet_client(trusted, "127.0.0.1", "203.0.113.9:5555", out, sizeof out);
    assert_string_equal(out, "203.0.113.9");
    lp_ipnet_client(trusted, "::ffff:127.0.0.1", "2001:DB8:0::2", out, sizeof out);
    assert_string_equal(out, "2001:db8::2");
    /* Garbage stops the walk at the last address believed. */
    lp_ipnet_client(trusted, "127.0.0.1", "203.0.113.9, unknown", out, sizeof out);
    assert_string_equal(out, "127.0.0.1");
    lp_ipnet_client(trusted, "127.0.0.1", "203.0.113.9,", out, sizeof out);
    assert_string_equal(out, "127.0.0.1");
    lp_ipnet_client(trusted, "127.0.0.1", "", out, sizeof out);
    assert_string_equal(out, "127.0.0.1");
    lp_ipnet_client(trusted, "127.0.0.1", NULL, out, sizeof out);
    assert_string_equal(out, "127.0.0.1");
    /* Only trusted proxies all the way: the leftmost one is the client. */
    lp_ipnet_client(trusted, "127.0.0.1", "10.9.9.9", out, sizeof out);
    assert_string_equal(out, "10.9.9.9");
    lp_ipnet_list_destroy(&trusted);
    lp_ipnet_list_destroy(&none);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_refuses_bad_settings),
        cmocka_unit_test(test_burst_then_rate),
        cmocka_unit_test(test_slow_rate_retry_after),
        cmocka_unit_test(test_memory_is_bounded),
        cmocka_unit_test(test_long_keys),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_ipnet_lists),
        cmocka_unit_test(test_ipnet_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
