/* fuzz_multipart: a multipart/form-data body as intake receives one: through lp_http
 * (libmicrohttpd's post processor, streaming) into the upload sink (upload.h: fields
 * into a form, files into spool files, limits), then the type sniffer (lp_sniff.h)
 * on every file received. The input is the body; the boundary is "lapor".
 *
 * A real lp_http server runs on a loopback port for the whole run, and each input
 * is one request on a new connection: slower than a direct call, but it exercises
 * exactly the path a hostile upload takes. */
#define _GNU_SOURCE /* mkdtemp */
#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "lp_http.h"
#include "lp_log.h"
#include "lp_sniff.h"
#include "upload.h"

#define MAX_FILES 3
#define MAX_BYTES 4096

int LLVMFuzzerInitialize(int *argc, char ***argv);

static lp_http_t *s_server;
static char s_spool[64];

static void *
s_begin(void *arg, lp_http_req_t *req)
{
    return intake_upload_new(s_spool, MAX_FILES, MAX_BYTES);
}

static int
s_piece(void *sink, const char *field, const char *filename, const char *content_type, uint64_t off,
        const char *data, size_t size)
{
    return intake_upload_piece(sink, field, filename, content_type, off, data, size);
}

static void
s_end(void *sink)
{
    intake_upload_t *up = sink;
    intake_upload_destroy(&up);
}

static void
s_handle(lp_http_req_t *req, void *arg)
{
    intake_upload_t *up = lp_http_upload_state(req);
    const intake_urlform_t *form = NULL;
    lp_error_t err;
    char digest[65];

    lp_error_clear(&err);
    if (!up) {
        lp_http_reply(req, 415, "text/plain", "", 0);
        return;
    }
    form = intake_upload_finish(up, &err);
    assert(form || err.message[0]);
    for (size_t i = 0; i < intake_upload_count(up); i++) {
        const intake_upload_file_t *f = intake_upload_file(up, i);
        assert(f->head_len <= LP_SNIFF_HEAD && f->head_len <= f->size);
        assert(f->too_big == (f->size > MAX_BYTES));
        lp_sniff_type_t type = lp_sniff_type(f->head, f->head_len);
        assert(strcmp(lp_sniff_mime(type), "") != 0);
    }
    assert(intake_upload_count(up) <= MAX_FILES);
    intake_upload_digest(up, digest);
    lp_http_reply(req, 200, "text/plain", "ok", 2);
}

/* Every spool file is removed with its request, so the folder is empty by now. */
static void
s_remove_spool(void)
{
    rmdir(s_spool);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    lp_error_t err;
    lp_http_config_t cfg = {
        .listen = "127.0.0.1:0",
        .max_body = 64 * 1024,
        .threads = 1,
        .handler = s_handle,
        .upload = {.begin = s_begin, .piece = s_piece, .end = s_end, .max_body = 64 * 1024},
    };

    lp_log_set_level("error");
    snprintf(s_spool, sizeof s_spool, "/tmp/lapor-fuzz-XXXXXX");
    if (!mkdtemp(s_spool))
        abort();
    atexit(s_remove_spool);
    lp_error_clear(&err);
    s_server = lp_http_new(&cfg, &err);
    if (!s_server)
        abort();
    return 0;
}

static void
s_send_all(int fd, const void *data, size_t size)
{
    const char *p = data;
    while (size > 0) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n <= 0)
            return; /* the server may answer and close early (413, 400) */
        p += n;
        size -= (size_t) n;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in addr = {.sin_family = AF_INET};
    struct timeval timeout = {.tv_sec = 5};
    char head[256], answer[512];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        abort();
    addr.sin_port = htons(lp_http_port(s_server));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    /* Thousands of connections a second can briefly exhaust what the kernel has
     * ready; a refusal then is the machine's, not the code's: try again a little. */
    for (int tries = 0; connect(fd, (struct sockaddr *) &addr, sizeof addr) != 0; tries++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        if (tries == 200) {
            perror("fuzz_multipart: connect");
            abort();
        }
        close(fd);
        nanosleep(&pause, NULL);
        if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
            abort();
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }
    snprintf(head, sizeof head,
             "POST /upload HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n"
             "Content-Type: multipart/form-data; boundary=lapor\r\nContent-Length: %zu\r\n\r\n",
             size);
    s_send_all(fd, head, strlen(head));
    s_send_all(fd, data, size);
    /* Wait for the whole answer, so the request is over before the next input. */
    while (recv(fd, answer, sizeof answer, 0) > 0)
        ;
    /* Reset rather than linger: tens of thousands of closed connections in
     * TIME_WAIT would use up the loopback's ports within a run. */
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &(struct linger){.l_onoff = 1, .l_linger = 0},
               sizeof(struct linger));
    close(fd);
    return 0;
}
