// Every name this policy shares with the outside world. Products, states, codes, timers, terms
// and outcomes are stored on orders and compared by the host and by reports, so each one is
// spelled exactly once, here.
#pragma once

namespace refund_until_used {

// The descriptor (export.cpp) and info() both take these, so they cannot disagree; the host
// refuses a plugin whose info() differs from its descriptor.
inline constexpr const char* policy_name = "refund_until_used";
inline constexpr const char* policy_version = "1.0.0";

namespace product {
inline constexpr const char* voucher = "voucher";
}  // namespace product

namespace state {
inline constexpr const char* unused = "unused";        // bought, refundable
inline constexpr const char* used = "used";            // first use arrived: the charge is captured
inline constexpr const char* cancelled = "cancelled";  // the customer cancelled: refunded
inline constexpr const char* expired = "expired";      // validity over while unused: refunded
}  // namespace state

// Stable machine codes of quotes and decisions. Clients match on these, never on messages.
namespace code {
inline constexpr const char* ok = "ok";
inline constexpr const char* not_configured = "not_configured";
inline constexpr const char* unknown_product = "unknown_product";
inline constexpr const char* invalid_attribute = "invalid_attribute";
inline constexpr const char* invalid_time = "invalid_time";
inline constexpr const char* invalid_order = "invalid_order";
inline constexpr const char* unsupported_event = "unsupported_event";
inline constexpr const char* unknown_timer = "unknown_timer";
inline constexpr const char* already_used = "already_used";
inline constexpr const char* voucher_expired = "voucher_expired";
inline constexpr const char* order_closed = "order_closed";
inline constexpr const char* timer_not_due = "timer_not_due";
}  // namespace code

namespace timer {
inline constexpr const char* expire = "expire";  // the validity ends
}  // namespace timer

// Terms pinned on an order at purchase (Quote::terms). Decisions read only these, never the
// configuration, so a price or validity change never touches vouchers already sold.
namespace term {
inline constexpr const char* price_minor = "price_minor";  // what the voucher was sold for
inline constexpr const char* valid_ms = "valid_ms";        // 0: never expires
}  // namespace term

namespace outcome {
inline constexpr const char* used = "used";
inline constexpr const char* cancelled = "cancelled";
inline constexpr const char* expired_unused = "expired_unused";
}  // namespace outcome

}  // namespace refund_until_used
