/* Near-duplicates: the same words retyped are one complaint; another matter is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "similar.h"

static void
test_retyped_is_similar(void **state)
{
    (void) state;
    assert_true(intake_similar("Puskesmas tutup. Puskesmas di desa kami tutup sejak seminggu.",
                               "puskesmas TUTUP puskesmas di desa kami tutup sejak seminggu!!"));
    assert_true(intake_similarity("a b c", "c b a") > 0.99);
}

static void
test_other_matter_is_not(void **state)
{
    (void) state;
    assert_false(intake_similar("Puskesmas di desa kami tutup sejak seminggu",
                                "Jalan desa rusak berat, banyak lubang besar"));
    /* A few shared words are not enough. */
    assert_false(intake_similar("Jalan desa kami rusak sejak banjir bulan lalu",
                                "Jalan desa kami gelap, lampu mati sejak bulan lalu"));
}

static void
test_empty_and_odd_input(void **state)
{
    (void) state;
    assert_true(intake_similarity("", "") == 0.0);
    assert_false(intake_similar("", "something"));
    assert_true(intake_similar("\xe2\x80\x9cjalan\xe2\x80\x9d rusak",
                               "\xe2\x80\x9cjalan\xe2\x80\x9d rusak"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retyped_is_similar),
        cmocka_unit_test(test_other_matter_is_not),
        cmocka_unit_test(test_empty_and_odd_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
