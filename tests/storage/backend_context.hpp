// The storage suite is written once (storage_suite.cpp) and compiled into one executable per
// database backend, each with a small context (the pattern of SOCI's common-tests): the
// backend's name and how to get an empty database for one test.
//
//   context_sqlite.cpp   a SQLite file in a fresh temp folder
//   context_server.cpp   a new database on the throwaway server named by BILLING_TEST_POSTGRESQL_URL
//                        or BILLING_TEST_MYSQL_URL (tests/db/db_servers.sh), chosen at build time
#pragma once

#include <string>

#include "billing/storage/database.hpp"

namespace billing::storage::test_context {

// "sqlite3", "postgresql" or "mysql".
const char* backend_name();

// Options for an empty database of this backend, made for the test `test_name` alone.
// Throws std::runtime_error when it cannot be made (e.g. the server's url is not set).
DatabaseOptions fresh_database(const std::string& test_name);

// Removes what fresh_database made, if the backend keeps anything outside the server.
void cleanup(const DatabaseOptions& options);

}  // namespace billing::storage::test_context
