/* lp_identity: a reporter's contact details, sealed so that only the notifier reads them.
 *
 * Intake holds the sealing file (the public half of a libsodium box key pair and a
 * lookup key); the notifier holds the opening file (also the secret half). A copy
 * of the database, an agency, an analyst or intake itself cannot read a sealed
 * contact. Matching a sender ("is this SMS from the reporter?", near-duplicates,
 * rate limits) uses a keyed hash of the normalised phone or email instead. */
#ifndef LP_IDENTITY_H
#define LP_IDENTITY_H

#include <bson/bson.h>
#include <stdbool.h>

#include "lp_error.h"

#define LP_IDENTITY_LOOKUP_LEN 64 /* hex of a 32-byte keyed hash */
#define LP_CONTACT_NAME_MAX 128
#define LP_CONTACT_PHONE_MAX 24
#define LP_CONTACT_EMAIL_MAX 256

typedef struct lp_identity_t lp_identity_t;

/* One reporter's contact; empty strings for what was not given. */
typedef struct {
    char name[LP_CONTACT_NAME_MAX];
    char phone[LP_CONTACT_PHONE_MAX]; /* normalised "+62..." */
    char email[LP_CONTACT_EMAIL_MAX];
} lp_contact_t;

/* Writes a new key pair into dir: identity.secret (mode 0600, for the notifier)
 * and identity.seal (for intake). Refuses to overwrite existing files. */
int lp_identity_keygen(const char *dir, lp_error_t *err);

/* Loads a sealing or an opening file. NULL with err when missing or malformed. */
lp_identity_t *lp_identity_load(const char *path, lp_error_t *err);
void lp_identity_destroy(lp_identity_t **self_p);

/* True when this key can open sealed contacts (an opening file was loaded). */
bool lp_identity_can_open(const lp_identity_t *self);

/* Appends the contact sealed, as a BSON binary under key. */
bool lp_identity_seal_contact(const lp_identity_t *self, const lp_contact_t *contact,
                              bson_t *parent, const char *key);

/* Opens the sealed binary at path in doc into contact. -1 with err when the key
 * cannot open, the field is missing or the box was tampered with. */
int lp_identity_open_contact(const lp_identity_t *self, const bson_t *doc, const char *path,
                             lp_contact_t *contact, lp_error_t *err);

/* The keyed hash (hex) of a normalised phone number or a lower-cased email. */
void lp_identity_lookup(const lp_identity_t *self, const char *value,
                        char hex[LP_IDENTITY_LOOKUP_LEN + 1]);

/* The reporter's PIN for a complaint: six digits derived from the lookup key and
 * the complaint id, so nothing about it is stored and intake (to check it) and the
 * notifier (to send it) compute the same. */
#define LP_PIN_LEN 6
void lp_identity_pin(const lp_identity_t *self, const char *complaint_id, char pin[LP_PIN_LEN + 1]);

#endif
