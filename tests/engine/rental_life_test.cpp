// Rental lives: cancel inside the 20-minute window, capture at 20:00, end at the rented time.
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using RentalLife = EngineTest;

TEST_F(RentalLife, CancelJustInsideTheWindowRefunds) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    EXPECT_EQ(500, customer());
    EXPECT_EQ(500, escrow());
    auto cancelled = event(order, "cancel", at(19, 59'999));
    ASSERT_TRUE(cancelled) << cancelled.error().message;
    EXPECT_TRUE(cancelled.value().allowed);
    EXPECT_EQ("cancelled", cancelled.value().order.state);
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers")) << "capture and end were dropped";
    expect_ledger_consistent();
}

TEST_F(RentalLife, CaptureAtTwentyMinutesThenEnd) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    auto too_late = event(order, "cancel", at(20));
    ASSERT_TRUE(too_late);
    EXPECT_FALSE(too_late.value().allowed);
    EXPECT_EQ("cancel_window_closed", too_late.value().code);

    SweepStats stats = sweeper->run_due_for_tenant(tenant_id, at(20));
    EXPECT_EQ(1u, stats.applied);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(500, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(500, revenue());

    ASSERT_TRUE(event(order, "message", at(60)).value().allowed) << "codes from any service, no money";
    EXPECT_EQ(500, revenue());

    stats = sweeper->run_due_for_tenant(tenant_id, at(24 * 60) - 1);
    EXPECT_EQ(0u, stats.claimed);
    stats = sweeper->run_due_for_tenant(tenant_id, at(24 * 60));
    EXPECT_EQ(1u, stats.applied);
    EXPECT_EQ("ended", state_of(order));
    EXPECT_EQ(500, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(500, revenue());
    EXPECT_EQ(2, transfers_of(order));
    expect_ledger_consistent();
}

TEST_F(RentalLife, RunDueForTenantRunsBothTimersInDueOrderAfterDowntime) {
    make_tenant(1000);
    const std::string order = buy_rental(at(0), 24);
    const SweepStats stats = sweeper->run_due_for_tenant(tenant_id, at(48 * 60));
    EXPECT_EQ(2u, stats.applied);
    EXPECT_EQ("ended", state_of(order));
    EXPECT_EQ(500, revenue());
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events WHERE type = 'timer' AND timer = 'capture' AND seq = 2"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events WHERE type = 'timer' AND timer = 'end' AND seq = 3"));
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
