// What only the MySQL backend has: statements sent past SOCI (storage::mysql_text, the
// sweeper's multi-row statements). Their failures must be SOCI's own exceptions, mapped in the
// one usual place, and their rows must arrive as the server sent them.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "billing/storage/database.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/migrations.hpp"
#include "billing/storage/mysql_text.hpp"
#include "fresh_database.hpp"

namespace billing::storage {
namespace {

class MysqlText : public test_context::FreshDatabase {
protected:
    void SetUp() override {
        FreshDatabase::SetUp();
        if (HasFatalFailure()) return;
        ASSERT_TRUE(migrate(*db_, 1000).ok());
    }

    // What a failed write in db_.write comes back as.
    Error failure_of(const std::string& text) {
        auto written = db_->write([&](soci::session& sql) -> Result<Unit> {
            mysql_text::execute(sql, text);
            return Unit{};
        });
        EXPECT_FALSE(written.ok()) << text;
        return written.ok() ? Error{} : written.error();
    }
};

const std::string insert_a = "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
                             "VALUES ('a', 't', 'customer', 'a', 5, 0)";

TEST_F(MysqlText, AWriteReturnsTheRowsItChanged) {
    auto changed = db_->write([&](soci::session& sql) -> Result<long long> {
        mysql_text::execute(sql, insert_a);
        mysql_text::execute(sql, "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, "
                                 "created_at_ms) VALUES ('b', 't', 'customer', 'b', 7, 0)");
        return mysql_text::execute(sql, "UPDATE accounts SET balance_minor = balance_minor + 1 WHERE tenant_id = 't'");
    });
    ASSERT_TRUE(changed.ok()) << changed.error().message;
    EXPECT_EQ(2, changed.value());
}

TEST_F(MysqlText, AQueryGivesEveryRowWithItsNullsInOrder) {
    struct Seen {
        std::string id;
        std::optional<std::string> owner;
        std::string lease_until;
    };
    auto rows = db_->write([&](soci::session& sql) -> Result<std::vector<Seen>> {
        mysql_text::execute(sql, insert_a);
        mysql_text::execute(sql, "INSERT INTO timers (order_id, name, tenant_id, due_at_ms, lease_owner, "
                                 "lease_until_ms) VALUES ('o1', 'expire', 't', 10, NULL, 0), "
                                 "('o2', 'expire', 't', 20, 'host:1', -9223372036854775808)");
        std::vector<Seen> seen;
        mysql_text::query(sql, "SELECT order_id, lease_owner, lease_until_ms FROM timers ORDER BY order_id",
                          [&](const mysql_text::Row& row) {
                              EXPECT_EQ(3u, row.columns());
                              seen.push_back(
                                  Seen{std::string(row.text(0)),
                                       row.is_null(1) ? std::nullopt : std::optional<std::string>(row.text(1)),
                                       std::string(row.text(2))});
                          });
        return seen;
    });
    ASSERT_TRUE(rows.ok()) << rows.error().message;
    ASSERT_EQ(2u, rows.value().size());
    EXPECT_EQ("o1", rows.value()[0].id);
    EXPECT_EQ(std::nullopt, rows.value()[0].owner);
    EXPECT_EQ("0", rows.value()[0].lease_until);
    EXPECT_EQ("o2", rows.value()[1].id);
    EXPECT_EQ("host:1", rows.value()[1].owner.value_or("NULL"));
    EXPECT_EQ("-9223372036854775808", rows.value()[1].lease_until);
}

// The native handle comes from SOCI's internals (soci_adapter::mysql_connection): it must be the
// session's own connection, inside the session's transaction, not another one.
TEST_F(MysqlText, StatementsGoOnTheSessionsOwnConnection) {
    auto ids = db_->write([&](soci::session& sql) -> Result<std::vector<std::string>> {
        long long soci_id = 0;
        sql << "SELECT CONNECTION_ID()", soci::into(soci_id);
        std::string native_id;
        mysql_text::query(sql, "SELECT CONNECTION_ID()",
                          [&](const mysql_text::Row& row) { native_id = std::string(row.text(0)); });
        return std::vector<std::string>{std::to_string(soci_id), native_id};
    });
    ASSERT_TRUE(ids.ok()) << ids.error().message;
    EXPECT_EQ(ids.value()[0], ids.value()[1]);
}

TEST_F(MysqlText, ADuplicateKeyIsAConstraintErrorAndChangesNothing) {
    ASSERT_TRUE(db_->write([&](soci::session& sql) -> Result<Unit> {
                       mysql_text::execute(sql, insert_a);
                       return Unit{};
                   })
                    .ok());
    EXPECT_EQ(storage_error::constraint, failure_of(insert_a).code);
    auto count = db_->read([](soci::session& sql) -> Result<long long> {
        long long n = 0;
        sql << "SELECT COUNT(*) FROM accounts", soci::into(n);
        return n;
    });
    ASSERT_TRUE(count.ok());
    EXPECT_EQ(1, count.value());
}

TEST_F(MysqlText, BadSqlIsAFailureNotARetry) {
    EXPECT_EQ(storage_error::failed, failure_of("INSERT INTO no_such_table VALUES (1)").code);
}

TEST_F(MysqlText, AQueryAfterAFailedStatementStillWorks) {
    (void)failure_of("SELECT * FROM");  // a syntax error, through execute
    auto ran = db_->read([](soci::session& sql) -> Result<std::string> {
        std::string one;
        mysql_text::query(sql, "SELECT 1", [&](const mysql_text::Row& row) { one = std::string(row.text(0)); });
        return one;
    });
    ASSERT_TRUE(ran.ok()) << ran.error().message;
    EXPECT_EQ("1", ran.value());
}

// What a caller must never do leaves the connection as usable as an error from the server does:
// the next statement, through SOCI, runs.
TEST_F(MysqlText, ASelectGivenToExecuteIsRefusedAndTheSessionGoesOn) {
    auto ran = db_->write([&](soci::session& sql) -> Result<long long> {
        mysql_text::execute(sql, insert_a);
        EXPECT_THROW(mysql_text::execute(sql, "SELECT id FROM accounts"), std::logic_error);
        long long balance = 0;
        sql << "SELECT balance_minor FROM accounts WHERE id = 'a'", soci::into(balance);
        return balance;
    });
    ASSERT_TRUE(ran.ok()) << ran.error().message;
    EXPECT_EQ(5, ran.value());
}

TEST_F(MysqlText, ARowReaderThatThrowsLeavesTheSessionUsable) {
    auto ran = db_->write([&](soci::session& sql) -> Result<long long> {
        mysql_text::execute(sql, insert_a);
        mysql_text::execute(sql, "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, "
                                 "created_at_ms) VALUES ('b', 't', 'customer', 'b', 7, 0)");
        int seen = 0;
        EXPECT_THROW(mysql_text::query(sql, "SELECT id FROM accounts ORDER BY id",
                                       [&](const mysql_text::Row&) {
                                           ++seen;
                                           throw std::runtime_error("the caller's own failure");
                                       }),
                     std::runtime_error);
        EXPECT_EQ(1, seen) << "the reader stops at the row that threw";
        long long total = 0;
        sql << "SELECT SUM(balance_minor) FROM accounts", soci::into(total);
        return total;
    });
    ASSERT_TRUE(ran.ok()) << ran.error().message;
    EXPECT_EQ(12, ran.value());
}

}  // namespace
}  // namespace billing::storage
