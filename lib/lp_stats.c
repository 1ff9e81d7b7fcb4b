/* lp_stats: replaying a complaint's events into its roll-up cell and measures. */
#include "lp_stats.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lp_doc.h"

#define HOUR_MS (3600LL * 1000)
#define WITA_OFFSET_S (8 * 3600)

const double lp_stats_bucket_hours[LP_STATS_BUCKETS] = {
    1, 2, 4, 8, 12, 24, 48, 72, 96, 120, 168, 240, 336, 504, 720, 1080, 1440, 2160, INFINITY};

static const char *const s_scalar_names[LP_STATS_HIST0] = {
    "count", "done", "ontime", "late", "escalations", "overdue", "rating_sum", "rating_n"};
static const char s_hist_prefix[LP_STATS_N_DURATIONS] = {'d', 'f', 'r'};

static char s_hist_names[LP_STATS_N_FIELDS][8];
static pthread_once_t s_names_once = PTHREAD_ONCE_INIT;

static void
s_names_init(void)
{
    for (int d = 0; d < LP_STATS_N_DURATIONS; d++)
        for (int b = 0; b < LP_STATS_BUCKETS; b++)
            snprintf(s_hist_names[LP_STATS_HIST(d, b)], sizeof s_hist_names[0], "h%c%d",
                     s_hist_prefix[d], b);
}

const char *
lp_stats_field_name(int field)
{
    if (field < 0 || field >= LP_STATS_N_FIELDS)
        return NULL;
    if (field < LP_STATS_HIST0)
        return s_scalar_names[field];
    pthread_once(&s_names_once, s_names_init);
    return s_hist_names[field];
}

int
lp_stats_field_index(const char *name)
{
    int d = -1, b = -1;
    char extra;

    if (!name)
        return -1;
    for (int i = 0; i < LP_STATS_HIST0; i++)
        if (strcmp(name, s_scalar_names[i]) == 0)
            return i;
    if (name[0] != 'h' || !name[1])
        return -1;
    for (int i = 0; i < LP_STATS_N_DURATIONS; i++)
        if (name[1] == s_hist_prefix[i])
            d = i;
    if (d < 0 || sscanf(name + 2, "%d%c", &b, &extra) != 1 || b < 0 || b >= LP_STATS_BUCKETS)
        return -1;
    return LP_STATS_HIST(d, b);
}

void
lp_stats_state_init(lp_stats_state_t *st)
{
    memset(st, 0, sizeof *st);
}

static void
s_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* The value of a payload field named "rating", when the event's payload has one. */
static int
s_rating(const lp_envelope_t *env)
{
    const ProtobufCFieldDescriptor *payload = NULL, *field = NULL;
    const ProtobufCMessage *sub = NULL;

    if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD__NOT_SET)
        return 0;
    payload = protobuf_c_message_descriptor_get_field(&lapor__v1__envelope__descriptor,
                                                      (unsigned) env->payload_case);
    if (!payload || payload->type != PROTOBUF_C_TYPE_MESSAGE)
        return 0;
    sub = *(const ProtobufCMessage *const *) ((const char *) env + payload->offset);
    if (!sub)
        return 0;
    field = protobuf_c_message_descriptor_get_field_by_name(sub->descriptor, "rating");
    if (!field || field->label == PROTOBUF_C_LABEL_REPEATED)
        return 0;
    if (field->type == PROTOBUF_C_TYPE_UINT32 || field->type == PROTOBUF_C_TYPE_INT32) {
        int32_t v = *(const int32_t *) ((const char *) sub + field->offset);
        return v >= 1 && v <= 5 ? v : 0;
    }
    return 0;
}

void
lp_stats_apply(lp_stats_state_t *st, const lp_envelope_t *env)
{
    int64_t at = env->occurred_at_ms;
    int rating = 0;

    switch (env->payload_case) {
    case LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED: {
        const Lapor__V1__ComplaintSubmitted *s = env->submitted;
        lp_stats_state_init(st);
        st->exists = true;
        st->submitted_at = at;
        lp_stats_day(at, st->dims.day);
        s_copy(st->dims.region, sizeof st->dims.region, s->region);
        s_copy(st->dims.category, sizeof st->dims.category, s->category);
        s_copy(st->dims.channel, sizeof st->dims.channel, lp_channel_name(s->channel));
        s_copy(st->dims.type, sizeof st->dims.type, lp_report_type_name(s->type));
        s_copy(st->dims.privacy, sizeof st->dims.privacy, lp_privacy_name(s->privacy));
        s_copy(st->dims.visit, sizeof st->dims.visit, s->visit_id);
        s_copy(st->dims.status, sizeof st->dims.status, "received");
        break;
    }
    case LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED: {
        const Lapor__V1__ComplaintDisposed *d = env->disposed;
        s_copy(st->dims.status, sizeof st->dims.status, "disposed");
        s_copy(st->dims.agency, sizeof st->dims.agency, d->agency_id);
        if (d->category && *d->category)
            s_copy(st->dims.category, sizeof st->dims.category, d->category);
        if (d->region && *d->region)
            s_copy(st->dims.region, sizeof st->dims.region, d->region);
        st->deadline_at = d->deadline_at_ms;
        if (!st->disposed_at)
            st->disposed_at = at;
        break;
    }
    case LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED: {
        const char *to = lp_status_name(env->status_changed->to);
        s_copy(st->dims.status, sizeof st->dims.status, to);
        /* Back to "received" is "not our authority": the agency gives it up. */
        if (strcmp(to, "received") == 0)
            st->dims.agency[0] = '\0';
        if (strcmp(to, "in_progress") == 0 && !st->progress_at && st->disposed_at)
            st->progress_at = at;
        if (strcmp(to, "resolved") == 0 && !st->resolved_at) {
            st->resolved_at = at;
            st->ontime = !st->missed && st->deadline_at > 0 && at <= st->deadline_at;
        }
        break;
    }
    case LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED: {
        const Lapor__V1__DeadlineMissed *m = env->deadline_missed;
        /* No agency yet: the verification deadline; else the agency's follow-up. */
        if (m->agency_id && *m->agency_id) {
            st->escalations++;
            st->missed = true;
            if (m->escalated_to && *m->escalated_to)
                s_copy(st->dims.agency, sizeof st->dims.agency, m->escalated_to);
        }
        else
            st->overdue++;
        break;
    }
    default:
        break;
    }
    rating = s_rating(env);
    if (rating)
        st->rating = rating;
}

void
lp_stats_measures(const lp_stats_state_t *st, lp_stats_measures_t *m)
{
    memset(m, 0, sizeof *m);
    if (!st->exists)
        return;
    m->v[LP_STATS_COUNT] = 1;
    m->v[LP_STATS_DONE] =
        strcmp(st->dims.status, "resolved") == 0 || strcmp(st->dims.status, "closed") == 0;
    if (st->resolved_at) {
        m->v[st->ontime ? LP_STATS_ONTIME : LP_STATS_LATE] = 1;
        m->v[LP_STATS_HIST(LP_STATS_RESOLVE, lp_stats_bucket(st->resolved_at - st->submitted_at))] =
            1;
    }
    if (st->disposed_at)
        m->v[LP_STATS_HIST(LP_STATS_DISPOSE, lp_stats_bucket(st->disposed_at - st->submitted_at))] =
            1;
    if (st->progress_at)
        m->v[LP_STATS_HIST(LP_STATS_FIRST, lp_stats_bucket(st->progress_at - st->disposed_at))] = 1;
    m->v[LP_STATS_ESCALATIONS] = st->escalations;
    m->v[LP_STATS_OVERDUE] = st->overdue;
    if (st->rating) {
        m->v[LP_STATS_RATING_SUM] = st->rating;
        m->v[LP_STATS_RATING_N] = 1;
    }
}

void
lp_stats_cell_id(const lp_stats_dims_t *d, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s|%s|%s|%s|%s|%s|%s|%s", d->day, d->region, d->category, d->agency,
             d->channel, d->type, d->status, d->privacy, d->visit);
}

int
lp_stats_bucket(int64_t ms)
{
    double hours = ms <= 0 ? 0 : (double) ms / (double) HOUR_MS;
    for (int b = 0; b < LP_STATS_BUCKETS - 1; b++)
        if (hours <= lp_stats_bucket_hours[b])
            return b;
    return LP_STATS_BUCKETS - 1;
}

double
lp_stats_percentile(const int64_t *hist, double p)
{
    int64_t total = 0, below = 0;
    double rank;

    for (int b = 0; b < LP_STATS_BUCKETS; b++)
        total += hist[b] > 0 ? hist[b] : 0;
    if (total == 0 || p <= 0 || p > 1)
        return -1;
    rank = p * (double) total;
    for (int b = 0; b < LP_STATS_BUCKETS; b++) {
        int64_t n = hist[b] > 0 ? hist[b] : 0;
        double lower = b == 0 ? 0 : lp_stats_bucket_hours[b - 1];
        if (n == 0 || (double) (below + n) < rank) {
            below += n;
            continue;
        }
        if (isinf(lp_stats_bucket_hours[b]))
            return lower;
        return lower + (rank - (double) below) / (double) n * (lp_stats_bucket_hours[b] - lower);
    }
    return lp_stats_bucket_hours[LP_STATS_BUCKETS - 2];
}

void
lp_stats_day(int64_t ms, char out[11])
{
    time_t t = (time_t) (ms / 1000) + WITA_OFFSET_S;
    struct tm tm;

    if (!gmtime_r(&t, &tm) || strftime(out, 11, "%Y-%m-%d", &tm) != 10)
        snprintf(out, 11, "%s", "0000-00-00");
}

void
lp_stats_region_prefix(const char *code, int depth, char *out, size_t size)
{
    int parts = 1;
    size_t i = 0;

    out[0] = '\0';
    if (!code || !*code || depth < 1)
        return;
    for (i = 0; code[i]; i++) {
        if (code[i] == '.' && ++parts > depth)
            break;
    }
    if (parts < depth)
        return;
    snprintf(out, size, "%.*s", (int) i, code);
}

void
lp_stats_append_dims(bson_t *doc, const lp_stats_dims_t *d)
{
    char regency[32], district[32];

    lp_stats_region_prefix(d->region, 2, regency, sizeof regency);
    lp_stats_region_prefix(d->region, 3, district, sizeof district);
    BSON_APPEND_UTF8(doc, "day", d->day);
    BSON_APPEND_UTF8(doc, "region", d->region);
    BSON_APPEND_UTF8(doc, "regency", regency);
    BSON_APPEND_UTF8(doc, "district", district);
    BSON_APPEND_UTF8(doc, "category", d->category);
    BSON_APPEND_UTF8(doc, "agency", d->agency);
    BSON_APPEND_UTF8(doc, "channel", d->channel);
    BSON_APPEND_UTF8(doc, "type", d->type);
    BSON_APPEND_UTF8(doc, "status", d->status);
    BSON_APPEND_UTF8(doc, "privacy", d->privacy);
    BSON_APPEND_UTF8(doc, "visit", d->visit);
}

void
lp_stats_read_dims(const bson_t *doc, lp_stats_dims_t *d)
{
    lp_doc_copy(doc, "day", d->day, sizeof d->day);
    lp_doc_copy(doc, "region", d->region, sizeof d->region);
    lp_doc_copy(doc, "category", d->category, sizeof d->category);
    lp_doc_copy(doc, "agency", d->agency, sizeof d->agency);
    lp_doc_copy(doc, "channel", d->channel, sizeof d->channel);
    lp_doc_copy(doc, "type", d->type, sizeof d->type);
    lp_doc_copy(doc, "status", d->status, sizeof d->status);
    lp_doc_copy(doc, "privacy", d->privacy, sizeof d->privacy);
    lp_doc_copy(doc, "visit", d->visit, sizeof d->visit);
}

void
lp_stats_append_measures(bson_t *doc, const lp_stats_measures_t *m, int sign)
{
    for (int i = 0; i < LP_STATS_N_FIELDS; i++)
        if (m->v[i])
            BSON_APPEND_INT64(doc, lp_stats_field_name(i), sign * m->v[i]);
}

void
lp_stats_add_measures(lp_stats_measures_t *m, const bson_t *doc)
{
    bson_iter_t it;
    int i;

    if (!bson_iter_init(&it, doc))
        return;
    while (bson_iter_next(&it)) {
        if (!BSON_ITER_HOLDS_NUMBER(&it) || (i = lp_stats_field_index(bson_iter_key(&it))) < 0)
            continue;
        m->v[i] += bson_iter_as_int64(&it);
    }
}

int
lp_stats_replay(const bson_t *complaint, const char *event_id, lp_stats_state_t *before,
                lp_stats_state_t *after)
{
    bson_iter_t it, arr, field;
    int found = 0;

    lp_stats_state_init(before);
    lp_stats_state_init(after);
    if (!bson_iter_init_find(&it, complaint, "events") || !BSON_ITER_HOLDS_ARRAY(&it) ||
        !bson_iter_recurse(&it, &arr))
        return event_id ? 0 : 1;
    while (bson_iter_next(&arr)) {
        const uint8_t *pb = NULL;
        uint32_t len = 0;
        bson_subtype_t subtype;
        lp_envelope_t *env = NULL;
        if (!BSON_ITER_HOLDS_DOCUMENT(&arr) || !bson_iter_recurse(&arr, &field) ||
            !bson_iter_find(&field, "pb") || !BSON_ITER_HOLDS_BINARY(&field))
            continue;
        bson_iter_binary(&field, &subtype, &len, &pb);
        if (!(env = lp_event_unpack(pb, len)))
            continue;
        *before = *after;
        lp_stats_apply(after, env);
        found = event_id && strcmp(env->event_id, event_id) == 0;
        lp_event_free(&env);
        if (found)
            return 1;
    }
    if (event_id)
        return 0;
    *before = *after;
    return 1;
}
