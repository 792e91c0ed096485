// The decisions on a rental order. Every window is measured from the purchase and read from
// the order's pinned terms; t below is now - created_at.
#include <string>
#include <utility>
#include <variant>

#include "arith.hpp"
#include "attributes.hpp"
#include "case_rules.hpp"
#include "decision_parts.hpp"
#include "names.hpp"
#include "pricing.hpp"
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
    // The rented time: the pinned duration_ms, which a paid extension changes (the one
    // adjustable term), so every rule below follows an extension.
    [[nodiscard]] std::int64_t duration_ms() const { return terms.duration_ms; }
    // Whether the capture timer has captured the purchase. Extensions are captured the moment
    // they are paid, so only a capture beyond what extensions charged is the purchase's.
    [[nodiscard]] bool purchase_captured() const {
        return order.captured_minor > saturating_sub(order.charged_minor, order.price_minor);
    }
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
    if (r.facts.elapsed_ms >= r.terms.cancel_window_ms || r.purchase_captured()) {
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

// A paid extension of a running rental: hours more at the pinned price per day, up to the
// pinned longest rental. Paid and captured at once: the customer has the extra time for sure,
// so it is never refundable by a cancel (a cancel in the window returns the purchase only).
Decision extend(const Rental& r, const billing::sdk::Event& event) {
    if (r.is_final()) {
        return deny_final(r);
    }
    if (r.facts.elapsed_ms >= r.duration_ms()) {
        return deny(code::order_closed, "the rented time is over");
    }
    const auto found = event.numbers.find(billing::sdk::event_field::hours);
    if (found == event.numbers.end() || found->second <= 0) {
        return deny(billing::sdk::request_refusal::invalid_amount,
                    found == event.numbers.end() ? std::string("an extension needs hours")
                                                 : "hours must be positive, not " + std::to_string(found->second));
    }
    const std::int64_t hours = found->second;
    const auto added_ms = checked_mul(hours, billing::sdk::ms_per_hour);
    const auto new_duration_ms = added_ms ? checked_add(r.duration_ms(), *added_ms) : std::nullopt;
    if (!new_duration_ms || *new_duration_ms > r.terms.max_duration_ms) {
        const std::int64_t most_hours = (r.terms.max_duration_ms - r.duration_ms()) / billing::sdk::ms_per_hour;
        return deny(code::extension_too_long, "a rental lasts at most " +
                                                  std::to_string(r.terms.max_duration_ms / billing::sdk::ms_per_hour) +
                                                  " h in all; " + std::to_string(most_hours) +
                                                  " h can still be added, not " + std::to_string(hours));
    }
    const auto price = rental_price_minor(r.terms.price_per_day_minor, hours);
    const auto charged_after = price ? checked_add(r.order.charged_minor, *price) : std::nullopt;
    if (!price || *price > billing::sdk::amount_minor_max || !charged_after ||
        *charged_after > billing::sdk::order_charged_minor_max) {
        return deny(code::extension_price_out_of_range, "the price of this extension is out of range");
    }
    const auto end_at_ms = checked_add(r.order.created_at_ms, *new_duration_ms);
    if (!end_at_ms) {
        return deny(code::invalid_time, "the rental would end past the largest representable time");
    }
    Decision decision =
        billing::sdk::allow("extended by " + std::to_string(hours) + " h for " + std::to_string(*price));
    if (*price > 0) {
        decision.moves = {{billing::sdk::MoveKind::charge, *price}, {billing::sdk::MoveKind::capture, *price}};
    }
    decision.set_terms[term::duration_ms] = *new_duration_ms;
    decision.add_timers = {{timer::end, *end_at_ms}};
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
                       const billing::sdk::Context& context, const CaseRules& rules) {
    const auto terms = read_rental_terms(order.terms);
    if (const auto* why = std::get_if<std::string>(&terms)) {
        return deny(code::invalid_order, *why);
    }
    if (!is_one_of(order.state, {state::active, state::cancelled, state::ended})) {
        return deny(code::invalid_order, "a rental is never in state " + quoted(order.state));
    }
    namespace type = billing::sdk::event_type;
    if (!is_one_of(event.type, {type::cancel, type::message, type::timer, type::support_refund, type::dispute_opened,
                                type::dispute_resolved, type::extend})) {
        return deny_unsupported_event(event);
    }
    if (auto denial = deny_before_purchase(order, context)) {
        return std::move(*denial);
    }
    const Rental r{order, facts, std::get<RentalTerms>(terms), context};
    if (auto decision = decide_case(CaseOrder{order, facts, r.is_final()}, event, context, rules)) {
        return std::move(*decision);
    }
    if (event.type == type::extend) {
        return extend(r, event);
    }
    if (event.type == type::cancel) {
        return cancel(r);
    }
    if (event.type == type::message) {
        return message(r);
    }
    return on_timer(r, event);
}

}  // namespace otpdesk
