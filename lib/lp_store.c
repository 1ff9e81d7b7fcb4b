/* lp_store: the MongoDB client pool, indexes and leases shared by all services. */
#include "lp_store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_log.h"

struct lp_store_t {
    mongoc_client_pool_t *pool;
    mongoc_uri_t *uri;
    char dbname[64];
};

/* The driver's own log lines become structured lines. FerretDB v1 does not know
 * endSessions, which the driver sends at exit: that warning says nothing useful. */
static void
s_driver_log(mongoc_log_level_t level, const char *domain, const char *message, void *data)
{
    if (level > MONGOC_LOG_LEVEL_WARNING || strstr(message, "endSessions"))
        return;
    lp_log(level <= MONGOC_LOG_LEVEL_CRITICAL ? LP_LOG_ERROR : LP_LOG_WARN, "database.driver",
           "{s:s,s:s}", "domain", domain, "message", message);
}

lp_store_t *
lp_store_new(const char *uri_text, const char *appname, lp_error_t *err)
{
    lp_store_t *self = NULL;
    mongoc_uri_t *uri = NULL;
    bson_error_t error;
    const char *db = NULL;

    mongoc_init(); /* idempotent */
    mongoc_log_set_handler(s_driver_log, NULL);
    uri = mongoc_uri_new_with_error(uri_text, &error);
    if (!uri) {
        lp_error_set(err, LP_ERR_INVALID, "mongodb-uri", "bad MongoDB URI: %s", error.message);
        return NULL;
    }
    /* Fail fast when the database is away, so intake can answer 503 instead of
     * holding a citizen for the driver's default of 30 s. */
    if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 2000);
    if (!mongoc_uri_has_option(uri, MONGOC_URI_CONNECTTIMEOUTMS))
        mongoc_uri_set_option_as_int32(uri, MONGOC_URI_CONNECTTIMEOUTMS, 2000);
    if (appname)
        mongoc_uri_set_appname(uri, appname);
    self = calloc(1, sizeof *self);
    if (!self) {
        mongoc_uri_destroy(uri);
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    self->uri = uri;
    db = mongoc_uri_get_database(uri);
    snprintf(self->dbname, sizeof self->dbname, "%s", db && *db ? db : "lapor");
    self->pool = mongoc_client_pool_new(uri);
    if (!self->pool) {
        lp_error_set(err, LP_ERR_INVALID, "mongodb-uri", "cannot create a client pool");
        lp_store_destroy(&self);
        return NULL;
    }
    mongoc_client_pool_set_error_api(self->pool, MONGOC_ERROR_API_VERSION_2);
    return self;
}

void
lp_store_destroy(lp_store_t **self_p)
{
    lp_store_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->pool)
        mongoc_client_pool_destroy(self->pool);
    mongoc_uri_destroy(self->uri);
    free(self);
    *self_p = NULL;
}

bool
lp_store_acknowledged(const lp_store_t *self)
{
    const mongoc_write_concern_t *wc = mongoc_uri_get_write_concern(self->uri);
    return !wc || mongoc_write_concern_get_w(wc) != MONGOC_WRITE_CONCERN_W_UNACKNOWLEDGED;
}

mongoc_client_t *
lp_store_pop(lp_store_t *self)
{
    return mongoc_client_pool_pop(self->pool);
}

void
lp_store_push(lp_store_t *self, mongoc_client_t *client)
{
    if (client)
        mongoc_client_pool_push(self->pool, client);
}

mongoc_collection_t *
lp_store_collection(lp_store_t *self, mongoc_client_t *client, const char *name)
{
    return mongoc_client_get_collection(client, self->dbname, name);
}

const char *
lp_store_dbname(const lp_store_t *self)
{
    return self->dbname;
}

bool
lp_store_ping(lp_store_t *self, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(self);
    bson_t *cmd = BCON_NEW("ping", BCON_INT32(1));
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bool ok = mongoc_client_command_simple(client, self->dbname, cmd, NULL, &reply, &error);

    if (!ok)
        lp_store_set_error(err, &error, "ping");
    bson_destroy(&reply);
    bson_destroy(cmd);
    lp_store_push(self, client);
    return ok;
}

bool
lp_store_is_duplicate(const bson_error_t *error)
{
    return error && error->code == 11000;
}

void
lp_store_set_error(lp_error_t *err, const bson_error_t *error, const char *what)
{
    lp_error_set(err, lp_store_is_duplicate(error) ? LP_ERR_CONFLICT : LP_ERR_DATABASE, NULL,
                 "%s: %s", what, error ? error->message : "unknown database error");
}

/* One createIndexes command for one index. */
static bool
s_index(mongoc_client_t *client, const char *db, const char *coll, const char *name,
        const bson_t *keys, bool unique, lp_error_t *err)
{
    bson_t cmd = BSON_INITIALIZER, indexes, index;
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bool ok = false;

    BSON_APPEND_UTF8(&cmd, "createIndexes", coll);
    BSON_APPEND_ARRAY_BEGIN(&cmd, "indexes", &indexes);
    BSON_APPEND_DOCUMENT_BEGIN(&indexes, "0", &index);
    BSON_APPEND_DOCUMENT(&index, "key", keys);
    BSON_APPEND_UTF8(&index, "name", name);
    if (unique)
        BSON_APPEND_BOOL(&index, "unique", true);
    bson_append_document_end(&indexes, &index);
    bson_append_array_end(&cmd, &indexes);
    ok = mongoc_client_write_command_with_opts(client, db, &cmd, NULL, &reply, &error);
    if (!ok)
        lp_store_set_error(err, &error, name);
    bson_destroy(&reply);
    bson_destroy(&cmd);
    return ok;
}

/* Drops index name of coll when it is there (an error means it is not). */
static void
s_drop_index(mongoc_client_t *client, const char *db, const char *coll, const char *name)
{
    mongoc_collection_t *c = mongoc_client_get_collection(client, db, coll);
    mongoc_collection_drop_index_with_opts(c, name, NULL, NULL);
    mongoc_collection_destroy(c);
}

/* Whether the server is FerretDB (its buildInfo says so). */
static bool
s_is_ferretdb(mongoc_client_t *client)
{
    bson_t *cmd = BCON_NEW("buildInfo", BCON_INT32(1));
    bson_t reply = BSON_INITIALIZER;
    bool yes = mongoc_client_command_simple(client, "admin", cmd, NULL, &reply, NULL) &&
               bson_has_field(&reply, "ferretdbVersion");
    bson_destroy(&reply);
    bson_destroy(cmd);
    return yes;
}

typedef struct {
    const char *coll, *name;
    const char *keys[2]; /* ascending fields; NULL ends */
    bool unique;
} s_index_t;

static const s_index_t s_indexes[] = {
    {LP_COLL_COMPLAINTS, "tracking_id_unique", {"tracking_id"}, true},
    {LP_COLL_COMPLAINTS, "status_updated", {"status", "updated_at"}, false},
    {LP_COLL_COMPLAINTS, "agency_status", {"agency.id", "status"}, false},
    {LP_COLL_COMPLAINTS, "agencies_seen", {"agencies_seen"}, false},
    {LP_COLL_COMPLAINTS, "reporter_phone", {"reporter.lookup.phone"}, false},
    {LP_COLL_COMPLAINTS, "reporter_email", {"reporter.lookup.email"}, false},
    {LP_COLL_COMPLAINTS, "attachments_id", {"attachments.id"}, false},
    {LP_COLL_SESSIONS, "expires", {"expires_at"}, false},
    {LP_COLL_NOTIFICATIONS, "state_due", {"state", "next_at"}, false},
    {LP_COLL_OUTBOX, "for_since", {"for", "since"}, false},
    {LP_COLL_NOTIFY_DUE, "at", {"at"}, false},
    {LP_COLL_SERVICES, "kind_heartbeat", {"kind", "heartbeat_at"}, false},
    {LP_COLL_LEDGER, "batch", {"batch"}, false},
    {LP_COLL_REPORTER_RECENT, "day", {"day"}, false},
    {LP_COLL_ROLLUPS, "dim_key", {"dim", "key"}, false},
};

/* Indexes of earlier versions that nothing uses any more. */
static const char *const s_old_indexes[][2] = {{LP_COLL_COMPLAINTS, "todo_router"},
                                               {LP_COLL_COMPLAINTS, "todo_notifier"},
                                               {LP_COLL_COMPLAINTS, "todo_reporter"},
                                               {LP_COLL_OUTBOX, "stage_since"},
                                               {LP_COLL_OUTBOX, "since"}};

bool
lp_store_ensure_indexes(lp_store_t *self, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(self);
    const char *db = self->dbname;
    /* FerretDB v1 on SQLite looks documents up by index only for _id, yet keeps
     * every other index up to date on each write (an update of a complaint cost a
     * third more with them): there only the unique ones stay, for what they
     * guarantee. */
    bool lean = s_is_ferretdb(client);
    bool ok = true;

    for (size_t i = 0; i < sizeof s_old_indexes / sizeof s_old_indexes[0]; i++)
        s_drop_index(client, db, s_old_indexes[i][0], s_old_indexes[i][1]);
    for (size_t i = 0; ok && i < sizeof s_indexes / sizeof s_indexes[0]; i++) {
        const s_index_t *x = &s_indexes[i];
        if (lean && !x->unique) {
            s_drop_index(client, db, x->coll, x->name);
            continue;
        }
        bson_t keys = BSON_INITIALIZER;
        for (int k = 0; k < 2 && x->keys[k]; k++)
            BSON_APPEND_INT32(&keys, x->keys[k], 1);
        ok = s_index(client, db, x->coll, x->name, &keys, x->unique, err);
        bson_destroy(&keys);
    }
    lp_store_push(self, client);
    return ok;
}

bson_t *
lp_store_find_one(mongoc_collection_t *coll, const bson_t *filter, const bson_t *projection,
                  lp_error_t *err)
{
    bson_t *opts = BCON_NEW("limit", BCON_INT64(1));
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_t *copy = NULL;
    bson_error_t error;

    lp_error_clear(err);
    if (projection)
        BSON_APPEND_DOCUMENT(opts, "projection", projection);
    cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    if (mongoc_cursor_next(cursor, &doc))
        copy = bson_copy(doc);
    else if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        lp_store_set_error(err, &error, "find");
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    return copy;
}

void
lp_store_oid_value(bson_value_t *v, const char *hex)
{
    memset(v, 0, sizeof *v);
    v->value_type = BSON_TYPE_EOD;
    if (hex && strlen(hex) == 24 && bson_oid_is_valid(hex, 24)) {
        v->value_type = BSON_TYPE_OID;
        bson_oid_init_from_string(&v->value.v_oid, hex);
    }
}

void
lp_store_str_value(bson_value_t *v, const char *str)
{
    memset(v, 0, sizeof *v);
    v->value_type = BSON_TYPE_UTF8;
    v->value.v_utf8.str = (char *) str;
    v->value.v_utf8.len = (uint32_t) strlen(str);
}

int
lp_store_append_ids_in(bson_t *filter, const bson_value_t *ids, size_t n)
{
    bson_t cond, in;
    char key[16];
    int k = 0;

    BSON_APPEND_DOCUMENT_BEGIN(filter, "_id", &cond);
    BSON_APPEND_ARRAY_BEGIN(&cond, "$in", &in);
    for (size_t i = 0; i < n; i++)
        if (ids[i].value_type == BSON_TYPE_OID || ids[i].value_type == BSON_TYPE_UTF8) {
            snprintf(key, sizeof key, "%d", k++);
            BSON_APPEND_VALUE(&in, key, &ids[i]);
        }
    bson_append_array_end(&cond, &in);
    bson_append_document_end(filter, &cond);
    return k;
}

bool
lp_store_delete_ids(mongoc_collection_t *coll, const bson_value_t *ids, size_t n,
                    size_t per_command)
{
    bson_error_t error;
    bool ok = true;

    if (per_command < 1 || per_command > 500)
        per_command = 500;
    for (size_t from = 0; from < n; from += per_command) {
        bson_t filter = BSON_INITIALIZER;
        size_t k = n - from < per_command ? n - from : per_command;
        if (lp_store_append_ids_in(&filter, ids + from, k) > 0 &&
            !mongoc_collection_delete_many(coll, &filter, NULL, NULL, &error)) {
            lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
            ok = false;
        }
        bson_destroy(&filter);
    }
    return ok;
}

/* True when the _id value a is the id b (ObjectIds and strings only). */
static bool
s_same_id(const bson_value_t *a, const bson_value_t *b)
{
    if (a->value_type != b->value_type)
        return false;
    if (a->value_type == BSON_TYPE_OID)
        return bson_oid_equal(&a->value.v_oid, &b->value.v_oid);
    return a->value_type == BSON_TYPE_UTF8 && a->value.v_utf8.len == b->value.v_utf8.len &&
           memcmp(a->value.v_utf8.str, b->value.v_utf8.str, a->value.v_utf8.len) == 0;
}

/* One query for the ids[from, to) of lp_store_find_ids. */
static bool
s_find_chunk(mongoc_collection_t *coll, const bson_value_t *ids, size_t from, size_t to,
             const bson_t *opts, bson_t **out, lp_error_t *err)
{
    bson_t filter = BSON_INITIALIZER;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    bson_iter_t it;
    bool ok = true;

    if (lp_store_append_ids_in(&filter, ids + from, to - from) > 0) {
        cursor = mongoc_collection_find_with_opts(coll, &filter, opts, NULL);
        while (mongoc_cursor_next(cursor, &doc))
            if (bson_iter_init_find(&it, doc, "_id"))
                for (size_t i = from; i < to; i++)
                    if (!out[i] && s_same_id(bson_iter_value(&it), &ids[i]))
                        out[i] = bson_copy(doc);
        if (mongoc_cursor_error(cursor, &error)) {
            lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
            lp_store_set_error(err, &error, "find by ids");
            ok = false;
        }
        mongoc_cursor_destroy(cursor);
    }
    bson_destroy(&filter);
    return ok;
}

bool
lp_store_find_ids(mongoc_collection_t *coll, const bson_value_t *ids, size_t n,
                  const bson_t *projection, bson_t **out, lp_error_t *err)
{
    bson_t opts = BSON_INITIALIZER;
    bool ok = true;

    lp_error_clear(err);
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    if (projection)
        BSON_APPEND_DOCUMENT(&opts, "projection", projection);
    for (size_t from = 0; from < n && ok; from += LP_STORE_BULK_MAX)
        ok = s_find_chunk(coll, ids, from,
                          from + LP_STORE_BULK_MAX < n ? from + LP_STORE_BULK_MAX : n, &opts, out,
                          err);
    if (!ok)
        for (size_t i = 0; i < n; i++)
            if (out[i]) {
                bson_destroy(out[i]);
                out[i] = NULL;
            }
    bson_destroy(&opts);
    return ok;
}

/* The _id of the first document matching query in sort_field order (copied into
 * id); false when none matches or on error (err filled). */
static bool
s_first(mongoc_collection_t *coll, const bson_t *query, const char *sort_field, bson_value_t *id,
        lp_error_t *err)
{
    bson_t *opts = BCON_NEW("limit", BCON_INT64(1), "projection", "{", "_id", BCON_INT32(1), "}");
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc;
    bson_error_t error;
    bson_iter_t it;
    bool found;

    if (sort_field) {
        bson_t sort;
        BSON_APPEND_DOCUMENT_BEGIN(opts, "sort", &sort);
        BSON_APPEND_INT32(&sort, sort_field, 1);
        bson_append_document_end(opts, &sort);
    }
    cursor = mongoc_collection_find_with_opts(coll, query, opts, NULL);
    found = mongoc_cursor_next(cursor, &doc) && bson_iter_init_find(&it, doc, "_id");
    if (found)
        bson_value_copy(bson_iter_value(&it), id);
    else if (mongoc_cursor_error(cursor, &error))
        lp_store_set_error(err, &error, "look for work");
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    return found;
}

/* query = {<filter's fields>, $or: [{until: {$exists: false}}, {until: {$lt: now}}]}:
 * the filter's fields stay at the top, so a claim by _id is a lookup by _id (the
 * local database fetches by _id only when _id is a top-level field). A filter with
 * its own $or goes into {$and: [filter, {$or: ...}]}. */
static void
s_claim_query(const bson_t *filter, const char *until_path, int64_t now, bson_t *query)
{
    bson_t and_arr, or_doc, or_arr, free_doc, expired_doc, sub;
    bson_iter_t fit;
    bool own_or = bson_iter_init_find(&fit, filter, "$or");
    bson_t *target = query;

    if (own_or) {
        BSON_APPEND_ARRAY_BEGIN(query, "$and", &and_arr);
        BSON_APPEND_DOCUMENT(&and_arr, "0", filter);
        BSON_APPEND_DOCUMENT_BEGIN(&and_arr, "1", &or_doc);
        target = &or_doc;
    }
    else
        bson_concat(query, filter);
    BSON_APPEND_ARRAY_BEGIN(target, "$or", &or_arr);
    BSON_APPEND_DOCUMENT_BEGIN(&or_arr, "0", &free_doc);
    BSON_APPEND_DOCUMENT_BEGIN(&free_doc, until_path, &sub);
    BSON_APPEND_BOOL(&sub, "$exists", false);
    bson_append_document_end(&free_doc, &sub);
    bson_append_document_end(&or_arr, &free_doc);
    BSON_APPEND_DOCUMENT_BEGIN(&or_arr, "1", &expired_doc);
    BSON_APPEND_DOCUMENT_BEGIN(&expired_doc, until_path, &sub);
    BSON_APPEND_INT64(&sub, "$lt", now);
    bson_append_document_end(&expired_doc, &sub);
    bson_append_document_end(&or_arr, &expired_doc);
    bson_append_array_end(target, &or_arr);
    if (own_or) {
        bson_append_document_end(&and_arr, &or_doc);
        bson_append_array_end(query, &and_arr);
    }
}

int
lp_store_claim_ids(mongoc_collection_t *coll, const bson_value_t *ids, size_t n,
                   const bson_t *filter, const char *lease, const char *owner, int64_t lease_ms,
                   const bson_t *also_set, bson_t **out, lp_error_t *err)
{
    int64_t now = lp_now_ms();
    char until_path[96], owner_path[96], token_path[96], token[33];
    unsigned char raw[16];
    bson_t match = BSON_INITIALIZER, query = BSON_INITIALIZER, update = BSON_INITIALIZER;
    bson_t set, reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    int k = 0, claimed = 0;

    lp_error_clear(err);
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    snprintf(until_path, sizeof until_path, "%s.until", lease);
    snprintf(owner_path, sizeof owner_path, "%s.owner", lease);
    snprintf(token_path, sizeof token_path, "%s.token", lease);
    /* A token per claim tells this caller's documents from those another sender of
     * the same owner claimed at the same moment. */
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, sizeof token, raw, sizeof raw);
    if (n > LP_STORE_BULK_MAX)
        n = LP_STORE_BULK_MAX;
    k = lp_store_append_ids_in(&match, ids, n);
    if (filter)
        bson_concat(&match, filter);
    s_claim_query(&match, until_path, now, &query);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, owner_path, owner);
    BSON_APPEND_INT64(&set, until_path, now + lease_ms);
    BSON_APPEND_UTF8(&set, token_path, token);
    if (also_set)
        bson_concat(&set, also_set);
    bson_append_document_end(&update, &set);
    if (k == 0)
        goto done;
    if (!mongoc_collection_update_many(coll, &query, &update, NULL, &reply, &error)) {
        lp_store_set_error(err, &error, "claim");
        claimed = -1;
        goto done;
    }
    if (!bson_iter_init_find(&it, &reply, "modifiedCount") || bson_iter_as_int64(&it) == 0)
        goto done;
    /* Read back what this claim took (the token says which). */
    if (!lp_store_find_ids(coll, ids, n, NULL, out, err)) {
        claimed = -1;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        bson_iter_t t;
        if (out[i] && bson_iter_init(&t, out[i]) && bson_iter_find_descendant(&t, token_path, &t) &&
            BSON_ITER_HOLDS_UTF8(&t) && strcmp(bson_iter_utf8(&t, NULL), token) == 0)
            claimed++;
        else if (out[i]) {
            bson_destroy(out[i]);
            out[i] = NULL;
        }
    }
done:
    bson_destroy(&reply);
    bson_destroy(&update);
    bson_destroy(&query);
    bson_destroy(&match);
    return claimed;
}

bson_t *
lp_store_claim(mongoc_collection_t *coll, const bson_t *filter, const char *lease,
               const char *owner, int64_t lease_ms, const char *sort_field, const bson_t *also_set,
               lp_error_t *err)
{
    int64_t now = lp_now_ms();
    char until_path[96], owner_path[96];
    bson_t query = BSON_INITIALIZER;
    bson_t update = BSON_INITIALIZER, set;
    bson_t *sort = NULL;
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t iter;
    bson_t *claimed = NULL;
    bson_value_t candidate = {.value_type = BSON_TYPE_EOD};
    bson_t by_id = BSON_INITIALIZER;
    const bson_t *claim_query = &query;
    mongoc_find_and_modify_opts_t *opts = mongoc_find_and_modify_opts_new();

    snprintf(until_path, sizeof until_path, "%s.until", lease);
    snprintf(owner_path, sizeof owner_path, "%s.owner", lease);

    s_claim_query(filter, until_path, now, &query);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, owner_path, owner);
    BSON_APPEND_INT64(&set, until_path, now + lease_ms);
    if (also_set)
        bson_concat(&set, also_set);
    bson_append_document_end(&update, &set);
    /* A search looks before claiming: a read runs beside others, a claim is a
     * write, and writes queue one behind the other (on the local database
     * literally). Idle sweepers and senders then cost no writes at all, and the
     * claim names the candidate by _id: on the local database a search that decodes
     * the whole collection happens in the read, and the write is a lookup by _id,
     * instead of every other write waiting behind the search. Someone else may take
     * the candidate between the two: then this call claims nothing, like an empty
     * one. A claim by _id is a lookup already and goes straight to the write. */
    bool has_id = bson_has_field(filter, "_id");
    if (!has_id && !s_first(coll, &query, sort_field, &candidate, err))
        goto done;
    if (!has_id) {
        BSON_APPEND_VALUE(&by_id, "_id", &candidate);
        bson_concat(&by_id, &query);
        claim_query = &by_id;
    }
    mongoc_find_and_modify_opts_set_update(opts, &update);
    mongoc_find_and_modify_opts_set_flags(opts, MONGOC_FIND_AND_MODIFY_RETURN_NEW);
    if (sort_field && has_id) {
        sort = BCON_NEW(sort_field, BCON_INT32(1));
        mongoc_find_and_modify_opts_set_sort(opts, sort);
    }
    if (!mongoc_collection_find_and_modify_with_opts(coll, claim_query, opts, &reply, &error))
        lp_store_set_error(err, &error, "claim");
    else if (bson_iter_init_find(&iter, &reply, "value") && BSON_ITER_HOLDS_DOCUMENT(&iter)) {
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bson_iter_document(&iter, &len, &data);
        claimed = bson_new_from_data(data, len);
    }
done:
    if (candidate.value_type != BSON_TYPE_EOD)
        bson_value_destroy(&candidate);
    bson_destroy(&by_id);
    bson_destroy(&reply);
    bson_destroy(&query);
    bson_destroy(&update);
    if (sort)
        bson_destroy(sort);
    mongoc_find_and_modify_opts_destroy(opts);
    return claimed;
}

/* One command of lp_store_insert_many (n <= LP_STORE_BULK_MAX). */
static bool
s_insert_chunk(mongoc_collection_t *coll, const bson_t **docs, size_t n, lp_store_outcome_t *out)
{
    bson_t *opts = BCON_NEW("ordered", BCON_BOOL(false));
    bson_t reply;
    bson_error_t error;
    bson_iter_t it, errs;
    bool whole = true;

    for (size_t i = 0; i < n; i++)
        out[i] = LP_STORE_INSERTED;
    if (!mongoc_collection_insert_many(coll, docs, n, opts, &reply, &error)) {
        whole = bson_iter_init_find(&it, &reply, "writeErrors") && BSON_ITER_HOLDS_ARRAY(&it) &&
                bson_iter_recurse(&it, &errs);
        if (!whole) { /* the command itself failed: nothing is known written */
            lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
            for (size_t i = 0; i < n; i++)
                out[i] = LP_STORE_FAILED;
        }
        while (whole && bson_iter_next(&errs)) {
            bson_iter_t field;
            int64_t at = -1, code = 0;
            const char *message = "";
            if (!BSON_ITER_HOLDS_DOCUMENT(&errs) || !bson_iter_recurse(&errs, &field))
                continue;
            while (bson_iter_next(&field)) {
                if (strcmp(bson_iter_key(&field), "index") == 0)
                    at = bson_iter_as_int64(&field);
                else if (strcmp(bson_iter_key(&field), "code") == 0)
                    code = bson_iter_as_int64(&field);
                else if (strcmp(bson_iter_key(&field), "errmsg") == 0 &&
                         BSON_ITER_HOLDS_UTF8(&field))
                    message = bson_iter_utf8(&field, NULL);
            }
            if (code != 11000)
                lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", message);
            if (at >= 0 && (size_t) at < n)
                out[at] = code == 11000 ? LP_STORE_DUPLICATE : LP_STORE_FAILED;
        }
    }
    bson_destroy(&reply);
    bson_destroy(opts);
    return whole;
}

bool
lp_store_insert_many(mongoc_collection_t *coll, const bson_t **docs, size_t n,
                     lp_store_outcome_t *out)
{
    bool whole = true;
    for (size_t from = 0; from < n; from += LP_STORE_BULK_MAX) {
        size_t k = n - from < LP_STORE_BULK_MAX ? n - from : LP_STORE_BULK_MAX;
        whole = s_insert_chunk(coll, docs + from, k, out + from) && whole;
    }
    return whole;
}

bool
lp_store_due(mongoc_collection_t *due, const char *id, int64_t at_ms, lp_error_t *err)
{
    bson_t *selector = BCON_NEW("_id", BCON_UTF8(id));
    bson_t *update = BCON_NEW("$set", "{", "at", BCON_INT64(at_ms), "}");
    bson_t *opts = BCON_NEW("upsert", BCON_BOOL(true));
    bson_error_t error;
    /* A duplicate key is a concurrent upsert of the same mark: it is there. */
    bool ok = mongoc_collection_update_one(due, selector, update, opts, NULL, &error) ||
              lp_store_is_duplicate(&error);
    if (!ok)
        lp_store_set_error(err, &error, "mark a message due");
    bson_destroy(opts);
    bson_destroy(update);
    bson_destroy(selector);
    return ok;
}

bool
lp_store_release(mongoc_collection_t *coll, const bson_value_t *id, const char *lease,
                 const char *owner, lp_error_t *err)
{
    char owner_path[96];
    bson_t filter = BSON_INITIALIZER;
    bson_t *update = NULL;
    bson_error_t error;
    bool ok = false;

    snprintf(owner_path, sizeof owner_path, "%s.owner", lease);
    BSON_APPEND_VALUE(&filter, "_id", id);
    BSON_APPEND_UTF8(&filter, owner_path, owner);
    update = BCON_NEW("$unset", "{", lease, BCON_UTF8(""), "}");
    ok = mongoc_collection_update_one(coll, &filter, update, NULL, NULL, &error);
    if (!ok)
        lp_store_set_error(err, &error, "release");
    bson_destroy(update);
    bson_destroy(&filter);
    return ok;
}
