// Shared by the config tests: parse a TOML text under a fixed file name and get its error.
#pragma once

#include <billing/config/load.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace billing::config::testing {

// Messages start with this name; expected positions are counted in the test's own text.
inline constexpr std::string_view test_file = "test.toml";

inline Result<HostConfig> parse(std::string_view text) { return parse_host_config(text, test_file); }

// The whole error message, or a marker that makes any message assertion fail.
inline std::string error_of(std::string_view text) {
    const Result<HostConfig> result = parse(text);
    if (result.ok()) return "<no error: the text was accepted>";
    EXPECT_EQ(result.error().code, kConfigInvalid);
    return result.error().message;
}

// "test.toml:LINE:COL: " -- the prefix every message about that position starts with.
inline std::string at(int line, int column) {
    return std::string(test_file) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

}  // namespace billing::config::testing
