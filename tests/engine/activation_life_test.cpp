// Full activation lives through the engine, with every balance asserted after each step and
// the rules at their exact boundaries (1:59.999 vs 2:00.000, 20:00).
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using ActivationLife = EngineTest;

TEST_F(ActivationLife, CancelIsDeniedBeforeTwoMinutesAndRefundsFromTwoMinutes) {
    make_tenant(1000);
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(-1000, funding());
    const std::string order = buy_activation(at(0));
    EXPECT_EQ(850, customer());
    EXPECT_EQ(150, escrow());

    auto early = event(order, "cancel", at(1, 59'999));
    ASSERT_TRUE(early) << early.error().message;
    EXPECT_FALSE(early.value().allowed);
    EXPECT_EQ("cancel_too_early", early.value().code);
    EXPECT_EQ(at(2), early.value().available_at_ms);
    EXPECT_EQ(850, customer());
    EXPECT_EQ(150, escrow());
    EXPECT_EQ(1, transfers_of(order));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events"));
    EXPECT_EQ(1, engine->get_order(tenant_id, order).value().version) << "a denial writes nothing";

    auto cancelled = event(order, "cancel", at(2));
    ASSERT_TRUE(cancelled) << cancelled.error().message;
    EXPECT_TRUE(cancelled.value().allowed);
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(0, revenue());
    EXPECT_EQ(-1000, funding());
    EXPECT_EQ(2, transfers_of(order));
    const OrderRecord& after = cancelled.value().order;
    EXPECT_EQ("cancelled", after.state);
    EXPECT_TRUE(after.is_final);
    EXPECT_EQ(at(2), after.closed_at_ms);
    EXPECT_EQ(2, after.version);
    EXPECT_EQ("cancelled", after.outcome);
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers")) << "the expire timer was dropped";
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events WHERE seq = 2 AND type = 'cancel' AND policy = 'otpdesk@1.0.0'"));
    expect_ledger_consistent();
}

TEST_F(ActivationLife, CodeCapturesThenCancelIsRefusedAndTheTimerCompletes) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto code = event(order, "message", at(5));
    ASSERT_TRUE(code) << code.error().message;
    EXPECT_TRUE(code.value().allowed);
    EXPECT_EQ("delivered", code.value().order.state);
    EXPECT_EQ(850, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(150, revenue());

    auto cancel = event(order, "cancel", at(6));
    ASSERT_TRUE(cancel);
    EXPECT_FALSE(cancel.value().allowed);
    EXPECT_EQ("code_already_delivered", cancel.value().code);
    EXPECT_EQ(850, customer());
    EXPECT_EQ(150, revenue());

    EXPECT_EQ(0u, sweeper->sweep_once(at(19, 59'999), 30, 100).claimed) << "not due yet";
    const SweepStats stats = sweeper->sweep_once(at(20), 30, 100);
    EXPECT_EQ(1u, stats.applied);
    EXPECT_EQ("completed", state_of(order));
    EXPECT_EQ(850, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(150, revenue());
    EXPECT_EQ(2, transfers_of(order));
    expect_ledger_consistent();
}

TEST_F(ActivationLife, TimerRefundsInFullWithoutACode) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    const SweepStats stats = sweeper->sweep_once(at(20), 30, 100);
    EXPECT_EQ(1u, stats.applied);
    EXPECT_EQ("expired", state_of(order));
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(0, revenue());
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers"));

    auto late_code = event(order, "message", at(20, 1));
    ASSERT_TRUE(late_code);
    EXPECT_FALSE(late_code.value().allowed);
    EXPECT_EQ("order_closed", late_code.value().code);
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

TEST_F(ActivationLife, LateSweeperDecidesAtTheDueTime) {
    make_tenant(1000);
    const std::string with_code = buy_activation(at(0));
    const std::string without_code = buy_activation(at(0));
    ASSERT_TRUE(event(with_code, "message", at(19, 59'999)).value().allowed);
    // The host was down from 19:00 to 25:00: the sweeper catches up with now = 25 min.
    const SweepStats stats = sweeper->sweep_once(at(25), 30, 100);
    EXPECT_EQ(2u, stats.applied);
    auto completed = engine->get_order(tenant_id, with_code).value();
    auto expired = engine->get_order(tenant_id, without_code).value();
    EXPECT_EQ("completed", completed.state);
    EXPECT_EQ("expired", expired.state);
    EXPECT_EQ(at(20), completed.closed_at_ms) << "decided at the due time, not at 25:00";
    EXPECT_EQ(at(20), expired.closed_at_ms);
    EXPECT_EQ(2, count("SELECT COUNT(*) FROM events WHERE type = 'timer' AND now_ms = " + std::to_string(at(20))));
    EXPECT_EQ(1000 - 150, customer());
    EXPECT_EQ(150, revenue());
    EXPECT_EQ(0, escrow());
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
