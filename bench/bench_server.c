/* bench_server: webhook receiver and bare 201 server on libmicrohttpd. */
#define _GNU_SOURCE
#include "bench_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

#define BENCH_BODY_MAX 65536

struct bench_server_t {
    bench_server_mode_t mode;
    struct MHD_Daemon *daemon;
    struct MHD_Response *created; /* the bare server's one answer */
    struct MHD_Response *ok;      /* the receiver's one answer */
    int port;
    pthread_mutex_t lock;
    bench_hook_t *hooks;
    size_t nhooks, cap;
    size_t bad;
};

/* A request body being received. */
typedef struct {
    char *data;
    size_t len;
} s_body_t;

static const char s_created_json[] = "{\"tracking_id\":\"0000000000\",\"status\":\"received\"}";
static const char s_ok_json[] = "{\"ok\":true}";

/* Finds "tracking_id":"<digits>" in a webhook body. */
static int
s_tracking_id(const char *body, size_t len, char out[16])
{
    static const char key[] = "\"tracking_id\":\"";
    const char *p = memmem(body, len, key, sizeof key - 1);
    size_t n = 0;

    if (!p)
        return -1;
    p += sizeof key - 1;
    while (p + n < body + len && p[n] != '"' && n < 15)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
    return n > 0 ? 0 : -1;
}

static void
s_record(bench_server_t *self, const s_body_t *body)
{
    bench_hook_t hook;
    double now = bench_real_ms();

    pthread_mutex_lock(&self->lock);
    if (!body || s_tracking_id(body->data, body->len, hook.tid) != 0)
        self->bad++;
    else {
        if (self->nhooks == self->cap) {
            size_t cap = self->cap ? self->cap * 2 : 4096;
            bench_hook_t *grown = realloc(self->hooks, cap * sizeof *grown);
            if (!grown) {
                self->bad++;
                pthread_mutex_unlock(&self->lock);
                return;
            }
            self->hooks = grown;
            self->cap = cap;
        }
        hook.at_ms = now;
        self->hooks[self->nhooks++] = hook;
    }
    pthread_mutex_unlock(&self->lock);
}

static enum MHD_Result
s_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
         const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    bench_server_t *self = cls;
    s_body_t *body = *con_cls;

    if (self->mode == BENCH_SERVER_BARE) {
        /* Nothing to keep: swallow the body, then answer. */
        if (*con_cls == NULL) {
            *con_cls = self;
            return MHD_YES;
        }
        if (*upload_data_size) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        return MHD_queue_response(conn, 201, self->created);
    }
    if (!body) {
        body = calloc(1, sizeof *body);
        if (!body)
            return MHD_NO;
        *con_cls = body;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (body->len + n <= BENCH_BODY_MAX) {
            char *grown = realloc(body->data, body->len + n + 1);
            if (!grown)
                return MHD_NO;
            memcpy(grown + body->len, upload_data, n);
            body->data = grown;
            body->len += n;
            body->data[body->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    s_record(self, body->data ? body : NULL);
    return MHD_queue_response(conn, 200, self->ok);
}

static void
s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
            enum MHD_RequestTerminationCode toe)
{
    bench_server_t *self = cls;
    if (self->mode == BENCH_SERVER_HOOK && *con_cls) {
        s_body_t *body = *con_cls;
        free(body->data);
        free(body);
    }
    *con_cls = NULL;
}

bench_server_t *
bench_server_new(bench_server_mode_t mode, int port, unsigned threads)
{
    bench_server_t *self = calloc(1, sizeof *self);
    struct sockaddr_in addr = {.sin_family = AF_INET,
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                               .sin_port = htons((uint16_t) port)};
    const union MHD_DaemonInfo *info = NULL;

    if (!self)
        return NULL;
    self->mode = mode;
    pthread_mutex_init(&self->lock, NULL);
    self->created = MHD_create_response_from_buffer(
        sizeof s_created_json - 1, (void *) s_created_json, MHD_RESPMEM_PERSISTENT);
    self->ok = MHD_create_response_from_buffer(sizeof s_ok_json - 1, (void *) s_ok_json,
                                               MHD_RESPMEM_PERSISTENT);
    if (!self->created || !self->ok)
        goto fail;
    MHD_add_response_header(self->created, "Content-Type", "application/json");
    MHD_add_response_header(self->ok, "Content-Type", "application/json");
    /* The same daemon options as lapor's own lp_http, so the bare server is the
     * fair upper bound of intake's accept path. */
    self->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, s_access,
        self, MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &addr, MHD_OPTION_NOTIFY_COMPLETED,
        s_completed, self, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned) 4000,
        threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, MHD_OPTION_END);
    if (!self->daemon)
        goto fail;
    info = MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : port;
    return self;
fail:
    bench_server_destroy(&self);
    return NULL;
}

int
bench_server_port(const bench_server_t *self)
{
    return self->port;
}

size_t
bench_server_hooks(bench_server_t *self, bench_hook_t **out)
{
    size_t n = 0;
    pthread_mutex_lock(&self->lock);
    *out = malloc((self->nhooks ? self->nhooks : 1) * sizeof **out);
    if (*out) {
        n = self->nhooks;
        memcpy(*out, self->hooks, n * sizeof **out);
    }
    pthread_mutex_unlock(&self->lock);
    return n;
}

size_t
bench_server_hook_count(bench_server_t *self)
{
    size_t n = 0;
    pthread_mutex_lock(&self->lock);
    n = self->nhooks;
    pthread_mutex_unlock(&self->lock);
    return n;
}

size_t
bench_server_bad_count(bench_server_t *self)
{
    size_t n = 0;
    pthread_mutex_lock(&self->lock);
    n = self->bad;
    pthread_mutex_unlock(&self->lock);
    return n;
}

void
bench_server_destroy(bench_server_t **self_p)
{
    bench_server_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    if (self->daemon)
        MHD_stop_daemon(self->daemon);
    if (self->created)
        MHD_destroy_response(self->created);
    if (self->ok)
        MHD_destroy_response(self->ok);
    pthread_mutex_destroy(&self->lock);
    free(self->hooks);
    free(self);
    *self_p = NULL;
}
