// Support refunds through the HTTP API: POST /v1/orders/{id}/refunds with the support
// key and an Idempotency-Key, a reason from the tenant's list (config/otpdesk.toml [support]),
// an optional amount (default: all that is left) and note. Allowed after a code and after the
// windows closed; partial refunds add up to at most the charge; after a capture the money comes
// back out of revenue. The policy decides (plugins/otpdesk/README.md), the host records.
#include <gtest/gtest.h>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

using SupportRefundTest = OtpDeskTest;

std::string refund_body(const std::string& reason, std::optional<std::int64_t> amount_minor = std::nullopt,
                        const std::string& note = "") {
    return case_body("reason", reason, amount_minor, note);
}

// An activation with a code delivered at 0:30 (captured), its window run out at 20:00.
std::string completed_activation(TenantApi& api, const std::string& account) {
    std::string id = api.new_activation(account);
    const UtcMs created = api.created_at(id);
    api.move_clock_to(at(created, 0, 30));
    api.message(id, "telegram").expect(200);
    api.move_clock_to(at(created, 20));
    return id;
}

TEST_F(SupportRefundTest, ADeliveredAndCompletedActivationIsRefundedInFullOutOfRevenue) {
    const std::string id = completed_activation(api(), account_);
    ASSERT_EQ(order(id)["state"].str(), "completed");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    const Response refunded = api().refund(id, refund_body("provider_error", std::nullopt, "code never worked"));
    ASSERT_EQ(refunded.status, 200) << refunded.describe();
    const Json after = refunded.json();
    EXPECT_EQ(after["state"].str(), "completed") << "a support refund changes money, not the order's story";
    EXPECT_EQ(after["outcome"].str(), "delivered");
    EXPECT_EQ(after["captured_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(after["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(balance(), deposit_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2].kind, "refund_captured");
    EXPECT_EQ(rows[2].direction, "credit");
    EXPECT_EQ(rows[2].amount_minor, telegram_us_minor);

    // The history says who refunded, why, and how much.
    const Json events = api().events(id).expect(200).json()["data"];
    const Json last = events[events.size() - 1];
    EXPECT_EQ(last["type"].str(), "support_refund");
    EXPECT_EQ(last["actor"].str(), "support");
    EXPECT_EQ(last["request"]["text"]["reason"].str(), "provider_error");
    EXPECT_EQ(last["request"]["text"]["note"].str(), "code never worked");
}

TEST_F(SupportRefundTest, PartialRefundsAddUpToExactlyTheChargeAndNotOneMinorUnitMore) {
    const std::string id = completed_activation(api(), account_);
    ASSERT_EQ(api().refund(id, refund_body("wrong_code", 100)).status, 200);
    // 150 left: 151 is refused, exactly 150 goes through, then nothing is left.
    const Response too_much = api().refund(id, refund_body("wrong_code", 151));
    EXPECT_TRUE(denied(too_much, "refund_exceeds_charge")) << too_much.describe();
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);
    const Response rest = api().refund(id, refund_body("requires_2fa", 150));
    ASSERT_EQ(rest.status, 200) << rest.describe();
    EXPECT_EQ(rest.json()["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_TRUE(denied(api().refund(id, refund_body("wrong_code", 1)), "nothing_to_refund"));
    EXPECT_TRUE(denied(api().refund(id, refund_body("wrong_code")), "nothing_to_refund"));
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), 4U) << "deposit, purchase and the two refunds";
}

TEST_F(SupportRefundTest, APartialRefundOfAnOpenActivationLeavesTheRestToItsExpiry) {
    const std::string id = api().new_activation(account_);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 1));
    const Response partial = api().refund(id, refund_body("number_already_registered", 100));
    ASSERT_EQ(partial.status, 200) << partial.describe();
    EXPECT_EQ(partial.json()["state"].str(), "active");
    EXPECT_EQ(partial.json()["held_minor"].i64(), telegram_us_minor - 100) << "refunded out of escrow first";
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);

    // No code by 20:00: the expiry refunds what escrow still holds, not the whole price again.
    api().move_clock_to(at(created, 20));
    const Json expired = order(id);
    EXPECT_EQ(expired["state"].str(), "expired");
    EXPECT_EQ(expired["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(expired["held_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(SupportRefundTest, ARentalIsRefundedBySupportAfterItsCancelWindowClosed) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 20));  // captured at 20:00: the customer may no longer cancel
    EXPECT_TRUE(denied(api().cancel(id), "cancel_window_closed"));
    const Response refunded = api().refund(id, refund_body("provider_error", 200));
    ASSERT_EQ(refunded.status, 200) << refunded.describe();
    EXPECT_EQ(refunded.json()["captured_minor"].i64(), rental_day_minor);
    EXPECT_EQ(refunded.json()["refunded_minor"].i64(), 200);
    EXPECT_EQ(balance(), deposit_minor - rental_day_minor + 200);
    EXPECT_EQ(transfers().back().kind, "refund_captured");
}

TEST_F(SupportRefundTest, AReasonTheTenantDoesNotListIs422AndChangesNothing) {
    const std::string id = completed_activation(api(), account_);
    const std::size_t events_before = api().events(id).expect(200).json()["data"].size();
    EXPECT_TRUE(refused(api().refund(id, refund_body("goodwill")), "unknown_reason"));
    // Not a reason name at all, no reason, a zero or negative amount, an unknown member: the
    // host refuses them before the policy sees them.
    EXPECT_TRUE(refused(api().refund(id, refund_body("Provider Error")), "validation_failed"));
    EXPECT_TRUE(refused(api().refund(id, R"({"amount_minor":10})"), "validation_failed"));
    EXPECT_TRUE(refused(api().refund(id, refund_body("provider_error", 0)), "validation_failed"));
    EXPECT_TRUE(refused(api().refund(id, refund_body("provider_error", -5)), "validation_failed"));
    EXPECT_TRUE(refused(api().refund(id, R"({"reason":"provider_error","currency":"USD"})"), "validation_failed"));
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    EXPECT_EQ(api().events(id).expect(200).json()["data"].size(), events_before);
}

TEST_F(SupportRefundTest, OnlySupportMayRefund) {
    const std::string id = completed_activation(api(), account_);
    const std::string target = "/v1/orders/" + id + "/refunds";
    const std::string body = refund_body("provider_error");
    EXPECT_EQ(http().post(target, body, {api().keys().service, fresh_key(), ""}).status, 403);
    EXPECT_EQ(http().post(target, body, {api().keys().admin, fresh_key(), ""}).status, 403);
    EXPECT_EQ(http().post(target, body, {"", fresh_key(), ""}).status, 401);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    EXPECT_EQ(http().post(target, body, {api().keys().support, fresh_key(), ""}).status, 200);
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(SupportRefundTest, ARetryWithItsKeyReplaysAndRefundsOnce) {
    const std::string id = completed_activation(api(), account_);
    const std::string key = fresh_key();
    const Response first = api().refund(id, refund_body("provider_error", 100), key);
    ASSERT_EQ(first.status, 200) << first.describe();
    const Response again = api().refund(id, refund_body("provider_error", 100), key);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.header("idempotent-replayed"), "true");
    EXPECT_EQ(again.body, first.body);
    EXPECT_TRUE(refused(api().refund(id, refund_body("provider_error", 50), key), "idempotency_key_reused"));
    const Response no_key = api().refund(id, refund_body("provider_error", 100), std::nullopt);
    EXPECT_EQ(no_key.status, 400) << no_key.describe();
    EXPECT_EQ(no_key.problem_code(), "idempotency_key_required");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor + 100);
}

TEST_F(SupportRefundTest, AnotherTenantsOrderIsNotFound) {
    const std::string id = completed_activation(api(), account_);
    TenantApi other(http(), new_tenant("other storefront"));
    const Response refused_other = other.refund(id, refund_body("provider_error"));
    EXPECT_EQ(refused_other.status, 404) << refused_other.describe();
    EXPECT_EQ(refused_other.problem_code(), "order_not_found");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
}

}  // namespace
}  // namespace billing::integration
