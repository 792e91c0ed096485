// Tenants: a tenant is created together with its three system accounts (funding, escrow,
// revenue, each under its reserved external_ref "@" + kind), in the caller's transaction, so a
// tenant never exists without its ledger.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"

namespace billing::tenants {

Result<TenantRecord> insert(soci::session& sql, const NewTenant& tenant, UtcMs now_ms);

// tenant_not_found when there is no such tenant.
Result<TenantRecord> get(soci::session& sql, const std::string& tenant_id);

// Moves a tenant's clock to to_ms if that is later than it is; never back.
void advance_clock(soci::session& sql, const std::string& tenant_id, UtcMs to_ms);

// Sets a tenant's clock to at_ms, earlier or later (a reset of its test clock).
void set_clock(soci::session& sql, const std::string& tenant_id, UtcMs at_ms);

// Tenants newest first (by creation, then id), after the tenant starting_after (empty: from the
// newest), like every list of the API.
std::vector<TenantRecord> list(soci::session& sql, const std::string& starting_after, std::size_t limit);

// The distinct non-empty configs tenants are bound with for `policy_name` (a new version of the
// policy must accept each before it serves).
std::vector<std::string> bound_configs(soci::session& sql, const std::string& policy_name);

// Binds the tenant to another policy or config (checked by the caller against the loaded
// policy). tenant_not_found when there is no such tenant.
Result<TenantRecord> rebind(soci::session& sql, const std::string& tenant_id, const std::string& policy_name,
                            const std::string& policy_config);

}  // namespace billing::tenants
