// The decisions on an activation order. Every window is measured from the purchase and read
// from the order's pinned terms; t below is now - created_at.
#include <string>
#include <utility>
#include <variant>

#include "activation.hpp"
#include "attributes.hpp"
#include "case_rules.hpp"
#include "decision_parts.hpp"
#include "names.hpp"
#include "terms.hpp"

namespace otpdesk {
namespace {

using billing::sdk::Decision;
using billing::sdk::deny;

// One activation order with everything a rule reads, already validated.
struct Activation {
    const billing::sdk::OrderView& order;
    const OrderFacts& facts;
    const ActivationTerms terms;
    const billing::sdk::Context& context;

    [[nodiscard]] bool window_over() const { return facts.elapsed_ms >= terms.window_ms; }
    [[nodiscard]] bool is_final() const {
        return is_one_of(order.state, {state::completed, state::cancelled, state::expired});
    }
};

Decision deny_closed(const Activation& a) {
    if (a.is_final()) {
        return deny(code::order_closed, "the order is " + a.order.state);
    }
    return deny(code::order_closed, "the activation window is over");
}

// Customer cancel: from cancel_from until the window ends, while no code has arrived.
Decision cancel(const Activation& a) {
    if (a.window_over() || a.is_final()) {
        return deny_closed(a);
    }
    if (a.order.state == state::delivered) {
        return deny(code::code_already_delivered, "a code was delivered; a delivered activation is not refundable");
    }
    if (a.facts.elapsed_ms < a.terms.cancel_from_ms) {
        return deny(code::cancel_too_early,
                    "an activation can be cancelled from " + std::to_string(a.terms.cancel_from_ms / 1000) +
                        " s after purchase",
                    at_offset(a.order, a.terms.cancel_from_ms));
    }
    Decision decision = billing::sdk::allow("cancelled; everything held is refunded");
    decision.new_state = state::cancelled;
    refund_all_held(decision, a.facts);
    decision.drop_timers = {timer::expire};
    decision.outcome = outcome::cancelled;
    return decision;
}

// A code arrived: the first one makes the order delivered and non-refundable; more codes of
// the same service are welcome until the window ends.
Decision message(const Activation& a, const billing::sdk::Event& event) {
    if (a.window_over() || a.is_final()) {
        return deny_closed(a);
    }
    const auto found = event.text.find(attribute::service);
    if (found == event.text.end()) {
        return deny(code::missing_attribute, "a message needs the service that sent the code");
    }
    const auto service = normalise_service(found->second);
    if (!service) {
        return deny(code::invalid_attribute, "service " + quoted(found->second) + " is not a service name");
    }
    if (*service != a.order.attributes.at(attribute::service)) {
        return deny(code::wrong_service, "this number receives codes from " +
                                             quoted(a.order.attributes.at(attribute::service)) + " only, not " +
                                             quoted(*service));
    }
    Decision decision = billing::sdk::allow("code accepted");
    record_code(decision, a.facts, a.context);
    if (a.order.state == state::active) {
        decision.new_state = state::delivered;
        capture_all_held(decision, a.facts);
        decision.outcome = outcome::delivered;
    }
    return decision;
}

// The window ended: a full refund without a code, completion with one.
Decision expire(const Activation& a) {
    if (a.is_final()) {
        return deny_closed(a);
    }
    if (!a.window_over()) {
        return deny(code::timer_not_due, "the activation window has not ended", at_offset(a.order, a.terms.window_ms));
    }
    Decision decision = billing::sdk::allow();
    if (a.order.state == state::active) {
        decision.message = "no code arrived; everything held is refunded";
        decision.new_state = state::expired;
        refund_all_held(decision, a.facts);
        decision.outcome = outcome::not_delivered;
    } else {
        decision.message = "completed";
        decision.new_state = state::completed;
        capture_all_held(decision, a.facts);  // nothing, unless money arrived after the code
        decision.outcome = outcome::delivered;
    }
    return decision;
}

// Why the order cannot be decided, or empty when it can.
std::string invalid_reason(const billing::sdk::OrderView& order) {
    if (!is_one_of(order.state,
                   {state::active, state::delivered, state::completed, state::cancelled, state::expired})) {
        return "an activation is never in state " + quoted(order.state);
    }
    const auto service = order.attributes.find(attribute::service);
    if (service == order.attributes.end() || !is_service_name(service->second)) {
        return "the order has no valid attribute service";
    }
    return {};
}

}  // namespace

Decision decide_activation(const billing::sdk::OrderView& order, const OrderFacts& facts,
                           const billing::sdk::Event& event, const billing::sdk::Context& context,
                           const CaseRules& rules) {
    const auto terms = read_activation_terms(order.terms);
    if (const auto* why = std::get_if<std::string>(&terms)) {
        return deny(code::invalid_order, *why);
    }
    if (const std::string why = invalid_reason(order); !why.empty()) {
        return deny(code::invalid_order, why);
    }
    namespace type = billing::sdk::event_type;
    if (!is_one_of(event.type, {type::cancel, type::message, type::timer, type::support_refund, type::dispute_opened,
                                type::dispute_resolved, type::extend})) {
        return deny_unsupported_event(event);
    }
    if (auto denial = deny_before_purchase(order, context)) {
        return std::move(*denial);
    }
    const Activation a{order, facts, std::get<ActivationTerms>(terms), context};
    if (auto decision = decide_case(CaseOrder{order, facts, a.is_final()}, event, context, rules)) {
        return std::move(*decision);
    }
    if (event.type == type::extend) {
        return deny(code::not_extendable, "an activation has a fixed window and cannot be extended");
    }
    if (event.type == type::cancel) {
        return cancel(a);
    }
    if (event.type == type::message) {
        return message(a, event);
    }
    return event.timer == timer::expire ? expire(a) : deny_unknown_timer(event);
}

}  // namespace otpdesk
