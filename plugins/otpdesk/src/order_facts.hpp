// What every rule needs to know about an order, read without trusting it: the host builds the
// OrderView from its own row, but a conformance kit (or a bug) may hand over anything, and a
// garbage order must become an invalid_order denial, never a crash or an overflow.
#pragma once

#include <cstdint>
#include <variant>

#include "billing/sdk/types.hpp"

namespace otpdesk {

struct OrderFacts {
    // now - created_at, clamped to the int64 range (so it still compares right against any
    // window when the two times are at opposite ends of the range).
    std::int64_t elapsed_ms = 0;
    // What escrow still holds: charged - captured - refunded_from_escrow, computed without
    // overflow (OrderView::held_minor() uses plain subtraction).
    billing::sdk::MinorUnits held_minor = 0;
    // Codes accepted so far (attribute codes_received; 0 when absent).
    std::int64_t codes_received = 0;
};

// The facts, or an invalid_order denial saying what is wrong with the order's money or attributes.
[[nodiscard]] std::variant<OrderFacts, billing::sdk::Decision> read_order_facts(const billing::sdk::OrderView& order,
                                                                                const billing::sdk::Context& context);

// created_at + offset, clamped to the int64 range: a due time or an available_at.
[[nodiscard]] billing::sdk::UtcMs at_offset(const billing::sdk::OrderView& order, std::int64_t offset_ms);

}  // namespace otpdesk
