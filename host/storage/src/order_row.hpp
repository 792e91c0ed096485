// The orders table's one list of columns (row_schema.hpp): every statement on orders, single-row
// and bulk, is spelled and bound from OrderRow::columns.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/core/result.hpp"
#include "billing/storage/records.hpp"
#include "row_schema.hpp"

namespace billing::storage {

// An order as its columns hold it: BIGINTs as long long, JSON columns as their text.
struct OrderRow {
    std::string id, tenant_id, account_id, product, state;
    std::string attributes, terms;
    // The JSON columns are never NULL in the table; i_null marks one a bulk UPDATE leaves as it is.
    soci::indicator attributes_ind = soci::i_ok, terms_ind = soci::i_ok;
    long long price_minor = 0, charged_minor = 0, captured_minor = 0;
    long long refunded_from_escrow_minor = 0, refunded_from_revenue_minor = 0;
    std::string outcome, policy;
    int is_final = 0;
    long long version = 0, created_at_ms = 0, updated_at_ms = 0, closed_at_ms = 0;
    soci::indicator closed_ind = soci::i_null;

    template <class Visit>
    void columns(Visit&& visit) {
        using row_schema::Column;
        constexpr auto once = row_schema::Written::on_insert;
        visit(Column{"id", once}, id);
        visit(Column{"tenant_id", once}, tenant_id);
        visit(Column{"account_id", once}, account_id);
        visit(Column{"product", once}, product);
        visit(Column{"state"}, state);
        visit(Column{"attributes"}, attributes, attributes_ind);
        visit(Column{"terms"}, terms, terms_ind);
        visit(Column{"price_minor", once}, price_minor);
        visit(Column{"charged_minor"}, charged_minor);
        visit(Column{"captured_minor"}, captured_minor);
        visit(Column{"refunded_from_escrow_minor"}, refunded_from_escrow_minor);
        visit(Column{"refunded_from_revenue_minor"}, refunded_from_revenue_minor);
        visit(Column{"outcome"}, outcome);
        visit(Column{"policy"}, policy);
        visit(Column{"is_final"}, is_final);
        visit(Column{"version"}, version);
        visit(Column{"created_at_ms", once}, created_at_ms);
        visit(Column{"updated_at_ms"}, updated_at_ms);
        visit(Column{"closed_at_ms"}, closed_at_ms, closed_ind);
    }

    // Every column of order, its attributes and terms encoded as JSON; a JSON column not wanted
    // is left unencoded and NULL (a bulk UPDATE then keeps the stored one).
    void assign(const OrderRecord& order, bool with_attributes = true, bool with_terms = true);
    // The order this row holds; storage_error::failed when its JSON columns do not decode.
    [[nodiscard]] Result<OrderRecord> record() const;
};

}  // namespace billing::storage
