/* stats_api: the reporter's HTTP routes and GET /api/v1/stats (JSON or CSV). */
#include <stdio.h>
#include <string.h>

#include "lp_log.h"
#include "reporter-private.h"

const char *
reporter_http_param(void *arg, const char *key)
{
    return lp_http_query(arg, key);
}

static const char *const s_csv_columns[] = {"key",
                                            "name",
                                            "count",
                                            "resolved",
                                            "resolution_rate",
                                            "on_time",
                                            "late",
                                            "deadline_compliance",
                                            "escalations",
                                            "overdue_verification",
                                            "rating_count",
                                            "rating_average",
                                            "dispose_median_h",
                                            "dispose_p90_h",
                                            "first_followup_median_h",
                                            "first_followup_p90_h",
                                            "resolve_median_h",
                                            "resolve_p90_h",
                                            NULL};

static void
s_csv_number(FILE *out, json_t *v)
{
    if (json_is_integer(v))
        fprintf(out, "%lld", (long long) json_integer_value(v));
    else if (json_is_real(v))
        fprintf(out, "%.4g", json_real_value(v));
    /* null: an empty field */
}

/* One CSV row from a group's JSON, so both forms always carry the same figures. */
static void
s_csv_row(FILE *out, json_t *g)
{
    json_t *d = json_object_get(g, "durations_hours");
    const char *parts[] = {"dispose", "first_followup", "resolve"};
    json_t *name = json_object_get(g, "name");

    reporter_csv_field(out, json_string_value(json_object_get(g, "key")));
    fputc(',', out);
    reporter_csv_field(out, json_is_string(name) ? json_string_value(name) : "");
    const char *plain[] = {"count",
                           "resolved",
                           "resolution_rate",
                           "on_time",
                           "late",
                           "deadline_compliance",
                           "escalations",
                           "overdue_verification"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        fputc(',', out);
        s_csv_number(out, json_object_get(g, plain[i]));
    }
    fputc(',', out);
    s_csv_number(out, json_object_get(json_object_get(g, "rating"), "count"));
    fputc(',', out);
    s_csv_number(out, json_object_get(json_object_get(g, "rating"), "average"));
    for (size_t i = 0; i < 3; i++) {
        fputc(',', out);
        s_csv_number(out, json_object_get(json_object_get(d, parts[i]), "median"));
        fputc(',', out);
        s_csv_number(out, json_object_get(json_object_get(d, parts[i]), "p90"));
    }
    fputs("\r\n", out);
}

static void
s_reply_csv(lp_http_req_t *req, json_t *groups, const char *by)
{
    char *buf = NULL, disposition[96];
    size_t len = 0, i = 0;
    FILE *out = open_memstream(&buf, &len);
    json_t *g = NULL;

    if (!out) {
        lp_http_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    for (i = 0; s_csv_columns[i]; i++)
        fprintf(out, "%s%s", i ? "," : "", s_csv_columns[i]);
    fputs("\r\n", out);
    json_array_foreach (groups, i, g)
        s_csv_row(out, g);
    fclose(out);
    snprintf(disposition, sizeof disposition, "inline; filename=\"lapor-stats-%s.csv\"", by);
    lp_http_add_header(req, "Content-Disposition", disposition);
    lp_http_reply(req, 200, "text/csv; charset=utf-8", buf, len);
    free(buf);
}

static json_t *
s_filters_json(const reporter_query_t *q)
{
    json_t *f = json_object();
    const struct {
        const char *name, *value;
    } items[] = {{"from", q->from},         {"to", q->to},
                 {"region", q->region},     {"agency", q->agency},
                 {"category", q->category}, {"channel", q->channel},
                 {"type", q->type},         {"status", q->status}};
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++)
        if (*items[i].value)
            json_object_set_new(f, items[i].name, json_string(items[i].value));
    return f;
}

static void
s_stats(reporter_t *self, lp_http_req_t *req)
{
    reporter_query_t q;
    reporter_groups_t groups = {0};
    const char *field = NULL;
    char message[160];
    json_t *list = NULL, *body = NULL;
    json_int_t total = 0;
    lp_refdata_t *ref = atomic_load(&self->svc.refdata);

    if (reporter_query_parse(&q, reporter_http_param, req, lp_http_header(req, "Accept"),
                             REPORTER_BY_STATUS, &field, message, sizeof message) != 0) {
        lp_http_reply_error(req, 400, field, message);
        return;
    }
    if (reporter_query_run(self->svc.store, &q, &groups) != 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "statistics are unavailable right now");
        return;
    }
    list = json_array();
    for (size_t i = 0; i < groups.count; i++) {
        json_t *g = reporter_group_json(&groups.items[i]);
        const char *name = reporter_key_name(ref, q.by, groups.items[i].key);
        if (name)
            json_object_set_new(g, "name", json_string(name));
        total += groups.items[i].m.v[LP_STATS_COUNT];
        json_array_append_new(list, g);
    }
    if (q.csv)
        s_reply_csv(req, list, q.by_name);
    else {
        body = json_pack("{s:s,s:o,s:I,s:O}", "group_by", q.by_name, "filters", s_filters_json(&q),
                         "total", total, "groups", list);
        if (strcmp(q.by_name, "region") == 0)
            json_object_set_new(body, "level",
                                json_string(q.by == REPORTER_BY_REGENCY    ? "kabupaten"
                                            : q.by == REPORTER_BY_DISTRICT ? "kecamatan"
                                                                           : "desa"));
        lp_http_reply_json(req, 200, body);
    }
    json_decref(list);
    reporter_groups_free(&groups);
}

static bool
s_get_only(lp_http_req_t *req)
{
    if (strcmp(lp_http_method(req), "GET") == 0 || strcmp(lp_http_method(req), "HEAD") == 0)
        return true;
    lp_http_add_header(req, "Allow", "GET");
    lp_http_reply_error(req, 405, NULL, "use GET");
    return false;
}

void
reporter_api_handle(lp_http_req_t *req, void *arg)
{
    reporter_t *self = arg;
    const char *path = lp_http_path(req);

    if (strcmp(path, "/api/v1/stats") == 0) {
        if (s_get_only(req))
            s_stats(self, req);
    }
    else if (strcmp(path, "/api/v1/export.csv") == 0 ||
             strcmp(path, "/api/v1/export.ndjson") == 0) {
        if (s_get_only(req))
            reporter_export_handle(self, req, strcmp(path, "/api/v1/export.csv") == 0);
    }
    else if (strncmp(path, "/api/v1/outreach/", 17) == 0 || strncmp(path, "/outreach/", 10) == 0)
        reporter_outreach_handle(self, req);
    else if (strcmp(path, "/") == 0 || strcmp(path, "/dasbor") == 0) {
        if (s_get_only(req))
            reporter_dashboard_handle(self, req);
    }
    else
        lp_http_reply_error(req, 404, NULL, "no such path");
}
