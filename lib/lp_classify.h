/* lp_classify: a keyword classifier that reads a free-text complaint (an SMS, in
 * Bahasa Indonesia or English) and suggests a category, with a confidence.
 *
 * Phrases are one or more words ("jalan rusak", "puskesmas", "ktp"); a phrase
 * matches whole words in order, case-insensitively, after the text is folded to
 * lower-case ASCII words (punctuation and digits separate words). Below a
 * confidence threshold the caller should send the complaint to the triage desk
 * instead of guessing. Pure computation: no I/O. */
#ifndef LP_CLASSIFY_H
#define LP_CLASSIFY_H

#include <stddef.h>

typedef struct lp_classifier_t lp_classifier_t;

/* An empty classifier; NULL when out of memory. */
lp_classifier_t *lp_classifier_new(void);

/* Frees it and sets *self_p to NULL; accepts NULL. */
void lp_classifier_destroy(lp_classifier_t **self_p);

/* Adds a phrase for a category with a weight > 0 (1.0 is ordinary; a decisive word
 * such as "puskesmas" may weigh more). Returns 0, or -1 for an empty phrase or
 * category, a weight <= 0, or out of memory. Strings are copied. */
int lp_classifier_add(lp_classifier_t *self, const char *category, const char *phrase,
                      double weight);

/* Number of phrases added. */
size_t lp_classifier_size(const lp_classifier_t *self);

/* The best category for text, or NULL when no phrase matched. *confidence (may be
 * NULL) gets a number in [0, 1]: 0 when nothing matched, near 1 when one category
 * clearly dominates; two categories matched equally give at most 0.5. Text of any
 * length and any bytes is accepted (invalid UTF-8 is treated as separators). */
const char *lp_classifier_classify(const lp_classifier_t *self, const char *text,
                                   double *confidence);

#endif
