/* lp_attach: complaint attachments: the cleaned files in GridFS and the references
 * to them in the complaint document.
 *
 * Each attachment has a random, unguessable id (128 bits, hex) that names it in
 * URLs; its GridFS files (the cleaned file and, for images, a thumbnail) carry that
 * id in metadata.aid, so a file no complaint refers to can be found and removed
 * (lp_attach_sweep). A complaint refers to a file only after the file is stored,
 * so its list never points at a missing file. Whatever a client sent first is
 * never stored: only what intake re-encoded. */
#ifndef LP_ATTACH_H
#define LP_ATTACH_H

#include <stdbool.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_sniff.h"
#include "lp_store.h"

#define LP_ATTACH_ID_LEN 32         /* hex digits of the random id */
#define LP_ATTACH_BUCKET "lampiran" /* GridFS bucket: lampiran.files, lampiran.chunks */

/* One attachment as the complaint refers to it (complaint.attachments[]). */
typedef struct {
    char id[LP_ATTACH_ID_LEN + 1];
    lp_sniff_type_t type;
    int64_t size;          /* bytes of the cleaned file */
    int32_t width, height; /* pixels of the cleaned image; 0 for a PDF */
    bson_oid_t file;       /* GridFS id of the cleaned file */
    bson_oid_t thumb;      /* GridFS id of the thumbnail, when has_thumb */
    bool has_thumb;
    bool personal; /* the reporter marked it personal: erased with their details */
    int64_t created_at;
} lp_attach_ref_t;


/* Fills keep with the attachments of complaint that are not personal (an array to
 * $set) and returns how many personal ones it left out. */
int lp_attach_without_personal(const bson_t *complaint, bson_t *keep);

/* A new random id. */
void lp_attach_new_id(char id[LP_ATTACH_ID_LEN + 1]);

/* True when text has the form of an id (so a lookup is worth making). */
bool lp_attach_id_ok(const char *text);

/* Appends ref as document `key` of an array being built. */
void lp_attach_ref_append(bson_t *array, const char *key, const lp_attach_ref_t *ref);

/* Reads the reference with id aid out of a complaint document (its attachments
 * array). true when found. */
bool lp_attach_ref_find(const bson_t *complaint, const char *aid, lp_attach_ref_t *ref);

/* Reads reference i (0-based) of a complaint document. false past the end. */
bool lp_attach_ref_at(const bson_t *complaint, size_t i, lp_attach_ref_t *ref);

/* Stores the file at path in GridFS as role ("file" or "thumb") of attachment aid.
 * Returns 0 with *file_id, or -1 with err (LP_ERR_DATABASE; nothing is left behind). */
int lp_attach_put(lp_store_t *store, mongoc_client_t *client, const char *path, const char *aid,
                  const char *role, const char *mime, bson_oid_t *file_id, lp_error_t *err);

/* Deletes every GridFS file of attachment aid (file and thumbnail). Returns the
 * number deleted, or -1 with err. */
int lp_attach_delete(lp_store_t *store, mongoc_client_t *client, const char *aid, lp_error_t *err);

/* Adds ref to the complaint oid unless it already has max attachments; the count
 * is checked in the same single-document write, so concurrent uploads cannot pass
 * the limit together. Returns 1 added, 0 full (or no such complaint), -1 on error. */
int lp_attach_push(mongoc_collection_t *complaints, const bson_oid_t *oid,
                   const lp_attach_ref_t *ref, int max, lp_error_t *err);

/* A download in progress: the GridFS stream and what it needs kept open. */
typedef struct lp_attach_reader_t lp_attach_reader_t;

/* Opens GridFS file file_id for reading with a client of its own from store.
 * NULL with err when it cannot (LP_ERR_NOT_FOUND or LP_ERR_DATABASE). */
lp_attach_reader_t *lp_attach_reader_new(lp_store_t *store, const bson_oid_t *file_id,
                                         lp_error_t *err);

/* Reads up to max bytes; returns the count, 0 at the end, -1 on error. */
ssize_t lp_attach_reader_read(lp_attach_reader_t *self, char *buf, size_t max);

/* Closes the stream and gives the client back. Accepts NULL. */
void lp_attach_reader_destroy(lp_attach_reader_t **self_p);

/* Removes GridFS files that were uploaded more than grace_ms ago and that no
 * complaint refers to: left by an upload whose complaint write failed, or by an
 * erasure. At most max files a call. Returns the number removed, or -1. */
int lp_attach_sweep(lp_store_t *store, int64_t grace_ms, int max, lp_error_t *err);

#endif
