/* Unit tests of settings (flags over environment over defaults) and metrics text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lp_config.h"
#include "lp_metrics.h"

static void
test_precedence(void **state)
{
    lp_common_config_t c = {0};
    const char *listen = NULL;
    lp_option_t opts[] = {
        LP_COMMON_OPTIONS(&c),
        {"listen", "LAPOR_TEST_LISTEN", LP_OPT_STRING, "127.0.0.1:1", "x", &listen},
        {0},
    };
    char *argv[] = {"prog", "--grace-ms=250", "--listen", "127.0.0.1:9", "rest", NULL};
    int first = 0;

    setenv("LAPOR_SWEEP_MS", "77", 1);
    setenv("LAPOR_GRACE_MS", "5", 1);
    assert_int_equal(lp_config_parse("prog", "test", opts, 5, argv, &first), 0);
    assert_int_equal(c.sweep_ms, 77);  /* environment over default */
    assert_int_equal(c.grace_ms, 250); /* flag over environment */
    assert_int_equal(c.lease_ms, 30000);
    assert_string_equal(listen, "127.0.0.1:9");
    assert_string_equal(c.mongodb_uri, "mongodb://127.0.0.1:27017/lapor");
    assert_int_equal(first, 4);
    assert_string_equal(argv[first], "rest");
    unsetenv("LAPOR_SWEEP_MS");
    unsetenv("LAPOR_GRACE_MS");
}

static void
test_bad_values(void **state)
{
    lp_common_config_t c = {0};
    lp_option_t opts[] = {LP_COMMON_OPTIONS(&c), {0}};
    char *bad_int[] = {"prog", "--lease-ms", "soon", NULL};
    char *unknown[] = {"prog", "--no-such-flag", NULL};
    assert_int_equal(lp_config_parse("prog", "t", opts, 3, bad_int, NULL), -1);
    assert_int_equal(lp_config_parse("prog", "t", opts, 2, unknown, NULL), -1);
    setenv("LAPOR_LEASE_MS", "12x", 1);
    char *plain[] = {"prog", NULL};
    assert_int_equal(lp_config_parse("prog", "t", opts, 1, plain, NULL), -1);
    unsetenv("LAPOR_LEASE_MS");
}

static void
test_metrics_text(void **state)
{
    lp_metric_t *c = lp_metrics_counter("t_total", "k=\"v\"", "a counter");
    lp_metric_t *h = lp_metrics_histogram("t_seconds", NULL, "a histogram");
    assert_ptr_equal(c, lp_metrics_counter("t_total", "k=\"v\"", "again"));
    lp_metric_add(c, 41);
    lp_metric_inc(c);
    lp_metric_observe(h, 0.003);
    lp_metric_observe(h, 20.0);
    char *text = lp_metrics_render();
    assert_non_null(text);
    assert_non_null(strstr(text, "# TYPE t_total counter\n"));
    assert_non_null(strstr(text, "t_total{k=\"v\"} 42\n"));
    assert_non_null(strstr(text, "t_seconds_bucket{le=\"0.005\"} 1\n"));
    assert_non_null(strstr(text, "t_seconds_bucket{le=\"10\"} 1\n"));
    assert_non_null(strstr(text, "t_seconds_bucket{le=\"+Inf\"} 2\n"));
    assert_non_null(strstr(text, "t_seconds_count 2\n"));
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_metrics_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
