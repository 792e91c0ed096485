// Threads fire cancels, codes and two sweepers at the same ~2000 orders around the 2:00 and
// 20:00 boundaries. Whatever order the transactions land in, no order may be both delivered
// and refunded, none may refund more than it charged, and the ledger must balance to the unit.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include "engine_fixture.hpp"

namespace billing::test {
namespace {

constexpr int orders_n = 2000;
constexpr int customers_n = 20;

class Race : public EngineTest {
protected:
    // Around 2:00 or 20:00, within ±2 ms: both sides of each boundary.
    static UtcMs near_boundary(std::mt19937_64& rng) {
        const UtcMs boundary = (rng() % 2 == 0) ? 2 * minute_ms : 20 * minute_ms;
        return t0_ms + boundary - 2 + static_cast<UtcMs>(rng() % 5);
    }

    void buy_all() {
        for (int c = 0; c < customers_n; ++c) {
            auto account = engine->create_account(tenant_id, "racer-" + std::to_string(c));
            ASSERT_TRUE(account);
            ASSERT_TRUE(engine->deposit(tenant_id, account.value().id, 150 * (orders_n / customers_n)));
            customers.push_back(account.value().id);
        }
        const sdk::PurchaseRequest request{"activation", {{"service", "facebook"}, {"country", "de"}}, {}};
        for (int i = 0; i < orders_n; ++i) {
            const std::string& buyer = customers[static_cast<std::size_t>(i % customers_n)];
            auto order = engine->purchase(*policy, tenant_id, buyer, request, t0_ms);
            ASSERT_TRUE(order) << order.error().message;
            orders.push_back(order.value().order.id);
        }
    }

    // Fires type at every order (in a shuffled order), counting anything but allow/deny.
    void fire(const char* type, std::uint64_t seed) {
        std::mt19937_64 rng(seed);
        std::vector<std::string> shuffled = orders;
        std::shuffle(shuffled.begin(), shuffled.end(), rng);
        for (const std::string& order : shuffled) {
            auto result = event(order, type, near_boundary(rng), "facebook");
            if (!result) {
                ++errors;
                ADD_FAILURE() << type << " on " << order << ": " << result.error().code << " "
                              << result.error().message;
            }
        }
    }

    // Sweeps until a sweep after the firing ended finds nothing; returns everything it did.
    SweepStats sweep(const std::string& host, std::int64_t lease_s) {
        Sweeper mine(*engine, *policies, host);
        SweepStats total;
        for (;;) {
            // Read before sweeping: a sweep that finds nothing after the firing ended is the last.
            const bool last_round = firing_done.load();
            const SweepStats stats = mine.sweep_once(t0_ms + 20 * minute_ms + 5, lease_s, 50);
            total += stats;
            if (stats.failed > 0 || stats.parked > 0) {
                errors += static_cast<int>(stats.failed + stats.parked);
                ADD_FAILURE() << host << ": " << stats.last_error.code << " " << stats.last_error.message;
            }
            if (stats.claimed == 0 && last_round) return total;
            if (stats.claimed == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
    }

    // Buys orders_n activations, then fires cancels, codes and two sweepers at them at once.
    // Returns both sweepers' stats added up.
    SweepStats run_race(std::int64_t lease_s) {
        const char* seed_text = std::getenv("ENGINE_RACE_SEED");
        const std::uint64_t seed = seed_text ? std::strtoull(seed_text, nullptr, 10) : std::random_device{}();
        std::printf("race seed %llu (replay with ENGINE_RACE_SEED)\n", static_cast<unsigned long long>(seed));
        make_tenant();
        buy_all();
        EXPECT_EQ(orders_n, static_cast<int>(orders.size()));

        SweepStats a, b;
        std::thread sweeper_a([&] { a = sweep("host-a", lease_s); });
        std::thread sweeper_b([&] { b = sweep("host-b", lease_s); });
        std::thread cancels([&] { fire("cancel", seed); });
        std::thread codes([&] { fire("message", seed + 1); });
        cancels.join();
        codes.join();
        firing_done = true;
        sweeper_a.join();
        sweeper_b.join();
        EXPECT_EQ(0, errors.load());
        a += b;
        return a;
    }

    // What every race must end with, whatever order its transactions landed in.
    void expect_race_outcome(const SweepStats& swept) {
        const long long completed = count("SELECT COUNT(*) FROM orders WHERE state = 'completed'");
        const long long expired = count("SELECT COUNT(*) FROM orders WHERE state = 'expired'");
        std::printf("outcomes: %lld completed, %lld cancelled, %lld expired; sweeps: %zu claimed, %zu applied, "
                    "%zu lost\n",
                    completed, count("SELECT COUNT(*) FROM orders WHERE state = 'cancelled'"), expired, swept.claimed,
                    swept.applied, swept.lost);
        EXPECT_EQ(0u, swept.denied) << "a cancel drops its order's timer in the same transaction";
        EXPECT_EQ(static_cast<std::size_t>(completed + expired), swept.applied);
        EXPECT_EQ(swept.claimed, swept.applied + swept.lost) << "every claim applied or lost, none failed";
        EXPECT_EQ(completed + expired, count("SELECT COUNT(*) FROM events WHERE type = 'timer'"));
        EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders o WHERE state IN ('completed', 'expired') AND "
                           "(SELECT COUNT(*) FROM events e WHERE e.order_id = o.id AND e.type = 'timer') <> 1"))
            << "exactly one timer event per order the timer closed";
        expect_money_outcome();
    }

    void expect_money_outcome();

    std::vector<std::string> customers;
    std::vector<std::string> orders;
    std::atomic<int> errors{0};
    std::atomic<bool> firing_done{false};
};

void Race::expect_money_outcome() {
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders WHERE is_final = 0")) << "every order reached a final state";
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders o WHERE "
                       "EXISTS (SELECT 1 FROM transfers t WHERE t.order_id = o.id AND t.kind = 'capture') AND "
                       "EXISTS (SELECT 1 FROM transfers t WHERE t.order_id = o.id AND t.kind = 'refund')"))
        << "an order was both delivered and refunded";
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders WHERE outcome = 'delivered' AND refunded_from_escrow_minor > 0"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders o WHERE "
                       "(SELECT COALESCE(SUM(amount_minor), 0) FROM transfers t WHERE t.order_id = o.id AND "
                       "t.kind IN ('refund', 'refund_captured')) > "
                       "(SELECT COALESCE(SUM(amount_minor), 0) FROM transfers t WHERE t.order_id = o.id AND "
                       "t.kind IN ('purchase', 'charge'))"))
        << "an order refunded more than it charged";
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders WHERE state IN ('cancelled', 'expired') AND "
                       "refunded_from_escrow_minor <> charged_minor"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM orders WHERE state = 'completed' AND captured_minor <> charged_minor"));
    EXPECT_EQ(0, count("SELECT COALESCE(SUM(balance_minor), 0) FROM accounts WHERE tenant_id = '" + tenant_id + "'"));
    expect_ledger_consistent();
}

TEST_F(Race, CancelCodeAndSweepersAtTheBoundaries) { expect_race_outcome(run_race(30)); }

// A lease that ends the moment it is taken: the two sweepers keep taking timers over from each
// other, and each timer must still apply exactly once.
TEST_F(Race, SweepersTakingEachOthersTimersOverStillApplyEachOnce) { expect_race_outcome(run_race(0)); }

}  // namespace
}  // namespace billing::test
