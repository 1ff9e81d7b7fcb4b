/* Citizens' messages: every kind in both languages, values filled in, SMS length,
 * UTF-8 subjects encoded for mail headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "email.h"
#include "templates.h"

static const char *const kinds[] = {"received",  "disposed", "followup", "question", "resolved",
                                    "escalated", "closed",   "archived", "reopened", "duplicate"};

static void
test_every_kind_in_both_languages(void **state)
{
    (void) state;
    notifier_vars_t v = {"1234567890", "Dinas Kesehatan Kabupaten Paser", "4 Des 2026",
                         "Di RT berapa?", "1708"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        notifier_message_t id, en;
        assert_int_equal(notifier_render(kinds[i], "id", &v, &id), 0);
        assert_int_equal(notifier_render(kinds[i], "en", &v, &en), 0);
        /* Every message names the complaint and no placeholder is left but {pin},
         * which the sender fills in. */
        char filled[sizeof id.sms];
        assert_non_null(strstr(id.sms, "1234567890"));
        assert_non_null(strstr(en.text, "1234567890"));
        notifier_fill_pin(id.sms, "123456", filled, sizeof filled);
        assert_null(strchr(filled, '{'));
        assert_null(strchr(en.subject, '{'));
        assert_string_not_equal(id.sms, en.sms);
    }
}

static void
test_received_fits_one_sms_and_says_what_to_send(void **state)
{
    (void) state;
    notifier_vars_t v = {"1234567890", "", "", "", "1708"};
    notifier_message_t m;
    assert_int_equal(notifier_render("received", "id", &v, &m), 0);
    assert_true(strlen(m.sms) <= 160);
    assert_non_null(strstr(m.sms, "STATUS 1234567890"));
    assert_non_null(strstr(m.sms, "1708"));
    assert_int_equal(notifier_render("received", "xx", &v, &m), 0); /* unknown: Indonesian */
    assert_non_null(strstr(m.sms, "diterima"));
    assert_int_equal(notifier_render("no-such-kind", "id", &v, &m), -1);
    /* The PIN is filled in by the sender, and still fits one SMS. */
    char filled[sizeof m.sms];
    assert_int_equal(notifier_render("received", "id", &v, &m), 0);
    assert_non_null(strstr(m.sms, "{pin}"));
    notifier_fill_pin(m.sms, "042137", filled, sizeof filled);
    assert_non_null(strstr(filled, "PIN 042137"));
    assert_true(strlen(filled) <= 160);
}

static void
test_long_values_never_overflow(void **state)
{
    (void) state;
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    notifier_vars_t v = {"1234567890", big, big, big, "1708"};
    notifier_message_t m;
    assert_int_equal(notifier_render("question", "id", &v, &m), 0);
    assert_true(strlen(m.sms) < sizeof m.sms);
    assert_true(strlen(m.text) < sizeof m.text);
}

static void
test_dates_in_wita(void **state)
{
    (void) state;
    char out[40];
    /* 2026-12-04T15:59:59Z is 23:59:59 on 4 December in WITA. */
    notifier_date(1796399999000LL, "id", out, sizeof out);
    assert_string_equal(out, "4 Des 2026");
    notifier_date(1796399999000LL, "en", out, sizeof out);
    assert_string_equal(out, "4 Dec 2026");
}

static void
test_header_encoding(void **state)
{
    (void) state;
    char out[200];
    assert_true(notifier_email_encode_header("Plain subject", out, sizeof out));
    assert_string_equal(out, "Plain subject");
    assert_true(notifier_email_encode_header("Pengaduan \xe2\x80\x93 selesai", out, sizeof out));
    assert_string_equal(out, "=?UTF-8?B?UGVuZ2FkdWFuIOKAkyBzZWxlc2Fp?=");
    /* A line break could inject a header: it is encoded, never passed through. */
    assert_true(notifier_email_encode_header("a\r\nBcc: x@y", out, sizeof out));
    assert_null(strchr(out, '\n'));
    assert_false(notifier_email_encode_header("\xc3\xa9t\xc3\xa9", out, 8));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_in_both_languages),
        cmocka_unit_test(test_received_fits_one_sms_and_says_what_to_send),
        cmocka_unit_test(test_long_values_never_overflow),
        cmocka_unit_test(test_dates_in_wita),
        cmocka_unit_test(test_header_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
