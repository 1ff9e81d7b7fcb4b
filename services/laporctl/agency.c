/* agency: listing agencies and setting their webhook. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "lp_doc.h"
#include "laporctl.h"
#include "lp_clock.h"

int
laporctl_agency(lp_store_t *store, int argc, char **argv)
{
    bool json = argc == 3 && strcmp(argv[2], "--json") == 0;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t filter = BSON_INITIALIZER;
    bson_t *opts = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    int rc = 0;

    if (argc < 2 || strcmp(argv[1], "list") != 0 || (argc == 3 && !json) || argc > 3) {
        fprintf(stderr, "usage: laporctl agency list [--json]\n");
        return 2;
    }
    client = lp_store_pop(store);
    coll = lp_store_collection(store, client, LP_COLL_AGENCIES);
    opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
    cursor = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
    if (!json)
        printf("%-24s %-9s %-8s %-7s %s\n", "ID", "LEVEL", "REGION", "WEBHOOK", "NAME");
    while (mongoc_cursor_next(cursor, &doc)) {
        bool hook = *lp_doc_str(doc, "webhook.url") != '\0';
        if (json) {
            /* Never print the webhook secret. */
            json_t *line =
                json_pack("{s:s,s:s,s:s,s:s,s:s,s:b}", "id", lp_doc_str(doc, "_id"), "name",
                          lp_doc_str(doc, "name"), "level", lp_doc_str(doc, "level"),
                          "region_prefix", lp_doc_str(doc, "region_prefix"), "parent_id",
                          lp_doc_str(doc, "parent_id"), "webhook", hook);
            char *text = json_dumps(line, JSON_COMPACT);
            printf("%s\n", text ? text : "{}");
            free(text);
            json_decref(line);
        }
        else
            printf("%-24s %-9s %-8s %-7s %s\n", lp_doc_str(doc, "_id"), lp_doc_str(doc, "level"),
                   *lp_doc_str(doc, "region_prefix") ? lp_doc_str(doc, "region_prefix") : "-",
                   hook ? "yes" : "no", lp_doc_str(doc, "name"));
    }
    if (mongoc_cursor_error(cursor, &error)) {
        fprintf(stderr, "database error: %s\n", error.message);
        rc = 1;
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

int
laporctl_agency_webhook(lp_store_t *store, int argc, char **argv)
{
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL, *update = NULL;
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    int rc = 0;

    bool clear = argc == 3 && strcmp(argv[1], "clear") == 0;

    if (!clear && (argc != 5 || strcmp(argv[1], "set") != 0)) {
        fprintf(stderr, "usage: laporctl agency-webhook set <agency id> <url> <secret>\n"
                        "       laporctl agency-webhook clear <agency id>\n");
        return 2;
    }
    if (clear)
        ; /* nothing to check */
    else if (strncmp(argv[3], "http://", 7) != 0 && strncmp(argv[3], "https://", 8) != 0) {
        fprintf(stderr, "url: must start with http:// or https://\n");
        return 2;
    }
    else if (strlen(argv[3]) > 2000) {
        fprintf(stderr, "url: is too long\n");
        return 2;
    }
    else if (strlen(argv[4]) < 16 || strlen(argv[4]) > 200) {
        fprintf(stderr, "secret: must be 16 to 200 characters (use a random string)\n");
        return 2;
    }
    client = lp_store_pop(store);
    coll = lp_store_collection(store, client, LP_COLL_AGENCIES);
    filter = BCON_NEW("_id", BCON_UTF8(argv[2]));
    /* Cleared: later messages to the agency are "skipped", never sent anywhere. */
    update = clear ? BCON_NEW("$unset", "{", "webhook", BCON_UTF8(""), "}")
                   : BCON_NEW("$set", "{", "webhook", "{", "url", BCON_UTF8(argv[3]), "secret",
                              BCON_UTF8(argv[4]), "updated_at", BCON_INT64(lp_now_ms()), "}", "}");
    if (!mongoc_collection_update_one(coll, filter, update, NULL, &reply, &error)) {
        fprintf(stderr, "database error: %s\n", error.message);
        rc = 1;
    }
    else if (!bson_iter_init_find(&it, &reply, "matchedCount") || bson_iter_as_int64(&it) != 1) {
        fprintf(stderr, "agency '%s' does not exist (see: laporctl agency list)\n", argv[2]);
        rc = 1;
    }
    else
        printf(clear ? "webhook of %s cleared\n" : "webhook of %s set to %s\n", argv[2],
               clear ? "" : argv[3]);
    bson_destroy(&reply);
    bson_destroy(update);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}
