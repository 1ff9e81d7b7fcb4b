/* lp_tracking: tracking IDs that a villager can read out and type on a feature phone.
 *
 * An ID is 10 digits: 9 random digits (the first never 0) and a Damm check digit,
 * which catches every single wrong digit and every swap of two neighbours. Digits
 * only, because on a phone keypad a digit is one key press and letters are several. */
#ifndef LP_TRACKING_H
#define LP_TRACKING_H

#include <stdbool.h>
#include <stddef.h>

#define LP_TRACKING_LEN 10

/* Writes a new random ID (from libsodium's CSPRNG) and a NUL into out. */
void lp_tracking_generate(char out[LP_TRACKING_LEN + 1]);

/* The Damm check digit ('0'..'9') of the n digits in s; -1 when s holds a non-digit. */
int lp_tracking_check_digit(const char *s, size_t n);

/* True when id is exactly 10 digits, the first not 0, and the check digit is right. */
bool lp_tracking_valid(const char *id);

/* Reads what a person typed ("482 109 3756", "4821-0937-56", " 4821093756 ") into
 * out, dropping spaces, dashes and dots. Returns 0 when the result is a valid ID,
 * -1 otherwise (out is then an empty string). Never reads past a NUL; input longer
 * than 64 bytes is refused. */
int lp_tracking_normalize(const char *in, char out[LP_TRACKING_LEN + 1]);

/* Writes the ID grouped for display ("4821-0937-56") into out (13 bytes). */
void lp_tracking_format(const char *id, char out[LP_TRACKING_LEN + 3]);

#endif
