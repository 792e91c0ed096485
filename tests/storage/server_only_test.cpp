// What only the servers do: writers run at once, so two transactions can deadlock, and the
// server kills one (PostgreSQL 40P01, MySQL 1213). Database::write must map that to a conflict
// and run the victim again, so that both end up applied exactly once.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "backend_context.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/migrations.hpp"

namespace billing::storage {
namespace {

// Both first attempts wait here until the other holds its first row (or a second passed).
class Meeting {
public:
    void arrive() {
        std::unique_lock lock(mutex_);
        ++arrived_;
        changed_.notify_all();
        changed_.wait_for(lock, std::chrono::seconds(1), [this] { return arrived_ >= 2; });
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    int arrived_ = 0;
};

TEST(ServerOnly, ADeadlockIsRetriedAndBothTransactionsApplyOnce) {
    const DatabaseOptions options = test_context::fresh_database("deadlock");
    auto opened = Database::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Database& db = *opened.value();
    ASSERT_TRUE(migrate(db, 1000).ok());
    ASSERT_TRUE(db.write([](soci::session& sql) -> Result<Unit> {
                      sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
                             "VALUES ('a', 't', 'customer', 'a', 0, 0)";
                      sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
                             "VALUES ('b', 't', 'customer', 'b', 0, 0)";
                      return Unit{};
                  }).ok());
    Meeting meeting;
    // Transactions of their own: in one host's group-commit batch the two would run one after the
    // other and never meet. Two hosts' batches, or a batch and the sweeper, meet like this.
    const auto transfer = [&](const std::string& first, const std::string& second, int& attempts) {
        return db.write_alone([&](soci::session& sql) -> Result<Unit> {
            ++attempts;
            sql << "UPDATE accounts SET balance_minor = balance_minor + 1 WHERE id = :id", soci::use(first);
            if (attempts == 1) meeting.arrive();
            sql << "UPDATE accounts SET balance_minor = balance_minor + 1 WHERE id = :id", soci::use(second);
            return Unit{};
        });
    };
    int attempts_ab = 0;
    int attempts_ba = 0;
    Result<Unit> ab = Unit{};
    Result<Unit> ba = Unit{};
    std::thread one([&] { ab = transfer("a", "b", attempts_ab); });
    std::thread two([&] { ba = transfer("b", "a", attempts_ba); });
    one.join();
    two.join();
    ASSERT_TRUE(ab.ok()) << ab.error().code << ": " << ab.error().message;
    ASSERT_TRUE(ba.ok()) << ba.error().code << ": " << ba.error().message;
    EXPECT_GE(attempts_ab + attempts_ba, 3) << "one of them must have been the deadlock's victim and run again";
    auto balances = db.read([](soci::session& sql) -> Result<long long> {
        long long a = 0, b = 0;
        sql << "SELECT balance_minor FROM accounts WHERE id = 'a'", soci::into(a);
        sql << "SELECT balance_minor FROM accounts WHERE id = 'b'", soci::into(b);
        return a * 10 + b;
    });
    ASSERT_TRUE(balances.ok());
    EXPECT_EQ(balances.value(), 22) << "each account got exactly the two increments";
}

// The server drops the host's connection (a restart, a failover, an idle timeout): the request
// that finds it gone fails as unavailable (503 at the API), and the next one works again on a
// connection the pool opened anew, without the host being restarted.
TEST(ServerOnly, ALostConnectionIsUnavailableOnceThenTheSessionIsOpenedAgain) {
    DatabaseOptions options = test_context::fresh_database("reconnect");
    options.pool_size = 1;
    auto opened = Database::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    Database& db = *opened.value();
    ASSERT_TRUE(migrate(db, 1000).ok());
    const auto count_accounts = [&db] {
        return db.read([](soci::session& sql) -> Result<long long> {
            long long n = -1;
            sql << "SELECT COUNT(*) FROM accounts", soci::into(n);
            return n;
        });
    };
    ASSERT_TRUE(count_accounts().ok());

    // A second connection ends the first one's, as a server restart would.
    auto killer = Database::open(options);
    ASSERT_TRUE(killer.ok()) << killer.error().message;
    auto killed = killer.value()->read([&](soci::session& sql) -> Result<Unit> {
        if (options.backend == Backend::postgresql) {
            sql << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND pid <> pg_backend_pid()";
        } else {
            std::vector<long long> ids(16);
            sql << "SELECT id FROM information_schema.processlist WHERE db = DATABASE() AND id <> CONNECTION_ID()",
                soci::into(ids);
            for (long long id : ids) sql << "KILL CONNECTION " + std::to_string(id);
        }
        return Unit{};
    });
    ASSERT_TRUE(killed.ok()) << killed.error().message;

    auto lost = count_accounts();
    ASSERT_FALSE(lost.ok());
    EXPECT_EQ(lost.error().code, storage_error::unavailable) << lost.error().message;
    auto again = count_accounts();
    ASSERT_TRUE(again.ok()) << again.error().code << ": " << again.error().message;
    EXPECT_EQ(again.value(), 0);
    auto written = db.write([](soci::session& sql) -> Result<Unit> {
        sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
               "VALUES ('r', 't', 'customer', 'r', 0, 0)";
        return Unit{};
    });
    EXPECT_TRUE(written.ok()) << written.error().message;
}

}  // namespace
}  // namespace billing::storage
