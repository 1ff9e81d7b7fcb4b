# Browser tests (label `browser`): Node + playwright-core drive Debian's /usr/bin/chromium
# against a private lapor started by run_browser.py. `npm ci` (from package-lock.json)
# runs first as a ctest fixture, so `ctest -L browser` needs nothing done by hand.
# Screenshots: ${CMAKE_BINARY_DIR}/artifacts/browser/*.png.
# Included from tests/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is tests/.
find_program(LAPOR_NPM npm)
add_test(NAME browser_npm_ci
         COMMAND ${LAPOR_NPM} ci --no-audit --no-fund --loglevel=error
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/browser)
set_tests_properties(browser_npm_ci PROPERTIES
                     FIXTURES_SETUP browser_node_modules
                     LABELS browser
                     TIMEOUT 300)
add_test(NAME browser_web
         COMMAND /usr/bin/python3 run_browser.py
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/browser)
set_tests_properties(browser_web PROPERTIES
                     FIXTURES_REQUIRED browser_node_modules
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};LAPOR_ARTIFACTS_DIR=${CMAKE_BINARY_DIR}/artifacts/browser;PYTHONDONTWRITEBYTECODE=1"
                     LABELS browser
                     TIMEOUT 600)
# The reporter's dashboard (tests/browser/reporter/), on the same node_modules.
add_test(NAME browser_dashboard
         COMMAND /usr/bin/python3 run_dashboard.py
         WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/browser/reporter)
set_tests_properties(browser_dashboard PROPERTIES
                     FIXTURES_REQUIRED browser_node_modules
                     ENVIRONMENT "LAPOR_BUILD_DIR=${CMAKE_BINARY_DIR};LAPOR_ARTIFACTS_DIR=${CMAKE_BINARY_DIR}/artifacts/browser;PYTHONDONTWRITEBYTECODE=1"
                     LABELS browser
                     TIMEOUT 600)
