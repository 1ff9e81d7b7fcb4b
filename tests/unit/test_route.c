/* test_route: choosing the responsible agency by region, category, priority and exclusions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lp_route.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

static const char *const s_any[] = {"*"};
static const char *const s_kesehatan[] = {"kesehatan"};
static const char *const s_lingkungan[] = {"lingkungan"};
static const char *const s_infra[] = {"infrastruktur", "air-listrik"};
static const char *const s_dana_desa[] = {"dana-desa"};

/* A slice of deploy/data/agencies.csv and routing_rules.csv, enough for the facts
 * the product promises, plus one imaginary district office for depth. */
static const lp_route_candidate_t s_directory[] = {
    /* explicit rule: environment in Kutai Kartanegara goes to the provincial DLH */
    {"kaltim-dlh", "64.02", s_lingkungan, 1, LP_LEVEL_PROVINCE, 10},
    {"kemenpanrb", "", s_any, 1, LP_LEVEL_NATIONAL, 0},
    {"kemenkes", "", s_kesehatan, 1, LP_LEVEL_NATIONAL, 0},
    {"kemenpu", "", s_infra, 2, LP_LEVEL_NATIONAL, 0},
    {"kaltim-diskominfo", "64", s_any, 1, LP_LEVEL_PROVINCE, 0},
    {"kaltim-dinkes", "64", s_kesehatan, 1, LP_LEVEL_PROVINCE, 0},
    {"kaltim-dlh", "64", s_lingkungan, 1, LP_LEVEL_PROVINCE, 0},
    {"kaltim-dpupr", "64", s_infra, 2, LP_LEVEL_PROVINCE, 0},
    {"paser-diskominfo", "64.01", s_any, 1, LP_LEVEL_REGENCY, 0},
    {"paser-dinkes", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
    {"paser-dpupr", "64.01", s_infra, 2, LP_LEVEL_REGENCY, 0},
    {"kukar-diskominfo", "64.02", s_any, 1, LP_LEVEL_REGENCY, 0},
    {"kukar-dinkes", "64.02", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
    {"kubar-diskominfo", "64.07", s_any, 1, LP_LEVEL_REGENCY, 0},
    {"kubar-dpmd", "64.07", s_dana_desa, 1, LP_LEVEL_REGENCY, 0},
    /* imaginary: an environment post in Tenggarong, deeper than the rule's prefix */
    {"tenggarong-lh", "64.02.06", s_lingkungan, 1, LP_LEVEL_DISTRICT, 0},
};

typedef struct {
    const char *why;
    const char *region;
    const char *category;
    const char *exclude[3];
    const char *want; /* NULL: no match */
} s_case_t;

static const s_case_t s_cases[] = {
    /* The promises in the brief. */
    {"village in Paser, health", "64.01.01.2009", "kesehatan", {0}, "paser-dinkes"},
    {"Kota Samarinda, health", "64.72.01.1001", "kesehatan", {0}, "kaltim-dinkes"},
    {"Kota Samarinda itself, health", "64.72", "kesehatan", {0}, "kaltim-dinkes"},
    {"Paser, other", "64.01.01.2009", "lainnya", {0}, "paser-diskominfo"},
    /* Longest covering prefix: the regency fallback beats the province's named office. */
    {"Paser, environment", "64.01.04", "lingkungan", {0}, "paser-diskominfo"},
    {"Paser, roads", "64.01", "infrastruktur", {0}, "paser-dpupr"},
    {"Paser, water", "64.01.01.2009", "air-listrik", {0}, "paser-dpupr"},
    {"Kutai Barat village, village funds", "64.07.06.2001", "dana-desa", {0}, "kubar-dpmd"},
    {"Kutai Barat, health falls to the fallback", "64.07", "kesehatan", {0}, "kubar-diskominfo"},
    {"province code only", "64", "kesehatan", {0}, "kaltim-dinkes"},
    {"province code only, other", "64", "lainnya", {0}, "kaltim-diskominfo"},
    {"outside Kaltim", "63.01", "kesehatan", {0}, "kemenkes"},
    {"outside Kaltim, other", "63.01", "lainnya", {0}, "kemenpanrb"},
    /* Priority: an explicit rule wins over coverage, even deeper coverage. */
    {"Kukar, environment: the rule", "64.02.03.2005", "lingkungan", {0}, "kaltim-dlh"},
    {"Tenggarong, environment: still the rule", "64.02.06", "lingkungan", {0}, "kaltim-dlh"},
    {"Kukar, health: no rule", "64.02.06", "kesehatan", {0}, "kukar-dinkes"},
    /* Whole segments only: "64.01" is not a prefix of "64.011" or "64.010". */
    {"64.011 is not Paser", "64.011", "kesehatan", {0}, "kaltim-dinkes"},
    {"64.010.01 is not Paser", "64.010.01", "lainnya", {0}, "kaltim-diskominfo"},
    {"640 is not Kaltim", "640.01", "kesehatan", {0}, "kemenkes"},
    /* Exclusions: agencies that said "not our authority". */
    {"Paser health, dinkes declined",
     "64.01.01.2009",
     "kesehatan",
     {"paser-dinkes"},
     "paser-diskominfo"},
    {"Paser health, both declined",
     "64.01.01.2009",
     "kesehatan",
     {"paser-dinkes", "paser-diskominfo"},
     "kaltim-dinkes"},
    {"Kukar environment, the rule's agency declined",
     "64.02.06",
     "lingkungan",
     {"kaltim-dlh"},
     "tenggarong-lh"},
    {"excluding an unknown id changes nothing", "64.01", "kesehatan", {"nobody"}, "paser-dinkes"},
    /* Missing region or category. */
    {"no region: national only", NULL, "kesehatan", {0}, "kemenkes"},
    {"empty region: national only", "", "lainnya", {0}, "kemenpanrb"},
    {"no category: only \"*\" matches", "64.01", NULL, {0}, "paser-diskominfo"},
    {"empty category: only \"*\" matches", "64.72", "", {0}, "kaltim-diskominfo"},
    {"\"*\" is not a category to ask for", "64.01", "*", {0}, "paser-diskominfo"},
};

static size_t
s_exclude_count(const s_case_t *c)
{
    size_t n = 0;
    while (n < N_OF(c->exclude) && c->exclude[n])
        n++;
    return n;
}

static const char *
s_route(const lp_route_candidate_t *cands, size_t n, const s_case_t *c)
{
    int i = lp_route_match(cands, n, c->region, c->category, c->exclude, s_exclude_count(c));
    assert_true(i >= -1 && i < (int) n);
    return i < 0 ? NULL : cands[i].agency_id;
}

static void
s_assert_case(const s_case_t *c, const char *got)
{
    if (!c->want && !got)
        return;
    if (!c->want || !got || strcmp(c->want, got) != 0)
        fail_msg("%s: got %s, want %s", c->why, got ? got : "(none)", c->want ? c->want : "(none)");
}

static void
test_region_covers(void **state)
{
    static const struct {
        const char *prefix, *region;
        bool covers;
    } cases[] = {
        {"", "64.01.01.2009", true},
        {"", "", true},
        {NULL, "64", true},
        {"64", "64", true},
        {"64", "64.01", true},
        {"64.01", "64.01", true},
        {"64.01", "64.01.01", true},
        {"64.01", "64.01.01.2009", true},
        {"64.01.01.2009", "64.01.01.2009", true},
        {"64.01", "64.011", false},
        {"64.01", "64.0", false},
        {"64.01", "64", false},
        {"64.01", "64.02.01", false},
        {"64", "640", false},
        {"64", "6", false},
        {"64", "", false},
        {"64", NULL, false},
        {"64.01.01", "64.01", false},
    };
    (void) state;
    for (size_t i = 0; i < N_OF(cases); i++)
        if (lp_route_region_covers(cases[i].prefix, cases[i].region) != cases[i].covers)
            fail_msg("covers(\"%s\", \"%s\") should be %d",
                     cases[i].prefix ? cases[i].prefix : "NULL",
                     cases[i].region ? cases[i].region : "NULL", cases[i].covers);
}

static void
test_region_depth(void **state)
{
    (void) state;
    assert_int_equal(lp_route_region_depth(NULL), 0);
    assert_int_equal(lp_route_region_depth(""), 0);
    assert_int_equal(lp_route_region_depth("64"), 1);
    assert_int_equal(lp_route_region_depth("64.01"), 2);
    assert_int_equal(lp_route_region_depth("64.01.01"), 3);
    assert_int_equal(lp_route_region_depth("64.01.01.2009"), 4);
}

static void
test_directory(void **state)
{
    (void) state;
    for (size_t i = 0; i < N_OF(s_cases); i++)
        s_assert_case(&s_cases[i], s_route(s_directory, N_OF(s_directory), &s_cases[i]));
}

/* The answer must not depend on the order candidates come in: reverse, rotate and
 * shuffle (with a fixed seed, so a failure repeats) and ask again. */
static void
test_input_order_does_not_matter(void **state)
{
    lp_route_candidate_t shuffled[N_OF(s_directory)];
    uint32_t seed = 20260317;
    size_t n = N_OF(s_directory);
    (void) state;
    for (int round = 0; round < 300; round++) {
        if (round == 0) {
            for (size_t i = 0; i < n; i++)
                shuffled[i] = s_directory[n - 1 - i];
        }
        else if (round <= (int) n) {
            for (size_t i = 0; i < n; i++)
                shuffled[i] = s_directory[(i + (size_t) round) % n];
        }
        else {
            memcpy(shuffled, s_directory, sizeof shuffled);
            for (size_t i = n - 1; i > 0; i--) {
                lp_route_candidate_t tmp;
                size_t j = 0;
                seed = seed * 1664525u + 1013904223u;
                j = (seed >> 8) % (i + 1);
                tmp = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = tmp;
            }
        }
        for (size_t i = 0; i < N_OF(s_cases); i++)
            s_assert_case(&s_cases[i], s_route(shuffled, n, &s_cases[i]));
    }
}

/* Each rule of the order in the header, alone: the earlier key always decides. */
static void
test_tie_breaks(void **state)
{
    const lp_route_candidate_t by_priority[] = {
        {"deep", "64.01.01", s_any, 1, LP_LEVEL_DISTRICT, 0},
        {"rule-low", "", s_any, 1, LP_LEVEL_NATIONAL, 1},
        {"rule-high", "", s_any, 1, LP_LEVEL_NATIONAL, 5},
    };
    const lp_route_candidate_t by_depth[] = {
        {"province-named", "64", s_kesehatan, 1, LP_LEVEL_PROVINCE, 0},
        {"regency-any", "64.01", s_any, 1, LP_LEVEL_PROVINCE, 0},
    };
    const lp_route_candidate_t by_category[] = {
        {"a-any", "64.01", s_any, 1, LP_LEVEL_VILLAGE, 0},
        {"z-named", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
    };
    const lp_route_candidate_t by_level[] = {
        {"a-province", "64.01", s_kesehatan, 1, LP_LEVEL_PROVINCE, 0},
        {"z-regency", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
    };
    const lp_route_candidate_t by_id[] = {
        {"paser-dinkes-b", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
        {"paser-dinkes-a", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
        {"paser-dinkes-c", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
    };
    const char *region = "64.01.01.2009";
    (void) state;
    assert_int_equal(lp_route_match(by_priority, 3, region, "kesehatan", NULL, 0), 2);
    assert_int_equal(lp_route_match(by_depth, 2, region, "kesehatan", NULL, 0), 1);
    assert_int_equal(lp_route_match(by_category, 2, region, "kesehatan", NULL, 0), 1);
    assert_int_equal(lp_route_match(by_level, 2, region, "kesehatan", NULL, 0), 1);
    assert_int_equal(lp_route_match(by_id, 3, region, "kesehatan", NULL, 0), 1);
    /* A named category and "*" in one list: the list names it. */
    {
        static const char *const both[] = {"*", "kesehatan"};
        const lp_route_candidate_t mixed[] = {
            {"a-any", "64.01", s_any, 1, LP_LEVEL_REGENCY, 0},
            {"b-both", "64.01", both, 2, LP_LEVEL_REGENCY, 0},
        };
        assert_int_equal(lp_route_match(mixed, 2, region, "kesehatan", NULL, 0), 1);
        assert_int_equal(lp_route_match(mixed, 2, region, "bansos", NULL, 0), 0);
    }
}

static void
test_no_match(void **state)
{
    const lp_route_candidate_t only_paser[] = {
        {"paser-dinkes", "64.01", s_kesehatan, 1, LP_LEVEL_REGENCY, 0},
    };
    const char *const all[] = {"kemenpanrb",   "kaltim-diskominfo", "paser-diskominfo",
                               "paser-dinkes", "kemenkes",          "kaltim-dinkes"};
    (void) state;
    assert_int_equal(lp_route_match(only_paser, 1, "64.72", "kesehatan", NULL, 0), -1);
    assert_int_equal(lp_route_match(only_paser, 1, "64.01", "pendidikan", NULL, 0), -1);
    assert_int_equal(lp_route_match(only_paser, 1, "64.01", "kesehatan", all, N_OF(all)), -1);
    assert_int_equal(lp_route_match(s_directory, N_OF(s_directory), "64.01.01.2009", "kesehatan",
                                    all, N_OF(all)),
                     -1);
    assert_int_equal(lp_route_match(NULL, 5, "64.01", "kesehatan", NULL, 0), -1);
    assert_int_equal(lp_route_match(s_directory, 0, "64.01", "kesehatan", NULL, 0), -1);
}

/* Broken candidates and exclusion lists are skipped, never dereferenced. */
static void
test_hostile_candidates(void **state)
{
    static const char *const with_null[] = {NULL, "kesehatan"};
    const lp_route_candidate_t odd[] = {
        {NULL, "64.01", s_kesehatan, 1, LP_LEVEL_VILLAGE, 9},        /* no agency */
        {"", "64.01", s_kesehatan, 1, LP_LEVEL_VILLAGE, 9},          /* empty agency */
        {"no-categories", "64.01", NULL, 3, LP_LEVEL_VILLAGE, 9},    /* NULL list */
        {"zero-categories", "64.01", s_any, 0, LP_LEVEL_VILLAGE, 9}, /* empty list */
        {"null-prefix", NULL, with_null, 2, LP_LEVEL_NATIONAL, 0},   /* NULL = national */
    };
    const char *const exclude_with_null[] = {NULL, "nobody"};
    (void) state;
    assert_int_equal(lp_route_match(odd, N_OF(odd), "64.01.01", "kesehatan", NULL, 0), 4);
    assert_int_equal(lp_route_match(odd, N_OF(odd), "64.01.01", "kesehatan", exclude_with_null, 2),
                     4);
    /* A NULL exclusion array with a count is read as no exclusions. */
    assert_int_equal(lp_route_match(odd, N_OF(odd), "64.01.01", "kesehatan", NULL, 7), 4);
    assert_int_equal(lp_route_match(odd, N_OF(odd), "64.01.01", "bansos", NULL, 0), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_covers),
        cmocka_unit_test(test_region_depth),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_input_order_does_not_matter),
        cmocka_unit_test(test_tie_breaks),
        cmocka_unit_test(test_no_match),
        cmocka_unit_test(test_hostile_candidates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
