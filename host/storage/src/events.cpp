#include "billing/storage/events.hpp"

#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::events {

namespace {

namespace row_schema = storage::row_schema;
using sql_util::to_db;

// The events table's one list of columns.
struct EventColumns {
    EventRow e;
    long long seq = 0, now_ms = 0, created_at_ms = 0;
    int allowed = 0;
    soci::indicator request_ind = soci::i_null;  // NULL: the event had no fields of its own

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        visit(Column{"id"}, e.id);
        visit(Column{"tenant_id"}, e.tenant_id);
        visit(Column{"order_id"}, e.order_id);
        visit(Column{"seq"}, seq);
        visit(Column{"type"}, e.type);
        visit(Column{"timer"}, e.timer);
        visit(Column{"actor"}, e.actor);
        visit(Column{"policy"}, e.policy);
        visit(Column{"now_ms"}, now_ms);
        visit(Column{"allowed"}, allowed);
        visit(Column{"code"}, e.code);
        visit(Column{"decision"}, e.decision_json);
        visit(Column{"created_at_ms"}, created_at_ms);
        visit(Column{"request"}, e.request_json, request_ind);
    }

    void assign(const EventRow& event) {
        e = event;
        seq = to_db(event.seq);
        now_ms = to_db(event.now_ms);
        created_at_ms = to_db(event.created_at_ms);
        allowed = event.allowed ? 1 : 0;
        request_ind = event.request_json.empty() ? soci::i_null : soci::i_ok;
    }
};

struct AppendEvent : storage::CachedStatement {
    EventColumns row;

    AppendEvent(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) { row_schema::use_all(st, row); }));
    }
    void run() { statement().execute(true); }
};

const std::string append_sql = row_schema::insert_text<EventColumns>("events");

}  // namespace

void append(soci::session& sql, const EventRow& e) {
    storage::Prepared<AppendEvent> st(sql, append_sql);
    st->row.assign(e);
    st->run();
}

void append_all(soci::session& sql, const std::vector<EventRow>& events) {
    static const std::vector<std::string> columns = row_schema::name_list<EventColumns>();
    if (bulk_sql::row_by_row(sql)) {
        for (const EventRow& e : events) append(sql, e);
        return;
    }
    EventColumns row;
    bulk_sql::for_each_chunk(events.size(), [&](std::size_t begin, std::size_t end) {
        bulk_sql::Rows rows(columns);
        for (std::size_t i = begin; i < end; ++i) {
            row.assign(events[i]);
            auto values = rows.row();
            row_schema::add_values(values, row, [](const row_schema::Column&) { return true; });
        }
        bulk_sql::insert_rows(sql, "events", rows);
    });
}

}  // namespace billing::events
