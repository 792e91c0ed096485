// The storage suite's context for SQLite: a file in a nested folder that does not exist yet
// (Database::open must create it).
#include <unistd.h>

#include <filesystem>

#include "backend_context.hpp"

namespace billing::storage::test_context {

const char* backend_name() { return "sqlite3"; }

DatabaseOptions fresh_database(const std::string& test_name) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                      ("billing-storage-test-" + std::to_string(::getpid()) + "-" + test_name);
    std::filesystem::remove_all(dir);
    DatabaseOptions options;
    options.backend = Backend::sqlite3;
    options.target = (dir / "nested" / "billing.db").string();
    options.pool_size = 2;
    options.busy_timeout_ms = 2000;
    return options;
}

void cleanup(const DatabaseOptions& options) {
    std::filesystem::remove_all(std::filesystem::path(options.target).parent_path().parent_path());
}

}  // namespace billing::storage::test_context
