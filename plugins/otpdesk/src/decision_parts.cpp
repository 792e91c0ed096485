#include "decision_parts.hpp"

#include <string>

#include "arith.hpp"
#include "attributes.hpp"
#include "names.hpp"

namespace otpdesk {

using billing::sdk::Decision;
using billing::sdk::MoneyMove;
using billing::sdk::MoveKind;

void refund_all_held(Decision& decision, const OrderFacts& facts) {
    if (facts.held_minor > 0) {
        decision.moves.push_back(MoneyMove{MoveKind::refund, facts.held_minor});
    }
}

void capture_all_held(Decision& decision, const OrderFacts& facts) {
    if (facts.held_minor > 0) {
        decision.moves.push_back(MoneyMove{MoveKind::capture, facts.held_minor});
    }
}

void record_code(Decision& decision, const OrderFacts& facts, const billing::sdk::Context& context) {
    decision.set_attributes[attribute::codes_received] = std::to_string(saturating_add(facts.codes_received, 1));
    if (facts.codes_received == 0) {
        decision.set_attributes[attribute::first_code_at_ms] = std::to_string(context.now_ms);
    }
}

Decision deny_unsupported_event(const billing::sdk::Event& event) {
    return billing::sdk::deny(code::unsupported_event, "unknown event type " + quoted(event.type));
}

std::optional<Decision> deny_before_purchase(const billing::sdk::OrderView& order,
                                             const billing::sdk::Context& context) {
    if (context.now_ms >= order.created_at_ms) {
        return std::nullopt;
    }
    return billing::sdk::deny(code::invalid_time, "the decision time " + std::to_string(context.now_ms) +
                                                      " is before the purchase at " +
                                                      std::to_string(order.created_at_ms));
}

Decision deny_unknown_timer(const billing::sdk::Event& event) {
    return billing::sdk::deny(code::unknown_timer, "this product sets no timer named " + quoted(event.timer));
}

bool is_one_of(std::string_view name, std::initializer_list<const char*> names) {
    for (const char* candidate : names) {
        if (name == candidate) {
            return true;
        }
    }
    return false;
}

std::optional<billing::sdk::Quote> refuse_undeclared_fields(const billing::sdk::PurchaseRequest& request,
                                                            std::initializer_list<std::string_view> attributes,
                                                            std::initializer_list<std::string_view> numbers) {
    if (const auto unknown = first_unknown_key(request.attributes, attributes)) {
        return billing::sdk::refuse(code::invalid_attribute, request.product + " has no attribute " + quoted(*unknown));
    }
    if (const auto unknown = first_unknown_key(request.numbers, numbers)) {
        return billing::sdk::refuse(code::invalid_attribute, request.product + " has no number " + quoted(*unknown));
    }
    return std::nullopt;
}

}  // namespace otpdesk
