// [plugins] and its [[plugins.policy]] entries: each entry names one policy .so and its config.
#include "sections.hpp"

#include <billing/toml/reader.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace billing::config::detail {

using toml_reader::describe;
using toml_reader::Diagnostics;
using toml_reader::TableReader;

namespace {

constexpr std::size_t policy_name_bytes_max = 64;

// Names become URL segments (/admin/plugins/{name}/reload) and log fields: keep them plain.
bool is_policy_name(std::string_view name) {
    return !name.empty() && name.size() <= policy_name_bytes_max && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::string position_of(const toml::node& node) {
    const toml::source_position at = node.source().begin;
    return std::to_string(at.line) + ":" + std::to_string(at.column);
}

// Reads one entry; returns whether it is complete and valid (only those take part in the
// duplicate check, so one mistake is reported once).
bool read_policy(const toml::table& table, std::string path, Diagnostics& diagnostics, PolicyPluginConfig& out) {
    TableReader reader(table, std::move(path), diagnostics);
    bool ok = true;
    if (reader.require("name") && reader.string("name", out.name, policy_name_bytes_max)) {
        if (!is_policy_name(out.name)) {
            reader.report("name", *reader.node("name"),
                          "\"" + out.name + "\" is not allowed; a policy name is 1..64 characters from [a-z0-9_]");
            ok = false;
        }
    } else {
        ok = false;
    }
    ok = reader.require("file") && reader.path("file", out.file) && ok;
    ok = reader.require("config") && reader.path("config", out.config) && ok;
    reader.refuse_unknown_keys();
    return ok;
}

void read_policies(const toml::array& array, Diagnostics& diagnostics, PluginsConfig& out) {
    std::vector<const toml::node*> name_nodes;  // of the accepted entries, to point at the first
    for (std::size_t i = 0; i < array.size(); ++i) {
        const toml::node& element = array[i];
        const std::string path = "plugins.policy[" + std::to_string(i) + "]";
        const toml::table* table = element.as_table();
        if (table == nullptr) {
            diagnostics.add(element.source().begin,
                            path + ": expected a table ([[plugins.policy]]), got " + std::string(describe(element)));
            continue;
        }
        PolicyPluginConfig policy;
        if (!read_policy(*table, path, diagnostics, policy)) continue;
        const toml::node& name_node = *table->get("name");
        const auto first = std::find_if(name_nodes.begin(), name_nodes.end(), [&](const toml::node* seen) {
            return seen->as_string()->get() == policy.name;
        });
        if (first != name_nodes.end()) {
            diagnostics.add(name_node.source().begin, path + ".name: duplicate policy name \"" + policy.name +
                                                          "\" (first defined at " + position_of(**first) + ")");
            continue;
        }
        name_nodes.push_back(&name_node);
        out.policies.push_back(std::move(policy));
    }
}

}  // namespace

void read_plugins(const toml::table& table, Diagnostics& diagnostics, PluginsConfig& out) {
    TableReader reader(table, "plugins", diagnostics);
    reader.boolean("watch", out.watch);
    reader.integer<std::uint32_t>("watch_interval_ms", out.watch_interval_ms, 100, 60000);
    if (const toml::array* policies = reader.array("policy", "an array of tables ([[plugins.policy]])")) {
        read_policies(*policies, diagnostics, out);
    }
    reader.refuse_unknown_keys();
}

}  // namespace billing::config::detail
