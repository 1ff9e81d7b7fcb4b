/* lp_apikey: generating, hashing, storing and checking API keys. */
#include "lp_apikey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"

void
lp_apikey_hash(const char *key, char hash[LP_APIKEY_HASH_LEN + 1])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, (const unsigned char *) key, strlen(key));
    sodium_bin2hex(hash, LP_APIKEY_HASH_LEN + 1, digest, sizeof digest);
}

void
lp_apikey_generate(char key[LP_APIKEY_LEN + 1], char hash[LP_APIKEY_HASH_LEN + 1])
{
    unsigned char raw[32];
    if (sodium_init() < 0)
        abort(); /* no randomness: never hand out a guessable key */
    randombytes_buf(raw, sizeof raw);
    memcpy(key, "lpk_", 4);
    sodium_bin2base64(key + 4, LP_APIKEY_LEN + 1 - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    lp_apikey_hash(key, hash);
}

bool
lp_apikey_store(lp_store_t *store, const char *hash, const char *role, const char *owner,
                lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_API_KEYS);
    bson_t *doc = BCON_NEW("_id", BCON_UTF8(hash), "role", BCON_UTF8(role), "owner",
                           BCON_UTF8(owner), "created_at", BCON_INT64(lp_now_ms()));
    bson_error_t error;
    bool ok = mongoc_collection_insert_one(coll, doc, NULL, NULL, &error);
    if (!ok)
        lp_store_set_error(err, &error, "store key");
    bson_destroy(doc);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return ok;
}

int
lp_apikey_identify(lp_store_t *store, const char *authorization, char *owner, size_t owner_size,
                   char *role, size_t role_size, lp_error_t *err)
{
    char hash[LP_APIKEY_HASH_LEN + 1];
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL, *opts = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    bson_iter_t it;
    int rc = 0;

    if (!authorization || strncmp(authorization, "Bearer ", 7) != 0 ||
        strlen(authorization + 7) != LP_APIKEY_LEN || strncmp(authorization + 7, "lpk_", 4) != 0)
        return 0;
    lp_apikey_hash(authorization + 7, hash);
    client = lp_store_pop(store);
    coll = lp_store_collection(store, client, LP_COLL_API_KEYS);
    filter = BCON_NEW("_id", BCON_UTF8(hash), "revoked_at", "{", "$exists", BCON_BOOL(false), "}");
    opts = BCON_NEW("limit", BCON_INT64(1));
    cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    if (mongoc_cursor_next(cursor, &doc)) {
        const char *r = "", *who = "";
        if (bson_iter_init_find(&it, doc, "role") && BSON_ITER_HOLDS_UTF8(&it))
            r = bson_iter_utf8(&it, NULL);
        if (bson_iter_init_find(&it, doc, "owner") && BSON_ITER_HOLDS_UTF8(&it))
            who = bson_iter_utf8(&it, NULL);
        snprintf(owner, owner_size, "%s", who);
        snprintf(role, role_size, "%s", r);
        rc = 1;
    }
    else if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "check key");
        rc = -1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

int
lp_apikey_check(lp_store_t *store, const char *authorization, const char *const *roles, char *owner,
                size_t owner_size, lp_error_t *err)
{
    char who[128], role[32];
    int rc = lp_apikey_identify(store, authorization, who, sizeof who, role, sizeof role, err);
    if (rc != 1)
        return rc;
    for (const char *const *r = roles; *r; r++)
        if (strcmp(*r, role) == 0) {
            snprintf(owner, owner_size, "%s", who);
            return 1;
        }
    return 0;
}
