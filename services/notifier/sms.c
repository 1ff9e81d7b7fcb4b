/* sms: SMS sizes (GSM-7 / UCS-2) and sending through Kannel's sendsms. */
#include "sms.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------------------------
 * Sizes */

#define GSM_SINGLE 160
#define GSM_PART 153
#define UCS2_SINGLE 70
#define UCS2_PART 67

/* Decodes one code point at s (len bytes left); 0 bytes when invalid. */
static size_t
s_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    size_t need = 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        need = 1;
        *cp = s[0] & 0x1F;
    }
    else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        need = 2;
        *cp = s[0] & 0x0F;
    }
    else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        need = 3;
        *cp = s[0] & 0x07;
    }
    else
        return 0;
    if (len <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (s[k] & 0x3F);
    }
    if ((need == 2 && *cp < 0x800) || (need == 3 && *cp < 0x10000) || *cp > 0x10FFFF ||
        (*cp >= 0xD800 && *cp <= 0xDFFF))
        return 0;
    return need + 1;
}

/* Septets of cp in GSM-7: 1 (basic), 2 (extension table), 0 (not in GSM-7). */
static int
s_gsm_septets(uint32_t cp)
{
    static const uint32_t basic[] = {0x40,  0xA3,  0x24,  0xA5,  0xE8,  0xE9,  0xF9,  0xEC,  0xF2,
                                     0xC7,  0x0A,  0xD8,  0xF8,  0x0D,  0xC5,  0xE5,  0x394, 0x5F,
                                     0x3A6, 0x393, 0x39B, 0x3A9, 0x3A0, 0x3A8, 0x3A3, 0x398, 0x39E,
                                     0xC6,  0xE6,  0xDF,  0xC9,  0xA4,  0xA1,  0xC4,  0xD6,  0xD1,
                                     0xDC,  0xA7,  0xBF,  0xE4,  0xF6,  0xF1,  0xFC,  0xE0};
    static const uint32_t ext[] = {0x0C, 0x5E, 0x7B, 0x7D, 0x5C, 0x5B, 0x7E, 0x5D, 0x7C, 0x20AC};

    /* Space to '?' and letters and digits, except the few ASCII GSM-7 lacks. */
    if ((cp >= 0x20 && cp <= 0x3F && cp != 0x24) || (cp >= 'A' && cp <= 'Z') ||
        (cp >= 'a' && cp <= 'z'))
        return 1;
    for (size_t i = 0; i < sizeof basic / sizeof basic[0]; i++)
        if (basic[i] == cp)
            return 1;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (ext[i] == cp)
            return 2;
    return 0;
}

/* Walks text: gsm7 and the units of each character (in the chosen encoding). */
typedef struct {
    const unsigned char *p;
    size_t left;
} s_walk_t;

static int
s_next(s_walk_t *w, uint32_t *cp, size_t *bytes)
{
    if (w->left == 0)
        return 0;
    *bytes = s_decode(w->p, w->left, cp);
    if (*bytes == 0)
        return -1;
    w->p += *bytes;
    w->left -= *bytes;
    return 1;
}

static size_t
s_units(uint32_t cp, bool gsm7)
{
    return gsm7 ? (size_t) s_gsm_septets(cp) : cp > 0xFFFF ? 2 : 1;
}

/* Parts for a text of these units, packed like a phone does: a character (an
 * escape pair, a surrogate pair) is never split across two parts. */
static size_t
s_parts(const char *text, bool gsm7, size_t total)
{
    size_t single = gsm7 ? GSM_SINGLE : UCS2_SINGLE, part = gsm7 ? GSM_PART : UCS2_PART;
    size_t parts = 1, used = 0, bytes = 0;
    s_walk_t w = {(const unsigned char *) text, strlen(text)};
    uint32_t cp = 0;

    if (total <= single)
        return 1;
    while (s_next(&w, &cp, &bytes) > 0) {
        size_t u = s_units(cp, gsm7);
        if (used + u > part) {
            parts++;
            used = 0;
        }
        used += u;
    }
    return parts;
}

int
notifier_sms_measure(const char *text, notifier_sms_size_t *out)
{
    s_walk_t w = {(const unsigned char *) text, strlen(text)};
    uint32_t cp = 0;
    size_t bytes = 0, septets = 0, ucs2 = 0;
    bool gsm7 = true;
    int r;

    while ((r = s_next(&w, &cp, &bytes)) > 0) {
        int s = s_gsm_septets(cp);
        if (s == 0)
            gsm7 = false;
        septets += (size_t) s;
        ucs2 += cp > 0xFFFF ? 2 : 1;
    }
    if (r < 0)
        return -1;
    out->gsm7 = gsm7;
    out->units = gsm7 ? septets : ucs2;
    out->parts = s_parts(text, gsm7, out->units);
    return 0;
}

int
notifier_sms_fit(const char *text, size_t max_parts, char *out, size_t size)
{
    notifier_sms_size_t m;
    s_walk_t w = {(const unsigned char *) text, strlen(text)};
    size_t budget, used = 0, bytes = 0, cut = 0, len = strlen(text);
    uint32_t cp = 0;

    if (notifier_sms_measure(text, &m) != 0 || max_parts == 0)
        return -1;
    if (m.parts <= max_parts) {
        if (len >= size)
            return -1;
        memcpy(out, text, len + 1);
        return (int) m.parts;
    }
    /* Room for the words and "...", with one unit per part spare so a character
     * that would straddle two parts cannot push the text over. */
    budget = max_parts * ((m.gsm7 ? GSM_PART : UCS2_PART) - 1) - 3;
    while (s_next(&w, &cp, &bytes) > 0) {
        size_t u = s_units(cp, m.gsm7);
        size_t at = (size_t) ((const char *) w.p - text) - bytes;
        if (used + u > budget)
            break;
        if (cp == ' ' || cp == '\n')
            cut = at;
        used += u;
    }
    if (cut == 0) /* one endless word: cut where the room ends */
        cut = (size_t) ((const char *) w.p - text) - bytes;
    while (cut > 0 && (text[cut - 1] == ' ' || text[cut - 1] == '\n'))
        cut--;
    if (cut + 4 > size)
        return -1;
    memcpy(out, text, cut);
    memcpy(out + cut, "...", 4);
    if (notifier_sms_measure(out, &m) != 0)
        return -1;
    return (int) m.parts;
}

/* ---------------------------------------------------------------------------------
 * Sending */

typedef struct {
    char text[200];
    size_t len;
} s_body_t;

/* Keeps the start of Kannel's answer ("0: Accepted for delivery", a reason). */
static size_t
s_keep(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    s_body_t *body = userdata;
    size_t n = size * nmemb, room = sizeof body->text - 1 - body->len;
    size_t take = n < room ? n : room;
    memcpy(body->text + body->len, ptr, take);
    body->len += take;
    body->text[body->len] = '\0';
    return n;
}

/* Appends "&name=<escaped value>" to url. false when it does not fit. */
static bool
s_param(CURL *curl, char *url, size_t size, const char *name, const char *value)
{
    char *escaped = curl_easy_escape(curl, value, 0);
    size_t used = strlen(url);
    int n;
    if (!escaped)
        return false;
    n = snprintf(url + used, size - used, "%s%s=%s", strchr(url, '?') ? "&" : "?", name, escaped);
    curl_free(escaped);
    return n > 0 && (size_t) n < size - used;
}

notifier_sms_result_t
notifier_sms_send(const notifier_sms_config_t *config, const char *to, const char *text,
                  long *status, char *error, size_t error_size)
{
    CURL *curl = curl_easy_init();
    char url[4096], fitted[2048];
    s_body_t body = {{0}, 0};
    notifier_sms_size_t m;
    notifier_sms_result_t result = NOTIFIER_SMS_RETRY;
    CURLcode res;

    *status = -1;
    error[0] = '\0';
    if (!curl) {
        snprintf(error, error_size, "curl_easy_init failed");
        return NOTIFIER_SMS_RETRY;
    }
    if (notifier_sms_fit(text, NOTIFIER_SMS_MAX_PARTS, fitted, sizeof fitted) < 0 ||
        notifier_sms_measure(fitted, &m) != 0) {
        snprintf(error, error_size, "the text is not valid UTF-8 or too long");
        result = NOTIFIER_SMS_DEAD;
        goto done;
    }
    snprintf(url, sizeof url, "%s", config->url);
    /* charset=UTF-8 tells Kannel what we send; coding 0 is GSM-7, 2 is UCS-2. */
    if (!s_param(curl, url, sizeof url, "username", config->username) ||
        !s_param(curl, url, sizeof url, "password", config->password) ||
        !s_param(curl, url, sizeof url, "from", config->sender) ||
        !s_param(curl, url, sizeof url, "to", to) ||
        !s_param(curl, url, sizeof url, "text", fitted) ||
        !s_param(curl, url, sizeof url, "charset", "UTF-8") ||
        !s_param(curl, url, sizeof url, "coding", m.gsm7 ? "0" : "2")) {
        snprintf(error, error_size, "the sendsms request does not fit");
        result = NOTIFIER_SMS_DEAD;
        goto done;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, config->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, config->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, s_keep);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "lapor-notifier/0.1");
    res = curl_easy_perform(curl);
    if (res != CURLE_OK) {
        /* The error names the host at most; the URL with the password is never shown. */
        snprintf(error, error_size, "Kannel: %s", curl_easy_strerror(res));
        goto done;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    for (char *p = body.text; *p; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    if (*status >= 200 && *status < 300)
        result = NOTIFIER_SMS_SENT;
    else if (*status >= 400 && *status < 500 && !strstr(body.text, "Authorization failed")) {
        /* The number is refused (missing, barred by white- or black-lists). */
        snprintf(error, error_size, "Kannel refused the message (HTTP %ld): %.150s", *status,
                 body.text);
        result = NOTIFIER_SMS_DEAD;
    }
    else
        snprintf(error, error_size, "Kannel answered HTTP %ld: %.150s", *status, body.text);
done:
    curl_easy_cleanup(curl);
    return result;
}
