// Test helpers: an order's life as the host would keep it. A purchase makes the order from a
// quote; every allowed decision is applied to it the way the host applies one (state, money
// moves, timers, attributes, adjustable terms), so a test reads like the story of one order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "billing/sdk/types.hpp"
#include "otpdesk_policy.hpp"

namespace otpdesk::testing {

using namespace billing::sdk;

// The purchase time of most orders in these tests (2023-11-14T22:13:20Z).
inline constexpr UtcMs t0 = 1'700'000'000'000;

// t0 + minutes:seconds.millis, e.g. after(1, 59, 999).
[[nodiscard]] constexpr UtcMs after(std::int64_t minutes, std::int64_t seconds = 0, std::int64_t millis = 0) {
    return t0 + minutes * ms_per_minute + seconds * ms_per_second + millis;
}
[[nodiscard]] constexpr UtcMs after_hours(std::int64_t hours, std::int64_t millis = 0) {
    return t0 + hours * ms_per_hour + millis;
}

// The context of a decision at `now` (no account history).
[[nodiscard]] constexpr Context at_time(UtcMs now) { return Context{now, 0, 0}; }

// A configuration like the shipped one, with prices that tell every lookup path apart:
// telegram us 250, telegram default 120, whatsapp us 300 (no service default), global 150,
// rental 500 a day. The windows can be changed for the terms-pinning tests.
[[nodiscard]] std::string test_config(std::int64_t window_s = 1200, std::int64_t cancel_from_s = 120,
                                      std::int64_t rental_cancel_window_s = 1200);

// A policy configured with test_config(); fails the test if the configuration is refused.
void configure_or_fail(OtpDeskPolicy& policy, const std::string& text = test_config());

[[nodiscard]] PurchaseRequest activation_request(const std::string& service, const std::string& country);
[[nodiscard]] PurchaseRequest rental_request(std::int64_t duration_hours);

[[nodiscard]] Event cancel_event();
[[nodiscard]] Event message_event(const std::string& service);
[[nodiscard]] Event timer_event(const std::string& name);
// Shaped as the host's routes send them; an amount of nullopt leaves amount_minor out.
[[nodiscard]] Event support_refund_event(const std::string& reason,
                                         std::optional<MinorUnits> amount_minor = std::nullopt);
[[nodiscard]] Event dispute_opened_event(bool with_evidence);
[[nodiscard]] Event dispute_resolved_event(const std::string& resolution,
                                           std::optional<MinorUnits> amount_minor = std::nullopt);
[[nodiscard]] Event extend_event(std::int64_t hours);
// The context of a decision at `now` for an account with this recent history.
[[nodiscard]] constexpr Context with_history(UtcMs now, std::int64_t refunds, std::int64_t disputes) {
    return Context{now, refunds, disputes};
}

struct Life {
    OrderView order;
    std::map<std::string, UtcMs> timers;  // name -> due
    std::string outcome;                  // the last outcome a decision recorded
};

// Buys at `now`; fails the test (and returns an empty life) if the quote is refused.
[[nodiscard]] Life purchase(const Policy& policy, const PurchaseRequest& request, UtcMs now);

// Applies an allowed decision as the host does. Checks what the host would check: every move
// is positive and takes no more than escrow (or revenue) holds.
void apply(Life& life, const Decision& decision, UtcMs now);

// Decides `event` at `now` and applies the decision when it is allowed.
Decision act(const Policy& policy, Life& life, const Event& event, UtcMs now);

}  // namespace otpdesk::testing

// GoogleTest printers, so a failed expectation shows the decision instead of its bytes.
namespace billing::sdk {
void PrintTo(const MoneyMove& move, std::ostream* out);
void PrintTo(const TimerRequest& timer, std::ostream* out);
void PrintTo(const Decision& decision, std::ostream* out);
}  // namespace billing::sdk
