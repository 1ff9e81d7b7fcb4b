/* stats_api: GET /api/v1/stats: roll-up counters grouped by one dimension. */
#include <stdio.h>
#include <string.h>

#include "lp_log.h"
#include "lp_route.h"
#include "reporter-private.h"

static const char *const s_dims[] = {"status", "agency",  "region",  "category",
                                     "type",   "channel", "privacy", NULL};
static const char *const s_levels[] = {"kabupaten", "kecamatan", "desa", NULL};

static bool
s_one_of(const char *value, const char *const *allowed)
{
    for (; value && *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

/* Writes a CSV field, quoted when it holds a comma, quote or line break. */
static void
s_csv_field(FILE *out, const char *text)
{
    if (!strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}

static void
s_reply_csv(lp_http_req_t *req, json_t *groups)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    size_t i = 0;
    json_t *g = NULL;

    if (!out) {
        lp_http_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    fputs("key,name,count\r\n", out);
    json_array_foreach (groups, i, g) {
        s_csv_field(out, json_string_value(json_object_get(g, "key")));
        fputc(',', out);
        json_t *name = json_object_get(g, "name");
        s_csv_field(out, json_is_string(name) ? json_string_value(name) : "");
        fprintf(out, ",%lld\r\n", (long long) json_integer_value(json_object_get(g, "count")));
    }
    fclose(out);
    lp_http_reply(req, 200, "text/csv; charset=utf-8", buf, len);
    free(buf);
}

static int
s_group_cmp(const void *a, const void *b)
{
    json_t *x = *(json_t *const *) a, *y = *(json_t *const *) b;
    json_int_t cx = json_integer_value(json_object_get(x, "count"));
    json_int_t cy = json_integer_value(json_object_get(y, "count"));
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(json_string_value(json_object_get(x, "key")),
                  json_string_value(json_object_get(y, "key")));
}

static void
s_stats(reporter_t *self, lp_http_req_t *req)
{
    const char *dim = lp_http_query(req, "group_by");
    const char *level = lp_http_query(req, "level");
    const char *format = lp_http_query(req, "format");
    const char *accept = lp_http_header(req, "Accept");
    int depth = 0;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL;
    mongoc_cursor_t *cursor = NULL;
    const bson_t *doc = NULL;
    bson_error_t error;
    json_t *list = NULL;
    json_t **sorted = NULL;
    json_int_t total = 0;
    size_t n = 0;

    if (!dim)
        dim = "status";
    if (!s_one_of(dim, s_dims)) {
        lp_http_reply_error(req, 400, "group_by",
                            "must be status, agency, region, category, type, channel, privacy, "
                            "escalation or overdue");
        return;
    }
    if (level && !s_one_of(level, s_levels)) {
        lp_http_reply_error(req, 400, "level", "must be kabupaten, kecamatan or desa");
        return;
    }
    if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
        lp_http_reply_error(req, 400, "format", "must be json or csv");
        return;
    }
    if (strcmp(dim, "region") == 0)
        depth = !level || strcmp(level, "kabupaten") == 0 ? 2
                : strcmp(level, "kecamatan") == 0         ? 3
                                                          : 4;

    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_ROLLUPS);
    filter = BCON_NEW("dim", BCON_UTF8(dim));
    cursor = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    list = json_array();
    while (mongoc_cursor_next(cursor, &doc)) {
        bson_iter_t it;
        const char *key = NULL;
        json_int_t count = 0;
        if (bson_iter_init_find(&it, doc, "key") && BSON_ITER_HOLDS_UTF8(&it))
            key = bson_iter_utf8(&it, NULL);
        if (bson_iter_init_find(&it, doc, "count") && BSON_ITER_HOLDS_NUMBER(&it))
            count = bson_iter_as_int64(&it);
        if (!key || count == 0 || (depth && lp_route_region_depth(key) != depth))
            continue;
        json_t *g = json_pack("{s:s,s:I}", "key", key, "count", count);
        if (strcmp(dim, "region") == 0) {
            const lp_region_t *r = lp_refdata_region(self->svc.refdata, key);
            if (r)
                json_object_set_new(g, "name", json_string(r->name));
        }
        else if (strcmp(dim, "agency") == 0) {
            const lp_agency_t *a = lp_refdata_agency(self->svc.refdata, key);
            if (a)
                json_object_set_new(g, "name", json_string(a->name));
        }
        json_array_append_new(list, g);
        total += count;
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "statistics are unavailable right now");
        goto done;
    }
    /* Largest first, so the table and chart read from the top. */
    n = json_array_size(list);
    sorted = calloc(n ? n : 1, sizeof *sorted);
    for (size_t i = 0; sorted && i < n; i++)
        sorted[i] = json_incref(json_array_get(list, i));
    if (sorted)
        qsort(sorted, n, sizeof *sorted, s_group_cmp);
    json_array_clear(list);
    for (size_t i = 0; sorted && i < n; i++)
        json_array_append_new(list, sorted[i]);

    if ((format && strcmp(format, "csv") == 0) || (!format && accept && strstr(accept, "text/csv")))
        s_reply_csv(req, list);
    else {
        json_t *body = json_pack("{s:s,s:I,s:O}", "group_by", dim, "total", total, "groups", list);
        if (depth)
            json_object_set_new(body, "level", json_string(s_levels[depth - 2]));
        lp_http_reply_json(req, 200, body);
    }
done:
    free(sorted);
    json_decref(list);
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}

void
reporter_api_handle(lp_http_req_t *req, void *arg)
{
    reporter_t *self = arg;
    if (strcmp(lp_http_path(req), "/api/v1/stats") == 0) {
        if (strcmp(lp_http_method(req), "GET") == 0)
            s_stats(self, req);
        else {
            lp_http_add_header(req, "Allow", "GET");
            lp_http_reply_error(req, 405, NULL, "use GET");
        }
    }
    else
        lp_http_reply_error(req, 404, NULL, "no such path");
}
