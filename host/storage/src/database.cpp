#include "billing/storage/database.hpp"

#include "billing/config/database_url.hpp"

#include <soci/mysql/soci-mysql.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "held_balances.hpp"

namespace billing::storage {

namespace {

using ServerTarget = config::ServerAddress;

// The url's parts, percent-decoded (billing/config/database_url.hpp): the one reading of the url,
// the one the config was validated with.
Result<ServerTarget> parse_server_target(Backend backend, const std::string& target) {
    auto address = config::parse_server_address(backend, target);
    if (!address) return Error{storage_error::failed, "database url " + address.error().message};
    return address;
}

// A connect-string value as both drivers read it (libpq's conninfo and SOCI's MySQL backend):
// single-quoted, with a backslash before a quote or a backslash, so that any character works.
// SOCI 4.0's PostgreSQL backend first splits the string at spaces, and keeps a value whole only
// in double quotes (which it strips): so there the quoted value is double-quoted too, and a '"'
// is refused when the url is read.
std::string quoted(Backend backend, const std::string& value) {
    std::string out = "'";
    for (const char c : value) {
        if (c == '\\' || c == '\'') out += '\\';
        out += c;
    }
    out += "'";
    return backend == Backend::postgresql ? '"' + out + '"' : out;
}

std::string sqlite_synchronous_pragma(config::SqliteSynchronous level) {
    return "PRAGMA synchronous=" + std::string(config::to_string(level));
}

// Opens one pooled session and sets what each connection of this backend needs.
void open_session(soci::session& sql, const DatabaseOptions& o, const ServerTarget& server) {
    switch (o.backend) {
        case Backend::sqlite3:
            sql.open(soci::sqlite3, "db=" + o.target);
            sql << "PRAGMA busy_timeout=" + std::to_string(o.busy_timeout_ms);
            sql << "PRAGMA journal_mode=WAL";
            sql << sqlite_synchronous_pragma(o.sqlite_synchronous);
            sql << "PRAGMA foreign_keys=ON";
            return;
        case Backend::postgresql: {
            std::string connect =
                "host=" + quoted(o.backend, server.host) + " dbname=" + quoted(o.backend, server.database);
            if (!server.user.empty()) connect += " user=" + quoted(o.backend, server.user);
            if (!server.port.empty()) connect += " port=" + server.port;
            if (!server.password.empty()) connect += " password=" + quoted(o.backend, server.password);
            sql.open(soci::postgresql, connect);
            // NOTICEs (e.g. "relation already exists, skipping") must not reach stderr.
            sql << "SET client_min_messages TO WARNING";
            sql << "SET lock_timeout = " + std::to_string(o.busy_timeout_ms);
            return;
        }
        case Backend::mysql: {
            // utf8mb4 said, not left to the client library's default: the host's texts are UTF-8,
            // and bulk_sql writes them as utf8mb4 literals.
            std::string connect = "host=" + quoted(o.backend, server.host) +
                                  " db=" + quoted(o.backend, server.database) + " charset=utf8mb4";
            if (!server.user.empty()) connect += " user=" + quoted(o.backend, server.user);
            if (!server.port.empty()) connect += " port=" + server.port;
            if (!server.password.empty()) connect += " password=" + quoted(o.backend, server.password);
            sql.open(soci::mysql, connect);
            sql << "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'";
            // READ COMMITTED, as on PostgreSQL: the code locks what it reads with FOR UPDATE and
            // relies on optimistic versions; REPEATABLE READ's gap locks would only add deadlocks
            // between concurrent purchases.
            sql << "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
            sql << "SET SESSION innodb_lock_wait_timeout = " + std::to_string((o.busy_timeout_ms + 999) / 1000);
            return;
        }
    }
}

}  // namespace

DatabaseOptions DatabaseOptions::from(const config::DatabaseConfig& config) {
    DatabaseOptions o;
    o.backend = config.backend;
    o.target = config.target;
    o.pool_size = config.pool_size;
    o.busy_timeout_ms = config.busy_timeout_ms;
    o.sqlite_synchronous = config.sqlite_synchronous;
    o.group_commit = config.group_commit;
    o.group_commit_max = config.group_commit_max;
    o.group_commit_window_us = config.group_commit_window_us;
    o.group_commit_batches = config.group_commit_batches;
    return o;
}

Database::Database(DatabaseOptions options, Dialect dialect)
    : options_(std::move(options)), dialect_(std::move(dialect)), begin_write_(dialect_.begin_write),
      pool_(options_.pool_size), broken_(options_.pool_size, 0) {
    for (std::size_t i = 0; i < options_.pool_size; ++i) caches_.push_back(std::make_unique<StatementCache>());
    // A server commits concurrent transactions in parallel: one batch at a time would make one
    // session's round trips the host's whole write throughput. SQLite has one writer. Batches
    // take at most half the other sessions: reads and the sweeper's transactions of their own
    // need the rest (with 3 batches on a pool of 4, one host's sweeper was starved of sessions
    // in the multi-host test).
    if (!dialect_.one_writer_at_a_time) {
        const std::uint32_t sessions_for_batches = std::max<std::uint32_t>(1, (options_.pool_size - 1) / 2);
        batches_at_once_ = std::clamp<std::uint32_t>(options_.group_commit_batches, 1, sessions_for_batches);
    }
}

void Database::reopen(std::size_t position) {
    ServerTarget server;
    if (options_.backend != Backend::sqlite3) {
        auto parsed = parse_server_target(options_.backend, options_.target);
        if (!parsed) throw soci::soci_error(parsed.error().message);
        server = parsed.value();
    }
    caches_.at(position)->clear();  // prepared on the lost connection
    soci::session& sql = pool_.at(position);
    try {
        sql.close();
        open_session(sql, options_, server);
    } catch (...) {
        throw StorageUnavailable(describe_current_storage_failure().message);
    }
    broken_.at(position) = 0;
}

bool Database::connection_lost() { return describe_current_storage_failure().code == storage_error::unavailable; }

Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::open(const DatabaseOptions& options) {
    ServerTarget server;
    if (options.backend == Backend::sqlite3) {
        const std::filesystem::path file(options.target);
        if (file.has_parent_path() && options.target != ":memory:") {
            std::error_code ec;
            std::filesystem::create_directories(file.parent_path(), ec);
        }
    } else {
        auto parsed = parse_server_target(options.backend, options.target);
        if (!parsed) {
            return parsed.error();
        }
        server = parsed.value();
    }
    std::unique_ptr<Database> db(new Database(options, Dialect::of(options.backend)));
    try {
        for (std::size_t i = 0; i < options.pool_size; ++i) {
            open_session(db->pool_.at(i), options, server);
        }
    } catch (...) {
        return describe_current_storage_failure();
    }
    return db;
}

namespace {

// The sessions leased on this thread, with their caches: what statement_cache_of finds. A lease
// is used by the thread that took it, and a thread holds at most one per Database (see Lease).
struct LeasedCache {
    const Database* db;
    soci::session* session;
    StatementCache* cache;
    HeldBalances* held = nullptr;  // while the session runs a group-commit batch
};
thread_local std::vector<LeasedCache> leased_caches;

}  // namespace

StatementCache* statement_cache_of(soci::session& sql) noexcept {
    for (const LeasedCache& leased : leased_caches) {
        if (leased.session == &sql) return leased.cache;
    }
    return nullptr;
}

HeldBalances* held_balances_of(soci::session& sql) noexcept {
    for (const LeasedCache& leased : leased_caches) {
        if (leased.session == &sql) return leased.held;
    }
    return nullptr;
}

namespace {

// Registers a batch's HeldBalances with the session it runs on, for as long as it lives.
class HoldBalances {
public:
    HoldBalances(soci::session& sql, HeldBalances& held) : sql_(sql) { set(&held); }
    ~HoldBalances() { set(nullptr); }
    HoldBalances(const HoldBalances&) = delete;
    HoldBalances& operator=(const HoldBalances&) = delete;

private:
    void set(HeldBalances* held) noexcept {
        for (LeasedCache& leased : leased_caches) {
            if (leased.session == &sql_) leased.held = held;
        }
    }
    soci::session& sql_;
};

}  // namespace

Database::WriterTurn::WriterTurn(Database& db) : db_(db) {
    if (!db.dialect_.one_writer_at_a_time) return;
    std::unique_lock lock(db.sqlite_writer_mutex_);
    if (!db.sqlite_writer_free_.wait_for(lock, std::chrono::milliseconds(db.options_.busy_timeout_ms),
                                         [&db] { return !db.sqlite_writer_busy_; })) {
        throw StorageBusy();
    }
    db.sqlite_writer_busy_ = true;
    held_ = true;
}

Database::WriterTurn::~WriterTurn() {
    if (!held_) return;
    {
        std::lock_guard lock(db_.sqlite_writer_mutex_);
        db_.sqlite_writer_busy_ = false;
    }
    db_.sqlite_writer_free_.notify_one();
}

Database::Lease::Lease(Database& db) : db_(db) {
    for (const LeasedCache& leased : leased_caches) {
        // A thread that holds a session (and maybe row locks in its transaction) and waits for a
        // second one can wait for threads that hold the others and wait for its locks: a
        // deadlock the database cannot see, which ends only at the lock timeout. Whatever a
        // transaction needs from the database it reads on its own session, or before it opens.
        if (leased.db == &db) throw std::logic_error("a second session of one database leased on one thread");
    }
    const int timeout_ms = static_cast<int>(db.options_.busy_timeout_ms);
    if (!db.pool_.try_lease(position_, timeout_ms)) {
        throw StorageBusy();
    }
    if (db.broken_.at(position_) != 0) {
        // Its connection was lost: open it again before anyone uses it. If the server is still
        // away this throws (unavailable) and the session stays marked for the next lease.
        try {
            db.reopen(position_);
        } catch (...) {
            db.pool_.give_back(position_);
            throw;
        }
    }
    leased_caches.push_back(LeasedCache{&db, &sql(), &statements()});
}

Database::Lease::~Lease() {
    soci::session* session = &sql();
    for (auto it = leased_caches.begin(); it != leased_caches.end(); ++it) {
        if (it->session == session) {
            leased_caches.erase(it);
            break;
        }
    }
    db_.pool_.give_back(position_);
}

namespace {
const SqlText commit_sql = "COMMIT";
const SqlText rollback_sql = "ROLLBACK";
}  // namespace

void Database::finish(Lease& lease, bool commit) {
    soci::session& sql = lease.sql();
    // Nothing may be left "in progress" at COMMIT (SQLite), nor run on after the transaction.
    lease.statements().reset_all();
    if (commit) {
        run_prepared(sql, commit_sql);
        return;
    }
    try {
        run_prepared(sql, rollback_sql);
    } catch (...) {
        // The transaction is gone either way (a lost connection rolls it back); the error that
        // made us roll back is the one worth reporting.
    }
}

Savepoint::Savepoint(soci::session& sql, std::string name) : sql_(sql), name_(std::move(name)) {
    run_prepared(sql_, "SAVEPOINT " + name_);
}

void Savepoint::release() {
    if (!open_) return;
    open_ = false;
    run_prepared(sql_, "RELEASE SAVEPOINT " + name_);
}

void Savepoint::rollback() {
    if (!open_) return;
    open_ = false;
    if (StatementCache* cache = statement_cache_of(sql_)) cache->reset_all();
    // ROLLBACK TO keeps the savepoint on every backend: release it too, so that a loop of steps
    // does not stack them up.
    run_prepared(sql_, "ROLLBACK TO SAVEPOINT " + name_);
    run_prepared(sql_, "RELEASE SAVEPOINT " + name_);
}

void Database::abandon(Lease& lease) {
    lease.statements().clear();
    if (connection_lost()) lease.mark_broken();
    finish(lease, false);
}

// ---- Group commit (database.hpp) ----

namespace {
// One name for every write's savepoint: a write's is released or rolled back before the next
// one opens, so they never nest.
const SqlText write_savepoint_sql = "SAVEPOINT batch_write";
const SqlText write_release_sql = "RELEASE SAVEPOINT batch_write";
const SqlText write_rollback_sql = "ROLLBACK TO SAVEPOINT batch_write";
}  // namespace

Database::BatchFate Database::submit(BatchItem& item) {
    std::unique_lock lock(group_mutex_);
    queued_.push_back(&item);
    const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.busy_timeout_ms);
    while (!item.done) {
        if (leading_ < batches_at_once_ && !paused_) {
            ++leading_;
            lock.unlock();
            lead();
            lock.lock();
            --leading_;
            // The first write still queued leads the next batch (it may be this one, when the
            // batch was full without it).
            if (!queued_.empty()) queued_.front()->wake.notify_one();
            continue;
        }
        if (item.taken) {
            item.wake.wait(lock);
        } else if (item.wake.wait_until(lock, give_up_at) == std::cv_status::timeout && !item.taken) {
            // Not taken into a batch within the busy timeout (as a writer that waits for its
            // turn or a session): answered busy, and nothing of it ran.
            queued_.erase(std::find(queued_.begin(), queued_.end(), &item));
            item.failure = Error{storage_error::busy, "no write batch took this write in time"};
            return BatchFate::failed;
        }
    }
    return item.fate;
}

void Database::take_queued(std::vector<BatchItem*>& batch) {
    while (!queued_.empty() && batch.size() < options_.group_commit_max) {
        BatchItem* item = queued_.front();
        queued_.pop_front();
        item->taken = true;
        batch.push_back(item);
    }
}

void Database::lead() {
    std::vector<BatchItem*> batch;
    {
        const std::lock_guard lock(group_mutex_);
        take_queued(batch);
    }
    if (batch.empty()) return;
    run_batch(batch);
    finish_batch(batch);
}

void Database::run_batch(std::vector<BatchItem*>& batch) {
    const auto window_ends =
        std::chrono::steady_clock::now() + std::chrono::microseconds(options_.group_commit_window_us);
    bool commit_sent = false;
    try {
        const WriterTurn turn(*this);
        Lease lease(*this);
        soci::session& sql = lease.sql();
        HeldBalances held;
        const HoldBalances holding(sql, held);
        try {
            run_prepared(sql, begin_write_);
            for (std::size_t next = 0;;) {
                for (; next < batch.size(); ++next) {
                    BatchItem& item = *batch[next];
                    held.begin_write();
                    run_prepared(sql, write_savepoint_sql);
                    try {
                        item.verdict = item.run(sql);
                    } catch (...) {
                        // A statement of its own failed: undone below and run again alone, where
                        // it gets the answer it would have had without group commit. When the
                        // failure took the transaction with it (a lost connection, a MariaDB
                        // deadlock), the ROLLBACK TO below fails and so does the whole batch.
                        lease.statements().clear();
                        item.verdict = ItemVerdict::run_alone;
                    }
                    if (item.verdict == ItemVerdict::keep) {
                        run_prepared(sql, write_release_sql);
                    } else {
                        // A statement still stepping would keep SQLite from rolling back.
                        lease.statements().reset_all();
                        run_prepared(sql, write_rollback_sql);
                        run_prepared(sql, write_release_sql);
                        held.undo_write();
                    }
                }
                // Writes that arrived while this batch ran join it, up to its size and window.
                const std::lock_guard lock(group_mutex_);
                if (queued_.empty() || batch.size() >= options_.group_commit_max ||
                    std::chrono::steady_clock::now() >= window_ends) {
                    break;
                }
                take_queued(batch);
            }
            held.flush(sql);
            lease.statements().reset_all();
            commit_sent = true;
            run_prepared(sql, commit_sql);
        } catch (...) {
            abandon(lease);
            throw;
        }
    } catch (...) {
        const Error failure = describe_current_storage_failure();
        // A COMMIT cut off with the server's connection may have committed or not: running the
        // writes again could apply them twice, so each is answered unavailable (as a write alone
        // is). Anything else left nothing committed: each write runs again alone.
        const bool outcome_unknown =
            commit_sent && options_.backend != Backend::sqlite3 && failure.code == storage_error::unavailable;
        for (BatchItem* item : batch) {
            item->fate = outcome_unknown ? BatchFate::failed : BatchFate::run_alone;
            item->failure = failure;
        }
        const std::lock_guard lock(group_mutex_);
        ++stats_.batches_failed;
        return;
    }
    for (BatchItem* item : batch) {
        item->fate = item->verdict == ItemVerdict::run_alone ? BatchFate::run_alone : BatchFate::committed;
    }
    const std::lock_guard lock(group_mutex_);
    ++stats_.batches;
    for (BatchItem* item : batch) {
        if (item->fate == BatchFate::committed) ++stats_.batched_writes;
    }
}

void Database::finish_batch(std::vector<BatchItem*>& batch) {
    const std::lock_guard lock(group_mutex_);
    for (BatchItem* item : batch) {
        item->done = true;
        item->wake.notify_one();
    }
}

Database::WriteStats Database::write_stats() const {
    const std::lock_guard lock(group_mutex_);
    return stats_;
}

std::size_t Database::queued_writes() const {
    const std::lock_guard lock(group_mutex_);
    return queued_.size();
}

Database::BatchPause::BatchPause(Database& db) : db_(db) {
    const std::lock_guard lock(db_.group_mutex_);
    db_.paused_ = true;
}

Database::BatchPause::~BatchPause() {
    const std::lock_guard lock(db_.group_mutex_);
    db_.paused_ = false;
    if (!db_.queued_.empty()) db_.queued_.front()->wake.notify_one();
}

void Database::backoff(std::uint32_t attempt) const {
    // 1, 2, 4 ... ms up to 64 ms: long enough for the winner of a race to commit.
    const auto ms = std::chrono::milliseconds(1U << std::min<std::uint32_t>(attempt - 1, 6));
    std::this_thread::sleep_for(ms);
}

}  // namespace billing::storage
