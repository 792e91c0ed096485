// Terms are pinned at purchase: after a reconfiguration, old orders are still decided by the
// windows they were sold with; only new quotes get the new ones.
#include <gtest/gtest.h>

#include "order_life.hpp"

namespace otpdesk::testing {
namespace {

class OtpDeskTermsPinned : public ::testing::Test {
protected:
    void SetUp() override {
        configure_or_fail(policy_, test_config(1200, 120, 1200));
        old_activation_ = purchase(policy_, activation_request("telegram", "us"), t0);
        old_rental_ = purchase(policy_, rental_request(24), t0);
        // 30-minute windows from now on; cancel from 3 minutes.
        configure_or_fail(policy_, test_config(1800, 180, 1800));
    }

    [[nodiscard]] Decision decide(const Life& life, const Event& event, UtcMs now) const {
        return policy_.decide(life.order, event, at_time(now));
    }

    OtpDeskPolicy policy_;
    Life old_activation_;
    Life old_rental_;
};

TEST_F(OtpDeskTermsPinned, OldActivationIsDecidedByItsTwentyMinutes) {
    EXPECT_TRUE(decide(old_activation_, cancel_event(), after(2)).allowed) << "cancel from 2 min, not 3";
    EXPECT_EQ(decide(old_activation_, cancel_event(), after(20)).code, "order_closed");
    EXPECT_EQ(decide(old_activation_, message_event("telegram"), after(25)).code, "order_closed");
    const Decision expire = decide(old_activation_, timer_event("expire"), after(20));
    ASSERT_TRUE(expire.allowed) << expire.message;
    EXPECT_EQ(expire.outcome, "not_delivered");
}

TEST_F(OtpDeskTermsPinned, OldRentalIsDecidedByItsTwentyMinutes) {
    EXPECT_EQ(decide(old_rental_, cancel_event(), after(20)).code, "cancel_window_closed");
    EXPECT_TRUE(decide(old_rental_, timer_event("capture"), after(20)).allowed);
}

TEST_F(OtpDeskTermsPinned, NewQuotesGetThirtyMinutes) {
    Life fresh = purchase(policy_, activation_request("telegram", "us"), after(60));
    EXPECT_EQ(fresh.order.terms.at("window_ms"), 30 * ms_per_minute);
    EXPECT_EQ(fresh.order.terms.at("cancel_from_ms"), 3 * ms_per_minute);
    EXPECT_EQ(fresh.timers.at("expire"), after(90));
    EXPECT_EQ(decide(fresh, cancel_event(), after(62)).code, "cancel_too_early");
    EXPECT_TRUE(decide(fresh, cancel_event(), after(80)).allowed) << "20 min in, inside 30";
    EXPECT_EQ(decide(fresh, timer_event("expire"), after(80)).code, "timer_not_due");

    Life rental = purchase(policy_, rental_request(24), after(60));
    EXPECT_EQ(rental.order.terms.at("cancel_window_ms"), 30 * ms_per_minute);
    EXPECT_TRUE(decide(rental, cancel_event(), after(80)).allowed);
}

TEST_F(OtpDeskTermsPinned, DecisionsNeedNoConfigurationAtAll) {
    const OtpDeskPolicy unconfigured;
    for (const UtcMs now : {after(1), after(2), after(19, 59, 999), after(20)}) {
        EXPECT_EQ(unconfigured.decide(old_activation_.order, cancel_event(), at_time(now)),
                  policy_.decide(old_activation_.order, cancel_event(), at_time(now)));
        EXPECT_EQ(unconfigured.decide(old_rental_.order, cancel_event(), at_time(now)),
                  policy_.decide(old_rental_.order, cancel_event(), at_time(now)));
    }
}

}  // namespace
}  // namespace otpdesk::testing
