// The sweeper's set-based batch (Engine::run_set_based_in): the timers of a claimed batch decided
// in memory and written together must leave exactly what running them one by one leaves: each
// timer once, balances to the unit, events in sequence. What the set-based pass does not take
// (a second timer of an order, a failing decision) runs one by one after it in the same
// transaction; a batch whose set-based writes fail falls back to one transaction per timer. A
// batch claims its timers by the row locks of its transaction: another sweeper's lease keeps a
// timer out of it, and two sweepers at once apply each timer once.
// Runs on SQLite, PostgreSQL and MariaDB (engine_database.hpp).
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "billing/storage/engine_errors.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

constexpr MinorUnits activation_price = 150;  // the shipped config's facebook/de activation
constexpr MinorUnits rental_price = 500;      // a 24-hour rental
constexpr std::int64_t lease_s = 30;
constexpr std::size_t batch_max = 500;

class SweepBatch : public EngineTest {
protected:
    long long events_of(const std::string& order_id, const std::string& where = "1 = 1") {
        return count("SELECT COUNT(*) FROM events WHERE order_id = '" + order_id + "' AND " + where);
    }
    // What Sweeper::sweep_once reads before its batch's transaction.
    Result<std::vector<timers::TimerRow>> due_candidates(UtcMs now) {
        return db->read([&](soci::session& sql) -> Result<std::vector<timers::TimerRow>> {
            return timers::due_candidates(sql, now, batch_max);
        });
    }
};

TEST_F(SweepBatch, ExpiredActivationsAreRefundedTogetherEachOnce) {
    constexpr int n = 40;
    make_tenant(n * activation_price);
    std::vector<std::string> orders;
    for (int i = 0; i < n; ++i) orders.push_back(buy_activation(at(0, i)));
    ASSERT_EQ(0, customer());
    ASSERT_EQ(n * activation_price, escrow());

    EXPECT_EQ(0u, sweeper->sweep_once(at(20) - 1, lease_s, batch_max).claimed) << "none is due before 20:00";
    const SweepStats stats = sweeper->sweep_once(at(20, n), lease_s, batch_max);
    EXPECT_EQ(static_cast<std::size_t>(n), stats.claimed);
    EXPECT_EQ(static_cast<std::size_t>(n), stats.applied);
    EXPECT_EQ(static_cast<std::size_t>(n), stats.set_based) << "the whole batch went the set-based way";
    EXPECT_EQ(0u, stats.failed);
    EXPECT_EQ(n * activation_price, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(0, revenue());
    for (int i = 0; i < n; ++i) {
        const std::string& order = orders[static_cast<std::size_t>(i)];
        EXPECT_EQ("expired", state_of(order));
        EXPECT_EQ(2, transfers_of(order)) << "the purchase and one refund";
        // The timer's event follows the purchase, decided at the timer's own due time.
        EXPECT_EQ(1, events_of(order, "seq = 2 AND type = 'timer' AND timer = 'expire' AND actor = 'system' AND "
                                      "now_ms = " +
                                          std::to_string(at(20, i))));
        EXPECT_EQ(1, count("SELECT COUNT(*) FROM orders WHERE id = '" + order +
                           "' AND version = 2 AND is_final = 1 "
                           "AND closed_at_ms = " +
                           std::to_string(at(20, i)) +
                           " AND refunded_from_escrow_minor = " + std::to_string(activation_price)));
    }
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(0u, sweeper->sweep_once(at(60), lease_s, batch_max).claimed);
    expect_ledger_consistent();
}

TEST_F(SweepBatch, MixedBatchEndsAsTimerByTimerRunsWould) {
    make_tenant(10'000);
    const std::string refunded = buy_activation(at(0));
    const std::string delivered = buy_activation(at(0));
    ASSERT_TRUE(event(delivered, "message", at(5)).value().allowed);
    const std::string rental = buy_rental(at(0), 24);
    const std::string cancelled = buy_activation(at(0));
    ASSERT_TRUE(event(cancelled, "cancel", at(3)).value().allowed);
    const std::string poisoned = buy_activation(at(0));
    // OTPDesk, except that the poisoned order's timer refunds twice what escrow holds: a policy
    // bug the host refuses every time (policy_violation), counted on that timer alone.
    policy = overriding_otpdesk(
        [poisoned](const sdk::OrderView& o, const sdk::Event& e, const sdk::Context&) -> std::optional<sdk::Decision> {
            if (o.id != poisoned || e.type != sdk::event_type::timer) return std::nullopt;
            sdk::Decision d = sdk::allow();
            d.moves = {{sdk::MoveKind::refund, o.held_minor() * 2}};
            return d;
        });

    // A day on: the rental's capture (20:00) and end (24:00) are both due, in one batch.
    const SweepStats stats = sweeper->sweep_once(at(24 * 60), lease_s, batch_max);
    EXPECT_EQ(5u, stats.claimed);
    EXPECT_EQ(4u, stats.applied);
    EXPECT_EQ(1u, stats.failed);
    EXPECT_EQ(engine_error::policy_violation, stats.last_error.code);
    // The rental's end waits for its capture: it runs after the set-based pass, one by one, as
    // does the poisoned timer, whose failure is counted on its row.
    EXPECT_EQ(3u, stats.set_based);

    EXPECT_EQ("expired", state_of(refunded));
    EXPECT_EQ("completed", state_of(delivered));
    EXPECT_EQ("ended", state_of(rental));
    EXPECT_EQ("cancelled", state_of(cancelled));
    EXPECT_EQ("active", state_of(poisoned));
    EXPECT_EQ(1, events_of(rental, "seq = 2 AND timer = 'capture'"));
    EXPECT_EQ(1, events_of(rental, "seq = 3 AND timer = 'end'"));
    EXPECT_EQ(1, events_of(delivered, "seq = 3 AND timer = 'expire'"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(1, count("SELECT attempts FROM timers WHERE order_id = '" + poisoned + "'"));
    // Only the poisoned activation's price is still held; the delivered one and the rental
    // were captured; the expired and cancelled ones refunded.
    EXPECT_EQ(10'000 - 2 * activation_price - rental_price, customer());
    EXPECT_EQ(activation_price, escrow());
    EXPECT_EQ(activation_price + rental_price, revenue());
    expect_ledger_consistent();
}

TEST_F(SweepBatch, EscrowShortOfTheBatchFallsBackToOneTransactionPerTimer) {
    make_tenant(1000);
    const std::string first = buy_activation(at(0, 1));
    const std::string second = buy_activation(at(0, 2));
    const std::string third = buy_activation(at(0, 3));
    ASSERT_EQ(3 * activation_price, escrow());
    // Corrupt data: escrow lost one price (as if a row had been edited by hand). The batch's
    // refunds together exceed it, so its set-based writes fail and nothing of them stays; one by
    // one, in due order, the first two are covered and the third is refused by the ledger.
    ASSERT_TRUE(db->write([&](soci::session& sql) -> Result<Unit> {
        sql << "UPDATE accounts SET balance_minor = balance_minor - " + std::to_string(activation_price) +
                   " WHERE id = '" + escrow_id + "'";
        return Unit{};
    }));
    const SweepStats stats = sweeper->sweep_once(at(21), lease_s, batch_max);
    EXPECT_EQ(3u, stats.claimed);
    EXPECT_EQ(2u, stats.applied);
    EXPECT_EQ(1u, stats.failed);
    EXPECT_EQ(0u, stats.set_based);
    EXPECT_EQ(engine_error::ledger_violation, stats.last_error.code);
    EXPECT_EQ("expired", state_of(first));
    EXPECT_EQ("expired", state_of(second));
    EXPECT_EQ("active", state_of(third));
    EXPECT_EQ(1000 - activation_price, customer());
    EXPECT_EQ(0, escrow());
    EXPECT_EQ(1, count("SELECT attempts FROM timers WHERE order_id = '" + third + "'"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM transfers WHERE kind = 'refund' AND order_id = '" + first + "'"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM transfers WHERE kind = 'refund' AND order_id = '" + second + "'"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM transfers WHERE kind = 'refund' AND order_id = '" + third + "'"));
}

TEST_F(SweepBatch, ATimerAnotherSweeperLeasedStaysOutOfTheBatchUntilItsLeaseEnds) {
    constexpr int n = 5;
    make_tenant(n * activation_price);
    std::vector<std::string> orders;
    for (int i = 0; i < n; ++i) orders.push_back(buy_activation(at(0, i)));
    const UtcMs now = at(20, n);
    // The batch's candidates are read first; then another sweeper leases the earliest timer (and
    // is slow with it) before the batch's transaction opens.
    const auto candidates = due_candidates(now);
    ASSERT_TRUE(candidates);
    ASSERT_EQ(static_cast<std::size_t>(n), candidates.value().size());
    auto leased = sweeper->claim_due(now, "other#1", lease_s, 1);
    ASSERT_TRUE(leased);
    ASSERT_EQ(1u, leased.value().size());
    ASSERT_EQ(orders[0], leased.value()[0].order_id);

    auto swept = engine->run_due_batch(candidates.value(), "batch#1", now, now + lease_s * 1000,
                                       TimerPolicies{{tenant_id, policy}});
    ASSERT_TRUE(swept) << swept.error().message;
    ASSERT_EQ(static_cast<std::size_t>(n - 1), swept.value().claimed.size()) << "the leased timer is not claimed";
    for (const timers::TimerRow& t : swept.value().claimed) EXPECT_NE(orders[0], t.order_id);
    for (const TimerOutcome& outcome : swept.value().outcomes) EXPECT_EQ(TimerRun::applied, outcome.run);
    EXPECT_EQ("active", state_of(orders[0]));
    for (int i = 1; i < n; ++i) EXPECT_EQ("expired", state_of(orders[static_cast<std::size_t>(i)]));
    // The batch claimed by its row locks: it left no lease of its own, only the other's.
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers WHERE lease_owner = 'other#1'"));

    EXPECT_EQ(0u, sweeper->sweep_once(now + lease_s * 1000 - 1, lease_s, batch_max).claimed) << "still leased";
    const SweepStats after = sweeper->sweep_once(now + lease_s * 1000, lease_s, batch_max);
    EXPECT_EQ(1u, after.applied);
    EXPECT_EQ("expired", state_of(orders[0]));
    EXPECT_EQ(n * activation_price, customer()) << "every activation refunded once";
    EXPECT_EQ(0, escrow());
    expect_ledger_consistent();
}

TEST_F(SweepBatch, ALaterTimerTheBatchsOwnDecisionDroppedIsLostNotRun) {
    make_tenant(10'000);
    const std::string rental = buy_rental(at(0), 24);
    // OTPDesk, except that the rental's capture also drops its end timer.
    policy = overriding_otpdesk(
        [rental](const sdk::OrderView& o, const sdk::Event& e, const sdk::Context&) -> std::optional<sdk::Decision> {
            if (o.id != rental || e.type != sdk::event_type::timer || e.timer != "capture") return std::nullopt;
            sdk::Decision d = sdk::allow();
            d.drop_timers = {"end"};
            return d;
        });
    // A day on, capture and end are both due in one batch: the capture runs set-based and drops
    // the end, which the batch had claimed (locked) too. The batch's own transaction says so
    // (no fallback to leases).
    const UtcMs now = at(24 * 60);
    const auto candidates = due_candidates(now);
    ASSERT_TRUE(candidates);
    auto swept = engine->run_due_batch(candidates.value(), "batch#1", now, now + lease_s * 1000,
                                       TimerPolicies{{tenant_id, policy}});
    ASSERT_TRUE(swept) << swept.error().message;
    ASSERT_EQ(2u, swept.value().claimed.size());
    ASSERT_EQ(2u, swept.value().outcomes.size());
    EXPECT_EQ("capture", swept.value().claimed[0].name);
    EXPECT_EQ(TimerRun::applied, swept.value().outcomes[0].run);
    EXPECT_TRUE(swept.value().outcomes[0].set_based);
    EXPECT_EQ(TimerRun::lost, swept.value().outcomes[1].run);
    EXPECT_EQ(1, events_of(rental, "seq = 2 AND timer = 'capture'"));
    EXPECT_EQ(0, events_of(rental, "timer = 'end'"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers"));
    expect_ledger_consistent();
}

TEST_F(SweepBatch, TwoSweepersAtOnceApplyEachTimerOnce) {
    constexpr int n = 60;
    make_tenant(n * activation_price);
    std::vector<std::string> orders;
    for (int i = 0; i < n; ++i) orders.push_back(buy_activation(at(0, i)));
    // Two hosts' sweepers on one database, in small batches that overlap: each reads the same
    // earliest candidates, and one waits for the other's locks or finds the timers gone.
    Sweeper other(*engine, *policies, "other-host");
    std::atomic<std::size_t> applied{0};
    std::atomic<std::size_t> failed{0};
    auto sweep = [&](Sweeper& s) {
        for (int round = 0; round < 200 && applied < static_cast<std::size_t>(n); ++round) {
            const SweepStats stats = s.sweep_once(at(21), lease_s, 10);
            applied += stats.applied;
            failed += stats.failed;
        }
    };
    std::thread a([&] { sweep(*sweeper); });
    std::thread b([&] { sweep(other); });
    a.join();
    b.join();
    EXPECT_EQ(static_cast<std::size_t>(n), applied.load());
    EXPECT_EQ(0u, failed.load());
    for (const std::string& order : orders) {
        EXPECT_EQ("expired", state_of(order));
        EXPECT_EQ(1, events_of(order, "type = 'timer'")) << order << ": decided exactly once";
    }
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(n * activation_price, customer());
    EXPECT_EQ(0, escrow());
    expect_ledger_consistent();
}

TEST_F(SweepBatch, TextsWithQuotesBackslashesAndBracesArriveAsWritten) {
    make_tenant(1000);
    const std::string a = buy_activation(at(0, 1));
    const std::string b = buy_activation(at(0, 2));
    // What a policy may write into an order: every character the backends' quoting, PostgreSQL's
    // array literals and JSON escape differently.
    // MySQL's hexadecimal literals and SOCI's ":name" placeholders are in it too.
    const std::string tricky = "it's \"quoted\", back\\slash \\\\ {braces}, NULL, commas; ünïcødé \t tab "
                               ":p1 :name X'41' _utf8mb4 😀";
    // A decision's code is stored as it is (no JSON around it).
    const std::string tricky_code = "it's:p1\\ 😀";
    // OTPDesk's own expiry, with the text added to the event and to one order's attributes.
    policy = overriding_otpdesk(
        [&](const sdk::OrderView& o, const sdk::Event& e, const sdk::Context& c) -> std::optional<sdk::Decision> {
            if (e.type != sdk::event_type::timer) return std::nullopt;
            sdk::Decision d = otpdesk()->policy().decide(o, e, c);
            d.message += " note: " + tricky;
            // Only a's attributes change: b, in the same statement, must keep its own.
            if (o.id == a) {
                d.set_attributes["note"] = tricky + o.id;
                d.code = tricky_code;
            }
            return d;
        });
    const SweepStats stats = sweeper->sweep_once(at(21), lease_s, batch_max);
    EXPECT_EQ(2u, stats.applied) << stats.last_error.code << ": " << stats.last_error.message;
    EXPECT_EQ(2u, stats.set_based);
    for (const std::string& order : {a, b}) {
        auto read = engine->get_order(tenant_id, order);
        ASSERT_TRUE(read) << read.error().message;
        if (order == a) {
            EXPECT_EQ(tricky + order, read.value().attributes.at("note"));
        } else {
            EXPECT_EQ(0u, read.value().attributes.count("note"));
        }
        EXPECT_EQ("facebook", read.value().attributes.at("service")) << "the purchase's attributes are kept";
        EXPECT_EQ("expired", read.value().state);
        std::string code;
        auto decision = db->read([&](soci::session& sql) -> Result<std::string> {
            std::string text;
            sql << "SELECT decision, code FROM events WHERE order_id = :o AND seq = 2", soci::into(text),
                soci::into(code), soci::use(order);
            return text;
        });
        ASSERT_TRUE(decision) << decision.error().message;
        if (order == a) {
            EXPECT_EQ(tricky_code, code);
        }
        // JSON escapes the quotes and the backslashes once; the database kept every byte.
        EXPECT_NE(std::string::npos, decision.value().find(R"(it's \"quoted\", back\\slash \\\\ {braces})"))
            << decision.value();
    }
    EXPECT_EQ(1000, customer());
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
