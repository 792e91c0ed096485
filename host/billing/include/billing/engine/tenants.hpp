// Tenants: a tenant is created together with its three system accounts (funding, escrow,
// revenue, each under its reserved external_ref "@" + kind), in the caller's transaction, so a
// tenant never exists without its ledger.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"

namespace billing::tenants {

Result<TenantRecord> insert(soci::session& sql, const NewTenant& tenant, UtcMs now_ms);

// tenant_not_found when there is no such tenant.
Result<TenantRecord> get(soci::session& sql, const std::string& tenant_id);

}  // namespace billing::tenants
