/* Unit tests of intake's per-phone rate limit: one number however it is written,
 * one polite notice per interval, then quiet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "intake-private.h"

static void
test_phone_limit(void **state)
{
    intake_config_t config = {0};
    intake_t self = {0};
    int64_t wait = 0;

    config.rate_phone_per_hour = 10; /* one every 6 minutes */
    config.rate_phone_burst = 3;
    self.config = &config;
    assert_int_equal(intake_rate_start(&self), 0);
    assert_null(self.rate_ip); /* 0 per minute: no limit by address */
    assert_int_equal(intake_rate_phone(&self, "0812-3456-7890", &wait), INTAKE_RATE_OK);
    assert_int_equal(intake_rate_phone(&self, "+6281234567890", &wait), INTAKE_RATE_OK);
    assert_int_equal(intake_rate_phone(&self, "62 812 3456 7890", &wait), INTAKE_RATE_OK);
    assert_int_equal(intake_rate_phone(&self, "081234567890", &wait), INTAKE_RATE_NOTICE);
    assert_true(wait > 300 && wait <= 360);
    assert_int_equal(intake_rate_phone(&self, "081234567890", &wait), INTAKE_RATE_QUIET);
    assert_int_equal(intake_rate_phone(&self, "081234567890", NULL), INTAKE_RATE_QUIET);
    /* Another number, and text that is no number at all, have limits of their own. */
    assert_int_equal(intake_rate_phone(&self, "081298765432", &wait), INTAKE_RATE_OK);
    assert_int_equal(intake_rate_phone(&self, "not a phone", &wait), INTAKE_RATE_OK);
    intake_rate_stop(&self);
    intake_rate_stop(&self);
    assert_null(self.rate_phone);
}

static void
test_off(void **state)
{
    intake_config_t config = {0};
    intake_t self = {0};
    self.config = &config;
    assert_int_equal(intake_rate_start(&self), 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(intake_rate_phone(&self, "081234567890", NULL), INTAKE_RATE_OK);
    intake_rate_stop(&self);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phone_limit),
        cmocka_unit_test(test_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
