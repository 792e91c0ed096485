#include "toml_reader.hpp"

#include <algorithm>
#include <utility>

namespace otpdesk {

namespace {

// One problem is one line that starts with file:line:col, so the control characters of a name
// quoted in `what` (or of what toml++ saw) are written as escapes.
std::string one_line(const std::string& what) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(what.size());
    for (const char c : what) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += "\\x";
            out += hex[byte >> 4];
            out += hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

}  // namespace

Diagnostics::Diagnostics(std::string source_name) : source_name_(std::move(source_name)) {}

void Diagnostics::add(toml::source_position where, std::string what) {
    if (entries_.size() < entries_max) {
        entries_.push_back(Entry{where.line, where.column, one_line(what)});
    }
}

std::string Diagnostics::text() const {
    // toml++ hands out table entries in key order, not document order; an operator reads
    // errors top to bottom, so sort them by position (stably: same position, found first).
    std::vector<Entry> sorted = entries_;
    std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) {
        return a.line != b.line ? a.line < b.line : a.column < b.column;
    });
    std::string text;
    for (const Entry& entry : sorted) {
        if (!text.empty()) {
            text += '\n';
        }
        text += source_name_ + ':' + std::to_string(entry.line) + ':' + std::to_string(entry.column) +
                ": " + entry.what;
    }
    return text;
}

toml::source_position position_of(const toml::source_region& region) {
    if (!region.begin) {
        return toml::source_position{1, 1};
    }
    return region.begin;
}

std::string_view describe_type(toml::node_type type) {
    switch (type) {
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

std::optional<std::int64_t> read_integer(const toml::node& node, const std::string& name, IntRange range,
                                         Diagnostics& diagnostics) {
    const toml::source_position where = position_of(node.source());
    const auto* integer = node.as_integer();
    if (integer == nullptr) {
        diagnostics.add(where, name + " must be an integer, not " + std::string(describe_type(node.type())));
        return std::nullopt;
    }
    const std::int64_t value = integer->get();
    if (value < range.min || value > range.max) {
        diagnostics.add(where, name + " must be between " + std::to_string(range.min) + " and " +
                                   std::to_string(range.max) + ", not " + std::to_string(value));
        return std::nullopt;
    }
    return value;
}

TableReader::TableReader(const toml::table& table, std::string path, Diagnostics& diagnostics)
    : table_(table), path_(std::move(path)), diagnostics_(diagnostics) {}

std::string TableReader::name_of(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + '.' + std::string(key);
}

const toml::node* TableReader::lookup(std::string_view key) {
    known_.emplace_back(key);
    return table_.get(key);
}

IntField TableReader::integer(std::string_view key, std::int64_t fallback, IntRange range) {
    if (auto field = optional_integer(key, range)) {
        return *field;
    }
    // Absent or invalid: the default keeps later cross-checks quiet; an invalid value has
    // already been reported and the whole document is refused anyway.
    return IntField{fallback, where(), false};
}

std::optional<IntField> TableReader::required_integer(std::string_view key, IntRange range) {
    const toml::node* node = lookup(key);
    if (node == nullptr) {
        diagnostics_.add(where(), "missing required key " + name_of(key));
        return std::nullopt;
    }
    return integer_at(key, *node, range);
}

std::optional<IntField> TableReader::optional_integer(std::string_view key, IntRange range) {
    const toml::node* node = lookup(key);
    if (node == nullptr) {
        return std::nullopt;
    }
    return integer_at(key, *node, range);
}

std::optional<IntField> TableReader::integer_at(std::string_view key, const toml::node& node, IntRange range) {
    const auto value = read_integer(node, name_of(key), range, diagnostics_);
    if (!value) {
        return std::nullopt;
    }
    return IntField{*value, position_of(node.source()), true};
}

const toml::table* TableReader::table(std::string_view key, bool required) {
    const toml::node* node = lookup(key);
    if (node == nullptr) {
        if (required) {
            diagnostics_.add(where(), "missing required table [" + name_of(key) + "]");
        }
        return nullptr;
    }
    const toml::table* sub = node->as_table();
    if (sub == nullptr) {
        diagnostics_.add(position_of(node->source()),
                         name_of(key) + " must be a table, not " + std::string(describe_type(node->type())));
    }
    return sub;
}

void TableReader::refuse_unknown_keys() const {
    for (auto&& [key, node] : table_) {
        (void)node;
        if (std::find(known_.begin(), known_.end(), key.str()) == known_.end()) {
            diagnostics_.add(position_of(key.source()), "unknown key " + name_of(key.str()));
        }
    }
}

}  // namespace otpdesk
