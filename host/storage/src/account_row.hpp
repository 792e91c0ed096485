// The accounts table's one list of columns (row_schema.hpp).
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"
#include "row_schema.hpp"
#include "sql_util.hpp"

namespace billing::storage {

struct AccountRow {
    AccountRecord account;
    // external_ref may be NULL in the schema (read as ""); the host always writes one.
    soci::indicator external_ref_ind = soci::i_ok;
    long long balance_minor = 0, created_at_ms = 0;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        constexpr auto once = row_schema::Written::on_insert;
        visit(Column{"id", once}, account.id);
        visit(Column{"tenant_id", once}, account.tenant_id);
        visit(Column{"kind", once}, account.kind);
        visit(Column{"external_ref", once}, account.external_ref, external_ref_ind);
        visit(Column{"balance_minor"}, balance_minor);
        visit(Column{"created_at_ms", once}, created_at_ms);
    }

    void assign(const AccountRecord& record) {
        account = record;
        external_ref_ind = soci::i_ok;
        balance_minor = sql_util::to_db(record.balance_minor);
        created_at_ms = sql_util::to_db(record.created_at_ms);
    }
    // The account this row holds (never fails: Result for the shape every row's record() has).
    [[nodiscard]] Result<AccountRecord> record() const {
        AccountRecord out = account;
        if (external_ref_ind != soci::i_ok) out.external_ref.clear();
        out.balance_minor = sql_util::from_db(balance_minor);
        out.created_at_ms = sql_util::from_db(created_at_ms);
        return out;
    }
};

}  // namespace billing::storage
