/* test_workdays: SP4N-LAPOR! deadlines in WITA over the real 2026 holiday calendar. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "lp_workdays.h"

#define WITA (8 * 60)

/* The 2026 rows of deploy/data/libur-nasional-2025-2027.csv (libur and cuti_bersama
 * alike: both close government offices). Copied here so the test needs no file. */
static const char *s_holidays_2026[] = {
    "2026-01-01", /* Tahun Baru 2026 Masehi */
    "2026-01-16", /* Isra Mikraj */
    "2026-02-16", /* Imlek, cuti bersama */
    "2026-02-17", /* Imlek */
    "2026-03-18", /* Nyepi, cuti bersama */
    "2026-03-19", /* Nyepi */
    "2026-03-20", /* Idulfitri 1447 H, cuti bersama */
    "2026-03-21", /* Idulfitri, Saturday */
    "2026-03-22", /* Idulfitri, Sunday */
    "2026-03-23", /* Idulfitri, cuti bersama */
    "2026-03-24", /* Idulfitri, cuti bersama */
    "2026-04-03", /* Wafat Yesus Kristus */
    "2026-04-05", /* Paskah, Sunday */
    "2026-05-01", /* Hari Buruh */
    "2026-05-14", /* Kenaikan Yesus Kristus */
    "2026-05-15", /* cuti bersama */
    "2026-05-27", /* Iduladha */
    "2026-05-28", /* cuti bersama */
    "2026-05-31", /* Waisak, Sunday */
    "2026-06-01", /* Hari Lahir Pancasila */
    "2026-06-16", /* 1 Muharam */
    "2026-08-17", /* Proklamasi */
    "2026-08-25", /* Maulid Nabi */
    "2026-12-24", /* Natal, cuti bersama */
    "2026-12-25", /* Natal */
};
#define S_N_HOLIDAYS_2026 ((int) (sizeof s_holidays_2026 / sizeof *s_holidays_2026))

/* Unix ms of a wall-clock time at a UTC offset, via libc's timegm so the test does
 * not share the calendar arithmetic it checks. */
static int64_t
s_ms_at(int offset_minutes, int year, int month, int day, int hour, int minute)
{
    struct tm tm = {0};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    return (int64_t) timegm(&tm) * 1000 - (int64_t) offset_minutes * 60 * 1000;
}

static int64_t
s_wita(int year, int month, int day, int hour, int minute)
{
    return s_ms_at(WITA, year, month, day, hour, minute);
}

/* The last millisecond of a WITA day: what every deadline must be. */
static int64_t
s_wita_end_of(int year, int month, int day)
{
    return s_wita(year, month, day, 0, 0) + 86400000 - 1;
}

static int
s_setup(void **state)
{
    lp_workdays_t *cal = lp_workdays_new(WITA);
    if (!cal)
        return -1;
    for (int i = 0; i < S_N_HOLIDAYS_2026; i++)
        if (lp_workdays_add_holiday_str(cal, s_holidays_2026[i]) != 0)
            return -1;
    *state = cal;
    return 0;
}

static int
s_teardown(void **state)
{
    lp_workdays_t *cal = *state;
    lp_workdays_destroy(&cal);
    return 0;
}

static void
test_new_destroy(void **state)
{
    lp_workdays_t *cal = lp_workdays_new(WITA);
    (void) state;
    assert_non_null(cal);
    assert_int_equal(lp_workdays_holiday_count(cal), 0);
    lp_workdays_destroy(&cal);
    assert_null(cal);
    lp_workdays_destroy(&cal); /* twice is harmless */
    lp_workdays_destroy(NULL);
}

static void
test_holiday_loading(void **state)
{
    lp_workdays_t *cal = *state;
    static const char *malformed[] = {
        "",           "2026",        "2026-3-20",   "2026-03-2",   "20260320",
        "2026/03/20", "2026-03-20 ", "2026-03-20x", " 2026-03-20", "abcd-ef-gh",
        "2026-02-29", "2026-02-30",  "2026-13-01",  "2026-00-10",  "2026-04-31",
        "2026-01-00", "0000-01-01",
    };
    assert_int_equal(lp_workdays_holiday_count(cal), S_N_HOLIDAYS_2026);
    /* The same date again changes nothing. */
    assert_int_equal(lp_workdays_add_holiday_str(cal, "2026-03-20"), 0);
    assert_int_equal(lp_workdays_add_holiday(cal, 2026, 3, 20), 0);
    assert_int_equal(lp_workdays_holiday_count(cal), S_N_HOLIDAYS_2026);
    for (size_t i = 0; i < sizeof malformed / sizeof *malformed; i++)
        assert_int_equal(lp_workdays_add_holiday_str(cal, malformed[i]), -1);
    assert_int_equal(lp_workdays_add_holiday_str(cal, NULL), -1);
    assert_int_equal(lp_workdays_add_holiday(cal, 2026, 2, 29), -1);
    assert_int_equal(lp_workdays_add_holiday(NULL, 2026, 3, 20), -1);
    assert_int_equal(lp_workdays_holiday_count(cal), S_N_HOLIDAYS_2026);
    /* A leap day exists in 2024 (and is added out of order, before every 2026 date). */
    assert_int_equal(lp_workdays_add_holiday_str(cal, "2024-02-29"), 0);
    assert_int_equal(lp_workdays_holiday_count(cal), S_N_HOLIDAYS_2026 + 1);
    assert_false(lp_workdays_is_working(cal, 2024, 2, 29));
    assert_true(lp_workdays_is_working(cal, 2024, 2, 28));
}

static void
test_is_working(void **state)
{
    static const struct {
        int y, m, d;
        bool working;
    } days[] = {
        {2026, 1, 1, false},                         /* Thursday, New Year */
        {2026, 1, 2, true},                          /* Friday */
        {2026, 1, 3, false},                         /* Saturday */
        {2026, 1, 4, false},                         /* Sunday */
        {2026, 1, 5, true},                          /* Monday */
        {2026, 3, 17, true},                         /* Tuesday before the leave */
        {2026, 3, 18, false},                        /* Nyepi cuti bersama */
        {2026, 3, 19, false},                        /* Nyepi */
        {2026, 3, 20, false},                        /* Idulfitri cuti bersama */
        {2026, 3, 23, false},                        /* Monday, cuti bersama */
        {2026, 3, 24, false},                        /* Tuesday, cuti bersama */
        {2026, 3, 25, true},                         /* back to work */
        {2026, 12, 24, false},                       /* cuti bersama Natal */
        {2026, 12, 28, true},  {2026, 2, 29, false}, /* does not exist */
        {2026, 13, 1, false},  {2026, 0, 1, false},  {2026, 4, 31, false},
    };
    lp_workdays_t *cal = *state;
    lp_workdays_t *plain = lp_workdays_new(WITA);
    for (size_t i = 0; i < sizeof days / sizeof *days; i++)
        assert_int_equal(lp_workdays_is_working(cal, days[i].y, days[i].m, days[i].d),
                         days[i].working);
    /* Without holidays, only weekends are off. */
    assert_true(lp_workdays_is_working(plain, 2026, 3, 20));
    assert_false(lp_workdays_is_working(plain, 2026, 3, 21));
    lp_workdays_destroy(&plain);
}

/* Deadlines: (from, n) -> the WITA day whose last millisecond is the deadline. */
static void
test_deadline_table(void **state)
{
    static const struct {
        const char *why;
        int y, m, d, hh, mm;
        int n;
        int dy, dm, dd;
    } cases[] = {
        /* Idul Fitri: Wed 18 .. Tue 24 March are all closed (Nyepi, then the leave). */
        {"5 days across the Idul Fitri leave", 2026, 3, 17, 10, 0, 5, 2026, 3, 31},
        {"1 day across the Idul Fitri leave", 2026, 3, 17, 10, 0, 1, 2026, 3, 25},
        {"3 days from inside the leave", 2026, 3, 20, 9, 0, 3, 2026, 3, 27},
        {"5 days from Sunday in the leave", 2026, 3, 22, 9, 0, 5, 2026, 3, 31},
        /* Weekends. */
        {"3 days from a Friday", 2026, 1, 9, 14, 0, 3, 2026, 1, 14},
        {"1 day from a Friday", 2026, 1, 9, 14, 0, 1, 2026, 1, 12},
        {"1 day from a Saturday", 2026, 1, 10, 8, 0, 1, 2026, 1, 12},
        {"5 days from a Monday", 2026, 1, 5, 8, 0, 5, 2026, 1, 12},
        {"weekend then Friday holiday", 2026, 1, 15, 8, 0, 1, 2026, 1, 19},
        {"Christmas and the weekend", 2026, 12, 23, 8, 0, 1, 2026, 12, 28},
        {"into 2027, unknown holidays", 2026, 12, 31, 8, 0, 1, 2027, 1, 1},
        {"14 days over Kenaikan and Iduladha", 2026, 5, 13, 8, 0, 14, 2026, 6, 9},
        /* n = 0: the same day if it is a working day. */
        {"0 on a working day", 2026, 3, 17, 10, 0, 0, 2026, 3, 17},
        {"0 on a holiday", 2026, 3, 20, 10, 0, 0, 2026, 3, 25},
        {"0 on a Saturday", 2026, 1, 10, 10, 0, 0, 2026, 1, 12},
        {"negative n counts as 0", 2026, 3, 17, 10, 0, -3, 2026, 3, 17},
        /* The local day begins at 00:00 WITA, which is 16:00 UTC the day before. */
        {"23:59 WITA Monday", 2026, 3, 16, 23, 59, 1, 2026, 3, 17},
        {"00:00 WITA Tuesday", 2026, 3, 17, 0, 0, 1, 2026, 3, 25},
        {"0 at 23:59 WITA Monday", 2026, 3, 16, 23, 59, 0, 2026, 3, 16},
        {"0 at 00:00 WITA Tuesday", 2026, 3, 17, 0, 0, 0, 2026, 3, 17},
        {"23:59 WITA Friday before the weekend", 2026, 1, 9, 23, 59, 1, 2026, 1, 12},
        {"00:00 WITA Saturday", 2026, 1, 10, 0, 0, 1, 2026, 1, 12},
    };
    lp_workdays_t *cal = *state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t from = s_wita(cases[i].y, cases[i].m, cases[i].d, cases[i].hh, cases[i].mm);
        int64_t want = s_wita_end_of(cases[i].dy, cases[i].dm, cases[i].dd);
        int64_t got = lp_workdays_deadline(cal, from, cases[i].n);
        if (got != want)
            fail_msg("%s: got %lld, want %lld", cases[i].why, (long long) got, (long long) want);
    }
}

/* The two instants a minute apart share a UTC date (16 March) but not a WITA date. */
static void
test_wita_not_utc(void **state)
{
    lp_workdays_t *cal = *state;
    lp_workdays_t *utc = lp_workdays_new(0);
    int64_t before = s_wita(2026, 3, 16, 23, 59);
    int64_t midnight = s_wita(2026, 3, 17, 0, 0);
    assert_int_equal(midnight - before, 60 * 1000);
    assert_int_equal(before, s_ms_at(0, 2026, 3, 16, 15, 59));
    assert_int_equal(midnight, s_ms_at(0, 2026, 3, 16, 16, 0));
    /* The deadline is 23:59:59.999 WITA, i.e. 15:59:59.999 UTC. */
    assert_int_equal(lp_workdays_deadline(cal, before, 1), s_ms_at(0, 2026, 3, 17, 16, 0) - 1);
    assert_int_equal(lp_workdays_deadline(cal, midnight - 1, 1), s_wita_end_of(2026, 3, 17));
    assert_int_equal(lp_workdays_deadline(cal, midnight, 1), s_wita_end_of(2026, 3, 25));

    /* A UTC calendar puts both instants on Monday 16th, so both get Tuesday 17th,
     * ending at midnight UTC. */
    for (int i = 0; i < S_N_HOLIDAYS_2026; i++)
        assert_int_equal(lp_workdays_add_holiday_str(utc, s_holidays_2026[i]), 0);
    assert_int_equal(lp_workdays_deadline(utc, before, 1), s_ms_at(0, 2026, 3, 18, 0, 0) - 1);
    assert_int_equal(lp_workdays_deadline(utc, midnight, 1), s_ms_at(0, 2026, 3, 18, 0, 0) - 1);
    lp_workdays_destroy(&utc);
}

static void
test_between_table(void **state)
{
    static const struct {
        const char *why;
        int fy, fm, fd, fh, fmin;
        int ty, tm, td, th, tmin;
        int want;
    } cases[] = {
        {"same instant", 2026, 3, 17, 10, 0, 2026, 3, 17, 10, 0, 0},
        {"same day", 2026, 3, 17, 0, 0, 2026, 3, 17, 23, 59, 0},
        {"backwards", 2026, 3, 31, 10, 0, 2026, 3, 17, 10, 0, 0},
        {"over the whole leave", 2026, 3, 17, 10, 0, 2026, 3, 24, 23, 59, 0},
        {"first day back", 2026, 3, 17, 10, 0, 2026, 3, 25, 9, 0, 1},
        {"to the 5-day deadline", 2026, 3, 17, 10, 0, 2026, 3, 31, 8, 0, 5},
        {"over a weekend", 2026, 1, 9, 14, 0, 2026, 1, 12, 8, 0, 1},
        {"Friday to Friday", 2026, 1, 9, 14, 0, 2026, 1, 16, 8, 0, 4}, /* 16th: Isra Mikraj */
        {"midnight WITA crossing", 2026, 3, 16, 23, 59, 2026, 3, 17, 0, 0, 1},
        {"a minute after midnight", 2026, 3, 17, 0, 0, 2026, 3, 17, 0, 1, 0},
        {"all of March", 2026, 2, 28, 12, 0, 2026, 3, 31, 12, 0, 17},
        /* 2026 has 261 weekdays; 21 of its 25 holidays fall on one. */
        {"the whole year", 2025, 12, 31, 12, 0, 2026, 12, 31, 12, 0, 261 - 21},
    };
    lp_workdays_t *cal = *state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int64_t from = s_wita(cases[i].fy, cases[i].fm, cases[i].fd, cases[i].fh, cases[i].fmin);
        int64_t to = s_wita(cases[i].ty, cases[i].tm, cases[i].td, cases[i].th, cases[i].tmin);
        int got = lp_workdays_between(cal, from, to);
        if (got != cases[i].want)
            fail_msg("%s: got %d, want %d", cases[i].why, got, cases[i].want);
    }
}

/* For every start hour of 2026 and n up to 40, the deadline is the end of a working
 * day, `between` counts exactly n to it, and the day before has n-1 (or fewer). */
static void
test_deadline_agrees_with_between(void **state)
{
    lp_workdays_t *cal = *state;
    int64_t start = s_wita(2026, 1, 1, 0, 0);
    for (int hour = 0; hour < 366 * 24; hour += 5) {
        int64_t from = start + (int64_t) hour * 3600 * 1000;
        for (int n = 0; n <= 40; n++) {
            int64_t deadline = lp_workdays_deadline(cal, from, n);
            time_t secs = (time_t) ((deadline + (int64_t) WITA * 60 * 1000) / 1000);
            struct tm local;
            gmtime_r(&secs, &local);
            assert_int_equal(local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec, 86399);
            assert_true(
                lp_workdays_is_working(cal, local.tm_year + 1900, local.tm_mon + 1, local.tm_mday));
            assert_true(deadline >= from);
            if (n > 0) {
                assert_int_equal(lp_workdays_between(cal, from, deadline), n);
                assert_int_equal(lp_workdays_between(cal, from, deadline - 86400000), n - 1);
            }
            else {
                assert_int_equal(lp_workdays_deadline(cal, deadline, 0), deadline);
            }
        }
    }
}

static void
test_edges(void **state)
{
    lp_workdays_t *cal = *state;
    lp_workdays_t *utc = lp_workdays_new(0);
    /* Before 1970: 1969-12-31 was a Wednesday; its last UTC millisecond is -1. */
    assert_int_equal(lp_workdays_deadline(utc, -3600 * 1000, 0), -1);
    assert_int_equal(lp_workdays_deadline(utc, -3600 * 1000, 1), 86400000 - 1);
    /* 1970-01-03 was a Saturday. */
    assert_int_equal(lp_workdays_deadline(utc, 2 * 86400000 + 5, 0), 5 * 86400000 - 1);
    /* Huge n and absurd instants must not overflow or hang. */
    assert_true(lp_workdays_deadline(cal, s_wita(2026, 1, 1, 0, 0), 2000000000) > 0);
    assert_true(lp_workdays_deadline(cal, INT64_MAX, 5) > 0);
    assert_true(lp_workdays_deadline(cal, INT64_MIN, 5) < 0);
    assert_true(lp_workdays_between(cal, INT64_MIN, INT64_MAX) > 0);
    /* No 2027 holiday is loaded, so all 261 weekdays of 2027 count. */
    assert_int_equal(
        lp_workdays_between(cal, s_wita(2026, 12, 31, 12, 0), s_wita(2027, 12, 31, 12, 0)), 261);
    lp_workdays_destroy(&utc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_destroy),
        cmocka_unit_test_setup_teardown(test_holiday_loading, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_is_working, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_table, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_wita_not_utc, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_between_table, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_deadline_agrees_with_between, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown(test_edges, s_setup, s_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
