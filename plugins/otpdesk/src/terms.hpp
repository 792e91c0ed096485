// The terms pinned on an order at purchase (Quote::terms, then OrderView::terms). quote() writes
// them from the configuration of the day; decide() reads them back and never looks at the
// configuration, so an order keeps the rights it was sold with.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "billing/sdk/types.hpp"

namespace otpdesk {

struct ActivationTerms {
    std::int64_t window_ms = 0;       // the number is the customer's for this long
    std::int64_t cancel_from_ms = 0;  // cancel is possible from here until the window ends
};

struct RentalTerms {
    std::int64_t cancel_window_ms = 0;  // cancel is possible before this; capture at it
    std::int64_t duration_ms = 0;       // the rented time
    // What an extension (a later event type) may use: the longest total rental and its price.
    std::int64_t max_duration_ms = 0;
    billing::sdk::MinorUnits price_per_day_minor = 0;
};

[[nodiscard]] billing::sdk::Numbers to_numbers(const ActivationTerms& terms);
[[nodiscard]] billing::sdk::Numbers to_numbers(const RentalTerms& terms);

// The terms of an order, or why they cannot be (a missing term, a window that is no window).
// The reason goes into an invalid_order denial.
[[nodiscard]] std::variant<ActivationTerms, std::string> read_activation_terms(const billing::sdk::Numbers& terms);
[[nodiscard]] std::variant<RentalTerms, std::string> read_rental_terms(const billing::sdk::Numbers& terms);

}  // namespace otpdesk
