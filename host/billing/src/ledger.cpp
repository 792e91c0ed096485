#include "billing/engine/ledger.hpp"

#include <vector>

#include "billing/core/ids.hpp"
#include "billing/engine/errors.hpp"
#include "billing/storage/statement_cache.hpp"
#include "sql_util.hpp"

namespace billing::ledger {

namespace {

using sql_util::to_db;

// A balance may not grow past this: keeps every sum of balances far inside a BIGINT.
constexpr MinorUnits balance_minor_max = MinorUnits{1} << 62;

// The three statements of a posting, prepared once per session (statement_cache.hpp).
struct MoveBalance : storage::CachedStatement {
    long long amount = 0, bound = 0;
    std::string account_id, tenant_id, account_kind;

    MoveBalance(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(amount), soci::use(account_id), soci::use(tenant_id),
                 soci::use(account_kind), soci::use(bound)));
    }
    bool moved() { return run_counted() == 1; }
};

const std::string debit_sql =
    "UPDATE accounts SET balance_minor = balance_minor - :a "
    "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor >= :floor";
const std::string credit_sql =
    "UPDATE accounts SET balance_minor = balance_minor + :a "
    "WHERE id = :id AND tenant_id = :t AND kind = :k AND balance_minor <= :limit";

struct InsertTransfer : storage::CachedStatement {
    std::string id, tenant_id, debit_id, credit_id, kind, order_id, event_id;
    long long amount = 0, created = 0;
    soci::indicator order_ind = soci::i_null, event_ind = soci::i_null;

    InsertTransfer(soci::session& sql, const std::string& text) {
        prepare((sql.prepare << text, soci::use(id), soci::use(tenant_id), soci::use(debit_id), soci::use(credit_id),
                 soci::use(amount), soci::use(kind), soci::use(order_id, order_ind), soci::use(event_id, event_ind),
                 soci::use(created)));
    }
    void run() { statement().execute(true); }
};

const std::string insert_transfer_sql =
    "INSERT INTO transfers (id, tenant_id, debit_account_id, credit_account_id, amount_minor, kind, "
    "order_id, event_id, created_at_ms) VALUES (:id, :t, :d, :c, :a, :k, :o, :e, :at)";

Result<Unit> debit(soci::session& sql, const Transfer& t, const vocabulary::TransferKind& kind) {
    storage::Prepared<MoveBalance> update(sql, debit_sql);
    update->amount = to_db(t.amount_minor);
    update->account_id = t.debit_account_id;
    update->tenant_id = t.tenant_id;
    update->account_kind = std::string(kind.debit_account_kind);
    // Only the funding account is allowed to go negative (it is where money enters), and only
    // as far as any other account may grow.
    const bool may_go_negative = kind.debit_account_kind == vocabulary::account_kind::funding;
    update->bound = to_db(may_go_negative ? t.amount_minor - balance_minor_max : t.amount_minor);
    if (update->moved()) {
        return Unit{};
    }
    if (kind.debit_account_kind == vocabulary::account_kind::customer) {
        return Error{engine_error::insufficient_funds, "the balance does not cover " + std::to_string(t.amount_minor)};
    }
    return Error{engine_error::ledger_violation, "a " + t.kind + " transfer would take its " +
                                                     std::string(kind.debit_account_kind) + " account below its floor"};
}

Result<Unit> credit(soci::session& sql, const Transfer& t, const vocabulary::TransferKind& kind) {
    storage::Prepared<MoveBalance> update(sql, credit_sql);
    update->amount = to_db(t.amount_minor);
    update->account_id = t.credit_account_id;
    update->tenant_id = t.tenant_id;
    update->account_kind = std::string(kind.credit_account_kind);
    update->bound = to_db(balance_minor_max - t.amount_minor);
    if (update->moved()) {
        return Unit{};
    }
    return Error{engine_error::ledger_violation, "a " + t.kind + " transfer names a missing or full " +
                                                     std::string(kind.credit_account_kind) + " credit account"};
}

void insert_row(soci::session& sql, const std::string& id, const Transfer& t) {
    storage::Prepared<InsertTransfer> insert(sql, insert_transfer_sql);
    insert->id = id;
    insert->tenant_id = t.tenant_id;
    insert->debit_id = t.debit_account_id;
    insert->credit_id = t.credit_account_id;
    insert->amount = to_db(t.amount_minor);
    insert->kind = t.kind;
    insert->order_id = t.order_id;
    insert->event_id = t.event_id;
    insert->order_ind = t.order_id.empty() ? soci::i_null : soci::i_ok;
    insert->event_ind = t.event_id.empty() ? soci::i_null : soci::i_ok;
    insert->created = to_db(t.created_at_ms);
    insert->run();
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
