/* lp_error: the one error convention of lapor: a code and a message to fill. */
#ifndef LP_ERROR_H
#define LP_ERROR_H

#include <stdarg.h>

/* Error domains say which side failed, so callers can map them to HTTP codes. */
typedef enum {
    LP_ERR_NONE = 0,
    LP_ERR_INVALID,   /* the input is wrong: the caller's fault (HTTP 400) */
    LP_ERR_NOT_FOUND, /* the thing asked for does not exist (HTTP 404) */
    LP_ERR_CONFLICT,  /* a guarded write lost a race or hit a unique key */
    LP_ERR_DATABASE,  /* the database failed or is unreachable (HTTP 503) */
    LP_ERR_BUS,       /* ZeroMQ failed */
    LP_ERR_SYSTEM,    /* the OS or a library failed (errno, out of memory) */
} lp_errcode_t;

typedef struct {
    lp_errcode_t code;
    char field[64];    /* the input field at fault, "" when none */
    char message[256]; /* one sentence, no trailing newline */
} lp_error_t;

/* Fills err (when not NULL) with code, field (may be NULL) and a printf message. */
void lp_error_set(lp_error_t *err, lp_errcode_t code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Clears err to LP_ERR_NONE. Accepts NULL. */
void lp_error_clear(lp_error_t *err);

#endif
