// The transfers table's one list of columns (row_schema.hpp): a posting's INSERT, the batch's
// multi-row INSERT and an account's page of transfers are spelled and bound from TransferRow::columns.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/storage/ledger_rules.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::storage {

struct TransferRow {
    std::string id;
    ledger::Transfer t;
    long long amount_minor = 0, created_at_ms = 0;
    // NULL for a transfer of no order (a deposit) or of no event.
    soci::indicator order_ind = soci::i_null, event_ind = soci::i_null;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        visit(Column{"id"}, id);
        visit(Column{"tenant_id"}, t.tenant_id);
        visit(Column{"debit_account_id"}, t.debit_account_id);
        visit(Column{"credit_account_id"}, t.credit_account_id);
        visit(Column{"amount_minor"}, amount_minor);
        visit(Column{"kind"}, t.kind);
        visit(Column{"order_id"}, t.order_id, order_ind);
        visit(Column{"event_id"}, t.event_id, event_ind);
        visit(Column{"created_at_ms"}, created_at_ms);
    }

    void assign(std::string transfer_id, const ledger::Transfer& transfer) {
        id = std::move(transfer_id);
        t = transfer;
        amount_minor = sql_util::to_db(transfer.amount_minor);
        created_at_ms = sql_util::to_db(transfer.created_at_ms);
        order_ind = transfer.order_id.empty() ? soci::i_null : soci::i_ok;
        event_ind = transfer.event_id.empty() ? soci::i_null : soci::i_ok;
    }
    // The transfer this row holds, its NULL order and event as "".
    [[nodiscard]] ledger::Transfer record() const {
        ledger::Transfer out = t;
        out.amount_minor = sql_util::from_db(amount_minor);
        out.created_at_ms = sql_util::from_db(created_at_ms);
        if (order_ind != soci::i_ok) out.order_id.clear();
        if (event_ind != soci::i_ok) out.event_id.clear();
        return out;
    }
};

}  // namespace billing::storage
