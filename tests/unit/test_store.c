/* lp_store: what a database URI asks of writes (no database needed: the pool
 * connects only when a client is used). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lp_store.h"

static bool
s_acknowledged(const char *uri)
{
    lp_error_t err;
    lp_error_clear(&err);
    lp_store_t *store = lp_store_new(uri, "test_store", &err);
    assert_non_null(store);
    bool acknowledged = lp_store_acknowledged(store);
    lp_store_destroy(&store);
    assert_null(store);
    return acknowledged;
}

/* Only w=0 means nobody waits for the database's answer (intake's commit then does
 * not wait for company either). */
static void
test_unacknowledged_only_with_w0(void **state)
{
    (void) state;
    assert_true(s_acknowledged("mongodb://127.0.0.1:1/lapor"));
    assert_true(s_acknowledged("mongodb://127.0.0.1:1/lapor?w=1"));
    assert_true(s_acknowledged("mongodb://127.0.0.1:1/lapor?w=majority"));
    assert_true(s_acknowledged("mongodb://127.0.0.1:1/lapor?journal=true"));
    assert_false(s_acknowledged("mongodb://127.0.0.1:1/lapor?w=0"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unacknowledged_only_with_w0),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
