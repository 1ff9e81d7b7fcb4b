/* open311_parse: the pure rules of the Open311 GeoReport v2 channel: a POSTed
 * service request (application/x-www-form-urlencoded) becomes a checked
 * intake_complaint_t, the filters of GET requests.json become a query, and
 * lapor's statuses become open or closed.
 *
 * No I/O and no globals: reference data comes through callbacks, so a libFuzzer
 * target can call intake_open311_parse_request with stubs. Errors name the
 * Open311 parameter at fault ("service_code", "attribute[jenis_dokumen]"); the
 * shared checks of validate.h do the rest, their fields renamed to Open311's. */
#ifndef INTAKE_OPEN311_PARSE_H
#define INTAKE_OPEN311_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lp_error.h"
#include "lp_tracking.h"
#include "urlform.h"
#include "validate.h"

#define INTAKE_OPEN311_TITLE_WORDS 10
#define INTAKE_OPEN311_TITLE_CHARS 80
#define INTAKE_OPEN311_MAX_IDS 100
#define INTAKE_OPEN311_WINDOW_MS (90LL * 24 * 3600 * 1000)

typedef struct {
    /* Known region codes and categories (service codes). */
    intake_lookup_t check;
    /* Finds the region a free-text address names: writes its code and returns 0,
     * or -1 when it names none. NULL: address_string alone never locates. */
    int (*region_by_address)(void *arg, const char *address, char *code, size_t size);
    void *arg;
    /* The region of a request located only by lat/long: the reference data has
     * no coordinates, so the province ("64"). */
    const char *fallback_region;
} intake_open311_lookup_t;

/* Checks the parameters of a decoded form. Known: api_key, jurisdiction_id,
 * service_code, lat, long, address_string, address_id, email, device_id,
 * account_id, first_name, last_name, phone, description, media_url (must be
 * empty), attribute[<code>], and lapor's extensions title, privacy, lang; an
 * unknown or repeated parameter is refused. The region comes from address_id,
 * else address_string, else (lat/long only) the fallback. The title, when not
 * given, is the first words of the description. On success fills out (free with
 * intake_complaint_clear) and returns 0; else -1 with err->field the parameter. */
int intake_open311_parse_form(const intake_urlform_t *form, const intake_open311_lookup_t *lookup,
                              intake_complaint_t *out, lp_error_t *err);

/* intake_open311_parse_form of the len bytes of a form-encoded body. */
int intake_open311_parse_request(const char *body, size_t len,
                                 const intake_open311_lookup_t *lookup, intake_complaint_t *out,
                                 lp_error_t *err);

/* A title from the first words of description: at most INTAKE_OPEN311_TITLE_WORDS
 * words and INTAKE_OPEN311_TITLE_CHARS characters (a cut ends with "..."), white
 * space collapsed. Writes into out (size bytes, at least 4 * the chars + 4). */
void intake_open311_title(const char *description, char *out, size_t size);

/* Parses a W3C date-time ("2025-03-01", "2025-03-01T08:00Z",
 * "2025-03-01T08:00:00+08:00", with fractions of a second; a space where the
 * '+' was, as an unencoded query string gives it) into milliseconds since 1970.
 * Years 1970 to 9999. Returns 0, or -1 when it is not one. */
int intake_w3c_datetime_parse(const char *text, int64_t *ms);

typedef struct {
    char ids[INTAKE_OPEN311_MAX_IDS][LP_TRACKING_LEN + 1]; /* when n_ids > 0, the rest is unused */
    size_t n_ids;
    const char *service_code; /* borrowed; NULL: any */
    int64_t start_ms, end_ms; /* requested_datetime in [start, end] */
    bool open, closed;        /* which statuses to include */
} intake_open311_query_t;

/* The filters of GET requests (each NULL when absent): service_request_id (comma
 * list; overrides the others, as the spec says), service_code, start_date,
 * end_date (W3C; the window is the last 90 days by default and may not be wider
 * than 90 days), status (open, closed, or both comma-separated). Returns 0, or -1
 * with err->field the parameter. */
int intake_open311_parse_query(const char *ids, const char *service_code, const char *start,
                               const char *end, const char *status, int64_t now_ms,
                               intake_open311_query_t *out, lp_error_t *err);

/* "closed" for resolved, closed and archived complaints; "open" for the rest. */
const char *intake_open311_status(const char *lapor_status);

#endif
