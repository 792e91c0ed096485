// OTPDesk activations through the HTTP API and the test clock (plugins/otpdesk/README.md): the
// cancel window from 2:00 to 20:00, a code captures the charge and ends the right to cancel,
// no code by 20:00 refunds automatically. Every boundary is tried on both sides, to the ms.
#include <gtest/gtest.h>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

using ActivationTest = OtpDeskTest;

TEST_F(ActivationTest, PurchaseChargesThePriceIntoEscrowAndPinsTheTerms) {
    const UtcMs now = api().clock_now();
    const Response bought = api().buy_activation(account_, "Telegram", "US");
    ASSERT_EQ(bought.status, 201) << bought.describe();
    const Json order = bought.json();
    EXPECT_EQ(order["product"].str(), "activation");
    EXPECT_EQ(order["state"].str(), "active");
    EXPECT_FALSE(order["final"].boolean());
    EXPECT_TRUE(order["outcome"].is_null());
    EXPECT_EQ(order["attributes"]["service"].str(), "telegram");
    EXPECT_EQ(order["attributes"]["country"].str(), "us");
    EXPECT_EQ(order["terms"]["window_ms"].i64(), window_ms);
    EXPECT_EQ(order["terms"]["cancel_from_ms"].i64(), cancel_from_ms);
    EXPECT_EQ(order["price_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(order["charged_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(order["held_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(order["captured_minor"].i64(), 0);
    EXPECT_EQ(order["refunded_minor"].i64(), 0);
    EXPECT_EQ(parse_rfc3339(order["created_at"].str()), now) << "an order is bought at its tenant's test clock";
    EXPECT_TRUE(cancel_denied(order, "cancel_too_early", at(now, 2)));
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[1].kind, "purchase");
    EXPECT_EQ(rows[1].direction, "debit");
    EXPECT_EQ(rows[1].amount_minor, telegram_us_minor);
    EXPECT_EQ(rows[1].order_id, order["id"].str());
}

TEST_F(ActivationTest, PricesComeFromTheServiceAndCountry) {
    struct Case {
        const char* service;
        const char* country;
        std::int64_t price_minor;
    };
    // config/otpdesk.toml: telegram us 250, gb 200, else 120; whatsapp us 300, else 180;
    // any other service 150.
    const Case cases[] = {{"telegram", "us", 250}, {"telegram", "gb", 200}, {"telegram", "de", 120},
                          {"whatsapp", "us", 300}, {"whatsapp", "fr", 180}, {"discord", "us", 150}};
    std::int64_t spent = 0;
    for (const Case& c : cases) {
        const Response bought = api().buy_activation(account_, c.service, c.country);
        ASSERT_EQ(bought.status, 201) << bought.describe();
        EXPECT_EQ(bought.json()["price_minor"].i64(), c.price_minor) << c.service << " " << c.country;
        spent += c.price_minor;
    }
    EXPECT_EQ(balance(), deposit_minor - spent);
}

TEST_F(ActivationTest, CancelAt1m59s999IsTooEarlyAndAt2m00sRefundsInFull) {
    const std::string id = api().new_activation(account_);
    const UtcMs created = api().created_at(id);

    api().move_clock_to(at(created, 1, 59, 999));
    EXPECT_TRUE(cancel_denied(order(id), "cancel_too_early", at(created, 2)));
    const Response early = api().cancel(id);
    EXPECT_TRUE(denied(early, "cancel_too_early", at(created, 2)));
    EXPECT_EQ(order(id)["state"].str(), "active");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    api().move_clock_to(at(created, 2));
    EXPECT_TRUE(cancel_allowed(order(id)));
    const Response cancelled = api().cancel(id);
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
    const Json after = cancelled.json();
    EXPECT_EQ(after["state"].str(), "cancelled");
    EXPECT_TRUE(after["final"].boolean());
    EXPECT_EQ(after["outcome"].str(), "cancelled");
    EXPECT_EQ(after["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(after["held_minor"].i64(), 0);
    EXPECT_EQ(after["captured_minor"].i64(), 0);
    EXPECT_EQ(parse_rfc3339(after["closed_at"].str()), at(created, 2));
    EXPECT_TRUE(cancel_denied(after, "order_closed", std::nullopt));
    EXPECT_EQ(balance(), deposit_minor);

    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2].kind, "refund");
    EXPECT_EQ(rows[2].direction, "credit");
    EXPECT_EQ(rows[2].amount_minor, telegram_us_minor);
    EXPECT_EQ(rows[2].order_id, id);

    // A second cancel refunds nothing more, and the expiry timer was dropped with the cancel.
    EXPECT_TRUE(denied(api().cancel(id), "order_closed"));
    const Json later = api().move_clock_to(at(created, 20));
    EXPECT_EQ(later["timers"].size(), 0U) << later.dump();
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), 3U);
}

TEST_F(ActivationTest, CancelAt19m59s999RefundsAndAt20m00sTheOrderHasExpired) {
    const std::string last_chance = api().new_activation(account_);
    const std::string too_late = api().new_activation(account_);
    const UtcMs created = api().created_at(last_chance);
    ASSERT_EQ(api().created_at(too_late), created);

    api().move_clock_to(at(created, 19, 59, 999));
    EXPECT_TRUE(cancel_allowed(order(last_chance)));
    EXPECT_TRUE(cancel_allowed(order(too_late)));
    const Response cancelled = api().cancel(last_chance);
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
    EXPECT_EQ(cancelled.json()["state"].str(), "cancelled");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    const Json moved = api().move_clock_to(at(created, 20));
    EXPECT_EQ(moved["applied"].i64(), 1) << moved.dump();
    const Json expired = order(too_late);
    EXPECT_EQ(expired["state"].str(), "expired");
    EXPECT_TRUE(cancel_denied(expired, "order_closed", std::nullopt));
    EXPECT_TRUE(denied(api().cancel(too_late), "order_closed"));
    // Both refunded once: one by the cancel, one by the expiry.
    EXPECT_EQ(balance(), deposit_minor);
    EXPECT_EQ(transfers().size(), 5U);
}

TEST_F(ActivationTest, ACodeCapturesTheChargeAndEndsTheRightToCancel) {
    const std::string id = api().new_activation(account_);
    const UtcMs created = api().created_at(id);

    api().move_clock_to(at(created, 0, 30));
    const Response code = api().message(id, "telegram");
    ASSERT_EQ(code.status, 200) << code.describe();
    const Json delivered = code.json();
    EXPECT_EQ(delivered["state"].str(), "delivered");
    EXPECT_FALSE(delivered["final"].boolean());
    EXPECT_EQ(delivered["outcome"].str(), "delivered");
    EXPECT_EQ(delivered["captured_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(delivered["held_minor"].i64(), 0);
    EXPECT_EQ(delivered["attributes"]["codes_received"].str(), "1");
    EXPECT_EQ(delivered["attributes"]["first_code_at_ms"].str(), std::to_string(at(created, 0, 30)));
    // Before 2:00 the code already beats "too early": code_already_delivered never becomes
    // possible, so it carries no available_at.
    EXPECT_TRUE(cancel_denied(delivered, "code_already_delivered", std::nullopt));

    api().move_clock_to(at(created, 2));
    EXPECT_TRUE(cancel_denied(order(id), "code_already_delivered", std::nullopt));
    EXPECT_TRUE(denied(api().cancel(id), "code_already_delivered"));
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    // More codes from the same service are fine and move no money.
    const Response second = api().message(id, "telegram");
    ASSERT_EQ(second.status, 200) << second.describe();
    EXPECT_EQ(second.json()["attributes"]["codes_received"].str(), "2");
    EXPECT_EQ(second.json()["captured_minor"].i64(), telegram_us_minor);

    const Json last_ms = api().move_clock_to(at(created, 19, 59, 999));
    EXPECT_EQ(last_ms["applied"].i64(), 0);
    EXPECT_EQ(order(id)["state"].str(), "delivered");

    const Json end = api().move_clock_to(at(created, 20));
    ASSERT_EQ(end["timers"].size(), 1U) << end.dump();
    EXPECT_EQ(end["timers"][0]["timer"].str(), "expire");
    EXPECT_EQ(end["timers"][0]["state"].str(), "completed");
    const Json completed = order(id);
    EXPECT_EQ(completed["state"].str(), "completed");
    EXPECT_TRUE(completed["final"].boolean());
    EXPECT_EQ(completed["outcome"].str(), "delivered");
    EXPECT_EQ(completed["captured_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(completed["refunded_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 2U) << "no refund: only the deposit and the purchase";
    EXPECT_EQ(rows[1].kind, "purchase");
}

TEST_F(ActivationTest, ACodeAt19m59s999CountsAndAt20m00sIsRefused) {
    const std::string in_time = api().new_activation(account_);
    const std::string late = api().new_activation(account_);
    const UtcMs created = api().created_at(in_time);

    api().move_clock_to(at(created, 19, 59, 999));
    const Response code = api().message(in_time, "telegram");
    ASSERT_EQ(code.status, 200) << code.describe();
    EXPECT_EQ(code.json()["captured_minor"].i64(), telegram_us_minor);

    api().move_clock_to(at(created, 20));
    EXPECT_TRUE(denied(api().message(late, "telegram"), "order_closed"));
    EXPECT_EQ(order(in_time)["state"].str(), "completed");
    const Json expired = order(late);
    EXPECT_EQ(expired["state"].str(), "expired");
    EXPECT_EQ(expired["outcome"].str(), "not_delivered");
    EXPECT_EQ(expired["captured_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
}

TEST_F(ActivationTest, NoCodeBy20m00sRefundsAutomatically) {
    const std::string id = api().new_activation(account_);
    const UtcMs created = api().created_at(id);

    const Json before = api().move_clock_to(at(created, 19, 59, 999));
    EXPECT_EQ(before["applied"].i64(), 0) << before.dump();
    EXPECT_EQ(order(id)["state"].str(), "active");
    EXPECT_EQ(order(id)["held_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);

    const Json moved = api().move_clock_to(at(created, 20));
    EXPECT_EQ(moved["applied"].i64(), 1);
    EXPECT_EQ(moved["failed"].i64(), 0);
    ASSERT_EQ(moved["timers"].size(), 1U) << moved.dump();
    const Json timer = moved["timers"][0];
    EXPECT_EQ(timer["order_id"].str(), id);
    EXPECT_EQ(timer["timer"].str(), "expire");
    EXPECT_EQ(timer["due_at"].str(), format_rfc3339(at(created, 20)));
    EXPECT_EQ(timer["result"].str(), "applied");
    EXPECT_EQ(timer["state"].str(), "expired");

    const Json expired = order(id);
    EXPECT_EQ(expired["state"].str(), "expired");
    EXPECT_TRUE(expired["final"].boolean());
    EXPECT_EQ(expired["outcome"].str(), "not_delivered");
    EXPECT_EQ(expired["refunded_minor"].i64(), telegram_us_minor);
    EXPECT_EQ(expired["held_minor"].i64(), 0);
    EXPECT_EQ(parse_rfc3339(expired["closed_at"].str()), at(created, 20));
    EXPECT_EQ(balance(), deposit_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2].kind, "refund");
    EXPECT_EQ(rows[2].amount_minor, telegram_us_minor);
    EXPECT_EQ(rows[2].order_id, id);

    // The expiry is recorded as a timer event decided at its due time.
    const Json events = api().events(id).expect(200).json()["data"];
    ASSERT_EQ(events.size(), 2U) << events.dump();
    EXPECT_EQ(events[1]["type"].str(), "timer");
    EXPECT_EQ(events[1]["timer"].str(), "expire");
    EXPECT_EQ(events[1]["decided_at"].str(), format_rfc3339(at(created, 20)));

    // Moving on runs nothing more.
    EXPECT_EQ(api().advance_seconds(3600).expect(200).json()["applied"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor);
}

TEST_F(ActivationTest, ACodeFromAnotherServiceIsRefusedAndChangesNothing) {
    const std::string id = api().new_activation(account_, "telegram");
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 5));

    EXPECT_TRUE(denied(api().message(id, "whatsapp"), "wrong_service"));
    const Json still = order(id);
    EXPECT_EQ(still["state"].str(), "active");
    EXPECT_EQ(still["captured_minor"].i64(), 0);
    EXPECT_FALSE(still["attributes"].has("codes_received"));
    EXPECT_TRUE(cancel_allowed(still));

    // A service name that is no name at all is the policy's refusal too.
    const Response malformed = api().message(id, "tele gram");
    EXPECT_EQ(malformed.status, 409) << malformed.describe();
    EXPECT_EQ(malformed.problem_code(), "invalid_attribute");

    // The right service still captures.
    ASSERT_EQ(api().message(id, "telegram").status, 200);
    EXPECT_EQ(order(id)["state"].str(), "delivered");
    EXPECT_EQ(balance(), deposit_minor - telegram_us_minor);
}

TEST_F(ActivationTest, APurchaseBeyondTheBalanceIsRefusedAndMovesNothing) {
    const std::string poor = api().new_account(telegram_us_minor - 1);
    const Response refused = api().buy_activation(poor);
    EXPECT_EQ(refused.status, 409) << refused.describe();
    EXPECT_EQ(refused.problem_code(), "insufficient_funds");
    EXPECT_EQ(api().balance(poor), telegram_us_minor - 1);
    EXPECT_EQ(api().orders("account_id=" + poor).expect(200).json()["data"].size(), 0U);
    EXPECT_EQ(api().transfers(poor).expect(200).json()["data"].size(), 1U);
}

TEST_F(ActivationTest, AQuoteTheProductRefusesIs422) {
    const Response no_country =
        api().buy(R"({"account_id":")" + account_ + R"(","product":"activation","attributes":{"service":"telegram"}})");
    EXPECT_EQ(no_country.status, 422) << no_country.describe();
    EXPECT_EQ(no_country.problem_code(), "missing_attribute");
    const Response unknown = api().buy(R"({"account_id":")" + account_ + R"(","product":"lease"})");
    EXPECT_EQ(unknown.status, 422) << unknown.describe();
    EXPECT_EQ(unknown.problem_code(), "unknown_product");
    EXPECT_EQ(balance(), deposit_minor);
}

}  // namespace
}  // namespace billing::integration
