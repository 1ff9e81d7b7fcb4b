/* Unit tests of the reporter's pure parts: escaping, SVG charts, QR SVG, query parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <qrencode.h>

#include "render.h"
#include "reporter-private.h"

static char *
s_capture(void (*fn)(FILE *, void *), void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    fn(out, arg);
    fclose(out);
    return buf;
}

static void
s_bars(FILE *out, void *arg)
{
    render_item_t items[] = {{"<script>alert('x')</script>", 3}, {"Desa \"A\" & B", 0}};
    render_bars(out, arg, items, 2, 400);
}

static void
s_columns(FILE *out, void *arg)
{
    render_item_t items[] = {{"2025-07-01", 2}, {"2025-07-02", 5}};
    render_columns(out, arg, items, 2, 400, 120);
}

static void
test_escaping(void **state)
{
    char *svg = s_capture(s_bars, "</title><img src=x onerror=alert(1)>");
    (void) state;
    assert_null(strstr(svg, "<script"));
    assert_null(strstr(svg, "<img"));
    assert_non_null(strstr(svg, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(svg, "Desa &quot;A&quot; &amp; B"));
    assert_non_null(strstr(svg, "&lt;/title&gt;&lt;img"));
    assert_true(strncmp(svg, "<svg ", 5) == 0);
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);
    svg = s_capture(s_columns, "Per hari");
    assert_non_null(strstr(svg, ">07-02<"));
    assert_non_null(strstr(svg, "<title>2025-07-02: 5</title>"));
    free(svg);
}

/* The SVG's modules are exactly libqrencode's matrix, with a 4-module quiet zone. */
static void
test_qr_svg(void **state)
{
    const char *url = "http://127.0.0.1:8080/lapor?wilayah=64.01.01.2009&kunjungan=abc";
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    char *svg = render_qr_svg(url, 4);
    int size = 0, dark = 0, found = 0;
    const char *p = NULL;
    (void) state;

    assert_non_null(qr);
    assert_non_null(svg);
    assert_int_equal(sscanf(strstr(svg, "viewBox=\"0 0 "), "viewBox=\"0 0 %d", &size), 1);
    assert_int_equal(size, qr->width + 8);
    for (int i = 0; i < qr->width * qr->width; i++)
        dark += qr->data[i] & 1;
    for (p = strstr(svg, "d=\""); p && (p = strchr(p, 'M')); p++) {
        int x = 0, y = 0;
        assert_int_equal(sscanf(p, "M%d %d", &x, &y), 2);
        assert_true(x >= 4 && y >= 4 && x < qr->width + 4 && y < qr->width + 4);
        assert_true(qr->data[(y - 4) * qr->width + (x - 4)] & 1);
        found++;
    }
    assert_int_equal(found, dark);
    assert_null(strstr(svg, "&kunjungan")); /* the URL is not in the SVG unescaped */
    free(svg);
    QRcode_free(qr);
}

typedef struct {
    const char *const *kv;
} s_params_t;

static const char *
s_get(void *arg, const char *key)
{
    const char *const *kv = ((s_params_t *) arg)->kv;
    for (; kv[0]; kv += 2)
        if (strcmp(kv[0], key) == 0)
            return kv[1];
    return NULL;
}

static int
s_parse(reporter_query_t *q, const char *const *kv, const char *accept, const char **field)
{
    s_params_t p = {kv};
    char message[160];
    return reporter_query_parse(q, s_get, &p, accept, REPORTER_BY_STATUS, field, message,
                                sizeof message);
}

static void
test_query_parse(void **state)
{
    reporter_query_t q;
    const char *field = NULL;
    (void) state;

    assert_int_equal(s_parse(&q, (const char *const[]){NULL}, NULL, &field), 0);
    assert_int_equal(q.by, REPORTER_BY_STATUS);
    assert_false(q.csv);
    assert_int_equal(
        s_parse(&q,
                (const char *const[]){"from", "2025-07-01", "to", "2025-07-31", "region", "64.01",
                                      "agency", "paser-dinkes", "category", "kesehatan", "channel",
                                      "sms", "type", "aspirasi", "group_by", "desa", NULL},
                "text/csv", &field),
        0);
    assert_int_equal(q.by, REPORTER_BY_VILLAGE);
    assert_string_equal(q.region, "64.01");
    assert_true(q.csv);
    assert_int_equal(
        s_parse(&q, (const char *const[]){"group_by", "region", "level", "kecamatan", NULL}, NULL,
                &field),
        0);
    assert_int_equal(q.by, REPORTER_BY_DISTRICT);
    assert_string_equal(q.by_name, "region");
    assert_int_equal(s_parse(&q, (const char *const[]){"group_by", "region", NULL}, NULL, &field),
                     0);
    assert_int_equal(q.by, REPORTER_BY_REGENCY);
    assert_int_equal(s_parse(&q, (const char *const[]){"format", "csv", NULL}, NULL, &field), 0);
    assert_true(q.csv);

    static const char *const bad[][3] = {
        {"from", "2025-7-1", "from"},
        {"to", "2025-02-30x", "to"},
        {"region", "64.", "region"},
        {"region", "a.b", "region"},
        {"agency", "Paser Dinkes", "agency"},
        {"category", "", "category"},
        {"channel", "fax", "channel"},
        {"type", "keluhan", "type"},
        {"status", "done", "status"},
        {"group_by", "week", "group_by"},
        {"format", "xml", "format"},
        {"level", "desa", "level"},
        {"updated_since", "-1", "updated_since"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        field = NULL;
        assert_int_equal(
            s_parse(&q, (const char *const[]){bad[i][0], bad[i][1], NULL}, NULL, &field), -1);
        assert_string_equal(field, bad[i][2]);
    }
    assert_int_equal(s_parse(&q,
                             (const char *const[]){"from", "2025-02-01", "to", "2025-01-01", NULL},
                             NULL, &field),
                     -1);
    assert_string_equal(field, "to");
}

static void
s_csv(FILE *out, void *arg)
{
    reporter_csv_field(out, arg);
}

static void
test_csv_field(void **state)
{
    char *s = NULL;
    (void) state;
    s = s_capture(s_csv, "plain");
    assert_string_equal(s, "plain");
    free(s);
    s = s_capture(s_csv, "a,\"b\"");
    assert_string_equal(s, "\"a,\"\"b\"\"\"");
    free(s);
    s = s_capture(s_csv, "=HYPERLINK(1)"); /* no formulas in a spreadsheet */
    assert_string_equal(s, "\"'=HYPERLINK(1)\"");
    free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_qr_svg),
        cmocka_unit_test(test_query_parse),
        cmocka_unit_test(test_csv_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
