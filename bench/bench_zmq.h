/* bench_zmq: the raw rate of ZeroMQ PUSH/PULL over loopback TCP, with messages the
 * size of lapor's packed Envelope. */
#ifndef BENCH_ZMQ_H
#define BENCH_ZMQ_H

#include <stddef.h>

/* Pushes packed Envelopes from a thread to a PULL socket for `seconds`; returns
 * messages per second received, or -1 (printed). *msg_size gets the size sent. */
double bench_zmq_pushpull(double seconds, size_t *msg_size);

#endif
