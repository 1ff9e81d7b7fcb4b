/* outreach: "SP4N-LAPOR! Masuk Desa": visits, their impact, and the printable kit.
 *
 * POST/GET /api/v1/outreach/visits   record (coordinator or admin key) and list
 * GET /api/v1/outreach/impact        complaints submitted and resolved in the four
 *                                    weeks before versus after each visit, per
 *                                    village and regency, against the target
 * GET /outreach/visits/<id>/kit      a one-page guide in Bahasa Indonesia with a QR
 *                                    code that opens intake's form for the village */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lp_apikey.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outreach.h"
#include "render.h"
#include "reporter-private.h"

#define SMS_NUMBER "1708"

/* day shifted by days, as YYYY-MM-DD. */
static void
s_shift(const char *day, int days, char out[11])
{
    struct tm tm = {0};
    time_t t;
    out[0] = '\0';
    if (sscanf(day, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        return;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    tm.tm_mday += days;
    t = timegm(&tm);
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Submitted and resolved complaints of region between from and to (inclusive). */
static int
s_window(reporter_t *self, const char *region, const char *from, const char *to, json_t **out)
{
    reporter_query_t q = {0};
    reporter_groups_t groups = {0};
    int64_t submitted = 0, resolved = 0;

    q.by = REPORTER_BY_NONE;
    snprintf(q.region, sizeof q.region, "%s", region);
    snprintf(q.from, sizeof q.from, "%s", from);
    snprintf(q.to, sizeof q.to, "%s", to);
    if (reporter_query_run(self->svc.store, &q, &groups) != 0)
        return -1;
    if (groups.count) {
        submitted = groups.items[0].m.v[LP_STATS_COUNT];
        resolved = groups.items[0].m.v[LP_STATS_DONE];
    }
    reporter_groups_free(&groups);
    *out = json_pack("{s:s,s:s,s:I,s:I}", "from", from, "to", to, "submitted",
                     (json_int_t) submitted, "resolved", (json_int_t) resolved);
    return 0;
}

static void
s_add_window(json_t *sum, json_t *w)
{
    const char *keys[] = {"submitted", "resolved"};
    for (size_t i = 0; i < 2; i++)
        json_object_set_new(sum, keys[i],
                            json_integer(json_integer_value(json_object_get(sum, keys[i])) +
                                         json_integer_value(json_object_get(w, keys[i]))));
}

json_t *
reporter_outreach_impact(reporter_t *self)
{
    lp_error_t err;
    json_t *visits = NULL, *regencies = json_array(), *v = NULL, *out = NULL;
    reporter_query_t q = {0};
    reporter_groups_t by_visit = {0};
    const lp_outreach_target_t *targets = NULL;
    size_t n_targets = 0, i = 0;
    json_int_t people = 0, villages = 0, regencies_visited = 0;
    lp_refdata_t *ref = atomic_load(&self->svc.refdata);

    lp_error_clear(&err);
    if (!(visits = lp_outreach_list(self->svc.store, &err)))
        goto fail;
    q.by = REPORTER_BY_VISIT;
    if (reporter_query_run(self->svc.store, &q, &by_visit) != 0)
        goto fail;
    targets = lp_outreach_targets(&n_targets);
    for (size_t t = 0; t < n_targets; t++) {
        const lp_region_t *r = ref ? lp_refdata_region(ref, targets[t].regency) : NULL;
        json_array_append_new(
            regencies,
            json_pack("{s:s,s:s,s:i,s:i,s:i,s:I,s:I,s:[],s:{s:i,s:i},s:{s:i,s:i}}", "code",
                      targets[t].regency, "name", r ? r->name : targets[t].name, "month",
                      targets[t].month, "target_villages", targets[t].villages, "target_people",
                      targets[t].villages * targets[t].people_per_village, "villages_visited",
                      (json_int_t) 0, "people_reached", (json_int_t) 0, "villages", "before",
                      "submitted", 0, "resolved", 0, "after", "submitted", 0, "resolved", 0));
    }
    json_array_foreach (visits, i, v) {
        const char *date = json_string_value(json_object_get(v, "date"));
        const char *village = json_string_value(json_object_get(v, "village"));
        const char *id = json_string_value(json_object_get(v, "id"));
        char b0[11], b1[11], a1[11];
        json_t *before = NULL, *after = NULL, *reg = NULL, *r = NULL;
        json_int_t from_kit = 0;
        size_t k = 0;

        s_shift(date, -LP_OUTREACH_WINDOW_DAYS, b0);
        s_shift(date, -1, b1);
        s_shift(date, LP_OUTREACH_WINDOW_DAYS - 1, a1);
        if (s_window(self, village, b0, b1, &before) != 0 ||
            s_window(self, village, date, a1, &after) != 0) {
            json_decref(before);
            goto fail;
        }
        for (size_t g = 0; g < by_visit.count; g++)
            if (strcmp(by_visit.items[g].key, id) == 0)
                from_kit = by_visit.items[g].m.v[LP_STATS_COUNT];
        json_object_set_new(v, "before", before);
        json_object_set_new(v, "after", after);
        json_object_set_new(v, "from_kit", json_integer(from_kit));
        people += json_integer_value(json_object_get(v, "people"));
        /* The regency's row, made when the village lies outside the target. */
        json_array_foreach (regencies, k, r)
            if (strcmp(json_string_value(json_object_get(r, "code")),
                       json_string_value(json_object_get(v, "regency"))) == 0)
                reg = r;
        if (!reg) {
            const lp_region_t *rr =
                ref ? lp_refdata_region(ref, json_string_value(json_object_get(v, "regency")))
                    : NULL;
            reg = json_pack("{s:O,s:s,s:n,s:i,s:i,s:I,s:I,s:[],s:{s:i,s:i},s:{s:i,s:i}}", "code",
                            json_object_get(v, "regency"), "name", rr ? rr->name : "", "month",
                            "target_villages", 0, "target_people", 0, "villages_visited",
                            (json_int_t) 0, "people_reached", (json_int_t) 0, "villages", "before",
                            "submitted", 0, "resolved", 0, "after", "submitted", 0, "resolved", 0);
            json_array_append_new(regencies, reg);
        }
        json_object_set_new(
            reg, "people_reached",
            json_integer(json_integer_value(json_object_get(reg, "people_reached")) +
                         json_integer_value(json_object_get(v, "people"))));
        /* A village counts once, however often it was visited. */
        json_t *list = json_object_get(reg, "villages");
        bool seen = false;
        json_t *x = NULL;
        size_t j = 0;
        json_array_foreach (list, j, x)
            seen = seen || strcmp(json_string_value(x), village) == 0;
        if (!seen) {
            json_array_append_new(list, json_string(village));
            villages++;
            s_add_window(json_object_get(reg, "before"), before);
            s_add_window(json_object_get(reg, "after"), after);
        }
        json_object_set_new(reg, "villages_visited",
                            json_integer((json_int_t) json_array_size(list)));
    }
    json_array_foreach (regencies, i, v)
        regencies_visited += json_array_size(json_object_get(v, "villages")) > 0;
    {
        int target_villages = 0, target_people = 0;
        for (size_t t = 0; t < n_targets; t++) {
            target_villages += targets[t].villages;
            target_people += targets[t].villages * targets[t].people_per_village;
        }
        out = json_pack("{s:s,s:i,s:{s:i,s:i,s:i},s:{s:I,s:I,s:I,s:I},s:o,s:o}", "programme",
                        "SP4N-LAPOR! Masuk Desa", "window_days", LP_OUTREACH_WINDOW_DAYS, "target",
                        "regencies", (int) n_targets, "villages", target_villages, "people",
                        target_people, "reached", "regencies", regencies_visited, "villages",
                        villages, "people", people, "visits", (json_int_t) json_array_size(visits),
                        "regencies", regencies, "visits", visits);
    }
    reporter_groups_free(&by_visit);
    return out;
fail:
    reporter_groups_free(&by_visit);
    json_decref(visits);
    json_decref(regencies);
    return NULL;
}

/* ---------------------------------------------------------------------------- */
/* Visits                                                                        */

static void
s_add_visit(reporter_t *self, lp_http_req_t *req)
{
    static const char *const roles[] = {"coordinator", "admin", NULL};
    char owner[128], message[160], id[LP_OUTREACH_ID_LEN + 1], kit[256];
    size_t len = 0;
    const char *text = lp_http_body(req, &len);
    const char *field = NULL;
    json_t *body = NULL, *people = NULL;
    json_error_t jerr;
    lp_error_t err;
    lp_refdata_t *ref = atomic_load(&self->svc.refdata);
    int ok;

    lp_error_clear(&err);
    ok = lp_apikey_check(self->svc.store, lp_http_header(req, "Authorization"), roles, owner,
                         sizeof owner, &err);
    if (ok < 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "cannot check the key now; try again");
        return;
    }
    if (ok == 0) {
        lp_http_add_header(req, "WWW-Authenticate", "Bearer");
        lp_http_reply_error(req, 401, "authorization",
                            "a coordinator or admin API key is required (Bearer)");
        return;
    }
    body = json_loadb(text ? text : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(body)) {
        json_decref(body);
        lp_http_reply_error(req, 400, NULL, "the body must be a JSON object");
        return;
    }
    people = json_object_get(body, "people");
    if (!json_is_integer(people))
        field = "people", snprintf(message, sizeof message, "must be a whole number");
    else if (json_object_get(body, "note") && !json_is_string(json_object_get(body, "note")))
        field = "note", snprintf(message, sizeof message, "must be text");
    else
        field = lp_outreach_check(
            ref, json_string_value(json_object_get(body, "village")),
            json_string_value(json_object_get(body, "date")), json_integer_value(people),
            json_string_value(json_object_get(body, "note")), message, sizeof message);
    if (field) {
        lp_http_reply_error(req, 400, field, message);
        json_decref(body);
        return;
    }
    if (!lp_outreach_add(self->svc.store, ref, json_string_value(json_object_get(body, "village")),
                         json_string_value(json_object_get(body, "date")),
                         json_integer_value(people),
                         json_string_value(json_object_get(body, "note")), owner, id, &err)) {
        lp_log(LP_LOG_WARN, "database.error", "{s:s}", "message", err.message);
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the visit cannot be stored now; try again");
        json_decref(body);
        return;
    }
    lp_log(LP_LOG_INFO, "outreach.visit_added", "{s:s,s:O,s:O}", "id", id, "village",
           json_object_get(body, "village"), "date", json_object_get(body, "date"));
    snprintf(kit, sizeof kit, "/outreach/visits/%s/kit", id);
    lp_http_add_header(req, "Location", kit);
    lp_http_reply_json(req, 201,
                       json_pack("{s:s,s:O,s:O,s:O,s:s}", "id", id, "village",
                                 json_object_get(body, "village"), "date",
                                 json_object_get(body, "date"), "people", people, "kit", kit));
    json_decref(body);
}

/* ---------------------------------------------------------------------------- */
/* The kit                                                                       */

static const char s_kit_css[] =
    "body{font-family:sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;color:#111;"
    "line-height:1.4}h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1rem 0 .3rem;"
    "border-bottom:2px solid #1f6f8b}.sms{font-size:1.1rem}.kw{font-family:monospace;"
    "font-weight:bold;background:#eee;padding:0 .3rem}.qr-box{float:right;text-align:center;"
    "margin:0 0 1rem 1rem}.url{font-family:monospace;font-size:.8rem;word-break:break-all}"
    "ol li{margin:.3rem 0}.foot{font-size:.8rem;color:#444;clear:both;margin-top:1rem}"
    "@media print{@page{size:A4;margin:12mm}body{margin:0;max-width:none}.noprint{display:none}}";

static void
s_kit(reporter_t *self, lp_http_req_t *req, const char *id)
{
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL, *doc = NULL;
    lp_error_t err;
    char url[512], *qr = NULL, *buf = NULL;
    size_t len = 0;
    FILE *out = NULL;
    const lp_region_t *regency = NULL, *district = NULL;
    lp_refdata_t *ref = atomic_load(&self->svc.refdata);

    if (strlen(id) != LP_OUTREACH_ID_LEN || strspn(id, "0123456789abcdef") != LP_OUTREACH_ID_LEN) {
        lp_http_reply_error(req, 404, NULL, "no such visit");
        return;
    }
    lp_error_clear(&err);
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_OUTREACH_VISITS);
    filter = BCON_NEW("_id", BCON_UTF8(id));
    doc = lp_store_find_one(coll, filter, NULL, &err);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    bson_destroy(filter);
    if (!doc) {
        if (err.code == LP_ERR_NONE)
            lp_http_reply_error(req, 404, NULL, "no such visit");
        else
            lp_http_reply_error(req, 503, NULL, "the visit cannot be read now; try again");
        return;
    }
    snprintf(url, sizeof url, "%s/lapor?wilayah=%s&kunjungan=%s", self->config->public_url,
             lp_doc_str(doc, "village"), id);
    qr = render_qr_svg(url, 4);
    if (ref) {
        char code[16];
        lp_stats_region_prefix(lp_doc_str(doc, "village"), 2, code, sizeof code);
        regency = lp_refdata_region(ref, code);
        lp_stats_region_prefix(lp_doc_str(doc, "village"), 3, code, sizeof code);
        district = lp_refdata_region(ref, code);
    }
    out = open_memstream(&buf, &len);
    if (!out || !qr) {
        if (out)
            fclose(out);
        free(buf);
        free(qr);
        bson_destroy(doc);
        lp_http_reply_error(req, 500, NULL, "the kit cannot be made");
        return;
    }
    fputs("<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
          "<title>Panduan SP4N-LAPOR! Masuk Desa</title><style>",
          out);
    fputs(s_kit_css, out);
    fputs("</style></head><body><div class=\"qr-box\">", out);
    fputs(qr, out);
    fputs("<div class=\"url\">", out);
    render_html(out, url);
    fputs("</div></div><p>SP4N-LAPOR! Masuk Desa</p><h1>Sampaikan keluhan Anda: LAPOR!</h1><p>"
          "Desa <strong>",
          out);
    render_html(out, lp_doc_str(doc, "village_name"));
    fputs("</strong>", out);
    if (district) {
        fputs(", ", out);
        render_html(out, district->name);
    }
    if (regency) {
        fputs(", ", out);
        render_html(out, regency->name);
    }
    fputs(" &middot; kunjungan ", out);
    render_html(out, lp_doc_str(doc, "date"));
    fputs("</p><p>Pengaduan, aspirasi, atau permintaan informasi tentang pelayanan publik "
          "akan diteruskan ke instansi yang berwenang. Identitas Anda dilindungi; Anda boleh "
          "melapor secara anonim atau rahasia.</p>"
          "<h2>1. Lewat SMS ke " SMS_NUMBER "</h2><ul class=\"sms\">"
          "<li>Kirim SMS ke <strong>" SMS_NUMBER "</strong>: <span class=\"kw\">ketik keluhan "
          "Anda</span> (sebutkan apa, di mana, sejak kapan).</li>"
          "<li>Cek perkembangan: <span class=\"kw\">STATUS &lt;nomor&gt;</span> "
          "(nomor pelacakan dari SMS balasan).</li>"
          "<li>Bantuan: <span class=\"kw\">BANTUAN</span></li></ul>"
          "<h2>2. Lewat web, tiga langkah</h2><ol>"
          "<li>Pindai kode QR di kanan atas dengan kamera ponsel (atau ketik alamat di "
          "bawahnya). Desa Anda sudah terpilih.</li>"
          "<li>Pilih jenis laporan, tulis judul dan isi laporan dengan jelas, lalu pilih "
          "<em>publik</em>, <em>anonim</em> atau <em>rahasia</em>.</li>"
          "<li>Tekan <strong>Kirim</strong> dan simpan <strong>nomor pelacakan</strong> untuk "
          "melihat tindak lanjutnya.</li></ol>"
          "<h2>3. Apa yang terjadi berikutnya</h2><p>Laporan diverifikasi dan diteruskan ke "
          "instansi dalam 3 hari kerja; instansi menindaklanjuti dalam 5 hari kerja. Anda "
          "mendapat kabar lewat SMS atau email.</p>"
          "<p class=\"foot\">Diskominfo Provinsi Kalimantan Timur &middot; SP4N-LAPOR! "
          "(Sistem Pengelolaan Pengaduan Pelayanan Publik Nasional &ndash; Layanan Aspirasi dan "
          "Pengaduan Online Rakyat)</p></body></html>",
          out);
    fclose(out);
    lp_http_add_header(req, "Content-Security-Policy",
                       "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                       "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    lp_http_reply(req, 200, "text/html; charset=utf-8", buf, len);
    free(buf);
    free(qr);
    bson_destroy(doc);
}

void
reporter_outreach_handle(reporter_t *self, lp_http_req_t *req)
{
    const char *path = lp_http_path(req);
    const char *method = lp_http_method(req);
    lp_error_t err;

    if (strcmp(path, "/api/v1/outreach/visits") == 0) {
        if (strcmp(method, "POST") == 0)
            s_add_visit(self, req);
        else if (strcmp(method, "GET") == 0) {
            json_t *list = NULL;
            lp_error_clear(&err);
            if ((list = lp_outreach_list(self->svc.store, &err)))
                lp_http_reply_json(req, 200, json_pack("{s:o}", "visits", list));
            else
                lp_http_reply_error(req, 503, NULL, "visits cannot be read now; try again");
        }
        else {
            lp_http_add_header(req, "Allow", "GET, POST");
            lp_http_reply_error(req, 405, NULL, "use GET or POST");
        }
    }
    else if (strcmp(path, "/api/v1/outreach/impact") == 0) {
        json_t *impact = strcmp(method, "GET") == 0 ? reporter_outreach_impact(self) : NULL;
        if (strcmp(method, "GET") != 0) {
            lp_http_add_header(req, "Allow", "GET");
            lp_http_reply_error(req, 405, NULL, "use GET");
        }
        else if (impact)
            lp_http_reply_json(req, 200, impact);
        else
            lp_http_reply_error(req, 503, NULL, "the impact cannot be computed now; try again");
    }
    else if (strncmp(path, "/outreach/visits/", 17) == 0 && strcmp(method, "GET") == 0) {
        char id[64];
        const char *rest = path + 17, *slash = strchr(rest, '/');
        if (!slash || strcmp(slash, "/kit") != 0 || (size_t) (slash - rest) >= sizeof id) {
            lp_http_reply_error(req, 404, NULL, "no such path");
            return;
        }
        snprintf(id, sizeof id, "%.*s", (int) (slash - rest), rest);
        s_kit(self, req, id);
    }
    else
        lp_http_reply_error(req, 404, NULL, "no such path");
}
