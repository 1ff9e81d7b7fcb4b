/* lp_account: people who work in lapor (agency staff, liaisons, coordinators,
 * analysts, admins), their passwords (Argon2id) and their portal sessions.
 *
 * Passwords are kept only as libsodium crypto_pwhash_str strings. Five wrong
 * passwords in a row lock the account for LP_ACCOUNT_LOCK_MS. A session is a
 * random token in a cookie; the database keeps only its hash, with the person's
 * role and agency and a CSRF token for the forms of that session. */
#ifndef LP_ACCOUNT_H
#define LP_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_store.h"

#define LP_ACCOUNT_MAX_FAILURES 5
#define LP_ACCOUNT_LOCK_MS (15 * 60 * 1000)
#define LP_SESSION_TTL_MS (8 * 3600 * 1000)
#define LP_SESSION_TOKEN_LEN 43 /* 32 random bytes, base64url */
#define LP_CSRF_LEN 43

/* Who is asking, whichever way they proved it (API key or session). */
typedef struct {
    char name[64];              /* username, or the key's owner */
    char role[24];              /* staff, liaison, coordinator, analyst, admin */
    char agency_id[64];         /* staff and liaison: their agency */
    char region_prefix[24];     /* coordinator: the region they coordinate ("" = all) */
    char csrf[LP_CSRF_LEN + 1]; /* sessions only: the token forms must carry */
} lp_principal_t;

/* True for a role name lapor knows. */
bool lp_account_role_known(const char *role);

/* Creates an account. password must be 10 to 128 bytes. -1 with err
 * (LP_ERR_CONFLICT when the username exists, LP_ERR_INVALID for bad input). */
int lp_account_add(lp_store_t *store, const char *username, const char *password, const char *role,
                   const char *agency_id, const char *region_prefix, lp_error_t *err);

/* Disables an account and ends its sessions. 1 done, 0 no such user, -1 error. */
int lp_account_disable(lp_store_t *store, const char *username, lp_error_t *err);

typedef enum {
    LP_LOGIN_OK,
    LP_LOGIN_WRONG,  /* unknown user or wrong password (never said which) */
    LP_LOGIN_LOCKED, /* too many failures: wait */
    LP_LOGIN_ERROR,  /* the database failed: err */
} lp_login_t;

/* Checks a password and, when right, opens a session: token (for the cookie) and
 * who (with the CSRF token) are filled. */
lp_login_t lp_account_login(lp_store_t *store, const char *username, const char *password,
                            int64_t now_ms, char token[LP_SESSION_TOKEN_LEN + 1],
                            lp_principal_t *who, lp_error_t *err);

/* Finds the live session of a token. 1 found (who filled), 0 none, -1 error. */
int lp_account_session(lp_store_t *store, const char *token, int64_t now_ms, lp_principal_t *who,
                       lp_error_t *err);

/* Ends a session. */
int lp_account_logout(lp_store_t *store, const char *token, lp_error_t *err);

/* Constant-time comparison of two NUL-terminated tokens. */
bool lp_account_token_equal(const char *a, const char *b);

#endif
