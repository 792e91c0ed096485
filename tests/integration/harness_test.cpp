// The harness itself against the real host: it starts, answers, knows its keys, restarts on the
// same database, stops with exit 0, and the offline audit runs.
#include <gtest/gtest.h>

#include "support/host_test.hpp"

namespace billing::integration {
namespace {

using HarnessTest = HostTest;

TEST_F(HarnessTest, HealthRoutesAnswerWithoutAKey) {
    EXPECT_EQ(http().get("/livez").status, 200);
    const Response ready = http().get("/readyz");
    EXPECT_EQ(ready.status, 200) << ready.describe();
    EXPECT_EQ(ready.json()["status"].str(), "ready");
}

TEST_F(HarnessTest, EveryKeyTheHarnessHoldsIsAccepted) {
    EXPECT_EQ(http().get("/admin/tenants", {host().operator_key(), {}, ""}).status, 200);
    const DemoTenant& demo = host().demo();
    for (const std::string& key : {demo.service_key, demo.support_key, demo.admin_key}) {
        const Response clock = http().get("/v1/test-clock", {key, {}, ""});
        EXPECT_EQ(clock.status, 200) << clock.describe();
    }
    for (const std::string& key : {api().keys().service, api().keys().support, api().keys().admin}) {
        const Response clock = http().get("/v1/test-clock", {key, {}, ""});
        EXPECT_EQ(clock.status, 200) << clock.describe();
    }
    EXPECT_EQ(http().get("/v1/test-clock").problem_code(), "unauthorized");
}

TEST_F(HarnessTest, TestClockMovesOnlyWhenAdvancedAndOnlyForward) {
    const UtcMs start = api().clock_now();
    EXPECT_EQ(api().clock_now(), start);
    const Json by = api().advance_seconds(90).expect(200).json();
    EXPECT_EQ(parse_rfc3339(by["previous"].str()), start);
    EXPECT_EQ(parse_rfc3339(by["now"].str()), start + 90 * second_ms);
    api().move_clock_to(start + 90 * second_ms + 1);
    EXPECT_EQ(api().clock_now(), start + 90 * second_ms + 1);
    const Response back = api().advance_to(start);
    EXPECT_EQ(back.status, 422) << back.describe();
    EXPECT_EQ(api().clock_now(), start + 90 * second_ms + 1);
}

TEST(HostRestart, DataAndKeysSurviveARestartOnTheSameDatabase) {
    auto host = HostProcess::start();
    std::string account;
    TenantKeys keys;
    {
        HttpClient http("127.0.0.1", host->port());
        OperatorApi op(http, host->operator_key());
        keys = op.new_tenant();
        TenantApi api(http, keys);
        account = api.new_account(700);
    }
    const std::string demo_keys_before = host->demo().service_key;
    ASSERT_EQ(host->stop(), "exit 0") << host->stderr_text();
    expect_offline_audit_clean(*host);

    host->restart();
    HttpClient http("127.0.0.1", host->port());
    TenantApi api(http, keys);
    EXPECT_EQ(api.balance(account), 700);
    // The operator key file is adopted again; the demo tenant is not created twice.
    OperatorApi op(http, host->operator_key());
    const Response tenants = http.get("/admin/tenants", {host->operator_key(), {}, ""});
    ASSERT_EQ(tenants.status, 200) << tenants.describe();
    EXPECT_EQ(tenants.json()["data"].size(), 2U) << tenants.body;
    EXPECT_EQ(http.get("/v1/test-clock", {demo_keys_before, {}, ""}).status, 200);
    EXPECT_NO_THROW(op.require_audit_clean());
    expect_clean_stop_and_audit(*host);
}

}  // namespace
}  // namespace billing::integration
