#include "billing/storage/ledger_rules.hpp"

#include "billing/storage/engine_errors.hpp"

namespace billing::ledger {

Breach shape_breach(const Transfer& transfer, const vocabulary::TransferKind*& kind) {
    kind = vocabulary::find_transfer_kind(transfer.kind);
    if (kind == nullptr) return Breach::unknown_kind;
    if (transfer.amount_minor <= 0 || transfer.amount_minor > amount_minor_max) return Breach::amount_out_of_range;
    if (transfer.debit_account_id == transfer.credit_account_id) return Breach::same_account;
    return Breach::none;
}

Breach balance_breach(const Transfer& transfer, const vocabulary::TransferKind& kind, const AccountState* debit,
                      const AccountState* credit) {
    if (debit == nullptr || debit->tenant_id != transfer.tenant_id || debit->kind != kind.debit_account_kind) {
        return Breach::debit_mismatch;
    }
    if (debit->balance_minor < debit_floor(kind.debit_account_kind, transfer.amount_minor)) {
        return Breach::debit_below_floor;
    }
    if (credit == nullptr || credit->tenant_id != transfer.tenant_id || credit->kind != kind.credit_account_kind) {
        return Breach::credit_mismatch;
    }
    if (credit->balance_minor > credit_ceiling(transfer.amount_minor)) return Breach::credit_above_cap;
    return Breach::none;
}

namespace {

// Money enters a tenant's ledger only by deposits, out of its funding account, and every other
// account stays >= 0 while the tenant's balances sum to 0: the funding account's floor
// (-balance_minor_max) bounds every balance of the tenant, so only a deposit can meet a bound.
// Hitting it is the caller's limit, not a ledger fault.
Error deposits_full(const Transfer& t) {
    return Error{engine_error::balance_limit_exceeded, "a deposit of " + std::to_string(t.amount_minor) +
                                                           " would take the tenant's deposits, or the "
                                                           "account's balance, past the ledger's bound of " +
                                                           std::to_string(balance_minor_max) + " minor units (2^62)"};
}

}  // namespace

Error breach_error(Breach breach, const Transfer& t, const vocabulary::TransferKind* kind) {
    const bool deposit = kind != nullptr && kind->debit_account_kind == vocabulary::account_kind::funding;
    switch (breach) {
        case Breach::none:
        case Breach::unknown_kind: break;
        case Breach::amount_out_of_range:
            return Error{engine_error::invalid_request,
                         "a transfer amount must be in 1.." + std::to_string(amount_minor_max)};
        case Breach::same_account:
            return Error{engine_error::ledger_violation, "a transfer needs two different accounts"};
        case Breach::debit_below_floor:
            if (kind->debit_account_kind == vocabulary::account_kind::customer) {
                return Error{engine_error::insufficient_funds,
                             "the balance does not cover " + std::to_string(t.amount_minor)};
            }
            if (deposit) return deposits_full(t);
            [[fallthrough]];
        case Breach::debit_mismatch:
            return Error{engine_error::ledger_violation, "a " + t.kind + " transfer would take its " +
                                                             std::string(kind->debit_account_kind) +
                                                             " account below its floor"};
        case Breach::credit_above_cap:
            // A deposit's customer account was read in the same transaction: here it is full.
            if (deposit) return deposits_full(t);
            [[fallthrough]];
        case Breach::credit_mismatch:
            return Error{engine_error::ledger_violation, "a " + t.kind + " transfer names a missing or full " +
                                                             std::string(kind->credit_account_kind) +
                                                             " credit account"};
    }
    return Error{engine_error::ledger_violation, "transfer kind " + t.kind + " is not in the vocabulary"};
}

}  // namespace billing::ledger
