/* lp_doc: reading fields of a BSON document by dotted path, with plain defaults,
 * so callers never repeat the iterator dance or trust a field's type. */
#ifndef LP_DOC_H
#define LP_DOC_H

#include <bson/bson.h>
#include <stddef.h>
#include <stdint.h>

/* The string at path ("agency.id"), or "" when absent or not a string. The
 * pointer lives as long as doc. */
const char *lp_doc_str(const bson_t *doc, const char *path);

/* Copies the string at path into dst (size bytes, always terminated). */
void lp_doc_copy(const bson_t *doc, const char *path, char *dst, size_t size);

/* The number at path as an integer, or 0 when absent or not a number. */
int64_t lp_doc_int(const bson_t *doc, const char *path);

/* Copies the strings of the array at path into out (at most max, each cut to 64
 * bytes); other element types are skipped. Returns how many were copied. */
/* Steps arr (an iterator inside an array) to its next sub-document and points entry
 * at it (static: valid while the parent lives). false at the end; other elements
 * are skipped. */
bool lp_doc_next_doc(bson_iter_t *arr, bson_t *entry);

size_t lp_doc_strings(const bson_t *doc, const char *path, char (*out)[64], size_t max);

#endif
