// The decisions on a voucher. The rules, with t = now_ms - created_at_ms and every window
// half-open (valid while t < valid_ms):
//
//   state   event          when                        -> state      money             outcome
//   unused  cancel         t < valid_ms (or no expiry) -> cancelled  refund all held   cancelled
//   unused  message        t < valid_ms (or no expiry) -> used       capture all held  used
//   unused  timer expire   t >= valid_ms               -> expired    refund all held   expired_unused
//
// Everything else is denied with a stable code and changes nothing. Only the order (its pinned
// terms, state and amounts), the event and context.now_ms are read: no configuration, no
// clock, no globals, so the same input always gives the same Decision.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "names.hpp"
#include "policy.hpp"

namespace refund_until_used {
namespace {

using billing::sdk::Decision;
using billing::sdk::deny;
using billing::sdk::MinorUnits;
using billing::sdk::MoneyMove;
using billing::sdk::MoveKind;
using billing::sdk::OrderView;

// The pinned terms, read back from the order.
struct Terms {
    MinorUnits price_minor = 0;
    std::int64_t valid_ms = 0;  // 0: never expires
};

// A voucher after validation: everything a rule needs, already checked.
struct Voucher {
    const OrderView& order;
    Terms terms;
    MinorUnits held_minor = 0;  // what escrow still holds for the order
    std::int64_t age_ms = 0;    // now - created_at, >= 0

    [[nodiscard]] bool expires() const { return terms.valid_ms > 0; }
    [[nodiscard]] bool validity_over() const { return expires() && age_ms >= terms.valid_ms; }
    // When the validity ends; valid_ms and created_at are checked, so this cannot overflow.
    [[nodiscard]] billing::sdk::UtcMs expires_at_ms() const { return order.created_at_ms + terms.valid_ms; }
};

std::optional<std::int64_t> read_term(const OrderView& order, const char* name) {
    const auto found = order.terms.find(name);
    if (found == order.terms.end() || found->second < 0) {
        return std::nullopt;
    }
    return found->second;
}

// What escrow still holds (charged - captured - refunded_from_escrow), or nullopt when the
// amounts make no sense. The host never sends such an order, but the conformance kit sends
// extremes on purpose, and OrderView::held_minor() would overflow on them.
std::optional<MinorUnits> checked_held_minor(const OrderView& order) {
    if (order.charged_minor < 0 || order.captured_minor < 0 || order.refunded_from_escrow_minor < 0 ||
        order.refunded_from_revenue_minor < 0 || order.refunded_from_revenue_minor > order.captured_minor) {
        return std::nullopt;
    }
    // Above the host's limit the order did not come from a host: garbage, whatever it adds up to.
    if (order.charged_minor > billing::sdk::order_charged_minor_max) {
        return std::nullopt;
    }
    MinorUnits released = 0;
    if (__builtin_add_overflow(order.captured_minor, order.refunded_from_escrow_minor, &released) ||
        released > order.charged_minor) {
        return std::nullopt;
    }
    return order.charged_minor - released;
}

bool is_known_state(const std::string& state) {
    return state == state::unused || state == state::used || state == state::cancelled || state == state::expired;
}

// A move is always > 0: a free voucher (price 0) has nothing to refund or capture.
void move_all_held(Decision& decision, const Voucher& v, MoveKind kind) {
    if (v.held_minor > 0) {
        decision.moves.push_back(MoneyMove{kind, v.held_minor});
    }
}

// Ends the order: new state, money, outcome, and the expiry timer is no longer needed.
Decision close(const Voucher& v, const char* new_state, MoveKind kind, const char* outcome, std::string message) {
    Decision decision = billing::sdk::allow(std::move(message));
    decision.new_state = new_state;
    move_all_held(decision, v, kind);
    if (v.expires()) {
        decision.drop_timers = {timer::expire};
    }
    decision.outcome = outcome;
    return decision;
}

// The denial for a customer event (cancel, message) that the voucher's state or age rules out,
// or nullopt when the voucher is unused and still valid.
std::optional<Decision> deny_unless_usable(const Voucher& v) {
    if (v.order.state == state::used) {
        return deny(code::already_used, "the voucher was used; a used voucher is not refundable");
    }
    if (v.order.state != state::unused) {
        return deny(code::order_closed, "the voucher is " + v.order.state);
    }
    if (v.validity_over()) {
        // The expire timer refunds it (it may be late after downtime); neither the customer nor
        // a use can act on it any more.
        return deny(code::voucher_expired, "the voucher's validity is over; an unused voucher is refunded at expiry");
    }
    return std::nullopt;
}

Decision cancel(const Voucher& v) {
    if (auto denial = deny_unless_usable(v)) {
        return *denial;
    }
    return close(v, state::cancelled, MoveKind::refund, outcome::cancelled, "cancelled before use; refunded in full");
}

// The first use. The event's fields (e.g. text "service") are not needed and not read.
Decision use(const Voucher& v) {
    if (auto denial = deny_unless_usable(v)) {
        return *denial;
    }
    return close(v, state::used, MoveKind::capture, outcome::used, "used; the voucher is no longer refundable");
}

Decision expire(const Voucher& v, const billing::sdk::Event& event) {
    if (event.timer != timer::expire || !v.expires()) {
        return deny(code::unknown_timer, "this voucher sets no timer named \"" + event.timer + "\"");
    }
    if (v.order.state != state::unused) {
        return deny(code::order_closed, "the voucher is " + v.order.state);
    }
    if (!v.validity_over()) {
        return deny(code::timer_not_due, "the voucher is still valid", v.expires_at_ms());
    }
    return close(v, state::expired, MoveKind::refund, outcome::expired_unused, "expired unused; refunded in full");
}

}  // namespace

Decision decide_voucher(const OrderView& order, const billing::sdk::Event& event,
                        const billing::sdk::Context& context) {
    // 1. The order itself. The host only sends orders it built from a quote of ours, but a
    //    policy must answer garbage with a denial, never a crash or an overflow.
    if (order.product != product::voucher) {
        return deny(code::invalid_order, "refund_until_used sells no product \"" + order.product + "\"");
    }
    if (!is_known_state(order.state)) {
        return deny(code::invalid_order, "a voucher is never in state \"" + order.state + "\"");
    }
    const auto price = read_term(order, term::price_minor);
    const auto valid = read_term(order, term::valid_ms);
    if (!price || !valid) {
        return deny(code::invalid_order, "the order lacks its terms price_minor and valid_ms (or one is negative)");
    }
    std::int64_t expires_at_ms = 0;
    if (__builtin_add_overflow(order.created_at_ms, *valid, &expires_at_ms)) {
        return deny(code::invalid_order, "the order's validity ends past the largest time");
    }
    const auto held = checked_held_minor(order);
    if (!held) {
        return deny(code::invalid_order,
                    "the order's amounts are inconsistent (negative, or more released than taken)");
    }

    // 2. The event type. A string, so a newer host may send one this version does not know.
    namespace type = billing::sdk::event_type;
    if (event.type != type::cancel && event.type != type::message && event.type != type::timer) {
        return deny(code::unsupported_event, "refund_until_used does not decide \"" + event.type + "\" events");
    }

    // 3. The time. No window begins before the purchase: without this a negative age would
    //    pass every "age < valid_ms" test.
    if (context.now_ms < order.created_at_ms) {
        return deny(code::invalid_time, "the decision time is before the purchase");
    }
    std::int64_t age_ms = 0;
    if (__builtin_sub_overflow(context.now_ms, order.created_at_ms, &age_ms)) {
        age_ms = INT64_MAX;  // only when now and created_at are at opposite ends of the range
    }

    const Voucher v{order, Terms{*price, *valid}, *held, age_ms};
    if (event.type == type::cancel) {
        return cancel(v);
    }
    if (event.type == type::message) {
        return use(v);
    }
    return expire(v, event);
}

}  // namespace refund_until_used
