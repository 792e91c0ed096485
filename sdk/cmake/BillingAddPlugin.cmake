# billing_add_plugin(<name> SOURCES <files>... [LIBRARIES <targets>...] [OUTPUT_DIRECTORY <dir>])
#
# Builds a policy plugin the way the host needs it:
# - a MODULE library named <name>.so (no "lib" prefix), linked against BillingSDK::sdk;
# - hidden visibility, so that only the descriptor from BILLING_EXPORT_POLICY is exported and
#   two versions of one plugin loaded side by side never bind to each other's functions;
# - -fno-gnu-unique (GCC), because a GNU unique symbol makes glibc mark the library NODELETE:
#   it could never be unloaded after a hot swap, and its statics would be shared between versions;
# - -Wl,--no-undefined, so that a missing symbol fails the link, not the host at load time;
# - a linker version script that exports billing_plugin_descriptor and nothing else;
# - a post-build check that fails the build if the plugin still exports a GNU unique symbol
#   or lacks the descriptor symbol.

set(_BILLING_CHECK_PLUGIN_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/BillingCheckPlugin.cmake")
set(_BILLING_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/billing_plugin.map")

function(billing_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "billing_add_plugin(${name}): SOURCES is required")
  endif()

  add_library(${name} MODULE ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE BillingSDK::sdk ${ARG_LIBRARIES})
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${name} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE -fno-gnu-unique)
  endif()
  target_link_options(${name} PRIVATE -Wl,--no-undefined "-Wl,--version-script=${_BILLING_PLUGIN_VERSION_SCRIPT}")
  set_property(TARGET ${name} APPEND PROPERTY LINK_DEPENDS "${_BILLING_PLUGIN_VERSION_SCRIPT}")

  find_program(BILLING_NM NAMES nm llvm-nm REQUIRED)
  add_custom_command(TARGET ${name} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DNM=${BILLING_NM} -DPLUGIN=$<TARGET_FILE:${name}>
            -P "${_BILLING_CHECK_PLUGIN_SCRIPT}"
    COMMENT "Checking ${name}: exports its descriptor and nothing else"
    VERBATIM)
endfunction()
