/* Unit tests of the keyword classifier, against the shipped keyword list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_classify.h"

/* The router's default: below it a complaint goes to the triage desk. */
#define THRESHOLD 0.6

typedef struct {
    char category[64];
    char phrase[128];
    double weight;
} s_row_t;

typedef struct {
    s_row_t *rows;
    size_t n;
    lp_classifier_t *forward; /* phrases added in file order */
    lp_classifier_t *reverse; /* the same phrases added last to first */
} s_fixture_t;

/* keywords.csv lives in $LAPOR_DATA_DIR, or in deploy/data two folders above this
 * file, so the test reads the list we ship rather than a copy that could drift. */
static FILE *
s_open_keywords(void)
{
    char path[2048];
    const char *dir = getenv("LAPOR_DATA_DIR");
    const char *slash = strrchr(__FILE__, '/');

    if (dir && *dir)
        snprintf(path, sizeof path, "%s/keywords.csv", dir);
    else if (slash)
        snprintf(path, sizeof path, "%.*s/../../deploy/data/keywords.csv", (int) (slash - __FILE__),
                 __FILE__);
    else
        snprintf(path, sizeof path, "../../deploy/data/keywords.csv");
    return fopen(path, "r");
}

static int
setup(void **state)
{
    s_fixture_t *fx = calloc(1, sizeof *fx);
    FILE *in = s_open_keywords();
    char line[256];
    size_t cap = 0;

    if (!fx || !in) {
        fprintf(stderr, "keywords.csv not found (set LAPOR_DATA_DIR)\n");
        if (in)
            fclose(in);
        free(fx);
        return -1;
    }
    /* The file is simple CSV (import rejects quotes and commas in phrases). */
    while (fgets(line, sizeof line, in)) {
        s_row_t row = {0};
        if (strncmp(line, "category,", 9) == 0)
            continue;
        if (sscanf(line, "%63[^,],%127[^,],%lf", row.category, row.phrase, &row.weight) != 3)
            continue;
        if (fx->n == cap) {
            cap = cap ? cap * 2 : 256;
            fx->rows = realloc(fx->rows, cap * sizeof *fx->rows);
            assert_non_null(fx->rows);
        }
        fx->rows[fx->n++] = row;
    }
    fclose(in);
    fx->forward = lp_classifier_new();
    fx->reverse = lp_classifier_new();
    assert_non_null(fx->forward);
    assert_non_null(fx->reverse);
    for (size_t i = 0; i < fx->n; i++) {
        const s_row_t *a = &fx->rows[i], *b = &fx->rows[fx->n - 1 - i];
        assert_int_equal(lp_classifier_add(fx->forward, a->category, a->phrase, a->weight), 0);
        assert_int_equal(lp_classifier_add(fx->reverse, b->category, b->phrase, b->weight), 0);
    }
    assert_true(fx->n >= 12 * 8);
    assert_int_equal(lp_classifier_size(fx->forward), fx->n);
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    s_fixture_t *fx = *state;
    lp_classifier_destroy(&fx->forward);
    lp_classifier_destroy(&fx->reverse);
    assert_null(fx->forward);
    lp_classifier_destroy(&fx->forward); /* safe twice */
    lp_classifier_destroy(NULL);
    free(fx->rows);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------------------- */

/* Realistic complaints, as they arrive by SMS and web form, and where they belong. */
static const struct {
    const char *text;
    const char *category; /* expected, with confidence >= THRESHOLD */
} s_cases[] = {
    {"jln rusak parah di desa kami tolong diperbaiki", "infrastruktur"},
    {"Jalan rusak dan berlubang, aspal hancur", "infrastruktur"},
    {"jembatan kayu di dusun retak, takut roboh", "infrastruktur"},
    {"lampu jalan di RT 05 mati sudah sebulan", "infrastruktur"},
    {"The road to our village has potholes everywhere", "infrastruktur"},
    {"anak saya tidak dapat bansos padahal miskin", "bansos"},
    {"PKH tidak cair sudah 3 bulan", "bansos"},
    {"nama kami hilang dari DTKS, BPNT tidak cair", "bansos"},
    {"KTP el belum jadi 3 bulan", "kependudukan"},
    {"urus kartu keluarga lama sekali di dukcapil", "kependudukan"},
    {"akta kelahiran anak saya salah nama", "kependudukan"},
    {"PDAM mati sudah seminggu", "air-listrik"},
    {"listrik padam terus", "air-listrik"},
    {"mati lampu tiap hari, PLN tidak peduli", "air-listrik"},
    {"air bersih tidak mengalir, air keruh dan bau", "air-listrik"},
    {"dana desa tidak transparan", "dana-desa"},
    {"APBDes tidak pernah diumumkan oleh kades", "dana-desa"},
    {"BLT dana desa dipotong perangkat desa", "dana-desa"},
    {"guru sering tidak masuk sekolah", "pendidikan"},
    {"beasiswa PIP anak kami tidak cair", "pendidikan"},
    {"sklh minta uang komite 500rb per siswa", "pendidikan"},
    {"puskesmas tutup", "kesehatan"},
    {"bidan di posyandu tidak datang", "kesehatan"},
    {"RSUD menolak pasien BPJS", "kesehatan"},
    {"The hospital refused my mother", "kesehatan"},
    {"sampah menumpuk di pasar, bau sekali", "lingkungan"},
    {"limbah pabrik mencemari sungai, air tercemar", "lingkungan"},
    {"lubang bekas tambang batubara tidak ditutup", "lingkungan"},
    {"angkutan umum ke kota tidak ada lagi", "transportasi"},
    {"speedboat ke kampung kami tidak ada jadwal", "transportasi"},
    {"izin usaha NIB saya ditolak tanpa alasan", "perizinan"},
    {"gaji tidak dibayar lalu kena PHK tanpa pesangon", "ketenagakerjaan"},
    {"BPJS ketenagakerjaan saya tidak bisa dicairkan", "ketenagakerjaan"},
    {"ada pungli di kantor kecamatan", "ketertiban"},
    {"preman minta uang di pasar malam", "ketertiban"},
    {"parkir liar di depan pasar, petugas diam saja", "ketertiban"},
};

static void
test_table(void **state)
{
    s_fixture_t *fx = *state;
    assert_true(sizeof s_cases / sizeof s_cases[0] >= 25);
    for (size_t i = 0; i < sizeof s_cases / sizeof s_cases[0]; i++) {
        double confidence = 0, again = 0;
        const char *got = lp_classifier_classify(fx->forward, s_cases[i].text, &confidence);
        const char *reversed = lp_classifier_classify(fx->reverse, s_cases[i].text, &again);
        if (!got || strcmp(got, s_cases[i].category) != 0 || confidence < THRESHOLD)
            fail_msg("'%s': got %s (%.2f), want %s", s_cases[i].text, got ? got : "NULL",
                     confidence, s_cases[i].category);
        /* The order phrases were loaded in changes nothing. */
        assert_non_null(reversed);
        assert_string_equal(reversed, got);
        assert_true(again == confidence);
    }
}

/* Text without any keyword: no category and no confidence. */
static void
test_unknown(void **state)
{
    s_fixture_t *fx = *state;
    double confidence = 1;
    assert_null(
        lp_classifier_classify(fx->forward, "Saya ingin menyampaikan pendapat.", &confidence));
    assert_true(confidence == 0);
    confidence = 1;
    assert_null(lp_classifier_classify(fx->forward, "Terima kasih atas pelayanannya", &confidence));
    assert_true(confidence == 0);
    /* A NULL confidence is allowed. */
    assert_string_equal(lp_classifier_classify(fx->forward, "puskesmas", NULL), "kesehatan");
}

/* One ordinary word is too little to route on; one decisive word is enough, and a
 * phrase said twice counts once. */
static void
test_weak_and_decisive(void **state)
{
    s_fixture_t *fx = *state;
    double confidence = 0;
    assert_string_equal(lp_classifier_classify(fx->forward, "guru", &confidence), "pendidikan");
    assert_true(confidence > 0 && confidence < THRESHOLD);
    assert_string_equal(lp_classifier_classify(fx->forward, "guru guru guru GURU", &confidence),
                        "pendidikan");
    assert_true(confidence < THRESHOLD);
    assert_string_equal(lp_classifier_classify(fx->forward, "PUSKESMAS!", &confidence),
                        "kesehatan");
    assert_true(confidence >= THRESHOLD);
    /* An address is not a road complaint ("jalan" weighs little): it must not outvote
     * the real subject. */
    assert_string_equal(
        lp_classifier_classify(fx->forward, "puskesmas di jalan Ahmad Yani tutup", &confidence),
        "kesehatan");
    assert_true(confidence >= THRESHOLD);
}

/* Two categories matched equally: never confident, and the answer is stable. */
static void
test_ambiguous(void **state)
{
    s_fixture_t *fx = *state;
    lp_classifier_t *c = lp_classifier_new();
    double confidence = 1;

    assert_int_equal(lp_classifier_add(c, "b", "dua", 2), 0);
    assert_int_equal(lp_classifier_add(c, "a", "satu", 2), 0);
    assert_string_equal(lp_classifier_classify(c, "satu dua", &confidence), "a");
    assert_true(confidence > 0 && confidence <= 0.5);
    assert_string_equal(lp_classifier_classify(c, "dua, satu", &confidence), "a");
    assert_true(confidence <= 0.5);
    lp_classifier_destroy(&c);

    /* In the shipped list: a school and a health centre, one decisive word each side. */
    assert_non_null(lp_classifier_classify(fx->forward, "puskesmas dan beasiswa", &confidence));
    assert_true(confidence <= 0.5);
}

/* The longest phrase starting at a word speaks for it: "bpjs ketenagakerjaan" is
 * not also a vote for kesehatan through "bpjs". */
static void
test_longest_phrase_wins(void **state)
{
    lp_classifier_t *c = lp_classifier_new();
    double confidence = 0;
    (void) state;

    assert_int_equal(lp_classifier_add(c, "kesehatan", "bpjs", 1), 0);
    assert_int_equal(lp_classifier_add(c, "ketenagakerjaan", "bpjs ketenagakerjaan", 3), 0);
    assert_string_equal(lp_classifier_classify(c, "bpjs ketenagakerjaan", &confidence),
                        "ketenagakerjaan");
    assert_true(confidence == 3.0 / 4.0);
    /* Only the first word matches the long phrase: the short one counts. */
    assert_string_equal(lp_classifier_classify(c, "bpjs kesehatan", &confidence), "kesehatan");
    /* A phrase that ends the text half-way does not match. */
    assert_string_equal(lp_classifier_classify(c, "kartu bpjs", &confidence), "kesehatan");
    lp_classifier_destroy(&c);
}

/* Phrases match whole words only, in order, whatever the case and punctuation. */
static void
test_whole_words(void **state)
{
    s_fixture_t *fx = *state;
    lp_classifier_t *c = lp_classifier_new();
    double confidence = 0;

    assert_int_equal(lp_classifier_add(c, "infrastruktur", "jalan", 1), 0);
    assert_int_equal(lp_classifier_add(c, "kependudukan", "ktp", 2), 0);
    assert_int_equal(lp_classifier_add(c, "kesehatan", "rumah sakit", 2), 0);
    assert_null(lp_classifier_classify(c, "jalanan licin", &confidence));
    assert_null(lp_classifier_classify(c, "ktpx hilang", &confidence));
    assert_null(lp_classifier_classify(c, "berjalan kaki", &confidence));
    assert_null(lp_classifier_classify(c, "sakit rumah", &confidence));
    assert_null(lp_classifier_classify(c, "rumah, lalu sakit? rumahsakit", &confidence));
    assert_string_equal(lp_classifier_classify(c, "Rumah   Sakit", &confidence), "kesehatan");
    assert_string_equal(lp_classifier_classify(c, "(rumah-sakit)", &confidence), "kesehatan");
    /* Digits and punctuation end words: "e-KTP", "KTP2025". */
    assert_string_equal(lp_classifier_classify(c, "e-KTP saya hilang", &confidence),
                        "kependudukan");
    assert_string_equal(lp_classifier_classify(c, "KTP2025", &confidence), "kependudukan");
    /* Letters outside ASCII (UTF-8) separate words too. */
    assert_string_equal(lp_classifier_classify(c, "ktp\xe2\x80\x94jalan", &confidence),
                        "kependudukan");
    lp_classifier_destroy(&c);

    /* The same in the shipped list. */
    assert_null(lp_classifier_classify(fx->forward, "jalanan ktpx", &confidence));
    assert_string_equal(lp_classifier_classify(fx->forward, "E-KTP saya hilang", &confidence),
                        "kependudukan");
}

static void
test_add_refuses(void **state)
{
    lp_classifier_t *c = lp_classifier_new();
    (void) state;
    assert_int_equal(lp_classifier_add(c, "a", "", 1), -1);
    assert_int_equal(lp_classifier_add(c, "a", "!!! 123", 1), -1);
    assert_int_equal(lp_classifier_add(c, "", "x", 1), -1);
    assert_int_equal(lp_classifier_add(c, NULL, "x", 1), -1);
    assert_int_equal(lp_classifier_add(c, "a", NULL, 1), -1);
    assert_int_equal(lp_classifier_add(c, "a", "x", 0), -1);
    assert_int_equal(lp_classifier_add(c, "a", "x", -1), -1);
    assert_int_equal(lp_classifier_add(c, "a", "x", INFINITY), -1);
    assert_int_equal(lp_classifier_add(c, "a", "x", NAN), -1);
    assert_int_equal(lp_classifier_add(NULL, "a", "x", 1), -1);
    assert_int_equal(lp_classifier_size(c), 0);
    assert_int_equal(lp_classifier_size(NULL), 0);
    /* A classifier without phrases classifies nothing. */
    assert_null(lp_classifier_classify(c, "puskesmas", NULL));
    /* Long phrases of long words are kept whole. */
    assert_int_equal(lp_classifier_add(c, "a", "satu dua tiga empat lima enam tujuh", 1), 0);
    assert_int_equal(lp_classifier_add(c, "b", "pertanggungjawabannyapun ketidakberpihakannya", 2),
                     0);
    assert_string_equal(lp_classifier_classify(c, "satu dua tiga empat lima enam tujuh", NULL),
                        "a");
    assert_null(lp_classifier_classify(c, "satu dua tiga empat lima enam", NULL));
    assert_string_equal(
        lp_classifier_classify(c, "Pertanggungjawabannyapun ketidakberpihakannya!", NULL), "b");
    assert_null(lp_classifier_classify(c, "pertanggungjawabannyapunx ketidakberpihakannya", NULL));
    assert_int_equal(lp_classifier_size(c), 2);
    lp_classifier_destroy(&c);
}

/* Whatever arrives by SMS must not crash the router. */
static void
test_hostile_text(void **state)
{
    s_fixture_t *fx = *state;
    const size_t big = 1 << 20;
    char *text = malloc(big + 1);
    double confidence = 1;

    assert_non_null(text);
    memset(text, 'a', big);
    text[big] = '\0';
    assert_null(lp_classifier_classify(fx->forward, text, &confidence));
    assert_true(confidence == 0);
    /* A megabyte of words, the keyword far at the end. */
    for (size_t i = 0; i + 2 <= big; i += 2)
        memcpy(text + i, "a ", 2);
    memcpy(text + big - 10, "puskesmas", 9);
    assert_string_equal(lp_classifier_classify(fx->forward, text, &confidence), "kesehatan");
    /* Invalid UTF-8 around a word: bytes outside ASCII are separators. */
    assert_string_equal(
        lp_classifier_classify(fx->forward, "\xff\xfe\xc3(puskesmas\x80\xbf", &confidence),
        "kesehatan");
    for (size_t i = 0; i < big; i++)
        text[i] = (char) (0x80 + i % 0x80);
    assert_null(lp_classifier_classify(fx->forward, text, &confidence));
    assert_null(lp_classifier_classify(fx->forward, "", &confidence));
    assert_true(confidence == 0);
    assert_null(lp_classifier_classify(fx->forward, "!!! ??? ... ,,, 123", &confidence));
    assert_null(lp_classifier_classify(fx->forward, NULL, &confidence));
    assert_null(lp_classifier_classify(NULL, "puskesmas", &confidence));
    assert_true(confidence == 0);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_weak_and_decisive),
        cmocka_unit_test(test_ambiguous),
        cmocka_unit_test(test_longest_phrase_wins),
        cmocka_unit_test(test_whole_words),
        cmocka_unit_test(test_add_refuses),
        cmocka_unit_test(test_hostile_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
