// The pieces decisions and quotes of both products are made of.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "billing/sdk/types.hpp"
#include "order_facts.hpp"

namespace otpdesk {

// Returns everything escrow holds to the customer (no move when it holds nothing: a move is
// always > 0).
void refund_all_held(billing::sdk::Decision& decision, const OrderFacts& facts);
// Moves everything escrow holds to revenue.
void capture_all_held(billing::sdk::Decision& decision, const OrderFacts& facts);
// Counts one more accepted code (attribute codes_received) and, for the first, records its
// time (attribute first_code_at_ms).
void record_code(billing::sdk::Decision& decision, const OrderFacts& facts, const billing::sdk::Context& context);

// The denial for event types this version does not know.
[[nodiscard]] billing::sdk::Decision deny_unsupported_event(const billing::sdk::Event& event);
// The denial (invalid_time) for an event decided before the order was bought, or nullopt when
// now >= created_at. Every window starts at the purchase, so before it no rule applies; without
// this check a negative t passes every "t < window" test and a code could capture the charge.
[[nodiscard]] std::optional<billing::sdk::Decision> deny_before_purchase(const billing::sdk::OrderView& order,
                                                                         const billing::sdk::Context& context);
// The denial for a timer this product never sets.
[[nodiscard]] billing::sdk::Decision deny_unknown_timer(const billing::sdk::Event& event);

// Whether `name` (a state, an event type) is one of `names`.
[[nodiscard]] bool is_one_of(std::string_view name, std::initializer_list<const char*> names);

// A refusal (invalid_attribute) if the purchase carries a field the product does not declare.
[[nodiscard]] std::optional<billing::sdk::Quote> refuse_undeclared_fields(
    const billing::sdk::PurchaseRequest& request, std::initializer_list<std::string_view> attributes,
    std::initializer_list<std::string_view> numbers);

}  // namespace otpdesk
