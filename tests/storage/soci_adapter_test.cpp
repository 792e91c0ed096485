// The SOCI internals storage relies on (host/storage/src/soci_adapter.hpp), each exercised on a
// real SQLite database, and the SOCI version they were checked against. The MySQL connection
// handle is exercised in mysql_only_test.cpp.
#include "soci_adapter.hpp"

#include <gtest/gtest.h>
#include <soci/version.h>

#include <stdexcept>
#include <string>

#include "fresh_database.hpp"

static_assert(SOCI_VERSION / 100 == 4000,
              "SOCI is not 4.0.x: re-check every function of host/storage/src/soci_adapter.cpp against the new "
              "SOCI's sources before moving this pin");

namespace billing::storage {
namespace {

using SociAdapter = test_context::FreshDatabase;

TEST_F(SociAdapter, AOneTimeQueryBindsItsValuesByPositionAndCountsTheRowsItChanged) {
    auto result = db_->write([](soci::session& sql) -> Result<std::string> {
        sql << "CREATE TABLE pairs (a TEXT, b TEXT)";
        std::string first = "x", second = "y";
        soci::statement insert(sql);
        insert.exchange(soci::use(first));
        insert.exchange(soci::use(second));
        soci_adapter::prepare_one_time(insert, "INSERT INTO pairs (a, b) VALUES (:a, :b), (:b, :a)");
        insert.execute(true);
        EXPECT_EQ(2, insert.get_affected_rows());
        std::string read;
        sql << "SELECT group_concat(v, ',') FROM (SELECT a || b AS v FROM pairs ORDER BY rowid)", soci::into(read);
        return read;
    });
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ("xy,yx", result.value());
}

TEST_F(SociAdapter, AResetSqliteStatementNoLongerLocksItsTable) {
    auto result = db_->write([](soci::session& sql) -> Result<Unit> {
        sql << "CREATE TABLE numbers (n INTEGER)";
        sql << "INSERT INTO numbers (n) VALUES (1), (2), (3)";
        long long n = 0;
        soci::statement select = (sql.prepare << "SELECT n FROM numbers ORDER BY n", soci::into(n));
        select.execute();
        EXPECT_TRUE(select.fetch());
        EXPECT_EQ(1, n);
        // Mid-way through its rows, the statement still reads the table: SQLite refuses to drop it.
        EXPECT_THROW(sql << "DROP TABLE numbers", soci::soci_error);
        soci_adapter::reset_sqlite_statement(select);
        sql << "DROP TABLE numbers";
        return Unit{};
    });
    ASSERT_TRUE(result.ok()) << result.error().message;
}

TEST_F(SociAdapter, ResettingAStatementNotYetPreparedDoesNothing) {
    auto result = db_->write([](soci::session& sql) -> Result<Unit> {
        soci::statement unprepared(sql);
        soci_adapter::reset_sqlite_statement(unprepared);
        return Unit{};
    });
    EXPECT_TRUE(result.ok());
}

TEST_F(SociAdapter, TheMysqlConnectionOfAnotherBackendsSessionIsRefused) {
    auto result = db_->read([](soci::session& sql) -> Result<Unit> {
        EXPECT_THROW(soci_adapter::mysql_connection(sql), std::logic_error);
        return Unit{};
    });
    EXPECT_TRUE(result.ok());
}

}  // namespace
}  // namespace billing::storage
