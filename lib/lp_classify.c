/* lp_classify: weighted keyword phrases, matched as whole words, vote for a category.
 *
 * Scoring: each phrase found in the text adds its weight to its category once. The
 * confidence is best / (best + second + 1): the "+ 1" is the doubt we keep when
 * evidence is thin, so one ordinary word (weight 1) gives 0.5 and goes to the
 * triage desk, while a decisive word (weight 2, "puskesmas") or two agreeing words
 * give 0.67; two categories with equal scores never exceed 0.5. */
#include "lp_classify.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORDS 4 /* words per phrase */
#define MAX_TEXT_WORDS 2000
#define WORD_LEN 24 /* longer words are cut: no keyword is that long */

typedef struct {
    char *category;
    char words[MAX_WORDS][WORD_LEN];
    size_t n_words;
    double weight;
} s_phrase_t;

struct lp_classifier_t {
    s_phrase_t *phrases;
    size_t n, cap;
};

/* Splits text into lower-case ASCII words; everything else separates words. */
static size_t
s_words(const char *text, char (*out)[WORD_LEN], size_t max)
{
    size_t n = 0, len = 0;
    for (const unsigned char *p = (const unsigned char *) text;; p++) {
        unsigned char ch = *p;
        bool letter = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
        if (letter) {
            if (len + 1 < WORD_LEN && n < max)
                out[n][len++] = (char) (ch | 0x20);
            continue;
        }
        if (len > 0) {
            out[n++][len] = '\0';
            len = 0;
        }
        if (!ch || n >= max)
            break;
    }
    return n;
}

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
        free(self->phrases[i].category);
    free(self->phrases);
    free(self);
    *self_p = NULL;
}

int
lp_classifier_add(lp_classifier_t *self, const char *category, const char *phrase, double weight)
{
    s_phrase_t p;
    memset(&p, 0, sizeof p);
    if (!self || !category || !*category || !phrase || !(weight > 0))
        return -1;
    p.n_words = s_words(phrase, p.words, MAX_WORDS);
    if (p.n_words == 0)
        return -1;
    if (self->n == self->cap) {
        size_t cap = self->cap ? self->cap * 2 : 64;
        s_phrase_t *bigger = realloc(self->phrases, cap * sizeof *bigger);
        if (!bigger)
            return -1;
        self->phrases = bigger;
        self->cap = cap;
    }
    p.category = strdup(category);
    if (!p.category)
        return -1;
    p.weight = weight;
    self->phrases[self->n++] = p;
    return 0;
}

size_t
lp_classifier_size(const lp_classifier_t *self)
{
    return self ? self->n : 0;
}

static bool
s_found(const s_phrase_t *p, char (*words)[WORD_LEN], size_t n)
{
    for (size_t i = 0; i + p->n_words <= n; i++) {
        size_t k = 0;
        while (k < p->n_words && strcmp(words[i + k], p->words[k]) == 0)
            k++;
        if (k == p->n_words)
            return true;
    }
    return false;
}

const char *
lp_classifier_classify(const lp_classifier_t *self, const char *text, double *confidence)
{
    char(*words)[WORD_LEN] = NULL;
    double *scores = NULL;
    size_t n = 0;
    const char *best = NULL;
    double best_score = 0, second = 0;

    if (confidence)
        *confidence = 0;
    if (!self || !text || self->n == 0)
        return NULL;
    words = malloc(MAX_TEXT_WORDS * sizeof *words);
    scores = calloc(self->n, sizeof *scores);
    if (!words || !scores)
        goto done;
    n = s_words(text, words, MAX_TEXT_WORDS);
    /* Score per category, kept at the category's first phrase. */
    for (size_t i = 0; i < self->n; i++) {
        if (!s_found(&self->phrases[i], words, n))
            continue;
        size_t first = i;
        for (size_t j = 0; j < i; j++)
            if (strcmp(self->phrases[j].category, self->phrases[i].category) == 0) {
                first = j;
                break;
            }
        scores[first] += self->phrases[i].weight;
    }
    for (size_t i = 0; i < self->n; i++) {
        if (scores[i] > best_score) {
            second = best_score;
            best_score = scores[i];
            best = self->phrases[i].category;
        }
        else if (scores[i] > second)
            second = scores[i];
    }
    if (best && confidence)
        *confidence = best_score / (best_score + second + 1.0);
done:
    free(words);
    free(scores);
    return best;
}
