/* lp_error: filling and clearing lapor's error struct. */
#include "lp_error.h"

#include <stdio.h>
#include <string.h>

void
lp_error_set(lp_error_t *err, lp_errcode_t code, const char *field, const char *fmt, ...)
{
    va_list ap;
    if (!err)
        return;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

void
lp_error_clear(lp_error_t *err)
{
    if (!err)
        return;
    err->code = LP_ERR_NONE;
    err->field[0] = '\0';
    err->message[0] = '\0';
}
