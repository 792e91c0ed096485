// The planner's always-on ledger invariant check (write_plan::invariant_breach) through real
// transactions: a decision the host's decision checks accept, on an order whose stored running
// amounts are already broken, would write an order that breaks the ledger's rules. The check is
// the only thing that stops it: the call fails with ledger_violation, its message is the cause
// the request log writes for the 500 ("code: message"; the sweeper keeps it on the timer's row),
// and nothing else changes.
//
// The seam needs no hook in the engine, so the check runs exactly as in production: the order's
// row edited as a hand edit or an older version's bug could leave it (the orders table has no
// CHECK on the running amounts), and a policy that trusts it (the fixture's overriding_otpdesk;
// OTPDesk itself denies an order with inconsistent amounts). On a sound row, decision_check
// refuses every decision that could break the invariants first: the check is a safety net.
#include <gmock/gmock.h>
#include <soci/soci.h>

#include "billing/storage/engine_errors.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using ::testing::HasSubstr;

constexpr MinorUnits activation_price = 150;  // the shipped config's facebook/de activation
constexpr int lease_s = 30;
constexpr std::size_t batch_max = 10;

// Every table the engine writes; a test compares all of their rows before and after.
const std::vector<std::string> engine_tables = {"tenants",   "accounts",         "orders",        "timers",  "events",
                                                "transfers", "idempotency_keys", "refund_grants", "disputes"};

// Every row of table, every column as text, in key order.
std::string rows_of(soci::session& sql, const std::string& table) {
    std::string out = table + ":\n";
    const soci::rowset<soci::row> rows = (sql.prepare << "SELECT * FROM " + table + " ORDER BY 1, 2");
    for (const soci::row& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            out += row.get_properties(i).get_name() + "=";
            if (row.get_indicator(i) == soci::i_null) {
                out += "NULL";
            } else {
                switch (row.get_properties(i).get_data_type()) {
                    case soci::dt_string: out += row.get<std::string>(i); break;
                    case soci::dt_integer: out += std::to_string(row.get<int>(i)); break;
                    case soci::dt_long_long: out += std::to_string(row.get<long long>(i)); break;
                    case soci::dt_unsigned_long_long: out += std::to_string(row.get<unsigned long long>(i)); break;
                    case soci::dt_double: out += std::to_string(row.get<double>(i)); break;
                    default: out += "(a column of another type)"; break;
                }
            }
            out += i + 1 < row.size() ? " " : "\n";
        }
    }
    return out;
}

std::string rows_of(storage::Database& db, const std::vector<std::string>& tables) {
    std::string out;
    auto read = db.read([&](soci::session& sql) -> Result<Unit> {
        for (const std::string& table : tables) out += rows_of(sql, table);
        return Unit{};
    });
    EXPECT_TRUE(read) << read.error().message;
    return out;
}

IdempotencyKey<EventResult> cancel_key(const std::string& key) {
    return {key, std::string(64, 'c'), [](const EventResult& e) {
                return IdempotencyResponse{e.applied.allowed ? 200 : 409, "{\"code\":\"" + e.applied.code + "\"}"};
            }};
}

sdk::Event customer_cancel_event() {
    sdk::Event cancel;
    cancel.type = sdk::event_type::cancel;
    cancel.actor = "customer";
    return cancel;
}

class LedgerInvariant : public EngineTest {
protected:
    // An activation (its price in escrow, its expire timer at 20:00) whose row claims one minor
    // unit refunded from revenue although nothing was captured, and a policy that refunds what
    // escrow holds by the row on a cancel or the expiry. decision_check passes that refund (it is
    // what escrow holds); the order it leaves has refunded_from_revenue > captured.
    void SetUp() override {
        EngineTest::SetUp();
        make_tenant(1000);
        order = buy_activation(at(0));
        policy = overriding_otpdesk(
            [](const sdk::OrderView& o, const sdk::Event& e, const sdk::Context&) -> std::optional<sdk::Decision> {
                sdk::Decision d = sdk::allow("everything held is refunded");
                d.new_state = e.type == sdk::event_type::timer ? "expired" : "cancelled";
                if (e.type == sdk::event_type::cancel) d.drop_timers = {"expire"};
                d.moves = {{sdk::MoveKind::refund, o.held_minor()}};
                return d;
            });
        ASSERT_TRUE(db->write([&](soci::session& sql) -> Result<Unit> {
            sql << "UPDATE orders SET refunded_from_revenue_minor = 1 WHERE id = '" + order + "'";
            return Unit{};
        }));
        ASSERT_EQ(1000 - activation_price, customer());
        ASSERT_EQ(activation_price, escrow());
        ASSERT_EQ(0, revenue());
    }

    [[nodiscard]] std::string cause() const {
        return "ledger invariant broken by otpdesk@1.0.0 on order " + order +
               ": refunded from revenue 1 exceeds captured 0";
    }

    std::string order;
};

TEST_F(LedgerInvariant, ARequestIsRefusedWithLedgerViolationItsCauseAndChangesNothing) {
    const std::string before = rows_of(*db, engine_tables);
    ASSERT_THAT(before, HasSubstr("refunded_from_revenue_minor=1")) << "the snapshot holds the order's row";
    // Twice with the same key: no answer was stored, so the retry runs again, and is refused again.
    for (int attempt = 1; attempt <= 2; ++attempt) {
        auto refused = engine->apply(*policy, tenant_id, order, customer_cancel_event(), at(3), cancel_key("cancel-1"));
        ASSERT_FALSE(refused) << "attempt " << attempt << ": the broken order was written";
        EXPECT_EQ(engine_error::ledger_violation, refused.error().code);
        EXPECT_THAT(refused.error().message, HasSubstr(cause()));
        EXPECT_EQ(before, rows_of(*db, engine_tables)) << "attempt " << attempt;
    }
    EXPECT_EQ(1000 - activation_price, customer());
    EXPECT_EQ(activation_price, escrow());
    EXPECT_EQ(0, revenue());
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events WHERE order_id = '" + order + "'"));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers WHERE order_id = '" + order + "'"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM idempotency_keys"));
}

TEST_F(LedgerInvariant, ATimerFailsWithLedgerViolationItsCauseKeptOnItsRowAndChangesNothingElse) {
    const std::vector<std::string> but_timers = {"tenants",   "accounts",         "orders",        "events",
                                                 "transfers", "idempotency_keys", "refund_grants", "disputes"};
    const std::string before = rows_of(*db, but_timers);
    // The set-based pass's plan is refused too, so the timer runs by itself, and fails there.
    const SweepStats stats = sweeper->sweep_once(at(21), lease_s, batch_max);
    EXPECT_EQ(1u, stats.claimed);
    EXPECT_EQ(0u, stats.applied);
    EXPECT_EQ(0u, stats.set_based);
    EXPECT_EQ(1u, stats.failed);
    EXPECT_EQ(engine_error::ledger_violation, stats.last_error.code);
    EXPECT_THAT(stats.last_error.message, HasSubstr(cause()));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers WHERE order_id = '" + order +
                       "' AND name = 'expire' AND attempts = 1 AND last_error = 'ledger_violation: " + cause() + "'"));
    EXPECT_EQ(before, rows_of(*db, but_timers));
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(activation_price, escrow());
}

}  // namespace
}  // namespace billing::test
