#include "billing/engine/timers.hpp"

#include "sql_util.hpp"

namespace billing::timers {

using sql_util::from_db;
using sql_util::to_db;

void upsert(soci::session& sql, const TimerRow& t) {
    const long long due = to_db(t.due_at_ms);
    // UPDATE then INSERT instead of ON CONFLICT/ON DUPLICATE KEY, which differ per backend; the
    // order row is locked by the caller, so no one else inserts this (order_id, name) meanwhile.
    soci::statement moved =
        (sql.prepare << "UPDATE timers SET due_at_ms = :due, tenant_id = :t, lease_owner = NULL, lease_until_ms = 0 "
                        "WHERE order_id = :o AND name = :n",
         soci::use(due), soci::use(t.tenant_id), soci::use(t.order_id), soci::use(t.name));
    if (sql_util::run_counted(moved) == 1) {
        return;
    }
    sql << "INSERT INTO timers (order_id, name, tenant_id, due_at_ms, lease_owner, lease_until_ms) "
           "VALUES (:o, :n, :t, :due, NULL, 0)",
        soci::use(t.order_id), soci::use(t.name), soci::use(t.tenant_id), soci::use(due);
}

void drop(soci::session& sql, const std::string& order_id, const std::string& name) {
    sql << "DELETE FROM timers WHERE order_id = :o AND name = :n", soci::use(order_id), soci::use(name);
}

bool remove_leased(soci::session& sql, const std::string& order_id, const std::string& name,
                   const std::string& owner) {
    soci::statement removed = (sql.prepare << "DELETE FROM timers WHERE order_id = :o AND name = :n AND lease_owner = :w",
                               soci::use(order_id), soci::use(name), soci::use(owner));
    return sql_util::run_counted(removed) == 1;
}

std::vector<TimerRow> due_candidates(soci::session& sql, UtcMs now_ms, std::size_t batch_max) {
    if (batch_max == 0) {
        return {};
    }
    std::vector<std::string> orders(batch_max), names(batch_max), tenants(batch_max);
    std::vector<long long> dues(batch_max);
    const long long now = to_db(now_ms);
    const long long limit = to_db(static_cast<std::int64_t>(batch_max));
    sql << "SELECT order_id, name, tenant_id, due_at_ms FROM timers WHERE due_at_ms <= :now AND lease_until_ms <= :now2 "
           "ORDER BY due_at_ms, order_id, name LIMIT :limit",
        soci::into(orders), soci::into(names), soci::into(tenants), soci::into(dues), soci::use(now), soci::use(now),
        soci::use(limit);
    std::vector<TimerRow> rows;
    rows.reserve(orders.size());
    for (std::size_t i = 0; i < orders.size(); ++i) {
        rows.push_back(TimerRow{orders[i], names[i], tenants[i], from_db(dues[i])});
    }
    return rows;
}

std::optional<TimerRow> next_due_for_tenant(soci::session& sql, const std::string& tenant_id, UtcMs up_to_ms,
                                            UtcMs lease_now_ms) {
    TimerRow row;
    long long due = 0;
    const long long up_to = to_db(up_to_ms);
    const long long lease_now = to_db(lease_now_ms);
    sql << "SELECT order_id, name, tenant_id, due_at_ms FROM timers WHERE tenant_id = :t AND due_at_ms <= :up_to "
           "AND lease_until_ms <= :lease_now ORDER BY due_at_ms, order_id, name LIMIT 1",
        soci::into(row.order_id), soci::into(row.name), soci::into(row.tenant_id), soci::into(due),
        soci::use(tenant_id), soci::use(up_to), soci::use(lease_now);
    if (!sql.got_data()) {
        return std::nullopt;
    }
    row.due_at_ms = from_db(due);
    return row;
}

bool claim(soci::session& sql, const TimerRow& t, const std::string& owner, UtcMs now_ms, UtcMs lease_until_ms) {
    const long long now = to_db(now_ms);
    const long long until = to_db(lease_until_ms);
    soci::statement claimed =
        (sql.prepare << "UPDATE timers SET lease_owner = :w, lease_until_ms = :until "
                        "WHERE order_id = :o AND name = :n AND lease_until_ms <= :now",
         soci::use(owner), soci::use(until), soci::use(t.order_id), soci::use(t.name), soci::use(now));
    return sql_util::run_counted(claimed) == 1;
}

}  // namespace billing::timers
