/* lp_bus: ZeroMQ sockets whose endpoints are advertised and discovered in MongoDB. */
#include "lp_bus.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lp_clock.h"
#include "lp_curve.h"
#include "lp_doc.h"
#include "lp_log.h"

#define MAX_SOCKETS 8
#define MAX_PEERS 64
#define STALE_MS 10000 /* a peer whose heartbeat is older than this is gone */

struct lp_bus_socket_t {
    void *zsock;
    int type;
    char name[32];
    char peer_kind[32];     /* connecting sockets only */
    char endpoint[128];     /* binding sockets only: what we advertise */
    char *peers[MAX_PEERS]; /* connecting sockets only: endpoints connected now */
    int n_peers;
    pthread_mutex_t lock; /* ZeroMQ sockets are not thread-safe */
};

struct lp_bus_t {
    lp_store_t *store;
    void *ctx;
    char kind[32];
    char instance[128];
    char bind_base[128];
    lp_bus_socket_t *sockets[MAX_SOCKETS];
    int n_sockets;
    lp_curve_t *curve; /* NULL: plain TCP (one host, or a trusted network) */
    int64_t forget_at; /* when to forget long-dead instances next (0: at the first tick) */
};

int
lp_bus_use_curve(lp_bus_t *self, const char *key_file, const char *allow_dir, lp_error_t *err)
{
    self->curve = lp_curve_new(self->ctx, key_file, allow_dir, self->kind, err);
    return self->curve ? 0 : -1;
}

lp_bus_t *
lp_bus_new(lp_store_t *store, const char *kind, const char *instance, const char *bind_base,
           lp_error_t *err)
{
    lp_bus_t *self = calloc(1, sizeof *self);
    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    self->store = store;
    self->ctx = zmq_ctx_new();
    if (!self->ctx) {
        lp_error_set(err, LP_ERR_BUS, NULL, "zmq_ctx_new: %s", zmq_strerror(errno));
        free(self);
        return NULL;
    }
    snprintf(self->kind, sizeof self->kind, "%s", kind);
    snprintf(self->instance, sizeof self->instance, "%s", instance);
    snprintf(self->bind_base, sizeof self->bind_base, "%s", bind_base);
    return self;
}

static void
s_socket_destroy(lp_bus_socket_t **sock_p)
{
    lp_bus_socket_t *sock = *sock_p;
    if (!sock)
        return;
    for (int i = 0; i < sock->n_peers; i++)
        free(sock->peers[i]);
    zmq_close(sock->zsock);
    pthread_mutex_destroy(&sock->lock);
    free(sock);
    *sock_p = NULL;
}

void
lp_bus_destroy(lp_bus_t **self_p)
{
    lp_bus_t *self = self_p ? *self_p : NULL;
    mongoc_client_t *client = NULL;
    mongoc_collection_t *coll = NULL;
    bson_t *filter = NULL;

    if (!self)
        return;
    /* Withdraw the advertisement so peers stop connecting at once. */
    client = lp_store_pop(self->store);
    coll = lp_store_collection(self->store, client, LP_COLL_SERVICES);
    filter = BCON_NEW("_id", BCON_UTF8(self->instance));
    mongoc_collection_delete_one(coll, filter, NULL, NULL, NULL);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->store, client);

    for (int i = 0; i < self->n_sockets; i++)
        s_socket_destroy(&self->sockets[i]);
    lp_curve_destroy(&self->curve);
    zmq_ctx_term(self->ctx);
    free(self);
    *self_p = NULL;
}

static lp_bus_socket_t *
s_socket_new(lp_bus_t *self, const char *name, int type, lp_error_t *err)
{
    lp_bus_socket_t *sock = NULL;
    int hwm = 100000, linger = 200;

    if (self->n_sockets >= MAX_SOCKETS) {
        lp_error_set(err, LP_ERR_BUS, NULL, "too many sockets");
        return NULL;
    }
    sock = calloc(1, sizeof *sock);
    if (!sock) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    sock->zsock = zmq_socket(self->ctx, type);
    if (!sock->zsock) {
        lp_error_set(err, LP_ERR_BUS, NULL, "zmq_socket: %s", zmq_strerror(errno));
        free(sock);
        return NULL;
    }
    sock->type = type;
    snprintf(sock->name, sizeof sock->name, "%s", name);
    pthread_mutex_init(&sock->lock, NULL);
    zmq_setsockopt(sock->zsock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sock->zsock, ZMQ_RCVHWM, &hwm, sizeof hwm);
    /* Undelivered doorbells are not worth waiting for at exit: the work is stored. */
    zmq_setsockopt(sock->zsock, ZMQ_LINGER, &linger, sizeof linger);
    self->sockets[self->n_sockets++] = sock;
    return sock;
}

lp_bus_socket_t *
lp_bus_bind(lp_bus_t *self, const char *name, int type, lp_error_t *err)
{
    return lp_bus_bind_at(self, name, type, self->bind_base, err);
}

lp_bus_socket_t *
lp_bus_bind_at(lp_bus_t *self, const char *name, int type, const char *endpoint, lp_error_t *err)
{
    lp_bus_socket_t *sock = s_socket_new(self, name, type, err);
    size_t len = 0;

    if (!sock)
        return NULL;
    if (self->curve && lp_curve_server(self->curve, sock->zsock) != 0) {
        lp_error_set(err, LP_ERR_BUS, NULL, "cannot make %s a CURVE server", name);
        return NULL;
    }
    if (zmq_bind(sock->zsock, endpoint) != 0) {
        lp_error_set(err, LP_ERR_BUS, "bus-bind", "cannot bind %s: %s", endpoint,
                     zmq_strerror(errno));
        return NULL;
    }
    len = sizeof sock->endpoint;
    zmq_getsockopt(sock->zsock, ZMQ_LAST_ENDPOINT, sock->endpoint, &len);
    lp_log(LP_LOG_INFO, "bus.bound", "{s:s,s:s}", "name", name, "endpoint", sock->endpoint);
    return sock;
}

lp_bus_socket_t *
lp_bus_connect(lp_bus_t *self, const char *peer_kind, const char *name, int type, lp_error_t *err)
{
    lp_bus_socket_t *sock = s_socket_new(self, name, type, err);
    if (!sock)
        return NULL;
    snprintf(sock->peer_kind, sizeof sock->peer_kind, "%s", peer_kind);
    if (type == ZMQ_SUB)
        zmq_setsockopt(sock->zsock, ZMQ_SUBSCRIBE, "", 0);
    return sock;
}

/* Connects sock to the endpoints in live (n of them) and disconnects the rest. */
static void
s_follow(const lp_curve_t *curve, lp_bus_socket_t *sock, char **live, char **keys, int n)
{
    for (int i = 0; i < sock->n_peers;) {
        bool keep = false;
        for (int j = 0; j < n && !keep; j++)
            keep = strcmp(sock->peers[i], live[j]) == 0;
        if (keep) {
            i++;
            continue;
        }
        zmq_disconnect(sock->zsock, sock->peers[i]);
        lp_log(LP_LOG_INFO, "bus.peer_gone", "{s:s,s:s}", "name", sock->name, "endpoint",
               sock->peers[i]);
        free(sock->peers[i]);
        sock->peers[i] = sock->peers[--sock->n_peers];
    }
    for (int j = 0; j < n; j++) {
        bool have = false;
        for (int i = 0; i < sock->n_peers && !have; i++)
            have = strcmp(sock->peers[i], live[j]) == 0;
        if (have || sock->n_peers >= MAX_PEERS)
            continue;
        /* Each connection learns its server's key just before it is made. */
        if (curve && lp_curve_client(curve, sock->zsock, keys[j]) != 0) {
            lp_log(LP_LOG_WARN, "bus.connect_failed", "{s:s,s:s}", "endpoint", live[j], "error",
                   "the peer advertises no CURVE key");
            continue;
        }
        if (zmq_connect(sock->zsock, live[j]) != 0) {
            lp_log(LP_LOG_WARN, "bus.connect_failed", "{s:s,s:s}", "endpoint", live[j], "error",
                   zmq_strerror(errno));
            continue;
        }
        sock->peers[sock->n_peers++] = strdup(live[j]);
        lp_log(LP_LOG_INFO, "bus.peer_joined", "{s:s,s:s}", "name", sock->name, "endpoint",
               live[j]);
    }
}

/* Finds the live endpoints of sock's peers and follows them. */
static bool
s_discover(lp_bus_t *self, mongoc_collection_t *coll, lp_bus_socket_t *sock, lp_error_t *err)
{
    char path[64];
    char *live[MAX_PEERS], *keys[MAX_PEERS];
    int n = 0;
    bson_t *filter = BCON_NEW("kind", BCON_UTF8(sock->peer_kind), "heartbeat_at", "{", "$gte",
                              BCON_INT64(lp_now_ms() - STALE_MS), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc = NULL;
    bson_error_t error;
    bson_iter_t iter;
    bool ok = true;

    snprintf(path, sizeof path, "endpoints.%s", sock->name);
    while (n < MAX_PEERS && mongoc_cursor_next(cursor, &doc)) {
        if (bson_iter_init(&iter, doc) && bson_iter_find_descendant(&iter, path, &iter) &&
            BSON_ITER_HOLDS_UTF8(&iter)) {
            live[n] = strdup(bson_iter_utf8(&iter, NULL)); /* doc dies on next() */
            keys[n++] =
                bson_iter_init_find(&iter, doc, "curve_public") && BSON_ITER_HOLDS_UTF8(&iter)
                    ? strdup(bson_iter_utf8(&iter, NULL))
                    : NULL;
        }
    }
    if (mongoc_cursor_error(cursor, &error)) {
        lp_store_set_error(err, &error, "discover");
        ok = false;
    }
    else
        s_follow(self->curve, sock, live, keys, n);
    for (int i = 0; i < n; i++) {
        free(live[i]);
        free(keys[i]);
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
    return ok;
}

/* Deletes the entries of instances that stopped beating LP_BUS_FORGET_MS ago. The
 * collection is small, so the filter without _id costs little. */
static void
s_forget_dead(lp_bus_t *self, mongoc_collection_t *coll, int64_t now)
{
    bson_t *filter = BCON_NEW("heartbeat_at", "{", "$lt", BCON_INT64(now - LP_BUS_FORGET_MS), "}");
    bson_t reply = BSON_INITIALIZER;
    bson_error_t error;

    if (!mongoc_collection_delete_many(coll, filter, NULL, &reply, &error))
        lp_log(LP_LOG_WARN, "bus.forget_failed", "{s:s}", "message", error.message);
    else if (lp_doc_int(&reply, "deletedCount") > 0)
        lp_log(LP_LOG_INFO, "bus.instances_forgotten", "{s:I}", "count",
               (json_int_t) lp_doc_int(&reply, "deletedCount"));
    self->forget_at = now + LP_BUS_FORGET_EVERY_MS;
    bson_destroy(&reply);
    bson_destroy(filter);
}

int
lp_bus_tick(lp_bus_t *self, lp_error_t *err)
{
    mongoc_client_t *client = lp_store_pop(self->store);
    mongoc_collection_t *coll = lp_store_collection(self->store, client, LP_COLL_SERVICES);
    bson_t filter = BSON_INITIALIZER, update = BSON_INITIALIZER, set, endpoints;
    bson_t opts = BSON_INITIALIZER;
    bson_error_t error;
    char host[64] = "";
    int rc = 0;

    gethostname(host, sizeof host - 1);
    BSON_APPEND_UTF8(&filter, "_id", self->instance);
    BSON_APPEND_DOCUMENT_BEGIN(&update, "$set", &set);
    BSON_APPEND_UTF8(&set, "kind", self->kind);
    BSON_APPEND_UTF8(&set, "host", host);
    BSON_APPEND_INT32(&set, "pid", (int32_t) getpid());
    BSON_APPEND_INT64(&set, "heartbeat_at", lp_now_ms());
    if (self->curve)
        BSON_APPEND_UTF8(&set, "curve_public", lp_curve_public(self->curve));
    BSON_APPEND_DOCUMENT_BEGIN(&set, "endpoints", &endpoints);
    for (int i = 0; i < self->n_sockets; i++)
        if (self->sockets[i]->endpoint[0])
            BSON_APPEND_UTF8(&endpoints, self->sockets[i]->name, self->sockets[i]->endpoint);
    bson_append_document_end(&set, &endpoints);
    bson_append_document_end(&update, &set);
    BSON_APPEND_BOOL(&opts, "upsert", true);
    if (!mongoc_collection_update_one(coll, &filter, &update, &opts, NULL, &error)) {
        lp_store_set_error(err, &error, "heartbeat");
        rc = -1;
    }
    for (int i = 0; i < self->n_sockets && rc == 0; i++)
        if (self->sockets[i]->peer_kind[0] && !s_discover(self, coll, self->sockets[i], err))
            rc = -1;
    int64_t now = lp_now_ms();
    if (rc == 0 && now >= self->forget_at)
        s_forget_dead(self, coll, now);
    bson_destroy(&opts);
    bson_destroy(&update);
    bson_destroy(&filter);
    mongoc_collection_destroy(coll);
    lp_store_push(self->store, client);
    return rc;
}

int
lp_bus_send(lp_bus_socket_t *sock, const char *topic, const void *data, size_t len)
{
    int rc = 0;
    pthread_mutex_lock(&sock->lock);
    if (sock->type == ZMQ_PUB)
        rc = zmq_send(sock->zsock, topic, strlen(topic), ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ? -1 : 0;
    if (rc == 0)
        rc = zmq_send(sock->zsock, data, len, ZMQ_DONTWAIT) < 0 ? -1 : 0;
    pthread_mutex_unlock(&sock->lock);
    return rc;
}

size_t
lp_bus_ring(lp_bus_socket_t *const *socks, size_t n, const lp_envelope_t *env)
{
    size_t len = 0, rang = 0;
    char topic[96];
    uint8_t *pb = lp_event_pack(env, &len);
    if (!pb)
        return 0;
    lp_event_topic(env, topic, sizeof topic);
    for (size_t i = 0; i < n; i++)
        if (lp_bus_send(socks[i], topic, pb, len) == 0)
            rang++;
    free(pb);
    return rang;
}

void *
lp_bus_zsock(lp_bus_socket_t *sock)
{
    return sock->zsock;
}

int
lp_bus_recv(lp_bus_socket_t *sock, zmq_msg_t *msg)
{
    int more = 0;
    size_t more_len = sizeof more;

    if (zmq_msg_recv(msg, sock->zsock, ZMQ_DONTWAIT) < 0)
        return -1;
    if (sock->type != ZMQ_SUB)
        return 0;
    /* The first frame was the topic; the event is the next one. */
    zmq_getsockopt(sock->zsock, ZMQ_RCVMORE, &more, &more_len);
    if (!more)
        return -1;
    zmq_msg_close(msg);
    zmq_msg_init(msg);
    return zmq_msg_recv(msg, sock->zsock, 0) < 0 ? -1 : 0;
}
