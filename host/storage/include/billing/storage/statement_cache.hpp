// Prepared statements kept per pooled session, so that a hot statement is parsed once per
// connection instead of once per call (with SOCI, every `sql << ...` prepares anew).
//
// A cached statement is a CachedStatement subclass holding the statement AND the variables its
// placeholders are bound to (use()/into() keep references): a caller refills the members and
// executes. The cache of a session lives in its Database, keyed by SQL text (an SqlText, hashed
// once where the text is made), and is reached with Prepared<T>(sql, text) while the session is
// leased on this thread. A session not leased from a
// Database (or leased on another thread) gets a fresh, uncached statement: same behaviour, slower.
//
// Before COMMIT, ROLLBACK and ROLLBACK TO SAVEPOINT every cached statement is reset (SQLite keeps
// a stepped statement "in progress", and COMMIT refuses pending writes), and a session whose work
// threw has its cache dropped, so a statement left broken by a failure is never reused.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "billing/core/lru_cache.hpp"
#include "billing/storage/dialect.hpp"

namespace billing::storage {

// An SQL text with its hash, computed once when the text is made: the cache looks a statement up
// on every call, and hashing texts of several hundred bytes there was about 3,000 instructions of
// every purchase (callgrind). The host's statement texts are namespace-scope SqlTexts, made once;
// a text built at run time (a savepoint's name) converts implicitly and is hashed then.
class SqlText {
public:
    SqlText(std::string text) : text_(std::move(text)), hash_(std::hash<std::string>{}(text_)) {}
    SqlText(const char* text) : SqlText(std::string(text)) {}

    [[nodiscard]] const std::string& str() const noexcept { return text_; }
    [[nodiscard]] std::size_t hash() const noexcept { return hash_; }
    friend bool operator==(const SqlText& a, const SqlText& b) { return a.hash_ == b.hash_ && a.text_ == b.text_; }

    struct Hash {
        std::size_t operator()(const SqlText& text) const noexcept { return text.hash(); }
    };

private:
    std::string text_;
    std::size_t hash_;
};

class CachedStatement {
public:
    CachedStatement() = default;
    virtual ~CachedStatement() = default;
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;

    // Ends the statement's current execution, if any (SQLite: sqlite3_reset; the server
    // backends hold no cursor after execute(true)).
    void reset() noexcept;

protected:
    // Called once by the subclass's constructor, after its bound members exist. SOCI 4.0's
    // statement is a reference-counted handle with no move: copying it shares the prepared statement.
    void prepare(const soci::statement& statement) { statement_.emplace(statement); }
    soci::statement& statement() { return *statement_; }

    // Executes a write to completion and returns how many rows it changed.
    long long run_counted() {
        statement_->execute(true);
        return statement_->get_affected_rows();
    }
    // Executes a one-row read: true when it found the row.
    bool fetch_one() { return statement_->execute(true); }

private:
    friend class StatementCache;
    std::optional<soci::statement> statement_;
    bool needs_reset_ = false;  // set by the cache from the dialect
};

class StatementCache {
public:
    // Statements kept per session: several times the distinct texts the host prepares, so that
    // only texts built at run time would ever evict one (the least recently used).
    static constexpr std::size_t statements_max = 256;

    // The statement for text, made with T(sql, text) the first time.
    template <class T>
    std::shared_ptr<T> get(soci::session& sql, const SqlText& text) {
        if (const auto* found = entries_.find(text)) return std::static_pointer_cast<T>(*found);
        auto made = std::make_shared<T>(sql, text.str());
        made->needs_reset_ = Dialect::of(sql).statements_need_reset;
        entries_.put(text, made);
        return made;
    }
    void reset_all() noexcept;
    void clear() noexcept { entries_.clear(); }
    [[nodiscard]] std::size_t size() const noexcept { return entries_.size(); }

private:
    // Shared with the Prepared using it: an evicted statement lives until that call is done.
    LruCache<SqlText, std::shared_ptr<CachedStatement>, SqlText::Hash> entries_{statements_max};
};

// The cache of sql while it is leased from a Database on this thread, else nullptr.
StatementCache* statement_cache_of(soci::session& sql) noexcept;

// A prepared statement: the session's cached one, or a fresh one owned here.
template <class T>
class Prepared {
public:
    Prepared(soci::session& sql, const SqlText& text) {
        StatementCache* cache = statement_cache_of(sql);
        statement_ = cache != nullptr ? cache->get<T>(sql, text) : std::make_shared<T>(sql, text.str());
    }
    T* operator->() { return statement_.get(); }
    T& operator*() { return *statement_; }

private:
    std::shared_ptr<T> statement_;
};

// A statement without placeholders (SAVEPOINT, RELEASE ...), cached like any other.
class PlainStatement : public CachedStatement {
public:
    PlainStatement(soci::session& sql, const std::string& text) { prepare((sql.prepare << text)); }
    void run() { statement().execute(true); }
};

// Runs text (no placeholders) through the session's cache.
inline void run_prepared(soci::session& sql, const SqlText& text) { Prepared<PlainStatement>(sql, text)->run(); }

}  // namespace billing::storage
