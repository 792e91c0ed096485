// Tenants as the API and the engine's policy provider see them: read once and cached (a
// tenant's id, currency, policy binding and mode do not change while it exists), with the test
// clock read fresh from the database on every request of a test-mode tenant, since another host
// may have advanced it.
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"
#include "billing/engine/engine.hpp"

namespace billing::server {

class TenantDirectory {
public:
    TenantDirectory(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

    // The tenant (clock_ms as cached: use now_ms for its time); tenant_not_found if none.
    Result<TenantRecord> get(const std::string& tenant_id);

    // The tenant's time now: its test clock, or the system clock for a live tenant.
    Result<UtcMs> now_ms(const TenantRecord& tenant);

private:
    storage::Database& db_;
    const Clock& clock_;
    static constexpr std::size_t cached_max = 10'000;
    std::mutex mutex_;
    std::unordered_map<std::string, TenantRecord> cache_;
};

}  // namespace billing::server
