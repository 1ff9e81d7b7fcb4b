/* bench_db: what the benchmark asks the database directly: the raw insert rate of
 * libmongoc against the same database, and the complaints read back after a run. */
#ifndef BENCH_DB_H
#define BENCH_DB_H

#include <stddef.h>

/* One complaint as the benchmark needs it. */
typedef struct {
    char tid[12];
    double created_ms;  /* Unix ms of the `received` history entry */
    double disposed_ms; /* Unix ms of the first `disposed` history entry; 0 when none */
} bench_doc_t;

/* Inserts complaint-like documents (about 1 KiB, with a packed protobuf Envelope)
 * into a scratch collection for `seconds`: one insert_one per document when batch
 * is 1, else insert_many of `batch` documents. Drops the collection afterwards.
 * Returns documents per second, or -1 (printed). */
double bench_db_raw_insert(const char *uri, int batch, double seconds);

/* Every complaint in the database, sorted by tracking ID (caller owns *out; free()).
 * Returns the count, or -1 (printed). */
long bench_db_complaints(const char *uri, bench_doc_t **out);

/* The document of a tracking ID in a sorted array, or NULL. */
const bench_doc_t *bench_db_find(const bench_doc_t *docs, size_t n, const char *tid);

/* A packed lapor Envelope (ComplaintSubmitted) like the services send on the bus;
 * returns its length (at most cap). */
size_t bench_envelope_pack(unsigned long seq, unsigned char *buf, size_t cap);

#endif
