/* sms: Kannel's inbound SMS (GET /sms/inbound): complaints, STATUS, BANTUAN, BALAS,
 * TERIMA and TOLAK.
 *
 * smsbox calls get-url for every SMS and calls again, with the same message id,
 * when intake fails; so everything here is idempotent by that id: the complaint
 * through intake_submit's key "sms:<id>", every answer through the outbox id
 * "sms:<id>:reply". Intake answers 200 with an empty body (smsbox then sends
 * nothing); the answers go out through the notifier, which alone can open the
 * sealed phone number. A database failure answers 503, and Kannel calls again. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "citizen.h"
#include "intake-private.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "lp_outbox.h"
#include "lp_transition.h"
#include "sms_parse.h"

#define SMS_DEFAULT_REGION "64" /* the province, when the text names no place */
#define SMS_ID_MAX 100
#define SMS_TEXT_MAX 700
#define SMS_ID_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:"

/* One inbound SMS being handled. */
typedef struct {
    intake_t *self;
    const char *kannel_id;
    const char *number; /* the service number the citizen wrote to, for help texts */
    lp_contact_t contact;
    char lookup[LP_IDENTITY_LOOKUP_LEN + 1];
    const char *lang;
} s_sms_t;

/* ---------------------------------------------------------------------------------
 * Answers */

/* Queues the one answer to this SMS. 0, or -1 on a database error. */
static int
s_answer(s_sms_t *sms, const char *type, const char *text)
{
    char id[SMS_ID_MAX + 16];
    lp_error_t err;
    lp_error_clear(&err);
    snprintf(id, sizeof id, "sms:%s:reply", sms->kannel_id);
    return intake_tell(sms->self, id, &sms->contact, "sms", sms->lang, type, text, &err);
}

static int
s_help(s_sms_t *sms, bool english)
{
    char text[SMS_TEXT_MAX];
    if (english)
        snprintf(text, sizeof text,
                 "LAPOR! Text your complaint to %s: what, where (village/district), since when. "
                 "Start with ASPIRASI for a suggestion or INFO for a question. Status: STATUS "
                 "<tracking ID>. Answer the agency: BALAS <tracking ID> <answer>.",
                 sms->number);
    else
        snprintf(text, sizeof text,
                 "LAPOR! Kirim pengaduan Anda lewat SMS ke %s: apa, di mana (desa/kecamatan), "
                 "sejak kapan. Awali ASPIRASI untuk aspirasi atau INFO untuk permintaan informasi. "
                 "Cek status: STATUS <nomor lacak>. Jawab petugas: BALAS <nomor lacak> <jawaban>.",
                 sms->number);
    return s_answer(sms, "sms_help", text);
}

/* "5 Des 2026" in WITA (UTC+8), where Kalimantan Timur is. */
static void
s_date(int64_t ms, char *out, size_t size)
{
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun",
                                         "Jul", "Agu", "Sep", "Okt", "Nov", "Des"};
    time_t secs = (time_t) (ms / 1000) + 8 * 3600;
    struct tm tm;
    gmtime_r(&secs, &tm);
    snprintf(out, size, "%d %s %d", tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900);
}

/* A status in plain words. */
static const char *
s_status_words(const char *status)
{
    static const char *const words[][2] = {
        {"received", "diterima, menunggu verifikasi"},
        {"verified", "sudah diverifikasi"},
        {"disposed", "sudah diteruskan ke instansi"},
        {"in_progress", "sedang ditindaklanjuti"},
        {"resolved", "selesai ditindaklanjuti"},
        {"closed", "ditutup"},
        {"postponed", "ditunda, menunggu jawaban Anda"},
        {"archived", "diarsipkan"},
        {"reopened", "dibuka kembali"},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(status, words[i][0]) == 0)
            return words[i][1];
    return status;
}

static int
s_unknown_id(s_sms_t *sms, const char *typed, size_t typed_len)
{
    char text[SMS_TEXT_MAX];
    /* The same words whether the ID does not exist or is not this sender's: an
     * SMS must not tell a stranger which complaints exist. */
    snprintf(text, sizeof text,
             "LAPOR: nomor lacak %.*s tidak kami temukan untuk nomor Anda. Periksa 10 angkanya "
             "lalu kirim lagi, atau kirim BANTUAN.",
             (int) (typed_len > 20 ? 20 : typed_len), typed);
    return s_answer(sms, "sms_unknown_id", text);
}

/* ---------------------------------------------------------------------------------
 * Reading a complaint */

/* The complaint with this tracking ID (projection below), NULL when none; err set
 * on a database error. */
static bson_t *
s_find(intake_t *self, mongoc_collection_t *coll, const char *tracking, lp_error_t *err)
{
    bson_t *filter = BCON_NEW("tracking_id", BCON_UTF8(tracking));
    bson_t *projection =
        BCON_NEW("tracking_id", BCON_INT32(1), "status", BCON_INT32(1), "v", BCON_INT32(1),
                 "agency", BCON_INT32(1), "deadline_at", BCON_INT32(1), "dispose_by", BCON_INT32(1),
                 "reporter.lookup", BCON_INT32(1), "reporter_replies.sms_id", BCON_INT32(1),
                 "question.from_status", BCON_INT32(1));
    bson_t *doc = lp_store_find_one(coll, filter, projection, err);
    if (err->code != LP_ERR_NONE)
        lp_metric_inc(self->db_errors);
    bson_destroy(projection);
    bson_destroy(filter);
    return doc;
}

/* 1 when doc's reporter wrote from this phone, 0 otherwise. */
static bool
s_is_reporter(const s_sms_t *sms, const bson_t *doc)
{
    const char *hash = lp_doc_str(doc, "reporter.lookup.phone");
    return strlen(hash) == LP_IDENTITY_LOOKUP_LEN &&
           sodium_memcmp(hash, sms->lookup, LP_IDENTITY_LOOKUP_LEN) == 0;
}

/* True when doc already holds the reply that came with this Kannel id. */
static bool
s_has_reply(const bson_t *doc, const char *kannel_id)
{
    bson_iter_t it, arr, item;
    if (!bson_iter_init_find(&it, doc, "reporter_replies") || !BSON_ITER_HOLDS_ARRAY(&it) ||
        !bson_iter_recurse(&it, &arr))
        return false;
    while (bson_iter_next(&arr))
        if (BSON_ITER_HOLDS_DOCUMENT(&arr) && bson_iter_recurse(&arr, &item) &&
            bson_iter_find(&item, "sms_id") && BSON_ITER_HOLDS_UTF8(&item) &&
            strcmp(bson_iter_utf8(&item, NULL), kannel_id) == 0)
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------
 * Commands */

static int
s_status(s_sms_t *sms, const intake_sms_cmd_t *cmd)
{
    intake_t *self = sms->self;
    char tracking[LP_TRACKING_LEN + 1], text[SMS_TEXT_MAX], date[40] = "", typed[64];
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *doc = NULL;
    lp_error_t err;
    int rc = 0;

    lp_error_clear(&err);
    snprintf(typed, sizeof typed, "%.*s", (int) (cmd->id_len < 63 ? cmd->id_len : 63), cmd->id);
    if (cmd->id_len == 0)
        return s_answer(
            sms, "sms_help",
            "LAPOR: kirim STATUS diikuti nomor lacak 10 angka, mis. STATUS 4821093756.");
    if (lp_tracking_normalize(typed, tracking) != 0)
        return s_unknown_id(sms, cmd->id, cmd->id_len);
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    doc = s_find(self, coll, tracking, &err);
    if (err.code != LP_ERR_NONE)
        rc = -1;
    else if (!doc)
        rc = s_unknown_id(sms, cmd->id, cmd->id_len);
    else {
        const char *status = lp_doc_str(doc, "status");
        const char *agency = lp_doc_str(doc, "agency.name");
        int64_t deadline = lp_doc_int(doc, "deadline_at");
        int64_t dispose_by = lp_doc_int(doc, "dispose_by");
        size_t n =
            (size_t) snprintf(text, sizeof text, "LAPOR %s: %s.", tracking, s_status_words(status));
        if (*agency && n < sizeof text)
            n += (size_t) snprintf(text + n, sizeof text - n, " Instansi: %s.", agency);
        if (deadline > 0 && strcmp(status, "closed") != 0 && strcmp(status, "resolved") != 0) {
            s_date(deadline, date, sizeof date);
            if (n < sizeof text)
                snprintf(text + n, sizeof text - n, " Batas tindak lanjut: %s.", date);
        }
        else if (dispose_by > 0 && strcmp(status, "received") == 0) {
            s_date(dispose_by, date, sizeof date);
            if (n < sizeof text)
                snprintf(text + n, sizeof text - n, " Batas verifikasi: %s.", date);
        }
        rc = s_answer(sms, "sms_status", text);
    }
    if (doc)
        bson_destroy(doc);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    return rc;
}

/* The reporter's answer goes into the complaint, which returns to whoever asked,
 * as the web reply does (citizen.c): the status the question was asked in, else
 * disposed when an agency holds it, else received (back through the router). */
/* BALAS, TERIMA and TOLAK: the reporter acts on a complaint, proved by writing
 * from the phone number the complaint was filed with. The actions are the same as
 * on the web (citizen.c); only the proof differs. */
static int
s_act(s_sms_t *sms, const intake_sms_cmd_t *cmd)
{
    intake_t *self = sms->self;
    static const char *const usage[] = {
        [INTAKE_SMS_REPLY] = "LAPOR: untuk menjawab petugas kirim BALAS <nomor lacak> <jawaban "
                             "Anda>, mis. BALAS 4821093756 lokasinya di RT 05.",
        [INTAKE_SMS_ACCEPT] = "LAPOR: untuk menerima jawaban kirim TERIMA <nomor lacak>, mis. "
                              "TERIMA 4821093756. Boleh ditambah nilai 1-5: TERIMA 4821093756 5.",
        [INTAKE_SMS_REJECT] = "LAPOR: untuk menolak jawaban kirim TOLAK <nomor lacak> <alasan>, "
                              "mis. TOLAK 4821093756 jalan belum diperbaiki.",
    };
    const intake_via_t via = {"sms", sms->kannel_id};
    char tracking[LP_TRACKING_LEN + 1], text[SMS_TEXT_MAX], typed[64];
    char *body = NULL;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *doc = NULL;
    intake_case_t c;
    const char *to = NULL;
    lp_error_t err;
    int rc = 0, done = 0;

    lp_error_clear(&err);
    snprintf(typed, sizeof typed, "%.*s", (int) (cmd->id_len < 63 ? cmd->id_len : 63), cmd->id);
    if (cmd->id_len == 0 || (cmd->kind != INTAKE_SMS_ACCEPT && cmd->body_len == 0)) {
        rc = s_answer(sms, "sms_help", usage[cmd->kind]);
        goto out;
    }
    if (lp_tracking_normalize(typed, tracking) != 0) {
        rc = s_unknown_id(sms, cmd->id, cmd->id_len);
        goto out;
    }
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    doc = s_find(self, coll, tracking, &err);
    if (err.code != LP_ERR_NONE) {
        rc = -1;
        goto out;
    }
    /* Someone else's complaint looks exactly like a wrong number. */
    if (!doc || !s_is_reporter(sms, doc)) {
        rc = s_unknown_id(sms, cmd->id, cmd->id_len);
        goto out;
    }
    if (s_has_reply(doc, sms->kannel_id) || (done = intake_case_load(coll, tracking, &c)) <= 0) {
        /* Kannel called again after it was stored; or the database failed. */
        rc = done < 0 ? -1 : 0;
        if (done >= 0)
            goto thank;
        goto out;
    }
    /* Control characters in an SMS are noise: keep the words. */
    body = strndup(cmd->body ? cmd->body : "", cmd->body_len);
    if (!body) {
        rc = -1;
        goto out;
    }
    for (char *p = body; *p; p++)
        if ((unsigned char) *p < 0x20)
            *p = ' ';
    if (cmd->kind == INTAKE_SMS_REPLY)
        done = intake_citizen_reply(self, coll, &c, body, &via, &to, &err);
    else if (cmd->kind == INTAKE_SMS_ACCEPT) {
        /* "TERIMA <id> 5": an optional rating. */
        int rating = cmd->body_len == 1 && *body >= '1' && *body <= '5' ? *body - '0' : 0;
        done = intake_citizen_accept(self, coll, &c, rating, NULL, &via, &err);
    }
    else
        done = intake_citizen_reject(self, coll, &c, body, &via, &err);
    if (done == 0 || (done < 0 && err.code == LP_ERR_DATABASE)) {
        rc = -1; /* it moved meanwhile, or the database failed: Kannel calls again */
        goto out;
    }
    if (done < 0) {
        snprintf(text, sizeof text, "LAPOR %s: %s (status: %s).", tracking,
                 cmd->kind == INTAKE_SMS_REPLY    ? "jawaban Anda belum dapat kami terima"
                 : cmd->kind == INTAKE_SMS_ACCEPT ? "pengaduan ini belum dapat diterima"
                                                  : "pengaduan ini tidak dapat dibuka kembali",
                 s_status_words(c.status));
        rc = s_answer(sms, "sms_action_refused", text);
        goto out;
    }
    lp_log(LP_LOG_INFO, "sms.action", "{s:s,s:s,s:s}", "tracking_id", tracking, "to",
           to ? to : c.status, "sms_id", sms->kannel_id);
thank:
    snprintf(
        text, sizeof text, "LAPOR %s: %s", tracking,
        cmd->kind == INTAKE_SMS_REPLY ? "terima kasih, jawaban Anda sudah kami teruskan ke "
                                        "petugas."
        : cmd->kind == INTAKE_SMS_ACCEPT
            ? "terima kasih, pengaduan ditutup."
            : "pengaduan dibuka kembali dan dikembalikan ke instansi dengan batas waktu baru.");
    rc = s_answer(sms, "sms_action_done", text);
out:
    free(body);
    if (doc)
        bson_destroy(doc);
    if (coll)
        mongoc_collection_destroy(coll);
    if (client)
        lp_store_push(self->svc.store, client);
    return rc;
}

static int
s_complaint(s_sms_t *sms, const intake_sms_cmd_t *cmd)
{
    intake_t *self = sms->self;
    intake_complaint_t c;
    intake_submit_opts_t opts = {.channel = LAPOR__V1__CHANNEL__CHANNEL_SMS};
    intake_receipt_t receipt;
    const lp_refdata_t *refdata = self->svc.refdata;
    const lp_region_t *regions = NULL, *region = NULL;
    char key[SMS_ID_MAX + 8], title[INTAKE_SMS_TITLE_MAX * 4 + 1], text[SMS_TEXT_MAX];
    size_t n_regions = 0;
    int64_t retry_s = 0;
    lp_error_t err;
    int rc = 0;

    memset(&c, 0, sizeof c);
    lp_error_clear(&err);
    c.body = strndup(cmd->body, cmd->body_len);
    if (!c.body)
        return -1;
    for (char *p = c.body; *p; p++)
        if (((unsigned char) *p < 0x20 && *p != '\n') || *p == 0x7F)
            *p = ' ';
    if (intake_utf8_length(c.body) < INTAKE_BODY_MIN) {
        rc = s_answer(sms, "sms_too_short",
                      "LAPOR: pesan Anda terlalu pendek untuk diproses. Ceritakan apa, di mana "
                      "dan sejak kapan (paling sedikit 10 huruf), atau kirim BANTUAN.");
        goto done;
    }
    /* The per-phone limit of complaints (rate.c): one polite SMS, then silence. */
    switch (intake_rate_phone(self, sms->contact.phone, &retry_s)) {
    case INTAKE_RATE_OK:
        break;
    case INTAKE_RATE_NOTICE:
        snprintf(text, sizeof text,
                 "LAPOR: Anda sudah mengirim banyak pengaduan. Silakan kirim lagi dalam %lld "
                 "menit. Terima kasih.",
                 (long long) (retry_s + 59) / 60);
        rc = s_answer(sms, "sms_rate_limited", text);
        goto done;
    case INTAKE_RATE_QUIET:
        goto done;
    }
    intake_sms_title(c.body, strlen(c.body), title, sizeof title);
    regions = lp_refdata_regions(refdata, &n_regions);
    region = intake_sms_region(c.body, strlen(c.body), regions, n_regions);
    c.type = cmd->type;
    c.privacy = LAPOR__V1__PRIVACY__PRIVACY_PUBLIC;
    c.title = strdup(title);
    c.region = strdup(region ? region->code : SMS_DEFAULT_REGION);
    c.reporter_phone = strdup(sms->contact.phone);
    snprintf(c.lang, sizeof c.lang, "%s", sms->lang);
    if (!c.title || !c.region || !c.reporter_phone) {
        rc = -1;
        goto done;
    }
    snprintf(key, sizeof key, "sms:%s", sms->kannel_id);
    opts.idempotency_key = key;
    if (intake_submit(self, &c, &opts, &receipt, &err) != 0) {
        lp_log(LP_LOG_WARN, "sms.not_stored", "{s:s,s:s}", "sms_id", sms->kannel_id, "message",
               err.message);
        rc = -1;
        goto done;
    }
    lp_log(LP_LOG_INFO, "sms.complaint", "{s:s,s:s,s:s,s:b,s:b}", "sms_id", sms->kannel_id,
           "tracking_id", receipt.tracking_id, "region", c.region, "replayed", receipt.replayed,
           "duplicate", receipt.duplicate);
    /* A new complaint: the notifier sends "received, tracking ID ..." from the
     * submitted event. A near-duplicate makes no event, so the answer is ours. */
    if (receipt.duplicate) {
        snprintf(text, sizeof text,
                 "LAPOR: pengaduan yang sama sudah kami terima dengan nomor lacak %s. Cek: "
                 "STATUS %s.",
                 receipt.tracking_id, receipt.tracking_id);
        rc = s_answer(sms, "duplicate", text);
    }
done:
    intake_complaint_clear(&c);
    return rc;
}

/* ---------------------------------------------------------------------------------
 * The handler */

static bool
s_token_ok(intake_t *self, lp_http_req_t *req)
{
    const char *want = self->config->sms_token;
    const char *got = lp_http_query(req, "token");
    if (!want || !*want)
        return true;
    return got && strlen(got) == strlen(want) && sodium_memcmp(got, want, strlen(want)) == 0;
}

/* The number to write to, as Kannel gave it (%P); only digits and '+'. */
static const char *
s_number(lp_http_req_t *req)
{
    const char *to = lp_http_query(req, "to");
    if (!to || !*to || strlen(to) > 20 || strspn(to, "+0123456789") != strlen(to))
        return "LAPOR";
    return to;
}

void
intake_sms_handle(intake_t *self, lp_http_req_t *req)
{
    const char *kannel_id = lp_http_query(req, "id");
    const char *from = lp_http_query(req, "from");
    const char *text = lp_http_query(req, "text");
    intake_sms_cmd_t cmd;
    s_sms_t sms;
    int rc = 0;

    if (strcmp(lp_http_method(req), "GET") != 0) {
        lp_http_add_header(req, "Allow", "GET");
        lp_http_reply_error(req, 405, NULL, "Kannel calls this with GET");
        return;
    }
    if (!s_token_ok(self, req)) {
        lp_log(LP_LOG_WARN, "sms.unauthorized", "{s:s}", "ip", lp_http_client_ip(req));
        lp_http_reply_error(req, 403, "token", "not Kannel's token");
        return;
    }
    if (!kannel_id || !*kannel_id || strlen(kannel_id) > SMS_ID_MAX ||
        strspn(kannel_id, SMS_ID_CHARS) != strlen(kannel_id)) {
        lp_http_reply_error(req, 400, "id", "Kannel's message id (%I) is required");
        return;
    }
    memset(&sms, 0, sizeof sms);
    sms.self = self;
    sms.kannel_id = kannel_id;
    sms.number = s_number(req);
    sms.lang = "id";
    if (!from || strlen(from) > 32 ||
        intake_phone_normalize(from, sms.contact.phone, sizeof sms.contact.phone) != 0) {
        /* Not an Indonesian mobile number (an operator's short code, a service):
         * nothing to store and nobody to answer. 200, so Kannel does not retry. */
        lp_log(LP_LOG_INFO, "sms.ignored", "{s:s,s:s}", "sms_id", kannel_id, "reason",
               "the sender is not an Indonesian phone number");
        lp_http_reply(req, 200, "text/plain; charset=utf-8", "", 0);
        return;
    }
    lp_identity_lookup(self->identity, sms.contact.phone, sms.lookup);

    intake_sms_parse(text ? text : "", text ? strlen(text) : 0, &cmd);
    if (cmd.english)
        sms.lang = "en";
    switch (cmd.kind) {
    case INTAKE_SMS_EMPTY:
    case INTAKE_SMS_HELP:
        rc = s_help(&sms, cmd.english);
        break;
    case INTAKE_SMS_INVALID:
        rc = s_answer(&sms, "sms_invalid",
                      cmd.too_long ? "LAPOR: maaf, pesan Anda terlalu panjang (paling banyak 1600 "
                                     "huruf). Ringkas pengaduan Anda lalu kirim lagi."
                                   : "LAPOR: maaf, pesan Anda tidak terbaca. Kirim lagi dengan "
                                     "huruf biasa, atau kirim BANTUAN untuk petunjuk.");
        break;
    case INTAKE_SMS_STATUS:
        rc = s_status(&sms, &cmd);
        break;
    case INTAKE_SMS_REPLY:
    case INTAKE_SMS_ACCEPT:
    case INTAKE_SMS_REJECT:
        rc = s_act(&sms, &cmd);
        break;
    case INTAKE_SMS_COMPLAINT:
        rc = s_complaint(&sms, &cmd);
        break;
    }
    sodium_memzero(&sms.contact, sizeof sms.contact);
    if (rc != 0) {
        /* Nothing half-done is lost: Kannel calls again with the same id. */
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "could not store the SMS now; call again");
        return;
    }
    lp_http_reply(req, 200, "text/plain; charset=utf-8", "", 0);
}
