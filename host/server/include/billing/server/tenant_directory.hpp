// Tenants as the API and the engine's policy provider see them: cached for a short while, with
// the test clock read fresh from the database on every request of a test-mode tenant, since
// another host may have advanced it. An operator may rebind a tenant's policy or config at run
// time: this host forgets its copy at once, other hosts within cache_ttl (like API keys).
#pragma once

#include <chrono>
#include <mutex>
#include <string>

#include "billing/core/clock.hpp"
#include "billing/core/lru_cache.hpp"
#include "billing/core/result.hpp"
#include "billing/engine/engine.hpp"

namespace billing::server {

class TenantDirectory {
public:
    TenantDirectory(storage::Database& db, const Clock& clock) : db_(db), clock_(clock) {}

    // The tenant (clock_ms as cached: use now_ms for its time); tenant_not_found if none.
    Result<TenantRecord> get(const std::string& tenant_id);

    // The tenant's time now: its test clock, or the system clock for a live tenant;
    // test_clock_out_of_range for a test clock stored past sdk::now_ms_max.
    Result<UtcMs> now_ms(const TenantRecord& tenant);

    // Drops the cached copy (after this host changed the tenant).
    void forget(const std::string& tenant_id);

    static constexpr std::chrono::seconds cache_ttl{2};

private:
    storage::Database& db_;
    const Clock& clock_;
    static constexpr std::size_t cached_max = 10'000;
    std::mutex mutex_;
    struct Cached {
        TenantRecord record;
        std::chrono::steady_clock::time_point read_at;
    };
    LruCache<std::string, Cached> cache_{cached_max};
};

}  // namespace billing::server
