# Fuzz targets (label `fuzz`): libFuzzer with AddressSanitizer and UBSan, built only
# when LAPOR_FUZZ is ON (clang; see the top CMakeLists.txt). Included from
# tests/CMakeLists.txt, so CMAKE_CURRENT_SOURCE_DIR is tests/.
#
# Register a target with one line:
#   lp_add_fuzzer(NAME LIBS lib...)            tests/fuzz/NAME.c, written by hand
#   lp_add_fuzzer(NAME LIBS lib... HEADERS h... CALL "code")
#                                              generated from fuzz_template.c.in; the
#                                              code sees `data`/`size` (the input),
#                                              `text` (a NUL-terminated copy) and
#                                              `err` (an lp_error_t), and must free
#                                              what the parser returns. A parser that
#                                              needs reference data takes fuzz_lookup()
#                                              (HEADERS fuzz_lookup.h).
# For example:
#   lp_add_fuzzer(fuzz_sms LIBS lapor_intake HEADERS sms_parse.h fuzz_lookup.h
#                 CALL "intake_sms_t m; if (intake_sms_parse(text, fuzz_lookup(), &m, &err) == 0) intake_sms_clear(&m);")
# Seeds are read from tests/fuzz/corpus/NAME/ and a dictionary from
# tests/fuzz/NAME.dict, both optional. Each ctest runs the target for a bounded number
# of inputs over a copy of the seeds in the build folder, and fails on a crash, a leak,
# undefined behaviour or an input slower than the timeout.
set(LP_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(LP_FUZZ_RUNS 200000 CACHE STRING "inputs each fuzz test tries at most")
set(LP_FUZZ_SECONDS 15 CACHE STRING "seconds each fuzz test runs at most")
set(LP_FUZZ_MAX_LEN 8192 CACHE STRING "longest input the fuzz tests make")
add_custom_target(lapor_fuzzers)

function(lp_add_fuzzer name)
  # PARSE_ARGV keeps the semicolons of CALL.
  cmake_parse_arguments(PARSE_ARGV 1 F "" "CALL" "LIBS;HEADERS")
  set(source ${LP_FUZZ_DIR}/${name}.c)
  if(F_CALL)
    set(FUZZ_NAME ${name})
    set(FUZZ_CALL "${F_CALL}")
    set(FUZZ_INCLUDES "")
    foreach(header IN LISTS F_HEADERS)
      string(APPEND FUZZ_INCLUDES "#include \"${header}\"\n")
    endforeach()
    set(source ${CMAKE_CURRENT_BINARY_DIR}/fuzz/${name}.c)
    configure_file(${LP_FUZZ_DIR}/fuzz_template.c.in ${source} @ONLY)
  endif()
  add_executable(${name} ${source})
  target_include_directories(${name} PRIVATE ${LP_FUZZ_DIR})
  target_link_libraries(${name} PRIVATE ${F_LIBS} lapor_common)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  add_dependencies(lapor_fuzzers ${name})
  add_test(NAME ${name}
           COMMAND ${CMAKE_COMMAND} -DFUZZER=$<TARGET_FILE:${name}>
                   -DSEEDS=${LP_FUZZ_DIR}/corpus/${name} -DDICT=${LP_FUZZ_DIR}/${name}.dict
                   -DWORK=${CMAKE_BINARY_DIR}/fuzz/${name}.work -DRUNS=${LP_FUZZ_RUNS}
                   -DSECONDS=${LP_FUZZ_SECONDS}
                   -DMAX_LEN=${LP_FUZZ_MAX_LEN} -P ${LP_FUZZ_DIR}/run_fuzzer.cmake)
  set_tests_properties(${name} PROPERTIES LABELS fuzz TIMEOUT 180)
endfunction()

lp_add_fuzzer(fuzz_complaint_json LIBS lapor_intake)
lp_add_fuzzer(fuzz_phone LIBS lapor_intake HEADERS validate.h
              CALL "char out[32]; if (intake_phone_normalize(text, out, sizeof out) == 0 && strncmp(out, \"+62\", 3) != 0) abort();")
# X-Forwarded-For behind trusted proxies, and the trusted-proxy list itself.
lp_add_fuzzer(fuzz_forwarded_for HEADERS lp_ipnet.h
              CALL "char out[LP_IPNET_ADDR_MAX]; lp_ipnet_list_t *list = lp_ipnet_list_new(\"127.0.0.1, 10.0.0.0/8, fd00::/8\", NULL); lp_ipnet_client(list, \"127.0.0.1\", text, out, sizeof out); lp_ipnet_list_destroy(&list); list = lp_ipnet_list_new(text, NULL); lp_ipnet_list_destroy(&list);")
# The parsers of the other channels: form bodies, Open311 parameters, SMS texts.
lp_add_fuzzer(fuzz_form LIBS lapor_intake)
lp_add_fuzzer(fuzz_open311 LIBS lapor_intake)
lp_add_fuzzer(fuzz_sms LIBS lapor_intake)
# Attachments: a multipart upload through lp_http and the upload sink, and the sniffer.
lp_add_fuzzer(fuzz_multipart LIBS lapor_intake)
lp_add_fuzzer(fuzz_sniff HEADERS lp_sniff.h
              CALL "lp_sniff_type_t t = lp_sniff_type(data, size); if (lp_sniff_from_name(lp_sniff_name(t)) != t) abort(); (void) err; (void) text;")
