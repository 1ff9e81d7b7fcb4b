/* lp_tracking: generating, checking, reading and printing Damm-checked tracking IDs. */
#include "lp_tracking.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Longest input lp_tracking_normalize accepts, in bytes (from the header). */
#define S_NORMALIZE_MAX 64

/* Damm's weakly totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004).
 * Its zero diagonal is what makes "all digits including the check digit" fold to 0. */
static const unsigned char s_damm[10][10] = {
    {0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3}, {4, 2, 0, 6, 8, 7, 1, 3, 5, 9},
    {1, 7, 5, 0, 9, 8, 3, 4, 2, 6}, {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
    {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7}, {9, 4, 3, 8, 6, 1, 7, 2, 0, 5},
    {2, 5, 8, 1, 4, 3, 6, 7, 9, 0},
};

static bool
s_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Separators a person may type between groups. Whitespace beyond the plain space
 * is accepted too, because SMS and USSD gateways often pass on a trailing CR/LF. */
static bool
s_is_separator(char c)
{
    return c == ' ' || c == '-' || c == '.' || c == '\t' || c == '\r' || c == '\n';
}

/* True when s is exactly LP_TRACKING_LEN digits and then a NUL; never reads past
 * the first non-digit, so a short string is safe. */
static bool
s_has_id_shape(const char *s)
{
    if (!s)
        return false;
    for (int i = 0; i < LP_TRACKING_LEN; i++)
        if (!s_is_digit(s[i]))
            return false;
    return s[LP_TRACKING_LEN] == '\0';
}

/* strlen that stops counting after max bytes (strnlen is POSIX, not C11). */
static size_t
s_bounded_len(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

/* libsodium must be initialised before its CSPRNG is used; sodium_init() is itself
 * thread-safe, the flag only spares the call on every ID. */
static void
s_sodium_ready(void)
{
    static atomic_bool ready = false;
    if (atomic_load(&ready))
        return;
    if (sodium_init() < 0) {
        /* Without a CSPRNG, IDs could be guessed: refusing to run is the safe answer. */
        fprintf(stderr, "lp_tracking: sodium_init failed, cannot generate IDs\n");
        abort();
    }
    atomic_store(&ready, true);
}

int
lp_tracking_check_digit(const char *s, size_t n)
{
    unsigned interim = 0;
    if (!s)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!s_is_digit(s[i]))
            return -1; /* also stops at a NUL before n */
        interim = s_damm[interim][(unsigned) (s[i] - '0')];
    }
    return '0' + (int) interim;
}

void
lp_tracking_generate(char out[LP_TRACKING_LEN + 1])
{
    /* One draw of random bytes for the whole ID (randombytes_uniform made a system
     * call per digit, a twentieth of intake's CPU when it accepts fastest). A byte
     * gives an unbiased digit when it is below the largest multiple of the digit's
     * range (250 for 0..9, 252 for 1..9); the others are skipped. */
    unsigned char pool[32];
    size_t used = sizeof pool;

    s_sodium_ready();
    for (int i = 0; i < LP_TRACKING_LEN - 1;) {
        if (used == sizeof pool) {
            randombytes_buf(pool, sizeof pool);
            used = 0;
        }
        /* A leading digit of 1..9 keeps the ID ten digits when a spreadsheet or a
         * phone's number field drops leading zeros. */
        unsigned range = i == 0 ? 9 : 10, b = pool[used++];
        if (b >= 256 - 256 % range)
            continue;
        out[i++] = (char) ((range == 9 ? '1' : '0') + b % range);
    }
    out[LP_TRACKING_LEN - 1] = (char) lp_tracking_check_digit(out, LP_TRACKING_LEN - 1);
    out[LP_TRACKING_LEN] = '\0';
}

bool
lp_tracking_valid(const char *id)
{
    if (!s_has_id_shape(id) || id[0] == '0')
        return false;
    return lp_tracking_check_digit(id, LP_TRACKING_LEN - 1) == id[LP_TRACKING_LEN - 1];
}

int
lp_tracking_normalize(const char *in, char out[LP_TRACKING_LEN + 1])
{
    char digits[LP_TRACKING_LEN + 1] = {0};
    size_t n = 0;

    if (!out)
        return -1;
    out[0] = '\0';
    /* A bounded length: a hostile megabyte is refused after 65 bytes. */
    if (!in || s_bounded_len(in, S_NORMALIZE_MAX + 1) > S_NORMALIZE_MAX)
        return -1;
    for (const char *p = in; *p; p++) {
        if (s_is_separator(*p))
            continue;
        if (!s_is_digit(*p) || n == LP_TRACKING_LEN)
            return -1;
        digits[n++] = *p;
    }
    digits[n] = '\0';
    if (!lp_tracking_valid(digits))
        return -1;
    memcpy(out, digits, sizeof digits);
    return 0;
}

void
lp_tracking_format(const char *id, char out[LP_TRACKING_LEN + 3])
{
    if (!out)
        return;
    /* Anything that is not ten digits prints as nothing rather than as garbage. */
    if (!s_has_id_shape(id)) {
        out[0] = '\0';
        return;
    }
    memcpy(out, id, 4);
    out[4] = '-';
    memcpy(out + 5, id + 4, 4);
    out[9] = '-';
    memcpy(out + 10, id + 8, 2);
    out[12] = '\0';
}
