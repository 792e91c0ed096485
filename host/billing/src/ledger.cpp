#include "billing/engine/ledger.hpp"

#include <vector>

#include "billing/core/ids.hpp"
#include "billing/engine/errors.hpp"
#include "sql_util.hpp"

namespace billing::ledger {

namespace {

using sql_util::to_db;

// A balance may not grow past this: keeps every sum of balances far inside a BIGINT.
constexpr MinorUnits balance_minor_max = MinorUnits{1} << 62;

Result<Unit> debit(soci::session& sql, const Transfer& t, const vocabulary::TransferKind& kind) {
    const long long amount = to_db(t.amount_minor);
    const std::string account_kind(kind.debit_account_kind);
    // Only the funding account is allowed to go negative (it is where money enters), and only
    // as far as any other account may grow.
    const bool may_go_negative = kind.debit_account_kind == vocabulary::account_kind::funding;
    const long long floor = to_db(may_go_negative ? t.amount_minor - balance_minor_max : t.amount_minor);
    soci::statement update =
        (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor - :a "
                        "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor >= :floor",
         soci::use(amount), soci::use(t.debit_account_id), soci::use(t.tenant_id), soci::use(account_kind),
         soci::use(floor));
    if (sql_util::run_counted(update) == 1) {
        return Unit{};
    }
    if (kind.debit_account_kind == vocabulary::account_kind::customer) {
        return Error{engine_error::insufficient_funds, "the balance does not cover " + std::to_string(t.amount_minor)};
    }
    return Error{engine_error::ledger_violation,
                 "a " + t.kind + " transfer would take its " + account_kind + " account below its floor"};
}

Result<Unit> credit(soci::session& sql, const Transfer& t, const vocabulary::TransferKind& kind) {
    const long long amount = to_db(t.amount_minor);
    const long long limit = to_db(balance_minor_max - t.amount_minor);
    const std::string account_kind(kind.credit_account_kind);
    soci::statement update =
        (sql.prepare << "UPDATE accounts SET balance_minor = balance_minor + :a "
                        "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor <= :limit",
         soci::use(amount), soci::use(t.credit_account_id), soci::use(t.tenant_id), soci::use(account_kind),
         soci::use(limit));
    if (sql_util::run_counted(update) == 1) {
        return Unit{};
    }
    return Error{engine_error::ledger_violation,
                 "a " + t.kind + " transfer names a missing or full " + account_kind + " credit account"};
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

std::string system_ref(std::string_view account_kind) {
    return std::string(1, reserved_ref_prefix) + std::string(account_kind);
}

Result<SystemAccounts> system_accounts(soci::session& sql, const std::string& tenant_id) {
    namespace kinds = vocabulary::account_kind;
    const std::string funding = system_ref(kinds::funding);
    const std::string escrow = system_ref(kinds::escrow);
    const std::string revenue = system_ref(kinds::revenue);
    std::vector<std::string> ids(4), refs(4), found_kinds(4);
    sql << "SELECT id, external_ref, kind FROM accounts WHERE tenant_id = :t AND external_ref IN (:f, :e, :r)",
        soci::into(ids), soci::into(refs), soci::into(found_kinds), soci::use(tenant_id), soci::use(funding),
        soci::use(escrow), soci::use(revenue);
    SystemAccounts found;
    for (std::size_t i = 0; i < ids.size(); ++i) {
        // A reserved name on an account of another kind is corrupt data: not a system account.
        if (refs[i] != system_ref(found_kinds[i])) continue;
        if (refs[i] == funding) found.funding = ids[i];
        if (refs[i] == escrow) found.escrow = ids[i];
        if (refs[i] == revenue) found.revenue = ids[i];
    }
    if (found.funding.empty() || found.escrow.empty() || found.revenue.empty()) {
        return Error{engine_error::tenant_not_found, "no such tenant (or its system accounts are missing)"};
    }
    return found;
}

Result<std::string> post(soci::session& sql, const Transfer& transfer) {
    const vocabulary::TransferKind* kind = vocabulary::find_transfer_kind(transfer.kind);
    if (kind == nullptr) {
        return Error{engine_error::ledger_violation, "transfer kind " + transfer.kind + " is not in the vocabulary"};
    }
    if (transfer.amount_minor <= 0 || transfer.amount_minor > amount_minor_max) {
        return Error{engine_error::invalid_request, "a transfer amount must be in 1.." + std::to_string(amount_minor_max)};
    }
    if (transfer.debit_account_id == transfer.credit_account_id) {
        return Error{engine_error::ledger_violation, "a transfer needs two different accounts"};
    }
    // Lower id first (see ledger.hpp): which side fails first does not matter, since any failure
    // rolls the whole transaction back.
    const bool debit_first = transfer.debit_account_id < transfer.credit_account_id;
    auto first = debit_first ? debit(sql, transfer, *kind) : credit(sql, transfer, *kind);
    if (!first) {
        return first.error();
    }
    auto second = debit_first ? credit(sql, transfer, *kind) : debit(sql, transfer, *kind);
    if (!second) {
        return second.error();
    }
    std::string id = new_id("trf");
    insert_row(sql, id, transfer);
    return id;
}

}  // namespace billing::ledger
