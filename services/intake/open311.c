/* open311: the Open311 GeoReport v2 channel: services, service definitions,
 * service requests (POST with an API key of role open311, GET by id or filters)
 * and tokens, in JSON or XML, under /open311/v2/.
 *
 * The parameters are checked by open311_parse (pure); this file does the I/O. We
 * answer a POST synchronously with the tracking ID, so a token is a tracking ID:
 * tokens/{tracking id}.json answers that request's id, or 404. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"
#include "desk.h"
#include "intake-private.h"
#include "lp_apikey.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_markup.h"
#include "open311_catalog.h"
#include "open311_parse.h"
#include "region_match.h"
#include "urlform.h"
#include "view.h"

#define OPEN311_PREFIX "/open311/v2/"
#define OPEN311_MAX_RESULTS 1000
#define OPEN311_KEYWORDS 8

typedef enum { FMT_JSON, FMT_XML } s_format_t;

static const char *const s_roles[] = {"open311", NULL};

/* ---------------------------------------------------------------------------- */
/* Answers in JSON or XML                                                         */

/* <name>value</name>; the elements of an array are named by the singular of name
 * ("attributes" holds "attribute"s), unless item says otherwise. */
static void
s_xml_value(FILE *out, const char *name, const char *item, json_t *v)
{
    const char *key = NULL;
    json_t *child = NULL;
    size_t i = 0;
    char singular[64];

    if (json_is_null(v)) {
        fprintf(out, "<%s/>", name);
        return;
    }
    fprintf(out, "<%s>", name);
    if (json_is_object(v))
        json_object_foreach (v, key, child)
            s_xml_value(out, key, NULL, child);
    else if (json_is_array(v)) {
        size_t len = strlen(name);
        snprintf(singular, sizeof singular, "%.*s",
                 (int) (len > 1 && name[len - 1] == 's' ? len - 1 : len), name);
        json_array_foreach (v, i, child)
            s_xml_value(out, item ? item : singular, NULL, child);
    }
    else if (json_is_string(v))
        lp_markup_escape(out, json_string_value(v));
    else if (json_is_integer(v))
        fprintf(out, "%lld", (long long) json_integer_value(v));
    else if (json_is_real(v))
        fprintf(out, "%.7f", json_real_value(v));
    else
        fputs(json_is_true(v) ? "true" : "false", out);
    fprintf(out, "</%s>", name);
}

/* Answers body (owned) as JSON, or as XML under root with items named item. */
static void
s_reply(lp_http_req_t *req, unsigned status, s_format_t fmt, const char *root, const char *item,
        json_t *body)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = NULL;

    if (fmt == FMT_JSON) {
        lp_http_reply_json(req, status, body);
        return;
    }
    out = open_memstream(&text, &len);
    if (!out) {
        json_decref(body);
        lp_http_reply(req, 500, "text/plain; charset=utf-8", "out of memory", 13);
        return;
    }
    fputs("<?xml version=\"1.0\" encoding=\"utf-8\"?>", out);
    s_xml_value(out, root, item, body);
    fclose(out);
    lp_http_reply(req, status, "application/xml; charset=utf-8", text, len);
    free(text);
    json_decref(body);
}

/* GeoReport v2 errors: [{"code": status, "description": "<parameter>: <why>"}]. */
static void
s_error(lp_http_req_t *req, unsigned status, s_format_t fmt, const char *field, const char *message)
{
    char description[400];
    snprintf(description, sizeof description, "%s%s%s", field && *field ? field : "",
             field && *field ? ": " : "", message);
    s_reply(req, status, fmt, "errors", "error",
            json_pack("[{s:i,s:s}]", "code", (int) status, "description", description));
}

static void
s_busy(intake_t *self, lp_http_req_t *req, s_format_t fmt, const bson_error_t *error)
{
    lp_metric_inc(self->db_errors);
    if (error)
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error->message);
    lp_http_add_header(req, "Retry-After", "5");
    s_error(req, 503, fmt, NULL, "the service is busy, please try again shortly");
}

static json_t *
s_time(int64_t ms)
{
    char text[32];
    time_t secs = (time_t) (ms / 1000);
    struct tm tm;
    if (ms <= 0 || !gmtime_r(&secs, &tm))
        return json_null();
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(text);
}

static json_t *
s_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* Runs fn(doc, arg) for each document found; 0, or -1 on a database error (error
 * filled). */
static int
s_find(intake_t *self, const char *coll_name, const bson_t *filter, const bson_t *opts,
       void (*fn)(const bson_t *doc, void *arg), void *arg, bson_error_t *error)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, coll_name);
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc = NULL;
    int rc = 0;

    while (mongoc_cursor_next(cursor, &doc))
        fn(doc, arg);
    if (mongoc_cursor_error(cursor, error))
        rc = -1;
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}

/* ---------------------------------------------------------------------------- */
/* Services                                                                       */

static void
s_add_keyword(const bson_t *doc, void *arg)
{
    json_t *by_category = arg;
    const char *category = lp_doc_str(doc, "category");
    json_t *list = json_object_get(by_category, category);
    if (!*category)
        return;
    if (!list) {
        list = json_array();
        json_object_set_new(by_category, category, list);
    }
    if (json_array_size(list) < OPEN311_KEYWORDS)
        json_array_append_new(list, json_string(lp_doc_str(doc, "phrase")));
}

static void
s_add_category(const bson_t *doc, void *arg)
{
    json_t *list = arg;
    json_array_append_new(list, json_pack("{s:s,s:s,s:s}", "id", lp_doc_str(doc, "_id"), "name",
                                          lp_doc_str(doc, "name_id"), "name_en",
                                          lp_doc_str(doc, "name_en")));
}

/* The categories, [{id, name, name_en}] sorted by id; NULL on a database error. */
static json_t *
s_categories(intake_t *self, bson_error_t *error)
{
    json_t *list = json_array();
    bson_t filter = BSON_INITIALIZER;
    bson_t *opts = BCON_NEW("sort", "{", "_id", BCON_INT32(1), "}");
    if (s_find(self, LP_COLL_CATEGORIES, &filter, opts, s_add_category, list, error) != 0) {
        json_decref(list);
        list = NULL;
    }
    bson_destroy(opts);
    bson_destroy(&filter);
    return list;
}

static void
s_services(intake_t *self, lp_http_req_t *req, s_format_t fmt)
{
    json_t *categories = NULL, *keywords = json_object(), *out = json_array(), *c = NULL;
    bson_t filter = BSON_INITIALIZER;
    bson_t *opts = BCON_NEW("sort", "{", "weight", BCON_INT32(-1), "}");
    bson_error_t error;
    size_t i = 0;

    if (!(categories = s_categories(self, &error)) ||
        s_find(self, LP_COLL_KEYWORDS, &filter, opts, s_add_keyword, keywords, &error) != 0) {
        s_busy(self, req, fmt, &error);
        goto done;
    }
    json_array_foreach (categories, i, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const intake_open311_attribute_t *defs[INTAKE_OPEN311_MAX_ATTRIBUTES];
        json_t *words = json_object_get(keywords, id);
        char joined[600] = "", description[300];
        size_t k = 0, used = 0;
        json_t *w = NULL;
        json_array_foreach (words, k, w) {
            int n = snprintf(joined + used, sizeof joined - used, "%s%s", used ? ", " : "",
                             json_string_value(w));
            if (n < 0 || (size_t) n >= sizeof joined - used) {
                joined[used] = '\0';
                break;
            }
            used += (size_t) n;
        }
        snprintf(description, sizeof description,
                 "Pengaduan, aspirasi atau permintaan informasi: %s (%s)",
                 json_string_value(json_object_get(c, "name")),
                 json_string_value(json_object_get(c, "name_en")));
        json_array_append_new(
            out,
            json_pack("{s:s,s:O,s:s,s:b,s:s,s:s,s:s}", "service_code", id, "service_name",
                      json_object_get(c, "name"), "description", description, "metadata",
                      intake_open311_attributes(id, defs, INTAKE_OPEN311_MAX_ATTRIBUTES) > 0,
                      "type", "realtime", "keywords", joined, "group", intake_open311_group(id)));
    }
    s_reply(req, 200, fmt, "services", "service", out);
    out = NULL;
done:
    json_decref(out);
    json_decref(categories);
    json_decref(keywords);
    bson_destroy(opts);
    bson_destroy(&filter);
}

static void
s_service_definition(intake_t *self, lp_http_req_t *req, s_format_t fmt, const char *code)
{
    const intake_open311_attribute_t *defs[INTAKE_OPEN311_MAX_ATTRIBUTES];
    size_t n = 0;
    json_t *attributes = NULL;

    if (!lp_refdata_has_category(self->svc.refdata, code)) {
        s_error(req, 404, fmt, "service_code", "is not a known service");
        return;
    }
    n = intake_open311_attributes(code, defs, INTAKE_OPEN311_MAX_ATTRIBUTES);
    attributes = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *a = json_pack("{s:b,s:s,s:s,s:b,s:o,s:i,s:s}", "variable", 1, "code", defs[i]->code,
                              "datatype", defs[i]->datatype, "required", defs[i]->required,
                              "datatype_description", s_str_or_null(defs[i]->datatype_description),
                              "order", (int) i + 1, "description", defs[i]->description);
        if (defs[i]->values) {
            json_t *values = json_array();
            for (const intake_open311_value_t *v = defs[i]->values; v->key; v++)
                json_array_append_new(values,
                                      json_pack("{s:s,s:s}", "key", v->key, "name", v->name));
            json_object_set_new(a, "values", values);
        }
        json_array_append_new(attributes, a);
    }
    s_reply(req, 200, fmt, "service_definition", NULL,
            json_pack("{s:s,s:o}", "service_code", code, "attributes", attributes));
}

/* ---------------------------------------------------------------------------- */
/* Reading requests                                                               */

static const char *
s_notice(const char *status)
{
    static const char *const notices[][2] = {
        {"received", "Diterima; menunggu verifikasi dan disposisi"},
        {"verified", "Diverifikasi; menunggu disposisi"},
        {"disposed", "Diteruskan ke instansi yang berwenang"},
        {"in_progress", "Sedang ditindaklanjuti oleh instansi"},
        {"resolved", "Selesai ditindaklanjuti; menunggu tanggapan pelapor"},
        {"closed", "Ditutup"},
        {"postponed", "Ditunda: menunggu keterangan tambahan dari pelapor"},
        {"archived", "Diarsipkan; tidak ditindaklanjuti"},
        {"reopened", "Dibuka kembali"}};
    for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(notices[i][0], status) == 0)
            return notices[i][1];
    return NULL;
}

/* The last note of the history, or "". */
static const char *
s_last_note(const bson_t *doc)
{
    bson_iter_t it, arr;
    const char *note = "";
    if (bson_iter_init_find(&it, doc, "history") && BSON_ITER_HOLDS_ARRAY(&it) &&
        bson_iter_recurse(&it, &arr))
        while (bson_iter_next(&arr)) {
            bson_iter_t field;
            if (BSON_ITER_HOLDS_DOCUMENT(&arr) && bson_iter_recurse(&arr, &field) &&
                bson_iter_find(&field, "note") && BSON_ITER_HOLDS_UTF8(&field))
                note = bson_iter_utf8(&field, NULL);
        }
    return note;
}

typedef struct {
    json_t *names; /* category id -> name */
    json_t *items;
    char base[200]; /* scheme and host of intake, for media_url */
} s_list_t;

/* One request as Open311 shows it. The reporter is never shown (Open311 has no
 * field for it, and the projection never reads it); a confidential complaint
 * shows no description, and only a public one shows its exact coordinates,
 * which could point at a home. */
static void
s_add_request(const bson_t *doc, void *arg)
{
    s_list_t *list = arg;
    const char *status = lp_doc_str(doc, "status");
    const char *privacy = lp_doc_str(doc, "privacy");
    const char *category = lp_doc_str(doc, "category");
    static const char *const levels[] = {"region.desa", "region.kecamatan", "region.kabupaten",
                                         "region.provinsi"};
    char address[400] = "";
    size_t used = 0;
    bson_iter_t it, coords;
    json_t *item = NULL;
    int64_t expected = lp_doc_int(doc, "deadline_at");

    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        const char *name = lp_doc_str(doc, levels[i]);
        if (*name && used < sizeof address) {
            int n = snprintf(address + used, sizeof address - used, "%s%s", used ? ", " : "", name);
            used += n > 0 ? (size_t) n : 0;
        }
    }
    if (!expected && strcmp(status, "received") == 0)
        expected = lp_doc_int(doc, "dispose_by");
    item = json_pack(
        "{s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "service_request_id",
        s_str_or_null(lp_doc_str(doc, "tracking_id")), "status", intake_open311_status(status),
        "status_notes", s_str_or_null(s_last_note(doc)), "service_name",
        json_object_get(list->names, category) ? json_incref(json_object_get(list->names, category))
                                               : json_null(),
        "service_code", s_str_or_null(category), "agency_responsible",
        s_str_or_null(lp_doc_str(doc, "agency.name")), "service_notice",
        s_str_or_null(s_notice(status)), "requested_datetime",
        s_time(lp_doc_int(doc, "created_at")), "updated_datetime",
        s_time(lp_doc_int(doc, "updated_at")), "expected_datetime", s_time(expected), "address",
        s_str_or_null(address), "address_id", s_str_or_null(lp_doc_str(doc, "region.code")),
        "zipcode", json_null(), "lapor_status", s_str_or_null(status));
    if (!item)
        return;
    if (strcmp(privacy, "confidential") != 0)
        json_object_set_new(item, "description", s_str_or_null(lp_doc_str(doc, "body")));
    /* media_url: the first file the public may see (a public complaint's, not
     * marked personal), as an absolute URL. */
    {
        json_t *files = intake_view_attachments(doc, false);
        json_t *first = json_array_get(files, 0);
        char url[400];
        if (first) {
            snprintf(url, sizeof url, "%s%s", list->base,
                     json_string_value(json_object_get(first, "url")));
            json_object_set_new(item, "media_url", json_string(url));
        }
        else
            json_object_set_new(item, "media_url", json_null());
        json_decref(files);
    }
    if (strcmp(privacy, "public") == 0 && bson_iter_init(&it, doc) &&
        bson_iter_find_descendant(&it, "location.coordinates", &it) && BSON_ITER_HOLDS_ARRAY(&it) &&
        bson_iter_recurse(&it, &coords)) {
        double lonlat[2] = {0, 0};
        int n = 0;
        while (n < 2 && bson_iter_next(&coords) && BSON_ITER_HOLDS_NUMBER(&coords))
            lonlat[n++] = bson_iter_as_double(&coords);
        if (n == 2) {
            json_object_set_new(item, "lat", json_real(lonlat[1]));
            json_object_set_new(item, "long", json_real(lonlat[0]));
        }
    }
    json_array_append_new(list->items, item);
}

/* Answers the requests filter finds (404 when none and not_found is given). */
static void
s_answer_requests(intake_t *self, lp_http_req_t *req, s_format_t fmt, const bson_t *filter,
                  const char *not_found)
{
    /* Never read what Open311 must not show. */
    bson_t *opts = BCON_NEW("sort", "{", "created_at", BCON_INT32(-1), "}", "limit",
                            BCON_INT64(OPEN311_MAX_RESULTS), "projection", "{", "reporter",
                            BCON_INT32(0), "events", BCON_INT32(0), "todo", BCON_INT32(0), "lease",
                            BCON_INT32(0), "duplicates", BCON_INT32(0), "title", BCON_INT32(0),
                            "request_hash", BCON_INT32(0), "}");
    s_list_t list = {json_object(), json_array(), ""};
    json_t *categories = NULL, *c = NULL;
    const char *host = lp_http_header(req, "Host");
    bson_error_t error;
    size_t i = 0;

    if (self->config->public_url && *self->config->public_url)
        snprintf(list.base, sizeof list.base, "%s", self->config->public_url);
    else if (host && strlen(host) < 100 &&
             strspn(host, "abcdefghijklmnopqrstuvwxyz"
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == strlen(host))
        snprintf(list.base, sizeof list.base, "http://%s", host);
    if (!(categories = s_categories(self, &error))) {
        s_busy(self, req, fmt, &error);
        goto done;
    }
    json_array_foreach (categories, i, c)
        json_object_set(list.names, json_string_value(json_object_get(c, "id")),
                        json_object_get(c, "name"));
    if (s_find(self, LP_COLL_COMPLAINTS, filter, opts, s_add_request, &list, &error) != 0) {
        s_busy(self, req, fmt, &error);
        goto done;
    }
    if (not_found && json_array_size(list.items) == 0)
        s_error(req, 404, fmt, "service_request_id", not_found);
    else {
        s_reply(req, 200, fmt, "service_requests", "request", list.items);
        list.items = NULL;
    }
done:
    json_decref(categories);
    json_decref(list.names);
    json_decref(list.items);
    bson_destroy(opts);
}

static void
s_get_requests(intake_t *self, lp_http_req_t *req, s_format_t fmt)
{
    static const char *const closed[] = {"resolved", "closed", "archived"};
    intake_open311_query_t q;
    lp_error_t err;
    bson_t filter = BSON_INITIALIZER, child, list;
    char idx[24];

    lp_error_clear(&err);
    if (intake_open311_parse_query(lp_http_query(req, "service_request_id"),
                                   lp_http_query(req, "service_code"),
                                   lp_http_query(req, "start_date"), lp_http_query(req, "end_date"),
                                   lp_http_query(req, "status"), lp_now_ms(), &q, &err) != 0) {
        s_error(req, 400, fmt, err.field, err.message);
        goto done;
    }
    if (q.service_code && !lp_refdata_has_category(self->svc.refdata, q.service_code)) {
        s_error(req, 400, fmt, "service_code", "is not a known service (see services.json)");
        goto done;
    }
    if (q.n_ids > 0) {
        BSON_APPEND_DOCUMENT_BEGIN(&filter, "tracking_id", &child);
        BSON_APPEND_ARRAY_BEGIN(&child, "$in", &list);
        for (size_t i = 0; i < q.n_ids; i++) {
            snprintf(idx, sizeof idx, "%zu", i);
            BSON_APPEND_UTF8(&list, idx, q.ids[i]);
        }
        bson_append_array_end(&child, &list);
        bson_append_document_end(&filter, &child);
    }
    else {
        BSON_APPEND_DOCUMENT_BEGIN(&filter, "created_at", &child);
        BSON_APPEND_INT64(&child, "$gte", q.start_ms);
        BSON_APPEND_INT64(&child, "$lte", q.end_ms);
        bson_append_document_end(&filter, &child);
        if (q.service_code)
            BSON_APPEND_UTF8(&filter, "category", q.service_code);
        if (q.open != q.closed) {
            BSON_APPEND_DOCUMENT_BEGIN(&filter, "status", &child);
            BSON_APPEND_ARRAY_BEGIN(&child, q.closed ? "$in" : "$nin", &list);
            for (size_t i = 0; i < 3; i++) {
                snprintf(idx, sizeof idx, "%zu", i);
                BSON_APPEND_UTF8(&list, idx, closed[i]);
            }
            bson_append_array_end(&child, &list);
            bson_append_document_end(&filter, &child);
        }
    }
    s_answer_requests(self, req, fmt, &filter, NULL);
done:
    bson_destroy(&filter);
}

static void
s_get_request(intake_t *self, lp_http_req_t *req, s_format_t fmt, const char *raw)
{
    char id[LP_TRACKING_LEN + 1];
    bson_t *filter = NULL;
    if (lp_tracking_normalize(raw, id) != 0) {
        s_error(req, 404, fmt, "service_request_id", "no request has this id");
        return;
    }
    filter = BCON_NEW("tracking_id", BCON_UTF8(id));
    s_answer_requests(self, req, fmt, filter, "no request has this id");
    bson_destroy(filter);
}

static void
s_get_token(intake_t *self, lp_http_req_t *req, s_format_t fmt, const char *raw)
{
    char id[LP_TRACKING_LEN + 1];
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    lp_error_t err;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;

    if (lp_tracking_normalize(raw, id) != 0) {
        s_error(req, 404, fmt, "token", "no request has this token");
        return;
    }
    lp_error_clear(&err);
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    filter = BCON_NEW("tracking_id", BCON_UTF8(id));
    projection = BCON_NEW("tracking_id", BCON_INT32(1));
    doc = lp_store_find_one(coll, filter, projection, &err);
    if (doc)
        s_reply(req, 200, fmt, "service_requests", "request",
                json_pack("[{s:s,s:s}]", "token", id, "service_request_id", id));
    else if (err.code != LP_ERR_NONE)
        s_busy(self, req, fmt, NULL);
    else
        s_error(req, 404, fmt, "token", "no request has this token");
    bson_destroy(doc);
    bson_destroy(projection);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}

/* ---------------------------------------------------------------------------- */
/* Posting a request                                                              */

static int
s_region_by_address(void *arg, const char *address, char *code, size_t size)
{
    const lp_refdata_t *refdata = arg;
    size_t n = 0;
    const lp_region_t *regions = lp_refdata_regions(refdata, &n);
    return intake_region_match(regions, n, address, code, size);
}

/* The province: the one region without a parent. */
static const char *
s_province(const lp_refdata_t *refdata)
{
    size_t n = 0;
    const lp_region_t *regions = lp_refdata_regions(refdata, &n);
    for (size_t i = 0; i < n; i++)
        if (!regions[i].parent[0])
            return regions[i].code;
    return "";
}

static void
s_post_request(intake_t *self, lp_http_req_t *req, s_format_t fmt)
{
    size_t len = 0;
    const char *body = lp_http_body(req, &len);
    const char *ctype = lp_http_header(req, "Content-Type");
    const lp_refdata_t *refdata = self->svc.refdata; /* one set for the whole request */
    intake_open311_lookup_t lookup = {.check = self->lookup,
                                      .region_by_address = s_region_by_address,
                                      .arg = (void *) refdata,
                                      .fallback_region = s_province(refdata)};
    intake_submit_opts_t opts = {.channel = LAPOR__V1__CHANNEL__CHANNEL_OPEN311};
    intake_urlform_t *decoded = NULL;
    const intake_urlform_t *form = NULL;
    intake_upload_t *up = intake_attach_upload(req);
    intake_attachments_t files = {.n = 0};
    bson_t refs = BSON_INITIALIZER;
    unsigned refused = 400;
    intake_complaint_t c;
    intake_receipt_t receipt;
    const char *key = NULL;
    char authorization[160], owner[128] = "", notice[200];
    lp_error_t err;
    int auth = 0;

    memset(&c, 0, sizeof c);
    lp_error_clear(&err);
    if (!up && ctype && strncmp(ctype, "application/x-www-form-urlencoded", 33) != 0) {
        s_error(req, 400, fmt, "Content-Type",
                "send the request as application/x-www-form-urlencoded or multipart/form-data");
        goto done;
    }
    /* multipart/form-data carries the `media` file; its fields are the same. */
    form = up ? intake_upload_finish(up, &err) : (decoded = intake_urlform_decode(body, len, &err));
    if (!form) {
        s_error(req, 400, fmt, err.field, err.message);
        goto done;
    }
    /* The key first: without one, nothing else is looked at. */
    key = intake_urlform_get(form, "api_key");
    if (key && strlen(key) <= LP_APIKEY_LEN) {
        snprintf(authorization, sizeof authorization, "Bearer %s", key);
        auth = lp_apikey_check(self->svc.store, authorization, s_roles, owner, sizeof owner, &err);
    }
    if (auth < 0) {
        s_busy(self, req, fmt, NULL);
        goto done;
    }
    if (auth == 0) {
        lp_log(LP_LOG_WARN, "open311.unauthorized", "{s:s}", "ip", lp_http_client_ip(req));
        s_error(req, 403, fmt, "api_key", key ? "is not a valid Open311 API key" : "is required");
        goto done;
    }
    if (intake_open311_parse_form(form, &lookup, &c, &err) != 0) {
        lp_metric_inc(self->rejected);
        /* Log the parameter and the reason, never the submitted text. */
        lp_log(LP_LOG_INFO, "complaint.rejected", "{s:s,s:s,s:s,s:s}", "channel", "open311",
               "client", owner, "field", err.field, "message", err.message);
        s_error(req, err.code == LP_ERR_SYSTEM ? 500 : 400, fmt, err.field, err.message);
        goto done;
    }
    for (size_t i = 0; up && i < intake_upload_count(up); i++)
        if (strcmp(intake_upload_file(up, i)->field, "media") != 0) {
            s_error(req, 400, fmt, intake_upload_file(up, i)->field,
                    "is not a known parameter (send files as media)");
            goto done;
        }
    if (up && intake_attach_store(self, up, false, &files, &refused, &err) != 0) {
        if (refused == 503)
            lp_http_add_header(req, "Retry-After", "5");
        s_error(req, refused, fmt, err.field, err.message);
        goto done;
    }
    if (files.n > 0) {
        intake_attach_append(&files, &refs);
        opts.attachments = &refs;
    }
    if (intake_submit(self, &c, &opts, &receipt, &err) != 0) {
        lp_log(LP_LOG_WARN, "complaint.not_stored", "{s:s}", "message", err.message);
        s_busy(self, req, fmt, NULL);
        goto done;
    }
    lp_log(LP_LOG_INFO, "open311.request", "{s:s,s:s,s:b}", "tracking_id", receipt.tracking_id,
           "client", owner, "duplicate", receipt.duplicate);
    if (receipt.duplicate && files.n > 0) {
        /* The files join the first complaint, within its limit. */
        mongoc_client_t *client = lp_store_pop(self->svc.store);
        mongoc_collection_t *coll =
            lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
        intake_case_t first;
        if (intake_case_load(coll, receipt.tracking_id, &first) > 0)
            intake_attach_push(self, &first.oid, &files, &err);
        mongoc_collection_destroy(coll);
        lp_store_push(self->svc.store, client);
    }
    if (!receipt.replayed)
        files.n = 0; /* the complaint refers to them now */
    if (receipt.duplicate)
        snprintf(notice, sizeof notice,
                 "Pengaduan yang hampir sama dari pelapor yang sama sudah ada; laporan ini "
                 "digabungkan ke %s",
                 receipt.tracking_id);
    else
        snprintf(notice, sizeof notice,
                 "Diterima; diverifikasi dan diteruskan ke instansi berwenang dalam %ld hari "
                 "kerja",
                 self->config->dispose_days);
    s_reply(req, receipt.duplicate ? 200 : 201, fmt, "service_requests", "request",
            json_pack("[{s:s,s:s,s:n}]", "service_request_id", receipt.tracking_id,
                      "service_notice", notice, "account_id"));
done:
    intake_attach_discard(self, &files); /* stored but never referred to */
    bson_destroy(&refs);
    intake_complaint_clear(&c);
    intake_urlform_destroy(&decoded);
}

/* ---------------------------------------------------------------------------- */
/* Routes                                                                         */

static bool
s_method(lp_http_req_t *req, s_format_t fmt, const char *allowed)
{
    const char *method = lp_http_method(req);
    size_t len = strlen(method);
    for (const char *p = allowed; *p; p += strspn(p, ", ")) {
        size_t n = strcspn(p, ", ");
        if (n == len && strncmp(p, method, n) == 0)
            return true;
        p += n;
    }
    lp_http_add_header(req, "Allow", allowed);
    s_error(req, 405, fmt, NULL, "this method is not allowed here");
    return false;
}

void
intake_open311_handle(intake_t *self, lp_http_req_t *req)
{
    const char *rest = lp_http_path(req) + strlen(OPEN311_PREFIX);
    const char *dot = strrchr(rest, '.');
    char base[128];
    s_format_t fmt = FMT_JSON;
    const char *sub = NULL;

    if (dot && strcmp(dot, ".xml") == 0)
        fmt = FMT_XML;
    if (!dot || (strcmp(dot, ".json") != 0 && strcmp(dot, ".xml") != 0) ||
        (size_t) (dot - rest) >= sizeof base) {
        s_error(req, 404, fmt, NULL, "no such path (ask for .json or .xml)");
        return;
    }
    snprintf(base, sizeof base, "%.*s", (int) (dot - rest), rest);
    if ((sub = strchr(base, '/')) && strchr(sub + 1, '/'))
        sub = NULL, base[0] = '\0'; /* deeper paths are nothing */
    if (strcmp(base, "services") == 0) {
        if (s_method(req, fmt, "GET"))
            s_services(self, req, fmt);
    }
    else if (strncmp(base, "services/", 9) == 0 && base[9]) {
        if (s_method(req, fmt, "GET"))
            s_service_definition(self, req, fmt, base + 9);
    }
    else if (strcmp(base, "requests") == 0) {
        if (!s_method(req, fmt, "GET, POST"))
            return;
        if (strcmp(lp_http_method(req), "POST") == 0)
            s_post_request(self, req, fmt);
        else
            s_get_requests(self, req, fmt);
    }
    else if (strncmp(base, "requests/", 9) == 0 && base[9]) {
        if (s_method(req, fmt, "GET"))
            s_get_request(self, req, fmt, base + 9);
    }
    else if (strncmp(base, "tokens/", 7) == 0 && base[7]) {
        if (s_method(req, fmt, "GET"))
            s_get_token(self, req, fmt, base + 7);
    }
    else
        s_error(req, 404, fmt, NULL, "no such path");
}
