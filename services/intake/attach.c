/* attach: uploads cleaned, stored and referred to; files served by privacy. */
#include "attach.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "citizen.h"
#include "desk.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_log.h"
#include "media.h"
#include "view.h"

#define ATTACH_API_SUFFIX "/attachments"
#define SWEEP_EVERY_MS 60000
#define SWEEP_BATCH 50
/* Served files may be opened directly: no script, no plugin, no form, no frame. */
#define FILE_CSP "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

/* -------------------------------------------------------------------------- */
/* Receiving (the sink of lp_http's streamed uploads)                         */

/* The paths that take files; any other multipart request is read as usual. */
static bool
s_upload_path(const char *path)
{
    size_t len = strlen(path);
    const char *api = "/api/v1/complaints/";
    return strcmp(path, "/lapor") == 0 || strcmp(path, "/open311/v2/requests.json") == 0 ||
           strcmp(path, "/open311/v2/requests.xml") == 0 ||
           (strncmp(path, api, strlen(api)) == 0 && len > strlen(ATTACH_API_SUFFIX) &&
            strcmp(path + len - strlen(ATTACH_API_SUFFIX), ATTACH_API_SUFFIX) == 0);
}

static void *
s_upload_begin(void *arg, lp_http_req_t *req)
{
    intake_t *self = arg;
    const intake_config_t *cfg = self->config;
    if (!s_upload_path(lp_http_path(req)))
        return NULL;
    return intake_upload_new(cfg->spool_dir, (size_t) cfg->attach_max_files,
                             (uint64_t) cfg->attach_max_bytes);
}

static int
s_upload_piece(void *sink, const char *field, const char *filename, const char *content_type,
               uint64_t off, const char *data, size_t size)
{
    return intake_upload_piece(sink, field, filename, content_type, off, data, size);
}

static void
s_upload_end(void *sink)
{
    intake_upload_t *up = sink;
    intake_upload_destroy(&up);
}

intake_upload_t *
intake_attach_upload(lp_http_req_t *req)
{
    return lp_http_upload_state(req);
}

/* -------------------------------------------------------------------------- */
/* Start and stop                                                              */

static void
s_sweep(lp_loop_t *loop, void *arg)
{
    intake_t *self = arg;
    lp_error_t err;
    lp_error_clear(&err);
    if (lp_attach_sweep(self->svc.store, self->config->attach_orphan_ms, SWEEP_BATCH, &err) < 0)
        lp_log(LP_LOG_WARN, "database.error", "{s:s,s:s}", "step", "attachment sweep", "message",
               err.message);
}

int
intake_attach_start(intake_t *self)
{
    const intake_config_t *cfg = self->config;

    self->svc.upload.begin = s_upload_begin;
    self->svc.upload.piece = s_upload_piece;
    self->svc.upload.end = s_upload_end;
    /* Every file at its limit, the form's text and the multipart framing. */
    self->svc.upload.max_body =
        (size_t) cfg->attach_max_files * (size_t) cfg->attach_max_bytes + 1024 * 1024;
    lp_loop_add_timer(self->svc.loop,
                      cfg->attach_orphan_ms < SWEEP_EVERY_MS ? cfg->attach_orphan_ms
                                                             : SWEEP_EVERY_MS,
                      s_sweep, self);
    return 0;
}

/* -------------------------------------------------------------------------- */
/* Cleaning and storing                                                        */

/* A PDF ends with %%EOF in its last kilobyte; one cut short does not. */
static bool
s_pdf_complete(const char *path)
{
    char tail[1024];
    struct stat st;
    ssize_t n = 0;
    int fd = open(path, O_RDONLY);
    bool ok = false;

    if (fd < 0)
        return false;
    if (fstat(fd, &st) == 0) {
        off_t from = st.st_size > (off_t) sizeof tail ? st.st_size - (off_t) sizeof tail : 0;
        n = pread(fd, tail, sizeof tail, from);
        for (ssize_t i = 0; i + 5 <= n && !ok; i++)
            ok = memcmp(tail + i, "%%EOF", 5) == 0;
    }
    close(fd);
    return ok;
}

static int
s_temp(const char *dir, char *path, size_t size)
{
    const char *tmp = getenv("TMPDIR");
    int fd;
    snprintf(path, size, "%s/lapor-clean-XXXXXX", dir && *dir ? dir : tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) {
        path[0] = '\0';
        return -1;
    }
    close(fd);
    return 0;
}

/* True when the declared type or the name's extension names an accepted type
 * other than the one the bytes have. */
static bool
s_claims_other(const intake_upload_file_t *f, lp_sniff_type_t type)
{
    static const struct {
        const char *ext;
        lp_sniff_type_t type;
    } exts[] = {{".jpg", LP_SNIFF_JPEG}, {".jpeg", LP_SNIFF_JPEG}, {".jpe", LP_SNIFF_JPEG},
                {".png", LP_SNIFF_PNG},  {".webp", LP_SNIFF_WEBP}, {".pdf", LP_SNIFF_PDF}};
    const char *dot = strrchr(f->name, '.');

    for (int t = LP_SNIFF_JPEG; t <= LP_SNIFF_PDF; t++)
        if (t != (int) type && strcasecmp(f->declared, lp_sniff_mime((lp_sniff_type_t) t)) == 0)
            return true;
    for (size_t i = 0; dot && i < sizeof exts / sizeof exts[0]; i++)
        if (strcasecmp(dot, exts[i].ext) == 0 && exts[i].type != type)
            return true;
    return false;
}

/* The quick checks of every file, before any is cleaned: count, size, type. */
static int
s_check(intake_t *self, intake_upload_t *up, unsigned *status, lp_error_t *err)
{
    const intake_config_t *cfg = self->config;
    size_t n = intake_upload_count(up);

    if (intake_upload_extra(up) > 0) {
        const intake_upload_file_t *f = intake_upload_file(up, 0);
        *status = 400;
        lp_error_set(err, LP_ERR_INVALID, f ? f->field : "file",
                     "at most %ld files may be attached; %zu were sent", cfg->attach_max_files,
                     n + intake_upload_extra(up));
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const intake_upload_file_t *f = intake_upload_file(up, i);
        lp_sniff_type_t type = lp_sniff_type(f->head, f->head_len);
        if (f->too_big) {
            *status = 413;
            lp_error_set(err, LP_ERR_INVALID, f->field,
                         "file \"%s\" is larger than %ld bytes (%.1f MB), the most accepted",
                         f->name, cfg->attach_max_bytes, cfg->attach_max_bytes / 1048576.0);
            return -1;
        }
        if (type == LP_SNIFF_UNKNOWN) {
            *status = 415;
            lp_error_set(err, LP_ERR_INVALID, f->field,
                         "file \"%s\" is not a JPEG, PNG, WebP or PDF file (its content was "
                         "checked, not its name)",
                         f->name);
            return -1;
        }
        /* The bytes decide; a file that says it is another accepted type than it is
         * (a PDF sent as a photo) is refused rather than passed on as something
         * the sender did not mean. */
        if (s_claims_other(f, type)) {
            *status = 415;
            lp_error_set(err, LP_ERR_INVALID, f->field,
                         "file \"%s\" is a %s file but was sent as %s; send it as what it is",
                         f->name, lp_sniff_name(type),
                         f->declared[0] ? f->declared : "another type");
            return -1;
        }
        if (type == LP_SNIFF_PDF && !s_pdf_complete(f->path)) {
            *status = 400;
            lp_error_set(err, LP_ERR_INVALID, f->field, "file \"%s\" is a damaged or cut short PDF",
                         f->name);
            return -1;
        }
    }
    return 0;
}

/* Cleans one file and stores it (and its thumbnail) as ref. */
static int
s_store_one(intake_t *self, mongoc_client_t *client, const intake_upload_file_t *f, bool personal,
            lp_attach_ref_t *ref, unsigned *status, lp_error_t *err)
{
    const intake_config_t *cfg = self->config;
    intake_media_limits_t limits = {.max_pixels = cfg->attach_max_pixels,
                                    .long_side = (int) cfg->attach_long_side};
    char clean[256] = "", thumb[256] = "";
    const char *stored = f->path;
    lp_error_t why;
    struct stat st;
    int width = 0, height = 0, rc = -1;

    memset(ref, 0, sizeof *ref);
    lp_error_clear(&why);
    lp_attach_new_id(ref->id);
    ref->type = lp_sniff_type(f->head, f->head_len);
    ref->personal = personal;
    ref->created_at = lp_now_ms();
    if (lp_sniff_is_image(ref->type)) {
        if (s_temp(cfg->spool_dir, clean, sizeof clean) != 0 ||
            s_temp(cfg->spool_dir, thumb, sizeof thumb) != 0) {
            *status = 503;
            lp_error_set(err, LP_ERR_SYSTEM, f->field, "no room to clean file \"%s\"", f->name);
            goto done;
        }
        if (intake_media_clean(f->path, ref->type, &limits, clean, thumb, &width, &height, &why) !=
            0) {
            *status = why.code == LP_ERR_INVALID ? 400 : 503;
            lp_error_set(err, why.code, f->field, "file \"%s\" %s", f->name, why.message);
            goto done;
        }
        stored = clean;
        ref->width = width;
        ref->height = height;
    }
    if (stat(stored, &st) != 0) {
        *status = 503;
        lp_error_set(err, LP_ERR_SYSTEM, f->field, "file \"%s\" could not be read back", f->name);
        goto done;
    }
    ref->size = (int64_t) st.st_size;
    if (lp_attach_put(self->svc.store, client, stored, ref->id, "file", lp_sniff_mime(ref->type),
                      &ref->file, err) != 0)
        goto db_failed;
    if (lp_sniff_is_image(ref->type)) {
        if (lp_attach_put(self->svc.store, client, thumb, ref->id, "thumb", "image/jpeg",
                          &ref->thumb, err) != 0)
            goto db_failed;
        ref->has_thumb = true;
    }
    rc = 0;
    goto done;
db_failed:
    *status = 503;
    lp_metric_inc(self->db_errors);
    lp_log(LP_LOG_WARN, "attachment.not_stored", "{s:s}", "message", err->message);
    lp_attach_delete(self->svc.store, client, ref->id, &why);
done:
    if (clean[0])
        unlink(clean);
    if (thumb[0])
        unlink(thumb);
    return rc;
}

int
intake_attach_store(intake_t *self, intake_upload_t *up, bool personal, intake_attachments_t *out,
                    unsigned *status, lp_error_t *err)
{
    mongoc_client_t *client = NULL;
    size_t n = intake_upload_count(up);
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (s_check(self, up, status, err) != 0)
        goto refused;
    client = lp_store_pop(self->svc.store);
    for (size_t i = 0; i < n && i < INTAKE_ATTACH_MAX; i++) {
        if (s_store_one(self, client, intake_upload_file(up, i), personal, &out->refs[out->n],
                        status, err) != 0)
            goto refused;
        out->n++;
    }
    rc = 0;
refused:
    if (client)
        lp_store_push(self->svc.store, client);
    if (rc != 0) {
        intake_attach_discard(self, out);
        lp_log(LP_LOG_INFO, "attachment.refused", "{s:s,s:i}", "message", err->message, "status",
               (int) *status);
    }
    return rc;
}

void
intake_attach_discard(intake_t *self, intake_attachments_t *a)
{
    mongoc_client_t *client = NULL;
    lp_error_t err;

    if (a->n == 0)
        return;
    client = lp_store_pop(self->svc.store);
    for (size_t i = 0; i < a->n; i++) {
        lp_error_clear(&err);
        /* A failure here leaves the files to lp_attach_sweep: nothing refers to them. */
        if (lp_attach_delete(self->svc.store, client, a->refs[i].id, &err) < 0)
            lp_log(LP_LOG_WARN, "database.error", "{s:s,s:s}", "step", "discard an attachment",
                   "message", err.message);
    }
    lp_store_push(self->svc.store, client);
    a->n = 0;
}

void
intake_attach_append(const intake_attachments_t *a, bson_t *array)
{
    char key[24];
    for (size_t i = 0; i < a->n; i++) {
        snprintf(key, sizeof key, "%zu", i);
        lp_attach_ref_append(array, key, &a->refs[i]);
    }
}

int
intake_attach_push(intake_t *self, const bson_oid_t *oid, intake_attachments_t *a, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(self->svc.store);
    mongoc_collection_t *coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    intake_attachments_t left = {.n = 0};
    int added = 0, rc = 0;

    for (size_t i = 0; i < a->n; i++) {
        rc = rc < 0 ? rc
                    : lp_attach_push(coll, oid, &a->refs[i], (int) self->config->attach_max_files,
                                     err);
        if (rc > 0)
            added++;
        else
            left.refs[left.n++] = a->refs[i];
    }
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    intake_attach_discard(self, &left);
    if (rc < 0) {
        lp_metric_inc(self->db_errors);
        return -1;
    }
    return added;
}

/* -------------------------------------------------------------------------- */
/* Views                                                                       */

/* -------------------------------------------------------------------------- */
/* Serving                                                                     */

static ssize_t
s_read(void *arg, char *buf, size_t max)
{
    return lp_attach_reader_read(arg, buf, max);
}

static void
s_reader_free(void *arg)
{
    lp_attach_reader_t *reader = arg;
    lp_attach_reader_destroy(&reader);
}

void
intake_attach_send(intake_t *self, lp_http_req_t *req, const lp_attach_ref_t *ref, bool thumb)
{
    lp_attach_reader_t *reader = NULL;
    lp_sniff_type_t type = thumb ? LP_SNIFF_JPEG : ref->type;
    char disposition[96];
    lp_error_t err;

    lp_error_clear(&err);
    if (thumb && !ref->has_thumb) {
        lp_http_reply_error(req, 404, NULL, "this attachment has no thumbnail");
        return;
    }
    reader = lp_attach_reader_new(self->svc.store, thumb ? &ref->thumb : &ref->file, &err);
    if (!reader) {
        if (err.code == LP_ERR_NOT_FOUND)
            lp_http_reply_error(req, 404, NULL, "no such file");
        else {
            lp_metric_inc(self->db_errors);
            lp_http_add_header(req, "Retry-After", "5");
            lp_http_reply_error(req, 503, NULL, "the file cannot be read now; try again");
        }
        return;
    }
    /* A PDF is downloaded, never shown inside our pages' origin; a picture is shown. */
    snprintf(disposition, sizeof disposition, "%s; filename=\"lampiran-%.8s%s.%s\"",
             type == LP_SNIFF_PDF ? "attachment" : "inline", ref->id, thumb ? "-kecil" : "",
             type == LP_SNIFF_JPEG ? "jpg" : lp_sniff_name(type));
    lp_http_add_header(req, "Content-Disposition", disposition);
    lp_http_add_header(req, "Content-Security-Policy", FILE_CSP);
    lp_http_add_header(req, "Cross-Origin-Resource-Policy", "same-origin");
    lp_http_reply_stream(req, 200, lp_sniff_mime(type), s_read, reader, s_reader_free);
}

bool
intake_attach_public(intake_t *self, lp_http_req_t *req)
{
    const char *path = lp_http_path(req), *method = lp_http_method(req);
    char aid[LP_ATTACH_ID_LEN + 1];
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    lp_attach_ref_t ref;
    lp_error_t err;
    bool thumb = false;

    if (strncmp(path, INTAKE_MEDIA_PREFIX, strlen(INTAKE_MEDIA_PREFIX)) != 0)
        return false;
    path += strlen(INTAKE_MEDIA_PREFIX);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        lp_http_add_header(req, "Allow", "GET");
        lp_http_reply_error(req, 405, NULL, "use GET");
        return true;
    }
    snprintf(aid, sizeof aid, "%.*s", LP_ATTACH_ID_LEN, path);
    thumb = strcmp(path + strlen(aid), "/thumb") == 0;
    if (!lp_attach_id_ok(aid) || (path[strlen(aid)] && !thumb)) {
        lp_http_reply_error(req, 404, NULL, "no such file");
        return true;
    }
    lp_error_clear(&err);
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    filter = BCON_NEW("attachments.id", BCON_UTF8(aid));
    projection = BCON_NEW("privacy", BCON_INT32(1), "attachments", BCON_INT32(1));
    doc = lp_store_find_one(coll, filter, projection, &err);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
    if (!doc && err.code != LP_ERR_NONE) {
        lp_metric_inc(self->db_errors);
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the file cannot be read now; try again");
    }
    /* Only a public complaint's files are public, and never one marked personal;
     * anything else answers exactly like no file at all. */
    else if (!doc || strcmp(lp_doc_str(doc, "privacy"), "public") != 0 ||
             !lp_attach_ref_find(doc, aid, &ref) || ref.personal)
        lp_http_reply_error(req, 404, NULL, "no such file");
    else
        intake_attach_send(self, req, &ref, thumb);
    if (doc)
        bson_destroy(doc);
    bson_destroy(projection);
    bson_destroy(filter);
    return true;
}

/* -------------------------------------------------------------------------- */
/* Adding files to a stored complaint (JSON API)                               */

void
intake_attach_refuse(lp_http_req_t *req, unsigned status, const lp_error_t *err)
{
    if (status == 503)
        lp_http_add_header(req, "Retry-After", "5");
    lp_http_reply_error(req, status, err->field, err->message);
}

static bool
s_yes(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "on") == 0 ||
                 strcmp(v, "ya") == 0);
}

static void
s_full(lp_http_req_t *req, const char *field, size_t have, long max)
{
    char message[160];
    snprintf(
        message, sizeof message,
        "this complaint has %zu attachments; at most %ld are allowed, the files were not added",
        have, max);
    lp_http_reply_error(req, 409, field, message);
}

void
intake_attach_api_post(intake_t *self, lp_http_req_t *req, const char *raw_id)
{
    intake_upload_t *up = intake_attach_upload(req);
    const intake_urlform_t *form = NULL;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL, *projection = NULL, *doc = NULL;
    intake_attachments_t stored = {.n = 0};
    char tracking[LP_TRACKING_LEN + 1];
    const char *pin = NULL;
    intake_case_t c;
    lp_attach_ref_t ref;
    size_t have = 0;
    unsigned status = 400;
    lp_error_t err;
    int found = 0, added = 0;
    json_t *list = NULL;

    lp_error_clear(&err);
    if (strcmp(lp_http_method(req), "POST") != 0) {
        lp_http_add_header(req, "Allow", "POST");
        lp_http_reply_error(req, 405, NULL, "use POST to add attachments");
        return;
    }
    if (!intake_rate_allow(self, req))
        return;
    if (!up) {
        lp_http_reply_error(req, 415, NULL, "send the files as multipart/form-data");
        return;
    }
    if (!(form = intake_upload_finish(up, &err))) {
        lp_http_reply_error(req, 400, err.field, err.message);
        return;
    }
    client = lp_store_pop(self->svc.store);
    coll = lp_store_collection(self->svc.store, client, LP_COLL_COMPLAINTS);
    found = lp_tracking_normalize(raw_id, tracking) == 0 ? intake_case_load(coll, tracking, &c) : 0;
    if (found <= 0) {
        if (found < 0) {
            lp_metric_inc(self->db_errors);
            lp_http_add_header(req, "Retry-After", "5");
            lp_http_reply_error(req, 503, NULL, "the complaint cannot be read now; try again");
        }
        else
            lp_http_reply_error(req, 404, "tracking_id", "no complaint has this tracking ID");
        goto done;
    }
    filter = BCON_NEW("_id", BCON_OID(&c.oid));
    projection = BCON_NEW("created_at", BCON_INT32(1), "attachments", BCON_INT32(1), "privacy",
                          BCON_INT32(1), "tracking_id", BCON_INT32(1));
    if (!(doc = lp_store_find_one(coll, filter, projection, &err))) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the complaint cannot be read now; try again");
        goto done;
    }
    /* Right after submitting, the reporter's browser or app may add files without
     * more proof; later only with the PIN. */
    pin = intake_urlform_get(form, "pin");
    if (lp_now_ms() - lp_doc_int(doc, "created_at") > self->config->attach_window_s * 1000) {
        if (!pin || !*pin) {
            lp_http_reply_error(req, 403, "pin",
                                "the time to add files without the PIN is over; give the PIN");
            goto done;
        }
        switch (intake_citizen_pin_check(self, coll, &c, pin, lp_http_client_ip(req))) {
        case INTAKE_PIN_OK:
            break;
        case INTAKE_PIN_WRONG:
            lp_http_reply_error(req, 403, "pin", "is not this complaint's PIN");
            goto done;
        case INTAKE_PIN_WRONG_LOCKED:
        case INTAKE_PIN_LOCKED:
            lp_http_add_header(req, "Retry-After", "900");
            lp_http_reply_error(req, 429, "pin", "too many wrong PINs; try again later");
            goto done;
        case INTAKE_PIN_ERROR:
            lp_http_add_header(req, "Retry-After", "5");
            lp_http_reply_error(req, 503, NULL, "the PIN cannot be checked now; try again");
            goto done;
        }
    }
    while (lp_attach_ref_at(doc, have, &ref))
        have++;
    if (intake_upload_count(up) == 0 && intake_upload_extra(up) == 0) {
        lp_http_reply_error(req, 400, "file", "send at least one file");
        goto done;
    }
    /* More files than one complaint may have at all is the request's fault (400,
     * from intake_attach_store); more than the room left is a conflict. */
    if (intake_upload_extra(up) == 0 &&
        have + intake_upload_count(up) > (size_t) self->config->attach_max_files) {
        s_full(req, intake_upload_file(up, 0)->field, have, self->config->attach_max_files);
        goto done;
    }
    if (intake_attach_store(self, up, s_yes(intake_urlform_get(form, "personal")), &stored, &status,
                            &err) != 0) {
        intake_attach_refuse(req, status, &err);
        goto done;
    }
    /* What was stored, as the complaint's agency would list it (the public paths
     * only when the public may open them). */
    list = json_array();
    for (size_t i = 0; i < stored.n; i++) {
        const lp_attach_ref_t *r = &stored.refs[i];
        bool shown = strcmp(lp_doc_str(doc, "privacy"), "public") == 0 && !r->personal;
        char url[64];
        snprintf(url, sizeof url, INTAKE_MEDIA_PREFIX "%s", r->id);
        json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:i,s:i,s:b,s:o}", "id", r->id, "type",
                                              lp_sniff_mime(r->type), "size", (json_int_t) r->size,
                                              "width", (int) r->width, "height", (int) r->height,
                                              "personal", r->personal, "url",
                                              shown ? json_string(url) : json_null()));
    }
    added = intake_attach_push(self, &c.oid, &stored, &err);
    stored.n = 0; /* pushed or deleted by intake_attach_push */
    if (added < 0) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the files could not be stored now; nothing was saved");
    }
    else if ((size_t) added < json_array_size(list))
        s_full(req, intake_upload_file(up, 0)->field, have, self->config->attach_max_files);
    else {
        lp_log(LP_LOG_INFO, "attachment.added", "{s:s,s:i}", "tracking_id", c.tracking, "count",
               added);
        lp_http_reply_json(req, 201,
                           json_pack("{s:s,s:O}", "tracking_id", c.tracking, "attachments", list));
    }
done:
    json_decref(list);
    intake_attach_discard(self, &stored);
    if (doc)
        bson_destroy(doc);
    if (projection)
        bson_destroy(projection);
    if (filter)
        bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->svc.store, client);
}
