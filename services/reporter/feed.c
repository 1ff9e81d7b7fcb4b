/* feed: the analysts' live feed: a ZeroMQ PUB socket of anonymised events.
 *
 * Frames: [topic][lapor.v1.Envelope]. The topic is the event type
 * ("complaint.submitted", ...) or "feed.heartbeat". Each reporter stamps what it
 * publishes with its own instance name (producer) and a sequence number that
 * grows by one per message, so a subscriber sees a gap as a jump in seq, and the
 * heartbeat (every few seconds, no payload, seq = the last one published) tells
 * an idle subscriber what it missed. What was missed can be fetched from
 * /api/v1/export.ndjson?updated_since=<ms>. Events never hold a reporter's identity
 * (proto/); the feed also drops the name of the official who acted. */
#include <string.h>

#include "lp_clock.h"
#include "lp_log.h"
#include "reporter-private.h"

#define TOPIC_HEARTBEAT "feed.heartbeat"

int
reporter_feed_start(reporter_t *self)
{
    lp_error_t err;
    const char *bind = self->config->feed_bind;

    lp_error_clear(&err);
    self->feed = bind && *bind
                     ? lp_bus_bind_at(self->svc.bus, LP_BUS_ANALYST_FEED, ZMQ_PUB, bind, &err)
                     : lp_bus_bind(self->svc.bus, LP_BUS_ANALYST_FEED, ZMQ_PUB, &err);
    if (!self->feed) {
        lp_log(LP_LOG_ERROR, "service.start_failed", "{s:s,s:s}", "message", err.message, "socket",
               LP_BUS_ANALYST_FEED);
        return -1;
    }
    return 0;
}

static void
s_send(reporter_t *self, const char *topic, const lp_envelope_t *env)
{
    size_t len = 0;
    uint8_t *pb = lp_event_pack(env, &len);

    /* Best effort, like every PUB: a slow subscriber loses messages and sees the gap. */
    if (pb && lp_bus_send(self->feed, topic, pb, len) == 0)
        lp_metric_inc(self->published);
    free(pb);
}

void
reporter_feed_publish(reporter_t *self, const lp_envelope_t *env)
{
    lp_envelope_t out;
    Lapor__V1__StatusChanged changed;

    if (!self->feed)
        return;
    out = *env;
    if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED && env->status_changed) {
        changed = *env->status_changed;
        changed.actor = (char *) ""; /* who acted is the agency's business, not the feed's */
        out.status_changed = &changed;
    }
    out.producer = (char *) self->svc.config->instance;
    out.seq = ++self->feed_seq;
    s_send(self, lp_event_type(env), &out);
}

void
reporter_feed_heartbeat(reporter_t *self)
{
    lp_envelope_t beat = LAPOR__V1__ENVELOPE__INIT;

    if (!self->feed)
        return;
    beat.producer = (char *) self->svc.config->instance;
    beat.seq = self->feed_seq;
    beat.occurred_at_ms = lp_now_ms();
    s_send(self, TOPIC_HEARTBEAT, &beat);
}
