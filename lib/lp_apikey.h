/* lp_apikey: API keys for agencies and the triage desk, stored only as hashes.
 *
 * A key is "lpk_" and 43 base64url characters (32 random bytes); the database
 * keeps its SHA-256, so a copy of the database cannot be used to call the API. */
#ifndef LP_APIKEY_H
#define LP_APIKEY_H

#include <stdbool.h>

#include "lp_error.h"
#include "lp_store.h"

#define LP_APIKEY_LEN 47 /* "lpk_" + 43 */
#define LP_APIKEY_HASH_LEN 64

/* Writes a new random key and its hash (hex). */
void lp_apikey_generate(char key[LP_APIKEY_LEN + 1], char hash[LP_APIKEY_HASH_LEN + 1]);

/* The hash (hex) of a presented key. */
void lp_apikey_hash(const char *key, char hash[LP_APIKEY_HASH_LEN + 1]);

/* Stores a key hash with its role ("coordinator", "admin", "agency") and owner (a
 * person's or agency's name or id). */
bool lp_apikey_store(lp_store_t *store, const char *hash, const char *role, const char *owner,
                     lp_error_t *err);

/* Looks up a presented "Bearer <key>" header value. Returns 1 when the key exists,
 * is not revoked and has one of the roles (NULL-terminated list), with its owner
 * copied into owner; 0 when not; -1 on a database error. */
/* Who a presented key belongs to: 1 with owner and role filled, 0 no such live
 * key, -1 on a database error. */
int lp_apikey_identify(lp_store_t *store, const char *authorization, char *owner, size_t owner_size,
                       char *role, size_t role_size, lp_error_t *err);

int lp_apikey_check(lp_store_t *store, const char *authorization, const char *const *roles,
                    char *owner, size_t owner_size, lp_error_t *err);

#endif
