/* notifications: what could not be delivered, and sending it again. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "laporctl.h"
#include "lp_clock.h"
#include "lp_doc.h"

static int
s_usage(void)
{
    fprintf(stderr, "usage: laporctl notifications dead [--json]\n"
                    "       laporctl notifications redrive <id>|--all\n");
    return 2;
}

/* Lists dead messages: what, to whom (an agency id; never a citizen's contact),
 * how often tried and the last error. */
static int
s_dead(lp_store_t *store, bool json)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_NOTIFICATIONS);
    bson_t *filter = BCON_NEW("state", BCON_UTF8("dead"));
    bson_t *opts = BCON_NEW("sort", "{", "updated_at", BCON_INT32(1), "}", "projection", "{",
                            "recipient.sealed", BCON_INT32(0), "payload", BCON_INT32(0), "text",
                            BCON_INT32(0), "subject", BCON_INT32(0), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc;
    bson_error_t error;
    long n = 0;
    int rc = 0;

    if (!json)
        printf("%-52s %-8s %-10s %-20s %-8s %s\n", "ID", "CHANNEL", "TRACKING", "RECIPIENT",
               "ATTEMPTS", "LAST ERROR");
    while (mongoc_cursor_next(cursor, &doc)) {
        const char *kind = lp_doc_str(doc, "recipient.kind");
        const char *who = strcmp(kind, "agency") == 0 ? lp_doc_str(doc, "recipient.id") : kind;
        int64_t attempts = lp_doc_int(doc, "attempts");
        if (json) {
            json_t *line =
                json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:s}", "id", lp_doc_str(doc, "_id"), "channel",
                          lp_doc_str(doc, "channel"), "tracking_id", lp_doc_str(doc, "tracking_id"),
                          "type", lp_doc_str(doc, "type"), "recipient", who, "attempts",
                          (json_int_t) attempts, "last_error", lp_doc_str(doc, "last_error"));
            char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
            printf("%s\n", text ? text : "{}");
            free(text);
            json_decref(line);
        }
        else
            printf("%-52s %-8s %-10s %-20s %-8lld %s\n", lp_doc_str(doc, "_id"),
                   lp_doc_str(doc, "channel"), lp_doc_str(doc, "tracking_id"), who,
                   (long long) attempts, lp_doc_str(doc, "last_error"));
        n++;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        fprintf(stderr, "database error: %s\n", error.message);
        rc = 1;
    }
    else if (!json)
        fprintf(stderr, "%ld dead message(s)\n", n);
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

/* Puts dead messages back to pending with a fresh count of tries; the notifier's
 * next pass sends them (with the same webhook-id / Message-ID as before). */
static int
s_redrive(lp_store_t *store, const char *id)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_NOTIFICATIONS);
    int64_t now = lp_now_ms();
    bson_t *filter = id ? BCON_NEW("_id", BCON_UTF8(id), "state", BCON_UTF8("dead"))
                        : BCON_NEW("state", BCON_UTF8("dead"));
    bson_t *update = BCON_NEW("$set", "{", "state", BCON_UTF8("pending"), "attempts", BCON_INT32(0),
                              "next_at", BCON_INT64(now), "updated_at", BCON_INT64(now), "}",
                              "$inc", "{", "redriven", BCON_INT32(1), "}");
    bson_t reply;
    bson_error_t error;
    int rc = 0;

    if (!mongoc_collection_update_many(coll, filter, update, NULL, &reply, &error)) {
        fprintf(stderr, "database error: %s\n", error.message);
        rc = 1;
    }
    else {
        int64_t n = lp_doc_int(&reply, "modifiedCount");
        mongoc_collection_t *due = lp_store_collection(store, client, LP_COLL_NOTIFY_DUE);
        lp_error_t err;
        if (n > 0 && !lp_store_due(due, id ? id : LP_STORE_DUE_ALL, now, &err)) {
            fprintf(stderr, "database error: %s\n", err.message);
            rc = 1;
        }
        mongoc_collection_destroy(due);
        printf("%lld message(s) sent back to the queue\n", (long long) n);
        if (id && n == 0) {
            fprintf(stderr, "no dead message has the id %s\n", id);
            rc = 1;
        }
    }
    bson_destroy(&reply);
    bson_destroy(update);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

int
laporctl_notifications(lp_store_t *store, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "dead") == 0 && argc <= 3) {
        if (argc == 3 && strcmp(argv[2], "--json") != 0)
            return s_usage();
        return s_dead(store, argc == 3);
    }
    if (argc == 3 && strcmp(argv[1], "redrive") == 0)
        return s_redrive(store, strcmp(argv[2], "--all") == 0 ? NULL : argv[2]);
    return s_usage();
}
