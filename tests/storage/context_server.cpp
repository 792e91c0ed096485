// The storage suite's context for a database server: BILLING_TEST_BACKEND_POSTGRESQL (set by
// the build for the PostgreSQL executable) picks PostgreSQL, else MySQL/MariaDB. Each test gets
// a database of its own on the throwaway server of tests/db/db_servers.sh, made through the
// server's url with SOCI itself.
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <regex>
#include <stdexcept>

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>

#include "backend_context.hpp"

namespace billing::storage::test_context {

namespace {

#ifdef BILLING_TEST_BACKEND_POSTGRESQL
constexpr bool postgresql = true;
#else
constexpr bool postgresql = false;
#endif

struct ServerUrl {
    std::string user, password, host, port, database;
};

ServerUrl server_url() {
    const char* variable = postgresql ? "BILLING_TEST_POSTGRESQL_URL" : "BILLING_TEST_MYSQL_URL";
    const char* text = std::getenv(variable);
    if (text == nullptr) {
        throw std::runtime_error(std::string(variable) + " is not set: start the servers with tests/db/db_servers.sh");
    }
    static const std::regex shape(R"(^[a-z0-9]+://([^:@/]+):([^@/]*)@([^:/]+):([0-9]+)/([A-Za-z0-9_]+)$)");
    std::cmatch m;
    if (!std::regex_match(text, m, shape)) throw std::runtime_error(std::string("cannot read ") + variable);
    return {m.str(1), m.str(2), m.str(3), m.str(4), m.str(5)};
}

std::string connect_string(const ServerUrl& u, const std::string& database) {
    return postgresql ? "host=" + u.host + " port=" + u.port + " dbname=" + database + " user=" + u.user +
                            " password=" + u.password
                      : "host=" + u.host + " port=" + u.port + " db=" + database + " user=" + u.user +
                            " password=" + u.password;
}

}  // namespace

const char* backend_name() { return postgresql ? "postgresql" : "mysql"; }

DatabaseOptions fresh_database(const std::string&) {
    const ServerUrl url = server_url();
    static std::atomic<int> made{0};
    const std::string name = "st_" + std::to_string(::getpid()) + "_" + std::to_string(made++);
    {
        const soci::backend_factory& backend = postgresql ? static_cast<const soci::backend_factory&>(soci::postgresql)
                                                          : static_cast<const soci::backend_factory&>(soci::mysql);
        soci::session admin(backend, connect_string(url, url.database));
        if (postgresql) admin << "SET client_min_messages TO WARNING";  // no NOTICE on stderr, as in the host
        admin << "DROP DATABASE IF EXISTS " + name;
        admin << (postgresql ? "CREATE DATABASE " + name
                             : "CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    }
    DatabaseOptions options;
    options.backend = postgresql ? Backend::postgresql : Backend::mysql;
    options.target = url.user + ":" + url.password + "@" + url.host + ":" + url.port + "/" + name;
    options.pool_size = 2;
    options.busy_timeout_ms = 2000;
    return options;
}

void cleanup(const DatabaseOptions&) {
    // The server, and every database on it, is thrown away at the end of the run.
}

}  // namespace billing::storage::test_context
