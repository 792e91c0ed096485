// The database: a bounded pool of SOCI sessions, the dialect of its backend, and the one
// transaction helper every write goes through.
//
// Every write runs in a writer transaction opened with the backend's writer BEGIN (SQLite: BEGIN
// IMMEDIATE, so that two writers never deadlock upgrading a read lock), committed only when the
// work returned success, rolled back otherwise, and retried a bounded number of times when the
// backend reports a serialization failure or the work reports a lost optimistic race.
//
// Group commit (on by default): writes that arrive while another write's transaction runs join
// one batch. The first writer that finds no batch running (on a server: fewer than
// group_commit_batches) leads one: it takes the queued writes
// (its own among them) and runs each in its own SAVEPOINT of one transaction, taking more that
// arrive while it runs, up to group_commit_max writes or group_commit_window_us, then COMMITs once
// and wakes every writer of the batch with its answer. A write that fails or is refused rolls
// back to its savepoint alone; no answer of a batch is given before its COMMIT succeeded. A lone
// write is a batch of one and commits at once. The tenants' system accounts (escrow, revenue,
// funding: every purchase moves escrow) are written once per batch with the sum of its moves
// (held_balances.hpp). If anything fails the batch as a whole (a statement error that leaves the
// transaction unusable, a refused sum, a failed COMMIT), nothing of it committed and each of its
// writes runs again alone, exactly as without group commit; only a COMMIT whose outcome is
// unknown (the server's connection lost during it) answers each write storage_unavailable.
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "billing/config/host_config.hpp"
#include "billing/core/result.hpp"
#include "billing/storage/dialect.hpp"
#include "billing/storage/errors.hpp"
#include "billing/storage/statement_cache.hpp"

namespace billing::storage {

struct DatabaseOptions {
    Backend backend = Backend::sqlite3;
    std::string target;  // the sqlite3 file, or USER:PASSWORD@HOST:PORT/DB for a server
    std::uint32_t pool_size = 4;
    std::uint32_t busy_timeout_ms = 5000;
    config::SqliteSynchronous sqlite_synchronous = config::SqliteSynchronous::full;
    std::uint32_t write_attempts_max = 8;  // a conflict is retried up to this many attempts in all
    // Group commit (see above). Off: every write is its own transaction (write_alone()).
    bool group_commit = true;
    std::uint32_t group_commit_max = 64;          // the most writes in one batch
    std::uint32_t group_commit_window_us = 2000;  // the longest a batch keeps taking writes that arrive while it runs
    // Batches that may run at once on a server (each on a session of its own; at most
    // (pool_size - 1) / 2, so that sessions stay free for reads and the sweeper). SQLite has one
    // writer: always 1.
    std::uint32_t group_commit_batches = 3;

    static DatabaseOptions from(const config::DatabaseConfig& config);
};

class Database {
public:
    // Opens pool_size sessions (creating the SQLite file and its folder if needed).
    static Result<std::unique_ptr<Database>> open(const DatabaseOptions& options);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    [[nodiscard]] const Dialect& dialect() const noexcept { return dialect_; }
    [[nodiscard]] const DatabaseOptions& options() const noexcept { return options_; }

    // A session borrowed from the pool for one unit of work, given back on destruction.
    class Lease {
    public:
        explicit Lease(Database& db);  // throws StorageBusy after busy_timeout_ms
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        soci::session& sql() { return db_.pool_.at(position_); }
        // The session's prepared statements (statement_cache.hpp).
        StatementCache& statements() { return *db_.caches_.at(position_); }
        // The connection was lost (storage_error::unavailable): the next lease of this session
        // opens it again first, so that the host recovers by itself once the server is back.
        void mark_broken() { db_.broken_.at(position_) = 1; }

    private:
        Database& db_;
        std::size_t position_ = 0;
    };

    // On SQLite (one writer at a time), this process's writers take turns on a mutex before
    // BEGIN IMMEDIATE instead of in SQLite's busy handler, which sleeps 1, 2, 5 ... 100 ms between
    // tries and so turned a queue of 4 writers into 100 ms tail latencies. The busy timeout still
    // covers writers of other processes. Held for one attempt; throws StorageBusy after
    // busy_timeout_ms. Servers (PostgreSQL, MySQL) take no turn: their writers run concurrently.
    class WriterTurn {
    public:
        explicit WriterTurn(Database& db);
        ~WriterTurn();
        WriterTurn(const WriterTurn&) = delete;
        WriterTurn& operator=(const WriterTurn&) = delete;

    private:
        Database& db_;
        bool held_ = false;
    };

    // Runs work(session) -> Result<T> in a writer transaction, in a group-commit batch when
    // options().group_commit (see above): its writes are kept when it returns a value, undone
    // when it returns an error or throws, and the answer is given only once they are committed.
    // Retries on a serialization failure or an Error with code storage_error::conflict. Storage
    // failures come back as Errors (storage_error::*), never as exceptions. work may run more
    // than once (a retry, or alone after a failed batch) and on another thread than the caller's
    // (the batch's leader): it must not depend on thread-local state, must not call write()
    // or read() itself, and must not change the schema or the transaction's settings (MariaDB
    // commits the transaction at a DDL statement; a SET LOCAL would cover the whole batch): such
    // work runs with write_alone().
    template <class Work>
    auto write(Work&& work) -> std::invoke_result_t<Work&, soci::session&>;

    // write() in a transaction of its own, never in a batch: for work that is already a batch
    // (the sweeper's claims and set-based passes, which would hold a batch of requests behind
    // hundreds of timers), for schema changes and transaction settings, and for what a cache
    // may remember once it is read (tenant creation: Engine::system_accounts). On SQLite it
    // takes the writer turn as a batch does.
    template <class Work>
    auto write_alone(Work&& work) -> std::invoke_result_t<Work&, soci::session&>;

    // What group commit has done since open (for /metrics and the benchmarks).
    struct WriteStats {
        std::uint64_t batches = 0;         // transactions committed by a batch
        std::uint64_t batched_writes = 0;  // writes answered from a committed batch
        std::uint64_t batches_failed = 0;  // batches that committed nothing (their writes ran alone)
        std::uint64_t writes_alone = 0;    // writes that ran in a transaction of their own
    };
    [[nodiscard]] WriteStats write_stats() const;

    // For tests: while a BatchPause lives, no batch starts, so writes queue up; queued_writes()
    // says how many. Ending the pause lets the first queued writer lead them all as one batch
    // (up to group_commit_max), which is how a test puts chosen writes into one batch.
    class BatchPause {
    public:
        explicit BatchPause(Database& db);
        ~BatchPause();
        BatchPause(const BatchPause&) = delete;
        BatchPause& operator=(const BatchPause&) = delete;

    private:
        Database& db_;
    };
    [[nodiscard]] std::size_t queued_writes() const;

    // Runs work(session) -> Result<T> on a session without opening a writer transaction.
    template <class Work>
    auto read(Work&& work) -> std::invoke_result_t<Work&, soci::session&>;

private:
    // What a batch did with one write.
    enum class ItemVerdict {
        keep,       // the work returned a value: its savepoint is released
        undo,       // the work returned an error: rolled back to its savepoint; the error is its answer
        run_alone,  // a conflict, or the work threw: rolled back to its savepoint; it runs again alone
    };
    // How a write's batch ended for it.
    enum class BatchFate {
        committed,  // its verdict stands: keep or undo, and the batch committed
        run_alone,  // nothing of the batch committed, or its verdict was run_alone
        failed,     // not committed, or committed unknown: `failure` is its answer
    };
    // One write waiting in, or running in, a batch. Lives on the writer's stack; every field
    // but `run` is guarded by group_mutex_.
    class BatchItem {
    public:
        template <class Run>
        explicit BatchItem(Run& run)
            : target_(&run), call_([](void* target, soci::session& sql) { return (*static_cast<Run*>(target))(sql); }) {
        }
        ItemVerdict run(soci::session& sql) { return call_(target_, sql); }

        bool taken = false;  // a batch has taken it: it waits for the outcome, however long
        bool done = false;
        ItemVerdict verdict = ItemVerdict::run_alone;
        BatchFate fate = BatchFate::run_alone;
        Error failure;
        std::condition_variable wake;

    private:
        void* target_;
        ItemVerdict (*call_)(void*, soci::session&);
    };
    // write_alone's transaction and retries, counting attempts from first_attempt.
    template <class Work>
    auto write_attempts(Work& work, std::uint32_t first_attempt) -> std::invoke_result_t<Work&, soci::session&>;
    // Queues item and waits for its batch, leading one when none runs.
    BatchFate submit(BatchItem& item);
    // As the leader: takes queued writes and runs them as one batch; sets every taken item's fate.
    void lead();
    void run_batch(std::vector<BatchItem*>& batch);
    // Takes queued items into batch up to group_commit_max (under group_mutex_).
    void take_queued(std::vector<BatchItem*>& batch);
    void finish_batch(std::vector<BatchItem*>& batch);

    Database(DatabaseOptions options, Dialect dialect);
    void backoff(std::uint32_t attempt) const;
    // Opens session `position` again (a lost connection), with its setup; throws like open().
    void reopen(std::size_t position);
    // Whether the exception being handled means the connection is gone.
    static bool connection_lost();
    void finish(Lease& lease, bool commit);
    // Inside a catch block, for a transaction whose statement threw: its statements are not
    // reused (the session goes back without them), a lost connection is marked for reopening,
    // and the transaction is rolled back.
    void abandon(Lease& lease);

    DatabaseOptions options_;
    // WriterTurn's: a flag under a mutex and a condition variable rather than a std::timed_mutex,
    // whose try_lock_for (pthread_mutex_clocklock) GCC 12's ThreadSanitizer does not see, so
    // that it then reports every unlock as "unlock of an unlocked mutex".
    std::mutex sqlite_writer_mutex_;
    std::condition_variable sqlite_writer_free_;
    bool sqlite_writer_busy_ = false;
    Dialect dialect_;
    SqlText begin_write_;  // dialect_.begin_write, hashed once for the statement cache
    soci::connection_pool pool_;
    // One per pooled session, destroyed before the sessions their statements belong to.
    std::vector<std::unique_ptr<StatementCache>> caches_;
    // Per pooled session: its connection was lost (Lease::mark_broken). Only the lease holder
    // reads or writes its own entry; the pool's lock orders one holder after the other.
    std::vector<char> broken_;

    // Group commit: the writes waiting for a batch, in arrival order, how many batches run and
    // may run at once, and whether tests paused them (BatchPause).
    mutable std::mutex group_mutex_;
    std::deque<BatchItem*> queued_;
    std::uint32_t leading_ = 0;
    std::uint32_t batches_at_once_ = 1;
    bool paused_ = false;
    WriteStats stats_;  // under group_mutex_
};

// A savepoint inside a writer transaction (SAVEPOINT / RELEASE SAVEPOINT / ROLLBACK TO SAVEPOINT:
// the same words on SQLite, PostgreSQL and MySQL/MariaDB), so that one step of a transaction can
// be undone without the rest. Opened by the constructor; release() keeps the step's writes in the
// transaction, rollback() undoes them (and releases the savepoint). Neither: the enclosing
// transaction's COMMIT or ROLLBACK decides. name must be a plain SQL identifier; a name reused
// inside the same transaction refers to the innermost savepoint of that name.
class Savepoint {
public:
    Savepoint(soci::session& sql, std::string name);
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    void release();
    void rollback();

private:
    soci::session& sql_;
    std::string name_;
    bool open_ = true;
};

template <class Work>
auto Database::write(Work&& work) -> std::invoke_result_t<Work&, soci::session&> {
    using Answer = std::invoke_result_t<Work&, soci::session&>;
    if (!options_.group_commit) return write_alone(work);
    std::optional<Answer> answer;
    auto run = [&](soci::session& sql) {
        answer.emplace(work(sql));
        if (answer->ok()) return ItemVerdict::keep;
        return answer->error().code == storage_error::conflict ? ItemVerdict::run_alone : ItemVerdict::undo;
    };
    BatchItem item(run);
    switch (submit(item)) {
        case BatchFate::committed: return std::move(*answer);
        case BatchFate::failed: return item.failure;
        case BatchFate::run_alone: break;
    }
    // A conflict in the batch was the first attempt: the retries go on from it, after its backoff.
    if (answer && !answer->ok() && answer->error().code == storage_error::conflict) {
        if (options_.write_attempts_max <= 1) return std::move(*answer);
        backoff(1);
        return write_attempts(work, 2);
    }
    return write_attempts(work, 1);
}

template <class Work>
auto Database::write_alone(Work&& work) -> std::invoke_result_t<Work&, soci::session&> {
    return write_attempts(work, 1);
}

template <class Work>
auto Database::write_attempts(Work& work, std::uint32_t first_attempt) -> std::invoke_result_t<Work&, soci::session&> {
    {
        const std::lock_guard lock(group_mutex_);
        ++stats_.writes_alone;
    }
    for (std::uint32_t attempt = first_attempt;; ++attempt) {
        Error failure;
        try {
            const WriterTurn turn(*this);
            Lease lease(*this);
            soci::session& sql = lease.sql();
            try {
                run_prepared(sql, begin_write_);
                auto result = work(sql);
                finish(lease, result.ok());
                if (result.ok() || result.error().code != storage_error::conflict) {
                    return result;
                }
                failure = result.error();
            } catch (...) {
                abandon(lease);
                throw;
            }
        } catch (...) {
            failure = describe_current_storage_failure();
        }
        if (failure.code != storage_error::conflict || attempt >= options_.write_attempts_max) {
            return failure;
        }
        backoff(attempt);
    }
}

template <class Work>
auto Database::read(Work&& work) -> std::invoke_result_t<Work&, soci::session&> {
    try {
        Lease lease(*this);
        try {
            auto result = work(lease.sql());
            lease.statements().reset_all();
            return result;
        } catch (...) {
            lease.statements().clear();
            if (connection_lost()) lease.mark_broken();
            throw;
        }
    } catch (...) {
        return describe_current_storage_failure();
    }
}

}  // namespace billing::storage
