#include "billing/storage/statement_cache.hpp"

#include <soci/sqlite3/soci-sqlite3.h>

namespace billing::storage {

void CachedStatement::reset() noexcept {
    if (!statement_ || !sqlite_) return;
    // The backend's type is known from its session (SOCI does not export its typeinfo).
    auto* sqlite = static_cast<soci::sqlite3_statement_backend*>(statement_->get_backend());
    if (sqlite != nullptr && sqlite->stmt_ != nullptr) {
        sqlite_api::sqlite3_reset(sqlite->stmt_);
    }
}

void StatementCache::reset_all() noexcept {
    for (const auto& [text, statement] : entries_) statement->reset();
}

}  // namespace billing::storage
