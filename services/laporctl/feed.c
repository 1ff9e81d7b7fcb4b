/* feed: `laporctl feed`: the analysts' feed as NDJSON, with gaps reported.
 *
 * Subscribes to every live reporter's analyst_feed (from the `services`
 * collection, looked up again every 2 s) or to --endpoint. Each event becomes one
 * line on stdout; a jump in a producer's sequence number becomes a line
 * {"gap":{"producer","from","to","missed"}} on stdout and a sentence on stderr.
 * Missed events can be fetched from the reporter's
 * /api/v1/export.ndjson?updated_since=<ms of the last event seen>. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "laporctl.h"
#include "lp_clock.h"
#include "lp_doc.h"
#include "lp_event.h"

#define MAX_PRODUCERS 64
#define MAX_ENDPOINTS 32
#define STALE_MS 10000
#define DISCOVER_MS 2000

typedef struct {
    char name[128];
    uint64_t last;
} s_producer_t;

typedef struct {
    s_producer_t producers[MAX_PRODUCERS];
    int n_producers;
    char *endpoints[MAX_ENDPOINTS];
    int n_endpoints;
    long events, gaps;
} s_feed_t;

static void
s_discover(lp_store_t *store, void *sub, s_feed_t *feed)
{
    mongoc_client_t *client = lp_store_pop(store);
    mongoc_collection_t *coll = lp_store_collection(store, client, LP_COLL_SERVICES);
    bson_t *filter = BCON_NEW("kind", BCON_UTF8("reporter"), "heartbeat_at", "{", "$gte",
                              BCON_INT64(lp_now_ms() - STALE_MS), "}");
    mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, filter, NULL, NULL);
    const bson_t *doc = NULL;

    while (mongoc_cursor_next(cursor, &doc)) {
        const char *ep = lp_doc_str(doc, "endpoints.analyst_feed");
        bool have = false;
        for (int i = 0; i < feed->n_endpoints && !have; i++)
            have = strcmp(feed->endpoints[i], ep) == 0;
        if (!*ep || have || feed->n_endpoints >= MAX_ENDPOINTS)
            continue;
        if (zmq_connect(sub, ep) == 0) {
            feed->endpoints[feed->n_endpoints++] = strdup(ep);
            fprintf(stderr, "feed: connected to %s (%s)\n", ep, lp_doc_str(doc, "_id"));
        }
    }
    mongoc_cursor_destroy(cursor);
    bson_destroy(filter);
    mongoc_collection_destroy(coll);
    lp_store_push(store, client);
}

static void
s_gap(s_feed_t *feed, const char *producer, uint64_t from, uint64_t to)
{
    json_t *line =
        json_pack("{s:{s:s,s:I,s:I,s:I}}", "gap", "producer", producer, "from", (json_int_t) from,
                  "to", (json_int_t) to, "missed", (json_int_t) (to - from + 1));
    char *text = json_dumps(line, JSON_COMPACT);
    if (text)
        printf("%s\n", text);
    fflush(stdout);
    fprintf(stderr, "feed: %s: missed %llu event(s), seq %llu to %llu\n", producer,
            (unsigned long long) (to - from + 1), (unsigned long long) from,
            (unsigned long long) to);
    free(text);
    json_decref(line);
    feed->gaps++;
}

/* Checks seq against what producer sent before; seq_is_event: an event (not a
 * heartbeat, whose seq is the last event already sent). */
static void
s_check(s_feed_t *feed, const char *producer, uint64_t seq, bool is_event)
{
    s_producer_t *p = NULL;
    for (int i = 0; i < feed->n_producers && !p; i++)
        if (strcmp(feed->producers[i].name, producer) == 0)
            p = &feed->producers[i];
    if (!p) {
        if (feed->n_producers >= MAX_PRODUCERS)
            return;
        p = &feed->producers[feed->n_producers++];
        snprintf(p->name, sizeof p->name, "%s", producer);
        p->last = 0;
    }
    uint64_t expected = p->last + 1;
    uint64_t newest = is_event ? seq - 1 : seq; /* what must have arrived before this */
    if (seq == 0 && !is_event)
        return;
    if (is_event && seq < expected) {
        p->last = seq; /* an older or repeated number: the producer started again */
        return;
    }
    if (newest >= expected)
        s_gap(feed, producer, expected, newest);
    if (seq > p->last)
        p->last = seq;
}

static json_t *
s_event_json(const lp_envelope_t *env)
{
    json_t *o = json_pack("{s:s,s:I,s:s,s:s,s:I,s:s,s:s,s:i}", "producer", env->producer, "seq",
                          (json_int_t) env->seq, "event_id", env->event_id, "type",
                          lp_event_type(env), "occurred_at_ms", (json_int_t) env->occurred_at_ms,
                          "complaint_id", env->complaint_id, "tracking_id", env->tracking_id,
                          "version", (int) env->version);
    switch (env->payload_case) {
    case LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED:
        json_object_set_new(o, "submitted",
                            json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "type",
                                      lp_report_type_name(env->submitted->type), "category",
                                      env->submitted->category, "region", env->submitted->region,
                                      "channel", lp_channel_name(env->submitted->channel),
                                      "privacy", lp_privacy_name(env->submitted->privacy),
                                      "visit_id", env->submitted->visit_id));
        break;
    case LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED:
        json_object_set_new(
            o, "disposed",
            json_pack("{s:s,s:I,s:s,s:s,s:s,s:s}", "agency_id", env->disposed->agency_id,
                      "deadline_at_ms", (json_int_t) env->disposed->deadline_at_ms, "from",
                      lp_status_name(env->disposed->from), "rule", env->disposed->rule, "category",
                      env->disposed->category, "region", env->disposed->region));
        break;
    case LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED:
        json_object_set_new(o, "status_changed",
                            json_pack("{s:s,s:s,s:s}", "from",
                                      lp_status_name(env->status_changed->from), "to",
                                      lp_status_name(env->status_changed->to), "agency_id",
                                      env->status_changed->agency_id));
        break;
    case LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED:
        json_object_set_new(
            o, "deadline_missed",
            json_pack("{s:s,s:I,s:i,s:s}", "agency_id", env->deadline_missed->agency_id,
                      "deadline_at_ms", (json_int_t) env->deadline_missed->deadline_at_ms,
                      "escalation_level", (int) env->deadline_missed->escalation_level,
                      "escalated_to", env->deadline_missed->escalated_to));
        break;
    default:
        break;
    }
    return o;
}

int
laporctl_feed(lp_store_t *store, int argc, char **argv)
{
    s_feed_t feed = {0};
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    const char *endpoint = NULL;
    long count = 0, seconds = 0;
    int64_t started = lp_now_ms(), discovered = 0;
    int linger = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--endpoint") == 0 && i + 1 < argc)
            endpoint = argv[++i];
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc)
            count = atol(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = atol(argv[++i]);
        else {
            fprintf(stderr, "laporctl: usage: feed [--endpoint tcp://...] [--count N] "
                            "[--seconds S]\n");
            zmq_close(sub);
            zmq_ctx_term(ctx);
            return 2;
        }
    }
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    if (endpoint && zmq_connect(sub, endpoint) != 0) {
        fprintf(stderr, "laporctl: feed: cannot connect to %s: %s\n", endpoint,
                zmq_strerror(zmq_errno()));
        zmq_close(sub);
        zmq_ctx_term(ctx);
        return 1;
    }
    while ((!count || feed.events < count) &&
           (!seconds || lp_now_ms() - started < seconds * 1000)) {
        zmq_pollitem_t item = {sub, 0, ZMQ_POLLIN, 0};
        if (!endpoint && lp_now_ms() - discovered >= DISCOVER_MS) {
            s_discover(store, sub, &feed);
            discovered = lp_now_ms();
        }
        if (zmq_poll(&item, 1, 200) <= 0 || !(item.revents & ZMQ_POLLIN))
            continue;
        char topic[64] = "";
        int n = zmq_recv(sub, topic, sizeof topic - 1, 0);
        zmq_msg_t msg;
        if (n < 0)
            break;
        topic[n < (int) sizeof topic ? n : (int) sizeof topic - 1] = '\0';
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, sub, 0) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        /* Unpacked directly: a heartbeat has no event id. */
        lp_envelope_t *env =
            lapor__v1__envelope__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        zmq_msg_close(&msg);
        if (!env || !env->producer || !*env->producer) {
            if (env)
                lapor__v1__envelope__free_unpacked(env, NULL);
            continue;
        }
        if (strcmp(topic, "feed.heartbeat") == 0)
            s_check(&feed, env->producer, env->seq, false);
        else {
            s_check(&feed, env->producer, env->seq, true);
            json_t *line = s_event_json(env);
            char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
            if (text)
                printf("%s\n", text);
            fflush(stdout);
            free(text);
            json_decref(line);
            feed.events++;
        }
        lapor__v1__envelope__free_unpacked(env, NULL);
    }
    fprintf(stderr, "feed: %ld event(s), %ld gap(s)\n", feed.events, feed.gaps);
    for (int i = 0; i < feed.n_endpoints; i++)
        free(feed.endpoints[i]);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    return 0;
}
