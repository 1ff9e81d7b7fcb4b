# Runs one libFuzzer target for a bounded number of inputs (ctest, label `fuzz`).
# -DFUZZER=binary -DSEEDS=dir -DDICT=file -DWORK=dir -DRUNS=n -DSECONDS=n -DMAX_LEN=n
# (whichever of RUNS and SECONDS comes first ends the run).
# The seeds are copied into WORK/corpus, so the source tree is never written and the
# corpus the fuzzer grows stays in the build folder for the next run. A crash, a leak,
# undefined behaviour or a timeout leaves its input in WORK/ and fails the test.
file(MAKE_DIRECTORY ${WORK}/corpus)
if(IS_DIRECTORY ${SEEDS})
  file(GLOB seeds ${SEEDS}/*)
  if(seeds)
    file(COPY ${seeds} DESTINATION ${WORK}/corpus)
  endif()
endif()
set(args -runs=${RUNS} -max_total_time=${SECONDS} -max_len=${MAX_LEN} -timeout=5
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=${WORK}/)
if(EXISTS ${DICT})
  list(APPEND args -dict=${DICT})
endif()
execute_process(COMMAND ${FUZZER} ${args} ${WORK}/corpus WORKING_DIRECTORY ${WORK}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${rc}); the input that failed is in ${WORK}/")
endif()
