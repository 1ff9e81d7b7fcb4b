/* lp_ipnet: parsing addresses and networks, and the walk through X-Forwarded-For. */
#include "lp_ipnet.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t addr[16]; /* IPv4 as IPv4-mapped IPv6, so one comparison serves both */
    unsigned prefix;  /* bits, 0..128 */
} s_net_t;

struct lp_ipnet_list_t {
    s_net_t *nets;
    size_t n;
};

/* Parses ip[0..len) (spaces, brackets and a port allowed around it) into 16 bytes. */
static int
s_parse(const char *ip, size_t len, uint8_t out[16], bool *is_v4)
{
    char text[LP_IPNET_ADDR_MAX + 8];
    const char *end = ip + len;
    struct in_addr v4;

    while (ip < end && isspace((unsigned char) *ip))
        ip++;
    while (end > ip && isspace((unsigned char) end[-1]))
        end--;
    if (ip < end && *ip == '[') {
        /* "[v6]" or "[v6]:port" */
        const char *close = memchr(ip, ']', (size_t) (end - ip));
        if (!close)
            return -1;
        ip++;
        end = close;
    }
    else if (memchr(ip, '.', (size_t) (end - ip))) {
        /* "v4:port": one colon; an IPv6 address with dots has several. */
        const char *colon = memchr(ip, ':', (size_t) (end - ip));
        if (colon && !memchr(colon + 1, ':', (size_t) (end - colon - 1)))
            end = colon;
    }
    if (end <= ip || (size_t) (end - ip) >= sizeof text)
        return -1;
    memcpy(text, ip, (size_t) (end - ip));
    text[end - ip] = '\0';
    if (inet_pton(AF_INET, text, &v4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, &v4, 4);
        *is_v4 = true;
        return 0;
    }
    if (inet_pton(AF_INET6, text, out) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        *is_v4 = memcmp(out, mapped, sizeof mapped) == 0;
        return 0;
    }
    return -1;
}

static void
s_format(const uint8_t addr[16], bool is_v4, char *out, size_t size)
{
    char text[LP_IPNET_ADDR_MAX];
    if (is_v4)
        inet_ntop(AF_INET, addr + 12, text, sizeof text);
    else
        inet_ntop(AF_INET6, addr, text, sizeof text);
    snprintf(out, size, "%s", text);
}

int
lp_ipnet_canonical(const char *ip, size_t len, char *out, size_t size)
{
    uint8_t addr[16];
    bool is_v4 = false;
    if (!ip || s_parse(ip, len, addr, &is_v4) != 0)
        return -1;
    s_format(addr, is_v4, out, size);
    return 0;
}

/* -------------------------------------------------------------------------- */
/* Lists                                                                       */

lp_ipnet_list_t *
lp_ipnet_list_new(const char *spec, lp_error_t *err)
{
    lp_ipnet_list_t *self = calloc(1, sizeof *self);
    const char *p = spec ? spec : "";
    size_t cap = 0;

    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    while (*p) {
        size_t len = strcspn(p, ", \t");
        const char *slash = memchr(p, '/', len);
        s_net_t net = {{0}, 128};
        bool is_v4 = false;

        if (len == 0) {
            p++;
            continue;
        }
        if (s_parse(p, slash ? (size_t) (slash - p) : len, net.addr, &is_v4) != 0) {
            lp_error_set(err, LP_ERR_INVALID, "trusted_proxies",
                         "'%.*s' is not an IP address or network", (int) (len > 60 ? 60 : len), p);
            goto fail;
        }
        if (slash) {
            char *end = NULL;
            long bits = strtol(slash + 1, &end, 10);
            long max = is_v4 ? 32 : 128;
            if (end == slash + 1 || end != p + len || bits < 0 || bits > max) {
                lp_error_set(err, LP_ERR_INVALID, "trusted_proxies",
                             "'%.*s' has a bad prefix length", (int) (len > 60 ? 60 : len), p);
                goto fail;
            }
            net.prefix = (unsigned) (is_v4 ? bits + 96 : bits);
        }
        if (self->n == cap) {
            s_net_t *grown = realloc(self->nets, (cap = cap ? 2 * cap : 4) * sizeof *grown);
            if (!grown) {
                lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
                goto fail;
            }
            self->nets = grown;
        }
        self->nets[self->n++] = net;
        p += len;
    }
    return self;
fail:
    lp_ipnet_list_destroy(&self);
    return NULL;
}

void
lp_ipnet_list_destroy(lp_ipnet_list_t **self_p)
{
    lp_ipnet_list_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    free(self->nets);
    free(self);
    *self_p = NULL;
}

static bool
s_contains(const lp_ipnet_list_t *self, const uint8_t addr[16])
{
    for (size_t i = 0; self && i < self->n; i++) {
        const s_net_t *net = &self->nets[i];
        unsigned full = net->prefix / 8, rest = net->prefix % 8;
        if (memcmp(net->addr, addr, full) != 0)
            continue;
        if (rest && ((net->addr[full] ^ addr[full]) & (uint8_t) (0xff << (8 - rest))))
            continue;
        return true;
    }
    return false;
}

bool
lp_ipnet_list_contains(const lp_ipnet_list_t *self, const char *ip)
{
    uint8_t addr[16];
    bool is_v4 = false;
    return self && ip && s_parse(ip, strlen(ip), addr, &is_v4) == 0 && s_contains(self, addr);
}

/* -------------------------------------------------------------------------- */

void
lp_ipnet_client(const lp_ipnet_list_t *trusted, const char *peer, const char *forwarded_for,
                char *out, size_t size)
{
    uint8_t addr[16];
    bool is_v4 = false;
    const char *end = forwarded_for ? forwarded_for + strlen(forwarded_for) : NULL;

    if (!peer || s_parse(peer, strlen(peer), addr, &is_v4) != 0) {
        snprintf(out, size, "%s", peer ? peer : "");
        return;
    }
    /* addr is the hop we believe; step left while it is a trusted proxy. */
    while (end && s_contains(trusted, addr)) {
        const char *start = end;
        uint8_t next[16];
        bool next_v4 = false;
        while (start > forwarded_for && start[-1] != ',')
            start--;
        if (s_parse(start, (size_t) (end - start), next, &next_v4) != 0)
            break;
        memcpy(addr, next, sizeof addr);
        is_v4 = next_v4;
        end = start > forwarded_for ? start - 1 : NULL;
    }
    s_format(addr, is_v4, out, size);
}
