# Integration tests: Debian's Python (standard library + python3-pymongo) drives a private
# lapor-devdb and the four services on free loopback ports (see integration/harness.py).
# Included from tests/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is tests/.
add_test(NAME integration_slice
         COMMAND /usr/bin/python3 -m unittest -v test_slice
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set_tests_properties(integration_slice PROPERTIES
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1"
                     LABELS integration
                     TIMEOUT 600)

add_test(NAME integration_scale
         COMMAND /usr/bin/python3 -m unittest -v test_scale
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set_tests_properties(integration_scale PROPERTIES
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1"
                     LABELS integration
                     TIMEOUT 600)

add_test(NAME integration_lifecycle
         COMMAND /usr/bin/python3 -m unittest -v test_lifecycle
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set_tests_properties(integration_lifecycle PROPERTIES
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};PYTHONDONTWRITEBYTECODE=1"
                     LABELS integration
                     TIMEOUT 600)
