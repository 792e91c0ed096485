#include "billing/storage/events.hpp"

#include "billing/storage/statement_cache.hpp"
#include "bulk_sql.hpp"
#include "event_row.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::events {

namespace {

namespace row_schema = storage::row_schema;
using storage::EventColumns;

struct AppendEvent : storage::CachedStatement {
    EventColumns row;

    AppendEvent(soci::session& sql, const std::string& text) {
        prepare(row_schema::prepared(sql, text, [&](soci::statement& st) { row_schema::use_all(st, row); }));
    }
    void run() { statement().execute(true); }
};

const storage::SqlText append_sql = row_schema::insert_text<EventColumns>("events");

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
            row_schema::add_values(values, row, row_schema::every_column);
        }
        bulk_sql::insert_rows(sql, "events", rows);
    });
}

}  // namespace billing::events
