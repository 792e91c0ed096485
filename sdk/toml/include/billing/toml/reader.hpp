// The SDK's typed TOML reader: a configuration document (a policy's, a conformance declaration,
// the host's own billing.toml) read into typed fields, with every problem reported as one line
//
//     file:line:col: key: what is wrong
//
// e.g. "otpdesk.toml:2:12: activation.window_s: 0 is out of range; allowed 1..604800 (seconds)".
// Unknown keys are refused, integers are range-checked, a float is never taken for an integer,
// and one pass reports every problem in file order.
//
// It is a static library (BillingSDK::toml_reader) compiled into the plugin: none of its types
// cross the plugin boundary, so it is not part of the ABI that abi.hpp versions.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <toml++/toml.h>

#include "billing/sdk/types.hpp"

namespace billing::toml_reader {

// `text` with its control characters written as escapes (\n, \r, \t, \xNN), so that a value
// quoted in a message cannot break the one-problem-per-line form.
[[nodiscard]] std::string one_line(std::string_view text);

// "an integer", "a string", ...: how a message names what was found.
[[nodiscard]] std::string_view describe(const toml::node& node);

// Every problem found in one document, each tied to its position.
class Diagnostics {
public:
    explicit Diagnostics(std::string source_name);

    // `what` starts with the key path: "server.port: 65536 is out of range; allowed 0..65535".
    void add(const toml::source_position& at, const std::string& what);
    // The same, with the key path given apart: add(at, "rental.max_hours", "must be ...").
    void add(const toml::source_position& at, std::string_view key_path, std::string_view what);

    [[nodiscard]] bool empty() const { return problems_.empty(); }
    [[nodiscard]] const std::string& source_name() const { return source_name_; }

    // One "file:line:col: what" per line, sorted by position. A broken file can have many
    // problems; past a bound the rest are counted rather than listed.
    [[nodiscard]] std::string text() const;

private:
    struct Problem {
        toml::source_position at;
        std::string what;
    };

    static constexpr std::size_t listed_max_ = 50;

    std::string source_name_;
    std::vector<Problem> problems_;
};

// The document, or nullopt with its syntax error recorded ("syntax error: <toml++'s words>").
[[nodiscard]] std::optional<toml::table> parse(std::string_view text, Diagnostics& diagnostics);

// The position of a node; 1:1 for a node the parser made up without one.
[[nodiscard]] toml::source_position position_of(const toml::node& node);

// An inclusive range of accepted integers.
struct Range {
    std::int64_t min = 0;
    std::int64_t max = 0;
};

// The unit a duration key is written in (its name says which: window_s, max_hours, valid_days).
enum class TimeUnit : std::int64_t { seconds = sdk::ms_per_second, hours = sdk::ms_per_hour, days = sdk::ms_per_day };

// A whole number of `unit`s, as written; ms() cannot overflow: the reader's range bounds it.
struct Duration {
    std::int64_t count = 0;
    TimeUnit unit = TimeUnit::seconds;
    [[nodiscard]] constexpr std::int64_t ms() const { return count * static_cast<std::int64_t>(unit); }
};

// A value read from the document (or its default) and the position to blame for it: the value,
// or its table when the default was taken.
template <class T>
struct Located {
    T value{};
    toml::source_position at{};
    bool written = false;  // in the document, not the default
};

// One side of a conflict between two keys: the value, its key path, and what is wrong said from
// that key's point of view ("1200 must be less than activation.window_s (1200)").
template <class T>
struct Side {
    const Located<T>& field;
    std::string_view key_path;
    std::string says;
};

enum class Presence { optional, required };

// An integer node within `range`, else the problem recorded under `key_path` and nullopt.
// `unit` ("seconds", "minor units") is named in the message when given.
[[nodiscard]] std::optional<std::int64_t> integer_value(const toml::node& node, std::string_view key_path, Range range,
                                                        Diagnostics& diagnostics, std::string_view unit = {});

// Reports a conflict between two keys at the one the operator wrote (the first when both or
// neither were), in that key's words.
template <class A, class B>
void report_conflict(Diagnostics& diagnostics, const Side<A>& first, const Side<B>& other) {
    if (first.field.written || !other.field.written) {
        diagnostics.add(first.field.at, first.key_path, first.says);
    } else {
        diagnostics.add(other.field.at, other.key_path, other.says);
    }
}

// Reads the keys of one table. Every key asked for is remembered, present or not, so that
// refuse_unknown_keys() reports the rest. Each reader accepts an absent key unless told it is
// required; a problem is recorded at the offending value and the field keeps its default.
class TableReader {
public:
    // `path` is the table's key path in messages: "" for the root, "server", "plugins.policy[0]".
    TableReader(const toml::table& table, std::string path, Diagnostics& diagnostics);

    // The full key path of `key` in this table, e.g. "server.port".
    [[nodiscard]] std::string key_path(std::string_view key) const;
    // The table's own position: where a missing key is reported.
    [[nodiscard]] toml::source_position where() const;

    // Each of these returns true only when the key was present and valid, and then sets `out`.
    template <std::integral T>
    bool integer(std::string_view key, T& out, std::type_identity_t<T> min, std::type_identity_t<T> max) {
        const auto value = located_integer(key, Range{static_cast<std::int64_t>(min), static_cast<std::int64_t>(max)},
                                           Presence::optional, {});
        if (value) out = static_cast<T>(value->value);
        return value.has_value();
    }
    bool boolean(std::string_view key, bool& out);
    // A string of 1..length_max bytes.
    bool string(std::string_view key, std::string& out, std::size_t length_max);
    // A file path, kept as written; the caller resolves it.
    bool path(std::string_view key, std::filesystem::path& out);
    // A string that must be the name of one of `allowed` (found by an unqualified to_string).
    template <class E, std::size_t N>
    bool choice(std::string_view key, E& out, const std::array<E, N>& allowed) {
        std::array<std::string_view, N> names{};
        for (std::size_t i = 0; i < N; ++i) names[i] = to_string(allowed[i]);
        const std::optional<std::size_t> index = choice_index(key, names);
        if (index) out = allowed[*index];
        return index.has_value();
    }

    // Typed values with their positions, for cross-checks between keys. Absent and optional:
    // nullopt, nothing recorded; absent and required: nullopt, reported at the table.
    [[nodiscard]] std::optional<Located<std::int64_t>> integer(std::string_view key, Range range, Presence presence);
    [[nodiscard]] Located<std::int64_t> integer_or(std::string_view key, std::int64_t fallback, Range range);
    // A whole number of `unit`s within `range` (in those units). Throws std::logic_error when
    // range.max in milliseconds does not fit in 64 bits: a mistake in the plugin, not the file.
    [[nodiscard]] std::optional<Located<Duration>> duration(std::string_view key, TimeUnit unit, Range range,
                                                            Presence presence);
    [[nodiscard]] Located<Duration> duration_or(std::string_view key, TimeUnit unit, std::int64_t fallback,
                                                Range range);
    // An amount of money in minor units (cents), an integer in 0..max.
    [[nodiscard]] std::optional<Located<sdk::MinorUnits>> money(std::string_view key, sdk::MinorUnits max,
                                                                Presence presence);
    // An array of strings, each checked by `accept` (which reports its own problems and returns
    // false to drop an item); nullopt when absent or (reported) not an array of strings.
    template <class Accept>
    std::optional<std::vector<std::string>> strings(std::string_view key, Accept accept) {
        const toml::array* items = array(key, "an array of strings");
        if (items == nullptr) return std::nullopt;
        std::vector<std::string> out;
        for (const toml::node& item : *items) {
            const auto* text = item.as_string();
            if (text == nullptr) {
                report(key, item, "expected a string, got " + std::string(describe(item)));
            } else if (accept(item, text->get())) {
                out.push_back(text->get());
            }
        }
        return out;
    }

    // A sub-table; nullptr when absent or (reported) not a table.
    [[nodiscard]] const toml::table* table(std::string_view key);
    // The same, and a missing table is reported.
    [[nodiscard]] const toml::table* required_table(std::string_view key);
    // An array; nullptr when absent or (reported) not an array.
    [[nodiscard]] const toml::array* array(std::string_view key, std::string_view expected);
    // The raw node, for checks the typed readers do not cover; nullptr when absent.
    [[nodiscard]] const toml::node* node(std::string_view key);

    // Reports a required key that is absent, at the position of the table itself.
    bool require(std::string_view key);

    // Reports a problem with the value of `key` at the value's position.
    void report(std::string_view key, const toml::node& value, std::string_view what);

    // Reports every key of the table that no reader asked for, naming the allowed ones.
    void refuse_unknown_keys();

private:
    std::optional<Located<std::int64_t>> located_integer(std::string_view key, Range range, Presence presence,
                                                         std::string_view unit);
    std::optional<std::size_t> choice_index(std::string_view key, std::span<const std::string_view> names);
    const toml::node* string_node(std::string_view key, std::string_view expected);
    void report_missing(std::string_view key, std::string_view what);

    const toml::table& table_;
    std::string path_;
    Diagnostics& diagnostics_;
    std::vector<std::string> known_;  // in the order asked, which is the documented order
};

}  // namespace billing::toml_reader
