// The steps of deciding an event on an order that every path shares (a request's apply, the
// sweeper's per-timer run and its set-based batch): ask the policy and find the order's product.
// What an allowed decision writes is write_plan's.
#pragma once

#include <string>
#include <vector>

#include "billing/core/result.hpp"
#include "billing/engine/records.hpp"
#include "billing/plugin/loader.hpp"

namespace billing::decision_steps {

// The policy's decision; a throw is policy_failed (a plugin's failure never escapes).
Result<sdk::Decision> ask_decision(const plugin::PolicyInstance& policy, const OrderRecord& order,
                                   const sdk::Event& event, const sdk::Context& context);

// The product of the order as the serving policy declares it; an order sold by another
// policy (name) is not decided by this one, since its pinned terms mean nothing to it.
Result<const sdk::ProductInfo*> product_of(const plugin::PolicyInstance& policy, const OrderRecord& order);

// Whether any move charges the customer (only those need the customer's balance).
bool charges(const std::vector<sdk::MoneyMove>& moves);

}  // namespace billing::decision_steps
