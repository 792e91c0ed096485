// The decisions on a rental order. Every window is measured from the purchase and read from
// the order's pinned terms; t below is now - created_at.
#include <string>
#include <utility>
#include <variant>

#include "attributes.hpp"
#include "decision_parts.hpp"
#include "names.hpp"
#include "rental.hpp"
#include "terms.hpp"

namespace otpdesk {
namespace {

using billing::sdk::Decision;
using billing::sdk::deny;

// One rental order with everything a rule reads, already validated.
struct Rental {
    const billing::sdk::OrderView& order;
    const OrderFacts& facts;
    const RentalTerms terms;
    const billing::sdk::Context& context;

    [[nodiscard]] bool is_final() const { return is_one_of(order.state, {state::cancelled, state::ended}); }
    // The end of the rented time. Extensions (a later event type) will move it; they will be
    // read here, so every rule below follows.
    [[nodiscard]] std::int64_t duration_ms() const { return terms.duration_ms; }
};

Decision deny_final(const Rental& r) { return deny(code::order_closed, "the order is " + r.order.state); }

// Customer cancel: only within the cancel window, whether or not a code came.
Decision cancel(const Rental& r) {
    if (r.is_final()) {
        return deny_final(r);
    }
    // Once the charge is captured the window has closed, whatever the event's time says: a
    // cancel decided late (it waited for the order while the capture timer ran) must not close
    // the order with nothing left to refund.
    if (r.facts.elapsed_ms >= r.terms.cancel_window_ms || r.order.captured_minor > 0) {
        return deny(code::cancel_window_closed, "a rental can be cancelled only within " +
                                                    std::to_string(r.terms.cancel_window_ms / 1000) +
                                                    " s after purchase");
    }
    Decision decision = billing::sdk::allow("cancelled; everything held is refunded");
    decision.new_state = state::cancelled;
    refund_all_held(decision, r.facts);
    decision.drop_timers = {timer::capture, timer::end};
    decision.outcome = outcome::cancelled;
    return decision;
}

// A code arrived: any service, any number of codes, while the rental runs. No money moves.
Decision message(const Rental& r) {
    if (r.is_final()) {
        return deny_final(r);
    }
    if (r.facts.elapsed_ms >= r.duration_ms()) {
        return deny(code::order_closed, "the rented time is over");
    }
    Decision decision = billing::sdk::allow("code accepted");
    record_code(decision, r.facts, r.context);
    return decision;
}

// The cancel window ended: the charge is no longer refundable to the customer.
Decision capture(const Rental& r) {
    if (r.is_final()) {
        return deny_final(r);
    }
    if (r.facts.elapsed_ms < r.terms.cancel_window_ms) {
        return deny(code::timer_not_due, "the cancel window has not ended",
                    at_offset(r.order, r.terms.cancel_window_ms));
    }
    Decision decision = billing::sdk::allow("the cancel window is over; the charge is captured");
    capture_all_held(decision, r.facts);
    return decision;
}

// The rented time ended.
Decision end(const Rental& r) {
    if (r.is_final()) {
        return deny_final(r);
    }
    if (r.facts.elapsed_ms < r.duration_ms()) {
        return deny(code::timer_not_due, "the rented time has not ended", at_offset(r.order, r.duration_ms()));
    }
    Decision decision = billing::sdk::allow("the rented time is over");
    decision.new_state = state::ended;
    capture_all_held(decision, r.facts);
    decision.outcome = outcome::ended;
    return decision;
}

Decision on_timer(const Rental& r, const billing::sdk::Event& event) {
    if (event.timer == timer::capture) {
        return capture(r);
    }
    if (event.timer == timer::end) {
        return end(r);
    }
    return deny_unknown_timer(event);
}

}  // namespace

Decision decide_rental(const billing::sdk::OrderView& order, const OrderFacts& facts, const billing::sdk::Event& event,
                       const billing::sdk::Context& context) {
    const auto terms = read_rental_terms(order.terms);
    if (const auto* why = std::get_if<std::string>(&terms)) {
        return deny(code::invalid_order, *why);
    }
    if (!is_one_of(order.state, {state::active, state::cancelled, state::ended})) {
        return deny(code::invalid_order, "a rental is never in state " + quoted(order.state));
    }
    namespace type = billing::sdk::event_type;
    if (!is_one_of(event.type, {type::cancel, type::message, type::timer})) {
        // extend, support_refund, dispute_opened, dispute_resolved: not decided by this version yet.
        return deny_unsupported_event(event);
    }
    if (auto denial = deny_before_purchase(order, context)) {
        return std::move(*denial);
    }
    const Rental r{order, facts, std::get<RentalTerms>(terms), context};
    if (event.type == type::cancel) {
        return cancel(r);
    }
    if (event.type == type::message) {
        return message(r);
    }
    return on_timer(r, event);
}

}  // namespace otpdesk
