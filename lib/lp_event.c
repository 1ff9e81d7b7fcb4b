/* lp_event: envelopes, ids, names of enum values. */
#include "lp_event.h"

#include <bson/bson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "lp_clock.h"

static _Atomic uint64_t s_seq;

void
lp_event_new_id(char out[LP_EVENT_ID_LEN + 1])
{
    bson_oid_t oid;
    bson_oid_init(&oid, NULL);
    bson_oid_to_string(&oid, out);
}

void
lp_event_stamp(lp_envelope_t *env, const char *producer, char id_buf[LP_EVENT_ID_LEN + 1])
{
    lp_event_new_id(id_buf);
    env->event_id = id_buf;
    env->occurred_at_ms = lp_now_ms();
    env->producer = (char *) producer;
    env->seq = atomic_fetch_add(&s_seq, 1) + 1;
}

const char *
lp_event_type(const lp_envelope_t *env)
{
    switch (env->payload_case) {
    case LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED:
        return "complaint.submitted";
    case LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED:
        return "complaint.disposed";
    case LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED:
        return "complaint.status";
    case LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED:
        return "complaint.deadline_missed";
    default:
        return "unknown";
    }
}

void
lp_event_topic(const lp_envelope_t *env, char *buf, size_t size)
{
    const char *agency = NULL;
    if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED)
        agency = env->disposed->agency_id;
    else if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED)
        agency = env->status_changed->agency_id;
    else if (env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED)
        agency = env->deadline_missed->agency_id;
    if (agency && *agency)
        snprintf(buf, size, "%s.%s", lp_event_type(env), agency);
    else
        snprintf(buf, size, "%s", lp_event_type(env));
}

uint8_t *
lp_event_pack(const lp_envelope_t *env, size_t *len)
{
    size_t n = lapor__v1__envelope__get_packed_size(env);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return NULL;
    *len = lapor__v1__envelope__pack(env, buf);
    return buf;
}

lp_envelope_t *
lp_event_unpack(const uint8_t *data, size_t len)
{
    lp_envelope_t *env = lapor__v1__envelope__unpack(NULL, len, data);
    if (!env)
        return NULL;
    if (!env->event_id || !*env->event_id || !env->complaint_id || !*env->complaint_id ||
        env->payload_case == LAPOR__V1__ENVELOPE__PAYLOAD__NOT_SET) {
        lapor__v1__envelope__free_unpacked(env, NULL);
        return NULL;
    }
    return env;
}

void
lp_event_free(lp_envelope_t **env_p)
{
    if (env_p && *env_p) {
        lapor__v1__envelope__free_unpacked(*env_p, NULL);
        *env_p = NULL;
    }
}

/* -------------------------------------------------------------------------- */
/* Enum names: index = enum value                                              */

static const char *s_status[] = {"unspecified", "received", "verified",  "disposed", "in_progress",
                                 "resolved",    "closed",   "postponed", "archived", "reopened"};
static const char *s_types[] = {"unspecified", "pengaduan", "aspirasi", "informasi"};
static const char *s_channels[] = {"unspecified", "web", "sms", "api", "open311"};
static const char *s_privacy[] = {"unspecified", "public", "anonymous", "confidential"};

#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

static const char *
s_name(const char **names, int n, int value)
{
    return value >= 0 && value < n ? names[value] : names[0];
}

static int
s_value(const char **names, int n, const char *name)
{
    for (int i = 1; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return 0;
}

const char *
lp_status_name(Lapor__V1__Status v)
{
    return s_name(s_status, N(s_status), (int) v);
}
Lapor__V1__Status
lp_status_from_name(const char *name)
{
    return (Lapor__V1__Status) s_value(s_status, N(s_status), name);
}
const char *
lp_report_type_name(Lapor__V1__ReportType v)
{
    return s_name(s_types, N(s_types), (int) v);
}
Lapor__V1__ReportType
lp_report_type_from_name(const char *name)
{
    return (Lapor__V1__ReportType) s_value(s_types, N(s_types), name);
}
const char *
lp_channel_name(Lapor__V1__Channel v)
{
    return s_name(s_channels, N(s_channels), (int) v);
}
Lapor__V1__Channel
lp_channel_from_name(const char *name)
{
    return (Lapor__V1__Channel) s_value(s_channels, N(s_channels), name);
}
const char *
lp_privacy_name(Lapor__V1__Privacy v)
{
    return s_name(s_privacy, N(s_privacy), (int) v);
}
Lapor__V1__Privacy
lp_privacy_from_name(const char *name)
{
    return (Lapor__V1__Privacy) s_value(s_privacy, N(s_privacy), name);
}
