#include "billing/storage/tenants.hpp"

#include "billing/core/ids.hpp"
#include "billing/storage/accounts.hpp"
#include "billing/storage/engine_errors.hpp"
#include "sql_util.hpp"

namespace billing::tenants {

using sql_util::from_db;
using sql_util::to_db;

Result<TenantRecord> insert(soci::session& sql, const NewTenant& tenant, UtcMs now_ms) {
    TenantRecord record{new_id("ten"),        tenant.name,      tenant.currency, tenant.policy_name,
                        tenant.policy_config, tenant.test_mode, now_ms,          now_ms};
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

namespace {

constexpr const char* columns = "id, name, currency, policy_name, policy_config, test_mode, clock_ms, created_at_ms";

// One row's columns as SOCI reads them.
struct Row {
    TenantRecord record;
    int test_mode = 0;
    long long clock = 0;
    long long created = 0;

    TenantRecord read() const {
        TenantRecord out = record;
        out.test_mode = test_mode != 0;
        out.clock_ms = from_db(clock);
        out.created_at_ms = from_db(created);
        return out;
    }
};

}  // namespace

Result<TenantRecord> get(soci::session& sql, const std::string& tenant_id) {
    Row row;
    sql << "SELECT " << columns << " FROM tenants WHERE id = :id", soci::into(row.record.id),
        soci::into(row.record.name), soci::into(row.record.currency), soci::into(row.record.policy_name),
        soci::into(row.record.policy_config), soci::into(row.test_mode), soci::into(row.clock), soci::into(row.created),
        soci::use(tenant_id);
    if (!sql.got_data()) {
        return Error{engine_error::tenant_not_found, "no such tenant"};
    }
    return row.read();
}

void advance_clock(soci::session& sql, const std::string& tenant_id, UtcMs to_ms) {
    const long long to = to_db(to_ms);
    sql << "UPDATE tenants SET clock_ms = :to WHERE id = :id AND clock_ms < :to2", soci::use(to), soci::use(tenant_id),
        soci::use(to);
}

void set_clock(soci::session& sql, const std::string& tenant_id, UtcMs at_ms) {
    const long long at = to_db(at_ms);
    sql << "UPDATE tenants SET clock_ms = :at WHERE id = :id", soci::use(at), soci::use(tenant_id);
}

std::vector<TenantRecord> list(soci::session& sql, const std::string& starting_after, std::size_t limit) {
    std::vector<TenantRecord> out;
    int none = 1;  // no cursor: from the newest
    long long after_created = 0;
    std::string after_id;
    if (!starting_after.empty()) {
        auto cursor = get(sql, starting_after);
        if (!cursor) return out;
        none = 0;
        after_created = to_db(cursor.value().created_at_ms);
        after_id = cursor.value().id;
    }
    const long long max = to_db(static_cast<std::int64_t>(limit));
    Row row;
    soci::statement select =
        (sql.prepare << "SELECT " << columns
                     << " FROM tenants WHERE :none = 1 OR created_at_ms < :c OR (created_at_ms = :c2 AND id < :id) "
                        "ORDER BY created_at_ms DESC, id DESC LIMIT :n",
         soci::into(row.record.id), soci::into(row.record.name), soci::into(row.record.currency),
         soci::into(row.record.policy_name), soci::into(row.record.policy_config), soci::into(row.test_mode),
         soci::into(row.clock), soci::into(row.created), soci::use(none), soci::use(after_created),
         soci::use(after_created), soci::use(after_id), soci::use(max));
    select.execute();
    while (select.fetch()) out.push_back(row.read());
    return out;
}

std::vector<std::string> bound_configs(soci::session& sql, const std::string& policy_name) {
    std::vector<std::string> out;
    std::string config;
    soci::statement select = (sql.prepare << "SELECT DISTINCT policy_config FROM tenants "
                                             "WHERE policy_name = :name AND policy_config <> ''",
                              soci::into(config), soci::use(policy_name));
    select.execute();
    while (select.fetch()) out.push_back(config);
    return out;
}

Result<TenantRecord> rebind(soci::session& sql, const std::string& tenant_id, const std::string& policy_name,
                            const std::string& policy_config) {
    soci::statement update = (sql.prepare << "UPDATE tenants SET policy_name = :name, policy_config = :config "
                                             "WHERE id = :id",
                              soci::use(policy_name), soci::use(policy_config), soci::use(tenant_id));
    update.execute(true);
    if (update.get_affected_rows() == 0) return Error{engine_error::tenant_not_found, "no such tenant"};
    return get(sql, tenant_id);
}

}  // namespace billing::tenants
