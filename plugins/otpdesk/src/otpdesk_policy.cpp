#include "otpdesk_policy.hpp"

#include <utility>
#include <variant>

#include "activation.hpp"
#include "attributes.hpp"
#include "names.hpp"
#include "order_facts.hpp"
#include "rental.hpp"

namespace otpdesk {

using billing::sdk::Decision;

billing::sdk::PolicyInfo OtpDeskPolicy::info() const { return otpdesk_policy_info(); }

billing::sdk::ConfigResult OtpDeskPolicy::configure(const std::string& toml_text, const std::string& source_name) {
    ParsedConfig parsed = parse_config(toml_text, source_name);
    if (!parsed.config) {
        return billing::sdk::ConfigResult{false, std::move(parsed.errors)};
    }
    config_ = std::move(*parsed.config);
    return billing::sdk::ConfigResult{true, source_name + ": configured"};
}

billing::sdk::Quote OtpDeskPolicy::quote(const billing::sdk::PurchaseRequest& request,
                                         const billing::sdk::Context& context) const {
    if (!config_) {
        return billing::sdk::refuse(code::not_configured, "otpdesk has no configuration yet");
    }
    if (request.product == product::activation) {
        return quote_activation(config_->activation, request, context.now_ms);
    }
    if (request.product == product::rental) {
        return quote_rental(config_->rental, request, context.now_ms);
    }
    return billing::sdk::refuse(code::unknown_product, "otpdesk sells no product " + quoted(request.product));
}

Decision OtpDeskPolicy::decide(const billing::sdk::OrderView& order, const billing::sdk::Event& event,
                               const billing::sdk::Context& context) const {
    const auto facts = read_order_facts(order, context);
    if (const auto* denial = std::get_if<Decision>(&facts)) {
        return *denial;
    }
    // Until a configuration is accepted, the default case rules (the host configures before it
    // asks anything; this keeps decide() total).
    const CaseRules rules = config_ ? config_->cases : default_case_rules();
    if (order.product == product::activation) {
        return decide_activation(order, std::get<OrderFacts>(facts), event, context, rules);
    }
    if (order.product == product::rental) {
        return decide_rental(order, std::get<OrderFacts>(facts), event, context, rules);
    }
    return billing::sdk::deny(code::invalid_order, "otpdesk sells no product " + quoted(order.product));
}

}  // namespace otpdesk
