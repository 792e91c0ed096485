// Every name OTPDesk shares with the outside world: products, states, codes, timers, terms,
// attributes and outcomes. They are stored on orders and compared by the host and by reports,
// so each one is spelled exactly once, here.
#pragma once

namespace otpdesk {

// The descriptor (export.cpp) and info() both take these, so they cannot disagree.
inline constexpr const char* policy_name = "otpdesk";
// OTPDESK_VERSION is set only by the hot-swap tests, which build a second version of OTPDesk
// from these sources (tests/hotswap/CMakeLists.txt).
#ifndef OTPDESK_VERSION
#define OTPDESK_VERSION "1.0.0"
#endif
inline constexpr const char* policy_version = OTPDESK_VERSION;

namespace product {
inline constexpr const char* activation = "activation";
inline constexpr const char* rental = "rental";
}  // namespace product

namespace state {
inline constexpr const char* active = "active";
inline constexpr const char* delivered = "delivered";  // activation: a code arrived
inline constexpr const char* completed = "completed";  // activation: window over after a code
inline constexpr const char* cancelled = "cancelled";
inline constexpr const char* expired = "expired";  // activation: window over, no code
inline constexpr const char* ended = "ended";      // rental: rented time over
}  // namespace state

// Stable machine codes of quotes and decisions.
namespace code {
inline constexpr const char* ok = "ok";
// Quotes.
inline constexpr const char* not_configured = "not_configured";
inline constexpr const char* unknown_product = "unknown_product";
inline constexpr const char* missing_attribute = "missing_attribute";
inline constexpr const char* invalid_attribute = "invalid_attribute";
inline constexpr const char* invalid_duration = "invalid_duration";
// Quotes (a timer past the largest time) and decisions (now before the purchase).
inline constexpr const char* invalid_time = "invalid_time";
// Decisions.
inline constexpr const char* invalid_order = "invalid_order";
inline constexpr const char* unsupported_event = "unsupported_event";
inline constexpr const char* unknown_timer = "unknown_timer";
inline constexpr const char* order_closed = "order_closed";
inline constexpr const char* timer_not_due = "timer_not_due";
inline constexpr const char* cancel_too_early = "cancel_too_early";
inline constexpr const char* code_already_delivered = "code_already_delivered";
inline constexpr const char* wrong_service = "wrong_service";
inline constexpr const char* cancel_window_closed = "cancel_window_closed";
// Support refunds, disputes and extensions. The request refusals (unknown_reason,
// evidence_required, invalid_amount) are the SDK's billing::sdk::request_refusal codes, which
// the host answers 422; these are answered 409.
inline constexpr const char* nothing_to_refund = "nothing_to_refund";
inline constexpr const char* refund_exceeds_charge = "refund_exceeds_charge";
inline constexpr const char* nothing_to_dispute = "nothing_to_dispute";
inline constexpr const char* invalid_resolution = "invalid_resolution";
inline constexpr const char* not_extendable = "not_extendable";
inline constexpr const char* extension_too_long = "extension_too_long";
inline constexpr const char* extension_price_out_of_range = "extension_price_out_of_range";
}  // namespace code

namespace timer {
inline constexpr const char* expire = "expire";    // activation: the window ends
inline constexpr const char* capture = "capture";  // rental: the cancel window ends
inline constexpr const char* end = "end";          // rental: the rented time ends
}  // namespace timer

// Terms pinned on an order at purchase (Quote::terms). Decisions read only these.
namespace term {
inline constexpr const char* window_ms = "window_ms";                      // activation
inline constexpr const char* cancel_from_ms = "cancel_from_ms";            // activation
inline constexpr const char* cancel_window_ms = "cancel_window_ms";        // rental
inline constexpr const char* duration_ms = "duration_ms";                  // rental
inline constexpr const char* max_duration_ms = "max_duration_ms";          // rental, for extensions
inline constexpr const char* price_per_day_minor = "price_per_day_minor";  // rental, for extensions
}  // namespace term

namespace attribute {
inline constexpr const char* service = "service";
inline constexpr const char* country = "country";
// Set by decisions on every accepted code (decimal strings).
inline constexpr const char* codes_received = "codes_received";
inline constexpr const char* first_code_at_ms = "first_code_at_ms";
}  // namespace attribute

namespace number {
inline constexpr const char* duration_hours = "duration_hours";
}  // namespace number

namespace outcome {
inline constexpr const char* delivered = "delivered";
inline constexpr const char* not_delivered = "not_delivered";
inline constexpr const char* cancelled = "cancelled";
inline constexpr const char* ended = "ended";
}  // namespace outcome

}  // namespace otpdesk
