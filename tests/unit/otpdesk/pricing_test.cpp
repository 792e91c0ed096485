// Prices: service + country, else the service default, else the global default; rentals
// prorated per hour and rounded up, integers only.
#include <gtest/gtest.h>

#include <limits>
#include <optional>

#include "order_life.hpp"
#include "pricing.hpp"

namespace otpdesk::testing {
namespace {

class OtpDeskPricing : public ::testing::Test {
protected:
    void SetUp() override { configure_or_fail(policy_); }

    [[nodiscard]] MinorUnits price(const std::string& service, const std::string& country) const {
        const Quote quote = policy_.quote(activation_request(service, country), at_time(t0));
        EXPECT_TRUE(quote.allowed) << quote.code << ": " << quote.message;
        return quote.price_minor;
    }

    OtpDeskPolicy policy_;
};

TEST_F(OtpDeskPricing, ServiceAndCountryPriceWins) {
    EXPECT_EQ(price("telegram", "us"), 250);
    EXPECT_EQ(price("telegram", "gb"), 200);
    EXPECT_EQ(price("whatsapp", "us"), 300);
}

TEST_F(OtpDeskPricing, ServiceDefaultForACountryWithoutItsOwnPrice) { EXPECT_EQ(price("telegram", "de"), 120); }

TEST_F(OtpDeskPricing, GlobalDefaultForAnUnlistedServiceOrAServiceWithoutDefault) {
    EXPECT_EQ(price("viber", "us"), 150);
    EXPECT_EQ(price("whatsapp", "de"), 150) << "whatsapp lists countries but no default";
}

TEST_F(OtpDeskPricing, LookupIgnoresTheCaseOfWhatTheCustomerTyped) { EXPECT_EQ(price("TELEGRAM", "Us"), 250); }

TEST_F(OtpDeskPricing, FreeIsAPriceAndMovesNothing) {
    OtpDeskPolicy policy;
    std::string text = test_config();
    text.replace(text.find("default_minor = 150"), 19, "default_minor = 0");
    configure_or_fail(policy, text);
    Life life = purchase(policy, activation_request("viber", "us"), t0);
    EXPECT_EQ(life.order.price_minor, 0);
    const Decision cancel = act(policy, life, cancel_event(), after(3));
    ASSERT_TRUE(cancel.allowed) << cancel.message;
    EXPECT_TRUE(cancel.moves.empty()) << "a move is always > 0";
    EXPECT_EQ(cancel.new_state, "cancelled");
}

TEST(OtpDeskRentalPrice, IsPerDayProratedPerHourRoundedUp) {
    EXPECT_EQ(rental_price_minor(500, 24), 500);
    EXPECT_EQ(rental_price_minor(500, 25), 521);  // 520.83...
    EXPECT_EQ(rental_price_minor(480, 25), 500);  // exactly 500
    EXPECT_EQ(rental_price_minor(1, 24), 1);
    EXPECT_EQ(rental_price_minor(1, 25), 2);  // 1.04... rounds up to a whole unit
    EXPECT_EQ(rental_price_minor(0, 1344), 0);
    EXPECT_EQ(rental_price_minor(500, 1344), 28000);
}

TEST(OtpDeskRentalPrice, RefusesWhatDoesNotFitInsteadOfOverflowing) {
    constexpr std::int64_t max = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(rental_price_minor(max, 2), std::nullopt);
    EXPECT_EQ(rental_price_minor(max, 1), (max / 24) + 1);
    EXPECT_EQ(rental_price_minor(-1, 24), std::nullopt);
    EXPECT_EQ(rental_price_minor(500, -24), std::nullopt);
}

}  // namespace
}  // namespace otpdesk::testing
