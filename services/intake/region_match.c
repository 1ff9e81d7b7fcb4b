/* region_match: finding a Kemendagri region by the names in an address. */
#include "region_match.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define NAME_MAX_BYTES 128
#define MAX_CANDIDATES 64 /* regions one part may name */

/* Lower-cases (ASCII), collapses white space and drops one leading level word;
 * writes at most size bytes. */
static void
s_normalize(const char *in, size_t len, char *out, size_t size)
{
    static const char *const levels[] = {"desa ", "kelurahan ", "kel. ",      "kel ",  "kecamatan ",
                                         "kec. ", "kec ",       "kabupaten ", "kab. ", "kab ",
                                         "kota ", "provinsi ",  "prov. ",     NULL};
    char tmp[NAME_MAX_BYTES];
    size_t n = 0;
    bool space = true; /* drops leading spaces */

    for (size_t i = 0; i < len && n + 1 < sizeof tmp; i++) {
        unsigned char c = (unsigned char) in[i];
        if (isspace(c)) {
            if (!space)
                tmp[n++] = ' ';
            space = true;
        }
        else {
            tmp[n++] = (char) tolower(c);
            space = false;
        }
    }
    while (n > 0 && tmp[n - 1] == ' ')
        n--;
    tmp[n] = '\0';
    const char *p = tmp;
    for (const char *const *l = levels; *l; l++)
        if (strncmp(p, *l, strlen(*l)) == 0 && p[strlen(*l)]) {
            p += strlen(*l);
            break;
        }
    snprintf(out, size, "%s", p);
}

/* True when a is b or one of b's ancestors ("64.01" of "64.01.01.2009"). */
static bool
s_covers(const char *a, const char *b)
{
    size_t n = strlen(a);
    return strncmp(a, b, n) == 0 && (b[n] == '\0' || b[n] == '.');
}

int
intake_region_match(const lp_region_t *regions, size_t n, const char *address, char *code,
                    size_t size)
{
    const lp_region_t *cand[INTAKE_ADDRESS_PARTS][MAX_CANDIDATES];
    size_t n_cand[INTAKE_ADDRESS_PARTS] = {0};
    size_t parts = 0;
    const char *p = address;
    const lp_region_t *best[MAX_CANDIDATES];
    size_t n_best = 0;
    int best_score = -1;
    char common[32] = "";

    if (!address || strlen(address) > INTAKE_ADDRESS_MAX)
        return -1;
    while (*p && parts < INTAKE_ADDRESS_PARTS) {
        size_t len = strcspn(p, ",;");
        char part[NAME_MAX_BYTES], name[NAME_MAX_BYTES];
        s_normalize(p, len, part, sizeof part);
        p += len + (p[len] ? 1 : 0);
        if (!*part)
            continue;
        for (size_t i = 0; i < n && n_cand[parts] < MAX_CANDIDATES; i++) {
            s_normalize(regions[i].name, strlen(regions[i].name), name, sizeof name);
            if (strcmp(part, name) == 0)
                cand[parts][n_cand[parts]++] = &regions[i];
        }
        if (n_cand[parts] > 0)
            parts++;
    }
    /* Score every candidate by the other parts that agree with it. */
    for (size_t a = 0; a < parts; a++)
        for (size_t i = 0; i < n_cand[a]; i++) {
            const lp_region_t *r = cand[a][i];
            int score = 0;
            bool seen = false;
            for (size_t b = 0; b < parts; b++) {
                bool agrees = false;
                for (size_t j = 0; b != a && j < n_cand[b] && !agrees; j++)
                    agrees = s_covers(cand[b][j]->code, r->code);
                score += agrees;
            }
            if (score > best_score) {
                best_score = score;
                n_best = 0;
            }
            for (size_t k = 0; k < n_best && !seen; k++)
                seen = best[k] == r;
            if (score == best_score && !seen && n_best < MAX_CANDIDATES)
                best[n_best++] = r;
        }
    /* Within one line of descent the deepest is meant ("Anggana" is a kecamatan
     * and a desa in it): drop every candidate that covers another. */
    for (size_t k = 0; k < n_best;) {
        bool covers = false;
        for (size_t m = 0; m < n_best && !covers; m++)
            covers = m != k && strcmp(best[k]->code, best[m]->code) != 0 &&
                     s_covers(best[k]->code, best[m]->code);
        if (covers)
            best[k] = best[--n_best];
        else
            k++;
    }
    if (n_best == 0)
        return -1;
    /* The nearest common ancestor: the longest code prefix, cut at a dot, that
     * covers every best candidate. */
    snprintf(common, sizeof common, "%s", best[0]->code);
    for (size_t k = 1; k < n_best; k++)
        while (!s_covers(common, best[k]->code)) {
            char *dot = strrchr(common, '.');
            if (!dot)
                return -1; /* no common province: cannot happen with one province's data */
            *dot = '\0';
        }
    if ((size_t) snprintf(code, size, "%s", common) >= size)
        return -1;
    return 0;
}
