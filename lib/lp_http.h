/* lp_http: a small HTTP server on libmicrohttpd for lapor's services.
 *
 * It reads whole request bodies up to a limit (413 beyond it), answers /healthz
 * and /metrics itself, adds security headers to every answer and hands every
 * other request to one handler, which must answer exactly once. Handlers run on
 * libmicrohttpd's thread pool, so they must be thread-safe. */
#ifndef LP_HTTP_H
#define LP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lp_error.h"

typedef struct lp_http_t lp_http_t;
typedef struct lp_http_req_t lp_http_req_t;

typedef void (*lp_http_handler_fn)(lp_http_req_t *req, void *arg);
/* Returns true when healthy; may set *detail (a JSON object the server frees). */
typedef bool (*lp_http_health_fn)(void *arg, json_t **detail);

/* Streamed uploads: a multipart/form-data POST that begin() accepts is parsed piece
 * by piece (libmicrohttpd's post processor) as it arrives, and every piece goes to
 * piece() instead of memory, so a large file costs a small buffer, not its size.
 * The body limit of such a request is max_body of this struct; the handler runs
 * once the whole body is in and finds the sink with lp_http_upload_state(). */
typedef struct {
    /* Returns the sink of this request, or NULL to read it like any other. */
    void *(*begin)(void *arg, lp_http_req_t *req);
    /* One piece of part `field` (filename NULL for a plain field; content_type as
     * the client declared it, or NULL) at offset off of that part. Returns 0 to go
     * on, -1 to give up: the request then gets 503. */
    int (*piece)(void *sink, const char *field, const char *filename, const char *content_type,
                 uint64_t off, const char *data, size_t size);
    /* Frees the sink; called exactly once when the request is over. */
    void (*end)(void *sink);
    size_t max_body;
} lp_http_upload_t;

typedef struct {
    const char *listen; /* "host:port"; port 0 picks a free one */
    size_t max_body;    /* bytes; larger bodies get 413 */
    unsigned threads;   /* worker threads; 0 means 1 */
    lp_http_handler_fn handler;
    void *arg;
    lp_http_health_fn health;
    void *health_arg;
    /* Reverse proxies whose X-Forwarded-For is believed ("10.0.0.0/8, ::1", see
     * lp_ipnet.h); NULL or "" believes no one. */
    const char *trusted_proxies;
    lp_http_upload_t upload; /* all NULL: no streamed uploads */
} lp_http_config_t;

/* Starts serving. Returns NULL and fills err when the address is bad or taken. */
lp_http_t *lp_http_new(const lp_http_config_t *cfg, lp_error_t *err);

/* Stops accepting, finishes requests in flight, frees. Accepts NULL. */
void lp_http_destroy(lp_http_t **self_p);

/* The port actually bound. */
uint16_t lp_http_port(const lp_http_t *self);

/* Request accessors; the strings live until the reply is sent. */
const char *lp_http_method(const lp_http_req_t *req);
const char *lp_http_path(const lp_http_req_t *req);
const char *lp_http_query(const lp_http_req_t *req, const char *key); /* NULL if absent */
const char *lp_http_header(const lp_http_req_t *req, const char *name);
const char *lp_http_cookie(const lp_http_req_t *req, const char *name); /* NULL if absent */
const char *lp_http_body(const lp_http_req_t *req, size_t *len);
/* The sink upload.begin made for this request, or NULL (lp_http_body is then ""). */
void *lp_http_upload_state(const lp_http_req_t *req);
/* The client's IP address: the peer's, or the one trusted proxies forwarded for. */
const char *lp_http_client_ip(const lp_http_req_t *req);

/* Adds a response header for the coming reply (copied). */
void lp_http_add_header(lp_http_req_t *req, const char *name, const char *value);

/* Answers with a body (copied). */
void lp_http_reply(lp_http_req_t *req, unsigned status, const char *content_type, const char *body,
                   size_t len);

/* Produces the next piece of a streamed body into buf (at most max bytes). Returns
 * the bytes written (more than 0), 0 at the end, or -1 to cut the answer off. */
typedef ssize_t (*lp_http_stream_fn)(void *arg, char *buf, size_t max);

/* Answers with a body produced piece by piece (chunked), so a large answer takes
 * bounded memory. fn runs on the connection's thread after the handler returned;
 * free_fn(arg) (may be NULL) runs once when the answer is over, even when the
 * client went away, and also when this call fails. */
void lp_http_reply_stream(lp_http_req_t *req, unsigned status, const char *content_type,
                          lp_http_stream_fn fn, void *arg, void (*free_fn)(void *arg));

/* Answers with JSON; takes ownership of body. */
void lp_http_reply_json(lp_http_req_t *req, unsigned status, json_t *body);

/* Answers {"error": {"field": field-or-null, "message": message}}. */
void lp_http_reply_error(lp_http_req_t *req, unsigned status, const char *field,
                         const char *message);

#endif
