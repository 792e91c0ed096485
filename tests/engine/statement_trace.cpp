#include "statement_trace.hpp"

#include <latch>
#include <thread>

#include <soci/sqlite3/soci-sqlite3.h>

#include <memory>

namespace billing::test {

int on_statement_traced(unsigned /*mask*/, void* context, void* statement, void* /*unexpanded*/) {
    auto* stmt = static_cast<sqlite_api::sqlite3_stmt*>(statement);
    char* expanded = sqlite_api::sqlite3_expanded_sql(stmt);
    if (expanded != nullptr) {
        static_cast<StatementTrace*>(context)->record(expanded);
        sqlite_api::sqlite3_free(expanded);
    }
    return 0;
}

StatementTrace::StatementTrace(storage::Database& db) : db_(db) { attach(true); }

StatementTrace::~StatementTrace() { attach(false); }

void StatementTrace::attach(bool on) {
    // Borrowing every session at once is the only way to reach each of them exactly once; one
    // thread may hold one session of a Database at a time (Database::Lease), so one thread each,
    // all holding theirs until every session is reached.
    const std::uint32_t sessions = db_.options().pool_size;
    std::latch all_leased(sessions);
    std::vector<std::thread> holders;
    for (std::uint32_t i = 0; i < sessions; ++i) {
        holders.emplace_back([&] {
            storage::Database::Lease lease(db_);
            auto* backend = static_cast<soci::sqlite3_session_backend*>(lease.sql().get_backend());
            sqlite_api::sqlite3_trace_v2(backend->conn_, on ? SQLITE_TRACE_STMT : 0,
                                         on ? &on_statement_traced : nullptr, on ? this : nullptr);
            all_leased.arrive_and_wait();
        });
    }
    for (std::thread& holder : holders) holder.join();
}

void StatementTrace::record(std::string statement) {
    std::lock_guard lock(mutex_);
    statements_.push_back(std::move(statement));
}

std::vector<std::string> StatementTrace::statements() const {
    std::lock_guard lock(mutex_);
    return statements_;
}

void StatementTrace::clear() {
    std::lock_guard lock(mutex_);
    statements_.clear();
}

int first_index_of(const std::vector<std::string>& statements, const std::string& needle) {
    for (std::size_t i = 0; i < statements.size(); ++i) {
        if (statements[i].find(needle) != std::string::npos) return static_cast<int>(i);
    }
    return -1;
}

}  // namespace billing::test
