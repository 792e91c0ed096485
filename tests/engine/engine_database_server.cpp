// A database of its own per test on the PostgreSQL or MariaDB server named by the environment
// (BILLING_TEST_BACKEND_POSTGRESQL picks PostgreSQL at build time), made by the storage suite's
// server context.
#include "backend_context.hpp"
#include "engine_database.hpp"

namespace billing::test {

storage::DatabaseOptions engine_test_database(const std::filesystem::path& dir) {
    storage::DatabaseOptions options = storage::test_context::fresh_database(dir.filename().string());
    // As the host's defaults: room for the race tests' threads, and their conflicts retried.
    options.pool_size = 8;
    options.busy_timeout_ms = 20000;
    options.write_attempts_max = 50;
    return options;
}

const char* engine_test_backend() { return storage::test_context::backend_name(); }

}  // namespace billing::test
