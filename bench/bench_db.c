/* bench_db: raw libmongoc inserts and reading the complaints back. */
#include "bench_db.h"

#include <mongoc/mongoc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "lapor/v1/events.pb-c.h"

#define BENCH_SCRATCH "bench_scratch"

/* The database named in the client's URI ("lapor" when none). */
static const char *
s_dbname(mongoc_client_t *client)
{
    const char *db = mongoc_uri_get_database(mongoc_client_get_uri(client));
    return db && *db ? db : "lapor";
}

size_t
bench_envelope_pack(unsigned long seq, unsigned char *buf, size_t cap)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintDisposed disposed = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    char event_id[32], complaint_id[32], tracking[16];
    size_t len = 0;

    /* The router's ComplaintDisposed: the largest message of a complaint's way. */
    snprintf(event_id, sizeof event_id, "%024lx", seq * 2654435761UL);
    snprintf(complaint_id, sizeof complaint_id, "%024lx", seq);
    snprintf(tracking, sizeof tracking, "%010lu", seq % 10000000000UL);
    disposed.agency_id = "paser-dinkes";
    disposed.deadline_at_ms = (int64_t) bench_real_ms() + 5 * 86400000LL;
    disposed.from = LAPOR__V1__STATUS__STATUS_RECEIVED;
    disposed.rule = "kesehatan:64.01";
    disposed.category = "kesehatan";
    disposed.region = "64.01.01.2009";
    env.event_id = event_id;
    env.occurred_at_ms = (int64_t) bench_real_ms();
    env.complaint_id = complaint_id;
    env.tracking_id = tracking;
    env.producer = "router-lapor-prod-host-01-123456";
    env.seq = seq;
    env.version = 2;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env.disposed = &disposed;
    len = lapor__v1__envelope__get_packed_size(&env);
    if (len > cap)
        return 0;
    return lapor__v1__envelope__pack(&env, buf);
}

/* A document shaped like intake's complaint: text, region, sealed reporter
 * (random bytes of the same size), history, the event with its packed envelope. */
static void
s_complaint_like(bson_t *doc, unsigned long seq)
{
    unsigned char pb[256], sealed[160];
    bson_t child, item, sub;
    bson_oid_t oid;
    char tracking[16], title[64];
    int64_t now = (int64_t) bench_real_ms();
    size_t pblen = bench_envelope_pack(seq, pb, sizeof pb);

    memset(sealed, (int) (seq & 0xff), sizeof sealed);
    bson_oid_init(&oid, NULL);
    snprintf(tracking, sizeof tracking, "%010lu", seq);
    snprintf(title, sizeof title, "raw keluhan pelayanan %lu", seq);
    BSON_APPEND_OID(doc, "_id", &oid);
    BSON_APPEND_UTF8(doc, "tracking_id", tracking);
    BSON_APPEND_UTF8(doc, "type", "pengaduan");
    BSON_APPEND_UTF8(doc, "title", title);
    BSON_APPEND_UTF8(doc, "body",
                     "Pengaduan uji beban: pelayanan di kantor desa tutup pada jam kerja, "
                     "antrean panjang dan petugas tidak ada di tempat.");
    BSON_APPEND_UTF8(doc, "category", "kesehatan");
    BSON_APPEND_DOCUMENT_BEGIN(doc, "region", &child);
    BSON_APPEND_UTF8(&child, "code", "64.01.01.2009");
    BSON_APPEND_UTF8(&child, "name", "Samurangau");
    BSON_APPEND_UTF8(&child, "level", "desa");
    BSON_APPEND_UTF8(&child, "kecamatan", "Batu Sopang");
    BSON_APPEND_UTF8(&child, "kabupaten", "Paser");
    bson_append_document_end(doc, &child);
    BSON_APPEND_UTF8(doc, "channel", "api");
    BSON_APPEND_UTF8(doc, "privacy", "public");
    BSON_APPEND_UTF8(doc, "lang", "id");
    BSON_APPEND_DOCUMENT_BEGIN(doc, "reporter", &child);
    BSON_APPEND_BINARY(&child, "sealed", BSON_SUBTYPE_BINARY, sealed, sizeof sealed);
    BSON_APPEND_DOCUMENT_BEGIN(&child, "lookup", &sub);
    BSON_APPEND_UTF8(&sub, "email",
                     "5f2b8c0e4a1d9e7b3c6f0a2d8e4b1c7f5f2b8c0e4a1d9e7b3c6f0a2d8e4b1c7f");
    bson_append_document_end(&child, &sub);
    bson_append_document_end(doc, &child);
    BSON_APPEND_UTF8(doc, "status", "received");
    BSON_APPEND_INT32(doc, "v", 1);
    BSON_APPEND_INT64(doc, "dispose_by", now + 3 * 86400000LL);
    BSON_APPEND_INT32(doc, "escalation_level", 0);
    BSON_APPEND_ARRAY_BEGIN(doc, "history", &child);
    BSON_APPEND_DOCUMENT_BEGIN(&child, "0", &item);
    BSON_APPEND_INT64(&item, "at", now);
    BSON_APPEND_UTF8(&item, "status", "received");
    BSON_APPEND_UTF8(&item, "actor", "intake");
    bson_append_document_end(&child, &item);
    bson_append_array_end(doc, &child);
    BSON_APPEND_ARRAY_BEGIN(doc, "events", &child);
    BSON_APPEND_DOCUMENT_BEGIN(&child, "0", &item);
    BSON_APPEND_UTF8(&item, "id", "65a1b2c3d4e5f60718293a4b");
    BSON_APPEND_UTF8(&item, "type", "complaint.submitted");
    BSON_APPEND_INT64(&item, "at", now);
    BSON_APPEND_BINARY(&item, "pb", BSON_SUBTYPE_BINARY, pb, (uint32_t) pblen);
    bson_append_document_end(&child, &item);
    bson_append_array_end(doc, &child);
    BSON_APPEND_INT64(doc, "created_at", now);
    BSON_APPEND_INT64(doc, "updated_at", now);
}

double
bench_db_raw_insert(const char *uri, int batch, double seconds)
{
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *docs = NULL;
    const bson_t **ptrs = NULL;
    bson_error_t error;
    unsigned long seq = 0;
    double start = 0, elapsed = 0, rate = -1;
    size_t done_docs = 0;

    client = mongoc_client_new(uri);
    docs = calloc((size_t) batch, sizeof *docs);
    ptrs = calloc((size_t) batch, sizeof *ptrs);
    if (!client || !docs || !ptrs) {
        fprintf(stderr, "bench: cannot make a database client for %s\n", uri);
        goto done;
    }
    mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
    coll = mongoc_client_get_collection(client, s_dbname(client), BENCH_SCRATCH);
    start = bench_mono_ms();
    while (!bench_stop && (elapsed = bench_mono_ms() - start) < seconds * 1e3) {
        bool ok = false;
        for (int i = 0; i < batch; i++) {
            bson_init(&docs[i]);
            s_complaint_like(&docs[i], ++seq);
            ptrs[i] = &docs[i];
        }
        if (batch == 1)
            ok = mongoc_collection_insert_one(coll, &docs[0], NULL, NULL, &error);
        else
            ok = mongoc_collection_insert_many(coll, ptrs, (size_t) batch, NULL, NULL, &error);
        for (int i = 0; i < batch; i++)
            bson_destroy(&docs[i]);
        if (!ok) {
            fprintf(stderr, "bench: raw insert failed: %s\n", error.message);
            goto done;
        }
        done_docs += (size_t) batch;
    }
    elapsed = bench_mono_ms() - start;
    rate = elapsed > 0 ? (double) done_docs * 1e3 / elapsed : 0;
    if (!mongoc_collection_drop(coll, &error))
        fprintf(stderr, "bench: dropping %s: %s\n", BENCH_SCRATCH, error.message);
done:
    free(ptrs);
    free(docs);
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        mongoc_client_destroy(client);
    return rate;
}

static int
s_cmp_doc(const void *a, const void *b)
{
    return strcmp(((const bench_doc_t *) a)->tid, ((const bench_doc_t *) b)->tid);
}

long
bench_db_complaints(const char *uri, bench_doc_t **out)
{
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    mongoc_cursor_t *cursor = NULL;
    bson_t *filter = bson_new(), *opts = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    bench_doc_t *docs = NULL;
    size_t n = 0, cap = 0;
    long rc = -1;

    *out = NULL;
    opts = BCON_NEW("projection", "{", "tracking_id", BCON_INT32(1), "history", BCON_INT32(1),
                    "_id", BCON_INT32(0), "}", "batchSize", BCON_INT32(1000));
    client = mongoc_client_new(uri);
    if (!client) {
        fprintf(stderr, "bench: cannot make a database client for %s\n", uri);
        goto done;
    }
    mongoc_client_set_error_api(client, MONGOC_ERROR_API_VERSION_2);
    coll = mongoc_client_get_collection(client, s_dbname(client), "complaints");
    cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    while (mongoc_cursor_next(cursor, &doc)) {
        bson_iter_t it, hist, entry;
        bench_doc_t d;
        memset(&d, 0, sizeof d);
        if (bson_iter_init_find(&it, doc, "tracking_id") && BSON_ITER_HOLDS_UTF8(&it))
            snprintf(d.tid, sizeof d.tid, "%s", bson_iter_utf8(&it, NULL));
        if (bson_iter_init_find(&it, doc, "history") && BSON_ITER_HOLDS_ARRAY(&it) &&
            bson_iter_recurse(&it, &hist)) {
            while (bson_iter_next(&hist)) {
                const char *status = "";
                double at = 0;
                if (!BSON_ITER_HOLDS_DOCUMENT(&hist) || !bson_iter_recurse(&hist, &entry))
                    continue;
                while (bson_iter_next(&entry)) {
                    if (strcmp(bson_iter_key(&entry), "status") == 0 &&
                        BSON_ITER_HOLDS_UTF8(&entry))
                        status = bson_iter_utf8(&entry, NULL);
                    else if (strcmp(bson_iter_key(&entry), "at") == 0)
                        at = BSON_ITER_HOLDS_DATE_TIME(&entry)
                                 ? (double) bson_iter_date_time(&entry)
                                 : (double) bson_iter_as_int64(&entry);
                }
                if (strcmp(status, "received") == 0 && d.created_ms == 0)
                    d.created_ms = at;
                else if (strcmp(status, "disposed") == 0 && d.disposed_ms == 0)
                    d.disposed_ms = at;
            }
        }
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            bench_doc_t *grown = realloc(docs, ncap * sizeof *grown);
            if (!grown) {
                fprintf(stderr, "bench: out of memory reading complaints\n");
                goto done;
            }
            docs = grown;
            cap = ncap;
        }
        docs[n++] = d;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        fprintf(stderr, "bench: reading complaints: %s\n", error.message);
        goto done;
    }
    if (n > 1)
        qsort(docs, n, sizeof *docs, s_cmp_doc);
    *out = docs;
    docs = NULL;
    rc = (long) n;
done:
    free(docs);
    if (cursor)
        mongoc_cursor_destroy(cursor);
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        mongoc_client_destroy(client);
    bson_destroy(opts);
    bson_destroy(filter);
    return rc;
}

const bench_doc_t *
bench_db_find(const bench_doc_t *docs, size_t n, const char *tid)
{
    bench_doc_t key;
    memset(&key, 0, sizeof key);
    snprintf(key.tid, sizeof key.tid, "%s", tid);
    return n ? bsearch(&key, docs, n, sizeof *docs, s_cmp_doc) : NULL;
}
