// Where a benchmark's database lives: a SQLite file in the benchmark's temp dir (the default),
// or a fresh database of its own on the PostgreSQL or MariaDB/MySQL server that
// BILLING_TEST_POSTGRESQL_URL or BILLING_TEST_MYSQL_URL names (tests/db/db_servers.sh start DIR
// writes both to DIR/env). Made on construction, dropped on destruction, so that every figure
// starts from empty tables, as on SQLite.
#pragma once

#include <filesystem>
#include <string>

#include "billing/config/host_config.hpp"
#include "billing/storage/database.hpp"

namespace billing::bench {

using Backend = config::DatabaseBackend;

// "sqlite3", "postgresql" or "mysql"; fails the benchmark on anything else.
Backend backend_named(const std::string& name);

// One line for a benchmark's header: the SQLite settings, or which server.
std::string describe_backend(Backend backend, const std::filesystem::path& dir);

class BenchDatabase {
public:
    // name (lower case, digits and _): the SQLite file dir/name.sqlite, or the end of the server
    // database's name. Fails the benchmark when the server's url is not set or it refuses.
    BenchDatabase(Backend backend, const std::filesystem::path& dir, const std::string& name);
    // Removes the file, or drops the server database: every session to it must be closed.
    ~BenchDatabase();
    BenchDatabase(const BenchDatabase&) = delete;
    BenchDatabase& operator=(const BenchDatabase&) = delete;

    // As a host's config would hold it: url, backend, target; the other fields their defaults.
    [[nodiscard]] const config::DatabaseConfig& config() const { return config_; }
    [[nodiscard]] storage::DatabaseOptions options() const { return storage::DatabaseOptions::from(config_); }
    [[nodiscard]] bool sqlite() const { return config_.backend == Backend::sqlite3; }

private:
    config::DatabaseConfig config_;
    std::string server_target_;  // USER:PASSWORD@HOST:PORT/DB of the server's own database
    std::string name_;           // the server database's
};

}  // namespace billing::bench
