#include "billing/engine/events.hpp"

#include "billing/storage/statement_cache.hpp"
#include "sql_util.hpp"

namespace billing::events {

namespace {

struct AppendEvent : storage::CachedStatement {
    EventRow e;
    long long seq = 0, now = 0, created = 0;
    int allowed = 0;
    soci::indicator request_null = soci::i_null;

    AppendEvent(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(e.id), soci::use(e.tenant_id), soci::use(e.order_id), soci::use(seq),
                 soci::use(e.type), soci::use(e.timer), soci::use(e.actor), soci::use(e.policy), soci::use(now),
                 soci::use(allowed), soci::use(e.code), soci::use(e.decision_json), soci::use(created),
                 soci::use(e.request_json, request_null)));
    }
    void run() { statement().execute(true); }
};

const std::string append_sql =
    "INSERT INTO events (id, tenant_id, order_id, seq, type, timer, actor, policy, now_ms, allowed, code, "
    "decision, created_at_ms, request) VALUES (:id, :t, :o, :seq, :type, :timer, :actor, :pol, :now, :ok, :code, :d, "
    ":at, :req)";

}  // namespace

void append(soci::session& sql, const EventRow& e) {
    storage::Prepared<AppendEvent> st(sql, append_sql);
    st->e = e;
    st->seq = sql_util::to_db(e.seq);
    st->now = sql_util::to_db(e.now_ms);
    st->created = sql_util::to_db(e.created_at_ms);
    st->allowed = e.allowed ? 1 : 0;
    st->request_null = e.request_json.empty() ? soci::i_null : soci::i_ok;
    st->run();
}

}  // namespace billing::events
