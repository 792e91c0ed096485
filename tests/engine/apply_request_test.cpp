// What a request may ask of Engine::apply: never a timer (the sweeper's alone, at its due time)
// and never as the sweeper's actor.
#include "billing/storage/engine_errors.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

using ApplyRequest = EngineTest;

TEST_F(ApplyRequest, TimerEventIsRefusedAndTheSweeperStillRunsItOnceAtItsDueTime) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    sdk::Event forged;
    forged.type = sdk::event_type::timer;
    forged.timer = "expire";
    forged.actor = "customer";
    auto refused = engine->apply(*policy, tenant_id, order, forged, at(20));
    ASSERT_FALSE(refused);
    EXPECT_EQ(engine_error::invalid_request, refused.error().code);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));

    EXPECT_EQ(1u, sweeper->sweep_once(at(25), 30, 10).applied);
    EXPECT_EQ("expired", state_of(order));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM events WHERE type = 'timer' AND now_ms = " + std::to_string(at(20))));
    EXPECT_EQ(1000, customer());
    EXPECT_EQ(2, transfers_of(order)) << "refunded once";
    expect_ledger_consistent();
}

TEST_F(ApplyRequest, SystemActorAndPurchaseTypeAreRefused) {
    make_tenant(1000);
    const std::string order = buy_activation(at(0));
    sdk::Event cancel;
    cancel.type = sdk::event_type::cancel;
    cancel.actor = "system";
    EXPECT_EQ(engine_error::invalid_request, engine->apply(*policy, tenant_id, order, cancel, at(3)).error().code);
    cancel.actor = "";
    EXPECT_EQ(engine_error::invalid_request, engine->apply(*policy, tenant_id, order, cancel, at(3)).error().code);
    sdk::Event purchase;
    purchase.type = "purchase";
    purchase.actor = "customer";
    EXPECT_EQ(engine_error::invalid_request, engine->apply(*policy, tenant_id, order, purchase, at(3)).error().code);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(850, customer());
}

}  // namespace
}  // namespace billing::test
