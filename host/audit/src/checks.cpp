#include "checks.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "billing/storage/ledger_vocabulary.hpp"

namespace billing::audit::detail {

namespace {

namespace vocabulary = storage::ledger_vocabulary;
namespace account_kind = vocabulary::account_kind;
using vocabulary::TransferKind;

// What escrow still holds for an order.
constexpr std::string_view held_sql = "(charged_minor - captured_minor - refunded_from_escrow_minor)";

// held_sql and the order checks name the orders' money columns; the vocabulary must add up to
// exactly these, or an order column would go unchecked against its transfers.
constexpr std::array<std::string_view, 4> order_money_columns = {
    "charged_minor", "captured_minor", "refunded_from_escrow_minor", "refunded_from_revenue_minor"};
constexpr bool vocabulary_covers_order_columns() {
    for (const TransferKind& k : vocabulary::transfer_kinds) {
        if (!k.order_column.empty() &&
            std::find(order_money_columns.begin(), order_money_columns.end(), k.order_column) ==
                order_money_columns.end()) {
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

std::string_view side_kind(const TransferKind& kind, bool debit) {
    return debit ? kind.debit_account_kind : kind.credit_account_kind;
}

// CASE t.kind WHEN 'deposit' THEN 'funding' ... END: the account kind a transfer's side must have.
std::string expected_side_kind_sql(bool debit) {
    std::string out = "CASE t.kind";
    for (const TransferKind& k : vocabulary::transfer_kinds) {
        out += " WHEN '" + std::string(k.name) + "' THEN '" + std::string(side_kind(k, debit)) + "'";
    }
    return out + " END";
}

std::string_view expected_side_kind(std::string_view kind, bool debit) {
    const TransferKind* found = vocabulary::find_transfer_kind(kind);
    return found != nullptr ? side_kind(*found, debit) : std::string_view("?");
}

std::string n(const std::optional<std::int64_t>& value) {
    return value ? std::to_string(*value) : std::string("NULL");
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

// Every order column against the sum of its transfers, in one grouped pass over transfers: the
// WITH keeps only the orders that disagree somewhere (backends materialise a CTE used more than
// once), then one branch per column reports each disagreeing column with its name as the field.
// One grouped pass over transfers instead of four, one per column.
Check order_transfers_check() {
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
    std::string sql = "WITH m AS (SELECT o.tenant_id, o.id" + columns +
                      " FROM orders o LEFT JOIN (SELECT order_id" + sums +
                      " FROM transfers WHERE order_id IS NOT NULL GROUP BY order_id) s ON s.order_id = o.id WHERE " +
                      disagree + ") " + branches;
    return {invariant::order_transfers_mismatch, Subject::order, "", std::move(sql),
            [](const Check&, const CheckRow& r) {
                return "order " + r.subject_id + " has " + r.field + " = " + n(r.actual) + " but its " + r.note_a +
                       " transfers sum to " + n(r.expected);
            }};
}

void add_system_account_checks(std::vector<Check>& out) {
    for (std::string_view kind : vocabulary::system_account_kinds) {
        const std::string count_sql =
            "SELECT t.id, t.id, NULL, NULL, NULL, NULL, 1, COUNT(a.id) FROM tenants t LEFT JOIN accounts a"
            " ON a.tenant_id = t.id AND a.kind = '" + std::string(kind) + "' GROUP BY t.id";
        out.push_back({invariant::missing_system_account, Subject::tenant, std::string(kind),
                       count_sql + " HAVING COUNT(a.id) = 0", [](const Check& c, const CheckRow& r) {
                           return "tenant " + r.tenant_id + " has no " + c.field + " account";
                       }});
        out.push_back({invariant::duplicate_system_account, Subject::tenant, std::string(kind),
                       count_sql + " HAVING COUNT(a.id) > 1", [](const Check& c, const CheckRow& r) {
                           return "tenant " + r.tenant_id + " has " + n(r.actual) + " " + c.field +
                                  " accounts, expected exactly 1";
                       }});
    }
}

void add_account_checks(std::vector<Check>& out) {
    out.push_back({invariant::unknown_account_kind, Subject::account, "kind",
                   "SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, NULL FROM accounts"
                   " WHERE kind NOT IN (" + account_kind_list() + ")",
                   [](const Check&, const CheckRow& r) {
                       return "account " + r.subject_id + " has the unknown kind '" + r.note_a + "'";
                   }});
    out.push_back({invariant::account_unknown_tenant, Subject::account, "tenant_id",
                   "SELECT a.tenant_id, a.id, NULL, NULL, NULL, NULL, NULL, NULL FROM accounts a"
                   " LEFT JOIN tenants t ON t.id = a.tenant_id WHERE t.id IS NULL",
                   [](const Check&, const CheckRow& r) {
                       return "account " + r.subject_id + " belongs to tenant " + r.tenant_id +
                              ", which does not exist";
                   }});
    out.push_back({invariant::negative_customer_balance, Subject::account, "balance_minor",
                   "SELECT tenant_id, id, NULL, NULL, NULL, NULL, 0, balance_minor FROM accounts"
                   " WHERE kind = '" + std::string(account_kind::customer) + "' AND balance_minor < 0",
                   [](const Check&, const CheckRow& r) {
                       return "customer account " + r.subject_id + " has the negative balance " + n(r.actual);
                   }});
    // Credits and debits are summed in two grouped passes over transfers, joined to accounts
    // once: a correlated subquery per account is pathological on every backend.
    out.push_back({invariant::balance_mismatch, Subject::account, "balance_minor",
                   "SELECT a.tenant_id, a.id, NULL, NULL, NULL, NULL, COALESCE(cr.total, 0) - COALESCE(db.total, 0),"
                   " a.balance_minor FROM accounts a"
                   " LEFT JOIN (SELECT credit_account_id AS account_id, SUM(amount_minor) AS total"
                   " FROM transfers GROUP BY credit_account_id) cr ON cr.account_id = a.id"
                   " LEFT JOIN (SELECT debit_account_id AS account_id, SUM(amount_minor) AS total"
                   " FROM transfers GROUP BY debit_account_id) db ON db.account_id = a.id"
                   " WHERE a.balance_minor <> COALESCE(cr.total, 0) - COALESCE(db.total, 0)",
                   [](const Check&, const CheckRow& r) {
                       return "account " + r.subject_id + " has the balance " + n(r.actual) +
                              " but its transfers (credits - debits) sum to " + n(r.expected);
                   }});
    out.push_back({invariant::tenant_not_zero, Subject::tenant, "balance_minor",
                   "SELECT tenant_id, tenant_id, NULL, NULL, NULL, NULL, 0, SUM(balance_minor) FROM accounts"
                   " GROUP BY tenant_id HAVING SUM(balance_minor) <> 0",
                   [](const Check&, const CheckRow& r) {
                       return "the balances of tenant " + r.tenant_id + " sum to " + n(r.actual) + ", not 0";
                   }});
    out.push_back({invariant::escrow_mismatch, Subject::account, "balance_minor",
                   "SELECT a.tenant_id, a.id, NULL, NULL, NULL, NULL, COALESCE(h.held, 0), a.balance_minor"
                   " FROM accounts a LEFT JOIN (SELECT tenant_id, SUM" + std::string(held_sql) +
                       " AS held FROM orders GROUP BY tenant_id) h ON h.tenant_id = a.tenant_id"
                       " WHERE a.kind = '" + std::string(account_kind::escrow) +
                       "' AND a.balance_minor <> COALESCE(h.held, 0)",
                   [](const Check&, const CheckRow& r) {
                       return "escrow account " + r.subject_id + " of tenant " + r.tenant_id + " holds " +
                              n(r.actual) + " but the tenant's orders hold " + n(r.expected);
                   }});
}

void add_transfer_checks(std::vector<Check>& out) {
    out.push_back({invariant::transfer_not_positive, Subject::transfer, "amount_minor",
                   "SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, amount_minor FROM transfers"
                   " WHERE amount_minor <= 0",
                   [](const Check&, const CheckRow& r) {
                       return r.note_a + " transfer " + r.subject_id + " has the amount " + n(r.actual) +
                              "; every amount must be > 0";
                   }});
    for (const bool debit : {true, false}) {
        const std::string side = debit ? "debit_account_id" : "credit_account_id";
        out.push_back({invariant::transfer_unknown_account, Subject::transfer, side,
                       "SELECT t.tenant_id, t.id, t." + side + ", NULL, NULL, NULL, NULL, NULL FROM transfers t"
                       " LEFT JOIN accounts a ON a.id = t." + side + " WHERE a.id IS NULL",
                       [](const Check& c, const CheckRow& r) {
                           return "transfer " + r.subject_id + " names the unknown account " + r.related_id +
                                  " as its " + c.field;
                       }});
        out.push_back({invariant::transfer_crosses_tenants, Subject::transfer, side,
                       "SELECT t.tenant_id, t.id, a.id, NULL, a.tenant_id, NULL, NULL, NULL FROM transfers t"
                       " JOIN accounts a ON a.id = t." + side + " WHERE a.tenant_id <> t.tenant_id",
                       [](const Check& c, const CheckRow& r) {
                           return "transfer " + r.subject_id + " of tenant " + r.tenant_id + " has as its " +
                                  c.field + " account " + r.related_id + " of tenant " + r.note_a;
                       }});
    }
    out.push_back({invariant::unknown_transfer_kind, Subject::transfer, "kind",
                   "SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, NULL FROM transfers WHERE kind NOT IN (" +
                       transfer_kind_list() + ")",
                   [](const Check&, const CheckRow& r) {
                       return "transfer " + r.subject_id + " has the unknown kind '" + r.note_a + "'";
                   }});
    for (const bool debit : {true, false}) {
        const std::string side = debit ? "debit_account_id" : "credit_account_id";
        // An unknown transfer kind makes the CASE NULL, so only unknown_transfer_kind reports it.
        out.push_back(
            {invariant::transfer_kind_mismatch, Subject::transfer, side,
             "SELECT t.tenant_id, t.id, a.id, NULL, t.kind, a.kind, NULL, NULL FROM transfers t JOIN accounts a"
             " ON a.id = t." + side + " WHERE a.kind <> " + expected_side_kind_sql(debit),
             debit ? +[](const Check&, const CheckRow& r) {
                 return r.note_a + " transfer " + r.subject_id + " debits the " + r.note_b + " account " +
                        r.related_id + "; a " + r.note_a + " debits an account of kind " +
                        std::string(expected_side_kind(r.note_a, true)) + " account";
             }
                   : +[](const Check&, const CheckRow& r) {
                         return r.note_a + " transfer " + r.subject_id + " credits the " + r.note_b + " account " +
                                r.related_id + "; a " + r.note_a + " credits an account of kind " +
                                std::string(expected_side_kind(r.note_a, false)) + " account";
                     }});
    }
    out.push_back({invariant::transfer_missing_order, Subject::transfer, "order_id",
                   "SELECT tenant_id, id, NULL, NULL, kind, NULL, NULL, NULL FROM transfers"
                   " WHERE order_id IS NULL AND kind IN (" + order_transfer_kind_list() + ")",
                   [](const Check&, const CheckRow& r) {
                       return r.note_a + " transfer " + r.subject_id + " names no order";
                   }});
    out.push_back({invariant::transfer_unknown_order, Subject::transfer, "order_id",
                   "SELECT t.tenant_id, t.id, t.order_id, NULL, t.kind, NULL, NULL, NULL FROM transfers t"
                   " LEFT JOIN orders o ON o.id = t.order_id AND o.tenant_id = t.tenant_id"
                   " WHERE t.order_id IS NOT NULL AND o.id IS NULL",
                   [](const Check&, const CheckRow& r) {
                       return r.note_a + " transfer " + r.subject_id + " names the order " + r.related_id +
                              ", which tenant " + r.tenant_id + " does not have";
                   }});
}

void add_order_checks(std::vector<Check>& out) {
    out.push_back({invariant::order_account_invalid, Subject::order, "account_id",
                   "SELECT o.tenant_id, o.id, o.account_id, NULL, a.kind, a.tenant_id, NULL, NULL FROM orders o"
                   " LEFT JOIN accounts a ON a.id = o.account_id"
                   " WHERE a.id IS NULL OR a.kind <> '" + std::string(account_kind::customer) +
                       "' OR a.tenant_id <> o.tenant_id",
                   [](const Check&, const CheckRow& r) {
                       if (r.note_a.empty()) {
                           return "order " + r.subject_id + " belongs to the unknown account " + r.related_id;
                       }
                       return "order " + r.subject_id + " of tenant " + r.tenant_id + " belongs to the " +
                              r.note_a + " account " + r.related_id + " of tenant " + r.note_b +
                              "; expected a customer account of its own tenant";
                   }});
    out.push_back({invariant::escrow_negative_for_order, Subject::order, "held_minor",
                   "SELECT tenant_id, id, NULL, NULL, NULL, NULL, 0, " + std::string(held_sql) + " FROM orders WHERE " +
                       std::string(held_sql) + " < 0",
                   [](const Check&, const CheckRow& r) {
                       return "order " + r.subject_id + " holds " + n(r.actual) +
                              " in escrow (charged - captured - refunded_from_escrow); must be >= 0";
                   }});
    out.push_back({invariant::refund_exceeds_charge, Subject::order, "refunded_minor",
                   "SELECT tenant_id, id, NULL, NULL, NULL, NULL, charged_minor,"
                   " refunded_from_escrow_minor + refunded_from_revenue_minor FROM orders"
                   " WHERE refunded_from_escrow_minor + refunded_from_revenue_minor > charged_minor",
                   [](const Check&, const CheckRow& r) {
                       return "order " + r.subject_id + " refunded " + n(r.actual) + " in all but was charged only " +
                              n(r.expected);
                   }});
    out.push_back({invariant::revenue_refund_exceeds_capture, Subject::order, "refunded_from_revenue_minor",
                   "SELECT tenant_id, id, NULL, NULL, NULL, NULL, captured_minor, refunded_from_revenue_minor"
                   " FROM orders WHERE refunded_from_revenue_minor > captured_minor",
                   [](const Check&, const CheckRow& r) {
                       return "order " + r.subject_id + " refunded " + n(r.actual) +
                              " out of revenue but captured only " + n(r.expected);
                   }});
    // DESIGN §4: escrow equals what *open* orders hold, so a final order holds nothing. A
    // negative hold is escrow_negative_for_order's to report.
    out.push_back({invariant::final_order_holds_escrow, Subject::order, "held_minor",
                   "SELECT tenant_id, id, NULL, NULL, NULL, NULL, 0, " + std::string(held_sql) +
                       " FROM orders WHERE is_final <> 0 AND " + std::string(held_sql) + " > 0",
                   [](const Check&, const CheckRow& r) {
                       return "final order " + r.subject_id + " still holds " + n(r.actual) + " in escrow";
                   }});
    out.push_back(order_transfers_check());
}

}  // namespace

const std::vector<Check>& checks() {
    static const std::vector<Check> list = [] {
        std::vector<Check> out;
        add_system_account_checks(out);
        add_account_checks(out);
        add_transfer_checks(out);
        add_order_checks(out);
        return out;
    }();
    return list;
}

}  // namespace billing::audit::detail
