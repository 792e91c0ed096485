// Poison timers: a timer whose run fails is never dropped and never retried in a tight loop. Each
// failure is counted on the row with its error and pushes the lease out by a doubling backoff;
// the attempts_max-th parks it for an operator. A failure does not hold up the timers behind it.
#include <gmock/gmock.h>

#include <chrono>
#include <thread>

#include "billing/engine/sweeper_runner.hpp"
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/timers.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class TimerFailure : public EngineTest {
protected:
    // OTPDesk, except that the timer of `order_id` gets a decision refunding twice what escrow
    // holds: a policy bug the host must refuse (policy_violation) every time.
    void poison_timer_of(const std::string& order_id) {
        policy = overriding_otpdesk([order_id](const sdk::OrderView& o, const sdk::Event& e,
                                               const sdk::Context&) -> std::optional<sdk::Decision> {
            if (o.id != order_id || e.type != sdk::event_type::timer) return std::nullopt;
            sdk::Decision d = sdk::allow();
            d.moves = {{sdk::MoveKind::refund, o.held_minor() * 2}};
            return d;
        });
    }

    long long lease_until() { return count("SELECT lease_until_ms FROM timers"); }
};

TEST_F(TimerFailure, IsRetriedAfterADoublingBackoffThenParkedNeverDropped) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    poison_timer_of(order);
    UtcMs now_ms = at(20);
    for (int attempt = 1; attempt < timers::attempts_max; ++attempt) {
        const SweepStats stats = sweeper->sweep_once(now_ms, 30, 10);
        ASSERT_EQ(1u, stats.failed) << "attempt " << attempt;
        EXPECT_EQ(engine_error::policy_violation, stats.last_error.code);
        EXPECT_EQ(attempt, count("SELECT attempts FROM timers"));
        // Retried once the failed lease has ended plus the backoff, not before.
        const UtcMs retry_ms = now_ms + 30'000 + (timers::retry_backoff_first_ms << (attempt - 1));
        EXPECT_EQ(retry_ms, lease_until());
        EXPECT_EQ(0u, sweeper->sweep_once(retry_ms - 1, 30, 10).claimed);
        now_ms = retry_ms;
    }
    const SweepStats last = sweeper->sweep_once(now_ms, 30, 10);
    EXPECT_EQ(1u, last.parked);
    EXPECT_EQ(0u, last.failed);
    EXPECT_EQ(0u, sweeper->sweep_once(at(100'000), 30, 10).claimed) << "a parked timer is never claimed again";
    EXPECT_EQ(0u, sweeper->run_due_for_tenant(tenant_id, at(100'000)).claimed);

    auto parked = engine->parked_timers(tenant_id);
    ASSERT_TRUE(parked) << parked.error().message;
    ASSERT_EQ(1u, parked.value().size());
    EXPECT_EQ(order, parked.value()[0].timer.order_id);
    EXPECT_EQ(at(20), parked.value()[0].timer.due_at_ms);
    EXPECT_EQ(timers::attempts_max, parked.value()[0].attempts);
    EXPECT_THAT(parked.value()[0].last_error, StartsWith("policy_violation: "));
    EXPECT_THAT(parked.value()[0].last_error, HasSubstr("refund_exceeds_held"));
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(150, escrow()) << "the money waits for the operator";
    EXPECT_EQ(1, transfers_of(order));

    // The operator fixes the policy and re-arms the timer: it runs like any fresh timer.
    policy = otpdesk();
    ASSERT_TRUE(db->write([&](soci::session& sql) -> Result<Unit> {
        timers::upsert(sql, timers::TimerRow{order, "expire", tenant_id, at(20)});
        return Unit{};
    }));
    EXPECT_EQ(1u, sweeper->sweep_once(at(100'000), 30, 10).applied);
    EXPECT_EQ("expired", state_of(order));
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

TEST_F(TimerFailure, AMissingPolicyCountsAsAFailedAttempt) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    policy = nullptr;
    const SweepStats stats = sweeper->sweep_once(at(20), 30, 10);
    EXPECT_EQ(1u, stats.failed);
    EXPECT_EQ(engine_error::policy_unavailable, stats.last_error.code);
    EXPECT_EQ(1, count("SELECT attempts FROM timers"));
    EXPECT_EQ("active", state_of(order));
}

TEST_F(TimerFailure, InABatchOnlyThePoisonedTimerIsRolledBackAndCounted) {
    make_tenant(1000);
    const std::string before = buy_activation(at(0));
    const std::string poisoned = buy_activation(at(0, 1));
    const std::string after = buy_activation(at(0, 2));
    poison_timer_of(poisoned);
    // One claimed batch, one transaction: the poisoned timer in the middle is undone to its
    // savepoint (its row, deleted by the run, is back) and counted; the others commit.
    const SweepStats stats = sweeper->sweep_once(at(21), 30, 10);
    EXPECT_EQ(3u, stats.claimed);
    EXPECT_EQ(2u, stats.applied);
    EXPECT_EQ(1u, stats.failed);
    EXPECT_EQ(engine_error::policy_violation, stats.last_error.code);
    EXPECT_EQ("expired", state_of(before));
    EXPECT_EQ("expired", state_of(after));
    EXPECT_EQ("active", state_of(poisoned));
    EXPECT_EQ(1, transfers_of(poisoned));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(1, count("SELECT attempts FROM timers WHERE order_id = '" + poisoned + "'"));
    EXPECT_EQ(at(21) + 30'000 + timers::retry_backoff_first_ms, lease_until());
    EXPECT_EQ(150, escrow());
    EXPECT_EQ(850, customer());
    EXPECT_EQ(5, count("SELECT COUNT(*) FROM events")) << "three purchases and two timers, none of the poisoned run";
    expect_ledger_consistent();
}

TEST_F(TimerFailure, DoesNotEndTheRunnersTick) {
    make_tenant(1000);
    const std::string poisoned = buy_activation(at(0));
    const std::string healthy = buy_activation(at(0, 1));  // due 1 ms later: claimed second
    poison_timer_of(poisoned);
    clock->set(at(21));
    // One timer per batch and one tick an hour: the healthy timer runs in the first tick or
    // not at all within this test.
    SweeperRunner runner(*sweeper, *clock, SweeperRunnerOptions{3'600'000, 30, 1, 10});
    runner.start();
    for (int i = 0; i < 400 && state_of(healthy) != "expired"; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    runner.stop();
    EXPECT_EQ("expired", state_of(healthy));
    EXPECT_EQ("active", state_of(poisoned));
    EXPECT_EQ(1, count("SELECT attempts FROM timers WHERE order_id = '" + poisoned + "'"));
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
