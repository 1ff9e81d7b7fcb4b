/* urlform: a small application/x-www-form-urlencoded decoder. */
#include "urlform.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

typedef struct {
    char *name;
    char *value;
} s_pair_t;

struct intake_urlform_t {
    s_pair_t pairs[INTAKE_URLFORM_MAX_PAIRS];
    size_t n;
};

static int
s_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..len) into new memory. Returns NULL with *why set when the text is
 * bad, or with *why NULL when out of memory. */
static char *
s_unescape(const char *s, size_t len, const char **why)
{
    char *out = malloc(len + 1);
    size_t n = 0;

    *why = NULL;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+')
            c = ' ';
        else if (c == '%') {
            int hi = i + 1 < len ? s_hex(s[i + 1]) : -1;
            int lo = i + 2 < len ? s_hex(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                *why = "has a % that is not followed by two hex digits";
                goto fail;
            }
            c = (char) (hi * 16 + lo);
            i += 2;
        }
        if (c == '\0') {
            /* A NUL would cut the C string short and hide what follows. */
            *why = "must not contain NUL bytes";
            goto fail;
        }
        out[n++] = c;
    }
    out[n] = '\0';
    if (!intake_utf8_valid(out, n)) {
        *why = "must be UTF-8 text";
        goto fail;
    }
    return out;
fail:
    free(out);
    return NULL;
}

intake_urlform_t *
intake_urlform_decode(const char *text, size_t len, lp_error_t *err)
{
    intake_urlform_t *self = calloc(1, sizeof *self);
    const char *p = text, *end = text + len;
    const char *why = NULL;

    if (!self) {
        lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
        return NULL;
    }
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t) (end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t) (stop - p));
        const char *name_end = eq ? eq : stop;
        s_pair_t *pair = NULL;

        if (stop == p) { /* "a=1&&b=2": an empty piece is no pair */
            p = stop + 1;
            continue;
        }
        if (self->n == INTAKE_URLFORM_MAX_PAIRS) {
            lp_error_set(err, LP_ERR_INVALID, NULL, "the form has more than %d parameters",
                         INTAKE_URLFORM_MAX_PAIRS);
            goto fail;
        }
        pair = &self->pairs[self->n];
        pair->name = s_unescape(p, (size_t) (name_end - p), &why);
        if (!pair->name) {
            lp_error_set(err, why ? LP_ERR_INVALID : LP_ERR_SYSTEM, NULL, "a parameter name %s",
                         why ? why : "could not be stored (out of memory)");
            goto fail;
        }
        self->n++;
        if (!*pair->name || strlen(pair->name) > INTAKE_URLFORM_MAX_NAME) {
            lp_error_set(err, LP_ERR_INVALID, NULL, "a parameter name must be 1 to %d bytes long",
                         INTAKE_URLFORM_MAX_NAME);
            goto fail;
        }
        pair->value = eq ? s_unescape(eq + 1, (size_t) (stop - eq - 1), &why) : strdup("");
        if (!pair->value) {
            if (why)
                lp_error_set(err, LP_ERR_INVALID, pair->name, "%s", why);
            else
                lp_error_set(err, LP_ERR_SYSTEM, pair->name, "out of memory");
            goto fail;
        }
        p = amp ? amp + 1 : end;
    }
    return self;
fail:
    intake_urlform_destroy(&self);
    return NULL;
}

intake_urlform_t *
intake_urlform_new(void)
{
    return calloc(1, sizeof(intake_urlform_t));
}

int
intake_urlform_add(intake_urlform_t *self, const char *name, const char *value, size_t len,
                   lp_error_t *err)
{
    s_pair_t *pair = NULL;

    if (self->n == INTAKE_URLFORM_MAX_PAIRS) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the form has more than %d parameters",
                     INTAKE_URLFORM_MAX_PAIRS);
        return -1;
    }
    if (!*name || strlen(name) > INTAKE_URLFORM_MAX_NAME ||
        !intake_utf8_valid(name, strlen(name))) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "a parameter name must be 1 to %d bytes of UTF-8",
                     INTAKE_URLFORM_MAX_NAME);
        return -1;
    }
    if (memchr(value, '\0', len)) {
        lp_error_set(err, LP_ERR_INVALID, name, "must not contain NUL bytes");
        return -1;
    }
    if (!intake_utf8_valid(value, len)) {
        lp_error_set(err, LP_ERR_INVALID, name, "must be UTF-8 text");
        return -1;
    }
    pair = &self->pairs[self->n];
    pair->name = strdup(name);
    pair->value = malloc(len + 1);
    if (!pair->name || !pair->value) {
        free(pair->name);
        free(pair->value);
        lp_error_set(err, LP_ERR_SYSTEM, name, "out of memory");
        return -1;
    }
    memcpy(pair->value, value, len);
    pair->value[len] = '\0';
    self->n++;
    return 0;
}

void
intake_urlform_destroy(intake_urlform_t **self_p)
{
    intake_urlform_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++) {
        free(self->pairs[i].name);
        free(self->pairs[i].value);
    }
    free(self);
    *self_p = NULL;
}

size_t
intake_urlform_count(const intake_urlform_t *self)
{
    return self ? self->n : 0;
}

const char *
intake_urlform_name(const intake_urlform_t *self, size_t i)
{
    return self && i < self->n ? self->pairs[i].name : NULL;
}

const char *
intake_urlform_value(const intake_urlform_t *self, size_t i)
{
    return self && i < self->n ? self->pairs[i].value : NULL;
}

const char *
intake_urlform_get(const intake_urlform_t *self, const char *name)
{
    for (size_t i = 0; self && i < self->n; i++)
        if (strcmp(self->pairs[i].name, name) == 0)
            return self->pairs[i].value;
    return NULL;
}
