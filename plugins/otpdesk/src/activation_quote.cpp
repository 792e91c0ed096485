#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "activation.hpp"
#include "arith.hpp"
#include "attributes.hpp"
#include "decision_parts.hpp"
#include "names.hpp"
#include "pricing.hpp"
#include "terms.hpp"

namespace otpdesk {
namespace {

using billing::sdk::Quote;

using Normaliser = std::optional<std::string> (*)(std::string_view);

// A required text attribute in stored form, or the refusal to return.
std::variant<std::string, Quote> required_name(const billing::sdk::Attributes& attributes, const char* key,
                                               Normaliser normalise, const char* expected) {
    const auto found = attributes.find(key);
    if (found == attributes.end()) {
        return billing::sdk::refuse(code::missing_attribute, std::string("activation requires the attribute ") + key);
    }
    std::optional<std::string> name = normalise(found->second);
    if (!name) {
        return billing::sdk::refuse(code::invalid_attribute,
                                    std::string(key) + " " + quoted(found->second) + " is not " + expected);
    }
    return std::move(*name);
}

}  // namespace

Quote quote_activation(const ActivationConfig& config, const billing::sdk::PurchaseRequest& request,
                       billing::sdk::UtcMs now_ms) {
    if (auto refusal = refuse_undeclared_fields(request, {attribute::service, attribute::country}, {})) {
        return std::move(*refusal);
    }
    auto service = required_name(request.attributes, attribute::service, normalise_service,
                                 "a service name (1 to 64 of a-z, 0-9, '_', '-')");
    if (auto* refusal = std::get_if<Quote>(&service)) {
        return std::move(*refusal);
    }
    auto country =
        required_name(request.attributes, attribute::country, normalise_country, "an ISO 3166 alpha-2 country code");
    if (auto* refusal = std::get_if<Quote>(&country)) {
        return std::move(*refusal);
    }
    const auto expire_at_ms = checked_add(now_ms, config.window_ms);
    if (!expire_at_ms) {
        return billing::sdk::refuse(code::invalid_time, "the window would end past the largest representable time");
    }

    Quote quote;
    quote.allowed = true;
    quote.code = code::ok;
    quote.price_minor = activation_price_minor(config, std::get<std::string>(service), std::get<std::string>(country));
    quote.terms = to_numbers(ActivationTerms{config.window_ms, config.cancel_from_ms});
    quote.state = state::active;
    quote.attributes = {{attribute::service, std::get<std::string>(service)},
                        {attribute::country, std::get<std::string>(country)}};
    quote.timers = {{timer::expire, *expire_at_ms}};
    return quote;
}

}  // namespace otpdesk
