// Activation rules at their exact boundaries: cancel from 2:00.000 until 19:59.999 while no
// code arrived, codes of the chosen service until 19:59.999, the expire timer at 20:00.000.
#include <gtest/gtest.h>

#include <limits>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

constexpr MinorUnits telegram_us_minor = 250;

class OtpDeskActivation : public ::testing::Test {
protected:
    void SetUp() override {
        configure_or_fail(policy_);
        life_ = purchase(policy_, activation_request("telegram", "us"), t0);
        ASSERT_EQ(life_.order.price_minor, telegram_us_minor);
    }

    [[nodiscard]] Decision decide(const Event& event, UtcMs now) const {
        return policy_.decide(life_.order, event, at_time(now));
    }

    // The order must be as bought: still active, everything held, nothing moved.
    void expect_untouched() const {
        EXPECT_EQ(life_.order.state, "active");
        EXPECT_EQ(life_.order.held_minor(), telegram_us_minor);
    }

    OtpDeskPolicy policy_;
    Life life_;
};

TEST_F(OtpDeskActivation, QuotePinsTwentyMinuteTermsAndOneExpireTimer) {
    const Quote quote = policy_.quote(activation_request("Telegram", "US"), at_time(t0));
    ASSERT_TRUE(quote.allowed) << quote.message;
    EXPECT_EQ(quote.code, "ok");
    EXPECT_EQ(quote.price_minor, telegram_us_minor);
    EXPECT_EQ(quote.state, "active");
    EXPECT_EQ(quote.terms, (Numbers{{"window_ms", 20 * ms_per_minute}, {"cancel_from_ms", 2 * ms_per_minute}}));
    EXPECT_EQ(quote.attributes, (Attributes{{"service", "telegram"}, {"country", "us"}}));
    EXPECT_EQ(quote.timers, (std::vector<TimerRequest>{{"expire", after(20)}}));
    EXPECT_TRUE(quote.moves.empty());
}

TEST_F(OtpDeskActivation, CancelAt1m59s999IsTooEarlyAndSaysWhen) {
    const Decision decision = decide(cancel_event(), after(1, 59, 999));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "cancel_too_early");
    EXPECT_EQ(decision.available_at_ms, after(2));
    EXPECT_TRUE(decision.moves.empty());
}

TEST_F(OtpDeskActivation, CancelAt2m00s000RefundsThePriceInFull) {
    const Decision decision = act(policy_, life_, cancel_event(), after(2));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::refund, telegram_us_minor}}));
    EXPECT_EQ(decision.new_state, "cancelled");
    EXPECT_EQ(decision.drop_timers, std::vector<std::string>{"expire"});
    EXPECT_EQ(decision.outcome, "cancelled");
    EXPECT_EQ(life_.order.refunded_minor(), life_.order.charged_minor);
    EXPECT_EQ(life_.order.held_minor(), 0);
    EXPECT_TRUE(life_.timers.empty());
}

TEST_F(OtpDeskActivation, CancelAt19m59s999IsStillAllowed) {
    const Decision decision = decide(cancel_event(), after(19, 59, 999));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::refund, telegram_us_minor}}));
}

TEST_F(OtpDeskActivation, CancelAfterACodeIsCodeAlreadyDelivered) {
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(3)).allowed);
    const Decision decision = decide(cancel_event(), after(4));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "code_already_delivered");
    EXPECT_FALSE(decision.available_at_ms.has_value()) << "it never becomes possible";
}

TEST_F(OtpDeskActivation, CancelAt20m00s000AndLaterIsOrderClosed) {
    for (const UtcMs now : {after(20), after(20, 0, 1), after(60 * 24)}) {
        const Decision decision = decide(cancel_event(), now);
        EXPECT_FALSE(decision.allowed) << "at " << now - t0 << " ms";
        EXPECT_EQ(decision.code, "order_closed") << "at " << now - t0 << " ms";
    }
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(3)).allowed);
    EXPECT_EQ(decide(cancel_event(), after(20)).code, "order_closed") << "window over beats delivered";
}

TEST_F(OtpDeskActivation, CancelOfAFinalOrderIsOrderClosed) {
    ASSERT_TRUE(act(policy_, life_, cancel_event(), after(5)).allowed);
    const Decision decision = decide(cancel_event(), after(6));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "order_closed");
}

TEST_F(OtpDeskActivation, FirstCodeAt19m59s999CapturesTheCharge) {
    const Decision decision = act(policy_, life_, message_event("telegram"), after(19, 59, 999));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.new_state, "delivered");
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::capture, telegram_us_minor}}));
    EXPECT_EQ(decision.outcome, "delivered");
    EXPECT_EQ(life_.order.captured_minor, telegram_us_minor);
    EXPECT_EQ(life_.order.held_minor(), 0);
    EXPECT_EQ(life_.order.attributes.at("codes_received"), "1");
    EXPECT_EQ(life_.order.attributes.at("first_code_at_ms"), std::to_string(after(19, 59, 999)));
}

// A host clock behind the purchase must not let a code capture the charge: t < 0 passes every
// "t < window" test.
TEST_F(OtpDeskActivation, CodeAt1msBeforePurchaseIsInvalidTimeAndCapturesNothing) {
    for (const UtcMs now : {t0 - 1, std::numeric_limits<UtcMs>::min()}) {
        const Decision decision = act(policy_, life_, message_event("telegram"), now);
        EXPECT_FALSE(decision.allowed) << "at " << now;
        EXPECT_EQ(decision.code, "invalid_time") << "at " << now;
        EXPECT_FALSE(decision.available_at_ms.has_value()) << "a time before the purchase is an error, not a wait";
        EXPECT_TRUE(decision.moves.empty());
        EXPECT_TRUE(decision.set_attributes.empty());
        expect_untouched();
    }
}

TEST_F(OtpDeskActivation, CodeAtThePurchaseInstantCapturesTheCharge) {
    const Decision decision = act(policy_, life_, message_event("telegram"), t0);
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.new_state, "delivered");
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::capture, telegram_us_minor}}));
    EXPECT_EQ(life_.order.attributes.at("first_code_at_ms"), std::to_string(t0));
}

TEST_F(OtpDeskActivation, CancelAndExpireBeforePurchaseAreInvalidTime) {
    for (const Event& event : {cancel_event(), timer_event("expire")}) {
        const Decision decision = decide(event, t0 - 1);
        EXPECT_FALSE(decision.allowed) << event.type;
        EXPECT_EQ(decision.code, "invalid_time") << event.type;
        EXPECT_TRUE(decision.moves.empty()) << event.type;
    }
    const Decision cancel = decide(cancel_event(), t0);
    EXPECT_EQ(cancel.code, "cancel_too_early");
    EXPECT_EQ(cancel.available_at_ms, after(2));
    const Decision expire = decide(timer_event("expire"), t0);
    EXPECT_EQ(expire.code, "timer_not_due");
    EXPECT_EQ(expire.available_at_ms, after(20));
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), t0).allowed);
    EXPECT_EQ(decide(cancel_event(), t0 - 1).code, "invalid_time") << "also on a delivered order";
    EXPECT_EQ(decide(message_event("telegram"), t0 - 1).code, "invalid_time") << "also on a delivered order";
}

TEST_F(OtpDeskActivation, LaterCodesOfTheServiceAreAcceptedUntil19m59s999WithoutMoves) {
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(2, 30)).allowed);
    for (const UtcMs now : {after(10), after(19, 59, 999)}) {
        const Decision decision = act(policy_, life_, message_event("telegram"), now);
        ASSERT_TRUE(decision.allowed) << decision.message;
        EXPECT_TRUE(decision.moves.empty());
        EXPECT_TRUE(decision.new_state.empty());
    }
    EXPECT_EQ(life_.order.state, "delivered");
    EXPECT_EQ(life_.order.captured_minor, telegram_us_minor);
    EXPECT_EQ(life_.order.attributes.at("codes_received"), "3");
    EXPECT_EQ(life_.order.attributes.at("first_code_at_ms"), std::to_string(after(2, 30)));
}

TEST_F(OtpDeskActivation, ServiceOfACodeIsMatchedWithoutCase) {
    EXPECT_TRUE(decide(message_event("TeleGram"), after(1)).allowed);
}

TEST_F(OtpDeskActivation, CodeFromAnotherServiceIsWrongServiceAndChangesNothing) {
    const Decision decision = act(policy_, life_, message_event("whatsapp"), after(5));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "wrong_service");
    expect_untouched();
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(6)).allowed);
    EXPECT_EQ(decide(message_event("whatsapp"), after(7)).code, "wrong_service") << "also after delivery";
}

TEST_F(OtpDeskActivation, CodeWithoutOrWithAGarbageServiceIsRefused) {
    Event no_service = message_event("telegram");
    no_service.text.clear();
    EXPECT_EQ(decide(no_service, after(5)).code, "missing_attribute");
    EXPECT_EQ(decide(message_event("tele gram"), after(5)).code, "invalid_attribute");
    EXPECT_EQ(decide(message_event(""), after(5)).code, "invalid_attribute");
}

TEST_F(OtpDeskActivation, CodeAt20m00s000IsRefusedWithoutMovesOrState) {
    const Decision decision = act(policy_, life_, message_event("telegram"), after(20));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "order_closed");
    EXPECT_TRUE(decision.moves.empty());
    EXPECT_TRUE(decision.new_state.empty());
    expect_untouched();
}

TEST_F(OtpDeskActivation, ExpireAt20mWithoutACodeRefundsInFull) {
    const Decision decision = act(policy_, life_, timer_event("expire"), after(20));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, (std::vector<MoneyMove>{{MoveKind::refund, telegram_us_minor}}));
    EXPECT_EQ(decision.new_state, "expired");
    EXPECT_EQ(decision.outcome, "not_delivered");
    EXPECT_EQ(life_.order.refunded_from_escrow_minor, telegram_us_minor);
    EXPECT_EQ(life_.order.held_minor(), 0);
}

TEST_F(OtpDeskActivation, ExpireAt20mAfterACodeCompletesAsDelivered) {
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(4)).allowed);
    const Decision decision = act(policy_, life_, timer_event("expire"), after(20));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.new_state, "completed");
    EXPECT_EQ(decision.outcome, "delivered");
    EXPECT_TRUE(decision.moves.empty()) << "the charge was captured with the first code";
    EXPECT_EQ(life_.order.captured_minor, telegram_us_minor);
    EXPECT_EQ(life_.order.refunded_minor(), 0);
}

TEST_F(OtpDeskActivation, ExpireBefore20mIsNotDueAndSaysWhen) {
    const Decision decision = decide(timer_event("expire"), after(19, 59, 999));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "timer_not_due");
    EXPECT_EQ(decision.available_at_ms, after(20));
}

TEST_F(OtpDeskActivation, StaleExpireOnAFinalOrderIsOrderClosed) {
    ASSERT_TRUE(act(policy_, life_, cancel_event(), after(3)).allowed);
    EXPECT_EQ(decide(timer_event("expire"), after(20)).code, "order_closed");
    EXPECT_EQ(decide(timer_event("expire"), after(19)).code, "order_closed") << "closed beats not due";
}

TEST_F(OtpDeskActivation, AFullLifeNeverMovesMoreThanWasCharged) {
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(1)).allowed);
    ASSERT_TRUE(act(policy_, life_, message_event("telegram"), after(2)).allowed);
    ASSERT_TRUE(act(policy_, life_, timer_event("expire"), after(20)).allowed);
    EXPECT_EQ(life_.order.state, "completed");
    EXPECT_EQ(life_.outcome, "delivered");
    EXPECT_EQ(life_.order.captured_minor + life_.order.refunded_minor(), life_.order.charged_minor);
    EXPECT_EQ(decide(message_event("telegram"), after(21)).code, "order_closed");
    EXPECT_EQ(decide(timer_event("expire"), after(21)).code, "order_closed");
}

TEST_F(OtpDeskActivation, PurchaseAttributesAreChecked) {
    PurchaseRequest request = activation_request("telegram", "us");
    request.attributes.erase("service");
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "missing_attribute");
    request = activation_request("telegram", "us");
    request.attributes.erase("country");
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "missing_attribute");
    EXPECT_EQ(policy_.quote(activation_request("telegram", "usa"), at_time(t0)).code, "invalid_attribute");
    EXPECT_EQ(policy_.quote(activation_request("telegram", "u1"), at_time(t0)).code, "invalid_attribute");
    EXPECT_EQ(policy_.quote(activation_request("tele gram", "us"), at_time(t0)).code, "invalid_attribute");
    EXPECT_EQ(policy_.quote(activation_request(std::string(65, 'a'), "us"), at_time(t0)).code, "invalid_attribute");
    request = activation_request("telegram", "us");
    request.attributes["colour"] = "blue";
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "invalid_attribute");
    request = activation_request("telegram", "us");
    request.numbers["duration_hours"] = 24;
    EXPECT_EQ(policy_.quote(request, at_time(t0)).code, "invalid_attribute");
}

}  // namespace
}  // namespace otpdesk::testing
