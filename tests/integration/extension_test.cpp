// Rental extensions through the HTTP API: POST /v1/orders/{id}/extend {"hours"} with
// the service key and an Idempotency-Key. Priced from the rental's pinned day price (ceil(hours
// × 500 / 24) with config/otpdesk.toml), charged and captured at once (never refundable), only
// while the rental is active, the total at most its pinned longest term (1344 h = 8 weeks).
#include <gtest/gtest.h>

#include "otpdesk_fixture.hpp"

namespace billing::integration {
namespace {

using ExtensionTest = OtpDeskTest;

constexpr std::int64_t max_hours = 1344;

TEST_F(ExtensionTest, AnExtensionIsChargedAndCapturedAtOnceAndMovesTheEnd) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 30));
    const Response extended = api().extend(id, 24);
    ASSERT_EQ(extended.status, 200) << extended.describe();
    const Json after = extended.json();
    EXPECT_EQ(after["state"].str(), "active");
    EXPECT_EQ(after["terms"]["duration_ms"].i64(), 48 * hour_ms);
    EXPECT_EQ(after["charged_minor"].i64(), 2 * rental_day_minor);
    EXPECT_EQ(after["captured_minor"].i64(), 2 * rental_day_minor) << "the purchase at 20:00, the extension at once";
    EXPECT_EQ(after["held_minor"].i64(), 0);
    EXPECT_EQ(balance(), deposit_minor - 2 * rental_day_minor);
    const auto rows = transfers();
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[2].kind, "charge");
    EXPECT_EQ(rows[2].amount_minor, rental_day_minor);

    // The rental now ends at 48:00, not at 24:00.
    api().move_clock_to(created + 48 * hour_ms - 1);
    EXPECT_EQ(order(id)["state"].str(), "active");
    api().message(id, "telegram").expect(200);
    api().move_clock_to(created + 48 * hour_ms);
    EXPECT_EQ(order(id)["state"].str(), "ended");
    EXPECT_EQ(balance(), deposit_minor - 2 * rental_day_minor);

    const Json events = api().events(id).expect(200).json()["data"];
    bool saw_extend = false;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i]["type"].str() != "extend") continue;
        saw_extend = true;
        EXPECT_EQ(events[i]["request"]["numbers"]["hours"].i64(), 24);
    }
    EXPECT_TRUE(saw_extend) << events.dump();
}

TEST_F(ExtensionTest, ExtensionsArePricedPerHourRoundedUp) {
    const std::string id = api().new_rental(account_, 24);
    std::int64_t spent = rental_day_minor;
    // ceil(1 × 500 / 24) = 21, ceil(25 × 500 / 24) = 521
    for (const auto& [hours, price] : {std::pair<std::int64_t, std::int64_t>{1, 21}, {25, 521}}) {
        const Response extended = api().extend(id, hours);
        ASSERT_EQ(extended.status, 200) << extended.describe();
        spent += price;
        EXPECT_EQ(extended.json()["charged_minor"].i64(), spent) << hours << " h";
    }
    EXPECT_EQ(balance(), deposit_minor - spent);
}

TEST_F(ExtensionTest, TheTotalMayReachEightWeeksAndNotOneHourMore) {
    const std::string id = api().new_rental(account_, max_hours - 24);
    const std::int64_t price = order(id)["price_minor"].i64();
    const Response to_the_limit = api().extend(id, 24);
    ASSERT_EQ(to_the_limit.status, 200) << to_the_limit.describe();
    EXPECT_EQ(to_the_limit.json()["terms"]["duration_ms"].i64(), max_hours * hour_ms);
    EXPECT_TRUE(denied(api().extend(id, 1), "extension_too_long"));
    EXPECT_EQ(balance(), deposit_minor - price - rental_day_minor);
    EXPECT_EQ(transfers().size(), 3U);
}

TEST_F(ExtensionTest, ACancelInsideTheWindowRefundsThePurchaseButNotTheExtension) {
    const std::string id = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(id);
    api().move_clock_to(at(created, 5));
    api().extend(id, 24).expect(200);
    api().move_clock_to(at(created, 19, 59, 999));
    const Response cancelled = api().cancel(id);
    ASSERT_EQ(cancelled.status, 200) << cancelled.describe();
    EXPECT_EQ(cancelled.json()["state"].str(), "cancelled");
    EXPECT_EQ(cancelled.json()["refunded_minor"].i64(), rental_day_minor);
    EXPECT_EQ(cancelled.json()["captured_minor"].i64(), rental_day_minor);
    EXPECT_EQ(balance(), deposit_minor - rental_day_minor) << "the extension is never refundable";
}

TEST_F(ExtensionTest, OnlyAnActiveRentalIsExtended) {
    const std::string activation = api().new_activation(account_);
    EXPECT_TRUE(denied(api().extend(activation, 24), "not_extendable"));

    const std::string rental = api().new_rental(account_, 24);
    const UtcMs created = api().created_at(rental);
    api().move_clock_to(created + 24 * hour_ms - 1);
    ASSERT_EQ(api().extend(rental, 1).status, 200) << "the last millisecond still counts";
    api().move_clock_to(created + 25 * hour_ms);
    ASSERT_EQ(order(rental)["state"].str(), "ended");
    EXPECT_TRUE(denied(api().extend(rental, 1), "order_closed"));

    const std::string cancelled = api().new_rental(account_, 24);
    api().cancel(cancelled).expect(200);
    EXPECT_TRUE(denied(api().extend(cancelled, 24), "order_closed"));
    // The activation expired unused (refunded), the cancelled rental was refunded: what is spent
    // is the ended rental and its one-hour extension.
    EXPECT_EQ(balance(), deposit_minor - rental_day_minor - 21);
}

TEST_F(ExtensionTest, BadHoursAndAnEmptyPurseChangeNothing) {
    const std::string id = api().new_rental(account_, 24);
    for (const std::string body :
         {R"({"hours":0})", R"({"hours":-1})", R"({"hours":1.5})", R"({})", R"({"hours":24,"price":1})"}) {
        const Response refused_body =
            http().post("/v1/orders/" + id + "/extend", body, {api().keys().service, fresh_key(), ""});
        EXPECT_TRUE(refused(refused_body, "validation_failed")) << body;
    }
    // A customer who cannot pay for the extension: 409 insufficient_funds, as for a purchase.
    const std::string poor = api().new_account(rental_day_minor);
    const std::string small = api().new_rental(poor, 24);
    const Response unpaid = api().extend(small, 24);
    EXPECT_EQ(unpaid.status, 409) << unpaid.describe();
    EXPECT_EQ(unpaid.problem_code(), "insufficient_funds");
    EXPECT_EQ(api().balance(poor), 0);
    EXPECT_EQ(order(small)["charged_minor"].i64(), rental_day_minor);
    EXPECT_EQ(order(small)["terms"]["duration_ms"].i64(), 24 * hour_ms);
    EXPECT_EQ(balance(), deposit_minor - rental_day_minor);
}

TEST_F(ExtensionTest, ARetryWithItsKeyChargesOnceAndSupportCannotExtend) {
    const std::string id = api().new_rental(account_, 24);
    const std::string key = fresh_key();
    const Response first = api().extend(id, 24, key);
    ASSERT_EQ(first.status, 200) << first.describe();
    const Response again = api().extend(id, 24, key);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.header("idempotent-replayed"), "true");
    EXPECT_EQ(balance(), deposit_minor - 2 * rental_day_minor);
    const Response by_support =
        http().post("/v1/orders/" + id + "/extend", R"({"hours":24})", {api().keys().support, fresh_key(), ""});
    EXPECT_EQ(by_support.status, 403) << by_support.describe();
    EXPECT_EQ(balance(), deposit_minor - 2 * rental_day_minor);
}

}  // namespace
}  // namespace billing::integration
