# Integration tests: Debian's Python (standard library + python3-pymongo) drives a private
# lapor-devdb and the services on free loopback ports (see integration/harness.py).
# Included from tests/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is tests/.
function(lp_add_integration_test name module)
  add_test(NAME ${name}
           COMMAND /usr/bin/python3 -m unittest -v ${module}
           WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
  set_tests_properties(${name} PROPERTIES
                       ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1"
                       LABELS integration
                       TIMEOUT 600)
endfunction()

lp_add_integration_test(integration_slice test_slice)
lp_add_integration_test(integration_scale test_scale)
lp_add_integration_test(integration_lifecycle test_lifecycle)
lp_add_integration_test(integration_notify test_notify)
lp_add_integration_test(integration_ratelimit test_ratelimit)
lp_add_integration_test(integration_agency test_agency)

# Faults under load: label chaos (each test bounded to a couple of minutes).
add_test(NAME chaos_faults
         COMMAND /usr/bin/python3 -m unittest -v test_chaos
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set_tests_properties(chaos_faults PROPERTIES
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1"
                     LABELS chaos
                     TIMEOUT 1500)
# The SMS channel needs Kannel (Debian packages kannel, kannel-extras); label `kannel`.
lp_add_integration_test(integration_sms test_sms)
set_tests_properties(integration_sms PROPERTIES LABELS "integration;kannel")
lp_add_integration_test(integration_open311 test_open311)
lp_add_integration_test(integration_web test_web)
lp_add_integration_test(integration_reporting test_reporting)
lp_add_integration_test(integration_curve test_curve)
lp_add_integration_test(integration_devdb test_devdb)
# lapor's fixes to FerretDB, tested with Go inside the build's FerretDB tree.
add_test(NAME devdb_sjson COMMAND ${CMAKE_SOURCE_DIR}/deploy/lapor devdb-check)
set_tests_properties(devdb_sjson PROPERTIES
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR}"
                     LABELS integration
                     TIMEOUT 600)

# Three hosts in network namespaces with CURVE between them, a link cut under load
# (label chaos; needs root, skipped elsewhere).
add_test(NAME chaos_netns
         COMMAND /usr/bin/python3 -m unittest -v test_netns
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set_tests_properties(chaos_netns PROPERTIES
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1"
                     LABELS chaos
                     TIMEOUT 600)
lp_add_integration_test(integration_portal test_portal)
lp_add_integration_test(integration_attachments test_attachments)
