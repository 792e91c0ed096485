// Rental rules at their exact boundaries: 24..1344 hours, cancel only before 20:00.000 (code or
// not), capture at 20:00.000, codes from any service until the end, the end timer.
#include <gtest/gtest.h>

#include <limits>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

constexpr MinorUnits per_day_minor = 500;
constexpr std::int64_t one_day_hours = 24;

class OtpDeskRental : public ::testing::Test {
protected:
    void SetUp() override {
        configure_or_fail(policy_);
        life_ = purchase(policy_, rental_request(one_day_hours), t0);
        ASSERT_EQ(life_.order.price_minor, per_day_minor);
    }

    [[nodiscard]] Decision decide(const Event& event, UtcMs now) const {
        return policy_.decide(life_.order, event, at_time(now));
    }

    OtpDeskPolicy policy_;
    Life life_;
};

TEST_F(OtpDeskRental, DurationOutside24To1344HoursIsInvalidDuration) {
    for (const std::int64_t hours : {std::int64_t{23}, std::int64_t{1345}, std::int64_t{0}, std::int64_t{-24}}) {
        const Quote quote = policy_.quote(rental_request(hours), at_time(t0));
        EXPECT_FALSE(quote.allowed) << hours << " h";
        EXPECT_EQ(quote.code, "invalid_duration") << hours << " h";
    }
}

TEST_F(OtpDeskRental, DurationOf24And1344HoursIsSoldAtExactPrices) {
    const Quote day = policy_.quote(rental_request(24), at_time(t0));
    ASSERT_TRUE(day.allowed) << day.message;
    EXPECT_EQ(day.price_minor, 500);
    const Quote eight_weeks = policy_.quote(rental_request(1344), at_time(t0));
    ASSERT_TRUE(eight_weeks.allowed) << eight_weeks.message;
    EXPECT_EQ(eight_weeks.price_minor, 56 * 500);
    // 25 h: 25 * 500 / 24 = 520.83..., rounded up.
    EXPECT_EQ(policy_.quote(rental_request(25), at_time(t0)).price_minor, 521);
}

TEST_F(OtpDeskRental, QuotePinsTermsAndSetsCaptureAndEndTimers) {
    const Quote quote = policy_.quote(rental_request(48), at_time(t0));
    ASSERT_TRUE(quote.allowed) << quote.message;
    EXPECT_EQ(quote.state, "active");
    EXPECT_EQ(quote.terms, (Numbers{{"cancel_window_ms", 20 * ms_per_minute},
                                    {"duration_ms", 48 * ms_per_hour},
                                    {"max_duration_ms", 1344 * ms_per_hour},
                                    {"price_per_day_minor", per_day_minor}}));
    EXPECT_EQ(quote.timers, (std::vector<TimerRequest>{{"capture", after(20)}, {"end", after_hours(48)}}));
    EXPECT_TRUE(quote.attributes.empty());
}

TEST_F(OtpDeskRental, PurchaseFieldsAreChecked) {
    PurchaseRequest request = rental_request(24);
    request.numbers.clear();
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "missing_attribute");
    request = rental_request(24);
    request.attributes["service"] = "telegram";
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "invalid_attribute");
    request = rental_request(24);
    request.numbers["hours"] = 24;
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "invalid_attribute");
}

TEST_F(OtpDeskRental, CancelAt19m59s999RefundsInFull) {
    const Decision decision = act(policy_, life_, cancel_event(), after(19, 59, 999));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::refund, per_day_minor}}));
    EXPECT_EQ(decision.new_state, "cancelled");
    EXPECT_EQ(decision.outcome, "cancelled");
    EXPECT_EQ(decision.drop_timers, (std::vector<std::string>{"capture", "end"}));
    EXPECT_TRUE(life_.timers.empty());
    EXPECT_EQ(life_.order.refunded_minor(), life_.order.charged_minor);
}

// A cancel sent at 17:09 that waited for the order while the 20:00 capture timer ran is decided
// after the capture: it must be refused, not close the order with nothing refunded.
TEST_F(OtpDeskRental, CancelDecidedAfterTheCaptureIsRefusedEvenWithAnEarlierTime) {
    const Decision captured = act(policy_, life_, timer_event("capture"), after(20, 0, 0));
    ASSERT_TRUE(captured.allowed) << captured.message;
    ASSERT_EQ(life_.order.captured_minor, per_day_minor);

    const Decision late = act(policy_, life_, cancel_event(), after(17, 9, 800));
    EXPECT_FALSE(late.allowed);
    EXPECT_EQ(late.code, "cancel_window_closed");
    EXPECT_TRUE(late.moves.empty());
    EXPECT_EQ(life_.order.state, "active");
}

TEST_F(OtpDeskRental, CancelRightAfterPurchaseIsAllowed) {
    const Decision decision = decide(cancel_event(), t0);
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::refund, per_day_minor}}));
}

// A host clock behind the purchase must not refund, accept a code or fire a timer: t < 0 is
// inside every "t < window" test.
TEST_F(OtpDeskRental, EveryEventAt1msBeforePurchaseIsInvalidTime) {
    for (const Event& event : {cancel_event(), message_event("telegram"), timer_event("capture"), timer_event("end")}) {
        for (const UtcMs now : {t0 - 1, std::numeric_limits<UtcMs>::min()}) {
            const Decision decision = act(policy_, life_, event, now);
            EXPECT_FALSE(decision.allowed) << event.type << " " << event.timer << " at " << now;
            EXPECT_EQ(decision.code, "invalid_time") << event.type << " " << event.timer << " at " << now;
            EXPECT_FALSE(decision.available_at_ms.has_value());
            EXPECT_TRUE(decision.moves.empty());
        }
    }
    EXPECT_EQ(life_.order.state, "active");
    EXPECT_EQ(life_.order.held_minor(), per_day_minor);
    EXPECT_FALSE(life_.order.attributes.contains("codes_received"));
}

TEST_F(OtpDeskRental, CodeAtThePurchaseInstantIsAcceptedAndTimersAreNotDue) {
    const Decision code = decide(message_event("telegram"), t0);
    ASSERT_TRUE(code.allowed) << code.message;
    EXPECT_EQ(code.set_attributes.at("first_code_at_ms"), std::to_string(t0));
    EXPECT_EQ(decide(timer_event("capture"), t0).code, "timer_not_due");
    EXPECT_EQ(decide(timer_event("end"), t0).code, "timer_not_due");
}

TEST_F(OtpDeskRental, CancelAfterACodeWithinTheWindowIsAllowed) {
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(1)).allowed);
    const Decision decision = decide(cancel_event(), after(19, 59, 999));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::refund, per_day_minor}}));
}

TEST_F(OtpDeskRental, CancelAt20m00s000IsCancelWindowClosedWithoutACode) {
    const Decision decision = decide(cancel_event(), after(20));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "cancel_window_closed");
    EXPECT_FALSE(decision.available_at_ms.has_value());
}

TEST_F(OtpDeskRental, CancelAt20m00s000IsCancelWindowClosedWithACode) {
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(5)).allowed);
    EXPECT_EQ(decide(cancel_event(), after(20)).code, "cancel_window_closed");
    ASSERT_TRUE(act(policy_, life_, timer_event("capture"), after(20)).allowed);
    EXPECT_EQ(decide(cancel_event(), after_hours(5)).code, "cancel_window_closed");
}

TEST_F(OtpDeskRental, CaptureTimerAt20mCapturesTheCharge) {
    const Decision decision = act(policy_, life_, timer_event("capture"), after(20));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::capture, per_day_minor}}));
    EXPECT_TRUE(decision.new_state.empty()) << "the rental stays active";
    EXPECT_EQ(life_.order.captured_minor, per_day_minor);
    EXPECT_EQ(life_.order.held_minor(), 0);
}

TEST_F(OtpDeskRental, CaptureTimerBefore20mIsNotDue) {
    const Decision decision = decide(timer_event("capture"), after(19, 59, 999));
    EXPECT_EQ(decision.code, "timer_not_due");
    EXPECT_EQ(decision.available_at_ms, after(20));
}

TEST_F(OtpDeskRental, CaptureTimerOnACancelledRentalIsOrderClosed) {
    ASSERT_TRUE(act(policy_, life_, cancel_event(), after(10)).allowed);
    EXPECT_EQ(decide(timer_event("capture"), after(20)).code, "order_closed");
}

TEST_F(OtpDeskRental, CodesFromAnyServiceAreAcceptedUntilTheEndAndRefusedAtIt) {
    for (const auto& [service, now] : {std::pair{"telegram", after(1)}, std::pair{"whatsapp", after_hours(12)},
                                       std::pair{"anything-else", after_hours(24, -1)}}) {
        const Decision decision = act(policy_, life_, message_event(service), now);
        ASSERT_TRUE(decision.allowed) << service << ": " << decision.message;
        EXPECT_TRUE(decision.moves.empty());
        EXPECT_TRUE(decision.new_state.empty());
    }
    EXPECT_EQ(life_.order.attributes.at("codes_received"), "3");
    EXPECT_EQ(life_.order.attributes.at("first_code_at_ms"), std::to_string(after(1)));
    const Decision at_end = decide(message_event("telegram"), after_hours(24));
    EXPECT_FALSE(at_end.allowed);
    EXPECT_EQ(at_end.code, "order_closed");
}

TEST_F(OtpDeskRental, EndTimerEndsTheRental) {
    ASSERT_TRUE(act(policy_, life_, timer_event("capture"), after(20)).allowed);
    const Decision decision = act(policy_, life_, timer_event("end"), after_hours(24));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.new_state, "ended");
    EXPECT_EQ(decision.outcome, "ended");
    EXPECT_TRUE(decision.moves.empty()) << "captured at 20 min already";
    EXPECT_EQ(life_.order.captured_minor, per_day_minor);
    EXPECT_EQ(decide(message_event("telegram"), after_hours(25)).code, "order_closed");
    EXPECT_EQ(decide(cancel_event(), after_hours(25)).code, "order_closed");
    EXPECT_EQ(decide(timer_event("end"), after_hours(25)).code, "order_closed");
}

TEST_F(OtpDeskRental, EndTimerCapturesWhateverIsStillHeld) {
    const Decision decision = act(policy_, life_, timer_event("end"), after_hours(24));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::capture, per_day_minor}}));
    EXPECT_EQ(life_.order.held_minor(), 0);
}

TEST_F(OtpDeskRental, EndTimerBeforeTheEndIsNotDue) {
    const Decision decision = decide(timer_event("end"), after_hours(24, -1));
    EXPECT_EQ(decision.code, "timer_not_due");
    EXPECT_EQ(decision.available_at_ms, after_hours(24));
}

}  // namespace
}  // namespace otpdesk::testing
