// The double-entry ledger (DESIGN §4): every movement of money is a transfer row from a debit
// account to a credit account, and both accounts' balance_minor change in the same transaction.
// Only the tenant's funding account may go negative; every other debit is conditional on the
// balance covering it, so a customer, escrow or revenue balance never drops below zero.
#pragma once

#include <soci/soci.h>

#include <string>

#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"

namespace billing::ledger {

namespace transfer_kind {
inline constexpr const char* deposit = "deposit";                  // funding -> customer
inline constexpr const char* purchase = "purchase";                // customer -> escrow, with a new order
inline constexpr const char* charge = "charge";                    // customer -> escrow, on an existing order
inline constexpr const char* capture = "capture";                  // escrow -> revenue
inline constexpr const char* refund = "refund";                    // escrow -> customer
inline constexpr const char* refund_captured = "refund_captured";  // revenue -> customer
}  // namespace transfer_kind

struct SystemAccounts {
    std::string funding;
    std::string escrow;
    std::string revenue;
};

// The tenant's three system accounts; tenant_not_found if any is missing.
Result<SystemAccounts> system_accounts(soci::session& sql, const std::string& tenant_id);

struct Transfer {
    std::string tenant_id;
    std::string debit_account_id;
    std::string credit_account_id;
    MinorUnits amount_minor = 0;
    std::string kind;      // transfer_kind::*
    std::string order_id;  // empty: none
    std::string event_id;  // empty: none
    UtcMs created_at_ms = 0;
};

// Writes one transfer and updates both balances. Returns the transfer id, or
// insufficient_funds (a customer debit not covered), ledger_violation (a system account would
// go negative or overflow) or invalid_request (amount not in 1..amount_minor_max). The caller
// rolls the transaction back on any error.
Result<std::string> post(soci::session& sql, const Transfer& transfer);

}  // namespace billing::ledger
