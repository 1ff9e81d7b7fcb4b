/* lp_identity: sealed contacts (libsodium crypto_box_seal) and keyed lookups. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_identity.h"

struct lp_identity_t {
    unsigned char public_key[crypto_box_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_box_SECRETKEYBYTES];
    unsigned char lookup_key[crypto_generichash_KEYBYTES];
    bool has_secret;
};

static void
s_hex(char *out, const unsigned char *bytes, size_t n)
{
    sodium_bin2hex(out, n * 2 + 1, bytes, n);
}

/* Writes "name=hex" lines to path with mode; O_EXCL so a key is never replaced. */
static int
s_write(const char *path, mode_t mode, const char *text, lp_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    size_t len = strlen(text);
    if (fd < 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    if (write(fd, text, len) != (ssize_t) len || fsync(fd) != 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "cannot write %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
lp_identity_keygen(const char *dir, lp_error_t *err)
{
    unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
    unsigned char lk[crypto_generichash_KEYBYTES];
    char pkx[sizeof pk * 2 + 1], skx[sizeof sk * 2 + 1], lkx[sizeof lk * 2 + 1];
    char path[4096], text[512];
    int rc = -1;

    if (sodium_init() < 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "libsodium failed to start");
        return -1;
    }
    crypto_box_keypair(pk, sk);
    crypto_generichash_keygen(lk);
    s_hex(pkx, pk, sizeof pk);
    s_hex(skx, sk, sizeof sk);
    s_hex(lkx, lk, sizeof lk);
    snprintf(path, sizeof path, "%s/identity.secret", dir);
    snprintf(text, sizeof text,
             "# lapor opening key: only the notifier may read this file.\n"
             "public=%s\nsecret=%s\nlookup=%s\n",
             pkx, skx, lkx);
    if (s_write(path, 0600, text, err) != 0)
        goto done;
    snprintf(path, sizeof path, "%s/identity.seal", dir);
    snprintf(text, sizeof text,
             "# lapor sealing key for intake: seals contacts, cannot open them.\n"
             "public=%s\nlookup=%s\n",
             pkx, lkx);
    if (s_write(path, 0640, text, err) != 0)
        goto done;
    rc = 0;
done:
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(skx, sizeof skx);
    sodium_memzero(text, sizeof text);
    return rc;
}

/* Reads "name=<hex>" into out (exactly n bytes). true when found and well formed. */
static bool
s_field(const char *text, const char *name, unsigned char *out, size_t n)
{
    size_t nlen = strlen(name);
    for (const char *line = text; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, name, nlen) == 0 && line[nlen] == '=') {
            const char *hex = line + nlen + 1;
            size_t hexlen = strcspn(hex, "\r\n");
            size_t got = 0;
            return sodium_hex2bin(out, n, hex, hexlen, NULL, &got, NULL) == 0 && got == n;
        }
    }
    return false;
}

lp_identity_t *
lp_identity_load(const char *path, lp_error_t *err)
{
    char text[1024];
    FILE *f = NULL;
    size_t len;
    lp_identity_t *self = NULL;

    if (sodium_init() < 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "libsodium failed to start");
        return NULL;
    }
    f = path && *path ? fopen(path, "r") : NULL;
    if (!f) {
        lp_error_set(err, LP_ERR_SYSTEM, "identity-file",
                     "cannot read the identity key file %s (%s); create one with "
                     "`laporctl identity-keygen DIR`",
                     path && *path ? path : "(none)", path && *path ? strerror(errno) : "not set");
        return NULL;
    }
    len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    self = calloc(1, sizeof *self);
    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    if (!s_field(text, "public", self->public_key, sizeof self->public_key) ||
        !s_field(text, "lookup", self->lookup_key, sizeof self->lookup_key)) {
        lp_error_set(err, LP_ERR_INVALID, "identity-file",
                     "%s is not a lapor identity key file (public= and lookup= lines)", path);
        sodium_memzero(text, sizeof text);
        free(self);
        return NULL;
    }
    self->has_secret = s_field(text, "secret", self->secret_key, sizeof self->secret_key);
    sodium_memzero(text, sizeof text);
    return self;
}

void
lp_identity_destroy(lp_identity_t **self_p)
{
    if (self_p && *self_p) {
        sodium_memzero(*self_p, sizeof **self_p);
        free(*self_p);
        *self_p = NULL;
    }
}

bool
lp_identity_can_open(const lp_identity_t *self)
{
    return self && self->has_secret;
}

bool
lp_identity_seal_contact(const lp_identity_t *self, const lp_contact_t *contact, bson_t *parent,
                         const char *key)
{
    json_t *obj = json_pack("{s:s,s:s,s:s}", "name", contact->name, "phone", contact->phone,
                            "email", contact->email);
    char *plain = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    size_t plen = plain ? strlen(plain) : 0;
    unsigned char *sealed = plain ? malloc(plen + crypto_box_SEALBYTES) : NULL;
    bool ok = false;

    if (sealed &&
        crypto_box_seal(sealed, (const unsigned char *) plain, plen, self->public_key) == 0)
        ok = bson_append_binary(parent, key, -1, BSON_SUBTYPE_BINARY, sealed,
                                (uint32_t) (plen + crypto_box_SEALBYTES));
    if (plain) {
        sodium_memzero(plain, plen);
        free(plain);
    }
    free(sealed);
    json_decref(obj);
    return ok;
}

static void
s_copy(char *dst, size_t size, json_t *obj, const char *key)
{
    const char *v = json_string_value(json_object_get(obj, key));
    snprintf(dst, size, "%s", v ? v : "");
}

int
lp_identity_open_contact(const lp_identity_t *self, const bson_t *doc, const char *path,
                         lp_contact_t *contact, lp_error_t *err)
{
    bson_iter_t it;
    const uint8_t *data = NULL;
    uint32_t len = 0;
    bson_subtype_t sub;
    unsigned char *plain = NULL;
    json_t *obj = NULL;
    int rc = -1;

    memset(contact, 0, sizeof *contact);
    if (!lp_identity_can_open(self)) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "this key file cannot open contacts");
        return -1;
    }
    if (!bson_iter_init(&it, doc) || !bson_iter_find_descendant(&it, path, &it) ||
        !BSON_ITER_HOLDS_BINARY(&it)) {
        lp_error_set(err, LP_ERR_NOT_FOUND, NULL, "no sealed contact at %s", path);
        return -1;
    }
    bson_iter_binary(&it, &sub, &len, &data);
    if (len <= crypto_box_SEALBYTES || !(plain = malloc(len - crypto_box_SEALBYTES + 1))) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the sealed contact is malformed");
        return -1;
    }
    if (crypto_box_seal_open(plain, data, len, self->public_key, self->secret_key) != 0) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the sealed contact does not open with this key");
        goto done;
    }
    plain[len - crypto_box_SEALBYTES] = '\0';
    obj = json_loads((const char *) plain, 0, NULL);
    if (!json_is_object(obj)) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the sealed contact is not a contact");
        goto done;
    }
    s_copy(contact->name, sizeof contact->name, obj, "name");
    s_copy(contact->phone, sizeof contact->phone, obj, "phone");
    s_copy(contact->email, sizeof contact->email, obj, "email");
    rc = 0;
done:
    sodium_memzero(plain, len - crypto_box_SEALBYTES);
    free(plain);
    json_decref(obj);
    return rc;
}

void
lp_identity_lookup(const lp_identity_t *self, const char *value,
                   char hex[LP_IDENTITY_LOOKUP_LEN + 1])
{
    unsigned char out[32];
    char lower[LP_CONTACT_EMAIL_MAX];
    size_t n = 0;

    /* Case never makes two addresses different people here. */
    for (; value[n] && n < sizeof lower - 1; n++)
        lower[n] = (char) tolower((unsigned char) value[n]);
    lower[n] = '\0';
    crypto_generichash(out, sizeof out, (const unsigned char *) lower, n, self->lookup_key,
                       sizeof self->lookup_key);
    s_hex(hex, out, sizeof out);
}

void
lp_identity_pin(const lp_identity_t *self, const char *complaint_id, char pin[LP_PIN_LEN + 1])
{
    unsigned char out[8];
    char input[64];
    uint64_t n = 0;

    /* Domain-separated from the contact lookups, which hash with the same key. */
    snprintf(input, sizeof input, "pin:%s", complaint_id);
    crypto_generichash(out, sizeof out, (const unsigned char *) input, strlen(input),
                       self->lookup_key, sizeof self->lookup_key);
    for (size_t i = 0; i < sizeof out; i++)
        n = (n << 8) | out[i];
    snprintf(pin, LP_PIN_LEN + 1, "%06u", (unsigned) (n % 1000000u));
}
