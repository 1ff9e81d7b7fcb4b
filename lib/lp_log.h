/* lp_log: one structured line (JSON) per event on stderr.
 *
 *   lp_log(LP_LOG_INFO, "complaint.accepted", "{s:s, s:i}", "tracking_id", id, "ms", ms);
 *
 * The format and arguments are jansson's json_pack; the line gets ts, level, svc,
 * instance and event. Never pass reporter identity: logs are read by operators. */
#ifndef LP_LOG_H
#define LP_LOG_H

typedef enum { LP_LOG_DEBUG = 0, LP_LOG_INFO, LP_LOG_WARN, LP_LOG_ERROR } lp_log_level_t;

/* Names the service and instance on every line. Copies both. Call once at start. */
void lp_log_init(const char *service, const char *instance);

/* Lines below level are dropped. Returns -1 for an unknown level name. */
int lp_log_set_level(const char *name);

/* Writes one line; fmt may be NULL for no extra fields. Thread-safe. */
void lp_log(lp_log_level_t level, const char *event, const char *fmt, ...);

#endif
