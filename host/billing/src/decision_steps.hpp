// The steps of deciding an event on an order that every path shares (a request's apply, the
// sweeper's per-timer run and its set-based batch): ask the policy, find the order's product,
// and work out the order after an allowed decision.
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

// The order after the decision, version not yet bumped (orders::update does that).
OrderRecord changed_order(OrderRecord order, const sdk::Decision& d, const sdk::ProductInfo& product,
                          const std::string& policy, UtcMs now_ms);

// Whether any move charges the customer (only those need the customer's balance).
bool charges(const std::vector<sdk::MoneyMove>& moves);

// What the moves return to the customer (refunds from escrow and from revenue).
MinorUnits refunded_minor(const std::vector<sdk::MoneyMove>& moves);

}  // namespace billing::decision_steps
