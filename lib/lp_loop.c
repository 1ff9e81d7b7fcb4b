/* lp_loop: zmq_poll over sockets, a signalfd and timers. */
#include "lp_loop.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lp_clock.h"
#include "lp_log.h"

#define MAX_ITEMS 8
#define MAX_TIMERS 8

struct lp_loop_t {
    int sigfd;
    bool stopping;
    int signo; /* the signal that stopped the loop, 0 for none */
    struct {
        lp_bus_socket_t *sock;
        lp_loop_socket_fn fn;
        void *arg;
    } items[MAX_ITEMS];
    int n_items;
    struct {
        int64_t interval, due;
        lp_loop_timer_fn fn;
        void *arg;
    } timers[MAX_TIMERS];
    int n_timers;
};

lp_loop_t *
lp_loop_new(void)
{
    sigset_t mask;
    lp_loop_t *self = calloc(1, sizeof *self);
    if (!self)
        return NULL;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &mask, NULL);
    sigdelset(&mask, SIGPIPE); /* SIGPIPE stays blocked and unread: write errors suffice */
    self->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (self->sigfd < 0) {
        free(self);
        return NULL;
    }
    return self;
}

void
lp_loop_destroy(lp_loop_t **self_p)
{
    lp_loop_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    close(self->sigfd);
    free(self);
    *self_p = NULL;
}

int
lp_loop_add_socket(lp_loop_t *self, lp_bus_socket_t *sock, lp_loop_socket_fn fn, void *arg)
{
    if (self->n_items >= MAX_ITEMS)
        return -1;
    self->items[self->n_items].sock = sock;
    self->items[self->n_items].fn = fn;
    self->items[self->n_items].arg = arg;
    self->n_items++;
    return 0;
}

int
lp_loop_add_timer(lp_loop_t *self, int64_t interval_ms, lp_loop_timer_fn fn, void *arg)
{
    if (self->n_timers >= MAX_TIMERS || interval_ms <= 0)
        return -1;
    self->timers[self->n_timers].interval = interval_ms;
    self->timers[self->n_timers].due = lp_mono_ms() + interval_ms;
    self->timers[self->n_timers].fn = fn;
    self->timers[self->n_timers].arg = arg;
    self->n_timers++;
    return 0;
}

void
lp_loop_stop(lp_loop_t *self)
{
    self->stopping = true;
}

bool
lp_loop_should_stop(lp_loop_t *self)
{
    struct signalfd_siginfo info;
    if (!self->stopping && read(self->sigfd, &info, sizeof info) == (ssize_t) sizeof info) {
        self->signo = (int) info.ssi_signo;
        self->stopping = true;
        lp_log(LP_LOG_INFO, "service.stopping", "{s:i}", "signal", self->signo);
    }
    return self->stopping;
}

int
lp_loop_run(lp_loop_t *self)
{
    zmq_pollitem_t items[MAX_ITEMS + 1];

    while (!self->stopping) {
        int64_t now = lp_mono_ms(), wait = 1000;
        int n = 0;

        for (int i = 0; i < self->n_timers; i++) {
            int64_t left = self->timers[i].due - now;
            if (left < wait)
                wait = left < 0 ? 0 : left;
        }
        for (int i = 0; i < self->n_items; i++) {
            items[i].socket = lp_bus_zsock(self->items[i].sock);
            items[i].fd = 0;
            items[i].events = ZMQ_POLLIN;
            items[i].revents = 0;
        }
        items[self->n_items].socket = NULL;
        items[self->n_items].fd = self->sigfd;
        items[self->n_items].events = ZMQ_POLLIN;
        items[self->n_items].revents = 0;

        n = zmq_poll(items, self->n_items + 1, (long) wait);
        if (n < 0 && errno != EINTR) {
            lp_log(LP_LOG_ERROR, "loop.poll_failed", "{s:s}", "error", zmq_strerror(errno));
            return -1;
        }
        if (n > 0 && (items[self->n_items].revents & ZMQ_POLLIN) && lp_loop_should_stop(self))
            break;
        for (int i = 0; n > 0 && i < self->n_items && !self->stopping; i++)
            if (items[i].revents & ZMQ_POLLIN)
                self->items[i].fn(self, self->items[i].sock, self->items[i].arg);
        now = lp_mono_ms();
        for (int i = 0; i < self->n_timers && !self->stopping; i++) {
            if (self->timers[i].due <= now) {
                self->timers[i].due = now + self->timers[i].interval;
                self->timers[i].fn(self, self->timers[i].arg);
            }
        }
    }
    return self->signo;
}
