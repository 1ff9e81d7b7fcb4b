/* keys: API keys for the triage desk (coordinators) and administrators. */
#include <stdio.h>
#include <string.h>

#include "laporctl.h"
#include "lp_apikey.h"
#include "lp_clock.h"

int
laporctl_admin_key(lp_store_t *store, int argc, char **argv)
{
    static const char *const usage = "usage: laporctl admin-key add <name> [coordinator|admin]\n"
                                     "       laporctl admin-key revoke <name>\n";
    if (argc >= 3 && argc <= 4 && strcmp(argv[1], "add") == 0) {
        const char *role = argc == 4 ? argv[3] : "coordinator";
        if (strcmp(role, "coordinator") != 0 && strcmp(role, "admin") != 0) {
            fputs(usage, stderr);
            return 2;
        }
        if (!*argv[2] || strlen(argv[2]) > 100) {
            fprintf(stderr, "name: must be 1 to 100 characters\n");
            return 2;
        }
        return laporctl_issue_key(store, role, argv[2],
                                  strcmp(role, "admin") == 0 ? "an admin key"
                                                             : "a coordinator key");
    }
    if (argc == 3 && strcmp(argv[1], "revoke") == 0) {
        bson_t *filter = BCON_NEW("owner", BCON_UTF8(argv[2]), "role", "{", "$in", "[",
                                  BCON_UTF8("coordinator"), BCON_UTF8("admin"), "]", "}",
                                  "revoked_at", "{", "$exists", BCON_BOOL(false), "}");
        int rc = laporctl_revoke_keys(store, filter, argv[2]);
        bson_destroy(filter);
        return rc;
    }
    fputs(usage, stderr);
    return 2;
}

int
laporctl_revoke_keys(lp_store_t *store, const bson_t *filter, const char *what)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_API_KEYS);
    bson_t *update = BCON_NEW("$set", "{", "revoked_at", BCON_INT64(lp_now_ms()), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    int rc = 0;

    if (!mongoc_collection_update_many(coll, filter, update, NULL, &reply, &error)) {
        fprintf(stderr, "database error: %s\n", error.message);
        rc = 1;
    }
    else {
        long n =
            bson_iter_init_find(&it, &reply, "modifiedCount") ? (long) bson_iter_as_int64(&it) : 0;
        printf("%ld key(s) of %s revoked\n", n, what);
        rc = n > 0 ? 0 : 1;
    }
    bson_destroy(&reply);
    bson_destroy(update);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

int
laporctl_issue_key(lp_store_t *store, const char *role, const char *owner, const char *what)
{
    char key[LP_APIKEY_LEN + 1], hash[LP_APIKEY_HASH_LEN + 1];
    lp_error_t err;

    lp_error_clear(&err);
    lp_apikey_generate(key, hash);
    if (!lp_apikey_store(store, hash, role, owner, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    /* The key is shown once: only its hash is kept. */
    printf("%s\n", key);
    fprintf(stderr, "%s for %s; it is shown only now: keep it safe\n", what, owner);
    return 0;
}

int
laporctl_open311_key(lp_store_t *store, int argc, char **argv)
{
    static const char *const usage = "usage: laporctl open311-key add <client name>\n"
                                     "       laporctl open311-key revoke <key or client name>\n";
    char hash[LP_APIKEY_HASH_LEN + 1];
    if (argc == 3 && strcmp(argv[1], "add") == 0) {
        if (!*argv[2] || strlen(argv[2]) > 100) {
            fprintf(stderr, "client name: must be 1 to 100 characters\n");
            return 2;
        }
        return laporctl_issue_key(store, "open311", argv[2], "an Open311 key");
    }
    if (argc == 3 && strcmp(argv[1], "revoke") == 0) {
        bson_t *filter = NULL;
        int rc = 0;
        /* A key is never stored: it is found by its hash. */
        if (strlen(argv[2]) == LP_APIKEY_LEN && strncmp(argv[2], "lpk_", 4) == 0) {
            lp_apikey_hash(argv[2], hash);
            filter = BCON_NEW("_id", BCON_UTF8(hash), "role", BCON_UTF8("open311"), "revoked_at",
                              "{", "$exists", BCON_BOOL(false), "}");
            rc = laporctl_revoke_keys(store, filter, "that Open311 client");
        }
        else {
            filter = BCON_NEW("owner", BCON_UTF8(argv[2]), "role", BCON_UTF8("open311"),
                              "revoked_at", "{", "$exists", BCON_BOOL(false), "}");
            rc = laporctl_revoke_keys(store, filter, argv[2]);
        }
        bson_destroy(filter);
        return rc;
    }
    fputs(usage, stderr);
    return 2;
}
