// The policies this host serves: one loaded plugin per configured [[plugins.policy]] name, its
// default configuration (the policy's TOML file), and the instances configured for tenants
// whose binding carries a config of their own (DESIGN §6: a tenant binds a policy name and
// its config). Each instance holds its library, so a policy stays mapped while any request or
// tenant uses it.
//
// Thread-safe. Hot swapping (replacing a slot's library while serving) comes with issue 6 and
// fits here: a slot then holds the current library, and for_tenant hands out its instances.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "billing/config/host_config.hpp"
#include "billing/core/clock.hpp"
#include "billing/core/result.hpp"
#include "billing/plugin/loader.hpp"

namespace billing::server {

class PolicyRegistry {
public:
    // Loads every configured policy with its config file; the first refusal (a missing file,
    // an ABI mismatch, a rejected config, a name that is not the configured one) is the Error.
    static Result<std::unique_ptr<PolicyRegistry>> load(const config::PluginsConfig& plugins, UtcMs now_ms);

    // The instance for a binding: the policy's default when tenant_config is empty, else one
    // configured with tenant_config (made once per distinct config). nullptr when no policy of
    // that name is loaded or the config no longer configures (it was checked when bound).
    [[nodiscard]] std::shared_ptr<const plugin::PolicyInstance> instance(const std::string& name,
                                                                        const std::string& tenant_config);

    // Whether a binding would serve: the name is loaded and the config (if any) configures it.
    // The Error is the policy's own refusal (plugin_config_rejected), or policy_unknown.
    Result<Unit> check_binding(const std::string& name, const std::string& tenant_config);

    // The default instance of every loaded policy, by name.
    [[nodiscard]] std::vector<std::shared_ptr<const plugin::PolicyInstance>> loaded() const;

private:
    struct Slot {
        std::shared_ptr<const plugin::PluginLibrary> library;
        std::shared_ptr<const plugin::PolicyInstance> default_instance;
        std::map<std::string, std::shared_ptr<const plugin::PolicyInstance>> by_config;  // tenant configs
    };
    Result<std::shared_ptr<const plugin::PolicyInstance>> configured(Slot& slot, const std::string& name,
                                                                    const std::string& tenant_config);

    mutable std::mutex mutex_;
    std::map<std::string, Slot> slots_;
};

}  // namespace billing::server
