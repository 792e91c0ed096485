#include "billing/server/policy_registry.hpp"

#include <fstream>
#include <sstream>

namespace billing::server {

namespace {

// A tenant's own config is configured per distinct text; this bounds how many are kept.
constexpr std::size_t tenant_configs_per_policy_max = 1000;

Result<std::string> read_text(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return Error{"config_unreadable", file.string() + ": cannot be read"};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

Result<std::unique_ptr<PolicyRegistry>> PolicyRegistry::load(const config::PluginsConfig& plugins, UtcMs now_ms) {
    auto registry = std::make_unique<PolicyRegistry>();
    for (const config::PolicyPluginConfig& policy : plugins.policies) {
        auto text = read_text(policy.config);
        if (!text) return Error{text.error().code, "policy " + policy.name + ": " + text.error().message};
        plugin::LoadOptions options;
        options.now_ms = now_ms;
        auto library = plugin::PluginLibrary::open(policy.file, options);
        if (!library) return library.error();
        if (library.value()->identity().name != policy.name) {
            return Error{"policy_name_mismatch", policy.file.string() + ": configured as policy " + policy.name +
                                                     " but is " + library.value()->identity().name};
        }
        auto instance = library.value()->instantiate(text.value(), policy.config.string());
        if (!instance) return instance.error();
        registry->slots_[policy.name] = Slot{library.value(), instance.value(), {}};
    }
    return registry;
}

Result<std::shared_ptr<const plugin::PolicyInstance>> PolicyRegistry::configured(Slot& slot, const std::string& name,
                                                                                const std::string& tenant_config) {
    if (tenant_config.empty()) return slot.default_instance;
    if (auto found = slot.by_config.find(tenant_config); found != slot.by_config.end()) return found->second;
    auto instance = slot.library->instantiate(tenant_config, "the tenant's config of policy " + name);
    if (!instance) return instance.error();
    if (slot.by_config.size() >= tenant_configs_per_policy_max) slot.by_config.clear();
    slot.by_config.emplace(tenant_config, instance.value());
    return instance;
}

std::shared_ptr<const plugin::PolicyInstance> PolicyRegistry::instance(const std::string& name,
                                                                      const std::string& tenant_config) {
    std::lock_guard lock(mutex_);
    auto slot = slots_.find(name);
    if (slot == slots_.end()) return nullptr;
    auto instance = configured(slot->second, name, tenant_config);
    return instance ? instance.value() : nullptr;
}

Result<Unit> PolicyRegistry::check_binding(const std::string& name, const std::string& tenant_config) {
    std::lock_guard lock(mutex_);
    auto slot = slots_.find(name);
    if (slot == slots_.end()) return Error{"policy_unknown", "no policy named " + name + " is loaded"};
    auto instance = configured(slot->second, name, tenant_config);
    if (!instance) return instance.error();
    return Unit{};
}

std::vector<std::shared_ptr<const plugin::PolicyInstance>> PolicyRegistry::loaded() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<const plugin::PolicyInstance>> out;
    for (const auto& [name, slot] : slots_) out.push_back(slot.default_instance);
    return out;
}

}  // namespace billing::server
