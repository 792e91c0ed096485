// The database an engine test runs on: compiled in per executable, like the storage suite's
// contexts (tests/storage/backend_context.hpp). engine_test runs every engine test on SQLite;
// engine_postgresql_test and engine_mysql_test run the ones that hold on any backend on a fresh
// database of the throwaway servers (tests/db/db_servers.sh).
#pragma once

#include <filesystem>

#include "billing/storage/database.hpp"

namespace billing::test {

// Options for an empty database for one test; dir is a fresh folder the test may use.
storage::DatabaseOptions engine_test_database(const std::filesystem::path& dir);

// "sqlite3", "postgresql" or "mysql".
const char* engine_test_backend();

}  // namespace billing::test
