#include "billing/storage/statement_cache.hpp"

#include "soci_adapter.hpp"

namespace billing::storage {

void CachedStatement::reset() noexcept {
    if (!statement_ || !needs_reset_) return;
    soci_adapter::reset_sqlite_statement(*statement_);
}

void StatementCache::reset_all() noexcept {
    for (const auto& [text, statement] : entries_) statement->reset();
}

}  // namespace billing::storage
