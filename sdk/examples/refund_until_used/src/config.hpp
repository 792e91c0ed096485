// The policy's configuration, parsed once from refund_until_used.toml into a typed struct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "billing/sdk/types.hpp"

namespace refund_until_used {

namespace limits {
inline constexpr billing::sdk::MinorUnits price_minor_max = 1'000'000'000'000;  // 10^10 USD
inline constexpr std::int64_t valid_days_max = 3650;                            // ten years
}  // namespace limits

struct Config {
    billing::sdk::MinorUnits price_minor = 0;
    std::int64_t valid_ms = 0;  // 0: vouchers never expire
};

// The configuration, or (when config is empty) every problem found, one per line, each as
// "source:line:col: key: what is wrong".
struct ParsedConfig {
    std::optional<Config> config;
    std::string errors;
};

[[nodiscard]] ParsedConfig parse_config(const std::string& toml_text, const std::string& source_name);

}  // namespace refund_until_used
