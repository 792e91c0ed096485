// The host's configuration as typed structs. The defaults written here are the defaults of the
// product: an empty billing.toml yields exactly a default-constructed HostConfig (with its
// relative paths resolved against the config file's directory).
//
// Only the parser (load_host_config / parse_host_config) fills these from text; it has already
// checked every type and range, so users of a HostConfig never re-validate it.
#pragma once

#include <billing/config/enums.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace billing::config {

struct ServerConfig {
    std::string host = "127.0.0.1";                  // address to bind
    std::uint16_t port = 8080;                       // 0 = an ephemeral port (tests)
    std::uint32_t threads_max = 32;                  // 1..1024 worker threads running requests
    std::uint32_t queue_max = 256;                   // 1..65536 complete requests waiting for a worker
    std::size_t body_bytes_max = 65536;              // 1..16 MiB
    std::uint32_t keep_alive_timeout_s = 15;         // 1..3600 idle time before and between requests
    std::size_t head_bytes_max = 8192;               // 1 KiB..64 KiB: request line and header fields
    std::uint32_t header_fields_max = 100;           // 1..1000
    std::uint32_t head_timeout_ms = 10000;           // 100..600000: a head, from its first byte
    std::uint32_t body_timeout_ms = 30000;           // 100..600000: a body after its head; an answer's sending
    std::uint32_t connections_max = 4096;            // 1..1000000 open connections in all
    std::uint32_t connections_per_client_max = 256;  // 1..1000000 from one client address
    std::uint32_t shutdown_grace_s = 20;             // 0..600

    bool operator==(const ServerConfig&) const = default;
};

struct DatabaseConfig {
    // The url as configured, except that a relative sqlite3 file is made absolute against the
    // config file's directory. backend and target are its two parts, kept consistent by the
    // parser: target is what follows "scheme://" (the sqlite3 file, or the server part).
    std::string url = "sqlite3://data/billing.db";
    DatabaseBackend backend = DatabaseBackend::sqlite3;
    std::string target = "data/billing.db";
    std::uint32_t pool_size = 4;           // 1..256 sessions
    std::uint32_t busy_timeout_ms = 5000;  // 0..600000
    SqliteSynchronous sqlite_synchronous = SqliteSynchronous::full;
    bool group_commit = true;
    std::uint32_t group_commit_max = 64;          // 1..1024 writes in one batch
    std::uint32_t group_commit_window_us = 2000;  // 0..1000000
    std::uint32_t group_commit_batches = 3;       // 1..256 at once on a server

    bool operator==(const DatabaseConfig&) const = default;
};

struct TimersConfig {
    std::uint32_t sweep_interval_ms = 250;  // 10..60000
    std::uint32_t lease_s = 30;             // 1..3600
    std::uint32_t batch_max = 500;          // 1..10000 timers claimed per sweep

    bool operator==(const TimersConfig&) const = default;
};

struct IdempotencyConfig {
    std::uint32_t retention_h = 24;  // 1..8760

    bool operator==(const IdempotencyConfig&) const = default;
};

struct LogConfig {
    LogLevel level = LogLevel::information;
    LogFormat format = LogFormat::json;

    bool operator==(const LogConfig&) const = default;
};

// One [[plugins.policy]] entry. The parser checks that the paths are given, not that the files
// exist: the plugin loader opens them and reports its own, more precise errors (and a missing
// .so must not make the whole host config unreadable, e.g. for `--check-config` before a build).
struct PolicyPluginConfig {
    std::string name;              // [a-z0-9_]{1,64}, unique among the policies
    std::filesystem::path file;    // the policy's .so, resolved against the config dir
    std::filesystem::path config;  // the policy's TOML file, resolved against the config dir

    bool operator==(const PolicyPluginConfig&) const = default;
};

struct PluginsConfig {
    bool watch = false;                        // reload a policy when its .so changes
    std::uint32_t watch_interval_ms = 1000;    // 100..60000
    std::vector<PolicyPluginConfig> policies;  // [[plugins.policy]], in file order; may be empty

    bool operator==(const PluginsConfig&) const = default;
};

struct DemoConfig {
    bool create_tenant = true;  // on first start, create a test-mode demo tenant
    // Where its keys are written (mode 0600) as shell variables, besides being printed once,
    // resolved against the config dir; empty: printed only.
    std::filesystem::path keys_file = "data/demo-keys.env";

    bool operator==(const DemoConfig&) const = default;
};

struct OperatorConfig {
    // Where the operator key is read from, resolved against the config dir. Empty: the host
    // generates a key on first start and prints it once.
    std::filesystem::path key_file;

    bool operator==(const OperatorConfig&) const = default;
};

struct HostConfig {
    ServerConfig server;
    DatabaseConfig database;
    TimersConfig timers;
    IdempotencyConfig idempotency;
    LogConfig log;
    PluginsConfig plugins;
    DemoConfig demo;
    OperatorConfig operator_;  // `operator` is a C++ keyword; the TOML table is [operator]

    bool operator==(const HostConfig&) const = default;
};

}  // namespace billing::config
