/* lp_curve: key files, an allow-list and the ZAP handler that enforces it. */
#include "lp_curve.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "lp_log.h"

#define MAX_ALLOWED 256
#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct lp_curve_t {
    char public_key[LP_CURVE_KEY_LEN + 1];
    char secret_key[LP_CURVE_KEY_LEN + 1];
    char allowed[MAX_ALLOWED][LP_CURVE_KEY_LEN + 1];
    int n_allowed;
    void *zap;
    pthread_t thread;
    atomic_bool stop;
    bool running;
};

/* Reads "name=<z85>" from text into out; true when found and 40 characters. */
static bool
s_field(const char *text, const char *name, char out[LP_CURVE_KEY_LEN + 1])
{
    size_t n = strlen(name);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, name, n) == 0 && line[n] == '=') {
            const char *v = line + n + 1;
            size_t len = strcspn(v, "\r\n");
            if (len != LP_CURVE_KEY_LEN)
                return false;
            memcpy(out, v, len);
            out[len] = '\0';
            return true;
        }
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    return false;
}

static bool
s_read(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f)
        return false;
    n = fread(buf, 1, size - 1, f);
    fclose(f);
    buf[n] = '\0';
    return true;
}

static int
s_write(const char *path, mode_t mode, const char *text, lp_error_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    size_t len = strlen(text);
    if (fd < 0 || write(fd, text, len) != (ssize_t) len) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "cannot write %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int
lp_curve_keygen(const char *dir, const char *name, lp_error_t *err)
{
    char pub[LP_CURVE_KEY_LEN + 1], sec[LP_CURVE_KEY_LEN + 1], path[4096], text[256];
    int rc;
    if (zmq_curve_keypair(pub, sec) != 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "zmq_curve_keypair: %s", zmq_strerror(errno));
        return -1;
    }
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    snprintf(text, sizeof text,
             "# lapor CURVE key of %s: keep it on its hosts only\npublic=%s\nsecret=%s\n", name,
             pub, sec);
    rc = s_write(path, 0600, text, err);
    memset(sec, 0, sizeof sec);
    memset(text, 0, sizeof text);
    if (rc != 0)
        return -1;
    snprintf(path, sizeof path, "%s/%s.pub", dir, name);
    snprintf(text, sizeof text,
             "# lapor CURVE public key of %s: copy it into the allow-lists\npublic=%s\n", name,
             pub);
    return s_write(path, 0644, text, err);
}

static bool
s_allowed(const lp_curve_t *self, const char *z85)
{
    for (int i = 0; i < self->n_allowed; i++)
        if (strcmp(self->allowed[i], z85) == 0)
            return true;
    return false;
}

/* The ZAP handler (RFC 27): one request, one reply; only CURVE clients on the list. */
static void *
s_zap(void *arg)
{
    lp_curve_t *self = arg;
    while (!atomic_load(&self->stop)) {
        zmq_pollitem_t item = {self->zap, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&item, 1, 200) <= 0)
            continue;
        char frames[7][64];
        size_t sizes[7] = {0};
        unsigned char key[32];
        int n = 0, more = 1;
        while (more) {
            zmq_msg_t msg;
            size_t more_size = sizeof more;
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, self->zap, 0) < 0) {
                zmq_msg_close(&msg);
                break;
            }
            if (n < 7) {
                size_t len = zmq_msg_size(&msg);
                sizes[n] = len;
                if (n == 6 && len == 32)
                    memcpy(key, zmq_msg_data(&msg), 32);
                else {
                    len = len < sizeof frames[n] - 1 ? len : sizeof frames[n] - 1;
                    memcpy(frames[n], zmq_msg_data(&msg), len);
                    frames[n][len] = '\0';
                }
            }
            n++;
            zmq_getsockopt(self->zap, ZMQ_RCVMORE, &more, &more_size);
            zmq_msg_close(&msg);
        }
        char z85[LP_CURVE_KEY_LEN + 1] = "";
        bool ok = n >= 7 && strcmp(frames[5], "CURVE") == 0 && sizes[6] == 32 &&
                  zmq_z85_encode(z85, key, 32) && s_allowed(self, z85);
        if (!ok)
            lp_log(LP_LOG_WARN, "bus.peer_refused", "{s:s,s:s,s:s}", "address",
                   n > 3 ? frames[3] : "", "mechanism", n > 5 ? frames[5] : "", "key", z85);
        /* version, request id, status code, status text, user id, metadata */
        zmq_send(self->zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(self->zap, frames[1], sizes[1] < 64 ? sizes[1] : 63, ZMQ_SNDMORE);
        zmq_send(self->zap, ok ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send(self->zap, ok ? "OK" : "not allowed", ok ? 2 : 11, ZMQ_SNDMORE);
        zmq_send(self->zap, "", 0, ZMQ_SNDMORE);
        zmq_send(self->zap, "", 0, 0);
    }
    return NULL;
}

/* Loads every *.pub file of dir into the allow-list. */
static int
s_load_allowed(lp_curve_t *self, const char *dir, lp_error_t *err)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[4096], text[512];
    if (!d) {
        lp_error_set(err, LP_ERR_SYSTEM, "curve-allow-dir", "cannot read %s: %s", dir,
                     strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) && self->n_allowed < MAX_ALLOWED) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".pub") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (s_read(path, text, sizeof text) &&
            s_field(text, "public", self->allowed[self->n_allowed]))
            self->n_allowed++;
    }
    closedir(d);
    return 0;
}

lp_curve_t *
lp_curve_new(void *ctx, const char *key_file, const char *allow_dir, const char *service,
             lp_error_t *err)
{
    char path[4096], text[512];
    const char *mark = strstr(key_file, "{service}");
    lp_curve_t *self = calloc(1, sizeof *self);

    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    if (mark)
        snprintf(path, sizeof path, "%.*s%s%s", (int) (mark - key_file), key_file, service,
                 mark + strlen("{service}"));
    else
        snprintf(path, sizeof path, "%s", key_file);
    if (!s_read(path, text, sizeof text) || !s_field(text, "public", self->public_key) ||
        !s_field(text, "secret", self->secret_key)) {
        lp_error_set(err, LP_ERR_INVALID, "curve-key-file",
                     "%s is not a readable CURVE key file (laporctl curve-keygen makes one)", path);
        goto fail;
    }
    memset(text, 0, sizeof text);
    if (!allow_dir || !*allow_dir) {
        lp_error_set(err, LP_ERR_INVALID, "curve-allow-dir",
                     "CURVE needs the directory of the public keys allowed in");
        goto fail;
    }
    if (s_load_allowed(self, allow_dir, err) != 0)
        goto fail;
    self->zap = zmq_socket(ctx, ZMQ_REP);
    if (!self->zap || zmq_bind(self->zap, ZAP_ENDPOINT) != 0) {
        lp_error_set(err, LP_ERR_BUS, NULL, "ZAP handler: %s", zmq_strerror(errno));
        goto fail;
    }
    if (pthread_create(&self->thread, NULL, s_zap, self) != 0) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "cannot start the ZAP handler");
        goto fail;
    }
    self->running = true;
    lp_log(LP_LOG_INFO, "bus.curve", "{s:s,s:i}", "public_key", self->public_key, "allowed",
           self->n_allowed);
    return self;
fail:
    lp_curve_destroy(&self);
    return NULL;
}

void
lp_curve_destroy(lp_curve_t **self_p)
{
    lp_curve_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    atomic_store(&self->stop, true);
    if (self->running)
        pthread_join(self->thread, NULL);
    if (self->zap) {
        int linger = 0;
        zmq_setsockopt(self->zap, ZMQ_LINGER, &linger, sizeof linger);
        zmq_close(self->zap);
    }
    memset(self->secret_key, 0, sizeof self->secret_key);
    free(self);
    *self_p = NULL;
}

const char *
lp_curve_public(const lp_curve_t *self)
{
    return self->public_key;
}

int
lp_curve_server(const lp_curve_t *self, void *zsock)
{
    int on = 1;
    return zmq_setsockopt(zsock, ZMQ_CURVE_SERVER, &on, sizeof on) ||
                   zmq_setsockopt(zsock, ZMQ_CURVE_SECRETKEY, self->secret_key, LP_CURVE_KEY_LEN) ||
                   zmq_setsockopt(zsock, ZMQ_ZAP_DOMAIN, "lapor", 5)
               ? -1
               : 0;
}

int
lp_curve_client(const lp_curve_t *self, void *zsock, const char *server_public)
{
    if (!server_public || strlen(server_public) != LP_CURVE_KEY_LEN)
        return -1;
    return zmq_setsockopt(zsock, ZMQ_CURVE_SERVERKEY, server_public, LP_CURVE_KEY_LEN) ||
                   zmq_setsockopt(zsock, ZMQ_CURVE_PUBLICKEY, self->public_key, LP_CURVE_KEY_LEN) ||
                   zmq_setsockopt(zsock, ZMQ_CURVE_SECRETKEY, self->secret_key, LP_CURVE_KEY_LEN)
               ? -1
               : 0;
}
