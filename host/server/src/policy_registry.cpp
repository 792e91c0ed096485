#include "billing/server/policy_registry.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "billing/rules/decision_check.hpp"

namespace billing::server {

namespace {

namespace fs = std::filesystem;

Result<std::string> read_text(const fs::path& file) {
    std::ifstream in(file);
    if (!in) return Error{swap_error::config_unreadable, file.string() + ": cannot be read"};
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Orders sold by the serving version are decided by the new one from now on: it must still
// declare every product and every state those orders can be in.
std::optional<std::string> drops_something(const sdk::PolicyInfo& serving, const sdk::PolicyInfo& next) {
    for (const sdk::ProductInfo& old_product : serving.products) {
        const sdk::ProductInfo* product = decision_check::find_product(next, old_product.name);
        if (product == nullptr) return "it no longer declares product " + old_product.name;
        for (const std::string& state : old_product.states) {
            if (!contains(product->states, state)) {
                return "it no longer declares state " + state + " of product " + old_product.name;
            }
        }
    }
    return std::nullopt;
}

// A few calls the way the host will make them, before any customer's request does: a quote of
// each product with nothing in it, and an event no policy knows on an order of each product.
// Neither may throw (the guard's plugin_error) or be allowed.
std::optional<std::string> smoke_check(const plugin::PolicyInstance& instance, UtcMs now_ms) {
    const sdk::Policy& policy = instance.policy();
    sdk::Context context;
    context.now_ms = now_ms;
    for (const sdk::ProductInfo& product : instance.info().products) {
        sdk::PurchaseRequest empty;
        empty.product = product.name;
        const sdk::Quote quote = policy.quote(empty, context);
        if (quote.code == sdk::plugin_error_code)
            return "quote() of an empty " + product.name + " threw: " + quote.message;
        sdk::OrderView order;
        order.id = "smoke-check";
        order.product = product.name;
        order.state = product.states.empty() ? std::string() : product.states.front();
        order.created_at_ms = now_ms;
        order.updated_at_ms = now_ms;
        sdk::Event event;
        event.type = "smoke_check_unknown_event";
        event.actor = "system";
        const sdk::Decision decision = policy.decide(order, event, context);
        if (decision.code == sdk::plugin_error_code) {
            return "decide() of an unknown event on a " + product.name + " threw: " + decision.message;
        }
        if (decision.allowed) return "decide() allowed an event type no policy knows on a " + product.name;
    }
    return std::nullopt;
}

// A candidate's instances, every one of which was checked, become the slot's cache.
template <class Cache, class Checked>
void keep_configured(Cache& cache, Checked&& checked) {
    cache.clear();
    for (auto& [text, instance] : checked) cache.put(text, std::move(instance));
}

long held_outside(const std::shared_ptr<const plugin::PolicyInstance>& instance) {
    return instance ? instance.use_count() - 1 : 0;  // minus the registry's own
}

}  // namespace

Result<std::unique_ptr<PolicyRegistry>> PolicyRegistry::load(const config::PluginsConfig& plugins, UtcMs now_ms,
                                                             BoundConfigs bound_configs) {
    auto registry = std::make_unique<PolicyRegistry>();
    registry->bound_configs_ = std::move(bound_configs);
    for (const config::PolicyPluginConfig& policy : plugins.policies) {
        auto added = registry->add(policy, now_ms);
        if (!added) return added.error();
    }
    return registry;
}

Result<PolicyRegistry::Candidate> PolicyRegistry::prepare(const std::string& name, const fs::path& file,
                                                          const fs::path& config, const plugin::PolicyInstance* serving,
                                                          UtcMs now_ms) const {
    auto text = read_text(config);
    if (!text) return Error{text.error().code, "policy " + name + ": " + text.error().message};
    plugin::LoadOptions options;
    options.now_ms = now_ms;
    // A unique copy of the file (PluginLibrary::open): the serving version stays mapped beside it.
    auto library = plugin::PluginLibrary::open(file, options);
    if (!library) return library.error();
    if (library.value()->identity().name != name) {
        return Error{swap_error::name_mismatch,
                     file.string() + ": configured as policy " + name + " but is " + library.value()->identity().name};
    }
    Candidate candidate;
    candidate.library = library.value();
    auto instance = candidate.library->instantiate(text.value(), config.string());
    if (!instance) return instance.error();
    candidate.default_instance = instance.value();
    if (serving != nullptr) {
        if (auto dropped = drops_something(serving->info(), candidate.default_instance->info())) {
            return Error{swap_error::incompatible, file.string() + " cannot replace " + name + " " +
                                                       serving->identity().version + ": " + *dropped +
                                                       ", which orders already sold may be in"};
        }
    }
    std::optional<std::string> broken;
    try {
        broken = smoke_check(*candidate.default_instance, now_ms);
    } catch (const std::exception& e) {
        broken = std::string("it threw across the plugin boundary: ") + e.what();
    } catch (...) {
        broken = "it threw across the plugin boundary";
    }
    if (broken) return Error{swap_error::smoke_check_failed, file.string() + ": " + *broken};
    // Every tenant bound with a config of its own must keep being served.
    if (bound_configs_) {
        auto configs = bound_configs_(name);
        if (!configs) return configs.error();
        for (const std::string& tenant_config : configs.value()) {
            auto own = candidate.library->instantiate(tenant_config, "a tenant's config of policy " + name);
            if (!own) {
                return Error{swap_error::tenant_config_rejected, file.string() + ": a tenant's own config of " + name +
                                                                     " is refused: " + own.error().message};
            }
            candidate.by_config.emplace(tenant_config, own.value());
        }
    }
    return candidate;
}

Result<SwapReport> PolicyRegistry::add(const config::PolicyPluginConfig& policy, UtcMs now_ms) {
    std::lock_guard swapping(swap_mutex_);
    if (has(policy.name)) return Error{"policy_exists", "policy " + policy.name + " is already loaded"};
    auto candidate = prepare(policy.name, policy.file, policy.config, nullptr, now_ms);
    if (!candidate) return candidate.error();
    SwapReport report;
    report.name = policy.name;
    report.serving = candidate.value().library->identity();
    report.tenant_configs = candidate.value().by_config.size();
    std::lock_guard lock(mutex_);
    Slot& slot = slots_[policy.name];
    slot.file = policy.file;
    slot.config = policy.config;
    slot.library = candidate.value().library;
    slot.default_instance = candidate.value().default_instance;
    keep_configured(slot.by_config, std::move(candidate.value().by_config));
    return report;
}

Result<SwapReport> PolicyRegistry::reload(const std::string& name, const std::optional<fs::path>& file,
                                          const std::optional<fs::path>& config, UtcMs now_ms) {
    Result<SwapReport> outcome = swap_in(name, file, config, now_ms);
    if (swap_listener_ && (outcome || outcome.error().code != swap_error::policy_unknown))
        swap_listener_(name, outcome);
    return outcome;
}

Result<SwapReport> PolicyRegistry::swap_in(const std::string& name, const std::optional<fs::path>& file,
                                           const std::optional<fs::path>& config, UtcMs now_ms) {
    std::lock_guard swapping(swap_mutex_);
    fs::path next_file;
    fs::path next_config;
    std::shared_ptr<const plugin::PolicyInstance> serving;
    {
        std::lock_guard lock(mutex_);
        auto slot = slots_.find(name);
        if (slot == slots_.end()) return Error{swap_error::policy_unknown, "no policy named " + name + " is loaded"};
        next_file = file.value_or(slot->second.file);
        next_config = config.value_or(slot->second.config);
        serving = slot->second.default_instance;
    }
    // The slow part (copy, dlopen, configure every tenant config) holds no lock requests take.
    auto candidate = prepare(name, next_file, next_config, serving.get(), now_ms);
    if (!candidate) return candidate.error();

    SwapReport report;
    report.name = name;
    report.previous = serving->identity();
    report.serving = candidate.value().library->identity();
    report.tenant_configs = candidate.value().by_config.size();
    Retired retired;
    {
        std::lock_guard lock(mutex_);
        Slot& slot = slots_.at(name);
        retired.identity = slot.library->identity();
        retired.retired_at_ms = now_ms;
        retired.library = slot.library;
        retired.instances.push_back(slot.default_instance);
        for (const auto& [text, instance] : slot.by_config) retired.instances.push_back(instance);
        // The publication: from here on every request gets the new version.
        slot.file = next_file;
        slot.config = next_config;
        slot.library = std::move(candidate.value().library);
        slot.default_instance = std::move(candidate.value().default_instance);
        keep_configured(slot.by_config, std::move(candidate.value().by_config));
        slot.draining.push_back(retired);
    }
    // The old shared_ptrs go out of scope here (serving, and through `retired` nothing strong):
    // the old version lives exactly as long as the requests that hold it.
    return report;
}

bool PolicyRegistry::has(const std::string& name) const {
    std::lock_guard lock(mutex_);
    return slots_.count(name) != 0;
}

Result<std::shared_ptr<const plugin::PolicyInstance>> PolicyRegistry::configured(Slot& slot, const std::string& name,
                                                                                 const std::string& tenant_config) {
    if (tenant_config.empty()) return slot.default_instance;
    if (const auto* found = slot.by_config.find(tenant_config)) return *found;
    auto instance = slot.library->instantiate(tenant_config, "the tenant's config of policy " + name);
    if (!instance) return instance.error();
    slot.by_config.put(tenant_config, instance.value());
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
    if (slot == slots_.end()) return Error{swap_error::policy_unknown, "no policy named " + name + " is loaded"};
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

std::vector<PolicyStatus> PolicyRegistry::status() {
    std::lock_guard lock(mutex_);
    std::vector<PolicyStatus> out;
    for (auto& [name, slot] : slots_) {
        PolicyStatus s;
        s.name = name;
        s.file = slot.file;
        s.config = slot.config;
        s.serving.identity = slot.library->identity();
        s.serving.live_references = held_outside(slot.default_instance);
        for (const auto& [text, instance] : slot.by_config) s.serving.live_references += held_outside(instance);
        s.tenant_configs = slot.by_config.size();
        for (const sdk::ProductInfo& product : slot.default_instance->info().products)
            s.products.push_back(product.name);
        // A version whose library is gone has drained: forget it.
        std::erase_if(slot.draining, [](const Retired& r) { return r.library.expired(); });
        for (const Retired& r : slot.draining) {
            VersionStatus v;
            v.identity = r.identity;
            v.retired_at_ms = r.retired_at_ms;
            for (const auto& instance : r.instances) v.live_references += instance.use_count();
            s.draining.push_back(v);
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace billing::server
