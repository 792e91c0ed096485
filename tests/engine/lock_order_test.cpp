// The lock order of engine.hpp, read off the statements SQLite runs (SQLite itself takes one
// writer lock, but PostgreSQL and MySQL lock rows in statement order, and two transactions that
// lock the same rows in opposite orders deadlock there).
#include <gmock/gmock.h>

#include <algorithm>
#include <functional>

#include "engine_fixture.hpp"
#include "one_batch.hpp"
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

// A transaction of its own (group commit off; the sweeper's set-based passes) posts each transfer
// by updating both accounts at once.
class LockOrderAlone : public EngineTest {
protected:
    void SetUp() override {
        group_commit = false;
        EngineTest::SetUp();
    }
};

TEST_F(LockOrderAlone, EveryTransferUpdatesItsTwoAccountsLowerIdFirst) {
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

// In a group-commit batch a posting updates its customer account at once (the row a concurrent
// transaction may also want is then held in statement order, as alone), and adds to the system
// accounts' sums, which are written once each at the end of the batch, in ascending id order,
// after every write of the batch: escrow, which every purchase credits, is written once.
TEST_F(LockOrder, ABatchWritesEachSystemAccountOnceAfterItsWritesInIdOrder) {
    make_tenant(1000);
    const std::string delivered = buy_activation(at(0));
    StatementTrace trace(*db);
    std::vector<std::function<void()>> calls;
    for (int i = 0; i < 3; ++i) calls.emplace_back([&] { (void)buy_activation(at(1)); });
    calls.emplace_back([&] { ASSERT_TRUE(event(delivered, "message", at(5)).value().allowed); });  // escrow -> revenue
    run_in_one_batch(*db, calls);
    std::vector<std::string> updated;
    int commit_at = -1;
    const std::vector<std::string> run = trace.statements();
    for (std::size_t i = 0; i < run.size(); ++i) {
        if (run[i].rfind("UPDATE accounts", 0) == 0) updated.push_back(updated_account(run[i]));
        if (run[i] == "COMMIT") {
            commit_at = static_cast<int>(i);
            break;
        }
    }
    ASSERT_GE(commit_at, 0) << "one COMMIT for the batch";
    ASSERT_EQ(5u, updated.size()) << "the three purchases' customer debits, then escrow and revenue once each";
    EXPECT_EQ(customer_id, updated[0]);
    EXPECT_EQ(customer_id, updated[1]);
    EXPECT_EQ(customer_id, updated[2]);
    EXPECT_EQ(std::min(escrow_id, revenue_id), updated[3]);
    EXPECT_EQ(std::max(escrow_id, revenue_id), updated[4]);
    EXPECT_EQ(3 * 150, escrow());
    EXPECT_EQ(150, revenue());
    expect_ledger_consistent();
}

}  // namespace
}  // namespace billing::test
