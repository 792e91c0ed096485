#include "support/database_cli.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>
#include <stdexcept>

#include "support/host_process.hpp"

extern char** environ;

namespace billing::integration {

namespace {

// text between single quotes for /bin/sh.
std::string shell_quote(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) {
        if (c == '\'') {
            quoted += "'\\''";
        } else {
            quoted += c;
        }
    }
    return quoted + "'";
}

}  // namespace

ServerUrl ServerUrl::parse(const std::string& url) {
    static const std::regex shape(R"(^(postgresql|mysql)://([^:@/]+):([^@/]*)@([^:/]+):([0-9]+)/([A-Za-z0-9_]+)$)");
    std::smatch parts;
    if (!std::regex_match(url, parts, shape)) throw std::runtime_error("not a test server url: " + url);
    return ServerUrl{parts.str(1), parts.str(2), parts.str(3), parts.str(4), parts.str(5), parts.str(6)};
}

std::string ServerUrl::text() const {
    return scheme + "://" + user + ":" + password + "@" + host + ":" + port + "/" + database;
}

ServerUrl ServerUrl::with_database(const std::string& name) const {
    ServerUrl other = *this;
    other.database = name;
    return other;
}

std::string sql_command(const ServerUrl& url, const std::string& script) {
    if (url.scheme == "postgresql") {
        return "PGPASSWORD=" + shell_quote(url.password) + " psql -q -A -t -F '|' -v ON_ERROR_STOP=1 -h " +
               shell_quote(url.host) + " -p " + url.port + " -U " + shell_quote(url.user) + " -d " +
               shell_quote(url.database) + " -c " + shell_quote(script);
    }
    // mariadb separates columns with a tab in batch mode; tr makes it the same '|' as psql's.
    return "set -o pipefail; mariadb -N -B -h " + shell_quote(url.host) + " -P " + url.port + " -u " +
           shell_quote(url.user) + " -p" + shell_quote(url.password) + " " + shell_quote(url.database) + " -e " +
           shell_quote(script) + " | tr '\\t' '|'";
}

std::string run_sql(const ServerUrl& url, const std::string& script) {
    const std::string command = "{ " + sql_command(url, script) + "; } 2>&1";
    FILE* pipe = ::popen(("/bin/bash -c " + shell_quote(command)).c_str(), "r");
    if (pipe == nullptr) throw std::runtime_error(std::string("popen: ") + std::strerror(errno));
    std::string output;
    std::array<char, 4096> buffer{};
    for (std::size_t got; (got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
        output.append(buffer.data(), got);
    const int status = ::pclose(pipe);
    if (status != 0) throw std::runtime_error("SQL failed (" + describe_exit(status) + "): " + script + "\n" + output);
    return output;
}

BackgroundSql::BackgroundSql(const ServerUrl& url, const std::string& script) {
    const std::string command = "{ " + sql_command(url, script) + "; } >/dev/null 2>&1";
    const char* argv[] = {"/bin/bash", "-c", command.c_str(), nullptr};
    const int spawned = posix_spawn(&pid_, argv[0], nullptr, nullptr, const_cast<char* const*>(argv), environ);
    if (spawned != 0) throw std::runtime_error(std::string("posix_spawn /bin/bash: ") + std::strerror(spawned));
}

BackgroundSql::~BackgroundSql() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
}

std::string BackgroundSql::wait() {
    if (pid_ <= 0) throw std::runtime_error("BackgroundSql: already waited for");
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
        if (errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    }
    pid_ = -1;
    return describe_exit(status);
}

}  // namespace billing::integration
