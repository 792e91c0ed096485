#include "billing/engine/ledger.hpp"

#include <string_view>
#include <vector>

#include "billing/core/ids.hpp"
#include "billing/engine/errors.hpp"
#include "sql_util.hpp"

namespace billing::ledger {

namespace {

using sql_util::to_db;

// A balance may not grow past this: keeps every sum of balances far inside a BIGINT.
constexpr MinorUnits balance_minor_max = MinorUnits{1} << 62;

bool debit_is_customer(std::string_view kind) {
    return kind == transfer_kind::purchase || kind == transfer_kind::charge;
}

Result<Unit> debit(soci::session& sql, const Transfer& t) {
    const long long amount = to_db(t.amount_minor);
    // Only a deposit's funding account is allowed to go negative: it is where money enters.
    const bool may_go_negative = t.kind == transfer_kind::deposit;
    soci::statement update = may_go_negative
        ? (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                          "WHERE id = :id AND tenant_id = :t",
           soci::use(amount), soci::use(t.debit_account_id), soci::use(t.tenant_id))
        : (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                          "WHERE id = :id AND tenant_id = :t AND balance_minor >= :a2",
           soci::use(amount), soci::use(t.debit_account_id), soci::use(t.tenant_id), soci::use(amount));
    if (sql_util::run_counted(update) == 1) {
        return Unit{};
    }
    if (debit_is_customer(t.kind)) {
        return Error{engine_error::insufficient_funds, "the balance does not cover " + std::to_string(t.amount_minor)};
    }
    return Error{engine_error::ledger_violation,
                 "a " + t.kind + " transfer would take the debit account below zero"};
}

Result<Unit> credit(soci::session& sql, const Transfer& t) {
    const long long amount = to_db(t.amount_minor);
    const long long limit = to_db(balance_minor_max - t.amount_minor);
    soci::statement update =
        (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a "
                        "WHERE id = :id AND tenant_id = :t AND balance_minor <= :limit",
         soci::use(amount), soci::use(t.credit_account_id), soci::use(t.tenant_id), soci::use(limit));
    if (sql_util::run_counted(update) == 1) {
        return Unit{};
    }
    return Error{engine_error::ledger_violation, "a " + t.kind + " transfer names a missing or full credit account"};
}

void insert_row(soci::session& sql, const std::string& id, const Transfer& t) {
    const long long amount = to_db(t.amount_minor);
    const long long created = to_db(t.created_at_ms);
    soci::indicator order_ind = t.order_id.empty() ? soci::i_null : soci::i_ok;
    soci::indicator event_ind = t.event_id.empty() ? soci::i_null : soci::i_ok;
    sql << "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, kind, "
           "order_id, event_id, created_at_ms) VALUES (:id, :t, :d, :c, :a, :k, :o, :e, :at)",
        soci::use(id), soci::use(t.tenant_id), soci::use(t.debit_account_id), soci::use(t.credit_account_id),
        soci::use(amount), soci::use(t.kind), soci::use(t.order_id, order_ind), soci::use(t.event_id, event_ind),
        soci::use(created);
}

}  // namespace

Result<SystemAccounts> system_accounts(soci::session& sql, const std::string& tenant_id) {
    std::vector<std::string> ids(4);
    std::vector<std::string> kinds(4);
    sql << "SELECT id, kind FROM accounts WHERE tenant_id = :t AND kind <> :customer",
        soci::into(ids), soci::into(kinds), soci::use(tenant_id), soci::use(std::string(account_kind::customer));
    SystemAccounts found;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (kinds[i] == account_kind::funding) found.funding = ids[i];
        if (kinds[i] == account_kind::escrow) found.escrow = ids[i];
        if (kinds[i] == account_kind::revenue) found.revenue = ids[i];
    }
    if (found.funding.empty() || found.escrow.empty() || found.revenue.empty()) {
        return Error{engine_error::tenant_not_found, "no such tenant (or its system accounts are missing)"};
    }
    return found;
}

Result<std::string> post(soci::session& sql, const Transfer& transfer) {
    if (transfer.amount_minor <= 0 || transfer.amount_minor > amount_minor_max) {
        return Error{engine_error::invalid_request, "a transfer amount must be in 1.." + std::to_string(amount_minor_max)};
    }
    if (transfer.debit_account_id == transfer.credit_account_id) {
        return Error{engine_error::ledger_violation, "a transfer needs two different accounts"};
    }
    if (auto debited = debit(sql, transfer); !debited) {
        return debited.error();
    }
    if (auto credited = credit(sql, transfer); !credited) {
        return credited.error();
    }
    std::string id = new_id("trf");
    insert_row(sql, id, transfer);
    return id;
}

}  // namespace billing::ledger
