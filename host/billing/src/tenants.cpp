#include "billing/engine/tenants.hpp"

#include "billing/core/ids.hpp"
#include "billing/engine/accounts.hpp"
#include "billing/engine/errors.hpp"
#include "sql_util.hpp"

namespace billing::tenants {

using sql_util::from_db;
using sql_util::to_db;

Result<TenantRecord> insert(soci::session& sql, const NewTenant& tenant, UtcMs now_ms) {
    TenantRecord record{new_id("ten"), tenant.name,      tenant.currency, tenant.policy_name,
                        tenant.policy_config, tenant.test_mode, now_ms, now_ms};
    const int test_mode = record.test_mode ? 1 : 0;
    const long long now = to_db(now_ms);
    sql << "INSERT INTO tenants (id, name, currency, policy_name, policy_config, test_mode, clock_ms, created_at_ms) "
           "VALUES (:id, :n, :c, :p, :pc, :tm, :clock, :at)",
        soci::use(record.id), soci::use(record.name), soci::use(record.currency), soci::use(record.policy_name),
        soci::use(record.policy_config), soci::use(test_mode), soci::use(now), soci::use(now);
    for (std::string_view kind : storage::ledger_vocabulary::system_account_kinds) {
        auto account = accounts::insert(sql, record.id, kind, "", now_ms);
        if (!account) {
            return account.error();
        }
    }
    return record;
}

Result<TenantRecord> get(soci::session& sql, const std::string& tenant_id) {
    TenantRecord record;
    int test_mode = 0;
    long long clock = 0;
    long long created = 0;
    sql << "SELECT id, name, currency, policy_name, policy_config, test_mode, clock_ms, created_at_ms "
           "FROM tenants WHERE id = :id",
        soci::into(record.id), soci::into(record.name), soci::into(record.currency), soci::into(record.policy_name),
        soci::into(record.policy_config), soci::into(test_mode), soci::into(clock), soci::into(created),
        soci::use(tenant_id);
    if (!sql.got_data()) {
        return Error{engine_error::tenant_not_found, "no such tenant"};
    }
    record.test_mode = test_mode != 0;
    record.clock_ms = from_db(clock);
    record.created_at_ms = from_db(created);
    return record;
}

}  // namespace billing::tenants
