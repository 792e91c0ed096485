// Rental: one number for 24 h to 8 weeks (by default), codes from any service. Cancel with a
// full refund only within the first cancel window (20 minutes by default), code or not; the
// charge is captured when that window ends.
#pragma once

#include "billing/sdk/types.hpp"
#include "config.hpp"
#include "order_facts.hpp"

namespace otpdesk {

// Validates a purchase (number duration_hours) and prices it; terms, first state and the
// timers "capture" at now + cancel window and "end" at now + duration.
[[nodiscard]] billing::sdk::Quote quote_rental(const RentalConfig& config, const billing::sdk::PurchaseRequest& request,
                                               billing::sdk::UtcMs now_ms);

// Decides an event on a rental order by its pinned terms (support refunds and disputes also by
// the tenant's current case rules).
[[nodiscard]] billing::sdk::Decision decide_rental(const billing::sdk::OrderView& order, const OrderFacts& facts,
                                                   const billing::sdk::Event& event,
                                                   const billing::sdk::Context& context, const CaseRules& rules);

}  // namespace otpdesk
