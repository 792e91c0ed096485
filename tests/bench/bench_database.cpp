#include "bench_database.hpp"

#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "bench_env.hpp"

namespace billing::bench {

namespace {

const char* url_variable(Backend backend) {
    return backend == Backend::postgresql ? "BILLING_TEST_POSTGRESQL_URL" : "BILLING_TEST_MYSQL_URL";
}

// The server's url from the environment, without its scheme: USER:PASSWORD@HOST:PORT/DB.
std::string server_target(Backend backend) {
    const char* variable = url_variable(backend);
    const char* url = std::getenv(variable);
    if (url == nullptr || *url == '\0') {
        fail(std::string(variable) + " is not set: start the servers with `tests/db/db_servers.sh start DIR`, then "
                                     "`set -a; . DIR/env; set +a` (and `tests/db/db_servers.sh stop DIR` when done)");
    }
    const std::string text = url;
    const std::string scheme = std::string(config::to_string(backend)) + "://";
    if (text.rfind(scheme, 0) != 0) fail(std::string(variable) + " does not start with " + scheme + ": " + text);
    return text.substr(scheme.size());
}

// Runs one statement on a session to the server's own database (CREATE and DROP DATABASE must
// not run on the database they make or drop).
void on_server(Backend backend, const std::string& target, const std::string& statement) {
    storage::DatabaseOptions options;
    options.backend = backend;
    options.target = target;
    options.pool_size = 1;
    auto admin = must(storage::Database::open(options), std::string("connecting to ") + url_variable(backend));
    must(admin->read([&](soci::session& sql) -> Result<Unit> {
        sql << statement;
        return Unit{};
    }),
         statement);
}

}  // namespace

Backend backend_named(const std::string& name) {
    for (const Backend backend : {Backend::sqlite3, Backend::postgresql, Backend::mysql}) {
        if (config::to_string(backend) == name) return backend;
    }
    fail("--database takes sqlite3, postgresql or mysql, not " + name);
}

std::string describe_backend(Backend backend, const std::filesystem::path& dir) {
    if (backend == Backend::sqlite3) return "SQLite WAL synchronous=FULL in " + dir.string();
    const std::string target = server_target(backend);
    return std::string(backend == Backend::postgresql ? "PostgreSQL" : "MariaDB/MySQL") + " at " +
           target.substr(target.rfind('@') + 1) + " (a fresh database per figure, dropped after it)";
}

BenchDatabase::BenchDatabase(Backend backend, const std::filesystem::path& dir, const std::string& name) {
    config_.backend = backend;
    if (backend == Backend::sqlite3) {
        config_.target = (dir / (name + ".sqlite")).string();
    } else {
        server_target_ = server_target(backend);
        name_ = "bench_" + std::to_string(::getpid()) + "_" + name;
        on_server(backend, server_target_, "DROP DATABASE IF EXISTS " + name_);
        on_server(backend, server_target_,
                  backend == Backend::postgresql
                      ? "CREATE DATABASE " + name_
                      : "CREATE DATABASE " + name_ + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        config_.target = server_target_.substr(0, server_target_.rfind('/') + 1) + name_;
    }
    config_.url = std::string(config::to_string(backend)) + "://" + config_.target;
}

BenchDatabase::~BenchDatabase() {
    if (sqlite()) {
        std::error_code ignored;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(config_.target + suffix, ignored);
        return;
    }
    on_server(config_.backend, server_target_, "DROP DATABASE IF EXISTS " + name_);
}

}  // namespace billing::bench
