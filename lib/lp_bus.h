/* lp_bus: lapor's ZeroMQ doorbells, with endpoints discovered through the database.
 *
 * A binding instance binds each socket on a free port and advertises it in the
 * `services` collection with a heartbeat; a connecting instance connects to every
 * live endpoint of the kind it wants and drops those whose heartbeat stopped. So
 * any service can gain an instance without touching the others. Messages are only
 * doorbells: the work they announce is already durable in the database. */
#ifndef LP_BUS_H
#define LP_BUS_H

#include <stddef.h>
#include <zmq.h>

#include "lp_error.h"
#include "lp_event.h"
#include "lp_store.h"

typedef struct lp_bus_t lp_bus_t;
typedef struct lp_bus_socket_t lp_bus_socket_t;

/* Names of advertised endpoints. */
#define LP_BUS_ROUTER_WORK "router_work"     /* intake PUSH -> router PULL */
#define LP_BUS_NOTIFIER_WORK "notifier_work" /* router PUSH -> notifier PULL */
#define LP_BUS_EVENTS "events"               /* intake and router PUB -> reporter SUB */
#define LP_BUS_AGENCY_FEED                                                                         \
    "agency_feed" /* notifier PUB -> agencies' systems (topic:                                     \
                     the agency id) */

/* A bus for one instance of kind ("intake", "router", ...). bind_base is where to
 * bind ("tcp://127.0.0.1:*"). The store is borrowed and must outlive the bus. */
lp_bus_t *lp_bus_new(lp_store_t *store, const char *kind, const char *instance,
                     const char *bind_base, lp_error_t *err);

/* Turns CURVE on for every socket made from now on: binders become CURVE servers
 * that admit only the public keys in allow_dir; connectors use the key each binder
 * advertises. key_file may hold "{service}" (the bus's kind). */
int lp_bus_use_curve(lp_bus_t *self, const char *key_file, const char *allow_dir, lp_error_t *err);

/* Withdraws the advertisement, closes every socket, ends the context. Accepts NULL. */
void lp_bus_destroy(lp_bus_t **self_p);

/* Binds a ZMQ_PUSH or ZMQ_PUB socket and advertises it under name. The bus owns it. */
lp_bus_socket_t *lp_bus_bind(lp_bus_t *self, const char *name, int type, lp_error_t *err);

/* The same at a given endpoint ("tcp://0.0.0.0:5601"), for sockets that parties
 * outside lapor connect to. */
lp_bus_socket_t *lp_bus_bind_at(lp_bus_t *self, const char *name, int type, const char *endpoint,
                                lp_error_t *err);

/* A ZMQ_PULL or ZMQ_SUB socket (subscribed to everything) that follows every live
 * endpoint that services of peer_kind advertise under name. The bus owns it. */
lp_bus_socket_t *lp_bus_connect(lp_bus_t *self, const char *peer_kind, const char *name, int type,
                                lp_error_t *err);

/* An instance that stopped beating this long ago (it died without withdrawing its
 * advertisement) is deleted from `services` by the next instance that starts, or
 * by any instance within LP_BUS_FORGET_EVERY_MS. Until then an operator sees it,
 * and the notifier's watch (services/notifier/watch.c) looks at the last hour. */
#define LP_BUS_FORGET_MS (24LL * 3600 * 1000)
#define LP_BUS_FORGET_EVERY_MS (3600LL * 1000)

/* Renews this instance's heartbeat, follows endpoints that came or went, and
 * forgets long-dead instances (see LP_BUS_FORGET_MS). Call every couple of
 * seconds; a failure (database away) is logged and retried. */
int lp_bus_tick(lp_bus_t *self, lp_error_t *err);

/* Sends one message without blocking, thread-safe: [topic][data] on PUB, [data] on
 * PUSH. Returns 0, or -1 when nobody could take it now (it stays in the database
 * for the sweepers). */
int lp_bus_send(lp_bus_socket_t *sock, const char *topic, const void *data, size_t len);

/* Packs env once and rings each of the n sockets with it (topic from the event),
 * after the database already holds the event. Returns how many took it. */
size_t lp_bus_ring(lp_bus_socket_t *const *socks, size_t n, const lp_envelope_t *env);

/* The raw ZeroMQ socket, for polling. */
void *lp_bus_zsock(lp_bus_socket_t *sock);

/* Receives one message without blocking into msg (initialised by the caller) and
 * skips a PUB topic frame. Returns 0, or -1 when none is waiting. */
int lp_bus_recv(lp_bus_socket_t *sock, zmq_msg_t *msg);

#endif
