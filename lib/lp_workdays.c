/* lp_workdays: working-day arithmetic over a sorted set of holiday day numbers. */
#include "lp_workdays.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define S_MS_PER_DAY INT64_C(86400000)

/* Instants further than this from 1970 (about 316,000 years) are clamped, so that
 * no sum below can overflow int64 even with n = INT_MAX working days. */
#define S_MS_LIMIT INT64_C(10000000000000000)

/* Holidays are kept for years 1..9999, whose day numbers fit an int32_t. */
#define S_YEAR_MIN 1
#define S_YEAR_MAX 9999

struct lp_workdays_t {
    int64_t offset_ms; /* local time = UTC + offset */
    int32_t *holidays; /* day numbers (days since 1970-01-01), ascending, unique */
    int n_holidays;
    int cap_holidays;
};

/* ---------------------------------------------------------------------------
 * Civil dates and day numbers
 */

static int64_t
s_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static bool
s_is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static bool
s_date_exists(int year, int month, int day)
{
    static const int lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int length = 0;
    if (year < S_YEAR_MIN || year > S_YEAR_MAX || month < 1 || month > 12 || day < 1)
        return false;
    length = lengths[month - 1] + (month == 2 && s_is_leap(year) ? 1 : 0);
    return day <= length;
}

/* Days from 1970-01-01 to a proleptic Gregorian date. Counting years from March
 * puts the leap day last, so each 400-year era has a fixed shape. */
static int64_t
s_days_from_civil(int year, int month, int day)
{
    int64_t y = (int64_t) year - (month <= 2 ? 1 : 0);
    int64_t era = s_floor_div(y, 400);
    int64_t year_of_era = y - era * 400;                              /* 0..399 */
    int64_t month_from_march = month > 2 ? month - 3 : month + 9;     /* 0..11 */
    int64_t day_of_year = (153 * month_from_march + 2) / 5 + day - 1; /* 0..365 */
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468; /* 719468: 0000-03-01 to 1970-01-01 */
}

/* Monday 0 .. Sunday 6; 1970-01-01 was a Thursday. */
static int
s_weekday(int64_t day)
{
    return (int) (day + 3 - s_floor_div(day + 3, 7) * 7);
}

static bool
s_is_weekend(int64_t day)
{
    return s_weekday(day) >= 5;
}

/* The local day number of a Unix millisecond instant. */
static int64_t
s_local_day(const lp_workdays_t *self, int64_t ms)
{
    int64_t offset = self ? self->offset_ms : 0;
    if (ms > S_MS_LIMIT)
        ms = S_MS_LIMIT;
    if (ms < -S_MS_LIMIT)
        ms = -S_MS_LIMIT;
    return s_floor_div(ms + offset, S_MS_PER_DAY);
}

/* ---------------------------------------------------------------------------
 * The holiday set
 */

/* Index of the first holiday >= day. */
static int
s_lower_bound(const lp_workdays_t *self, int64_t day)
{
    int lo = 0, hi = self ? self->n_holidays : 0;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (self->holidays[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool
s_is_holiday(const lp_workdays_t *self, int64_t day)
{
    int i = s_lower_bound(self, day);
    return self && i < self->n_holidays && self->holidays[i] == day;
}

static bool
s_is_working_day(const lp_workdays_t *self, int64_t day)
{
    return !s_is_weekend(day) && !s_is_holiday(self, day);
}

/* Holidays that fall on Monday..Friday in the day range (after, upto]. Weekend
 * holidays do not matter: the weekend already took those days away. */
static int64_t
s_weekday_holidays(const lp_workdays_t *self, int64_t after, int64_t upto)
{
    int64_t count = 0;
    if (!self)
        return 0;
    for (int i = s_lower_bound(self, after + 1); i < self->n_holidays; i++) {
        if (self->holidays[i] > upto)
            break;
        if (!s_is_weekend(self->holidays[i]))
            count++;
    }
    return count;
}

/* Monday..Friday days in the range (after, upto]: five per whole week, then the rest
 * one by one. */
static int64_t
s_weekdays(int64_t after, int64_t upto)
{
    int64_t span = upto - after;
    int64_t count = 0;
    if (span <= 0)
        return 0;
    count = span / 7 * 5;
    for (int64_t day = after + span / 7 * 7 + 1; day <= upto; day++)
        if (!s_is_weekend(day))
            count++;
    return count;
}

/* The k-th Monday..Friday day after `after` (k >= 1): whole weeks first, since
 * each holds exactly five, then at most a week of single steps. */
static int64_t
s_nth_weekday_after(int64_t after, int64_t k)
{
    int64_t day = after + (k - 1) / 5 * 7;
    int64_t left = (k - 1) % 5 + 1;
    while (left > 0) {
        day++;
        if (!s_is_weekend(day))
            left--;
    }
    return day;
}

/* ---------------------------------------------------------------------------
 * Public API
 */

lp_workdays_t *
lp_workdays_new(int utc_offset_minutes)
{
    lp_workdays_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    self->offset_ms = (int64_t) utc_offset_minutes * 60 * 1000;
    return self;
}

void
lp_workdays_destroy(lp_workdays_t **self_p)
{
    lp_workdays_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    free(self->holidays);
    free(self);
    *self_p = NULL;
}

int
lp_workdays_add_holiday(lp_workdays_t *self, int year, int month, int day)
{
    int64_t number = 0;
    int at = 0;

    if (!self || !s_date_exists(year, month, day))
        return -1;
    number = s_days_from_civil(year, month, day);
    at = s_lower_bound(self, number);
    if (at < self->n_holidays && self->holidays[at] == number)
        return 0; /* already marked */
    if (self->n_holidays == self->cap_holidays) {
        /* Dates are unique and within years 1..9999, so cap stays far below INT_MAX. */
        int cap = self->cap_holidays ? self->cap_holidays * 2 : 32;
        int32_t *bigger = realloc(self->holidays, (size_t) cap * sizeof *bigger);
        if (!bigger)
            return -1;
        self->holidays = bigger;
        self->cap_holidays = cap;
    }
    /* Inserting in place keeps the array sorted; a calendar holds some tens of
     * dates per year, so the move is cheap and lookups stay a binary search. */
    memmove(self->holidays + at + 1, self->holidays + at,
            (size_t) (self->n_holidays - at) * sizeof *self->holidays);
    self->holidays[at] = (int32_t) number;
    self->n_holidays++;
    return 0;
}

int
lp_workdays_add_holiday_str(lp_workdays_t *self, const char *date)
{
    int year = 0, month = 0, day = 0;
    if (!date)
        return -1;
    /* Exactly YYYY-MM-DD: checking every byte stops at a short string's NUL. */
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? date[i] != '-' : !(date[i] >= '0' && date[i] <= '9'))
            return -1;
    }
    if (date[10] != '\0')
        return -1;
    year = (date[0] - '0') * 1000 + (date[1] - '0') * 100 + (date[2] - '0') * 10 + (date[3] - '0');
    month = (date[5] - '0') * 10 + (date[6] - '0');
    day = (date[8] - '0') * 10 + (date[9] - '0');
    return lp_workdays_add_holiday(self, year, month, day);
}

int
lp_workdays_holiday_count(const lp_workdays_t *self)
{
    return self ? self->n_holidays : 0;
}

bool
lp_workdays_is_working(const lp_workdays_t *self, int year, int month, int day)
{
    if (!s_date_exists(year, month, day))
        return false;
    return s_is_working_day(self, s_days_from_civil(year, month, day));
}

int64_t
lp_workdays_deadline(const lp_workdays_t *self, int64_t from_ms, int n)
{
    int64_t start = s_local_day(self, from_ms);
    int64_t after = start;
    int64_t day = start;
    int64_t left = n > 0 ? n : 0;
    int64_t offset = self ? self->offset_ms : 0;

    if (left == 0) {
        while (!s_is_working_day(self, day))
            day++;
    }
    else {
        /* Jump to the day that would be the answer without holidays; every
         * weekday holiday crossed on the way still owes one more day. Each round
         * consumes at least one holiday, so this ends. */
        while (left > 0) {
            day = s_nth_weekday_after(after, left);
            left = s_weekday_holidays(self, after, day);
            after = day;
        }
    }
    return (day + 1) * S_MS_PER_DAY - offset - 1;
}

int
lp_workdays_between(const lp_workdays_t *self, int64_t from_ms, int64_t to_ms)
{
    int64_t after = 0, upto = 0, count = 0;
    if (to_ms <= from_ms)
        return 0;
    after = s_local_day(self, from_ms);
    upto = s_local_day(self, to_ms);
    count = s_weekdays(after, upto) - s_weekday_holidays(self, after, upto);
    return count > INT_MAX ? INT_MAX : (int) count;
}
