// Accounts, always read through their tenant: another tenant's account id is "not found",
// exactly like an id that does not exist (DESIGN §6: no cross-tenant probing).
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"

namespace billing::accounts {

// A system account (external_ref empty) or a customer account (external_ref unique per
// tenant: duplicate_external_ref otherwise).
Result<AccountRecord> insert(soci::session& sql, const std::string& tenant_id, const std::string& kind,
                             const std::string& external_ref, UtcMs now_ms);

// account_not_found unless the account exists AND belongs to tenant_id.
Result<AccountRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& account_id);

// Like get, but only customer accounts (money is deposited to and spent from those only).
Result<AccountRecord> get_customer(soci::session& sql, const std::string& tenant_id, const std::string& account_id);

}  // namespace billing::accounts
