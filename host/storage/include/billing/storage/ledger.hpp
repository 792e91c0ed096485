// The double-entry ledger (DESIGN §4): every movement of money is a transfer row from a debit
// account to a credit account, and both accounts' balance_minor change in the same transaction.
// Only the tenant's funding account may go negative; every other debit is conditional on the
// balance covering it, so a customer, escrow or revenue balance never drops below zero.
//
// The kinds of transfer and account are the shared ledger vocabulary's
// (billing/storage/ledger_vocabulary.hpp), which the audit checks by: a transfer is posted only
// between accounts of the kinds the vocabulary gives its kind. The rules themselves (floor, cap,
// kinds, amounts) and the values a transfer is made of are ledger_rules.hpp's.
#pragma once

#include <soci/soci.h>

#include <string>
#include <string_view>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/ledger_rules.hpp"
#include "billing/storage/ledger_vocabulary.hpp"
#include "billing/storage/records.hpp"

namespace billing::ledger {

// A system account's external_ref: "@" + its kind. The unique (tenant_id, external_ref) index
// then guarantees exactly one account of each system kind per tenant, and since no customer's
// external_ref may start with '@', a customer can never take one of these names.
inline constexpr char reserved_ref_prefix = '@';
std::string system_ref(std::string_view account_kind);

// The tenant's three system accounts, found by their reserved external_refs; tenant_not_found
// if any is missing.
Result<SystemAccounts> system_accounts(soci::session& sql, const std::string& tenant_id);

// Writes one transfer and updates both balances, the lower account id first: every transaction
// then locks any two accounts in the same order, so two postings never deadlock on PostgreSQL
// or MySQL. Returns the transfer id, or insufficient_funds (a customer debit not covered),
// balance_limit_exceeded (a deposit past the bound of 2^62 on the tenant's deposits in all or
// on the account's balance: the funding account may not go below -2^62, no account above 2^62),
// ledger_violation (an unknown kind, an account not of the kind's account kind, a system account
// that would go negative or overflow) or invalid_request (amount not in 1..amount_minor_max).
// The caller rolls the transaction back on any error, so nothing of a refused transfer stays.
// Inside a group-commit batch (storage/database.hpp) a system account's side is only added to
// the batch's sum for that account, written once before the batch's COMMIT under the same bounds
// (held_balances.hpp); a customer's side is written at once, as here.
Result<std::string> post(soci::session& sql, const Transfer& transfer);

// post() for each transfer, in order, set-based (a sweeper's batch): the accounts are locked in
// ascending id order and read once, every transfer is checked against the balances as they
// would be after the ones before it (the same checks and errors as post()), and then each
// account's balance is written once with the sum of its moves and the transfers are inserted in
// multi-row statements. Any error: nothing is written, and the caller rolls back. lock_suffix is
// the dialect's row lock (storage::Dialect::lock_rows), as for orders::get.
Result<Unit> post_all(soci::session& sql, const std::vector<Transfer>& transfers, const std::string& lock_suffix);

}  // namespace billing::ledger
