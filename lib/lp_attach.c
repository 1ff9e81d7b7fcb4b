/* lp_attach: attachment files in GridFS, references in complaints, orphan sweeping. */
#include "lp_attach.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"

struct lp_attach_reader_t {
    lp_store_t *store;
    mongoc_client_t *client;
    mongoc_database_t *db;
    mongoc_gridfs_bucket_t *bucket;
    mongoc_stream_t *stream;
};

/* -------------------------------------------------------------------------- */
/* Ids and references                                                          */

void
lp_attach_new_id(char id[LP_ATTACH_ID_LEN + 1])
{
    unsigned char bytes[LP_ATTACH_ID_LEN / 2];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(id, LP_ATTACH_ID_LEN + 1, bytes, sizeof bytes);
}

bool
lp_attach_id_ok(const char *text)
{
    return text && strlen(text) == LP_ATTACH_ID_LEN &&
           strspn(text, "0123456789abcdef") == LP_ATTACH_ID_LEN;
}

void
lp_attach_ref_append(bson_t *array, const char *key, const lp_attach_ref_t *ref)
{
    bson_t item;
    BSON_APPEND_DOCUMENT_BEGIN(array, key, &item);
    BSON_APPEND_UTF8(&item, "id", ref->id);
    BSON_APPEND_UTF8(&item, "type", lp_sniff_name(ref->type));
    BSON_APPEND_INT64(&item, "size", ref->size);
    BSON_APPEND_INT32(&item, "width", ref->width);
    BSON_APPEND_INT32(&item, "height", ref->height);
    BSON_APPEND_OID(&item, "file", &ref->file);
    if (ref->has_thumb)
        BSON_APPEND_OID(&item, "thumb", &ref->thumb);
    BSON_APPEND_BOOL(&item, "personal", ref->personal);
    BSON_APPEND_INT64(&item, "created_at", ref->created_at);
    bson_append_document_end(array, &item);
}

static void
s_ref_read(const bson_t *entry, lp_attach_ref_t *ref)
{
    bson_iter_t it;
    memset(ref, 0, sizeof *ref);
    snprintf(ref->id, sizeof ref->id, "%s", lp_doc_str(entry, "id"));
    ref->type = lp_sniff_from_name(lp_doc_str(entry, "type"));
    ref->size = lp_doc_int(entry, "size");
    ref->width = (int32_t) lp_doc_int(entry, "width");
    ref->height = (int32_t) lp_doc_int(entry, "height");
    if (bson_iter_init_find(&it, entry, "file") && BSON_ITER_HOLDS_OID(&it))
        bson_oid_copy(bson_iter_oid(&it), &ref->file);
    if (bson_iter_init_find(&it, entry, "thumb") && BSON_ITER_HOLDS_OID(&it)) {
        bson_oid_copy(bson_iter_oid(&it), &ref->thumb);
        ref->has_thumb = true;
    }
    ref->personal = bson_iter_init_find(&it, entry, "personal") && BSON_ITER_HOLDS_BOOL(&it) &&
                    bson_iter_bool(&it);
    ref->created_at = lp_doc_int(entry, "created_at");
}

bool
lp_attach_ref_at(const bson_t *complaint, size_t i, lp_attach_ref_t *ref)
{
    bson_iter_t it, arr;
    bson_t entry;
    size_t n = 0;

    if (!bson_iter_init_find(&it, complaint, "attachments") || !BSON_ITER_HOLDS_ARRAY(&it) ||
        !bson_iter_recurse(&it, &arr))
        return false;
    while (lp_doc_next_doc(&arr, &entry))
        if (n++ == i) {
            s_ref_read(&entry, ref);
            return true;
        }
    return false;
}

bool
lp_attach_ref_find(const bson_t *complaint, const char *aid, lp_attach_ref_t *ref)
{
    for (size_t i = 0; lp_attach_ref_at(complaint, i, ref); i++)
        if (strcmp(ref->id, aid) == 0)
            return true;
    return false;
}

int
lp_attach_without_personal(const bson_t *complaint, bson_t *keep)
{
    lp_attach_ref_t ref;
    char key[16];
    int kept = 0, left = 0;

    for (size_t i = 0; lp_attach_ref_at(complaint, i, &ref); i++) {
        if (ref.personal) {
            left++;
            continue;
        }
        snprintf(key, sizeof key, "%d", kept++);
        lp_attach_ref_append(keep, key, &ref);
    }
    return left;
}

int
lp_attach_push(mongoc_collection_t *complaints, const bson_oid_t *oid, const lp_attach_ref_t *ref,
               int max, lp_error_t *err)
{
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, push, guard;
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;
    bson_iter_t it;
    char path[32];
    int rc = -1;

    /* "attachments.<max-1>" exists exactly when the list is full. */
    snprintf(path, sizeof path, "attachments.%d", max > 0 ? max - 1 : 0);
    BSON_APPEND_OID(&filter, "_id", oid);
    BSON_APPEND_DOCUMENT_BEGIN(&filter, path, &guard);
    BSON_APPEND_BOOL(&guard, "$exists", false);
    bson_append_document_end(&filter, &guard);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$push", &push);
    lp_attach_ref_append(&push, "attachments", ref);
    bson_append_document_end(&update, &push);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &push);
    BSON_APPEND_INT64(&push, "updated_at", lp_now_ms());
    bson_append_document_end(&update, &push);
    if (!mongoc_collection_update_one(complaints, &filter, &update, NULL, &reply, &error))
        lp_store_set_error(err, &error, "add an attachment");
    else
        rc = bson_iter_init_find(&it, &reply, "modifiedCount") && bson_iter_as_int64(&it) == 1;
    bson_destroy(&reply);
    bson_destroy(&update);
    bson_destroy(&filter);
    return rc;
}

/* -------------------------------------------------------------------------- */
/* GridFS                                                                      */

static mongoc_gridfs_bucket_t *
s_bucket(lp_store_t *store, mongoc_client_t *client, mongoc_database_t **db, lp_error_t *err)
{
    bson_t *opts = BCON_NEW("bucketName", BCON_UTF8(LP_ATTACH_BUCKET));
    bson_error_t error;
    mongoc_gridfs_bucket_t *bucket = NULL;

    *db = mongoc_client_get_database(client, lp_store_dbname(store));
    bucket = mongoc_gridfs_bucket_new(*db, opts, NULL, &error);
    if (!bucket) {
        lp_store_set_error(err, &error, "open the attachment store");
        mongoc_database_destroy(*db);
        *db = NULL;
    }
    bson_destroy(opts);
    return bucket;
}

/* Copies the file at path into an upload stream; true when every byte went. */
static bool
s_copy(const char *path, mongoc_stream_t *upload)
{
    mongoc_stream_t *source = mongoc_stream_file_new_for_path(path, O_RDONLY, 0);
    char buf[32 * 1024];
    ssize_t n = 0;
    bool ok = source != NULL;

    while (ok && (n = mongoc_stream_read(source, buf, sizeof buf, 1, 0)) > 0)
        ok = mongoc_stream_write(upload, buf, (size_t) n, 0) == n;
    if (n < 0)
        ok = false;
    if (source)
        mongoc_stream_destroy(source);
    return ok;
}

int
lp_attach_put(lp_store_t *store, mongoc_client_t *client, const char *path, const char *aid,
              const char *role, const char *mime, bson_oid_t *file_id, lp_error_t *err)
{
    mongoc_database_t *db = NULL;
    mongoc_gridfs_bucket_t *bucket = s_bucket(store, client, &db, err);
    mongoc_stream_t *upload = NULL;
    bson_t *opts = NULL;
    bson_value_t id = {.value_type = BSON_TYPE_EOD};
    bson_error_t error;
    char name[64];
    int rc = -1;

    if (!bucket)
        return -1;
    opts = BCON_NEW("metadata", "{", "aid", BCON_UTF8(aid), "role", BCON_UTF8(role), "contentType",
                    BCON_UTF8(mime), "}");
    snprintf(name, sizeof name, "%s.%s", aid, role);
    upload = mongoc_gridfs_bucket_open_upload_stream(bucket, name, opts, &id, &error);
    if (!upload) {
        lp_store_set_error(err, &error, "store an attachment");
        goto done;
    }
    /* The driver writes the chunks as they fill and the files document when the
     * stream closes. Its upload_from_stream ignores an error at that last step, so
     * the copy and the close are ours: a failure at any point deletes the chunks
     * written (a files document, if one came to be, is the sweeper's). */
    if (!s_copy(path, upload) || mongoc_stream_close(upload) != 0) {
        if (!mongoc_gridfs_bucket_stream_error(upload, &error))
            bson_set_error(&error, 0, 0, "cannot read the cleaned file back");
        lp_store_set_error(err, &error, "store an attachment");
        mongoc_gridfs_bucket_abort_upload(upload);
        goto done;
    }
    if (id.value_type == BSON_TYPE_OID) {
        bson_oid_copy(&id.value.v_oid, file_id);
        rc = 0;
    }
    else
        lp_error_set(err, LP_ERR_DATABASE, NULL, "the attachment store gave an unexpected id");
done:
    if (upload)
        mongoc_stream_destroy(upload);
    if (id.value_type != BSON_TYPE_EOD)
        bson_value_destroy(&id);
    if (opts)
        bson_destroy(opts);
    mongoc_gridfs_bucket_destroy(bucket);
    mongoc_database_destroy(db);
    return rc;
}

int
lp_attach_delete(lp_store_t *store, mongoc_client_t *client, const char *aid, lp_error_t *err)
{
    mongoc_collection_t *files = NULL, *chunks = NULL;
    mongoc_cursor_t *cursor = NULL;
    bson_t *filter = NULL, *opts = NULL;
    const bson_t *doc = NULL;
    bson_oid_t ids[8];
    bson_error_t error;
    bson_iter_t it;
    char name[64];
    int n = 0, deleted = 0;

    snprintf(name, sizeof name, "%s.files", LP_ATTACH_BUCKET);
    files = lp_store_collection(store, client, name);
    snprintf(name, sizeof name, "%s.chunks", LP_ATTACH_BUCKET);
    chunks = lp_store_collection(store, client, name);
    filter = BCON_NEW("metadata.aid", BCON_UTF8(aid));
    opts = BCON_NEW("projection", "{", "_id", BCON_INT32(1), "}");
    cursor = mongoc_collection_find_with_opts(files, filter, opts, NULL);
    while (n < 8 && mongoc_cursor_next(cursor, &doc))
        if (bson_iter_init_find(&it, doc, "_id") && BSON_ITER_HOLDS_OID(&it))
            bson_oid_copy(bson_iter_oid(&it), &ids[n++]);
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "find an attachment's files");
        deleted = -1;
    }
    /* Chunks first, then the files document: whatever a failure leaves is still
     * found by its metadata.aid and removed by the next try or the sweeper (the
     * driver's delete_by_id has the opposite order, which can strand chunks). */
    for (int i = 0; deleted >= 0 && i < n; i++) {
        bson_t *by_file = BCON_NEW("files_id", BCON_OID(&ids[i]));
        bson_t *by_id = BCON_NEW("_id", BCON_OID(&ids[i]));
        if (!mongoc_collection_delete_many(chunks, by_file, NULL, NULL, &error) ||
            !mongoc_collection_delete_one(files, by_id, NULL, NULL, &error)) {
            lp_store_set_error(err, &error, "delete an attachment's file");
            deleted = -1;
        }
        else
            deleted++;
        bson_destroy(by_id);
        bson_destroy(by_file);
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(chunks);
    mongoc_collection_destroy(files);
    return deleted;
}

/* -------------------------------------------------------------------------- */
/* Reading                                                                     */

lp_attach_reader_t *
lp_attach_reader_new(lp_store_t *store, const bson_oid_t *file_id, lp_error_t *err)
{
    lp_attach_reader_t *self = calloc(1, sizeof *self);
    bson_value_t id = {.value_type = BSON_TYPE_OID};
    bson_error_t error;

    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    self->store = store;
    self->client = lp_store_pop(store);
    self->bucket = s_bucket(store, self->client, &self->db, err);
    if (!self->bucket) {
        lp_attach_reader_destroy(&self);
        return NULL;
    }
    bson_oid_copy(file_id, &id.value.v_oid);
    self->stream = mongoc_gridfs_bucket_open_download_stream(self->bucket, &id, &error);
    if (!self->stream) {
        if (error.code == MONGOC_ERROR_GRIDFS_BUCKET_FILE_NOT_FOUND)
            lp_error_set(err, LP_ERR_NOT_FOUND, NULL, "no such file");
        else
            lp_store_set_error(err, &error, "open an attachment");
        lp_attach_reader_destroy(&self);
        return NULL;
    }
    return self;
}

ssize_t
lp_attach_reader_read(lp_attach_reader_t *self, char *buf, size_t max)
{
    ssize_t n = mongoc_stream_read(self->stream, buf, max, 1, 0);
    bson_error_t error;

    if (n < 0 && mongoc_gridfs_bucket_stream_error(self->stream, &error))
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
    return n;
}

void
lp_attach_reader_destroy(lp_attach_reader_t **self_p)
{
    lp_attach_reader_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->stream)
        mongoc_stream_destroy(self->stream);
    if (self->bucket)
        mongoc_gridfs_bucket_destroy(self->bucket);
    if (self->db)
        mongoc_database_destroy(self->db);
    lp_store_push(self->store, self->client);
    free(self);
    *self_p = NULL;
}

/* -------------------------------------------------------------------------- */
/* Orphans                                                                     */

int
lp_attach_sweep(lp_store_t *store, int64_t grace_ms, int max, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *files = NULL, *complaints = NULL;
    mongoc_cursor_t *cursor = NULL;
    bson_t *filter = NULL, *opts = NULL;
    const bson_t *doc = NULL;
    char(*aids)[LP_ATTACH_ID_LEN + 1] = calloc((size_t) (max > 0 ? max : 1), sizeof *aids);
    bson_error_t error;
    char coll[64];
    int n = 0, removed = 0;

    if (!aids) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        lp_store_push(store, client);
        return -1;
    }
    snprintf(coll, sizeof coll, "%s.files", LP_ATTACH_BUCKET);
    files = lp_store_collection(store, client, coll);
    complaints = lp_store_collection(store, client, LP_COLL_COMPLAINTS);
    filter = BCON_NEW("uploadDate", "{", "$lt", BCON_DATE_TIME(lp_now_ms() - grace_ms), "}");
    opts = BCON_NEW("projection", "{", "metadata.aid", BCON_INT32(1), "}", "limit",
                    BCON_INT64(4 * (max > 0 ? max : 1)));
    cursor = mongoc_collection_find_with_opts(files, filter, opts, NULL);
    while (n < max && mongoc_cursor_next(cursor, &doc)) {
        const char *aid = lp_doc_str(doc, "metadata.aid");
        bool seen = false;
        for (int i = 0; i < n && !seen; i++)
            seen = strcmp(aids[i], aid) == 0;
        if (!seen && *aid)
            snprintf(aids[n++], LP_ATTACH_ID_LEN + 1, "%s", aid);
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "look for orphaned attachments");
        removed = -1;
    }
    for (int i = 0; removed >= 0 && i < n; i++) {
        bson_t *ref = BCON_NEW("attachments.id", BCON_UTF8(aids[i]));
        int64_t count =
            mongoc_collection_count_documents(complaints, ref, NULL, NULL, NULL, &error);
        bson_destroy(ref);
        if (count < 0) {
            lp_store_set_error(err, &error, "look for an attachment's complaint");
            removed = -1;
        }
        else if (count == 0 && lp_attach_delete(store, client, aids[i], err) > 0) {
            lp_log(LP_LOG_INFO, "attachment.orphan_removed", "{s:s}", "attachment", aids[i]);
            removed++;
        }
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(complaints);
    mongoc_collection_destroy(files);
    lp_store_push(store, client);
    free(aids);
    return removed;
}
