// One reader per top-level table of the host config. Each reads its table into its struct,
// reports problems to the Diagnostics, and refuses keys it does not know.
#pragma once

#include <billing/config/host_config.hpp>
#include <billing/toml/reader.hpp>

#include <toml++/toml.h>

namespace billing::config::detail {

void read_server(const toml::table& table, toml_reader::Diagnostics& diagnostics, ServerConfig& out);
void read_database(const toml::table& table, toml_reader::Diagnostics& diagnostics, DatabaseConfig& out);
void read_timers(const toml::table& table, toml_reader::Diagnostics& diagnostics, TimersConfig& out);
void read_idempotency(const toml::table& table, toml_reader::Diagnostics& diagnostics, IdempotencyConfig& out);
void read_log(const toml::table& table, toml_reader::Diagnostics& diagnostics, LogConfig& out);
void read_plugins(const toml::table& table, toml_reader::Diagnostics& diagnostics, PluginsConfig& out);
void read_demo(const toml::table& table, toml_reader::Diagnostics& diagnostics, DemoConfig& out);
void read_operator(const toml::table& table, toml_reader::Diagnostics& diagnostics, OperatorConfig& out);

}  // namespace billing::config::detail
