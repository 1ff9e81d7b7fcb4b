/* sms_parse: commands, titles and places read from a citizen's SMS (pure). */
#include "sms_parse.h"

#include <string.h>

/* ---------------------------------------------------------------------------------
 * Characters */

static bool
s_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool
s_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char
s_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char) (c + 32) : c;
}

bool
intake_sms_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        size_t need = 0;
        unsigned long cp = 0;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
            cp = c & 0x1F;
        }
        else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            cp = c & 0x0F;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            cp = c & 0x07;
        }
        else
            return false;
        if (len - i <= need)
            return false;
        for (size_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        /* Overlong forms, surrogates and code points past U+10FFFF. */
        if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += need + 1;
    }
    return true;
}

/* ---------------------------------------------------------------------------------
 * Commands */

typedef struct {
    const char *word;
    intake_sms_kind_t kind;
    Lapor__V1__ReportType type; /* for complaint prefixes */
    bool english;
    bool alone_is_help; /* the word with nothing after it asks for help */
} s_command_t;

static const s_command_t s_commands[] = {
    {"BANTUAN", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN, false, true},
    {"HELP", INTAKE_SMS_HELP, 0, true, true},
    {"INFO", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_INFORMASI, false, true},
    {"INFORMASI", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_INFORMASI, false, true},
    {"ASPIRASI", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_ASPIRASI, false, true},
    {"PENGADUAN", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN, false, true},
    {"ADUAN", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN, false, true},
    {"LAPOR", INTAKE_SMS_COMPLAINT, LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN, false, true},
    {"STATUS", INTAKE_SMS_STATUS, 0, false, false},
    {"BALAS", INTAKE_SMS_REPLY, 0, false, false},
    {"REPLY", INTAKE_SMS_REPLY, 0, true, false},
    {"TERIMA", INTAKE_SMS_ACCEPT, 0, false, false},
    {"TOLAK", INTAKE_SMS_REJECT, 0, false, false},
};

/* True when the word at p (n bytes) equals upper-case w, ignoring case. */
static bool
s_word_is(const char *p, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s_lower((unsigned char) p[i]) != s_lower((unsigned char) w[i]))
            return false;
    return true;
}

/* Reads a tracking ID as typed at p (up to end): ten digits, with spaces, dashes
 * or dots between them; or, when it does not start with a digit, one word. Sets
 * *id and *id_len and returns where the rest begins. */
static const char *
s_read_id(const char *p, const char *end, const char **id, size_t *id_len)
{
    const char *start = p, *last = p;
    int digits = 0;

    *id = p;
    *id_len = 0;
    if (p >= end)
        return p;
    if (!(*p >= '0' && *p <= '9')) {
        while (p < end && !s_space((unsigned char) *p))
            p++;
        *id_len = (size_t) (p - start);
        return p;
    }
    while (p < end && digits < 10) {
        if (*p >= '0' && *p <= '9') {
            digits++;
            last = p + 1;
        }
        else if (*p != ' ' && *p != '-' && *p != '.')
            break;
        p++;
    }
    /* A number longer than ten digits stays in one piece, so it is refused whole. */
    while (last < end && *last >= '0' && *last <= '9')
        last++;
    *id_len = (size_t) (last - start);
    return last;
}

static void
s_trim(const char **p, const char **end)
{
    while (*p < *end && s_space((unsigned char) **p))
        (*p)++;
    while (*end > *p && s_space((unsigned char) (*end)[-1]))
        (*end)--;
}

intake_sms_kind_t
intake_sms_parse(const char *text, size_t len, intake_sms_cmd_t *out)
{
    const char *p = text, *end = text + len, *word_end = NULL, *rest = NULL;
    const s_command_t *cmd = NULL;

    memset(out, 0, sizeof *out);
    out->type = LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN;
    if (!text || len == 0)
        return out->kind = INTAKE_SMS_EMPTY;
    if (len > INTAKE_SMS_MAX_TEXT) {
        out->too_long = true;
        return out->kind = INTAKE_SMS_INVALID;
    }
    if (!intake_sms_utf8_valid(text, len))
        return out->kind = INTAKE_SMS_INVALID;
    s_trim(&p, &end);
    if (p == end)
        return out->kind = INTAKE_SMS_EMPTY;

    /* The first word, and what follows its separator. */
    word_end = p;
    while (word_end < end && s_alnum((unsigned char) *word_end))
        word_end++;
    if (word_end == p && *p == '?' && end - p == 1)
        return out->kind = INTAKE_SMS_HELP;
    if (word_end == end || s_space((unsigned char) *word_end) || *word_end == '#' ||
        *word_end == ':' || *word_end == ',') {
        for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0] && !cmd; i++)
            if (s_word_is(p, (size_t) (word_end - p), s_commands[i].word))
                cmd = &s_commands[i];
    }
    rest = word_end < end ? word_end + 1 : end;
    s_trim(&rest, &end);

    if (!cmd) {
        out->kind = INTAKE_SMS_COMPLAINT;
        out->body = p;
        out->body_len = (size_t) (end - p);
        return out->kind;
    }
    out->english = cmd->english;
    if (rest == end && cmd->alone_is_help)
        return out->kind = INTAKE_SMS_HELP;
    out->kind = cmd->kind;
    switch (cmd->kind) {
    case INTAKE_SMS_COMPLAINT:
        out->type = cmd->type;
        if (s_word_is(p, (size_t) (word_end - p), "BANTUAN")) {
            /* "bantuan sosial belum sampai": help is also what people complain about. */
            rest = p;
        }
        out->body = rest;
        out->body_len = (size_t) (end - rest);
        break;
    case INTAKE_SMS_STATUS:
    case INTAKE_SMS_ACCEPT:
    case INTAKE_SMS_REPLY:
    case INTAKE_SMS_REJECT:
        rest = s_read_id(rest, end, &out->id, &out->id_len);
        s_trim(&rest, &end);
        if (cmd->kind != INTAKE_SMS_STATUS) { /* TERIMA: an optional rating */
            out->body = rest;
            out->body_len = (size_t) (end - rest);
        }
        break;
    default:
        break;
    }
    return out->kind;
}

/* ---------------------------------------------------------------------------------
 * Titles */

/* Bytes of the UTF-8 sequence that starts with c (1 for a stray byte). */
static size_t
s_seq_len(unsigned char c)
{
    return c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

size_t
intake_sms_title(const char *body, size_t len, char *out, size_t size)
{
    size_t i = 0, o = 0, chars = 0, last_space_o = 0, last_space_chars = 0;
    bool prev_space = true;

    if (size == 0)
        return 0;
    while (i < len && chars < INTAKE_SMS_TITLE_MAX) {
        unsigned char c = (unsigned char) body[i];
        size_t n = s_seq_len(c);
        if (i + n > len || o + n >= size)
            break;
        if (c < 0x20 || c == 0x7F || s_space(c)) {
            /* Runs of white space and control characters become one space. */
            if (!prev_space) {
                last_space_o = o;
                last_space_chars = chars;
                out[o++] = ' ';
                chars++;
            }
            prev_space = true;
            i++;
            continue;
        }
        memcpy(out + o, body + i, n);
        o += n;
        i += n;
        chars++;
        prev_space = false;
    }
    /* Cut at the last word boundary when the text went on and one is near. */
    if (i < len && last_space_o > 0 && last_space_chars >= INTAKE_SMS_TITLE_MAX / 2) {
        o = last_space_o;
        chars = last_space_chars;
    }
    while (o > 0 && out[o - 1] == ' ') {
        o--;
        chars--;
    }
    out[o] = '\0';
    return chars;
}

/* ---------------------------------------------------------------------------------
 * Places */

static const char *const s_cues[] = {"desa",  "kelurahan", "kel",     "kampung", "kecamatan",
                                     "kec",   "kabupaten", "kab",     "kota",    "di",
                                     "dusun", "daerah",    "wilayah", NULL};

static int
s_depth(const char *level)
{
    if (strcmp(level, "desa") == 0)
        return 3;
    if (strcmp(level, "kecamatan") == 0)
        return 2;
    if (strcmp(level, "kabupaten") == 0)
        return 1;
    return 0;
}

/* The name without "Kabupaten " or "Kota " (people say "Paser", "Balikpapan"). */
static const char *
s_short_name(const char *name, size_t *n)
{
    static const char *const prefixes[] = {"Kabupaten ", "Kota ", NULL};
    for (const char *const *pre = prefixes; *pre; pre++) {
        size_t k = strlen(*pre);
        if (strncmp(name, *pre, k) == 0 && name[k]) {
            *n = strlen(name + k);
            return name + k;
        }
    }
    *n = strlen(name);
    return name;
}

/* True when the word just before position at is a cue word. */
static bool
s_after_cue(const char *text, size_t at)
{
    size_t end = at, start;
    while (end > 0 && (s_space((unsigned char) text[end - 1]) || text[end - 1] == '.'))
        end--;
    start = end;
    while (start > 0 && s_alnum((unsigned char) text[start - 1]))
        start--;
    if (start == end)
        return false;
    for (const char *const *cue = s_cues; *cue; cue++)
        if (s_word_is(text + start, end - start, *cue))
            return true;
    return false;
}

/* Whether name (n bytes) occurs in text as whole words, letters compared without
 * case; with need_cue, only right after a cue word. */
static bool
s_contains_words(const char *text, size_t len, const char *name, size_t n, bool need_cue)
{
    if (n == 0 || n > len)
        return false;
    for (size_t i = 0; i + n <= len; i++) {
        size_t k = 0;
        if (i > 0 && s_alnum((unsigned char) text[i - 1]))
            continue;
        while (k < n && s_lower((unsigned char) text[i + k]) == s_lower((unsigned char) name[k]))
            k++;
        if (k < n || (i + n < len && s_alnum((unsigned char) text[i + n])))
            continue;
        if (!need_cue || s_after_cue(text, i))
            return true;
    }
    return false;
}

static bool
s_matches(const char *text, size_t len, const lp_region_t *r)
{
    size_t n = strlen(r->name);
    /* Only a kabupaten or kota is called by its short name: "Kota Bangun" is a
     * kecamatan, and "bangun" an everyday word. */
    const char *name = s_depth(r->level) == 1 ? s_short_name(r->name, &n) : r->name;
    bool need_cue = n < 6;
    if (s_contains_words(text, len, name, n, need_cue))
        return true;
    return name != r->name && s_contains_words(text, len, r->name, strlen(r->name), false);
}

static const lp_region_t *
s_find(const lp_region_t *regions, size_t n, const char *code)
{
    for (size_t i = 0; code && *code && i < n; i++)
        if (strcmp(regions[i].code, code) == 0)
            return &regions[i];
    return NULL;
}

/* True when one of r's ancestors is named in the text too. */
static bool
s_ancestor_named(const char *text, size_t len, const lp_region_t *regions, size_t n,
                 const lp_region_t *r)
{
    const lp_region_t *up = s_find(regions, n, r->parent);
    for (int depth = 0; up && depth < 4; depth++) {
        if (s_depth(up->level) > 0 && s_matches(text, len, up))
            return true;
        up = s_find(regions, n, up->parent);
    }
    return false;
}

const lp_region_t *
intake_sms_region(const char *text, size_t len, const lp_region_t *regions, size_t n)
{
    const lp_region_t *best = NULL, *tied = NULL;
    long best_score = -1;

    if (!text || !regions)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const lp_region_t *r = &regions[i];
        int depth = r->level ? s_depth(r->level) : 0;
        size_t name_len = 0;
        long score;
        if (depth == 0 || !r->name || !s_matches(text, len, r))
            continue;
        if (depth == 1)
            s_short_name(r->name, &name_len);
        else
            name_len = strlen(r->name);
        /* Deeper first; a place whose kecamatan or kabupaten is named too beats a
         * namesake elsewhere; then the longer name. */
        score = depth * 100000L + (s_ancestor_named(text, len, regions, n, r) ? 10000L : 0) +
                (long) name_len;
        if (score > best_score) {
            best = r;
            best_score = score;
            tied = NULL;
        }
        else if (score == best_score)
            tied = r;
    }
    if (best && tied) {
        /* Namesakes: their common parent, when it is the same place. */
        if (strcmp(best->parent, tied->parent) == 0)
            return s_find(regions, n, best->parent);
        return NULL;
    }
    return best;
}
