/* lp_event: building, packing and naming lapor.v1 envelopes. */
#ifndef LP_EVENT_H
#define LP_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "lapor/v1/events.pb-c.h"

typedef Lapor__V1__Envelope lp_envelope_t;

#define LP_EVENT_ID_LEN 24

/* A new unique event id: 24 hex characters (an ObjectId: time, machine, counter). */
void lp_event_new_id(char out[LP_EVENT_ID_LEN + 1]);

/* Stamps env with a new id, the time, producer and the producer's next sequence
 * number. producer must outlive env. Thread-safe. */
void lp_event_stamp(lp_envelope_t *env, const char *producer, char id_buf[LP_EVENT_ID_LEN + 1]);

/* The event's type name, used as stored type and topic prefix:
 * "complaint.submitted", "complaint.disposed", "complaint.status", "complaint.deadline_missed". */
const char *lp_event_type(const lp_envelope_t *env);

/* The PUB topic: type, then ".<agency id>" for events that concern an agency. */
void lp_event_topic(const lp_envelope_t *env, char *buf, size_t size);

/* Packs env into a new buffer (caller frees); NULL when out of memory. */
uint8_t *lp_event_pack(const lp_envelope_t *env, size_t *len);

/* Unpacks bytes from outside; NULL when they are not a valid envelope or lack an
 * event id or complaint id. Free with lp_event_free. */
lp_envelope_t *lp_event_unpack(const uint8_t *data, size_t len);
void lp_event_free(lp_envelope_t **env_p);

/* Names of enum values as stored in documents ("pengaduan", "web", "public", "received"). */
const char *lp_status_name(Lapor__V1__Status status);
Lapor__V1__Status lp_status_from_name(const char *name);
const char *lp_report_type_name(Lapor__V1__ReportType type);
Lapor__V1__ReportType lp_report_type_from_name(const char *name);
const char *lp_channel_name(Lapor__V1__Channel channel);
Lapor__V1__Channel lp_channel_from_name(const char *name);
const char *lp_privacy_name(Lapor__V1__Privacy privacy);
Lapor__V1__Privacy lp_privacy_from_name(const char *name);

#endif
