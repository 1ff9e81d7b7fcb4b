/* SMS commands, titles and places: what a citizen's text asks for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sms_parse.h"

static intake_sms_cmd_t
parse(const char *text)
{
    intake_sms_cmd_t cmd;
    intake_sms_parse(text, strlen(text), &cmd);
    return cmd;
}

static void
assert_span(const char *p, size_t n, const char *want)
{
    assert_int_equal(n, strlen(want));
    assert_memory_equal(p, want, n);
}

static void
test_free_text_is_a_complaint(void **state)
{
    (void) state;
    intake_sms_cmd_t c = parse("  Jalan di desa Samurangau rusak parah \n");
    assert_int_equal(c.kind, INTAKE_SMS_COMPLAINT);
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN);
    assert_span(c.body, c.body_len, "Jalan di desa Samurangau rusak parah");
    /* A word that starts like a command is still free text. */
    c = parse("Statusnya tanah kami tidak jelas");
    assert_int_equal(c.kind, INTAKE_SMS_COMPLAINT);
    assert_span(c.body, c.body_len, "Statusnya tanah kami tidak jelas");
    /* BANTUAN followed by text is a complaint about aid, word kept. */
    c = parse("bantuan sosial belum sampai ke desa kami");
    assert_int_equal(c.kind, INTAKE_SMS_COMPLAINT);
    assert_span(c.body, c.body_len, "bantuan sosial belum sampai ke desa kami");
}

static void
test_type_words(void **state)
{
    (void) state;
    intake_sms_cmd_t c = parse("aspirasi: tolong bangun taman bermain anak");
    assert_int_equal(c.kind, INTAKE_SMS_COMPLAINT);
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_ASPIRASI);
    assert_span(c.body, c.body_len, "tolong bangun taman bermain anak");
    c = parse("INFO#jadwal vaksin di puskesmas");
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_INFORMASI);
    assert_span(c.body, c.body_len, "jadwal vaksin di puskesmas");
    c = parse("LAPOR lampu jalan mati");
    assert_int_equal(c.type, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN);
    assert_span(c.body, c.body_len, "lampu jalan mati");
}

static void
test_help(void **state)
{
    (void) state;
    assert_int_equal(parse("BANTUAN").kind, INTAKE_SMS_HELP);
    assert_int_equal(parse(" bantuan ").kind, INTAKE_SMS_HELP);
    assert_int_equal(parse("Info").kind, INTAKE_SMS_HELP);
    assert_int_equal(parse("aspirasi").kind, INTAKE_SMS_HELP);
    assert_int_equal(parse("?").kind, INTAKE_SMS_HELP);
    intake_sms_cmd_t c = parse("help");
    assert_int_equal(c.kind, INTAKE_SMS_HELP);
    assert_true(c.english);
}

static void
test_status(void **state)
{
    (void) state;
    intake_sms_cmd_t c = parse("status 4821093756");
    assert_int_equal(c.kind, INTAKE_SMS_STATUS);
    assert_span(c.id, c.id_len, "4821093756");
    c = parse("STATUS 4821-0937-56 tolong dicek");
    assert_span(c.id, c.id_len, "4821-0937-56");
    c = parse("STATUS 482 109 3756");
    assert_span(c.id, c.id_len, "482 109 3756");
    c = parse("STATUS");
    assert_int_equal(c.kind, INTAKE_SMS_STATUS);
    assert_int_equal(c.id_len, 0);
    c = parse("STATUS abc");
    assert_span(c.id, c.id_len, "abc");
    /* Too many digits stay one (wrong) ID. */
    c = parse("STATUS 123456789012345");
    assert_span(c.id, c.id_len, "123456789012345");
}

static void
test_reply(void **state)
{
    (void) state;
    intake_sms_cmd_t c = parse("Balas 4821093756 Lokasinya di RT 05 dekat masjid");
    assert_int_equal(c.kind, INTAKE_SMS_REPLY);
    assert_false(c.english);
    assert_span(c.id, c.id_len, "4821093756");
    assert_span(c.body, c.body_len, "Lokasinya di RT 05 dekat masjid");
    c = parse("BALAS 4821093756");
    assert_int_equal(c.kind, INTAKE_SMS_REPLY);
    assert_int_equal(c.body_len, 0);
    c = parse("reply 4821 093756 near the mosque");
    assert_true(c.english);
    assert_span(c.id, c.id_len, "4821 093756");
    assert_span(c.body, c.body_len, "near the mosque");
    c = parse("TERIMA 4821093756 5");
    assert_int_equal(c.kind, INTAKE_SMS_ACCEPT);
    assert_span(c.id, c.id_len, "4821093756");
    assert_span(c.body, c.body_len, "5");
    c = parse("TOLAK 4821093756 jalannya belum diperbaiki");
    assert_int_equal(c.kind, INTAKE_SMS_REJECT);
    assert_span(c.body, c.body_len, "jalannya belum diperbaiki");
}

static void
test_bad_input(void **state)
{
    (void) state;
    char big[INTAKE_SMS_MAX_TEXT + 10];
    intake_sms_cmd_t c;

    assert_int_equal(parse("").kind, INTAKE_SMS_EMPTY);
    assert_int_equal(parse(" \n\t ").kind, INTAKE_SMS_EMPTY);
    assert_int_equal(intake_sms_parse(NULL, 0, &c), INTAKE_SMS_EMPTY);
    assert_int_equal(parse("jalan \xff\xfe rusak").kind, INTAKE_SMS_INVALID);
    assert_int_equal(parse("\xc0\xaf overlong").kind, INTAKE_SMS_INVALID);
    assert_int_equal(parse("\xed\xa0\x80 surrogate").kind, INTAKE_SMS_INVALID);
    assert_int_equal(parse("cut \xe2\x82").kind, INTAKE_SMS_INVALID);
    assert_int_equal(intake_sms_parse("a\0b", 3, &c), INTAKE_SMS_INVALID);
    memset(big, 'x', sizeof big);
    assert_int_equal(intake_sms_parse(big, sizeof big, &c), INTAKE_SMS_INVALID);
    assert_true(c.too_long);
    /* Query-shaped text is only text. */
    c = parse("{\"$gt\": \"\"}");
    assert_int_equal(c.kind, INTAKE_SMS_COMPLAINT);
    assert_true(intake_sms_utf8_valid("Rp 5.000 \xe2\x82\xac caf\xc3\xa9 \xf0\x9f\x98\x80", 19));
}

static void
test_parse_never_reads_past_len(void **state)
{
    (void) state;
    /* Every prefix of a command, in a buffer exactly that long. */
    static const char text[] = "BALAS 4821-0937-56 jawaban saya";
    for (size_t n = 0; n <= strlen(text); n++) {
        char *copy = malloc(n ? n : 1);
        intake_sms_cmd_t c;
        memcpy(copy, text, n);
        intake_sms_parse(copy, n, &c);
        if (c.id_len)
            assert_true(c.id >= copy && c.id + c.id_len <= copy + n);
        if (c.body_len)
            assert_true(c.body >= copy && c.body + c.body_len <= copy + n);
        free(copy);
    }
}

static void
test_title(void **state)
{
    (void) state;
    char out[INTAKE_SMS_TITLE_MAX * 4 + 1];
    const char *long_text = "Jalan poros desa kami rusak berat sejak banjir bulan lalu dan belum "
                            "ada perbaikan sama sekali dari dinas";
    size_t n = intake_sms_title(long_text, strlen(long_text), out, sizeof out);
    assert_true(n <= INTAKE_SMS_TITLE_MAX);
    assert_string_equal(out, "Jalan poros desa kami rusak berat sejak banjir bulan lalu");
    n = intake_sms_title("Lampu\nmati  total", 17, out, sizeof out);
    assert_string_equal(out, "Lampu mati total");
    /* One endless word is cut hard, on a character boundary. */
    char word[200];
    for (size_t i = 0; i < 100; i++)
        memcpy(word + 2 * i, "\xc3\xa9", 2);
    n = intake_sms_title(word, 200, out, sizeof out);
    assert_int_equal(n, INTAKE_SMS_TITLE_MAX);
    assert_int_equal(strlen(out), 2 * INTAKE_SMS_TITLE_MAX);
}

static const lp_region_t regions[] = {
    {"64", "provinsi", "Kalimantan Timur", ""},
    {"64.01", "kabupaten", "Kabupaten Paser", "64"},
    {"64.01.01", "kecamatan", "Batu Sopang", "64.01"},
    {"64.01.01.2009", "desa", "Samurangau", "64.01.01"},
    {"64.01.01.2010", "desa", "Minta", "64.01.01"},
    {"64.01.02", "kecamatan", "Tanjung Harapan", "64.01"},
    {"64.01.02.2001", "desa", "Jawa", "64.01.02"},
    {"64.02", "kabupaten", "Kabupaten Kutai Kartanegara", "64"},
    {"64.02.01", "kecamatan", "Muara Jawa", "64.02"},
    {"64.02.01.2001", "desa", "Jawa", "64.02.01"},
    {"64.02.08", "kecamatan", "Kota Bangun", "64.02"},
    {"64.71", "kabupaten", "Kota Balikpapan", "64"},
};
#define N_REGIONS (sizeof regions / sizeof regions[0])

static const char *
region_of(const char *text)
{
    const lp_region_t *r = intake_sms_region(text, strlen(text), regions, N_REGIONS);
    return r ? r->code : NULL;
}

static void
test_region(void **state)
{
    (void) state;
    assert_string_equal(region_of("jalan di samurangau rusak"), "64.01.01.2009");
    assert_string_equal(region_of("banjir di kecamatan batu sopang"), "64.01.01");
    assert_string_equal(region_of("sampah menumpuk di Balikpapan"), "64.71");
    assert_string_equal(region_of("puskesmas Kabupaten Paser tutup"), "64.01");
    /* A short name that is also a word counts only after a cue. */
    assert_null(region_of("minta tolong perbaiki jalan"));
    assert_string_equal(region_of("jalan di desa Minta rusak"), "64.01.01.2010");
    /* Namesakes: the one whose kecamatan is named wins; else none. */
    assert_string_equal(region_of("desa Jawa kecamatan Muara Jawa banjir"), "64.02.01.2001");
    assert_null(region_of("banjir di desa jawa"));
    assert_null(region_of("tidak ada nama tempat"));
    /* Only a kabupaten goes by its short name. */
    assert_null(region_of("tolong bangun taman bermain"));
    assert_string_equal(region_of("banjir di Kota Bangun"), "64.02.08");
    assert_null(region_of("Samurangaux bukan nama"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_free_text_is_a_complaint),
        cmocka_unit_test(test_type_words),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_status),
        cmocka_unit_test(test_reply),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_parse_never_reads_past_len),
        cmocka_unit_test(test_title),
        cmocka_unit_test(test_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
