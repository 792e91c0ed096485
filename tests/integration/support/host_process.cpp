#include "support/host_process.hpp"

#include "support/database_cli.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace billing::integration {

namespace {

// How long a host may take from exec to "listening on" (a cold SQLite file, the plugin load),
// far above the ~0.2 s it takes, for a loaded 2-core machine.
constexpr std::chrono::seconds start_deadline{30};
constexpr std::chrono::milliseconds poll_interval{5};
constexpr std::string_view listening_marker = "billing-host: listening on http://";

std::string read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::string built_file(const std::string& path) {
    const std::string build_dir = BILLING_BUILD_DIR;
    const char* sanitized = std::getenv("BILLING_TEST_SANITIZED_BUILD");
    if (sanitized == nullptr || *sanitized == '\0' || path.compare(0, build_dir.size(), build_dir) != 0) return path;
    return sanitized + path.substr(build_dir.size());
}

namespace {

std::filesystem::path make_temp_dir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/billing-it-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    }
    return pattern;
}

// A TOML basic string: the paths here are ours, but a quote or backslash in TMPDIR must not
// break the file.
std::string toml_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

// [plugins] (only with watch) and the otpdesk [[plugins.policy]] entry.
std::string plugins_toml(const std::filesystem::path& dir, const HostOptions& options) {
    std::string file = options.otpdesk_file.empty() ? built_file(BILLING_OTPDESK_PLUGIN) : options.otpdesk_file;
    if (options.otpdesk_file_in_dir) {
        const std::filesystem::path copy = dir / "otpdesk.so";
        std::filesystem::copy_file(file, copy, std::filesystem::copy_options::overwrite_existing);
        file = copy.string();
    }
    const std::string config =
        options.otpdesk_config.empty() ? std::string(BILLING_OTPDESK_CONFIG) : options.otpdesk_config;
    std::string toml;
    if (options.plugins_watch) {
        toml += "[plugins]\nwatch = true\nwatch_interval_ms = " + std::to_string(options.plugins_watch_interval_ms) +
                "\n\n";
    }
    toml += "[[plugins.policy]]\nname = \"otpdesk\"\nfile = " + toml_string(file) +
            "\nconfig = " + toml_string(config) + "\n\n";
    return toml;
}

// The database of one host: a SQLite file in its dir, or, when the test run names a server
// backend (BILLING_IT_BACKEND=postgresql|mysql, see tests/db/db_servers.sh), a new database on
// that server, made for this host alone (so every test starts on an empty schema, as on SQLite).
std::string new_database_url(const std::filesystem::path& dir) {
    const char* backend = std::getenv("BILLING_IT_BACKEND");
    const std::string name = backend == nullptr ? "sqlite3" : backend;
    if (name.empty() || name == "sqlite3") return "sqlite3://" + (dir / "billing.db").string();
    const bool postgresql = name == "postgresql";
    if (!postgresql && name != "mysql") throw std::runtime_error("BILLING_IT_BACKEND: unknown backend " + name);
    const char* server = std::getenv(postgresql ? "BILLING_TEST_POSTGRESQL_URL" : "BILLING_TEST_MYSQL_URL");
    if (server == nullptr) {
        throw std::runtime_error(std::string("BILLING_IT_BACKEND=") + name + " needs " +
                                 (postgresql ? "BILLING_TEST_POSTGRESQL_URL" : "BILLING_TEST_MYSQL_URL") +
                                 " (tests/db/db_servers.sh start prints it)");
    }
    const ServerUrl url = ServerUrl::parse(server);
    static std::atomic<int> made{0};
    const std::string database = "it_" + std::to_string(::getpid()) + "_" + std::to_string(made++) + "_" +
                                 std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
    run_sql(url, "CREATE DATABASE " + database +
                     (postgresql ? std::string() : std::string(" CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")));
    return url.with_database(database).text();
}

void write_config(const std::filesystem::path& dir, const HostOptions& options, const std::string& database_url) {
    std::ofstream out(dir / "billing.toml");
    out << "# Written by the integration test harness (tests/integration/support).\n"
        << "[server]\nhost = \"127.0.0.1\"\nport = 0\n"
        << "threads_max = " << options.threads_max << "\n"
        << "keep_alive_timeout_s = " << options.keep_alive_timeout_s << "\n"
        << "shutdown_grace_s = " << options.shutdown_grace_s << "\n\n"
        << "[database]\nurl = " << toml_string(database_url) << "\n"
        << "pool_size = " << options.pool_size
        << "\n"
        // The tests' durability claims are about the process, not a power loss.
        << "sqlite_synchronous = \"normal\"\n\n"
        << plugins_toml(dir, options)
        << "[demo]\ncreate_tenant = true\nkeys_file = " << toml_string((dir / "demo-keys.env").string()) << "\n\n"
        << "[operator]\nkey_file = " << toml_string((dir / "operator.key").string()) << "\n\n"
        << options.extra_toml << "\n";
    if (!out) throw std::runtime_error("cannot write " + (dir / "billing.toml").string());
}

// posix_spawn of billing-host with stdout and stderr to files; returns the pid.
pid_t spawn_host(const std::vector<std::string>& args, const std::filesystem::path& out_file,
                 const std::filesystem::path& err_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("posix_spawn " + args[0] + ": " + std::strerror(spawned));
    return pid;
}

// waitpid until the child ends or the deadline passes; nullopt when it is still running.
std::optional<int> wait_for(pid_t pid, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) return status;
        if (done < 0 && errno != EINTR) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(poll_interval);
    }
}

// NAME=VALUE lines of a shell variables file; comments and blank lines skipped.
std::map<std::string, std::string> read_env_file(const std::filesystem::path& file) {
    std::map<std::string, std::string> vars;
    std::istringstream lines(read_file(file));
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq != std::string::npos) vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return vars;
}

}  // namespace

std::string describe_exit(int wait_status) {
    if (WIFEXITED(wait_status)) return "exit " + std::to_string(WEXITSTATUS(wait_status));
    if (WIFSIGNALED(wait_status)) return "signal " + std::to_string(WTERMSIG(wait_status));
    return "status " + std::to_string(wait_status);
}

std::unique_ptr<HostProcess> HostProcess::start(const HostOptions& options) {
    std::unique_ptr<HostProcess> host(new HostProcess());
    host->dir_ = make_temp_dir();
    host->database_url_ = new_database_url(host->dir_);
    write_config(host->dir_, options, host->database_url_);
    host->spawn();
    host->read_keys();
    return host;
}

std::unique_ptr<HostProcess> HostProcess::start_beside(const HostProcess& first, const HostOptions& options) {
    std::unique_ptr<HostProcess> host(new HostProcess());
    host->dir_ = make_temp_dir();
    host->database_url_ = first.database_url_;
    // The same operator key (adopted from the file, as an operator would deploy it) and the
    // demo tenant's keys: the database already has its tenant, so this host makes none.
    for (const char* file : {"operator.key", "demo-keys.env"}) {
        std::filesystem::copy_file(first.dir_ / file, host->dir_ / file);
    }
    write_config(host->dir_, options, host->database_url_);
    host->spawn();
    host->read_keys();
    return host;
}

HostProcess::~HostProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
    }
    if (!dir_.empty() && std::getenv("BILLING_IT_KEEP_DIR") == nullptr) {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
}

void HostProcess::spawn() {
    ++starts_;
    const std::string n = std::to_string(starts_);
    pid_ = spawn_host({built_file(BILLING_HOST_BINARY), "--config", config_file().string(), "serve"},
                      dir_ / ("host-" + n + ".stdout"), dir_ / ("host-" + n + ".stderr"));
    const auto deadline = std::chrono::steady_clock::now() + start_deadline;
    for (;;) {
        const std::string out = stdout_text();
        if (const auto at = out.find(listening_marker); at != std::string::npos) {
            const auto end = out.find('\n', at);
            if (end != std::string::npos) {
                const std::string address =
                    out.substr(at + listening_marker.size(), end - at - listening_marker.size());
                const auto colon = address.rfind(':');
                const int port = colon == std::string::npos ? 0 : std::atoi(address.c_str() + colon + 1);
                if (port <= 0 || port > 65535) throw std::runtime_error("no port in the line: " + address);
                port_ = static_cast<std::uint16_t>(port);
                return;
            }
        }
        if (auto ended = wait_for(pid_, std::chrono::steady_clock::now()); ended) {
            pid_ = -1;
            throw std::runtime_error("billing-host ended (" + describe_exit(*ended) + ") before listening; stderr:\n" +
                                     stderr_text() + "\nstdout:\n" + out);
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            throw std::runtime_error("billing-host did not print its listening line in time; stderr:\n" +
                                     stderr_text());
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

void HostProcess::read_keys() {
    std::string key = read_file(dir_ / "operator.key");
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.empty()) throw std::runtime_error("the operator key file is empty");
    operator_key_ = key;
    const auto vars = read_env_file(dir_ / "demo-keys.env");
    const auto get = [&vars](const char* name) {
        const auto found = vars.find(name);
        if (found == vars.end() || found->second.empty()) {
            throw std::runtime_error(std::string("the demo keys file has no ") + name);
        }
        return found->second;
    };
    demo_ = DemoTenant{get("TENANT_ID"), get("SERVICE_KEY"), get("SUPPORT_KEY"), get("ADMIN_KEY")};
}

void HostProcess::send_sigterm() {
    if (pid_ <= 0) throw std::runtime_error("the host is not running");
    ::kill(pid_, SIGTERM);
}

std::string HostProcess::wait(std::chrono::milliseconds deadline) {
    if (pid_ <= 0) throw std::runtime_error("the host is not running");
    auto status = wait_for(pid_, std::chrono::steady_clock::now() + deadline);
    if (!status) {
        ::kill(pid_, SIGKILL);
        status = wait_for(pid_, std::chrono::steady_clock::now() + std::chrono::seconds(10));
        pid_ = -1;
        return "did not exit in time (killed: " + (status ? describe_exit(*status) : std::string("?")) + ")";
    }
    pid_ = -1;
    return describe_exit(*status);
}

std::string HostProcess::stop(std::chrono::milliseconds deadline) {
    send_sigterm();
    return wait(deadline);
}

void HostProcess::restart() {
    if (pid_ > 0) throw std::runtime_error("restart: the host is still running");
    spawn();
}

CommandResult HostProcess::run_command(const std::string& command) const {
    const std::filesystem::path out = dir_ / ("command-" + command + ".stdout");
    const std::filesystem::path err = dir_ / ("command-" + command + ".stderr");
    const pid_t pid =
        spawn_host({built_file(BILLING_HOST_BINARY), "--config", config_file().string(), command}, out, err);
    auto status = wait_for(pid, std::chrono::steady_clock::now() + std::chrono::seconds(60));
    if (!status) {
        ::kill(pid, SIGKILL);
        status = wait_for(pid, std::chrono::steady_clock::now() + std::chrono::seconds(10));
        return CommandResult{"did not exit in time", read_file(out) + read_file(err)};
    }
    return CommandResult{describe_exit(*status), read_file(out) + read_file(err)};
}

std::string HostProcess::stdout_text() const {
    return read_file(dir_ / ("host-" + std::to_string(starts_) + ".stdout"));
}

std::string HostProcess::stderr_text() const {
    return read_file(dir_ / ("host-" + std::to_string(starts_) + ".stderr"));
}

std::string HostProcess::all_stdout_text() const {
    std::string all;
    for (int i = 1; i <= starts_; ++i) all += read_file(dir_ / ("host-" + std::to_string(i) + ".stdout"));
    return all;
}

}  // namespace billing::integration
