/* lp_workdays: Indonesia's working-day calendar, for SP4N-LAPOR! deadlines.
 *
 * A working day is Monday to Friday and not a national holiday (libur) or
 * collective leave day (cuti bersama). Holidays are loaded at run time (from the
 * `holidays` collection or a CSV) so a new year's decree needs no rebuild. Days
 * are counted in one fixed UTC offset: WITA (+08:00) for Kalimantan Timur. */
#ifndef LP_WORKDAYS_H
#define LP_WORKDAYS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct lp_workdays_t lp_workdays_t;

/* A calendar with weekends only, counting days at utc_offset_minutes (480 for WITA).
 * Returns NULL when out of memory. */
lp_workdays_t *lp_workdays_new(int utc_offset_minutes);

/* Frees the calendar and sets *self_p to NULL. Accepts NULL and a NULL *self_p. */
void lp_workdays_destroy(lp_workdays_t **self_p);

/* Marks a date as a holiday. Returns 0, or -1 when the date does not exist. Adding
 * the same date twice is harmless. */
int lp_workdays_add_holiday(lp_workdays_t *self, int year, int month, int day);

/* Parses "YYYY-MM-DD" and marks it. Returns 0, or -1 for a malformed or impossible date. */
int lp_workdays_add_holiday_str(lp_workdays_t *self, const char *date);

/* Number of holidays loaded. */
int lp_workdays_holiday_count(const lp_workdays_t *self);

/* True when the civil date is a working day. */
bool lp_workdays_is_working(const lp_workdays_t *self, int year, int month, int day);

/* The deadline for something that happened at from_ms (Unix ms) and must be done
 * within n working days: the last millisecond (23:59:59.999 local) of the n-th
 * working day after the local day of from_ms. n = 0 means the end of that same
 * local day if it is a working day, else of the next working day. Returns Unix ms. */
int64_t lp_workdays_deadline(const lp_workdays_t *self, int64_t from_ms, int n);

/* Number of whole working days strictly after the local day of from_ms up to and
 * including the local day of to_ms; 0 when to_ms is not after from_ms. */
int lp_workdays_between(const lp_workdays_t *self, int64_t from_ms, int64_t to_ms);

#endif
