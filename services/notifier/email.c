/* email: SMTP with libcurl's MIME API, so the multipart encoding is not ours to get wrong. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "email.h"

bool
notifier_email_encode_header(const char *value, char *out, size_t size)
{
    size_t len = strlen(value);
    bool ascii = true;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char) value[i] >= 0x80 || value[i] == '\r' || value[i] == '\n')
            ascii = false;
    if (ascii) {
        if (len + 1 > size)
            return false;
        memcpy(out, value, len + 1);
        return true;
    }
    size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    if (b64 + 12 > size)
        return false;
    memcpy(out, "=?UTF-8?B?", 10);
    sodium_bin2base64(out + 10, b64, (const unsigned char *) value, len,
                      sodium_base64_VARIANT_ORIGINAL);
    strcat(out, "?=");
    return true;
}

/* The text as HTML: escaped, blank lines become paragraphs. */
static char *
s_html(const char *text)
{
    size_t size = strlen(text) * 6 + 256;
    char *out = malloc(size);
    size_t n = 0;
    if (!out)
        return NULL;
    n += (size_t) snprintf(out, size,
                           "<!doctype html><html><body style=\"font-family:sans-serif;"
                           "font-size:16px;color:#111\"><p>");
    for (const char *p = text; *p; p++) {
        const char *rep = NULL;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\n':
            rep = p[1] == '\n' ? "</p><p>" : "<br>";
            break;
        default:
            break;
        }
        if (rep) {
            if (*p == '\n' && p[1] == '\n')
                p++;
            n += (size_t) snprintf(out + n, size - n, "%s", rep);
        }
        else
            out[n++] = *p;
    }
    snprintf(out + n, size - n, "</p></body></html>");
    return out;
}

/* The address inside "Name <addr>", or the whole value. */
static void
s_address(const char *from, char *out, size_t size)
{
    const char *lt = strchr(from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt && gt > lt + 1)
        snprintf(out, size, "<%.*s>", (int) (gt - lt - 1), lt + 1);
    else
        snprintf(out, size, "<%s>", from);
}

notifier_email_result_t
notifier_email_send(const notifier_email_config_t *config, const char *to, const char *subject,
                    const char *text, const char *message_id, char *error, size_t error_size)
{
    CURL *curl = curl_easy_init();
    curl_mime *mime = NULL;
    curl_mimepart *part;
    struct curl_slist *headers = NULL, *rcpt = NULL;
    char line[1024], encoded[768], mail_from[300], rcpt_to[300], date[64];
    char *html = s_html(text);
    time_t now = time(NULL);
    struct tm tm;
    long code = 0;
    CURLcode res;
    notifier_email_result_t result = NOTIFIER_EMAIL_RETRY;

    if (!curl || !html) {
        snprintf(error, error_size, "out of memory");
        goto done;
    }
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
    headers = curl_slist_append(headers, date);
    if (!notifier_email_encode_header(subject, encoded, sizeof encoded))
        snprintf(encoded, sizeof encoded, "LAPOR");
    snprintf(line, sizeof line, "Subject: %s", encoded);
    headers = curl_slist_append(headers, line);
    snprintf(line, sizeof line, "From: %s", config->from);
    headers = curl_slist_append(headers, line);
    snprintf(line, sizeof line, "To: <%s>", to);
    headers = curl_slist_append(headers, line);
    snprintf(line, sizeof line, "Message-ID: <%s@lapor>", message_id);
    headers = curl_slist_append(headers, line);
    headers = curl_slist_append(headers, "MIME-Version: 1.0");

    /* Two views of one message: the top level itself is multipart/alternative (curl
     * takes the type from this header instead of its default multipart/mixed). */
    headers = curl_slist_append(headers, "Content-Type: multipart/alternative");
    mime = curl_mime_init(curl);
    part = curl_mime_addpart(mime);
    curl_mime_data(part, text, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/plain; charset=UTF-8");
    curl_mime_encoder(part, "quoted-printable");
    part = curl_mime_addpart(mime);
    curl_mime_data(part, html, CURL_ZERO_TERMINATED);
    curl_mime_type(part, "text/html; charset=UTF-8");
    curl_mime_encoder(part, "quoted-printable");

    s_address(config->from, mail_from, sizeof mail_from);
    snprintf(rcpt_to, sizeof rcpt_to, "<%s>", to);
    rcpt = curl_slist_append(rcpt, rcpt_to);
    curl_easy_setopt(curl, CURLOPT_URL, config->url);
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, mail_from);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, config->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (config->require_tls)
        curl_easy_setopt(curl, CURLOPT_USE_SSL, (long) CURLUSESSL_ALL);
    if (config->username && *config->username) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, config->username);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, config->password);
    }
    res = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    if (res == CURLE_OK)
        result = NOTIFIER_EMAIL_SENT;
    else {
        snprintf(error, error_size, "SMTP: %s (reply %ld)", curl_easy_strerror(res), code);
        /* 5xx for a recipient is final; anything else may pass later. */
        result = code >= 500 && code < 600 ? NOTIFIER_EMAIL_DEAD : NOTIFIER_EMAIL_RETRY;
    }
done:
    curl_slist_free_all(headers);
    curl_slist_free_all(rcpt);
    curl_mime_free(mime);
    if (curl)
        curl_easy_cleanup(curl);
    free(html);
    return result;
}
