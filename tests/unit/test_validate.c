/* Unit tests of intake's complaint validation: every hostile shape gets a named field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

static bool
region_known(void *arg, const char *code)
{
    return strcmp(code, "64.01.01.2009") == 0 || strcmp(code, "64.01") == 0;
}

static bool
category_known(void *arg, const char *id)
{
    return strcmp(id, "kesehatan") == 0;
}

static const intake_lookup_t lookup = {region_known, category_known, NULL};

#define GOOD_FIELDS                                                                                \
    "\"type\":\"pengaduan\",\"title\":\"Puskesmas tutup\",\"body\":\"Puskesmas tutup sejak "       \
    "seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\""

static void
test_good_complaint(void **state)
{
    const char *json = "{" GOOD_FIELDS ",\"privacy\":\"public\",\"reporter\":{\"name\":\" Siti "
                       "\",\"phone\":\"0812-3456-7890\",\"email\":\"siti@example.id\"}}";
    intake_complaint_t c;
    lp_error_t err;
    lp_error_clear(&err);
    assert_int_equal(intake_complaint_parse(json, strlen(json), &lookup, &c, &err), 0);
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN);
    assert_int_equal(c.privacy, LAPOR__V1__PRIVACY__PRIVACY_PUBLIC);
    assert_string_equal(c.title, "Puskesmas tutup");
    assert_string_equal(c.reporter_name, "Siti");
    assert_string_equal(c.reporter_phone, "+6281234567890");
    assert_string_equal(c.reporter_email, "siti@example.id");
    intake_complaint_clear(&c);
}

static void
test_anonymous_drops_name(void **state)
{
    const char *json = "{" GOOD_FIELDS ",\"privacy\":\"anonymous\",\"reporter\":{\"name\":"
                       "\"CANARY\",\"phone\":\"081234567890\"}}";
    intake_complaint_t c;
    lp_error_t err;
    assert_int_equal(intake_complaint_parse(json, strlen(json), &lookup, &c, &err), 0);
    assert_int_equal(c.privacy, LAPOR__V1__PRIVACY__PRIVACY_ANONYMOUS);
    assert_null(c.reporter_name);
    /* The phone stays, to be sealed: only the notifier may read it back. */
    assert_string_equal(c.reporter_phone, "+6281234567890");
    assert_null(c.reporter_email);
    assert_string_equal(c.lang, "id");
    intake_complaint_clear(&c);
}

/* Each bad input and the field its error must name ("" = the body as a whole). */
static const struct {
    const char *json;
    const char *field;
} bad[] = {
    {"{not json", ""},
    {"[1,2]", ""},
    {"\"text\"", ""},
    {"{" GOOD_FIELDS ",\"title\":1}", ""}, /* duplicate key */
    {"{\"type\":\"pengaduan\",\"title\":{\"$gt\":\"\"},\"body\":\"Puskesmas tutup sejak "
     "seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\"}",
     "title"},
    {"{\"type\":\"pengaduan\",\"title\":12345,\"body\":\"Puskesmas tutup sejak "
     "seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\"}",
     "title"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas tutup\",\"category\":\"kesehatan\","
     "\"region\":\"64.01.01.2009\"}",
     "body"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas tutup\",\"body\":\"short\",\"category\":"
     "\"kesehatan\",\"region\":\"64.01.01.2009\"}",
     "body"},
    {"{\"type\":\"keluhan\",\"title\":\"Puskesmas tutup\",\"body\":\"Puskesmas tutup sejak "
     "seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\"}",
     "type"},
    {"{" GOOD_FIELDS ",\"privacy\":\"secret\"}", "privacy"},
    {"{" GOOD_FIELDS ",\"privacy\":[\"public\"]}", "privacy"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas tutup\",\"body\":\"Puskesmas tutup sejak "
     "seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.99.99.9999\"}",
     "region"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas tutup\",\"body\":\"Puskesmas tutup sejak "
     "seminggu.\",\"category\":\"sihir\",\"region\":\"64.01.01.2009\"}",
     "category"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas tutup\",\"body\":\"Puskesmas tutup sejak "
     "seminggu.\",\"category\":{\"$ne\":null},\"region\":\"64.01.01.2009\"}",
     "category"},
    {"{" GOOD_FIELDS ",\"admin\":true}", "admin"},
    {"{" GOOD_FIELDS ",\"reporter\":\"Siti\"}", "reporter"},
    {"{" GOOD_FIELDS ",\"reporter\":{\"phone\":\"12345\"}}", "reporter.phone"},
    {"{" GOOD_FIELDS ",\"reporter\":{\"phone\":{\"$gt\":\"\"}}}", "reporter.phone"},
    {"{" GOOD_FIELDS ",\"reporter\":{\"email\":\"not-an-address\"}}", "reporter.email"},
    {"{" GOOD_FIELDS ",\"reporter\":{\"role\":\"admin\"}}", "reporter.role"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas\\u0007tutup\",\"body\":\"Puskesmas tutup "
     "sejak seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\"}",
     "title"},
    {"{\"type\":\"pengaduan\",\"title\":\"Puskesmas\\u0000tutup\",\"body\":\"Puskesmas tutup "
     "sejak seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\"}",
     ""},
};

static void
test_bad_inputs(void **state)
{
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        intake_complaint_t c;
        lp_error_t err;
        lp_error_clear(&err);
        int rc = intake_complaint_parse(bad[i].json, strlen(bad[i].json), &lookup, &c, &err);
        if (rc != -1 || strcmp(err.field, bad[i].field) != 0)
            fail_msg("case %zu: rc %d field '%s' (wanted '%s'): %s", i, rc, err.field, bad[i].field,
                     err.message);
        assert_true(err.message[0] != '\0');
        assert_null(c.title);
    }
}

static void
test_invalid_utf8_and_length(void **state)
{
    char json[8192];
    intake_complaint_t c;
    lp_error_t err;
    /* Raw 0xff bytes inside a JSON string. */
    snprintf(json, sizeof json,
             "{\"type\":\"pengaduan\",\"title\":\"Puskesmas \xff\xfe tutup\",\"body\":\"Puskesmas "
             "tutup sejak seminggu.\",\"category\":\"kesehatan\",\"region\":\"64.01.01.2009\"}");
    assert_int_equal(intake_complaint_parse(json, strlen(json), &lookup, &c, &err), -1);
    assert_string_equal(err.field, "");
    /* A title of 151 characters: the limit is counted in characters, not bytes. */
    char title[400] = "";
    for (int i = 0; i < 151; i++)
        strcat(title, "é");
    snprintf(json, sizeof json,
             "{\"title\":\"%s\",\"body\":\"Puskesmas tutup sejak seminggu.\",\"category\":"
             "\"kesehatan\",\"region\":\"64.01\"}",
             title);
    assert_int_equal(intake_complaint_parse(json, strlen(json), &lookup, &c, &err), -1);
    assert_string_equal(err.field, "title");
    title[strlen(title) - 2] = '\0'; /* 150 characters, 300 bytes: fine */
    snprintf(json, sizeof json,
             "{\"title\":\"%s\",\"body\":\"Puskesmas tutup sejak seminggu.\",\"category\":"
             "\"kesehatan\",\"region\":\"64.01\"}",
             title);
    assert_int_equal(intake_complaint_parse(json, strlen(json), &lookup, &c, &err), 0);
    assert_int_equal(intake_utf8_length(c.title), 150);
    intake_complaint_clear(&c);
}

static void
test_phone_normalize(void **state)
{
    static const struct {
        const char *in, *out;
    } ok[] = {{"081234567890", "+6281234567890"},
              {"6281234567890", "+6281234567890"},
              {"+62 812-3456-7890", "+6281234567890"},
              {"(0541) 123456", "+62541123456"}};
    static const char *const no[] = {"",
                                     "12345",
                                     "+1 202 555 0100",
                                     "0812abc",
                                     "08",
                                     "+62 0812 3456 7890",
                                     "0812345678901234567890"};
    char out[32];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(intake_phone_normalize(ok[i].in, out, sizeof out), 0);
        assert_string_equal(out, ok[i].out);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(intake_phone_normalize(no[i], out, sizeof out), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_complaint),  cmocka_unit_test(test_anonymous_drops_name),
        cmocka_unit_test(test_bad_inputs),      cmocka_unit_test(test_invalid_utf8_and_length),
        cmocka_unit_test(test_phone_normalize),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
