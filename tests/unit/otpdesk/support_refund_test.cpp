// Support refunds and disputes at their exact boundaries: a refund of exactly what is left is
// allowed and one unit more is not; escrow pays first, revenue the rest; any state, after a code
// and after the windows; evidence for a dispute from exactly the threshold on.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <utility>
#include <vector>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

using ::testing::HasSubstr;

constexpr MinorUnits telegram_us_minor = 250;
constexpr MinorUnits per_day_minor = 500;

class OtpDeskSupport : public ::testing::Test {
protected:
    void SetUp() override {
        configure_or_fail(policy_);
        activation_ = purchase(policy_, activation_request("telegram", "us"), t0);
        rental_ = purchase(policy_, rental_request(24), t0);
    }

    // A delivered activation: the code at 3:00 captured the price.
    Life delivered() const {
        Life life = activation_;
        EXPECT_TRUE(act(policy_, life, message_event("telegram"), after(3)).allowed);
        return life;
    }

    OtpDeskPolicy policy_;
    Life activation_;
    Life rental_;
};

std::vector<MoneyMove> refund(MinorUnits amount) { return {{MoveKind::refund, amount}}; }
std::vector<MoneyMove> refund_captured(MinorUnits amount) { return {{MoveKind::refund_captured, amount}}; }

TEST_F(OtpDeskSupport, WithoutAnAmountEverythingLeftIsRefundedAndNothingElseChanges) {
    const Decision decision = act(policy_, activation_, support_refund_event("provider_error"), after(1));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves, refund(telegram_us_minor));
    EXPECT_TRUE(decision.new_state.empty()) << "a support refund changes no state";
    EXPECT_TRUE(decision.outcome.empty()) << "a support refund changes no outcome";
    EXPECT_TRUE(decision.add_timers.empty() && decision.drop_timers.empty() && decision.set_attributes.empty());
}

TEST_F(OtpDeskSupport, ExactlyWhatIsLeftIsAllowedAndOneMoreIsRefundExceedsCharge) {
    Life life = delivered();
    ASSERT_TRUE(act(policy_, life, support_refund_event("requires_2fa", 100), after(5)).allowed);
    const Decision over = policy_.decide(life.order, support_refund_event("requires_2fa", 151), at_time(after(6)));
    EXPECT_FALSE(over.allowed);
    EXPECT_EQ(over.code, "refund_exceeds_charge");
    EXPECT_THAT(over.message, HasSubstr("150 left"));
    const Decision exact = act(policy_, life, support_refund_event("requires_2fa", 150), after(6));
    ASSERT_TRUE(exact.allowed) << exact.message;
    EXPECT_EQ(exact.moves, refund_captured(150));
    EXPECT_EQ(life.order.refunded_minor(), life.order.charged_minor);
    const Decision nothing = policy_.decide(life.order, support_refund_event("requires_2fa", 1), at_time(after(7)));
    EXPECT_EQ(nothing.code, "nothing_to_refund");
    EXPECT_EQ(policy_.decide(life.order, support_refund_event("requires_2fa"), at_time(after(7))).code,
              "nothing_to_refund");
}

TEST_F(OtpDeskSupport, EscrowPaysFirstAndRevenueTheRest) {
    // An extension inside the cancel window is captured at once; the purchase is still held.
    ASSERT_TRUE(act(policy_, rental_, extend_event(24), after(5)).allowed);
    ASSERT_EQ(rental_.order.held_minor(), per_day_minor);
    ASSERT_EQ(rental_.order.captured_minor, per_day_minor);
    const Decision decision = act(policy_, rental_, support_refund_event("provider_error", 700), after(6));
    ASSERT_TRUE(decision.allowed) << decision.message;
    EXPECT_EQ(decision.moves,
              (std::vector<MoneyMove>{{MoveKind::refund, per_day_minor}, {MoveKind::refund_captured, 200}}));
    EXPECT_EQ(rental_.order.held_minor(), 0);
    EXPECT_EQ(rental_.order.refundable_from_revenue_minor(), 300);
}

TEST_F(OtpDeskSupport, AllowedAfterACodeAndAfterEveryWindowWhileSomethingIsLeft) {
    Life completed = delivered();
    ASSERT_TRUE(act(policy_, completed, timer_event("expire"), after(20)).allowed);
    ASSERT_EQ(completed.order.state, "completed");
    const Decision late =
        act(policy_, completed, support_refund_event("number_already_registered"), after_hours(24 * 30));
    ASSERT_TRUE(late.allowed) << late.message;
    EXPECT_EQ(late.moves, refund_captured(telegram_us_minor)) << "a final order refunds out of revenue only";
    EXPECT_EQ(completed.order.state, "completed");

    ASSERT_TRUE(act(policy_, rental_, timer_event("capture"), after(20)).allowed);
    ASSERT_TRUE(act(policy_, rental_, timer_event("end"), after_hours(24)).allowed);
    ASSERT_EQ(rental_.order.state, "ended");
    const Decision ended =
        policy_.decide(rental_.order, support_refund_event("wrong_code", 1), at_time(after_hours(48)));
    ASSERT_TRUE(ended.allowed) << ended.message;
    EXPECT_EQ(ended.moves, refund_captured(1));
}

TEST_F(OtpDeskSupport, AnOrderRefundedInFullHasNothingToRefund) {
    ASSERT_TRUE(act(policy_, activation_, cancel_event(), after(2)).allowed);
    ASSERT_EQ(activation_.order.state, "cancelled");
    const Decision decision =
        policy_.decide(activation_.order, support_refund_event("provider_error"), at_time(after(3)));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "nothing_to_refund");
}

TEST_F(OtpDeskSupport, AReasonOutsideTheListIsUnknownReason) {
    for (const char* reason : {"goodwill", "", "Provider_Error"}) {
        const Decision decision = policy_.decide(activation_.order, support_refund_event(reason), at_time(after(1)));
        EXPECT_FALSE(decision.allowed) << reason;
        EXPECT_EQ(decision.code, "unknown_reason") << reason;
        EXPECT_TRUE(is_request_refusal(decision.code));
    }
    Event without = support_refund_event("provider_error");
    without.text.erase("reason");
    EXPECT_EQ(policy_.decide(activation_.order, without, at_time(after(1))).code, "unknown_reason");
}

TEST_F(OtpDeskSupport, TheReasonListIsTheConfigurationInForce) {
    configure_or_fail(policy_, test_config() + "[support]\nrefund_reasons = [\"goodwill\"]\n");
    EXPECT_TRUE(policy_.decide(activation_.order, support_refund_event("goodwill"), at_time(after(1))).allowed);
    const Decision old = policy_.decide(activation_.order, support_refund_event("provider_error"), at_time(after(1)));
    EXPECT_EQ(old.code, "unknown_reason");
    EXPECT_THAT(old.message, HasSubstr("goodwill"));
}

TEST_F(OtpDeskSupport, AnAmountThatIsNoAmountIsInvalidAmount) {
    for (const MinorUnits amount : {MinorUnits{0}, MinorUnits{-1}, std::numeric_limits<MinorUnits>::min()}) {
        const Decision decision =
            policy_.decide(activation_.order, support_refund_event("provider_error", amount), at_time(after(1)));
        EXPECT_EQ(decision.code, "invalid_amount") << amount;
    }
    EXPECT_EQ(policy_
                  .decide(activation_.order,
                          support_refund_event("provider_error", std::numeric_limits<MinorUnits>::max()),
                          at_time(after(1)))
                  .code,
              "refund_exceeds_charge");
}

// After a partial support refund, the code captures only what escrow still holds; after a full
// one, the code captures nothing and the expiry refunds nothing, and both still change the state.
TEST_F(OtpDeskSupport, LaterCapturesAndRefundsMoveOnlyWhatEscrowStillHolds) {
    Life partly = activation_;
    ASSERT_TRUE(act(policy_, partly, support_refund_event("provider_error", 100), after(1)).allowed);
    const Decision code = act(policy_, partly, message_event("telegram"), after(3));
    ASSERT_TRUE(code.allowed) << code.message;
    EXPECT_EQ(code.moves, (std::vector<MoneyMove>{{MoveKind::capture, 150}}));
    EXPECT_EQ(partly.order.state, "delivered");

    Life fully = activation_;
    ASSERT_TRUE(act(policy_, fully, support_refund_event("provider_error"), after(1)).allowed);
    Life fully_then_code = fully;
    const Decision code_on_nothing = act(policy_, fully_then_code, message_event("telegram"), after(3));
    ASSERT_TRUE(code_on_nothing.allowed) << code_on_nothing.message;
    EXPECT_TRUE(code_on_nothing.moves.empty()) << "never a move of 0";
    EXPECT_EQ(code_on_nothing.outcome, "delivered");
    const Decision expiry = act(policy_, fully, timer_event("expire"), after(20));
    ASSERT_TRUE(expiry.allowed) << expiry.message;
    EXPECT_TRUE(expiry.moves.empty()) << "never a move of 0";
    EXPECT_EQ(expiry.new_state, "expired");
    EXPECT_EQ(expiry.outcome, "not_delivered");

    ASSERT_TRUE(act(policy_, rental_, support_refund_event("provider_error", 200), after(1)).allowed);
    const Decision cancel = policy_.decide(rental_.order, cancel_event(), at_time(after(19, 59, 999)));
    ASSERT_TRUE(cancel.allowed) << cancel.message;
    EXPECT_EQ(cancel.moves, refund(300));
    const Decision capture = act(policy_, rental_, timer_event("capture"), after(20));
    ASSERT_TRUE(capture.allowed) << capture.message;
    EXPECT_EQ(capture.moves, (std::vector<MoneyMove>{{MoveKind::capture, 300}}));
}

TEST_F(OtpDeskSupport, DisputeNeedsEvidenceFromExactlyTheThresholdOn) {
    const Event without = dispute_opened_event(false);
    const Decision below = policy_.decide(activation_.order, without, with_history(after(1), 1, 0));
    ASSERT_TRUE(below.allowed) << below.message;
    EXPECT_TRUE(below.moves.empty() && below.new_state.empty() && below.outcome.empty());
    for (const auto& [refunds, disputes] : {std::pair{2, 0}, std::pair{1, 1}, std::pair{0, 2}, std::pair{7, 3}}) {
        const Decision at = policy_.decide(activation_.order, without, with_history(after(1), refunds, disputes));
        EXPECT_FALSE(at.allowed) << refunds << "+" << disputes;
        EXPECT_EQ(at.code, "evidence_required") << refunds << "+" << disputes;
        EXPECT_TRUE(is_request_refusal(at.code));
        EXPECT_THAT(at.message, HasSubstr(std::to_string(refunds) + " support refunds and " + std::to_string(disputes) +
                                          " disputes"));
        EXPECT_TRUE(
            policy_.decide(activation_.order, dispute_opened_event(true), with_history(after(1), refunds, disputes))
                .allowed);
    }
}

TEST_F(OtpDeskSupport, EvidenceThresholdZeroAlwaysRequiresEvidence) {
    configure_or_fail(policy_, test_config() + "[disputes]\nevidence_required_after = 0\n");
    EXPECT_EQ(policy_.decide(activation_.order, dispute_opened_event(false), with_history(after(1), 0, 0)).code,
              "evidence_required");
    EXPECT_TRUE(policy_.decide(activation_.order, dispute_opened_event(true), with_history(after(1), 0, 0)).allowed);
}

TEST_F(OtpDeskSupport, DisputeOnAnOrderRefundedInFullIsNothingToDispute) {
    Life life = delivered();
    ASSERT_TRUE(act(policy_, activation_, support_refund_event("provider_error"), after(1)).allowed);
    const Decision decision = policy_.decide(activation_.order, dispute_opened_event(true), at_time(after(2)));
    EXPECT_FALSE(decision.allowed);
    EXPECT_EQ(decision.code, "nothing_to_dispute");
    // After the code, in any state: a dispute is for what went wrong.
    EXPECT_TRUE(policy_.decide(life.order, dispute_opened_event(false), at_time(after_hours(100))).allowed);
}

TEST_F(OtpDeskSupport, DisputeResolvedWithARefundSplitsLikeASupportRefund) {
    ASSERT_TRUE(act(policy_, rental_, extend_event(24), after(5)).allowed);
    const Decision over = policy_.decide(rental_.order, dispute_resolved_event("refund", 1001), at_time(after(6)));
    EXPECT_EQ(over.code, "refund_exceeds_charge");
    const Decision exact = act(policy_, rental_, dispute_resolved_event("refund", 1000), after(6));
    ASSERT_TRUE(exact.allowed) << exact.message;
    EXPECT_EQ(exact.moves,
              (std::vector<MoneyMove>{{MoveKind::refund, per_day_minor}, {MoveKind::refund_captured, per_day_minor}}));
    EXPECT_TRUE(exact.new_state.empty() && exact.outcome.empty());
    EXPECT_EQ(policy_.decide(rental_.order, dispute_resolved_event("refund", 1), at_time(after(7))).code,
              "nothing_to_refund");
    EXPECT_TRUE(policy_.decide(rental_.order, dispute_resolved_event("reject"), at_time(after(7))).allowed)
        << "a rejection is always possible";
}

TEST_F(OtpDeskSupport, DisputeResolutionDenials) {
    const Decision reject = policy_.decide(activation_.order, dispute_resolved_event("reject"), at_time(after(1)));
    ASSERT_TRUE(reject.allowed) << reject.message;
    EXPECT_TRUE(reject.moves.empty());
    EXPECT_EQ(policy_.decide(activation_.order, dispute_resolved_event("refund"), at_time(after(1))).code,
              "invalid_amount");
    EXPECT_EQ(policy_.decide(activation_.order, dispute_resolved_event("refund", 0), at_time(after(1))).code,
              "invalid_amount");
    EXPECT_EQ(policy_.decide(activation_.order, dispute_resolved_event("refund", -5), at_time(after(1))).code,
              "invalid_amount");
    EXPECT_EQ(policy_.decide(activation_.order, dispute_resolved_event("partial", 5), at_time(after(1))).code,
              "invalid_resolution");
    Event without = dispute_resolved_event("reject");
    without.text.clear();
    EXPECT_EQ(policy_.decide(activation_.order, without, at_time(after(1))).code, "invalid_resolution");
    const Decision some = policy_.decide(activation_.order, dispute_resolved_event("refund", 1), at_time(after(1)));
    ASSERT_TRUE(some.allowed) << some.message;
    EXPECT_EQ(some.moves, refund(1));
}

}  // namespace
}  // namespace otpdesk::testing
