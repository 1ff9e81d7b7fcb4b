/* SMS sizes: GSM-7 or UCS-2, how many parts, and cutting to fit. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sms.h"

static notifier_sms_size_t
measure(const char *text)
{
    notifier_sms_size_t m;
    assert_int_equal(notifier_sms_measure(text, &m), 0);
    return m;
}

static void
repeat(char *out, const char *unit, size_t times)
{
    out[0] = '\0';
    for (size_t i = 0; i < times; i++)
        strcat(out, unit);
}

static void
test_gsm7(void **state)
{
    (void) state;
    char text[1200];
    notifier_sms_size_t m = measure("LAPOR 4821093756: diteruskan ke Dinas Kesehatan. @ $ _ é ñ");
    assert_true(m.gsm7);
    assert_int_equal(m.parts, 1);
    /* Escaped characters count twice. */
    m = measure("[]{}~^|\\€");
    assert_true(m.gsm7);
    assert_int_equal(m.units, 18);
    /* 160 fit one SMS; 161 need two parts of 153. */
    repeat(text, "a", 160);
    assert_int_equal(measure(text).parts, 1);
    repeat(text, "a", 161);
    assert_int_equal(measure(text).parts, 2);
    repeat(text, "a", 306);
    assert_int_equal(measure(text).parts, 2);
    repeat(text, "a", 307);
    assert_int_equal(measure(text).parts, 3);
    /* An escape pair is never split: 152 + "€" does not fit in one part of 153. */
    repeat(text, "a", 152);
    strcat(text, "€");
    strcat(text, "bbbbbbbbbb");
    m = measure(text);
    assert_int_equal(m.units, 164);
    assert_int_equal(m.parts, 2);
}

static void
test_ucs2(void **state)
{
    (void) state;
    char text[1200];
    /* A backquote, a curly quote or Arabic script is not GSM-7. */
    assert_false(measure("`").gsm7);
    assert_false(measure("\xe2\x80\x9cquoted\xe2\x80\x9d").gsm7);
    notifier_sms_size_t m = measure("Pengaduan \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85");
    assert_false(m.gsm7);
    assert_int_equal(m.units, 14);
    repeat(text, "\xc4\x81", 70); /* ā, outside GSM-7 */
    assert_int_equal(measure(text).parts, 1);
    repeat(text, "\xc4\x81", 71);
    assert_int_equal(measure(text).parts, 2);
    repeat(text, "\xc4\x81", 135);
    assert_int_equal(measure(text).parts, 3);
    /* An emoji is a surrogate pair: two units. */
    m = measure("\xf0\x9f\x98\x80");
    assert_int_equal(m.units, 2);
}

static void
test_invalid_utf8(void **state)
{
    (void) state;
    notifier_sms_size_t m;
    char out[64];
    assert_int_equal(notifier_sms_measure("a\xff", &m), -1);
    assert_int_equal(notifier_sms_measure("\xe2\x82", &m), -1);
    assert_int_equal(notifier_sms_fit("a\xff", 1, out, sizeof out), -1);
    assert_int_equal(measure("").parts, 1);
}

static void
test_fit(void **state)
{
    (void) state;
    char text[2000], out[2000];
    /* What fits is copied as it is. */
    assert_int_equal(notifier_sms_fit("Halo", 1, out, sizeof out), 1);
    assert_string_equal(out, "Halo");
    /* Too long for two parts: cut at a word boundary, "..." appended. */
    repeat(text, "kata ", 100);
    int parts = notifier_sms_fit(text, 2, out, sizeof out);
    assert_int_equal(parts, 2);
    assert_true(measure(out).units <= 306);
    assert_int_equal(strcmp(out + strlen(out) - 7, "kata..."), 0);
    /* UCS-2 text is cut by UCS-2 sizes, never inside a character. */
    repeat(text, "\xc4\x81\xc4\x81 ", 100);
    parts = notifier_sms_fit(text, 1, out, sizeof out);
    assert_int_equal(parts, 1);
    notifier_sms_size_t m = measure(out);
    assert_false(m.gsm7);
    assert_true(m.units <= 70);
    /* One endless word is cut where the room ends. */
    repeat(text, "x", 500);
    assert_int_equal(notifier_sms_fit(text, 1, out, sizeof out), 1);
    assert_int_equal(strlen(out) <= 160, 1);
    /* out too small. */
    assert_int_equal(notifier_sms_fit("Halo", 1, out, 3), -1);
}

static void
test_send_without_kannel_is_retried(void **state)
{
    (void) state;
    struct sockaddr_in addr = {0};
    socklen_t len = sizeof addr;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    char url[100], error[256];
    long status = 0;

    /* A port that was free a moment ago: nothing listens, the connection is refused. */
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *) &addr, sizeof addr), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *) &addr, &len), 0);
    close(fd);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/cgi-bin/sendsms", ntohs(addr.sin_port));
    notifier_sms_config_t config = {url, "lapor", "secret-pw", "1708", 2000};
    assert_int_equal(
        notifier_sms_send(&config, "+6281234567890", "Halo", &status, error, sizeof error),
        NOTIFIER_SMS_RETRY);
    assert_int_equal(status, -1);
    /* The reason never carries the password or the number. */
    assert_null(strstr(error, "secret-pw"));
    assert_null(strstr(error, "81234567890"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gsm7),
        cmocka_unit_test(test_ucs2),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_fit),
        cmocka_unit_test(test_send_without_kannel_is_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
