#include <string>
#include <utility>

#include "arith.hpp"
#include "decision_parts.hpp"
#include "names.hpp"
#include "pricing.hpp"
#include "rental.hpp"
#include "terms.hpp"

namespace otpdesk {

using billing::sdk::ms_per_hour;
using billing::sdk::Quote;

Quote quote_rental(const RentalConfig& config, const billing::sdk::PurchaseRequest& request,
                   billing::sdk::UtcMs now_ms) {
    if (auto refusal = refuse_undeclared_fields(request, {}, {number::duration_hours})) {
        return std::move(*refusal);
    }
    const auto found = request.numbers.find(number::duration_hours);
    if (found == request.numbers.end()) {
        return billing::sdk::refuse(code::missing_attribute, "rental requires the number duration_hours");
    }
    const std::int64_t hours = found->second;
    if (hours < config.min_hours || hours > config.max_hours) {
        return billing::sdk::refuse(code::invalid_duration,
                                    "duration_hours must be between " + std::to_string(config.min_hours) + " and " +
                                        std::to_string(config.max_hours) + ", not " + std::to_string(hours));
    }
    // Both products stay far inside int64: hours and max_hours are at most limits::hours_max.
    const RentalTerms terms{config.cancel_window_ms, hours * ms_per_hour, config.max_hours * ms_per_hour,
                            config.price_per_day_minor};
    const auto price = rental_price_minor(config.price_per_day_minor, hours);
    const auto capture_at_ms = checked_add(now_ms, terms.cancel_window_ms);
    const auto end_at_ms = checked_add(now_ms, terms.duration_ms);
    if (!price) {
        return billing::sdk::refuse(code::invalid_duration, "the price of this duration is out of range");
    }
    if (!capture_at_ms || !end_at_ms) {
        return billing::sdk::refuse(code::invalid_time, "the rental would end past the largest representable time");
    }

    Quote quote;
    quote.allowed = true;
    quote.code = code::ok;
    quote.price_minor = *price;
    quote.terms = to_numbers(terms);
    quote.state = state::active;
    quote.timers = {{timer::capture, *capture_at_ms}, {timer::end, *end_at_ms}};
    return quote;
}

}  // namespace otpdesk
