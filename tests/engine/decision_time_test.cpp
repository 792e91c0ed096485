// Decision time never runs backwards on an order (DESIGN §5, money safety): an event that waited
// for the order's lock while a later decision committed is decided at that later time, and the
// event record and the order say so. Found by the crash test: a rental cancel sent at 17:09 that
// waited while the 20:00 capture timer ran was decided at 17:09.
#include "billing/storage/events.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

class DecisionTime : public EngineTest {
protected:
    // OTPDesk, except that a cancel is allowed with no effect and the time it was asked at is kept.
    void record_cancel_time() {
        policy = overriding_otpdesk([this](const sdk::OrderView&, const sdk::Event& e,
                                           const sdk::Context& context) -> std::optional<sdk::Decision> {
            if (e.type != "cancel") return std::nullopt;
            cancel_asked_at = context.now_ms;
            return sdk::allow();
        });
    }

    long long event_now(long long seq) { return count("SELECT now_ms FROM events WHERE seq = " + std::to_string(seq)); }

    UtcMs cancel_asked_at = 0;
};

TEST_F(DecisionTime, ALateRequestIsDecidedAfterTheCaptureThatCommittedFirst) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    ASSERT_EQ(1u, sweeper->run_due_for_tenant(tenant_id, at(20)).applied);
    ASSERT_EQ(at(20), engine->get_order(tenant_id, order).value().updated_at_ms);

    // The cancel sent at 17:09 reaches the order only now: it is the 20:00 state it cancels.
    auto cancelled = event(order, "cancel", at(17, 9'000));
    ASSERT_TRUE(cancelled) << cancelled.error().message;
    EXPECT_FALSE(cancelled.value().allowed);
    EXPECT_EQ("cancel_window_closed", cancelled.value().code);
    EXPECT_EQ(500, customer()) << "nothing refunded: the money was captured";
    EXPECT_EQ(500, revenue());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ("active", state_of(order));
    expect_ledger_consistent();
}

TEST_F(DecisionTime, ThePolicyTheEventAndTheOrderSeeTheLaterTime) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    ASSERT_EQ(1u, sweeper->run_due_for_tenant(tenant_id, at(20)).applied);
    record_cancel_time();
    auto cancelled = event(order, "cancel", at(17, 9'000));
    ASSERT_TRUE(cancelled) << cancelled.error().message;
    ASSERT_TRUE(cancelled.value().allowed);
    EXPECT_EQ(at(20), cancel_asked_at);
    EXPECT_EQ(at(20), event_now(3)) << "the event records the time it was decided at";
    EXPECT_EQ(at(20), cancelled.value().order.updated_at_ms);
    EXPECT_EQ(at(20), engine->get_order(tenant_id, order).value().updated_at_ms);
}

TEST_F(DecisionTime, ARequestAtOrAfterTheLastDecisionKeepsItsOwnTime) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    ASSERT_EQ(1u, sweeper->run_due_for_tenant(tenant_id, at(20)).applied);
    record_cancel_time();
    ASSERT_TRUE(event(order, "cancel", at(20)).value().allowed);
    EXPECT_EQ(at(20), cancel_asked_at);
    ASSERT_TRUE(event(order, "cancel", at(20, 1)).value().allowed);
    EXPECT_EQ(at(20, 1), cancel_asked_at);
    EXPECT_EQ(at(20, 1), event_now(4));
    // And one a millisecond before the last decision is moved up to it.
    ASSERT_TRUE(event(order, "cancel", at(20)).value().allowed);
    EXPECT_EQ(at(20, 1), cancel_asked_at);
    EXPECT_EQ(at(20, 1), event_now(5));
}

TEST_F(DecisionTime, ATimerKeepsItsDueTimeAfterALaterRequest) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    // A code at 30:00 is decided while the 20:00 capture timer still waits (a slow sweeper). The
    // timer still decides as an on-time one (DESIGN §5); only requests move up.
    auto claimed = sweeper->claim_due(at(20), "slow#1", 30, 10);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(1u, claimed.value().size());
    ASSERT_TRUE(event(order, "message", at(30)).value().allowed);
    EXPECT_EQ(1u, sweeper->process(claimed.value(), "slow#1").applied);
    EXPECT_EQ(at(20), event_now(3));
    EXPECT_EQ(500, revenue());
    // The late timer does not pull the order's last decision time back: a request now is still
    // decided no earlier than the 30:00 code.
    EXPECT_EQ(at(30), engine->get_order(tenant_id, order).value().updated_at_ms);
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
