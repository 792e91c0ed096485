#include "billing/server/tenant_directory.hpp"

#include "billing/storage/engine_errors.hpp"
#include "billing/storage/tenants.hpp"

namespace billing::server {

Result<TenantRecord> TenantDirectory::get(const std::string& tenant_id) {
    const auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (const Cached* found = cache_.find(tenant_id); found != nullptr && now - found->read_at < cache_ttl) {
            return found->record;
        }
    }
    auto tenant = db_.read([&](soci::session& sql) { return tenants::get(sql, tenant_id); });
    if (!tenant) return tenant;
    std::lock_guard lock(mutex_);
    cache_.put(tenant_id, Cached{tenant.value(), now});
    return tenant;
}

void TenantDirectory::forget(const std::string& tenant_id) {
    std::lock_guard lock(mutex_);
    cache_.erase(tenant_id);
}

Result<UtcMs> TenantDirectory::now_ms(const TenantRecord& tenant) {
    if (!tenant.test_mode) return clock_.now_ms();
    auto fresh = db_.read([&](soci::session& sql) { return tenants::get(sql, tenant.id); });
    if (!fresh) return fresh.error();
    // Only a version that did not bound test clocks could have stored one past the bound; every
    // time computed from it could pass what the host can store and print.
    if (fresh.value().clock_ms > sdk::now_ms_max) {
        return Error{engine_error::test_clock_out_of_range,
                     "the test clock is past 9900-01-01T00:00:00.000Z, the latest the host runs a tenant at; "
                     "DELETE /v1/test-clock resets it"};
    }
    return fresh.value().clock_ms;
}

}  // namespace billing::server
