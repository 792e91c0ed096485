#include "table_reader.hpp"

#include <algorithm>
#include <utility>

namespace billing::config::detail {

namespace {

// A path longer than this is a mistake (PATH_MAX on Linux), not a path.
constexpr std::size_t path_bytes_max = 4096;

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

std::string joined(std::span<const std::string_view> names, std::string_view separator) {
    std::string out;
    for (const std::string_view name : names) {
        if (!out.empty()) out += separator;
        out += name;
    }
    return out;
}

}  // namespace

std::string_view describe(const toml::node& node) {
    switch (node.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a floating-point number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

TableReader::TableReader(const toml::table& table, std::string path, Diagnostics& diagnostics)
    : table_(table), path_(std::move(path)), diagnostics_(diagnostics) {}

std::string TableReader::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* TableReader::node(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    return table_.get(key);
}

void TableReader::report(std::string_view key, const toml::node& value, std::string_view what) {
    diagnostics_.add(value.source().begin, key_path(key) + ": " + std::string(what));
}

std::optional<std::int64_t> TableReader::integer_in(std::string_view key, std::int64_t min,
                                                    std::int64_t max) {
    const toml::node* found = node(key);
    if (found == nullptr) return std::nullopt;
    const std::string range = std::to_string(min) + ".." + std::to_string(max);
    // A float is refused rather than truncated: "port = 80.5" is a mistake, not a port.
    const auto* integer = found->as_integer();
    if (integer == nullptr) {
        report(key, *found, "expected an integer in " + range + ", got " + std::string(describe(*found)));
        return std::nullopt;
    }
    const std::int64_t value = integer->get();
    if (value < min || value > max) {
        report(key, *found, std::to_string(value) + " is out of range; allowed " + range);
        return std::nullopt;
    }
    return value;
}

bool TableReader::boolean(std::string_view key, bool& out) {
    const toml::node* found = node(key);
    if (found == nullptr) return false;
    const auto* value = found->as_boolean();
    if (value == nullptr) {
        report(key, *found, "expected a boolean (true or false), got " + std::string(describe(*found)));
        return false;
    }
    out = value->get();
    return true;
}

const toml::node* TableReader::string_node(std::string_view key, std::string_view expected) {
    const toml::node* found = node(key);
    if (found == nullptr) return nullptr;
    if (!found->is_string()) {
        report(key, *found, "expected " + std::string(expected) + ", got " + std::string(describe(*found)));
        return nullptr;
    }
    return found;
}

bool TableReader::string(std::string_view key, std::string& out, std::size_t length_max) {
    const toml::node* found = string_node(key, "a string");
    if (found == nullptr) return false;
    const std::string& value = found->as_string()->get();
    if (value.empty() || value.size() > length_max) {
        report(key, *found, "must be 1.." + std::to_string(length_max) + " bytes long, got " +
                                std::to_string(value.size()));
        return false;
    }
    out = value;
    return true;
}

bool TableReader::path(std::string_view key, std::filesystem::path& out) {
    const toml::node* found = string_node(key, "a string (a file path)");
    if (found == nullptr) return false;
    const std::string& value = found->as_string()->get();
    if (value.empty() || value.size() > path_bytes_max) {
        report(key, *found, "a file path must be 1.." + std::to_string(path_bytes_max) +
                                " bytes long, got " + std::to_string(value.size()));
        return false;
    }
    // TOML allows "\u0000"; the operating system would silently cut the path there.
    if (value.find('\0') != std::string::npos) {
        report(key, *found, "a file path must not contain a NUL character");
        return false;
    }
    out = value;
    return true;
}

std::optional<std::size_t> TableReader::choice_index(std::string_view key,
                                                     std::span<const std::string_view> names) {
    const std::string allowed = joined(names, "|");
    const toml::node* found = string_node(key, "a string, one of " + allowed);
    if (found == nullptr) return std::nullopt;
    const std::string& value = found->as_string()->get();
    const auto match = std::find(names.begin(), names.end(), value);
    if (match == names.end()) {
        report(key, *found, in_quotes(value) + " is not allowed; allowed values: " + allowed);
        return std::nullopt;
    }
    return static_cast<std::size_t>(match - names.begin());
}

const toml::table* TableReader::table(std::string_view key) {
    const toml::node* found = node(key);
    if (found == nullptr) return nullptr;
    if (!found->is_table()) {
        report(key, *found, "expected a table, got " + std::string(describe(*found)));
        return nullptr;
    }
    return found->as_table();
}

const toml::array* TableReader::array(std::string_view key, std::string_view expected) {
    const toml::node* found = node(key);
    if (found == nullptr) return nullptr;
    if (!found->is_array()) {
        report(key, *found, "expected " + std::string(expected) + ", got " + std::string(describe(*found)));
        return nullptr;
    }
    return found->as_array();
}

bool TableReader::require(std::string_view key) {
    if (node(key) != nullptr) return true;
    const std::string where = path_.empty() ? "the top level" : "[" + path_ + "]";
    diagnostics_.add(table_.source().begin, key_path(key) + ": required key is missing in " + where);
    return false;
}

void TableReader::refuse_unknown_keys() {
    std::vector<std::string_view> allowed(known_.begin(), known_.end());
    const std::string where = path_.empty() ? "at the top level" : "in [" + path_ + "]";
    for (auto&& [key, value] : table_) {
        if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
        diagnostics_.add(key.source().begin, key_path(key.str()) + ": unknown key; allowed " + where +
                                                 ": " + joined(allowed, ", "));
    }
}

}  // namespace billing::config::detail
