/* lp_curve: ZeroMQ CURVE between lapor's instances: encrypted, and only known peers.
 *
 * Each service has its own key pair (laporctl curve-keygen). A binding socket is a
 * CURVE server and lets in only clients whose public key is in the allow-list (a
 * directory of .pub files), checked by a ZAP handler; a connecting socket is a
 * CURVE client that must know the server's public key, which binders advertise in
 * the `services` collection next to their endpoints. Off unless a key file is set. */
#ifndef LP_CURVE_H
#define LP_CURVE_H

#include <stdbool.h>

#include "lp_error.h"

#define LP_CURVE_KEY_LEN 40 /* Z85 text of a 32-byte key */

typedef struct lp_curve_t lp_curve_t;

/* Writes DIR/NAME.key (public and secret, mode 0600) and DIR/NAME.pub (public). */
int lp_curve_keygen(const char *dir, const char *name, lp_error_t *err);

/* Loads this instance's key file ("{service}" in the path becomes service) and the
 * allow-list, and starts the ZAP handler in ctx. NULL with err on failure. */
lp_curve_t *lp_curve_new(void *ctx, const char *key_file, const char *allow_dir,
                         const char *service, lp_error_t *err);
void lp_curve_destroy(lp_curve_t **self_p);

const char *lp_curve_public(const lp_curve_t *self);

/* Makes zsock a CURVE server (before bind). */
int lp_curve_server(const lp_curve_t *self, void *zsock);

/* Makes the next connection of zsock a CURVE client of server_public (before
 * connect). */
int lp_curve_client(const lp_curve_t *self, void *zsock, const char *server_public);

#endif
