#include "terms.hpp"

#include <optional>

#include "names.hpp"

namespace otpdesk {
namespace {

using billing::sdk::Numbers;

// A term that must be present and at least `min`. Records the first problem in `why`.
std::optional<std::int64_t> term_at_least(const Numbers& terms, const char* name, std::int64_t min, std::string& why) {
    const auto found = terms.find(name);
    if (found == terms.end()) {
        if (why.empty()) {
            why = std::string("the order lacks its term ") + name;
        }
        return std::nullopt;
    }
    if (found->second < min) {
        if (why.empty()) {
            why = std::string("the order's term ") + name + " is " + std::to_string(found->second) + ", below " +
                  std::to_string(min);
        }
        return std::nullopt;
    }
    return found->second;
}

}  // namespace

Numbers to_numbers(const ActivationTerms& terms) {
    return Numbers{
        {term::window_ms, terms.window_ms},
        {term::cancel_from_ms, terms.cancel_from_ms},
    };
}

Numbers to_numbers(const RentalTerms& terms) {
    return Numbers{
        {term::cancel_window_ms, terms.cancel_window_ms},
        {term::duration_ms, terms.duration_ms},
        {term::max_duration_ms, terms.max_duration_ms},
        {term::price_per_day_minor, terms.price_per_day_minor},
    };
}

std::variant<ActivationTerms, std::string> read_activation_terms(const Numbers& terms) {
    std::string why;
    const auto window = term_at_least(terms, term::window_ms, 1, why);
    const auto cancel_from = term_at_least(terms, term::cancel_from_ms, 0, why);
    if (!window || !cancel_from) {
        return why;
    }
    if (*cancel_from >= *window) {
        return std::string("the order's cancel_from_ms is not inside its window_ms");
    }
    return ActivationTerms{*window, *cancel_from};
}

std::variant<RentalTerms, std::string> read_rental_terms(const Numbers& terms) {
    std::string why;
    const auto cancel_window = term_at_least(terms, term::cancel_window_ms, 1, why);
    const auto duration = term_at_least(terms, term::duration_ms, 1, why);
    const auto max_duration = term_at_least(terms, term::max_duration_ms, 1, why);
    const auto price_per_day = term_at_least(terms, term::price_per_day_minor, 0, why);
    if (!cancel_window || !duration || !max_duration || !price_per_day) {
        return why;
    }
    if (*duration > *max_duration) {
        return std::string("the order's duration_ms exceeds its max_duration_ms");
    }
    return RentalTerms{*cancel_window, *duration, *max_duration, *price_per_day};
}

}  // namespace otpdesk
