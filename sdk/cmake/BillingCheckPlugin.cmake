# cmake -DNM=<nm> -DPLUGIN=<file.so> -P BillingCheckPlugin.cmake
#
# Fails when the plugin exports a GNU unique symbol (nm type "u": glibc would mark the library
# NODELETE, so a hot swap could never unload it), when it exports anything besides its
# descriptor, and when the descriptor symbol the host looks for is missing.
execute_process(COMMAND "${NM}" -D --defined-only "${PLUGIN}"
  OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PLUGIN}: nm failed (${rc})")
endif()

string(REGEX MATCHALL "[^\n]* u [^\n]*" unique_symbols "${symbols}")
if(unique_symbols)
  list(JOIN unique_symbols "\n  " listed)
  # NOTICE prints the text as it is (FATAL_ERROR would re-wrap it), one symbol a line.
  message(NOTICE "${PLUGIN} exports GNU unique symbols:\n  ${listed}\n"
    "glibc marks such a library NODELETE: it could never be unloaded after a hot swap. "
    "Build it with billing_add_plugin() (-fno-gnu-unique, hidden visibility).")
  message(FATAL_ERROR "plugin check failed: GNU unique symbols")
endif()

# Anything exported besides the descriptor could bind to another loaded version's code.
string(REGEX MATCHALL "[^\n]+" exported "${symbols}")
list(FILTER exported EXCLUDE REGEX " billing_plugin_descriptor$")
if(exported)
  list(JOIN exported "\n  " listed)
  message(NOTICE "${PLUGIN} exports more than billing_plugin_descriptor:\n  ${listed}")
  message(FATAL_ERROR "plugin check failed: extra exported symbols (link with billing_add_plugin's version script)")
endif()

if(NOT symbols MATCHES " billing_plugin_descriptor\n")
  message(FATAL_ERROR "${PLUGIN} does not export billing_plugin_descriptor: "
    "add BILLING_EXPORT_POLICY(YourPolicy, \"name\", \"version\") to one source file")
endif()
