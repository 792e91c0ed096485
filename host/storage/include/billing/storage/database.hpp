// The database: a bounded pool of SOCI sessions, the dialect of its backend, and the one
// transaction helper every write goes through.
//
// Every write is one transaction opened with the backend's writer BEGIN (SQLite: BEGIN
// IMMEDIATE, so that two writers never deadlock upgrading a read lock), committed only when the
// work returned success, rolled back otherwise, and retried a bounded number of times when the
// backend reports a serialization failure or the work reports a lost optimistic race.
#pragma once

#include <soci/soci.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
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

    // Runs work(session) -> Result<T> in one writer transaction. Commits when it returns a
    // value, rolls back when it returns an error or throws. Retries on a serialization
    // failure or an Error with code storage_error::conflict, with a fresh transaction each time.
    // Storage failures come back as Errors (storage_error::*), never as exceptions. work must
    // not call write() itself (on SQLite it would wait for its own turn).
    template <class Work>
    auto write(Work&& work) -> std::invoke_result_t<Work&, soci::session&>;

    // Runs work(session) -> Result<T> on a session without opening a writer transaction.
    template <class Work>
    auto read(Work&& work) -> std::invoke_result_t<Work&, soci::session&>;

private:
    Database(DatabaseOptions options, Dialect dialect);
    void backoff(std::uint32_t attempt) const;
    // Opens session `position` again (a lost connection), with its setup; throws like open().
    void reopen(std::size_t position);
    // Whether the exception being handled means the connection is gone.
    static bool connection_lost();
    void finish(Lease& lease, bool commit);

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
    for (std::uint32_t attempt = 1;; ++attempt) {
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
                // A statement that threw is not reused: the session goes back without them.
                lease.statements().clear();
                if (connection_lost()) lease.mark_broken();
                finish(lease, false);
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
