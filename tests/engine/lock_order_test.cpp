// The lock order of engine.hpp, read off the statements SQLite runs (SQLite itself takes one
// writer lock, but PostgreSQL and MySQL lock rows in statement order, and two transactions that
// lock the same rows in opposite orders deadlock there).
#include <gmock/gmock.h>

#include "engine_fixture.hpp"
#include "statement_trace.hpp"

namespace billing::test {
namespace {

using LockOrder = EngineTest;

// The account id of an "UPDATE accounts ... WHERE id = '...'" statement.
std::string updated_account(const std::string& statement) {
    const std::string marker = "WHERE id = '";
    const auto start = statement.find(marker);
    if (start == std::string::npos) return "";
    const auto begin = start + marker.size();
    return statement.substr(begin, statement.find('\'', begin) - begin);
}

TEST_F(LockOrder, SweeperLocksTheOrderBeforeDeletingItsTimer) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    auto claimed = sweeper->claim_due(at(20), "host#1", 30, 10);
    ASSERT_TRUE(claimed);
    StatementTrace trace(*db);
    EXPECT_EQ(1u, sweeper->process(claimed.value(), "host#1").applied);
    const std::vector<std::string> run = trace.statements();
    const int order_read = first_index_of(run, "FROM orders WHERE id = '" + order + "'");
    const int timer_removed = first_index_of(run, "DELETE FROM timers");
    ASSERT_GE(order_read, 0);
    ASSERT_GE(timer_removed, 0);
    EXPECT_LT(order_read, timer_removed) << "the same order as apply: order row, then its timers";
}

TEST_F(LockOrder, EveryTransferUpdatesItsTwoAccountsLowerIdFirst) {
    make_tenant(0);
    StatementTrace trace(*db);
    ASSERT_TRUE(engine->deposit(tenant_id, customer_id, 1000));      // funding -> customer
    const std::string cancelled = buy_activation(at(0));             // customer -> escrow
    ASSERT_TRUE(event(cancelled, "cancel", at(2)).value().allowed);  // escrow -> customer
    const std::string delivered = buy_activation(at(0));
    ASSERT_TRUE(event(delivered, "message", at(5)).value().allowed);  // escrow -> revenue
    std::vector<std::string> updated;
    for (const std::string& statement : trace.statements()) {
        if (statement.rfind("UPDATE accounts", 0) == 0) updated.push_back(updated_account(statement));
    }
    // customer -> escrow and escrow -> customer both appear above, so whichever ids the accounts
    // drew, a posting that always updated its debit side first would break the order here.
    ASSERT_EQ(10u, updated.size()) << "two updates for each of the five transfers";
    for (std::size_t i = 0; i + 1 < updated.size(); i += 2) {
        EXPECT_LT(updated[i], updated[i + 1]) << "transfer " << i / 2;
    }
}

}  // namespace
}  // namespace billing::test
