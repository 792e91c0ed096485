#include "order_life.hpp"

#include <gtest/gtest.h>

#include <iterator>

namespace otpdesk::testing {

std::string test_config(std::int64_t window_s, std::int64_t cancel_from_s, std::int64_t rental_cancel_window_s) {
    return "[activation]\n"
           "window_s = " +
           std::to_string(window_s) +
           "\n"
           "cancel_from_s = " +
           std::to_string(cancel_from_s) +
           "\n"
           "[activation.prices]\n"
           "default_minor = 150\n"
           "[activation.prices.services.telegram]\n"
           "default_minor = 120\n"
           "countries = { us = 250, gb = 200 }\n"
           "[activation.prices.services.whatsapp]\n"
           "countries = { us = 300 }\n"
           "[rental]\n"
           "min_hours = 24\n"
           "max_hours = 1344\n"
           "cancel_window_s = " +
           std::to_string(rental_cancel_window_s) +
           "\n"
           "price_per_day_minor = 500\n";
}

void configure_or_fail(OtpDeskPolicy& policy, const std::string& text) {
    const ConfigResult result = policy.configure(text, "test.toml");
    ASSERT_TRUE(result.ok) << result.message;
}

PurchaseRequest activation_request(const std::string& service, const std::string& country) {
    PurchaseRequest request;
    request.product = "activation";
    request.attributes = {{"service", service}, {"country", country}};
    return request;
}

PurchaseRequest rental_request(std::int64_t duration_hours) {
    PurchaseRequest request;
    request.product = "rental";
    request.numbers = {{"duration_hours", duration_hours}};
    return request;
}

Event cancel_event() {
    Event event;
    event.type = event_type::cancel;
    event.actor = "customer";
    return event;
}

Event message_event(const std::string& service) {
    Event event;
    event.type = event_type::message;
    event.text = {{"service", service}};
    event.actor = "system";
    return event;
}

Event timer_event(const std::string& name) {
    Event event;
    event.type = event_type::timer;
    event.timer = name;
    event.actor = "system";
    return event;
}

Event support_refund_event(const std::string& reason, std::optional<MinorUnits> amount_minor) {
    Event event;
    event.type = event_type::support_refund;
    event.actor = "support";
    event.text = {{event_field::reason, reason}, {event_field::note, "a unit test"}};
    if (amount_minor) {
        event.numbers[event_field::amount_minor] = *amount_minor;
    }
    return event;
}

Event dispute_opened_event(bool with_evidence) {
    Event event;
    event.type = event_type::dispute_opened;
    event.actor = "customer";
    event.text = {{event_field::description, "the number was already registered"}};
    if (with_evidence) {
        event.text[event_field::evidence_url] = "https://example.com/recording.mp4";
    }
    return event;
}

Event dispute_resolved_event(const std::string& resolution, std::optional<MinorUnits> amount_minor) {
    Event event;
    event.type = event_type::dispute_resolved;
    event.actor = "support";
    event.text = {{event_field::resolution, resolution}};
    if (amount_minor) {
        event.numbers[event_field::amount_minor] = *amount_minor;
    }
    return event;
}

Event extend_event(std::int64_t hours) {
    Event event;
    event.type = event_type::extend;
    event.actor = "customer";
    event.numbers = {{event_field::hours, hours}};
    return event;
}

Life purchase(const Policy& policy, const PurchaseRequest& request, UtcMs now) {
    const Quote quote = policy.quote(request, at_time(now));
    Life life;
    EXPECT_TRUE(quote.allowed) << quote.code << ": " << quote.message;
    if (!quote.allowed) {
        return life;
    }
    life.order.id = "order-1";
    life.order.product = request.product;
    life.order.state = quote.state;
    life.order.attributes = quote.attributes;
    life.order.terms = quote.terms;
    life.order.price_minor = quote.price_minor;
    life.order.charged_minor = quote.price_minor;
    life.order.created_at_ms = now;
    life.order.updated_at_ms = now;
    for (const TimerRequest& timer : quote.timers) {
        life.timers[timer.name] = timer.due_at_ms;
    }
    EXPECT_TRUE(quote.moves.empty()) << "otpdesk never moves money at purchase beyond the charge";
    return life;
}

void apply(Life& life, const Decision& decision, UtcMs now) {
    ASSERT_TRUE(decision.allowed) << "a denied decision is never applied: " << decision.code;
    OrderView& order = life.order;
    for (const MoneyMove& move : decision.moves) {
        ASSERT_GT(move.amount_minor, 0) << "a move is always > 0";
        switch (move.kind) {
            case MoveKind::charge: order.charged_minor += move.amount_minor; break;
            case MoveKind::capture:
                ASSERT_LE(move.amount_minor, order.held_minor()) << "capture beyond what escrow holds";
                order.captured_minor += move.amount_minor;
                break;
            case MoveKind::refund:
                ASSERT_LE(move.amount_minor, order.held_minor()) << "refund beyond what escrow holds";
                order.refunded_from_escrow_minor += move.amount_minor;
                break;
            case MoveKind::refund_captured:
                ASSERT_LE(move.amount_minor, order.refundable_from_revenue_minor()) << "refund beyond revenue";
                order.refunded_from_revenue_minor += move.amount_minor;
                break;
        }
    }
    if (!decision.new_state.empty()) {
        order.state = decision.new_state;
    }
    for (const TimerRequest& timer : decision.add_timers) {
        life.timers[timer.name] = timer.due_at_ms;
    }
    for (const std::string& name : decision.drop_timers) {
        life.timers.erase(name);
    }
    for (const auto& [name, value] : decision.set_attributes) {
        order.attributes[name] = value;
    }
    for (const auto& [name, value] : decision.set_terms) {
        order.terms[name] = value;
    }
    if (!decision.outcome.empty()) {
        life.outcome = decision.outcome;
    }
    order.updated_at_ms = now;
}

Decision act(const Policy& policy, Life& life, const Event& event, UtcMs now) {
    Decision decision = policy.decide(life.order, event, at_time(now));
    if (decision.allowed) {
        apply(life, decision, now);
    }
    return decision;
}

}  // namespace otpdesk::testing

namespace billing::sdk {

void PrintTo(const MoneyMove& move, std::ostream* out) {
    static constexpr const char* kinds[] = {"?", "charge", "capture", "refund", "refund_captured"};
    const auto kind = static_cast<std::size_t>(move.kind);
    *out << (kind < std::size(kinds) ? kinds[kind] : "?") << ' ' << move.amount_minor;
}

void PrintTo(const TimerRequest& timer, std::ostream* out) { *out << timer.name << '@' << timer.due_at_ms; }

void PrintTo(const Decision& decision, std::ostream* out) {
    *out << (decision.allowed ? "allowed " : "denied ") << decision.code << " (" << decision.message << ")";
    if (decision.available_at_ms) {
        *out << " available_at=" << *decision.available_at_ms;
    }
    if (!decision.new_state.empty()) {
        *out << " state=" << decision.new_state;
    }
    for (const MoneyMove& move : decision.moves) {
        *out << " move=";
        PrintTo(move, out);
    }
    for (const TimerRequest& timer : decision.add_timers) {
        *out << " add_timer=";
        PrintTo(timer, out);
    }
    for (const std::string& name : decision.drop_timers) {
        *out << " drop_timer=" << name;
    }
    for (const auto& [name, value] : decision.set_attributes) {
        *out << " " << name << "=" << value;
    }
    if (!decision.outcome.empty()) {
        *out << " outcome=" << decision.outcome;
    }
}

}  // namespace billing::sdk
