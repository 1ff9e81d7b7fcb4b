/* lp_http: libmicrohttpd bridged to one handler, with limits and security headers. */
#include "lp_http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lp_ipnet.h"
#include "lp_log.h"
#include "lp_metrics.h"

#define MAX_HEADERS 8

struct lp_http_t {
    struct MHD_Daemon *daemon;
    lp_http_config_t cfg;
    lp_ipnet_list_t *trusted; /* proxies whose X-Forwarded-For counts */
    uint16_t port;
};

struct lp_http_req_t {
    lp_http_t *server;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    char *body;
    size_t body_len;
    bool too_big;
    bool replied;
    struct MHD_PostProcessor *post; /* a streamed upload (lp_http_upload_t) */
    void *sink;
    size_t upload_len;  /* bytes of the streamed body so far (none kept in body) */
    bool upload_failed; /* the sink gave up: the answer is 503 */
    bool upload_bad;    /* the multipart body was malformed: the answer is 400 */
    struct timespec started;
    char client_ip[LP_IPNET_ADDR_MAX];
    struct {
        char *name, *value;
    } headers[MAX_HEADERS];
    int n_headers;
};

static lp_metric_t *s_latency;

/* -------------------------------------------------------------------------- */
/* Replies                                                                     */

static void
s_count_status(unsigned status)
{
    char labels[32];
    snprintf(labels, sizeof labels, "code=\"%u\"", status);
    lp_metric_inc(lp_metrics_counter("lapor_http_requests_total", labels,
                                     "HTTP requests answered, by status code"));
}

void
lp_http_add_header(lp_http_req_t *req, const char *name, const char *value)
{
    if (req->n_headers >= MAX_HEADERS)
        return;
    req->headers[req->n_headers].name = strdup(name);
    req->headers[req->n_headers].value = strdup(value);
    req->n_headers++;
}

/* Adds the common headers to resp, queues it and counts the answer. */
static void
s_queue(lp_http_req_t *req, unsigned status, const char *content_type, struct MHD_Response *resp)
{
    struct timespec now;

    MHD_add_response_header(resp, "Content-Type", content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < req->n_headers; i++)
        MHD_add_response_header(resp, req->headers[i].name, req->headers[i].value);
    MHD_queue_response(req->conn, status, resp);
    MHD_destroy_response(resp);
    s_count_status(status);
    clock_gettime(CLOCK_MONOTONIC, &now);
    lp_metric_observe(s_latency, (double) (now.tv_sec - req->started.tv_sec) +
                                     (now.tv_nsec - req->started.tv_nsec) / 1e9);
}

void
lp_http_reply(lp_http_req_t *req, unsigned status, const char *content_type, const char *body,
              size_t len)
{
    struct MHD_Response *resp = NULL;

    if (req->replied)
        return;
    req->replied = true;
    resp = MHD_create_response_from_buffer(len, (void *) body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return;
    s_queue(req, status, content_type, resp);
}

typedef struct {
    lp_http_stream_fn fn;
    void *arg;
    void (*free_fn)(void *arg);
} s_stream_t;

static ssize_t
s_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    s_stream_t *stream = cls;
    ssize_t n = stream->fn(stream->arg, buf, max);
    (void) pos;
    if (n < 0)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void
s_stream_free(void *cls)
{
    s_stream_t *stream = cls;
    if (stream->free_fn)
        stream->free_fn(stream->arg);
    free(stream);
}

void
lp_http_reply_stream(lp_http_req_t *req, unsigned status, const char *content_type,
                     lp_http_stream_fn fn, void *arg, void (*free_fn)(void *arg))
{
    struct MHD_Response *resp = NULL;
    s_stream_t *stream = calloc(1, sizeof *stream);

    if (req->replied || !stream) {
        free(stream);
        if (free_fn)
            free_fn(arg);
        if (!req->replied)
            lp_http_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    stream->fn = fn;
    stream->arg = arg;
    stream->free_fn = free_fn;
    /* 32 KiB at a time: the answer never needs more memory than that. */
    resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, s_stream_read, stream,
                                             s_stream_free);
    if (!resp) {
        s_stream_free(stream);
        lp_http_reply_error(req, 500, NULL, "out of memory");
        return;
    }
    req->replied = true;
    s_queue(req, status, content_type, resp);
}

void
lp_http_reply_json(lp_http_req_t *req, unsigned status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;

    if (text)
        lp_http_reply(req, status, "application/json; charset=utf-8", text, strlen(text));
    else
        lp_http_reply(req, 500, "application/json; charset=utf-8",
                      "{\"error\":{\"field\":null,\"message\":\"out of memory\"}}", 50);
    free(text);
    json_decref(body);
}

void
lp_http_reply_error(lp_http_req_t *req, unsigned status, const char *field, const char *message)
{
    json_t *error = json_pack("{s:{s:o,s:s}}", "error", "field",
                              field && *field ? json_string(field) : json_null(), "message",
                              message ? message : "error");
    lp_http_reply_json(req, status, error);
}

/* -------------------------------------------------------------------------- */
/* Accessors                                                                   */

const char *
lp_http_method(const lp_http_req_t *req)
{
    return req->method;
}

const char *
lp_http_path(const lp_http_req_t *req)
{
    return req->path;
}

const char *
lp_http_query(const lp_http_req_t *req, const char *key)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *
lp_http_header(const lp_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *
lp_http_cookie(const lp_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *
lp_http_body(const lp_http_req_t *req, size_t *len)
{
    if (len)
        *len = req->body_len;
    return req->body ? req->body : "";
}

void *
lp_http_upload_state(const lp_http_req_t *req)
{
    return req->sink;
}

const char *
lp_http_client_ip(const lp_http_req_t *req)
{
    return req->client_ip;
}

/* -------------------------------------------------------------------------- */
/* libmicrohttpd callbacks                                                     */

/* Appends every X-Forwarded-For value, in order, to a comma-separated list. */
static enum MHD_Result
s_collect_forwarded(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    char **list = cls;
    size_t had = *list ? strlen(*list) : 0, len = value ? strlen(value) : 0;
    char *grown = NULL;

    if (!key || strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    grown = realloc(*list, had + len + 2);
    if (!grown)
        return MHD_NO;
    if (had)
        grown[had++] = ',';
    memcpy(grown + had, value, len + 1);
    *list = grown;
    return MHD_YES;
}

/* The peer's address, then the client's when the peer is a trusted proxy. A proxy
 * appends a header of its own after any the client sent, so all of them count. */
static void
s_find_client(lp_http_req_t *req)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    char peer[LP_IPNET_ADDR_MAX] = "";
    char *forwarded = NULL;

    if (info && info->client_addr && info->client_addr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *) info->client_addr)->sin_addr, peer,
                  sizeof peer);
    else if (info && info->client_addr && info->client_addr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *) info->client_addr)->sin6_addr, peer,
                  sizeof peer);
    if (lp_ipnet_list_contains(req->server->trusted, peer))
        MHD_get_connection_values(req->conn, MHD_HEADER_KIND, s_collect_forwarded, &forwarded);
    lp_ipnet_client(req->server->trusted, peer, forwarded, req->client_ip, sizeof req->client_ip);
    free(forwarded);
}

static void
s_serve_builtin(lp_http_req_t *req, bool *handled)
{
    lp_http_t *self = req->server;
    *handled = true;
    if (strcmp(req->path, "/healthz") == 0) {
        json_t *detail = NULL;
        bool ok = self->cfg.health ? self->cfg.health(self->cfg.health_arg, &detail) : true;
        json_t *body = detail ? detail : json_object();
        json_object_set_new(body, "status", json_string(ok ? "ok" : "unavailable"));
        if (!ok)
            lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_json(req, ok ? 200 : 503, body);
    }
    else if (strcmp(req->path, "/metrics") == 0) {
        char *text = lp_metrics_render();
        if (text)
            lp_http_reply(req, 200, "text/plain; version=0.0.4", text, strlen(text));
        else
            lp_http_reply_error(req, 500, NULL, "out of memory");
        free(text);
    }
    else
        *handled = false;
}

/* -------------------------------------------------------------------------- */
/* Streamed uploads                                                            */

static enum MHD_Result
s_post_piece(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
             const char *content_type, const char *transfer_encoding, const char *data,
             uint64_t off, size_t size)
{
    lp_http_req_t *req = cls;
    lp_http_upload_t *up = &req->server->cfg.upload;

    if (req->upload_failed || !key)
        return MHD_NO;
    if (up->piece(req->sink, key, filename, content_type, off, data, size) != 0) {
        req->upload_failed = true;
        return MHD_NO;
    }
    return MHD_YES;
}

/* Starts a streamed upload when the request is a multipart POST the sink wants. */
static void
s_upload_begin(lp_http_req_t *req)
{
    lp_http_upload_t *up = &req->server->cfg.upload;
    const char *ctype = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, "Content-Type");

    if (!up->begin || !up->piece || !up->end || strcmp(req->method, "POST") != 0 || !ctype ||
        strncasecmp(ctype, "multipart/form-data", 19) != 0)
        return;
    req->sink = up->begin(req->server->cfg.arg, req);
    if (!req->sink)
        return;
    /* 16 KiB: the largest piece the sink is handed, and the parser's whole memory. */
    req->post = MHD_create_post_processor(req->conn, 16 * 1024, s_post_piece, req);
    if (!req->post)
        req->upload_bad = true; /* no boundary: answered 400 at the end */
}

/* Feeds a piece of the body to the post processor; too much is dropped. */
static void
s_upload_feed(lp_http_req_t *req, const char *data, size_t n)
{
    if (req->too_big || req->upload_len + n > req->server->cfg.upload.max_body) {
        req->too_big = true;
        return;
    }
    req->upload_len += n;
    if (req->post && !req->upload_failed && !req->upload_bad &&
        MHD_post_process(req->post, data, n) != MHD_YES && !req->upload_failed)
        req->upload_bad = true;
}

/* The whole body is in: flushes the parser. true when the handler may run. */
static bool
s_upload_finish(lp_http_req_t *req)
{
    if (req->post) {
        if (MHD_destroy_post_processor(req->post) != MHD_YES && !req->upload_failed)
            req->upload_bad = true;
        req->post = NULL;
    }
    if (req->upload_failed) {
        lp_http_add_header(req, "Retry-After", "5");
        lp_http_reply_error(req, 503, NULL, "the upload could not be stored now; try again");
        return false;
    }
    if (req->upload_bad) {
        lp_http_reply_error(req, 400, NULL,
                            "the multipart/form-data body is malformed or cut short");
        return false;
    }
    return true;
}

static enum MHD_Result
s_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
         const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    lp_http_t *self = cls;
    lp_http_req_t *req = *con_cls;
    bool handled = false;

    if (!req) {
        const char *length = NULL;

        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        req->server = self;
        req->conn = conn;
        req->method = method;
        req->path = url;
        clock_gettime(CLOCK_MONOTONIC, &req->started);
        s_find_client(req);
        *con_cls = req;
        s_upload_begin(req);
        /* Refuse an announced oversized body before reading any of it. */
        length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (length && strtoull(length, NULL, 10) >
                          (req->sink ? self->cfg.upload.max_body : self->cfg.max_body)) {
            req->too_big = true;
            lp_http_reply_error(req, 413, NULL, "request body is too large");
        }
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->sink) {
            s_upload_feed(req, upload_data, n);
            return MHD_YES;
        }
        if (req->too_big || req->body_len + n > self->cfg.max_body) {
            req->too_big = true; /* keep reading and dropping; answer at the end */
            return MHD_YES;
        }
        char *grown = realloc(req->body, req->body_len + n + 1);
        if (!grown)
            return MHD_NO;
        req->body = grown;
        memcpy(req->body + req->body_len, upload_data, n);
        req->body_len += n;
        req->body[req->body_len] = '\0';
        return MHD_YES;
    }

    if (req->replied)
        return MHD_YES;
    if (req->too_big) {
        lp_http_reply_error(req, 413, NULL, "request body is too large");
        return MHD_YES;
    }
    if (req->sink && !s_upload_finish(req))
        return MHD_YES;
    s_serve_builtin(req, &handled);
    if (!handled)
        self->cfg.handler(req, self->cfg.arg);
    if (!req->replied) {
        lp_log(LP_LOG_ERROR, "http.no_reply", "{s:s,s:s}", "method", method, "path", url);
        lp_http_reply_error(req, 500, NULL, "internal error");
    }
    return MHD_YES;
}

static void
s_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
            enum MHD_RequestTerminationCode toe)
{
    lp_http_req_t *req = *con_cls;
    if (!req)
        return;
    if (req->post)
        MHD_destroy_post_processor(req->post);
    if (req->sink)
        req->server->cfg.upload.end(req->sink);
    for (int i = 0; i < req->n_headers; i++) {
        free(req->headers[i].name);
        free(req->headers[i].value);
    }
    free(req->body);
    free(req);
    *con_cls = NULL;
}

static void __attribute__((format(printf, 2, 0))) s_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char text[256];
    vsnprintf(text, sizeof text, fmt, ap);
    text[strcspn(text, "\n")] = '\0';
    lp_log(LP_LOG_WARN, "http.server", "{s:s}", "message", text);
}

/* -------------------------------------------------------------------------- */
/* Life cycle                                                                  */

lp_http_t *
lp_http_new(const lp_http_config_t *cfg, lp_error_t *err)
{
    lp_http_t *self = NULL;
    struct sockaddr_in addr;
    char host[64] = "";
    const char *colon = cfg->listen ? strrchr(cfg->listen, ':') : NULL;
    char *end = NULL;
    long port = 0;
    const union MHD_DaemonInfo *info = NULL;

    if (!colon || (size_t) (colon - cfg->listen) >= sizeof host) {
        lp_error_set(err, LP_ERR_INVALID, "listen", "listen address '%s' is not host:port",
                     cfg->listen ? cfg->listen : "");
        return NULL;
    }
    memcpy(host, cfg->listen, (size_t) (colon - cfg->listen));
    port = strtol(colon + 1, &end, 10);
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t) port);
    if (*end || port < 0 || port > 65535 || inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        lp_error_set(err, LP_ERR_INVALID, "listen", "listen address '%s' is not IPv4 host:port",
                     cfg->listen);
        return NULL;
    }

    s_latency = lp_metrics_histogram("lapor_http_request_duration_seconds", NULL,
                                     "Time from request to answer");
    self = calloc(1, sizeof *self);
    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    self->cfg = *cfg;
    self->trusted = lp_ipnet_list_new(cfg->trusted_proxies, err);
    if (!self->trusted) {
        free(self);
        return NULL;
    }
    /* The logger must be the first option; a pool of one thread is no pool. */
    unsigned threads = cfg->threads > 1 ? cfg->threads : 1;
    self->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, 0, NULL,
        NULL, s_access, self, MHD_OPTION_EXTERNAL_LOGGER, s_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *) &addr, MHD_OPTION_NOTIFY_COMPLETED, s_completed, self,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) 30, MHD_OPTION_CONNECTION_LIMIT, (unsigned) 1000,
        /* Per connection: headers and the read buffer (bodies are copied out as they
         * come). Half of MHD's default, so a burst of open connections stays small (MHD
         * touches most of it: 500 connections cost 8 MB). It takes about 5 KiB of
         * cookies in 50 (each is parsed into the pool too), or one 7 KiB header;
         * beyond, MHD answers 431 (test_slice j). */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) 16 * 1024,
        threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, MHD_OPTION_END);
    if (!self->daemon) {
        lp_error_set(err, LP_ERR_SYSTEM, "listen", "cannot listen on %s", cfg->listen);
        lp_ipnet_list_destroy(&self->trusted);
        free(self);
        return NULL;
    }
    info = MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_BIND_PORT);
    self->port = info ? info->port : (uint16_t) port;
    return self;
}

void
lp_http_destroy(lp_http_t **self_p)
{
    lp_http_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    /* Stop accepting, then give requests in flight up to 5 s to be answered, so a
     * SIGTERM never cuts off a citizen whose complaint was already stored. */
    MHD_quiesce_daemon(self->daemon);
    for (int i = 0; i < 500; i++) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(self->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(self->daemon);
    lp_ipnet_list_destroy(&self->trusted);
    free(self);
    *self_p = NULL;
}

uint16_t
lp_http_port(const lp_http_t *self)
{
    return self->port;
}
