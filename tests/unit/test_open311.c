/* Unit tests of the Open311 channel's pure parts: the form decoder, the request
 * parser, region names, W3C date-times, the GET filters and the status mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "open311_parse.h"
#include "region_match.h"
#include "urlform.h"

static lp_region_t s_regions[] = {
    {"64", "provinsi", "Kalimantan Timur", ""},
    {"64.01", "kabupaten", "Kabupaten Paser", "64"},
    {"64.01.01", "kecamatan", "Batu Sopang", "64.01"},
    {"64.01.01.2009", "desa", "Samurangau", "64.01.01"},
    {"64.02", "kabupaten", "Kabupaten Kutai Kartanegara", "64"},
    {"64.02.04", "kecamatan", "Anggana", "64.02"},
    {"64.02.04.2005", "desa", "Anggana", "64.02.04"},
    {"64.08", "kabupaten", "Kabupaten Kutai Timur", "64"},
    {"64.08.17", "kecamatan", "Batu Ampar", "64.08"},
    {"64.71", "kabupaten", "Kota Balikpapan", "64"},
    {"64.71.03", "kecamatan", "Balikpapan Utara", "64.71"},
    {"64.71.03.1001", "desa", "Batu Ampar", "64.71.03"},
};
#define N_REGIONS (sizeof s_regions / sizeof s_regions[0])

static bool
region_known(void *arg, const char *code)
{
    (void) arg;
    for (size_t i = 0; i < N_REGIONS; i++)
        if (strcmp(s_regions[i].code, code) == 0)
            return true;
    return false;
}

static bool
category_known(void *arg, const char *id)
{
    (void) arg;
    return strcmp(id, "kesehatan") == 0 || strcmp(id, "pendidikan") == 0 ||
           strcmp(id, "kependudukan") == 0;
}

static int
by_address(void *arg, const char *address, char *code, size_t size)
{
    (void) arg;
    return intake_region_match(s_regions, N_REGIONS, address, code, size);
}

static const intake_open311_lookup_t s_lookup = {
    {region_known, category_known, NULL}, by_address, NULL, "64"};

static int
parse(const char *body, intake_complaint_t *c, lp_error_t *err)
{
    lp_error_clear(err);
    return intake_open311_parse_request(body, strlen(body), &s_lookup, c, err);
}

/* ---------------------------------------------------------------------------- */

static void
test_urlform(void **state)
{
    (void) state;
    lp_error_t err;
    const char *text = "a=1&b=x+y%2Bz&&c&d=%C3%A9";
    intake_urlform_t *form = intake_urlform_decode(text, strlen(text), &err);
    assert_non_null(form);
    assert_int_equal(intake_urlform_count(form), 4);
    assert_string_equal(intake_urlform_get(form, "b"), "x y+z");
    assert_string_equal(intake_urlform_get(form, "c"), "");
    assert_string_equal(intake_urlform_get(form, "d"), "\xc3\xa9");
    assert_null(intake_urlform_get(form, "e"));
    intake_urlform_destroy(&form);
    intake_urlform_destroy(&form); /* safe twice */

    static const struct {
        const char *text, *field;
    } bad[] = {{"a=%zz", "a"},    {"a=%4", "a"},        {"a=x%00y", "a"}, {"a=%ff%fe", "a"},
               {"a=%C0%AF", "a"}, {"a=%ED%A0%80", "a"}, {"=1", ""},       {"%zz=1", ""}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        lp_error_clear(&err);
        form = intake_urlform_decode(bad[i].text, strlen(bad[i].text), &err);
        if (form || strcmp(err.field, bad[i].field) != 0)
            fail_msg("case %zu (%s): field '%s'", i, bad[i].text, err.field);
    }
    /* Too many pairs. */
    char many[1024] = "";
    for (int i = 0; i < INTAKE_URLFORM_MAX_PAIRS + 1; i++)
        strcat(many, "a=1&");
    assert_null(intake_urlform_decode(many, strlen(many), &err));
    /* Not NUL-terminated input is read only up to len. */
    assert_non_null(form = intake_urlform_decode("a=1XXXX", 3, &err));
    assert_string_equal(intake_urlform_get(form, "a"), "1");
    intake_urlform_destroy(&form);
}

#define GOOD "api_key=k&service_code=kesehatan&description=Puskesmas+tutup+sejak+seminggu+lalu"

static void
test_good_request(void **state)
{
    (void) state;
    intake_complaint_t c;
    lp_error_t err;
    assert_int_equal(parse(GOOD "&address_string=Samurangau%2C+Batu+Sopang&first_name=Siti&"
                                "last_name=Aminah&phone=0812-3456-7890&email=siti%40example.id&"
                                "lat=-1.75&long=115.9&attribute[report_type]=aspirasi&"
                                "attribute[nama_fasilitas]=Puskesmas+Busui",
                           &c, &err),
                     0);
    assert_string_equal(c.region, "64.01.01.2009");
    assert_string_equal(c.category, "kesehatan");
    assert_string_equal(c.title, "Puskesmas tutup sejak seminggu lalu");
    assert_string_equal(c.reporter_name, "Siti Aminah");
    assert_string_equal(c.reporter_phone, "+6281234567890");
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_ASPIRASI);
    assert_true(c.has_location);
    assert_true(c.lat < -1.74 && c.lat > -1.76);
    assert_int_equal(c.n_attributes, 1);
    assert_string_equal(c.attributes[0].code, "nama_fasilitas");
    assert_string_equal(c.attributes[0].value, "Puskesmas Busui");
    intake_complaint_clear(&c);

    /* lat/long alone: the province. */
    assert_int_equal(parse(GOOD "&lat=-0.5&long=117.1&privacy=anonymous&first_name=X", &c, &err),
                     0);
    assert_string_equal(c.region, "64");
    assert_null(c.reporter_name);
    intake_complaint_clear(&c);

    /* address_id wins over address_string; permintaan_informasi is informasi. */
    assert_int_equal(parse(GOOD "&address_id=64.01&address_string=nowhere&"
                                "attribute[report_type]=permintaan_informasi",
                           &c, &err),
                     0);
    assert_string_equal(c.region, "64.01");
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_INFORMASI);
    intake_complaint_clear(&c);
}

static void
test_bad_requests(void **state)
{
    (void) state;
    static const struct {
        const char *body, *field;
    } bad[] = {
        {"api_key=k&description=Puskesmas+tutup+sejak+seminggu&lat=1&long=1", "service_code"},
        {GOOD "&service_code=sihir", "service_code"},
        {"api_key=k&service_code=sihir&lat=1&long=1", "service_code"},
        {GOOD "&lat=1&long=1&service_code[$gt]=", "service_code[$gt]"},
        {GOOD "&lat=1&long=1&admin=1", "admin"},
        {GOOD "&lat=1&long=1&lat=2", "lat"},
        {GOOD, "lat"},
        {GOOD "&lat=1", "long"},
        {GOOD "&lat=1e2&long=1", "lat"},
        {GOOD "&lat=nan&long=1", "lat"},
        {GOOD "&lat=91&long=1", "lat"},
        {GOOD "&lat=1&long=0x10", "long"},
        {GOOD "&lat=1&long=99999999999999999999999999", "long"},
        {GOOD "&address_id=64.99", "address_id"},
        {GOOD "&address_id=%7B%22%24gt%22%3A%22%22%7D", "address_id"},
        {GOOD "&address_string=Jalan+Mawar+3", "address_string"},
        {"api_key=k&service_code=kesehatan&description=short&lat=1&long=1", "description"},
        {"api_key=k&service_code=kesehatan&description=Puskesmas%07tutup+sejak+seminggu&lat=1&"
         "long=1",
         "description"},
        {GOOD "&lat=1&long=1&phone=12345", "phone"},
        {GOOD "&lat=1&long=1&email=nope", "email"},
        {GOOD "&lat=1&long=1&privacy=secret", "privacy"},
        {GOOD "&lat=1&long=1&media_url=http%3A%2F%2Fx", "media_url"},
        {GOOD "&lat=1&long=1&attribute[nama_sekolah]=SD+1", "attribute[nama_sekolah]"},
        {GOOD "&lat=1&long=1&attribute[report_type]=keluhan", "attribute[report_type]"},
        {GOOD "&lat=1&long=1&attribute[nama_fasilitas]=a%0Ab", "attribute[nama_fasilitas]"},
        {"api_key=k&service_code=kependudukan&description=KTP+belum+jadi+tiga+bulan&lat=1&long=1",
         "attribute[jenis_dokumen]"},
        {"api_key=k&service_code=kependudukan&description=KTP+belum+jadi+tiga+bulan&lat=1&long=1&"
         "attribute[jenis_dokumen]=paspor",
         "attribute[jenis_dokumen]"},
        {GOOD "&lat=1&long=1&first_name=%FF", "first_name"},
        {GOOD "&lat=1&long=1&title=abc", "title"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        intake_complaint_t c;
        lp_error_t err;
        int rc = parse(bad[i].body, &c, &err);
        if (rc != -1 || strcmp(err.field, bad[i].field) != 0)
            fail_msg("case %zu: rc %d field '%s' (wanted '%s'): %s", i, rc, err.field, bad[i].field,
                     err.message);
        assert_null(c.title);
        assert_null(c.attributes);
    }
}

static void
test_title(void **state)
{
    (void) state;
    char out[INTAKE_OPEN311_TITLE_CHARS * 4 + 8];
    intake_open311_title("  Jalan\n rusak   parah di depan sekolah ", out, sizeof out);
    assert_string_equal(out, "Jalan rusak parah di depan sekolah");
    intake_open311_title("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas",
                         out, sizeof out);
    assert_string_equal(out, "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh...");
    char longword[400];
    memset(longword, 'x', 300);
    longword[300] = '\0';
    intake_open311_title(longword, out, sizeof out);
    assert_int_equal(strlen(out), INTAKE_OPEN311_TITLE_CHARS);
    /* Multi-byte text is cut at a character boundary. */
    char wide[700] = "";
    for (int i = 0; i < 100; i++)
        strcat(wide, "\xc3\xa9");
    intake_open311_title(wide, out, sizeof out);
    assert_int_equal(strlen(out), (INTAKE_OPEN311_TITLE_CHARS - 3) * 2 + 3);
    intake_open311_title("", out, sizeof out);
    assert_string_equal(out, "");
}

static void
test_region_match(void **state)
{
    (void) state;
    char code[32];
    static const struct {
        const char *address, *code;
    } cases[] = {
        {"Samurangau", "64.01.01.2009"},
        {"jl. mawar 3, SAMURANGAU , batu  sopang, kab. paser", "64.01.01.2009"},
        {"Kecamatan Batu Sopang", "64.01.01"},
        {"Kabupaten Paser", "64.01"},
        {"paser", "64.01"},
        {"Kota Balikpapan", "64.71"},
        {"Anggana", "64.02.04.2005"}, /* the desa is deeper than its kecamatan */
        {"Batu Ampar", "64"},         /* two regions: their common ancestor */
        {"Batu Ampar, Balikpapan", "64.71.03.1001"},
        {"Batu Ampar; Kutai Timur", "64.08.17"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = intake_region_match(s_regions, N_REGIONS, cases[i].address, code, sizeof code);
        if (rc != 0 || strcmp(code, cases[i].code) != 0)
            fail_msg("case %zu (%s): rc %d code %s", i, cases[i].address, rc, rc ? "" : code);
    }
    assert_int_equal(intake_region_match(s_regions, N_REGIONS, "Jalan Mawar", code, sizeof code),
                     -1);
    assert_int_equal(intake_region_match(s_regions, N_REGIONS, ",,,;", code, sizeof code), -1);
    assert_int_equal(intake_region_match(s_regions, N_REGIONS, "", code, sizeof code), -1);
}

static void
test_datetime(void **state)
{
    (void) state;
    int64_t ms = 0;
    assert_int_equal(intake_w3c_datetime_parse("1970-01-01T00:00:00Z", &ms), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(intake_w3c_datetime_parse("2025-03-01T08:00:00+08:00", &ms), 0);
    assert_int_equal(ms, 1740787200000LL);
    assert_int_equal(intake_w3c_datetime_parse("2025-03-01T08:00:00 08:00", &ms), 0);
    assert_int_equal(ms, 1740787200000LL);
    assert_int_equal(intake_w3c_datetime_parse("2025-03-01", &ms), 0);
    assert_int_equal(ms, 1740787200000LL);
    assert_int_equal(intake_w3c_datetime_parse("2025-03-01T00:00:00.250Z", &ms), 0);
    assert_int_equal(ms, 1740787200250LL);
    assert_int_equal(intake_w3c_datetime_parse("2024-02-29T23:59Z", &ms), 0);
    static const char *const bad[] = {"",
                                      "2025",
                                      "2025-13-01",
                                      "2025-02-29",
                                      "2025-03-01T08:00:00",
                                      "2025-03-01T24:00:00Z",
                                      "2025-03-01T08:00:00+8",
                                      "1969-12-31",
                                      "99999-01-01",
                                      "2025-03-01T08:00:00.Z",
                                      "2025-03-01T08:00:00Zjunk",
                                      "+2025-03-01",
                                      "２０２５-03-01"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (i != 1 && intake_w3c_datetime_parse(bad[i], &ms) == 0)
            fail_msg("accepted '%s'", bad[i]);
    assert_int_equal(intake_w3c_datetime_parse(NULL, &ms), -1);
}

static void
test_query(void **state)
{
    (void) state;
    intake_open311_query_t q;
    lp_error_t err;
    const int64_t now = 1740787200000LL, day = 86400000LL;

    assert_int_equal(intake_open311_parse_query(NULL, NULL, NULL, NULL, NULL, now, &q, &err), 0);
    assert_int_equal(q.end_ms - q.start_ms, 90 * day);
    assert_true(q.open && q.closed);
    assert_int_equal(intake_open311_parse_query(NULL, "kesehatan", "2025-01-01", "2025-03-31",
                                                "closed", now, &q, &err),
                     0);
    assert_true(!q.open && q.closed);
    assert_string_equal(q.service_code, "kesehatan");
    assert_int_equal(
        intake_open311_parse_query(NULL, NULL, "2025-01-01", "2025-04-02", NULL, now, &q, &err),
        -1);
    assert_string_equal(err.field, "start_date");
    assert_int_equal(intake_open311_parse_query(NULL, NULL, "2025-03-02", "2025-03-01T00:00Z", NULL,
                                                now, &q, &err),
                     -1);
    assert_string_equal(err.field, "end_date");
    assert_int_equal(intake_open311_parse_query(NULL, NULL, "yesterday", NULL, NULL, now, &q, &err),
                     -1);
    assert_string_equal(err.field, "start_date");
    assert_int_equal(intake_open311_parse_query(NULL, NULL, NULL, NULL, "pending", now, &q, &err),
                     -1);
    assert_string_equal(err.field, "status");
    assert_int_equal(
        intake_open311_parse_query(NULL, "{\"$gt\":\"\"}", NULL, NULL, NULL, now, &q, &err), -1);
    assert_string_equal(err.field, "service_code");

    /* ids override the rest, even bad dates. */
    assert_int_equal(intake_open311_parse_query("4821093753, 482-109-3753", NULL, "junk", NULL,
                                                NULL, now, &q, &err),
                     0);
    assert_int_equal(q.n_ids, 2);
    assert_string_equal(q.ids[1], "4821093753");
    assert_int_equal(
        intake_open311_parse_query("4821093754", NULL, NULL, NULL, NULL, now, &q, &err), -1);
    assert_int_equal(intake_open311_parse_query("", NULL, NULL, NULL, NULL, now, &q, &err), -1);
    char many[2000] = "";
    for (int i = 0; i < INTAKE_OPEN311_MAX_IDS + 1; i++)
        strcat(many, "4821093753,");
    many[strlen(many) - 1] = '\0';
    assert_int_equal(intake_open311_parse_query(many, NULL, NULL, NULL, NULL, now, &q, &err), -1);
    assert_string_equal(err.field, "service_request_id");
}

static void
test_status(void **state)
{
    (void) state;
    assert_string_equal(intake_open311_status("received"), "open");
    assert_string_equal(intake_open311_status("disposed"), "open");
    assert_string_equal(intake_open311_status("postponed"), "open");
    assert_string_equal(intake_open311_status("resolved"), "closed");
    assert_string_equal(intake_open311_status("closed"), "closed");
    assert_string_equal(intake_open311_status("archived"), "closed");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urlform),      cmocka_unit_test(test_good_request),
        cmocka_unit_test(test_bad_requests), cmocka_unit_test(test_title),
        cmocka_unit_test(test_region_match), cmocka_unit_test(test_datetime),
        cmocka_unit_test(test_query),        cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
