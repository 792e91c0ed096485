# cmake -DRUNNER=<billing-plugin-conformance> -DPLUGIN=<X.so> -DCONFIG=<Y.toml> -DDECLARATION=<D.toml>
#       -DEXPECT=<regex> -P expect_runner_failure.cmake
#
# The runner on a faulty plugin: it must exit 1 (not 0, not a crash of its own), print a line
# matching EXPECT, and print the replay line with the seed.
execute_process(COMMAND "${RUNNER}" --plugin "${PLUGIN}" --config "${CONFIG}" --declaration "${DECLARATION}"
                        --seed 7 --orders 200
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit 1 from the runner, got ${rc}")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "the report does not match: ${EXPECT}")
endif()
if(NOT out MATCHES "replay: billing-plugin-conformance --plugin [^\n]+ --seed 7 --orders 200")
  message(FATAL_ERROR "the report has no replay line with the seed")
endif()
