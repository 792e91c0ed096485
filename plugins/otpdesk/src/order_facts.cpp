#include "order_facts.hpp"

#include <charconv>
#include <optional>
#include <string>
#include <system_error>

#include "arith.hpp"
#include "attributes.hpp"
#include "names.hpp"

namespace otpdesk {
namespace {

using billing::sdk::Decision;
using billing::sdk::MinorUnits;
using billing::sdk::OrderView;

std::optional<MinorUnits> checked_held_minor(const OrderView& order) {
    if (order.charged_minor < 0 || order.captured_minor < 0 || order.refunded_from_escrow_minor < 0 ||
        order.refunded_from_revenue_minor < 0) {
        return std::nullopt;
    }
    // Above the host's limit the order did not come from a host: garbage, whatever it adds up to.
    if (order.charged_minor > billing::sdk::order_charged_minor_max) {
        return std::nullopt;
    }
    if (order.refunded_from_revenue_minor > order.captured_minor) {
        return std::nullopt;
    }
    const auto released = checked_add(order.captured_minor, order.refunded_from_escrow_minor);
    if (!released || *released > order.charged_minor) {
        return std::nullopt;
    }
    return order.charged_minor - *released;
}

// The attribute codes_received as a count: absent is 0; anything but a plain decimal is garbage.
std::optional<std::int64_t> parse_codes_received(const OrderView& order) {
    const auto found = order.attributes.find(attribute::codes_received);
    if (found == order.attributes.end()) {
        return 0;
    }
    const std::string& text = found->second;
    std::int64_t count = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (error != std::errc{} || end != text.data() + text.size() || text.empty() || count < 0) {
        return std::nullopt;
    }
    return count;
}

}  // namespace

std::variant<OrderFacts, Decision> read_order_facts(const OrderView& order, const billing::sdk::Context& context) {
    const auto held = checked_held_minor(order);
    if (!held) {
        return billing::sdk::deny(code::invalid_order,
                                  "the order's amounts are inconsistent (negative, or more released than taken)");
    }
    const auto codes = parse_codes_received(order);
    if (!codes) {
        return billing::sdk::deny(code::invalid_order,
                                  std::string("the order's attribute codes_received is not a count: ") +
                                      quoted(order.attributes.at(attribute::codes_received)));
    }
    return OrderFacts{saturating_sub(context.now_ms, order.created_at_ms), *held, *codes};
}

billing::sdk::UtcMs at_offset(const OrderView& order, std::int64_t offset_ms) {
    return saturating_add(order.created_at_ms, offset_ms);
}

}  // namespace otpdesk
