// The ledger audit's reads (billing/audit/audit.hpp): one query per invariant, over the whole
// database, that returns only the rows violating it, read inside one read-only snapshot. The audit
// owns what a violation means (its code, subject and message); this file owns the SQL.
#pragma once

#include <soci/soci.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "billing/storage/database.hpp"

namespace billing::audit_queries {

// The row every query returns (empty, or nullopt, where a column does not apply). Every query has
// the same shape so that one fetch loop serves all of them.
struct Row {
    std::string tenant_id;
    std::string subject_id;
    std::string related_id;
    std::optional<std::string> field;  // set only by queries that compare several columns
    std::string note_a;                // a free text the message uses: a kind, another tenant's id
    std::string note_b;
    std::optional<std::int64_t> expected;
    std::optional<std::int64_t> actual;
};

// One query's SQL; built only by the functions below.
class Query {
public:
    const std::string& sql() const { return sql_; }

private:
    explicit Query(std::string sql) : sql_(std::move(sql)) {}
    std::string sql_;
    friend Query make_query(std::string sql);
};

// Which side of a transfer a query looks at: debit_account_id or credit_account_id.
enum class Side { debit, credit };

// Tenants: each system account kind exactly once.
Query missing_system_account(std::string_view kind);    // actual: 0
Query duplicate_system_account(std::string_view kind);  // actual: how many

// Accounts.
Query unknown_account_kind();  // note_a: the kind
Query account_unknown_tenant();
Query negative_customer_balance();  // actual: the balance
Query balance_mismatch();           // expected: credits - debits, actual: the balance
Query tenant_not_zero();            // one row per tenant; actual: the sum of its balances
Query escrow_mismatch();            // expected: what the tenant's orders hold

// Transfers.
Query transfer_not_positive();              // note_a: the kind, actual: the amount
Query transfer_unknown_account(Side side);  // related_id: the account named
Query transfer_crosses_tenants(Side side);  // related_id: the account, note_a: its tenant
Query unknown_transfer_kind();              // note_a: the kind
Query transfer_kind_mismatch(Side side);  // related_id: the account, note_a: the transfer's kind, note_b: the account's
Query transfer_missing_order();           // note_a: the kind
Query transfer_unknown_order();           // related_id: the order, note_a: the kind

// Orders.
Query order_account_invalid();           // related_id: the account, note_a: its kind (empty: none), note_b: its tenant
Query escrow_negative_for_order();       // actual: what the order holds
Query refund_exceeds_charge();           // expected: charged, actual: refunded in all
Query revenue_refund_exceeds_capture();  // expected: captured, actual: refunded out of revenue
Query final_order_holds_escrow();        // actual: what the order holds
// Every order money column against the sum of its transfers: field is the column, note_a the
// transfer kinds that add up to it ("purchase and charge"), expected their sum, actual the column.
Query order_transfers_mismatch();

struct Counts {
    std::int64_t tenants = 0;
    std::int64_t accounts = 0;
    std::int64_t transfers = 0;
    std::int64_t orders = 0;
};

// A read transaction in which every query sees the same snapshot of the database, ended (rolled
// back) on every way out so that the pooled session goes back without a transaction.
class Snapshot {
public:
    Snapshot(soci::session& sql, storage::Backend backend);
    ~Snapshot();
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;

    Counts counts();
    // Appends at most max rows of the query, in a stable order, to out; returns whether it found more.
    bool fetch(const Query& query, std::uint32_t max, std::vector<Row>& out);

private:
    soci::session& sql_;
};

}  // namespace billing::audit_queries
