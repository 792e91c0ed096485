// The engine tells its listener (the host's metrics) about each committed decision exactly once:
// purchases, allowed requests and applied timers, with what they refunded; never a denial, a
// replay of an idempotent request, or an attempt that rolled back.
#include <mutex>
#include <vector>

#include "engine_fixture.hpp"

namespace billing::test {
namespace {

struct Heard {
    std::string event_type;
    std::string order_id;
    std::string state;
    MinorUnits refunded_minor = 0;
    bool closed = false;
};

class ChangeListener : public EngineTest {
protected:
    void SetUp() override {
        EngineTest::SetUp();
        engine->set_change_listener([this](const OrderChange& change) {
            std::lock_guard lock(mutex);
            heard.push_back(
                {change.event_type, change.order.id, change.order.state, change.refunded_minor, change.closed});
        });
    }
    std::mutex mutex;
    std::vector<Heard> heard;
};

TEST_F(ChangeListener, HearsAPurchaseACancelWithItsRefundAndNothingForADenial) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    const MinorUnits price = 1000 - customer();
    ASSERT_EQ(1u, heard.size());
    EXPECT_EQ("purchase", heard[0].event_type);
    EXPECT_EQ(order, heard[0].order_id);
    EXPECT_EQ(0, heard[0].refunded_minor);

    auto early = event(order, "cancel", at(1, 59'999));
    ASSERT_TRUE(early);
    ASSERT_FALSE(early.value().allowed);
    EXPECT_EQ(1u, heard.size()) << "a denial changes nothing and is not heard";

    auto cancelled = event(order, "cancel", at(2));
    ASSERT_TRUE(cancelled && cancelled.value().allowed);
    ASSERT_EQ(2u, heard.size());
    EXPECT_EQ("cancel", heard[1].event_type);
    EXPECT_EQ(price, heard[1].refunded_minor);
    EXPECT_TRUE(heard[1].closed);
}

TEST_F(ChangeListener, HearsAnAutoRefundByTheSweeperAfterItsBatchCommitted) {
    make_tenant(1000);
    buy_activation(at(0));
    buy_activation(at(0, 1));
    const MinorUnits each = (1000 - customer()) / 2;
    heard.clear();
    EXPECT_EQ(2u, sweeper->sweep_once(at(21), 30, 100).applied);
    ASSERT_EQ(2u, heard.size());
    for (const Heard& h : heard) {
        EXPECT_EQ("timer", h.event_type);
        EXPECT_EQ(each, h.refunded_minor);
        EXPECT_TRUE(h.closed);
    }
}

TEST_F(ChangeListener, AReplayedRequestIsNotHeardTwice) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    heard.clear();
    sdk::Event cancel;
    cancel.type = "cancel";
    cancel.actor = "customer";
    const IdempotencyKey<EventResult> key{"cancel-1", std::string(64, 'a'), [](const EventResult&) {
                                              return IdempotencyResponse{200, "{}"};
                                          }};
    auto first = engine->apply(*policy, tenant_id, order, cancel, at(3), key);
    ASSERT_TRUE(first) << first.error().message;
    auto replay = engine->apply(*policy, tenant_id, order, cancel, at(3), key);
    ASSERT_TRUE(replay) << replay.error().message;
    EXPECT_TRUE(replay.value().replayed);
    EXPECT_EQ(1u, heard.size());
}

}  // namespace
}  // namespace billing::test
