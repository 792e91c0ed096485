// A tenant bound to a policy with a config of its own (DESIGN §6: a binding is a policy name and
// its config): the TOML document travels in a JSON string with its line breaks, is checked by the
// policy before the tenant exists, and decides that tenant's orders while others keep the host's.
#include <gtest/gtest.h>

#include "support/host_test.hpp"

namespace billing::integration {
namespace {

using TenantConfigTest = HostTest;

TEST_F(TenantConfigTest, ATenantsOwnConfigDecidesItsOrders) {
    const std::string config = otpdesk_config_with({{"cancel_from_s = 120", "cancel_from_s = 60"}});
    const Response created = op().create_tenant(R"({"name":"own config","currency":"USD","policy":"otpdesk",)"
                                                R"("test_mode":true,"policy_config":)" +
                                                json_quote(config) + "}");
    ASSERT_EQ(created.status, 201) << created.describe();
    EXPECT_TRUE(created.json()["custom_policy_config"].boolean());

    TenantKeys keys;
    keys.id = created.json()["id"].str();
    keys.service = op().create_key(keys.id, "service").expect(201).json()["key"].str();
    TenantApi own(http(), keys);
    const std::string account = own.create_account("own-config-customer").expect(201).json()["id"].str();
    own.deposit(account, 1000).expect(200);
    const Json order = own.buy_activation(account).expect(201).json();
    EXPECT_EQ(order["terms"]["cancel_from_ms"].i64(), 60'000) << "pinned from the tenant's config";

    // The tenant of the fixture, on the host's config, still waits 2 minutes.
    const std::string other = api().create_account("host-config-customer").expect(201).json()["id"].str();
    api().deposit(other, 1000).expect(200);
    EXPECT_EQ(api().buy_activation(other).expect(201).json()["terms"]["cancel_from_ms"].i64(), 120'000);
}

TEST_F(TenantConfigTest, AConfigThePolicyRefusesCreatesNoTenant) {
    const auto before = http().get("/admin/tenants?limit=100", {host().operator_key(), {}, ""}).json()["data"].size();
    const Response refused =
        op().create_tenant(R"({"name":"bad config","currency":"USD","policy":"otpdesk",)"
                           R"("test_mode":true,"policy_config":"[activation]\nwindow_s = \"x\"\n"})");
    EXPECT_EQ(refused.status, 422) << refused.describe();
    EXPECT_EQ(refused.problem_code(), "plugin_config_rejected") << refused.describe();
    const auto after = http().get("/admin/tenants?limit=100", {host().operator_key(), {}, ""}).json()["data"].size();
    EXPECT_EQ(after, before);
}

}  // namespace
}  // namespace billing::integration
