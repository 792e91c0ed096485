// The real billing-host binary in a child process, on a temp dir of its own: a generated
// billing.toml (port 0, a SQLite file, the operator key file and the demo keys file all in the
// dir), stdout and stderr captured to files there (one pair per start). start() returns once
// the host printed "billing-host: listening on http://HOST:PORT"; stop() sends SIGTERM and
// reaps it. The dir survives a stop, so restart() serves the same database and keys again.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace billing::integration {

struct HostOptions {
    std::uint32_t keep_alive_timeout_s = 3;  // the client's own keep-alive is shorter (http_client.hpp)
    std::uint32_t shutdown_grace_s = 10;
    std::uint32_t threads_max = 32;
    std::uint32_t pool_size = 4;
    // The otpdesk [[plugins.policy]] entry: its .so and its TOML config ("" for the shipped
    // plugin build and config/otpdesk.toml). With otpdesk_file_in_dir the .so is copied into the
    // host's dir as otpdesk.so and that copy is configured (so a test may overwrite it).
    std::string otpdesk_file;
    std::string otpdesk_config;
    bool otpdesk_file_in_dir = false;
    // [plugins] watch and watch_interval_ms; the table is written only when watch is true.
    bool plugins_watch = false;
    std::uint32_t plugins_watch_interval_ms = 1000;
    // Appended to the generated billing.toml as it is (more tables or keys of tables not
    // written above).
    std::string extra_toml;
};

// The keys the host wrote to [demo] keys_file on its first start.
struct DemoTenant {
    std::string tenant_id;
    std::string service_key;
    std::string support_key;
    std::string admin_key;
};

// What a finished billing-host command printed and how it ended.
struct CommandResult {
    std::string exit;    // "exit 0", "exit 1", "signal 9" (describe_exit)
    std::string output;  // stdout then stderr
};

// "exit N" or "signal N" for a waitpid status.
std::string describe_exit(int wait_status);

// A file of this build (the host binary, a plugin), or the same file of the build that
// BILLING_TEST_SANITIZED_BUILD names: `./dev test` runs these drivers, built once in the ci
// build, against the ASan and TSan builds of the host and its plugins, so that only what runs
// inside the host is built again with a sanitizer.
std::string built_file(const std::string& path);

class HostProcess {
public:
    // A new temp dir, its billing.toml, and the host started on it. Throws std::runtime_error
    // (with the host's stderr) if it does not start listening within the start deadline.
    static std::unique_ptr<HostProcess> start(const HostOptions& options = {});
    // A second host on first's database (its own dir, config and port; the same operator key
    // and demo tenant keys), as several hosts behind one load balancer run: first must have
    // started. On SQLite both open the same file.
    static std::unique_ptr<HostProcess> start_beside(const HostProcess& first, const HostOptions& options = {});

    ~HostProcess();  // SIGKILL if still running; removes the dir unless BILLING_IT_KEEP_DIR is set
    HostProcess(const HostProcess&) = delete;
    HostProcess& operator=(const HostProcess&) = delete;

    // SIGTERM, then waits up to deadline for the exit; SIGKILL after it. Returns describe_exit.
    std::string stop(std::chrono::milliseconds deadline = std::chrono::seconds(30));
    // Sends SIGTERM and returns at once (the shutdown test's clients keep running); wait() reaps.
    void send_sigterm();
    std::string wait(std::chrono::milliseconds deadline = std::chrono::seconds(30));
    // Starts the host again on the same dir (so the same database and key files); it must be
    // stopped.
    void restart();
    [[nodiscard]] bool running() const { return pid_ > 0; }
    // The running host's process id (-1 when stopped), e.g. for /proc/<pid>/maps or a SIGHUP.
    [[nodiscard]] pid_t pid() const { return pid_; }

    // `billing-host --config FILE <command>` run to its end (e.g. "audit").
    [[nodiscard]] CommandResult run_command(const std::string& command) const;

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] const std::string& operator_key() const { return operator_key_; }
    [[nodiscard]] const DemoTenant& demo() const { return demo_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
    [[nodiscard]] std::filesystem::path config_file() const { return dir_ / "billing.toml"; }
    [[nodiscard]] std::filesystem::path database_file() const { return dir_ / "billing.db"; }
    // [database] url of its billing.toml (a server url when the run names a server backend).
    [[nodiscard]] const std::string& database_url() const { return database_url_; }

    // What this start of the host has written to stdout / stderr so far.
    [[nodiscard]] std::string stdout_text() const;
    [[nodiscard]] std::string stderr_text() const;
    // Every start's stdout, in order (the log over restarts).
    [[nodiscard]] std::string all_stdout_text() const;

private:
    HostProcess() = default;
    void spawn();
    void read_keys();

    std::filesystem::path dir_;
    std::string database_url_;
    pid_t pid_ = -1;
    int starts_ = 0;
    std::uint16_t port_ = 0;
    std::string operator_key_;
    DemoTenant demo_;
};

}  // namespace billing::integration
