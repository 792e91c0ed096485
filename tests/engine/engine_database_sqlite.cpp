#include "engine_database.hpp"

namespace billing::test {

storage::DatabaseOptions engine_test_database(const std::filesystem::path& dir) {
    storage::DatabaseOptions options;
    options.target = (dir / "billing.sqlite").string();
    // NORMAL in WAL mode skips the fsync per commit: the tests check logic, not durability.
    options.sqlite_synchronous = config::SqliteSynchronous::normal;
    options.busy_timeout_ms = 20000;
    options.write_attempts_max = 50;
    return options;
}

const char* engine_test_backend() { return "sqlite3"; }

}  // namespace billing::test
