// The storage suite, written once and run on every backend (backend_context.hpp): schema
// migrations, the transaction helper, error mapping and the pool, on a real database.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "backend_context.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/migrations.hpp"
#include "billing/storage/timers.hpp"

namespace billing::storage {
namespace {

class StorageTest : public ::testing::Test {
protected:
    void SetUp() override {
        options_ = test_context::fresh_database(::testing::UnitTest::GetInstance()->current_test_info()->name());
    }
    void TearDown() override { test_context::cleanup(options_); }

    std::unique_ptr<Database> open() {
        auto db = Database::open(options_);
        EXPECT_TRUE(db.ok()) << test_context::backend_name() << ": " << db.error().message;
        return db.ok() ? std::move(db).value() : nullptr;
    }

    DatabaseOptions options_;
};

long long count(Database& db, const std::string& query) {
    auto n = db.read([&](soci::session& sql) -> Result<long long> {
        long long value = -1;
        sql << query, soci::into(value);
        return value;
    });
    return n.ok() ? n.value() : -1;
}

TEST_F(StorageTest, MigrateCreatesTheSchemaOnceAndRecordsIt) {
    auto db = open();
    ASSERT_TRUE(db);
    auto first = migrate(*db, 1000);
    ASSERT_TRUE(first.ok()) << first.error().message;
    EXPECT_EQ(first.value(), latest_schema_version());
    auto second = migrate(*db, 2000);
    ASSERT_TRUE(second.ok()) << second.error().message;
    EXPECT_EQ(second.value(), latest_schema_version());
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM schema_migrations"), latest_schema_version());
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM orders"), 0);
}

TEST_F(StorageTest, NewerSchemaThanTheBuildIsRefused) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1000).ok());
    auto bumped = db->write([](soci::session& sql) -> Result<Unit> {
        sql << "INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (999, 'future', 0)";
        return Unit{};
    });
    ASSERT_TRUE(bumped.ok());
    auto again = migrate(*db, 2000);
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().code, "schema_too_new");
}

TEST_F(StorageTest, WriteCommitsOnSuccessAndRollsBackOnError) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1000).ok());
    const auto insert = [](soci::session& sql, const std::string& id) {
        sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
               "VALUES (:id, 't', 'customer', :id, 0, 0)",
            soci::use(id, "id");
    };
    auto kept = db->write([&](soci::session& sql) -> Result<Unit> {
        insert(sql, "acc_kept");
        return Unit{};
    });
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    auto refused = db->write([&](soci::session& sql) -> Result<Unit> {
        insert(sql, "acc_rolled_back");
        return Error{"insufficient_funds", "business rule said no"};
    });
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "insufficient_funds");
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM accounts"), 1);
}

TEST_F(StorageTest, ConflictIsRetriedABoundedNumberOfTimes) {
    options_.write_attempts_max = 3;
    auto db = open();
    ASSERT_TRUE(db);
    int attempts = 0;
    auto result = db->write([&](soci::session&) -> Result<Unit> {
        ++attempts;
        return Error{storage_error::conflict, "lost an optimistic race"};
    });
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, storage_error::conflict);
    EXPECT_EQ(attempts, 3);

    attempts = 0;
    auto second_try = db->write([&](soci::session&) -> Result<int> {
        return ++attempts < 2 ? Result<int>(Error{storage_error::conflict, "lost"}) : Result<int>(attempts);
    });
    ASSERT_TRUE(second_try.ok());
    EXPECT_EQ(second_try.value(), 2);
}

TEST_F(StorageTest, ConstraintViolationIsMappedAndRolledBack) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1000).ok());
    auto twice = db->write([](soci::session& sql) -> Result<Unit> {
        sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
               "VALUES ('a1', 't', 'customer', 'x', 0, 0)";
        sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
               "VALUES ('a2', 't', 'customer', 'x', 0, 0)";
        return Unit{};
    });
    ASSERT_FALSE(twice.ok());
    EXPECT_EQ(twice.error().code, storage_error::constraint);
    EXPECT_EQ(count(*db, "SELECT COUNT(*) FROM accounts"), 0);
}

TEST_F(StorageTest, SchemaRefusesANegativeCustomerBalanceAndANonPositiveTransfer) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1000).ok());
    const auto attempt = [&](const std::string& statement) {
        return db->write([&](soci::session& sql) -> Result<Unit> {
            sql << statement;
            return Unit{};
        });
    };
    auto customer = attempt("INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
                            "VALUES ('c', 't', 'customer', 'c', -1, 0)");
    ASSERT_FALSE(customer.ok());
    EXPECT_EQ(customer.error().code, storage_error::constraint);
    EXPECT_TRUE(attempt("INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
                        "VALUES ('f', 't', 'funding', '@funding', -1, 0)")
                    .ok())
        << "funding is the one account that goes negative";
    auto zero = attempt("INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, "
                        "kind, created_at_ms) VALUES ('x', 't', 'f', 'c', 0, 'deposit', 0)");
    ASSERT_FALSE(zero.ok());
    EXPECT_EQ(zero.error().code, storage_error::constraint);
}

TEST_F(StorageTest, PoolExhaustionIsBusyNotAHang) {
    options_.pool_size = 1;
    options_.busy_timeout_ms = 50;
    auto db = open();
    ASSERT_TRUE(db);
    // The one session is held by another thread (one thread may hold one session at a time).
    std::promise<void> leased;
    std::promise<void> release;
    std::thread holder([&] {
        Database::Lease held(*db);
        leased.set_value();
        release.get_future().wait();
    });
    leased.get_future().wait();
    auto result = db->read([](soci::session&) -> Result<Unit> { return Unit{}; });
    release.set_value();
    holder.join();
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, storage_error::busy);
}

TEST_F(StorageTest, ASecondSessionOnOneThreadIsRefusedNotADeadlock) {
    // A transaction that waits for a second session while holding locks can wait for the threads
    // that wait for its locks; Database::Lease refuses it outright instead.
    auto db = open();
    ASSERT_TRUE(db);
    auto nested = db->write([&](soci::session&) -> Result<Unit> {
        return db->read([](soci::session&) -> Result<Unit> { return Unit{}; });
    });
    ASSERT_FALSE(nested.ok());
    EXPECT_NE(nested.error().message.find("second session"), std::string::npos) << nested.error().message;
}

// A lease may be lost in a crash of the database server (it is then as if it had ended), so on
// PostgreSQL its transaction commits without waiting for the WAL flush; the setting lasts for
// that transaction alone, and the next one is durable again.
TEST_F(StorageTest, ALeaseIsTakenInATransactionOfItsOwnDurability) {
    auto db = open();
    ASSERT_TRUE(db);
    ASSERT_TRUE(migrate(*db, 1000).ok());
    const timers::TimerRow due{.order_id = "ord_1", .name = "expire", .tenant_id = "ten_1", .due_at_ms = 100};
    ASSERT_TRUE(db->write([&](soci::session& sql) -> Result<Unit> {
                      timers::insert(sql, due);
                      return Unit{};
                  }).ok());
    const bool postgresql = std::string(test_context::backend_name()) == "postgresql";
    const auto synchronous_commit = [](soci::session& sql) {
        std::string value;
        sql << "SHOW synchronous_commit", soci::into(value);
        return value;
    };
    std::string during;
    auto leased = db->write_alone([&](soci::session& sql) -> Result<std::vector<timers::TimerRow>> {
        auto won = timers::lease_due(sql, 100, 10, "host#1", 30'100);
        if (postgresql) during = synchronous_commit(sql);
        return won;
    });
    if (postgresql) {
        EXPECT_EQ("off", during);
    }
    ASSERT_TRUE(leased.ok()) << leased.error().message;
    ASSERT_EQ(1u, leased.value().size());
    EXPECT_EQ(timers::exact_key(due), timers::exact_key(leased.value().front()));
    EXPECT_EQ(1, count(*db, "SELECT COUNT(*) FROM timers WHERE lease_owner = 'host#1' AND lease_until_ms = 30100"));
    if (postgresql) {
        auto after = db->write([&](soci::session& sql) -> Result<std::string> { return synchronous_commit(sql); });
        ASSERT_TRUE(after.ok());
        EXPECT_EQ("on", after.value()) << "SET LOCAL ends with its transaction";
    }
}

}  // namespace
}  // namespace billing::storage
