// TableReader: the typed readers of one table's keys.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "billing/toml/reader.hpp"

namespace billing::toml_reader {

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

std::string_view unit_name(TimeUnit unit) {
    switch (unit) {
        case TimeUnit::seconds: return "seconds";
        case TimeUnit::hours: return "hours";
        case TimeUnit::days: return "days";
    }
    return "";
}

// The range of a duration key, which must not reach past 64 bits in milliseconds.
Range duration_range(TimeUnit unit, Range range) {
    if (range.min < 0 || range.max > std::numeric_limits<std::int64_t>::max() / static_cast<std::int64_t>(unit)) {
        throw std::logic_error("duration range " + std::to_string(range.min) + ".." + std::to_string(range.max) + " " +
                               std::string(unit_name(unit)) + " does not fit in 64-bit milliseconds");
    }
    return range;
}

}  // namespace

std::optional<std::int64_t> integer_value(const toml::node& node, std::string_view key_path, Range range,
                                          Diagnostics& diagnostics, std::string_view unit) {
    std::string allowed = std::to_string(range.min) + ".." + std::to_string(range.max);
    if (!unit.empty()) allowed += " (" + std::string(unit) + ")";
    // A float is refused rather than truncated: "port = 80.5" is a mistake, not a port.
    const auto* integer = node.as_integer();
    if (integer == nullptr) {
        diagnostics.add(position_of(node), key_path,
                        "expected an integer in " + allowed + ", got " + std::string(describe(node)));
        return std::nullopt;
    }
    const std::int64_t value = integer->get();
    if (value < range.min || value > range.max) {
        diagnostics.add(position_of(node), key_path, std::to_string(value) + " is out of range; allowed " + allowed);
        return std::nullopt;
    }
    return value;
}

TableReader::TableReader(const toml::table& table, std::string path, Diagnostics& diagnostics)
    : table_(table), path_(std::move(path)), diagnostics_(diagnostics) {}

std::string TableReader::key_path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

toml::source_position TableReader::where() const { return position_of(table_); }

const toml::node* TableReader::node(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    return table_.get(key);
}

void TableReader::report(std::string_view key, const toml::node& value, std::string_view what) {
    diagnostics_.add(position_of(value), key_path(key), what);
}

void TableReader::report_missing(std::string_view key, std::string_view what) {
    const std::string in = path_.empty() ? "at the top level" : "in [" + path_ + "]";
    diagnostics_.add(where(), key_path(key), "required " + std::string(what) + " is missing " + in);
}

std::optional<Located<std::int64_t>> TableReader::located_integer(std::string_view key, Range range, Presence presence,
                                                                  std::string_view unit) {
    const toml::node* found = node(key);
    if (found == nullptr) {
        if (presence == Presence::required) report_missing(key, "key");
        return std::nullopt;
    }
    const auto value = integer_value(*found, key_path(key), range, diagnostics_, unit);
    if (!value) return std::nullopt;
    return Located<std::int64_t>{*value, position_of(*found), true};
}

std::optional<Located<std::int64_t>> TableReader::integer(std::string_view key, Range range, Presence presence) {
    return located_integer(key, range, presence, {});
}

Located<std::int64_t> TableReader::integer_or(std::string_view key, std::int64_t fallback, Range range) {
    if (auto value = located_integer(key, range, Presence::optional, {})) return *value;
    // Absent or invalid: the default keeps later cross-checks quiet; an invalid value has
    // already been reported and the whole document is refused anyway.
    return Located<std::int64_t>{fallback, where(), false};
}

std::optional<Located<Duration>> TableReader::duration(std::string_view key, TimeUnit unit, Range range,
                                                       Presence presence) {
    const auto value = located_integer(key, duration_range(unit, range), presence, unit_name(unit));
    if (!value) return std::nullopt;
    return Located<Duration>{Duration{value->value, unit}, value->at, true};
}

Located<Duration> TableReader::duration_or(std::string_view key, TimeUnit unit, std::int64_t fallback, Range range) {
    if (auto value = duration(key, unit, range, Presence::optional)) return *value;
    return Located<Duration>{Duration{fallback, unit}, where(), false};
}

std::optional<Located<sdk::MinorUnits>> TableReader::money(std::string_view key, sdk::MinorUnits max,
                                                           Presence presence) {
    return located_integer(key, Range{0, max}, presence, "minor units");
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
        report(key, *found,
               "must be 1.." + std::to_string(length_max) + " bytes long, got " + std::to_string(value.size()));
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
        report(key, *found,
               "a file path must be 1.." + std::to_string(path_bytes_max) + " bytes long, got " +
                   std::to_string(value.size()));
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

std::optional<std::size_t> TableReader::choice_index(std::string_view key, std::span<const std::string_view> names) {
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

const toml::table* TableReader::required_table(std::string_view key) {
    if (node(key) == nullptr) {
        report_missing(key, "table");
        return nullptr;
    }
    return table(key);
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
    report_missing(key, "key");
    return false;
}

void TableReader::refuse_unknown_keys() {
    std::vector<std::string_view> allowed(known_.begin(), known_.end());
    const std::string where = path_.empty() ? "at the top level" : "in [" + path_ + "]";
    for (auto&& [key, value] : table_) {
        if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
        const toml::source_position at = key.source().begin ? key.source().begin : position_of(value);
        diagnostics_.add(at, key_path(key.str()), "unknown key; allowed " + where + ": " + joined(allowed, ", "));
    }
}

}  // namespace billing::toml_reader
