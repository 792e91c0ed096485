// The plugin loader: turns a policy plugin file into a configured, ready-to-call policy, or
// into one clear refusal.
//
// Order of work (DESIGN §3): copy the file to a unique path (dlopen of a path already loaded
// returns the loaded library, so a new version must never share a path with an old one), load
// the copy RTLD_NOW | RTLD_LOCAL, read the descriptor symbol and check ABI major, ABI minor and
// build key BEFORE calling anything in the plugin, then create the policy, check that its info
// matches its descriptor, and configure it. Any refusal names the file and both sides' versions.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "billing/core/result.hpp"
#include "billing/sdk/sdk.hpp"

namespace billing::plugin {

// Stable codes of Error::code for every way a load can be refused.
namespace load_error {
inline constexpr const char* file_missing = "plugin_file_missing";
inline constexpr const char* copy_failed = "plugin_copy_failed";
inline constexpr const char* dlopen_failed = "plugin_dlopen_failed";
inline constexpr const char* no_descriptor = "plugin_no_descriptor";
inline constexpr const char* bad_descriptor = "plugin_bad_descriptor";
inline constexpr const char* abi_major_mismatch = "plugin_abi_major_mismatch";
inline constexpr const char* abi_minor_newer = "plugin_abi_minor_newer";
inline constexpr const char* build_key_mismatch = "plugin_build_key_mismatch";
inline constexpr const char* factory_failed = "plugin_factory_failed";
inline constexpr const char* info_mismatch = "plugin_info_mismatch";
inline constexpr const char* config_rejected = "plugin_config_rejected";
}  // namespace load_error

// What the host knows about one loaded plugin file.
struct PluginIdentity {
    std::filesystem::path file;       // the path the operator named
    std::filesystem::path copy_path;  // the unique copy actually mapped (unlinked after loading)
    std::string name;
    std::string version;
    std::uint32_t abi_major = 0;
    std::uint32_t abi_minor = 0;
    std::string build_key;
    std::string sha256;  // of the bytes actually mapped (the copy), hex
    sdk::UtcMs loaded_at_ms = 0;
};

struct LoadOptions {
    // Where the unique copies go; each copy is removed as soon as it is mapped. Empty: a
    // folder private to this process, made once with mkdtemp. A named folder is created if
    // needed and must belong to the host's user; it is set to mode 0700.
    std::filesystem::path copy_dir;
    // The load time recorded in PluginIdentity (the host passes its clock's now).
    sdk::UtcMs now_ms = 0;
};

class PluginLibrary;

// One policy object made by a loaded plugin, configured and ready. Holding it keeps its library
// mapped: the library is released only after the object is destroyed. Its const methods may be
// called from any number of threads.
class PolicyInstance {
public:
    // Takes ownership of policy, which destroy (the plugin's own code) deletes.
    PolicyInstance(std::shared_ptr<const PluginLibrary> library, sdk::Policy* policy, BillingPolicyDestroyFn destroy,
                   sdk::PolicyInfo info);
    PolicyInstance(const PolicyInstance&) = delete;
    PolicyInstance& operator=(const PolicyInstance&) = delete;

    [[nodiscard]] const sdk::Policy& policy() const noexcept { return *policy_; }
    [[nodiscard]] const sdk::PolicyInfo& info() const noexcept { return info_; }
    [[nodiscard]] const PluginIdentity& identity() const noexcept;

private:
    // Declared first, destroyed last: the policy's destructor is code inside the library.
    std::shared_ptr<const PluginLibrary> library_;
    std::unique_ptr<sdk::Policy, BillingPolicyDestroyFn> policy_;
    sdk::PolicyInfo info_;
};

// One mapped copy of a plugin file whose descriptor passed the identity checks. Several
// PolicyInstances (one per tenant configuration) may share it; it is unmapped when the last of
// them and the last shared_ptr to it are gone.
class PluginLibrary : public std::enable_shared_from_this<PluginLibrary> {
public:
    // Copies, maps and checks the file. Calls nothing in the plugin but reads its descriptor.
    static Result<std::shared_ptr<const PluginLibrary>> open(const std::filesystem::path& file,
                                                             const LoadOptions& options = {});

    // Creates a policy object, checks its info against the descriptor and configures it with
    // config_text (a TOML document; config_source names it in messages).
    [[nodiscard]] Result<std::shared_ptr<const PolicyInstance>> instantiate(const std::string& config_text,
                                                                            const std::string& config_source) const;

    // A policy object as the factory makes it, info checked, NOT configured: for the
    // conformance kit, which must try configure() itself. Keeps this library mapped while it lives.
    [[nodiscard]] Result<std::shared_ptr<sdk::Policy>> create_unconfigured() const;

    [[nodiscard]] const PluginIdentity& identity() const noexcept { return identity_; }

    ~PluginLibrary();
    PluginLibrary(const PluginLibrary&) = delete;
    PluginLibrary& operator=(const PluginLibrary&) = delete;

private:
    struct Impl;
    PluginLibrary(std::unique_ptr<Impl> impl, PluginIdentity identity);

    struct Created {
        std::unique_ptr<sdk::Policy, BillingPolicyDestroyFn> policy;
        sdk::PolicyInfo info;
    };
    // The factory's object with its info checked against the descriptor.
    [[nodiscard]] Result<Created> create_checked() const;

    std::unique_ptr<Impl> impl_;
    PluginIdentity identity_;
};

// open() then instantiate(): the usual way to get a policy from a file.
Result<std::shared_ptr<const PolicyInstance>> load_policy(const std::filesystem::path& file,
                                                          const std::string& config_text,
                                                          const std::string& config_source,
                                                          const LoadOptions& options = {});

// The checks open() makes on a mapped file's descriptor before it calls anything in the plugin:
// ABI major, ABI minor and build key first, and nothing else is read until they pass (only they
// keep their place in every ABI major); then name, version, create and destroy. Public so that
// the checks can be driven with arbitrary descriptors, not only with built plugins.
std::optional<Error> check_descriptor(const std::filesystem::path& file, const BillingPluginDescriptor* d);

// "ABI 1.0, build key gcc-12/libstdc++-12-cxx11abi1": the host's side of every refusal.
std::string host_abi_description();

// The SHA-256 of a file's bytes as lower-case hex, or an empty string if it cannot be read.
std::string sha256_of_file(const std::filesystem::path& file);

}  // namespace billing::plugin
