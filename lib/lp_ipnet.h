/* lp_ipnet: IP address lists ("10.0.0.0/8, 127.0.0.1, ::1") and the client address
 * behind trusted reverse proxies.
 *
 * A client may write any X-Forwarded-For it likes; only the entries that trusted
 * proxies appended can be believed. So the header is read from the right: the peer
 * that connected, when trusted, vouches for the last entry; that entry, when trusted
 * too, vouches for the one before it; the first address that is not a trusted proxy
 * is the client. An entry that is not an IP address ends the walk. */
#ifndef LP_IPNET_H
#define LP_IPNET_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_error.h"

typedef struct lp_ipnet_list_t lp_ipnet_list_t;

/* Room for any address lp_ipnet writes, with its NUL. */
#define LP_IPNET_ADDR_MAX 46

/* Parses a list of addresses and networks (CIDR) separated by commas or spaces.
 * NULL or "" gives an empty list. Returns NULL with err naming the bad entry. */
lp_ipnet_list_t *lp_ipnet_list_new(const char *spec, lp_error_t *err);

/* Frees the list and sets *self_p to NULL. Accepts NULL. */
void lp_ipnet_list_destroy(lp_ipnet_list_t **self_p);

/* True when ip (text) lies in one of the list's networks. NULL list: false. */
bool lp_ipnet_list_contains(const lp_ipnet_list_t *self, const char *ip);

/* Writes the canonical text of ip (IPv4-mapped IPv6 written as IPv4; a port,
 * brackets and white space around it dropped) to out. Returns 0, or -1 when ip is
 * not an IP address. */
int lp_ipnet_canonical(const char *ip, size_t len, char *out, size_t size);

/* Writes the client's address to out (at least LP_IPNET_ADDR_MAX bytes): peer, or,
 * when peer is in trusted, the address found by walking forwarded_for (the values of
 * every X-Forwarded-For header joined by commas, in order; may be NULL) from the
 * right as described above. */
void lp_ipnet_client(const lp_ipnet_list_t *trusted, const char *peer, const char *forwarded_for,
                     char *out, size_t size);

#endif
