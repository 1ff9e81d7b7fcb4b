/* Unit tests of lp_stats: replaying events into a cell, measures, percentiles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lp_stats.h"

#define HOUR (3600LL * 1000)
#define T0 1751328000000LL /* 2025-07-01 08:00 WITA */

static void
test_percentile(void **state)
{
    int64_t hist[LP_STATS_BUCKETS] = {0};
    (void) state;
    assert_true(lp_stats_percentile(hist, 0.5) < 0); /* empty */
    hist[lp_stats_bucket(30 * 60 * 1000)] = 1;       /* 0.5 h: bucket (0, 1] */
    assert_int_equal(lp_stats_bucket(30 * 60 * 1000), 0);
    assert_true(lp_stats_percentile(hist, 0.5) > 0.49 && lp_stats_percentile(hist, 0.5) < 0.51);
    /* Ten durations in (24, 48] hours: the median halfway, the p90 at 90 %. */
    memset(hist, 0, sizeof hist);
    hist[lp_stats_bucket(30 * HOUR)] = 10;
    assert_int_equal(lp_stats_bucket(30 * HOUR), 6);
    assert_true(lp_stats_percentile(hist, 0.5) > 35.9 && lp_stats_percentile(hist, 0.5) < 36.1);
    assert_true(lp_stats_percentile(hist, 0.9) > 45.5 && lp_stats_percentile(hist, 0.9) < 45.7);
    /* The unbounded bucket answers its lower bound. */
    memset(hist, 0, sizeof hist);
    hist[lp_stats_bucket(9000 * HOUR)] = 3;
    assert_int_equal(lp_stats_bucket(9000 * HOUR), LP_STATS_BUCKETS - 1);
    assert_true(lp_stats_percentile(hist, 0.9) == 2160);
    assert_int_equal(lp_stats_bucket(-5), 0);
    assert_true(lp_stats_percentile(hist, 0) < 0);
}

static void
test_field_names(void **state)
{
    (void) state;
    for (int i = 0; i < LP_STATS_N_FIELDS; i++)
        assert_int_equal(lp_stats_field_index(lp_stats_field_name(i)), i);
    assert_string_equal(lp_stats_field_name(LP_STATS_HIST(LP_STATS_RESOLVE, 3)), "hr3");
    assert_int_equal(lp_stats_field_index("hx1"), -1);
    assert_int_equal(lp_stats_field_index("hd19"), -1);
    assert_int_equal(lp_stats_field_index("hd1x"), -1);
    assert_null(lp_stats_field_name(LP_STATS_N_FIELDS));
}

static void
test_region_and_day(void **state)
{
    char out[32];
    (void) state;
    lp_stats_region_prefix("64.01.01.2009", 2, out, sizeof out);
    assert_string_equal(out, "64.01");
    lp_stats_region_prefix("64.01.01.2009", 3, out, sizeof out);
    assert_string_equal(out, "64.01.01");
    lp_stats_region_prefix("64.01", 3, out, sizeof out);
    assert_string_equal(out, "");
    lp_stats_day(T0, out);
    assert_string_equal(out, "2025-07-01");
    lp_stats_day(T0 + 16 * HOUR, out); /* midnight WITA is the next day */
    assert_string_equal(out, "2025-07-02");
}

/* A whole life: submitted, disposed, followed up, escalated, resolved late. */
static void
test_life(void **state)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintSubmitted s = LAPOR__V1__COMPLAINT_SUBMITTED__INIT;
    Lapor__V1__ComplaintDisposed d = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    Lapor__V1__StatusChanged c = LAPOR__V1__STATUS_CHANGED__INIT;
    Lapor__V1__DeadlineMissed m = LAPOR__V1__DEADLINE_MISSED__INIT;
    lp_stats_state_t st;
    lp_stats_measures_t mm;
    char id[320];
    (void) state;

    lp_stats_state_init(&st);
    s.category = "kesehatan";
    s.region = "64.01.01.2009";
    s.type = LAPOR__V1__REPORT_TYPE__REPORT_TYPE_PENGADUAN;
    s.channel = LAPOR__V1__CHANNEL__CHANNEL_WEB;
    s.privacy = LAPOR__V1__PRIVACY__PRIVACY_PUBLIC;
    s.visit_id = "v1";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED;
    env.submitted = &s;
    env.occurred_at_ms = T0;
    lp_stats_apply(&st, &env);
    lp_stats_cell_id(&st.dims, id, sizeof id);
    assert_string_equal(id, "2025-07-01|64.01.01.2009|kesehatan||web|pengaduan|received|public|v1");

    d.agency_id = "paser-dinkes";
    d.deadline_at_ms = T0 + 10 * HOUR;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env.disposed = &d;
    env.occurred_at_ms = T0 + 2 * HOUR;
    lp_stats_apply(&st, &env);

    c.to = LAPOR__V1__STATUS__STATUS_IN_PROGRESS;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED;
    env.status_changed = &c;
    env.occurred_at_ms = T0 + 5 * HOUR;
    lp_stats_apply(&st, &env);

    m.agency_id = "paser-dinkes";
    m.escalated_to = "paser-bupati";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DEADLINE_MISSED;
    env.deadline_missed = &m;
    env.occurred_at_ms = T0 + 11 * HOUR;
    lp_stats_apply(&st, &env);
    assert_string_equal(st.dims.agency, "paser-bupati");

    c.to = LAPOR__V1__STATUS__STATUS_RESOLVED;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_STATUS_CHANGED;
    env.status_changed = &c; /* the payload is a union: set it again */
    env.occurred_at_ms = T0 + 30 * HOUR;
    lp_stats_apply(&st, &env);
    lp_stats_measures(&st, &mm);
    assert_int_equal(mm.v[LP_STATS_COUNT], 1);
    assert_int_equal(mm.v[LP_STATS_DONE], 1);
    assert_int_equal(mm.v[LP_STATS_LATE], 1); /* escalated before the resolution */
    assert_int_equal(mm.v[LP_STATS_ONTIME], 0);
    assert_int_equal(mm.v[LP_STATS_ESCALATIONS], 1);
    assert_int_equal(mm.v[LP_STATS_HIST(LP_STATS_DISPOSE, lp_stats_bucket(2 * HOUR))], 1);
    assert_int_equal(mm.v[LP_STATS_HIST(LP_STATS_FIRST, lp_stats_bucket(3 * HOUR))], 1);
    assert_int_equal(mm.v[LP_STATS_HIST(LP_STATS_RESOLVE, lp_stats_bucket(30 * HOUR))], 1);
    assert_int_equal(mm.v[LP_STATS_RATING_N], 0);

    /* "Not our authority" sends it back without an agency. */
    c.to = LAPOR__V1__STATUS__STATUS_RECEIVED;
    lp_stats_apply(&st, &env);
    assert_string_equal(st.dims.agency, "");
    lp_stats_measures(&st, &mm);
    assert_int_equal(mm.v[LP_STATS_DONE], 0);
}

static void
test_replay_from_document(void **state)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintSubmitted s = LAPOR__V1__COMPLAINT_SUBMITTED__INIT;
    Lapor__V1__ComplaintDisposed d = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    lp_stats_state_t before, after;
    bson_t doc = BSON_INITIALIZER, arr, item;
    uint8_t *pb = NULL;
    size_t len = 0;
    (void) state;

    s.region = "64.01.01.2009";
    env.complaint_id = "0123456789abcdef01234567";
    env.event_id = "e1";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED;
    env.submitted = &s;
    env.occurred_at_ms = T0;
    BSON_APPEND_ARRAY_BEGIN(&doc, "events", &arr);
    pb = lp_event_pack(&env, &len);
    BSON_APPEND_DOCUMENT_BEGIN(&arr, "0", &item);
    BSON_APPEND_BINARY(&item, "pb", BSON_SUBTYPE_BINARY, pb, (uint32_t) len);
    bson_append_document_end(&arr, &item);
    free(pb);
    env.event_id = "e2";
    d.agency_id = "paser-dinkes";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env.disposed = &d;
    pb = lp_event_pack(&env, &len);
    BSON_APPEND_DOCUMENT_BEGIN(&arr, "1", &item);
    BSON_APPEND_BINARY(&item, "pb", BSON_SUBTYPE_BINARY, pb, (uint32_t) len);
    bson_append_document_end(&arr, &item);
    free(pb);
    bson_append_array_end(&doc, &arr);

    assert_int_equal(lp_stats_replay(&doc, "e1", &before, &after), 1);
    assert_false(before.exists);
    assert_string_equal(after.dims.status, "received");
    assert_int_equal(lp_stats_replay(&doc, "e2", &before, &after), 1);
    assert_string_equal(before.dims.status, "received");
    assert_string_equal(after.dims.status, "disposed");
    assert_int_equal(lp_stats_replay(&doc, "e3", &before, &after), 0);
    assert_int_equal(lp_stats_replay(&doc, NULL, &before, &after), 1);
    assert_string_equal(after.dims.agency, "paser-dinkes");
    bson_destroy(&doc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile),           cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_region_and_day),       cmocka_unit_test(test_life),
        cmocka_unit_test(test_replay_from_document),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
