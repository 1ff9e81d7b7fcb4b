/* test_tracking: Damm-checked tracking IDs catch typing errors and refuse hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lp_tracking.h"

/* IDs built by hand with the published Damm table, so the tests do not trust the
 * implementation to check itself. "572" -> 4 is the textbook example. */
static const char *s_known_valid[] = {
    "1000000005",
    "5724000000",
    "4821093753",
    "9999999990",
};

static void
test_textbook_check_digit(void **state)
{
    (void) state;
    assert_int_equal(lp_tracking_check_digit("572", 3), '4');
    assert_int_equal(lp_tracking_check_digit("", 0), '0');
    assert_int_equal(lp_tracking_check_digit("5724", 4), '0'); /* digits + check fold to 0 */
    assert_int_equal(lp_tracking_check_digit("57a", 3), -1);
    assert_int_equal(lp_tracking_check_digit("57", 3), -1); /* stops at the NUL */
    assert_int_equal(lp_tracking_check_digit(NULL, 3), -1);
}

static void
test_known_ids(void **state)
{
    (void) state;
    for (size_t i = 0; i < sizeof s_known_valid / sizeof *s_known_valid; i++) {
        const char *id = s_known_valid[i];
        /* Every known ID folds to 0 when its own check digit is included. */
        assert_int_equal(lp_tracking_check_digit(id, LP_TRACKING_LEN), '0');
        assert_true(lp_tracking_valid(id));
    }
}

static void
test_generated_ids_are_valid(void **state)
{
    char id[LP_TRACKING_LEN + 1];
    int first_digit_seen[10] = {0};
    (void) state;
    for (int i = 0; i < 5000; i++) {
        memset(id, 'x', sizeof id);
        lp_tracking_generate(id);
        assert_int_equal(strlen(id), LP_TRACKING_LEN);
        assert_true(id[0] >= '1' && id[0] <= '9');
        assert_true(lp_tracking_valid(id));
        first_digit_seen[id[0] - '0']++;
    }
    /* 5000 draws leave each of 1..9 missing with probability ~1e-240. */
    assert_int_equal(first_digit_seen[0], 0);
    for (int d = 1; d <= 9; d++)
        assert_true(first_digit_seen[d] > 0);
}

/* Every digit of every position equally likely: 20,000 IDs give each digit of
 * positions 2..9 about 2,000 draws per position (sd 42) and each of 1..9 in front
 * about 2,222 (sd 44); 15 % off is more than 7 sd, and a skewed mapping of random
 * bytes to digits (a nibble modulo ten doubles 0..5) is far beyond. */
static void
test_generated_digits_are_uniform(void **state)
{
    enum { N = 20000 };
    static int seen[LP_TRACKING_LEN - 1][10];
    char id[LP_TRACKING_LEN + 1];
    (void) state;
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < N; i++) {
        lp_tracking_generate(id);
        for (int p = 0; p < LP_TRACKING_LEN - 1; p++)
            seen[p][id[p] - '0']++;
    }
    for (int p = 0; p < LP_TRACKING_LEN - 1; p++) {
        int first = p == 0 ? 1 : 0;
        double expected = (double) N / (10 - first);
        assert_int_equal(p == 0 ? seen[p][0] : 0, 0);
        for (int d = first; d <= 9; d++) {
            assert_true(seen[p][d] > expected * 0.85);
            assert_true(seen[p][d] < expected * 1.15);
        }
    }
}

static void
test_generated_ids_differ(void **state)
{
    char a[LP_TRACKING_LEN + 1], b[LP_TRACKING_LEN + 1];
    (void) state;
    lp_tracking_generate(a);
    lp_tracking_generate(b);
    /* 9 random digits: a collision here is a one-in-a-billion event, or a bug. */
    assert_string_not_equal(a, b);
}

/* Every single wrong digit and every swap of two different neighbours in id must
 * make it invalid. A wrong first digit of 0 is refused by the leading-zero rule,
 * which is also a detection. */
static void
s_assert_detects_errors(const char *id)
{
    char typo[LP_TRACKING_LEN + 1];
    assert_true(lp_tracking_valid(id));
    for (int pos = 0; pos < LP_TRACKING_LEN; pos++) {
        for (char d = '0'; d <= '9'; d++) {
            if (d == id[pos])
                continue;
            memcpy(typo, id, sizeof typo);
            typo[pos] = d;
            assert_false(lp_tracking_valid(typo));
        }
    }
    for (int pos = 0; pos + 1 < LP_TRACKING_LEN; pos++) {
        if (id[pos] == id[pos + 1])
            continue; /* swapping equal digits changes nothing */
        memcpy(typo, id, sizeof typo);
        typo[pos] = id[pos + 1];
        typo[pos + 1] = id[pos];
        assert_false(lp_tracking_valid(typo));
    }
}

static void
test_single_digit_errors_and_transpositions(void **state)
{
    char id[LP_TRACKING_LEN + 1];
    (void) state;
    for (size_t i = 0; i < sizeof s_known_valid / sizeof *s_known_valid; i++)
        s_assert_detects_errors(s_known_valid[i]);
    for (int i = 0; i < 300; i++) {
        lp_tracking_generate(id);
        s_assert_detects_errors(id);
    }
}

static void
test_valid_rejects_wrong_shape(void **state)
{
    static const char *bad[] = {
        "",
        "572",
        "0000000000",   /* right check digit, but a leading 0 */
        "0724000006",   /* leading 0 */
        "48210937530",  /* eleven digits */
        "482109375",    /* nine digits */
        "4821-0937-53", /* display form is not an ID */
        "482109375a",
        " 4821093753",
        "4821093753 ",
        "4821093752", /* wrong check digit */
    };
    (void) state;
    assert_true(lp_tracking_valid("4821093753"));
    assert_int_equal(lp_tracking_check_digit("0000000000", 9), '0');
    assert_false(lp_tracking_valid(NULL));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(lp_tracking_valid(bad[i]));
}

static void
test_normalize_accepts_what_people_type(void **state)
{
    static const char *typed[] = {
        "4821093753",     "482 109 3753",
        "4821-0937-53",   " 4821093753 ",
        "4821.0937.53",   "48-21 09.37-53",
        "4821093753\r\n", /* SMS gateways pass line ends on */
        "\t4821 0937 53", "  4 8 2 1 0 9 3 7 5 3  ",
    };
    char out[LP_TRACKING_LEN + 1];
    (void) state;
    for (size_t i = 0; i < sizeof typed / sizeof *typed; i++) {
        memset(out, 'x', sizeof out);
        assert_int_equal(lp_tracking_normalize(typed[i], out), 0);
        assert_string_equal(out, "4821093753");
    }
}

static void
test_normalize_refuses_hostile_input(void **state)
{
    static const char *refused[] = {
        "",
        "   ",
        "---",
        "4821093752",  /* one digit wrong */
        "4821093735",  /* last two swapped */
        "482109375",   /* too short */
        "48210937530", /* too long */
        "482109375l",  /* a letter l for a 1 */
        "4821O93753",  /* a letter O for a 0 */
        "4821093753x",
        "+4821093753",
        "4821_0937_53",
        "4821/0937/53",
        "0724000006",
        "4821093753\0"
        "99", /* reading stops at the NUL: this one is fine... */
    };
    char out[LP_TRACKING_LEN + 1];
    char *big = NULL;
    (void) state;
    for (size_t i = 0; i + 1 < sizeof refused / sizeof *refused; i++) {
        memset(out, 'x', sizeof out);
        assert_int_equal(lp_tracking_normalize(refused[i], out), -1);
        assert_string_equal(out, "");
    }
    /* ...because nothing after a NUL is ever read. */
    assert_int_equal(lp_tracking_normalize(refused[sizeof refused / sizeof *refused - 1], out), 0);

    memset(out, 'x', sizeof out);
    assert_int_equal(lp_tracking_normalize(NULL, out), -1);
    assert_string_equal(out, "");

    /* UTF-8 look-alikes (fullwidth digits, an en dash) are not ASCII digits. */
    assert_int_equal(lp_tracking_normalize("\xef\xbc\x94"
                                           "821093753",
                                           out),
                     -1);
    assert_int_equal(lp_tracking_normalize("4821\xe2\x80\x93"
                                           "0937-53",
                                           out),
                     -1);

    /* Exactly 64 bytes is still read; 65 is refused even though the digits are fine. */
    big = malloc(1 << 20);
    assert_non_null(big);
    memset(big, ' ', 54);
    memcpy(big + 54, "4821093753", 11);
    assert_int_equal(strlen(big), 64);
    assert_int_equal(lp_tracking_normalize(big, out), 0);
    assert_string_equal(out, "4821093753");
    memset(big, ' ', 55);
    memcpy(big + 55, "4821093753", 11);
    assert_int_equal(lp_tracking_normalize(big, out), -1);
    assert_string_equal(out, "");
    /* A megabyte of digits is refused without scanning it all. */
    memset(big, '7', (1 << 20) - 1);
    big[(1 << 20) - 1] = '\0';
    assert_int_equal(lp_tracking_normalize(big, out), -1);
    assert_string_equal(out, "");
    free(big);
}

static void
test_format(void **state)
{
    char out[LP_TRACKING_LEN + 3];
    char back[LP_TRACKING_LEN + 1];
    char id[LP_TRACKING_LEN + 1];
    (void) state;
    lp_tracking_format("4821093753", out);
    assert_string_equal(out, "4821-0937-53");

    /* What we print, a person can type back. */
    lp_tracking_generate(id);
    lp_tracking_format(id, out);
    assert_int_equal(strlen(out), LP_TRACKING_LEN + 2);
    assert_int_equal(lp_tracking_normalize(out, back), 0);
    assert_string_equal(back, id);

    /* Not ten digits: nothing is printed. */
    memset(out, 'x', sizeof out);
    lp_tracking_format("572", out);
    assert_string_equal(out, "");
    lp_tracking_format(NULL, out);
    assert_string_equal(out, "");
    lp_tracking_format("48210937530", out);
    assert_string_equal(out, "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_textbook_check_digit),
        cmocka_unit_test(test_known_ids),
        cmocka_unit_test(test_generated_ids_are_valid),
        cmocka_unit_test(test_generated_digits_are_uniform),
        cmocka_unit_test(test_generated_ids_differ),
        cmocka_unit_test(test_single_digit_errors_and_transpositions),
        cmocka_unit_test(test_valid_rejects_wrong_shape),
        cmocka_unit_test(test_normalize_accepts_what_people_type),
        cmocka_unit_test(test_normalize_refuses_hostile_input),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
