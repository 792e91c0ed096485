// Whatever the host (or a conformance kit) hands over, the policy answers with a clean
// decision: garbage orders, unknown events, INT64 extremes. And it answers the same way every
// time.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();

class OtpDeskRobustness : public ::testing::Test {
protected:
    void SetUp() override {
        configure_or_fail(policy_);
        activation_ = purchase(policy_, activation_request("telegram", "us"), t0).order;
        rental_ = purchase(policy_, rental_request(24), t0).order;
    }

    [[nodiscard]] Decision decide(const OrderView& order, const Event& event, UtcMs now = after(5)) const {
        return policy_.decide(order, event, at_time(now));
    }

    void expect_invalid_order(const OrderView& order, const std::string& what) const {
        for (const Event& event : {cancel_event(), message_event("telegram"), timer_event("expire")}) {
            const Decision decision = decide(order, event);
            EXPECT_FALSE(decision.allowed) << what << ", " << event.type;
            EXPECT_EQ(decision.code, "invalid_order") << what << ", " << event.type;
        }
    }

    OtpDeskPolicy policy_;
    OrderView activation_;
    OrderView rental_;
};

Event event_of_type(const std::string& type) {
    Event event;
    event.type = type;
    return event;
}

TEST_F(OtpDeskRobustness, UnknownEventsAreUnsupportedEvent) {
    for (const char* type : {"", "CANCEL", "Support_Refund", "refund_everything"}) {
        for (const OrderView* order : {&activation_, &rental_}) {
            const Decision decision = decide(*order, event_of_type(type));
            EXPECT_FALSE(decision.allowed) << type;
            EXPECT_EQ(decision.code, "unsupported_event") << type << " on " << order->product;
        }
    }
}

TEST_F(OtpDeskRobustness, UnknownTimerIsUnknownTimer) {
    EXPECT_EQ(decide(activation_, timer_event("end"), after(30)).code, "unknown_timer");
    EXPECT_EQ(decide(rental_, timer_event("expire"), after_hours(30)).code, "unknown_timer");
    EXPECT_EQ(decide(rental_, timer_event(""), after_hours(30)).code, "unknown_timer");
}

TEST_F(OtpDeskRobustness, UnknownProductIsRefusedAtQuoteAndDecide) {
    PurchaseRequest request = rental_request(24);
    request.product = "lease";
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "unknown_product");
    OrderView order = activation_;
    order.product = "lease";
    expect_invalid_order(order, "unknown product");
}

TEST_F(OtpDeskRobustness, AnEmptyOrderViewIsInvalidOrder) { expect_invalid_order(OrderView{}, "empty order"); }

TEST_F(OtpDeskRobustness, MissingOrNonsenseTermsAreInvalidOrder) {
    for (const char* term : {"window_ms", "cancel_from_ms"}) {
        OrderView order = activation_;
        order.terms.erase(term);
        expect_invalid_order(order, std::string("activation without ") + term);
    }
    for (const char* term : {"cancel_window_ms", "duration_ms", "max_duration_ms", "price_per_day_minor"}) {
        OrderView order = rental_;
        order.terms.erase(term);
        expect_invalid_order(order, std::string("rental without ") + term);
    }
    OrderView order = activation_;
    order.terms["window_ms"] = 0;
    expect_invalid_order(order, "zero window");
    order = activation_;
    order.terms["cancel_from_ms"] = order.terms["window_ms"];
    expect_invalid_order(order, "cancel_from at the window's end");
    order = rental_;
    order.terms["duration_ms"] = -1;
    expect_invalid_order(order, "negative duration");
}

TEST_F(OtpDeskRobustness, StatesAttributesAndAmountsThatCannotBeAreInvalidOrder) {
    OrderView order = activation_;
    order.state = "ended";
    expect_invalid_order(order, "activation in a rental state");
    order = rental_;
    order.state = "delivered";
    expect_invalid_order(order, "rental in an activation state");
    order = activation_;
    order.attributes.erase("service");
    expect_invalid_order(order, "activation without service");
    order = activation_;
    order.attributes["codes_received"] = "many";
    expect_invalid_order(order, "garbage codes_received");
    order = activation_;
    order.charged_minor = -1;
    expect_invalid_order(order, "negative charge");
    order = activation_;
    order.captured_minor = order.charged_minor;
    order.refunded_from_escrow_minor = 1;
    expect_invalid_order(order, "more released than charged");
    order = activation_;
    order.charged_minor = int64_max;
    order.captured_minor = int64_max;
    order.refunded_from_escrow_minor = int64_max;
    expect_invalid_order(order, "released amounts that overflow");
    order = activation_;
    order.refunded_from_revenue_minor = 1;
    expect_invalid_order(order, "refunded from revenue more than captured");
}

TEST_F(OtpDeskRobustness, ExtremeTimesGiveCleanDecisions) {
    // now and created at opposite ends of the range: elapsed time is clamped, not wrapped.
    OrderView order = activation_;
    order.created_at_ms = int64_min;
    EXPECT_EQ(decide(order, cancel_event(), int64_max).code, "order_closed");
    const Decision expire = decide(order, timer_event("expire"), int64_max);
    ASSERT_TRUE(expire.allowed) << expire.message;
    EXPECT_EQ(expire.moves, (std::vector<MoneyMove>{{MoveKind::refund, order.charged_minor}}));

    // Bought at the last representable instant: every due time is past the range and clamped.
    order.created_at_ms = int64_max;
    const Decision early = decide(order, cancel_event(), int64_max);
    EXPECT_EQ(early.code, "cancel_too_early");
    EXPECT_EQ(early.available_at_ms, int64_max) << "clamped, not wrapped";
    EXPECT_EQ(decide(order, timer_event("expire"), int64_max).available_at_ms, int64_max);
    EXPECT_EQ(decide(order, cancel_event(), int64_min).code, "invalid_time") << "before the purchase";
}

TEST_F(OtpDeskRobustness, ExtremeTermsAndAmountsGiveCleanDecisions) {
    OrderView order = activation_;
    order.terms["window_ms"] = int64_max;
    // The most a host ever sends: refunded in full.
    order.charged_minor = billing::sdk::order_charged_minor_max;
    order.price_minor = billing::sdk::order_charged_minor_max;
    const Decision cancel = decide(order, cancel_event(), int64_max);
    ASSERT_TRUE(cancel.allowed) << cancel.message;
    EXPECT_EQ(cancel.moves, (std::vector<MoneyMove>{{MoveKind::refund, billing::sdk::order_charged_minor_max}}));
    EXPECT_EQ(decide(order, timer_event("expire"), t0).available_at_ms, int64_max);
    // One more is an order no host sends: garbage, denied whatever it adds up to.
    order.charged_minor = billing::sdk::order_charged_minor_max + 1;
    EXPECT_EQ(decide(order, cancel_event(), int64_max).code, "invalid_order");
    order.charged_minor = int64_max;
    order.price_minor = int64_max;
    EXPECT_EQ(decide(order, cancel_event(), int64_max).code, "invalid_order");

    order = activation_;
    order.attributes["codes_received"] = std::to_string(int64_max);
    order.state = "delivered";
    order.captured_minor = order.charged_minor;
    const Decision message = decide(order, message_event("telegram"));
    ASSERT_TRUE(message.allowed) << message.message;
    EXPECT_EQ(message.set_attributes.at("codes_received"), std::to_string(int64_max)) << "saturates";
}

TEST_F(OtpDeskRobustness, ExtremePurchasesAreRefusedCleanly) {
    EXPECT_EQ(policy_.quote(activation_request("telegram", "us"), at_time(int64_max)).code, "invalid_time");
    EXPECT_EQ(policy_.quote(rental_request(24), at_time(int64_max - ms_per_hour)).code, "invalid_time");
    EXPECT_EQ(policy_.quote(rental_request(int64_max), at_time(t0)).code, "invalid_duration");
    EXPECT_EQ(policy_.quote(rental_request(int64_min), at_time(t0)).code, "invalid_duration");
    const Quote early = policy_.quote(activation_request("telegram", "us"), at_time(int64_min));
    ASSERT_TRUE(early.allowed) << "any representable time is a time";
    EXPECT_EQ(early.timers.at(0).due_at_ms, int64_min + 20 * ms_per_minute);
}

// An order of `base`'s product in `state`, with the money (and codes) such an order has: all
// held while active, refunded once cancelled or expired, captured once a code came (activation)
// or the rental's capture ran; captured orders also partly refunded by support. Each also free.
std::vector<std::pair<std::string, OrderView>> orders_in_state(const OrderView& base, const std::string& state) {
    OrderView order = base;
    order.state = state;
    const MinorUnits charged = order.charged_minor;
    std::vector<std::pair<std::string, OrderView>> orders;
    if (state == "active") {
        orders.emplace_back("held", order);
        OrderView partly = order;
        partly.refunded_from_escrow_minor = charged / 2;
        orders.emplace_back("half refunded by support", partly);
        partly.refunded_from_escrow_minor = charged;
        orders.emplace_back("all refunded by support", partly);
        if (order.product == "rental") {
            order.captured_minor = charged;
            orders.emplace_back("captured", order);
        }
    } else if (state == "cancelled" || state == "expired") {
        order.refunded_from_escrow_minor = charged;
        orders.emplace_back("refunded", order);
    } else if (state == "delivered" || state == "completed" || state == "ended") {
        order.captured_minor = charged;
        if (order.product == "activation") {
            order.attributes["codes_received"] = "1";
            order.attributes["first_code_at_ms"] = std::to_string(after(3));
        }
        orders.emplace_back("captured", order);
        order.refunded_from_revenue_minor = charged / 2;
        orders.emplace_back("captured, half refunded by support", order);
    } else {
        ADD_FAILURE() << "no amounts for state " << state;
    }
    order = orders.front().second;
    order.price_minor = order.charged_minor = order.captured_minor = order.refunded_from_escrow_minor =
        order.refunded_from_revenue_minor = 0;
    orders.emplace_back("free", order);
    return orders;
}

// The states each state may move to (README, "States and transitions"); a final state none.
const std::map<std::string, std::set<std::string>>& next_states() {
    static const std::map<std::string, std::set<std::string>> next = {
        {"activation active", {"delivered", "cancelled", "expired"}},
        {"activation delivered", {"completed"}},
        {"rental active", {"cancelled", "ended"}},
    };
    return next;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// What must hold of any decision on `order` at `now`, allowed or denied.
bool is_case_event(const Event& event) {
    return event.type == "support_refund" || event.type == "dispute_opened" || event.type == "dispute_resolved";
}

void expect_well_formed(const ProductInfo& product, const OrderView& order, const Event& event,
                        const Decision& decision, UtcMs now) {
    EXPECT_FALSE(decision.code.empty());
    if (!decision.allowed) {
        EXPECT_TRUE(decision.moves.empty() && decision.new_state.empty() && decision.add_timers.empty() &&
                    decision.drop_timers.empty() && decision.set_attributes.empty() && decision.outcome.empty() &&
                    decision.set_terms.empty())
            << "a denial carries no effects";
        return;
    }
    EXPECT_EQ(decision.code, "ok");
    EXPECT_GE(now, order.created_at_ms) << "nothing is allowed before the purchase";
    const bool is_final = contains(product.final_states, order.state);
    EXPECT_TRUE(!is_final || is_case_event(event)) << "only support refunds and disputes on a final order";
    if (event.type == "extend") {
        EXPECT_EQ(product.name, "rental");
        EXPECT_EQ(decision.set_terms.size(), 1U);
        EXPECT_EQ(decision.set_terms.count("duration_ms"), 1U) << "an extension changes only duration_ms";
        ASSERT_EQ(decision.add_timers.size(), 1U);
        EXPECT_EQ(decision.add_timers[0].name, "end") << "an extension moves the end timer";
        EXPECT_GT(decision.add_timers[0].due_at_ms, now);
    } else {
        EXPECT_TRUE(decision.set_terms.empty()) << "only an extension changes a pinned term";
        EXPECT_TRUE(decision.add_timers.empty()) << "otpdesk sets timers at purchase and on extensions only";
    }
    if (is_case_event(event)) {
        EXPECT_TRUE(decision.new_state.empty() && decision.outcome.empty() && decision.drop_timers.empty() &&
                    decision.set_attributes.empty())
            << "support refunds and disputes change nothing but money";
    }
    if (!decision.new_state.empty()) {
        const auto next = next_states().find(product.name + " " + order.state);
        EXPECT_TRUE(next != next_states().end() && next->second.contains(decision.new_state))
            << "no transition " << order.state << " -> " << decision.new_state;
    }
    EXPECT_TRUE(decision.outcome.empty() || contains(product.outcomes, decision.outcome));
    const bool code_came = order.state == "delivered" || order.state == "completed";
    if (code_came) {
        EXPECT_TRUE(decision.outcome.empty() || decision.outcome == "delivered") << "delivered stays delivered";
    }
    std::map<MoveKind, MinorUnits> moved;
    for (const MoneyMove& move : decision.moves) {
        EXPECT_GT(move.amount_minor, 0);
        EXPECT_TRUE(move.kind != MoveKind::charge || event.type == "extend") << "otpdesk charges only extensions";
        EXPECT_TRUE(!is_final || move.kind == MoveKind::refund_captured) << "a final order holds nothing in escrow";
        if (code_came && !is_case_event(event)) {
            EXPECT_NE(move.kind, MoveKind::refund) << "no customer refund after a code";
            EXPECT_NE(move.kind, MoveKind::refund_captured) << "no customer refund after a code";
        }
        moved[move.kind] += move.amount_minor;
    }
    // An extension's charge is captured at once: it adds to what escrow holds exactly what it takes.
    EXPECT_EQ(moved[MoveKind::charge], event.type == "extend" ? moved[MoveKind::capture] : 0);
    const MinorUnits held = order.held_minor() + moved[MoveKind::charge];
    EXPECT_LE(moved[MoveKind::refund] + moved[MoveKind::capture], held);
    EXPECT_LE(moved[MoveKind::refund_captured], order.refundable_from_revenue_minor());
    if (product.name == "rental" && !is_case_event(event) &&
        (decision.new_state == "cancelled" || moved[MoveKind::refund] > 0)) {
        EXPECT_LT(now, order.created_at_ms + order.terms.at("cancel_window_ms"))
            << "a rental is cancelled and refunded only within its cancel window";
    }
}

// Every event kind on every state (with that state's money) at boundary and extreme times:
// never an exception, a denial never carries effects, an allowed decision moves only what may
// move, to a state the transition table allows.
TEST_F(OtpDeskRobustness, EveryCombinationGivesAWellFormedDecision) {
    const PolicyInfo info = policy_.info();
    const std::vector<Event> events = {cancel_event(),
                                       message_event("telegram"),
                                       message_event("viber"),
                                       timer_event("expire"),
                                       timer_event("capture"),
                                       timer_event("end"),
                                       extend_event(24),
                                       extend_event(1344),
                                       support_refund_event("provider_error"),
                                       support_refund_event("provider_error", 1),
                                       support_refund_event("provider_error", 100),
                                       dispute_opened_event(false),
                                       dispute_opened_event(true),
                                       dispute_resolved_event("refund", 1),
                                       dispute_resolved_event("reject")};
    const std::vector<UtcMs> times = {
        int64_min,           t0 - 1,          t0,       after(1, 59, 999), after(2), after(19, 59, 999), after(20),
        after_hours(24, -1), after_hours(24), int64_max};
    int allowed = 0;
    for (const ProductInfo& product : info.products) {
        const OrderView& base = product.name == "activation" ? activation_ : rental_;
        for (const std::string& state : product.states) {
            for (const auto& [amounts, order] : orders_in_state(base, state)) {
                for (const Event& event : events) {
                    for (const UtcMs now : times) {
                        SCOPED_TRACE(product.name + " " + state + " (" + amounts + ") " + event.type + " " +
                                     event.timer + " at " + std::to_string(now));
                        const Decision decision = decide(order, event, now);
                        expect_well_formed(product, order, event, decision, now);
                        allowed += decision.allowed ? 1 : 0;
                    }
                }
            }
        }
    }
    EXPECT_GT(allowed, 0) << "the combinations reach the allowing rules";
}

TEST_F(OtpDeskRobustness, TheSameInputGivesTheSameDecisionEveryTime) {
    Life delivered = purchase(policy_, activation_request("telegram", "us"), t0);
    ASSERT_TRUE(act(policy_, delivered, message_event("telegram"), after(3)).allowed);
    struct Case {
        const OrderView* order;
        Event event;
        UtcMs now;
    };
    const std::vector<Case> cases = {
        {&activation_, cancel_event(), after(2)},
        {&activation_, cancel_event(), after(1, 59, 999)},
        {&activation_, message_event("telegram"), after(4)},
        {&delivered.order, timer_event("expire"), after(20)},
        {&rental_, cancel_event(), after(19, 59, 999)},
        {&rental_, message_event("x"), after(30)},
        {&rental_, timer_event("end"), after_hours(24)},
        {&activation_, event_of_type("extend"), after(1)},
    };
    const OtpDeskPolicy other;  // a second instance, never configured: decisions do not depend on it
    for (const Case& c : cases) {
        const Decision first = decide(*c.order, c.event, c.now);
        for (int repeat = 0; repeat < 1000; ++repeat) {
            ASSERT_EQ(decide(*c.order, c.event, c.now), first) << c.event.type << " repeat " << repeat;
        }
        EXPECT_EQ(other.decide(*c.order, c.event, at_time(c.now)), first) << c.event.type;
    }
}

TEST_F(OtpDeskRobustness, InfoDeclaresBothProductsTheirStatesAndOutcomes) {
    const PolicyInfo info = policy_.info();
    EXPECT_EQ(info.name, "otpdesk");
    EXPECT_EQ(info.version, "1.0.0");
    ASSERT_EQ(info.products.size(), 2U);
    const ProductInfo& activation = info.products[0];
    EXPECT_EQ(activation.name, "activation");
    EXPECT_EQ(activation.states,
              (std::vector<std::string>{"active", "delivered", "completed", "cancelled", "expired"}));
    EXPECT_EQ(activation.final_states, (std::vector<std::string>{"completed", "cancelled", "expired"}));
    EXPECT_EQ(activation.outcomes, (std::vector<std::string>{"delivered", "not_delivered", "cancelled"}));
    EXPECT_TRUE(activation.adjustable_terms.empty()) << "every term stays pinned";
    ASSERT_EQ(activation.attributes.size(), 2U);
    EXPECT_EQ(activation.attributes[0].name, "service");
    EXPECT_TRUE(activation.attributes[0].required);
    EXPECT_EQ(activation.attributes[1].name, "country");
    EXPECT_TRUE(activation.attributes[1].required);
    const ProductInfo& rental = info.products[1];
    EXPECT_EQ(rental.name, "rental");
    EXPECT_EQ(rental.states, (std::vector<std::string>{"active", "cancelled", "ended"}));
    EXPECT_EQ(rental.final_states, (std::vector<std::string>{"cancelled", "ended"}));
    EXPECT_EQ(rental.outcomes, (std::vector<std::string>{"cancelled", "ended"}));
    EXPECT_EQ(rental.adjustable_terms, (std::vector<std::string>{"duration_ms"}))
        << "a paid extension lengthens the rental; every window stays pinned";
    EXPECT_EQ(info.history_window_ms, 30 * ms_per_day) << "the dispute evidence rule counts 30 days back";
    ASSERT_EQ(rental.numbers.size(), 1U);
    EXPECT_EQ(rental.numbers[0].name, "duration_hours");
    EXPECT_TRUE(rental.numbers[0].required);
}

}  // namespace
}  // namespace otpdesk::testing
