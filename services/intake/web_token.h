/* web_token: short signed tokens for the web pages (CSRF and the one-time receipt).
 *
 * A token is "<unix seconds>.<hex HMAC-SHA256(key, purpose ":" subject ":" seconds)>".
 * It proves that this service (any instance holding the same key) issued it for that
 * subject, and when; nothing is stored on the server.
 *
 * CSRF uses the "signed double-submit cookie" pattern: the form page sets a cookie
 * with a random nonce (HttpOnly, SameSite=Lax) and puts a token whose subject is that
 * nonce in a hidden field; a POST passes only when the field's token is valid for the
 * nonce in the cookie and young enough. Another site can make a browser send the
 * cookie (not under SameSite=Lax, but older browsers do) and cannot read it or the
 * page, so it cannot make a matching field; and a token copied from one browser does
 * not work with another browser's cookie. Pure: no I/O, no globals. */
#ifndef INTAKE_WEB_TOKEN_H
#define INTAKE_WEB_TOKEN_H

#include <stdbool.h>
#include <stdint.h>

#define WEB_TOKEN_KEY_LEN 32
#define WEB_TOKEN_LEN (20 + 1 + 64) /* seconds, dot, hex MAC */
#define WEB_NONCE_LEN 32            /* hex of 16 random bytes */

/* Writes the token for (purpose, subject) issued at now_s into out. */
void web_token_make(const unsigned char key[WEB_TOKEN_KEY_LEN], const char *purpose,
                    const char *subject, int64_t now_s, char out[WEB_TOKEN_LEN + 1]);

/* True when token was made by web_token_make with key, purpose and subject, at most
 * max_age_s seconds before now_s (and not more than a minute after: clocks of two
 * instances differ a little). Compares in constant time. */
bool web_token_check(const unsigned char key[WEB_TOKEN_KEY_LEN], const char *purpose,
                     const char *subject, const char *token, int64_t now_s, int64_t max_age_s);

/* True when s is a nonce as web_token_nonce makes it (32 lower-case hex digits). */
bool web_token_nonce_ok(const char *s);

/* Writes a fresh random nonce (libsodium's generator) into out. */
void web_token_nonce(char out[WEB_NONCE_LEN + 1]);

#endif
