# cmake -DNM=<nm> -DPLUGIN=<file.so> -P BillingCheckPlugin.cmake
#
# Fails when the plugin exports a GNU unique symbol (nm type "u"): glibc would mark the library
# NODELETE, so a hot swap could never unload it. Also fails when the descriptor symbol the host
# looks for is missing.
execute_process(COMMAND "${NM}" -D --defined-only "${PLUGIN}"
  OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PLUGIN}: nm failed (${rc})")
endif()

string(REGEX MATCHALL "[^\n]* u [^\n]*" unique_symbols "${symbols}")
if(unique_symbols)
  list(JOIN unique_symbols "\n  " listed)
  message(FATAL_ERROR "${PLUGIN} exports GNU unique symbols; it could never be unloaded. "
    "Build it with billing_add_plugin() (-fno-gnu-unique, hidden visibility):\n  ${listed}")
endif()

if(NOT symbols MATCHES " billing_plugin_descriptor\n")
  message(FATAL_ERROR "${PLUGIN} does not export billing_plugin_descriptor: "
    "add BILLING_EXPORT_POLICY(YourPolicy, \"name\", \"version\") to one source file")
endif()
