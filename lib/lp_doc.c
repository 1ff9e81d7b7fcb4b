/* lp_doc: typed reads of BSON fields by dotted path. */
#include "lp_doc.h"

#include <stdio.h>

const char *
lp_doc_str(const bson_t *doc, const char *path)
{
    bson_iter_t it;
    if (doc && bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &it) &&
        BSON_ITER_HOLDS_UTF8(&it))
        return bson_iter_utf8(&it, NULL);
    return "";
}

void
lp_doc_copy(const bson_t *doc, const char *path, char *dst, size_t size)
{
    snprintf(dst, size, "%s", lp_doc_str(doc, path));
}

int64_t
lp_doc_int(const bson_t *doc, const char *path)
{
    bson_iter_t it;
    if (doc && bson_iter_init(&it, doc) && bson_iter_find_descendant(&it, path, &it) &&
        BSON_ITER_HOLDS_NUMBER(&it))
        return bson_iter_as_int64(&it);
    return 0;
}

size_t
lp_doc_strings(const bson_t *doc, const char *path, char (*out)[64], size_t max)
{
    bson_iter_t it, arr;
    size_t n = 0;
    if (!doc || !bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &it) ||
        !BSON_ITER_HOLDS_ARRAY(&it) || !bson_iter_recurse(&it, &arr))
        return 0;
    while (n < max && bson_iter_next(&arr))
        if (BSON_ITER_HOLDS_UTF8(&arr))
            snprintf(out[n++], 64, "%s", bson_iter_utf8(&arr, NULL));
    return n;
}

bool
lp_doc_next_doc(bson_iter_t *arr, bson_t *entry)
{
    while (bson_iter_next(arr)) {
        const uint8_t *data = NULL;
        uint32_t len = 0;
        if (!BSON_ITER_HOLDS_DOCUMENT(arr))
            continue;
        bson_iter_document(arr, &len, &data);
        if (bson_init_static(entry, data, len))
            return true;
    }
    return false;
}
