#include "billing/storage/audit_queries.hpp"

#include <algorithm>
#include <array>

#include "billing/storage/ledger_vocabulary.hpp"

namespace billing::audit_queries {

Query make_query(std::string sql) { return Query(std::move(sql)); }

namespace {

namespace vocabulary = storage::ledger_vocabulary;
namespace account_kind = vocabulary::account_kind;
using vocabulary::TransferKind;

// Every query is portable SQL (SQLite, PostgreSQL, MySQL) without ORDER BY or LIMIT: fetch adds them.

// What escrow still holds for an order.
constexpr std::string_view held_sql = "(charged_minor - captured_minor - refunded_from_escrow_minor)";

// held_sql and the order queries name the orders' money columns; the vocabulary must add up to
// exactly these, or an order column would go unchecked against its transfers.
constexpr std::array<std::string_view, 4> order_money_columns = {
    "charged_minor", "captured_minor", "refunded_from_escrow_minor", "refunded_from_revenue_minor"};
constexpr bool vocabulary_covers_order_columns() {
    for (const TransferKind& k : vocabulary::transfer_kinds) {
        if (!k.order_column.empty() && std::find(order_money_columns.begin(), order_money_columns.end(),
                                                 k.order_column) == order_money_columns.end()) {
            return false;
        }
    }
    for (std::string_view column : order_money_columns) {
        if (std::none_of(vocabulary::transfer_kinds.begin(), vocabulary::transfer_kinds.end(),
                         [&](const TransferKind& k) { return k.order_column == column; })) {
            return false;
        }
    }
    return true;
}
static_assert(vocabulary_covers_order_columns(), "the ledger vocabulary and the orders' money columns disagree");

std::string quoted_list(const auto& items, auto project) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        out += "'" + std::string(project(item)) + "'";
    }
    return out;
}

std::string transfer_kind_list() {
    return quoted_list(vocabulary::transfer_kinds, [](const TransferKind& k) { return k.name; });
}

// The transfer kinds that belong to an order (those that add up to one of its columns).
std::string order_transfer_kind_list() {
    std::vector<std::string_view> kinds;
    for (const TransferKind& k : vocabulary::transfer_kinds) {
        if (!k.order_column.empty()) kinds.push_back(k.name);
    }
    return quoted_list(kinds, [](std::string_view kind) { return kind; });
}

std::string account_kind_list() {
    std::vector<std::string_view> kinds{account_kind::customer};
    kinds.insert(kinds.end(), vocabulary::system_account_kinds.begin(), vocabulary::system_account_kinds.end());
    return quoted_list(kinds, [](std::string_view kind) { return kind; });
}

std::string side_column(Side side) { return side == Side::debit ? "debit_account_id" : "credit_account_id"; }

// CASE t.kind WHEN 'deposit' THEN 'funding' ... END: the account kind a transfer's side must have.
std::string expected_side_kind_sql(Side side) {
    std::string out = "CASE t.kind";
    for (const TransferKind& k : vocabulary::transfer_kinds) {
        const std::string_view kind = side == Side::debit ? k.debit_account_kind : k.credit_account_kind;
        out += " WHEN '" + std::string(k.name) + "' THEN '" + std::string(kind) + "'";
    }
    return out + " END";
}

// An order's money column and the transfer kinds that add up to it, in the vocabulary's order.
struct OrderColumn {
    std::string_view column;
    std::vector<std::string_view> kinds;
};

std::vector<OrderColumn> order_columns() {
    std::vector<OrderColumn> out;
    for (const TransferKind& k : vocabulary::transfer_kinds) {
        if (k.order_column.empty()) continue;
        auto column =
            std::find_if(out.begin(), out.end(), [&](const OrderColumn& c) { return c.column == k.order_column; });
        if (column == out.end()) {
            out.push_back({k.order_column, {k.name}});
        } else {
            column->kinds.push_back(k.name);
        }
    }
    return out;
}

// "purchase and charge": how a message names the kinds of one column.
std::string kinds_in_words(const std::vector<std::string_view>& kinds) {
    std::string out;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (i > 0) out += i + 1 == kinds.size() ? " and " : ", ";
        out += kinds[i];
    }
    return out;
}

std::string system_account_count_sql(std::string_view kind) {
    return "SELECT t.id, t.id, NULL, NULL, NULL, NULL, 1, COUNT(a.id) FROM tenants t LEFT JOIN accounts a"
           " ON a.tenant_id = t.id AND a.kind = '" +
           std::string(kind) + "' GROUP BY t.id";
}

}  // namespace

Query missing_system_account(std::string_view kind) {
    return make_query(system_account_count_sql(kind) + " HAVING COUNT(a.id) = 0");
}

Query duplicate_system_account(std::string_view kind) {
    return make_query(system_account_count_sql(kind) + " HAVING COUNT(a.id) > 1");
}

Query unknown_account_kind() {
    return make_query("SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, NULL FROM accounts"
                      " WHERE kind NOT IN (" +
                      account_kind_list() + ")");
}

Query account_unknown_tenant() {
    return make_query("SELECT a.tenant_id, a.id, NULL, NULL, NULL, NULL, NULL, NULL FROM accounts a"
                      " LEFT JOIN tenants t ON t.id = a.tenant_id WHERE t.id IS NULL");
}

Query negative_customer_balance() {
    return make_query("SELECT tenant_id, id, NULL, NULL, NULL, NULL, 0, balance_minor FROM accounts"
                      " WHERE kind = '" +
                      std::string(account_kind::customer) + "' AND balance_minor < 0");
}

// Credits and debits are summed in two grouped passes over transfers, joined to accounts once: a
// correlated subquery per account is pathological on every backend.
Query balance_mismatch() {
    return make_query("SELECT a.tenant_id, a.id, NULL, NULL, NULL, NULL, COALESCE(cr.total, 0) - COALESCE(db.total, 0),"
                      " a.balance_minor FROM accounts a"
                      " LEFT JOIN (SELECT credit_account_id AS account_id, SUM(amount_minor) AS total"
                      " FROM transfers GROUP BY credit_account_id) cr ON cr.account_id = a.id"
                      " LEFT JOIN (SELECT debit_account_id AS account_id, SUM(amount_minor) AS total"
                      " FROM transfers GROUP BY debit_account_id) db ON db.account_id = a.id"
                      " WHERE a.balance_minor <> COALESCE(cr.total, 0) - COALESCE(db.total, 0)");
}

Query tenant_not_zero() {
    return make_query("SELECT tenant_id, tenant_id, NULL, NULL, NULL, NULL, 0, SUM(balance_minor) FROM accounts"
                      " GROUP BY tenant_id HAVING SUM(balance_minor) <> 0");
}

Query escrow_mismatch() {
    return make_query("SELECT a.tenant_id, a.id, NULL, NULL, NULL, NULL, COALESCE(h.held, 0), a.balance_minor"
                      " FROM accounts a LEFT JOIN (SELECT tenant_id, SUM" +
                      std::string(held_sql) +
                      " AS held FROM orders GROUP BY tenant_id) h ON h.tenant_id = a.tenant_id"
                      " WHERE a.kind = '" +
                      std::string(account_kind::escrow) + "' AND a.balance_minor <> COALESCE(h.held, 0)");
}

Query transfer_not_positive() {
    return make_query("SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, amount_minor FROM transfers"
                      " WHERE amount_minor <= 0");
}

Query transfer_unknown_account(Side side) {
    const std::string column = side_column(side);
    return make_query("SELECT t.tenant_id, t.id, t." + column +
                      ", NULL, NULL, NULL, NULL, NULL FROM transfers t"
                      " LEFT JOIN accounts a ON a.id = t." +
                      column + " WHERE a.id IS NULL");
}

Query transfer_crosses_tenants(Side side) {
    const std::string column = side_column(side);
    return make_query("SELECT t.tenant_id, t.id, a.id, NULL, a.tenant_id, NULL, NULL, NULL FROM transfers t"
                      " JOIN accounts a ON a.id = t." +
                      column + " WHERE a.tenant_id <> t.tenant_id");
}

Query unknown_transfer_kind() {
    return make_query("SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, NULL FROM transfers WHERE kind NOT IN (" +
                      transfer_kind_list() + ")");
}

// An unknown transfer kind makes the CASE NULL, so only unknown_transfer_kind returns it.
Query transfer_kind_mismatch(Side side) {
    return make_query(
        "SELECT t.tenant_id, t.id, a.id, NULL, t.kind, a.kind, NULL, NULL FROM transfers t JOIN accounts a"
        " ON a.id = t." +
        side_column(side) + " WHERE a.kind <> " + expected_side_kind_sql(side));
}

Query transfer_missing_order() {
    return make_query("SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, NULL FROM transfers"
                      " WHERE order_id IS NULL AND kind IN (" +
                      order_transfer_kind_list() + ")");
}

Query transfer_unknown_order() {
    return make_query("SELECT t.tenant_id, t.id, t.order_id, NULL, t.kind, NULL, NULL, NULL FROM transfers t"
                      " LEFT JOIN orders o ON o.id = t.order_id AND o.tenant_id = t.tenant_id"
                      " WHERE t.order_id IS NOT NULL AND o.id IS NULL");
}

Query order_account_invalid() {
    return make_query("SELECT o.tenant_id, o.id, o.account_id, NULL, a.kind, a.tenant_id, NULL, NULL FROM orders o"
                      " LEFT JOIN accounts a ON a.id = o.account_id"
                      " WHERE a.id IS NULL OR a.kind <> '" +
                      std::string(account_kind::customer) + "' OR a.tenant_id <> o.tenant_id");
}

Query escrow_negative_for_order() {
    return make_query("SELECT tenant_id, id, NULL, NULL, NULL, NULL, 0, " + std::string(held_sql) +
                      " FROM orders WHERE " + std::string(held_sql) + " < 0");
}

Query refund_exceeds_charge() {
    return make_query("SELECT tenant_id, id, NULL, NULL, NULL, NULL, charged_minor,"
                      " refunded_from_escrow_minor + refunded_from_revenue_minor FROM orders"
                      " WHERE refunded_from_escrow_minor + refunded_from_revenue_minor > charged_minor");
}

Query revenue_refund_exceeds_capture() {
    return make_query("SELECT tenant_id, id, NULL, NULL, NULL, NULL, captured_minor, refunded_from_revenue_minor"
                      " FROM orders WHERE refunded_from_revenue_minor > captured_minor");
}

Query final_order_holds_escrow() {
    return make_query("SELECT tenant_id, id, NULL, NULL, NULL, NULL, 0, " + std::string(held_sql) +
                      " FROM orders WHERE is_final <> 0 AND " + std::string(held_sql) + " > 0");
}

// Every order column against the sum of its transfers, in one grouped pass over transfers: the
// WITH keeps only the orders that disagree somewhere (backends materialise a CTE used more than
// once), then one branch per column returns each disagreeing column with its name as the field.
// One grouped pass over transfers instead of four, one per column.
Query order_transfers_mismatch() {
    const std::vector<OrderColumn> all = order_columns();
    std::string sums, disagree, branches;
    for (const OrderColumn& c : all) {
        const std::string column(c.column), sum = "COALESCE(s." + column + ", 0)";
        const std::string kinds = quoted_list(c.kinds, [](std::string_view kind) { return kind; });
        sums += ", SUM(CASE WHEN kind IN (" + kinds + ") THEN amount_minor ELSE 0 END) AS " + column;
        disagree += std::string(disagree.empty() ? "" : " OR ") + "o." + column + " <> " + sum;
        branches += std::string(branches.empty() ? "" : " UNION ALL ") + "SELECT tenant_id, id, NULL, '" + column +
                    "', '" + kinds_in_words(c.kinds) + "', NULL, sum_" + column + ", " + column + " FROM m WHERE " +
                    column + " <> sum_" + column;
    }
    std::string columns;
    for (const OrderColumn& c : all) {
        const std::string column(c.column);
        columns += ", o." + column + ", COALESCE(s." + column + ", 0) AS sum_" + column;
    }
    return make_query("WITH m AS (SELECT o.tenant_id, o.id" + columns + " FROM orders o LEFT JOIN (SELECT order_id" +
                      sums +
                      " FROM transfers WHERE order_id IS NOT NULL GROUP BY order_id) s ON s.order_id = o.id WHERE " +
                      disagree + ") " + branches);
}

namespace {

std::int64_t count_rows(soci::session& sql, const char* table) {
    long long count = 0;
    sql << "SELECT COUNT(*) FROM " + std::string(table), soci::into(count);
    return static_cast<std::int64_t>(count);
}

std::string text_or_empty(const std::string& value, soci::indicator ind) {
    return ind == soci::i_ok ? value : std::string();
}

std::optional<std::int64_t> number_or_none(long long value, soci::indicator ind) {
    return ind == soci::i_ok ? std::optional<std::int64_t>(static_cast<std::int64_t>(value)) : std::nullopt;
}

}  // namespace

Snapshot::Snapshot(soci::session& sql, storage::Backend backend) : sql_(sql) {
    for (const std::string& statement : storage::Dialect::of(backend).begin_snapshot) {
        sql_ << statement;
    }
}

Snapshot::~Snapshot() {
    try {
        sql_ << "ROLLBACK";
    } catch (...) {
        // A lost connection has ended the transaction already; the pool reconnects.
    }
}

Counts Snapshot::counts() {
    return {count_rows(sql_, "tenants"), count_rows(sql_, "accounts"), count_rows(sql_, "transfers"),
            count_rows(sql_, "orders")};
}

bool Snapshot::fetch(const Query& query, std::uint32_t max, std::vector<Row>& out) {
    std::string tenant_id, subject_id, related_id, field, note_a, note_b;
    long long expected = 0, actual = 0;
    soci::indicator tenant_ind = soci::i_ok, subject_ind = soci::i_ok, related_ind = soci::i_ok, field_ind = soci::i_ok,
                    note_a_ind = soci::i_ok, note_b_ind = soci::i_ok, expected_ind = soci::i_ok,
                    actual_ind = soci::i_ok;
    // One row past the maximum tells whether the list was cut.
    const std::string text = query.sql() + " ORDER BY 1, 2, 3, 4 LIMIT " + std::to_string(std::uint64_t{max} + 1);
    soci::statement st =
        (sql_.prepare << text, soci::into(tenant_id, tenant_ind), soci::into(subject_id, subject_ind),
         soci::into(related_id, related_ind), soci::into(field, field_ind), soci::into(note_a, note_a_ind),
         soci::into(note_b, note_b_ind), soci::into(expected, expected_ind), soci::into(actual, actual_ind));
    st.execute();
    std::uint32_t found = 0;
    while (st.fetch()) {
        if (found == max) return true;
        ++found;
        out.push_back(Row{text_or_empty(tenant_id, tenant_ind), text_or_empty(subject_id, subject_ind),
                          text_or_empty(related_id, related_ind),
                          field_ind == soci::i_ok ? std::optional<std::string>(field) : std::nullopt,
                          text_or_empty(note_a, note_a_ind), text_or_empty(note_b, note_b_ind),
                          number_or_none(expected, expected_ind), number_or_none(actual, actual_ind)});
    }
    // st is destroyed on return, before the snapshot's ROLLBACK: SQLite refuses to end a
    // transaction while a statement is still stepping (the loop may have stopped early).
    return false;
}

}  // namespace billing::audit_queries
