#include "billing/storage/events.hpp"

#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
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

void append_all(soci::session& sql, const std::vector<EventRow>& events) {
    using sql_util::to_db;
    static const std::vector<std::string> columns = {"id", "tenant_id", "order_id", "seq", "type", "timer", "actor",
                                                     "policy", "now_ms", "allowed", "code", "decision",
                                                     "created_at_ms", "request"};
    if (bulk_sql::row_by_row(sql)) {
        for (const EventRow& e : events) append(sql, e);
        return;
    }
    bulk_sql::for_each_chunk(events.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Rows rows(columns);
        for (std::size_t i = begin; i < end; ++i) {
            const EventRow& e = events[i];
            rows.row()
                .text(e.id)
                .text(e.tenant_id)
                .text(e.order_id)
                .number(to_db(e.seq))
                .text(e.type)
                .text(e.timer)
                .text(e.actor)
                .text(e.policy)
                .number(to_db(e.now_ms))
                .number(e.allowed ? 1 : 0)
                .text(e.code)
                .text(e.decision_json)
                .number(to_db(e.created_at_ms))
                .text_or_null(e.request_json.empty() ? std::nullopt : std::optional<std::string>(e.request_json));
        }
        bulk_sql::insert_rows(sql, "events", rows);
    });
}

}  // namespace billing::events
