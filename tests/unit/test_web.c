/* Unit tests of the web pages' pure parts: the string table, the escape, the tokens,
 * and the checker reporting every wrong field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"
#include "web_html.h"
#include "web_text.h"
#include "web_token.h"

static void
test_every_text_in_both_languages(void **state)
{
    for (int id = 0; id < WT__COUNT; id++) {
        const char *in = web_text(WEB_LANG_ID, (web_text_id_t) id);
        const char *en = web_text(WEB_LANG_EN, (web_text_id_t) id);
        if (!in[0] || !en[0])
            fail_msg("text %d is missing in %s", id, in[0] ? "English" : "Bahasa Indonesia");
    }
    assert_string_equal(web_text(WEB_LANG_EN, WT_LANG_CODE), "en");
    assert_int_equal(web_lang_from("en"), WEB_LANG_EN);
    assert_int_equal(web_lang_from("xx"), WEB_LANG_ID);
    assert_int_equal(web_lang_from(NULL), WEB_LANG_ID);
    assert_int_equal(web_text_status("disposed"), WT_STATUS_DISPOSED);
    assert_int_equal(web_text_status("<evil>"), WT_STATUS_UNKNOWN);
    assert_int_equal(web_text_field_error("reporter.phone"), WT_ERR_PHONE);
    assert_string_equal(web_text_month(WEB_LANG_ID, 5), "Mei");
    assert_string_equal(web_text_month(WEB_LANG_EN, 13), "");
}

static void
test_escape(void **state)
{
    web_html_t *h = web_html_new();
    size_t len = 0;
    assert_non_null(h);
    web_html_raw(h, "<p>");
    web_html_text(h, "<script>alert('x') & \"y\"</script>");
    web_html_raw(h, "</p><a href=\"/x?q=");
    web_html_param(h, "a b&\"<é");
    web_html_raw(h, "\">");
    web_html_fill(h, "Laporan {} <ok>", "1<2");
    web_html_text(h, NULL);
    web_html_long(h, -42);
    assert_string_equal(web_html_data(h, &len),
                        "<p>&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</p>"
                        "<a href=\"/x?q=a%20b%26%22%3C%C3%A9\">Laporan 1&lt;2 &lt;ok&gt;-42");
    assert_int_equal(len, strlen(web_html_data(h, NULL)));
    web_html_destroy(&h);
    assert_null(h);
    web_html_destroy(&h);
}

static void
test_escape_large(void **state)
{
    web_html_t *h = web_html_new();
    size_t len = 0;
    for (int i = 0; i < 10000; i++)
        web_html_text(h, "<>");
    assert_non_null(web_html_data(h, &len));
    assert_int_equal(len, 10000 * 8);
    web_html_destroy(&h);
}

static void
test_tokens(void **state)
{
    unsigned char key[WEB_TOKEN_KEY_LEN] = {1, 2, 3}, other[WEB_TOKEN_KEY_LEN] = {9};
    char nonce[WEB_NONCE_LEN + 1], token[WEB_TOKEN_LEN + 1];

    web_token_nonce(nonce);
    assert_true(web_token_nonce_ok(nonce));
    assert_false(web_token_nonce_ok("abc"));
    assert_false(web_token_nonce_ok("ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ"));
    assert_false(web_token_nonce_ok(NULL));
    web_token_make(key, "csrf", nonce, 1000000, token);
    assert_true(web_token_check(key, "csrf", nonce, token, 1000000, 60));
    assert_true(web_token_check(key, "csrf", nonce, token, 1000060, 60));
    assert_false(web_token_check(key, "csrf", nonce, token, 1000061, 60)); /* too old */
    assert_false(web_token_check(key, "csrf", nonce, token, 999000, 60));  /* from the future */
    assert_false(web_token_check(other, "csrf", nonce, token, 1000000, 60));
    assert_false(web_token_check(key, "receipt", nonce, token, 1000000, 60));
    assert_false(web_token_check(key, "csrf", "another", token, 1000000, 60));
    assert_false(web_token_check(key, "csrf", nonce, NULL, 1000000, 60));
    assert_false(web_token_check(key, "csrf", nonce, "", 1000000, 60));
    assert_false(web_token_check(key, "csrf", nonce, ".", 1000000, 60));
    assert_false(web_token_check(key, "csrf", nonce, "1000000.", 1000000, 60));
    assert_false(web_token_check(key, "csrf", nonce, "99999999999999999999999.00", 1000000, 60));
    token[strlen(token) - 1] ^= 1;
    assert_false(web_token_check(key, "csrf", nonce, token, 1000000, 60));
}

static bool
s_yes(void *arg, const char *s)
{
    return strcmp(s, "sihir") != 0 && strcmp(s, "99") != 0;
}

static void
test_check_all(void **state)
{
    intake_lookup_t lookup = {s_yes, s_yes, NULL};
    intake_fields_t f = {.title = "Hi",
                         .body = "short",
                         .region = "99",
                         .reporter_phone = "12345",
                         .category = "sihir"};
    intake_complaint_t c;
    lp_error_t errs[8], one;
    size_t n = 0;

    assert_int_equal(intake_complaint_check_all(&f, &lookup, &c, errs, 8, &n), -1);
    assert_int_equal(n, 5);
    assert_string_equal(errs[0].field, "title");
    assert_string_equal(errs[1].field, "body");
    assert_string_equal(errs[2].field, "category");
    assert_string_equal(errs[3].field, "region");
    assert_string_equal(errs[4].field, "reporter.phone");
    assert_null(c.title);
    /* The one-error form reports the first of them. */
    assert_int_equal(intake_complaint_check(&f, &lookup, &c, &one), -1);
    assert_string_equal(one.field, "title");
    /* Fewer slots than errors: the first ones. */
    assert_int_equal(intake_complaint_check_all(&f, &lookup, &c, errs, 2, &n), -1);
    assert_int_equal(n, 2);
    f = (intake_fields_t){.title = "Jalan rusak",
                          .body = "Jalan di desa kami rusak.",
                          .region = "64.01",
                          .lang = "en"};
    assert_int_equal(intake_complaint_check_all(&f, &lookup, &c, errs, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_string_equal(c.lang, "en");
    intake_complaint_clear(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_text_in_both_languages),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_escape_large),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_check_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
