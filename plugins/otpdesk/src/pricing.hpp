// Prices, in integer minor units only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config.hpp"

namespace otpdesk {

// The price of one activation: the service's price for the country, else the service's
// default, else the global default. service and country are in stored (lower-case) form.
[[nodiscard]] MinorUnits activation_price_minor(const ActivationConfig& config, const std::string& service,
                                                const std::string& country);

// The price of `hours` of rental at `price_per_day_minor` a day, prorated by the hour and
// rounded up to a whole minor unit: ceil(hours * price_per_day_minor / 24). nullopt when the
// product does not fit in int64 (the configuration limits keep that from happening).
[[nodiscard]] std::optional<MinorUnits> rental_price_minor(MinorUnits price_per_day_minor, std::int64_t hours);

}  // namespace otpdesk
