// Rental extensions at their exact boundaries: up to the pinned longest rental and not one hour
// more, priced from the pinned day price and rounded up, paid and captured at once, moving the
// end timer; the capture timer and the cancel window keep working after one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <vector>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

using ::testing::HasSubstr;

constexpr MinorUnits per_day_minor = 500;

class OtpDeskExtension : public ::testing::Test {
protected:
    void SetUp() override {
        configure_or_fail(policy_);
        life_ = purchase(policy_, rental_request(24), t0);
    }

    [[nodiscard]] Decision decide(const Event& event, UtcMs now) const {
        return policy_.decide(life_.order, event, at_time(now));
    }

    OtpDeskPolicy policy_;
    Life life_;
};

std::vector<MoneyMove> paid(MinorUnits price) { return {{MoveKind::charge, price}, {MoveKind::capture, price}}; }

TEST_F(OtpDeskExtension, ExtendsToExactlyTheLongestRentalAndNotOneHourMore) {
    const Decision over = decide(extend_event(1321), after_hours(1));
    EXPECT_FALSE(over.allowed);
    EXPECT_EQ(over.code, "extension_too_long");
    EXPECT_THAT(over.message, HasSubstr("1320 h can still be added"));
    const Decision exact = act(policy_, life_, extend_event(1320), after_hours(1));
    ASSERT_TRUE(exact.allowed) << exact.message;
    EXPECT_EQ(exact.set_terms, (Numbers{{"duration_ms", 1344 * ms_per_hour}}));
    EXPECT_EQ(exact.add_timers, (std::vector<TimerRequest>{{"end", after_hours(1344)}}));
    EXPECT_EQ(exact.moves, paid(55 * per_day_minor));
    const Decision more = decide(extend_event(1), after_hours(2));
    EXPECT_EQ(more.code, "extension_too_long");
    EXPECT_THAT(more.message, HasSubstr("0 h can still be added"));
    EXPECT_EQ(decide(extend_event(std::numeric_limits<std::int64_t>::max()), after_hours(2)).code,
              "extension_too_long");
}

TEST_F(OtpDeskExtension, PriceIsTheProratedPinnedDayPriceRoundedUp) {
    // 1 h: 500 / 24 = 20.83..., rounded up; 25 h: 520.83...; 48 h: exactly 1000.
    EXPECT_EQ(decide(extend_event(1), after(30)).moves, paid(21));
    EXPECT_EQ(decide(extend_event(25), after(30)).moves, paid(521));
    EXPECT_EQ(decide(extend_event(48), after(30)).moves, paid(1000));
    // A later price change sells new rentals at the new price; this one extends at its own.
    OtpDeskPolicy dearer;
    std::string text = test_config();
    text.replace(text.find("price_per_day_minor = 500"), 25, "price_per_day_minor = 650");
    configure_or_fail(dearer, text);
    EXPECT_EQ(dearer.decide(life_.order, extend_event(48), at_time(after(30))).moves, paid(1000));
}

TEST_F(OtpDeskExtension, HoursThatAreNoHoursAreInvalidAmount) {
    for (const std::int64_t hours : {std::int64_t{0}, std::int64_t{-1}, std::numeric_limits<std::int64_t>::min()}) {
        EXPECT_EQ(decide(extend_event(hours), after(30)).code, "invalid_amount") << hours;
    }
    Event without = extend_event(1);
    without.numbers.clear();
    EXPECT_EQ(decide(without, after(30)).code, "invalid_amount");
}

TEST_F(OtpDeskExtension, OnlyWhileTheRentalRuns) {
    EXPECT_TRUE(decide(extend_event(1), after_hours(24, -1)).allowed) << "1 ms before the end";
    const Decision at_end = decide(extend_event(1), after_hours(24));
    EXPECT_FALSE(at_end.allowed);
    EXPECT_EQ(at_end.code, "order_closed");
    ASSERT_TRUE(act(policy_, life_, cancel_event(), after(1)).allowed);
    EXPECT_EQ(decide(extend_event(1), after(2)).code, "order_closed");
}

TEST_F(OtpDeskExtension, AnActivationIsNotExtendable) {
    const Life activation = purchase(policy_, activation_request("telegram", "us"), t0);
    const Decision decision = policy_.decide(activation.order, extend_event(1), at_time(after(5)));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "not_extendable");
}

TEST_F(OtpDeskExtension, TheEndMovesWithTheExtension) {
    ASSERT_TRUE(act(policy_, life_, timer_event("capture"), after(20)).allowed);
    ASSERT_TRUE(act(policy_, life_, extend_event(24), after_hours(23)).allowed);
    ASSERT_EQ(life_.timers.at("end"), after_hours(48));
    // The old end: codes still come, and the end timer (were it replayed) is not due.
    EXPECT_TRUE(decide(message_event("telegram"), after_hours(30)).allowed);
    const Decision early = decide(timer_event("end"), after_hours(24));
    EXPECT_EQ(early.code, "timer_not_due");
    EXPECT_EQ(early.available_at_ms, after_hours(48));
    // A second extension counts from the new duration.
    ASSERT_TRUE(act(policy_, life_, extend_event(1296), after_hours(40)).allowed);
    EXPECT_EQ(decide(extend_event(1), after_hours(41)).code, "extension_too_long");
    const Decision end = act(policy_, life_, timer_event("end"), after_hours(1344));
    ASSERT_TRUE(end.allowed) << end.message;
    EXPECT_TRUE(end.moves.empty()) << "everything was captured already; never a move of 0";
    EXPECT_EQ(life_.order.state, "ended");
    EXPECT_EQ(life_.order.captured_minor, life_.order.charged_minor);
}

// Paid inside the cancel window, an extension stays paid: a cancel in the window returns the
// purchase (what escrow holds), and the capture timer captures only the purchase.
TEST_F(OtpDeskExtension, AnExtensionIsNeverRefundedByACancel) {
    ASSERT_TRUE(act(policy_, life_, extend_event(24), after(5)).allowed);
    Life cancelled = life_;
    const Decision cancel = act(policy_, cancelled, cancel_event(), after(19, 59, 999));
    ASSERT_TRUE(cancel.allowed) << cancel.message;
    EXPECT_EQ(cancel.moves, (std::vector<MoneyMove>{{MoveKind::refund, per_day_minor}}));
    EXPECT_EQ(cancelled.order.state, "cancelled");
    EXPECT_EQ(cancelled.order.held_minor(), 0);

    const Decision capture = act(policy_, life_, timer_event("capture"), after(20));
    ASSERT_TRUE(capture.allowed) << capture.message;
    EXPECT_EQ(capture.moves, (std::vector<MoneyMove>{{MoveKind::capture, per_day_minor}}));
    // A cancel that waited for the order while the capture ran is refused, extension or not.
    EXPECT_EQ(decide(cancel_event(), after(17)).code, "cancel_window_closed");
}

}  // namespace
}  // namespace otpdesk::testing
