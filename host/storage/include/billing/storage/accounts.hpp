// Accounts, always read through their tenant: another tenant's account id is "not found",
// exactly like an id that does not exist (DESIGN §6: no cross-tenant probing).
#pragma once

#include <soci/soci.h>

#include <string>
#include <string_view>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"

namespace billing::accounts {

// A customer account (external_ref 1..200 characters, not starting with '@', which is reserved
// for system accounts) or a system account (external_ref "@" + kind, whatever is passed). The
// unique (tenant_id, external_ref) index refuses a duplicate: the INSERT then throws, and the
// caller's transaction maps it (Engine::create_account: duplicate_external_ref).
Result<AccountRecord> insert(soci::session& sql, const std::string& tenant_id, std::string_view kind,
                             const std::string& external_ref, UtcMs now_ms);

// account_not_found unless the account exists AND belongs to tenant_id.
Result<AccountRecord> get(soci::session& sql, const std::string& tenant_id, const std::string& account_id);

// Like get, but only customer accounts (money is deposited to and spent from those only).
Result<AccountRecord> get_customer(soci::session& sql, const std::string& tenant_id, const std::string& account_id);

}  // namespace billing::accounts
