/* Unit tests of the keyword classifier against the shipped keyword list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_classify.h"

/* Loads deploy/data/keywords.csv (LAPOR_DATA_DIR overrides the folder). */
static int
setup(void **state)
{
    char path[1024], line[256];
    const char *dir = getenv("LAPOR_DATA_DIR");
    const char *here = __FILE__;
    const char *cut = strstr(here, "tests/unit/");
    lp_classifier_t *c = lp_classifier_new();
    FILE *in = NULL;

    if (dir)
        snprintf(path, sizeof path, "%s/keywords.csv", dir);
    else
        snprintf(path, sizeof path, "%.*sdeploy/data/keywords.csv", cut ? (int) (cut - here) : 0,
                 here);
    in = fopen(path, "r");
    if (!in || !c)
        return -1;
    while (fgets(line, sizeof line, in)) {
        char *category = strtok(line, ","), *phrase = strtok(NULL, ","),
             *weight = strtok(NULL, ",\r\n");
        if (category && phrase && weight && strcmp(category, "category") != 0)
            assert_int_equal(lp_classifier_add(c, category, phrase, atof(weight)), 0);
    }
    fclose(in);
    assert_true(lp_classifier_size(c) > 100);
    *state = c;
    return 0;
}

static int
teardown(void **state)
{
    lp_classifier_t *c = *state;
    lp_classifier_destroy(&c);
    assert_null(c);
    lp_classifier_destroy(&c);
    return 0;
}

static const struct {
    const char *text;
    const char *category; /* expected, confident (>= 0.6) */
} cases[] = {
    {"jln rusak parah di desa kami tolong diperbaiki", "infrastruktur"},
    {"Jalan rusak dan berlubang, aspal hancur", "infrastruktur"},
    {"jembatan kayu di dusun retak", "infrastruktur"},
    {"The road to our village has potholes everywhere", "infrastruktur"},
    {"anak saya tidak dapat bansos padahal miskin", "bansos"},
    {"PKH tidak cair sudah 3 bulan", "bansos"},
    {"KTP el belum jadi 3 bulan", "kependudukan"},
    {"urus kartu keluarga lama sekali di dukcapil", "kependudukan"},
    {"PDAM mati sudah seminggu", "air-listrik"},
    {"listrik padam terus setiap malam", "air-listrik"},
    {"mati lampu tiap hari, PLN tidak peduli", "air-listrik"},
    {"dana desa tidak transparan", "dana-desa"},
    {"APBDes tidak pernah diumumkan oleh kades", "dana-desa"},
    {"guru sering tidak masuk sekolah", "pendidikan"},
    {"beasiswa PIP anak kami tidak cair", "pendidikan"},
    {"puskesmas tutup", "kesehatan"},
    {"bidan di posyandu tidak datang", "kesehatan"},
    {"RSUD menolak pasien BPJS", "kesehatan"},
    {"sampah menumpuk di pasar, bau sekali", "lingkungan"},
    {"limbah pabrik mencemari sungai, air tercemar", "lingkungan"},
    {"angkutan umum ke kota tidak ada lagi", "transportasi"},
    {"izin usaha NIB saya ditolak tanpa alasan", "perizinan"},
    {"gaji tidak dibayar lalu kena PHK tanpa pesangon", "ketenagakerjaan"},
    {"ada pungli di kantor kecamatan", "ketertiban"},
    {"preman minta uang di pasar malam", "ketertiban"},
    {"The hospital refused my mother", "kesehatan"},
};

static void
test_table(void **state)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double confidence = 0;
        const char *got = lp_classifier_classify(*state, cases[i].text, &confidence);
        if (!got || strcmp(got, cases[i].category) != 0 || confidence < 0.6)
            fail_msg("'%s': got %s (%.2f), want %s", cases[i].text, got ? got : "NULL", confidence,
                     cases[i].category);
    }
}

static void
test_weak_unknown_and_ambiguous(void **state)
{
    double confidence = 1;
    assert_null(lp_classifier_classify(*state, "Saya ingin menyampaikan pendapat.", &confidence));
    assert_true(confidence == 0);
    /* One ordinary word is too little to route on. */
    assert_string_equal(lp_classifier_classify(*state, "guru", &confidence), "pendidikan");
    assert_true(confidence < 0.6);
    /* Two categories equally: never confident. */
    lp_classifier_t *c = lp_classifier_new();
    assert_int_equal(lp_classifier_add(c, "a", "satu", 2), 0);
    assert_int_equal(lp_classifier_add(c, "b", "dua", 2), 0);
    assert_non_null(lp_classifier_classify(c, "satu dua", &confidence));
    assert_true(confidence <= 0.5);
    /* Bad phrases are refused. */
    assert_int_equal(lp_classifier_add(c, "a", "", 1), -1);
    assert_int_equal(lp_classifier_add(c, "a", "!!!", 1), -1);
    assert_int_equal(lp_classifier_add(c, "", "x", 1), -1);
    assert_int_equal(lp_classifier_add(c, "a", "x", 0), -1);
    lp_classifier_destroy(&c);
}

static void
test_whole_words_only(void **state)
{
    double confidence = 0;
    /* "ktp" inside a longer word, "jalan" inside "jalanan-x": no match. */
    assert_null(lp_classifier_classify(*state, "ktpx abcjalan", &confidence));
    assert_string_equal(lp_classifier_classify(*state, "E-KTP saya hilang", &confidence),
                        "kependudukan");
}

static void
test_hostile_text(void **state)
{
    size_t big = 1 << 20;
    char *text = malloc(big + 1);
    double confidence = 0;
    memset(text, 'a', big);
    text[big] = '\0';
    assert_null(lp_classifier_classify(*state, text, &confidence));
    memcpy(text, "\xff\xfe\xc3(puskesmas\x80\xbf", 15);
    lp_classifier_classify(*state, text, &confidence);
    assert_null(lp_classifier_classify(*state, "", &confidence));
    assert_null(lp_classifier_classify(*state, "!!! ??? ...", &confidence));
    assert_null(lp_classifier_classify(*state, NULL, &confidence));
    assert_null(lp_classifier_classify(NULL, "puskesmas", &confidence));
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_weak_unknown_and_ambiguous),
        cmocka_unit_test(test_whole_words_only),
        cmocka_unit_test(test_hostile_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
