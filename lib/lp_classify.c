/* lp_classify: weighted keyword phrases, matched as whole words, vote for a category.
 *
 * Scoring. Each phrase found in the text adds its weight to its category once, however
 * often it appears: saying "jalan" five times is no better evidence than saying it
 * once. Where phrases start at the same word, only the longest ones count, so
 * "bpjs ketenagakerjaan" votes for ketenagakerjaan and not also, through "bpjs", for
 * kesehatan; "blt dana desa" is village funds, not the "blt" of bansos. With best and
 * second the two highest category scores,
 *
 *     confidence = best / (best + second + 1)
 *
 * The "+ 1" is the doubt we keep while evidence is thin: one ordinary phrase (weight
 * 1) gives 0.50, under the router's usual threshold of 0.60, and goes to the triage
 * desk; a decisive word (weight 2, "puskesmas") or two agreeing phrases give 0.67,
 * and more evidence approaches 1. A rival category pulls it down: 2 against 1 gives
 * 0.50, and two equal scores s give s / (2s + 1), always under 0.5. Equal best scores
 * go to the smaller category id, so the answer never depends on the order phrases
 * were added in (the database returns them in no promised order).
 *
 * Matching. Text and phrases are folded the same way: ASCII letters lower-cased, any
 * other byte (digit, punctuation, each byte of a UTF-8 sequence) ends a word. Phrases
 * are kept sorted by their first word, so each word of the text costs one binary
 * search, and the text is read in place: a long text costs time in proportion to
 * its length and no memory beyond two small arrays. */
#include "lp_classify.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The doubt added to the denominator of the confidence (see above). */
#define S_DOUBT 1.0

typedef struct {
    char *words;             /* folded words, each ended by '\0', one after the other */
    size_t n_words;          /* at least 1 */
    size_t category;         /* index into categories */
    const char *category_id; /* categories[category], for ordering */
    double weight;
} s_phrase_t;

struct lp_classifier_t {
    s_phrase_t *phrases; /* sorted by first word, then by more words first */
    size_t n, cap;
    char **categories; /* distinct category ids, in the order first seen */
    size_t n_categories, cap_categories;
};

/* ------------------------------------------------------------------------- */
/* Words                                                                       */

static bool
s_is_letter(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* Finds the next word at or after *cursor: sets *start and returns its length, and
 * moves *cursor past it; returns 0 at the end of the text. */
static size_t
s_next_word(const unsigned char **cursor, const unsigned char **start)
{
    const unsigned char *p = *cursor;
    size_t len = 0;
    while (*p && !s_is_letter(*p))
        p++;
    *start = p;
    while (s_is_letter(p[len]))
        len++;
    *cursor = p + len;
    return len;
}

/* Compares a word of the text (any case, len letters) with a folded word, in the
 * order strcmp would give for the folded text word. */
static int
s_word_cmp(const unsigned char *word, size_t len, const char *folded)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char a = word[i] | 0x20, b = (unsigned char) folded[i];
        /* b == '\0' ends the folded word first: the text word is the greater. */
        if (a != b)
            return a < b ? -1 : 1;
    }
    return folded[len] == '\0' ? 0 : -1;
}

/* Folds a phrase into '\0'-ended words; returns NULL when it has none (or no memory). */
static char *
s_fold(const char *phrase, size_t *n_words)
{
    const unsigned char *cursor = (const unsigned char *) phrase, *word = NULL;
    char *out = malloc(strlen(phrase) + 1), *w = out;
    size_t len = 0;

    *n_words = 0;
    if (!out)
        return NULL;
    /* Every word but the last is followed by a separator, so the folded form (each
     * word plus its '\0') never needs more than the phrase and its own '\0'. */
    while ((len = s_next_word(&cursor, &word)) > 0) {
        for (size_t i = 0; i < len; i++)
            *w++ = (char) (word[i] | 0x20);
        *w++ = '\0';
        (*n_words)++;
    }
    if (*n_words == 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* Bytes of a phrase's folded words, their '\0's included. */
static size_t
s_words_size(const s_phrase_t *p)
{
    size_t size = 0;
    for (size_t k = 0; k < p->n_words; k++)
        size += strlen(p->words + size) + 1;
    return size;
}

/* Order of the phrase list: by first word, then longer phrases first, so the first
 * match found at a word is one of the longest. The rest of the order (words,
 * category id, weight) only makes the list, and so the order in which scores are
 * summed, the same whatever order the phrases were added in. */
static int
s_phrase_cmp(const s_phrase_t *a, const s_phrase_t *b)
{
    size_t size_a = 0, size_b = 0;
    int by = strcmp(a->words, b->words);
    if (by != 0)
        return by;
    if (a->n_words != b->n_words)
        return a->n_words > b->n_words ? -1 : 1;
    size_a = s_words_size(a);
    size_b = s_words_size(b);
    by = memcmp(a->words, b->words, size_a < size_b ? size_a : size_b);
    if (by != 0 || size_a != size_b)
        return by != 0 ? by : size_a < size_b ? -1 : 1;
    by = strcmp(a->category_id, b->category_id);
    if (by != 0)
        return by;
    return a->weight < b->weight ? -1 : a->weight > b->weight ? 1 : 0;
}

/* ------------------------------------------------------------------------- */
/* Building                                                                    */

lp_classifier_t *
lp_classifier_new(void)
{
    return calloc(1, sizeof(lp_classifier_t));
}

void
lp_classifier_destroy(lp_classifier_t **self_p)
{
    lp_classifier_t *self = self_p ? *self_p : NULL;
    if (!self)
        return;
    for (size_t i = 0; i < self->n; i++)
        free(self->phrases[i].words);
    for (size_t i = 0; i < self->n_categories; i++)
        free(self->categories[i]);
    free(self->phrases);
    free(self->categories);
    free(self);
    *self_p = NULL;
}

/* The index of a category id, added when new; -1 when out of memory. */
static long
s_category_index(lp_classifier_t *self, const char *category)
{
    char *copy = NULL;
    for (size_t i = 0; i < self->n_categories; i++)
        if (strcmp(self->categories[i], category) == 0)
            return (long) i;
    if (self->n_categories == self->cap_categories) {
        size_t cap = self->cap_categories ? self->cap_categories * 2 : 16;
        char **bigger = realloc(self->categories, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        self->categories = bigger;
        self->cap_categories = cap;
    }
    copy = strdup(category);
    if (!copy)
        return -1;
    self->categories[self->n_categories] = copy;
    return (long) self->n_categories++;
}

int
lp_classifier_add(lp_classifier_t *self, const char *category, const char *phrase, double weight)
{
    s_phrase_t p = {0};
    long category_index = -1;
    size_t at = 0;

    /* An infinite weight would make the confidence inf / inf. */
    if (!self || !category || !*category || !phrase || !(weight > 0) || !isfinite(weight))
        return -1;
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 64;
        s_phrase_t *bigger = realloc(self->phrases, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        self->phrases = bigger;
        self->cap = cap;
    }
    p.words = s_fold(phrase, &p.n_words);
    if (!p.words)
        return -1;
    category_index = s_category_index(self, category);
    if (category_index < 0) {
        free(p.words);
        return -1;
    }
    p.category = (size_t) category_index;
    p.category_id = self->categories[p.category];
    p.weight = weight;
    /* Keep the list sorted; lists are a few hundred phrases, loaded once. */
    at = self->n;
    while (at > 0 && s_phrase_cmp(&self->phrases[at - 1], &p) > 0)
        at--;
    memmove(&self->phrases[at + 1], &self->phrases[at], (self->n - at) * sizeof p);
    self->phrases[at] = p;
    self->n++;
    return 0;
}

size_t
lp_classifier_size(const lp_classifier_t *self)
{
    return self ? self->n : 0;
}

/* ------------------------------------------------------------------------- */
/* Classifying                                                                 */

/* The first phrase whose first word is the text word, or self->n when none. */
static size_t
s_first_with_word(const lp_classifier_t *self, const unsigned char *word, size_t len)
{
    size_t lo = 0, hi = self->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s_word_cmp(word, len, self->phrases[mid].words) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < self->n && s_word_cmp(word, len, self->phrases[lo].words) == 0)
        return lo;
    return self->n;
}

/* True when the phrase's words after the first follow in the text from cursor. */
static bool
s_rest_follows(const s_phrase_t *p, const unsigned char *cursor)
{
    const char *folded = p->words + strlen(p->words) + 1;
    const unsigned char *word = NULL;
    for (size_t k = 1; k < p->n_words; k++) {
        size_t len = s_next_word(&cursor, &word);
        if (len == 0 || s_word_cmp(word, len, folded) != 0)
            return false;
        folded += len + 1;
    }
    return true;
}

const char *
lp_classifier_classify(const lp_classifier_t *self, const char *text, double *confidence)
{
    const unsigned char *cursor = (const unsigned char *) text, *word = NULL;
    bool *counted = NULL;
    double *scores = NULL;
    double best_score = 0, second = 0;
    long best = -1;
    size_t len = 0;

    if (confidence)
        *confidence = 0;
    if (!self || !text || self->n == 0)
        return NULL;
    counted = calloc(self->n, sizeof *counted);
    scores = calloc(self->n_categories, sizeof *scores);
    if (!counted || !scores)
        goto done;

    while ((len = s_next_word(&cursor, &word)) > 0) {
        size_t longest = 0;
        for (size_t i = s_first_with_word(self, word, len);
             i < self->n && s_word_cmp(word, len, self->phrases[i].words) == 0; i++) {
            const s_phrase_t *p = &self->phrases[i];
            /* Longer phrases come first: once one matched, shorter ones are inside it. */
            if (p->n_words < longest)
                break;
            if (!s_rest_follows(p, cursor))
                continue;
            longest = p->n_words;
            if (!counted[i]) {
                counted[i] = true;
                scores[p->category] += p->weight;
            }
        }
    }

    for (size_t c = 0; c < self->n_categories; c++) {
        if (scores[c] <= 0)
            continue;
        if (best < 0 || scores[c] > best_score ||
            (scores[c] == best_score && strcmp(self->categories[c], self->categories[best]) < 0)) {
            if (best >= 0)
                second = best_score;
            best_score = scores[c];
            best = (long) c;
        }
        else if (scores[c] > second)
            second = scores[c];
    }
    if (best >= 0 && confidence)
        *confidence = best_score / (best_score + second + S_DOUBT);
done:
    free(counted);
    free(scores);
    return best >= 0 ? self->categories[best] : NULL;
}
