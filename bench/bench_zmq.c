/* bench_zmq: PUSH/PULL throughput of packed Envelopes over loopback TCP. */
#include "bench_zmq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "bench_db.h"
#include "bench_util.h"

typedef struct {
    void *ctx;
    char endpoint[64];
    double seconds;
    unsigned char msg[256];
    size_t len;
    volatile bool done;
} s_pusher_t;

static void *
s_push(void *arg)
{
    s_pusher_t *p = arg;
    void *push = zmq_socket(p->ctx, ZMQ_PUSH);
    int linger = 0;
    double end = bench_mono_ms() + p->seconds * 1e3;
    unsigned long n = 0;

    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(push, p->endpoint) == 0)
        /* Check the clock every 1024 messages: it costs more than a send. */
        while (!bench_stop && ((++n & 1023) != 0 || bench_mono_ms() < end))
            if (zmq_send(push, p->msg, p->len, 0) < 0)
                break;
    p->done = true;
    /* An empty message ends the run for the puller. */
    zmq_send(push, "", 0, 0);
    zmq_close(push);
    return NULL;
}

double
bench_zmq_pushpull(double seconds, size_t *msg_size)
{
    s_pusher_t p;
    void *pull = NULL;
    pthread_t thread;
    size_t endpoint_len = 0;
    unsigned long received = 0;
    double start = 0, elapsed = 0;
    char buf[512];
    int timeout = 2000, linger = 0;

    memset(&p, 0, sizeof p);
    p.seconds = seconds;
    p.len = bench_envelope_pack(123456789UL, p.msg, sizeof p.msg);
    *msg_size = p.len;
    p.ctx = zmq_ctx_new();
    pull = p.ctx ? zmq_socket(p.ctx, ZMQ_PULL) : NULL;
    if (!pull || zmq_bind(pull, "tcp://127.0.0.1:*") != 0) {
        fprintf(stderr, "bench: zmq: %s\n", zmq_strerror(zmq_errno()));
        if (pull)
            zmq_close(pull);
        if (p.ctx)
            zmq_ctx_term(p.ctx);
        return -1;
    }
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    endpoint_len = sizeof p.endpoint;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, p.endpoint, &endpoint_len);
    start = bench_mono_ms();
    if (pthread_create(&thread, NULL, s_push, &p) != 0) {
        zmq_close(pull);
        zmq_ctx_term(p.ctx);
        return -1;
    }
    for (;;) {
        int n = zmq_recv(pull, buf, sizeof buf, 0);
        if (n <= 0)
            break; /* the end marker, or nothing for 2 s */
        received++;
    }
    elapsed = bench_mono_ms() - start;
    pthread_join(thread, NULL);
    zmq_close(pull);
    zmq_ctx_term(p.ctx);
    return elapsed > 0 ? (double) received * 1e3 / elapsed : -1;
}
