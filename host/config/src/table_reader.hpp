// Reads the keys of one TOML table into typed fields, checking type and range, and remembers
// which keys were asked for so that anything else in the table is refused as unknown. Every
// problem goes to the Diagnostics with the position of the offending key or value; the field
// keeps its default, so one pass reports all problems.
#pragma once

#include "diagnostics.hpp"

#include <toml++/toml.h>

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

namespace billing::config::detail {

// "an integer", "a string", ...: how an error message names what was found.
[[nodiscard]] std::string_view describe(const toml::node& node);

class TableReader {
public:
    // `path` is the table's key path in messages: "" for the root, "server", "plugins.policy[0]".
    TableReader(const toml::table& table, std::string path, Diagnostics& diagnostics);

    // The full key path of `key` in this table, e.g. "server.port".
    [[nodiscard]] std::string key_path(std::string_view key) const;

    // Each reader below accepts an absent key (the field keeps its default), marks the key as
    // known, and returns true only when the key was present and valid.
    template <std::integral T>
    bool integer(std::string_view key, T& out, std::type_identity_t<T> min, std::type_identity_t<T> max) {
        const std::optional<std::int64_t> value =
            integer_in(key, static_cast<std::int64_t>(min), static_cast<std::int64_t>(max));
        if (value) out = static_cast<T>(*value);
        return value.has_value();
    }
    bool boolean(std::string_view key, bool& out);
    // A string of 1..length_max bytes.
    bool string(std::string_view key, std::string& out, std::size_t length_max);
    // A file path, kept as written; the caller resolves it.
    bool path(std::string_view key, std::filesystem::path& out);
    // A string that must be the name of one of `allowed`.
    template <class E, std::size_t N>
    bool choice(std::string_view key, E& out, const std::array<E, N>& allowed) {
        std::array<std::string_view, N> names{};
        for (std::size_t i = 0; i < N; ++i) names[i] = to_string(allowed[i]);
        const std::optional<std::size_t> index = choice_index(key, names);
        if (index) out = allowed[*index];
        return index.has_value();
    }

    // A sub-table; nullptr when absent or (reported) not a table.
    [[nodiscard]] const toml::table* table(std::string_view key);
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
    std::optional<std::int64_t> integer_in(std::string_view key, std::int64_t min, std::int64_t max);
    std::optional<std::size_t> choice_index(std::string_view key, std::span<const std::string_view> names);
    const toml::node* string_node(std::string_view key, std::string_view expected);

    const toml::table& table_;
    std::string path_;
    Diagnostics& diagnostics_;
    std::vector<std::string> known_;  // in the order asked, which is the documented order
};

}  // namespace billing::config::detail
