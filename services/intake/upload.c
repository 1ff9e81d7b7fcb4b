/* upload: a streamed multipart request: fields in memory, files in spool files. */
#include "upload.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_PARTS (INTAKE_URLFORM_MAX_PAIRS + 16)

struct intake_upload_t {
    char dir[200];
    size_t max_files;
    uint64_t max_bytes;
    intake_urlform_t *form;
    intake_upload_file_t *files; /* max_files of them */
    size_t n_files, extra, parts;
    int fd; /* the spool file being written, or -1 */
    /* The part being received. */
    bool in_part, is_file, dropping;
    uint64_t part_size; /* bytes of the current part so far */
    char field[INTAKE_URLFORM_MAX_NAME + 1];
    char *text; /* a plain field's value so far */
    size_t text_len, text_total;
    bool text_bad; /* over the limits: refused at finish */
    intake_upload_file_t *file;
    crypto_hash_sha256_state digest;
    lp_error_t problem; /* the first thing wrong with the fields */
};

intake_upload_t *
intake_upload_new(const char *dir, size_t max_files, uint64_t max_bytes)
{
    intake_upload_t *self = calloc(1, sizeof *self);
    const char *tmp = getenv("TMPDIR");

    if (!self)
        return NULL;
    self->files = calloc(max_files ? max_files : 1, sizeof *self->files);
    self->form = intake_urlform_new();
    if (!self->files || !self->form) {
        intake_upload_destroy(&self);
        return NULL;
    }
    snprintf(self->dir, sizeof self->dir, "%s", dir && *dir ? dir : tmp && *tmp ? tmp : "/tmp");
    self->max_files = max_files;
    self->max_bytes = max_bytes;
    self->fd = -1;
    crypto_hash_sha256_init(&self->digest);
    lp_error_clear(&self->problem);
    return self;
}

void
intake_upload_destroy(intake_upload_t **self_p)
{
    intake_upload_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->fd >= 0)
        close(self->fd);
    for (size_t i = 0; self->files && i < self->n_files; i++)
        if (self->files[i].path[0])
            unlink(self->files[i].path);
    free(self->files);
    free(self->text);
    intake_urlform_destroy(&self->form);
    free(self);
    *self_p = NULL;
}

/* Keeps the client's file name for messages: printable ASCII, shortened. */
static void
s_clean_name(char *out, size_t size, const char *name)
{
    size_t n = 0;
    for (const char *p = name ? name : ""; *p && n + 1 < size; p++)
        out[n++] = (*p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\') ? *p : '_';
    out[n] = '\0';
    if (n == 0)
        snprintf(out, size, "%s", "(tanpa nama)");
}

/* Ends the part being received: a plain field joins the form. */
static void
s_end_part(intake_upload_t *self)
{
    lp_error_t err;

    if (!self->in_part)
        return;
    self->in_part = false;
    if (self->fd >= 0) {
        close(self->fd);
        self->fd = -1;
    }
    if (self->is_file)
        return;
    lp_error_clear(&err);
    if (self->text_bad) {
        if (self->problem.code == LP_ERR_NONE)
            lp_error_set(&self->problem, LP_ERR_INVALID, self->field,
                         "the form's text is longer than %d bytes", INTAKE_UPLOAD_MAX_TEXT);
    }
    else if (intake_urlform_add(self->form, self->field, self->text ? self->text : "",
                                self->text_len, &err) != 0 &&
             self->problem.code == LP_ERR_NONE)
        self->problem = err;
    self->text_len = 0;
}

static void
s_begin_part(intake_upload_t *self, const char *field, const char *filename)
{
    s_end_part(self);
    self->in_part = true;
    self->is_file = filename != NULL;
    self->dropping = false;
    self->file = NULL;
    self->text_bad = false;
    self->part_size = 0;
    snprintf(self->field, sizeof self->field, "%s", field);
    if (strlen(field) > INTAKE_URLFORM_MAX_NAME || ++self->parts > MAX_PARTS) {
        self->text_bad = true;
        self->dropping = true;
        if (self->problem.code == LP_ERR_NONE)
            lp_error_set(&self->problem, LP_ERR_INVALID, NULL,
                         "the form has too many parts or a name longer than %d bytes",
                         INTAKE_URLFORM_MAX_NAME);
    }
}

/* Opens the spool file of a file part on its first byte; an empty file part (a
 * form's file input left empty) makes nothing. */
static int
s_open_file(intake_upload_t *self, const char *filename, const char *content_type)
{
    intake_upload_file_t *f = NULL;

    if (self->n_files >= self->max_files) {
        self->extra++;
        self->dropping = true;
        return 0;
    }
    f = &self->files[self->n_files++];
    memset(f, 0, sizeof *f);
    snprintf(f->field, sizeof f->field, "%s", self->field);
    s_clean_name(f->name, sizeof f->name, filename);
    snprintf(f->declared, sizeof f->declared, "%.*s",
             (int) strcspn(content_type ? content_type : "", ";"),
             content_type ? content_type : "");
    snprintf(f->path, sizeof f->path, "%s/lapor-upload-XXXXXX", self->dir);
    self->fd = mkstemp(f->path);
    if (self->fd < 0) {
        f->path[0] = '\0';
        return -1;
    }
    self->file = f;
    return 0;
}

static int
s_write_all(int fd, const char *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        size -= (size_t) n;
    }
    return 0;
}

int
intake_upload_piece(intake_upload_t *self, const char *field, const char *filename,
                    const char *content_type, uint64_t off, const char *data, size_t size)
{
    bool same =
        self->in_part && strcmp(self->field, field) == 0 && self->is_file == (filename != NULL);

    /* A piece at offset 0 starts a part, except a repeated empty start of the part
     * that has had no byte yet. */
    if ((off == 0 && !(same && self->part_size == 0)) || !self->in_part)
        s_begin_part(self, field, filename);
    self->part_size += size;
    crypto_hash_sha256_update(&self->digest, (const unsigned char *) field, strlen(field) + 1);
    crypto_hash_sha256_update(&self->digest, (const unsigned char *) data, size);
    if (size == 0 || self->dropping)
        return 0;
    if (!self->is_file) {
        char *grown = NULL;
        if (self->text_total + size > INTAKE_UPLOAD_MAX_TEXT) {
            self->text_bad = true;
            self->dropping = true;
            return 0;
        }
        grown = realloc(self->text, self->text_len + size + 1);
        if (!grown)
            return -1;
        self->text = grown;
        memcpy(self->text + self->text_len, data, size);
        self->text_len += size;
        self->text_total += size;
        self->text[self->text_len] = '\0';
        return 0;
    }
    if (!self->file && s_open_file(self, filename, content_type) != 0)
        return -1;
    if (!self->file)
        return 0; /* beyond max_files */
    intake_upload_file_t *f = self->file;
    if (f->head_len < LP_SNIFF_HEAD) {
        size_t take = size < LP_SNIFF_HEAD - f->head_len ? size : LP_SNIFF_HEAD - f->head_len;
        memcpy(f->head + f->head_len, data, take);
        f->head_len += take;
    }
    f->size += size;
    if (f->too_big)
        return 0;
    if (f->size > self->max_bytes) {
        /* Keep counting, stop storing: the answer names the file and its size. */
        f->too_big = true;
        if (ftruncate(self->fd, 0) != 0)
            return -1;
        return 0;
    }
    return s_write_all(self->fd, data, size);
}

const intake_urlform_t *
intake_upload_finish(intake_upload_t *self, lp_error_t *err)
{
    s_end_part(self);
    if (self->problem.code != LP_ERR_NONE) {
        *err = self->problem;
        return NULL;
    }
    return self->form;
}

size_t
intake_upload_count(const intake_upload_t *self)
{
    return self->n_files;
}

const intake_upload_file_t *
intake_upload_file(const intake_upload_t *self, size_t i)
{
    return i < self->n_files ? &self->files[i] : NULL;
}

size_t
intake_upload_extra(const intake_upload_t *self)
{
    return self->extra;
}

void
intake_upload_digest(intake_upload_t *self, char hex[65])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_state copy = self->digest;
    crypto_hash_sha256_final(&copy, digest);
    sodium_bin2hex(hex, 65, digest, sizeof digest);
}
