/* similar: word-set overlap of two texts. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "similar.h"

#define MAX_WORDS 1024
#define MAX_WORD 32

typedef struct {
    char (*words)[MAX_WORD];
    size_t n;
} s_words_t;

static int
s_cmp(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Splits text into sorted unique words; bytes >= 0x80 count as letters, so
 * Indonesian and other UTF-8 words stay whole. */
static void
s_split(const char *text, s_words_t *out)
{
    char word[MAX_WORD];
    size_t len = 0, n = 0;

    for (const unsigned char *p = (const unsigned char *) text;; p++) {
        if (*p && (isalnum(*p) || *p >= 0x80)) {
            if (len < MAX_WORD - 1)
                word[len++] = (char) tolower(*p);
            continue;
        }
        if (len > 0 && n < MAX_WORDS) {
            word[len] = '\0';
            memcpy(out->words[n++], word, len + 1);
        }
        len = 0;
        if (!*p)
            break;
    }
    qsort(out->words, n, MAX_WORD, s_cmp);
    out->n = 0;
    for (size_t i = 0; i < n; i++)
        if (out->n == 0 || strcmp(out->words[out->n - 1], out->words[i]) != 0)
            memmove(out->words[out->n++], out->words[i], MAX_WORD);
}

double
intake_similarity(const char *a, const char *b)
{
    s_words_t wa = {calloc(MAX_WORDS, MAX_WORD), 0}, wb = {calloc(MAX_WORDS, MAX_WORD), 0};
    size_t i = 0, j = 0, shared = 0;
    double result = 0.0;

    if (!wa.words || !wb.words)
        goto done;
    s_split(a, &wa);
    s_split(b, &wb);
    while (i < wa.n && j < wb.n) {
        int c = strcmp(wa.words[i], wb.words[j]);
        if (c == 0)
            shared++, i++, j++;
        else if (c < 0)
            i++;
        else
            j++;
    }
    if (wa.n + wb.n - shared > 0)
        result = (double) shared / (double) (wa.n + wb.n - shared);
done:
    free(wa.words);
    free(wb.words);
    return result;
}

bool
intake_similar(const char *a, const char *b)
{
    return intake_similarity(a, b) >= INTAKE_SIMILAR_MIN;
}

char *
intake_similar_text(const char *title, const char *body)
{
    size_t size = strlen(title) + strlen(body) + 2;
    char *out = malloc(size);
    if (out)
        snprintf(out, size, "%s %s", title, body);
    return out;
}
