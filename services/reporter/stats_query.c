/* stats_query: parsing a statistics query and summing roll-up cells into groups. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lp_doc.h"
#include "lp_log.h"
#include "reporter-private.h"

/* ---------------------------------------------------------------------------- */
/* Parsing                                                                       */

static const struct {
    const char *name;
    reporter_by_t by;
} s_by_names[] = {
    {"status", REPORTER_BY_STATUS},      {"agency", REPORTER_BY_AGENCY},
    {"region", REPORTER_BY_REGION},      {"regency", REPORTER_BY_REGENCY},
    {"kabupaten", REPORTER_BY_REGENCY},  {"district", REPORTER_BY_DISTRICT},
    {"kecamatan", REPORTER_BY_DISTRICT}, {"village", REPORTER_BY_VILLAGE},
    {"desa", REPORTER_BY_VILLAGE},       {"category", REPORTER_BY_CATEGORY},
    {"type", REPORTER_BY_TYPE},          {"channel", REPORTER_BY_CHANNEL},
    {"privacy", REPORTER_BY_PRIVACY},    {"day", REPORTER_BY_DAY},
    {"month", REPORTER_BY_MONTH},        {"visit", REPORTER_BY_VISIT},
    {"none", REPORTER_BY_NONE},
};

static const char *const s_channels[] = {"web", "sms", "api", "open311", NULL};
static const char *const s_types[] = {"pengaduan", "aspirasi", "informasi", NULL};
static const char *const s_statuses[] = {"received", "verified", "disposed",  "in_progress",
                                         "resolved", "closed",   "postponed", "archived",
                                         "reopened", NULL};

static bool
s_one_of(const char *value, const char *const *allowed)
{
    for (; *allowed; allowed++)
        if (strcmp(value, *allowed) == 0)
            return true;
    return false;
}

/* YYYY-MM-DD with a plausible month and day. */
static bool
s_date_ok(const char *s)
{
    int y, m, d;
    char extra;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char) s[i]))
            return false;
    return sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3 && y >= 2000 && m >= 1 && m <= 12 &&
           d >= 1 && d <= 31;
}

/* A Kemendagri code or a prefix of one at a part boundary: "64", "64.01", ... */
static bool
s_region_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= 32 || s[0] == '.' || s[n - 1] == '.' || strstr(s, ".."))
        return false;
    for (; *s; s++)
        if (!isdigit((unsigned char) *s) && *s != '.')
            return false;
    return true;
}

/* An identifier: lower-case letters, digits, '-' and '_'. */
static bool
s_id_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max)
        return false;
    for (; *s; s++)
        if (!islower((unsigned char) *s) && !isdigit((unsigned char) *s) && *s != '-' && *s != '_')
            return false;
    return true;
}

#define BAD(f, ...)                                                                                \
    do {                                                                                           \
        *field = (f);                                                                              \
        snprintf(message, size, __VA_ARGS__);                                                      \
        return -1;                                                                                 \
    } while (0)

int
reporter_query_parse(reporter_query_t *q, reporter_param_fn get, void *arg, const char *accept,
                     reporter_by_t dflt, const char **field, char *message, size_t size)
{
    const char *v = NULL, *level = NULL;
    size_t i = 0;

    memset(q, 0, sizeof *q);
    q->by = dflt;
    *field = NULL;
    if ((v = get(arg, "from"))) {
        if (!s_date_ok(v))
            BAD("from", "must be a date YYYY-MM-DD");
        snprintf(q->from, sizeof q->from, "%s", v);
    }
    if ((v = get(arg, "to"))) {
        if (!s_date_ok(v))
            BAD("to", "must be a date YYYY-MM-DD");
        snprintf(q->to, sizeof q->to, "%s", v);
    }
    if (*q->from && *q->to && strcmp(q->from, q->to) > 0)
        BAD("to", "must not be before from");
    if ((v = get(arg, "region"))) {
        if (!s_region_ok(v))
            BAD("region", "must be a Kemendagri region code or its prefix, e.g. 64.01");
        snprintf(q->region, sizeof q->region, "%s", v);
    }
    if ((v = get(arg, "agency"))) {
        if (!s_id_ok(v, sizeof q->agency))
            BAD("agency", "must be an agency id (a-z, 0-9, - and _)");
        snprintf(q->agency, sizeof q->agency, "%s", v);
    }
    if ((v = get(arg, "category"))) {
        if (!s_id_ok(v, sizeof q->category))
            BAD("category", "must be a category id (a-z, 0-9, - and _)");
        snprintf(q->category, sizeof q->category, "%s", v);
    }
    if ((v = get(arg, "channel"))) {
        if (!s_one_of(v, s_channels))
            BAD("channel", "must be web, sms, api or open311");
        snprintf(q->channel, sizeof q->channel, "%s", v);
    }
    if ((v = get(arg, "type"))) {
        if (!s_one_of(v, s_types))
            BAD("type", "must be pengaduan, aspirasi or informasi");
        snprintf(q->type, sizeof q->type, "%s", v);
    }
    if ((v = get(arg, "status"))) {
        if (!s_one_of(v, s_statuses))
            BAD("status", "must be a status name, e.g. disposed or resolved");
        snprintf(q->status, sizeof q->status, "%s", v);
    }
    if ((v = get(arg, "updated_since"))) {
        char *end = NULL;
        long long ms = strtoll(v, &end, 10);
        if (!*v || *end || ms < 0)
            BAD("updated_since", "must be a time in milliseconds since 1970");
        q->updated_since_ms = ms;
    }
    if ((v = get(arg, "group_by"))) {
        for (i = 0; i < sizeof s_by_names / sizeof s_by_names[0]; i++)
            if (strcmp(v, s_by_names[i].name) == 0)
                break;
        if (i == sizeof s_by_names / sizeof s_by_names[0])
            BAD("group_by", "must be status, agency, region, regency, district, village, "
                            "category, type, channel, privacy, day, month, visit or none");
        q->by = s_by_names[i].by;
        q->by_name = s_by_names[i].name;
    }
    if ((level = get(arg, "level"))) {
        if (q->by != REPORTER_BY_REGION)
            BAD("level", "only with group_by=region");
        if (strcmp(level, "kabupaten") == 0 || strcmp(level, "regency") == 0)
            q->by = REPORTER_BY_REGENCY;
        else if (strcmp(level, "kecamatan") == 0 || strcmp(level, "district") == 0)
            q->by = REPORTER_BY_DISTRICT;
        else if (strcmp(level, "desa") == 0 || strcmp(level, "village") == 0)
            q->by = REPORTER_BY_VILLAGE;
        else
            BAD("level", "must be kabupaten, kecamatan or desa");
    }
    else if (q->by == REPORTER_BY_REGION)
        q->by = REPORTER_BY_REGENCY;
    if (!q->by_name)
        for (i = 0; i < sizeof s_by_names / sizeof s_by_names[0]; i++)
            if (s_by_names[i].by == q->by) {
                q->by_name = s_by_names[i].name;
                break;
            }
    if ((v = get(arg, "format"))) {
        if (strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
            BAD("format", "must be json or csv");
        q->csv = strcmp(v, "csv") == 0;
    }
    else
        q->csv = accept && strstr(accept, "text/csv") != NULL;
    return 0;
}

/* ---------------------------------------------------------------------------- */
/* Running                                                                       */

static bson_t *
s_filter(const reporter_query_t *q)
{
    bson_t *f = BCON_NEW("kind", BCON_UTF8("cell"));
    bson_t range;
    int parts = 1;

    if (*q->from || *q->to) {
        BSON_APPEND_DOCUMENT_BEGIN(f, "day", &range);
        if (*q->from)
            BSON_APPEND_UTF8(&range, "$gte", q->from);
        if (*q->to)
            BSON_APPEND_UTF8(&range, "$lte", q->to);
        bson_append_document_end(f, &range);
    }
    if (*q->region) {
        for (const char *p = q->region; *p; p++)
            parts += *p == '.';
        /* Cells hold their regency and district, so a prefix is an equality. */
        if (parts == 1) {
            char lo[40], hi[40];
            snprintf(lo, sizeof lo, "%s.", q->region);
            snprintf(hi, sizeof hi, "%s/", q->region); /* '/' follows '.' */
            BSON_APPEND_DOCUMENT_BEGIN(f, "regency", &range);
            BSON_APPEND_UTF8(&range, "$gte", lo);
            BSON_APPEND_UTF8(&range, "$lt", hi);
            bson_append_document_end(f, &range);
        }
        else
            BSON_APPEND_UTF8(f,
                             parts == 2   ? "regency"
                             : parts == 3 ? "district"
                                          : "region",
                             q->region);
    }
    if (*q->agency)
        BSON_APPEND_UTF8(f, "agency", q->agency);
    if (*q->category)
        BSON_APPEND_UTF8(f, "category", q->category);
    if (*q->channel)
        BSON_APPEND_UTF8(f, "channel", q->channel);
    if (*q->type)
        BSON_APPEND_UTF8(f, "type", q->type);
    if (*q->status)
        BSON_APPEND_UTF8(f, "status", q->status);
    return f;
}

static void
s_group_key(const bson_t *cell, reporter_by_t by, char *key, size_t size)
{
    static const char *const fields[] = {
        [REPORTER_BY_STATUS] = "status",     [REPORTER_BY_AGENCY] = "agency",
        [REPORTER_BY_REGION] = "regency",    [REPORTER_BY_REGENCY] = "regency",
        [REPORTER_BY_DISTRICT] = "district", [REPORTER_BY_VILLAGE] = "region",
        [REPORTER_BY_CATEGORY] = "category", [REPORTER_BY_TYPE] = "type",
        [REPORTER_BY_CHANNEL] = "channel",   [REPORTER_BY_PRIVACY] = "privacy",
        [REPORTER_BY_DAY] = "day",           [REPORTER_BY_MONTH] = "day",
        [REPORTER_BY_VISIT] = "visit",       [REPORTER_BY_NONE] = NULL,
    };
    if (by == REPORTER_BY_NONE) {
        snprintf(key, size, "%s", "all");
        return;
    }
    lp_doc_copy(cell, fields[by], key, size);
    if (by == REPORTER_BY_MONTH && strlen(key) >= 7)
        key[7] = '\0';
}

static int
s_cmp_count(const void *a, const void *b)
{
    const reporter_group_t *x = a, *y = b;
    if (x->m.v[LP_STATS_COUNT] != y->m.v[LP_STATS_COUNT])
        return x->m.v[LP_STATS_COUNT] > y->m.v[LP_STATS_COUNT] ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int
s_cmp_key(const void *a, const void *b)
{
    return strcmp(((const reporter_group_t *) a)->key, ((const reporter_group_t *) b)->key);
}

int
reporter_query_run(lp_store_t *store, const reporter_query_t *q, reporter_groups_t *out)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_ROLLUPS);
    bson_t *filter = s_filter(q);
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    char key[REPORTER_CELL_ID_LEN];
    size_t kept = 0;
    int rc = 0;

    memset(out, 0, sizeof *out);
    while (rc == 0 && mongoc_cursor_next(cursor, &doc)) {
        reporter_group_t *g = NULL;
        if (lp_doc_int(doc, "count") == 0)
            continue; /* a cell every complaint has left */
        s_group_key(doc, q->by, key, sizeof key);
        /* Linear: groups are few (regencies, agencies, days of a range). */
        for (size_t i = 0; i < out->count && !g; i++)
            if (strcmp(out->items[i].key, key) == 0)
                g = &out->items[i];
        if (!g) {
            if (out->count == out->cap) {
                size_t cap = out->cap ? out->cap * 2 : 32;
                reporter_group_t *bigger = realloc(out->items, cap * sizeof *bigger);
                if (!bigger) {
                    rc = -1;
                    break;
                }
                out->items = bigger;
                out->cap = cap;
            }
            g = &out->items[out->count++];
            memset(g, 0, sizeof *g);
            snprintf(g->key, sizeof g->key, "%s", key);
        }
        lp_stats_add_measures(&g->m, doc);
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", error.message);
        rc = -1;
    }
    /* Cells can sum to nothing (every complaint moved on): drop those groups. */
    for (size_t i = 0; i < out->count; i++)
        if (out->items[i].m.v[LP_STATS_COUNT] != 0)
            out->items[kept++] = out->items[i];
    out->count = kept;
    if (out->count)
        qsort(out->items, out->count, sizeof *out->items,
              q->by == REPORTER_BY_DAY || q->by == REPORTER_BY_MONTH ? s_cmp_key : s_cmp_count);
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
    return rc;
}

void
reporter_groups_free(reporter_groups_t *groups)
{
    free(groups->items);
    memset(groups, 0, sizeof *groups);
}

/* ---------------------------------------------------------------------------- */
/* Presenting                                                                    */

static json_t *
s_ratio(int64_t part, int64_t whole)
{
    return whole > 0 ? json_real(round((double) part / (double) whole * 10000) / 10000)
                     : json_null();
}

static json_t *
s_hours(double h)
{
    return h < 0 ? json_null() : json_real(round(h * 100) / 100);
}

json_t *
reporter_group_json(const reporter_group_t *g)
{
    static const char *const names[LP_STATS_N_DURATIONS] = {"dispose", "first_followup", "resolve"};
    const int64_t *v = g->m.v;
    json_t *durations = json_object();
    json_t *out = NULL;

    for (int d = 0; d < LP_STATS_N_DURATIONS; d++) {
        const int64_t *hist = &v[LP_STATS_HIST(d, 0)];
        int64_t n = 0;
        for (int b = 0; b < LP_STATS_BUCKETS; b++)
            n += hist[b];
        json_object_set_new(durations, names[d],
                            json_pack("{s:I,s:o,s:o}", "count", (json_int_t) n, "median",
                                      s_hours(lp_stats_percentile(hist, 0.5)), "p90",
                                      s_hours(lp_stats_percentile(hist, 0.9))));
    }
    out = json_pack(
        "{s:s,s:I,s:I,s:o,s:I,s:I,s:o,s:I,s:I,s:{s:I,s:I,s:o},s:o}", "key", g->key, "count",
        (json_int_t) v[LP_STATS_COUNT], "resolved", (json_int_t) v[LP_STATS_DONE],
        "resolution_rate", s_ratio(v[LP_STATS_DONE], v[LP_STATS_COUNT]), "on_time",
        (json_int_t) v[LP_STATS_ONTIME], "late", (json_int_t) v[LP_STATS_LATE],
        "deadline_compliance", s_ratio(v[LP_STATS_ONTIME], v[LP_STATS_ONTIME] + v[LP_STATS_LATE]),
        "escalations", (json_int_t) v[LP_STATS_ESCALATIONS], "overdue_verification",
        (json_int_t) v[LP_STATS_OVERDUE], "rating", "count", (json_int_t) v[LP_STATS_RATING_N],
        "sum", (json_int_t) v[LP_STATS_RATING_SUM], "average",
        v[LP_STATS_RATING_N] ? json_real(round((double) v[LP_STATS_RATING_SUM] /
                                               (double) v[LP_STATS_RATING_N] * 100) /
                                         100)
                             : json_null(),
        "durations_hours", durations);
    return out;
}

const char *
reporter_key_name(const lp_refdata_t *ref, reporter_by_t by, const char *key)
{
    const lp_region_t *r = NULL;
    const lp_agency_t *a = NULL;

    if (!ref)
        return NULL;
    switch (by) {
    case REPORTER_BY_REGENCY:
    case REPORTER_BY_DISTRICT:
    case REPORTER_BY_VILLAGE:
    case REPORTER_BY_REGION:
        r = lp_refdata_region(ref, key);
        return r ? r->name : NULL;
    case REPORTER_BY_AGENCY:
        a = lp_refdata_agency(ref, key);
        return a ? a->name : NULL;
    default:
        return NULL;
    }
}

void
reporter_csv_field(FILE *out, const char *text)
{
    /* A leading =, +, - or @ would be a formula in a spreadsheet: quote it away. */
    bool formula = text && strchr("=+-@", text[0]) && text[0];
    if (!text)
        text = "";
    if (!formula && !strpbrk(text, ",\"\r\n")) {
        fputs(text, out);
        return;
    }
    fputc('"', out);
    if (formula)
        fputc('\'', out);
    for (; *text; text++) {
        if (*text == '"')
            fputc('"', out);
        fputc(*text, out);
    }
    fputc('"', out);
}
