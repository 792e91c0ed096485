#include "billing/engine/events.hpp"

#include "sql_util.hpp"

namespace billing::events {

void append(soci::session& sql, const EventRow& e) {
    const long long seq = sql_util::to_db(e.seq);
    const long long now = sql_util::to_db(e.now_ms);
    const long long created = sql_util::to_db(e.created_at_ms);
    const int allowed = e.allowed ? 1 : 0;
    sql << "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, policy, now_ms, allowed, code, "
           "decision, created_at_ms) VALUES (:id, :t, :o, :seq, :type, :timer, :actor, :pol, :now, :ok, :code, :d, :at)",
        soci::use(e.id), soci::use(e.tenant_id), soci::use(e.order_id), soci::use(seq), soci::use(e.type),
        soci::use(e.timer), soci::use(e.actor), soci::use(e.policy), soci::use(now), soci::use(allowed),
        soci::use(e.code), soci::use(e.decision_json), soci::use(created);
}

}  // namespace billing::events
