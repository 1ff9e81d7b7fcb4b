/* lp_identity: sealed contacts (libsodium boxes) and keyed lookups. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lp_clock.h"
#include "lp_identity.h"

/* How a contact is sealed. Until November 2026 (session 8) every contact was a
 * crypto_box_seal: a fresh ephemeral key pair and two X25519 computations per
 * complaint, a third of intake's CPU on its accept path. Now intake seals with one
 * ephemeral key pair for at most SEAL_KEY_MS or SEAL_KEY_USES contacts: the box
 * key it shares with the notifier's key is computed once, and each contact is a
 * crypto_box_easy_afternm with a random nonce, stored as a binary of subtype
 * SEALED_SUBTYPE: ephemeral public key, nonce, box. Intake forgets the ephemeral
 * secret when it moves on, and it sees the contacts of that window in clear
 * anyway, so nobody reads more than before. The notifier keeps the last shared
 * key it computed, so it too computes one per window; old seals still open. */
#define SEAL_KEY_MS (60 * 1000)
#define SEAL_KEY_USES 10000
#define SEALED_SUBTYPE BSON_SUBTYPE_USER
#define SEALED_HEAD (crypto_box_PUBLICKEYBYTES + crypto_box_NONCEBYTES)

/* The current ephemeral key (sealing) or the last one opened with (opening). */
typedef struct {
    pthread_mutex_t lock;
    unsigned char peer[crypto_box_PUBLICKEYBYTES]; /* sealing: ours; opening: the sealer's */
    unsigned char shared[crypto_box_BEFORENMBYTES];
    bool ready;
    int64_t until_ms; /* sealing only */
    int uses;
} s_box_t;

struct lp_identity_t {
    unsigned char public_key[crypto_box_PUBLICKEYBYTES];
    unsigned char secret_key[crypto_box_SECRETKEYBYTES];
    unsigned char lookup_key[crypto_generichash_KEYBYTES];
    bool has_secret;
    s_box_t *box; /* behind a pointer: sealing and opening take a const key */
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
    if (!(self->box = calloc(1, sizeof *self->box))) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        lp_identity_destroy(&self);
        return NULL;
    }
    pthread_mutex_init(&self->box->lock, NULL);
    return self;
}

void
lp_identity_destroy(lp_identity_t **self_p)
{
    if (self_p && *self_p) {
        lp_identity_t *self = *self_p;
        if (self->box) {
            pthread_mutex_destroy(&self->box->lock);
            sodium_memzero(self->box, sizeof *self->box);
            free(self->box);
        }
        sodium_memzero(self, sizeof *self);
        free(self);
        *self_p = NULL;
    }
}

bool
lp_identity_can_open(const lp_identity_t *self)
{
    return self && self->has_secret;
}

/* Copies the current sealing key (ephemeral public key, shared key) into peer and
 * shared, making a new pair when the current one is used up. */
static bool
s_sealing_key(const lp_identity_t *self, unsigned char *peer, unsigned char *shared)
{
    s_box_t *box = self->box;
    int64_t now = lp_mono_ms();
    bool ok = true;

    pthread_mutex_lock(&box->lock);
    if (!box->ready || now >= box->until_ms || box->uses >= SEAL_KEY_USES) {
        unsigned char sk[crypto_box_SECRETKEYBYTES];
        crypto_box_keypair(box->peer, sk);
        ok = crypto_box_beforenm(box->shared, self->public_key, sk) == 0;
        sodium_memzero(sk, sizeof sk);
        box->ready = ok;
        box->until_ms = now + SEAL_KEY_MS;
        box->uses = 0;
    }
    if (ok) {
        box->uses++;
        memcpy(peer, box->peer, crypto_box_PUBLICKEYBYTES);
        memcpy(shared, box->shared, crypto_box_BEFORENMBYTES);
    }
    pthread_mutex_unlock(&box->lock);
    return ok;
}

/* The shared key for a contact sealed with the ephemeral public key peer: the last
 * one computed when peer is the same. */
static bool
s_opening_key(const lp_identity_t *self, const unsigned char *peer, unsigned char *shared)
{
    s_box_t *box = self->box;
    bool ok = true;

    pthread_mutex_lock(&box->lock);
    if (!box->ready || sodium_memcmp(box->peer, peer, crypto_box_PUBLICKEYBYTES) != 0) {
        memcpy(box->peer, peer, crypto_box_PUBLICKEYBYTES);
        ok = box->ready = crypto_box_beforenm(box->shared, peer, self->secret_key) == 0;
    }
    if (ok)
        memcpy(shared, box->shared, crypto_box_BEFORENMBYTES);
    pthread_mutex_unlock(&box->lock);
    return ok;
}

bool
lp_identity_seal_contact(const lp_identity_t *self, const lp_contact_t *contact, bson_t *parent,
                         const char *key)
{
    json_t *obj = json_pack("{s:s,s:s,s:s}", "name", contact->name, "phone", contact->phone,
                            "email", contact->email);
    char *plain = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
    size_t plen = plain ? strlen(plain) : 0;
    size_t slen = SEALED_HEAD + crypto_box_MACBYTES + plen;
    unsigned char *sealed = plain ? malloc(slen) : NULL;
    unsigned char shared[crypto_box_BEFORENMBYTES];
    bool ok = false;

    if (sealed && s_sealing_key(self, sealed, shared)) {
        unsigned char *nonce = sealed + crypto_box_PUBLICKEYBYTES;
        randombytes_buf(nonce, crypto_box_NONCEBYTES);
        if (crypto_box_easy_afternm(sealed + SEALED_HEAD, (const unsigned char *) plain, plen,
                                    nonce, shared) == 0)
            ok = bson_append_binary(parent, key, -1, SEALED_SUBTYPE, sealed, (uint32_t) slen);
    }
    sodium_memzero(shared, sizeof shared);
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
    /* The box's overhead: SEALED_HEAD and a MAC, or a crypto_box_seal's. */
    size_t over = sub == SEALED_SUBTYPE ? SEALED_HEAD + crypto_box_MACBYTES : crypto_box_SEALBYTES;
    if (len <= over || !(plain = malloc(len - over + 1))) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the sealed contact is malformed");
        return -1;
    }
    bool opened = false;
    if (sub == SEALED_SUBTYPE) {
        unsigned char shared[crypto_box_BEFORENMBYTES];
        opened = s_opening_key(self, data, shared) &&
                 crypto_box_open_easy_afternm(plain, data + SEALED_HEAD, len - SEALED_HEAD,
                                              data + crypto_box_PUBLICKEYBYTES, shared) == 0;
        sodium_memzero(shared, sizeof shared);
    }
    else
        opened = crypto_box_seal_open(plain, data, len, self->public_key, self->secret_key) == 0;
    if (!opened) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the sealed contact does not open with this key");
        goto done;
    }
    plain[len - over] = '\0';
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
    sodium_memzero(plain, len - over);
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
