// Turns a decision's (or a quote's) money moves into ledger transfers and the order's running
// amounts, without a database: the money part of write_plan.
#pragma once

#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"
#include "billing/storage/ledger_rules.hpp"

namespace billing::order_moves {

struct Target {
    const ledger::SystemAccounts& accounts;
    const std::string& event_id;
    UtcMs created_at_ms = 0;
};

// Adds each move to order's charged/captured/refunded amounts (no database).
void add_amounts(const std::vector<sdk::MoneyMove>& moves, OrderRecord& order);

// The moves as transfers between the order's customer and the tenant's system accounts, in the
// order of the moves. policy_violation for a move of an unknown kind.
Result<std::vector<ledger::Transfer>> transfers_for(const std::vector<sdk::MoneyMove>& moves, const Target& target,
                                                    const OrderRecord& order);

// "otpdesk@1.0.0": what orders and events record as the deciding policy.
std::string policy_label(const sdk::PolicyInfo& info);

// What the policy sees of an order.
sdk::OrderView view_of(const OrderRecord& order);

}  // namespace billing::order_moves
