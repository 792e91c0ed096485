// Test clocks (DESIGN §6): a test-mode tenant's time starts at its creation and moves only
// forward, only when advanced; its timers run only when its clock reaches them, never by the
// background sweeper's system time.
#include "billing/storage/engine_errors.hpp"
#include "billing/storage/tenants.hpp"
#include "engine_fixture.hpp"

namespace billing::test {
namespace {

class TestClock : public EngineTest {
protected:
    UtcMs clock_of_tenant() { return engine->get_tenant(tenant_id).value().clock_ms; }
};

TEST_F(TestClock, StartsAtTheTenantsCreation) {
    clock->set(at(5));
    make_tenant(0, /*test_mode=*/true);
    EXPECT_EQ(at(5), clock_of_tenant());
}

TEST_F(TestClock, TheBackgroundSweeperLeavesATestTenantsDueTimersAlone) {
    make_tenant(1000, /*test_mode=*/true);
    const std::string order = buy_activation(at(0));
    const MinorUnits after_purchase = customer();
    ASSERT_LT(after_purchase, 1000);
    // Real time is long past the 20:00 expiry, but the tenant's clock is not.
    clock->set(at(60));
    const SweepStats swept = sweeper->sweep_once(at(60), 30, 100);
    EXPECT_EQ(0u, swept.claimed);
    EXPECT_EQ("active", state_of(order));
    EXPECT_EQ(1, count("SELECT COUNT(*) FROM timers"));
    EXPECT_EQ(after_purchase, customer());

    // Advancing the tenant's clock is what runs it, at its due time.
    ASSERT_TRUE(engine->advance_test_clock_to(tenant_id, at(20)));
    const SweepStats ran = sweeper->run_due_for_tenant(tenant_id, at(20));
    EXPECT_EQ(1u, ran.applied);
    EXPECT_EQ(1000, customer()) << "refunded in full: no code came";
    expect_ledger_consistent();
}

TEST_F(TestClock, ALiveTenantsTimersAreSweptAsBefore) {
    make_tenant(1000, /*test_mode=*/false);
    buy_activation(at(0));
    EXPECT_EQ(1u, sweeper->sweep_once(at(20), 30, 100).applied);
    EXPECT_EQ(1000, customer());
}

TEST_F(TestClock, MovesForwardByADurationOrToATime) {
    make_tenant(0, /*test_mode=*/true);
    auto by = engine->advance_test_clock_by(tenant_id, 120'000);
    ASSERT_TRUE(by) << by.error().message;
    EXPECT_EQ(at(2), by.value().clock_ms);
    auto to = engine->advance_test_clock_to(tenant_id, at(20));
    ASSERT_TRUE(to) << to.error().message;
    EXPECT_EQ(at(20), to.value().clock_ms);
    auto same = engine->advance_test_clock_by(tenant_id, 0);
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(at(20), same.value().clock_ms);
}

TEST_F(TestClock, NeverMovesBack) {
    make_tenant(0, /*test_mode=*/true);
    ASSERT_TRUE(engine->advance_test_clock_to(tenant_id, at(20)));
    auto back = engine->advance_test_clock_to(tenant_id, at(20) - 1);
    ASSERT_FALSE(back);
    EXPECT_EQ(engine_error::invalid_request, back.error().code);
    auto negative = engine->advance_test_clock_by(tenant_id, -1);
    ASSERT_FALSE(negative);
    EXPECT_EQ(engine_error::invalid_request, negative.error().code);
    auto too_far = engine->advance_test_clock_by(tenant_id, 366 * sdk::ms_per_day + 1);
    ASSERT_FALSE(too_far);
    EXPECT_EQ(engine_error::invalid_request, too_far.error().code);
    EXPECT_EQ(at(20), clock_of_tenant());
}

TEST_F(TestClock, ALiveTenantHasNone) {
    make_tenant(0, /*test_mode=*/false);
    auto advanced = engine->advance_test_clock_by(tenant_id, 1000);
    ASSERT_FALSE(advanced);
    EXPECT_EQ(engine_error::test_clock_unavailable, advanced.error().code);
    EXPECT_EQ(t0_ms, clock_of_tenant());
}

// Every time the host stores must stay printable (RFC 3339, four-digit years), and policies place
// times up to a century after now: a test clock stops at 9900-01-01T00:00:00.000Z. It was moved
// to 9999-12-31T23:59:59.999Z and on by a second, and the host died formatting it.
TEST_F(TestClock, StopsAtTheHostsLatestNowWithItsOwnCode) {
    make_tenant(0, /*test_mode=*/true);
    auto to_max = engine->advance_test_clock_to(tenant_id, sdk::now_ms_max);
    ASSERT_TRUE(to_max) << to_max.error().message;
    EXPECT_EQ(sdk::now_ms_max, to_max.value().clock_ms);
    auto past = engine->advance_test_clock_to(tenant_id, sdk::now_ms_max + 1);
    ASSERT_FALSE(past);
    EXPECT_EQ(engine_error::test_clock_out_of_range, past.error().code);
    auto by = engine->advance_test_clock_by(tenant_id, 1);
    ASSERT_FALSE(by);
    EXPECT_EQ(engine_error::test_clock_out_of_range, by.error().code);
    EXPECT_TRUE(engine->advance_test_clock_by(tenant_id, 0)) << "staying at the bound is fine";
    EXPECT_EQ(sdk::now_ms_max, clock_of_tenant());
}

TEST_F(TestClock, AResetTakesItBackToTheSystemClock) {
    clock->set(at(5));
    make_tenant(1000, /*test_mode=*/true);
    const std::string order = buy_activation(at(5));
    ASSERT_TRUE(engine->advance_test_clock_to(tenant_id, sdk::now_ms_max));
    clock->set(at(7));
    auto reset = engine->reset_test_clock(tenant_id);
    ASSERT_TRUE(reset) << reset.error().message;
    EXPECT_EQ(at(7), reset.value().clock_ms);
    EXPECT_EQ(at(7), clock_of_tenant());
    EXPECT_EQ("active", state_of(order)) << "a reset runs and drops no timer";
    // And forward again from there, as a new test clock.
    ASSERT_TRUE(engine->advance_test_clock_to(tenant_id, at(30)));
    EXPECT_EQ(1u, sweeper->run_due_for_tenant(tenant_id, at(30)).applied);
    EXPECT_EQ(1000, customer());
}

// A clock stored past the bound by a version that did not check it: it cannot be advanced, and
// a reset brings it back.
TEST_F(TestClock, AClockStoredPastTheBoundIsResetOnly) {
    clock->set(at(5));
    make_tenant(0, /*test_mode=*/true);
    constexpr UtcMs stored_ms = sdk::time_ms_max + 1000;
    ASSERT_TRUE(db->write([&](soci::session& sql) -> Result<Unit> {
        tenants::set_clock(sql, tenant_id, stored_ms);
        return Unit{};
    }));
    EXPECT_EQ(engine_error::test_clock_out_of_range, engine->advance_test_clock_by(tenant_id, 0).error().code);
    EXPECT_EQ(stored_ms, clock_of_tenant());
    ASSERT_TRUE(engine->reset_test_clock(tenant_id));
    EXPECT_EQ(at(5), clock_of_tenant());
}

TEST_F(TestClock, ALiveTenantHasNoneToReset) {
    make_tenant(0, /*test_mode=*/false);
    auto reset = engine->reset_test_clock(tenant_id);
    ASSERT_FALSE(reset);
    EXPECT_EQ(engine_error::test_clock_unavailable, reset.error().code);
}

}  // namespace
}  // namespace billing::test
