/* validate: the checks of a complaint, shared by every channel, and the JSON API's parser. */
#include "validate.h"

#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

size_t
intake_utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char) *s & 0xC0) != 0x80)
            n++;
    return n;
}

bool
intake_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s, *end = p + len;
    while (p < end) {
        unsigned char b = *p;
        size_t n = b < 0x80             ? 0
                   : (b & 0xE0) == 0xC0 ? 1
                   : (b & 0xF0) == 0xE0 ? 2
                   : (b & 0xF8) == 0xF0 ? 3
                                        : 4;
        uint32_t cp = n == 0 ? b : n == 1 ? b & 0x1F : n == 2 ? b & 0x0F : b & 0x07;
        if (n == 4 || (size_t) (end - p) <= n)
            return false;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        /* No overlong forms, no UTF-16 surrogates, nothing past U+10FFFF. */
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        p += n + 1;
    }
    return true;
}

/* True when s holds a control character; newline and tab pass when multiline. */
static bool
s_has_control(const char *s, bool multiline)
{
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p >= 0x20 && *p != 0x7F)
            continue;
        if (multiline && (*p == '\n' || *p == '\r' || *p == '\t'))
            continue;
        return true;
    }
    return false;
}

/* Copies s without leading and trailing white space. */
static char *
s_trimmed(const char *s)
{
    size_t len = 0;
    while (*s && isspace((unsigned char) *s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char) s[len - 1]))
        len--;
    return strndup(s, len);
}

/* Reads an optional string field; -1 with err when present but not a string. */
static int
s_string(json_t *obj, const char *key, const char *field, const char **out, lp_error_t *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        lp_error_set(err, LP_ERR_INVALID, field, "must be a string");
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* A bounded text field (raw NULL: not given); stores a trimmed copy in *dst. */
static int
s_text(const char *raw, const char *field, bool required, size_t min, size_t max, bool multiline,
       char **dst, lp_error_t *err)
{
    char *text = NULL;
    size_t n = 0;

    if (!raw) {
        if (!required)
            return 0;
        lp_error_set(err, LP_ERR_INVALID, field, "is required");
        return -1;
    }
    /* Every channel hands over C strings: JSON refuses \u0000 (no JSON_ALLOW_NUL)
     * and the form decoder refuses %00, so strlen is the real length here. */
    if (!intake_utf8_valid(raw, strlen(raw))) {
        lp_error_set(err, LP_ERR_INVALID, field, "must be UTF-8 text");
        return -1;
    }
    text = s_trimmed(raw);
    if (!text) {
        lp_error_set(err, LP_ERR_SYSTEM, field, "out of memory");
        return -1;
    }
    n = intake_utf8_length(text);
    if (n < min || n > max) {
        if (n == 0 && required)
            lp_error_set(err, LP_ERR_INVALID, field, "is required");
        else
            lp_error_set(err, LP_ERR_INVALID, field,
                         "must be between %zu and %zu characters (got %zu)", min, max, n);
        free(text);
        return -1;
    }
    if (s_has_control(text, multiline)) {
        lp_error_set(err, LP_ERR_INVALID, field, "must not contain control characters");
        free(text);
        return -1;
    }
    *dst = text;
    return 0;
}

int
intake_phone_normalize(const char *in, char *out, size_t size)
{
    char digits[32];
    size_t n = 0;
    const char *rest = NULL;

    if (!in)
        return -1;
    for (const char *p = in; *p; p++) {
        if (isdigit((unsigned char) *p)) {
            if (n + 1 >= sizeof digits)
                return -1;
            digits[n++] = *p;
        }
        else if (*p == '+' && p == in)
            continue;
        else if (*p != ' ' && *p != '-' && *p != '.' && *p != '(' && *p != ')')
            return -1;
    }
    digits[n] = '\0';
    if (strncmp(digits, "62", 2) == 0)
        rest = digits + 2;
    else if (digits[0] == '0')
        rest = digits + 1;
    else
        return -1;
    /* Indonesian numbers after the country code: 8 to 13 digits, never a leading 0. */
    if (strlen(rest) < 8 || strlen(rest) > 13 || rest[0] == '0')
        return -1;
    if ((size_t) snprintf(out, size, "+62%s", rest) >= size)
        return -1;
    return 0;
}

static bool
s_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    const char *dot = at ? strrchr(at, '.') : NULL;
    if (!at || at == s || strchr(at + 1, '@') || !dot || dot == at + 1 || !dot[1])
        return false;
    for (const unsigned char *p = (const unsigned char *) s; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '<' || *p == '>' || *p == ',' || *p == ';' ||
            *p == '"' || *p == '\\')
            return false;
    return true;
}

/* Refuses keys that this object does not know. */
static int
s_known_keys(json_t *obj, const char *const *keys, const char *prefix, lp_error_t *err)
{
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach (obj, key, value) {
        bool known = false;
        for (const char *const *k = keys; *k && !known; k++)
            known = strcmp(*k, key) == 0;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "%s%.40s", prefix, key);
            lp_error_set(err, LP_ERR_INVALID, field, "is not a known field");
            return -1;
        }
    }
    return 0;
}

/* Reads the reporter object's strings into f; -1 with err on a wrong shape. */
static int
s_reporter_fields(json_t *root, intake_fields_t *f, lp_error_t *err)
{
    static const char *const keys[] = {"name", "phone", "email", NULL};
    json_t *rep = json_object_get(root, "reporter");

    if (!rep || json_is_null(rep))
        return 0;
    if (!json_is_object(rep)) {
        lp_error_set(err, LP_ERR_INVALID, "reporter", "must be an object with name, phone, email");
        return -1;
    }
    if (s_known_keys(rep, keys, "reporter.", err) != 0 ||
        s_string(rep, "name", "reporter.name", &f->reporter_name, err) != 0 ||
        s_string(rep, "phone", "reporter.phone", &f->reporter_phone, err) != 0 ||
        s_string(rep, "email", "reporter.email", &f->reporter_email, err) != 0)
        return -1;
    return 0;
}

/* Where the checks put what they found: the first max errors, and whether any. */
typedef struct {
    lp_error_t *errs;
    size_t max, n;
    bool failed;
} s_found_t;

static void
s_found(s_found_t *found, const lp_error_t *e)
{
    if (found->n < found->max)
        found->errs[found->n++] = *e;
    found->failed = true;
}

int
intake_complaint_check_all(const intake_fields_t *f, const intake_lookup_t *lookup,
                           intake_complaint_t *c, lp_error_t *errs, size_t max_errs, size_t *n_errs)
{
    const char *phone = f->reporter_phone, *email = f->reporter_email;
    char normalized[INTAKE_PHONE_MAX + 8];
    s_found_t found = {.errs = errs, .max = errs ? max_errs : 0};
    lp_error_t e;

    /* Every check runs even after one failed, so a form can mark every wrong field
     * at once; the order below is the order callers of one error see. */
    lp_error_clear(&e);
    memset(c, 0, sizeof *c);
    strcpy(c->lang, "id");
    c->type =
        f->type ? lp_report_type_from_name(f->type) : LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN;
    if (c->type == LAPOR__V1__REPORT_TYPE__REPORT_TYPE_UNSPECIFIED) {
        lp_error_set(&e, LP_ERR_INVALID, "type", "must be pengaduan, aspirasi or informasi");
        s_found(&found, &e);
    }
    c->privacy = f->privacy ? lp_privacy_from_name(f->privacy) : LAPOR__V1__PRIVACY__PRIVACY_PUBLIC;
    if (c->privacy == LAPOR__V1__PRIVACY__PRIVACY_UNSPECIFIED) {
        lp_error_set(&e, LP_ERR_INVALID, "privacy", "must be public, anonymous or confidential");
        s_found(&found, &e);
    }
    if (s_text(f->title, "title", true, INTAKE_TITLE_MIN, INTAKE_TITLE_MAX, false, &c->title, &e) !=
        0)
        s_found(&found, &e);
    if (s_text(f->body, "body", true, INTAKE_BODY_MIN, INTAKE_BODY_MAX, true, &c->body, &e) != 0)
        s_found(&found, &e);
    if (s_text(f->category, "category", false, 1, 40, false, &c->category, &e) != 0)
        s_found(&found, &e);
    if (s_text(f->region, "region", true, 1, 20, false, &c->region, &e) != 0)
        s_found(&found, &e);
    if (c->category && lookup && lookup->category_known &&
        !lookup->category_known(lookup->arg, c->category)) {
        lp_error_set(&e, LP_ERR_INVALID, "category", "is not a known category");
        s_found(&found, &e);
    }
    if (c->region && lookup && lookup->region_known &&
        !lookup->region_known(lookup->arg, c->region)) {
        lp_error_set(&e, LP_ERR_INVALID, "region",
                     "is not a known Kemendagri region code of this province");
        s_found(&found, &e);
    }
    if (s_text(f->reporter_name, "reporter.name", false, 1, INTAKE_NAME_MAX, false,
               &c->reporter_name, &e) != 0)
        s_found(&found, &e);
    if (phone && *phone) {
        if (strlen(phone) > 32 ||
            intake_phone_normalize(phone, normalized, sizeof normalized) != 0) {
            lp_error_set(&e, LP_ERR_INVALID, "reporter.phone",
                         "must be an Indonesian phone number such as 0812 3456 7890");
            s_found(&found, &e);
        }
        else if (!(c->reporter_phone = strdup(normalized))) {
            lp_error_set(&e, LP_ERR_SYSTEM, "reporter.phone", "out of memory");
            s_found(&found, &e);
        }
    }
    if (email && *email) {
        if (strlen(email) > INTAKE_EMAIL_MAX || !s_email_ok(email)) {
            lp_error_set(&e, LP_ERR_INVALID, "reporter.email", "must be an email address");
            s_found(&found, &e);
        }
        else if (!(c->reporter_email = strdup(email))) {
            lp_error_set(&e, LP_ERR_SYSTEM, "reporter.email", "out of memory");
            s_found(&found, &e);
        }
    }
    if (f->lang && strcmp(f->lang, "id") != 0 && strcmp(f->lang, "en") != 0) {
        lp_error_set(&e, LP_ERR_INVALID, "lang", "must be id (Bahasa Indonesia) or en (English)");
        s_found(&found, &e);
    }
    else if (f->lang)
        strcpy(c->lang, f->lang);
    /* Anonymous means no name, whatever the client sent. A phone or email stays
     * (sealed, see lp_identity) only so the reporter can hear what happened. */
    if (c->privacy == LAPOR__V1__PRIVACY__PRIVACY_ANONYMOUS) {
        free(c->reporter_name);
        c->reporter_name = NULL;
    }
    if (n_errs)
        *n_errs = found.n;
    if (found.failed) {
        intake_complaint_clear(c);
        return -1;
    }
    return 0;
}

int
intake_complaint_check(const intake_fields_t *f, const intake_lookup_t *lookup,
                       intake_complaint_t *c, lp_error_t *err)
{
    lp_error_t first;
    int rc = intake_complaint_check_all(f, lookup, c, &first, 1, NULL);
    if (rc != 0 && err)
        *err = first;
    return rc;
}

int
intake_complaint_parse(const char *json, size_t len, const intake_lookup_t *lookup,
                       intake_complaint_t *c, lp_error_t *err)
{
    static const char *const keys[] = {"type",    "title",    "body", "category", "region",
                                       "privacy", "reporter", "lang", NULL};
    json_error_t jerr;
    json_t *root = NULL;
    intake_fields_t f = {0};
    int rc = -1;

    memset(c, 0, sizeof *c);
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        lp_error_set(err, LP_ERR_INVALID, NULL,
                     "the body is not valid JSON (line %d, column %d): %s", jerr.line, jerr.column,
                     jerr.text);
        return -1;
    }
    if (!json_is_object(root)) {
        lp_error_set(err, LP_ERR_INVALID, NULL, "the body must be a JSON object");
        goto done;
    }
    /* JSON's own shape first (known keys, strings where text belongs), then the
     * checks every channel shares. */
    if (s_known_keys(root, keys, "", err) != 0 ||
        s_string(root, "type", "type", &f.type, err) != 0 ||
        s_string(root, "privacy", "privacy", &f.privacy, err) != 0 ||
        s_string(root, "title", "title", &f.title, err) != 0 ||
        s_string(root, "body", "body", &f.body, err) != 0 ||
        s_string(root, "category", "category", &f.category, err) != 0 ||
        s_string(root, "region", "region", &f.region, err) != 0 ||
        s_reporter_fields(root, &f, err) != 0 || s_string(root, "lang", "lang", &f.lang, err) != 0)
        goto done;
    rc = intake_complaint_check(&f, lookup, c, err);
done:
    json_decref(root);
    return rc;
}
void
intake_complaint_clear(intake_complaint_t *c)
{
    if (!c)
        return;
    free(c->title);
    free(c->body);
    free(c->category);
    free(c->region);
    free(c->reporter_name);
    free(c->reporter_phone);
    free(c->reporter_email);
    for (size_t i = 0; i < c->n_attributes; i++) {
        free(c->attributes[i].code);
        free(c->attributes[i].value);
    }
    free(c->attributes);
    memset(c, 0, sizeof *c);
}
