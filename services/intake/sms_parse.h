/* sms_parse: what a citizen's SMS asks for, read without any I/O.
 *
 * Commands are case-insensitive, Bahasa Indonesia first:
 *   <free text>               a complaint (pengaduan)
 *   ASPIRASI <text>           an aspiration; INFO <text> a request for information;
 *   PENGADUAN/ADUAN/LAPOR <text>  a complaint, the word dropped
 *   STATUS <tracking id>      where the complaint stands
 *   BALAS <tracking id> <text>  the reporter answers the agency's question (REPLY)
 *   BANTUAN, INFO, HELP, ?    how to use the service (a command word alone)
 *   TERIMA <id> [1-5]         accept a resolution (with a rating); TOLAK <id> <reason>
 *                           rejects it (reopened)
 * A command word may be followed by a space, '#', ':' or ','. Everything here is
 * pure (no allocation, no globals), so a fuzzer can call it with any bytes. */
#ifndef INTAKE_SMS_PARSE_H
#define INTAKE_SMS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "lp_event.h"
#include "lp_refdata.h"

/* The longest text read as a command or complaint: ten SMS of 160 characters. */
#define INTAKE_SMS_MAX_TEXT 1600
/* Titles made from an SMS: the first words, up to this many characters. */
#define INTAKE_SMS_TITLE_MAX 60

typedef enum {
    INTAKE_SMS_EMPTY,     /* nothing but white space */
    INTAKE_SMS_INVALID,   /* not UTF-8 (too_long false), or longer than INTAKE_SMS_MAX_TEXT */
    INTAKE_SMS_HELP,      /* how to use the service */
    INTAKE_SMS_STATUS,    /* id: the tracking ID as typed (may be empty) */
    INTAKE_SMS_REPLY,     /* id and body: the answer to the agency's question */
    INTAKE_SMS_ACCEPT,    /* TERIMA <id> */
    INTAKE_SMS_REJECT,    /* TOLAK <id> <reason> */
    INTAKE_SMS_COMPLAINT, /* body, with type */
} intake_sms_kind_t;

typedef struct {
    intake_sms_kind_t kind;
    Lapor__V1__ReportType type; /* COMPLAINT: pengaduan, aspirasi or informasi */
    bool english;               /* the command word was English (HELP, REPLY) */
    bool too_long;              /* INVALID: longer than INTAKE_SMS_MAX_TEXT */
    const char *id;             /* into the text; id_len 0 when absent */
    size_t id_len;
    const char *body; /* into the text, trimmed; body_len 0 when absent */
    size_t body_len;
} intake_sms_cmd_t;

/* Reads text (len bytes, NUL bytes allowed and treated as invalid) into out.
 * Never reads past len. Returns out->kind. */
intake_sms_kind_t intake_sms_parse(const char *text, size_t len, intake_sms_cmd_t *out);

/* True when the len bytes at s are valid UTF-8 (no overlongs, no surrogates, no NUL). */
bool intake_sms_utf8_valid(const char *s, size_t len);

/* Writes the first words of body (len bytes of valid UTF-8) into out, at most
 * INTAKE_SMS_TITLE_MAX characters, cut at a word boundary when one is near the
 * end; control characters become spaces. out must hold INTAKE_SMS_TITLE_MAX * 4 + 1
 * bytes. Returns the number of characters written. */
size_t intake_sms_title(const char *body, size_t len, char *out, size_t size);

/* The region an SMS names: the most specific known desa, kecamatan or kabupaten
 * whose name appears in text as whole words (case-insensitive). A name shorter than
 * six letters counts only after a cue word ("desa", "kecamatan", "di", ...), so
 * everyday words that are also village names ("Minta", "Damai") do not pick a
 * region. When two places of the same level and name match, their common parent is
 * taken when it is known. NULL when nothing matches. */
const lp_region_t *intake_sms_region(const char *text, size_t len, const lp_region_t *regions,
                                     size_t n);

#endif
