# Debian's libsoci-dev ships neither a CMake config nor a .pc file (STACK-NOTES): find the
# headers and libraries ourselves and wrap them in IMPORTED targets SOCI::core, SOCI::sqlite3,
# SOCI::postgresql and SOCI::mysql.
find_path(SOCI_INCLUDE_DIR soci/soci.h)
find_library(SOCI_CORE_LIBRARY soci_core)
find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3)
find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql)
find_library(SOCI_MYSQL_LIBRARY soci_mysql)
find_path(SOCI_MYSQL_CLIENT_INCLUDE_DIR mysql.h PATH_SUFFIXES mariadb mysql)
# The client library itself, for code that calls it directly (billing_storage's mysql_text).
find_library(SOCI_MYSQL_CLIENT_LIBRARY NAMES mariadb mysqlclient)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(SOCI REQUIRED_VARS SOCI_INCLUDE_DIR SOCI_CORE_LIBRARY SOCI_SQLITE3_LIBRARY
                                  SOCI_POSTGRESQL_LIBRARY SOCI_MYSQL_LIBRARY SOCI_MYSQL_CLIENT_INCLUDE_DIR
                                  SOCI_MYSQL_CLIENT_LIBRARY)
if(NOT SOCI_FOUND OR TARGET SOCI::core)
  return()
endif()

find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)

add_library(SOCI::core UNKNOWN IMPORTED)
set_target_properties(SOCI::core PROPERTIES IMPORTED_LOCATION "${SOCI_CORE_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}" INTERFACE_LINK_LIBRARIES "${CMAKE_DL_LIBS}")

add_library(SOCI::sqlite3 UNKNOWN IMPORTED)
set_target_properties(SOCI::sqlite3 PROPERTIES IMPORTED_LOCATION "${SOCI_SQLITE3_LIBRARY}"
  INTERFACE_LINK_LIBRARIES "SOCI::core;SQLite::SQLite3")

add_library(SOCI::postgresql UNKNOWN IMPORTED)
set_target_properties(SOCI::postgresql PROPERTIES IMPORTED_LOCATION "${SOCI_POSTGRESQL_LIBRARY}"
  INTERFACE_LINK_LIBRARIES "SOCI::core;PostgreSQL::PostgreSQL")

add_library(SOCI::mysql UNKNOWN IMPORTED)
set_target_properties(SOCI::mysql PROPERTIES IMPORTED_LOCATION "${SOCI_MYSQL_LIBRARY}"
  INTERFACE_INCLUDE_DIRECTORIES "${SOCI_MYSQL_CLIENT_INCLUDE_DIR}"
  INTERFACE_LINK_LIBRARIES "SOCI::core;${SOCI_MYSQL_CLIENT_LIBRARY}")
