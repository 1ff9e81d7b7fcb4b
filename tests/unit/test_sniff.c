/* test_sniff: uploads are typed by their bytes, never by their names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lp_sniff.h"

static void
test_accepted_types(void **state)
{
    static const unsigned char jpeg[] = {0xff, 0xd8, 0xff, 0xe1, 0, 0x10, 'E', 'x', 'i', 'f'};
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13};
    static const unsigned char webp[] = "RIFF\x24\0\0\0WEBPVP8L\x18\0\0\0";
    static const unsigned char pdf[] = "%PDF-1.7\n%\xe2\xe3\xcf\xd3";
    (void) state;
    assert_int_equal(lp_sniff_type(jpeg, sizeof jpeg), LP_SNIFF_JPEG);
    assert_int_equal(lp_sniff_type(png, sizeof png), LP_SNIFF_PNG);
    assert_int_equal(lp_sniff_type(webp, sizeof webp - 1), LP_SNIFF_WEBP);
    assert_int_equal(lp_sniff_type(pdf, sizeof pdf - 1), LP_SNIFF_PDF);
    assert_true(lp_sniff_is_image(LP_SNIFF_JPEG));
    assert_true(lp_sniff_is_image(LP_SNIFF_WEBP));
    assert_false(lp_sniff_is_image(LP_SNIFF_PDF));
    assert_string_equal(lp_sniff_mime(LP_SNIFF_PNG), "image/png");
    assert_string_equal(lp_sniff_mime(LP_SNIFF_PDF), "application/pdf");
}

static void
test_refused(void **state)
{
    static const unsigned char gif[] = "GIF89a\x01\0\x01\0";
    static const unsigned char html[] = "<html><script>alert(1)</script>";
    static const unsigned char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\">";
    static const unsigned char riff_wav[] = "RIFF\x24\0\0\0WAVEfmt \x10\0\0\0";
    static const unsigned char late_pdf[] = "  %PDF-1.4";
    static const unsigned char short_png[] = {0x89, 'P', 'N', 'G'};
    (void) state;
    assert_int_equal(lp_sniff_type(gif, sizeof gif - 1), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type(html, sizeof html - 1), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type(svg, sizeof svg - 1), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type(riff_wav, sizeof riff_wav - 1), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type(late_pdf, sizeof late_pdf - 1), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type(short_png, sizeof short_png), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type((const unsigned char *) "", 0), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_type(NULL, 10), LP_SNIFF_UNKNOWN);
    assert_string_equal(lp_sniff_mime(LP_SNIFF_UNKNOWN), "application/octet-stream");
}

static void
test_names_round_trip(void **state)
{
    (void) state;
    for (int t = LP_SNIFF_JPEG; t <= LP_SNIFF_PDF; t++)
        assert_int_equal(lp_sniff_from_name(lp_sniff_name((lp_sniff_type_t) t)), t);
    assert_int_equal(lp_sniff_from_name("gif"), LP_SNIFF_UNKNOWN);
    assert_int_equal(lp_sniff_from_name(NULL), LP_SNIFF_UNKNOWN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted_types),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
