// Turns a decision's (or a quote's) money moves into ledger transfers and the order's running
// amounts. Shared by purchase and apply so both write money the same way.
#pragma once

#include <soci/soci.h>

#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/storage/ledger.hpp"
#include "billing/engine/records.hpp"

namespace billing::order_moves {

struct Target {
    const ledger::SystemAccounts& accounts;
    const std::string& event_id;
    UtcMs created_at_ms = 0;
};

// Adds each move to order's charged/captured/refunded amounts (no database).
void add_amounts(const std::vector<sdk::MoneyMove>& moves, OrderRecord& order);

// Posts each move as a transfer between the order's customer and the tenant's system accounts.
// Callers post LAST in their transaction, after the order, its timers and its event: the system
// accounts (escrow above all) are rows every order of a tenant updates, and a row lock taken
// late is held only for the rest of the transaction (see engine.hpp, lock order).
Result<Unit> post(soci::session& sql, const std::vector<sdk::MoneyMove>& moves, const Target& target,
                  const OrderRecord& order);

// The transfers post() would write, without writing them (a sweeper's batch posts many orders'
// transfers together: ledger::post_all). policy_violation for a move of an unknown kind.
Result<std::vector<ledger::Transfer>> transfers_for(const std::vector<sdk::MoneyMove>& moves, const Target& target,
                                                    const OrderRecord& order);

// "otpdesk@1.0.0": what orders and events record as the deciding policy.
std::string policy_label(const sdk::PolicyInfo& info);

// What the policy sees of an order.
sdk::OrderView view_of(const OrderRecord& order);

}  // namespace billing::order_moves
