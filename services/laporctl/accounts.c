/* accounts: agencies' API keys and the people who use the portal. */
#include <stdio.h>
#include <string.h>

#include "laporctl.h"
#include "lp_account.h"
#include "lp_apikey.h"
#include "lp_clock.h"
#include "lp_doc.h"

/* 1 when the agency exists, 0 not (message printed), -1 database error. */
static int
s_agency_exists(lp_store_t *store, const char *id)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_AGENCIES);
    bson_t *filter = BCON_NEW("_id", BCON_UTF8(id));
    lp_error_t err;
    bson_t *doc = lp_store_find_one(coll, filter, NULL, &err);
    int rc = doc ? 1 : err.code == LP_ERR_NONE ? 0 : -1;

    if (rc == 0)
        fprintf(stderr, "agency '%s' does not exist (see: laporctl agency list)\n", id);
    else if (rc < 0)
        fprintf(stderr, "database error: %s\n", err.message);
    if (doc)
        bson_destroy(doc);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

int
laporctl_agency_key(lp_store_t *store, int argc, char **argv)
{
    static const char *const usage = "usage: laporctl agency-key add <agency id>\n"
                                     "       laporctl agency-key revoke <agency id>\n";
    int rc;

    if (argc != 3 || (strcmp(argv[1], "add") != 0 && strcmp(argv[1], "revoke") != 0)) {
        fputs(usage, stderr);
        return 2;
    }
    if ((rc = s_agency_exists(store, argv[2])) != 1)
        return 1;
    if (strcmp(argv[1], "add") == 0)
        return laporctl_issue_key(store, "agency", argv[2], "an API key of the agency");
    bson_t *filter = BCON_NEW("owner", BCON_UTF8(argv[2]), "role", BCON_UTF8("agency"),
                              "revoked_at", "{", "$exists", BCON_BOOL(false), "}");
    rc = laporctl_revoke_keys(store, filter, argv[2]);
    bson_destroy(filter);
    return rc;
}

/* Reads one line (the password) from stdin, without its newline. */
static bool
s_read_password(char *out, size_t size)
{
    if (!fgets(out, (int) size, stdin))
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}

int
laporctl_user(lp_store_t *store, int argc, char **argv)
{
    static const char *const usage =
        "usage: laporctl user add <username> <staff|liaison|coordinator|analyst|admin> "
        "[--agency ID] [--region PREFIX]   (password on stdin)\n"
        "       laporctl user disable <username>\n";
    lp_error_t err;

    lp_error_clear(&err);
    if (argc >= 4 && strcmp(argv[1], "add") == 0) {
        const char *agency = "", *region = "";
        char password[256];
        for (int i = 4; i < argc; i += 2) {
            if (i + 1 >= argc) {
                fputs(usage, stderr);
                return 2;
            }
            if (strcmp(argv[i], "--agency") == 0)
                agency = argv[i + 1];
            else if (strcmp(argv[i], "--region") == 0)
                region = argv[i + 1];
            else {
                fputs(usage, stderr);
                return 2;
            }
        }
        if (*agency && s_agency_exists(store, agency) != 1)
            return 1;
        if (!s_read_password(password, sizeof password)) {
            fprintf(stderr, "password: give it on the first line of standard input\n");
            return 2;
        }
        int rc = lp_account_add(store, argv[2], password, argv[3], agency, region, &err);
        memset(password, 0, sizeof password);
        if (rc != 0) {
            fprintf(stderr, "%s%s%s\n", err.field, *err.field ? ": " : "", err.message);
            return err.code == LP_ERR_DATABASE || err.code == LP_ERR_SYSTEM ? 1 : 2;
        }
        printf("user %s (%s) added\n", argv[2], argv[3]);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "disable") == 0) {
        int rc = lp_account_disable(store, argv[2], &err);
        if (rc < 0)
            fprintf(stderr, "database error: %s\n", err.message);
        else if (rc == 0)
            fprintf(stderr, "no user %s\n", argv[2]);
        else
            printf("user %s disabled; their sessions ended\n", argv[2]);
        return rc == 1 ? 0 : 1;
    }
    fputs(usage, stderr);
    return 2;
}
