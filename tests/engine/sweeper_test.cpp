// Timer leases: a dead owner's claim is taken over after the lease ends and the timer is
// applied exactly once; a timer moved or dropped under a lease (or between the sweeper's select
// and its claim) is left alone; a stale timer is deleted.
#include <chrono>
#include <thread>
#include <vector>

#include "billing/engine/sweeper_runner.hpp"
#include "billing/storage/timers.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

class SweeperLease : public EngineTest {
protected:
    // What a request's decision does to a timer it re-arms.
    void move_timer(const std::string& order_id, const std::string& name, UtcMs due_at_ms) {
        auto moved = db->write([&](soci::session& sql) -> Result<Unit> {
            timers::upsert(sql, timers::TimerRow{order_id, name, tenant_id, due_at_ms});
            return Unit{};
        });
        ASSERT_TRUE(moved) << moved.error().message;
    }
};

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

TEST_F(SweeperLease, CodeArrivingUnderALeaseLeavesTheTimerToCompleteTheOrder) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto claimed = sweeper->claim_due(at(20), "slow#1", 30, 10);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(1u, claimed.value().size());
    // A code arrives just before the window ends while the sweeper is slow. It keeps the expire
    // timer (unchanged, still leased), which then completes the order instead of refunding it.
    ASSERT_TRUE(event(order, "message", at(19, 59'999)).value().allowed);
    EXPECT_EQ(1u, sweeper->process(claimed.value(), "slow#1").applied) << "the timer still runs, at its due time";
    EXPECT_EQ("completed", state_of(order));
    EXPECT_EQ(150, revenue());
    EXPECT_EQ(0, escrow());
    expect_ledger_consistent();
}

TEST_F(SweeperLease, TimerMovedBetweenSelectAndClaimIsNotClaimed) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    // The sweeper's two statements, with a request moving the timer to 40:00 in between (on a
    // server database nothing orders them otherwise).
    auto selected = db->write([&](soci::session& sql) -> Result<std::vector<timers::TimerRow>> {
        return timers::due_candidates(sql, at(20), 10);
    });
    ASSERT_TRUE(selected);
    ASSERT_EQ(1u, selected.value().size());
    move_timer(order, "expire", at(40));
    auto won = db->write([&](soci::session& sql) -> Result<bool> {
        return timers::claim(sql, selected.value()[0], "slow#1", at(20), at(20, 30'000));
    });
    ASSERT_TRUE(won);
    EXPECT_FALSE(won.value()) << "the selected row is not the timer any more";
    EXPECT_EQ(1u, sweeper->process(selected.value(), "slow#1").lost);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(150, escrow());

    EXPECT_EQ(0u, sweeper->sweep_once(at(39, 59'999), 30, 10).claimed);
    EXPECT_EQ(1u, sweeper->sweep_once(at(40), 30, 10).applied);
    EXPECT_EQ(at(40), engine->get_order(tenant_id, order).value().closed_at_ms) << "at its new time";
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

TEST_F(SweeperLease, TimerMovedUnderALeaseIsNotAppliedAtItsOldTime) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto claimed = sweeper->claim_due(at(20), "slow#1", 30, 10);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(1u, claimed.value().size());
    move_timer(order, "expire", at(40));
    EXPECT_EQ(1u, sweeper->process(claimed.value(), "slow#1").lost);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers WHERE due_at_ms = " + std::to_string(at(40))));
    EXPECT_EQ(1u, sweeper->sweep_once(at(40), 30, 10).applied);
    EXPECT_EQ(at(40), engine->get_order(tenant_id, order).value().closed_at_ms);
    expect_ledger_consistent();
}

TEST_F(SweeperLease, InABatchAMovedTimerIsLostAndTheOthersApplyOnce) {
    make_tenant(1000);
    const std::string first = buy_activation(at(0));
    const std::string moved = buy_activation(at(0, 1));
    const std::string last = buy_activation(at(0, 2));
    auto claimed = sweeper->claim_due(at(21), "slow#1", 30, 10);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(3u, claimed.value().size());
    move_timer(moved, "expire", at(40));
    const SweepStats stats = sweeper->process(claimed.value(), "slow#1");
    EXPECT_EQ(2u, stats.applied);
    EXPECT_EQ(1u, stats.lost);
    EXPECT_EQ("expired", state_of(first));
    EXPECT_EQ("active", state_of(moved));
    EXPECT_EQ("expired", state_of(last));
    // The same batch again (a sweeper that did not see its commit): nothing applies twice.
    const SweepStats again = sweeper->process(claimed.value(), "slow#1");
    EXPECT_EQ(3u, again.lost);
    EXPECT_EQ(2, transfers_of(first));
    EXPECT_EQ(2, transfers_of(last));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(1u, sweeper->sweep_once(at(40), 30, 10).applied);
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

TEST_F(SweeperLease, StaleTimerIsDeniedAndDeleted) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    ASSERT_TRUE(event(order, "cancel", at(3)).value().allowed);
    move_timer(order, "expire", at(20));  // a leftover the policy no longer wants
    const SweepStats stats = sweeper->sweep_once(at(20), 30, 10);
    EXPECT_EQ(1u, stats.denied);
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers")) << "deleted, not retried forever";
    EXPECT_EQ(2, count("SELECT COUNT(*) FROM events")) << "a denial writes no event";
    EXPECT_EQ(2, transfers_of(order));
    EXPECT_EQ(1000, customer());
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

TEST_F(SweeperLease, ABatchOfOneClaimsOneTimerAtATime) {
    make_tenant(1000);
    const std::string first = buy_activation(at(0));
    const std::string second = buy_activation(at(0, 1));
    auto claimed = sweeper->claim_due(at(21), "one#1", 30, 1);
    ASSERT_TRUE(claimed);
    ASSERT_EQ(1u, claimed.value().size()) << "SOCI's SQLite backend fetches nothing into vectors of size 1";
    EXPECT_EQ(first, claimed.value()[0].order_id) << "earliest due first";
    EXPECT_EQ(1u, sweeper->sweep_once(at(21), 30, 1).claimed);
    EXPECT_EQ(1u, sweeper->process(claimed.value(), "one#1").applied);
    EXPECT_EQ("expired", state_of(first));
    EXPECT_EQ("expired", state_of(second));
}

TEST_F(SweeperLease, OwnerTokensAreUniquePerSweep) { EXPECT_NE(sweeper->next_owner(), sweeper->next_owner()); }

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
