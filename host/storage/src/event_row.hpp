// The events table's one list of columns (row_schema.hpp): the appends, single-row and bulk, and
// an order's event history are spelled and bound from EventColumns::columns.
#pragma once

#include <soci/soci.h>

#include "billing/core/result.hpp"
#include "billing/storage/events.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::storage {

struct EventColumns {
    events::EventRow e;
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

    void assign(const events::EventRow& event) {
        e = event;
        seq = sql_util::to_db(event.seq);
        now_ms = sql_util::to_db(event.now_ms);
        created_at_ms = sql_util::to_db(event.created_at_ms);
        allowed = event.allowed ? 1 : 0;
        request_ind = event.request_json.empty() ? soci::i_null : soci::i_ok;
    }
    // The event this row holds (never fails: Result for the shape every row's record() has).
    [[nodiscard]] Result<events::EventRow> record() const {
        events::EventRow out = e;
        out.seq = sql_util::from_db(seq);
        out.now_ms = sql_util::from_db(now_ms);
        out.created_at_ms = sql_util::from_db(created_at_ms);
        out.allowed = allowed != 0;
        if (request_ind != soci::i_ok) out.request_json.clear();
        return out;
    }
};

}  // namespace billing::storage
