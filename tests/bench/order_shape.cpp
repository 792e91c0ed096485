#include "order_shape.hpp"

#include "bench_env.hpp"

namespace billing::bench {

OrderShape read_order_shape(soci::session& sql, const std::string& order_id) {
    OrderShape s;
    long long created = 0;
    sql << "SELECT product, state, attributes, terms, outcome, policy, price_minor, is_final, version, created_at_ms "
           "FROM orders WHERE id = :id",
        soci::into(s.product), soci::into(s.state), soci::into(s.attributes_json), soci::into(s.terms_json),
        soci::into(s.outcome), soci::into(s.policy), soci::into(s.price_minor), soci::into(s.is_final),
        soci::into(s.version), soci::into(created), soci::use(order_id);
    if (!sql.got_data()) fail("template order " + order_id + " not found");

    long long transfers = 0, timers = 0, events = 0;
    sql << "SELECT COUNT(*) FROM transfers WHERE order_id = :id", soci::into(transfers), soci::use(order_id);
    sql << "SELECT COUNT(*) FROM timers WHERE order_id = :id", soci::into(timers), soci::use(order_id);
    sql << "SELECT COUNT(*) FROM events WHERE order_id = :id", soci::into(events), soci::use(order_id);
    if (transfers != 1 || timers != 1 || events != 1) {
        fail("a purchase no longer writes 1 transfer, 1 timer and 1 event: the floors must be updated");
    }
    sql << "SELECT kind FROM transfers WHERE order_id = :id", soci::into(s.transfer_kind), soci::use(order_id);
    long long due = 0;
    sql << "SELECT name, due_at_ms FROM timers WHERE order_id = :id", soci::into(s.timer_name), soci::into(due),
        soci::use(order_id);
    s.timer_offset_ms = due - created;
    sql << "SELECT type, timer, actor, policy, code, decision FROM events WHERE order_id = :id",
        soci::into(s.event_type), soci::into(s.event_timer), soci::into(s.event_actor), soci::into(s.event_policy),
        soci::into(s.event_code), soci::into(s.decision_json), soci::use(order_id);
    return s;
}

EventShape read_event_shape(soci::session& sql, const std::string& order_id, long long seq) {
    EventShape e;
    sql << "SELECT type, timer, actor, policy, code, decision FROM events WHERE order_id = :id AND seq = :seq",
        soci::into(e.type), soci::into(e.timer), soci::into(e.actor), soci::into(e.policy), soci::into(e.code),
        soci::into(e.decision_json), soci::use(order_id), soci::use(seq);
    if (!sql.got_data()) fail("no event " + std::to_string(seq) + " on order " + order_id);
    sql << "SELECT state, outcome FROM orders WHERE id = :id", soci::into(e.order_state), soci::into(e.order_outcome),
        soci::use(order_id);
    return e;
}

}  // namespace billing::bench
