/* lp_log: structured JSON log lines, one per event. */
#include "lp_log.h"

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char s_service[32] = "lapor";
static char s_instance[96] = "";
static lp_log_level_t s_level = LP_LOG_INFO;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *s_level_names[] = {"debug", "info", "warn", "error"};

void
lp_log_init(const char *service, const char *instance)
{
    snprintf(s_service, sizeof s_service, "%s", service ? service : "lapor");
    snprintf(s_instance, sizeof s_instance, "%s", instance ? instance : "");
}

int
lp_log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (name && strcmp(name, s_level_names[i]) == 0) {
            s_level = (lp_log_level_t) i;
            return 0;
        }
    }
    return -1;
}

void
lp_log(lp_log_level_t level, const char *event, const char *fmt, ...)
{
    json_t *line = NULL;
    json_error_t jerr;
    char ts[64];
    struct timespec now;
    struct tm tm;
    char *text = NULL;
    va_list ap;

    if (level < s_level)
        return;
    if (fmt) {
        va_start(ap, fmt);
        line = json_vpack_ex(&jerr, 0, fmt, ap);
        va_end(ap);
        /* A bad format is a programmer error, but a log call must never crash. */
        if (!line)
            line = json_pack("{s:s}", "log_error", jerr.text);
    }
    else
        line = json_object();
    if (!line)
        return;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, now.tv_nsec / 1000000);
    json_object_set_new(line, "ts", json_string(ts));
    json_object_set_new(line, "level", json_string(s_level_names[level]));
    json_object_set_new(line, "svc", json_string(s_service));
    if (s_instance[0])
        json_object_set_new(line, "instance", json_string(s_instance));
    json_object_set_new(line, "event", json_string(event ? event : "?"));

    text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) {
        pthread_mutex_lock(&s_lock);
        fprintf(stderr, "%s\n", text);
        fflush(stderr);
        pthread_mutex_unlock(&s_lock);
        free(text);
    }
    json_decref(line);
}
