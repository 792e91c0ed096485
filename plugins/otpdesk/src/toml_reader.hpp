// Reading a parsed TOML document into typed values with validation and positions: every
// problem is recorded as "source:line:col: what is wrong", unknown keys included.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace otpdesk {

// Collects configuration errors; the first few hundred are plenty for an operator.
class Diagnostics {
public:
    explicit Diagnostics(std::string source_name);

    void add(toml::source_position where, std::string what);
    [[nodiscard]] bool empty() const { return entries_.empty(); }
    // One error per line, in document order.
    [[nodiscard]] std::string text() const;

private:
    struct Entry {
        toml::source_index line = 0;
        toml::source_index column = 0;
        std::string what;
    };
    static constexpr std::size_t entries_max = 100;

    std::string source_name_;
    std::vector<Entry> entries_;
};

// An inclusive range of accepted integers.
struct IntRange {
    std::int64_t min = 0;
    std::int64_t max = 0;
};

// An integer taken from the document (or its default), with the position to blame for it.
struct IntField {
    std::int64_t value = 0;
    toml::source_position where{};  // the value, or its table when the default was taken
    bool from_document = false;
};

// Checks one node: an integer inside range, else records why not and returns nullopt.
[[nodiscard]] std::optional<std::int64_t> read_integer(const toml::node& node, const std::string& name,
                                                       IntRange range, Diagnostics& diagnostics);

// The position of a node, or 1:1 for nodes the parser made up without one.
[[nodiscard]] toml::source_position position_of(const toml::source_region& region);

// Reads the keys of one table. Every key asked for is remembered, present or not, so that
// refuse_unknown_keys() can report the rest.
class TableReader {
public:
    // path: the dotted name of the table, used in messages ("activation.prices"); "" for the root.
    TableReader(const toml::table& table, std::string path, Diagnostics& diagnostics);

    // An integer within range, or `fallback` when the key is absent.
    [[nodiscard]] IntField integer(std::string_view key, std::int64_t fallback, IntRange range);
    // An integer within range; nullopt when absent (an error if required) or invalid.
    [[nodiscard]] std::optional<IntField> required_integer(std::string_view key, IntRange range);
    [[nodiscard]] std::optional<IntField> optional_integer(std::string_view key, IntRange range);
    // Any node, for values of other shapes (arrays); nullptr when absent.
    [[nodiscard]] const toml::node* node(std::string_view key) { return lookup(key); }
    // A sub-table; nullptr when absent (an error if required) or not a table (always an error).
    [[nodiscard]] const toml::table* table(std::string_view key, bool required);

    // "path.key", for messages.
    [[nodiscard]] std::string name_of(std::string_view key) const;
    [[nodiscard]] toml::source_position where() const { return position_of(table_.source()); }

    // Records an error for each key of the table that no call above asked for.
    void refuse_unknown_keys() const;

private:
    const toml::node* lookup(std::string_view key);
    std::optional<IntField> integer_at(std::string_view key, const toml::node& node, IntRange range);

    const toml::table& table_;
    std::string path_;
    Diagnostics& diagnostics_;
    std::vector<std::string> known_;
};

// "an integer", "a string", ...: the TOML type of a node for messages.
[[nodiscard]] std::string_view describe_type(toml::node_type type);

}  // namespace otpdesk
