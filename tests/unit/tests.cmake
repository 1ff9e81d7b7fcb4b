# Unit tests of lapor_common's pure modules: tracking IDs, working days, routing.
lp_add_unit_test(test_tracking)
lp_add_unit_test(test_workdays)
lp_add_unit_test(test_route)
lp_add_unit_test(test_classify)
lp_add_unit_test(test_ratelimit)
lp_add_unit_test(test_stats)
lp_add_unit_test(test_sniff)
lp_add_unit_test(test_group)
