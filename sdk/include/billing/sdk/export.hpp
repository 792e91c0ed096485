// BILLING_EXPORT_POLICY: how a plugin exports its policy class.
//
//     class MyPolicy final : public billing::sdk::Policy { ... };
//     BILLING_EXPORT_POLICY(MyPolicy, "mypolicy", "1.0.0")
//
// The macro defines the descriptor symbol (abi.hpp) and a factory that wraps the policy in
// GuardedPolicy. The guard is compiled into the plugin, so every call from the host passes
// through a try/catch on the plugin's side: no exception ever crosses the boundary. A throwing
// decide() becomes a denial with code "plugin_error", a throwing configure() a refused config,
// a throwing constructor a factory error the loader reports.
#pragma once

#include <cstdio>
#include <exception>
#include <new>
#include <string>
#include <utility>

#include "billing/sdk/abi.hpp"
#include "billing/sdk/policy.hpp"

namespace billing::sdk {

// The code of the denial that replaces an exception thrown by a policy.
inline constexpr const char* plugin_error_code = "plugin_error";

namespace detail {

inline std::string describe_current_exception() {
    try {
        throw;
    } catch (const std::exception& e) {
        return e.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

inline void copy_error(char* error, std::size_t error_size, const std::string& text) {
    if (error == nullptr || error_size == 0) {
        return;
    }
    std::snprintf(error, error_size, "%s", text.c_str());
}

}  // namespace detail

template <class Impl>
class GuardedPolicy final : public Policy {
public:
    PolicyInfo info() const override {
        try {
            return impl_.info();
        } catch (...) {
            // An empty name makes the loader refuse the plugin: its info does not match its
            // descriptor.
            PolicyInfo broken;
            broken.version = "info() threw: " + detail::describe_current_exception();
            return broken;
        }
    }

    ConfigResult configure(const std::string& toml_text, const std::string& source_name) override {
        try {
            return impl_.configure(toml_text, source_name);
        } catch (...) {
            return ConfigResult{false, source_name + ": configure() threw: " + detail::describe_current_exception()};
        }
    }

    Quote quote(const PurchaseRequest& request, const Context& context) const override {
        try {
            return impl_.quote(request, context);
        } catch (...) {
            return refuse(plugin_error_code, "quote() threw: " + detail::describe_current_exception());
        }
    }

    Decision decide(const OrderView& order, const Event& event, const Context& context) const override {
        try {
            return impl_.decide(order, event, context);
        } catch (...) {
            return deny(plugin_error_code, "decide() threw: " + detail::describe_current_exception());
        }
    }

private:
    Impl impl_;
};

template <class Impl>
Policy* create_guarded(char* error, std::size_t error_size) noexcept {
    try {
        return new GuardedPolicy<Impl>();
    } catch (...) {
        detail::copy_error(error, error_size, detail::describe_current_exception());
        return nullptr;
    }
}

inline void destroy_policy(Policy* policy) noexcept { delete policy; }

}  // namespace billing::sdk

#define BILLING_EXPORT_POLICY(PolicyClass, plugin_name, plugin_version)                       \
    extern "C" BILLING_SDK_EXPORT const BillingPluginDescriptor billing_plugin_descriptor = { \
        BILLING_SDK_ABI_MAJOR,                                                                \
        BILLING_SDK_ABI_MINOR,                                                                \
        BILLING_SDK_BUILD_KEY,                                                                \
        plugin_name,                                                                          \
        plugin_version,                                                                       \
        &::billing::sdk::create_guarded<PolicyClass>,                                         \
        &::billing::sdk::destroy_policy,                                                      \
    }
