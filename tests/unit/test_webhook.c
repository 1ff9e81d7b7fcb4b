/* Unit tests of webhook signing (Standard Webhooks) and the retry back-off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "notifier-private.h"
#include "webhook.h"

static void
test_standard_webhooks_vector(void **state)
{
    /* The example published with the Standard Webhooks specification. */
    const char *body = "{\"test\": 2432232314}";
    char sig[WEBHOOK_SIGNATURE_LEN];
    assert_int_equal(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                  "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, strlen(body),
                                  sig),
                     0);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void
test_plain_secret(void **state)
{
    char sig[WEBHOOK_SIGNATURE_LEN], other[WEBHOOK_SIGNATURE_LEN];
    assert_int_equal(webhook_sign("plain-secret-1234", "e1", 1700000000, "{}", 2, sig), 0);
    assert_string_equal(sig, "v1,JFi6JGZtpNpLH0pDsFmUTNoT7mofimBXJ+unzPv+11E=");
    /* Any change to id, time or body changes the signature. */
    assert_int_equal(webhook_sign("plain-secret-1234", "e2", 1700000000, "{}", 2, other), 0);
    assert_string_not_equal(sig, other);
    assert_int_equal(webhook_sign("plain-secret-1234", "e1", 1700000001, "{}", 2, other), 0);
    assert_string_not_equal(sig, other);
    assert_int_equal(webhook_sign("whsec_!!!not base64", "e1", 1, "{}", 2, other), -1);
}

static void
test_backoff_grows_with_jitter(void **state)
{
    for (int attempt = 1; attempt <= 6; attempt++) {
        int64_t base = 1000LL << (attempt - 1);
        for (int i = 0; i < 50; i++) {
            int64_t w = notifier_backoff_ms(1000, attempt);
            assert_true(w >= base - base / 4 && w <= base + base / 4);
        }
    }
    assert_true(notifier_backoff_ms(1000, 60) <= 60 * 60 * 1000 * 5 / 4);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_standard_webhooks_vector),
        cmocka_unit_test(test_plain_secret),
        cmocka_unit_test(test_backoff_grows_with_jitter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
