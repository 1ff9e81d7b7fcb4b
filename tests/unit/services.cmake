# Unit tests of the services' own modules (validation, signing, events, settings).
lp_add_unit_test(test_validate lapor_intake)
lp_add_unit_test(test_webhook lapor_notifier)
lp_add_unit_test(test_events lapor_reporter)
lp_add_unit_test(test_config)
lp_add_unit_test(test_templates lapor_notifier)
lp_add_unit_test(test_similar lapor_intake)
lp_add_unit_test(test_intake_rate lapor_intake)
lp_add_unit_test(test_open311 lapor_intake)
