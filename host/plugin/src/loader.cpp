#include "billing/plugin/loader.hpp"

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <optional>
#include <sstream>
#include <system_error>


namespace billing::plugin {

namespace fs = std::filesystem;

struct PluginLibrary::Impl {
    boost::dll::shared_library library;
    const BillingPluginDescriptor* descriptor = nullptr;
};

namespace {

// How much of a descriptor a refusal may read. Only the first three fields keep their place in
// every ABI major (abi.hpp): behind another major, name and version may be anything at all.
enum class Trust { nothing, stable_prefix, whole };

// The plugin's side of a refusal, as far as its descriptor can be trusted.
std::string plugin_side(const BillingPluginDescriptor* d, Trust trust) {
    if (d == nullptr || trust == Trust::nothing) {
        return "plugin side: no descriptor read";
    }
    std::ostringstream out;
    out << "plugin";
    if (trust == Trust::whole) {
        out << " " << (d->name != nullptr ? d->name : "<no name>") << " "
            << (d->version != nullptr ? d->version : "<no version>");
    }
    out << " (" << sdk::descriptor_symbol << ": ABI " << d->abi_major << "." << d->abi_minor << ", build key "
        << (d->build_key != nullptr ? d->build_key : "<none>") << ")";
    return out.str();
}

Error refusal(const char* code, const fs::path& file, const std::string& reason,
              const BillingPluginDescriptor* descriptor, Trust trust = Trust::whole) {
    return Error{code, "plugin " + file.string() + " refused: " + reason + "; " + plugin_side(descriptor, trust) +
                           "; host " + host_abi_description()};
}

// The folder for a copy: private to the host's user (0700, made by mkdtemp), so that nobody
// else can swap a copy between our write and our dlopen. Without a configured folder, a fresh
// one per copy, removed with the copy right after dlopen (one kept for the whole process was
// never removed: every host run and test process left an empty folder in /tmp, 13,000 of them
// after a day of test runs).
Result<fs::path> private_copy_dir(const fs::path& requested, const fs::path& file) {
    if (requested.empty()) {
        std::string pattern = (fs::temp_directory_path() / "billing-host-plugins-XXXXXX").string();
        fs::path made = ::mkdtemp(pattern.data()) != nullptr ? fs::path(pattern) : fs::path();
        if (made.empty()) {
            return refusal(load_error::copy_failed, file, "cannot create a private folder for plugin copies", nullptr,
                           Trust::nothing);
        }
        return made;
    }
    std::error_code ec;
    fs::create_directories(requested, ec);
    struct stat info {};
    if (ec || ::lstat(requested.c_str(), &info) != 0 || !S_ISDIR(info.st_mode) || info.st_uid != ::geteuid() ||
        ::chmod(requested.c_str(), S_IRWXU) != 0) {
        return refusal(load_error::copy_failed, file,
                       "the copy folder " + requested.string() + " cannot be made private to this user", nullptr,
                       Trust::nothing);
    }
    return requested;
}

// A path no loaded library has had in this process: dlopen() of a path that is already loaded
// returns the loaded library instead of the new file.
fs::path unique_copy_path(const fs::path& dir, const fs::path& file) {
    static std::atomic<std::uint64_t> counter{0};
    const auto n = counter.fetch_add(1);
    return dir / (file.stem().string() + "-" + std::to_string(::getpid()) + "-" + std::to_string(n) + ".so");
}

Result<fs::path> copy_to_unique_path(const fs::path& file, const LoadOptions& options) {
    auto dir = private_copy_dir(options.copy_dir, file);
    if (!dir) {
        return dir.error();
    }
    std::error_code ec;
    fs::path copy = unique_copy_path(dir.value(), file);
    // Never overwrite: an existing file at a fresh unique path is not ours.
    fs::copy_file(file, copy, fs::copy_options::none, ec);
    if (ec) {
        std::error_code ignored;
        if (options.copy_dir.empty()) fs::remove_all(dir.value(), ignored);  // the fresh folder made above
        return refusal(load_error::copy_failed, file, "cannot copy to " + copy.string() + ": " + ec.message(), nullptr);
    }
    return copy;
}

}  // namespace

// The identity checks, in the order that gives the most useful message: a layout we cannot
// trust is reported before the versions it carries.
std::optional<Error> check_descriptor(const fs::path& file, const BillingPluginDescriptor* d) {
    if (d->abi_major != sdk::abi_major) {
        return refusal(load_error::abi_major_mismatch, file,
                       "ABI major " + std::to_string(d->abi_major) + " is not the host's " +
                           std::to_string(sdk::abi_major) + " (rebuild the plugin against this host's SDK)",
                       d, Trust::stable_prefix);
    }
    if (d->abi_minor > sdk::abi_minor) {
        return refusal(load_error::abi_minor_newer, file,
                       "ABI minor " + std::to_string(d->abi_minor) + " is newer than the host's " +
                           std::to_string(sdk::abi_minor) + " (upgrade the host or build against an older SDK)",
                       d, Trust::stable_prefix);
    }
    if (d->build_key == nullptr || std::strcmp(d->build_key, sdk::build_key) != 0) {
        return refusal(load_error::build_key_mismatch, file,
                       "built with another compiler or standard library ABI (build key " +
                           std::string(d->build_key != nullptr ? d->build_key : "<none>") + ", host's " +
                           sdk::build_key + ")",
                       d, Trust::stable_prefix);
    }
    if (d->name == nullptr || *d->name == '\0' || d->version == nullptr || *d->version == '\0' ||
        d->create == nullptr || d->destroy == nullptr) {
        return refusal(load_error::bad_descriptor, file, "the descriptor lacks a name, a version, create or destroy",
                       d);
    }
    return std::nullopt;
}

std::string host_abi_description() {
    return "ABI " + std::to_string(sdk::abi_major) + "." + std::to_string(sdk::abi_minor) + ", build key " +
           sdk::build_key;
}

PolicyInstance::PolicyInstance(std::shared_ptr<const PluginLibrary> library, sdk::Policy* policy,
                               BillingPolicyDestroyFn destroy, sdk::PolicyInfo info)
    : library_(std::move(library)), policy_(policy, destroy), info_(std::move(info)) {}

const PluginIdentity& PolicyInstance::identity() const noexcept { return library_->identity(); }

PluginLibrary::PluginLibrary(std::unique_ptr<Impl> impl, PluginIdentity identity)
    : impl_(std::move(impl)), identity_(std::move(identity)) {}

PluginLibrary::~PluginLibrary() = default;

Result<std::shared_ptr<const PluginLibrary>> PluginLibrary::open(const fs::path& file, const LoadOptions& options) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        return refusal(load_error::file_missing, file, "no such file", nullptr);
    }
    auto copy = copy_to_unique_path(file, options);
    if (!copy) {
        return copy.error();
    }

    // The digest of the bytes we are about to map, not of whatever the path holds later on.
    const std::string sha256 = sha256_of_file(copy.value());

    auto impl = std::make_unique<Impl>();
    ::dlerror();  // clear, so that the message below is this load's
    impl->library.load(copy.value(), ec, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
    // The mapping stays valid without the file; removing the copy at once leaves no litter
    // behind even if the process is killed later.
    std::error_code ignored;
    fs::remove(copy.value(), ignored);
    if (options.copy_dir.empty()) fs::remove(copy.value().parent_path(), ignored);  // our own, now empty
    if (ec) {
        const char* why = ::dlerror();
        return refusal(load_error::dlopen_failed, file,
                       std::string("cannot load: ") + (why != nullptr ? why : ec.message()), nullptr);
    }

    if (!impl->library.has(sdk::descriptor_symbol)) {
        return refusal(load_error::no_descriptor, file,
                       std::string("no symbol ") + sdk::descriptor_symbol +
                           " (not a billing plugin, or built without BILLING_EXPORT_POLICY)",
                       nullptr);
    }
    impl->descriptor = &impl->library.get<const BillingPluginDescriptor>(sdk::descriptor_symbol);
    if (auto refused = check_descriptor(file, impl->descriptor)) {
        return *refused;
    }

    PluginIdentity identity;
    identity.file = file;
    identity.copy_path = copy.value();
    identity.name = impl->descriptor->name;
    identity.version = impl->descriptor->version;
    identity.abi_major = impl->descriptor->abi_major;
    identity.abi_minor = impl->descriptor->abi_minor;
    identity.build_key = impl->descriptor->build_key;
    identity.sha256 = sha256;
    identity.loaded_at_ms = options.now_ms;

    return std::shared_ptr<const PluginLibrary>(new PluginLibrary(std::move(impl), std::move(identity)));
}

Result<PluginLibrary::Created> PluginLibrary::create_checked() const {
    const BillingPluginDescriptor* d = impl_->descriptor;
    // BILLING_EXPORT_POLICY already keeps exceptions inside the plugin; this catch is for a
    // hand-written descriptor that does not, so that such a plugin is refused, not fatal.
    try {
        std::array<char, 1024> error{};
        sdk::Policy* raw = d->create(error.data(), error.size());
        if (raw == nullptr) {
            error.back() = '\0';
            return refusal(load_error::factory_failed, identity_.file,
                           std::string("its factory failed: ") + (error[0] != '\0' ? error.data() : "no reason given"),
                           d);
        }
        // Owned from here on: a refusal below destroys it with the plugin's own code, while this
        // library (kept alive by the caller) is still mapped.
        Created created{std::unique_ptr<sdk::Policy, BillingPolicyDestroyFn>(raw, d->destroy), {}};
        created.info = created.policy->info();
        if (created.info.name != d->name || created.info.version != d->version) {
            return refusal(load_error::info_mismatch, identity_.file,
                           "info() says " + (created.info.name.empty() ? std::string("<no name>") : created.info.name) +
                               " " + created.info.version + ", its descriptor " + d->name + " " + d->version,
                           d);
        }
        return created;
    } catch (const std::exception& e) {
        return refusal(load_error::factory_failed, identity_.file,
                       std::string("it threw across the plugin boundary: ") + e.what(), d);
    } catch (...) {
        return refusal(load_error::factory_failed, identity_.file, "it threw across the plugin boundary", d);
    }
}

Result<std::shared_ptr<const PolicyInstance>> PluginLibrary::instantiate(const std::string& config_text,
                                                                         const std::string& config_source) const {
    auto created = create_checked();
    if (!created) {
        return created.error();
    }
    Created& c = created.value();
    try {
        sdk::ConfigResult configured = c.policy->configure(config_text, config_source);
        if (!configured.ok) {
            return refusal(load_error::config_rejected, identity_.file,
                           "its configuration was rejected: " + configured.message, impl_->descriptor);
        }
    } catch (const std::exception& e) {
        return refusal(load_error::factory_failed, identity_.file,
                       std::string("it threw across the plugin boundary: ") + e.what(), impl_->descriptor);
    } catch (...) {
        return refusal(load_error::factory_failed, identity_.file, "it threw across the plugin boundary",
                       impl_->descriptor);
    }
    // configure() was the one non-const call; from here on the object is only read.
    auto instance = std::make_shared<const PolicyInstance>(shared_from_this(), c.policy.get(),
                                                           impl_->descriptor->destroy, std::move(c.info));
    static_cast<void>(c.policy.release());  // now owned by the instance
    return instance;
}

Result<std::shared_ptr<sdk::Policy>> PluginLibrary::create_unconfigured() const {
    auto created = create_checked();
    if (!created) {
        return created.error();
    }
    // The deleter keeps this library mapped until the object is gone: its destructor is
    // code inside the library.
    std::shared_ptr<const PluginLibrary> library = shared_from_this();
    const BillingPolicyDestroyFn destroy = impl_->descriptor->destroy;
    return std::shared_ptr<sdk::Policy>(created.value().policy.release(),
                                        [library, destroy](sdk::Policy* policy) { destroy(policy); });
}

Result<std::shared_ptr<const PolicyInstance>> load_policy(const fs::path& file, const std::string& config_text,
                                                          const std::string& config_source,
                                                          const LoadOptions& options) {
    auto library = PluginLibrary::open(file, options);
    if (!library) {
        return library.error();
    }
    return library.value()->instantiate(config_text, config_source);
}

}  // namespace billing::plugin
