/* export: GET /api/v1/export.csv and .ndjson: open data, one complaint a line.
 *
 * The projection names every field that may leave, so `reporter` (and anything
 * added to complaints later) never does; a confidential complaint leaves without
 * its title and body. The answer is streamed from the database cursor a piece at
 * a time, so its size does not bound the server's memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lp_doc.h"
#include "lp_log.h"
#include "reporter-private.h"

#define WITA_OFFSET_MS (8LL * 3600 * 1000)
#define DAY_MS (24LL * 3600 * 1000)

static const char *const s_columns[] = {
    "tracking_id", "created_at",  "day",         "type",        "category",         "region_code",
    "regency",     "district",    "village",     "channel",     "privacy",          "status",
    "agency_id",   "agency_name", "deadline_at", "resolved_at", "escalation_level", "rating",
    "visit_id",    "title",       "body",        NULL};

typedef struct {
    lp_store_t *store;
    mongoc_client_t *client;
    mongoc_collection_t *coll;
    mongoc_cursor_t *cursor;
    bool csv, header_done, finished;
    char *line; /* the formatted line not yet sent */
    size_t len, off;
} s_export_t;

static void
s_export_free(void *arg)
{
    s_export_t *x = arg;
    mongoc_cursor_destroy(x->cursor);
    mongoc_collection_destroy(x->coll);
    if (x->client)
        lp_store_push(x->store, x->client);
    free(x->line);
    free(x);
}

/* Midnight WITA of a YYYY-MM-DD day, in ms since the epoch. */
static int64_t
s_day_ms(const char *day)
{
    struct tm tm = {0};
    if (sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return 0;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t) timegm(&tm) * 1000 - WITA_OFFSET_MS;
}

static void
s_iso(int64_t ms, char out[32])
{
    time_t t = (time_t) (ms / 1000);
    struct tm tm;
    out[0] = '\0';
    if (ms > 0 && gmtime_r(&t, &tm))
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static bson_t *
s_filter(const reporter_query_t *q)
{
    bson_t *f = bson_new();
    bson_t range, or, alt;

    if (*q->from || *q->to) {
        BSON_APPEND_DOCUMENT_BEGIN(f, "created_at", &range);
        if (*q->from)
            BSON_APPEND_INT64(&range, "$gte", s_day_ms(q->from));
        if (*q->to)
            BSON_APPEND_INT64(&range, "$lt", s_day_ms(q->to) + DAY_MS);
        bson_append_document_end(f, &range);
    }
    if (*q->region) {
        char lo[40], hi[40];
        snprintf(lo, sizeof lo, "%s.", q->region);
        snprintf(hi, sizeof hi, "%s/", q->region); /* '/' follows '.' */
        BSON_APPEND_ARRAY_BEGIN(f, "$or", & or);
        BSON_APPEND_DOCUMENT_BEGIN(& or, "0", &alt);
        BSON_APPEND_UTF8(&alt, "region.code", q->region);
        bson_append_document_end(& or, &alt);
        BSON_APPEND_DOCUMENT_BEGIN(& or, "1", &alt);
        BSON_APPEND_DOCUMENT_BEGIN(&alt, "region.code", &range);
        BSON_APPEND_UTF8(&range, "$gte", lo);
        BSON_APPEND_UTF8(&range, "$lt", hi);
        bson_append_document_end(&alt, &range);
        bson_append_document_end(& or, &alt);
        bson_append_array_end(f, & or);
    }
    if (*q->agency)
        BSON_APPEND_UTF8(f, "agency.id", q->agency);
    if (*q->category)
        BSON_APPEND_UTF8(f, "category", q->category);
    if (*q->channel)
        BSON_APPEND_UTF8(f, "channel", q->channel);
    if (*q->type)
        BSON_APPEND_UTF8(f, "type", q->type);
    if (*q->status)
        BSON_APPEND_UTF8(f, "status", q->status);
    if (q->updated_since_ms) {
        BSON_APPEND_DOCUMENT_BEGIN(f, "updated_at", &range);
        BSON_APPEND_INT64(&range, "$gte", q->updated_since_ms);
        bson_append_document_end(f, &range);
    }
    return f;
}

/* The public record of one complaint, as JSON (null for what is absent). */
static json_t *
s_record(const bson_t *doc)
{
    bool confidential = strcmp(lp_doc_str(doc, "privacy"), "confidential") == 0;
    char created[32], deadline[32], resolved[32], day[11];
    int64_t created_ms = lp_doc_int(doc, "created_at");
    int64_t rating = lp_doc_int(doc, "rating.score");

    s_iso(created_ms, created);
    s_iso(lp_doc_int(doc, "deadline_at"), deadline);
    s_iso(lp_doc_int(doc, "resolved_at"), resolved);
    lp_stats_day(created_ms, day);
    return json_pack(
        "{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:o,s:s,s:s,s:s}",
        "tracking_id", lp_doc_str(doc, "tracking_id"), "created_at", created, "day", day, "type",
        lp_doc_str(doc, "type"), "category", lp_doc_str(doc, "category"), "region_code",
        lp_doc_str(doc, "region.code"), "regency", lp_doc_str(doc, "region.kabupaten"), "district",
        lp_doc_str(doc, "region.kecamatan"), "village", lp_doc_str(doc, "region.desa"), "channel",
        lp_doc_str(doc, "channel"), "privacy", lp_doc_str(doc, "privacy"), "status",
        lp_doc_str(doc, "status"), "agency_id", lp_doc_str(doc, "agency.id"), "agency_name",
        lp_doc_str(doc, "agency.name"), "deadline_at", deadline, "resolved_at", resolved,
        "escalation_level", (json_int_t) lp_doc_int(doc, "escalation_level"), "rating",
        rating ? json_integer(rating) : json_null(), "visit_id", lp_doc_str(doc, "visit_id"),
        "title", confidential ? "" : lp_doc_str(doc, "title"), "body",
        confidential ? "" : lp_doc_str(doc, "body"));
}

/* Formats the next line into x->line; false at the end (or on an error). */
static bool
s_next_line(s_export_t *x)
{
    const bson_t *doc = NULL;
    json_t *rec = NULL;
    FILE *out = NULL;
    char *buf = NULL;
    size_t len = 0;

    free(x->line);
    x->line = NULL;
    x->len = x->off = 0;
    if (x->csv && !x->header_done) {
        x->header_done = true;
        out = open_memstream(&buf, &len);
        for (int i = 0; out && s_columns[i]; i++)
            fprintf(out, "%s%s", i ? "," : "", s_columns[i]);
        if (out) {
            fputs("\r\n", out);
            fclose(out);
        }
        x->line = buf;
        x->len = len;
        return buf != NULL;
    }
    if (!mongoc_cursor_next(x->cursor, &doc))
        return false;
    rec = s_record(doc);
    if (!rec)
        return false;
    if (x->csv) {
        out = open_memstream(&buf, &len);
        for (int i = 0; out && s_columns[i]; i++) {
            json_t *v = json_object_get(rec, s_columns[i]);
            if (i)
                fputc(',', out);
            if (json_is_integer(v))
                fprintf(out, "%lld", (long long) json_integer_value(v));
            else if (json_is_string(v))
                reporter_csv_field(out, json_string_value(v));
        }
        if (out) {
            fputs("\r\n", out);
            fclose(out);
        }
    }
    else {
        char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (text) {
            len = strlen(text);
            if ((buf = malloc(len + 2))) {
                memcpy(buf, text, len);
                buf[len++] = '\n';
                buf[len] = '\0';
            }
            free(text);
        }
    }
    json_decref(rec);
    x->line = buf;
    x->len = len;
    return buf != NULL;
}

static ssize_t
s_export_read(void *arg, char *buf, size_t max)
{
    s_export_t *x = arg;
    bson_error_t error;
    size_t n = 0;

    while (n < max && !x->finished) {
        if (x->off == x->len && !s_next_line(x)) {
            x->finished = true;
            break;
        }
        size_t take = x->len - x->off < max - n ? x->len - x->off : max - n;
        memcpy(buf + n, x->line + x->off, take);
        x->off += take;
        n += take;
    }
    if (x->finished && mongoc_cursor_error(x->cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s,s:s}", "message", error.message, "in",
               "export");
        return -1; /* cut off: a client must not take a partial export for a whole one */
    }
    return (ssize_t) n;
}

void
reporter_export_handle(reporter_t *self, lp_http_req_t *req, bool csv)
{
    reporter_query_t q;
    const char *field = NULL;
    char message[160];
    s_export_t *x = NULL;
    bson_t *filter = NULL, *opts = NULL;

    if (reporter_query_parse(&q, reporter_http_param, req, NULL, REPORTER_BY_NONE, &field, message,
                             sizeof message) != 0) {
        lp_http_reply_error(req, 400, field, message);
        return;
    }
    if (!(x = calloc(1, sizeof *x))) {
        lp_http_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    x->csv = csv;
    x->store = self->svc.store;
    x->client = lp_store_pop(self->svc.store);
    x->coll = lp_store_collection(self->svc.store, x->client, LP_COLL_COMPLAINTS);
    filter = s_filter(&q);
    /* Only these fields are read: `reporter` never leaves the database. */
    opts = BCON_NEW(
        "projection", "{", "tracking_id", BCON_INT32(1), "created_at", BCON_INT32(1), "type",
        BCON_INT32(1), "category", BCON_INT32(1), "region.code", BCON_INT32(1), "region.kabupaten",
        BCON_INT32(1), "region.kecamatan", BCON_INT32(1), "region.desa", BCON_INT32(1), "channel",
        BCON_INT32(1), "privacy", BCON_INT32(1), "status", BCON_INT32(1), "agency.id",
        BCON_INT32(1), "agency.name", BCON_INT32(1), "deadline_at", BCON_INT32(1), "resolved_at",
        BCON_INT32(1), "escalation_level", BCON_INT32(1), "rating.score", BCON_INT32(1), "visit_id",
        BCON_INT32(1), "title", BCON_INT32(1), "body", BCON_INT32(1), "}", "sort", "{",
        "created_at", BCON_INT32(1), "_id", BCON_INT32(1), "}", "batchSize", BCON_INT32(200));
    x->cursor = mongoc_collection_find_with_opts(x->coll, filter, opts, NULL);
    bson_destroy(opts);
    bson_destroy(filter);
    if (csv)
        lp_http_add_header(req, "Content-Disposition", "inline; filename=\"lapor-export.csv\"");
    lp_http_reply_stream(req, 200,
                         csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
                         s_export_read, x, s_export_free);
}
