// What the OTPDesk rule tests share: a customer with money, the shipped prices
// (config/otpdesk.toml), and assertions on the order JSON's "cancel" preview and on an
// account's transfers.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "support/host_test.hpp"

namespace billing::integration {

// config/otpdesk.toml's terms and prices.
inline constexpr std::int64_t telegram_us_minor = 250;
inline constexpr std::int64_t rental_day_minor = 500;
inline constexpr std::int64_t cancel_from_ms = 2 * minute_ms;
inline constexpr std::int64_t window_ms = 20 * minute_ms;
inline constexpr std::int64_t rental_cancel_window_ms = 20 * minute_ms;

// minutes:seconds.ms after a purchase at created_ms: at(created, 1, 59, 999) is 1:59.999.
constexpr UtcMs at(UtcMs created_ms, std::int64_t minutes, std::int64_t seconds = 0, std::int64_t ms = 0) {
    return created_ms + minutes * minute_ms + seconds * second_ms + ms;
}

struct TransferRow {
    std::string kind;
    std::string direction;
    std::int64_t amount_minor = 0;
    std::string order_id;  // "" for none
};

class OtpDeskTest : public HostTest {
protected:
    static constexpr std::int64_t deposit_minor = 100'000;

    void SetUp() override;

    // The account's transfers, oldest first.
    std::vector<TransferRow> transfers();
    std::int64_t balance() { return api().balance(account_); }
    Json order(const std::string& order_id) { return api().order(order_id).expect(200).json(); }

    std::string account_;  // holds deposit_minor at the start of each test
};

// The order's "cancel" preview says allowed.
::testing::AssertionResult cancel_allowed(const Json& order);
// ... says denied with code, and available_at (nullopt: the member is null or absent).
::testing::AssertionResult cancel_denied(const Json& order, const std::string& code, std::optional<UtcMs> available_at);
// The body of a support refund or a dispute's resolution: {"<member>":"<value>"} with
// amount_minor and note when given, e.g. case_body("reason", "provider_error", 100).
std::string case_body(const std::string& member, const std::string& value,
                      std::optional<std::int64_t> amount_minor = std::nullopt, const std::string& note = "");

// A 422 problem+json with code (a refused request: validation_failed, or a policy's request
// refusal such as unknown_reason).
::testing::AssertionResult refused(const Response& response, const std::string& code);
// A 409 policy denial with code, and available_at (nullopt: no such member).
::testing::AssertionResult denied(const Response& response, const std::string& code,
                                  std::optional<UtcMs> available_at = std::nullopt);

}  // namespace billing::integration
