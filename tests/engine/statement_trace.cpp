#include "statement_trace.hpp"

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
    // Borrowing every session at once is the only way to reach each of them exactly once.
    std::vector<std::unique_ptr<storage::Database::Lease>> leases;
    for (std::uint32_t i = 0; i < db_.options().pool_size; ++i) {
        leases.push_back(std::make_unique<storage::Database::Lease>(db_));
        auto* backend = static_cast<soci::sqlite3_session_backend*>(leases.back()->sql().get_backend());
        sqlite_api::sqlite3_trace_v2(backend->conn_, on ? SQLITE_TRACE_STMT : 0, on ? &on_statement_traced : nullptr,
                                     on ? this : nullptr);
    }
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
