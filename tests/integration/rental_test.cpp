// OTPDesk rentals through the HTTP API and the test clock (plugins/otpdesk/README.md): 24 to
// 1344 hours, cancel (code or not) and refund only before 20:00, the charge captured by a timer
// at 20:00, the rental ended by a timer at its duration.
#include <gtest/gtest.h>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

using RentalTest = OtpDeskTest;

constexpr std::int64_t day_price_minor = rental_day_minor;

TEST_F(RentalTest, DurationsFrom24To1344HoursAreSoldAndPricedPerHourRoundedUp) {
    struct Case {
        std::int64_t hours;
        std::int64_t price_minor;
    };
    // ceil(hours * 500 / 24)
    const Case cases[] = {{24, 500}, {25, 521}, {1344, 28000}};
    std::int64_t spent = 0;
    for (const Case& c : cases) {
        const Response bought = api().buy_rental(account_, c.hours);
        ASSERT_EQ(bought.status, 201) << bought.describe();
        const Json order = bought.json();
        EXPECT_EQ(order["price_minor"].i64(), c.price_minor) << c.hours << " h";
        EXPECT_EQ(order["terms"]["duration_ms"].i64(), c.hours * hour_ms);
        EXPECT_EQ(order["terms"]["cancel_window_ms"].i64(), rental_cancel_window_ms);
        EXPECT_TRUE(cancel_allowed(order));
        spent += c.price_minor;
    }
    EXPECT_EQ(balance(), deposit_minor - spent);
}

TEST_F(RentalTest, DurationsOf23And1345HoursAreRefused422) {
    for (const std::int64_t hours : {23, 1345, 0, -24}) {
        const Response refused = api().buy_rental(account_, hours);
        EXPECT_EQ(refused.status, 422) << refused.describe();
        EXPECT_EQ(refused.problem_code(), "invalid_duration") << hours << " h";
    }
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(api().orders("account_id=" + account_).expect(200).json()["data"].size(), 0U);
    EXPECT_EQ(transfers().size(), 1U);
}

TEST_F(RentalTest, CancelAt19m59s999RefundsInFull) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);

    const Json moved = api().move_clock_to(at(created, 19, 59, 999));
    EXPECT_EQ(moved["applied"].i64(), 0) << "the capture timer is not due before 20:00";
    const Json before = order(id);
    EXPECT_EQ(before["held_minor"].i64(), day_price_minor);
    EXPECT_TRUE(cancel_allowed(before));

    const Response cancelled = api().cancel(id);
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
    const Json after = cancelled.json();
    EXPECT_EQ(after["state"].str(), "cancelled");
    EXPECT_TRUE(after["final"].boolean());
    EXPECT_EQ(after["outcome"].str(), "cancelled");
    EXPECT_EQ(after["refunded_minor"].i64(), day_price_minor);
    EXPECT_EQ(after["captured_minor"].i64(), 0);
    EXPECT_TRUE(cancel_denied(after, "order_closed", std::nullopt));
    EXPECT_EQ(balance(), deposit_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2].kind, "refund");
    EXPECT_EQ(rows[2].amount_minor, day_price_minor);
    EXPECT_EQ(rows[2].order_id, id);

    // The cancel dropped the capture and end timers: nothing runs later.
    const Json later = api().move_clock_to(at(created, 24 * 60));
    EXPECT_EQ(later["timers"].size(), 0U) << later.dump();
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(RentalTest, At20m00sTheChargeIsCapturedAndCancelIsRefused) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);

    const Json moved = api().move_clock_to(at(created, 20));
    ASSERT_EQ(moved["timers"].size(), 1U) << moved.dump();
    EXPECT_EQ(moved["timers"][0]["timer"].str(), "capture");
    EXPECT_EQ(moved["timers"][0]["result"].str(), "applied");
    EXPECT_EQ(moved["timers"][0]["due_at"].str(), format_rfc3339(at(created, 20)));

    const Json captured = order(id);
    EXPECT_EQ(captured["state"].str(), "active");
    EXPECT_EQ(captured["captured_minor"].i64(), day_price_minor);
    EXPECT_EQ(captured["held_minor"].i64(), 0);
    EXPECT_TRUE(cancel_denied(captured, "cancel_window_closed", std::nullopt));
    EXPECT_TRUE(denied(api().cancel(id), "cancel_window_closed"));
    EXPECT_EQ(balance(), deposit_minor - day_price_minor);
    EXPECT_EQ(transfers().size(), 2U);
}

TEST_F(RentalTest, ACodeDoesNotTakeAwayTheCancelInsideTheWindow) {
    const std::string id = api().new_rental(account_, 48);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 3));

    // Codes from any service, none moving money.
    for (const char* service : {"whatsapp", "telegram"}) {
        const Response code = api().message(id, service);
        ASSERT_EQ(code.status, 200) << code.describe();
        EXPECT_EQ(code.json()["state"].str(), "active");
        EXPECT_EQ(code.json()["captured_minor"].i64(), 0);
    }
    EXPECT_EQ(order(id)["attributes"]["codes_received"].str(), "2");
    EXPECT_TRUE(cancel_allowed(order(id)));

    const Response cancelled = api().cancel(id);
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
    EXPECT_EQ(cancelled.json()["refunded_minor"].i64(), 2 * day_price_minor);
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(RentalTest, TheRentalEndsAtItsDurationToTheMs) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);

    api().move_clock_to(created + 24 * hour_ms - 1);
    const Json running = order(id);
    EXPECT_EQ(running["state"].str(), "active");
    EXPECT_EQ(running["captured_minor"].i64(), day_price_minor);
    ASSERT_EQ(api().message(id, "telegram").status, 200) << "codes until the last ms";

    const Json moved = api().move_clock_to(created + 24 * hour_ms);
    ASSERT_EQ(moved["timers"].size(), 1U) << moved.dump();
    EXPECT_EQ(moved["timers"][0]["timer"].str(), "end");
    EXPECT_EQ(moved["timers"][0]["state"].str(), "ended");
    const Json ended = order(id);
    EXPECT_EQ(ended["state"].str(), "ended");
    EXPECT_TRUE(ended["final"].boolean());
    EXPECT_EQ(ended["outcome"].str(), "ended");
    EXPECT_EQ(ended["captured_minor"].i64(), day_price_minor);
    EXPECT_EQ(ended["refunded_minor"].i64(), 0);
    EXPECT_EQ(parse_rfc3339(ended["closed_at"].str()), created + 24 * hour_ms);
    EXPECT_TRUE(denied(api().message(id, "telegram"), "order_closed"));
    EXPECT_TRUE(denied(api().cancel(id), "order_closed"));
    EXPECT_EQ(balance(), deposit_minor - day_price_minor);
}

TEST_F(RentalTest, OneAdvanceOverBothTimersRunsThemInDueOrder) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);

    const Json moved = api().advance_seconds(2 * 24 * 3600).expect(200).json();
    ASSERT_EQ(moved["timers"].size(), 2U) << moved.dump();
    EXPECT_EQ(moved["timers"][0]["timer"].str(), "capture");
    EXPECT_EQ(moved["timers"][0]["due_at"].str(), format_rfc3339(at(created, 20)));
    EXPECT_EQ(moved["timers"][1]["timer"].str(), "end");
    EXPECT_EQ(moved["timers"][1]["due_at"].str(), format_rfc3339(created + 24 * hour_ms));
    const Json ended = order(id);
    EXPECT_EQ(ended["state"].str(), "ended");
    EXPECT_EQ(parse_rfc3339(ended["closed_at"].str()), created + 24 * hour_ms)
        << "a late timer decides at its due time, not at the clock's";
    EXPECT_EQ(balance(), deposit_minor - day_price_minor);
}

}  // namespace
}  // namespace billing::integration
