// The typed, validated configuration of OTPDesk (config/otpdesk.toml). Only quote() reads it:
// decide() works from the terms pinned on each order, so a new configuration changes new
// purchases and never the rights of an existing order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "billing/sdk/types.hpp"

namespace otpdesk {

using billing::sdk::MinorUnits;

// Prices of one service. A country price wins over the service default, which wins over the
// global default.
struct ServicePrices {
    std::optional<MinorUnits> default_minor;
    std::map<std::string, MinorUnits> country_minor;  // key: lower-case ISO 3166 alpha-2
};

struct ActivationConfig {
    std::int64_t window_ms = 0;       // how long the number belongs to the customer
    std::int64_t cancel_from_ms = 0;  // earliest cancel, measured from the purchase
    MinorUnits default_minor = 0;     // price when neither service nor country has one
    std::map<std::string, ServicePrices> services;  // key: lower-case service name
};

struct RentalConfig {
    std::int64_t min_hours = 0;
    std::int64_t max_hours = 0;
    std::int64_t cancel_window_ms = 0;  // cancel allowed before this, capture at it
    MinorUnits price_per_day_minor = 0;
};

struct Config {
    ActivationConfig activation;
    RentalConfig rental;
};

// What a key that is left out means (config/otpdesk.toml documents each). Prices have no
// default: a forgotten price must refuse the configuration, not sell at some made-up amount.
// OTPDESK_ACTIVATION_WINDOW_DEFAULT_S is set only by the hot-swap tests' second version.
#ifndef OTPDESK_ACTIVATION_WINDOW_DEFAULT_S
#define OTPDESK_ACTIVATION_WINDOW_DEFAULT_S (20 * 60)
#endif
namespace defaults {
inline constexpr std::int64_t activation_window_s = OTPDESK_ACTIVATION_WINDOW_DEFAULT_S;
inline constexpr std::int64_t activation_cancel_from_s = 2 * 60;
inline constexpr std::int64_t rental_min_hours = 24;
inline constexpr std::int64_t rental_max_hours = 8 * 7 * 24;
inline constexpr std::int64_t rental_cancel_window_s = 20 * 60;
}  // namespace defaults

// Bounds that keep every derived number (prices times hours, windows in ms) far inside int64.
namespace limits {
inline constexpr std::int64_t window_s_max = 7 * 24 * 3600;    // a week
inline constexpr std::int64_t hours_max = 10 * 365 * 24;        // ten years
inline constexpr MinorUnits price_minor_max = 1'000'000'000'000;  // 10^12 minor units
}  // namespace limits

// Parses and validates a whole document. Returns the config, or every problem found, one per
// line, each as "source_name:line:col: what is wrong", in document order.
struct ParsedConfig {
    std::optional<Config> config;
    std::string errors;
};
[[nodiscard]] ParsedConfig parse_config(const std::string& toml_text, const std::string& source_name);

}  // namespace otpdesk
