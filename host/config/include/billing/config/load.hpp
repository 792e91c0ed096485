// Reading the host configuration: parse once, validate everything, hand back typed structs.
//
// Every problem is reported as "file:line:col: key.path: what is wrong (and what is allowed)",
// one per line, in file order: unknown keys at any level, wrong types (a float where an integer
// is expected is refused, never truncated), values out of range, unknown enum values, database
// url schemes, duplicate or incomplete [[plugins.policy]] entries, and TOML syntax errors.
//
// Relative paths in the file (the sqlite3 file in database.url, plugins.policy.file,
// plugins.policy.config, operator.key_file) are resolved against the directory of the config
// file, so the host behaves the same whatever its working directory. Files are not opened
// here: whoever uses a path reports its absence.
#pragma once

#include <billing/config/host_config.hpp>
#include <billing/core/result.hpp>

#include <filesystem>
#include <string_view>

namespace billing::config {

// Error codes of the Result<HostConfig> below.
inline constexpr std::string_view kConfigNotFound = "config_not_found";     // no such file
inline constexpr std::string_view kConfigUnreadable = "config_unreadable";  // not a readable file
inline constexpr std::string_view kConfigInvalid = "config_invalid";        // syntax or validation

// Reads and parses `file`. Messages name the file as given; relative paths in it resolve against
// its absolute directory.
[[nodiscard]] Result<HostConfig> load_host_config(const std::filesystem::path& file);

// Parses text already in memory. `source_name` is used in messages, and its directory part is
// the base for relative paths (a bare name like "billing.toml" leaves them relative).
[[nodiscard]] Result<HostConfig> parse_host_config(std::string_view toml_text, std::string_view source_name);

}  // namespace billing::config
