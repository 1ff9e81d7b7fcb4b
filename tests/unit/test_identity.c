/* test_identity: sealed contacts open only with the notifier's key, survive a
 * change of intake's ephemeral key, and seals of the older form still open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "lp_identity.h"

typedef struct {
    char dir[256];
    lp_identity_t *sealer; /* intake's: public half and lookup key */
    lp_identity_t *opener; /* the notifier's: also the secret half */
} s_keys_t;

static int
s_setup(void **state)
{
    s_keys_t *k = calloc(1, sizeof *k);
    const char *tmp = getenv("TMPDIR");
    char path[300];
    lp_error_t err;

    if (!k)
        return -1;
    *state = k;
    snprintf(k->dir, sizeof k->dir, "%s/lapor-test-identity-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(k->dir) || lp_identity_keygen(k->dir, &err) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/identity.seal", k->dir);
    k->sealer = lp_identity_load(path, &err);
    snprintf(path, sizeof path, "%s/identity.secret", k->dir);
    k->opener = lp_identity_load(path, &err);
    return k->sealer && k->opener ? 0 : -1;
}

static int
s_teardown(void **state)
{
    s_keys_t *k = *state;
    char path[300];
    lp_identity_destroy(&k->sealer);
    lp_identity_destroy(&k->opener);
    snprintf(path, sizeof path, "%s/identity.seal", k->dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/identity.secret", k->dir);
    unlink(path);
    rmdir(k->dir);
    free(k);
    return 0;
}

/* Seals a contact named name under "sealed" in a new document. */
static bson_t *
s_seal(const lp_identity_t *key, const char *name)
{
    lp_contact_t c = {0};
    bson_t *doc = bson_new();
    snprintf(c.name, sizeof c.name, "%s", name);
    snprintf(c.phone, sizeof c.phone, "+6281234567890");
    snprintf(c.email, sizeof c.email, "warga@desa.example");
    assert_true(lp_identity_seal_contact(key, &c, doc, "sealed"));
    return doc;
}

static const uint8_t *
s_bytes(const bson_t *doc, uint32_t *len, bson_subtype_t *sub)
{
    bson_iter_t it;
    const uint8_t *data = NULL;
    assert_true(bson_iter_init_find(&it, doc, "sealed"));
    bson_iter_binary(&it, sub, len, &data);
    return data;
}

static void
test_opens_only_with_the_secret(void **state)
{
    s_keys_t *k = *state;
    lp_contact_t c;
    lp_error_t err;
    bson_t *doc = s_seal(k->sealer, "Ibu Sari");

    assert_false(lp_identity_can_open(k->sealer));
    assert_int_equal(lp_identity_open_contact(k->sealer, doc, "sealed", &c, &err), -1);
    assert_int_equal(lp_identity_open_contact(k->opener, doc, "sealed", &c, &err), 0);
    assert_string_equal(c.name, "Ibu Sari");
    assert_string_equal(c.phone, "+6281234567890");
    assert_string_equal(c.email, "warga@desa.example");
    /* Nothing of the contact in the clear. */
    uint32_t len;
    bson_subtype_t sub;
    const uint8_t *data = s_bytes(doc, &len, &sub);
    for (uint32_t i = 0; i + 4 <= len; i++)
        assert_false(memcmp(data + i, "Sari", 4) == 0);
    bson_destroy(doc);
}

static void
test_tampered_does_not_open(void **state)
{
    s_keys_t *k = *state;
    lp_contact_t c;
    lp_error_t err;
    bson_t *doc = s_seal(k->sealer, "Pak Budi");
    uint32_t len;
    bson_subtype_t sub;
    const uint8_t *data = s_bytes(doc, &len, &sub);

    /* Each part in turn: the ephemeral key, the nonce, the box. */
    for (uint32_t at = 0; at < len; at += 17) {
        bson_t *bad = bson_new();
        uint8_t *copy = malloc(len);
        memcpy(copy, data, len);
        copy[at] ^= 0x01;
        bson_append_binary(bad, "sealed", -1, sub, copy, len);
        assert_int_equal(lp_identity_open_contact(k->opener, bad, "sealed", &c, &err), -1);
        free(copy);
        bson_destroy(bad);
    }
    /* Too short to hold anything. */
    bson_t *shortdoc = bson_new();
    bson_append_binary(shortdoc, "sealed", -1, sub, data, 40);
    assert_int_equal(lp_identity_open_contact(k->opener, shortdoc, "sealed", &c, &err), -1);
    bson_destroy(shortdoc);
    bson_destroy(doc);
}

static void
test_ephemeral_key_changes_and_old_ones_open(void **state)
{
    s_keys_t *k = *state;
    lp_contact_t c;
    lp_error_t err;
    uint32_t len_a, len_b;
    bson_subtype_t sub;
    bson_t *a = s_seal(k->sealer, "Pertama");
    bson_t *b = s_seal(k->sealer, "Kedua");
    const uint8_t *da = s_bytes(a, &len_a, &sub), *db = s_bytes(b, &len_b, &sub);

    /* One ephemeral key for a while, a fresh nonce each time. */
    assert_memory_equal(da, db, crypto_box_PUBLICKEYBYTES);
    assert_memory_not_equal(da + crypto_box_PUBLICKEYBYTES, db + crypto_box_PUBLICKEYBYTES,
                            crypto_box_NONCEBYTES);
    /* ... then another: a contact sealed after ten thousand more. */
    bson_t *later = NULL;
    for (int i = 0; i < 10001; i++) {
        if (later)
            bson_destroy(later);
        later = s_seal(k->sealer, "Kemudian");
    }
    uint32_t len_l;
    const uint8_t *dl = s_bytes(later, &len_l, &sub);
    assert_memory_not_equal(da, dl, crypto_box_PUBLICKEYBYTES);
    /* Every one opens, in any order. */
    assert_int_equal(lp_identity_open_contact(k->opener, later, "sealed", &c, &err), 0);
    assert_string_equal(c.name, "Kemudian");
    assert_int_equal(lp_identity_open_contact(k->opener, a, "sealed", &c, &err), 0);
    assert_string_equal(c.name, "Pertama");
    assert_int_equal(lp_identity_open_contact(k->opener, later, "sealed", &c, &err), 0);
    assert_int_equal(lp_identity_open_contact(k->opener, b, "sealed", &c, &err), 0);
    assert_string_equal(c.name, "Kedua");
    bson_destroy(later);
    bson_destroy(b);
    bson_destroy(a);
}

/* Contacts stored before session 8 are crypto_box_seal boxes (binary subtype 0). */
static void
test_older_seals_open(void **state)
{
    s_keys_t *k = *state;
    char path[300], line[256];
    unsigned char pk[crypto_box_PUBLICKEYBYTES];
    const char *plain = "{\"name\":\"Lama\",\"phone\":\"+628111\",\"email\":\"\"}";
    size_t plen = strlen(plain);
    unsigned char *box = malloc(plen + crypto_box_SEALBYTES);
    lp_contact_t c;
    lp_error_t err;
    bool found = false;

    snprintf(path, sizeof path, "%s/identity.seal", k->dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "public=", 7) == 0)
            found =
                sodium_hex2bin(pk, sizeof pk, line + 7, strlen(line + 7), "\n", NULL, NULL) == 0;
    fclose(f);
    assert_true(found);
    assert_int_equal(crypto_box_seal(box, (const unsigned char *) plain, plen, pk), 0);
    bson_t *doc = bson_new();
    bson_append_binary(doc, "sealed", -1, BSON_SUBTYPE_BINARY, box,
                       (uint32_t) (plen + crypto_box_SEALBYTES));
    assert_int_equal(lp_identity_open_contact(k->opener, doc, "sealed", &c, &err), 0);
    assert_string_equal(c.name, "Lama");
    assert_string_equal(c.phone, "+628111");
    bson_destroy(doc);
    free(box);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opens_only_with_the_secret),
        cmocka_unit_test(test_tampered_does_not_open),
        cmocka_unit_test(test_ephemeral_key_changes_and_old_ones_open),
        cmocka_unit_test(test_older_seals_open),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
