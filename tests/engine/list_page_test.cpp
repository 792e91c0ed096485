// A page of a list is read with whole rows in one statement (plus one for the cursor's row), not
// as a page of ids followed by one read per row: on a server each statement is a round trip.
// Counted off the statements SQLite runs.
#include <gmock/gmock.h>

#include <algorithm>

#include "billing/storage/queries.hpp"
#include "engine_fixture.hpp"
#include "statement_trace.hpp"

namespace billing::test {
namespace {

using ListPage = EngineTest;

long long statements_reading(const std::vector<std::string>& statements, const std::string& table) {
    return std::count_if(statements.begin(), statements.end(), [&](const std::string& statement) {
        return statement.find("FROM " + table) != std::string::npos;
    });
}

TEST_F(ListPage, APageOfOrdersIsOneStatementAndTheCursorOneMore) {
    make_tenant(100'000);
    std::vector<std::string> bought;
    for (int i = 0; i < 25; ++i) bought.push_back(buy_activation(at(i)));
    StatementTrace trace(*db);
    auto first = db->read([&](soci::session& sql) { return queries::orders(sql, tenant_id, {}, "", 20); });
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(1, statements_reading(trace.statements(), "orders"))
        << "was 22: 21 ids (the page and one more), then each of them";
    ASSERT_EQ(20u, first.value().data.size());
    EXPECT_TRUE(first.value().has_more);
    EXPECT_EQ(bought[24], first.value().data.front().id) << "newest first";
    EXPECT_EQ(100'000 - 25 * 150, customer()) << "the orders are whole rows: their price came with them";
    EXPECT_EQ(150, first.value().data.front().price_minor);

    trace.clear();
    auto second = db->read(
        [&](soci::session& sql) { return queries::orders(sql, tenant_id, {}, first.value().data.back().id, 20); });
    ASSERT_TRUE(second) << second.error().message;
    EXPECT_EQ(2, statements_reading(trace.statements(), "orders")) << "the cursor's row, then the page";
    ASSERT_EQ(5u, second.value().data.size());
    EXPECT_FALSE(second.value().has_more);
    EXPECT_EQ(bought[4], second.value().data.front().id);
    EXPECT_EQ(bought[0], second.value().data.back().id);
}

TEST_F(ListPage, APageOfAccountsIsOneStatement) {
    make_tenant(500);
    StatementTrace trace(*db);
    auto page = db->read([&](soci::session& sql) { return queries::accounts(sql, tenant_id, std::nullopt, "", 20); });
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(1, statements_reading(trace.statements(), "accounts")) << "was 2: the ids, then the account";
    ASSERT_EQ(1u, page.value().data.size()) << "customer accounts only";
    EXPECT_EQ(customer_id, page.value().data.front().id);
    EXPECT_EQ(500, page.value().data.front().balance_minor);
}

}  // namespace
}  // namespace billing::test
