/* test_upload: the upload sink keeps fields and spools files within its limits,
 * whatever pieces libmicrohttpd's post processor hands it. */
#define _GNU_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "upload.h"

static char s_dir[64];

static int
s_setup(void **state)
{
    (void) state;
    snprintf(s_dir, sizeof s_dir, "/tmp/lapor-upload-test-XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int
s_teardown(void **state)
{
    (void) state;
    return rmdir(s_dir); /* fails when a spool file was left behind */
}

static long
s_file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long) st.st_size : -1;
}

static void
test_fields_and_files_in_pieces(void **state)
{
    intake_upload_t *up = intake_upload_new(s_dir, 2, 100);
    const intake_urlform_t *form = NULL;
    const intake_upload_file_t *f = NULL;
    lp_error_t err;
    char path[256];
    (void) state;

    lp_error_clear(&err);
    assert_non_null(up);
    /* A field in two pieces, an empty start repeated, a file in two pieces. */
    assert_int_equal(intake_upload_piece(up, "title", NULL, NULL, 0, "Jalan ", 6), 0);
    assert_int_equal(intake_upload_piece(up, "title", NULL, NULL, 6, "rusak", 5), 0);
    assert_int_equal(intake_upload_piece(up, "empty", NULL, NULL, 0, "", 0), 0);
    assert_int_equal(intake_upload_piece(up, "f", "a.jpg", "image/jpeg; x=1", 0, "", 0), 0);
    assert_int_equal(intake_upload_piece(up, "f", "a.jpg", "image/jpeg; x=1", 0, "\xff\xd8", 2), 0);
    assert_int_equal(intake_upload_piece(up, "f", "a.jpg", "image/jpeg; x=1", 2, "\xff\xe0xyz", 5),
                     0);
    /* A form's empty file input: no file at all. */
    assert_int_equal(intake_upload_piece(up, "f", "", "application/octet-stream", 0, "", 0), 0);
    form = intake_upload_finish(up, &err);
    assert_non_null(form);
    assert_string_equal(intake_urlform_get(form, "title"), "Jalan rusak");
    assert_string_equal(intake_urlform_get(form, "empty"), "");
    assert_int_equal(intake_upload_count(up), 1);
    assert_int_equal(intake_upload_extra(up), 0);
    f = intake_upload_file(up, 0);
    assert_string_equal(f->field, "f");
    assert_string_equal(f->name, "a.jpg");
    assert_string_equal(f->declared, "image/jpeg");
    assert_int_equal(f->size, 7);
    assert_int_equal(f->head_len, 7);
    assert_memory_equal(f->head, "\xff\xd8\xff\xe0", 4);
    assert_int_equal(s_file_size(f->path), 7);
    snprintf(path, sizeof path, "%s", f->path);
    intake_upload_destroy(&up);
    assert_null(up);
    assert_int_equal(s_file_size(path), -1); /* the spool file is gone */
}

static void
test_limits(void **state)
{
    intake_upload_t *up = intake_upload_new(s_dir, 2, 10);
    const intake_upload_file_t *f = NULL;
    lp_error_t err;
    char hex[65];
    (void) state;

    lp_error_clear(&err);
    /* Too big: counted, not kept. */
    assert_int_equal(intake_upload_piece(up, "f", "big\".jpg\n", NULL, 0, "0123456789", 10), 0);
    assert_int_equal(intake_upload_piece(up, "f", "big\".jpg\n", NULL, 10, "abc", 3), 0);
    assert_int_equal(intake_upload_piece(up, "f", "ok.png", NULL, 0, "x", 1), 0);
    /* A third file: over the count, not spooled, counted once. */
    assert_int_equal(intake_upload_piece(up, "f", "third.pdf", NULL, 0, "%PDF", 4), 0);
    assert_int_equal(intake_upload_piece(up, "f", "third.pdf", NULL, 4, "-1.4", 4), 0);
    assert_int_equal(intake_upload_piece(up, "f", "fourth.pdf", NULL, 0, "%PDF", 4), 0);
    assert_non_null(intake_upload_finish(up, &err));
    assert_int_equal(intake_upload_count(up), 2);
    assert_int_equal(intake_upload_extra(up), 2);
    f = intake_upload_file(up, 0);
    assert_true(f->too_big);
    assert_int_equal(f->size, 13);
    assert_int_equal(s_file_size(f->path), 0);
    assert_string_equal(f->name, "big_.jpg_"); /* quotes and controls never reach a message */
    assert_false(intake_upload_file(up, 1)->too_big);
    intake_upload_digest(up, hex);
    assert_int_equal(strlen(hex), 64);
    intake_upload_destroy(&up);
}

static void
test_bad_fields(void **state)
{
    intake_upload_t *up = intake_upload_new(s_dir, 1, 10);
    lp_error_t err;
    char big[4096];
    (void) state;

    lp_error_clear(&err);
    assert_int_equal(intake_upload_piece(up, "title", NULL, NULL, 0, "a\0b", 3), 0);
    assert_null(intake_upload_finish(up, &err));
    assert_string_equal(err.field, "title");
    intake_upload_destroy(&up);

    up = intake_upload_new(s_dir, 1, 10);
    lp_error_clear(&err);
    memset(big, 'x', sizeof big);
    for (uint64_t off = 0; off < INTAKE_UPLOAD_MAX_TEXT + sizeof big; off += sizeof big)
        assert_int_equal(intake_upload_piece(up, "body", NULL, NULL, off, big, sizeof big), 0);
    assert_null(intake_upload_finish(up, &err));
    assert_string_equal(err.field, "body");
    intake_upload_destroy(&up);
    intake_upload_destroy(&up); /* safe twice */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_files_in_pieces),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_bad_fields),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
