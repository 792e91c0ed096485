// The registry's instances per tenant config at their bound: the config used least recently is
// evicted and configured again when a request needs it, and only that one.
#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "billing/server/policy_registry.hpp"

namespace billing::server {
namespace {

constexpr std::size_t bound = PolicyRegistry::tenant_configs_per_policy_max;

// The i-th tenant's own OTPDesk config: its default activation price is price_of(i).
sdk::MinorUnits price_of(std::size_t i) { return 100 + static_cast<sdk::MinorUnits>(i); }
std::string config_of(std::size_t i) {
    return "[activation.prices]\ndefault_minor = " + std::to_string(price_of(i)) +
           "\n[rental]\nprice_per_day_minor = 400\n";
}

// The price an instance quotes for an activation its config has no own price for.
sdk::MinorUnits activation_price(const plugin::PolicyInstance& instance) {
    sdk::PurchaseRequest request;
    request.product = "activation";
    request.attributes = {{"service", "cache-test"}, {"country", "zz"}};
    const sdk::Quote quote = instance.policy().quote(request, sdk::Context{0, 0, 0});
    EXPECT_TRUE(quote.allowed) << quote.code << ": " << quote.message;
    return quote.price_minor;
}

std::size_t tenant_configs(PolicyRegistry& registry) {
    for (const PolicyStatus& status : registry.status()) {
        if (status.name == "otpdesk") return status.tenant_configs;
    }
    return 0;
}

TEST(PolicyRegistryCache, ConfigsPastTheBoundEvictTheLeastRecentlyUsedOnlyAndItIsConfiguredAgain) {
    config::PluginsConfig plugins;
    plugins.policies.push_back({"otpdesk", BILLING_OTPDESK_PLUGIN, BILLING_OTPDESK_CONFIG});
    auto loaded = PolicyRegistry::load(plugins, 0);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    PolicyRegistry& registry = *loaded.value();

    // Held here, so that a configured-again instance can never reuse an evicted one's address.
    std::vector<std::shared_ptr<const plugin::PolicyInstance>> first;
    for (std::size_t i = 0; i <= bound; ++i) {
        first.push_back(registry.instance("otpdesk", config_of(i)));
        ASSERT_NE(first.back(), nullptr) << i;
    }
    EXPECT_EQ(bound, tenant_configs(registry));

    // The config used first was evicted by the one past the bound: it comes back configured
    // again, as itself, which in turn evicts the next least recently used (the second).
    const auto again = registry.instance("otpdesk", config_of(0));
    ASSERT_NE(again, nullptr);
    EXPECT_NE(first[0], again);
    EXPECT_EQ(price_of(0), activation_price(*again));
    EXPECT_EQ(bound, tenant_configs(registry));

    // Every other config is still the instance made for it (nothing else was dropped).
    for (std::size_t i = 2; i <= bound; ++i) {
        ASSERT_EQ(first[i], registry.instance("otpdesk", config_of(i))) << i;
    }
    EXPECT_EQ(price_of(bound), activation_price(*first[bound]));
}

}  // namespace
}  // namespace billing::server
