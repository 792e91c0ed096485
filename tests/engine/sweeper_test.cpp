// Timer leases: a dead owner's claim is taken over after the lease ends and the timer is
// applied exactly once; a timer moved or dropped under a lease is left alone.
#include "billing/engine/sweeper_runner.hpp"
#include "engine_fixture.hpp"

#include <chrono>
#include <thread>

namespace billing::test {
namespace {

using SweeperLease = EngineTest;

constexpr UtcMs at(std::int64_t minutes, std::int64_t ms = 0) { return t0_ms + minutes * minute_ms + ms; }

TEST_F(SweeperLease, DeadOwnersTimerIsTakenOverAfterItsLeaseAndAppliedOnce) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto dead = sweeper->claim_due(at(20), "dead-host#1", 30, 10);
    ASSERT_TRUE(dead);
    ASSERT_EQ(1u, dead.value().size());
    // The owner dies without applying. While its lease runs nobody else may claim the timer.
    auto during = sweeper->claim_due(at(20, 29'999), "other#1", 30, 10);
    ASSERT_TRUE(during);
    EXPECT_TRUE(during.value().empty());
    auto after = sweeper->claim_due(at(20, 30'000), "other#2", 30, 10);
    ASSERT_TRUE(after);
    ASSERT_EQ(1u, after.value().size());
    EXPECT_EQ(at(20), after.value()[0].due_at_ms);

    const SweepStats taken_over = sweeper->process(after.value(), "other#2");
    EXPECT_EQ(1u, taken_over.applied);
    EXPECT_EQ("expired", state_of(order));
    // The dead owner wakes up and tries: its lease is gone, nothing happens.
    const SweepStats revived = sweeper->process(dead.value(), "dead-host#1");
    EXPECT_EQ(1u, revived.lost);
    EXPECT_EQ(0u, revived.applied);
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(2, transfers_of(order)) << "refunded exactly once";
    EXPECT_EQ(2, count("SELECT COUNT(*) FROM events"));
    expect_ledger_consistent();
}

TEST_F(SweeperLease, TimerDroppedUnderALeaseIsNotApplied) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto claimed = sweeper->claim_due(at(20), "slow#1", 30, 10);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(1u, claimed.value().size());
    // A code arrives just before the window ends while the sweeper is slow.
    ASSERT_TRUE(event(order, "message", at(19, 59'999)).value().allowed);
    EXPECT_EQ(1u, sweeper->process(claimed.value(), "slow#1").applied) << "the timer still runs, at its due time";
    EXPECT_EQ("completed", state_of(order));
    EXPECT_EQ(150, revenue());
    EXPECT_EQ(0, escrow());
    expect_ledger_consistent();
}

TEST_F(SweeperLease, CancelledOrdersTimerIsGoneAndStaleTimersAreDeleted) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto claimed = sweeper->claim_due(at(20), "slow#1", 30, 10);
    ASSERT_TRUE(claimed);
    ASSERT_TRUE(event(order, "cancel", at(3)).value().allowed);  // drops the expire timer
    const SweepStats stats = sweeper->process(claimed.value(), "slow#1");
    EXPECT_EQ(1u, stats.lost);
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(2, transfers_of(order));
    expect_ledger_consistent();
}

TEST_F(SweeperLease, OwnerTokensAreUniquePerSweep) {
    EXPECT_NE(sweeper->next_owner(), sweeper->next_owner());
}

TEST_F(SweeperLease, BackgroundRunnerAppliesDueTimers) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    clock->set(at(20));
    SweeperRunner runner(*sweeper, *clock, SweeperRunnerOptions{5, 30, 100, 10});
    runner.start();
    for (int i = 0; i < 400 && state_of(order) != "expired"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    runner.stop();
    EXPECT_EQ("expired", state_of(order));
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
