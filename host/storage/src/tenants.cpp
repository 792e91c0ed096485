#include "billing/storage/tenants.hpp"

#include "billing/core/ids.hpp"
#include "billing/storage/accounts.hpp"
#include "billing/storage/engine_errors.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::tenants {

using sql_util::from_db;
using sql_util::to_db;
namespace row_schema = storage::row_schema;

namespace {

// The tenants table's one list of columns (row_schema.hpp).
struct TenantRow {
    TenantRecord tenant;
    int test_mode = 0;
    long long clock_ms = 0, created_at_ms = 0;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        visit(Column{"id"}, tenant.id);
        visit(Column{"name"}, tenant.name);
        visit(Column{"currency"}, tenant.currency);
        visit(Column{"policy_name"}, tenant.policy_name);
        visit(Column{"policy_config"}, tenant.policy_config);
        visit(Column{"test_mode"}, test_mode);
        visit(Column{"clock_ms"}, clock_ms);
        visit(Column{"created_at_ms"}, created_at_ms);
    }

    void assign(const TenantRecord& record) {
        tenant = record;
        test_mode = record.test_mode ? 1 : 0;
        clock_ms = to_db(record.clock_ms);
        created_at_ms = to_db(record.created_at_ms);
    }
    [[nodiscard]] TenantRecord record() const {
        TenantRecord out = tenant;
        out.test_mode = test_mode != 0;
        out.clock_ms = from_db(clock_ms);
        out.created_at_ms = from_db(created_at_ms);
        return out;
    }
};

}  // namespace

Result<TenantRecord> insert(soci::session& sql, const NewTenant& tenant, UtcMs now_ms) {
    TenantRecord record{.id = new_id("ten"),
                        .name = tenant.name,
                        .currency = tenant.currency,
                        .policy_name = tenant.policy_name,
                        .policy_config = tenant.policy_config,
                        .test_mode = tenant.test_mode,
                        .clock_ms = now_ms,
                        .created_at_ms = now_ms};
    TenantRow row;
    row.assign(record);
    soci::statement st = row_schema::prepared(sql, row_schema::insert_text<TenantRow>("tenants"),
                                              [&](soci::statement& s) { row_schema::use_all(s, row); });
    st.execute(true);
    for (std::string_view kind : storage::ledger_vocabulary::system_account_kinds) {
        auto account = accounts::insert(sql, record.id, kind, "", now_ms);
        if (!account) {
            return account.error();
        }
    }
    return record;
}

Result<TenantRecord> get(soci::session& sql, const std::string& tenant_id) {
    TenantRow row;
    soci::statement st = row_schema::prepared(sql, row_schema::select_text<TenantRow>("tenants") + " WHERE id = :id",
                                              [&](soci::statement& s) {
                                                  row_schema::into_all(s, row);
                                                  s.exchange(soci::use(tenant_id));
                                              });
    if (!st.execute(true)) {
        return Error{engine_error::tenant_not_found, "no such tenant"};
    }
    return row.record();
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
    TenantRow row;
    soci::statement select =
        row_schema::prepared(sql,
                             row_schema::select_text<TenantRow>("tenants") +
                                 " WHERE :none = 1 OR created_at_ms < :c OR (created_at_ms = :c2 AND id < :id) "
                                 "ORDER BY created_at_ms DESC, id DESC LIMIT :n",
                             [&](soci::statement& s) {
                                 row_schema::into_all(s, row);
                                 s.exchange(soci::use(none));
                                 s.exchange(soci::use(after_created));
                                 s.exchange(soci::use(after_created));
                                 s.exchange(soci::use(after_id));
                                 s.exchange(soci::use(max));
                             });
    select.execute();
    while (select.fetch()) out.push_back(row.record());
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
