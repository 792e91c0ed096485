// The policies this host serves: one slot per configured [[plugins.policy]] name, holding the
// loaded library, its default instance (configured with the policy's TOML file) and the
// instances configured for tenants whose binding carries a config of their own (DESIGN §6).
//
// Hot swap (DESIGN §3): reload() loads a new version beside the serving one (a unique copy of
// the file, so dlopen never hands back the old mapping), checks its descriptor, configures it
// with the policy's config and with every distinct config a tenant is bound with, runs a smoke
// check, and only then publishes it: one assignment under the mutex. Any failure on the way
// leaves the serving version untouched and says why.
//
// A request takes one instance (a shared_ptr) at its start and uses only that one; the old
// version's instances die with the last request holding them, and with them the library, which
// is then unmapped. Until then the old version is listed as draining.
//
// Thread-safe.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "billing/config/host_config.hpp"
#include "billing/core/clock.hpp"
#include "billing/core/lru_cache.hpp"
#include "billing/core/result.hpp"
#include "billing/plugin/loader.hpp"

namespace billing::server {

// Stable codes of a refused swap (each Error's message says why; loader refusals keep the
// loader's own codes, e.g. plugin_abi_major_mismatch).
namespace swap_error {
inline constexpr const char* policy_unknown = "policy_unknown";
inline constexpr const char* name_mismatch = "plugin_name_mismatch";  // the file is another policy
inline constexpr const char* incompatible = "plugin_incompatible";    // drops a product or state in use
inline constexpr const char* tenant_config_rejected = "plugin_tenant_config_rejected";
inline constexpr const char* smoke_check_failed = "plugin_smoke_check_failed";
inline constexpr const char* config_unreadable = "config_unreadable";
}  // namespace swap_error

// The distinct policy configs tenants are bound with, for a policy name (read from the
// database by the host). A new version must accept every one of them before it serves.
using BoundConfigs = std::function<Result<std::vector<std::string>>(const std::string& policy_name)>;

// One loaded version of a policy as GET /admin/plugins shows it.
struct VersionStatus {
    plugin::PluginIdentity identity;
    // Instances of this version held outside the registry: requests in flight (and, for a
    // draining version, nothing else). 0 for a draining version means it is about to go.
    long live_references = 0;
    UtcMs retired_at_ms = 0;  // draining versions: when a newer one replaced it
};

struct PolicyStatus {
    std::string name;
    std::filesystem::path file;    // the file a reload without a new file loads
    std::filesystem::path config;  // the policy's own TOML file
    VersionStatus serving;
    std::size_t tenant_configs = 0;     // instances configured for tenants' own configs
    std::vector<std::string> products;  // as the serving version declares them
    std::vector<VersionStatus> draining;
};

// What a swap did.
struct SwapReport {
    std::string name;
    plugin::PluginIdentity previous;
    plugin::PluginIdentity serving;
    std::size_t tenant_configs = 0;  // tenant configs the new version was configured with
};

// Told of every reload of a loaded policy, whatever triggered it (the API, SIGHUP, the watch):
// the report when it was swapped, else the refusal. Called outside the registry's locks.
using SwapListener = std::function<void(const std::string& name, const Result<SwapReport>& outcome)>;

class PolicyRegistry {
public:
    // Loads every configured policy with its config file; the first refusal (a missing file,
    // an ABI mismatch, a rejected config, a name that is not the configured one) is the Error.
    static Result<std::unique_ptr<PolicyRegistry>> load(const config::PluginsConfig& plugins, UtcMs now_ms,
                                                        BoundConfigs bound_configs = {});

    // The instance for a binding: the policy's default when tenant_config is empty, else one
    // configured with tenant_config (made once per distinct config). nullptr when no policy of
    // that name is loaded or the config no longer configures (it was checked when bound).
    [[nodiscard]] std::shared_ptr<const plugin::PolicyInstance> instance(const std::string& name,
                                                                         const std::string& tenant_config);

    // Whether a binding would serve: the name is loaded and the config (if any) configures it.
    // The Error is the policy's own refusal (plugin_config_rejected), or policy_unknown.
    Result<Unit> check_binding(const std::string& name, const std::string& tenant_config);

    // Replaces policy `name` by the file `file` (default: the one it was loaded from, read
    // again), configured with `config` (default: its current config file, read again). See the
    // top of this file for the steps; on any refusal nothing changes.
    Result<SwapReport> reload(const std::string& name, const std::optional<std::filesystem::path>& file,
                              const std::optional<std::filesystem::path>& config, UtcMs now_ms);

    // Set once, before serving.
    void set_swap_listener(SwapListener listener) { swap_listener_ = std::move(listener); }

    // Adds a policy that was not configured before (a SIGHUP with a new [[plugins.policy]]).
    Result<SwapReport> add(const config::PolicyPluginConfig& policy, UtcMs now_ms);

    [[nodiscard]] bool has(const std::string& name) const;

    // The default instance of every loaded policy, by name.
    [[nodiscard]] std::vector<std::shared_ptr<const plugin::PolicyInstance>> loaded() const;

    // Every policy with its serving version and the older versions still draining (versions
    // whose last request has ended are forgotten here).
    [[nodiscard]] std::vector<PolicyStatus> status();

    // A tenant's own config is configured per distinct text; this bounds how many are kept per
    // policy (README, limits: past it the least recently used is configured again when needed).
    static constexpr std::size_t tenant_configs_per_policy_max = 1000;

private:
    struct Retired {
        plugin::PluginIdentity identity;
        UtcMs retired_at_ms = 0;
        std::weak_ptr<const plugin::PluginLibrary> library;
        std::vector<std::weak_ptr<const plugin::PolicyInstance>> instances;
    };
    struct Slot {
        std::filesystem::path file;
        std::filesystem::path config;
        std::shared_ptr<const plugin::PluginLibrary> library;
        std::shared_ptr<const plugin::PolicyInstance> default_instance;
        // Tenants' own configs, configured on first use; a config past the bound evicts the one
        // used least recently (it is configured again when a request needs it).
        LruCache<std::string, std::shared_ptr<const plugin::PolicyInstance>> by_config{tenant_configs_per_policy_max};
        std::vector<Retired> draining;
    };
    // A new version, loaded and configured but not published.
    struct Candidate {
        std::shared_ptr<const plugin::PluginLibrary> library;
        std::shared_ptr<const plugin::PolicyInstance> default_instance;
        std::map<std::string, std::shared_ptr<const plugin::PolicyInstance>> by_config;
    };

    // Not named swap: a function of that name is expected never to throw, and this one can.
    Result<SwapReport> swap_in(const std::string& name, const std::optional<std::filesystem::path>& file,
                               const std::optional<std::filesystem::path>& config, UtcMs now_ms);
    Result<std::shared_ptr<const plugin::PolicyInstance>> configured(Slot& slot, const std::string& name,
                                                                     const std::string& tenant_config);
    // Everything of a swap that needs no lock: load, check, configure, smoke check.
    Result<Candidate> prepare(const std::string& name, const std::filesystem::path& file,
                              const std::filesystem::path& config, const plugin::PolicyInstance* serving,
                              UtcMs now_ms) const;

    BoundConfigs bound_configs_;
    SwapListener swap_listener_;
    // One swap at a time (a swap takes seconds at worst; requests never wait on this one).
    std::mutex swap_mutex_;
    mutable std::mutex mutex_;
    std::map<std::string, Slot> slots_;
};

}  // namespace billing::server
