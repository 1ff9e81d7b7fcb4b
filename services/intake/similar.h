/* similar: is a new text nearly the same as an earlier one from the same reporter?
 *
 * People resend a complaint when they hear nothing, often retyped on a phone. Two
 * texts are near-duplicates when their sets of words (lower-cased letters and
 * digits) overlap by INTAKE_SIMILAR_MIN or more (Jaccard index). Pure: no I/O. */
#ifndef INTAKE_SIMILAR_H
#define INTAKE_SIMILAR_H

#include <stdbool.h>

#define INTAKE_SIMILAR_MIN 0.8

/* The Jaccard index of the word sets of a and b, from 0 (nothing shared) to 1. */
double intake_similarity(const char *a, const char *b);

/* True when a and b are near-duplicates. */
bool intake_similar(const char *a, const char *b);

/* A complaint's text as compared: "title body" in new memory (NULL when out of
 * memory; the caller frees it). */
char *intake_similar_text(const char *title, const char *body);

#endif
