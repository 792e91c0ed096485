// The plain sections: each key is a typed value with a range. [plugins] has its own file.
#include "sections.hpp"

#include <billing/toml/reader.hpp>
#include "database_url.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace billing::config::detail {

using toml_reader::Diagnostics;
using toml_reader::TableReader;

namespace {

// A host name is at most 253 characters (RFC 1035); an address literal is shorter.
constexpr std::size_t host_bytes_max = 253;
constexpr std::size_t body_bytes_limit = std::size_t{16} * 1024 * 1024;
// A connection URL carries host, credentials and options; beyond this it is a mistake.
constexpr std::size_t url_bytes_max = 4096;

}  // namespace

void read_server(const toml::table& table, Diagnostics& diagnostics, ServerConfig& out) {
    TableReader reader(table, "server", diagnostics);
    reader.string("host", out.host, host_bytes_max);
    reader.integer<std::uint16_t>("port", out.port, 0, 65535);
    reader.integer<std::uint32_t>("threads_max", out.threads_max, 1, 1024);
    reader.integer<std::uint32_t>("queue_max", out.queue_max, 1, 65536);
    reader.integer<std::size_t>("body_bytes_max", out.body_bytes_max, 1, body_bytes_limit);
    reader.integer<std::uint32_t>("keep_alive_timeout_s", out.keep_alive_timeout_s, 1, 3600);
    reader.integer<std::size_t>("head_bytes_max", out.head_bytes_max, 1024, 65536);
    reader.integer<std::uint32_t>("header_fields_max", out.header_fields_max, 1, 1000);
    reader.integer<std::uint32_t>("head_timeout_ms", out.head_timeout_ms, 100, 600000);
    reader.integer<std::uint32_t>("body_timeout_ms", out.body_timeout_ms, 100, 600000);
    reader.integer<std::uint32_t>("connections_max", out.connections_max, 1, 1000000);
    reader.integer<std::uint32_t>("connections_per_client_max", out.connections_per_client_max, 1, 1000000);
    reader.integer<std::uint32_t>("shutdown_grace_s", out.shutdown_grace_s, 0, 600);
    reader.refuse_unknown_keys();
}

void read_database(const toml::table& table, Diagnostics& diagnostics, DatabaseConfig& out) {
    TableReader reader(table, "database", diagnostics);
    std::string url;
    if (reader.string("url", url, url_bytes_max)) {
        const toml::node& node = *reader.node("url");
        const std::optional<DatabaseUrl> split = split_database_url(url);
        if (!split) {
            reader.report("url", node,
                          "\"" + url +
                              "\" has an unsupported scheme; allowed schemes: " + std::string(database_schemes));
        } else if (split->target.empty()) {
            reader.report("url", node, "\"" + url + "\" names no database after the scheme");
        } else if (auto server = checked_server_address(*split); !server) {
            // The url is not repeated: it may hold a password.
            reader.report("url", node, std::string(to_string(split->backend)) + " url " + server.error().message);
        } else {
            out.url = url;
            out.backend = split->backend;
            out.target = split->target;
        }
    }
    reader.integer<std::uint32_t>("pool_size", out.pool_size, 1, 256);
    reader.integer<std::uint32_t>("busy_timeout_ms", out.busy_timeout_ms, 0, 600000);
    reader.choice("sqlite_synchronous", out.sqlite_synchronous,
                  std::array{SqliteSynchronous::off, SqliteSynchronous::normal, SqliteSynchronous::full,
                             SqliteSynchronous::extra});
    reader.boolean("group_commit", out.group_commit);
    reader.integer<std::uint32_t>("group_commit_max", out.group_commit_max, 1, 1024);
    reader.integer<std::uint32_t>("group_commit_window_us", out.group_commit_window_us, 0, 1000000);
    reader.integer<std::uint32_t>("group_commit_batches", out.group_commit_batches, 1, 256);
    reader.refuse_unknown_keys();
}

void read_timers(const toml::table& table, Diagnostics& diagnostics, TimersConfig& out) {
    TableReader reader(table, "timers", diagnostics);
    reader.integer<std::uint32_t>("sweep_interval_ms", out.sweep_interval_ms, 10, 60000);
    reader.integer<std::uint32_t>("lease_s", out.lease_s, 1, 3600);
    reader.integer<std::uint32_t>("batch_max", out.batch_max, 1, 10000);
    reader.refuse_unknown_keys();
}

void read_idempotency(const toml::table& table, Diagnostics& diagnostics, IdempotencyConfig& out) {
    TableReader reader(table, "idempotency", diagnostics);
    reader.integer<std::uint32_t>("retention_h", out.retention_h, 1, 8760);
    reader.refuse_unknown_keys();
}

void read_log(const toml::table& table, Diagnostics& diagnostics, LogConfig& out) {
    TableReader reader(table, "log", diagnostics);
    reader.choice("level", out.level,
                  std::array{LogLevel::fatal, LogLevel::critical, LogLevel::error, LogLevel::warning, LogLevel::notice,
                             LogLevel::information, LogLevel::debug, LogLevel::trace});
    reader.choice("format", out.format, std::array{LogFormat::json, LogFormat::text});
    reader.refuse_unknown_keys();
}

void read_demo(const toml::table& table, Diagnostics& diagnostics, DemoConfig& out) {
    TableReader reader(table, "demo", diagnostics);
    reader.boolean("create_tenant", out.create_tenant);
    reader.path("keys_file", out.keys_file);
    reader.refuse_unknown_keys();
}

void read_operator(const toml::table& table, Diagnostics& diagnostics, OperatorConfig& out) {
    TableReader reader(table, "operator", diagnostics);
    reader.path("key_file", out.key_file);
    reader.refuse_unknown_keys();
}

}  // namespace billing::config::detail
