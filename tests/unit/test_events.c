/* Unit tests of envelopes: round trips, hostile bytes, topics, roll-up deltas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lp_event.h"
#include "lp_outbox.h"
#include "reporter-private.h"

static void
test_round_trip(void **state)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintDisposed d = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    char id[LP_EVENT_ID_LEN + 1], id2[LP_EVENT_ID_LEN + 1], topic[96];
    size_t len = 0;

    d.agency_id = "paser-dinkes";
    d.from = LAPOR__V1__STATUS__STATUS_RECEIVED;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env.disposed = &d;
    env.complaint_id = "65a1b2c3d4e5f60718293a4b";
    env.tracking_id = "4821093756";
    lp_event_stamp(&env, "router-test", id);
    uint64_t seq = env.seq;
    lp_event_stamp(&env, "router-test", id2);
    assert_int_equal(env.seq, seq + 1);
    assert_string_not_equal(id, id2);
    assert_int_equal(strlen(id2), LP_EVENT_ID_LEN);

    uint8_t *pb = lp_event_pack(&env, &len);
    assert_non_null(pb);
    lp_envelope_t *back = lp_event_unpack(pb, len);
    assert_non_null(back);
    assert_string_equal(back->event_id, id2);
    assert_string_equal(back->disposed->agency_id, "paser-dinkes");
    assert_string_equal(lp_event_type(back), "complaint.disposed");
    lp_event_topic(back, topic, sizeof topic);
    assert_string_equal(topic, "complaint.disposed.paser-dinkes");
    lp_event_free(&back);
    assert_null(back);
    lp_event_free(&back); /* twice is harmless */
    free(pb);
}

static void
test_hostile_bytes(void **state)
{
    static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02};
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    size_t len = 0;
    assert_null(lp_event_unpack(garbage, sizeof garbage));
    assert_null(lp_event_unpack((const uint8_t *) "", 0));
    /* Valid protobuf, but no event id or payload: refused too. */
    uint8_t *pb = lp_event_pack(&env, &len);
    assert_null(lp_event_unpack(pb, len));
    free(pb);
    /* Every truncation of a valid message is refused or parsed, never a crash. */
    Lapor__V1__ComplaintSubmitted s = LAPOR__V1__COMPLAINT_SUBMITTED__INIT;
    char id[LP_EVENT_ID_LEN + 1];
    s.region = "64.01.01.2009";
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED;
    env.submitted = &s;
    env.complaint_id = "65a1b2c3d4e5f60718293a4b";
    lp_event_stamp(&env, "t", id);
    pb = lp_event_pack(&env, &len);
    for (size_t cut = 0; cut < len; cut++) {
        lp_envelope_t *e = lp_event_unpack(pb, cut);
        lp_event_free(&e);
    }
    free(pb);
}

static void
test_enum_names(void **state)
{
    assert_string_equal(lp_status_name(LAPOR__V1__STATUS__STATUS_IN_PROGRESS), "in_progress");
    assert_int_equal(lp_status_from_name("disposed"), LAPOR__V1__STATUS__STATUS_DISPOSED);
    assert_int_equal(lp_status_from_name("unspecified"), 0);
    assert_int_equal(lp_status_from_name(NULL), 0);
    assert_int_equal(lp_report_type_from_name("informasi"),
                     LAPOR__V1__REPORT_TYPE__REPORT_TYPE_INFORMASI);
    assert_string_equal(lp_privacy_name((Lapor__V1__Privacy) 99), "unspecified");
}

/* The ledger's changes for an event: leave the old cell, enter the new one. */
static void
test_ledger_cells(void **state)
{
    Lapor__V1__Envelope env = LAPOR__V1__ENVELOPE__INIT;
    Lapor__V1__ComplaintSubmitted s = LAPOR__V1__COMPLAINT_SUBMITTED__INIT;
    Lapor__V1__ComplaintDisposed d = LAPOR__V1__COMPLAINT_DISPOSED__INIT;
    lp_stats_state_t before, after;
    bson_t cells = BSON_INITIALIZER;
    bson_iter_t it;

    (void) state;
    s.type = LAPOR__V1__REPORT_TYPE__REPORT_TYPE_ASPIRASI;
    s.category = "kesehatan";
    s.region = "64.01.01.2009";
    s.channel = LAPOR__V1__CHANNEL__CHANNEL_SMS;
    s.privacy = LAPOR__V1__PRIVACY__PRIVACY_ANONYMOUS;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_SUBMITTED;
    env.submitted = &s;
    env.occurred_at_ms = 1751328000000; /* 2025-07-01 08:00 WITA */
    lp_stats_state_init(&before);
    after = before;
    lp_stats_apply(&after, &env);
    reporter_ledger_cells(&before, &after, &cells);
    assert_true(bson_iter_init_find(&it, &cells, "0"));
    assert_false(bson_iter_init_find(&it, &cells, "1")); /* nothing to leave */
    assert_int_equal(bson_count_keys(&cells), 1);
    bson_destroy(&cells);

    before = after;
    d.agency_id = "paser-dinkes";
    d.from = LAPOR__V1__STATUS__STATUS_RECEIVED;
    env.payload_case = LAPOR__V1__ENVELOPE__PAYLOAD_DISPOSED;
    env.disposed = &d;
    env.occurred_at_ms += 3600 * 1000;
    lp_stats_apply(&after, &env);
    bson_init(&cells);
    reporter_ledger_cells(&before, &after, &cells);
    assert_int_equal(bson_count_keys(&cells), 2); /* -1 received, +1 disposed */
    assert_true(bson_iter_init(&it, &cells));
    {
        bson_iter_t f;
        assert_true(bson_iter_init_find(&it, &cells, "0"));
        assert_true(bson_iter_recurse(&it, &f));
        assert_true(bson_iter_find_descendant(&f, "inc.count", &f));
        assert_int_equal(bson_iter_as_int64(&f), -1);
        assert_true(bson_iter_init_find(&it, &cells, "1"));
        assert_true(bson_iter_recurse(&it, &f));
        assert_true(bson_iter_find_descendant(&f, "dims.agency", &f));
        assert_string_equal(bson_iter_utf8(&f, NULL), "paser-dinkes");
    }
    bson_destroy(&cells);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_hostile_bytes),
        cmocka_unit_test(test_enum_names),
        cmocka_unit_test(test_ledger_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
