/* open311_parse: Open311 parameters to a checked complaint, filters to a query. */
#include "open311_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "open311_catalog.h"
#include "region_match.h"

#define ATTR_PREFIX "attribute["
#define ATTR_PREFIX_LEN 10
#define ATTR_CODE_MAX 40
#define OPAQUE_MAX 100 /* jurisdiction_id, device_id, account_id: accepted, not kept */
#define DAY_MS (24LL * 3600 * 1000)

/* ---------------------------------------------------------------------------- */
/* Small pieces                                                                   */

static const char *const s_params[] = {
    "api_key",        "jurisdiction_id", "service_code", "lat",         "long",
    "address_string", "address_id",      "email",        "device_id",   "account_id",
    "first_name",     "last_name",       "phone",        "description", "media_url",
    "title",          "privacy",         "lang",         NULL};

static bool
s_is_param(const char *name)
{
    for (const char *const *p = s_params; *p; p++)
        if (strcmp(*p, name) == 0)
            return true;
    return false;
}

/* The code of "attribute[code]", copied into code; false when name is not one. */
static bool
s_attribute_code(const char *name, char code[ATTR_CODE_MAX + 1])
{
    size_t len = strlen(name);
    if (strncmp(name, ATTR_PREFIX, ATTR_PREFIX_LEN) != 0 || len < ATTR_PREFIX_LEN + 2 ||
        name[len - 1] != ']' || len - ATTR_PREFIX_LEN - 1 > ATTR_CODE_MAX)
        return false;
    memcpy(code, name + ATTR_PREFIX_LEN, len - ATTR_PREFIX_LEN - 1);
    code[len - ATTR_PREFIX_LEN - 1] = '\0';
    return strchr(code, '[') == NULL && strchr(code, ']') == NULL;
}

/* A value or NULL when absent or empty: Open311 clients send empty optional fields. */
static const char *
s_given(const intake_urlform_t *form, const char *name)
{
    const char *v = intake_urlform_get(form, name);
    return v && *v ? v : NULL;
}

/* A decimal degree: optional sign, up to 3 digits, optional fraction; no exponent,
 * no hex, no inf or nan, within [-limit, limit]. */
static int
s_coordinate(const char *s, double limit, double *out)
{
    const char *p = s;
    size_t whole = 0, frac = 0;
    if (strlen(s) > 24)
        return -1;
    if (*p == '-' || *p == '+')
        p++;
    whole = strspn(p, "0123456789");
    p += whole;
    if (*p == '.') {
        p++;
        frac = strspn(p, "0123456789");
        p += frac;
    }
    if (*p || whole + frac == 0 || whole > 3)
        return -1;
    *out = strtod(s, NULL);
    return *out >= -limit && *out <= limit ? 0 : -1;
}

/* Writes "attribute[code]" as an error field. */
static void
s_attr_field(lp_error_t *err, const char *code)
{
    snprintf(err->field, sizeof err->field, ATTR_PREFIX "%.40s]", code);
}

/* Renames a field of the shared checks to the Open311 parameter. */
static void
s_rename(lp_error_t *err, const char *region_param, bool title_derived)
{
    static const char *const names[][2] = {
        {"body", "description"},         {"category", "service_code"},
        {"reporter.name", "first_name"}, {"reporter.phone", "phone"},
        {"reporter.email", "email"},     {"type", ATTR_PREFIX "report_type]"}};
    const char *to = NULL;
    if (strcmp(err->field, "region") == 0)
        to = region_param;
    else if (strcmp(err->field, "title") == 0 && title_derived)
        to = "description";
    for (size_t i = 0; !to && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(err->field, names[i][0]) == 0)
            to = names[i][1];
    if (to)
        snprintf(err->field, sizeof err->field, "%s", to);
}

void
intake_open311_title(const char *description, char *out, size_t size)
{
    const unsigned char *p = (const unsigned char *) description;
    size_t n = 0, chars = 0;
    int words = 0;

    if (size == 0)
        return;
    out[0] = '\0';
    while (*p && words < INTAKE_OPEN311_TITLE_WORDS) {
        const unsigned char *w = NULL;
        size_t bytes = 0, wchars = 0;
        while (*p && isspace(*p))
            p++;
        if (!*p)
            break;
        w = p;
        while (*p && !isspace(*p)) {
            wchars += (*p & 0xC0) != 0x80;
            p++;
        }
        bytes = (size_t) (p - w);
        if (chars + (words > 0) + wchars > INTAKE_OPEN311_TITLE_CHARS) {
            if (words == 0) {
                /* One very long word: cut it at a character boundary. */
                size_t keep = 0, kept = 0;
                while (keep < bytes &&
                       (kept < INTAKE_OPEN311_TITLE_CHARS - 3 || (w[keep] & 0xC0) == 0x80)) {
                    kept += (w[keep] & 0xC0) != 0x80;
                    keep++;
                }
                if (keep + 4 < size) {
                    memcpy(out, w, keep);
                    n = keep;
                }
            }
            if (n + 4 < size)
                memcpy(out + n, "...", 4);
            else
                out[n] = '\0';
            return;
        }
        if (n + (words > 0) + bytes + 4 >= size)
            break;
        if (words > 0)
            out[n++] = ' ';
        memcpy(out + n, w, bytes);
        n += bytes;
        out[n] = '\0';
        chars += (words > 0) + wchars;
        words++;
    }
    while (*p && isspace(*p))
        p++;
    if (*p && n + 4 < size)
        memcpy(out + n, "...", 4);
}

/* ---------------------------------------------------------------------------- */
/* POST requests                                                                  */

int
intake_open311_parse_form(const intake_urlform_t *form, const intake_open311_lookup_t *lookup,
                          intake_complaint_t *out, lp_error_t *err)
{
    intake_fields_t f = {0};
    const intake_open311_attribute_t *defs[INTAKE_OPEN311_MAX_ATTRIBUTES];
    intake_attribute_t answers[INTAKE_OPEN311_MAX_ATTRIBUTES];
    size_t n_defs = 0, n_answers = 0, n = intake_urlform_count(form);
    const char *service = NULL, *lat = NULL, *lon = NULL, *region_param = "address_id";
    char region[32] = "", title[INTAKE_OPEN311_TITLE_CHARS * 4 + 8], *name = NULL;
    char code[ATTR_CODE_MAX + 1];
    double lat_v = 0, lon_v = 0;
    bool title_derived = false;
    int rc = -1;

    memset(out, 0, sizeof *out);
    memset(answers, 0, sizeof answers);
    /* The form's shape: known parameters, each once. */
    for (size_t i = 0; i < n; i++) {
        const char *pname = intake_urlform_name(form, i);
        for (size_t j = 0; j < i; j++)
            if (strcmp(pname, intake_urlform_name(form, j)) == 0) {
                lp_error_set(err, LP_ERR_INVALID, pname, "is given more than once");
                goto done;
            }
        if (!s_is_param(pname) && !s_attribute_code(pname, code)) {
            lp_error_set(err, LP_ERR_INVALID, pname, "is not a known parameter");
            goto done;
        }
    }
    service = s_given(form, "service_code");
    if (!service) {
        lp_error_set(err, LP_ERR_INVALID, "service_code", "is required");
        goto done;
    }
    if (strlen(service) > 40 || (lookup->check.category_known &&
                                 !lookup->check.category_known(lookup->check.arg, service))) {
        lp_error_set(err, LP_ERR_INVALID, "service_code",
                     "is not a known service (see services.json)");
        goto done;
    }
    if (s_given(form, "media_url")) {
        lp_error_set(err, LP_ERR_INVALID, "media_url",
                     "is not accepted yet; describe what the picture shows in description");
        goto done;
    }
    for (const char *const *p =
             (const char *const[]){"jurisdiction_id", "device_id", "account_id", NULL};
         *p; p++) {
        const char *v = intake_urlform_get(form, *p);
        if (v && strlen(v) > OPAQUE_MAX) {
            lp_error_set(err, LP_ERR_INVALID, *p, "must be at most %d bytes", OPAQUE_MAX);
            goto done;
        }
    }

    /* Where: lat/long are kept as given; the region comes from a code or a name. */
    lat = s_given(form, "lat");
    lon = s_given(form, "long");
    if ((lat || lon) && !(lat && lon)) {
        lp_error_set(err, LP_ERR_INVALID, lat ? "long" : "lat", "is required with %s",
                     lat ? "lat" : "long");
        goto done;
    }
    if (lat && s_coordinate(lat, 90, &lat_v) != 0) {
        lp_error_set(err, LP_ERR_INVALID, "lat", "must be a latitude in decimal degrees");
        goto done;
    }
    if (lon && s_coordinate(lon, 180, &lon_v) != 0) {
        lp_error_set(err, LP_ERR_INVALID, "long", "must be a longitude in decimal degrees");
        goto done;
    }
    if (s_given(form, "address_id"))
        f.region = s_given(form, "address_id");
    else if (s_given(form, "address_string")) {
        const char *address = s_given(form, "address_string");
        region_param = "address_string";
        if (strlen(address) > INTAKE_ADDRESS_MAX) {
            lp_error_set(err, LP_ERR_INVALID, region_param, "must be at most %d bytes",
                         INTAKE_ADDRESS_MAX);
            goto done;
        }
        if (!lookup->region_by_address ||
            lookup->region_by_address(lookup->arg, address, region, sizeof region) != 0) {
            lp_error_set(err, LP_ERR_INVALID, region_param,
                         "names no desa, kecamatan or kabupaten of this province; separate "
                         "the names with commas, or give address_id (a Kemendagri code)");
            goto done;
        }
        f.region = region;
    }
    else if (lat) {
        region_param = "lat";
        f.region = lookup->fallback_region;
    }
    else {
        lp_error_set(err, LP_ERR_INVALID, "lat", "give lat and long, address_string or address_id");
        goto done;
    }

    /* The service's questions: known ones only, valid answers, the required ones. */
    n_defs = intake_open311_attributes(service, defs, INTAKE_OPEN311_MAX_ATTRIBUTES);
    for (size_t i = 0; i < n; i++) {
        const char *pname = intake_urlform_name(form, i), *value = intake_urlform_value(form, i);
        const intake_open311_attribute_t *a = NULL;
        if (!s_attribute_code(pname, code))
            continue;
        if (!(a = intake_open311_attribute_find(service, code))) {
            lp_error_set(err, LP_ERR_INVALID, pname, "is not an attribute of service %s", service);
            goto done;
        }
        if (!*value)
            continue;
        if (intake_open311_attribute_check(a, value, err) != 0) {
            s_attr_field(err, code);
            goto done;
        }
        if (strcmp(a->code, "report_type") == 0)
            f.type = strcmp(value, "permintaan_informasi") == 0 ? "informasi" : value;
        else {
            answers[n_answers].code = (char *) a->code;
            answers[n_answers].value = (char *) value;
            n_answers++;
        }
    }
    for (size_t i = 0; i < n_defs; i++) {
        char pname[64];
        snprintf(pname, sizeof pname, ATTR_PREFIX "%s]", defs[i]->code);
        if (defs[i]->required && !s_given(form, pname)) {
            lp_error_set(err, LP_ERR_INVALID, pname, "is required for service %s", service);
            goto done;
        }
    }

    /* What and who: the checks every channel shares. */
    f.body = intake_urlform_get(form, "description");
    f.title = s_given(form, "title");
    if (!f.title && f.body) {
        intake_open311_title(f.body, title, sizeof title);
        f.title = title;
        title_derived = true;
    }
    f.category = service;
    f.privacy = s_given(form, "privacy");
    f.lang = s_given(form, "lang");
    f.reporter_phone = s_given(form, "phone");
    f.reporter_email = s_given(form, "email");
    if (s_given(form, "first_name") || s_given(form, "last_name")) {
        const char *first = s_given(form, "first_name"), *last = s_given(form, "last_name");
        if ((first && strlen(first) > INTAKE_NAME_MAX * 4) ||
            (last && strlen(last) > INTAKE_NAME_MAX * 4)) {
            lp_error_set(err, LP_ERR_INVALID, first ? "first_name" : "last_name",
                         "must be at most %d characters", INTAKE_NAME_MAX);
            goto done;
        }
        size_t size = (first ? strlen(first) : 0) + (last ? strlen(last) : 0) + 2;
        if (!(name = malloc(size))) {
            lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
            goto done;
        }
        snprintf(name, size, "%s%s%s", first ? first : "", first && last ? " " : "",
                 last ? last : "");
        f.reporter_name = name;
    }
    if (intake_complaint_check(&f, &lookup->check, out, err) != 0) {
        s_rename(err, region_param, title_derived);
        goto done;
    }
    out->has_location = lat != NULL;
    out->lat = lat_v;
    out->lon = lon_v;
    if (n_answers > 0 && !(out->attributes = calloc(n_answers, sizeof *out->attributes)))
        goto oom;
    for (size_t i = 0; i < n_answers; i++) {
        out->attributes[i].code = strdup(answers[i].code);
        out->attributes[i].value = strdup(answers[i].value);
        out->n_attributes++;
        if (!out->attributes[i].code || !out->attributes[i].value)
            goto oom;
    }
    rc = 0;
    goto done;
oom:
    lp_error_set(err, LP_ERR_SYSTEM, NULL, "out of memory");
    intake_complaint_clear(out);
done:
    free(name);
    return rc;
}

int
intake_open311_parse_request(const char *body, size_t len, const intake_open311_lookup_t *lookup,
                             intake_complaint_t *out, lp_error_t *err)
{
    intake_urlform_t *form = intake_urlform_decode(body, len, err);
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (form)
        rc = intake_open311_parse_form(form, lookup, out, err);
    intake_urlform_destroy(&form);
    return rc;
}

/* ---------------------------------------------------------------------------- */
/* W3C date-times                                                                 */

/* Reads exactly n digits at *p into *v and moves *p on; false when not digits. */
static bool
s_digits(const char **p, int n, int *v)
{
    *v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char) (*p)[i]))
            return false;
        *v = *v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's method). */
static int64_t
s_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
s_month_days(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* intake_w3c_datetime_parse; *has_time says whether a time of day was given. */
static int
s_datetime(const char *t, int64_t *ms, bool *has_time)
{
    const char *p = t;
    int y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0, frac = 0, oh = 0, om = 0, sign = 1;

    *has_time = false;
    if (!t || strlen(t) > 40 || !s_digits(&p, 4, &y))
        return -1;
    if (*p == '-' && (p++, !s_digits(&p, 2, &mo)))
        return -1;
    if (*p == '-' && (p++, !s_digits(&p, 2, &d)))
        return -1;
    if (*p == 'T') {
        p++;
        *has_time = true;
        if (!s_digits(&p, 2, &h) || *p++ != ':' || !s_digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (!s_digits(&p, 2, &s))
                return -1;
            if (*p == '.') {
                int scale = 100, digits = 0;
                p++;
                for (; isdigit((unsigned char) *p) && digits < 9; p++, digits++, scale /= 10)
                    frac += (*p - '0') * scale;
                if (digits == 0 || isdigit((unsigned char) *p))
                    return -1;
            }
        }
        /* W3C asks for a zone with every time: Z or +hh:mm / -hh:mm. */
        if (*p == 'Z')
            p++;
        else if (*p == '+' || *p == '-' || *p == ' ') {
            sign = *p == '-' ? -1 : 1;
            p++;
            if (!s_digits(&p, 2, &oh) || *p++ != ':' || !s_digits(&p, 2, &om))
                return -1;
        }
        else
            return -1;
    }
    if (*p || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > s_month_days(y, mo) || h > 23 ||
        mi > 59 || s > 59 || oh > 23 || om > 59)
        return -1;
    *ms = ((s_days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000LL + s * 1000LL + frac -
          sign * (oh * 60 + om) * 60000LL;
    return 0;
}

int
intake_w3c_datetime_parse(const char *text, int64_t *ms)
{
    bool has_time = false;
    return s_datetime(text, ms, &has_time);
}

/* ---------------------------------------------------------------------------- */
/* GET requests                                                                   */

int
intake_open311_parse_query(const char *ids, const char *service_code, const char *start,
                           const char *end, const char *status, int64_t now_ms,
                           intake_open311_query_t *out, lp_error_t *err)
{
    bool start_time = false, end_time = false;
    memset(out, 0, sizeof *out);
    out->open = out->closed = true;

    if (ids) {
        const char *p = ids;
        if (strlen(ids) > INTAKE_OPEN311_MAX_IDS * 16) {
            lp_error_set(err, LP_ERR_INVALID, "service_request_id",
                         "lists too many ids (at most %d)", INTAKE_OPEN311_MAX_IDS);
            return -1;
        }
        for (;;) {
            size_t len = strcspn(p, ",");
            char one[65];
            if (len >= sizeof one || out->n_ids == INTAKE_OPEN311_MAX_IDS) {
                lp_error_set(err, LP_ERR_INVALID, "service_request_id",
                             "must be at most %d tracking ids separated by commas",
                             INTAKE_OPEN311_MAX_IDS);
                return -1;
            }
            memcpy(one, p, len);
            one[len] = '\0';
            if (lp_tracking_normalize(one, out->ids[out->n_ids]) != 0) {
                lp_error_set(err, LP_ERR_INVALID, "service_request_id",
                             "must be tracking ids (10 digits) separated by commas");
                return -1;
            }
            out->n_ids++;
            if (!p[len])
                break;
            p += len + 1;
        }
        return 0; /* the spec: the ids override every other filter */
    }
    if (service_code) {
        size_t len = strlen(service_code);
        if (len == 0 || len > 40 ||
            strspn(service_code, "abcdefghijklmnopqrstuvwxyz0123456789-_") != len) {
            lp_error_set(err, LP_ERR_INVALID, "service_code", "is not a known service");
            return -1;
        }
        out->service_code = service_code;
    }
    if (start && s_datetime(start, &out->start_ms, &start_time) != 0) {
        lp_error_set(err, LP_ERR_INVALID, "start_date",
                     "must be a W3C date-time such as 2025-03-01T00:00:00+08:00");
        return -1;
    }
    if (end && s_datetime(end, &out->end_ms, &end_time) != 0) {
        lp_error_set(err, LP_ERR_INVALID, "end_date",
                     "must be a W3C date-time such as 2025-03-31T23:59:59+08:00");
        return -1;
    }
    if (end && !end_time)
        out->end_ms += DAY_MS - 1; /* a date alone means the whole day */
    if (!start && !end) {
        out->end_ms = now_ms;
        out->start_ms = now_ms - INTAKE_OPEN311_WINDOW_MS;
    }
    else if (!end)
        out->end_ms = out->start_ms + INTAKE_OPEN311_WINDOW_MS;
    else if (!start)
        out->start_ms = out->end_ms - INTAKE_OPEN311_WINDOW_MS;
    if (out->end_ms < out->start_ms) {
        lp_error_set(err, LP_ERR_INVALID, "end_date", "is before start_date");
        return -1;
    }
    if (out->end_ms - out->start_ms > INTAKE_OPEN311_WINDOW_MS) {
        lp_error_set(err, LP_ERR_INVALID, "start_date",
                     "from start_date to end_date may be at most 90 days");
        return -1;
    }
    if (status) {
        const char *p = status;
        out->open = out->closed = false;
        for (;;) {
            size_t len = strcspn(p, ",");
            if (len == 4 && strncmp(p, "open", 4) == 0)
                out->open = true;
            else if (len == 6 && strncmp(p, "closed", 6) == 0)
                out->closed = true;
            else {
                lp_error_set(err, LP_ERR_INVALID, "status", "must be open, closed or open,closed");
                return -1;
            }
            if (!p[len])
                break;
            p += len + 1;
        }
    }
    return 0;
}

const char *
intake_open311_status(const char *lapor_status)
{
    static const char *const closed[] = {"resolved", "closed", "archived", NULL};
    for (const char *const *c = closed; lapor_status && *c; c++)
        if (strcmp(*c, lapor_status) == 0)
            return "closed";
    return "open";
}
