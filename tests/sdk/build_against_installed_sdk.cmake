# cmake -DBUILD_DIR=<host build> -DPLUGIN_SOURCE=<plugin source dir> -DWORK_DIR=<scratch>
#       -DPLUGIN_NAME=<name> -DPLUGIN_CONFIG=<its toml> -DHOST=<billing-host> [-DLAUNCHER=ccache]
#       [-DDECLARATION=<its conformance declaration>] -P build_against_installed_sdk.cmake
#
# What an outside plugin author does: install the SDK from a build of this repository, then
# configure and build a plugin project on its own with find_package(BillingSDK). Fails if any
# step fails or the plugin file is not produced (billing_add_plugin's own post-build check runs
# as part of the build).
file(REMOVE_RECURSE "${WORK_DIR}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --component sdk --prefix "${WORK_DIR}/prefix")
foreach(installed include/billing/sdk/sdk.hpp include/billing/toml/reader.hpp include/billing/conformance/gtest.hpp
                  bin/billing-plugin-conformance
                  share/billing-sdk/conformance_suite.cpp lib/cmake/BillingSDK/BillingSDKConfig.cmake
                  lib/cmake/BillingSDK/BillingAddPlugin.cmake lib/cmake/BillingSDK/BillingCheckPlugin.cmake
                  lib/cmake/BillingSDK/billing_plugin.map)
  if(NOT EXISTS "${WORK_DIR}/prefix/${installed}")
    message(FATAL_ERROR "the SDK install lacks ${installed}")
  endif()
endforeach()

run(${CMAKE_COMMAND} -S "${PLUGIN_SOURCE}" -B "${WORK_DIR}/build" -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" "-DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/build" -j 2)

file(GLOB_RECURSE built "${WORK_DIR}/build/*${PLUGIN_NAME}.so")
if(NOT built)
  message(FATAL_ERROR "building ${PLUGIN_SOURCE} against the installed SDK produced no ${PLUGIN_NAME}.so")
endif()
# Built is not enough: the host must accept it (descriptor, ABI, build key, config).
list(GET built 0 plugin_file)
file(WRITE "${WORK_DIR}/billing.toml"
  "[[plugins.policy]]\nname = \"${PLUGIN_NAME}\"\nfile = \"${plugin_file}\"\nconfig = \"${PLUGIN_CONFIG}\"\n")
run("${HOST}" --config "${WORK_DIR}/billing.toml" check)
message(STATUS "built ${plugin_file} against the SDK installed in ${WORK_DIR}/prefix; billing-host loads it")

# Loaded is not enough either: the plugin must pass the conformance kit, run by the installed
# runner as its author would run it, and the project's own tests (the kit's GoogleTest cases).
if(DECLARATION)
  execute_process(COMMAND "${WORK_DIR}/prefix/bin/billing-plugin-conformance" --plugin "${plugin_file}"
                          --config "${PLUGIN_CONFIG}" --declaration "${DECLARATION}"
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${plugin_file} fails the conformance kit (exit ${rc}); the report is above")
  endif()
endif()
if(EXISTS "${WORK_DIR}/build/CTestTestfile.cmake")
  get_filename_component(cmake_bin "${CMAKE_COMMAND}" DIRECTORY)
  run("${cmake_bin}/ctest" --test-dir "${WORK_DIR}/build" --output-on-failure --no-tests=error)
  message(STATUS "its own tests pass")
endif()
