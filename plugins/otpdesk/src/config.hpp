// The typed, validated configuration of OTPDesk (config/otpdesk.toml). quote() reads the
// products' windows and prices; decide() works from the terms pinned on each order, so a new
// configuration changes new purchases and never the rights of an existing order. The one
// exception is CaseRules: how the tenant's support staff works (which refund reasons it
// records, when a dispute needs evidence) is the tenant's current process, not a term sold to
// the customer, so decide() reads it from the configuration in force.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

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
    std::int64_t window_ms = 0;                     // how long the number belongs to the customer
    std::int64_t cancel_from_ms = 0;                // earliest cancel, measured from the purchase
    MinorUnits default_minor = 0;                   // price when neither service nor country has one
    std::map<std::string, ServicePrices> services;  // key: lower-case service name
};

struct RentalConfig {
    std::int64_t min_hours = 0;
    std::int64_t max_hours = 0;
    std::int64_t cancel_window_ms = 0;  // cancel allowed before this, capture at it
    MinorUnits price_per_day_minor = 0;
};

// [support] and [disputes]: the rules of the tenant's support process.
struct CaseRules {
    std::vector<std::string> refund_reasons;  // each 1..64 of [a-z0-9_], no duplicates, not empty
    // A dispute needs evidence once the account's recent support refunds plus disputes reach
    // this many; 0: always.
    std::int64_t evidence_required_after = 0;
};

// The rules that apply until a configuration names its own (and when none was accepted yet).
[[nodiscard]] CaseRules default_case_rules();

struct Config {
    ActivationConfig activation;
    RentalConfig rental;
    CaseRules cases = default_case_rules();
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
inline constexpr const char* support_refund_reasons[] = {"number_already_registered", "requires_2fa", "provider_error",
                                                         "wrong_code"};
inline constexpr std::int64_t evidence_required_after = 2;
}  // namespace defaults

// Bounds that keep every derived number (prices times hours, windows in ms) far inside int64.
namespace limits {
inline constexpr std::int64_t window_s_max = 7 * 24 * 3600;       // a week
inline constexpr std::int64_t hours_max = 10 * 365 * 24;          // ten years
inline constexpr MinorUnits price_minor_max = 1'000'000'000'000;  // 10^12 minor units
inline constexpr std::size_t refund_reasons_max = 100;
inline constexpr std::size_t reason_bytes_max = 64;
inline constexpr std::int64_t evidence_required_after_max = 1000;
}  // namespace limits

// Every time a decision names is at most the longest window or rental after the purchase, which
// is at most the now the host gave: within the host's horizon (types.hpp), whatever the config.
static_assert(limits::hours_max * billing::sdk::ms_per_hour <= billing::sdk::horizon_ms &&
              limits::window_s_max * billing::sdk::ms_per_second <= billing::sdk::horizon_ms);

// Parses and validates a whole document. Returns the config, or every problem found, one per
// line, each as "source_name:line:col: what is wrong", in document order.
struct ParsedConfig {
    std::optional<Config> config;
    std::string errors;
};
[[nodiscard]] ParsedConfig parse_config(const std::string& toml_text, const std::string& source_name);

}  // namespace otpdesk
