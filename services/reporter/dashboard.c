/* dashboard: GET / and /dasbor: the figures for people, as one HTML page.
 *
 * Charts are SVG written on the server, so the page works without JavaScript on a
 * cheap phone; every chart has its numbers in a table beside it. Bahasa Indonesia
 * first, English with ?lang=en. No identity ever appears, and confidential
 * complaints show no title. */
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "render.h"
#include "reporter-private.h"

#define DAYS_SHOWN 60
#define ROWS_MAX 15
#define SLOWEST 10

typedef struct {
    const char *lang, *title, *intro, *total, *resolved, *rate, *compliance, *median, *over_time,
        *per_regency, *per_village, *per_category, *per_channel, *per_agency, *slowest, *tracking,
        *agency, *age_days, *title_col, *hidden, *count, *name, *outreach, *village, *date, *people,
        *before, *after, *from_kit, *submitted, *hours, *none, *switch_lang, *switch_href, *reached,
        *day;
} s_text_t;

static const s_text_t s_id = {
    "id",
    "Dasbor pengaduan LAPOR! Kalimantan Timur",
    "Angka dari semua pengaduan, aspirasi dan permintaan informasi yang masuk. Identitas pelapor "
    "tidak pernah ditampilkan.",
    "Pengaduan",
    "Selesai",
    "Tingkat penyelesaian",
    "Tepat waktu",
    "Median waktu selesai (jam)",
    "Pengaduan per hari (60 hari terakhir)",
    "Per kabupaten/kota",
    "Per desa/kelurahan (15 teratas)",
    "Per kategori",
    "Per saluran",
    "Per instansi: penyelesaian dan ketepatan waktu",
    "Pengaduan terbuka yang paling lama",
    "Nomor pelacakan",
    "Instansi",
    "Umur (hari)",
    "Judul",
    "(rahasia)",
    "Jumlah",
    "Nama",
    "SP4N-LAPOR! Masuk Desa",
    "Desa",
    "Tanggal",
    "Orang",
    "4 minggu sebelum",
    "4 minggu sesudah",
    "Lewat kit",
    "masuk",
    "jam",
    "Belum ada data.",
    "English",
    "?lang=en",
    "Tercapai",
    "Hari"};

static const s_text_t s_en = {
    "en",
    "LAPOR! complaints dashboard, East Kalimantan",
    "Figures from every complaint, aspiration and information request received. Reporters' "
    "identities are never shown.",
    "Complaints",
    "Resolved",
    "Resolution rate",
    "On time",
    "Median time to resolve (hours)",
    "Complaints per day (last 60 days)",
    "Per regency/city",
    "Per village (top 15)",
    "Per category",
    "Per channel",
    "Per agency: resolution and deadline compliance",
    "Slowest open complaints",
    "Tracking ID",
    "Agency",
    "Age (days)",
    "Title",
    "(confidential)",
    "Count",
    "Name",
    "SP4N-LAPOR! Masuk Desa (outreach)",
    "Village",
    "Date",
    "People",
    "4 weeks before",
    "4 weeks after",
    "Via kit",
    "submitted",
    "hours",
    "No data yet.",
    "Bahasa Indonesia",
    "?lang=id",
    "Reached",
    "Day"};

static const char s_css[] =
    "body{font-family:sans-serif;margin:0 auto;max-width:60rem;padding:.5rem 1rem;color:#111;"
    "overflow-wrap:anywhere}"
    "h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:2px solid #1f6f8b}"
    "table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem;display:block;max-width:100%;"
    "overflow-x:auto}td,th{border:1px solid #ccc;"
    "padding:.2rem .5rem;text-align:left}td.n{text-align:right}.cards{display:flex;"
    "flex-wrap:wrap;gap:.5rem}.card{border:1px solid #ccc;padding:.5rem 1rem;min-width:8rem}"
    ".card b{display:block;font-size:1.4rem}details{margin:.3rem 0}.lang{float:right}";

static void
s_pct(FILE *out, int64_t part, int64_t whole)
{
    if (whole > 0)
        fprintf(out, "%.0f%%", (double) part * 100.0 / (double) whole);
    else
        fputs("&ndash;", out);
}

static void
s_hours(FILE *out, const int64_t *hist)
{
    double h = lp_stats_percentile(hist, 0.5);
    if (h < 0)
        fputs("&ndash;", out);
    else
        fprintf(out, "%.1f", h);
}

/* A chart and its table from groups (at most max rows). */
static void
s_section(FILE *out, const s_text_t *t, const char *heading, reporter_t *self, reporter_by_t by,
          const reporter_groups_t *g, size_t max, bool columns)
{
    lp_refdata_t *ref = atomic_load(&self->svc.refdata);
    render_item_t items[DAYS_SHOWN > ROWS_MAX ? DAYS_SHOWN : ROWS_MAX];
    size_t n = g->count < max ? g->count : max;

    fputs("<h2>", out);
    render_html(out, heading);
    fputs("</h2>", out);
    if (n == 0) {
        fprintf(out, "<p>%s</p>", t->none);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = reporter_key_name(ref, by, g->items[i].key);
        items[i].label = name ? name : (*g->items[i].key ? g->items[i].key : "-");
        items[i].value = (double) g->items[i].m.v[LP_STATS_COUNT];
    }
    if (columns)
        render_columns(out, heading, items, n, 640, 180);
    else
        render_bars(out, heading, items, n, 640);
    fprintf(out, "<details><summary>%s</summary><table><tr><th>%s</th><th>%s</th></tr>",
            t->lang[0] == 'i' ? "Tabel" : "Table", columns ? t->day : t->name, t->count);
    for (size_t i = 0; i < n; i++) {
        fputs("<tr><td>", out);
        render_html(out, items[i].label);
        fprintf(out, "</td><td class=\"n\">%lld</td></tr>",
                (long long) g->items[i].m.v[LP_STATS_COUNT]);
    }
    fputs("</table></details>", out);
}

static int
s_groups(reporter_t *self, reporter_by_t by, const char *from, reporter_groups_t *g)
{
    reporter_query_t q = {0};
    q.by = by;
    if (from)
        snprintf(q.from, sizeof q.from, "%s", from);
    return reporter_query_run(self->svc.store, &q, g);
}

static void
s_agencies(FILE *out, const s_text_t *t, reporter_t *self, const reporter_groups_t *g)
{
    lp_refdata_t *ref = atomic_load(&self->svc.refdata);
    fprintf(out, "<h2>%s</h2>", t->per_agency);
    if (!g->count) {
        fprintf(out, "<p>%s</p>", t->none);
        return;
    }
    fprintf(out,
            "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
            t->agency, t->total, t->resolved, t->rate, t->compliance, t->median);
    for (size_t i = 0; i < g->count && i < ROWS_MAX * 2; i++) {
        const int64_t *v = g->items[i].m.v;
        const char *name = reporter_key_name(ref, REPORTER_BY_AGENCY, g->items[i].key);
        fputs("<tr><td>", out);
        render_html(out, name ? name : (*g->items[i].key ? g->items[i].key : "-"));
        fprintf(out, "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">",
                (long long) v[LP_STATS_COUNT], (long long) v[LP_STATS_DONE]);
        s_pct(out, v[LP_STATS_DONE], v[LP_STATS_COUNT]);
        fputs("</td><td class=\"n\">", out);
        s_pct(out, v[LP_STATS_ONTIME], v[LP_STATS_ONTIME] + v[LP_STATS_LATE]);
        fputs("</td><td class=\"n\">", out);
        s_hours(out, &v[LP_STATS_HIST(LP_STATS_RESOLVE, 0)]);
        fputs("</td></tr>", out);
    }
    fputs("</table>", out);
}

/* The open complaints that have waited longest: tracking ID, agency, age only. */
static void
s_slowest(FILE *out, const s_text_t *t, reporter_t *self)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    bson_t *filter =
        BCON_NEW("status", "{", "$in", "[", BCON_UTF8("received"), BCON_UTF8("verified"),
                 BCON_UTF8("disposed"), BCON_UTF8("in_progress"), BCON_UTF8("postponed"),
                 BCON_UTF8("reopened"), "]", "}");
    /* Only what is shown is read: never `reporter`. */
    bson_t *opts =
        BCON_NEW("projection", "{", "tracking_id", BCON_INT32(1), "agency.name", BCON_INT32(1),
                 "created_at", BCON_INT32(1), "privacy", BCON_INT32(1), "title", BCON_INT32(1), "}",
                 "sort", "{", "created_at", BCON_INT32(1), "}", "limit", BCON_INT64(SLOWEST));
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, opts, NULL);
    const bson_t *doc = NULL;
    int64_t now = lp_now_ms();
    int rows = 0;

    fprintf(out, "<h2>%s</h2><table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>",
            t->slowest, t->tracking, t->title_col, t->agency, t->age_days);
    while (mongoc_cursor_next(cursor, &doc)) {
        rows++;
        fputs("<tr><td>", out);
        render_html(out, lp_doc_str(doc, "tracking_id"));
        fputs("</td><td>", out);
        if (strcmp(lp_doc_str(doc, "privacy"), "confidential") == 0)
            fputs(t->hidden, out);
        else
            render_html(out, lp_doc_str(doc, "title"));
        fputs("</td><td>", out);
        render_html(out, *lp_doc_str(doc, "agency.name") ? lp_doc_str(doc, "agency.name") : "-");
        fprintf(out, "</td><td class=\"n\">%.1f</td></tr>",
                (double) (now - lp_doc_int(doc, "created_at")) / 86400000.0);
    }
    fputs("</table>", out);
    if (!rows)
        fprintf(out, "<p>%s</p>", t->none);
    mongoc_cursor_destroy(cursor);
    bson_destroy(opts);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}

static void
s_outreach(FILE *out, const s_text_t *t, reporter_t *self)
{
    json_t *impact = reporter_outreach_impact(self);
    json_t *v = NULL, *r = NULL;
    size_t i = 0;

    fprintf(out, "<h2>%s</h2>", t->outreach);
    if (!impact) {
        fprintf(out, "<p>%s</p>", t->none);
        return;
    }
    json_t *target = json_object_get(impact, "target"),
           *reached = json_object_get(impact, "reached");
    fprintf(out, "<p>%s: %lld/%lld %s, %lld/%lld %s, %lld/%lld %s.</p>", t->reached,
            (long long) json_integer_value(json_object_get(reached, "regencies")),
            (long long) json_integer_value(json_object_get(target, "regencies")),
            t->lang[0] == 'i' ? "kabupaten" : "regencies",
            (long long) json_integer_value(json_object_get(reached, "villages")),
            (long long) json_integer_value(json_object_get(target, "villages")),
            t->lang[0] == 'i' ? "desa" : "villages",
            (long long) json_integer_value(json_object_get(reached, "people")),
            (long long) json_integer_value(json_object_get(target, "people")),
            t->lang[0] == 'i' ? "orang" : "people");
    fprintf(out,
            "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s (%s)</th>"
            "<th>%s (%s)</th></tr>",
            t->name, t->village, t->people, t->from_kit, t->before, t->submitted, t->after,
            t->submitted);
    json_array_foreach (json_object_get(impact, "regencies"), i, r) {
        fputs("<tr><td>", out);
        render_html(out, json_string_value(json_object_get(r, "name")));
        fprintf(out,
                "</td><td class=\"n\">%lld/%lld</td><td class=\"n\">%lld/%lld</td><td></td>"
                "<td class=\"n\">%lld</td><td class=\"n\">%lld</td></tr>",
                (long long) json_integer_value(json_object_get(r, "villages_visited")),
                (long long) json_integer_value(json_object_get(r, "target_villages")),
                (long long) json_integer_value(json_object_get(r, "people_reached")),
                (long long) json_integer_value(json_object_get(r, "target_people")),
                (long long) json_integer_value(
                    json_object_get(json_object_get(r, "before"), "submitted")),
                (long long) json_integer_value(
                    json_object_get(json_object_get(r, "after"), "submitted")));
    }
    json_array_foreach (json_object_get(impact, "visits"), i, v) {
        fputs("<tr><td>&nbsp;&nbsp;", out);
        render_html(out, json_string_value(json_object_get(v, "date")));
        fputs("</td><td>", out);
        render_html(out, json_string_value(json_object_get(v, "village_name")));
        fprintf(out,
                "</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                "<td class=\"n\">%lld</td></tr>",
                (long long) json_integer_value(json_object_get(v, "people")),
                (long long) json_integer_value(json_object_get(v, "from_kit")),
                (long long) json_integer_value(
                    json_object_get(json_object_get(v, "before"), "submitted")),
                (long long) json_integer_value(
                    json_object_get(json_object_get(v, "after"), "submitted")));
    }
    fputs("</table>", out);
    json_decref(impact);
}

void
reporter_dashboard_handle(reporter_t *self, lp_http_req_t *req)
{
    const char *lang = lp_http_query(req, "lang");
    const s_text_t *t = lang && strcmp(lang, "en") == 0 ? &s_en : &s_id;
    reporter_groups_t all = {0}, days = {0}, regencies = {0}, villages = {0}, categories = {0},
                      channels = {0}, agencies = {0};
    char today[11], from[11], *buf = NULL;
    size_t len = 0;
    FILE *out = NULL;
    int64_t now = lp_now_ms();
    const int64_t *v = NULL;

    lp_stats_day(now - (int64_t) (DAYS_SHOWN - 1) * 86400000, from);
    lp_stats_day(now, today);
    if (s_groups(self, REPORTER_BY_NONE, NULL, &all) != 0 ||
        s_groups(self, REPORTER_BY_DAY, from, &days) != 0 ||
        s_groups(self, REPORTER_BY_REGENCY, NULL, &regencies) != 0 ||
        s_groups(self, REPORTER_BY_VILLAGE, NULL, &villages) != 0 ||
        s_groups(self, REPORTER_BY_CATEGORY, NULL, &categories) != 0 ||
        s_groups(self, REPORTER_BY_CHANNEL, NULL, &channels) != 0 ||
        s_groups(self, REPORTER_BY_AGENCY, NULL, &agencies) != 0 ||
        !(out = open_memstream(&buf, &len))) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "statistics are unavailable right now");
        goto done;
    }
    fprintf(out,
            "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\"><meta "
            "name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>%s</title>"
            "<style>%s</style></head><body><a class=\"lang\" href=\"/dasbor%s\">%s</a><h1>%s</h1>"
            "<p>%s</p>",
            t->lang, t->title, s_css, t->switch_href, t->switch_lang, t->title, t->intro);
    {
        static const int64_t zero[LP_STATS_N_FIELDS];
        v = all.count ? all.items[0].m.v : zero;
        fprintf(out,
                "<div class=\"cards\"><div class=\"card\"><b>%lld</b>%s</div><div "
                "class=\"card\"><b>%lld</b>%s</div><div class=\"card\"><b>",
                (long long) v[LP_STATS_COUNT], t->total, (long long) v[LP_STATS_DONE], t->resolved);
        s_pct(out, v[LP_STATS_DONE], v[LP_STATS_COUNT]);
        fprintf(out, "</b>%s</div><div class=\"card\"><b>", t->rate);
        s_pct(out, v[LP_STATS_ONTIME], v[LP_STATS_ONTIME] + v[LP_STATS_LATE]);
        fprintf(out, "</b>%s</div><div class=\"card\"><b>", t->compliance);
        s_hours(out, &v[LP_STATS_HIST(LP_STATS_RESOLVE, 0)]);
        fprintf(out, "</b>%s</div></div>", t->median);
    }
    s_section(out, t, t->over_time, self, REPORTER_BY_DAY, &days, DAYS_SHOWN, true);
    s_section(out, t, t->per_regency, self, REPORTER_BY_REGENCY, &regencies, ROWS_MAX, false);
    s_section(out, t, t->per_village, self, REPORTER_BY_VILLAGE, &villages, ROWS_MAX, false);
    s_section(out, t, t->per_category, self, REPORTER_BY_CATEGORY, &categories, ROWS_MAX, false);
    s_section(out, t, t->per_channel, self, REPORTER_BY_CHANNEL, &channels, ROWS_MAX, false);
    s_agencies(out, t, self, &agencies);
    s_slowest(out, t, self);
    s_outreach(out, t, self);
    fprintf(out,
            "<p><small>%s %s &middot; <a href=\"/api/v1/stats?group_by=regency\">JSON</a> "
            "&middot; <a href=\"/api/v1/stats?group_by=regency&amp;format=csv\">CSV</a> "
            "&middot; <a href=\"/api/v1/export.csv\">open data</a></small></p></body></html>",
            t->lang[0] == 'i' ? "Per" : "As of", today);
    fclose(out);
    out = NULL;
    lp_http_add_header(req, "Content-Security-Policy",
                       "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    lp_http_add_header(req, "Content-Language", t->lang);
    lp_http_reply(req, 200, "text/html; charset=utf-8", buf, len);
done:
    if (out)
        fclose(out);
    free(buf);
    reporter_groups_free(&all);
    reporter_groups_free(&days);
    reporter_groups_free(&regencies);
    reporter_groups_free(&villages);
    reporter_groups_free(&categories);
    reporter_groups_free(&channels);
    reporter_groups_free(&agencies);
}
