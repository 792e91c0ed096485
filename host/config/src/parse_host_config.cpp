#include "parse_host_config.hpp"

#include "database_url.hpp"
#include "resolve_path.hpp"
#include "sections.hpp"

#include <billing/config/load.hpp>
#include <billing/toml/reader.hpp>

#include <string>
#include <utility>

namespace billing::config::detail {

namespace {

using toml_reader::Diagnostics;
using toml_reader::TableReader;

// One "file:line:col: key: what" per line, in file order (see toml_reader::Diagnostics::text).
Error to_error(const Diagnostics& diagnostics) { return Error{std::string(kConfigInvalid), diagnostics.text()}; }

void read_root(const toml::table& root, Diagnostics& diagnostics, HostConfig& out) {
    TableReader reader(root, "", diagnostics);
    if (const toml::table* t = reader.table("server")) read_server(*t, diagnostics, out.server);
    if (const toml::table* t = reader.table("database")) read_database(*t, diagnostics, out.database);
    if (const toml::table* t = reader.table("timers")) read_timers(*t, diagnostics, out.timers);
    if (const toml::table* t = reader.table("idempotency")) read_idempotency(*t, diagnostics, out.idempotency);
    if (const toml::table* t = reader.table("log")) read_log(*t, diagnostics, out.log);
    if (const toml::table* t = reader.table("plugins")) read_plugins(*t, diagnostics, out.plugins);
    if (const toml::table* t = reader.table("demo")) read_demo(*t, diagnostics, out.demo);
    if (const toml::table* t = reader.table("operator")) read_operator(*t, diagnostics, out.operator_);
    reader.refuse_unknown_keys();
}

// Done after reading, so that defaults (not only values from the file) resolve too.
void resolve_paths(HostConfig& config, const std::filesystem::path& base_dir) {
    DatabaseUrl url{config.database.backend, config.database.target};
    config.database.url = resolved_database_url(url, base_dir);
    config.database.target = std::move(url.target);
    for (PolicyPluginConfig& policy : config.plugins.policies) {
        policy.file = resolve_path(base_dir, policy.file);
        policy.config = resolve_path(base_dir, policy.config);
    }
    config.operator_.key_file = resolve_path(base_dir, config.operator_.key_file);
    config.demo.keys_file = resolve_path(base_dir, config.demo.keys_file);
}

}  // namespace

Result<HostConfig> parse_host_config_in(std::string_view toml_text, std::string_view source_name,
                                        const std::filesystem::path& base_dir) {
    Diagnostics diagnostics{std::string(source_name)};
    toml::table root;
    // toml++ (built with exceptions) reports syntax errors by throwing; they stop here and
    // become a Result like every other config problem.
    try {
        root = toml::parse(toml_text, source_name);
    } catch (const toml::parse_error& error) {
        diagnostics.add(error.source().begin, "syntax error: " + std::string(error.description()));
        return to_error(diagnostics);
    }

    HostConfig config;
    read_root(root, diagnostics, config);
    if (!diagnostics.empty()) return to_error(diagnostics);
    resolve_paths(config, base_dir);
    return config;
}

}  // namespace billing::config::detail
