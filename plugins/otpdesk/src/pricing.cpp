#include "pricing.hpp"

#include "arith.hpp"

namespace otpdesk {

MinorUnits activation_price_minor(const ActivationConfig& config, const std::string& service,
                                  const std::string& country) {
    const auto found_service = config.services.find(service);
    if (found_service == config.services.end()) {
        return config.default_minor;
    }
    const ServicePrices& prices = found_service->second;
    if (const auto found_country = prices.country_minor.find(country); found_country != prices.country_minor.end()) {
        return found_country->second;
    }
    return prices.default_minor.value_or(config.default_minor);
}

std::optional<MinorUnits> rental_price_minor(MinorUnits price_per_day_minor, std::int64_t hours) {
    constexpr std::int64_t hours_per_day = 24;
    if (price_per_day_minor < 0 || hours < 0) {
        return std::nullopt;
    }
    const auto total = checked_mul(price_per_day_minor, hours);
    if (!total) {
        return std::nullopt;
    }
    return ceil_div(*total, hours_per_day);
}

}  // namespace otpdesk
