/* lp_account: Argon2id passwords, lockout, sessions. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lp_account.h"
#include "lp_clock.h"
#include "lp_doc.h"

static const char *const s_roles[] = {"staff", "liaison", "coordinator", "analyst", "admin", NULL};

bool
lp_account_role_known(const char *role)
{
    for (const char *const *r = s_roles; role && *r; r++)
        if (strcmp(*r, role) == 0)
            return true;
    return false;
}

static bool
s_username_ok(const char *u)
{
    size_t n = strlen(u);
    return n >= 3 && n < 64 && strspn(u, "abcdefghijklmnopqrstuvwxyz0123456789._-@") == n;
}

/* 32 random bytes as base64url without padding. */
static void
s_random_token(char out[LP_SESSION_TOKEN_LEN + 1])
{
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2base64(out, LP_SESSION_TOKEN_LEN + 1, bytes, sizeof bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static void
s_token_hash(const char *token, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) token, strlen(token));
    sodium_bin2hex(hex, 65, digest, sizeof digest);
}

int
lp_account_add(lp_store_t *store, const char *username, const char *password, const char *role,
               const char *agency_id, const char *region_prefix, lp_error_t *err)
{
    char hash[crypto_pwhash_STRBYTES];
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *doc = NULL;
    bson_error_t error;
    size_t plen = strlen(password);
    int rc = -1;

    if (!s_username_ok(username)) {
        lp_error_set(err, LP_ERR_INVALID, "username",
                     "3 to 63 lower-case letters, digits, '.', '_', '-' or '@'");
        return -1;
    }
    if (!lp_account_role_known(role)) {
        lp_error_set(err, LP_ERR_INVALID, "role",
                     "must be staff, liaison, coordinator, analyst or admin");
        return -1;
    }
    if ((strcmp(role, "staff") == 0 || strcmp(role, "liaison") == 0) &&
        (!agency_id || !*agency_id)) {
        lp_error_set(err, LP_ERR_INVALID, "agency", "staff and liaisons belong to an agency");
        return -1;
    }
    if (plen < 10 || plen > 128) {
        lp_error_set(err, LP_ERR_INVALID, "password", "must be 10 to 128 characters");
        return -1;
    }
    if (crypto_pwhash_str(hash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory hashing the password");
        return -1;
    }
    client = lp_store_pop(store);
    coll = lp_store_collection(store, client, LP_COLL_USERS);
    doc = BCON_NEW("_id", BCON_UTF8(username), "role", BCON_UTF8(role), "agency_id",
                   BCON_UTF8(agency_id ? agency_id : ""), "region_prefix",
                   BCON_UTF8(region_prefix ? region_prefix : ""), "password", BCON_UTF8(hash),
                   "failures", BCON_INT32(0), "locked_until", BCON_INT64(0), "disabled",
                   BCON_BOOL(false), "created_at", BCON_INT64(lp_now_ms()));
    if (mongoc_collection_insert_one(coll, doc, NULL, NULL, &error))
        rc = 0;
    else if (lp_store_is_duplicate(&error))
        lp_error_set(err, LP_ERR_CONFLICT, "username", "this username exists already");
    else
        lp_store_set_error(err, &error, "add user");
    sodium_memzero(hash, sizeof hash);
    bson_destroy(doc);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

int
lp_account_disable(lp_store_t *store, const char *username, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *users = lp_store_collection(store, client, LP_COLL_USERS);
    mongoc_collection_t *sessions = lp_store_collection(store, client, LP_COLL_SESSIONS);
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(username));
    bson_t *update = BCON_NEW("$set", "{", "disabled", BCON_BOOL(true), "}");
    bson_t *by_user = BCON_NEW("username", BCON_UTF8(username));
    bson_t reply;
    bson_error_t error;
    int rc = -1;

    if (!mongoc_collection_update_one(users, filter, update, NULL, &reply, &error))
        lp_store_set_error(err, &error, "disable user");
    else {
        rc = lp_doc_int(&reply, "matchedCount") == 1;
        if (!mongoc_collection_delete_many(sessions, by_user, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "end sessions");
            rc = -1;
        }
    }
    bson_destroy(&reply);
    bson_destroy(by_user);
    bson_destroy(update);
    bson_destroy(filter);
    mongoc_collection_destroy(sessions);
    mongoc_collection_destroy(users);
    lp_store_push(store, client);
    return rc;
}

static void
s_fill(lp_principal_t *who, const bson_t *doc, const char *name_path)
{
    memset(who, 0, sizeof *who);
    lp_doc_copy(doc, name_path, who->name, sizeof who->name);
    lp_doc_copy(doc, "role", who->role, sizeof who->role);
    lp_doc_copy(doc, "agency_id", who->agency_id, sizeof who->agency_id);
    lp_doc_copy(doc, "region_prefix", who->region_prefix, sizeof who->region_prefix);
}

lp_login_t
lp_account_login(lp_store_t *store, const char *username, const char *password, int64_t now_ms,
                 char token[LP_SESSION_TOKEN_LEN + 1], lp_principal_t *who, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *users = lp_store_collection(store, client, LP_COLL_USERS);
    mongoc_collection_t *sessions = lp_store_collection(store, client, LP_COLL_SESSIONS);
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(username), "disabled", BCON_BOOL(false));
    bson_t *user = lp_store_find_one(users, filter, NULL, err);
    bson_t *update = NULL, *session = NULL;
    char hex[65];
    bson_error_t error;
    lp_login_t result = LP_LOGIN_WRONG;

    if (!user) {
        if (err->code != LP_ERR_NONE)
            result = LP_LOGIN_ERROR;
        else {
            /* The same work as a real check, so timing does not tell who exists. */
            char dummy[crypto_pwhash_STRBYTES];
            if (crypto_pwhash_str(dummy, password, strlen(password),
                                  crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                  crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
                sodium_memzero(dummy, sizeof dummy);
        }
        goto done;
    }
    if (lp_doc_int(user, "locked_until") > now_ms) {
        result = LP_LOGIN_LOCKED;
        goto done;
    }
    if (crypto_pwhash_str_verify(lp_doc_str(user, "password"), password, strlen(password)) != 0) {
        int64_t failures = lp_doc_int(user, "failures") + 1;
        update = failures >= LP_ACCOUNT_MAX_FAILURES
                     ? BCON_NEW("$set", "{", "failures", BCON_INT32(0), "locked_until",
                                BCON_INT64(now_ms + LP_ACCOUNT_LOCK_MS), "}")
                     : BCON_NEW("$inc", "{", "failures", BCON_INT32(1), "}");
        if (!mongoc_collection_update_one(users, filter, update, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "count a failed login");
            result = LP_LOGIN_ERROR;
        }
        else
            result = failures >= LP_ACCOUNT_MAX_FAILURES ? LP_LOGIN_LOCKED : LP_LOGIN_WRONG;
        goto done;
    }
    s_fill(who, user, "_id");
    s_random_token(token);
    s_random_token(who->csrf);
    s_token_hash(token, hex);
    session =
        BCON_NEW("_id", BCON_UTF8(hex), "username", BCON_UTF8(who->name), "role",
                 BCON_UTF8(who->role), "agency_id", BCON_UTF8(who->agency_id), "region_prefix",
                 BCON_UTF8(who->region_prefix), "csrf", BCON_UTF8(who->csrf), "created_at",
                 BCON_INT64(now_ms), "expires_at", BCON_INT64(now_ms + LP_SESSION_TTL_MS));
    update =
        BCON_NEW("$set", "{", "failures", BCON_INT32(0), "last_login_at", BCON_INT64(now_ms), "}");
    if (!mongoc_collection_insert_one(sessions, session, NULL, NULL, &error) ||
        !mongoc_collection_update_one(users, filter, update, NULL, NULL, &error)) {
        lp_store_set_error(err, &error, "open a session");
        result = LP_LOGIN_ERROR;
        goto done;
    }
    result = LP_LOGIN_OK;
done:
    if (result != LP_LOGIN_OK) {
        sodium_memzero(token, LP_SESSION_TOKEN_LEN + 1);
        memset(who, 0, sizeof *who);
    }
    if (session)
        bson_destroy(session);
    if (update)
        bson_destroy(update);
    if (user)
        bson_destroy(user);
    bson_destroy(filter);
    mongoc_collection_destroy(sessions);
    mongoc_collection_destroy(users);
    lp_store_push(store, client);
    return result;
}

int
lp_account_session(lp_store_t *store, const char *token, int64_t now_ms, lp_principal_t *who,
                   lp_error_t *err)
{
    mongoc_client_t *client = NULL;
    mongoc_collection_t *sessions = NULL;
    bson_t *filter = NULL, *doc = NULL;
    char hex[65];
    int rc = 0;

    memset(who, 0, sizeof *who);
    if (!token || strlen(token) != LP_SESSION_TOKEN_LEN)
        return 0;
    s_token_hash(token, hex);
    client = lp_store_pop(store);
    sessions = lp_store_collection(store, client, LP_COLL_SESSIONS);
    filter = BCON_NEW("_id", BCON_UTF8(hex), "expires_at", "{", "$gt", BCON_INT64(now_ms), "}");
    doc = lp_store_find_one(sessions, filter, NULL, err);
    if (doc) {
        s_fill(who, doc, "username");
        lp_doc_copy(doc, "csrf", who->csrf, sizeof who->csrf);
        rc = 1;
        bson_destroy(doc);
    }
    else if (err->code != LP_ERR_NONE)
        rc = -1;
    bson_destroy(filter);
    mongoc_collection_destroy(sessions);
    lp_store_push(store, client);
    return rc;
}

int
lp_account_logout(lp_store_t *store, const char *token, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *sessions = lp_store_collection(store, client, LP_COLL_SESSIONS);
    char hex[65];
    bson_t *filter;
    bson_error_t error;
    int rc = 0;

    s_token_hash(token ? token : "", hex);
    filter = BCON_NEW("_id", BCON_UTF8(hex));
    if (!mongoc_collection_delete_one(sessions, filter, NULL, NULL, &error)) {
        lp_store_set_error(err, &error, "end a session");
        rc = -1;
    }
    bson_destroy(filter);
    mongoc_collection_destroy(sessions);
    lp_store_push(store, client);
    return rc;
}

bool
lp_account_token_equal(const char *a, const char *b)
{
    size_t n = a ? strlen(a) : 0;
    return a && b && n > 0 && n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}
