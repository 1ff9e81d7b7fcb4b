/* web_text: every word the web pages show, in Bahasa Indonesia and English.
 *
 * One table (web_text.c) holds both languages side by side, so a label or an error
 * message cannot exist in one language only; a unit test checks that no entry is
 * missing. Texts are plain text (the page escapes them); "{}" marks where
 * web_html_fill puts a value. */
#ifndef INTAKE_WEB_TEXT_H
#define INTAKE_WEB_TEXT_H

typedef enum { WEB_LANG_ID = 0, WEB_LANG_EN = 1 } web_lang_t;

typedef enum {
    WT_LANG_CODE, /* "id" / "en", for <html lang> and links */
    WT_OTHER_LANG,
    WT_OTHER_LANG_NAME,
    WT_SITE_TAGLINE,
    WT_NAV_HOME,
    WT_NAV_REPORT,
    WT_NAV_TRACK,
    WT_HOME_TITLE,
    WT_HOME_INTRO,
    WT_HOME_HOW,
    WT_HOME_STEP_1,
    WT_HOME_STEP_2,
    WT_HOME_STEP_3,
    WT_HOME_SMS,
    WT_PLACE_TITLE,
    WT_PLACE_REGENCY,
    WT_PLACE_DISTRICT,
    WT_PLACE_VILLAGE,
    WT_PLACE_WHOLE_DISTRICT,
    WT_PLACE_SEARCH_LABEL,
    WT_PLACE_SEARCH_BUTTON,
    WT_PLACE_SEARCH_RESULTS,
    WT_PLACE_NO_RESULTS,
    WT_PLACE_SEARCH_SHORT,
    WT_PLACE_START_OVER,
    WT_PLACE_LABEL,
    WT_PLACE_CHANGE,
    WT_FORM_TITLE,
    WT_FORM_TYPE_LEGEND,
    WT_TYPE_PENGADUAN,
    WT_TYPE_PENGADUAN_HINT,
    WT_TYPE_ASPIRASI,
    WT_TYPE_ASPIRASI_HINT,
    WT_TYPE_INFORMASI,
    WT_TYPE_INFORMASI_HINT,
    WT_FORM_TITLE_LABEL,
    WT_FORM_TITLE_HINT,
    WT_FORM_BODY_LABEL,
    WT_FORM_BODY_HINT,
    WT_FORM_CATEGORY_LABEL,
    WT_CATEGORY_UNKNOWN,
    WT_FORM_PRIVACY_LEGEND,
    WT_PRIVACY_PUBLIC,
    WT_PRIVACY_PUBLIC_HINT,
    WT_PRIVACY_ANONYMOUS,
    WT_PRIVACY_ANONYMOUS_HINT,
    WT_PRIVACY_CONFIDENTIAL,
    WT_PRIVACY_CONFIDENTIAL_HINT,
    WT_FORM_CONTACT_LEGEND,
    WT_FORM_CONTACT_HINT,
    WT_FORM_NAME_LABEL,
    WT_FORM_PHONE_LABEL,
    WT_FORM_PHONE_HINT,
    WT_FORM_EMAIL_LABEL,
    WT_FORM_SUBMIT,
    WT_FORM_ERRORS,
    WT_FORM_EXPIRED,
    WT_ERR_TYPE,
    WT_ERR_TITLE,
    WT_ERR_BODY,
    WT_ERR_CATEGORY,
    WT_ERR_REGION,
    WT_ERR_PRIVACY,
    WT_ERR_NAME,
    WT_ERR_PHONE,
    WT_ERR_EMAIL,
    WT_ERR_FORM,
    WT_ERR_BUSY,
    WT_ERR_RATE,
    WT_DONE_TITLE,
    WT_DONE_TRACKING,
    WT_DONE_KEEP,
    WT_DONE_PIN,
    WT_DONE_PIN_HINT,
    WT_DONE_NEXT,
    WT_DONE_NEXT_VERIFY,
    WT_DONE_NEXT_FOLLOWUP,
    WT_DONE_NEXT_NOTIFY,
    WT_DONE_SMS,
    WT_DONE_TRACK_LINK,
    WT_DONE_DUPLICATE,
    WT_TRACK_TITLE,
    WT_TRACK_LABEL,
    WT_TRACK_BUTTON,
    WT_TRACK_NOT_FOUND,
    WT_TRACK_HEADING,
    WT_TRACK_STATUS,
    WT_TRACK_TYPE,
    WT_TRACK_PLACE,
    WT_TRACK_CATEGORY,
    WT_TRACK_SUBMITTED,
    WT_TRACK_AGENCY,
    WT_TRACK_NO_AGENCY,
    WT_TRACK_DISPOSE_BY,
    WT_TRACK_DEADLINE,
    WT_TRACK_SUBJECT,
    WT_TRACK_BODY,
    WT_TRACK_CONFIDENTIAL,
    WT_TRACK_HISTORY,
    WT_STATUS_RECEIVED,
    WT_STATUS_VERIFIED,
    WT_STATUS_DISPOSED,
    WT_STATUS_IN_PROGRESS,
    WT_STATUS_RESOLVED,
    WT_STATUS_CLOSED,
    WT_STATUS_POSTPONED,
    WT_STATUS_ARCHIVED,
    WT_STATUS_REOPENED,
    WT_STATUS_UNKNOWN,
    WT_PAGE_NOT_FOUND,
    WT_PAGE_NOT_FOUND_HINT,
    WT_METHOD_NOT_ALLOWED,
    WT_TIME_ZONE,
    WT__COUNT
} web_text_id_t;

/* The text of id in lang (never NULL). */
const char *web_text(web_lang_t lang, web_text_id_t id);

/* English for "en", Bahasa Indonesia for anything else (NULL included). */
web_lang_t web_lang_from(const char *code);

/* A complaint status ("disposed"...) in plain words; WT_STATUS_UNKNOWN when unknown. */
web_text_id_t web_text_status(const char *status);

/* A report type ("pengaduan", "aspirasi", "informasi"); WT_TYPE_PENGADUAN when unknown. */
web_text_id_t web_text_type(const char *type);

/* The message shown next to a form field for an error of the shared checker
 * (err->field as "title", "reporter.phone"...); WT_ERR_FORM when unknown. */
web_text_id_t web_text_field_error(const char *field);

/* The name of month 1..12 ("Mei" / "May"); "" when out of range. */
const char *web_text_month(web_lang_t lang, int month);

#endif
