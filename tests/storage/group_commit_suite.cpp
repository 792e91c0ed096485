// Group commit (billing/storage/database.hpp) on a real database of each backend: which writes of
// a batch commit, and what a write that is refused, fails, arrives late or waits too long gets.
// one_batch.hpp puts chosen writes into one batch, in a chosen order.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "backend_context.hpp"
#include "billing/storage/database.hpp"
#include "billing/storage/migrations.hpp"
#include "one_batch.hpp"

namespace billing::storage {
namespace {

using test::run_in_one_batch;

class GroupCommit : public ::testing::Test {
protected:
    void SetUp() override {
        options_ = test_context::fresh_database(::testing::UnitTest::GetInstance()->current_test_info()->name());
    }
    void TearDown() override { test_context::cleanup(options_); }

    void open() {
        auto opened = Database::open(options_);
        ASSERT_TRUE(opened.ok()) << test_context::backend_name() << ": " << opened.error().message;
        db_ = std::move(opened).value();
        ASSERT_TRUE(migrate(*db_, 1000).ok());
        before_ = db_->write_stats();
    }

    long long count(const std::string& query) {
        auto n = db_->read([&](soci::session& sql) -> Result<long long> {
            long long value = -1;
            sql << query, soci::into(value);
            return value;
        });
        return n.ok() ? n.value() : -1;
    }
    long long accounts_named(const std::string& id) {
        return count("SELECT COUNT(*) FROM accounts WHERE id = '" + id + "'");
    }

    // What group commit did since open().
    Database::WriteStats since_open() const {
        const Database::WriteStats now = db_->write_stats();
        return {.batches = now.batches - before_.batches,
                .batched_writes = now.batched_writes - before_.batched_writes,
                .batches_failed = now.batches_failed - before_.batches_failed,
                .writes_alone = now.writes_alone - before_.writes_alone};
    }

    DatabaseOptions options_;
    std::unique_ptr<Database> db_;
    Database::WriteStats before_;
};

void insert_account(soci::session& sql, const std::string& id) {
    sql << "INSERT INTO accounts (id, tenant_id, kind, external_ref, balance_minor, created_at_ms) "
           "VALUES (:id, 't', 'customer', :id, 0, 0)",
        soci::use(id, "id");
}

// A write that inserts the account id, then answers `answer`.
auto inserting(const std::string& id, const Result<Unit>& answer = Unit{}) {
    return [id, answer](soci::session& sql) -> Result<Unit> {
        insert_account(sql, id);
        return answer;
    };
}

TEST_F(GroupCommit, AWriteRefusedInABatchUndoesOnlyItsOwnWrites) {
    open();
    std::optional<Result<Unit>> a, b, c;
    run_in_one_batch(*db_, {[&] { a = db_->write(inserting("acc_a")); },
                            [&] {
                                b = db_->write(inserting("acc_b", Error{"insufficient_funds", "refused"}));
                            },
                            [&] { c = db_->write(inserting("acc_c")); }});
    ASSERT_TRUE(a && b && c);
    EXPECT_TRUE(a->ok());
    ASSERT_FALSE(b->ok());
    EXPECT_EQ("insufficient_funds", b->error().code);
    EXPECT_TRUE(c->ok());
    EXPECT_EQ(1, accounts_named("acc_a"));
    EXPECT_EQ(0, accounts_named("acc_b")) << "rolled back to its savepoint";
    EXPECT_EQ(1, accounts_named("acc_c")) << "the write after the refused one is kept";
    const Database::WriteStats stats = since_open();
    EXPECT_EQ(1u, stats.batches) << "one transaction for the three";
    EXPECT_EQ(3u, stats.batched_writes);
    EXPECT_EQ(0u, stats.writes_alone);
}

TEST_F(GroupCommit, AWriteWhoseStatementFailsRunsAgainAloneAndTheOthersCommit) {
    open();
    std::optional<Result<Unit>> a, twice, c;
    run_in_one_batch(*db_, {[&] { a = db_->write(inserting("acc_a")); },
                            [&] { twice = db_->write(inserting("acc_a")); },  // the unique id: throws
                            [&] { c = db_->write(inserting("acc_c")); }});
    ASSERT_TRUE(a && twice && c);
    EXPECT_TRUE(a->ok());
    ASSERT_FALSE(twice->ok());
    EXPECT_EQ(storage_error::constraint, twice->error().code) << "the answer it gets alone";
    EXPECT_TRUE(c->ok()) << c->error().message;
    EXPECT_EQ(1, accounts_named("acc_a"));
    EXPECT_EQ(1, accounts_named("acc_c"));
    const Database::WriteStats stats = since_open();
    EXPECT_EQ(1u, stats.batches);
    EXPECT_EQ(2u, stats.batched_writes);
    EXPECT_EQ(1u, stats.writes_alone);
}

TEST_F(GroupCommit, ABatchWhoseCommitFailsCommitsNothingAndEachWriteRunsAgainAlone) {
    if (std::string(test_context::backend_name()) == "mysql") {
        GTEST_SKIP() << "MariaDB has no deferred constraint to make a COMMIT fail with";
    }
    open();
    // A deferred foreign key is checked at COMMIT: a child without its parent fails the COMMIT,
    // not the INSERT.
    ASSERT_TRUE(db_->write_alone([](soci::session& sql) -> Result<Unit> {
                       sql << "CREATE TABLE gc_parent (id INTEGER PRIMARY KEY)";
                       sql << "CREATE TABLE gc_child (id INTEGER PRIMARY KEY, parent_id INTEGER "
                              "REFERENCES gc_parent (id) DEFERRABLE INITIALLY DEFERRED)";
                       return Unit{};
                   })
                    .ok());
    before_ = db_->write_stats();
    std::atomic<int> runs{0};
    const auto counted = [&](auto work) {
        return [&runs, work](soci::session& sql) -> Result<Unit> {
            ++runs;
            return work(sql);
        };
    };
    std::optional<Result<Unit>> a, orphan, c;
    run_in_one_batch(*db_, {[&] { a = db_->write(counted(inserting("acc_a"))); },
                            [&] {
                                orphan = db_->write(counted([](soci::session& sql) -> Result<Unit> {
                                    sql << "INSERT INTO gc_child (id, parent_id) VALUES (1, 999)";
                                    return Unit{};
                                }));
                            },
                            [&] { c = db_->write(counted(inserting("acc_c"))); }});
    ASSERT_TRUE(a && orphan && c);
    EXPECT_TRUE(a->ok()) << a->error().message;
    EXPECT_FALSE(orphan->ok()) << "its own COMMIT fails too";
    EXPECT_TRUE(c->ok()) << c->error().message;
    EXPECT_EQ(6, runs.load()) << "each write ran in the batch, then again alone";
    EXPECT_EQ(1, accounts_named("acc_a")) << "once: the batch committed nothing";
    EXPECT_EQ(1, accounts_named("acc_c"));
    EXPECT_EQ(0, count("SELECT COUNT(*) FROM gc_child"));
    const Database::WriteStats stats = since_open();
    EXPECT_EQ(0u, stats.batches);
    EXPECT_EQ(1u, stats.batches_failed);
    EXPECT_EQ(0u, stats.batched_writes);
    EXPECT_EQ(3u, stats.writes_alone);
}

TEST_F(GroupCommit, ALoneWriteCommitsAtOnceWithoutWaitingForTheWindow) {
    options_.group_commit_window_us = 1'000'000;
    open();
    const auto started = std::chrono::steady_clock::now();
    ASSERT_TRUE(db_->write(inserting("acc_alone")).ok());
    const auto took = std::chrono::steady_clock::now() - started;
    EXPECT_LT(took, std::chrono::milliseconds(500)) << "a batch takes what arrived; it never waits for more";
    EXPECT_EQ(1, accounts_named("acc_alone"));
    const Database::WriteStats stats = since_open();
    EXPECT_EQ(1u, stats.batches);
    EXPECT_EQ(1u, stats.batched_writes);
}

TEST_F(GroupCommit, WritesPastTheBatchMaxGoIntoTheNextBatch) {
    options_.group_commit_max = 2;
    open();
    std::vector<std::optional<Result<Unit>>> answers(5);
    std::vector<std::function<void()>> calls;
    for (std::size_t i = 0; i < answers.size(); ++i) {
        calls.emplace_back([&, i] { answers[i] = db_->write(inserting("acc_" + std::to_string(i))); });
    }
    run_in_one_batch(*db_, calls);
    for (const auto& answer : answers) {
        ASSERT_TRUE(answer);
        EXPECT_TRUE(answer->ok());
    }
    EXPECT_EQ(5, count("SELECT COUNT(*) FROM accounts"));
    const Database::WriteStats stats = since_open();
    EXPECT_EQ(3u, stats.batches) << "2 + 2 + 1";
    EXPECT_EQ(5u, stats.batched_writes);
}

TEST_F(GroupCommit, AWriteNoBatchTakesWithinTheBusyTimeoutIsAnsweredBusyAndChangesNothing) {
    options_.busy_timeout_ms = 100;
    open();
    std::optional<Result<Unit>> late;
    {
        const Database::BatchPause pause(*db_);
        late = db_->write(inserting("acc_late"));
    }
    ASSERT_FALSE(late->ok());
    EXPECT_EQ(storage_error::busy, late->error().code);
    EXPECT_EQ(0u, db_->queued_writes()) << "it left the queue";
    EXPECT_EQ(0, accounts_named("acc_late"));
    ASSERT_TRUE(db_->write(inserting("acc_next")).ok()) << "the next write is served";
}

// Two writes that each wait inside their work until the other one runs too: they meet only if
// two batches run at once.
TEST_F(GroupCommit, AServerRunsSeveralBatchesAtOnceAndSQLiteOne) {
    const bool sqlite = std::string(test_context::backend_name()) == "sqlite3";
    options_.pool_size = 5;  // (5 - 1) / 2 = 2 sessions for batches
    options_.group_commit_batches = 2;
    open();
    std::mutex mutex;
    std::condition_variable changed;
    int running = 0;
    const auto meeting = [&](const std::string& id) {
        return [&, id](soci::session& sql) -> Result<bool> {
            insert_account(sql, id);
            std::unique_lock lock(mutex);
            ++running;
            changed.notify_all();
            // Long enough for a server's second batch to start; SQLite's never can.
            const bool met =
                changed.wait_for(lock, std::chrono::milliseconds(sqlite ? 300 : 5000), [&] { return running == 2; });
            return met;
        };
    };
    std::optional<Result<bool>> first, second;
    std::thread one([&] { first = db_->write(meeting("acc_1")); });
    {
        // The second write arrives while the first one's batch runs (past its window: 2 ms).
        std::unique_lock lock(mutex);
        changed.wait(lock, [&] { return running == 1; });
    }
    std::thread two([&] { second = db_->write(meeting("acc_2")); });
    one.join();
    two.join();
    ASSERT_TRUE(first && second && first->ok() && second->ok());
    if (sqlite) {
        EXPECT_FALSE(first->value()) << "one writer: the second batch starts after the first committed";
    } else {
        EXPECT_TRUE(first->value() && second->value()) << "two batches ran at once";
    }
    EXPECT_EQ(2, count("SELECT COUNT(*) FROM accounts"));
    EXPECT_EQ(2u, since_open().batches);
}

TEST_F(GroupCommit, OffEveryWriteIsATransactionOfItsOwn) {
    options_.group_commit = false;
    open();
    ASSERT_TRUE(db_->write(inserting("acc_a")).ok());
    ASSERT_TRUE(db_->write(inserting("acc_b")).ok());
    const Database::WriteStats stats = since_open();
    EXPECT_EQ(0u, stats.batches);
    EXPECT_EQ(2u, stats.writes_alone);
}

}  // namespace
}  // namespace billing::storage
