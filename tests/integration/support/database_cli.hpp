// The test database servers (tests/db/db_servers.sh) seen from a test: their urls read, and
// SQL run through the servers' own command-line clients (psql, mariadb), which the test run
// installs with the servers. The harness makes each host's database this way; the multi-host
// tests read the timers' leases and hold a row lock with it, as an operator's session would.
#pragma once

#include <sys/types.h>

#include <string>

namespace billing::integration {

// scheme://user:password@host:port/database, the shape of every server url here.
struct ServerUrl {
    std::string scheme;  // "postgresql" or "mysql"
    std::string user;
    std::string password;
    std::string host;
    std::string port;
    std::string database;

    // Throws std::runtime_error for a url of any other shape.
    static ServerUrl parse(const std::string& url);
    [[nodiscard]] std::string text() const;
    [[nodiscard]] ServerUrl with_database(const std::string& name) const;
};

// The bash command that runs the SQL of script on url's database, quiet, stopping at the
// first error, printing each result row as its columns separated by '|' (psql -At / mariadb
// -N -B); script may hold several statements separated by ';'.
std::string sql_command(const ServerUrl& url, const std::string& script);

// Runs script to its end and returns what it printed; throws (with the output) when it fails.
std::string run_sql(const ServerUrl& url, const std::string& script);

// A script run in the background (e.g. a transaction that holds a row lock for a while).
class BackgroundSql {
public:
    BackgroundSql(const ServerUrl& url, const std::string& script);
    ~BackgroundSql();  // SIGKILL if it is still running
    BackgroundSql(const BackgroundSql&) = delete;
    BackgroundSql& operator=(const BackgroundSql&) = delete;

    // Waits for its end; "exit 0" when the script succeeded (describe_exit).
    std::string wait();

private:
    pid_t pid_ = -1;
};

}  // namespace billing::integration
