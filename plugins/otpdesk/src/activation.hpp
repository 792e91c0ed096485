// Activation: one number for a fixed window (20 minutes by default), unlimited codes from one
// chosen service. Cancel with a full refund from cancel_from until the window ends, while no
// code has arrived; at the window's end a full refund if no code arrived.
#pragma once

#include "billing/sdk/types.hpp"
#include "config.hpp"
#include "order_facts.hpp"

namespace otpdesk {

// Validates a purchase (attributes service and country) and prices it; terms, first state and
// the timer "expire" at now + window.
[[nodiscard]] billing::sdk::Quote quote_activation(const ActivationConfig& config,
                                                   const billing::sdk::PurchaseRequest& request,
                                                   billing::sdk::UtcMs now_ms);

// Decides an event on an activation order by its pinned terms (support refunds and disputes
// also by the tenant's current case rules).
[[nodiscard]] billing::sdk::Decision decide_activation(const billing::sdk::OrderView& order, const OrderFacts& facts,
                                                       const billing::sdk::Event& event,
                                                       const billing::sdk::Context& context, const CaseRules& rules);

}  // namespace otpdesk
